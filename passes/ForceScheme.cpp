//===- ForceScheme.cpp - Plan every layer with one named scheme ---*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl-force-scheme, which writes a `dl.plan` on every
// layer so that one partitioning scheme can be run and measured alone.
// Layers the scheme does not apply to are computed redundantly on every
// device (replicated compute), so the split layers find their inputs
// locally whenever the scheme allows it.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "passes/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringSwitch.h"

namespace mlir::dl {
#define GEN_PASS_DEF_DLFORCESCHEME
#include "passes/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

/// Even bounds of `extent` over `parts` parts; the first `extent % parts`
/// parts get one more (7 on 3: [0, 3, 5, 7]).
SmallVector<int64_t> mlir::dl::evenBounds(int64_t extent, int64_t parts) {
  SmallVector<int64_t> bounds = {0};
  for (int64_t i = 0; i < parts; ++i)
    bounds.push_back(bounds.back() + extent / parts +
                     (i < extent % parts ? 1 : 0));
  return bounds;
}

/// Bounds proportional to `weights` (MoDNN BODP): part p gets
/// round(extent * w_p / sum w); the last part takes the remainder. Every
/// part gets at least one entry.
SmallVector<int64_t> mlir::dl::biasedBounds(int64_t extent,
                                            ArrayRef<double> weights) {
  double total = 0;
  for (double w : weights)
    total += w;
  SmallVector<int64_t> bounds = {0};
  int64_t parts = weights.size();
  for (int64_t p = 0; p + 1 < parts; ++p) {
    int64_t share = static_cast<int64_t>(extent * weights[p] / total + 0.5);
    int64_t maxHere = extent - bounds.back() - (parts - 1 - p);
    share = std::clamp<int64_t>(share, 1, std::max<int64_t>(maxHere, 1));
    bounds.push_back(bounds.back() + share);
  }
  bounds.push_back(extent);
  return bounds;
}

namespace {

enum class Scheme {
  Data,
  Pipeline,
  OutChannel,
  InChannel,
  Spatial,
  SpatialBiased,
  MoDNN,
  FusedTiles,
  LSTMGate,
  LSTMHidden,
  DenseOut,
  DenseIn,
  DensePair,
  Replicate,
  Single,
  Heuristic,
};

struct DLForceSchemePass
    : public dl::impl::DLForceSchemeBase<DLForceSchemePass> {
  using DLForceSchemeBase::DLForceSchemeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    ctx = module.getContext();
    StringRef name = scheme;
    std::optional<Scheme> kind =
        llvm::StringSwitch<std::optional<Scheme>>(name)
            .Case("data", Scheme::Data)
            .Case("pipeline", Scheme::Pipeline)
            .Case("out-channel", Scheme::OutChannel)
            .Case("in-channel", Scheme::InChannel)
            .Case("spatial", Scheme::Spatial)
            .Case("spatial-biased", Scheme::SpatialBiased)
            .Case("modnn", Scheme::MoDNN)
            .Case("lstm-gate", Scheme::LSTMGate)
            .Case("lstm-hidden", Scheme::LSTMHidden)
            .Case("dense-out", Scheme::DenseOut)
            .Case("dense-in", Scheme::DenseIn)
            .Case("dense-pair", Scheme::DensePair)
            .Case("replicate", Scheme::Replicate)
            .Case("single", Scheme::Single)
            .Case("heuristic", Scheme::Heuristic)
            .Default(std::nullopt);
    if (!kind && name.starts_with("ftp:")) {
      auto [n, m] = name.drop_front(4).split('x');
      if (n.getAsInteger(10, gridRows) || m.getAsInteger(10, gridCols) ||
          gridRows < 1 || gridCols < 1) {
        module.emitError() << "bad fused-tile scheme '" << name
                           << "' (expected ftp:NxM, e.g. ftp:3x3)";
        return signalPassFailure();
      }
      kind = Scheme::FusedTiles;
    }
    if (!kind) {
      module.emitError()
          << "unknown scheme '" << name
          << "' (expected data, pipeline, out-channel, in-channel, spatial, "
             "spatial-biased, modnn, ftp:NxM, lstm-gate, lstm-hidden, "
             "dense-out, dense-in, dense-pair, replicate, single or "
             "heuristic)";
      return signalPassFailure();
    }

    // Devices and their speeds: the cluster's, else `devices` equal ones.
    speeds.clear();
    if (auto cluster =
            module->getAttrOfType<ClusterAttr>(DLDialect::kClusterAttrName)) {
      for (DeviceAttr d : cluster.getDevices())
        speeds.push_back(d.getFlops().convertToDouble());
    } else {
      speeds.assign(std::max<int64_t>(numDevices, 1), 1.0);
    }
    numDev = speeds.size();

    SmallVector<PartitionableOpInterface> layers;
    module.walk([&](func::FuncOp fn) {
      if (fn->hasAttr(DLDialect::kDeviceAttrName))
        return;
      fn.walk([&](PartitionableOpInterface l) { layers.push_back(l); });
    });
    if (*kind == Scheme::Pipeline)
      planPipeline(layers);
    else if (*kind == Scheme::FusedTiles)
      planFusedTiles(layers);
    else
      for (auto [i, layer] : llvm::enumerate(layers))
        layer->setAttr(DLDialect::kPlanAttrName,
                       planFor(*kind, layer, i, layers));
  }

