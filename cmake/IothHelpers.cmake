# Helpers shared by every part of the tree.

# The environment every test runs in: plugins come from the build tree,
# test scripts find the build and source trees and the shared shell library.
set(IOTH_TEST_ENV
  "IOTH_PLUGIN_PATH=${IOTH_PLUGIN_BUILD_DIR}"
  "IOTH_BUILD_DIR=${CMAKE_BINARY_DIR}"
  "IOTH_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
  "IOTH_TESTLIB=${CMAKE_SOURCE_DIR}/tests/lib/netenv.sh"
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
  "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1"
  "CMOCKA_MESSAGE_OUTPUT=stdout")

# ioth_plugin(NAME SOURCES... [LIBS ...] [NOREENTRANT] [NVARIANT SYM...])
# Builds plugins/ioth_NAME-r.so (or ioth_NAME.so with NOREENTRANT) and
# installs it under <libdir>/ioth.
# NVARIANT (reentrant plugins): also provide the stack NAME_n, as the original
# libioth does for its plugins: ioth_NAME_n.so, a symlink to ioth_NAME-r.so
# (so it is loaded with dlmopen, one private copy per stack), exporting
# ioth_NAME_n_SYM as an alias of ioth_NAME_SYM for each SYM listed
# (e.g. newstack delstack socket license).
function(ioth_plugin name)
  cmake_parse_arguments(P "NOREENTRANT;NOINSTALL" "" "LIBS;NVARIANT" ${ARGN})
  if(P_NOREENTRANT)
    set(out "ioth_${name}")
    # A dlmopen'ed copy lives in a link-map namespace of its own, where a
    # sanitizer runtime cannot be loaded a second time: build it plain.
    set(plain TRUE)
  else()
    set(out "ioth_${name}-r")
  endif()
  set(tgt "plugin_${name}")
  add_library(${tgt} MODULE ${P_UNPARSED_ARGUMENTS})
  set_target_properties(${tgt} PROPERTIES PREFIX "" OUTPUT_NAME "${out}"
    LIBRARY_OUTPUT_DIRECTORY "${IOTH_PLUGIN_BUILD_DIR}"
    C_VISIBILITY_PRESET hidden)
  target_include_directories(${tgt} PRIVATE "${CMAKE_SOURCE_DIR}/include"
    "${CMAKE_SOURCE_DIR}/src/plugins")
  target_link_libraries(${tgt} PRIVATE ${P_LIBS} Threads::Threads)
  if(plain AND SANITIZE)
    target_compile_options(${tgt} PRIVATE -fno-sanitize=all)
    target_link_options(${tgt} PRIVATE -fno-sanitize=all)
  endif()
  if(NOT P_NOINSTALL)
    install(TARGETS ${tgt} LIBRARY DESTINATION "${IOTH_PLUGIN_INSTALL_RELDIR}")
  endif()
  if(P_NVARIANT AND NOT P_NOREENTRANT)
    foreach(sym IN LISTS P_NVARIANT)
      target_link_options(${tgt} PRIVATE
        "LINKER:--defsym=ioth_${name}_n_${sym}=ioth_${name}_${sym}")
    endforeach()
    set(link "${IOTH_PLUGIN_BUILD_DIR}/ioth_${name}_n.so")
    add_custom_command(TARGET ${tgt} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E create_symlink "${out}.so" "${link}" VERBATIM)
    if(NOT P_NOINSTALL)
      # file(INSTALL) copies a symlink as a symlink
      install(FILES "${link}" DESTINATION "${IOTH_PLUGIN_INSTALL_RELDIR}")
    endif()
  endif()
endfunction()

