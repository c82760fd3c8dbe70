//===- Registration.h - register dl with an MLIR tool -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Entry points that make the dl dialect, its passes and pipelines available
// to any mlir-opt style tool.
//
//===----------------------------------------------------------------------===//

#ifndef DL_REGISTRATION_H
#define DL_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::dl {

/// Inserts the dl dialect and the upstream dialects its IR uses (func,
/// arith, tensor) into `registry`.
void registerDLDialects(DialectRegistry &registry);

/// Registers every dl pass and the named dl pipelines (`registerDLPasses()`
/// from Passes.td plus the pipelines).
void registerDLPassesAndPipelines();

} // namespace mlir::dl

#endif // DL_REGISTRATION_H
