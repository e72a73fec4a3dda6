# Remove every file that `make install` recorded in install_manifest.txt
# (or in the manifest named by -DMANIFEST=FILE), saying what it removed and
# warning about the listed files that are not there.
if(NOT MANIFEST)
  set(MANIFEST "install_manifest.txt")
endif()
if(NOT EXISTS "${MANIFEST}")
  message(FATAL_ERROR "${MANIFEST} not found in ${CMAKE_CURRENT_BINARY_DIR}: "
    "nothing was installed from this build tree (run make install first)")
endif()
file(STRINGS "${MANIFEST}" files)
set(removed 0)
set(missing 0)
foreach(f ${files})
  if(EXISTS "$ENV{DESTDIR}${f}" OR IS_SYMLINK "$ENV{DESTDIR}${f}")
    message(STATUS "Removing $ENV{DESTDIR}${f}")
    file(REMOVE "$ENV{DESTDIR}${f}")
    math(EXPR removed "${removed} + 1")
  else()
    message(WARNING "not there (already removed, or installed elsewhere): $ENV{DESTDIR}${f}")
    math(EXPR missing "${missing} + 1")
  endif()
endforeach()
list(LENGTH files listed)
message(STATUS "uninstall: ${removed} of the ${listed} files listed in ${MANIFEST} removed, "
  "${missing} not there")
if(listed GREATER 0 AND removed EQUAL 0)
  message(WARNING "uninstall removed nothing: was the install moved or removed by hand, "
    "or installed with another DESTDIR?")
endif()
