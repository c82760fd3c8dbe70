//===- TestPartitionInterface.cpp - Expose the layer interface ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl-test-partition-interface, which reports what
// PartitionableOpInterface answers for each layer as remarks, so that lit
// tests can check the interface against the partitioning reference.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "passes/Passes.h"

namespace mlir::dl {
#define GEN_PASS_DEF_DLTESTPARTITIONINTERFACE
#include "passes/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

void printRegion(llvm::raw_ostream &os, const TensorRegion &r) {
  if (!r.needed) {
    os << "unused";
    return;
  }
  os << "[";
  for (size_t i = 0; i < r.offsets.size(); ++i) {
    if (i)
      os << ", ";
    os << r.offsets[i] << ":" << r.offsets[i] + r.sizes[i];
    if (r.padLo[i] || r.padHi[i])
      os << " pad " << r.padLo[i] << "/" << r.padHi[i];
  }
  os << "]";
  if (r.repeat > 1)
    os << " x" << r.repeat << " stride " << r.repeatStride;
}

StringRef kindName(ResultKind kind) {
  switch (kind) {
  case ResultKind::Slice:
    return "slice";
  case ResultKind::PartialSum:
    return "partial";
  case ResultKind::Combine:
    return "combine";
  }
  llvm_unreachable("unknown result kind");
}

void printWork(llvm::raw_ostream &os, const LayerWork &w) {
  os << "macs " << w.macs << " flops " << w.flops << " params "
     << w.paramBytes << "B in " << w.inputBytes << "B out " << w.outputBytes
     << "B";
}

struct DLTestPartitionInterfacePass
    : public dl::impl::DLTestPartitionInterfaceBase<
          DLTestPartitionInterfacePass> {
  using DLTestPartitionInterfaceBase::DLTestPartitionInterfaceBase;

  void runOnOperation() override {
    getOperation().walk([&](PartitionableOpInterface layer) {
      Operation *op = layer.getOperation();
      auto plan = op->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName);
      if (!plan) {
        std::string s;
        llvm::raw_string_ostream os(s);
        os << "dims [";
        llvm::interleaveComma(layer.getSplittableDims(), os, [&](SplitDim d) {
          os << stringifySplitDim(d) << "=" << layer.getIterationExtent(d);
        });
        os << "] ";
        printWork(os, layer.getWork());
        op->emitRemark() << s;
        return;
      }
      auto parts = enumeratePlanParts(plan, layer);
      if (failed(parts)) {
        op->emitError() << "cannot enumerate the parts of the plan";
        return signalPassFailure();
      }
      for (const PlanPart &part : *parts) {
        auto split = layer.computeLocalSplit(part.ranges);
        if (failed(split)) {
          op->emitError() << "the layer rejects part on device "
                          << part.device;
          return signalPassFailure();
        }
        std::string s;
        llvm::raw_string_ostream os(s);
        os << "device " << part.device << ":";
        for (const DimRange &r : part.ranges)
          os << " " << stringifySplitDim(r.dim) << " " << r.lo << ":" << r.hi;
        for (auto [i, region] : llvm::enumerate(split->operands)) {
          os << " | op" << i << " ";
          printRegion(os, region);
        }
        os << " | result " << kindName(split->kind) << " ";
        printRegion(os, split->result);
        os << " | ";
        printWork(os, split->work);
        op->emitRemark() << s;
      }
    });
  }
};

} // namespace
