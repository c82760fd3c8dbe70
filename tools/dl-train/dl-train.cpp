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
#include "passes/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
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
             "(one stage of layers per rank, micro-batches) or split (split "
             "learning: pipeline with one micro-batch)"),
    cl::cat(category));
static cl::opt<int64_t>
    ranks("ranks", cl::init(1),
          cl::desc("MPI ranks (data-parallel replicas or pipeline stages)"),
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
                   "model's batch times --ranks)"),
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
      "F.dlw]\n\n"
      "The data, epoch, checkpoint and progress options are passed to\n"
      "OUTDIR/bin/train (which can also be run by itself; see its --help).\n");
  bool pipelined = paradigm == "pipeline" || paradigm == "split";
  if (paradigm != "data" && !pipelined)
    return fail("--paradigm '" + paradigm +
                "' is not implemented (data, pipeline or split; see "
                "docs/training.md)");
  if (ranks < 1)
    return fail("--ranks must be >= 1");
  if (!pipelined && (!stages.empty() || microbatches != 0 || !schedule.empty()))
    return fail("--stages, --microbatches and --schedule need --paradigm "
                "pipeline or split");
  int64_t microBatches = 1;
  if (pipelined) {
    microBatches = microbatches ? microbatches : paradigm == "split" ? 1 : 4;
    if (paradigm == "split" && (ranks < 2 || microBatches != 1))
      return fail("--paradigm split needs --ranks >= 2 (client stages and the "
                  "server stage) and one micro-batch");
    if (microBatches < 1)
      return fail("--microbatches must be >= 1");
    if (batch < 0 || (batch > 0 && batch % microBatches != 0))
      return fail("--batch " + Twine(batch) +
                  " is not a multiple of the micro-batches (" +
                  Twine(microBatches) + ")");
    if (!schedule.empty() && schedule != "gpipe" && schedule != "1f1b")
      return fail("--schedule must be gpipe or 1f1b");
    if (!stages.empty() &&
        int64_t(StringRef(stages).count(',')) + 1 != ranks - 1)
      return fail("--stages '" + stages + "' lists " +
                  Twine(StringRef(stages).count(',') + 1) +
                  " cut(s); --ranks " + Twine(ranks) + " needs " +
                  Twine(ranks - 1));
  } else if (batch < 0 || (batch > 0 && batch % ranks != 0)) {
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
    options.numStages = ranks;
    options.microBatch = batch / microBatches;
    options.microBatches = microBatches;
    pm.addPass(mlir::dl::createDLGeneratePipelineTraining(options));
  } else {
    mlir::dl::DLGenerateTrainingOptions options;
    options.optimizer = optimizer;
    options.lr = lr;
    options.momentum = momentum;
    options.weightDecay = weightDecay;
    options.batch = batch / ranks;
    options.dataParallel = ranks;
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
  outs() << "dl-train: built " << binaries.front() << " (" << ranks
         << " rank(s), " << optimizer << ", lr "
         << llvm::format("%g", static_cast<double>(lr)) << ")\n";
  outs().flush();
  if (noRun)
    return 0;

  ErrorOr<std::string> mpirun = sys::findProgramByName("mpirun");
  if (!mpirun)
    return fail("mpirun not found in PATH");
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::string threads =
      "OMP_NUM_THREADS=" + std::to_string(std::max<int64_t>(1, cores / ranks));
  SmallVector<std::string> args = {*mpirun,       "--allow-run-as-root",
                                   "--oversubscribe", "--bind-to",
                                   "none",        "-x",
                                   getenv("OMP_NUM_THREADS") ? "OMP_NUM_THREADS"
                                                             : threads,
                                   "-np",         std::to_string(ranks),
                                   binaries.front()};
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
        {"--schedule", &schedule}})
    if (!value->empty())
      args.append({name, *value});
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
  return rc;
}
