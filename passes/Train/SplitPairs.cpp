//===- SplitPairs.cpp - Intra-layer (m) splits for training -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Output/input channel pairs of conv and dense layers (the Megatron pairs of
// docs/choosing-schemes.md's `dense-pair`, extended to convolutions) as a
// rewrite of the forward function before dl-generate-training
// differentiates it. Every rank runs the same function on its own slices of
// the pair's weights:
//
//   A (output split): y_r = act(x W_A[r]^T + b_A[r])    local channels
//   chain (ReLU, pooling, flatten)                      channel by channel
//   B (input split):  z   = all_reduce_r(y_r W_B[:, r]^T + [r = 0] b_B)
//                     then B's ReLU
//
// The backward then needs exactly one more reduction per pair: the
// gradient of A's input is a partial sum over the ranks (built by
// dl-generate-training), while the all-reduce passes its result gradient,
// the same on every rank, to each partial sum unchanged.
//
//===----------------------------------------------------------------------===//

#include "passes/Train/SplitPairs.h"
#include "dialects/DL/DLOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::train;

namespace {

/// Whether `op` is a layer this rewrite splits: dense, or conv with one
/// group; its weight and bias (if any) are parameters used by it alone.
bool splittable(Operation *op) {
  Value weight, bias;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    if (conv.getGroups() != 1)
      return false;
    weight = conv.getWeight();
    bias = conv.getBias();
  } else if (auto dense = dyn_cast<DenseOp>(op)) {
    weight = dense.getWeight();
    bias = dense.getBias();
  } else {
    return false;
  }
  for (Value v : {weight, bias})
    if (v && (!v.getDefiningOp<ParamOp>() || !v.hasOneUse()))
      return false;
  return true;
}

Value weightOf(Operation *op) { return op->getOperand(1); }
Value biasOf(Operation *op) {
  return op->getNumOperands() > 2 ? op->getOperand(2) : Value();
}

Activation activationOf(Operation *op) {
  if (auto conv = dyn_cast<Conv2DOp>(op))
    return conv.getActivation();
  return cast<DenseOp>(op).getActivation();
}

/// Divides dim `dim` of `v`'s type by `parts`.
void shrink(Value v, unsigned dim, int64_t parts) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(t.getShape());
  shape[dim] /= parts;
  v.setType(RankedTensorType::get(shape, t.getElementType()));
}

int64_t dimOf(Value v, unsigned dim) {
  return cast<RankedTensorType>(v.getType()).getDimSize(dim);
}

/// The layer B that A's result reaches through single-use ReLU, pooling
/// and flatten (axis 1) ops, which are collected in `chain`; null if none.
Operation *pairedLayer(Operation *a, SmallVectorImpl<Operation *> &chain) {
  Value v = a->getResult(0);
  while (v.hasOneUse()) {
    Operation *user = *v.getUsers().begin();
    if (splittable(user) && user->getOperand(0) == v)
      return user;
    auto flatten = dyn_cast<FlattenOp>(user);
    if (!isa<ReluOp, Pool2DOp>(user) && !(flatten && flatten.getAxis() == 1))
      return nullptr;
    chain.push_back(user);
    v = user->getResult(0);
  }
  return nullptr;
}

} // namespace

LogicalResult
mlir::dl::train::splitLayerPairs(func::FuncOp fwd, int64_t parts,
                                 llvm::StringMap<ParamSplit> &splits,
                                 llvm::DenseSet<Operation *> &outputSplit) {
  Block &block = fwd.getBody().front();
  SmallVector<Operation *> layers;
  for (Operation &op : block)
    if (splittable(&op))
      layers.push_back(&op);
  SmallVector<int64_t> group;
  for (int64_t r = 0; r < parts; ++r)
    group.push_back(r);
  OpBuilder b(fwd.getContext());
  llvm::DenseSet<Operation *> taken;
  auto name = [](Value param) {
    return param.getDefiningOp<ParamOp>().getName();
  };
  for (Operation *a : layers) {
    if (taken.contains(a))
      continue;
    SmallVector<Operation *> chain;
    Operation *layerB = pairedLayer(a, chain);
    if (!layerB || taken.contains(layerB) ||
        dimOf(weightOf(a), 0) % parts != 0 ||
        !llvm::is_contained({Activation::none, Activation::relu},
                            activationOf(layerB)))
      continue;
    taken.insert(a);
    taken.insert(layerB);
    outputSplit.insert(a);

    // A: its slice of output channels; the chain follows channel by
    // channel (flatten keeps each rank's channels one contiguous block).
    shrink(weightOf(a), 0, parts);
    splits[name(weightOf(a))] = ParamSplit{0, parts, false};
    if (Value bias = biasOf(a)) {
      shrink(bias, 0, parts);
      splits[name(bias)] = ParamSplit{0, parts, false};
    }
    shrink(a->getResult(0), 1, parts);
    for (Operation *op : chain)
      shrink(op->getResult(0), 1, parts);

    // B: partial sums of its input slice, the bias on rank 0 only, summed
    // over the ranks; then its ReLU.
    shrink(weightOf(layerB), 1, parts);
    splits[name(weightOf(layerB))] = ParamSplit{1, parts, false};
    if (Value bias = biasOf(layerB))
      splits[name(bias)] = ParamSplit{-1, parts, true};
    bool relu = activationOf(layerB) == Activation::relu;
    if (auto conv = dyn_cast<Conv2DOp>(layerB))
      conv.setActivation(Activation::none);
    else
      cast<DenseOp>(layerB).setActivation(Activation::none);
    b.setInsertionPointAfter(layerB);
    Value partial = layerB->getResult(0);
    Value sum = b.create<AllReduceOp>(layerB->getLoc(), partial.getType(),
                                      partial, b.getDenseI64ArrayAttr(group));
    Value out =
        relu
            ? b.create<ReluOp>(layerB->getLoc(), sum.getType(), sum).getResult()
            : sum;
    partial.replaceAllUsesExcept(out, sum.getDefiningOp());
  }
  if (outputSplit.empty())
    return fwd.emitError()
           << "tensor-parallel=" << parts
           << ": no pair of conv/dense layers to split (a conv with one "
              "group or dense whose output channels divide by "
           << parts
           << ", reaching another through ReLU, pooling or flatten only)";
  return success();
}
