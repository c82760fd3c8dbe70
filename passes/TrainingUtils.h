//===- TrainingUtils.h - Shared pieces of the training passes ---*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// What dl-generate-training and dl-generate-pipeline-training share: the
// parameters of a forward function, batch rewriting, one backward step
// through GradientOpInterface and the optimizer update of one parameter
// (docs/training.md).
//
//===----------------------------------------------------------------------===//

#ifndef DL_PASSES_TRAININGUTILS_H
#define DL_PASSES_TRAININGUTILS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"

#include <string>

namespace mlir::dl::training {

/// The attribute of the stage functions of pipeline training
/// (dl-generate-pipeline-training): a dictionary with the stage, the
/// number of stages, the role (forward, backward, update) and what the
/// program emitter needs (docs/training.md).
inline constexpr llvm::StringLiteral kPipelineAttrName = "dl.pipeline";

/// The optimizer options of the training passes.
struct OptimizerConfig {
  std::string name; // sgd, momentum or adam
  double lr = 0.01, momentum = 0.9, weightDecay = 0.0, beta1 = 0.9,
         beta2 = 0.999, epsilon = 1e-8;

  bool isAdam() const { return name == "adam"; }
  /// 2 for Adam (m, v), 1 otherwise (the velocity).
  int64_t statesPerParam() const { return isAdam() ? 2 : 1; }
  /// The suffix of state `s` ("velocity", "m" or "v").
  StringRef stateName(int64_t s) const {
    return isAdam() ? (s == 0 ? "m" : "v") : "velocity";
  }
};

/// The module's one function with a body, which must have a single block,
/// one input and one result (the logits); errors name `pass`.
FailureOr<func::FuncOp> getForwardFunction(ModuleOp module, StringRef pass);

/// Fails with an error unless the function's input is statically shaped
/// and its result is statically shaped logits `[B, C]`.
LogicalResult verifyLogits(func::FuncOp func);

/// Fails with an error at `where` unless `opt.name` is a known optimizer.
LogicalResult verifyOptimizer(Operation *where, const OptimizerConfig &opt);

/// The `dl.param` ops of `block` by name, in first-use order, with their
/// types. Fails with an error on a parameter with an inline value or used
/// with two types.
LogicalResult
collectParams(Block &block,
              llvm::MapVector<StringRef, RankedTensorType> &params);

/// Sets dim 0 of the input and of every activation derived from it to
/// `newBatch` (parameters keep their types).
LogicalResult rewriteBatch(func::FuncOp func, int64_t newBatch);

/// Given the gradient of `op`'s result in `grads`, builds the gradients of
/// the operands for which `needsGrad` holds (GradientOpInterface) and adds
/// each to `grads` (summing with dl.add when a value already has one).
/// Does nothing when the result has no gradient.
LogicalResult addOperandGradients(OpBuilder &b, Operation *op,
                                  function_ref<bool(Value)> needsGrad,
                                  DenseMap<Value, Value> &grads);

/// One optimizer op updating `param` with `grad`: returns the new
/// parameter and appends the new states (statesPerParam of them). `states`
/// are the current states, `step` the 1-based step (`tensor<1xf32>`, Adam).
Value buildUpdate(OpBuilder &b, Location loc, const OptimizerConfig &opt,
                  Value param, Value grad, ValueRange states, Value step,
                  SmallVectorImpl<Value> &newStates);

} // namespace mlir::dl::training

#endif // DL_PASSES_TRAININGUTILS_H
