//===- ElementwiseOps.cpp - layout-following dl layers ------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the elementwise layers (relu, sigmoid, tanh, gelu,
// clip, add, mul), softmax and batch-norm, which follow their input's layout,
// and the shared helpers of LayerUtils.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/LayerUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::detail;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

LogicalResult mlir::dl::detail::verifyResultShape(Operation *op,
                                        ArrayRef<int64_t> expected) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (type.getShape() == expected)
    return success();
  auto inferred = RankedTensorType::get(expected, type.getElementType());
  return op->emitOpError() << "result type " << type
                           << " does not match the inferred type " << inferred;
}

std::optional<SplitDim> mlir::dl::detail::splitDimOfTensorDim(int64_t i) {
  switch (i) {
  case 0:
    return SplitDim::batch;
  case 1:
    return SplitDim::out_channel;
  case 2:
    return SplitDim::height;
  case 3:
    return SplitDim::width;
  default:
    return std::nullopt;
  }
}

int64_t mlir::dl::detail::tensorDimOfSplitDim(SplitDim dim) {
  switch (dim) {
  case SplitDim::batch:
    return 0;
  case SplitDim::out_channel:
    return 1;
  case SplitDim::height:
    return 2;
  case SplitDim::width:
    return 3;
  default:
    return -1;
  }
}

TensorRegion mlir::dl::detail::layoutFollowingRegion(ArrayRef<int64_t> shape,
                                           ArrayRef<DimRange> parts) {
  TensorRegion r = TensorRegion::full(shape);
  for (const DimRange &p : parts) {
    int64_t i = tensorDimOfSplitDim(p.dim);
    if (i < 0 || i >= static_cast<int64_t>(shape.size()))
      continue;
    r.offsets[i] = p.lo;
    r.sizes[i] = p.hi - p.lo;
  }
  return r;
}

LogicalResult mlir::dl::detail::checkParts(ArrayRef<DimRange> parts,
                                 function_ref<int64_t(SplitDim)> extent) {
  for (const DimRange &p : parts) {
    int64_t e = extent(p.dim);
    if (e < 0 || p.lo < 0 || p.hi > e || p.lo >= p.hi)
      return failure();
  }
  return success();
}

SmallVector<SplitDim> mlir::dl::detail::followingSplitDims(ArrayRef<int64_t> shape,
                                                 int64_t excluded) {
  SmallVector<SplitDim> dims;
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    if (i != excluded)
      if (auto d = splitDimOfTensorDim(i))
        dims.push_back(*d);
  return dims;
}

int64_t mlir::dl::detail::followingExtent(ArrayRef<int64_t> shape, SplitDim dim,
                                int64_t excluded) {
  int64_t i = tensorDimOfSplitDim(dim);
  if (i < 0 || i >= static_cast<int64_t>(shape.size()) || i == excluded)
    return -1;
  return shape[i];
}

/// computeLocalSplit of a layer whose operands all have the result's shape
/// (or, for `paramsPerChannel`, `[C]` parameters after the first operand).
static FailureOr<LocalSplit>
followingLocalSplit(Operation *op, ArrayRef<DimRange> parts,
                    int64_t flopsPerElement, int64_t excluded = -1,
                    bool paramsPerChannel = false) {
  ArrayRef<int64_t> shape = shapeOf(op->getResult(0));
  if (failed(checkParts(parts, [&](SplitDim d) {
        return followingExtent(shape, d, excluded);
      })))
    return failure();
  LocalSplit split;
  split.result = layoutFollowingRegion(shape, parts);
  int64_t elems = split.result.numElements();
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    if (paramsPerChannel && i > 0) {
      TensorRegion r = TensorRegion::full(shapeOf(operand));
      r.offsets[0] = split.result.offsets[1];
      r.sizes[0] = split.result.sizes[1];
      split.work.paramBytes += r.numElements() * kF32Bytes;
      split.operands.push_back(r);
      continue;
    }
    split.operands.push_back(layoutFollowingRegion(shapeOf(operand), parts));
    split.work.inputBytes += elems * kF32Bytes;
  }
  split.work.outputBytes = elems * kF32Bytes;
  split.work.flops = elems * flopsPerElement;
  return split;
}

//===----------------------------------------------------------------------===//
// Unary and binary elementwise layers
//===----------------------------------------------------------------------===//

#define DL_FOLLOWING_SPLITS(OP, FLOPS)                                         \
  SmallVector<SplitDim> OP::getSplittableDims() {                              \
    return followingSplitDims(shapeOf(getResult()));                           \
  }                                                                            \
  int64_t OP::getIterationExtent(SplitDim dim) {                               \
    return followingExtent(shapeOf(getResult()), dim);                         \
  }                                                                            \
  FailureOr<LocalSplit> OP::computeLocalSplit(ArrayRef<DimRange> parts) {      \
    return followingLocalSplit(getOperation(), parts, FLOPS);                  \
  }
#define DL_FOLLOWING_LAYER(OP, FLOPS)                                          \
  LogicalResult OP::verify() { return success(); }                             \
  DL_FOLLOWING_SPLITS(OP, FLOPS)

DL_FOLLOWING_LAYER(ReluOp, 1)
DL_FOLLOWING_LAYER(SigmoidOp, 4)
DL_FOLLOWING_LAYER(TanhOp, 4)
DL_FOLLOWING_LAYER(GeluOp, 8)
DL_FOLLOWING_LAYER(AddOp, 1)
DL_FOLLOWING_LAYER(MulOp, 1)
DL_FOLLOWING_SPLITS(ClipOp, 2)

