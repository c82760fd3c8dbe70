//===- DLInterfaces.h - partitionable-layer interface ------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the value types exchanged through
// PartitionableOpInterface and the interface itself.
//
//===----------------------------------------------------------------------===//

#ifndef DL_DIALECTS_DL_DLINTERFACES_H
#define DL_DIALECTS_DL_DLINTERFACES_H

#include "dialects/DL/DLDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace mlir::dl {

/// A half-open range `[lo, hi)` of one iteration dimension.
struct DimRange {
  SplitDim dim;
  int64_t lo;
  int64_t hi;
  int64_t size() const { return hi - lo; }
};

/// A box of a tensor: per tensor dim, `offsets[i]` and `sizes[i]` (clipped
/// to the tensor), plus `padLo[i]`/`padHi[i]`, the number of positions
/// outside the tensor that the layer's own zero padding must still supply
/// at the real border. `needed = false` marks an operand the part does not
/// read at all (e.g. the bias of a non-first input-channel part).
struct TensorRegion {
  llvm::SmallVector<int64_t, 4> offsets;
  llvm::SmallVector<int64_t, 4> sizes;
  llvm::SmallVector<int64_t, 4> padLo;
  llvm::SmallVector<int64_t, 4> padHi;
  bool needed = true;
  /// Dim 0 of the region repeats `repeat` times, each copy shifted by
  /// `repeatStride` rows (LSTM hidden-unit splits read the same units of
  /// all four gates: rows `[u0 + g*H, u1 + g*H)` for g = 0..3).
  int64_t repeat = 1;
  int64_t repeatStride = 0;

  /// The whole of a tensor of shape `shape`.
  static TensorRegion full(llvm::ArrayRef<int64_t> shape);
  int64_t numElements() const;
  bool operator==(const TensorRegion &other) const;
};

/// A box of a tensor: offsets and sizes per dim (a TensorRegion without its
/// padding). Shared by apply, the cost model and the search.
struct Box {
  llvm::SmallVector<int64_t, 4> offsets;
  llvm::SmallVector<int64_t, 4> sizes;

  static Box full(llvm::ArrayRef<int64_t> shape);
  static Box of(const TensorRegion &region);
  int64_t numElements() const;
  bool contains(const Box &other) const;
  /// Intersection; some size is 0 when the boxes are disjoint.
  Box intersect(const Box &other) const;
  bool empty() const;
  std::string str() const;
  bool operator==(const Box &other) const;
  bool operator!=(const Box &other) const { return !(*this == other); }
  /// Lexicographic by offsets, then sizes (for deterministic maps).
  bool operator<(const Box &other) const;
};

/// The extent covered by the boxes of `shards` (any type with `.box`): the
/// tensor's shape when the shards cover it.
template <typename ShardT>
llvm::SmallVector<int64_t, 4> coveredExtent(llvm::ArrayRef<ShardT> shards) {
  llvm::SmallVector<int64_t, 4> full(shards.front().box.sizes.size(), 0);
  for (size_t d = 0; d < full.size(); ++d)
    for (const ShardT &s : shards)
      full[d] = std::max(full[d], s.box.offsets[d] + s.box.sizes[d]);
  return full;
}

