//===- DLInterfaces.cpp - partitionable-layer interface -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the helpers shared by the layer ops' implementations
// of PartitionableOpInterface, and the enumeration of a plan's parts.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLInterfaces.h"
#include "dialects/DL/DLOps.h"

using namespace mlir;
using namespace mlir::dl;

#include "dialects/DL/DLInterfaces.cpp.inc"

TensorRegion TensorRegion::full(ArrayRef<int64_t> shape) {
  TensorRegion r;
  r.offsets.assign(shape.size(), 0);
  r.sizes.assign(shape.begin(), shape.end());
  r.padLo.assign(shape.size(), 0);
  r.padHi.assign(shape.size(), 0);
  return r;
}

int64_t TensorRegion::numElements() const {
  if (!needed)
    return 0;
  int64_t n = repeat;
  for (int64_t s : sizes)
    n *= s;
  return n;
}

bool TensorRegion::operator==(const TensorRegion &other) const {
  return offsets == other.offsets && sizes == other.sizes &&
         padLo == other.padLo && padHi == other.padHi &&
         needed == other.needed && repeat == other.repeat &&
         repeatStride == other.repeatStride;
}

//===----------------------------------------------------------------------===//
// Box
//===----------------------------------------------------------------------===//

Box Box::full(ArrayRef<int64_t> shape) {
  Box b;
  b.offsets.assign(shape.size(), 0);
  b.sizes.assign(shape.begin(), shape.end());
  return b;
}

Box Box::of(const TensorRegion &region) {
  Box b;
  b.offsets.assign(region.offsets.begin(), region.offsets.end());
  b.sizes.assign(region.sizes.begin(), region.sizes.end());
  return b;
}

int64_t Box::numElements() const {
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  return n;
}

bool Box::contains(const Box &o) const {
  for (size_t i = 0; i < sizes.size(); ++i)
    if (o.offsets[i] < offsets[i] ||
        o.offsets[i] + o.sizes[i] > offsets[i] + sizes[i])
      return false;
  return true;
}

Box Box::intersect(const Box &o) const {
  Box r;
  for (size_t i = 0; i < sizes.size(); ++i) {
    int64_t lo = std::max(offsets[i], o.offsets[i]);
    int64_t hi = std::min(offsets[i] + sizes[i], o.offsets[i] + o.sizes[i]);
    r.offsets.push_back(lo);
    r.sizes.push_back(std::max<int64_t>(hi - lo, 0));
  }
  return r;
}

bool Box::empty() const {
  return llvm::any_of(sizes, [](int64_t s) { return s == 0; });
}

bool Box::operator==(const Box &other) const {
  // Element by element rather than SmallVector's ==, which calls memcmp
  // for a handful of integers (the search compares boxes in its inner
  // loops).
  size_t n = offsets.size();
  if (n != other.offsets.size() || sizes.size() != other.sizes.size())
    return false;
  for (size_t i = 0; i < n; ++i)
    if (offsets[i] != other.offsets[i])
      return false;
  for (size_t i = 0, e = sizes.size(); i < e; ++i)
    if (sizes[i] != other.sizes[i])
      return false;
  return true;
}

bool Box::operator<(const Box &o) const {
  if (offsets != o.offsets)
    return std::lexicographical_compare(offsets.begin(), offsets.end(),
                                        o.offsets.begin(), o.offsets.end());
  return std::lexicographical_compare(sizes.begin(), sizes.end(),
                                      o.sizes.begin(), o.sizes.end());
}

std::string Box::str() const {
  std::string s = "[";
  for (size_t i = 0; i < sizes.size(); ++i)
    s += (i ? ", " : "") + std::to_string(offsets[i]) + ":" +
         std::to_string(offsets[i] + sizes[i]);
  return s + "]";
}

DimRange mlir::dl::lookupRange(ArrayRef<DimRange> parts, SplitDim dim,
                               int64_t extent) {
  for (const DimRange &r : parts)
    if (r.dim == dim)
      return r;
  return DimRange{dim, 0, extent};
}