#undef DL_FOLLOWING_LAYER
#undef DL_FOLLOWING_SPLITS

LogicalResult ClipOp::verify() {
  float lo = getMin().convertToFloat(), hi = getMax().convertToFloat();
  if (std::isnan(lo) || std::isnan(hi))
    return emitOpError() << "requires bounds that are not NaN";
  if (lo > hi)
    return emitOpError() << "requires min <= max, got min = " << lo
                         << " and max = " << hi;
  return success();
}

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  int64_t rank = shapeOf(getInput()).size();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  return success();
}

SmallVector<SplitDim> SoftmaxOp::getSplittableDims() {
  return followingSplitDims(shapeOf(getResult()), getAxis());
}

int64_t SoftmaxOp::getIterationExtent(SplitDim dim) {
  return followingExtent(shapeOf(getResult()), dim, getAxis());
}

FailureOr<LocalSplit> SoftmaxOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  return followingLocalSplit(getOperation(), parts, 5, getAxis());
}

//===----------------------------------------------------------------------===//
// Gradients of the other elementwise layers, softmax and MulOp
//===----------------------------------------------------------------------===//

/// The input gradient of a unary layer: `BackwardOp(from, resultGrad)`, where
/// `from` is the forward result or input (whichever the backward op reads).
template <typename BackwardOp, typename... Attrs>
static LogicalResult unaryGradient(Operation *op, OpBuilder &b, Value from,
                                   Value resultGrad, ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads,
                                   Attrs... attrs) {
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = b.create<BackwardOp>(op->getLoc(), resultGrad.getType(),
                                           from, resultGrad, attrs...);
  return success();
}

LogicalResult SigmoidOp::buildGradient(OpBuilder &b, Value resultGrad,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &operandGrads) {
  return unaryGradient<SigmoidBackwardOp>(*this, b, getResult(), resultGrad,
                                          needed, operandGrads);
}

LogicalResult TanhOp::buildGradient(OpBuilder &b, Value resultGrad,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  return unaryGradient<TanhBackwardOp>(*this, b, getResult(), resultGrad,
                                       needed, operandGrads);
}

LogicalResult GeluOp::buildGradient(OpBuilder &b, Value resultGrad,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  return unaryGradient<GeluBackwardOp>(*this, b, getInput(), resultGrad, needed,
                                       operandGrads);
}

LogicalResult ClipOp::buildGradient(OpBuilder &b, Value resultGrad,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  return unaryGradient<ClipBackwardOp>(*this, b, getInput(), resultGrad, needed,
                                       operandGrads, getMinAttr(),
                                       getMaxAttr());
}

LogicalResult SoftmaxOp::buildGradient(OpBuilder &b, Value resultGrad,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &operandGrads) {
  return unaryGradient<SoftmaxBackwardOp>(*this, b, getResult(), resultGrad,
                                          needed, operandGrads, getAxisAttr());
}

LogicalResult MulOp::buildGradient(OpBuilder &b, Value resultGrad,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  // d(a * b) = dy * b for a and dy * a for b (summed by the caller when a
  // and b are one value).
  operandGrads.assign(2, Value());
  for (int i = 0; i < 2; ++i)
    if (needed[i])
      operandGrads[i] = b.create<MulOp>(getLoc(), resultGrad.getType(),
                                        resultGrad, getOperand(1 - i));
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() != 2 && in.size() != 4)
    return emitOpError() << "expects a rank-2 or rank-4 input, got rank "
                         << in.size();
  for (Value param : {getScale(), getBias(), getMean(), getVariance()}) {
    ArrayRef<int64_t> p = shapeOf(param);
    if (p.size() != 1 || p[0] != in[1])
      return emitOpError() << "expects parameters of shape [" << in[1]
                           << "], got " << param.getType();
  }
  if (getEpsilon().convertToFloat() < 0)
    return emitOpError() << "epsilon must be non-negative";
  return verifyResultShape(getOperation(), in);
}

SmallVector<SplitDim> BatchNormOp::getSplittableDims() {
  return followingSplitDims(shapeOf(getResult()));
}

int64_t BatchNormOp::getIterationExtent(SplitDim dim) {
  return followingExtent(shapeOf(getResult()), dim);
}

FailureOr<LocalSplit> BatchNormOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  return followingLocalSplit(getOperation(), parts, 2, -1,
                             /*paramsPerChannel=*/true);
}

/// The training forward of a batch norm (dl-generate-training replaces each
/// dl.batch_norm by one): its gradient recomputes the batch statistics.
LogicalResult
BatchNormTrainOp::buildGradient(OpBuilder &b, Value resultGrad,
                                ArrayRef<bool> needed,
                                SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(3, Value());
  Type channel = getScale().getType();
  auto grads = b.create<BatchNormBackwardOp>(
      getLoc(), TypeRange{getInput().getType(), channel, channel}, getInput(),
      getScale(), resultGrad, getEpsilonAttr());
  for (unsigned i = 0; i < 3; ++i)
    if (needed[i])
      operandGrads[i] = grads->getResult(i);
  return success();
}

//===----------------------------------------------------------------------===//
// Gradients of ReluOp and AddOp
//===----------------------------------------------------------------------===//

LogicalResult ReluOp::buildGradient(OpBuilder &b, Value resultGrad,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = b.create<ReluBackwardOp>(
        getLoc(), resultGrad.getType(), getResult(), resultGrad);
  return success();
}

LogicalResult AddOp::buildGradient(OpBuilder &, Value resultGrad,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(2, Value());
  for (int i = 0; i < 2; ++i)
    if (needed[i])
      operandGrads[i] = resultGrad;
  return success();
}
