//===- CompileDriver.cpp - The dl-compile driver ------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the flow behind dl-compile: parse the model, attach
// the cluster, plan (forced scheme or the model's own plans), apply the
// plans, verify the device programs' communication, cut the weight store
// into per-rank shards, emit and build one program per rank plus the
// single-device reference, and write plan.json and run.sh.
//
//===----------------------------------------------------------------------===//

#include "dl/Driver.h"
#include "dl/CommAnalysis.h"
#include "dl/Import/ONNX.h"
#include "dl/Registration.h"
#include "dl/ShapeLimits.h"
#include "dl/Target/Build.h"
#include "dl/Target/CUDA.h"
#include "dl/Target/Cpp.h"
#include "lib/Driver/Report.h"
#include "dialects/DL/DLOps.h"
#include "lib/Cluster/ClusterModel.h"
#include "passes/Passes.h"
#include "passes/Search/Search.h"
#include "runtime/Format.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"
#include <map>
#include <random>

using namespace mlir;
using namespace mlir::dl;

namespace {

/// Prints `message` as a driver error and returns failure.
LogicalResult fail(const Twine &message) {
  llvm::errs() << "dl-compile: error: " << message << "\n";
  return failure();
}

/// A parameter the model reads from its weight store.
struct ParamInfo {
  std::string name;
  std::vector<int64_t> shape;
};

SmallVector<ParamInfo> collectParams(ModuleOp module) {
  SmallVector<ParamInfo> params;
  llvm::StringSet<> seen;
  module.walk([&](ParamOp p) {
    if (p.getValueAttr() || !seen.insert(p.getName()).second)
      return;
    auto shape = cast<RankedTensorType>(p.getType()).getShape();
    params.push_back({p.getName().str(), {shape.begin(), shape.end()}});
  });
  return params;
}

/// Fails, with an error at the largest parameter, when the parameters alone
/// exceed the memory of all the cluster's devices together (then no plan
/// fits, and writing random weights for them could exhaust this machine).
/// A device with memory 0 is unlimited.
LogicalResult checkParamsFitCluster(ModuleOp module, const Cluster &cluster) {
  auto add = [](int64_t a, int64_t b) {
    return a > INT64_MAX - b ? INT64_MAX : a + b;
  };
  int64_t capacity = 0;
  for (const ClusterDevice &d : cluster.devices) {
    if (d.memory <= 0)
      return success();
    capacity = add(capacity, d.memory);
  }
  int64_t total = 0, largestBytes = -1;
  ParamOp largest;
  llvm::StringSet<> seen;
  module.walk([&](ParamOp p) {
    if (!seen.insert(p.getName()).second)
      return;
    auto type = cast<RankedTensorType>(p.getType());
    int64_t bytes = checkedNumElements(type.getShape()).value_or(
                        kMaxTensorElements) *
                    4;
    total = add(total, bytes);
    if (bytes > largestBytes) {
      largestBytes = bytes;
      largest = p;
    }
  });
  if (total <= capacity)
    return success();
  return largest.emitError()
         << "the model's parameters need " << total
         << " B but cluster '" << cluster.name << "' has " << capacity
         << " B of memory over all its " << cluster.devices.size()
         << " devices; the largest parameter, '" << largest.getName()
         << "', has " << largestBytes << " B";
}

/// Deterministic weights in the range PyTorch's default initializers use:
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights; 1-D parameters named
/// like variances or scales are drawn from U(0.5, 1.5), other 1-D ones from
/// U(-0.1, 0.1).
LogicalResult writeRandomWeights(ArrayRef<ParamInfo> params, uint64_t seed,
                                 StringRef path) {
  std::mt19937_64 rng(seed);
  dlrt::format::WeightWriter writer;
  for (const ParamInfo &p : params) {
    int64_t n = dlrt::format::numElements(p.shape);
    double lo = -0.1, hi = 0.1;
    StringRef name = p.name;
    if (p.shape.size() >= 2) {
      int64_t fanIn = p.shape[0] > 0 ? n / p.shape[0] : 0;
      hi = 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(fanIn, 1)));
      lo = -hi;
    } else if (name.contains_insensitive("var") ||
               name.contains_insensitive("scale") ||
               name.contains_insensitive("gamma")) {
      lo = 0.5;
      hi = 1.5;
    }
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> data(n);
    for (float &v : data)
      v = dist(rng);
    writer.add(p.name, p.shape, data.data());
  }
  std::string error;
  if (!writer.write(path.str(), error))
    return fail("cannot write weights '" + path + "': " + error);
  return success();
}

