//===- DLDialect.h - dl dialect, enums and attributes -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the dl dialect, its enums and its attributes.
//
//===----------------------------------------------------------------------===//

#ifndef DL_DIALECTS_DL_DLDIALECT_H
#define DL_DIALECTS_DL_DLDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

namespace mlir {
/// Parses a floating-point field (held as an IEEE double) of an attribute in `struct(params)` syntax.
template <>
struct FieldParser<llvm::APFloat> {
  static FailureOr<llvm::APFloat> parse(AsmParser &parser) {
    double value = 0;
    if (parser.parseFloat(value))
      return failure();
    return llvm::APFloat(value);
  }
};
} // namespace mlir

#include "dialects/DL/DLDialect.h.inc"
#include "dialects/DL/DLEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/DL/DLAttrs.h.inc"

namespace mlir::dl {
/// Returns the device (rank) of the function enclosing `op` (its `dl.device`
/// attribute), if any.
std::optional<int64_t> getEnclosingDevice(Operation *op);

/// Returns a short lower-case name of a split dimension for diagnostics.
llvm::StringRef stringifySplitDimForDiag(SplitDim dim);
} // namespace mlir::dl

#endif // DL_DIALECTS_DL_DLDIALECT_H
