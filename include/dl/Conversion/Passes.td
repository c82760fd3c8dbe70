//===- Passes.td - conversions between dl and upstream MLIR -*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Conversions that connect dl to other MLIR pipelines: TOSA in, linalg out
// (docs/interop.md).
//
//===----------------------------------------------------------------------===//

#ifndef DL_CONVERSION_PASSES_TD
#define DL_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTosaToDL : Pass<"convert-tosa-to-dl", "ModuleOp"> {
  let summary = "Raise TOSA layer ops (f32) into dl layer ops";
  let description = [{
    Converts every `func.func` whose body uses the TOSA dialect into dl
    layer ops: `tosa.conv2d` / `depthwise_conv2d` -> `dl.conv2d`,
    `fully_connected` -> `dl.dense`, `matmul` -> `dl.matmul`,
    `max_pool2d` / `avg_pool2d` -> `dl.pool2d`, `add` / `mul` -> `dl.add` /
    `dl.mul`, `clamp` -> `dl.relu` (`[0, +inf)`) or `dl.clip`, `sigmoid`,
    `tanh`, `reshape` -> `dl.flatten` / `dl.reshape`. TOSA convolutions and pools
    are NHWC and dl's are NCHW; dl has no transpose op, so the conversion
    tracks which values are NHWC and accepts exactly the layout transposes
    that cancel against dl's NCHW layout (see docs/interop.md).
    `tosa.const` operands become `dl.param`s: inline (`= dense<...>`) by
    default, or written to the DLW1 store named by `weights`.
  }];
  let dependentDialects = ["::mlir::dl::DLDialect",
                           "::mlir::func::FuncDialect"];
  let options = [
    Option<"weights", "weights", "std::string", /*default=*/"\"\"",
           "write the parameters to this DLW1 weight store (and set the "
           "module's dl.weights) instead of inlining their values">
  ];
}

def ConvertDLToLinalg : Pass<"convert-dl-to-linalg", "ModuleOp"> {
  let summary = "Lower dl layer ops on tensors to linalg on tensors";
  let description = [{
    Lowers the layer ops of a dl program (a whole model or one device
    program after `dl-apply-partition`) to named linalg ops and
    `linalg.generic`s on tensors, `tensor.pad`, `tensor.collapse_shape` /
    `expand_shape` and `arith` / `math` scalar code; `dl.lstm` becomes an
    `scf.for` over the time steps. A `dl.param` with an
    inline value becomes an `arith.constant`; one without becomes a new
    trailing function argument carrying `{dl.param = "name"}` (the caller
    passes the weight). Communication ops are left in place: they have no
    linalg meaning and stay legal on tensors (docs/interop.md).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // DL_CONVERSION_PASSES_TD
