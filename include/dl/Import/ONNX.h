//===- ONNX.h - ONNX model importer -----------------------------*- C++ -*-===//
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the ONNX importer: an ONNX model (protobuf, read with
// the ONNX C++ library) becomes a module of dl layer ops whose parameters
// live in a DLW1 weight store. See docs/onnx-import.md.
//
//===----------------------------------------------------------------------===//

#ifndef DL_IMPORT_ONNX_H
#define DL_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include <string>

namespace mlir::dl {

/// Options of importOnnxModel.
struct OnnxImportOptions {
  /// Where the weight store (.dlw) is written. Required.
  std::string weightsPath;
  /// Value of the module's `dl.weights` attribute (the weight store's path
  /// relative to the .mlir file that will hold the module); empty: the
  /// attribute is not set.
  std::string weightsAttr;
  /// Run the ONNX checker before importing.
  bool check = true;
};

/// Reads the ONNX model at `path`, runs the ONNX checker and shape
/// inference, folds shape subgraphs and translates the graph into a
/// `func.func @main` of dl layer ops in a new module of `context` (which
/// must have the dl and func dialects loaded). Initializers become
/// `dl.param` ops whose data is written to `options.weightsPath`.
///
/// On failure prints `PATH: error: ...` messages, naming the node and its
/// op type where one is at fault, to `errors` and returns null.
OwningOpRef<ModuleOp> importOnnxModel(StringRef path, MLIRContext *context,
                                      const OnnxImportOptions &options,
                                      raw_ostream &errors);

} // namespace mlir::dl

#endif // DL_IMPORT_ONNX_H
