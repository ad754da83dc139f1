# Debian package of the plugin (`make package`): installs keepalive.so into Wireshark's global
# plugin folder and depends on the libwireshark it was built against (plugins are ABI-bound to
# Wireshark's major.minor).
# SPDX-License-Identifier: GPL-2.0-or-later
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME "wireshark-plugin-keepalive")
set(CPACK_PACKAGE_VENDOR "Keepalive Analysis for Wireshark")
set(CPACK_PACKAGE_CONTACT "Keepalive Analysis maintainers <keepalive@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Wireshark plugin: SIP registration and SCCP keepalive analysis")
set(CPACK_PACKAGE_DESCRIPTION "Post-dissector Keepalive Analysis (filter keepalive) that follows SIP
registration refreshes and SCCP keepalives and reports late refreshes,
retransmissions, grace-window breaches, proxy-ARP MAC mismatches and call
manager syslog verdicts. Ships the Keepalive configuration profile.")
set(CPACK_STRIP_FILES ON)
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_SOURCE_DIR}/LICENSE")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")

# The libwireshark package that owns the library we linked against, pinned to this major.minor.
find_library(KA_LIBWIRESHARK wireshark)
if(KA_LIBWIRESHARK)
  get_filename_component(_real "${KA_LIBWIRESHARK}" REALPATH)
  execute_process(COMMAND dpkg-query -S "${_real}" OUTPUT_VARIABLE _owner ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REGEX MATCH "^[^:]+" KA_LIBWIRESHARK_PKG "${_owner}")
endif()
if(KA_LIBWIRESHARK_PKG)
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" _abi "${WIRESHARK_VERSION}")
  string(REGEX REPLACE "^([0-9]+)\\.([0-9]+)$" "\\1" _major "${_abi}")
  string(REGEX REPLACE "^([0-9]+)\\.([0-9]+)$" "\\2" _minor "${_abi}")
  math(EXPR _next_minor "${_minor} + 1")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${KA_LIBWIRESHARK_PKG} (>= ${_abi}.0), ${KA_LIBWIRESHARK_PKG} (<< ${_major}.${_next_minor})")
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
include(CPack)
