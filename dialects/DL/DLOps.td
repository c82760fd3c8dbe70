//===- DLOps.td - dl layer ops -----------------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Layer ops of the dl dialect: value-semantics network layers on ranked f32
// tensors. Every layer implements PartitionableOpInterface. Result types are
// checked against the shape rules in the verifier and inferred by the
// builders (see docs/DLDialect.md for why not InferTypeOpInterface).
//
//===----------------------------------------------------------------------===//

#ifndef DL_OPS_TD
#define DL_OPS_TD

include "dialects/DL/DLBase.td"
include "dialects/DL/DLAttrs.td"
include "dialects/DL/DLInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

class DL_LayerOp<string mnemonic, list<Trait> traits = []>
    : DL_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<DL_PartitionableOpInterface>])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def DL_ParamOp : DL_Op<"param", [Pure]> {
  let summary = "a named parameter tensor (weights, biases, statistics)";
  let description = [{
    Names a tensor of the model's weight store (the `.dlw` file given to
    the compiler, see docs/weights-format.md). Small tests may inline the
    value with `= dense<...>`; big models must not.

    ```mlir
    %w = dl.param "conv1.weight" : tensor<64x3x7x7xf32>
    %b = dl.param "fc.bias" : tensor<10xf32> = dense<0.5>
    ```
  }];
  let arguments = (ins StrAttr:$name, OptionalAttr<ElementsAttr>:$value);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $name attr-dict `:` custom<ParamTypeAndValue>(type($result), $value)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and dense layers
//===----------------------------------------------------------------------===//

