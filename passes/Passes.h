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

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::dl

#endif // DL_PASSES_PASSES_H
