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

/// Inserts the dl dialect and the upstream dialects its IR and its
/// conversions use (func, arith, tensor, tosa, linalg, math) into
/// `registry`.
void registerDLDialects(DialectRegistry &registry);

/// Registers every dl pass (passes/Passes.td), the conversions
/// (`convert-tosa-to-dl`, `convert-dl-to-linalg`) and the named pipeline
/// `dl-partition-pipeline` (options `cluster`, `scheme`, `objective`,
/// `devices`): attach cluster -> search or forced scheme -> apply ->
/// verify-comm.
void registerDLPassesAndPipelines();

} // namespace mlir::dl

#endif // DL_REGISTRATION_H
