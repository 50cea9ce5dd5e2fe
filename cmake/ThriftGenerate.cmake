# thrift_cpp_library(<target> <file.thrift> SERVICES <Svc>... [MOVEABLE])
#
# Runs the thrift compiler on an IDL file at build time and wraps the
# generated C++ in a static library. Consumers include the generated headers
# as "<idl_name>_types.h" (and "<Service>.h"). MOVEABLE gives the generated
# structs move constructors (thrift's moveable_types; without it a move copies).
function(thrift_cpp_library target idl)
  cmake_parse_arguments(ARG "MOVEABLE" "" "SERVICES" ${ARGN})
  set(gen_options no_skeleton)
  if(ARG_MOVEABLE)
    set(gen_options no_skeleton,moveable_types)
  endif()
  get_filename_component(idl_abs ${idl} ABSOLUTE)
  get_filename_component(idl_name ${idl} NAME_WE)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/gen-cpp)
  set(outputs ${out_dir}/${idl_name}_types.cpp ${out_dir}/${idl_name}_types.h)
  foreach(svc ${ARG_SERVICES})
    list(APPEND outputs ${out_dir}/${svc}.cpp ${out_dir}/${svc}.h)
  endforeach()
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND ${THRIFT_COMPILER} --gen cpp:${gen_options} -out ${out_dir} ${idl_abs}
    DEPENDS ${idl_abs}
    COMMENT "thrift: generating C++ from ${idl_name}.thrift")
  set(sources ${outputs})
  list(FILTER sources INCLUDE REGEX "\\.cpp$")
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} SYSTEM PUBLIC ${out_dir})
  target_link_libraries(${target} PUBLIC PkgConfig::THRIFT)
  # Generated code is not ours to warn about.
  target_compile_options(${target} PRIVATE -w)
endfunction()
