//===- Passes.h - dl pass declarations ----------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares every pass of dl (generated from Passes.td) and their
// registration.
//
//===----------------------------------------------------------------------===//

#ifndef DL_PASSES_PASSES_H
#define DL_PASSES_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include <memory>

namespace mlir::dl {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Module attribute (i64) in which dl-search-partition's throughput
/// objective records the micro-batch count of its pipeline; read by
/// dl-apply-partition and dl-compile.
inline constexpr llvm::StringLiteral kSearchMicrobatchesAttrName =
    "search.microbatches";

/// Even bounds of `extent` over `parts` parts; the first `extent % parts`
/// parts get one more entry.
SmallVector<int64_t> evenBounds(int64_t extent, int64_t parts);

/// Bounds of `extent` proportional to `weights`; the last part takes the
/// remainder and every part gets at least one entry.
SmallVector<int64_t> biasedBounds(int64_t extent, ArrayRef<double> weights);

/// Half-open ranges of the tiles of a fused-tile grid along one extent
/// (DeepThings): steps of ceil(extent / parts), the last tile takes the
/// remainder. Where ceil steps would leave trailing tiles empty (4 rows in
/// 3 parts), the extent is split evenly instead ([0, 2, 3, 4]). Apply and
/// the search both use this, so they agree on every tile.
SmallVector<std::pair<int64_t, int64_t>> fusedTileRanges(int64_t extent,
                                                         int64_t parts);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::dl

#endif // DL_PASSES_PASSES_H
