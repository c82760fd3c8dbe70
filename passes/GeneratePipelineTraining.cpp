//===- GeneratePipelineTraining.cpp - Pipeline stages of training -*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl-generate-pipeline-training: the forward model is
// cut into K contiguous stages of layers (cut points given, or balanced by
// FLOPs), and each stage gets a forward, a backward and an update function
// that the pipeline loop of the runtime (runtime/TrainPipeline.cpp) runs
// on micro-batches under a GPipe or 1F1B schedule (docs/training.md).
//
// The backward function is built by differentiating a copy of the stage's
// forward (GradientOpInterface, as in dl-generate-training); the forward
// values its backward ops read become `saved` results of the forward
// function and arguments of the backward function, and the copy is
// removed.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "passes/Passes.h"
#include "passes/TrainingUtils.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

#include <limits>

namespace mlir::dl {
#define GEN_PASS_DEF_DLGENERATEPIPELINETRAINING
#include "passes/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::training;

namespace {

/// One pipeline stage: layers [begin, end) of the forward function.
struct Stage {
  unsigned begin = 0, end = 0;
  /// The tensor entering the stage (the model input on stage 0) and the one
  /// leaving it (the logits on the last stage).
  Value input, output;
  /// Indices into the model's parameter table, in table order.
  SmallVector<int64_t> params;
};

struct DLGeneratePipelineTrainingPass
    : public dl::impl::DLGeneratePipelineTrainingBase<
          DLGeneratePipelineTrainingPass> {
  using DLGeneratePipelineTrainingBase::DLGeneratePipelineTrainingBase;

  void runOnOperation() override;

private:
  LogicalResult chooseCuts(func::FuncOp fwd, SmallVectorImpl<unsigned> &cuts);
  LogicalResult buildStage(unsigned k, Stage &stage);

  OptimizerConfig opt;
  func::FuncOp fwd;
  /// The forward function's layers: its ops other than dl.param, the
  /// operand-less ops (constants, cloned where used) and the return.
  SmallVector<Operation *> layers;
  /// Values that cross each cut position c (between layers c-1 and c).
  SmallVector<llvm::SetVector<Value>> crossing;
  llvm::MapVector<StringRef, RankedTensorType> params;
  DenseMap<StringRef, int64_t> paramIndex;
  int64_t stageCount = 0;
  RankedTensorType logitsType;
};

bool isFreeOp(Operation *op) {
  return !isa<ParamOp, func::ReturnOp>(op) && op->getNumOperands() == 0;
}

/// `layer i ('dl.conv2d')` for messages.
std::string layerName(ArrayRef<Operation *> layers, unsigned i) {
  return ("layer " + Twine(i) + " ('" + layers[i]->getName().getStringRef() +
          "')")
      .str();
}

} // namespace

/// Parses or balances the K-1 cut points (layer indices, increasing).
LogicalResult
DLGeneratePipelineTrainingPass::chooseCuts(func::FuncOp fwd,
                                           SmallVectorImpl<unsigned> &cuts) {
  unsigned n = layers.size();
  auto crossedOnce = [&](unsigned c) { return crossing[c].size() == 1; };
  if (!stages.empty()) {
    for (StringRef item : llvm::split(StringRef(stages), ',')) {
      unsigned c;
      if (item.trim().getAsInteger(10, c))
        return fwd.emitError() << "invalid stage cuts '" << stages
                               << "': expected comma-separated layer indices";
      if (c < 1 || c >= n)
        return fwd.emitError()
               << "stage cut " << c << " is out of range: the model has " << n
               << " layers, so a cut (the first layer of a stage) must lie "
                  "in 1.."
               << n - 1;
      if (!cuts.empty() && c <= cuts.back())
        return fwd.emitError() << "stage cuts must be increasing, got " << c
                               << " after " << cuts.back();
      if (!crossedOnce(c)) {
        InFlightDiagnostic diag =
            layers[c]->emitError()
            << "cannot start a pipeline stage at " << layerName(layers, c)
            << ": " << crossing[c].size()
            << " tensors cross the cut, a stage boundary carries exactly one "
               "activation";
        for (Value v : crossing[c])
          diag.attachNote(v.getLoc()) << "crossing tensor " << v.getType();
        return failure();
      }
      cuts.push_back(c);
    }
    return success();
  }
  int64_t k = numStages;
  if (k > int64_t(n))
    return fwd.emitError() << "cannot cut " << n << " layers into " << k
                           << " stages";
  // Minimize the largest stage cost over the valid cut positions.
  SmallVector<int64_t> prefix(n + 1, 0);
  for (unsigned i = 0; i < n; ++i) {
    int64_t flops = 0;
    if (auto layer = dyn_cast<PartitionableOpInterface>(layers[i]))
      flops = layer.getWork().flops;
    prefix[i + 1] = prefix[i] + std::max<int64_t>(flops, 1);
  }
  const int64_t inf = std::numeric_limits<int64_t>::max();
  // best[j][i]: the least largest cost of cutting layers [0, i) into j
  // stages whose last cut is valid; from[j][i] the start of stage j-1.
  std::vector<std::vector<int64_t>> best(k + 1,
                                         std::vector<int64_t>(n + 1, inf));
  std::vector<std::vector<unsigned>> from(k + 1,
                                          std::vector<unsigned>(n + 1, 0));
  best[0][0] = 0;
  for (int64_t j = 1; j <= k; ++j)
    for (unsigned i = 1; i <= n; ++i) {
      if (i < n && !crossedOnce(i))
        continue;
      if ((j == k) != (i == n))
        continue;
      for (unsigned p = 0; p < i; ++p) {
        if (best[j - 1][p] == inf)
          continue;
        int64_t cost = std::max(best[j - 1][p], prefix[i] - prefix[p]);
        if (cost < best[j][i]) {
          best[j][i] = cost;
          from[j][i] = p;
        }
      }
    }
  if (best[k][n] == inf) {
    unsigned valid = 0;
    for (unsigned c = 1; c < n; ++c)
      valid += crossedOnce(c);
    return fwd.emitError() << "cannot cut the model into " << k
                           << " pipeline stages: only " << valid
                           << " of its layer boundaries carry exactly one "
                              "activation";
  }
  cuts.resize(k - 1);
  unsigned i = n;
  for (int64_t j = k; j > 1; --j) {
    i = from[j][i];
    cuts[j - 2] = i;
  }
  return success();
}

void DLGeneratePipelineTrainingPass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<func::FuncOp> found =
      getForwardFunction(module, "dl-generate-pipeline-training");
  if (failed(found))
    return signalPassFailure();
  fwd = *found;
  layers.clear();
  crossing.clear();
  params.clear();
  paramIndex.clear();
  opt = {optimizer, lr, momentum, weightDecay, beta1, beta2, epsilon};
  if (failed(verifyOptimizer(fwd, opt)))
    return signalPassFailure();
  if (microBatch < 0 || microBatches < 1 || (stages.empty() && numStages < 1)) {
    fwd.emitError("micro-batch must be non-negative and micro-batches and "
                  "num-stages positive");
    return signalPassFailure();
  }
  if (microBatch > 0 && failed(rewriteBatch(fwd, microBatch)))
    return signalPassFailure();
  if (failed(verifyLogits(fwd)) ||
      failed(collectParams(fwd.getBody().front(), params)))
    return signalPassFailure();
  logitsType = cast<RankedTensorType>(fwd.getResultTypes()[0]);
  if (params.empty()) {
    fwd.emitError("the model has no parameters to train");
    return signalPassFailure();
  }
  for (auto [i, kv] : llvm::enumerate(params))
    paramIndex[kv.first] = i;