/// Splits a shard name `base#lo:hi,lo:hi` into the base name and box.
bool parseShardName(StringRef name, std::string &base,
                    std::vector<int64_t> &offsets,
                    std::vector<int64_t> &sizes) {
  auto [b, ranges] = name.split('#');
  base = b.str();
  offsets.clear();
  sizes.clear();
  if (ranges.empty())
    return true;
  SmallVector<StringRef> parts;
  ranges.split(parts, ',');
  for (StringRef part : parts) {
    auto [lo, hi] = part.split(':');
    int64_t l, h;
    if (lo.getAsInteger(10, l) || hi.getAsInteger(10, h) || h < l)
      return false;
    offsets.push_back(l);
    sizes.push_back(h - l);
  }
  return true;
}

/// Writes OUTDIR-relative shard files: for each device function, every
/// parameter it reads, sliced from `store`.
LogicalResult writeShards(ModuleOp module,
                          const dlrt::format::WeightReader &store,
                          StringRef dir, raw_ostream &log) {
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return fail("cannot create '" + dir + "': " + ec.message());
  for (auto fn : module.getOps<func::FuncOp>()) {
    std::optional<int64_t> device = getDeviceOfFunction(fn);
    if (!device)
      continue;
    dlrt::format::WeightWriter writer;
    llvm::StringSet<> seen;
    int64_t bytes = 0;
    LogicalResult status = success();
    fn.walk([&](ParamOp p) {
      if (p.getValueAttr() || !seen.insert(p.getName()).second)
        return;
      std::string base;
      std::vector<int64_t> offsets, sizes;
      if (!parseShardName(p.getName(), base, offsets, sizes)) {
        status = fail("malformed shard name '" + p.getName() + "'");
        return;
      }
      const dlrt::format::WeightTensor *t = store.find(base);
      if (!t) {
        status = fail("weight store '" + store.path() + "' has no tensor '" +
                      base + "'");
        return;
      }
      auto localShape = cast<RankedTensorType>(p.getType()).getShape();
      if (offsets.empty()) {
        offsets.assign(t->shape.size(), 0);
        sizes.assign(t->shape.begin(), t->shape.end());
      }
      if (sizes.size() != t->shape.size() ||
          !llvm::equal(sizes, localShape)) {
        status = fail("shard '" + p.getName() + "' does not fit tensor '" +
                      base + "'");
        return;
      }
      // Copy the box row-major.
      int64_t rank = sizes.size(), n = 1;
      for (int64_t s : sizes)
        n *= s;
      std::vector<int64_t> stride(rank, 1);
      for (int64_t i = rank - 2; i >= 0; --i)
        stride[i] = stride[i + 1] * t->shape[i + 1];
      std::vector<float> data(n);
      for (int64_t e = 0; e < n; ++e) {
        int64_t rest = e, flat = 0;
        for (int64_t i = rank - 1; i >= 0; --i) {
          flat += (rest % sizes[i] + offsets[i]) * stride[i];
          rest /= sizes[i];
        }
        data[e] = t->data[flat];
      }
      writer.add(p.getName().str(), sizes, data.data());
      bytes += n * 4;
    });
    if (failed(status))
      return failure();
    std::string path = (dir + "/rank" + Twine(*device) + ".dlw").str();
    std::string error;
    if (!writer.write(path, error))
      return fail("cannot write '" + path + "': " + error);
    log << llvm::formatv("  rank{0}: {1} parameter bytes -> {2}\n", *device,
                         bytes, path);
  }
  return success();
}

/// Runs the partitioning pipeline on `module`.
LogicalResult partition(ModuleOp module, StringRef scheme, int64_t devices,
                        int64_t microbatches) {
  PassManager pm(module.getContext());
  if (!scheme.empty()) {
    DLForceSchemeOptions force;
    force.scheme = scheme.str();
    force.numDevices = devices;
    pm.addPass(createDLForceScheme(force));
  }
  DLApplyPartitionOptions apply;
  apply.numDevices = devices;
  apply.microbatches = microbatches;
  pm.addPass(createDLApplyPartition(apply));
  pm.addPass(createCSEPass());
  pm.addPass(createDLVerifyComm());
  return pm.run(module);
}