def DL_Conv2DOp : DL_LayerOp<"conv2d", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "2-D convolution (NCHW input, OIHW weight)";
  let description = [{
    `out[n, o, y, x] = bias[o] + sum_{c, i, j} in[n, g*C/G + c,
    y*S_h - p_t + i*d_h, x*S_w - p_l + j*d_w] * weight[o, c, i, j]`
    with `g = o / (O/G)`. `padding = [top, left, bottom, right]`; uneven
    padding is allowed. `activation = relu` fuses a ReLU.
    `H_out = (H + p_t + p_b - d_h*(K_h-1) - 1) / S_h + 1`.

    Splittable: `batch`, `out_channel`, `in_channel` (partial sums; only
    with `groups = 1`), `height`, `width` (halo from kernel, stride,
    padding, dilation).

    ```mlir
    %y = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
        -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins
    DL_Tensor:$input, DL_Tensor:$weight, Optional<DL_Tensor>:$bias,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    DefaultValuedAttr<DL_ActivationAttr, "::mlir::dl::Activation::none">:$activation
  );
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def DL_DenseOp : DL_LayerOp<"dense", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "fully connected layer, y = x * W^T + b";
  let description = [{
    `x` is `[B, K]`, `W` is `[N, K]`, `b` is `[N]`; the result is `[B, N]`.
    Splittable: `batch`, `out_channel` (rows of W), `in_channel` (columns of
    W, partial sums: the bias is added once, after the reduction).

    ```mlir
    %y = dl.dense %x, %w, %b : (tensor<1x512xf32>, tensor<10x512xf32>,
                                tensor<10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins
    DL_Tensor:$input, DL_Tensor:$weight, Optional<DL_Tensor>:$bias,
    DefaultValuedAttr<DL_ActivationAttr, "::mlir::dl::Activation::none">:$activation
  );
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def DL_MatMulOp : DL_LayerOp<"matmul", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "matrix product, optionally batched";
  let description = [{
    `[M, K] x [K, N] -> [M, N]` or `[B, M, K] x [B, K, N] -> [B, M, N]`.
    Splittable: `batch`, `out_channel` (columns N), `in_channel` (K,
    partial sums), `height` (rows M).

    ```mlir
    %c = dl.matmul %a, %b : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$lhs, DL_Tensor:$rhs);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Pooling and normalization
//===----------------------------------------------------------------------===//

def DL_Pool2DOp : DL_LayerOp<"pool2d", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "2-D max or average pooling (NCHW)";
  let description = [{
    `kernel = [K_h, K_w]`, `strides`, `padding = [top, left, bottom,
    right]`. Average pooling divides by the number of in-bounds elements
    unless `count_include_pad`. Splittable: `batch`, `out_channel` (channels),
    `height`, `width` (halo `K - S` when `K > S`).

    ```mlir
    %y = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
    ```
  }];
  let arguments = (ins
    DL_PoolKindAttr:$kind, DL_Tensor:$input,
    DenseI64ArrayAttr:$kernel,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<BoolAttr, "false">:$count_include_pad
  );
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $kind $input attr-dict `:` type($input) `->` type($result)
  }];
}

def DL_GlobalAvgPoolOp : DL_LayerOp<"global_avg_pool", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "average over the spatial dims, [N, C, H, W] -> [N, C, 1, 1]";
  let description = [{
    Splittable: `batch`, `out_channel`.

    ```mlir
    %y = dl.global_avg_pool %x : tensor<1x512x7x7xf32> -> tensor<1x512x1x1xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def DL_BatchNormOp : DL_LayerOp<"batch_norm"> {
  let summary = "inference batch normalization over dim 1";
  let description = [{
    `y = scale * (x - mean) / sqrt(var + epsilon) + bias`, per channel
    (dim 1). Inputs `[N, C]` or `[N, C, H, W]`; the four parameters are
    `[C]`. Splittable: every dim of the input (layout-transparent).

    ```mlir
    %y = dl.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
        : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
           tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins
    DL_Tensor:$input, DL_Tensor:$scale, DL_Tensor:$bias, DL_Tensor:$mean,
    DL_Tensor:$variance,
    DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon
  );
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise and shape ops
//===----------------------------------------------------------------------===//

class DL_UnaryOp<string mnemonic, string formula,
                 list<Trait> traits = []>
    : DL_LayerOp<mnemonic, !listconcat(traits, [SameOperandsAndResultType])> {
  let summary = "elementwise " # mnemonic;
  let description = "`y = " # formula # "`, elementwise. Splittable along "
    # "every dim (layout-transparent).\n\n```mlir\n%y = dl." # mnemonic
    # " %x : tensor<1x4xf32>\n```";
  let arguments = (ins DL_Tensor:$input);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DL_ReluOp : DL_UnaryOp<"relu", "max(x, 0)", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]>;
def DL_SigmoidOp : DL_UnaryOp<"sigmoid", "1 / (1 + exp(-x))", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]>;
def DL_TanhOp : DL_UnaryOp<"tanh", "tanh(x)", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]>;
def DL_GeluOp : DL_UnaryOp<"gelu", "x * Phi(x)", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]>;

def DL_ClipOp : DL_LayerOp<"clip", [SameOperandsAndResultType,
    DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "elementwise clamp to [min, max]";
  let description = [{
    `y = min(max(x, min), max)`, elementwise; `min <= max`, either bound may
    be infinite. ReLU6 is `min = 0, max = 6`. Splittable along every dim
    (layout-transparent).

    ```mlir
    %y = dl.clip %x min 0.0 max 6.0 : tensor<1x32x8x8xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, F32Attr:$min, F32Attr:$max);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `min` $min `max` $max attr-dict `:` type($input)";
}

def DL_SoftmaxOp : DL_LayerOp<"softmax", [SameOperandsAndResultType,
    DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "softmax along one axis";
  let description = [{
    Splittable along every dim except `axis`.

    ```mlir
    %y = dl.softmax %x {axis = 1 : i64} : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

class DL_BinaryOp<string mnemonic, string formula,
                  list<Trait> traits = []>
    : DL_LayerOp<mnemonic, !listconcat(traits, [SameOperandsAndResultType])> {
  let summary = "elementwise " # mnemonic # " of two tensors of one type";
  let description = "`y = " # formula # "`. Splittable along every dim "
    # "(layout-transparent when both operands share a layout).\n\n```mlir\n"
    # "%y = dl." # mnemonic # " %a, %b : tensor<1x4xf32>\n```";
  let arguments = (ins DL_Tensor:$lhs, DL_Tensor:$rhs);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def DL_AddOp : DL_BinaryOp<"add", "a + b", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]>;
def DL_MulOp : DL_BinaryOp<"mul", "a * b", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]>;

def DL_ConcatOp : DL_LayerOp<"concat", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "concatenation along one axis";
  let description = [{
    All inputs have the same rank and agree on every dim but `axis`.
    Splittable along every dim except `axis` (`batch` for dim 0, `height`
    and `width` for dims 2 and 3 of NCHW).

    ```mlir
    %y = dl.concat %a, %b {axis = 1 : i64}
        : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
    ```
  }];
  let arguments = (ins Variadic<DL_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, results)
  }];
}

def DL_FlattenOp : DL_LayerOp<"flatten", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "collapse to 2-D around an axis";
  let description = [{
    `[d0, ..., dn] -> [d0 * ... * d(axis-1), d(axis) * ... * dn]`.
    Splittable: `batch`.

    ```mlir
    %y = dl.flatten %x : tensor<1x512x1x1xf32> -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def DL_ReshapeOp : DL_LayerOp<"reshape", [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "reinterpret a tensor with another static shape";
  let description = [{
    The element count is preserved; the row-major order is unchanged.
    Splittable: `batch` when both shapes keep dim 0.

    ```mlir
    %y = dl.reshape %x : tensor<2x6xf32> -> tensor<2x3x2xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

def DL_LSTMOp : DL_LayerOp<"lstm",
    [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "one LSTM layer over a whole sequence";
  let description = [{
    Input `[T, N, X]`, `w_ih = [4H, X]`, `w_hh = [4H, H]`, optional
    `bias = [4H]` (the sum of PyTorch's `b_ih` and `b_hh`). Gate order of
    the `4H` rows is **i, f, g, o** (PyTorch's order):
    `i = σ(.), f = σ(.), g = tanh(.), o = σ(.)`,
    `c_t = f ⊙ c_{t-1} + i ⊙ g`, `h_t = o ⊙ tanh(c_t)`. The initial state is
    zero. The result is every `h_t`: `[T, N, H]`.

    Splittable: `batch` (sequences), `gate` (whole gates, at most 4 parts,
    the combiner gathers per step) and `hidden` (units across all four
    gates, `h` all-gathered every step).

    ```mlir
    %h = dl.lstm %x, %wih, %whh, %b {hidden_size = 16 : i64}
        : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>,
           tensor<64xf32>) -> tensor<5x1x16xf32>
    ```
  }];
  let arguments = (ins
    DL_Tensor:$input, DL_Tensor:$w_ih, DL_Tensor:$w_hh,
    Optional<DL_Tensor>:$bias, I64Attr:$hidden_size
  );
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $w_ih `,` $w_hh (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}


//===----------------------------------------------------------------------===//
// LSTM step ops (produced by apply for per-step gate/hidden splits)
//===----------------------------------------------------------------------===//

def DL_LSTMGatesOp : DL_Op<"lstm_gates", [Pure]> {
  let summary = "pre-activations of a subset of LSTM gate rows for one step";
  let description = [{
    `out[n, r] = x_t[n, :] . w_ih[r, :] + h[n, :] . w_hh[r, :] + bias[r]`
    for the `R` rows a device holds (`w_ih = [R, X]`, `w_hh = [R, H]`,
    `bias = [R]`), `x_t = [N, X]`, `h = [N, H]`; the result is `[N, R]`.
    Emitted by `dl-apply-partition` when it unrolls a split `dl.lstm`.

    ```mlir
    %g = dl.lstm_gates %xt, %h, %wih, %whh, %b
        : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<32x8xf32>,
           tensor<32x16xf32>, tensor<32xf32>) -> tensor<1x32xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DL_Tensor:$hidden, DL_Tensor:$w_ih,
                       DL_Tensor:$w_hh, Optional<DL_Tensor>:$bias);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $hidden `,` $w_ih `,` $w_hh (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DL_LSTMCellOp : DL_Op<"lstm_cell", [Pure,
    AllTypesMatch<["cell", "hidden", "new_cell"]>]> {
  let summary = "LSTM cell update of a range of units for one step";
  let description = [{
    `gates = [N, 4U]` holds the pre-activations of `U` units in gate-major
    blocks (i, f, g, o); `cell = [N, U]` is `c_{t-1}`. Returns
    `h_t = o ⊙ tanh(c_t)` and `c_t = f ⊙ c_{t-1} + i ⊙ g` (σ on i, f, o and
    tanh on g applied here), both `[N, U]`.

    ```mlir
    %h, %c = dl.lstm_cell %g, %c0 : tensor<1x64xf32>, tensor<1x16xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$gates, DL_Tensor:$cell);
  let results = (outs DL_Tensor:$hidden, DL_Tensor:$new_cell);
  let assemblyFormat = [{
    $gates `,` $cell attr-dict `:` type($gates) `,` type($cell)
  }];
  let hasVerifier = 1;
}

include "dialects/DL/DLCommOps.td"
include "dialects/DL/DLTrainOps.td"

#endif // DL_OPS_TD
