# marketlink_embed(TARGET FUNCTION BASE_DIR FILE...)
# Compiles FILEs (paths relative to BASE_DIR) into TARGET. The generated source defines
#   std::span<const core::EmbeddedFile> resources::FUNCTION();
# listing each file under its relative path. See src/core/embedded.h.
set(MARKETLINK_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake)

function(marketlink_embed target function base_dir)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${function}.cpp)
  set(abs_files "")
  foreach(f IN LISTS ARGN)
    list(APPEND abs_files ${base_dir}/${f})
  endforeach()
  string(REPLACE ";" "|" files_arg "${ARGN}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DFUNCTION=${function} -DBASE=${base_dir}
            -DFILES=${files_arg} -P ${MARKETLINK_EMBED_SCRIPT}
    DEPENDS ${abs_files} ${MARKETLINK_EMBED_SCRIPT}
    COMMENT "Embedding ${function}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
