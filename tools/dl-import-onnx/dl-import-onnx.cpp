//===- dl-import-onnx.cpp - ONNX to dl IR -----------------------*- C++ -*-===//
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// dl-import-onnx MODEL.onnx -o MODEL.mlir [--weights MODEL.dlw]: translates
// an ONNX model into dl layer ops and writes its initializers to a DLW1
// weight store referenced by the module's `dl.weights` attribute. See
// docs/onnx-import.md.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "dl/Import/ONNX.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::OptionCategory category("dl-import-onnx options");
static cl::opt<std::string> input(cl::Positional, cl::Required,
                                  cl::desc("<model.onnx>"), cl::cat(category));
static cl::opt<std::string> output("o", cl::Required,
                                   cl::desc("Output .mlir file"),
                                   cl::value_desc("FILE"), cl::cat(category));
static cl::opt<std::string>
    weights("weights",
            cl::desc("Weight store to write (default: the output path with "
                     "the extension .dlw)"),
            cl::value_desc("FILE"), cl::cat(category));
static cl::opt<bool> noCheck("no-check",
                             cl::desc("Skip the ONNX model checker"),
                             cl::cat(category));

/// `target` relative to directory `base` (both made absolute).
static std::string relativePath(StringRef target, StringRef base) {
  SmallString<256> t(target), b(base);
  sys::fs::make_absolute(t);
  sys::fs::make_absolute(b);
  sys::path::remove_dots(t, true);
  sys::path::remove_dots(b, true);
  SmallVector<StringRef> tp(sys::path::begin(t), sys::path::end(t));
  SmallVector<StringRef> bp(sys::path::begin(b), sys::path::end(b));
  size_t common = 0;
  while (common < tp.size() && common < bp.size() && tp[common] == bp[common])
    ++common;
  SmallString<256> rel;
  for (size_t k = common; k < bp.size(); ++k)
    sys::path::append(rel, "..");
  for (size_t k = common; k < tp.size(); ++k)
    sys::path::append(rel, tp[k]);
  return std::string(rel);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dl-import-onnx: translate an ONNX model into the dl dialect\n\n"
      "  dl-import-onnx MODEL.onnx -o MODEL.mlir [--weights MODEL.dlw]\n");

  mlir::dl::OnnxImportOptions options;
  options.check = !noCheck;
  options.weightsPath = weights;
  if (options.weightsPath.empty()) {
    if (output == "-") {
      errs() << "dl-import-onnx: error: --weights is required when writing "
                "to stdout\n";
      return 1;
    }
    SmallString<256> w(output);
    sys::path::replace_extension(w, ".dlw");
    options.weightsPath = std::string(w);
  }
  SmallString<256> outDir(output == "-" ? "." : output.getValue());
  sys::path::remove_filename(outDir);
  if (outDir.empty())
    outDir = ".";
  options.weightsAttr = relativePath(options.weightsPath, outDir);

  mlir::MLIRContext context;
  context.loadDialect<mlir::dl::DLDialect, mlir::func::FuncDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::dl::importOnnxModel(input, &context, options, errs());
  if (!module)
    return 1;

  std::string error;
  auto file = mlir::openOutputFile(output, &error);
  if (!file) {
    errs() << "dl-import-onnx: error: " << error << "\n";
    return 1;
  }
  file->os() << "// Imported from " << sys::path::filename(input)
             << " by dl-import-onnx; weights in " << options.weightsAttr
             << ".\n";
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(file->os(), flags);
  file->os() << "\n";
  file->keep();
  return 0;
}
