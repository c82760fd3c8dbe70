//===- GenerateTraining.cpp - Build a training-step function ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl-generate-training: forward, softmax cross-entropy
// loss, backward through each layer's GradientOpInterface, bucketed
// gradient all-reduce for data parallelism and the optimizer updates, as
// one function (docs/training.md).
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "passes/Passes.h"
#include "passes/Train/SplitPairs.h"
#include "passes/TrainingUtils.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::dl {
#define GEN_PASS_DEF_DLGENERATETRAINING
#include "passes/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::training;

namespace {

/// The parameters of the forward function, by name in first-use order.
struct Param {
  std::string name;
  RankedTensorType type;
  BlockArgument arg;
  /// Index (in forward order) of the first op that uses it.
  unsigned firstUse = ~0u;
  Value grad;
  /// A batch norm's running mean or variance: not optimized; the step
  /// returns `newValue` (from dl.batch_norm_running_stats) and passes its
  /// optimizer states through unchanged.
  bool runningStat = false;
  Value newValue;
  /// The optimizer's results: the new parameter, then the new states.
  SmallVector<Value> updated;
};

/// A bucket whose all-reduce was started (overlap-comm) but not waited.
struct StartedBucket {
  SmallVector<Param *> params;
  /// The dl.all_reduce_start result (flat unless one parameter).
  Value started;
};

/// PyTorch's default momentum of the running statistics.
constexpr float kBatchNormMomentum = 0.1f;

struct DLGenerateTrainingPass
    : public dl::impl::DLGenerateTrainingBase<DLGenerateTrainingPass> {
  using DLGenerateTrainingBase::DLGenerateTrainingBase;

  void runOnOperation() override;

private:
  void flushBucket(OpBuilder &b, Location loc,
                   SmallVectorImpl<Param *> &bucket);
  /// Sets each parameter's `grad` to its slice of the bucket sum `sum`.
  static void unpackBucket(OpBuilder &b, Location loc, ArrayRef<Param *> bucket,
                           Value sum);

  SmallVector<StartedBucket> started;
};

} // namespace

/// Sums the gradients of `bucket` over the data-parallel ranks with one
/// all-reduce (flattened and concatenated when several). Blocking: the
/// results go to each parameter's `grad` right away. With overlap-comm
/// the all-reduce is only started; the bucket is recorded in `started`
/// and waited for just before its optimizer updates.
void DLGenerateTrainingPass::flushBucket(OpBuilder &b, Location loc,
                                         SmallVectorImpl<Param *> &bucket) {
  if (bucket.empty())
    return;
  SmallVector<int64_t> group;
  for (int64_t r = 0; r < dataParallel; ++r)
    group.push_back(r);
  auto groupAttr = b.getDenseI64ArrayAttr(group);
  Value in;
  if (bucket.size() == 1) {
    in = bucket.front()->grad;
  } else {
    SmallVector<Value> flat;
    int64_t total = 0;
    for (Param *p : bucket) {
      int64_t n = p->type.getNumElements();
      flat.push_back(b.create<ReshapeOp>(
          loc, RankedTensorType::get({n}, b.getF32Type()), p->grad));
      total += n;
    }
    auto flatType = RankedTensorType::get({total}, b.getF32Type());
    in = b.create<ConcatOp>(loc, flatType, flat, b.getI64IntegerAttr(0));
  }
  if (overlapComm) {
    Value h = b.create<AllReduceStartOp>(loc, in.getType(), in, groupAttr);
    started.push_back({SmallVector<Param *>(bucket.begin(), bucket.end()), h});
  } else {
    Value sum = b.create<AllReduceOp>(loc, in.getType(), in, groupAttr);
    unpackBucket(b, loc, bucket, sum);
  }
  bucket.clear();
}

