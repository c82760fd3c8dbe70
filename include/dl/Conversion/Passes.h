//===- Passes.h - conversions between dl and upstream MLIR --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Declarations of convert-tosa-to-dl and convert-dl-to-linalg.
//
//===----------------------------------------------------------------------===//

#ifndef DL_CONVERSION_PASSES_H
#define DL_CONVERSION_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include <memory>

namespace mlir {
namespace arith {
class ArithDialect;
} // namespace arith
namespace func {
class FuncDialect;
} // namespace func
namespace linalg {
class LinalgDialect;
} // namespace linalg
namespace math {
class MathDialect;
} // namespace math
namespace tensor {
class TensorDialect;
} // namespace tensor
} // namespace mlir

namespace mlir::dl {

class DLDialect;

#define GEN_PASS_DECL
#include "dl/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dl/Conversion/Passes.h.inc"

} // namespace mlir::dl

#endif // DL_CONVERSION_PASSES_H
