# `cmake --install` of dl: headers (with the generated .inc files), the
# libraries, the tools, the runtime and a CMake package (dlConfig.cmake,
# dlConfigVersion.cmake, dlTargets.cmake) so that other projects can
#
#   find_package(dl CONFIG REQUIRED)
#   target_link_libraries(my-opt PRIVATE dl::DLRegistration)
#
# (docs/interop.md). Components: dl-dev (libraries, runtime, headers,
# package files) and dl-tools (the executables). Included at the end of the top-level CMakeLists.txt,
# after every target exists.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(DL_VERSION 0.1.0)
set(DL_INSTALL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dl)

# Libraries of the package and their exported names (dl::<name>).
set(_dl_export_libs
  MLIRDL DLDialect
  DLCluster DLCluster
  DLCost DLCost
  DLPasses DLPasses
  DLConversion DLConversion
  DLRegistration DLRegistration
  dlrt_format dlrt_format
  dlrt dlrt
)
set(_dl_export_targets)
while(_dl_export_libs)
  list(POP_FRONT _dl_export_libs _target _name)
  set_target_properties(${_target} PROPERTIES EXPORT_NAME ${_name})
  # Sources include "dl/...", "dlrt/..." (include/) and "dialects/...",
  # "passes/..." (include/dl/ once installed).
  target_include_directories(${_target} INTERFACE
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/dl>)
  # An instrumented library (sanitizer build) needs the sanitizer runtimes
  # in the program that links it; in the build tree the project's own flags
  # do that.
  if(DL_SANITIZER_FLAGS)
    separate_arguments(_dl_san_flags UNIX_COMMAND "${DL_SANITIZER_FLAGS}")
    target_link_options(${_target} INTERFACE
      "$<INSTALL_INTERFACE:${_dl_san_flags}>")
  endif()
  list(APPEND _dl_export_targets ${_target})
endwhile()

set(_dl_rpath "\$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
set_target_properties(dlrt PROPERTIES
  INSTALL_RPATH "${_dl_rpath}" INSTALL_RPATH_USE_LINK_PATH TRUE)
install(TARGETS ${_dl_export_targets}
  EXPORT dlTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dl-dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dl-dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT dl-dev)

set(_dl_tools dl-opt dl-translate dl-compile dl-calibrate dl-import-onnx dl-train)
foreach(_tool ${_dl_tools})
  if(TARGET ${_tool})
    set_target_properties(${_tool} PROPERTIES
      INSTALL_RPATH "${_dl_rpath}" INSTALL_RPATH_USE_LINK_PATH TRUE)
    install(TARGETS ${_tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
            COMPONENT dl-tools)
  endif()
endforeach()

# Headers: include/dl and include/dlrt as they are; the dialect, pass and
# conversion headers with their generated .inc files under include/dl.
set(_dl_inc ${CMAKE_INSTALL_INCLUDEDIR}/dl)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/dl
                  ${PROJECT_SOURCE_DIR}/include/dlrt
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dl-dev
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/dialects/DL/
  DESTINATION ${_dl_inc}/dialects/DL COMPONENT dl-dev
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${PROJECT_BINARY_DIR}/dialects/DL/
  DESTINATION ${_dl_inc}/dialects/DL COMPONENT dl-dev
  FILES_MATCHING PATTERN "*.inc" PATTERN "CMakeFiles" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/passes/Passes.h
              ${PROJECT_SOURCE_DIR}/passes/Passes.td
              ${PROJECT_BINARY_DIR}/passes/Passes.h.inc
  DESTINATION ${_dl_inc}/passes COMPONENT dl-dev)
install(FILES ${PROJECT_BINARY_DIR}/include/dl/Conversion/Passes.h.inc
  DESTINATION ${_dl_inc}/Conversion COMPONENT dl-dev)

install(EXPORT dlTargets
  NAMESPACE dl::
  DESTINATION ${DL_INSTALL_CMAKE_DIR} COMPONENT dl-dev)
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/dlConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/dlConfig.cmake
  INSTALL_DESTINATION ${DL_INSTALL_CMAKE_DIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/dlConfigVersion.cmake
  VERSION ${DL_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/dlConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/dlConfigVersion.cmake
  DESTINATION ${DL_INSTALL_CMAKE_DIR} COMPONENT dl-dev)