void DLGenerateTrainingPass::unpackBucket(OpBuilder &b, Location loc,
                                          ArrayRef<Param *> bucket, Value sum) {
  if (bucket.size() == 1) {
    bucket.front()->grad = sum;
    return;
  }
  int64_t offset = 0;
  for (Param *p : bucket) {
    int64_t n = p->type.getNumElements();
    Value slice = b.create<tensor::ExtractSliceOp>(
        loc, sum, ArrayRef<OpFoldResult>{b.getIndexAttr(offset)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(n)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    p->grad = b.create<ReshapeOp>(loc, p->type, slice);
    offset += n;
  }
}

void DLGenerateTrainingPass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<func::FuncOp> found =
      getForwardFunction(module, "dl-generate-training");
  if (failed(found))
    return signalPassFailure();
  func::FuncOp fwd = *found;
  OptimizerConfig opt{optimizer, lr,    momentum, weightDecay,
                      beta1,     beta2, epsilon};
  if (failed(verifyOptimizer(fwd, opt)))
    return signalPassFailure();
  if (dataParallel < 1 || bucketElements < 1 || batch < 0 ||
      tensorParallel < 1) {
    fwd.emitError("data-parallel, tensor-parallel and bucket-elements must "
                  "be positive and batch non-negative");
    return signalPassFailure();
  }
  if (tensorParallel > 1 && (dataParallel > 1 || gradientsOnly)) {
    fwd.emitError("tensor-parallel combines with neither data-parallel nor "
                  "gradients-only yet");
    return signalPassFailure();
  }
  if (batch > 0 && failed(rewriteBatch(fwd, batch)))
    return signalPassFailure();
  llvm::StringMap<train::ParamSplit> splits;
  llvm::DenseSet<Operation *> outputSplit;
  if (tensorParallel > 1 &&
      failed(train::splitLayerPairs(fwd, tensorParallel, splits, outputSplit)))
    return signalPassFailure();

  if (failed(verifyLogits(fwd)))
    return signalPassFailure();
  auto xType = cast<RankedTensorType>(fwd.getArgumentTypes()[0]);
  auto logitsType = cast<RankedTensorType>(fwd.getResultTypes()[0]);
  int64_t localBatch = logitsType.getDimSize(0);
  int64_t classes = logitsType.getDimSize(1);
  Block &fwdBlock = fwd.getBody().front();

  // Parameters in first-use order.
  llvm::MapVector<StringRef, RankedTensorType> paramTypes;
  if (failed(collectParams(fwdBlock, paramTypes)))
    return signalPassFailure();
  llvm::MapVector<StringRef, Param> params;
  for (auto &[name, type] : paramTypes) {
    Param &p = params[name];
    p.name = name.str();
    p.type = type;
  }
  if (params.empty()) {
    fwd.emitError("the model has no parameters to train");
    return signalPassFailure();
  }

  int64_t statesPerParam = opt.statesPerParam();
  // States in the step's arguments and results (none when it returns the
  // gradients).
  int64_t stepStates = gradientsOnly ? 0 : statesPerParam;
  // Arguments before the parameters: x, targets and (when the step updates
  // the parameters) the optimizer step.
  unsigned firstParam = gradientsOnly ? 2 : 3;
  MLIRContext *ctx = &getContext();
  auto f32 = Float32Type::get(ctx);
  auto scalar = RankedTensorType::get({1}, f32);
  SmallVector<Type> argTypes = {xType, logitsType};
  if (!gradientsOnly)
    argTypes.push_back(scalar);
  for (auto &kv : params)
    argTypes.push_back(kv.second.type);
  for (auto &kv : params)
    for (int64_t s = 0; s < stepStates; ++s)
      argTypes.push_back(kv.second.type);
  SmallVector<Type> resultTypes = {scalar, logitsType};
  resultTypes.append(argTypes.begin() + firstParam, argTypes.end());

  OpBuilder mb(module.getBodyRegion());
  mb.setInsertionPoint(fwd);
  Location loc = fwd.getLoc();
  auto step = mb.create<func::FuncOp>(
      loc,
      (fwd.getSymName() + (gradientsOnly ? "_grad_step" : "_train_step")).str(),
      FunctionType::get(ctx, argTypes, resultTypes));
  Block *block = step.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockEnd(block);

  // Argument names for readers of the IR and the emitted program.
  auto setArg = [&](unsigned i, StringRef key, StringRef value) {
    step.setArgAttr(i, key, b.getStringAttr(value));
  };
  setArg(0, "dl.input", "x");
  setArg(1, "dl.input", "targets");
  if (!gradientsOnly)
    setArg(2, "dl.input", "step");
  unsigned argIndex = firstParam;
  for (auto &kv : params) {
    kv.second.arg = block->getArgument(argIndex);
    if (auto split = splits.find(kv.second.name); split != splits.end()) {
      const train::ParamSplit &ps = split->second;
      if (ps.rank0Only)
        step.setArgAttr(argIndex, "dl.rank0_only", b.getUnitAttr());
      if (ps.dim >= 0)
        step.setArgAttr(argIndex, "dl.split_dim", b.getI64IntegerAttr(ps.dim));
      step.setArgAttr(argIndex, "dl.split_parts",
                      b.getI64IntegerAttr(ps.parts));
    }
    setArg(argIndex++, "dl.param", kv.second.name);
  }
  for (auto &kv : params)
    for (int64_t s = 0; s < stepStates; ++s)
      setArg(argIndex++, "dl.state",
             kv.second.name + "." + opt.stateName(s).str());

  // Initialized to ones without --init: batch norm scales and running
  // variances (as in PyTorch).
  for (auto bn : fwdBlock.getOps<BatchNormOp>())
    for (Value v : {bn.getScale(), bn.getVariance()})
      if (auto p = v.getDefiningOp<ParamOp>())
        step.setArgAttr(params[p.getName()].arg.getArgNumber(), "dl.init_ones",
                        b.getUnitAttr());

  // Forward: the original ops with parameters replaced by arguments; a
  // batch norm becomes its training form (batch statistics) and the update
  // of its running statistics.
  IRMapping map;
  auto paramOf = [&](Value v) -> Param * {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != block || arg.getArgNumber() < firstParam)
      return nullptr;
    for (auto &kv : params)
      if (kv.second.arg == arg)
        return &kv.second;
    return nullptr;
  };
  auto trainingForm = [&](BatchNormOp bn) -> FailureOr<Operation *> {
    Value x = map.lookup(bn.getInput());
    Param *stats[2] = {paramOf(map.lookup(bn.getMean())),
                       paramOf(map.lookup(bn.getVariance()))};
    for (Param *p : stats)
      if (!p || p->runningStat || p->firstUse != ~0u)
        return bn.emitError("training needs the running mean and variance "
                            "of a batch norm to be parameters used by it "
                            "only");
    if (gradientsOnly)
      return bn.emitError("gradients-only steps do not update batch norm "
                          "running statistics yet");
    auto stats2 = b.create<BatchNormRunningStatsOp>(
        bn.getLoc(), TypeRange{stats[0]->type, stats[1]->type}, x,
        stats[0]->arg, stats[1]->arg, b.getF32FloatAttr(kBatchNormMomentum));
    stats[0]->runningStat = stats[1]->runningStat = true;
    stats[0]->newValue = stats2.getNewMean();
    stats[1]->newValue = stats2.getNewVariance();
    Operation *train = b.create<BatchNormTrainOp>(
        bn.getLoc(), bn.getType(), x, map.lookup(bn.getScale()),
        map.lookup(bn.getBias()), bn.getEpsilonAttr());
    map.map(bn.getResult(), train->getResult(0));
    return train;
  };
  map.map(fwdBlock.getArgument(0), block->getArgument(0));
  SmallVector<Operation *> forward;
  DenseSet<Value> requiresGrad;
  for (Operation &op : fwdBlock) {
    if (auto p = dyn_cast<ParamOp>(op)) {
      map.map(p.getResult(), params[p.getName()].arg);
      continue;
    }
    if (isa<func::ReturnOp>(op))
      continue;
    Operation *clone;
    if (auto bn = dyn_cast<BatchNormOp>(op)) {
      FailureOr<Operation *> train = trainingForm(bn);
      if (failed(train))
        return signalPassFailure();
      clone = *train;
    } else {
      clone = b.clone(op, map);
    }
    for (Value v : clone->getOperands())
      if (Param *p = paramOf(v); p && p->runningStat) {
        op.emitError() << "running statistic '" << p->name
                       << "' of a batch norm is used by another op";
        return signalPassFailure();
      }
    if (outputSplit.contains(&op))
      outputSplit.insert(clone);
    unsigned index = forward.size();
    forward.push_back(clone);
    for (Value v : clone->getOperands()) {
      if (auto arg = dyn_cast<BlockArgument>(v);
          arg && arg.getArgNumber() >= firstParam)
        for (auto &kv : params)
          if (kv.second.arg == arg && kv.second.firstUse == ~0u)
            kv.second.firstUse = index;
    }
    if (llvm::any_of(clone->getOperands(), [&](Value v) {
          auto arg = dyn_cast<BlockArgument>(v);
          return (arg && arg.getArgNumber() >= firstParam) ||
                 requiresGrad.contains(v);
        }))
      for (Value r : clone->getResults())
        requiresGrad.insert(r);
  }
  Value logits = map.lookup(fwdBlock.getTerminator()->getOperand(0));
  Value targets = block->getArgument(1);

  // Loss and its gradient.
  Value loss = b.create<SoftmaxCrossEntropyOp>(loc, scalar, logits, targets);
  float scale = 1.0f / static_cast<float>(localBatch * dataParallel);
  DenseMap<Value, Value> grads;
  grads[logits] = b.create<SoftmaxCrossEntropyBackwardOp>(
      loc, logitsType, logits, targets, b.getF32FloatAttr(scale));

  // Backward, in reverse; each parameter's gradient is final after the
  // op of its first use.
  auto isParamArg = [&](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getArgNumber() >= firstParam;
  };
  SmallVector<int64_t> splitGroup =
      llvm::to_vector(llvm::seq<int64_t>(0, tensorParallel));
  auto needsGrad = [&](Value v) {
    return isParamArg(v) || requiresGrad.contains(v);
  };
  // The operand gradients of `op`. An output-split layer's input gradient
  // is the sum over the ranks of the parts of their channels: its
  // contribution is all-reduced before it joins the input's other uses'.
  auto backward = [&](Operation *op) -> LogicalResult {
    if (!outputSplit.contains(op))
      return addOperandGradients(b, op, needsGrad, grads);
    Value input = op->getOperand(0);
    Value earlier = grads.lookup(input);
    grads.erase(input);
    if (failed(addOperandGradients(b, op, needsGrad, grads)))
      return failure();
    Value part = grads.lookup(input);
    if (!part) {
      if (earlier)
        grads[input] = earlier;
      return success();
    }
    Value sum = b.create<AllReduceOp>(op->getLoc(), part.getType(), part,
                                      b.getDenseI64ArrayAttr(splitGroup));
    grads[input] =
        earlier ? b.create<AddOp>(op->getLoc(), sum.getType(), earlier, sum)
                      .getResult()
                : sum;
    return success();
  };
  SmallVector<Param *> bucket;
  int64_t bucketSize = 0;
  for (unsigned i = forward.size(); i-- > 0;) {
    Operation *op = forward[i];
    b.setInsertionPointToEnd(block);
    if (isa<AllReduceOp>(op)) {
      // The partial sums of an input-split layer: the loss is the same on
      // every rank, so each partial sum's gradient is the result's.
      if (Value rg = grads.lookup(op->getResult(0)))
        grads[op->getOperand(0)] = rg;
    } else if (failed(backward(op))) {
      return signalPassFailure();
    }
    for (auto &kv : params) {
      Param &p = kv.second;
      if (p.firstUse != i)
        continue;
      p.grad = grads.lookup(p.arg);
      if (!p.grad) {
        fwd.emitError() << "parameter '" << p.name
                        << "' does not influence the loss";
        return signalPassFailure();
      }
      if (dataParallel == 1 || gradientsOnly)
        continue;
      bucket.push_back(&p);
      bucketSize += p.type.getNumElements();
      if (bucketSize >= bucketElements) {
        flushBucket(b, loc, bucket);
        bucketSize = 0;
      }
    }
  }
  flushBucket(b, loc, bucket);

  // Optimizer updates (or the gradients). The state arguments of
  // parameter i start at firstParam + #params + i * statesPerParam.
  Value stepArg = gradientsOnly ? Value() : block->getArgument(2);
  DenseMap<Param *, unsigned> stateArgOf;
  for (auto [i, kv] : llvm::enumerate(params))
    stateArgOf[&kv.second] = firstParam + params.size() + i * statesPerParam;
  auto update = [&](Param &p) {
    if (p.runningStat) {
      // Not optimized: the new running statistic, the states unchanged.
      ValueRange states = block->getArguments().slice(stateArgOf.lookup(&p),
                                                      statesPerParam);
      p.updated = {p.newValue};
      p.updated.append(states.begin(), states.end());
      return;
    }
    if (gradientsOnly) {
      p.updated = {p.grad};
      return;
    }
    SmallVector<Value> newStates;
    Value newParam = buildUpdate(
        b, loc, opt, p.arg, p.grad,
        block->getArguments().slice(stateArgOf.lookup(&p), statesPerParam),
        stepArg, newStates);
    p.updated = {newParam};
    p.updated.append(newStates);
  };
  // Started buckets: in start order, wait for each just before the
  // updates of its parameters (the first started is the first done, and
  // the later ones keep progressing meanwhile).
  for (StartedBucket &sb : started) {
    Value sum =
        b.create<AllReduceWaitOp>(loc, sb.started.getType(), sb.started);
    unpackBucket(b, loc, sb.params, sum);
    for (Param *p : sb.params)
      update(*p);
  }
  started.clear();
  // The others (blocking all-reduces, or one rank) in argument order.
  for (auto &kv : params)
    if (kv.second.updated.empty())
      update(kv.second);
  SmallVector<Value> results = {loss, logits}, newStates;
  for (auto &kv : params) {
    results.push_back(kv.second.updated.front());
    newStates.append(std::next(kv.second.updated.begin()),
                     kv.second.updated.end());
  }
  results.append(newStates);
  b.create<func::ReturnOp>(loc, results);

  NamedAttrList info;
  info.set("optimizer", b.getStringAttr(optimizer));
  info.set("states_per_param", b.getI64IntegerAttr(statesPerParam));
  info.set("data_parallel", b.getI64IntegerAttr(dataParallel));
  info.set("batch", b.getI64IntegerAttr(localBatch));
  info.set("classes", b.getI64IntegerAttr(classes));
  info.set("params", b.getI64IntegerAttr(params.size()));
  info.set("gradients_only", b.getBoolAttr(gradientsOnly));
  info.set("tensor_parallel", b.getI64IntegerAttr(tensorParallel));
  info.set("lr", b.getF32FloatAttr(lr));
  info.set("momentum",
           b.getF32FloatAttr(optimizer == "momentum" ? momentum : 0.0));
  info.set("weight_decay", b.getF32FloatAttr(weightDecay));
  info.set("beta1", b.getF32FloatAttr(beta1));
  info.set("beta2", b.getF32FloatAttr(beta2));
  info.set("epsilon", b.getF32FloatAttr(epsilon));
  step->setAttr(DLDialect::kTrainAttrName, info.getDictionary(ctx));
  fwd.erase();
}
