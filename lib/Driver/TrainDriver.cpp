//===- TrainDriver.cpp - Build and run a training program ---------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The training flow behind dl-train and `dl-compile --train`: the forward
// model becomes a training step (dl-generate-training or
// dl-generate-pipeline-training), which is emitted and compiled over libdlrt
// and run under mpirun with the data, epochs and checkpoints given. See
// docs/training.md.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "dl/Driver.h"
#include "dl/Target/Build.h"
#include "dl/Target/Cpp.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "passes/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <thread>

using namespace llvm;
using namespace mlir;
using namespace mlir::dl;

namespace {

/// The dataset file `stem` in `dir`, gzipped or not.
std::string datasetFile(StringRef dir, StringRef stem) {
  std::string plain = (dir + "/" + stem).str();
  if (sys::fs::exists(plain))
    return plain;
  return plain + ".gz";
}

/// A real number for messages (`%g`) or to forward exactly (`%.17g`).
std::string formatReal(double v, const char *spec = "%g") {
  char buf[32];
  snprintf(buf, sizeof(buf), spec, v);
  return buf;
}

LogicalResult failWith(const TrainOptions &o, const Twine &message) {
  errs() << o.tool << ": error: " << message << "\n";
  return failure();
}

/// How a paradigm lays the job out over the ranks.
struct Layout {
  bool splitFed = false, pipelined = false, fedavg = false, ps = false,
       tensor = false;
  int64_t ranks = 1;
  /// Ranks of the MPI job: fedavg's server and K clients, ps's server and
  /// workers, else --ranks.
  int64_t jobRanks = 1;
  /// Ranks the step's batch is split over (fedavg and tensor: 1).
  int64_t stepRanks = 1;
  int64_t microBatches = 1;
  /// SplitFed: ranks - 1 clients share the global batch; one cut.
  int64_t splitFedClients = 1;
  int64_t numStages = 1;
};

/// fedavg takes its own options and refuses those that do not apply to it;
/// the other paradigms refuse its options.
std::optional<std::string> checkFedAvgOptions(const TrainOptions &o,
                                              bool fedavg) {
  if (fedavg) {
    for (auto [name, given] :
         {std::pair<const char *, bool>{"ranks", o.ranks.has_value()},
          {"epochs", !o.epochs.empty()},
          {"steps", !o.steps.empty()},
          {"checkpoint", !o.checkpoint.empty()},
          {"resume", o.resume}})
      if (given)
        return "--" + std::string(name) +
               " does not apply to --paradigm fedavg (use --clients, "
               "--rounds, --local-epochs or --local-steps)";
    if (o.clients.value_or(0) < 1)
      return std::string("--paradigm fedavg needs --clients K (K >= 1)");
    if (o.localEpochs && o.localSteps)
      return std::string("give --local-epochs or --local-steps, not both");
    double fraction = o.clientFraction.value_or(1.0);
    if (!(fraction > 0 && fraction <= 1))
      return "--client-fraction " + formatReal(fraction) + " is not in (0, 1]";
    if (!(o.clientTimeout.value_or(60.0) > 0))
      return std::string("--client-timeout must be a positive number of "
                         "seconds");
    if (o.serverTimeout && !(*o.serverTimeout > 0))
      return std::string("--server-timeout must be a positive number of "
                         "seconds");
    if (o.shardsPerClient.value_or(2) < 1)
      return std::string("--shards-per-client must be >= 1");
    std::string partition = o.partition.value_or("iid");
    if (partition != "iid" && partition != "noniid" &&
        !StringRef(partition).ends_with(".npy"))
      return "--partition '" + partition +
             "' is not iid, noniid or a .npy file";
    for (auto [name, value] :
         {std::pair<const char *, std::optional<int64_t>>{"rounds", o.rounds},
          {"local-epochs", o.localEpochs},
          {"local-steps", o.localSteps}})
      if (value && *value < 1)
        return "--" + std::string(name) + " must be >= 1";
    return std::nullopt;
  }
  for (auto [name, given] :
       {std::pair<const char *, bool>{"clients", o.clients.has_value()},
        {"rounds", o.rounds.has_value()},
        {"local-epochs", o.localEpochs.has_value()},
        {"local-steps", o.localSteps.has_value()},
        {"client-fraction", o.clientFraction.has_value()},
        {"partition", o.partition.has_value()},
        {"shards-per-client", o.shardsPerClient.has_value()},
        {"client-timeout", o.clientTimeout.has_value()},
        {"server-timeout", o.serverTimeout.has_value()}})
    if (given)
      return "--" + std::string(name) + " needs --paradigm fedavg";
  return std::nullopt;
}

/// Checks the options and derives the layout, or prints a diagnostic.
LogicalResult checkOptions(const TrainOptions &o, Layout &l) {
  l.splitFed = o.paradigm == "splitfed";
  l.pipelined = o.paradigm == "pipeline" || o.paradigm == "split" || l.splitFed;
  l.fedavg = o.paradigm == "fedavg";
  l.ps = o.paradigm == "ps";
  l.tensor = o.paradigm == "tensor";
  if (o.paradigm != "data" && !l.pipelined && !l.fedavg && !l.ps && !l.tensor)
    return failWith(o, "--paradigm '" + o.paradigm +
                           "' is not implemented (data, pipeline, split, "
                           "splitfed, fedavg, ps or tensor; see "
                           "docs/training.md)");
  if (!l.ps && (!o.staleness.empty() || !o.psLog.empty()))
    return failWith(o, "--staleness and --ps-log need --paradigm ps");
  if (!o.staleness.empty() && o.staleness != "inf" &&
      o.staleness.find_first_not_of("0123456789") != std::string::npos)
    return failWith(o, "--staleness '" + o.staleness +
                           "' is not a non-negative integer or 'inf'");
  if (std::optional<std::string> error = checkFedAvgOptions(o, l.fedavg))
    return failWith(o, *error);
  if (o.overlapComm && o.paradigm != "data")
    return failWith(o, "--overlap-comm applies to --paradigm data only");
  l.ranks = o.ranks.value_or(1);
  // fedavg: rank 0 serves, ranks 1..K are clients running the one-rank
  // step; ps: rank 0 serves, ranks 1..P are workers; tensor: every rank
  // runs the whole batch.
  l.jobRanks = l.fedavg ? *o.clients + 1 : l.ranks + (l.ps ? 1 : 0);
  l.stepRanks = l.fedavg || l.tensor ? 1 : l.ranks;
  if (l.ranks < 1)
    return failWith(o, "--ranks must be >= 1");
  if (!l.pipelined &&
      (!o.stages.empty() || o.microbatches != 0 || !o.schedule.empty()))
    return failWith(o, "--stages, --microbatches and --schedule need "
                       "--paradigm pipeline, split or splitfed");
  l.splitFedClients = l.splitFed ? l.ranks - 1 : 1;
  l.numStages = l.splitFed ? 2 : l.ranks;
  if (l.pipelined) {
    l.microBatches = o.microbatches             ? o.microbatches
                     : o.paradigm == "pipeline" ? 4
                                                : 1;
    if (o.paradigm != "pipeline" && (l.ranks < 2 || l.microBatches != 1))
      return failWith(o, "--paradigm " + o.paradigm +
                             " needs --ranks >= 2 (client stages and the "
                             "server stage) and one micro-batch");
    if (l.splitFed && (o.batch < 0 || o.batch % l.splitFedClients != 0))
      return failWith(o, "--batch " + Twine(o.batch) +
                             " is not a multiple of the SplitFed clients (" +
                             Twine(l.splitFedClients) + ")");
    if (l.microBatches < 1)
      return failWith(o, "--microbatches must be >= 1");
    if (o.batch < 0 || (o.batch > 0 && o.batch % l.microBatches != 0))
      return failWith(o, "--batch " + Twine(o.batch) +
                             " is not a multiple of the micro-batches (" +
                             Twine(l.microBatches) + ")");
    if (!o.schedule.empty() && o.schedule != "gpipe" && o.schedule != "1f1b")
      return failWith(o, "--schedule must be gpipe or 1f1b");
    if (!o.stages.empty() &&
        int64_t(StringRef(o.stages).count(',')) + 1 != l.numStages - 1)
      return failWith(o, "--stages '" + o.stages + "' lists " +
                             Twine(StringRef(o.stages).count(',') + 1) +
                             " cut(s); " +
                             (l.splitFed ? Twine("SplitFed")
                                         : Twine("--ranks ") + Twine(l.ranks)) +
                             " needs " + Twine(l.numStages - 1));
  } else if (o.batch < 0 || (o.batch > 0 && o.batch % l.stepRanks != 0)) {
    return failWith(o, "--batch " + Twine(o.batch) +
                           " is not a multiple of --ranks " + Twine(l.ranks));
  }
  return success();
}

} // namespace

