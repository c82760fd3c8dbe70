//===- TrainingUtils.cpp - Shared pieces of the training passes -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "passes/TrainingUtils.h"
#include "dialects/DL/DLOps.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::training;

FailureOr<func::FuncOp> mlir::dl::training::getForwardFunction(ModuleOp module,
                                                               StringRef pass) {
  SmallVector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal())
      funcs.push_back(f);
  if (funcs.size() != 1)
    return module.emitError()
           << pass << " expects exactly one function with a body, found "
           << funcs.size();
  func::FuncOp fwd = funcs.front();
  if (!fwd.getBody().hasOneBlock() || fwd.getNumArguments() != 1 ||
      fwd.getNumResults() != 1)
    return fwd.emitError()
           << pass
           << " expects a single-block function with one input and one "
              "result (the logits)";
  return fwd;
}

LogicalResult mlir::dl::training::verifyLogits(func::FuncOp func) {
  auto xType = dyn_cast<RankedTensorType>(func.getArgumentTypes()[0]);
  auto logitsType = dyn_cast<RankedTensorType>(func.getResultTypes()[0]);
  if (!xType || !logitsType || logitsType.getRank() != 2 ||
      !logitsType.hasStaticShape() || !xType.hasStaticShape())
    return func.emitError("the result must be statically shaped logits [B, C]");
  return success();
}

LogicalResult mlir::dl::training::verifyOptimizer(Operation *where,
                                                  const OptimizerConfig &opt) {
  if (opt.name == "sgd" || opt.name == "momentum" || opt.name == "adam")
    return success();
  return where->emitError() << "unknown optimizer '" << opt.name
                            << "' (expected sgd, momentum or adam)";
}

LogicalResult mlir::dl::training::collectParams(
    Block &block, llvm::MapVector<StringRef, RankedTensorType> &params) {
  for (auto p : block.getOps<ParamOp>()) {
    if (p.getValueAttr())
      return p.emitError() << "parameter '" << p.getName()
                           << "' has an inline value; training needs "
                              "parameters from the weight store";
    auto type = cast<RankedTensorType>(p.getType());
    auto [it, inserted] = params.insert({p.getName(), type});
    if (!inserted && it->second != type)
      return p.emitError() << "parameter '" << p.getName()
                           << "' is used with two types";
  }
  return success();
}

LogicalResult mlir::dl::training::rewriteBatch(func::FuncOp func,
                                               int64_t newBatch) {
  Block &block = func.getBody().front();
  BlockArgument x = block.getArgument(0);
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t oldBatch = xType.getDimSize(0);
  if (oldBatch == newBatch)
    return success();
  auto withBatch = [&](Value v) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(t.getShape());
    shape[0] = newBatch;
    v.setType(RankedTensorType::get(shape, t.getElementType()));
  };
  DenseSet<Value> activations = {x};
  withBatch(x);
  for (Operation &op : block) {
    if (isa<func::ReturnOp>(op))
      continue;
    if (llvm::none_of(op.getOperands(),
                      [&](Value v) { return activations.contains(v); }))
      continue;
    for (Value r : op.getResults()) {
      auto t = dyn_cast<RankedTensorType>(r.getType());
      if (!t || t.getRank() == 0 || t.getDimSize(0) != oldBatch)
        return op.emitError()
               << "cannot change the batch size: result " << r.getType()
               << " does not start with batch " << oldBatch;
      withBatch(r);
      activations.insert(r);
    }
  }
  func.setFunctionType(
      FunctionType::get(func.getContext(), block.getArgumentTypes(),
                        block.getTerminator()->getOperandTypes()));
  return success();
}

LogicalResult
mlir::dl::training::addOperandGradients(OpBuilder &b, Operation *op,
                                        function_ref<bool(Value)> needsGrad,
                                        DenseMap<Value, Value> &grads) {
  Value rg =
      op->getNumResults() == 1 ? grads.lookup(op->getResult(0)) : Value();
  if (!rg)
    return success();
  SmallVector<bool> needed;
  for (Value v : op->getOperands())
    needed.push_back(needsGrad(v));
  if (llvm::none_of(needed, [](bool n) { return n; }))
    return success();
  auto gradOp = dyn_cast<GradientOpInterface>(op);
  if (!gradOp)
    return op->emitError() << "'" << op->getName()
                           << "' has no gradient (GradientOpInterface)";
  SmallVector<Value> operandGrads;
  if (failed(gradOp.buildGradient(b, rg, needed, operandGrads)))
    return failure();
  for (auto [v, g] : llvm::zip(op->getOperands(), operandGrads)) {
    if (!g)
      continue;
    Value &acc = grads[v];
    acc = acc ? b.create<AddOp>(op->getLoc(), g.getType(), acc, g).getResult()
              : g;
  }
  return success();
}

Value mlir::dl::training::buildUpdate(OpBuilder &b, Location loc,
                                      const OptimizerConfig &opt, Value param,
                                      Value grad, ValueRange states, Value step,
                                      SmallVectorImpl<Value> &newStates) {
  Type t = param.getType();
  if (opt.isAdam()) {
    auto up = b.create<AdamUpdateOp>(
        loc, TypeRange{t, t, t}, param, grad, states[0], states[1], step,
        b.getF32FloatAttr(opt.lr), b.getF32FloatAttr(opt.beta1),
        b.getF32FloatAttr(opt.beta2), b.getF32FloatAttr(opt.epsilon));
    newStates.append({up.getNewM(), up.getNewV()});
    return up.getNewParam();
  }
  float mom = opt.name == "momentum" ? opt.momentum : 0.0;
  auto up = b.create<SGDUpdateOp>(
      loc, TypeRange{t, t}, param, grad, states[0], b.getF32FloatAttr(opt.lr),
      b.getF32FloatAttr(mom), b.getF32FloatAttr(opt.weightDecay));
  newStates.push_back(up.getNewVelocity());
  return up.getNewParam();
}
