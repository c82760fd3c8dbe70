//===- FusedTiles.cpp - DeepThings fused-tile partitioning --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements fused-tile partitioning (FTP, DeepThings): the output
// of the last layer of a fused run of conv/pool (and layout-following)
// layers is cut into an N x M grid; for each tile the input region of every
// layer is traced backward through the run with PartitionableOpInterface,
// the tile's input region is fetched once, and the device owning the tile
// computes the whole run on it with no communication inside the group. Grid
// steps are ceil(W/M) and ceil(H/N); the last row and column of tiles take
// the remainder (even splits where ceil steps would leave a tile empty).
// Tiles are dealt to the plan's devices round-robin.
//
//===----------------------------------------------------------------------===//

#include "passes/Apply/ApplyContext.h"
#include "passes/Passes.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::apply;

SmallVector<std::pair<int64_t, int64_t>>
mlir::dl::fusedTileRanges(int64_t extent, int64_t parts) {
  int64_t step = (extent + parts - 1) / parts;
  SmallVector<std::pair<int64_t, int64_t>> ranges;
  if (parts <= extent && (parts - 1) * step >= extent) {
    SmallVector<int64_t> bounds = evenBounds(extent, parts);
    for (int64_t i = 0; i < parts; ++i)
      ranges.push_back({bounds[i], bounds[i + 1]});
    return ranges;
  }
  for (int64_t i = 0; i < parts; ++i) {
    int64_t lo = i * step;
    int64_t hi = i + 1 == parts ? extent : std::min(extent, (i + 1) * step);
    if (lo < hi)
      ranges.push_back({lo, hi});
  }
  return ranges;
}

LogicalResult mlir::dl::apply::applyFusedTiles(ApplyContext &ctx,
                                               ArrayRef<Operation *> group,
                                               PlanAttr plan) {
  Operation *last = group.back();
  for (size_t i = 1; i < group.size(); ++i)
    if (group[i]->getOperand(0) != group[i - 1]->getResult(0))
      return group[i]->emitError()
             << "fused-tile group must be a chain: operand 0 of this layer "
                "is not the result of the previous layer of the group";
  for (size_t i = 0; i + 1 < group.size(); ++i)
    if (!group[i]->getResult(0).hasOneUse())
      return group[i]->emitError()
             << "a layer inside a fused-tile group may only feed the next "
                "layer of the group";
  for (Operation *op : group) {
    auto layer = cast<PartitionableOpInterface>(op);
    if (layer.getIterationExtent(SplitDim::height) < 0 ||
        layer.getIterationExtent(SplitDim::width) < 0)
      return op->emitError() << "layer cannot be fused-tiled: it has no "
                                "spatial split";
    for (Value operand : op->getOperands().drop_front())
      if (!ApplyContext::isParameter(operand))
        return op->emitError() << "a fused-tile layer may only read the "
                                  "previous layer and parameters";
  }

  ArrayRef<int64_t> grid = plan.getTile().getGrid();
  ArrayRef<int64_t> out = shapeOf(last->getResult(0));
  auto rows = fusedTileRanges(out[2], grid[0]);
  auto cols = fusedTileRanges(out[3], grid[1]);
  ArrayRef<int64_t> devices = plan.getDevices();

  struct Tile {
    int64_t device;
    // Per layer (in group order), its split for this tile.
    std::vector<LocalSplit> splits;
  };
  SmallVector<Tile> tiles;
  for (auto [ty, rr] : llvm::enumerate(rows))
    for (auto [tx, cr] : llvm::enumerate(cols)) {
      Tile tile;
      tile.device = devices[tiles.size() % devices.size()];
      tile.splits.resize(group.size());
      // Trace backward: the output region of layer i is the input region
      // of layer i + 1.
      int64_t hLo = rr.first, hHi = rr.second;
      int64_t wLo = cr.first, wHi = cr.second;
      for (int64_t i = group.size() - 1; i >= 0; --i) {
        auto layer = cast<PartitionableOpInterface>(group[i]);
        SmallVector<DimRange> ranges = {{SplitDim::height, hLo, hHi},
                                        {SplitDim::width, wLo, wHi}};
        auto split = layer.computeLocalSplit(ranges);
        if (failed(split))
          return group[i]->emitError()
                 << "cannot compute tile rows [" << hLo << ", " << hHi
                 << ") cols [" << wLo << ", " << wHi << ")";
        const TensorRegion &in = split->operands[0];
        hLo = in.offsets[2];
        hHi = in.offsets[2] + in.sizes[2];
        wLo = in.offsets[3];
        wHi = in.offsets[3] + in.sizes[3];
        tile.splits[i] = *split;
      }
      tiles.push_back(std::move(tile));
    }

  // Fetch each tile's input region once, in tile order.
  SmallVector<Need> needs;
  for (const Tile &tile : tiles)
    needs.push_back(Need{tile.device, Box::of(tile.splits[0].operands[0])});
  auto inputs = ctx.materialize(group.front()->getOperand(0), needs,
                                group.front());
  if (failed(inputs))
    return failure();

  Placement result;
  for (auto [t, tile] : llvm::enumerate(tiles)) {
    Value current = (*inputs)[t];
    for (auto [i, op] : llvm::enumerate(group)) {
      const LocalSplit &split = tile.splits[i];
      SmallVector<Value> operands = {current};
      for (auto [j, operand] : llvm::enumerate(op->getOperands())) {
        if (j == 0)
          continue;
        if (!split.operands[j].needed) {
          operands.push_back(Value());
          continue;
        }
        auto local = ctx.materializeParam(operand, tile.device,
                                          Box::of(split.operands[j]), op);
        if (failed(local))
          return failure();
        operands.push_back(*local);
      }
      Operation *localOp =
          buildLocalLayer(ctx.on(tile.device), op, split, operands);
      if (!localOp)
        return failure();
      current = localOp->getResult(0);
    }
    result.shards.push_back(
        Shard{tile.device, Box::of(tile.splits.back().result), current});
  }
  ctx.setPlacement(last->getResult(0), std::move(result));
  return success();
}