# ioth_test(NAME SOURCES... [LIBS ...] [LABELS ...] [TIMEOUT s])
# A C test program run by ctest. Exit code 77 means "skipped": the program
# prints why (e.g. needs root for namespaces).
function(ioth_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  target_include_directories(${name} PRIVATE "${CMAKE_SOURCE_DIR}/include"
    "${CMAKE_SOURCE_DIR}/tests/lib")
  target_link_libraries(${name} PRIVATE ${T_LIBS} Threads::Threads)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${IOTH_TEST_ENV}"
    SKIP_RETURN_CODE 77 TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
endfunction()

# ioth_script_test(NAME SCRIPT [ARGS ...] [LABELS ...] [TIMEOUT s])
# A shell test (usually on real switches and namespaces, tests/lib/netenv.sh).
function(ioth_script_test name script)
  cmake_parse_arguments(T "" "TIMEOUT" "ARGS;LABELS" ${ARGN})
  add_test(NAME ${name} COMMAND /bin/bash "${script}" ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 180)
  endif()
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${IOTH_TEST_ENV}"
    SKIP_RETURN_CODE 77 TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
endfunction()

# ioth_fuzzer(NAME SOURCES... [LIBS ...]) — a libFuzzer target, built only
# when configured with -DIOTH_FUZZ=ON and clang. Corpus: fuzz/corpus/NAME.
function(ioth_fuzzer name)
  cmake_parse_arguments(F "" "" "LIBS" ${ARGN})
  if(NOT IOTH_FUZZ)
    return()
  endif()
  add_executable(${name} ${F_UNPARSED_ARGUMENTS})
  target_include_directories(${name} PRIVATE "${CMAKE_SOURCE_DIR}/include")
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  set_property(GLOBAL APPEND PROPERTY IOTH_FUZZERS ${name})
endfunction()
option(IOTH_FUZZ "build the libFuzzer targets (needs clang)" OFF)

# ioth_nodeepbind(TARGET): in sanitizer builds, give an executable that joins
# VDE networks in-process the dlopen of tests/lib/nodeepbind.c.
function(ioth_nodeepbind tgt)
  if(SANITIZE)
    target_sources(${tgt} PRIVATE "${CMAKE_SOURCE_DIR}/tests/lib/nodeepbind.c")
    target_link_libraries(${tgt} PRIVATE ${CMAKE_DL_LIBS})
  endif()
endfunction()

# ioth_public_library(NAME SOURCES...): libNAME.so, a library of the tree
# with a public header include/NAME.h, its symbols hidden unless its
# visibility.h (in the calling folder) exports them, linked with libioth;
# installed with NAME.pc (from NAME.pc.in, whose prefix @<NAME>_PC_PREFIX@
# is IOTH_PC_PREFIX or else relative to the .pc file, so that an install
# anywhere works) and its man page NAME.3.
function(ioth_public_library name)
  add_library(${name} SHARED ${ARGN})
  set_target_properties(${name} PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION 0
    C_VISIBILITY_PRESET hidden PUBLIC_HEADER "${CMAKE_SOURCE_DIR}/include/${name}.h")
  target_compile_options(${name} PRIVATE -include "${CMAKE_CURRENT_SOURCE_DIR}/visibility.h")
  target_compile_definitions(${name} PRIVATE _GNU_SOURCE)
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${name} PUBLIC ioth PRIVATE Threads::Threads)
  install(TARGETS ${name} EXPORT iothTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  string(TOUPPER "${name}" upper)
  if(DEFINED IOTH_PC_PREFIX)
    set(${upper}_PC_PREFIX "${IOTH_PC_PREFIX}")
  else()
    set(${upper}_PC_PREFIX "\${pcfiledir}/../..")
  endif()
  configure_file(${name}.pc.in "${CMAKE_BINARY_DIR}/${name}.pc" @ONLY)
  install(FILES "${CMAKE_BINARY_DIR}/${name}.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  ioth_man(${name}.3)
endfunction()

# ioth_man(PAGE): install docs/man/PAGE (e.g. ioth.3) in man<section>, and
# for every other name of its NAME section a page that sources it (".so"),
# so that `man ioth_msocket` opens ioth(3).
function(ioth_man page)
  set(src "${CMAKE_SOURCE_DIR}/docs/man/${page}")
  string(REGEX MATCH "[0-9]$" sect "${page}")
  string(REGEX REPLACE "\\.[0-9]$" "" self "${page}")
  install(FILES "${src}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${sect}")
  # the names: the lines after ".SH NAME" up to the one with "\-"
  file(STRINGS "${src}" lines)
  set(in_name FALSE)
  set(name "")
  foreach(l IN LISTS lines)
    if(l STREQUAL ".SH NAME")
      set(in_name TRUE)
    elseif(in_name)
      string(FIND "${l}" "\\-" dash)
      if(dash GREATER -1)
        string(SUBSTRING "${l}" 0 ${dash} l)
      endif()
      string(APPEND name ",${l}")
      if(dash GREATER -1)
        break()
      endif()
    endif()
  endforeach()
  string(REGEX REPLACE "[ \t]" "" name "${name}")
  string(REPLACE "," ";" names "${name}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${src}")
  foreach(n IN LISTS names)
    if(n STREQUAL "" OR n STREQUAL self)
      continue()
    endif()
    set(link "${CMAKE_BINARY_DIR}/man/man${sect}/${n}.${sect}")
    file(WRITE "${link}" ".so man${sect}/${page}\n")
    install(FILES "${link}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${sect}")
  endforeach()
endfunction()
