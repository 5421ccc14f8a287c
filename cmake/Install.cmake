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

# The example main file with the zone and pool files its globs name, where the unit reads it
# (/etc/gslbd/gslbd.yaml for prefix /usr).
file(GLOB GSLBD_EXAMPLE_CONFIG CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/zones/*.yaml)
install(FILES ${GSLBD_EXAMPLE_CONFIG} DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/gslbd)
# The example names control.token for admin actions. The repository's token is known to all, so
# an install writes a fresh random one (mode 0600) instead, and never replaces one that exists.
set(GSLBD_TOKEN_DIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/gslbd)
string(CONFIGURE [[
  set(token_file "$ENV{DESTDIR}@GSLBD_TOKEN_DIR@/control.token")
  if(NOT EXISTS "${token_file}")
    execute_process(COMMAND od -An -N24 -tx1 /dev/urandom OUTPUT_VARIABLE token
                    RESULT_VARIABLE failed)
    string(REGEX REPLACE "[^0-9a-f]" "" token "${token}")
    string(LENGTH "${token}" length)
    if(failed OR NOT length EQUAL 48)
      message(FATAL_ERROR "cannot read 24 random octets for ${token_file}")
    endif()
    file(WRITE "${token_file}" "${token}\n")
    file(CHMOD "${token_file}" PERMISSIONS OWNER_READ OWNER_WRITE)
    message(STATUS "Installing: ${token_file} (a new random token)")
  endif()
]] GSLBD_TOKEN_CODE @ONLY)
install(CODE "${GSLBD_TOKEN_CODE}")

file(GLOB GSLBD_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md ${GSLBD_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