std::pair<int64_t, int64_t> mlir::dl::windowInputRange(int64_t outLo,
                                                       int64_t outHi, int64_t k,
                                                       int64_t s, int64_t p,
                                                       int64_t d) {
  int64_t lo = outLo * s - p;
  int64_t hi = (outHi - 1) * s - p + (k - 1) * d + 1;
  return {lo, hi};
}

void mlir::dl::setClippedRange(TensorRegion &region, unsigned i, int64_t lo,
                               int64_t hi, int64_t extent) {
  int64_t clo = std::max<int64_t>(lo, 0);
  int64_t chi = std::min<int64_t>(hi, extent);
  region.offsets[i] = clo;
  region.sizes[i] = std::max<int64_t>(chi - clo, 0);
  region.padLo[i] = clo - lo;
  region.padHi[i] = hi - chi;
}

FailureOr<SmallVector<PlanPart>>
mlir::dl::enumeratePlanParts(PlanAttr plan, PartitionableOpInterface layer) {
  SmallVector<int64_t> counts;
  counts.push_back(plan.getReplicas());
  for (SplitAttr split : plan.getSplits())
    counts.push_back(split.getNumParts());
  int64_t total = 1;
  for (int64_t c : counts)
    total *= c;
  int64_t numDevices = plan.getDevices().size();
  if (total == 1 && numDevices > 1) {
    // Replicated compute: every device runs the whole layer.
    SmallVector<PlanPart> result;
    for (int64_t d : plan.getDevices())
      result.push_back(PlanPart{d, 0, {}});
    return result;
  }
  if (total != numDevices)
    return failure();
  int64_t batch = plan.getReplicas() > 1
                      ? layer.getIterationExtent(SplitDim::batch)
                      : -1;
  if (plan.getReplicas() > 1 && batch < 0)
    return failure();

  SmallVector<PlanPart> result;
  for (int64_t index = 0; index < total; ++index) {
    // Row-major decomposition of `index` over (replica, split0, split1...).
    SmallVector<int64_t> coord(counts.size());
    int64_t rest = index;
    for (int64_t d = counts.size() - 1; d >= 0; --d) {
      coord[d] = rest % counts[d];
      rest /= counts[d];
    }
    PlanPart part;
    part.device = plan.getDevices()[index];
    part.replica = coord[0];
    if (plan.getReplicas() > 1) {
      int64_t per = batch / plan.getReplicas();
      part.ranges.push_back(
          DimRange{SplitDim::batch, coord[0] * per, (coord[0] + 1) * per});
    }
    for (auto [i, split] : llvm::enumerate(plan.getSplits())) {
      ArrayRef<int64_t> bounds = split.getBounds();
      part.ranges.push_back(DimRange{split.getDim(), bounds[coord[i + 1]],
                                     bounds[coord[i + 1] + 1]});
    }
    result.push_back(std::move(part));
  }
  return result;
}

FailureOr<SmallVector<PlanPart>>
mlir::dl::windowPlanParts(ArrayRef<PlanPart> parts, int64_t replicas,
                          DimRange window, int64_t extent) {
  if (replicas > 1 && window.size() % replicas != 0)
    return failure();
  int64_t per = replicas > 1 ? window.size() / replicas : 0;
  SmallVector<PlanPart> kept;
  for (const PlanPart &part : parts) {
    DimRange r = lookupRange(part.ranges, SplitDim::batch, extent);
    int64_t lo = std::max(r.lo, window.lo);
    int64_t hi = std::min(r.hi, window.hi);
    if (replicas > 1) {
      lo = window.lo + part.replica * per;
      hi = lo + per;
    }
    if (lo >= hi)
      continue;
    PlanPart p = part;
    llvm::erase_if(p.ranges,
                   [](const DimRange &d) { return d.dim == SplitDim::batch; });
    p.ranges.push_back(DimRange{SplitDim::batch, lo, hi});
    kept.push_back(std::move(p));
  }
  return kept;
}
