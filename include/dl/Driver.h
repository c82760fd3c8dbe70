//===- Driver.h - The dl-compile driver ---------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the compiler driver behind dl-compile: model and
// cluster in, per-rank binaries, weight shards, plan and run.sh out; and
// the training flow behind dl-train and `dl-compile --train`.
//
//===----------------------------------------------------------------------===//

#ifndef DL_DRIVER_H
#define DL_DRIVER_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
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

/// The training flow of dl-train and `dl-compile --train`
/// (docs/training.md). Options that are checked for presence (a paradigm
/// refuses them, or they need one) are optional.
struct TrainOptions {
  /// The tool named in messages.
  std::string tool = "dl-train";
  std::string modelPath;
  std::string outputDir;
  /// data, pipeline, split, splitfed, fedavg, ps or tensor.
  std::string paradigm = "data";
  /// MPI ranks: data-parallel replicas, pipeline stages, the ranks of the
  /// intra-layer split, or the parameter server's workers (default 1).
  std::optional<int64_t> ranks;
  /// Global batch (a multiple of the ranks, or of the micro-batches when
  /// pipelined); with fedavg each client's batch; 0: the model's.
  int64_t batch = 0;
  /// ps: the staleness bound (digits or "inf"; empty: 0) and the server's
  /// pull log.
  std::string staleness, psLog;
  /// pipeline/split/splitfed: the layer indices where stages 1..K-1 start
  /// (comma-separated; empty: balanced by FLOPs), micro-batches per step
  /// (0: 4, split and splitfed: 1) and the schedule (gpipe or 1f1b;
  /// empty: 1f1b).
  std::string stages;
  int64_t microbatches = 0;
  std::string schedule;
  /// fedavg (forwarded to the program; unset: the program's defaults).
  std::optional<int64_t> clients, rounds, localEpochs, localSteps,
      shardsPerClient;
  std::optional<double> clientFraction, clientTimeout, serverTimeout;
  std::optional<std::string> partition;
  std::string optimizer = "sgd";
  double lr = 0.01;
  double momentum = 0.9;
  double weightDecay = 0.0;
  int64_t bucketElements = 262144;
  /// data: non-blocking bucket all-reduces overlapped with the backward
  /// pass (false: blocking all-reduces; unset: true).
  std::optional<bool> overlapComm;
  /// IDX dataset directory expanded into the program's data options.
  std::string dataset;
  /// Options of OUTDIR/bin/train (empty / false: not passed).
  std::string trainImages, trainLabels, testImages, testLabels, epochs, steps,
      seed, init, checkpoint, save, limitTrain, limitTest;
  bool resume = false, noShuffle = false, progress = false;
  std::string compiler;
  bool verbose = false;
};

/// Checks the options, generates the training step, writes
/// OUTDIR/train_step.mlir and OUTDIR/src/train.cpp and compiles
/// OUTDIR/bin/train (its path in `binary`). Returns failure after printing
/// a diagnostic.
LogicalResult buildTrainingProgram(const TrainOptions &options,
                                   std::string &binary, raw_ostream &log);

/// Runs `binary` under mpirun on the ranks the paradigm needs; returns its
/// status (fedavg: the server's).
int runTrainingProgram(const TrainOptions &options, StringRef binary);

/// The command line of the training flow (dl-train, `dl-compile --train`):
/// parses argv (its options are registered only by this call), builds and
/// runs. Returns the process status.
int trainMain(int argc, char **argv, StringRef tool);

} // namespace mlir::dl

#endif // DL_DRIVER_H
