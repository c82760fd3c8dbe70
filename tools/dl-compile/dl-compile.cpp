//===- dl-compile.cpp - Partition a model and build its ranks -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// dl-compile MODEL --cluster CLUSTER -o OUTDIR: partitions MODEL for the
// cluster and writes one native program per device, the weight shards, the
// plan and run.sh. See docs/driver.md. `dl-compile --train MODEL -o OUTDIR
// ...` builds and runs a training program instead (dl-train's flow and
// options; docs/training.md).
//
//===----------------------------------------------------------------------===//

#include "dl/Driver.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

/// The partitioning compiler's command line. Its options are
/// function-local so that `dl-compile --train` parses the training flow's
/// options instead.
static int compileMain(int argc, char **argv) {
  static cl::OptionCategory category("dl-compile options");
  static cl::opt<std::string> model(cl::Positional, cl::Required,
                                    cl::desc("<model.mlir>"),
                                    cl::cat(category));
  static cl::opt<std::string> cluster(
      "cluster", cl::init("local-2"),
      cl::desc("Cluster YAML file or preset (local-N, edge-pi4-N, "
               "edge-pi3-N, phones-wifi-N, hetero-edge-3, gpu-N, "
               "cluster-NxM, dgx-a100-N)"),
      cl::cat(category));
  static cl::opt<std::string> output(
      "o", cl::Required, cl::desc("Output directory"), cl::value_desc("OUTDIR"),
      cl::cat(category));
  static cl::opt<std::string> scheme(
      "scheme",
      cl::desc(
          "Force one scheme for every layer: data, pipeline, out-channel, "
          "in-channel, spatial, spatial-biased, modnn, ftp:NxM, lstm-gate, "
          "lstm-hidden, dense-out, dense-in, dense-pair, replicate, "
          "single, heuristic, or search (the plan search; default: the "
          "model's dl.plan attributes, else search)"),
      cl::cat(category));
  static cl::opt<std::string> objective(
      "objective", cl::init("latency"),
      cl::desc("Search objective: latency, throughput, energy or "
               "memory (recorded in plan.json)"),
      cl::cat(category));
  static cl::opt<std::string> weights(
      "weights",
      cl::desc("Weight store (.dlw) of the model (default: the "
               "module's dl.weights, else deterministic random "
               "weights written to OUTDIR/model.dlw)"),
      cl::cat(category));
  static cl::opt<uint64_t> seed("seed", cl::init(1),
                                cl::desc("Seed of the random weights"),
                                cl::cat(category));
  static cl::opt<int64_t> microbatches(
      "microbatches", cl::init(0),
      cl::desc("Micro-batches per batch (pipeline overlap; "
               "default: the throughput search's count, else 1)"),
      cl::cat(category));
  static cl::opt<bool> noReference(
      "no-reference",
      cl::desc("Do not build the single-device reference program"),
      cl::cat(category));
  static cl::opt<bool> emitOnly("emit-only",
                                cl::desc("Write sources but do not compile"),
                                cl::cat(category));
  static cl::opt<bool> planOnly(
      "plan-only",
      cl::desc("Write plan.json and partitioned.mlir only (no "
               "weights, sources or programs)"),
      cl::cat(category));
  static cl::opt<unsigned> jobs("j", cl::init(2),
                                cl::desc("Parallel compiler processes"),
                                cl::cat(category));
  static cl::opt<std::string> cxx(
      "cxx", cl::desc("Host C++ compiler for the ranks"), cl::cat(category));
  static cl::opt<bool> verbose("v", cl::desc("Print compiler command lines"),
                               cl::cat(category));

  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dl-compile: partition a dl model for a cluster and build one program "
      "per device\n\n"
      "  dl-compile MODEL.mlir --cluster CLUSTER -o OUTDIR\n\n"
      "OUTDIR receives bin/rank<K> (one program per device), weights/ (the\n"
      "slices of the weight store each rank needs), plan.json, "
      "partitioned.mlir,\nref/ (the unpartitioned program) and run.sh:\n\n"
      "  OUTDIR/run.sh --input in.npy --output out.npy [--reference]\n"
      "                [--trace trace.json] [--stats stats.json]\n\n"
      "  dl-compile --train MODEL.mlir -o OUTDIR [training options]\n\n"
      "builds and runs a training program instead, exactly as dl-train "
      "(see\n`dl-compile --train --help`).\n");
  mlir::dl::CompileOptions options;
  options.modelPath = model;
  options.cluster = cluster;
  options.outputDir = output;
  options.scheme = scheme;
  options.objective = objective;
  options.weightsPath = weights;
  options.seed = seed;
  options.microbatches = microbatches;
  options.reference = !noReference;
  options.buildBinaries = !emitOnly;
  options.planOnly = planOnly;
  options.jobs = jobs;
  options.verbose = verbose;
  options.compiler = cxx;
  if (microbatches < 0) {
    errs() << "dl-compile: error: --microbatches must be >= 1\n";
    return 1;
  }
  if (objective != "latency" && objective != "throughput" &&
      objective != "energy" && objective != "memory") {
    errs() << "dl-compile: error: unknown objective '" << objective
           << "' (expected latency, throughput, energy or memory)\n";
    return 1;
  }
  return mlir::failed(mlir::dl::compileModel(options, outs())) ? 1 : 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // `dl-compile --train ...` is dl-train: the same flow and options
  // (lib/Driver/TrainDriver.cpp), without the --train flag.
  SmallVector<char *> rest;
  bool train = false;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && StringRef(argv[i]) == "--train")
      train = true;
    else
      rest.push_back(argv[i]);
  }
  if (train)
    return mlir::dl::trainMain(static_cast<int>(rest.size()), rest.data(),
                               "dl-compile --train");
  return compileMain(argc, argv);
}
