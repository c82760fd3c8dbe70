//===- DLDialect.cpp - dl dialect registration --------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the dl dialect: registration of its ops and
// attributes, and verification of the discardable `dl.*` attributes.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLDialect.h"
#include "dialects/DL/DLOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpImplementation.h"
#include <cmath>

using namespace mlir;
using namespace mlir::dl;

#include "dialects/DL/DLDialect.cpp.inc"

void DLDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/DL/DLOps.cpp.inc"
      >();
  registerAttributes();
}

std::optional<int64_t> mlir::dl::getEnclosingDevice(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp())
    if (auto device = parent->getAttrOfType<IntegerAttr>(
            DLDialect::kDeviceAttrName))
      return device.getInt();
  return std::nullopt;
}

llvm::StringRef mlir::dl::stringifySplitDimForDiag(SplitDim dim) {
  return stringifySplitDim(dim);
}

/// Returns the `dl.cluster` of the module enclosing `op`, if any.
static ClusterAttr getModuleCluster(Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return {};
  return module->getAttrOfType<ClusterAttr>(DLDialect::kClusterAttrName);
}

/// Verifies a `dl.plan` attribute against the layer it annotates: every
/// split names a dim the layer can split and covers its whole extent, the
/// parts match the devices, every part is one the layer can compute, and
/// the devices exist in the module's cluster.
static LogicalResult verifyPlanAttr(Operation *op, Attribute value) {
  StringRef name = DLDialect::kPlanAttrName;
  auto plan = dyn_cast<PlanAttr>(value);
  if (!plan)
    return op->emitError() << "'" << name << "' must be a #dl.plan";
  auto layer = dyn_cast<PartitionableOpInterface>(op);
  if (!layer)
    return op->emitError() << "'" << name
                           << "' is only valid on partitionable layers";
  // Discardable attributes are verified before the op itself; the checks
  // below ask the layer about its shapes, so the op must be well formed
  // first (this reports the op's own error and stops).
  if (std::optional<RegisteredOperationName> info =
          op->getName().getRegisteredInfo())
    if (failed(info->verifyInvariants(op)))
      return failure();

  if (plan.getTile()) {
    // Fused tiles are cut over the spatial dims and dealt to the devices
    // round-robin, so there is no part count to match.
    if (layer.getIterationExtent(SplitDim::height) < 0 ||
        layer.getIterationExtent(SplitDim::width) < 0)
      return op->emitError()
             << "fused-tile plan on a layer without height and width splits";
  } else {
    int64_t parts = plan.getReplicas();
    for (SplitAttr split : plan.getSplits()) {
      int64_t extent = layer.getIterationExtent(split.getDim());
      if (extent < 0)
        return op->emitError()
               << "plan splits dim '" << stringifySplitDim(split.getDim())
               << "', which this layer cannot split";
      if (split.getBounds().back() != extent)
        return op->emitError()
               << "plan split of '" << stringifySplitDim(split.getDim())
               << "' ends at " << split.getBounds().back()
               << " but the dim has extent " << extent;
      parts *= split.getNumParts();
    }
    // A single part on several devices means replicated compute.
    if (parts != 1 && parts != static_cast<int64_t>(plan.getDevices().size()))
      return op->emitError() << "plan has " << parts << " parts but "
                             << plan.getDevices().size() << " devices";
  }
  if (plan.getReplicas() > 1) {
    int64_t batch = layer.getIterationExtent(SplitDim::batch);
    if (batch < 0)
      return op->emitError() << "plan replicates a layer without a batch dim";
    if (batch % plan.getReplicas() != 0)
      return op->emitError() << "batch " << batch << " is not divisible by "
                             << plan.getReplicas() << " replicas";
  }
  if (!plan.getTile()) {
    // The layer may still reject a combination of ranges (e.g. an LSTM
    // split by gate and by hidden unit at once). The part count and batch
    // were checked above, so the enumeration itself succeeds.
    FailureOr<SmallVector<PlanPart>> parts = enumeratePlanParts(plan, layer);
    for (const PlanPart &part :
         succeeded(parts) ? ArrayRef<PlanPart>(*parts) : ArrayRef<PlanPart>()) {
      if (succeeded(layer.computeLocalSplit(part.ranges)))
        continue;
      InFlightDiagnostic diag = op->emitError()
                                << "this layer cannot compute the part of "
                                   "device "
                                << part.device << " (";
      llvm::interleaveComma(part.ranges, diag, [&](const DimRange &r) {
        diag << stringifySplitDim(r.dim) << " [" << r.lo << ", " << r.hi
             << ")";
      });
      return diag << ")";
    }
  }
  if (ClusterAttr cluster = getModuleCluster(op)) {
    int64_t n = cluster.getDevices().size();
    for (int64_t d : plan.getDevices())
      if (d >= n)
        return op->emitError() << "plan uses device " << d
                               << " but the cluster has " << n << " devices";
  }
  return success();
}