  PlanAttr replicated() {
    return PlanAttr::get(ctx, 0, allDevices(numDev), 1, {}, nullptr);
  }
  PlanAttr single(int64_t device = 0, int64_t stage = 0) {
    return PlanAttr::get(ctx, stage, {device}, 1, {}, nullptr);
  }
  static SmallVector<int64_t> allDevices(int64_t n) {
    SmallVector<int64_t> d;
    for (int64_t i = 0; i < n; ++i)
      d.push_back(i);
    return d;
  }
  /// A plan splitting `dim` evenly over as many devices as it has entries
  /// (at most all of them); replicated compute if it cannot split.
  PlanAttr split(PartitionableOpInterface layer, SplitDim dim,
                 int64_t maxParts = INT64_MAX, bool biased = false) {
    int64_t extent = layer.getIterationExtent(dim);
    if (extent < 1)
      return replicated();
    // A grouped convolution splits its output channels by whole groups: a
    // part must be a grouped convolution of its own.
    int64_t unit = 1;
    if (auto conv = dyn_cast<Conv2DOp>(layer.getOperation()))
      if (dim == SplitDim::out_channel && conv.getGroups() > 1)
        unit = extent / conv.getGroups();
    int64_t units = extent / unit;
    int64_t parts = std::min({numDev, units, maxParts});
    if (parts < 2)
      return replicated();
    SmallVector<int64_t> bounds =
        biased ? biasedBounds(units, ArrayRef<double>(speeds).take_front(parts))
               : evenBounds(units, parts);
    for (int64_t &b : bounds)
      b *= unit;
    auto s = SplitAttr::get(ctx, dim, bounds);
    return PlanAttr::get(ctx, 0, allDevices(parts), 1, {s}, nullptr);
  }

