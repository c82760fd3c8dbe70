//===- LayerUtils.h - helpers shared by dl layer implementations -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Private helpers for the layer ops' verifiers and their implementations of
// PartitionableOpInterface: result-type checks and the mapping between
// tensor dims and split dims of layout-following layers.
//
//===----------------------------------------------------------------------===//

#ifndef DL_DIALECTS_DL_LAYERUTILS_H
#define DL_DIALECTS_DL_LAYERUTILS_H

#include "dialects/DL/DLOps.h"

namespace mlir::dl::detail {

constexpr int64_t kF32Bytes = 4;

/// Emits "result type X does not match the inferred type Y" unless equal.
LogicalResult verifyResultShape(Operation *op, ArrayRef<int64_t> expected);

/// Tensor dim `i` of a layout-following layer (elementwise, batch-norm,
/// softmax, concat) corresponds to split dim batch, out_channel, height,
/// width for i = 0..3.
std::optional<SplitDim> splitDimOfTensorDim(int64_t i);
int64_t tensorDimOfSplitDim(SplitDim dim);

/// Region of a rank-`shape.size()` tensor selected by `parts` under the
/// mapping above (dims without a range are whole).
TensorRegion layoutFollowingRegion(ArrayRef<int64_t> shape,
                                   ArrayRef<DimRange> parts);

/// Checks that every range of `parts` names a dim in `allowed` and lies in
/// `[0, extent(dim))`.
LogicalResult checkParts(ArrayRef<DimRange> parts,
                         function_ref<int64_t(SplitDim)> extent);

/// Shape of a ranked tensor value.
inline ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// Interface plumbing for layers that follow their input's layout: every
/// tensor dim of `shape` except `excluded` is splittable.
SmallVector<SplitDim> followingSplitDims(ArrayRef<int64_t> shape,
                                         int64_t excluded = -1);
int64_t followingExtent(ArrayRef<int64_t> shape, SplitDim dim,
                        int64_t excluded = -1);

/// Verifies strides (2), padding (4: top, left, bottom, right) and
/// dilations (2) of a window layer.
LogicalResult verifyWindowAttrs(Operation *op, ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> padding,
                                ArrayRef<int64_t> dilations);

/// Output [H, W] of a `kh x kw` window over NCHW input `in`; emits an error
/// on `op` if the window does not fit.
FailureOr<SmallVector<int64_t>>
windowResultSpatial(Operation *op, ArrayRef<int64_t> in, int64_t kh,
                    int64_t kw, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations);

} // namespace mlir::dl::detail

#endif // DL_DIALECTS_DL_LAYERUTILS_H