LogicalResult DLDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kPlanAttrName)
    return verifyPlanAttr(op, attr.getValue());
  if (name == kClusterAttrName) {
    if (!isa<ClusterAttr>(attr.getValue()))
      return op->emitError() << "'" << name << "' must be a #dl.cluster";
    if (!isa<ModuleOp>(op))
      return op->emitError() << "'" << name << "' is only valid on a module";
    return success();
  }
  // dl.kernel_rates: the devices' convolution rates and per-call kernel
  // overheads next to dl.cluster (lib/Cluster/ClusterModel.h).
  if (name == "dl.kernel_rates") {
    auto rates = dyn_cast<ArrayAttr>(attr.getValue());
    if (!rates || !isa<ModuleOp>(op))
      return op->emitError() << "'" << name << "' must be an array on a module";
    if (auto cluster =
            op->getAttrOfType<ClusterAttr>(DLDialect::kClusterAttrName))
      if (rates.size() != cluster.getDevices().size())
        return op->emitError() << "'" << name << "' has " << rates.size()
                               << " entries but the cluster has "
                               << cluster.getDevices().size() << " devices";
    for (Attribute rate : rates) {
      auto dict = dyn_cast<DictionaryAttr>(rate);
      if (!dict)
        return op->emitError()
               << "'" << name << "' entries must be dictionaries";
      for (NamedAttribute field : dict) {
        auto value = dyn_cast<FloatAttr>(field.getValue());
        StringRef key = field.getName().getValue();
        if ((key != "conv_flops" && key != "conv_k_half" &&
             key != "kernel_overhead") ||
            !value || !(value.getValueAsDouble() >= 0) ||
            std::isinf(value.getValueAsDouble()))
          return op->emitError()
                 << "'" << name << "' entries may only hold non-negative, "
                 << "finite conv_flops, conv_k_half and kernel_overhead "
                    "floats";
      }
    }
    return success();
  }
  if (name == kDeviceAttrName) {
    auto device = dyn_cast<IntegerAttr>(attr.getValue());
    if (!device || device.getInt() < 0)
      return op->emitError() << "'" << name
                             << "' must be a non-negative integer";
    if (!isa<func::FuncOp>(op))
      return op->emitError() << "'" << name << "' is only valid on a function";
    if (ClusterAttr cluster = getModuleCluster(op)) {
      int64_t n = cluster.getDevices().size();
      if (device.getInt() >= n)
        return op->emitError() << "'" << name << "' is " << device.getInt()
                               << " but the cluster has " << n << " devices";
    }
    return success();
  }
  if (name == kWeightsAttrName) {
    if (!isa<StringAttr>(attr.getValue()))
      return op->emitError() << "'" << name << "' must be a string (a path)";
    return success();
  }
  // dl.pipeline: on the stage functions of pipeline training
  // (dl-generate-pipeline-training).
  if (name == kTrainAttrName || name == "dl.pipeline") {
    if (!isa<DictionaryAttr>(attr.getValue()) || !isa<func::FuncOp>(op))
      return op->emitError()
             << "'" << name << "' must be a dictionary on a function";
    return success();
  }
  return op->emitError() << "unknown dl attribute '" << name << "'";
}

//===----------------------------------------------------------------------===//
// Generated op definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "dialects/DL/DLOps.cpp.inc"
