//===- SplitPairs.h - Intra-layer (m) splits for training -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The forward rewrite of dl-generate-training's `tensor-parallel` option
// (docs/training.md): pairs of conv/dense layers whose first layer is split
// by output channels and whose second is split by input channels.
//
//===----------------------------------------------------------------------===//

#ifndef DL_PASSES_TRAIN_SPLITPAIRS_H
#define DL_PASSES_TRAIN_SPLITPAIRS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::dl::train {

/// How one rank holds a parameter of an m-split model.
struct ParamSplit {
  /// The dimension cut into `parts` equal contiguous pieces (piece r on
  /// rank r of the group of `parts` ranks); -1 when not cut.
  int64_t dim = -1;
  int64_t parts = 1;
  /// The tensor is held whole by rank 0 of the group; the other ranks hold
  /// zeros (the bias of an input-split layer, added once to the partial
  /// sums).
  bool rank0Only = false;
};

/// Rewrites the forward function `fwd` for `parts` ranks: every layer A
/// (conv with one group, or dense) whose result reaches another such layer
/// B through ReLU, pooling and flatten only, each used once, becomes an
/// output-channel split (rank r computes channels [r*C/P, (r+1)*C/P) from
/// its slice of A's weight and bias) and B an input-channel split whose
/// partial sums are added by a `dl.all_reduce` over ranks 0..P-1, followed by
/// B's fused ReLU. Pairs are taken greedily in program order. Records the
/// split of every parameter by name in `splits` and the output-split layers
/// in `outputSplit` (the gradient of their input is a partial sum too).
/// Fails with a diagnostic if no pair is found.
LogicalResult splitLayerPairs(func::FuncOp fwd, int64_t parts,
                              llvm::StringMap<ParamSplit> &splits,
                              llvm::DenseSet<Operation *> &outputSplit);

} // namespace mlir::dl::train

#endif // DL_PASSES_TRAIN_SPLITPAIRS_H
