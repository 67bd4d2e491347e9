# What Debian requires in each package's /usr/share/doc/<package>: a machine-readable copyright
# file (debian/copyright) and, for a native package like these, changelog.gz, made from the
# version (debian/changelog.in) and gzipped as the manual pages are (cmake/docs.cmake).

# The changelog's date is the last commit's, or SOURCE_DATE_EPOCH's: the same sources make the
# same package.
if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
  execute_process(COMMAND git -C ${CMAKE_SOURCE_DIR} log -1 --format=%ct
                  OUTPUT_VARIABLE commit_time OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(commit_time)
    set(ENV{SOURCE_DATE_EPOCH} ${commit_time})
  endif()
endif()
string(TIMESTAMP NETLAB_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
if(commit_time)
  unset(ENV{SOURCE_DATE_EPOCH})
endif()

set(NETLAB_CHANGELOG ${CMAKE_BINARY_DIR}/debian/changelog)
configure_file(${CMAKE_SOURCE_DIR}/cmake/debian/changelog.in ${NETLAB_CHANGELOG} @ONLY)
netlab_gzip(${NETLAB_CHANGELOG})
# Part of netlab_docs, which the README's `cmake --install` builds.
add_custom_target(netlab_changelog DEPENDS ${NETLAB_CHANGELOG}.gz)
add_dependencies(netlab_docs netlab_changelog)

foreach(component IN LISTS CPACK_COMPONENTS_ALL)
  string(TOUPPER ${component} upper)
  set(package ${CPACK_DEBIAN_${upper}_PACKAGE_NAME})
  install(FILES ${CMAKE_SOURCE_DIR}/cmake/debian/copyright ${NETLAB_CHANGELOG}.gz
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package} COMPONENT ${component})
endforeach()
