//===- Registration.cpp - register dl with an MLIR tool -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the registration entry points of include/dl.
//
//===----------------------------------------------------------------------===//

#include "dl/Registration.h"
#include "dialects/DL/DLDialect.h"
#include "passes/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

void mlir::dl::registerDLDialects(DialectRegistry &registry) {
  registry.insert<DLDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect>();
}

void mlir::dl::registerDLPassesAndPipelines() { registerDLPasses(); }
