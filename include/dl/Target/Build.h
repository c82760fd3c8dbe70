//===- Build.h - Compile emitted rank programs ------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Compiles the C++ sources emitted by emitDeviceSources (include/dl/Target/
// Cpp.h) into one executable per rank, linked against this build's dlrt.
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
/// `source` into `binary`.
SmallVector<std::string> getCompileCommand(StringRef source, StringRef binary,
                                           const BuildOptions &options);

/// Compiles every source into an executable named after it (`rank3.cpp` ->
/// `rank3`), `options.jobs` at a time, printing `[k/N] compiling rank<K>`
/// to `log`. Appends the executables to `binaries` in source order. On
/// failure returns failure and puts the compiler's diagnostics into
/// `error`.
LogicalResult buildRankBinaries(ArrayRef<std::string> sources,
                                const BuildOptions &options,
                                SmallVectorImpl<std::string> &binaries,
                                raw_ostream &log, std::string &error);

} // namespace mlir::dl

#endif // DL_TARGET_BUILD_H
