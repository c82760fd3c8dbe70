//===- dl-train.cpp - Build and run a training program ------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// dl-train MODEL -o OUTDIR [options]: turns a forward model into a training
// step (dl-generate-training), emits and compiles it over libdlrt and runs
// it under mpirun with the data, epochs and checkpoints given. See
// docs/training.md.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
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
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <thread>

using namespace llvm;

static cl::OptionCategory category("dl-train options");
static cl::opt<std::string> model(cl::Positional, cl::Required,
                                  cl::desc("<model.mlir>"), cl::cat(category));
static cl::opt<std::string> output("o", cl::Required,
                                   cl::desc("Output directory"),
                                   cl::value_desc("OUTDIR"), cl::cat(category));
static cl::opt<std::string> paradigm(
    "paradigm", cl::init("data"),
    cl::desc("Distribution: data (synchronous data parallel), pipeline "
             "(one stage of layers per rank, micro-batches), split (split "
             "learning: pipeline with one micro-batch), splitfed (ranks-1 "
             "clients with the first stage, one server), fedavg (federated "
             "averaging), ps (parameter server with bounded staleness) or "
             "tensor (intra-layer m split of conv/dense pairs)"),
    cl::cat(category));
static cl::opt<int64_t>
    ranks("ranks", cl::init(1),
          cl::desc("MPI ranks (data-parallel replicas, pipeline stages or "
                   "the ranks of the intra-layer split), or the workers of "
                   "the parameter server (which runs on one more rank)"),
          cl::cat(category));
static cl::opt<std::string>
    staleness("staleness",
              cl::desc("ps: a worker at clock c waits until the slowest "
                       "worker has pushed c-S gradients (0: synchronous; "
                       "inf: asynchronous; default 0)"),
              cl::value_desc("S|inf"), cl::cat(category));
static cl::opt<std::string>
    psLog("ps-log",
          cl::desc("ps: the server logs every parameter pull (worker, "
                   "clock, slowest clock, gap) to this file"),
          cl::cat(category));
static cl::opt<std::string>
    stages("stages",
           cl::desc("pipeline/split: the layer indices where stages 1..K-1 "
                    "start, comma-separated (default: balanced by FLOPs)"),
           cl::cat(category));
static cl::opt<int64_t>
    microbatches("microbatches", cl::init(0),
                 cl::desc("pipeline: micro-batches per step (default 4; "
                          "split: 1)"),
                 cl::cat(category));
static cl::opt<std::string>
    schedule("schedule",
             cl::desc("pipeline: gpipe or 1f1b (default; both give the same "
                      "weights)"),
             cl::cat(category));
static cl::opt<int64_t>
    batch("batch", cl::init(0),
          cl::desc("Global batch, split evenly over the ranks (default: the "
                   "model's batch times --ranks); with fedavg, each "
                   "client's batch"),
          cl::cat(category));
// Federated averaging (forwarded to OUTDIR/bin/train; see docs/training.md).
static cl::opt<int64_t> clients("clients", cl::init(0),
                                cl::desc("fedavg: clients (ranks 1..K; rank 0 "
                                         "is the server)"),
                                cl::cat(category));
static cl::opt<int64_t> rounds("rounds", cl::init(0),
                               cl::desc("fedavg: communication rounds (1)"),
                               cl::cat(category));
static cl::opt<int64_t>
    localEpochs("local-epochs", cl::init(0),
                cl::desc("fedavg: passes over its shard per client and round "
                         "(1)"),
                cl::cat(category));
static cl::opt<int64_t>
    localSteps("local-steps", cl::init(0),
               cl::desc("fedavg: local steps per round instead of epochs"),
               cl::cat(category));
static cl::opt<double>
    clientFraction("client-fraction", cl::init(1.0),
                   cl::desc("fedavg: fraction of clients sampled per round, "
                            "in (0, 1] (1)"),
                   cl::cat(category));
static cl::opt<std::string> partitionKind(
    "partition", cl::init("iid"),
    cl::desc("fedavg: iid, noniid (sorted-label shards) or a .npy file with "
             "each training sample's client (1..K, 0 = unused)"),
    cl::cat(category));
static cl::opt<int64_t>
    shardsPerClient("shards-per-client", cl::init(2),
                    cl::desc("fedavg: label shards per client with noniid "
                             "(2)"),
                    cl::cat(category));
