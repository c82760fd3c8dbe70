//===- ShapeLimits.h - Tensor sizes the toolchain can handle ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Byte sizes, offsets and element counts are int64_t throughout the
// compiler, the generated programs and the runtime. verifyTensorSizes
// rejects, with a diagnostic at the offending value, any tensor whose byte
// size does not fit: computing with it would overflow (undefined behaviour)
// long before anything could allocate it.
//
//===----------------------------------------------------------------------===//

#ifndef DL_SHAPELIMITS_H
#define DL_SHAPELIMITS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Visitors.h"
#include "llvm/Support/MathExtras.h"
#include <cstdint>
#include <optional>

namespace mlir::dl {

/// Largest tensor, in elements, the toolchain handles: its float32 byte size
/// must fit an int64_t.
constexpr int64_t kMaxTensorElements = INT64_MAX / 4;

/// The number of elements of a static shape, or std::nullopt if it exceeds
/// kMaxTensorElements (or a dimension is dynamic or negative).
inline std::optional<int64_t>
checkedNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d != 0 && n > kMaxTensorElements / d)
      return std::nullopt;
    n *= d;
  }
  return n;
}

/// Emits an error at the first op result or block argument of `root` (in
/// program order, function arguments first) whose ranked tensor type holds
/// more than kMaxTensorElements elements.
inline LogicalResult verifyTensorSizes(Operation *root) {
  auto tooLarge = [](Value v, Location loc) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !t.hasStaticShape() || checkedNumElements(t.getShape()))
      return false;
    emitError(loc) << "tensor type " << t
                   << " is too large: its byte size overflows 64 bits (at "
                      "most "
                   << kMaxTensorElements << " elements)";
    return true;
  };
  WalkResult walk = root->walk<WalkOrder::PreOrder>([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          if (tooLarge(arg, arg.getLoc()))
            return WalkResult::interrupt();
    for (Value result : op->getResults())
      if (tooLarge(result, op->getLoc()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

/// Emits an error at the first op result or block argument of `root` (in
/// program order, function arguments first) whose ranked tensor type has a
/// dynamic dimension. The plan search and the cost model size every tensor
/// and the parts of its split; a dynamic dimension (ShapedType::kDynamic,
/// INT64_MIN) would enter those products as a size.
inline LogicalResult verifyStaticShapes(Operation *root) {
  auto dynamic = [](Value v, Location loc) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || t.hasStaticShape())
      return false;
    emitError(loc) << "tensor type " << t
                   << " has a dynamic dimension: partitioning needs static "
                      "shapes";
    return true;
  };
  WalkResult walk = root->walk<WalkOrder::PreOrder>([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          if (dynamic(arg, arg.getLoc()))
            return WalkResult::interrupt();
    for (Value result : op->getResults())
      if (dynamic(result, op->getLoc()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

} // namespace mlir::dl

#endif // DL_SHAPELIMITS_H
