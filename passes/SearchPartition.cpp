//===- SearchPartition.cpp - Exact search for layer plans ---------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl-search-partition: it builds the planning problem
// of the function to partition (candidates from PartitionableOpInterface),
// runs the exact search of passes/Search for the requested objective under
// the per-device memory limits, writes a `dl.plan` on every layer and
// optionally a report (JSON when the file name ends in .json, else a
// table).
//
//===----------------------------------------------------------------------===//

#include "dl/ShapeLimits.h"
#include "lib/Cluster/ClusterModel.h"
#include "passes/Passes.h"
#include "passes/Search/Search.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::dl {
#define GEN_PASS_DEF_DLSEARCHPARTITION
#include "passes/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::search;

namespace {

struct DLSearchPartitionPass
    : public dl::impl::DLSearchPartitionBase<DLSearchPartitionPass> {
  using DLSearchPartitionBase::DLSearchPartitionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The cost model computes byte sizes in int64_t, from static shapes.
    if (failed(verifyTensorSizes(module)) || failed(verifyStaticShapes(module)))
      return signalPassFailure();
    std::optional<Objective> obj =
        llvm::StringSwitch<std::optional<Objective>>(objective)
            .Case("latency", Objective::Latency)
            .Case("throughput", Objective::Throughput)
            .Case("energy", Objective::Energy)
            .Case("memory", Objective::Memory)
            .Default(std::nullopt);
    if (!obj) {
      module.emitError() << "unknown objective '" << objective
                         << "' (expected latency, throughput, energy or "
                            "memory)";
      return signalPassFailure();
    }
    if (!cluster.empty()) {
      std::string error;
      std::optional<Cluster> loaded = loadCluster(cluster, error);
      if (!loaded) {
        module.emitError() << "cannot load cluster: " << error;
        return signalPassFailure();
      }
      loaded->attachTo(module);
    }
    std::optional<Cluster> attached = Cluster::fromModule(module);
    if (!attached) {
      module.emitError() << "dl-search-partition needs a cluster: pass "
                            "cluster=FILE|PRESET or run dl-attach-cluster";
      return signalPassFailure();
    }
    Cluster c = std::move(*attached);

    SmallVector<func::FuncOp> funcs;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn->hasAttr(DLDialect::kDeviceAttrName) && !fn.isExternal())
        funcs.push_back(fn);
    Options options;
    options.objective = *obj;
    options.memoryLimit = memoryLimit;
    if (workBudget < 0) {
      module.emitError() << "work-budget must be >= 0, got "
                         << static_cast<int64_t>(workBudget);
      return signalPassFailure();
    }
    options.workBudget = workBudget;
    std::string table, json;
    for (func::FuncOp fn : funcs) {
      auto problem = buildProblem(fn, c, options);
      if (failed(problem))
        return signalPassFailure();
      Result r = searchExact(*problem);
      if (!r.feasible) {
        if (!r.infeasibleProven) {
          fn.emitError() << "no plan within the memory limits was found: "
                         << r.gapNote;
          return signalPassFailure();
        }
        reportInfeasible(*problem);
        return signalPassFailure();
      }
      if (!r.exact)
        fn.emitRemark() << "plan not proven optimal: cost " << r.cost
                        << ", lower bound " << r.lowerBound << " ("
                        << r.boundMethod << "), gap " << r.gap() << " ("
                        << llvm::formatv("{0:f2}", 100 * r.relativeGap())
                        << " %); " << r.gapNote;
      if (!r.plans.empty()) {
        for (auto [i, node] : llvm::enumerate(problem->nodes))
          node.op->setAttr(DLDialect::kPlanAttrName, r.plans[i]);
      } else {
        applyChoice(*problem, r.choice);
      }
      if (r.microbatches > 1)
        module->setAttr(kSearchMicrobatchesAttrName,
                        IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                         r.microbatches));
      table += renderTable(*problem, r);
      json += renderJson(*problem, r);
    }
    if (report.empty())
      return;
    std::error_code ec;
    llvm::raw_fd_ostream os(report, ec, llvm::sys::fs::OF_Text);
    if (ec) {
      module.emitError() << "cannot write report '" << report
                         << "': " << ec.message();
      return signalPassFailure();
    }
    os << (StringRef(report).ends_with(".json") ? json : table);
  }

  /// No plan fits: names the layer, device and bytes of the plan with the
  /// smallest peak memory.
  void reportInfeasible(Problem &p) {
    if (p.options.objective == Objective::Throughput)
      return reportInfeasiblePipeline(p);
    std::vector<int64_t> limits = p.limits;
    p.limits.assign(limits.size(), std::numeric_limits<int64_t>::max());
    p.options.objective = Objective::Memory;
    Result r = searchExact(p);
    p.limits = limits;
    if (!r.feasible) {
      p.nodes.front().op->emitError()
          << "no executable plan: some layer's input cannot be assembled";
      return;
    }
    int d = r.eval.overLimitDevice(p);
    if (d < 0)
      d = 0;
    const DeviceReport &dr = r.eval.devices[d];
    int at = r.eval.peakAt[d] >= 0 ? r.eval.peakAt[d] : 0;
    InFlightDiagnostic diag = p.nodes[at].op->emitError();
    diag << "no plan fits the memory limit: even the plan with the smallest "
            "footprint"
         << (r.exact ? "" : " found") << " needs " << dr.peakMemory()
         << " bytes on device " << d << " (" << p.cluster.devices[d].name
         << "; " << dr.weights << " of weights, " << dr.peakActivations
         << " of activations peaking at layer '" << p.nodes[at].name
         << "'), over its limit of " << limits[d] << " bytes";
    if (!r.exact)
      diag << " (the least footprint of any plan is at least "
           << int64_t(r.lowerBound) << " bytes: " << r.boundMethod << ")";
  }

  /// No pipeline fits: names the layer, device and bytes of the pipeline
  /// whose worst device exceeds its limit by the least.
  void reportInfeasiblePipeline(Problem &p) {
    Result r = leastMemoryPipeline(p);
    int d = -1;
    int64_t worst = 0;
    for (size_t k = 0; r.feasible && k < r.eval.devices.size(); ++k) {
      int64_t over = r.eval.devices[k].peakMemory() - p.limits[k];
      if (over > worst) {
        worst = over;
        d = k;
      }
    }
    if (d < 0) {
      p.nodes.front().op->emitError()
          << "no executable pipeline: some layer's input cannot be "
             "assembled";
      return;
    }
    const DeviceReport &dr = r.eval.devices[d];
    int at = r.eval.peakAt[d] >= 0 ? r.eval.peakAt[d] : 0;
    p.nodes[at].op->emitError()
        << "no pipeline fits the memory limit: even the pipeline that "
           "exceeds it least ("
        << r.stages << " stage(s), " << r.microbatches
        << " micro-batch(es)) needs " << dr.peakMemory() << " bytes on device "
        << d << " (" << p.cluster.devices[d].name << "; " << dr.weights
        << " of weights, " << dr.peakActivations
        << " of activations and buffers peaking at layer '" << p.nodes[at].name
        << "'), " << worst << " over its limit of " << p.limits[d] << " bytes";
  }
};

} // namespace
