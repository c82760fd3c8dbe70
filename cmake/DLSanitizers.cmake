# Sanitizer and fuzzer builds (docs/hardening.md).
#
#   DL_ENABLE_SANITIZERS  ASan + UBSan on everything this project compiles
#                         (libraries, tools, runtime, tests and the rank
#                         programs dl-compile builds against this dlrt).
#   DL_ENABLE_FUZZERS     the libFuzzer targets under test/fuzz (implies the
#                         sanitizers and adds coverage instrumentation).
#
# MLIR/LLVM are the prebuilt Debian shared libraries: their code is not
# instrumented, only ours (and the LLVM/MLIR header code it inlines) is.
# Included before HandleLLVMOptions, which turns LLVM_USE_SANITIZER and
# LLVM_USE_SANITIZE_COVERAGE into compiler flags (and drops -Wl,-z,defs,
# since instrumented shared libraries leave the sanitizer runtime symbols to
# the executable).

option(DL_ENABLE_SANITIZERS "Build with AddressSanitizer and UBSan" OFF)
option(DL_ENABLE_FUZZERS "Build the libFuzzer targets (implies sanitizers)" OFF)

set(DL_SANITIZER_FLAGS "")
if(DL_ENABLE_SANITIZERS OR DL_ENABLE_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DL_ENABLE_SANITIZERS/DL_ENABLE_FUZZERS need clang "
                        "(-DCMAKE_CXX_COMPILER=clang++-19)")
  endif()
  set(LLVM_USE_SANITIZER "Address;Undefined")
  # vptr needs RTTI (LLVM is built without); function sanitizer trips on
  # calls through the uninstrumented MLIR libraries.
  set(LLVM_UBSAN_FLAGS
      "-fsanitize=undefined -fno-sanitize=vptr,function -fno-sanitize-recover=all")
  # What a program linking the instrumented dlrt is compiled and linked with
  # (the rank programs dl-compile builds, the lit tests' %dlrt_cxxflags):
  # the same checks as this project's code, and a UBSan report aborts the
  # program, so that the test that ran it fails.
  set(DL_SANITIZER_FLAGS
      "-fsanitize=address -fsanitize=undefined -fno-sanitize=vptr,function -fno-sanitize-recover=all")
  # LLVM's allocators must not poison memory that the uninstrumented MLIR
  # library hands out (see the header).
  add_compile_options(
    "SHELL:-include ${CMAKE_CURRENT_LIST_DIR}/DLAsanNoLLVMPoisoning.h")
  message(STATUS "dl: ASan + UBSan build")
endif()
if(DL_ENABLE_FUZZERS)
  set(LLVM_USE_SANITIZE_COVERAGE ON)
  message(STATUS "dl: libFuzzer targets enabled")
endif()

# dl_sanitizer_O0_sources(SOURCE...): in a sanitizer or fuzzer build, compile
# these sources of the calling directory at -O0 whatever the build type says.
# For the tablegen'd dialect and attribute definitions: with ASan their
# compile time explodes with the optimisation level (minutes at -O1, over 40
# minutes at -O2; docs/hardening.md), while the rest of the project is built
# at -O1, ASan's recommended level, at which the test suite runs many times
# faster than at -O0. (-O0 as a source option comes after the build type's
# flags on the command line, so it wins.)
function(dl_sanitizer_O0_sources)
  if(DL_ENABLE_SANITIZERS OR DL_ENABLE_FUZZERS)
    set_property(SOURCE ${ARGN} APPEND PROPERTY COMPILE_OPTIONS -O0)
  endif()
endfunction()

# dl_fuzz_no_cmp_tracing(SOURCE...): in a fuzzer build, compile these sources
# of the calling directory with edge coverage but without libFuzzer's
# comparison tracing (-fsanitize-coverage=trace-cmp). For the partition
# search, its cost model and box geometry: they compare box coordinates, byte
# counts and costs derived from the input through the random model builder's
# range mapping, never input bytes themselves, so the values the tracing
# records cannot guide mutations; the tracing took about a fifth of
# dl-fuzz-search's time (docs/hardening.md).
function(dl_fuzz_no_cmp_tracing)
  if(DL_ENABLE_FUZZERS)
    set_property(SOURCE ${ARGN} APPEND PROPERTY COMPILE_OPTIONS
                 -fno-sanitize-coverage=trace-cmp)
  endif()
endfunction()