static cl::opt<double>
    clientTimeout("client-timeout", cl::init(60.0),
                  cl::desc("fedavg: seconds the server waits for a round's "
                           "answers before dropping a client (60)"),
                  cl::cat(category));
static cl::opt<double>
    serverTimeout("server-timeout", cl::init(0.0),
                  cl::desc("fedavg: seconds a client waits for the server "
                           "(default 3 x --client-timeout)"),
                  cl::cat(category));
static cl::opt<std::string> optimizer("optimizer", cl::init("sgd"),
                                      cl::desc("sgd, momentum or adam"),
                                      cl::cat(category));
static cl::opt<double> lr("lr", cl::init(0.01), cl::desc("Learning rate"),
                          cl::cat(category));
static cl::opt<double> momentum("momentum", cl::init(0.9),
                                cl::desc("Momentum (optimizer momentum)"),
                                cl::cat(category));
static cl::opt<double> weightDecay("weight-decay", cl::init(0.0),
                                   cl::desc("L2 weight decay (sgd, momentum)"),
                                   cl::cat(category));
static cl::opt<int64_t>
    bucketElements("bucket-elements", cl::init(262144),
                   cl::desc("Gradient elements per all-reduce bucket"),
                   cl::cat(category));
static cl::opt<std::string> dataset(
    "dataset",
    cl::desc("Directory with train/t10k-{images-idx3,labels-idx1}-ubyte[.gz] "
             "(e.g. /usr/share/datasets/fashion-mnist)"),
    cl::cat(category));
// Options of the training program (forwarded to OUTDIR/bin/train).
static cl::opt<std::string> trainImages("train-images",
                                        cl::desc("Training samples (IDX[.gz] "
                                                 "or .npy)"),
                                        cl::cat(category));
static cl::opt<std::string> trainLabels("train-labels",
                                        cl::desc("Training labels (IDX[.gz] "
                                                 "or .npy class indices)"),
                                        cl::cat(category));
static cl::opt<std::string> testImages("test-images",
                                       cl::desc("Test samples"),
                                       cl::cat(category));
static cl::opt<std::string> testLabels("test-labels", cl::desc("Test labels"),
                                       cl::cat(category));
static cl::opt<std::string> epochs("epochs", cl::desc("Epochs (1)"),
                                   cl::cat(category));
static cl::opt<std::string> steps("steps",
                                  cl::desc("Stop after this many steps"),
                                  cl::cat(category));
static cl::opt<std::string> seed("seed",
                                 cl::desc("Initialization/shuffling seed"),
                                 cl::cat(category));
static cl::opt<std::string> init("init",
                                 cl::desc("Initial parameters (.dlw)"),
                                 cl::cat(category));
static cl::opt<std::string>
    checkpoint("checkpoint", cl::desc("Checkpoint written after every epoch"),
               cl::cat(category));
static cl::opt<bool> resume("resume",
                            cl::desc("Continue from --checkpoint if present"),
                            cl::cat(category));
static cl::opt<std::string> save("save", cl::desc("Final parameters (.dlw)"),
                                 cl::cat(category));
static cl::opt<std::string> limitTrain("limit-train",
                                       cl::desc("Use the first N samples"),
                                       cl::cat(category));
