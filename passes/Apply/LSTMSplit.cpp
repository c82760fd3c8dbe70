//===- LSTMSplit.cpp - Gate and hidden-unit LSTM splits -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file lowers an LSTM split by gate or by hidden unit. Every gate needs
// all of h_{t-1}, so the split synchronizes every step; the sequence is
// unrolled into per-step dl.lstm_gates / dl.lstm_cell with one all-gather
// per step:
//
//  * hidden-unit split: each device holds the rows of its units in all four
//    gates, updates its units' cell state locally and all-gathers h_t
//    ((P-1)/P * H values received per device per step);
//  * gate split (at most 4 parts): each device computes the pre-activations
//    of its gates and all-gathers them; every device then applies the cell
//    update redundantly, so h_t needs no second exchange (one sync point per
//    step instead of the two of a combiner star).
//
//===----------------------------------------------------------------------===//

#include "passes/Apply/ApplyContext.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::apply;

static constexpr int64_t kNumGates = 4;

LogicalResult mlir::dl::apply::applyLSTMStepSplit(ApplyContext &ctx,
                                                  LSTMOp op,
                                                  ArrayRef<PlanPart> parts) {
  Location loc = op.getLoc();
  ArrayRef<int64_t> x = shapeOf(op.getInput());
  int64_t steps = x[0], batch = x[1], xdim = x[2];
  int64_t hidden = op.getHiddenSize();
  bool byGate = llvm::any_of(parts.front().ranges, [](const DimRange &r) {
    return r.dim == SplitDim::gate;
  });
  SmallVector<int64_t> group;
  SmallVector<int64_t> sizes;
  SmallVector<DimRange> ranges;
  for (const PlanPart &part : parts) {
    if (part.replica != 0 || llvm::any_of(part.ranges, [](const DimRange &r) {
          return r.dim == SplitDim::batch;
        }))
      return op.emitError()
             << "a gate or hidden-unit LSTM split cannot also split the batch";
    DimRange r = lookupRange(part.ranges,
                             byGate ? SplitDim::gate : SplitDim::hidden,
                             byGate ? kNumGates : hidden);
    group.push_back(part.device);
    sizes.push_back(byGate ? r.size() * hidden : r.size());
    ranges.push_back(r);
  }

  // Every device of the group needs the whole input sequence.
  SmallVector<Need> needs;
  for (int64_t d : group)
    needs.push_back(Need{d, Box::full(x)});
  auto inputs = ctx.materialize(op.getInput(), needs, op);
  if (failed(inputs))
    return failure();

  Placement result;
  for (size_t k = 0; k < group.size(); ++k) {
    int64_t device = group[k];
    const DimRange &r = ranges[k];
    // Weight rows of this device, concatenated gate-major.
    auto rowsOf = [&](Value param) -> FailureOr<Value> {
      ArrayRef<int64_t> shape = shapeOf(param);
      SmallVector<Value> blocks;
      SmallVector<std::pair<int64_t, int64_t>> rowRanges;
      if (byGate)
        rowRanges.push_back({r.lo * hidden, r.hi * hidden});
      else
        for (int64_t g = 0; g < kNumGates; ++g)
          rowRanges.push_back({g * hidden + r.lo, g * hidden + r.hi});
      for (auto [lo, hi] : rowRanges) {
        Box box = Box::full(shape);
        box.offsets[0] = lo;
        box.sizes[0] = hi - lo;
        auto v = ctx.materializeParam(param, device, box, op);
        if (failed(v))
          return failure();
        blocks.push_back(*v);
      }
      if (blocks.size() == 1)
        return blocks.front();
      SmallVector<int64_t> cat(shape.begin(), shape.end());
      cat[0] = 0;
      for (Value b : blocks)
        cat[0] += shapeOf(b)[0];
      OpBuilder &b = ctx.on(device);
      return b.create<ConcatOp>(loc, tensorType(ctx.getContext(), cat),
                                blocks, b.getI64IntegerAttr(0))
          .getResult();
    };
    auto wih = rowsOf(op.getWIh());
    auto whh = rowsOf(op.getWHh());
    if (failed(wih) || failed(whh))
      return failure();
    Value bias;
    if (op.getBias()) {
      auto b = rowsOf(op.getBias());
      if (failed(b))
        return failure();
      bias = *b;
    }

    MLIRContext *mctx = ctx.getContext();
    int64_t units = byGate ? hidden : r.size();
    int64_t rows = shapeOf(*wih)[0];
    Value h = ctx.zeros(device, {batch, hidden}, loc);
    Value c = ctx.zeros(device, {batch, units}, loc);
    Value y = ctx.zeros(device, {steps, batch, hidden}, loc);
    Box yBox = Box::full({steps, batch, hidden});
    Box seqBox = Box::full(x);
    for (int64_t t = 0; t < steps; ++t) {
      OpBuilder &b = ctx.on(device);
      Box stepBox = seqBox;
      stepBox.offsets[0] = t;
      stepBox.sizes[0] = 1;
      Value xt3 = ctx.extract(device, (*inputs)[k], seqBox, stepBox, loc);
      Value xt = b.create<ReshapeOp>(loc, tensorType(mctx, {batch, xdim}), xt3);
      SmallVector<Value> gateOperands = {xt, h, *wih, *whh};
      if (bias)
        gateOperands.push_back(bias);
      Value gates = b.create<LSTMGatesOp>(
          loc, tensorType(mctx, {batch, rows}), gateOperands);
      Value hNew;
      if (byGate) {
        Value all = b.create<AllGatherOp>(
            loc, tensorType(mctx, {batch, kNumGates * hidden}), gates,
            b.getI64IntegerAttr(1), b.getDenseI64ArrayAttr(group),
            b.getDenseI64ArrayAttr(sizes));
        auto cell = b.create<LSTMCellOp>(loc, all, c);
        hNew = cell.getHidden();
        c = cell.getNewCell();
      } else {
        auto cell = b.create<LSTMCellOp>(loc, gates, c);
        c = cell.getNewCell();
        hNew = b.create<AllGatherOp>(
            loc, tensorType(mctx, {batch, hidden}), cell.getHidden(),
            b.getI64IntegerAttr(1), b.getDenseI64ArrayAttr(group),
            b.getDenseI64ArrayAttr(sizes));
      }
      h = hNew;
      Value h3 =
          b.create<ReshapeOp>(loc, tensorType(mctx, {1, batch, hidden}), h);
      Box outBox = yBox;
      outBox.offsets[0] = t;
      outBox.sizes[0] = 1;
      y = ctx.insert(device, h3, outBox, y, yBox, loc);
    }
    result.shards.push_back(Shard{device, yBox, y});
  }
  ctx.setPlacement(op.getResult(), std::move(result));
  return success();
}
