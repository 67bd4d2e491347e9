# `cpack -G DEB` in the build folder: netlab_<version>_amd64.deb (the tool: component runtime)
# and netlab-dev_<version>_amd64.deb (the C++ API: component dev), for Debian 12.
set(CPACK_PACKAGE_NAME netlab)
set(CPACK_PACKAGE_VENDOR netlab)
set(CPACK_PACKAGE_CONTACT "netlab maintainers <netlab@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Linux network labs (namespaces, veths, bridges, routes, NAT) from a YAML file")
# One string (a set() of several would join them with ';'), in lines that fit `apt show`.
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "netlab makes a Linux network lab exist exactly as a YAML file says, and\n"
       "removes it again without a trace, talking to the kernel through netlink and\n"
       "libiptc.")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://netlab.invalid")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME netlab)
# A package of a component takes its long description from the component's.
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
# The shared libraries the binary links decide the tool's dependencies (dpkg-shlibdeps).
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
# and one it cannot see: libnl 3.7, whose nl_recv netlab relies on (CMakeLists.txt).
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libnl-3-200 (>= 3.7)")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "graphviz, bash-completion")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME netlab-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
string(CONCAT CPACK_COMPONENT_DEV_DESCRIPTION
       "${CPACK_PACKAGE_DESCRIPTION}\n"
       "This package holds its C++ API, netlab.h and LabGuard: a static library, its\n"
       "headers, a CMake package and a pkg-config file.")
# libnetlab.a links what the engine links; netlabConfig.cmake and netlab.pc find them.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "netlab (= ${PROJECT_VERSION}), libnl-3-dev (>= 3.7), libnl-route-3-dev (>= 3.7), libip4tc-dev, libyaml-cpp-dev, libpcap-dev, pkg-config")
include(CPack)