  // Layers, and the tensors crossing each boundary between two layers.
  Block &block = fwd.getBody().front();
  DenseMap<Value, int> defIndex; // -1: the model input
  defIndex[block.getArgument(0)] = -1;
  for (Operation &op : block) {
    if (isa<ParamOp, func::ReturnOp>(op) || isFreeOp(&op))
      continue;
    for (Value r : op.getResults())
      defIndex[r] = layers.size();
    layers.push_back(&op);
  }
  unsigned n = layers.size();
  if (n == 0) {
    fwd.emitError("the model has no layers");
    return signalPassFailure();
  }
  crossing.resize(n + 1);
  auto cross = [&](Value v, unsigned user) {
    auto it = defIndex.find(v);
    if (it == defIndex.end())
      return;
    for (unsigned c = it->second + 1; c <= user; ++c)
      crossing[c].insert(v);
  };
  for (unsigned i = 0; i < n; ++i)
    for (Value v : layers[i]->getOperands())
      cross(v, i);
  for (Value v : block.getTerminator()->getOperands())
    cross(v, n);

  SmallVector<unsigned> cuts;
  if (failed(chooseCuts(fwd, cuts)))
    return signalPassFailure();
  stageCount = cuts.size() + 1;

  SmallVector<Stage> stageList(stageCount);
  for (int64_t k = 0; k < stageCount; ++k) {
    Stage &s = stageList[k];
    s.begin = k == 0 ? 0 : cuts[k - 1];
    s.end = k + 1 == stageCount ? n : cuts[k];
    s.input = k == 0 ? block.getArgument(0) : crossing[s.begin].front();
    s.output = k + 1 == stageCount ? block.getTerminator()->getOperand(0)
                                   : crossing[s.end].front();
  }
  // Every parameter belongs to the one stage that uses it.
  DenseMap<StringRef, int64_t> owner;
  for (int64_t k = 0; k < stageCount; ++k)
    for (unsigned i = stageList[k].begin; i < stageList[k].end; ++i)
      for (Value v : layers[i]->getOperands()) {
        auto p = v.getDefiningOp<ParamOp>();
        if (!p)
          continue;
        auto [it, inserted] = owner.insert({p.getName(), k});
        if (!inserted && it->second != k) {
          layers[i]->emitError()
              << "parameter '" << p.getName() << "' is used by stages "
              << it->second << " and " << k
              << "; a parameter must belong to one pipeline stage (move the "
                 "cut)";
          return signalPassFailure();
        }
      }
  for (auto &kv : params) {
    auto it = owner.find(kv.first);
    if (it == owner.end()) {
      fwd.emitError() << "parameter '" << kv.first
                      << "' does not influence the loss";
      return signalPassFailure();
    }
    stageList[it->second].params.push_back(paramIndex[kv.first]);
  }

