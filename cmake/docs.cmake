# The manual pages and the bash and zsh completions, made from the built `netlab --help` and the JSON
# Schema by tools/docgen, so that they say what the tool and the format do.
file(GLOB DOCGEN_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tools/docgen/*.cc)
add_executable(netlab_docgen ${DOCGEN_SOURCES})
target_link_libraries(netlab_docgen PRIVATE nlohmann_json::nlohmann_json)

set(NETLAB_DOCS_DIR ${CMAKE_BINARY_DIR}/docs)
set(NETLAB_MAN_PAGES ${NETLAB_DOCS_DIR}/netlab.1 ${NETLAB_DOCS_DIR}/netlab-topology.5)
set(NETLAB_BASH_COMPLETION ${NETLAB_DOCS_DIR}/netlab.bash)
set(NETLAB_ZSH_COMPLETION ${NETLAB_DOCS_DIR}/_netlab)
add_custom_command(
  OUTPUT ${NETLAB_MAN_PAGES} ${NETLAB_BASH_COMPLETION} ${NETLAB_ZSH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${NETLAB_DOCS_DIR}
  COMMAND netlab_docgen $<TARGET_FILE:netlab> ${CMAKE_SOURCE_DIR}/schema/topology.schema.json
          ${NETLAB_DOCS_DIR} ${CMAKE_SOURCE_DIR}/completion/netlab.bash.in
          ${NETLAB_BASH_COMPLETION} ${CMAKE_SOURCE_DIR}/completion/netlab.zsh.in
          ${NETLAB_ZSH_COMPLETION}
  DEPENDS netlab netlab_docgen ${CMAKE_SOURCE_DIR}/schema/topology.schema.json
          ${CMAKE_SOURCE_DIR}/completion/netlab.bash.in
          ${CMAKE_SOURCE_DIR}/completion/netlab.zsh.in
  COMMENT "Writing netlab(1), netlab-topology(5) and the bash and zsh completions")

# FILE.gz made from FILE with gzip -9n, as Debian installs manual pages and changelogs: -n
# leaves the name and time out of the header, so the same sources make the same package.
function(netlab_gzip file)
  get_filename_component(name ${file} NAME)
  add_custom_command(OUTPUT ${file}.gz COMMAND gzip -9n -c ${file} > ${file}.gz DEPENDS ${file}
                     COMMENT "Compressing ${name}" VERBATIM)
endfunction()
foreach(page IN LISTS NETLAB_MAN_PAGES)
  netlab_gzip(${page})
endforeach()
list(TRANSFORM NETLAB_MAN_PAGES APPEND .gz OUTPUT_VARIABLE NETLAB_MAN_PAGES_GZ)
add_custom_target(netlab_docs ALL DEPENDS ${NETLAB_MAN_PAGES_GZ} ${NETLAB_BASH_COMPLETION}
                                          ${NETLAB_ZSH_COMPLETION})

include(GNUInstallDirs)
install(FILES ${NETLAB_DOCS_DIR}/netlab.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        COMPONENT runtime)
install(FILES ${NETLAB_DOCS_DIR}/netlab-topology.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5
        COMPONENT runtime)
install(FILES ${NETLAB_BASH_COMPLETION} RENAME netlab
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT runtime)
# Debian's zsh looks in vendor-completions.
install(FILES ${NETLAB_ZSH_COMPLETION}
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions COMPONENT runtime)