/// If `shards` (any type with `.device` and `.box`, one per device) form a
/// 1-D partition of `shape` along one dim, returns that dim and fills
/// `order` with the shard indices in increasing offset order. Apply and the
/// cost model both decide halo exchanges and all-gathers with this.
template <typename ShardT, typename OrderT>
std::optional<int64_t> partitionDim(llvm::ArrayRef<ShardT> shards,
                                    llvm::ArrayRef<int64_t> shape,
                                    OrderT &order) {
  if (shards.size() < 2)
    return std::nullopt;
  for (size_t i = 0; i < shards.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (shards[i].device == shards[j].device)
        return std::nullopt;
  std::optional<int64_t> dim;
  for (size_t d = 0; d < shape.size(); ++d) {
    bool differs = llvm::any_of(
        shards, [&](const ShardT &s) { return s.box.sizes[d] != shape[d]; });
    if (!differs)
      continue;
    if (dim)
      return std::nullopt;
    dim = d;
  }
  if (!dim)
    return std::nullopt;
  order.clear();
  for (size_t i = 0; i < shards.size(); ++i)
    order.push_back(i);
  llvm::sort(order, [&](size_t a, size_t b) {
    return shards[a].box.offsets[*dim] < shards[b].box.offsets[*dim];
  });
  int64_t next = 0;
  for (size_t i : order) {
    if (shards[i].box.offsets[*dim] != next)
      return std::nullopt;
    next += shards[i].box.sizes[*dim];
  }
  if (next != shape[*dim])
    return std::nullopt;
  return dim;
}

/// How a part's result relates to the full result.
enum class ResultKind {
  /// The part holds a disjoint box of the final result.
  Slice,
  /// The part holds a full-size partial sum (needs a reduction).
  PartialSum,
  /// The part holds a share of intermediate values (LSTM gate
  /// pre-activations) that a combiner turns into the result every step.
  Combine,
};

/// The work of (a part of) a layer.
struct LayerWork {
  int64_t macs = 0;
  /// Floating-point operations: 2 per MAC plus elementwise work.
  int64_t flops = 0;
  /// Bytes of parameters (weights, biases, statistics) the part reads.
  int64_t paramBytes = 0;
  /// Bytes of activations read and written.
  int64_t inputBytes = 0;
  int64_t outputBytes = 0;
  /// All bytes touched: the roofline's memory traffic.
  int64_t bytes() const { return paramBytes + inputBytes + outputBytes; }
};

/// What one part of a split layer needs and produces.
struct LocalSplit {
  /// One region per operand, in operand order.
  llvm::SmallVector<TensorRegion, 4> operands;
  /// The region of the full result this part produces (for PartialSum the
  /// whole result).
  TensorRegion result;
  ResultKind kind = ResultKind::Slice;
  LayerWork work;
};

/// Returns the range of `dim` in `parts`, or `[0, extent)` if absent.
DimRange lookupRange(llvm::ArrayRef<DimRange> parts, SplitDim dim,
                     int64_t extent);

/// Input range `[lo, hi)` (unclipped, may be negative or past the end) read
/// by output range `[outLo, outHi)` of a sliding window with kernel `k`,
/// stride `s`, padding-before `p` and dilation `d`.
std::pair<int64_t, int64_t> windowInputRange(int64_t outLo, int64_t outHi,
                                             int64_t k, int64_t s, int64_t p,
                                             int64_t d);

/// Sets dim `i` of `region` to the unclipped range `[lo, hi)` of a tensor
/// dim of size `extent`, clipping it and recording the clipped amounts as
/// padding.
void setClippedRange(TensorRegion &region, unsigned i, int64_t lo, int64_t hi,
                     int64_t extent);

} // namespace mlir::dl

#include "dialects/DL/DLInterfaces.h.inc"

namespace mlir::dl {
/// One part of a plan: the device executing it and its iteration ranges.
struct PlanPart {
  int64_t device;
  int64_t replica;
  llvm::SmallVector<DimRange> ranges;
};

/// Lists the parts of `plan` for `layer`: devices are laid out row-major
/// over (replica, split 0, split 1, ...); replicas split the batch evenly.
/// A single part on several devices is replicated compute (one full part
/// per device). Fails if the plan's part count does not match its devices.
FailureOr<llvm::SmallVector<PlanPart>>
enumeratePlanParts(PlanAttr plan, PartitionableOpInterface layer);

/// The parts of a plan for one micro-batch, the batch rows `window` of a
/// layer whose batch extent is `extent`: `replicas` > 1 replicas split the
/// micro-batch evenly among themselves (so data parallelism inside a
/// pipeline stage divides every micro-batch); other batch ranges are
/// intersected with the window and parts left without rows are dropped.
/// Fails if the micro-batch does not divide evenly among the replicas.
FailureOr<llvm::SmallVector<PlanPart>>
windowPlanParts(llvm::ArrayRef<PlanPart> parts, int64_t replicas,
                DimRange window, int64_t extent);
} // namespace mlir::dl

#endif // DL_DIALECTS_DL_DLINTERFACES_H
