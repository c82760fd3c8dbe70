//===- PoolOps.cpp - dl.pool2d and dl.global_avg_pool -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the pooling layers: verifiers and splits by batch,
// channel and space (halo K - S when the window is wider than the stride).
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/LayerUtils.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::detail;

//===----------------------------------------------------------------------===//
// Pool2DOp
//===----------------------------------------------------------------------===//

LogicalResult Pool2DOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() != 4)
    return emitOpError() << "expects a rank-4 NCHW input, got rank "
                         << in.size();
  ArrayRef<int64_t> k = getKernel();
  if (k.size() != 2 || k[0] < 1 || k[1] < 1)
    return emitOpError() << "expects a kernel of 2 positive sizes, got [" << k
                         << "]";
  SmallVector<int64_t> dil = {1, 1};
  if (failed(verifyWindowAttrs(getOperation(), getStrides(), getPadding(),
                               dil)))
    return failure();
  ArrayRef<int64_t> p = getPadding();
  if (p[0] >= k[0] || p[2] >= k[0] || p[1] >= k[1] || p[3] >= k[1])
    return emitOpError() << "padding must be smaller than the kernel";
  auto spatial = windowResultSpatial(getOperation(), in, k[0], k[1],
                                     getStrides(), p, dil);
  if (failed(spatial))
    return failure();
  return verifyResultShape(getOperation(),
                           {in[0], in[1], (*spatial)[0], (*spatial)[1]});
}

SmallVector<SplitDim> Pool2DOp::getSplittableDims() {
  return {SplitDim::batch, SplitDim::out_channel, SplitDim::height,
          SplitDim::width};
}

int64_t Pool2DOp::getIterationExtent(SplitDim dim) {
  return followingExtent(shapeOf(getResult()), dim);
}

FailureOr<LocalSplit> Pool2DOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  if (failed(checkParts(parts,
                        [&](SplitDim d) { return getIterationExtent(d); })))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> out = shapeOf(getResult());
  ArrayRef<int64_t> k = getKernel(), s = getStrides(), p = getPadding();
  DimRange h = lookupRange(parts, SplitDim::height, out[2]);
  DimRange x = lookupRange(parts, SplitDim::width, out[3]);

  LocalSplit split;
  split.result = layoutFollowingRegion(out, parts);
  TensorRegion input = layoutFollowingRegion(in, parts);
  auto [hLo, hHi] = windowInputRange(h.lo, h.hi, k[0], s[0], p[0], 1);
  auto [wLo, wHi] = windowInputRange(x.lo, x.hi, k[1], s[1], p[1], 1);
  setClippedRange(input, 2, hLo, hHi, in[2]);
  setClippedRange(input, 3, wLo, wHi, in[3]);
  split.operands.push_back(input);
  split.work.flops = split.result.numElements() * k[0] * k[1];
  split.work.inputBytes = input.numElements() * kF32Bytes;
  split.work.outputBytes = split.result.numElements() * kF32Bytes;
  return split;
}

//===----------------------------------------------------------------------===//
// GlobalAvgPoolOp
//===----------------------------------------------------------------------===//

LogicalResult GlobalAvgPoolOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() != 4)
    return emitOpError() << "expects a rank-4 NCHW input, got rank "
                         << in.size();
  return verifyResultShape(getOperation(), {in[0], in[1], 1, 1});
}

SmallVector<SplitDim> GlobalAvgPoolOp::getSplittableDims() {
  return {SplitDim::batch, SplitDim::out_channel};
}

int64_t GlobalAvgPoolOp::getIterationExtent(SplitDim dim) {
  if (dim != SplitDim::batch && dim != SplitDim::out_channel)
    return -1;
  return followingExtent(shapeOf(getResult()), dim);
}

FailureOr<LocalSplit>
GlobalAvgPoolOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  if (failed(checkParts(parts,
                        [&](SplitDim d) { return getIterationExtent(d); })))
    return failure();
  LocalSplit split;
  split.result = layoutFollowingRegion(shapeOf(getResult()), parts);
  TensorRegion input = layoutFollowingRegion(shapeOf(getInput()), parts);
  split.operands.push_back(input);
  split.work.flops = input.numElements();
  split.work.inputBytes = input.numElements() * kF32Bytes;
  split.work.outputBytes = split.result.numElements() * kF32Bytes;
  return split;
}

//===----------------------------------------------------------------------===//
// Pool2DOp gradient
//===----------------------------------------------------------------------===//

LogicalResult Pool2DOp::buildGradient(OpBuilder &b, Value resultGrad,
                                      ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = b.create<Pool2DBackwardOp>(
        getLoc(), getInput().getType(), getKindAttr(), getInput(),
        resultGrad, b.getDenseI64ArrayAttr(getKernel()),
        b.getDenseI64ArrayAttr(getStrides()),
        b.getDenseI64ArrayAttr(getPadding()),
        b.getBoolAttr(getCountIncludePad()));
  return success();
}

//===----------------------------------------------------------------------===//
// GlobalAvgPoolOp gradient
//===----------------------------------------------------------------------===//

LogicalResult
GlobalAvgPoolOp::buildGradient(OpBuilder &b, Value resultGrad,
                               ArrayRef<bool> needed,
                               SmallVectorImpl<Value> &operandGrads) {
  // Average pooling with an H x W window: each entry of the input gets
  // dy / (H * W) of its channel.
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  ArrayRef<int64_t> in = shapeOf(getInput());
  operandGrads[0] = b.create<Pool2DBackwardOp>(
      getLoc(), getInput().getType(),
      PoolKindAttr::get(getContext(), PoolKind::avg), getInput(), resultGrad,
      b.getDenseI64ArrayAttr({in[2], in[3]}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({0, 0, 0, 0}), b.getBoolAttr(false));
  return success();
}
