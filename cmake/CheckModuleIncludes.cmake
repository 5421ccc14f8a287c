# SPDX-License-Identifier: Apache-2.0
# Fails the build when a module's file includes the header of a module it does not link (or
# yaml-cpp / ldns without linking them). Run by gslbd_module() before each module compiles;
# the allowed lists are the link lists of src/CMakeLists.txt (docs/architecture.md, "Layering").
#   -DMODULE=name -DALLOWED=a,b,c -DLIST=file-with-one-path-a-line -DSTAMP=file
cmake_minimum_required(VERSION 3.25)
string(REPLACE "," ";" allowed "${ALLOWED}")
file(STRINGS "${LIST}" files)
set(failures "")
foreach(file IN LISTS files)
  file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS lines)
    set(needed "")
    if(line MATCHES "#[ \t]*include[ \t]+\"gslbd/([a-z_]+)/")
      set(needed "${CMAKE_MATCH_1}")
    elseif(line MATCHES "#[ \t]*include[ \t]+<(ldns|yaml-cpp)/")
      set(needed "${CMAKE_MATCH_1}")
    endif()
    if(needed AND NOT needed STREQUAL MODULE AND NOT needed IN_LIST allowed)
      string(APPEND failures "\n  ${file}: ${line}: module ${MODULE} does not link ${needed}")
    endif()
  endforeach()
endforeach()
if(failures)
  message(FATAL_ERROR "layering: an include outside the module's link list (see "
                      "docs/architecture.md):${failures}")
endif()
file(TOUCH "${STAMP}")