std::string describePlan(Operation *op) {
  auto plan = op->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName);
  if (!plan)
    return "device 0";
  std::string s;
  llvm::raw_string_ostream os(s);
  if (plan.getTile()) {
    os << "fused tiles " << plan.getTile().getGrid()[0] << "x"
       << plan.getTile().getGrid()[1] << " on " << plan.getDevices().size()
       << " devices";
    return s;
  }
  if (plan.getReplicas() > 1)
    os << "data x" << plan.getReplicas() << " ";
  for (SplitAttr split : plan.getSplits()) {
    os << stringifySplitDim(split.getDim()) << " [";
    llvm::interleave(split.getBounds(), os, ",");
    os << "] ";
  }
  if (plan.getSplits().empty() && plan.getReplicas() == 1)
    os << (plan.getDevices().size() > 1 ? "replicated on " : "on ");
  else
    os << "on ";
  os << "[";
  llvm::interleaveComma(plan.getDevices(), os);
  os << "]";
  if (plan.getStage())
    os << " stage " << plan.getStage();
  return s;
}

std::string layerName(Operation *op, unsigned index) {
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    return loc.getName().str();
  return ("%" + Twine(index)).str();
}

std::string runScript(const Cluster &cluster, int64_t numDevices,
                      ArrayRef<int64_t> inputShape) {
  bool local = llvm::all_of(cluster.devices, [](const ClusterDevice &d) {
    return d.host.empty() || d.host == "localhost" || d.host == "127.0.0.1";
  });
  std::string s;
  llvm::raw_string_ostream os(s);
  os << R"SH(#!/usr/bin/env bash
# Runs the partitioned model on its ranks with mpirun (generated by
# dl-compile).
#   run.sh --input in.npy --output out.npy [--trace trace.json]
#          [--stats stats.json] [--reference] [--repeat N] [--print N]
#          [--tolerance X]
# --reference also runs the unpartitioned model on one rank and prints the
# maximum relative error of the partitioned output against it.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
INPUT=""; OUTPUT=""; TRACE=(); STATS=(); REFERENCE=0; REPEAT=(); TOL=()
PRINT=()
while [ $# -gt 0 ]; do
  case "$1" in
    --input) INPUT="$2"; shift 2 ;;
    --output) OUTPUT="$2"; shift 2 ;;
    --trace) TRACE=(--trace "$2"); shift 2 ;;
    --stats) STATS=(--stats "$2"); shift 2 ;;
    --reference) REFERENCE=1; shift ;;
    --repeat) REPEAT=(--repeat "$2"); shift 2 ;;
    --tolerance) TOL=(--tolerance "$2"); shift 2 ;;
    --print) PRINT=(--print "$2"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "run.sh: error: unknown option '$1'" >&2; exit 2 ;;
  esac
done
if [ -z "$INPUT" ] || [ -z "$OUTPUT" ]; then
  echo "run.sh: error: --input and --output are required" >&2; exit 2
fi
if [ ! -f "$INPUT" ]; then
  echo "run.sh: error: input '$INPUT' does not exist" >&2; exit 2
fi
)SH";
  os << "MPI_ARGS=(" << (local ? "--oversubscribe --bind-to none"
                               : "--hostfile \"$DIR/hostfile\"")
     << ")\n";
  // Ranks that share this host share its cores: without OMP_NUM_THREADS
  // each would start a thread per core for OpenMP and OpenBLAS, and the
  // oversubscribed threads spin at every barrier (docs/runtime.md). The
  // local ranks inherit mpirun's environment (`-x` would reach only the
  // first program of an MPMD command line).
  os << "RANK_ENV=()\n";
  if (local)
    os << "if [ -z \"${OMP_NUM_THREADS:-}\" ]; then\n"
          "  T=$(( $(nproc 2>/dev/null || echo 1) / "
       << numDevices
       << " ))\n"
          "  RANK_ENV=(env \"OMP_NUM_THREADS=$(( T > 0 ? T : 1 ))\")\n"
          "fi\n";
  os << R"SH(EXPECT=()
if [ "$REFERENCE" = 1 ]; then
  REF_OUT="$(mktemp --suffix=.npy)"
  trap 'rm -f "$REF_OUT"' EXIT
  mpirun "${MPI_ARGS[@]}" -np 1 "$DIR/ref/bin/rank0" --input "$INPUT" \
    --output "$REF_OUT" --weights "$DIR/ref/weights/rank0.dlw" >/dev/null
  EXPECT=(--expect "$REF_OUT")
