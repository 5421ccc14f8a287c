# SPDX-License-Identifier: Apache-2.0
# Install rules (`cmake --install`): binaries, systemd units, sysusers/tmpfiles snippets, the
# example configuration and the docs, laid out where Debian expects them. Included at the end of
# the top-level CMakeLists.txt, so every target named here already exists.

# The layout below is a system package's (units in lib/systemd/system, config in /etc), which
# only fits prefix /usr; an explicit -DCMAKE_INSTALL_PREFIX still wins. A build tree configured
# before this file existed holds CMake's stock /usr/local: that is taken, once, as the default
# it was.
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT
   OR (NOT DEFINED CACHE{GSLBD_INSTALL_PREFIX_CHOSEN}
       AND CMAKE_INSTALL_PREFIX STREQUAL "/usr/local"))
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install path prefix" FORCE)
endif()
set(GSLBD_INSTALL_PREFIX_CHOSEN ON CACHE INTERNAL "the install prefix default has been applied")
# GNUInstallDirs maps prefix /usr to sysconfdir /etc (CMAKE_INSTALL_FULL_SYSCONFDIR); the docs go
# to share/doc/gslbd (CMAKE_INSTALL_DOCDIR).
include(GNUInstallDirs)

set(GSLBD_SYSTEMD_UNIT_DIR lib/systemd/system CACHE STRING
    "systemd unit directory (relative to the prefix unless absolute)")
set(GSLBD_SYSUSERS_DIR lib/sysusers.d CACHE STRING
    "sysusers.d directory (relative to the prefix unless absolute)")
set(GSLBD_TMPFILES_DIR lib/tmpfiles.d CACHE STRING
    "tmpfiles.d directory (relative to the prefix unless absolute)")

install(TARGETS gslbd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
# gslbctl is built by tools/gslbctl, which may be absent from a trimmed tree.
if(TARGET gslbctl)
  install(TARGETS gslbctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(FILES systemd/gslbd.service DESTINATION ${GSLBD_SYSTEMD_UNIT_DIR})
install(FILES systemd/gslbd.sysusers DESTINATION ${GSLBD_SYSUSERS_DIR} RENAME gslbd.conf)
install(FILES systemd/gslbd.tmpfiles DESTINATION ${GSLBD_TMPFILES_DIR} RENAME gslbd.conf)

# The installed configuration (/etc/gslbd for prefix /usr): loopback only, admin actions
# behind the token in control.token, which the installer makes (the Debian package's postinst
# does; see the README's install section otherwise).
file(GLOB GSLBD_INSTALLED_CONFIG CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/zones/examples/installed/*.yaml)
install(FILES ${GSLBD_INSTALLED_CONFIG} DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/gslbd)

file(GLOB GSLBD_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md CHANGELOG.md ${GSLBD_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY zones/examples/quickstart DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY contrib/prometheus contrib/grafana DESTINATION ${CMAKE_INSTALL_DOCDIR}/contrib)
install(FILES contrib/bash-completion/gslbctl
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# Man pages from scdoc sources (docs/man/*.scd), built with the default target when scdoc is
# installed (Debian package scdoc); without it the rest still builds and installs.
find_program(GSLBD_SCDOC scdoc)
if(GSLBD_SCDOC)
  file(GLOB GSLBD_MAN_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/*.scd)
  set(GSLBD_MAN_PAGES)
  foreach(source ${GSLBD_MAN_SOURCES})
    get_filename_component(page ${source} NAME_WLE)  # gslbd.8, gslbd.yaml.5
    string(REGEX MATCH "[0-9]$" section ${page})
    set(output ${PROJECT_BINARY_DIR}/man/${page})
    add_custom_command(OUTPUT ${output}
                       COMMAND sh -c "\"$0\" < \"$1\" > \"$2\"" ${GSLBD_SCDOC} ${source}
                               ${output}
                       DEPENDS ${source}
                       COMMENT "scdoc ${page}"
                       VERBATIM)
    list(APPEND GSLBD_MAN_PAGES ${output})
    # OPTIONAL: a tree built only for gslbd and gslbctl (tools/run) still installs.
    install(FILES ${output} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} OPTIONAL)
  endforeach()
  file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/man)
  add_custom_target(man ALL DEPENDS ${GSLBD_MAN_PAGES})
else()
  message(STATUS "man pages skipped: scdoc not found (apt install scdoc)")
endif()
