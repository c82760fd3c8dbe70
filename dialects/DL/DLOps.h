//===- DLOps.h - dl layer and communication ops -------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the ops of the dl dialect.
//
//===----------------------------------------------------------------------===//

#ifndef DL_DIALECTS_DL_DLOPS_H
#define DL_DIALECTS_DL_DLOPS_H

#include "dialects/DL/DLDialect.h"
#include "dialects/DL/DLInterfaces.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::dl::detail {
ParseResult parseParamTypeAndValue(OpAsmParser &parser, Type &type,
                                   ElementsAttr &value);
void printParamTypeAndValue(OpAsmPrinter &printer, Operation *op, Type type,
                            ElementsAttr value);
} // namespace mlir::dl::detail

namespace mlir::dl {
using detail::parseParamTypeAndValue;
using detail::printParamTypeAndValue;
} // namespace mlir::dl

#define GET_OP_CLASSES
#include "dialects/DL/DLOps.h.inc"

#endif // DL_DIALECTS_DL_DLOPS_H
