//===- Driver.h - The dl-compile driver ---------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the compiler driver behind dl-compile: model and
// cluster in, per-rank binaries, weight shards, plan and run.sh out.
//
//===----------------------------------------------------------------------===//

#ifndef DL_DRIVER_H
#define DL_DRIVER_H

#include "mlir/Support/LLVM.h"
#include <string>

namespace mlir::dl {

struct CompileOptions {
  std::string modelPath;
  std::string cluster = "local-2";
  std::string outputDir;
  /// Forced scheme (see dl-force-scheme), or empty to keep the model's
  /// hand-written plans (`heuristic` if it has none).
  std::string scheme;
  std::string objective = "latency";
  /// Weight store of the model; empty: the module's `dl.weights`, else
  /// deterministic random weights written to OUTDIR/model.dlw.
  std::string weightsPath;
  uint64_t seed = 1;
  /// Micro-batches per batch; 0: the throughput search's count, else 1.
  int64_t microbatches = 0;
  /// Also build the unpartitioned single-device reference program.
  bool reference = true;
  /// Emit sources only (no host compiler).
  bool buildBinaries = true;
  /// Stop after plan.json and partitioned.mlir: no weights, no sources.
  bool planOnly = false;
  unsigned jobs = 2;
  bool verbose = false;
  std::string compiler;
};

/// Runs the whole flow; prints progress to `log`. Returns failure after
/// printing a diagnostic.
LogicalResult compileModel(const CompileOptions &options, raw_ostream &log);

} // namespace mlir::dl

#endif // DL_DRIVER_H
