//===- LocalLayer.cpp - Device-local copies of split layers -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file builds the device-local copy of one part of a split layer: the
// same op on local operands with the part's result shape, with padding kept
// only at the real tensor border (interior edges read halo rows instead)
// and the group count of a grouped convolution scaled to the part.
//
//===----------------------------------------------------------------------===//

#include "passes/Apply/ApplyContext.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::apply;

/// Padding [top, left, bottom, right] a part must still apply: what its
/// input region lost to clipping at the real border.
static SmallVector<int64_t> borderPadding(const TensorRegion &input) {
  return {input.padLo[2], input.padLo[3], input.padHi[2], input.padHi[3]};
}

Operation *mlir::dl::apply::buildLocalLayer(OpBuilder &b, Operation *op,
                                            const LocalSplit &split,
                                            ArrayRef<Value> operands) {
  OperationState state(op->getLoc(), op->getName());
  for (Value v : operands)
    if (v)
      state.addOperands(v);
  NamedAttrList attrs(op->getAttrDictionary());
  attrs.erase(DLDialect::kPlanAttrName);

  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    attrs.set("padding",
              b.getDenseI64ArrayAttr(borderPadding(split.operands[0])));
    int64_t groups = conv.getGroups();
    if (groups > 1) {
      int64_t outPerGroup = shapeOf(conv.getWeight())[0] / groups;
      int64_t lo = split.result.offsets[1], size = split.result.sizes[1];
      if (lo % outPerGroup != 0 || size % outPerGroup != 0) {
        op->emitError() << "output-channel range [" << lo << ", "
                        << lo + size << ") does not align with the "
                        << groups << " groups of " << outPerGroup
                        << " channels";
        return nullptr;
      }
      attrs.set("groups", b.getI64IntegerAttr(size / outPerGroup));
    }
  } else if (isa<Pool2DOp>(op)) {
    SmallVector<int64_t> pad = borderPadding(split.operands[0]);
    ArrayRef<int64_t> kernel = cast<Pool2DOp>(op).getKernel();
    if (pad[0] >= kernel[0] || pad[2] >= kernel[0] || pad[1] >= kernel[1] ||
        pad[3] >= kernel[1]) {
      op->emitError() << "pooling part needs padding [" << pad
                      << "] that is not smaller than the kernel";
      return nullptr;
    }
    attrs.set("padding", b.getDenseI64ArrayAttr(pad));
  }
  state.addAttributes(attrs);
  state.addTypes(tensorType(op->getContext(), split.result.sizes));
  return b.create(state);
}