  PlanAttr planFor(Scheme kind, PartitionableOpInterface layer, size_t index,
                   ArrayRef<PartitionableOpInterface> layers) {
    Operation *op = layer.getOperation();
    switch (kind) {
    case Scheme::Single:
      return single();
    case Scheme::Replicate:
      return replicated();
    case Scheme::Heuristic:
      // The reference's placement rule: spatial early (big maps, small
      // weights), channels late; LSTMs by hidden unit; dense by output.
      if (isa<LSTMOp>(op))
        return split(layer, SplitDim::hidden);
      if (isa<DenseOp>(op))
        return split(layer, SplitDim::out_channel);
      if (layer.getIterationExtent(SplitDim::height) >= 0 &&
          layer.getIterationExtent(SplitDim::width) >= 0)
        return split(layer, SplitDim::height);
      return replicated();
    case Scheme::Data: {
      int64_t batch = layer.getIterationExtent(SplitDim::batch);
      int64_t r = numDev;
      while (r > 1 && (batch < 1 || batch % r != 0))
        --r;
      if (r < 2)
        return replicated();
      return PlanAttr::get(ctx, 0, allDevices(r), r, {}, nullptr);
    }
    case Scheme::OutChannel:
      return split(layer, SplitDim::out_channel);
    case Scheme::InChannel:
      if (isa<Conv2DOp, DenseOp, MatMulOp>(op))
        return split(layer, SplitDim::in_channel);
      return replicated();
    case Scheme::Spatial:
    case Scheme::SpatialBiased:
      if (isa<DenseOp, MatMulOp>(op))
        return replicated();
      return split(layer, SplitDim::height, INT64_MAX,
                   kind == Scheme::SpatialBiased);
    case Scheme::MoDNN:
      // MoDNN (DATE'17): height strips proportional to device speed (BODP)
      // for conv/pool layers, and output rows proportional to speed for
      // dense layers (its MSCC split degenerates to that for dense weights).
      if (isa<DenseOp, MatMulOp>(op))
        return split(layer, SplitDim::out_channel, INT64_MAX, true);
      return split(layer, SplitDim::height, INT64_MAX, true);
    case Scheme::LSTMGate:
      return isa<LSTMOp>(op) ? split(layer, SplitDim::gate, 4) : replicated();
    case Scheme::LSTMHidden:
      return isa<LSTMOp>(op) ? split(layer, SplitDim::hidden) : replicated();
    case Scheme::DenseOut:
      return isa<DenseOp>(op) ? split(layer, SplitDim::out_channel)
                              : replicated();
    case Scheme::DenseIn:
      return isa<DenseOp>(op) ? split(layer, SplitDim::in_channel)
                              : replicated();
    case Scheme::DensePair: {
      if (!isa<DenseOp>(op))
        return replicated();
      // Dense layers alternate output split, input split (Megatron pairs).
      int64_t denseIndex = 0;
      for (size_t i = 0; i < index; ++i)
        denseIndex += isa<DenseOp>(layers[i]);
      return split(layer, denseIndex % 2 == 0 ? SplitDim::out_channel
                                              : SplitDim::in_channel);
    }
    default:
      llvm_unreachable("scheme planned elsewhere");
    }
  }

  /// Contiguous stages balanced by FLOPs, one device per stage.
  void planPipeline(ArrayRef<PartitionableOpInterface> layers) {
    double total = 0;
    for (auto l : layers)
      total += l.getWork().flops;
    double acc = 0;
    for (auto l : layers) {
      double mid = acc + l.getWork().flops / 2.0;
      int64_t stage = total > 0
                          ? std::min<int64_t>(numDev - 1,
                                              static_cast<int64_t>(
                                                  mid / total * numDev))
                          : 0;
      acc += l.getWork().flops;
      l->setAttr(DLDialect::kPlanAttrName, single(stage, stage));
    }
  }

  /// The leading chain of spatially splittable layers forms fused group 0
  /// over every device; the rest runs on device 0 (the gateway).
  void planFusedTiles(ArrayRef<PartitionableOpInterface> layers) {
    auto tile = FusedTileAttr::get(ctx, 0, {gridRows, gridCols});
    bool inGroup = true;
    Value prev;
    for (auto l : layers) {
      Operation *op = l.getOperation();
      bool spatial = l.getIterationExtent(SplitDim::height) >= 0 &&
                     l.getIterationExtent(SplitDim::width) >= 0;
      bool chained = !prev || op->getOperand(0) == prev;
      if (inGroup && spatial && chained &&
          (!prev || prev.hasOneUse())) {
        op->setAttr(DLDialect::kPlanAttrName,
                    PlanAttr::get(ctx, 0, allDevices(numDev), 1, {}, tile));
        prev = op->getResult(0);
        continue;
      }
      inGroup = false;
      op->setAttr(DLDialect::kPlanAttrName, single());
    }
  }

  MLIRContext *ctx = nullptr;
  SmallVector<double> speeds;
  int64_t numDev = 1;
  int64_t gridRows = 1, gridCols = 1;
};

} // namespace
