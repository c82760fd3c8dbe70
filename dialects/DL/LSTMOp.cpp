//===- LSTMOp.cpp - dl.lstm ---------------------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the LSTM layer: its verifier and its splits by batch
// (sequences), gate (whole gates, combined every step) and hidden unit (all
// four gates of a range of units, h all-gathered every step).
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/LayerUtils.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::detail;

static constexpr int64_t kNumGates = 4;

LogicalResult LSTMOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  int64_t h = static_cast<int64_t>(getHiddenSize());
  if (x.size() != 3)
    return emitOpError() << "expects a rank-3 [T, N, X] input, got rank "
                         << x.size();
  if (h < 1)
    return emitOpError() << "expects hidden_size >= 1, got " << h;
  ArrayRef<int64_t> wih = shapeOf(getWIh()), whh = shapeOf(getWHh());
  if (wih.size() != 2 || wih[0] != kNumGates * h || wih[1] != x[2])
    return emitOpError() << "expects w_ih of shape [" << kNumGates * h << ", "
                         << x[2] << "], got " << getWIh().getType();
  if (whh.size() != 2 || whh[0] != kNumGates * h || whh[1] != h)
    return emitOpError() << "expects w_hh of shape [" << kNumGates * h << ", "
                         << h << "], got " << getWHh().getType();
  if (Value bias = getBias()) {
    ArrayRef<int64_t> b = shapeOf(bias);
    if (b.size() != 1 || b[0] != kNumGates * h)
      return emitOpError() << "expects bias of shape [" << kNumGates * h
                           << "], got " << bias.getType();
  }
  return verifyResultShape(getOperation(), {x[0], x[1], h});
}

SmallVector<SplitDim> LSTMOp::getSplittableDims() {
  return {SplitDim::batch, SplitDim::gate, SplitDim::hidden};
}

int64_t LSTMOp::getIterationExtent(SplitDim dim) {
  switch (dim) {
  case SplitDim::batch:
    return shapeOf(getInput())[1];
  case SplitDim::gate:
    return kNumGates;
  case SplitDim::hidden:
    return getHiddenSize();
  default:
    return -1;
  }
}

FailureOr<LocalSplit> LSTMOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  if (failed(checkParts(parts,
                        [&](SplitDim d) { return getIterationExtent(d); })))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput());
  int64_t hidden = getHiddenSize();
  DimRange n = lookupRange(parts, SplitDim::batch, x[1]);
  DimRange g = lookupRange(parts, SplitDim::gate, kNumGates);
  DimRange u = lookupRange(parts, SplitDim::hidden, hidden);
  if (g.size() != kNumGates && u.size() != hidden)
    return failure(); // gate and hidden splits do not compose

  LocalSplit split;
  TensorRegion input = TensorRegion::full(x);
  input.offsets[1] = n.lo;
  input.sizes[1] = n.size();
  split.operands.push_back(input);

  // Weight rows of the part: gates [g.lo, g.hi) of units [u.lo, u.hi).
  auto rows = [&](ArrayRef<int64_t> shape) {
    TensorRegion r = TensorRegion::full(shape);
    if (u.size() != hidden) {
      r.offsets[0] = u.lo;
      r.sizes[0] = u.size();
      r.repeat = kNumGates;
      r.repeatStride = hidden;
    } else {
      r.offsets[0] = g.lo * hidden;
      r.sizes[0] = g.size() * hidden;
    }
    return r;
  };
  TensorRegion wih = rows(shapeOf(getWIh())), whh = rows(shapeOf(getWHh()));
  split.operands.push_back(wih);
  split.operands.push_back(whh);
  // Without a bias operand the region stays empty and counts no elements.
  TensorRegion bias;
  bias.needed = false;
  if (getBias()) {
    bias = rows(shapeOf(getBias()));
    split.operands.push_back(bias);
  }

  split.result = TensorRegion::full({x[0], x[1], hidden});
  split.result.offsets[1] = n.lo;
  split.result.sizes[1] = n.size();
  split.result.offsets[2] = u.lo;
  split.result.sizes[2] = u.size();
  split.kind = g.size() != kNumGates ? ResultKind::Combine : ResultKind::Slice;

  int64_t gateRows = g.size() * u.size();
  split.work.macs = x[0] * n.size() * gateRows * (x[2] + hidden);
  // Cell update: 3 sigmoids, 2 tanh, 3 multiplies and 1 add per unit.
  int64_t cellUnits = g.size() == kNumGates ? u.size() : 0;
  split.work.flops = 2 * split.work.macs + x[0] * n.size() * cellUnits * 25;
  split.work.paramBytes =
      (wih.numElements() + whh.numElements() + bias.numElements()) *
      kF32Bytes;
  split.work.inputBytes = input.numElements() * kF32Bytes;
  split.work.outputBytes = split.result.numElements() * kF32Bytes;
  return split;
}

LogicalResult LSTMOp::buildGradient(OpBuilder &b, Value resultGrad,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(getNumOperands(), Value());
  auto biasType = RankedTensorType::get({shapeOf(getWIh())[0]}, b.getF32Type());
  auto grads = b.create<LSTMBackwardOp>(
      getLoc(),
      TypeRange{getInput().getType(), getWIh().getType(), getWHh().getType(),
                biasType},
      resultGrad, getInput(), getWIh(), getWHh(), getBias());
  for (unsigned i = 0; i < getNumOperands(); ++i)
    if (needed[i])
      operandGrads[i] = grads->getResult(i);
  return success();
}

//===----------------------------------------------------------------------===//
// LSTMGatesOp and LSTMCellOp
//===----------------------------------------------------------------------===//

LogicalResult LSTMGatesOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), h = shapeOf(getHidden());
  ArrayRef<int64_t> wih = shapeOf(getWIh()), whh = shapeOf(getWHh());
  if (x.size() != 2 || h.size() != 2 || wih.size() != 2 || whh.size() != 2)
    return emitOpError() << "expects rank-2 input, hidden and weights";
  if (x[0] != h[0])
    return emitOpError() << "input batch " << x[0]
                         << " differs from hidden batch " << h[0];
  if (wih[1] != x[1] || whh[1] != h[1] || wih[0] != whh[0])
    return emitOpError() << "expects w_ih [R, " << x[1] << "] and w_hh [R, "
                         << h[1] << "] with equal R";
  if (Value bias = getBias()) {
    ArrayRef<int64_t> b = shapeOf(bias);
    if (b.size() != 1 || b[0] != wih[0])
      return emitOpError() << "expects bias of shape [" << wih[0] << "]";
  }
  return verifyResultShape(getOperation(), {x[0], wih[0]});
}

LogicalResult LSTMCellOp::verify() {
  ArrayRef<int64_t> g = shapeOf(getGates()), c = shapeOf(getCell());
  if (g.size() != 2 || c.size() != 2)
    return emitOpError() << "expects rank-2 gates and cell";
  if (g[0] != c[0] || g[1] != kNumGates * c[1])
    return emitOpError() << "expects gates of shape [" << c[0] << ", "
                         << kNumGates * c[1] << "] for a cell of "
                         << getCell().getType();
  // The AllTypesMatch trait already gave both results the cell's type.
  return success();
}
