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

LogicalResult DLDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kPlanAttrName) {
    auto plan = dyn_cast<PlanAttr>(attr.getValue());
    if (!plan)
      return op->emitError() << "'" << name << "' must be a #dl.plan";
    auto layer = dyn_cast<PartitionableOpInterface>(op);
    if (!layer)
      return op->emitError() << "'" << name
                             << "' is only valid on partitionable layers";
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
    if (parts != static_cast<int64_t>(plan.getDevices().size()))
      return op->emitError() << "plan has " << parts
                             << " parts but " << plan.getDevices().size()
                             << " devices";
    if (plan.getReplicas() > 1) {
      int64_t batch = layer.getIterationExtent(SplitDim::batch);
      if (batch < 0)
        return op->emitError() << "plan replicates a layer without a batch dim";
      if (batch % plan.getReplicas() != 0)
        return op->emitError() << "batch " << batch << " is not divisible by "
                               << plan.getReplicas() << " replicas";
    }
    if (auto module = op->getParentOfType<ModuleOp>()) {
      if (auto cluster =
              module->getAttrOfType<ClusterAttr>(kClusterAttrName)) {
        int64_t n = cluster.getDevices().size();
        for (int64_t d : plan.getDevices())
          if (d >= n)
            return op->emitError() << "plan uses device " << d
                                   << " but the cluster has " << n
                                   << " devices";
      }
    }
    return success();
  }
  if (name == kClusterAttrName) {
    if (!isa<ClusterAttr>(attr.getValue()))
      return op->emitError() << "'" << name << "' must be a #dl.cluster";
    if (!isa<ModuleOp>(op))
      return op->emitError() << "'" << name << "' is only valid on a module";
    return success();
  }
  if (name == kDeviceAttrName) {
    auto device = dyn_cast<IntegerAttr>(attr.getValue());
    if (!device || device.getInt() < 0)
      return op->emitError() << "'" << name
                             << "' must be a non-negative integer";
    if (!isa<func::FuncOp>(op))
      return op->emitError() << "'" << name << "' is only valid on a function";
    return success();
  }
  if (name == kWeightsAttrName) {
    if (!isa<StringAttr>(attr.getValue()))
      return op->emitError() << "'" << name << "' must be a string (a path)";
    return success();
  }
  return op->emitError() << "unknown dl attribute '" << name << "'";
}

//===----------------------------------------------------------------------===//
// Generated op definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "dialects/DL/DLOps.cpp.inc"
