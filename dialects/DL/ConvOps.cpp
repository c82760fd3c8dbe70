//===- ConvOps.cpp - dl.conv2d ------------------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl.conv2d: its verifier and how it splits by batch,
// output channel, input channel (partial sums) and space (halo).
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/GradientUtils.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::detail;

/// Output extent of a sliding window, or a negative value if none fits.
static int64_t windowOutputSize(int64_t in, int64_t k, int64_t s, int64_t pLo,
                                int64_t pHi, int64_t d) {
  int64_t span = in + pLo + pHi - d * (k - 1) - 1;
  if (span < 0)
    return -1;
  return span / s + 1;
}

/// Checks the common window attributes of conv and pooling.
LogicalResult mlir::dl::detail::verifyWindowAttrs(Operation *op,
                                                  ArrayRef<int64_t> strides,
                                                  ArrayRef<int64_t> padding,
                                                  ArrayRef<int64_t> dilations) {
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1)
    return op->emitOpError()
           << "expects 2 positive strides, got [" << strides << "]";
  if (padding.size() != 4 || llvm::any_of(padding, [](int64_t p) {
        return p < 0;
      }))
    return op->emitOpError() << "expects 4 non-negative paddings "
                                "[top, left, bottom, right], got ["
                             << padding << "]";
  if (dilations.size() != 2 || dilations[0] < 1 || dilations[1] < 1)
    return op->emitOpError()
           << "expects 2 positive dilations, got [" << dilations << "]";
  return success();
}

FailureOr<SmallVector<int64_t>> mlir::dl::detail::windowResultSpatial(
    Operation *op, ArrayRef<int64_t> in, int64_t kh, int64_t kw,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
    ArrayRef<int64_t> dilations) {
  int64_t oh = windowOutputSize(in[2], kh, strides[0], padding[0], padding[2],
                                dilations[0]);
  int64_t ow = windowOutputSize(in[3], kw, strides[1], padding[1], padding[3],
                                dilations[1]);
  if (oh < 1 || ow < 1) {
    op->emitOpError() << "window " << kh << "x" << kw
                      << " does not fit the padded " << in[2] << "x" << in[3]
                      << " input";
    return failure();
  }
  return SmallVector<int64_t>{oh, ow};
}

LogicalResult Conv2DOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> w = shapeOf(getWeight());
  if (in.size() != 4)
    return emitOpError() << "expects a rank-4 NCHW input, got rank "
                         << in.size();
  if (w.size() != 4)
    return emitOpError() << "expects a rank-4 OIHW weight, got rank "
                         << w.size();
  int64_t groups = static_cast<int64_t>(getGroups());
  if (groups < 1)
    return emitOpError() << "expects groups >= 1, got " << groups;
  if (in[1] % groups != 0 || w[0] % groups != 0)
    return emitOpError() << "groups " << groups
                         << " must divide input channels " << in[1]
                         << " and output channels " << w[0];
  if (w[1] != in[1] / groups)
    return emitOpError() << "weight expects " << w[1]
                         << " input channels per group but the input has "
                         << in[1] << " channels in " << groups << " groups";
  if (Value bias = getBias()) {
    ArrayRef<int64_t> b = shapeOf(bias);
    if (b.size() != 1 || b[0] != w[0])
      return emitOpError() << "expects bias of shape [" << w[0] << "], got "
                           << bias.getType();
  }
  if (failed(verifyWindowAttrs(getOperation(), getStrides(), getPadding(),
                               getDilations())))
    return failure();
  auto spatial = windowResultSpatial(getOperation(), in, w[2], w[3],
                                     getStrides(), getPadding(),
                                     getDilations());
  if (failed(spatial))
    return failure();
  return verifyResultShape(getOperation(),
                           {in[0], w[0], (*spatial)[0], (*spatial)[1]});
}

SmallVector<SplitDim> Conv2DOp::getSplittableDims() {
  SmallVector<SplitDim> dims = {SplitDim::batch, SplitDim::out_channel};
  if (getGroups() == 1)
    dims.push_back(SplitDim::in_channel);
  dims.append({SplitDim::height, SplitDim::width});
  return dims;
}

int64_t Conv2DOp::getIterationExtent(SplitDim dim) {
  ArrayRef<int64_t> out = shapeOf(getResult());
  switch (dim) {
  case SplitDim::batch:
    return out[0];
  case SplitDim::out_channel:
    return out[1];
  case SplitDim::in_channel:
    return getGroups() == 1 ? shapeOf(getInput())[1] : -1;
  case SplitDim::height:
    return out[2];
  case SplitDim::width:
    return out[3];
  default:
    return -1;
  }
}