fi
)SH";
  os << "\"${RANK_ENV[@]}\" mpirun \"${MPI_ARGS[@]}\" --tag-output";
  for (int64_t d = 0; d < numDevices; ++d) {
    os << " \\\n  " << (d ? ": " : "") << "-np 1 \"$DIR/bin/rank" << d
       << "\" --weights \"$DIR/weights/rank" << d
       << ".dlw\" \"${TRACE[@]}\" \"${STATS[@]}\" \"${REPEAT[@]}\"";
    if (d == 0)
      os << " --input \"$INPUT\" --output \"$OUTPUT\" \"${EXPECT[@]}\" "
            "\"${TOL[@]}\" \"${PRINT[@]}\"";
  }
  os << "\n";
  return s;
}

/// The search problem of the module's function, to price the plans on its
/// layers (fused-tile candidates only if some plan is a fused tile). Fails
/// quietly: a model the cost model cannot price just gets no prediction.
FailureOr<search::Problem> pricingProblem(ModuleOp module,
                                          const Cluster &cluster) {
  func::FuncOp fn;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal())
      fn = f;
  if (!fn)
    return failure();
  search::Options options;
  options.fusedTiles = false;
  fn.walk([&](Operation *op) {
    if (auto plan = op->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName))
      options.fusedTiles |= static_cast<bool>(plan.getTile());
  });
  ScopedDiagnosticHandler quiet(module.getContext(),
                                [](Diagnostic &) { return success(); });
  return search::buildProblem(fn, cluster, options);
}

/// The cost model's latency of the plans now on the layers, when every
/// layer's plan is one of the search's candidates (forced schemes and
/// searched plans are; arbitrary hand plans may not be), with its timeline
/// and the names of the layers the timeline's steps refer to; with
/// `simulation`, also the plans replayed as per-rank events.
std::optional<search::Evaluation>
predictPlans(ModuleOp module, const Cluster &cluster,
             search::Timeline &timeline, std::vector<std::string> &names,
             std::optional<search::Simulation> *simulation = nullptr) {
  FailureOr<search::Problem> problem = pricingProblem(module, cluster);
  if (failed(problem))
    return std::nullopt;
  search::Choice choice(problem->nodes.size(), -1);
  for (size_t i = 0; i < problem->nodes.size();) {
    const search::Node &node = problem->nodes[i];
    int found = -1;
    for (auto [k, cand] : llvm::enumerate(node.cands)) {
      if (i + cand.span > problem->nodes.size())
        continue;
      bool match = true;
      for (int64_t s = 0; s < cand.span && match; ++s)
        match = problem->nodes[i + s].op->getAttrOfType<PlanAttr>(
                    DLDialect::kPlanAttrName) == cand.plans[s];
      // A fused group of n layers also matches its own first layers as a
      // shorter group: take the longest.
      if (match && (found < 0 || cand.span > node.cands[found].span))
        found = k;
    }
    if (found < 0)
      return std::nullopt;
    choice[i] = found;
    i += node.cands[found].span;
  }
  search::Evaluation eval = search::evaluate(*problem, choice, timeline);
  if (!eval.valid)
    return std::nullopt;
  if (simulation)
    if (search::Simulation sim = search::simulate(*problem, choice); sim.valid)
      *simulation = std::move(sim);
  for (const search::Node &node : problem->nodes)
    names.push_back(node.name);
  return eval;
}

llvm::json::Value optionalJson(std::optional<double> v) {
  return v ? llvm::json::Value(*v) : llvm::json::Value(nullptr);
}

/// The cost model's prediction for the pipeline of the plans now on the
/// layers (stage indices, devices and d/m splits inside a stage) run with
/// `microbatches` micro-batches, priced as the throughput search prices it
/// (search::evaluatePipeline, docs/search.md): one batch takes the first
/// micro-batch's way through every stage plus a period (the slowest
/// stage) for each further one, sum_k stage_k + (M - 1) * period.
struct PipelinePrediction {
  /// With one micro-batch: the plans replayed as per-rank events.
  std::optional<search::Simulation> simulated;
  int64_t stages = 1;
  double period = 0;
  double latency = 0;
  /// Per device: parameters plus the peak of activations and buffers at
  /// one micro-batch (with the micro-batches' outputs held until device 0
  /// gathers them), and that peak alone.
  std::vector<int64_t> peakMemory, peakActivations;
};

