# Add every immediate subdirectory of the current source directory that has
# a CMakeLists.txt, so parts of the tree can be added without editing here.
file(GLOB _ioth_children LIST_DIRECTORIES true "${CMAKE_CURRENT_SOURCE_DIR}/*")
list(SORT _ioth_children)
foreach(_child ${_ioth_children})
  if(IS_DIRECTORY "${_child}" AND EXISTS "${_child}/CMakeLists.txt")
    add_subdirectory("${_child}")
  endif()
endforeach()
