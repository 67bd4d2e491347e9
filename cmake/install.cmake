# What `cmake --install` puts in place. Two components, one a Debian package each
# (cmake/package.cmake): `runtime` (the tool, its manual, completion, schema and example
# labs) and `dev` (the C++ API: libnetlab.a, its headers, CMake package and pkg-config file).
# Debian puts a -dev package's library, CMake package and pkg-config file in lib/<multiarch>,
# which GNUInstallDirs picks only for the prefix /usr, a prefix CPack alone knows
# (CPACK_PACKAGING_INSTALL_PREFIX): so it is the default for any prefix on such a system, where
# find_package and pkg-config look too. A -DCMAKE_INSTALL_LIBDIR given stays.
if(CMAKE_LIBRARY_ARCHITECTURE AND NOT DEFINED CACHE{CMAKE_INSTALL_LIBDIR})
  set(CMAKE_INSTALL_LIBDIR lib/${CMAKE_LIBRARY_ARCHITECTURE}
      CACHE PATH "Object code libraries (lib/<multiarch>)")
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS netlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/schema ${CMAKE_SOURCE_DIR}/topologies
        DESTINATION ${CMAKE_INSTALL_DATADIR}/netlab COMPONENT runtime)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/ci-fixture.md
              ${CMAKE_SOURCE_DIR}/docs/json.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)

# The headers engine/netlab.h includes, and theirs: the API's, and no other header of the engine.
function(netlab_header_closure root out)
  set(todo netlab.h)
  set(seen "")
  while(todo)
    list(POP_FRONT todo header)
    if(header IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${header})
    file(STRINGS ${root}/${header} includes REGEX "^#include \"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" included "${line}")
      list(APPEND todo ${included})
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

netlab_header_closure(${CMAKE_SOURCE_DIR}/engine NETLAB_PUBLIC_HEADERS)
foreach(header IN LISTS NETLAB_PUBLIC_HEADERS)
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${CMAKE_SOURCE_DIR}/engine/${header}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/netlab/${dir} COMPONENT dev)
endforeach()

set(NETLAB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/netlab)
install(TARGETS netlab_engine EXPORT netlabTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
# `cmake --install --strip` and CPack (CPACK_STRIP_FILES) strip the binary; this strips the
# archive's debug information, which is most of its size in a build with it, and the compiler's
# version comments, with zero times and owners in the archive as Debian's own packages have.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug --remove-section=.comment
      --enable-deterministic-archives
      \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/libnetlab.a\")
  endif()" COMPONENT dev)
install(EXPORT netlabTargets NAMESPACE netlab:: DESTINATION ${NETLAB_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/netlabConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/netlabConfig.cmake
                              INSTALL_DESTINATION ${NETLAB_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/netlabConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/netlabConfig.cmake ${CMAKE_BINARY_DIR}/netlabConfigVersion.cmake
        DESTINATION ${NETLAB_CMAKE_DIR} COMPONENT dev)

# netlab.pc names the prefix it is installed under, known only at install time (--prefix,
# or CPack's /usr).
install(CODE "
  set(NETLAB_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(NETLAB_PC_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(NETLAB_PC_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${CMAKE_SOURCE_DIR}/cmake/netlab.pc.in\" \"${CMAKE_BINARY_DIR}/netlab.pc\" @ONLY)
" COMPONENT dev)
install(FILES ${CMAKE_BINARY_DIR}/netlab.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT dev)
