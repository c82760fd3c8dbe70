//===- IRFuzzer.cpp - Fuzz the dl IR parser and verifier ------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Parses the input as MLIR text in a context with the dl dialects (the
// parser runs the verifier), with diagnostics captured. A module that
// parses must print in both forms and the custom form must parse again:
// anything else (a crash, an assertion, a sanitizer report, a printed form
// the parser rejects) is a finding.
//
//===----------------------------------------------------------------------===//

#include "FuzzContext.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MLIRContext &ctx = dl_fuzz::context();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    diagnostics += diag.str() + "\n";
    return success();
  });
  // MLIR's lexer expects the NUL terminator a file buffer has (dl-opt reads
  // files); a std::string provides it.
  std::string text(reinterpret_cast<const char *>(data), size);
  ParserConfig config(&ctx);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, config);
  if (!module)
    return 0;

  std::string custom, generic;
  llvm::raw_string_ostream customOs(custom), genericOs(generic);
  module->print(customOs);
  module->print(genericOs, OpPrintingFlags().printGenericOpForm());
  if (!parseSourceString<ModuleOp>(custom, config))
    dl_fuzz::fail("ir", "the printed module does not parse again:",
                  custom + "\ndiagnostics:\n" + diagnostics);
  return 0;
}
