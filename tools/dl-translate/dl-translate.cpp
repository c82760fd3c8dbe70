//===- dl-translate.cpp - dl translation driver ----------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// mlir-translate for dl: registers only the dl translations (dl-to-cpp,
// dl-to-cuda) and the dialects their input uses (dl, func, arith, tensor).
//
//===----------------------------------------------------------------------===//

#include "dl/Target/CUDA.h"
#include "dl/Target/Cpp.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::dl::registerToCppTranslation();
  mlir::dl::registerToCUDATranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "dl translation driver\n"));
}