LogicalResult mlir::dl::buildTrainingProgram(const TrainOptions &o,
                                             std::string &binary,
                                             raw_ostream &log) {
  Layout l;
  if (failed(checkOptions(o, l)))
    return failure();

  DialectRegistry registry;
  registry.insert<DLDialect, func::FuncDialect, tensor::TensorDialect,
                  arith::ArithDialect>();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(o.modelPath, sourceMgr, &context);
  if (!module)
    return failWith(o, "cannot load model '" + o.modelPath + "'");

  PassManager pm(&context);
  if (l.pipelined) {
    DLGeneratePipelineTrainingOptions gen;
    gen.optimizer = o.optimizer;
    gen.lr = o.lr;
    gen.momentum = o.momentum;
    gen.weightDecay = o.weightDecay;
    gen.stages = o.stages;
    gen.numStages = l.numStages;
    gen.microBatch = o.batch / l.microBatches / l.splitFedClients;
    gen.microBatches = l.microBatches;
    pm.addPass(createDLGeneratePipelineTraining(gen));
  } else {
    DLGenerateTrainingOptions gen;
    gen.optimizer = o.optimizer;
    gen.lr = o.lr;
    gen.momentum = o.momentum;
    gen.weightDecay = o.weightDecay;
    gen.batch = o.batch / l.stepRanks;
    gen.dataParallel = l.stepRanks;
    gen.tensorParallel = l.tensor ? l.ranks : 1;
    gen.gradientsOnly = l.ps;
    gen.bucketElements = o.bucketElements;
    gen.overlapComm = o.overlapComm.value_or(true);
    pm.addPass(createDLGenerateTraining(gen));
  }
  if (failed(pm.run(*module)))
    return failWith(o, "cannot build the training step");

  std::string binDir = o.outputDir + "/bin", srcDir = o.outputDir + "/src";
  for (const std::string &dir : {binDir, srcDir})
    if (std::error_code ec = sys::fs::create_directories(dir))
      return failWith(o, "cannot create '" + dir + "': " + ec.message());
  {
    std::error_code ec;
    raw_fd_ostream os(o.outputDir + "/train_step.mlir", ec);
    if (ec)
      return failWith(o, "cannot write train_step.mlir: " + ec.message());
    module->print(os);
  }
  std::string source = srcDir + "/train.cpp";
  {
    std::error_code ec;
    raw_fd_ostream os(source, ec);
    if (ec)
      return failWith(o, "cannot write '" + source + "': " + ec.message());
    auto funcs = module->getOps<func::FuncOp>();
    if (failed(l.pipelined ? translatePipelineToCpp(*module, os)
                           : translateDeviceToCpp(*funcs.begin(), os)))
      return failWith(o, "cannot emit the training program");
  }
  BuildOptions build;
  build.compiler = o.compiler;
  build.outputDir = binDir;
  build.verbose = o.verbose;
  build.jobs = 1;
  SmallVector<std::string> binaries;
  std::string error;
  if (failed(buildRankBinaries({source}, build, binaries, log, error))) {
    errs() << error << "\n";
    return failWith(o, "cannot compile the training program");
  }
  binary = binaries.front();
  log << o.tool << ": built " << binary << " (";
  if (l.fedavg)
    log << "fedavg, " << *o.clients << " client(s), ";
  else if (l.ps)
    log << l.ranks << " worker(s) + 1 server, ";
  else if (l.tensor)
    log << l.ranks << " rank(s) splitting layers, ";
  else
    log << l.ranks << " rank(s), ";
  log << o.optimizer << ", lr " << llvm::format("%g", o.lr);
  if (o.paradigm == "data" && l.ranks > 1)
    log << ", " << (o.overlapComm.value_or(true) ? "overlapped" : "blocking")
        << " gradient all-reduce";
  log << ")\n";
  log.flush();
  return success();
}

