//===- DenseOps.cpp - dl.dense and dl.matmul ----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the fully connected layer and the matrix product:
// verifiers and splits by batch, output (rows of W) and input (columns of W,
// partial sums).
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/GradientUtils.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::detail;

//===----------------------------------------------------------------------===//
// DenseOp
//===----------------------------------------------------------------------===//

LogicalResult DenseOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  ArrayRef<int64_t> w = shapeOf(getWeight());
  if (x.size() != 2)
    return emitOpError() << "expects a rank-2 [batch, features] input, got "
                            "rank "
                         << x.size();
  if (w.size() != 2)
    return emitOpError() << "expects a rank-2 [out, in] weight, got rank "
                         << w.size();
  if (w[1] != x[1])
    return emitOpError() << "weight has " << w[1]
                         << " input features but the input has " << x[1];
  if (Value bias = getBias()) {
    ArrayRef<int64_t> b = shapeOf(bias);
    if (b.size() != 1 || b[0] != w[0])
      return emitOpError() << "expects bias of shape [" << w[0] << "], got "
                           << bias.getType();
  }
  return verifyResultShape(getOperation(), {x[0], w[0]});
}

SmallVector<SplitDim> DenseOp::getSplittableDims() {
  return {SplitDim::batch, SplitDim::out_channel, SplitDim::in_channel};
}

int64_t DenseOp::getIterationExtent(SplitDim dim) {
  switch (dim) {
  case SplitDim::batch:
    return shapeOf(getInput())[0];
  case SplitDim::out_channel:
    return shapeOf(getWeight())[0];
  case SplitDim::in_channel:
    return shapeOf(getWeight())[1];
  default:
    return -1;
  }
}

FailureOr<LocalSplit> DenseOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  if (failed(checkParts(parts,
                        [&](SplitDim d) { return getIterationExtent(d); })))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput());
  ArrayRef<int64_t> w = shapeOf(getWeight());
  DimRange b = lookupRange(parts, SplitDim::batch, x[0]);
  DimRange o = lookupRange(parts, SplitDim::out_channel, w[0]);
  DimRange k = lookupRange(parts, SplitDim::in_channel, w[1]);

  LocalSplit split;
  TensorRegion input = TensorRegion::full(x);
  input.offsets = {b.lo, k.lo};
  input.sizes = {b.size(), k.size()};
  TensorRegion weight = TensorRegion::full(w);
  weight.offsets = {o.lo, k.lo};
  weight.sizes = {o.size(), k.size()};
  split.operands = {input, weight};
  // Without a bias operand the region stays empty and counts no elements.
  TensorRegion bias;
  bias.needed = false;
  if (getBias()) {
    bias = TensorRegion::full(shapeOf(getBias()));
    bias.offsets[0] = o.lo;
    bias.sizes[0] = o.size();
    bias.needed = k.lo == 0;
    split.operands.push_back(bias);
  }
  split.result = TensorRegion::full({x[0], w[0]});
  split.result.offsets = {b.lo, o.lo};
  split.result.sizes = {b.size(), o.size()};
  split.kind = k.size() != w[1] ? ResultKind::PartialSum : ResultKind::Slice;
  split.work.macs = b.size() * o.size() * k.size();
  split.work.flops = 2 * split.work.macs;
  split.work.paramBytes =
      (weight.numElements() + bias.numElements()) * kF32Bytes;
  split.work.inputBytes = input.numElements() * kF32Bytes;
  split.work.outputBytes = split.result.numElements() * kF32Bytes;
  return split;
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getLhs());
  ArrayRef<int64_t> b = shapeOf(getRhs());
  if ((a.size() != 2 && a.size() != 3) || a.size() != b.size())
    return emitOpError() << "expects operands of equal rank 2 or 3, got ranks "
                         << a.size() << " and " << b.size();
  size_t r = a.size();
  if (a[r - 1] != b[r - 2])
    return emitOpError() << "contraction mismatch: lhs has " << a[r - 1]
                         << " columns but rhs has " << b[r - 2] << " rows";
  if (r == 3 && a[0] != b[0])
    return emitOpError() << "batch mismatch: " << a[0] << " vs " << b[0];
  SmallVector<int64_t> out(a.begin(), a.end());
  out.back() = b.back();
  return verifyResultShape(getOperation(), out);
}