  for (int64_t k = 0; k < stageCount; ++k)
    if (failed(buildStage(k, stageList[k])))
      return signalPassFailure();
  fwd.erase();
}

LogicalResult DLGeneratePipelineTrainingPass::buildStage(unsigned k,
                                                         Stage &stage) {
  MLIRContext *ctx = &getContext();
  Location loc = fwd.getLoc();
  bool last = k + 1 == stageCount, first = k == 0;
  auto f32 = Float32Type::get(ctx);
  auto scalar = RankedTensorType::get({1}, f32);
  auto inType = cast<RankedTensorType>(stage.input.getType());
  int64_t microBatchSize = logitsType.getDimSize(0);
  std::string prefix = (fwd.getSymName() + "_stage" + Twine(k) + "_").str();
  SmallVector<RankedTensorType> paramTypes;
  SmallVector<StringRef> paramNames;
  for (int64_t i : stage.params) {
    auto &kv = *(params.begin() + i);
    paramNames.push_back(kv.first);
    paramTypes.push_back(kv.second);
  }
  unsigned numParams = paramTypes.size();
  OpBuilder mb(fwd);

  auto info = [&](StringRef role) {
    NamedAttrList list;
    list.set("stage", mb.getI64IntegerAttr(k));
    list.set("stages", mb.getI64IntegerAttr(stageCount));
    list.set("role", mb.getStringAttr(role));
    list.set("layers", mb.getDenseI64ArrayAttr(
                           {int64_t(stage.begin), int64_t(stage.end)}));
    list.set("param_indices", mb.getDenseI64ArrayAttr(stage.params));
    list.set("micro_batch", mb.getI64IntegerAttr(microBatchSize));
    list.set("micro_batches", mb.getI64IntegerAttr(microBatches));
    list.set("classes", mb.getI64IntegerAttr(logitsType.getDimSize(1)));
    list.set("optimizer", mb.getStringAttr(optimizer));
    list.set("states_per_param", mb.getI64IntegerAttr(opt.statesPerParam()));
    return list.getDictionary(ctx);
  };
  auto nameParams = [&](func::FuncOp f, unsigned firstArg, StringRef key,
                        StringRef suffix) {
    for (unsigned j = 0; j < numParams; ++j)
      f.setArgAttr(firstArg + j, key,
                   mb.getStringAttr((paramNames[j] + suffix).str()));
  };

  //===--- Forward: (in, [targets], params...) -> (out | loss, logits) ----===//
  SmallVector<Type> fwdArgs = {inType};
  if (last)
    fwdArgs.push_back(logitsType);
  unsigned fwdParam0 = fwdArgs.size();
  fwdArgs.append(paramTypes.begin(), paramTypes.end());
  auto fwdFn = mb.create<func::FuncOp>(loc, prefix + "forward",
                                       FunctionType::get(ctx, fwdArgs, {}));
  Block *fb = fwdFn.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockEnd(fb);
  IRMapping map;
  map.map(stage.input, fb->getArgument(0));
  Block &src = fwd.getBody().front();
  for (Operation &op : src)
    if (auto p = dyn_cast<ParamOp>(op)) {
      auto it = llvm::find(stage.params, paramIndex[p.getName()]);
      if (it != stage.params.end())
        map.map(p.getResult(),
                fb->getArgument(fwdParam0 + (it - stage.params.begin())));
    } else if (isFreeOp(&op)) {
      b.clone(op, map);
    }
  SmallVector<Operation *> fwdOps;
  for (unsigned i = stage.begin; i < stage.end; ++i)
    fwdOps.push_back(b.clone(*layers[i], map));
  SmallVector<Value> fwdResults;
  if (last) {
    Value logits = map.lookup(stage.output);
    fwdResults.push_back(b.create<SoftmaxCrossEntropyOp>(loc, scalar, logits,
                                                         fb->getArgument(1)));
    fwdResults.push_back(logits);
  } else {
    fwdResults.push_back(map.lookup(stage.output));
  }
  unsigned numPrimary = fwdResults.size();

  //===--- Backward, on a copy of the forward
  //------------------------------===//
  auto bwdFn = mb.create<func::FuncOp>(loc, prefix + "backward",
                                       FunctionType::get(ctx, fwdArgs, {}));
  Block *bb = bwdFn.addEntryBlock();
  b.setInsertionPointToEnd(bb);
  IRMapping copy; // forward function -> its copy in the backward function
  for (auto [fa, ba] : llvm::zip(fb->getArguments(), bb->getArguments()))
    copy.map(fa, ba);
  DenseMap<Value, Value> original; // the inverse of `copy`
  for (auto [fa, ba] : llvm::zip(fb->getArguments(), bb->getArguments()))
    original[ba] = fa;
  SmallVector<Operation *> copied;
  DenseMap<Operation *, Operation *> copyOf; // forward op -> its copy
  DenseSet<Value> requiresGrad;
  if (!first)
    requiresGrad.insert(bb->getArgument(0));
  auto isParamArg = [&](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getOwner() == bb && arg.getArgNumber() >= fwdParam0 &&
           arg.getArgNumber() < fwdParam0 + numParams;
  };
  for (Operation &op : *fb) {
    Operation *c = b.clone(op, copy);
    copied.push_back(c);
    copyOf[&op] = c;
    for (auto [fr, br] : llvm::zip(op.getResults(), c->getResults()))
      original[br] = fr;
    if (llvm::any_of(c->getOperands(), [&](Value v) {
          return isParamArg(v) || requiresGrad.contains(v);
        }))
      for (Value r : c->getResults())
        requiresGrad.insert(r);
  }
  unsigned firstBackwardOp = copied.size();
  DenseMap<Value, Value> grads;
  BlockArgument dout;
  if (last) {
    Value logits = copy.lookup(fwdResults[1]);
    float scale = 1.0f / static_cast<float>(microBatchSize * microBatches);
    grads[logits] = b.create<SoftmaxCrossEntropyBackwardOp>(
        loc, logitsType, logits, bb->getArgument(1), b.getF32FloatAttr(scale));
  } else {
    dout = bb->addArgument(fwdResults[0].getType(), loc);
    grads[copy.lookup(fwdResults[0])] = dout;
  }
  for (unsigned i = fwdOps.size(); i-- > 0;) {
    Operation *op = copyOf.lookup(fwdOps[i]);
    if (failed(addOperandGradients(
            b, op,
            [&](Value v) { return isParamArg(v) || requiresGrad.contains(v); },
            grads)))
      return failure();
  }
  SmallVector<Value> bwdResults;
  if (!first) {
    Value din = grads.lookup(bb->getArgument(0));
    if (!din)
      return layers[stage.begin]->emitError()
             << "the loss does not depend on the input of stage " << k;
    bwdResults.push_back(din);
  }
  for (unsigned j = 0; j < numParams; ++j) {
    Value g = grads.lookup(bb->getArgument(fwdParam0 + j));
    if (!g)
      return fwd.emitError() << "parameter '" << paramNames[j]
                             << "' does not influence the loss";
    bwdResults.push_back(g);
  }
  b.create<func::ReturnOp>(loc, bwdResults);

  // The forward values the backward ops read become saved values: results
  // of the forward function and arguments of the backward function.
  DenseSet<Operation *> backwardOps;
  for (Operation &op : llvm::drop_begin(*bb, firstBackwardOp))
    backwardOps.insert(&op);
  auto usedByBackward = [&](Value v) {
    return llvm::any_of(v.getUsers(),
                        [&](Operation *u) { return backwardOps.contains(u); });
  };
  SmallVector<Value> candidates(bb->getArguments().take_front(fwdParam0));
  for (Operation *op : copied)
    llvm::append_range(candidates, op->getResults());
  for (Value v : candidates) {
    if (!usedByBackward(v))
      continue;
    BlockArgument saved = bb->addArgument(v.getType(), v.getLoc());
    v.replaceUsesWithIf(saved, [&](OpOperand &use) {
      return backwardOps.contains(use.getOwner());
    });
    fwdResults.push_back(original.lookup(v));
  }
  for (Operation *op : llvm::reverse(copied)) {
    if (!op->use_empty())
      return op->emitError("internal error: forward value of the backward "
                           "function still used");
    op->erase();
  }
  llvm::BitVector erase(bb->getNumArguments());
  erase.set(0, fwdParam0);
  bb->eraseArguments(erase);
  bwdFn.setFunctionType(FunctionType::get(ctx, bb->getArgumentTypes(),
                                          TypeRange(ValueRange(bwdResults))));
  nameParams(bwdFn, 0, "dl.param", "");
  if (!last)
    bwdFn.setArgAttr(numParams, "dl.input", mb.getStringAttr("dout"));
  for (unsigned a = numParams + (last ? 0 : 1); a < bb->getNumArguments(); ++a)
    bwdFn.setArgAttr(a, "dl.input", mb.getStringAttr("saved"));
  bwdFn->setAttr(kPipelineAttrName, info("backward"));

  b.setInsertionPointToEnd(fb);
  b.create<func::ReturnOp>(loc, fwdResults);
  fwdFn.setFunctionType(FunctionType::get(ctx, fb->getArgumentTypes(),
                                          TypeRange(ValueRange(fwdResults))));
  fwdFn.setArgAttr(0, "dl.input", mb.getStringAttr(first ? "x" : "in"));
  if (last)
    fwdFn.setArgAttr(1, "dl.input", mb.getStringAttr("targets"));
  nameParams(fwdFn, fwdParam0, "dl.param", "");
  NamedAttrList fwdInfo(info("forward"));
  fwdInfo.set("primary_results", mb.getI64IntegerAttr(numPrimary));
  fwdFn->setAttr(kPipelineAttrName, fwdInfo.getDictionary(ctx));

  //===--- Update: (step, params..., grads..., states...) -> (params, states)
  int64_t spp = opt.statesPerParam();
  SmallVector<Type> upArgs = {scalar};
  upArgs.append(paramTypes.begin(), paramTypes.end());
  upArgs.append(paramTypes.begin(), paramTypes.end());
  for (RankedTensorType t : paramTypes)
    upArgs.append(spp, t);
  SmallVector<Type> upResults(upArgs.begin() + 1,
                              upArgs.begin() + 1 + numParams);
  upResults.append(upArgs.begin() + 1 + 2 * numParams, upArgs.end());
  auto upFn = mb.create<func::FuncOp>(
      loc, prefix + "update", FunctionType::get(ctx, upArgs, upResults));
  Block *ub = upFn.addEntryBlock();
  b.setInsertionPointToEnd(ub);
  SmallVector<Value> newParams, newStates;
  for (unsigned j = 0; j < numParams; ++j)
    newParams.push_back(buildUpdate(
        b, loc, opt, ub->getArgument(1 + j), ub->getArgument(1 + numParams + j),
        ub->getArguments().slice(1 + 2 * numParams + j * spp, spp),
        ub->getArgument(0), newStates));
  newParams.append(newStates);
  b.create<func::ReturnOp>(loc, newParams);
  upFn.setArgAttr(0, "dl.input", mb.getStringAttr("step"));
  nameParams(upFn, 1, "dl.param", "");
  nameParams(upFn, 1 + numParams, "dl.grad", "");
  for (unsigned j = 0; j < numParams; ++j)
    for (int64_t s = 0; s < spp; ++s)
      upFn.setArgAttr(
          1 + 2 * numParams + j * spp + s, "dl.state",
          mb.getStringAttr((paramNames[j] + "." + opt.stateName(s)).str()));
  upFn->setAttr(kPipelineAttrName, info("update"));
  return success();
}
