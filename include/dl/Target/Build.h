//===- Build.h - Compile emitted rank programs ------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Compiles the C++ and CUDA sources emitted by emitDeviceSources (include/
// dl/Target/Cpp.h) and emitRankSources (include/dl/Target/CUDA.h) into one
// executable per rank, linked against this build's dlrt.
//
//===----------------------------------------------------------------------===//

#ifndef DL_TARGET_BUILD_H
#define DL_TARGET_BUILD_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::dl {

/// How to compile rank programs.
struct BuildOptions {
  /// C++ compiler; empty: `$DL_CXX` if set, else the compiler dl was built
  /// with (DL_HOST_CXX_COMPILER).
  std::string compiler;
  /// CUDA compiler for `.cu` sources; empty: `$DL_NVCC` if set, else the
  /// nvcc found at configure time (DL_NVCC_COMPILER).
  std::string cudaCompiler;
  /// Directory of the executables; empty: next to each source.
  std::string outputDir;
  /// dlrt header and library directories; empty: this build's
  /// (DL_RUNTIME_INCLUDE_DIR, DL_RUNTIME_LIBRARY_DIR).
  std::string runtimeIncludeDir, runtimeLibraryDir;
  /// Optimization flags placed before the source.
  SmallVector<std::string> optFlags = {"-O3", "-march=native"};
  /// Extra flags appended to every command line.
  SmallVector<std::string> extraFlags;
  /// Compiler processes run at once.
  unsigned jobs = 2;
  /// Print every command line.
  bool verbose = false;
};

/// Returns the full command line (argv, compiler first) that compiles
/// `source` into `binary`: the C++ compiler for `.cpp`, nvcc for `.cu`
/// (linking cuBLAS, cuDNN and NCCL as far as this build found them).
SmallVector<std::string> getCompileCommand(StringRef source, StringRef binary,
                                           const BuildOptions &options);

/// Compiles every source into an executable named after it (`rank3.cpp`,
/// `rank3.cu` -> `rank3`), `options.jobs` at a time, printing `[k/N] compiling rank<K>`
/// to `log`. Appends the executables to `binaries` in source order. On
/// failure returns failure and puts the compiler's diagnostics into
/// `error`.
LogicalResult buildRankBinaries(ArrayRef<std::string> sources,
                                const BuildOptions &options,
                                SmallVectorImpl<std::string> &binaries,
                                raw_ostream &log, std::string &error);

} // namespace mlir::dl

#endif // DL_TARGET_BUILD_H
