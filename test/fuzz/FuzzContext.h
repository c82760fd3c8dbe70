//===- FuzzContext.h - The MLIRContext of the fuzz targets ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The MLIRContext the MLIR-based fuzz targets share across inputs: dl,
// func, arith and tensor loaded, single-threaded, never destroyed.
//
//===----------------------------------------------------------------------===//

#ifndef DL_TEST_FUZZ_FUZZCONTEXT_H
#define DL_TEST_FUZZ_FUZZCONTEXT_H

#include "FuzzCommon.h"
#include "dialects/DL/DLDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

namespace dl_fuzz {

/// The context of every input (created once, never destroyed).
inline mlir::MLIRContext &context() {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    registry.insert<mlir::dl::DLDialect, mlir::func::FuncDialect,
                    mlir::arith::ArithDialect, mlir::tensor::TensorDialect>();
    auto *c =
        new mlir::MLIRContext(registry, mlir::MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    return c;
  }();
  return *ctx;
}

} // namespace dl_fuzz

#endif // DL_TEST_FUZZ_FUZZCONTEXT_H