SmallVector<SplitDim> MatMulOp::getSplittableDims() {
  SmallVector<SplitDim> dims;
  if (shapeOf(getLhs()).size() == 3)
    dims.push_back(SplitDim::batch);
  dims.append({SplitDim::height, SplitDim::out_channel, SplitDim::in_channel});
  return dims;
}

int64_t MatMulOp::getIterationExtent(SplitDim dim) {
  ArrayRef<int64_t> a = shapeOf(getLhs());
  ArrayRef<int64_t> b = shapeOf(getRhs());
  size_t r = a.size();
  switch (dim) {
  case SplitDim::batch:
    return r == 3 ? a[0] : -1;
  case SplitDim::height:
    return a[r - 2];
  case SplitDim::out_channel:
    return b[r - 1];
  case SplitDim::in_channel:
    return a[r - 1];
  default:
    return -1;
  }
}

FailureOr<LocalSplit> MatMulOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  if (failed(checkParts(parts,
                        [&](SplitDim d) { return getIterationExtent(d); })))
    return failure();
  ArrayRef<int64_t> a = shapeOf(getLhs());
  ArrayRef<int64_t> b = shapeOf(getRhs());
  ArrayRef<int64_t> out = shapeOf(getResult());
  size_t r = a.size();
  DimRange m = lookupRange(parts, SplitDim::height, a[r - 2]);
  DimRange n = lookupRange(parts, SplitDim::out_channel, b[r - 1]);
  DimRange k = lookupRange(parts, SplitDim::in_channel, a[r - 1]);
  LocalSplit split;
  TensorRegion lhs = TensorRegion::full(a), rhs = TensorRegion::full(b);
  split.result = TensorRegion::full(out);
  if (r == 3) {
    DimRange bt = lookupRange(parts, SplitDim::batch, a[0]);
    for (TensorRegion *t : {&lhs, &rhs, &split.result}) {
      t->offsets[0] = bt.lo;
      t->sizes[0] = bt.size();
    }
  }
  lhs.offsets[r - 2] = m.lo;
  lhs.sizes[r - 2] = m.size();
  lhs.offsets[r - 1] = k.lo;
  lhs.sizes[r - 1] = k.size();
  rhs.offsets[r - 2] = k.lo;
  rhs.sizes[r - 2] = k.size();
  rhs.offsets[r - 1] = n.lo;
  rhs.sizes[r - 1] = n.size();
  split.result.offsets[r - 2] = m.lo;
  split.result.sizes[r - 2] = m.size();
  split.result.offsets[r - 1] = n.lo;
  split.result.sizes[r - 1] = n.size();
  split.operands = {lhs, rhs};
  split.kind = k.size() != a[r - 1] ? ResultKind::PartialSum
                                    : ResultKind::Slice;
  split.work.macs = split.result.numElements() * k.size();
  split.work.flops = 2 * split.work.macs;
  split.work.inputBytes = (lhs.numElements() + rhs.numElements()) * kF32Bytes;
  split.work.outputBytes = split.result.numElements() * kF32Bytes;
  return split;
}

//===----------------------------------------------------------------------===//
// DenseOp gradient
//===----------------------------------------------------------------------===//

LogicalResult DenseOp::buildGradient(OpBuilder &b, Value resultGrad,
                                     ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(getNumOperands(), Value());
  if (shapeOf(getInput()).size() != 2)
    return emitOpError("gradient needs a 2-D input");
  FailureOr<Value> grad =
      gradThroughActivation(b, *this, getActivation(), resultGrad);
  if (failed(grad))
    return failure();
  Location loc = getLoc();
  buildLayerGradients(
      b, getWeight(), getBias() != nullptr, needed, operandGrads,
      [&]() -> Value {
        return b.create<DenseBackwardDataOp>(loc, getInput().getType(), *grad,
                                             getWeight());
      },
      [&](TypeRange types) -> Operation * {
        return b.create<DenseBackwardWeightsOp>(loc, types, getInput(), *grad);
      });
  return success();
}

LogicalResult MatMulOp::buildGradient(OpBuilder &b, Value resultGrad,
                                      ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(2, Value());
  if (needed[0])
    operandGrads[0] = b.create<MatMulBackwardLhsOp>(
        getLoc(), getLhs().getType(), resultGrad, getRhs());
  if (needed[1])
    operandGrads[1] = b.create<MatMulBackwardRhsOp>(
        getLoc(), getRhs().getType(), getLhs(), resultGrad);
  return success();
}