std::optional<PipelinePrediction>
predictPipeline(ModuleOp module, const Cluster &cluster, int64_t microbatches) {
  FailureOr<search::Problem> problem = pricingProblem(module, cluster);
  if (failed(problem) || problem->nodes.empty())
    return std::nullopt;
  SmallVector<PlanAttr> plans;
  PlanAttr single = PlanAttr::get(module.getContext(), 0, {0}, 1, {}, nullptr);
  for (const search::Node &node : problem->nodes) {
    auto plan = node.op->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName);
    plans.push_back(plan ? plan : single);
  }
  auto priced = search::evaluatePipeline(*problem, plans, microbatches);
  if (!priced)
    return std::nullopt;
  PipelinePrediction pred;
  pred.stages = priced->stages;
  pred.period = priced->period;
  pred.latency = priced->latency;
  if (microbatches == 1)
    pred.simulated = search::simulateStaged(*problem, plans);
  for (const search::DeviceReport &d : priced->eval.devices) {
    pred.peakMemory.push_back(d.peakMemory());
    pred.peakActivations.push_back(d.peakActivations);
  }
  return pred;
}

} // namespace

LogicalResult mlir::dl::compileModel(const CompileOptions &options,
                                     raw_ostream &log) {
  DialectRegistry registry;
  registerDLDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Pass diagnostics carry their own location; do not dump the whole
  // module after them.
  context.printOpOnDiagnostic(false);

  // Model.
  StringRef ext = llvm::sys::path::extension(options.modelPath);
  // An ONNX model is imported first; its weights go to OUTDIR/model.dlw.
  OwningOpRef<ModuleOp> imported;
  std::string importedWeights;
  if (ext == ".onnx") {
#ifdef DL_HAVE_ONNX_IMPORT
    if (auto ec = llvm::sys::fs::create_directories(options.outputDir))
      return fail("cannot create '" + options.outputDir +
                  "': " + ec.message());
    OnnxImportOptions importOptions;
    importOptions.weightsPath = importedWeights =
        options.outputDir + "/model.dlw";
    imported = importOnnxModel(options.modelPath, &context, importOptions,
                               llvm::errs());
    if (!imported)
      return fail("cannot import ONNX model '" + options.modelPath + "'");
    log << "dl-compile: imported " << options.modelPath << " (weights in "
        << importedWeights << ")\n";
#else
    return fail("'" + options.modelPath +
                "': this build has no ONNX importer (libonnx-dev missing)");
#endif
  }
  if (!llvm::sys::fs::exists(options.modelPath))
    return fail("cannot open model '" + options.modelPath +
                "': no such file or directory");
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> model =
      imported ? std::move(imported)
               : parseSourceFile<ModuleOp>(options.modelPath, sourceMgr,
                                           &context);
  if (!model)
    return fail("cannot load model '" + options.modelPath + "'");
  if (failed(verifyTensorSizes(*model)))
    return fail("cannot compile model '" + options.modelPath + "'");

  // Cluster.
  std::string error;
  std::optional<Cluster> cluster = loadCluster(options.cluster, error);
  if (!cluster) {
    llvm::errs() << error << "\n";
    return fail("cannot load cluster '" + options.cluster + "'");
  }
  int64_t numDevices = cluster->devices.size();
  cluster->attachTo(*model);
  if (failed(verify(*model)))
    return fail("the model does not verify against cluster '" +
                cluster->name + "'");
  log << "dl-compile: model " << options.modelPath << ", cluster "
      << cluster->name << " (" << numDevices << " devices)\n";
  if (failed(checkParamsFitCluster(*model, *cluster)))
    return fail("no plan can fit the model on cluster '" + cluster->name +
                "'");

  if (auto ec = llvm::sys::fs::create_directories(options.outputDir))
    return fail("cannot create '" + options.outputDir + "': " + ec.message());
  std::string out = options.outputDir;

  // Weights (not needed to plan).
  std::string weights = options.weightsPath;
  if (weights.empty())
    weights = importedWeights;
  if (weights.empty())
    if (auto attr = (*model)->getAttrOfType<StringAttr>(
            DLDialect::kWeightsAttrName)) {
      SmallString<256> path(llvm::sys::path::parent_path(options.modelPath));
      llvm::sys::path::append(path, attr.getValue());
      weights = std::string(path);
    }
  SmallVector<ParamInfo> params = collectParams(*model);
  if (options.planOnly)
    params.clear();
  else if (weights.empty()) {
    weights = out + "/model.dlw";
    if (failed(writeRandomWeights(params, options.seed, weights)))
      return failure();
    log << "dl-compile: no weight store given; wrote deterministic weights "
           "(seed "
        << options.seed << ") to " << weights << "\n";
  }
  dlrt::format::WeightReader store;
  if (!options.planOnly && !store.open(weights, error))
    return fail(error);
  for (const ParamInfo &p : params) {
    const dlrt::format::WeightTensor *t = store.find(p.name);
    if (!t)
      return fail("weight store '" + weights + "' has no tensor '" + p.name +
                  "'");
    if (t->shape != p.shape)
      return fail("tensor '" + p.name + "' in '" + weights +
                  "' has the wrong shape");
  }

  // Plan.
  OwningOpRef<ModuleOp> reference = cast<ModuleOp>((*model)->clone());
  std::string scheme = options.scheme;
  bool hasPlans = false;
  model->walk([&](Operation *op) {
    hasPlans |= op->hasAttr(DLDialect::kPlanAttrName);
  });
  if (scheme.empty() && !hasPlans)
    scheme = "search";
  if (scheme == "search") {
    PassManager pm(&context);
    DLSearchPartitionOptions search;
    search.objective = options.objective;
    pm.addPass(createDLSearchPartition(search));
    if (failed(pm.run(*model)))
      return fail("the plan search failed");
  } else if (!scheme.empty()) {
    PassManager pm(&context);
    DLForceSchemeOptions force;
    force.scheme = scheme;
    force.numDevices = numDevices;
    pm.addPass(createDLForceScheme(force));
    if (failed(pm.run(*model)))
      return fail("cannot plan with scheme '" + scheme + "'");
  }
  // The plan table, before the layers are replaced.
  llvm::json::Array layersJson;
  log << "\nplan (" << (scheme.empty() ? "from the model" : scheme)
      << "):\n";
  unsigned index = 0;
  model->walk([&](PartitionableOpInterface layer) {
    Operation *op = layer.getOperation();
    std::string name = layerName(op, index++);
    std::string plan = describePlan(op);
    LayerWork w = layer.getWork();
    log << llvm::formatv("  {0,-10} {1,-18} {2,12} FLOPs  {3}\n", name,
                         op->getName().getStringRef(), w.flops, plan);
    layersJson.push_back(llvm::json::Object{
        {"name", name},
        {"op", op->getName().getStringRef()},
        {"flops", w.flops},
        {"param_bytes", w.paramBytes},
        {"plan", plan}});
  });
  // Micro-batches: the option, else the throughput search's count, else 1
  // (dl-apply-partition rejects an option that contradicts the search).
  int64_t microbatches = options.microbatches;
  if (auto searched =
          (*model)->getAttrOfType<IntegerAttr>(kSearchMicrobatchesAttrName);
      searched && microbatches == 0)
    microbatches = searched.getInt();
  if (microbatches < 1)
    microbatches = 1;
  int64_t batch = 0;
  for (auto fn : model->getOps<func::FuncOp>())
    if (!fn.isExternal() && fn.getNumArguments() > 0)
      if (auto t = dyn_cast<RankedTensorType>(fn.getArgument(0).getType());
          t && t.getRank() > 0)
        batch = t.getDimSize(0);
  std::optional<search::Evaluation> predicted;
  search::Timeline timeline;
  std::vector<std::string> nodeNames;
  std::optional<PipelinePrediction> pipeline;
  std::optional<double> predictedLatency;
  std::optional<search::Simulation> simulated;
  if (microbatches == 1)
    predicted = predictPlans(*model, *cluster, timeline, nodeNames, &simulated);
  if (predicted)
    predictedLatency = predicted->latency;
  else if ((pipeline = predictPipeline(*model, *cluster, microbatches))) {
    predictedLatency = pipeline->latency;
    simulated = pipeline->simulated;
  }
  if (predicted)
    log << llvm::formatv("\npredicted latency (cost model): {0:F3} ms, "
                         "{1} bytes moved\n",
                         predicted->latency * 1e3, predicted->bytes);
  else if (pipeline)
    log << llvm::formatv("\npredicted latency (cost model): {0:F3} ms "
                         "({1} stages, {2} micro-batches, period {3:F3} "
                         "ms)\n",
                         pipeline->latency * 1e3, pipeline->stages,
                         microbatches, pipeline->period * 1e3);
  if (simulated)
    log << llvm::formatv("simulated latency (per-rank events, back-to-back "
                         "inferences): {0:F3} ms\n",
                         simulated->latency * 1e3);
  if (predictedLatency && batch > 0)
    log << llvm::formatv("predicted throughput: {0:F1} samples/s\n",
                         double(batch) / *predictedLatency);
  if (failed(partition(*model, "", numDevices, options.microbatches)))
    return fail("partitioning failed");
  std::map<int64_t, DeviceTraffic> traffic;
  if (failed(analyzeCommunication(*model, traffic)))
    return fail("communication analysis failed");
  log << "\npredicted communication per rank:\n";
  llvm::json::Array devicesJson;
  for (auto &[d, t] : traffic) {
    log << llvm::formatv("  rank{0}: sends {1} B, receives {2} B, {3} "
                         "messages\n",
                         d, t.sentTotal(), t.receivedTotal(), t.messages);
    llvm::json::Object sent, recv;
    for (auto &[peer, b] : t.sentTo)
      sent[std::to_string(peer)] = b;
    for (auto &[peer, b] : t.receivedFrom)
      recv[std::to_string(peer)] = b;
    devicesJson.push_back(llvm::json::Object{
        {"rank", d},
        {"bytes_sent", t.sentTotal()},
        {"bytes_received", t.receivedTotal()},
        {"messages", t.messages},
        {"bytes_sent_to", std::move(sent)},
        {"bytes_received_from", std::move(recv)}});
  }

  // Plan file and partitioned IR.
  llvm::json::Value planJson = nullptr;
  {
    // The cost model's per-device peak (parameters plus live activations),
    // and of the activations alone (the tensor buffers whose high-water
    // mark the rank programs print).
    llvm::json::Value peakJson(nullptr), activationJson(nullptr);
    if (predicted) {
      llvm::json::Array peaks, activations;
      for (const search::DeviceReport &d : predicted->devices) {
        peaks.push_back(d.peakMemory());
        activations.push_back(d.peakActivations);
      }
      peakJson = std::move(peaks);
      activationJson = std::move(activations);
    } else if (pipeline) {
      llvm::json::Array peaks, activations;
      for (size_t d = 0; d < pipeline->peakMemory.size(); ++d) {
        peaks.push_back(pipeline->peakMemory[d]);
        activations.push_back(pipeline->peakActivations[d]);
      }
      peakJson = std::move(peaks);
      activationJson = std::move(activations);
    }
    llvm::json::Object root{
        {"model", options.modelPath},
        {"cluster", cluster->name},
        {"devices", numDevices},
        {"scheme", scheme.empty() ? "model" : scheme},
        {"objective", options.objective},
        {"microbatches", microbatches},
        {"predicted_latency_s", optionalJson(predictedLatency)},
        {"simulated_latency_s",
         optionalJson(simulated ? std::optional<double>(simulated->latency)
                                : std::nullopt)},
        {"predicted_period_s",
         optionalJson(pipeline ? std::optional<double>(pipeline->period)
                               : std::nullopt)},
        {"predicted_throughput_per_s",
         optionalJson(
             predictedLatency && batch > 0
                 ? std::optional<double>(double(batch) / *predictedLatency)
                 : std::nullopt)},
        {"predicted_peak_memory_bytes", std::move(peakJson)},
        {"predicted_peak_activation_bytes", std::move(activationJson)},
        {"layers", std::move(layersJson)},
        {"ranks", std::move(devicesJson)}};
    std::error_code ec;
    llvm::raw_fd_ostream os(out + "/plan.json", ec);
    if (ec)
      return fail("cannot write plan.json: " + ec.message());
    planJson = std::move(root);
    os << llvm::formatv("{0:2}", planJson) << "\n";
    llvm::raw_fd_ostream ir(out + "/partitioned.mlir", ec);
    if (ec)
      return fail("cannot write partitioned.mlir: " + ec.message());
    model->print(ir);
  }

  // The report page (also for a plan refused below: it shows why).
  std::vector<int64_t> paramBytes =
      parameterBytesPerDevice(*model, numDevices);
  {
    ReportInputs report;
    report.cluster = &*cluster;
    report.plan = std::move(planJson);
    report.evaluation = predicted ? &*predicted : nullptr;
    report.timeline = predicted ? &timeline : nullptr;
    report.nodeNames = std::move(nodeNames);
    report.paramBytes = paramBytes;
    report.traffic = &traffic;
    if (failed(writeReport(report, out + "/report.html", error)))
      return fail(error);
  }

  // Every rank's parameters must fit its device's memory (a lower bound of
  // its footprint: activations and buffers come on top).
  for (int64_t device = 0; device < numDevices; ++device) {
    const ClusterDevice &dev = cluster->devices[device];
    if (paramBytes[device] > dev.memory)
      return fail(llvm::formatv("rank {0} needs {1} B of parameters but "
                                "device '{2}' has only {3} B of memory; "
                                "choose a plan that splits the weights",
                                device, paramBytes[device], dev.name,
                                dev.memory)
                      .str());
  }

  if (options.planOnly)
    return success();

  // Weight shards and sources.
  log << "\nweights:\n";
  if (failed(writeShards(*model, store, out + "/weights", log)))
    return failure();
  SmallVector<std::string> sources;
  // GPU ranks of the cluster get CUDA programs (rank<K>.cu).
  if (failed(emitRankSources(*model, out + "/src", sources)))
    return fail("code generation failed");

  // The single-device reference.
  SmallVector<std::string> refSources;
  if (options.reference) {
    (*reference)->removeAttr(DLDialect::kClusterAttrName);
    (*reference)->removeAttr(kKernelRatesAttrName);
    if (failed(partition(*reference, "single", 1, 1)))
      return fail("cannot build the single-device reference");
    llvm::raw_null_ostream quiet;
    if (failed(writeShards(*reference, store, out + "/ref/weights", quiet)) ||
        failed(emitDeviceSources(*reference, out + "/ref/src", refSources)))
      return fail("cannot emit the single-device reference");
  }

  if (options.buildBinaries) {
    log << "\nbuilding " << sources.size() + refSources.size()
        << " programs:\n";
    BuildOptions build;
    build.jobs = options.jobs;
    build.verbose = options.verbose;
    build.compiler = options.compiler;
    build.outputDir = out + "/bin";
    SmallVector<std::string> binaries;
    if (failed(buildRankBinaries(sources, build, binaries, log, error)))
      return fail(error);
    if (!refSources.empty()) {
      build.outputDir = out + "/ref/bin";
      if (failed(buildRankBinaries(refSources, build, binaries, log, error)))
        return fail(error);
    }
  }

  // A deterministic sample input for every model input.
  {
    auto func = *model->getOps<func::FuncOp>().begin();
    std::mt19937_64 rng(options.seed + 1);
    std::uniform_real_distribution<float> dist(0.0f, 1.0f);
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      auto shape = cast<RankedTensorType>(arg.getType()).getShape();
      std::vector<int64_t> dims(shape.begin(), shape.end());
      std::vector<float> data(dlrt::format::numElements(dims));
      for (float &v : data)
        v = dist(rng);
      std::string path =
          out + "/sample_input" + (i ? std::to_string(i) : "") + ".npy";
      if (!dlrt::format::writeNpy(path, data.data(), dims, error))
        return fail("cannot write '" + path + "': " + error);
    }
  }

  // run.sh
  {
    std::string path = out + "/run.sh";
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      return fail("cannot write run.sh: " + ec.message());
    auto func = *model->getOps<func::FuncOp>().begin();
    ArrayRef<int64_t> inShape;
    if (func.getNumArguments())
      inShape = cast<RankedTensorType>(func.getArgument(0).getType())
                    .getShape();
    os << runScript(*cluster, numDevices, inShape);
    os.close();
    llvm::sys::fs::setPermissions(path, llvm::sys::fs::all_read |
                                            llvm::sys::fs::all_exe |
                                            llvm::sys::fs::owner_write);
    if (!llvm::all_of(cluster->devices, [](const ClusterDevice &d) {
          return d.host.empty() || d.host == "localhost";
        })) {
      llvm::raw_fd_ostream hosts(out + "/hostfile", ec);
      llvm::MapVector<StringRef, int> slots;
      for (const ClusterDevice &d : cluster->devices)
        ++slots[d.host];
      for (auto &[host, n] : slots)
        hosts << host << " slots=" << n << "\n";
    }
  }
  log << "\nwrote " << out << "/run.sh\n";
  return success();
}
