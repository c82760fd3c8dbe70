//===- OnnxFuzzer.cpp - Fuzz the ONNX importer ----------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Writes the input to a .onnx file and imports it (ONNX checker, shape
// inference, folding, translation, weight store). A rejected model must
// come with a `PATH: error:` message; an imported module must verify.
//
//===----------------------------------------------------------------------===//

#include "FuzzContext.h"
#include "dl/Import/ONNX.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &model = dl_fuzz::writeScratch("onnx", ".onnx", data, size);
  const std::string weights = model + ".dlw";

  MLIRContext &ctx = dl_fuzz::context();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    diagnostics += diag.str();
    diagnostics += '\n';
    return success();
  });
  dl::OnnxImportOptions options;
  options.weightsPath = weights;
  std::string errors;
  llvm::raw_string_ostream os(errors);
  OwningOpRef<ModuleOp> module = dl::importOnnxModel(model, &ctx, options, os);
  if (!module) {
    if (errors.find(model + ": error:") == std::string::npos)
      dl_fuzz::fail("onnx", "rejected without a `PATH: error:` message",
                    errors + diagnostics);
    return 0;
  }
  if (failed(verify(*module)))
    dl_fuzz::fail("onnx", "imported a module that does not verify",
                  diagnostics);
  return 0;
}