int mlir::dl::runTrainingProgram(const TrainOptions &o, StringRef binary) {
  Layout l;
  if (failed(checkOptions(o, l)))
    return 1;
  ErrorOr<std::string> mpirun = sys::findProgramByName("mpirun");
  if (!mpirun) {
    (void)failWith(o, "mpirun not found in PATH");
    return 1;
  }
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::string threads =
      "OMP_NUM_THREADS=" +
      std::to_string(std::max<int64_t>(1, cores / l.jobRanks));
  SmallVector<std::string> args = {*mpirun,
                                   "--allow-run-as-root",
                                   "--oversubscribe",
                                   "--bind-to",
                                   "none",
                                   "-x",
                                   getenv("OMP_NUM_THREADS") ? "OMP_NUM_THREADS"
                                                             : threads};
  // A client that dies must not take the job down: the server drops it.
  if (l.fedavg)
    args.push_back("--enable-recovery");
  for (const char *env : {"DLRT_TIMEOUT_S", "DLRT_FEDAVG_FAIL"})
    if (getenv(env))
      args.append({"-x", env});
  args.append({"-np", std::to_string(l.jobRanks), binary.str()});
  std::string statusFile = o.outputDir + "/fedavg-status";
  if (l.fedavg) {
    args.append(
        {"--paradigm", "fedavg", "--status-file", statusFile, "--partition",
         o.partition.value_or("iid"), "--client-fraction",
         formatReal(o.clientFraction.value_or(1.0), "%.17g"),
         "--shards-per-client", std::to_string(o.shardsPerClient.value_or(2)),
         "--client-timeout",
         formatReal(o.clientTimeout.value_or(60.0), "%.17g")});
    for (auto [name, value] :
         {std::pair<const char *, std::optional<int64_t>>{"--rounds", o.rounds},
          {"--local-epochs", o.localEpochs},
          {"--local-steps", o.localSteps}})
      if (value.value_or(0) > 0)
        args.append({name, std::to_string(*value)});
    if (o.serverTimeout.value_or(0) > 0)
      args.append({"--server-timeout", formatReal(*o.serverTimeout, "%.17g")});
    sys::fs::remove(statusFile);
  }
  if (!o.dataset.empty())
    args.append(
        {"--train-images", datasetFile(o.dataset, "train-images-idx3-ubyte"),
         "--train-labels", datasetFile(o.dataset, "train-labels-idx1-ubyte"),
         "--test-images", datasetFile(o.dataset, "t10k-images-idx3-ubyte"),
         "--test-labels", datasetFile(o.dataset, "t10k-labels-idx1-ubyte")});
  for (auto [name, value] : {std::pair<const char *, const std::string *>{
                                 "--train-images", &o.trainImages},
                             {"--train-labels", &o.trainLabels},
                             {"--test-images", &o.testImages},
                             {"--test-labels", &o.testLabels},
                             {"--epochs", &o.epochs},
                             {"--steps", &o.steps},
                             {"--seed", &o.seed},
                             {"--init", &o.init},
                             {"--checkpoint", &o.checkpoint},
                             {"--save", &o.save},
                             {"--limit-train", &o.limitTrain},
                             {"--limit-test", &o.limitTest},
                             {"--schedule", &o.schedule},
                             {"--staleness", &o.staleness},
                             {"--ps-log", &o.psLog}})
    if (!value->empty())
      args.append({name, *value});
  if (l.splitFed)
    args.append({"--clients", std::to_string(l.splitFedClients)});
  for (auto [name, flag] : {std::pair<const char *, bool>{"--resume", o.resume},
                            {"--no-shuffle", o.noShuffle},
                            {"--progress", o.progress}})
    if (flag)
      args.push_back(name);
  SmallVector<StringRef> argv(args.begin(), args.end());
  if (o.verbose) {
    for (StringRef a : argv)
      errs() << a << " ";
    errs() << "\n";
  }
  std::string message;
  int rc = sys::ExecuteAndWait(*mpirun, argv, std::nullopt, {}, 0, 0, &message);
  if (rc < 0) {
    (void)failWith(o, "cannot run mpirun: " + message);
    return 1;
  }
  if (!l.fedavg || rc != 0)
    return rc;
  // Under --enable-recovery mpirun exits with 0 whatever the ranks did: the
  // server's status file says how training ended.
  ErrorOr<std::unique_ptr<MemoryBuffer>> status =
      MemoryBuffer::getFile(statusFile);
  int code = 0;
  if (!status || sscanf((*status)->getBufferStart(), "status %d", &code) != 1) {
    (void)failWith(o, "the fedavg server wrote no status to '" + statusFile +
                          "' (it failed; see the messages above)");
    return 1;
  }
  return code;
}

