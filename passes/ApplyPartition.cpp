//===- ApplyPartition.cpp - Materialize plans as device programs --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl-apply-partition: it turns the `dl.plan` of every
// layer (searched, forced or written by hand) into one function per device
// with local shapes and explicit communication.
//
// The source function is walked once in program order. For each layer the
// plan's parts are enumerated; PartitionableOpInterface tells what region of
// each operand a part reads; ApplyContext::materialize moves exactly that
// into place (all-reduce of partial sums, halo exchange, all-gather, or
// point-to-point pieces); the local layer is then built on its device and
// the result's placement recorded. Model inputs start on device 0 and the
// outputs are assembled there.
//
//===----------------------------------------------------------------------===//

#include "passes/Apply/ApplyContext.h"
#include "passes/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::dl {
#define GEN_PASS_DEF_DLAPPLYPARTITION
#include "passes/Passes.h.inc"
} // namespace mlir::dl

#define DEBUG_TYPE "dl-apply-partition"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::apply;

namespace {

/// Applies the generic per-part scheme to one layer.
LogicalResult applyParts(ApplyContext &ctx, PartitionableOpInterface layer,
                         SmallVector<PlanPart> parts, int64_t replicas,
                         std::optional<DimRange> batchWindow) {
  Operation *op = layer.getOperation();
  // Restrict to the micro-batch window: replicas split the micro-batch.
  if (batchWindow) {
    int64_t extent = layer.getIterationExtent(SplitDim::batch);
    if (extent < 0)
      return op->emitError()
             << "cannot micro-batch this layer: it has no batch dimension";
    auto kept = windowPlanParts(parts, replicas, *batchWindow, extent);
    if (failed(kept))
      return op->emitError() << "a micro-batch of " << batchWindow->size()
                             << " rows does not divide evenly among "
                             << replicas << " replicas";
    parts = std::move(*kept);
  }

  std::vector<LocalSplit> splits;
  for (const PlanPart &part : parts) {
    auto split = layer.computeLocalSplit(part.ranges);
    if (failed(split)) {
      InFlightDiagnostic diag = op->emitError()
                                << "the layer cannot compute the part of "
                                   "device "
                                << part.device << " (";
      llvm::interleaveComma(part.ranges, diag, [&](const DimRange &r) {
        diag << stringifySplitDim(r.dim) << " " << r.lo << ":" << r.hi;
      });
      diag << ")";
      return failure();
    }
    splits.push_back(*split);
  }

  // Operands: activations are redistributed, parameters sliced.
  SmallVector<SmallVector<Value>> locals(parts.size());
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    if (ApplyContext::isParameter(operand)) {
      for (auto [k, part] : llvm::enumerate(parts)) {
        if (!splits[k].operands[i].needed) {
          locals[k].push_back(Value());
          continue;
        }
        auto v = ctx.materializeParam(operand, part.device,
                                      Box::of(splits[k].operands[i]), op);
        if (failed(v))
          return failure();
        locals[k].push_back(*v);
      }
      continue;
    }
    SmallVector<Need> needs;
    for (auto [k, part] : llvm::enumerate(parts))
      if (splits[k].operands[i].needed)
        needs.push_back(Need{part.device, Box::of(splits[k].operands[i])});
    auto values = ctx.materialize(operand, needs, op);
    if (failed(values))
      return failure();
    size_t next = 0;
    for (auto [k, part] : llvm::enumerate(parts))
      locals[k].push_back(splits[k].operands[i].needed ? (*values)[next++]
                                                       : Value());
  }

  // A fused activation is not linear: on partial sums it must run after
  // the reduction, not on each partial.
  auto activation = op->getAttrOfType<ActivationAttr>("activation");
  bool deferActivation =
      activation && activation.getValue() != Activation::none &&
      llvm::any_of(splits, [](const LocalSplit &s) {
        return s.kind == ResultKind::PartialSum;
      });

  Placement result;
  for (auto [k, part] : llvm::enumerate(parts)) {
    Operation *local =
        buildLocalLayer(ctx.on(part.device), op, splits[k], locals[k]);
    if (!local)
      return failure();
    if (deferActivation)
      local->setAttr("activation",
                     ActivationAttr::get(op->getContext(), Activation::none));
    result.shards.push_back(
        Shard{part.device, Box::of(splits[k].result), local->getResult(0)});
    if (splits[k].kind == ResultKind::PartialSum)
      result.partial = true;
    else if (splits[k].kind == ResultKind::Combine)
      return op->emitError() << "this split needs a per-step lowering";
  }
  if (deferActivation) {
    assert(activation.getValue() == Activation::relu &&
           "relu is the only fused activation");
    ctx.reducePartials(result, op->getLoc());
    for (Shard &shard : result.shards)
      shard.local = ctx.on(shard.device)
                        .create<ReluOp>(op->getLoc(), shard.local.getType(),
                                        shard.local);
  }
  ctx.setPlacement(op->getResult(0), std::move(result));
  return success();
}