FailureOr<LocalSplit> Conv2DOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  if (failed(checkParts(parts,
                        [&](SplitDim d) { return getIterationExtent(d); })))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> w = shapeOf(getWeight());
  ArrayRef<int64_t> out = shapeOf(getResult());
  int64_t groups = getGroups();
  DimRange n = lookupRange(parts, SplitDim::batch, out[0]);
  DimRange o = lookupRange(parts, SplitDim::out_channel, out[1]);
  DimRange c = lookupRange(parts, SplitDim::in_channel, in[1]);
  DimRange h = lookupRange(parts, SplitDim::height, out[2]);
  DimRange x = lookupRange(parts, SplitDim::width, out[3]);
  ArrayRef<int64_t> s = getStrides(), p = getPadding(), d = getDilations();

  LocalSplit split;
  // Input: the batch range, the channels feeding the output channels (all of
  // them, the in-channel range, or the groups covering the out-channel
  // range), and the receptive field of the output rows/cols.
  TensorRegion input = TensorRegion::full(in);
  input.offsets[0] = n.lo;
  input.sizes[0] = n.size();
  int64_t cLo = c.lo, cHi = c.hi;
  if (groups > 1) {
    int64_t outPerGroup = out[1] / groups, inPerGroup = in[1] / groups;
    cLo = (o.lo / outPerGroup) * inPerGroup;
    cHi = ((o.hi - 1) / outPerGroup + 1) * inPerGroup;
  }
  input.offsets[1] = cLo;
  input.sizes[1] = cHi - cLo;
  auto [hLo, hHi] = windowInputRange(h.lo, h.hi, w[2], s[0], p[0], d[0]);
  auto [wLo, wHi] = windowInputRange(x.lo, x.hi, w[3], s[1], p[1], d[1]);
  setClippedRange(input, 2, hLo, hHi, in[2]);
  setClippedRange(input, 3, wLo, wHi, in[3]);
  split.operands.push_back(input);

  TensorRegion weight = TensorRegion::full(w);
  weight.offsets[0] = o.lo;
  weight.sizes[0] = o.size();
  if (groups == 1) {
    weight.offsets[1] = c.lo;
    weight.sizes[1] = c.size();
  }
  split.operands.push_back(weight);

  bool partial = c.size() != in[1];
  // Without a bias operand the region stays empty and counts no elements.
  TensorRegion bias;
  bias.needed = false;
  if (getBias()) {
    bias = TensorRegion::full(shapeOf(getBias()));
    bias.offsets[0] = o.lo;
    bias.sizes[0] = o.size();
    // With partial sums the bias is added once, by the first channel part.
    bias.needed = c.lo == 0;
    split.operands.push_back(bias);
  }

  split.result = TensorRegion::full(out);
  // A named array: the backing array of a braced list inside the range
  // expression would not outlive it.
  DimRange ranges[] = {n, o, h, x};
  for (auto [i, r] : llvm::enumerate(ranges)) {
    split.result.offsets[i] = r.lo;
    split.result.sizes[i] = r.size();
  }
  split.kind = partial ? ResultKind::PartialSum : ResultKind::Slice;

  int64_t perOutput = (groups == 1 ? c.size() : w[1]) * w[2] * w[3];
  split.work.macs = split.result.numElements() * perOutput;
  split.work.flops = 2 * split.work.macs;
  split.work.paramBytes =
      (weight.numElements() + bias.numElements()) * kF32Bytes;
  split.work.inputBytes = input.numElements() * kF32Bytes;
  split.work.outputBytes = split.result.numElements() * kF32Bytes;
  return split;
}

//===----------------------------------------------------------------------===//
// Conv2DOp gradient
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::buildGradient(OpBuilder &b, Value resultGrad,
                                      ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(getNumOperands(), Value());
  FailureOr<Value> grad =
      gradThroughActivation(b, *this, getActivation(), resultGrad);
  if (failed(grad))
    return failure();
  Location loc = getLoc();
  auto strides = b.getDenseI64ArrayAttr(getStrides());
  auto padding = b.getDenseI64ArrayAttr(getPadding());
  auto dilations = b.getDenseI64ArrayAttr(getDilations());
  auto groups = b.getI64IntegerAttr(static_cast<int64_t>(getGroups()));
  buildLayerGradients(
      b, getWeight(), getBias() != nullptr, needed, operandGrads,
      [&]() -> Value {
        return b.create<Conv2DBackwardDataOp>(loc, getInput().getType(), *grad,
                                              getWeight(), strides, padding,
                                              dilations, groups);
      },
      [&](TypeRange types) -> Operation * {
        return b.create<Conv2DBackwardWeightsOp>(loc, types, getInput(), *grad,
                                                 strides, padding, dilations,
                                                 groups);
      });
  return success();
}