int mlir::dl::trainMain(int argc, char **argv, StringRef tool) {
  // Function-local: only the tool that trains registers these options.
  static cl::OptionCategory category("training options");
  static cl::opt<std::string> model(cl::Positional, cl::Required,
                                    cl::desc("<model.mlir>"),
                                    cl::cat(category));
  static cl::opt<std::string> output(
      "o", cl::Required, cl::desc("Output directory"), cl::value_desc("OUTDIR"),
      cl::cat(category));
  static cl::opt<std::string> paradigm(
      "paradigm", cl::init("data"),
      cl::desc("Distribution: data (synchronous data parallel), pipeline "
               "(one stage of layers per rank, micro-batches), split (split "
               "learning: pipeline with one micro-batch), splitfed (ranks-1 "
               "clients with the first stage, one server), fedavg (federated "
               "averaging), ps (parameter server with bounded staleness) or "
               "tensor (intra-layer m split of conv/dense pairs)"),
      cl::cat(category));
  static cl::opt<int64_t> ranks(
      "ranks", cl::init(1),
      cl::desc("MPI ranks (data-parallel replicas, pipeline stages or "
               "the ranks of the intra-layer split), or the workers of "
               "the parameter server (which runs on one more rank)"),
      cl::cat(category));
  static cl::opt<std::string> staleness(
      "staleness",
      cl::desc("ps: a worker at clock c waits until the slowest "
               "worker has pushed c-S gradients (0: synchronous; "
               "inf: asynchronous; default 0)"),
      cl::value_desc("S|inf"), cl::cat(category));
  static cl::opt<std::string> psLog(
      "ps-log",
      cl::desc("ps: the server logs every parameter pull (worker, "
               "clock, slowest clock, gap) to this file"),
      cl::cat(category));
  static cl::opt<std::string> stages(
      "stages",
      cl::desc("pipeline/split: the layer indices where stages 1..K-1 "
               "start, comma-separated (default: balanced by FLOPs)"),
      cl::cat(category));
  static cl::opt<int64_t> microbatches(
      "microbatches", cl::init(0),
      cl::desc("pipeline: micro-batches per step (default 4; split: 1)"),
      cl::cat(category));
  static cl::opt<std::string> schedule(
      "schedule",
      cl::desc("pipeline: gpipe or 1f1b (default; both give the same "
               "weights)"),
      cl::cat(category));
  static cl::opt<int64_t> batch(
      "batch", cl::init(0),
      cl::desc("Global batch, split evenly over the ranks (default: the "
               "model's batch times --ranks); with fedavg, each "
               "client's batch"),
      cl::cat(category));
  // Federated averaging (forwarded to OUTDIR/bin/train).
  static cl::opt<int64_t> clients(
      "clients", cl::init(0),
      cl::desc("fedavg: clients (ranks 1..K; rank 0 is the server)"),
      cl::cat(category));
  static cl::opt<int64_t> rounds("rounds", cl::init(0),
                                 cl::desc("fedavg: communication rounds (1)"),
                                 cl::cat(category));
  static cl::opt<int64_t> localEpochs(
      "local-epochs", cl::init(0),
      cl::desc("fedavg: passes over its shard per client and round (1)"),
      cl::cat(category));
  static cl::opt<int64_t> localSteps(
      "local-steps", cl::init(0),
      cl::desc("fedavg: local steps per round instead of epochs"),
      cl::cat(category));
  static cl::opt<double> clientFraction(
      "client-fraction", cl::init(1.0),
      cl::desc("fedavg: fraction of clients sampled per round, in (0, 1] "
               "(1)"),
      cl::cat(category));
  static cl::opt<std::string> partitionKind(
      "partition", cl::init("iid"),
      cl::desc("fedavg: iid, noniid (sorted-label shards) or a .npy file "
               "with each training sample's client (1..K, 0 = unused)"),
      cl::cat(category));
  static cl::opt<int64_t> shardsPerClient(
      "shards-per-client", cl::init(2),
      cl::desc("fedavg: label shards per client with noniid (2)"),
      cl::cat(category));
  static cl::opt<double> clientTimeout(
      "client-timeout", cl::init(60.0),
      cl::desc("fedavg: seconds the server waits for a round's answers "
               "before dropping a client (60)"),
      cl::cat(category));
  static cl::opt<double> serverTimeout(
      "server-timeout", cl::init(0.0),
      cl::desc("fedavg: seconds a client waits for the server (default 3 x "
               "--client-timeout)"),
      cl::cat(category));
  static cl::opt<std::string> optimizer("optimizer", cl::init("sgd"),
                                        cl::desc("sgd, momentum or adam"),
                                        cl::cat(category));
  static cl::opt<double> lr("lr", cl::init(0.01), cl::desc("Learning rate"),
                            cl::cat(category));
  static cl::opt<double> momentum("momentum", cl::init(0.9),
                                  cl::desc("Momentum (optimizer momentum)"),
                                  cl::cat(category));
  static cl::opt<double> weightDecay(
      "weight-decay", cl::init(0.0),
      cl::desc("L2 weight decay (sgd, momentum)"), cl::cat(category));
  static cl::opt<int64_t> bucketElements(
      "bucket-elements", cl::init(262144),
      cl::desc("Gradient elements per all-reduce bucket"), cl::cat(category));
  static cl::opt<bool> overlapComm(
      "overlap-comm", cl::init(true),
      cl::desc("data: overlap the bucket all-reduces with the backward "
               "pass (--overlap-comm=false: blocking all-reduces)"),
      cl::cat(category));
  static cl::opt<std::string> dataset(
      "dataset",
      cl::desc("Directory with train/t10k-{images-idx3,labels-idx1}-ubyte"
               "[.gz] (e.g. /usr/share/datasets/fashion-mnist)"),
      cl::cat(category));
  // Options of the training program (forwarded to OUTDIR/bin/train).
  static cl::opt<std::string> trainImages(
      "train-images", cl::desc("Training samples (IDX[.gz] or .npy)"),
      cl::cat(category));
  static cl::opt<std::string> trainLabels(
      "train-labels",
      cl::desc("Training labels (IDX[.gz] or .npy class indices)"),
      cl::cat(category));
  static cl::opt<std::string> testImages(
      "test-images", cl::desc("Test samples"), cl::cat(category));
  static cl::opt<std::string> testLabels("test-labels", cl::desc("Test labels"),
                                         cl::cat(category));
  static cl::opt<std::string> epochs("epochs", cl::desc("Epochs (1)"),
                                     cl::cat(category));
  static cl::opt<std::string> steps(
      "steps", cl::desc("Stop after this many steps"), cl::cat(category));
  static cl::opt<std::string> seed(
      "seed", cl::desc("Initialization/shuffling seed"), cl::cat(category));
  static cl::opt<std::string> init(
      "init", cl::desc("Initial parameters (.dlw)"), cl::cat(category));
  static cl::opt<std::string> checkpoint(
      "checkpoint", cl::desc("Checkpoint written after every epoch"),
      cl::cat(category));
  static cl::opt<bool> resume("resume",
                              cl::desc("Continue from --checkpoint if present"),
                              cl::cat(category));
  static cl::opt<std::string> save("save", cl::desc("Final parameters (.dlw)"),
                                   cl::cat(category));
  static cl::opt<std::string> limitTrain(
      "limit-train", cl::desc("Use the first N samples"), cl::cat(category));
  static cl::opt<std::string> limitTest(
      "limit-test", cl::desc("Use the first N test samples"),
      cl::cat(category));
  static cl::opt<bool> noShuffle("no-shuffle", cl::desc("Keep the data order"),
                                 cl::cat(category));
  static cl::opt<bool> progress("progress",
                                cl::desc("Progress bar (default: on a tty)"),
                                cl::cat(category));
  static cl::opt<bool> noRun("no-run",
                             cl::desc("Build OUTDIR/bin/train but do not run"),
                             cl::cat(category));
  static cl::opt<std::string> cxx("cxx", cl::desc("Host C++ compiler"),
                                  cl::cat(category));
  static cl::opt<bool> verbose("v", cl::desc("Print command lines"),
                               cl::cat(category));

  cl::HideUnrelatedOptions(category);
  std::string overview =
      (tool +
       ": train a dl model (forward with dl.param weights and one "
       "logits result)\n\n  " +
       tool +
       " MODEL.mlir -o OUTDIR [--ranks P] [--batch B] [--optimizer adam "
       "--lr 1e-3]\n"
       "           [--dataset DIR | --train-images F --train-labels F ...]\n"
       "           [--epochs N] [--checkpoint F.dlw [--resume]] [--save "
       "F.dlw]\n  " +
       tool +
       " MODEL.mlir -o OUTDIR --paradigm fedavg --clients K [--rounds R]\n"
       "           [--local-epochs E | --local-steps S] [--client-fraction C]\n"
       "           [--partition iid|noniid|FILE.npy] [--client-timeout S] "
       "...\n\n"
       "The data, epoch, checkpoint and progress options are passed to\n"
       "OUTDIR/bin/train (which can also be run by itself; see its --help).\n")
          .str();
  cl::ParseCommandLineOptions(argc, argv, overview);
  // cl::opt keeps the last of repeated options; a training run given two
  // learning rates or two output files is a mistake, not a choice.
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *opt = entry.getValue();
    if (opt->getNumOccurrences() > 1 &&
        llvm::is_contained(opt->Categories, &category)) {
      errs() << tool << ": error: --" << entry.getKey() << " given "
             << opt->getNumOccurrences() << " times\n";
      return 1;
    }
  }

  auto given = [](const cl::Option &opt) {
    return opt.getNumOccurrences() > 0;
  };
  TrainOptions o;
  o.tool = tool.str();
  o.modelPath = model;
  o.outputDir = output;
  o.paradigm = paradigm;
  if (given(ranks))
    o.ranks = ranks;
  o.batch = batch;
  o.staleness = staleness;
  o.psLog = psLog;
  o.stages = stages;
  o.microbatches = microbatches;
  o.schedule = schedule;
  for (auto [opt, field] :
       {std::pair<cl::opt<int64_t> *, std::optional<int64_t> *>{&clients,
                                                                &o.clients},
        {&rounds, &o.rounds},
        {&localEpochs, &o.localEpochs},
        {&localSteps, &o.localSteps},
        {&shardsPerClient, &o.shardsPerClient}})
    if (given(*opt))
      *field = opt->getValue();
  for (auto [opt, field] :
       {std::pair<cl::opt<double> *, std::optional<double> *>{
            &clientFraction, &o.clientFraction},
        {&clientTimeout, &o.clientTimeout},
        {&serverTimeout, &o.serverTimeout}})
    if (given(*opt))
      *field = opt->getValue();
  if (given(partitionKind))
    o.partition = partitionKind;
  o.optimizer = optimizer;
  o.lr = lr;
  o.momentum = momentum;
  o.weightDecay = weightDecay;
  o.bucketElements = bucketElements;
  if (given(overlapComm))
    o.overlapComm = overlapComm;
  o.dataset = dataset;
  o.trainImages = trainImages;
  o.trainLabels = trainLabels;
  o.testImages = testImages;
  o.testLabels = testLabels;
  o.epochs = epochs;
  o.steps = steps;
  o.seed = seed;
  o.init = init;
  o.checkpoint = checkpoint;
  o.save = save;
  o.limitTrain = limitTrain;
  o.limitTest = limitTest;
  o.resume = resume;
  o.noShuffle = noShuffle;
  o.progress = progress;
  o.compiler = cxx;
  o.verbose = verbose;

  std::string binary;
  if (failed(buildTrainingProgram(o, binary, outs())))
    return 1;
  if (noRun)
    return 0;
  return runTrainingProgram(o, binary);
}