struct DLApplyPartitionPass
    : public dl::impl::DLApplyPartitionBase<DLApplyPartitionPass> {
  using DLApplyPartitionBase::DLApplyPartitionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp source = findSource(module);
    if (!source)
      return signalPassFailure();
    int64_t numDevices = countDevices(module, source);
    if (numDevices < 1)
      return signalPassFailure();
    FailureOr<int64_t> count = microbatchCount(module);
    if (failed(count))
      return signalPassFailure();
    int64_t slices = *count;
    if (source.getBody().getBlocks().size() != 1) {
      source.emitError() << "only single-block functions can be partitioned";
      return signalPassFailure();
    }

    ApplyContext ctx(module, source, numDevices);
    auto ret = cast<func::ReturnOp>(source.getBody().front().getTerminator());
    int64_t batch = -1;
    if (slices > 1) {
      for (Value r : ret.getOperands())
        batch = shapeOf(r)[0];
      for (BlockArgument arg : source.getArguments())
        if (shapeOf(arg)[0] % slices != 0) {
          source.emitError()
              << "batch " << shapeOf(arg)[0] << " is not divisible into "
              << slices << " micro-batches";
          return signalPassFailure();
        }
    }

    // Device 0 assembles the outputs. With micro-batches it does so after
    // the last micro-batch: receiving micro-batch k's outputs before
    // starting micro-batch k + 1 would hold stage 0 (device 0 is always in
    // it) until the last stage had finished micro-batch k, so the stages
    // could not overlap. Each micro-batch's outputs stay where its walk
    // left them (partial sums already reduced, within the last stage)
    // until then.
    SmallVector<Value> outputs(ret.getNumOperands());
    SmallVector<SmallVector<Placement>> held;
    SmallVector<std::optional<DimRange>> windows;
    for (int64_t mb = 0; mb < slices; ++mb) {
      std::optional<DimRange> window;
      if (slices > 1) {
        int64_t per = batch / slices;
        window = DimRange{SplitDim::batch, mb * per, (mb + 1) * per};
      }
      if (failed(walkOnce(ctx, source, window)))
        return signalPassFailure();
      windows.push_back(window);
      held.emplace_back();
      for (Value r : ret.getOperands()) {
        Placement *p = ctx.lookup(r);
        if (!p) {
          ret.emitError() << "a returned value has no placement (its "
                             "producer was not partitioned)";
          return signalPassFailure();
        }
        if (p->partial)
          ctx.reducePartials(*p, ret.getLoc());
        held.back().push_back(*p);
      }
    }
    for (int64_t mb = 0; mb < slices; ++mb) {
      const std::optional<DimRange> &window = windows[mb];
      for (auto [i, r] : llvm::enumerate(ret.getOperands())) {
        ctx.setPlacement(r, held[mb][i]);
        Box box = Box::full(shapeOf(r));
        if (window) {
          box.offsets[0] = window->lo;
          box.sizes[0] = window->size();
        }
        auto v = ctx.materialize(r, {Need{0, box}}, ret);
        if (failed(v))
          return signalPassFailure();
        if (!window) {
          outputs[i] = (*v)[0];
          continue;
        }
        // Every micro-batch fills its rows, so the whole output needs no
        // initial value.
        if (mb == 0)
          outputs[i] = ctx.on(0).create<tensor::EmptyOp>(
              ret.getLoc(), shapeOf(r), Float32Type::get(ctx.getContext()));
        outputs[i] = ctx.insert(0, (*v)[0], box, outputs[i],
                                Box::full(shapeOf(r)), ret.getLoc());
      }
    }
    for (int64_t d = 0; d < numDevices; ++d)
      ctx.on(d).create<func::ReturnOp>(ret.getLoc(),
                                       d == 0 ? ValueRange(outputs)
                                              : ValueRange());
    source.erase();
  }

  /// The micro-batch count: the option if given, else the plan search's
  /// `search.microbatches` module attribute, else 1.
  FailureOr<int64_t> microbatchCount(ModuleOp module) {
    if (microbatches < 0) {
      module.emitError() << "microbatches must be >= 1 (or 0: the "
                            "module's search.microbatches attribute)";
      return failure();
    }
    Attribute attr = module->getAttr(kSearchMicrobatchesAttrName);
    auto searched = dyn_cast_or_null<IntegerAttr>(attr);
    if (attr && (!searched || searched.getInt() < 1)) {
      module.emitError() << "'" << kSearchMicrobatchesAttrName
                         << "' must be a positive integer, got " << attr;
      return failure();
    }
    if (!searched)
      return microbatches == 0 ? int64_t(1) : int64_t(microbatches);
    if (microbatches != 0 && microbatches != searched.getInt()) {
      module.emitError() << "microbatches=" << int64_t(microbatches)
                         << " contradicts the plan, which was searched for "
                         << searched.getInt() << " micro-batches ('"
                         << kSearchMicrobatchesAttrName
                         << "'); drop the option or search again";
      return failure();
    }
    return searched.getInt();
  }

  /// The function to partition: `func` if given, else the only one.
  func::FuncOp findSource(ModuleOp module) {
    SmallVector<func::FuncOp> funcs;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn->hasAttr(DLDialect::kDeviceAttrName) && !fn.isExternal())
        funcs.push_back(fn);
    if (!funcName.empty()) {
      for (auto fn : funcs)
        if (fn.getName() == funcName)
          return fn;
      module.emitError() << "no function named '" << funcName
                         << "' to partition";
      return {};
    }
    if (funcs.size() != 1) {
      module.emitError() << "expected exactly one function to partition, "
                            "found "
                         << funcs.size() << " (select one with func=NAME)";
      return {};
    }
    return funcs.front();
  }

  /// Devices: the cluster's, else `devices`, else the largest device any
  /// plan names plus one.
  int64_t countDevices(ModuleOp module, func::FuncOp source) {
    int64_t planned = 1;
    source.walk([&](Operation *op) {
      if (auto plan = op->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName))
        for (int64_t d : plan.getDevices())
          planned = std::max(planned, d + 1);
    });
    int64_t n = numDevices > 0 ? static_cast<int64_t>(numDevices) : planned;
    if (auto cluster =
            module->getAttrOfType<ClusterAttr>(DLDialect::kClusterAttrName))
      n = cluster.getDevices().size();
    if (planned > n) {
      module.emitError() << "plans use " << planned
                         << " devices but only " << n << " are available";
      return 0;
    }
    return n;
  }

  LogicalResult walkOnce(ApplyContext &ctx, func::FuncOp source,
                         std::optional<DimRange> window) {
    llvm::SmallPtrSet<Operation *, 16> done;
    MLIRContext *mctx = source.getContext();
    PlanAttr defaultPlan = PlanAttr::get(mctx, 0, {0}, 1, {}, nullptr);
    for (Operation &opRef : source.getBody().front()) {
      Operation *op = &opRef;
      if (done.contains(op) || isa<func::ReturnOp>(op) ||
          ApplyContext::isParameter(op->getNumResults() ? op->getResult(0)
                                                        : Value()))
        continue;
      auto layer = dyn_cast<PartitionableOpInterface>(op);
      if (!layer)
        return op->emitError() << "cannot partition '" << op->getName()
                               << "': not a dl layer";
      auto plan = op->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName);
      if (!plan)
        plan = defaultPlan;

      if (FusedTileAttr tile = plan.getTile()) {
        if (window)
          return op->emitError()
                 << "fused-tile groups cannot be micro-batched";
        SmallVector<Operation *> group;
        for (Operation *it = op; it; it = it->getNextNode()) {
          if (ApplyContext::isParameter(
                  it->getNumResults() ? it->getResult(0) : Value()))
            continue;
          auto p = it->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName);
          if (!p || !p.getTile() || p.getTile().getGroup() != tile.getGroup())
            break;
          group.push_back(it);
          done.insert(it);
        }
        if (failed(applyFusedTiles(ctx, group, plan)))
          return failure();
        continue;
      }

      auto parts = enumeratePlanParts(plan, layer);
      if (failed(parts))
        return op->emitError() << "the plan's parts do not match its devices";
      if (auto lstm = dyn_cast<LSTMOp>(op)) {
        bool stepSplit =
            llvm::any_of(parts->front().ranges, [](const DimRange &r) {
              return r.dim == SplitDim::gate || r.dim == SplitDim::hidden;
            });
        if (stepSplit) {
          if (window)
            return op->emitError()
                   << "a gate or hidden-unit LSTM split cannot be "
                      "micro-batched";
          if (failed(applyLSTMStepSplit(ctx, lstm, *parts)))
            return failure();
          continue;
        }
      }
      if (failed(applyParts(ctx, layer, *parts, plan.getReplicas(), window)))
        return failure();
    }
    return success();
  }
};

} // namespace