static cl::opt<std::string> limitTest("limit-test",
                                      cl::desc("Use the first N test samples"),
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

static int fail(const Twine &message) {
  errs() << "dl-train: error: " << message << "\n";
  return 1;
}

/// The dataset file `stem` in `dir`, gzipped or not.
static std::string datasetFile(StringRef dir, StringRef stem) {
  std::string plain = (dir + "/" + stem).str();
  if (sys::fs::exists(plain))
    return plain;
  return plain + ".gz";
}

/// A real number for messages (`%g`) or to forward exactly (`%.17g`).
static std::string formatReal(double v, const char *spec = "%g") {
  char buf[32];
  snprintf(buf, sizeof(buf), spec, v);
  return buf;
}

/// fedavg takes its own options and refuses those that do not apply to it;
/// the other paradigms refuse its options.
static std::optional<std::string> checkFedAvgOptions(bool fedavg) {
  if (fedavg) {
    for (const cl::Option *o : std::initializer_list<const cl::Option *>{
             &ranks, &epochs, &steps, &checkpoint, &resume})
      if (o->getNumOccurrences())
        return "--" + o->ArgStr.str() +
               " does not apply to --paradigm fedavg (use --clients, "
               "--rounds, --local-epochs or --local-steps)";
    if (clients < 1)
      return std::string("--paradigm fedavg needs --clients K (K >= 1)");
    if (localEpochs.getNumOccurrences() && localSteps.getNumOccurrences())
      return std::string("give --local-epochs or --local-steps, not both");
    if (!(clientFraction > 0 && clientFraction <= 1))
      return "--client-fraction " + formatReal(clientFraction) +
             " is not in (0, 1]";
    if (!(clientTimeout > 0))
      return std::string("--client-timeout must be a positive number of "
                         "seconds");
    if (serverTimeout.getNumOccurrences() && !(serverTimeout > 0))
      return std::string("--server-timeout must be a positive number of "
                         "seconds");
    if (shardsPerClient < 1)
      return std::string("--shards-per-client must be >= 1");
    if (partitionKind != "iid" && partitionKind != "noniid" &&
        !StringRef(partitionKind).ends_with(".npy"))
      return "--partition '" + partitionKind +
             "' is not iid, noniid or a .npy file";
    for (const cl::opt<int64_t> *o : {&rounds, &localEpochs, &localSteps})
      if (o->getNumOccurrences() && *o < 1)
        return "--" + o->ArgStr.str() + " must be >= 1";
    return std::nullopt;
  }
  for (const cl::Option *o : std::initializer_list<const cl::Option *>{
           &clients, &rounds, &localEpochs, &localSteps, &clientFraction,
           &partitionKind, &shardsPerClient, &clientTimeout, &serverTimeout})
    if (o->getNumOccurrences())
      return "--" + o->ArgStr.str() + " needs --paradigm fedavg";
  return std::nullopt;
}

int main(int argc, char **argv) {
  InitLLVM llvmInit(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dl-train: train a dl model (forward with dl.param weights and one "
      "logits result)\n\n"
      "  dl-train MODEL.mlir -o OUTDIR [--ranks P] [--batch B] "
      "[--optimizer adam --lr 1e-3]\n"
      "           [--dataset DIR | --train-images F --train-labels F ...]\n"
      "           [--epochs N] [--checkpoint F.dlw [--resume]] [--save "
      "F.dlw]\n"
      "  dl-train MODEL.mlir -o OUTDIR --paradigm fedavg --clients K "
      "[--rounds R]\n"
      "           [--local-epochs E | --local-steps S] [--client-fraction C]\n"
      "           [--partition iid|noniid|FILE.npy] [--client-timeout S] "
      "...\n\n"
      "The data, epoch, checkpoint and progress options are passed to\n"
      "OUTDIR/bin/train (which can also be run by itself; see its --help).\n");
  bool splitFed = paradigm == "splitfed";
  bool pipelined = paradigm == "pipeline" || paradigm == "split" || splitFed;
  bool fedavg = paradigm == "fedavg";
  bool ps = paradigm == "ps", tensor = paradigm == "tensor";
  if (paradigm != "data" && !pipelined && !fedavg && !ps && !tensor)
    return fail("--paradigm '" + paradigm +
                "' is not implemented (data, pipeline, split, splitfed, "
                "fedavg, ps or tensor; see docs/training.md)");
  if (!ps && (!staleness.empty() || !psLog.empty()))
    return fail("--staleness and --ps-log need --paradigm ps");
  if (!staleness.empty() && staleness != "inf" &&
      staleness.find_first_not_of("0123456789") != std::string::npos)
    return fail("--staleness '" + staleness +
                "' is not a non-negative integer or 'inf'");
  if (std::optional<std::string> error = checkFedAvgOptions(fedavg))
    return fail(*error);
  // fedavg: rank 0 serves, ranks 1..K are clients running the one-rank step;
  // ps: rank 0 serves, ranks 1..P are workers; tensor: every rank runs the
  // whole batch.
  int64_t jobRanks = fedavg ? clients + 1 : int64_t(ranks) + (ps ? 1 : 0);
  int64_t stepRanks = fedavg || tensor ? 1 : int64_t(ranks);
  if (ranks < 1)
    return fail("--ranks must be >= 1");
  if (!pipelined && (!stages.empty() || microbatches != 0 || !schedule.empty()))
    return fail("--stages, --microbatches and --schedule need --paradigm "
                "pipeline, split or splitfed");
  int64_t microBatches = 1;
  // SplitFed: ranks - 1 clients share the global batch; one cut.
  int64_t splitFedClients = splitFed ? ranks - 1 : 1;
  int64_t numStages = splitFed ? 2 : ranks;
  if (pipelined) {
    microBatches = microbatches ? microbatches : paradigm == "pipeline" ? 4 : 1;
    if (paradigm != "pipeline" && (ranks < 2 || microBatches != 1))
      return fail("--paradigm " + paradigm +
                  " needs --ranks >= 2 (client stages and the server stage) "
                  "and one micro-batch");
    if (splitFed && (batch < 0 || batch % splitFedClients != 0))
      return fail("--batch " + Twine(batch) +
                  " is not a multiple of the SplitFed clients (" +
                  Twine(splitFedClients) + ")");
    if (microBatches < 1)
      return fail("--microbatches must be >= 1");
    if (batch < 0 || (batch > 0 && batch % microBatches != 0))
      return fail("--batch " + Twine(batch) +
                  " is not a multiple of the micro-batches (" +
                  Twine(microBatches) + ")");
    if (!schedule.empty() && schedule != "gpipe" && schedule != "1f1b")
      return fail("--schedule must be gpipe or 1f1b");
    if (!stages.empty() &&
        int64_t(StringRef(stages).count(',')) + 1 != numStages - 1)
      return fail(
          "--stages '" + stages + "' lists " +
          Twine(StringRef(stages).count(',') + 1) + " cut(s); " +
          (splitFed ? Twine("SplitFed") : Twine("--ranks ") + Twine(ranks)) +
          " needs " + Twine(numStages - 1));
  } else if (batch < 0 || (batch > 0 && batch % stepRanks != 0)) {
    return fail("--batch " + Twine(batch) + " is not a multiple of --ranks " +
                Twine(ranks));
  }

  mlir::DialectRegistry registry;
  registry.insert<mlir::dl::DLDialect, mlir::func::FuncDialect,
                  mlir::tensor::TensorDialect, mlir::arith::ArithDialect>();
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(model, sourceMgr, &context);
  if (!module)
    return fail("cannot load model '" + model + "'");

  mlir::PassManager pm(&context);
  if (pipelined) {
    mlir::dl::DLGeneratePipelineTrainingOptions options;
    options.optimizer = optimizer;
    options.lr = lr;
    options.momentum = momentum;
    options.weightDecay = weightDecay;
    options.stages = stages;
    options.numStages = numStages;
    options.microBatch = batch / microBatches / splitFedClients;
    options.microBatches = microBatches;
    pm.addPass(mlir::dl::createDLGeneratePipelineTraining(options));
  } else {
    mlir::dl::DLGenerateTrainingOptions options;
    options.optimizer = optimizer;
    options.lr = lr;
    options.momentum = momentum;
    options.weightDecay = weightDecay;
    options.batch = batch / stepRanks;
    options.dataParallel = stepRanks;
    options.tensorParallel = tensor ? ranks : 1;
    options.gradientsOnly = ps;
    options.bucketElements = bucketElements;
    pm.addPass(mlir::dl::createDLGenerateTraining(options));
  }
  if (failed(pm.run(*module)))
    return fail("cannot build the training step");

  std::string binDir = output + "/bin", srcDir = output + "/src";
  for (const std::string &dir : {binDir, srcDir})
    if (std::error_code ec = sys::fs::create_directories(dir))
      return fail("cannot create '" + dir + "': " + ec.message());
  {
    std::error_code ec;
    raw_fd_ostream os(output + "/train_step.mlir", ec);
    if (ec)
      return fail("cannot write train_step.mlir: " + ec.message());
    module->print(os);
  }
  std::string source = srcDir + "/train.cpp";
  {
    std::error_code ec;
    raw_fd_ostream os(source, ec);
    if (ec)
      return fail("cannot write '" + source + "': " + ec.message());
    auto funcs = module->getOps<mlir::func::FuncOp>();
    if (failed(pipelined ? mlir::dl::translatePipelineToCpp(*module, os)
                         : mlir::dl::translateDeviceToCpp(*funcs.begin(), os)))
      return fail("cannot emit the training program");
  }
  mlir::dl::BuildOptions build;
  build.compiler = cxx;
  build.outputDir = binDir;
  build.verbose = verbose;
  build.jobs = 1;
  SmallVector<std::string> binaries;
  std::string error;
  if (failed(mlir::dl::buildRankBinaries({source}, build, binaries, outs(),
                                         error))) {
    errs() << error << "\n";
    return fail("cannot compile the training program");
  }
  outs() << "dl-train: built " << binaries.front() << " (";
  if (fedavg)
    outs() << "fedavg, " << clients << " client(s), ";
  else if (ps)
    outs() << ranks << " worker(s) + 1 server, ";
  else if (tensor)
    outs() << ranks << " rank(s) splitting layers, ";
  else
    outs() << ranks << " rank(s), ";
  outs() << optimizer << ", lr " << llvm::format("%g", static_cast<double>(lr))
         << ")\n";
  outs().flush();
  if (noRun)
    return 0;

  ErrorOr<std::string> mpirun = sys::findProgramByName("mpirun");
  if (!mpirun)
    return fail("mpirun not found in PATH");
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::string threads = "OMP_NUM_THREADS=" +
                        std::to_string(std::max<int64_t>(1, cores / jobRanks));
  SmallVector<std::string> args = {*mpirun,
                                   "--allow-run-as-root",
                                   "--oversubscribe",
                                   "--bind-to",
                                   "none",
                                   "-x",
                                   getenv("OMP_NUM_THREADS") ? "OMP_NUM_THREADS"
                                                             : threads};
  // A client that dies must not take the job down: the server drops it.
  if (fedavg)
    args.push_back("--enable-recovery");
  for (const char *env : {"DLRT_TIMEOUT_S", "DLRT_FEDAVG_FAIL"})
    if (getenv(env))
      args.append({"-x", env});
  args.append({"-np", std::to_string(jobRanks), binaries.front()});
  std::string statusFile = output + "/fedavg-status";
  if (fedavg) {
    args.append({"--paradigm", "fedavg", "--status-file", statusFile,
                 "--partition", partitionKind, "--client-fraction",
                 formatReal(clientFraction, "%.17g"), "--shards-per-client",
                 std::to_string(shardsPerClient), "--client-timeout",
                 formatReal(clientTimeout, "%.17g")});
    for (auto [name, value] :
         {std::pair<const char *, int64_t>{"--rounds", rounds},
          {"--local-epochs", localEpochs},
          {"--local-steps", localSteps}})
      if (value > 0)
        args.append({name, std::to_string(value)});
    if (serverTimeout > 0)
      args.append({"--server-timeout", formatReal(serverTimeout, "%.17g")});
    sys::fs::remove(statusFile);
  }
  if (!dataset.empty()) {
    args.append({"--train-images", datasetFile(dataset, "train-images-idx3-ubyte"),
                 "--train-labels", datasetFile(dataset, "train-labels-idx1-ubyte"),
                 "--test-images", datasetFile(dataset, "t10k-images-idx3-ubyte"),
                 "--test-labels", datasetFile(dataset, "t10k-labels-idx1-ubyte")});
  }
  for (auto [name, value] :
       {std::pair<const char *, std::string *>{"--train-images", &trainImages},
        {"--train-labels", &trainLabels},
        {"--test-images", &testImages},
        {"--test-labels", &testLabels},
        {"--epochs", &epochs},
        {"--steps", &steps},
        {"--seed", &seed},
        {"--init", &init},
        {"--checkpoint", &checkpoint},
        {"--save", &save},
        {"--limit-train", &limitTrain},
        {"--limit-test", &limitTest},
        {"--schedule", &schedule},
        {"--staleness", &staleness},
        {"--ps-log", &psLog}})
    if (!value->empty())
      args.append({name, *value});
  if (splitFed)
    args.append({"--clients", std::to_string(splitFedClients)});
  for (auto [name, flag] : {std::pair<const char *, bool>{"--resume", resume},
                            {"--no-shuffle", noShuffle},
                            {"--progress", progress}})
    if (flag)
      args.push_back(name);
  SmallVector<StringRef> argv2(args.begin(), args.end());
  if (verbose) {
    for (StringRef a : argv2)
      errs() << a << " ";
    errs() << "\n";
  }
  std::string message;
  int rc = sys::ExecuteAndWait(*mpirun, argv2, std::nullopt, {}, 0, 0,
                               &message);
  if (rc < 0)
    return fail("cannot run mpirun: " + message);
  if (!fedavg || rc != 0)
    return rc;
  // Under --enable-recovery mpirun exits with 0 whatever the ranks did: the
  // server's status file says how training ended.
  ErrorOr<std::unique_ptr<MemoryBuffer>> status =
      MemoryBuffer::getFile(statusFile);
  int code = 0;
  if (!status || sscanf((*status)->getBufferStart(), "status %d", &code) != 1)
    return fail("the fedavg server wrote no status to '" + statusFile +
                "' (it failed; see the messages above)");
  return code;
}
