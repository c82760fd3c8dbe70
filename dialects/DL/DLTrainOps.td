//===- DLTrainOps.td - dl training ops ---------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Ops of training steps: the backward ops that layers build through
// GradientOpInterface, the softmax cross-entropy loss and the optimizer
// updates. `dl-generate-training` assembles them into one step function
// (docs/training.md).
//
//===----------------------------------------------------------------------===//

#ifndef DL_TRAIN_OPS_TD
#define DL_TRAIN_OPS_TD

class DL_TrainOp<string mnemonic, list<Trait> traits = []>
    : DL_Op<mnemonic, !listconcat(traits, [Pure])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Backward ops
//===----------------------------------------------------------------------===//

def DL_Conv2DBackwardDataOp : DL_TrainOp<"conv2d_backward_data"> {
  let summary = "gradient of a convolution with respect to its input";
  let description = [{
    `result_grad` is the gradient of the forward result `[N, O, OH, OW]`,
    `weight` the forward weight `[O, C/G, KH, KW]`; the result is the
    gradient of the forward input `[N, C, H, W]` (its type fixes `H` and
    `W`, which the forward output size alone does not). The attributes are
    the forward convolution's.

    ```mlir
    %dx = dl.conv2d_backward_data %dy, %w {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<2x4x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x8xf32>
    ```
  }];
  let arguments = (ins
    DL_Tensor:$result_grad, DL_Tensor:$weight,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups
  );
  let results = (outs DL_Tensor:$input_grad);
  let assemblyFormat = [{
    $result_grad `,` $weight attr-dict `:` functional-type(operands, results)
  }];
}

def DL_Conv2DBackwardWeightsOp : DL_TrainOp<"conv2d_backward_weights"> {
  let summary = "gradients of a convolution's weight and bias";
  let description = [{
    From the forward input `[N, C, H, W]` and the gradient of the forward
    result `[N, O, OH, OW]`: the weight gradient `[O, C/G, KH, KW]` (its
    type gives the kernel size) and the bias gradient `[O]` (the sum of the
    result gradient over batch and space).

    ```mlir
    %dw, %db = dl.conv2d_backward_weights %x, %dy {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<2x3x8x8xf32>, tensor<2x4x8x8xf32>)
        -> (tensor<4x3x3x3xf32>, tensor<4xf32>)
    ```
  }];
  let arguments = (ins
    DL_Tensor:$input, DL_Tensor:$result_grad,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups
  );
  let results = (outs DL_Tensor:$weight_grad, DL_Tensor:$bias_grad);
  let assemblyFormat = [{
    $input `,` $result_grad attr-dict `:` functional-type(operands, results)
  }];
}

def DL_DenseBackwardDataOp : DL_TrainOp<"dense_backward_data"> {
  let summary = "gradient of a dense layer with respect to its input";
  let description = [{
    `dx = dy * W` for `dy = [B, N]`, `W = [N, K]`; the result is `[B, K]`.

    ```mlir
    %dx = dl.dense_backward_data %dy, %w
        : (tensor<4x10xf32>, tensor<10x64xf32>) -> tensor<4x64xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$result_grad, DL_Tensor:$weight);
  let results = (outs DL_Tensor:$input_grad);
  let assemblyFormat = [{
    $result_grad `,` $weight attr-dict `:` functional-type(operands, results)
  }];
}

def DL_DenseBackwardWeightsOp : DL_TrainOp<"dense_backward_weights"> {
  let summary = "gradients of a dense layer's weight and bias";
  let description = [{
    `dW = dy^T * x` (`[N, K]`) and `db = sum_b dy[b, :]` (`[N]`) for
    `x = [B, K]`, `dy = [B, N]`.

    ```mlir
    %dw, %db = dl.dense_backward_weights %x, %dy
        : (tensor<4x64xf32>, tensor<4x10xf32>)
        -> (tensor<10x64xf32>, tensor<10xf32>)
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DL_Tensor:$result_grad);
  let results = (outs DL_Tensor:$weight_grad, DL_Tensor:$bias_grad);
  let assemblyFormat = [{
    $input `,` $result_grad attr-dict `:` functional-type(operands, results)
  }];
}

def DL_ReluBackwardOp : DL_TrainOp<"relu_backward",
    [SameOperandsAndResultType]> {
  let summary = "gradient of a ReLU from its output";
  let description = [{
    `dx = y > 0 ? dy : 0`, where `y` is the forward **result** (so a ReLU
    fused into a convolution or dense layer needs no extra tensor).

    ```mlir
    %dx = dl.relu_backward %y, %dy : tensor<2x4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$result, DL_Tensor:$result_grad);
  let results = (outs DL_Tensor:$input_grad);
  let assemblyFormat = "$result `,` $result_grad attr-dict `:` type($result)";
}

def DL_Pool2DBackwardOp : DL_TrainOp<"pool2d_backward"> {
  let summary = "gradient of 2-D max or average pooling";
  let description = [{
    From the forward input `x` and the result gradient `dy`; the result has
    the type of `x`. Max pooling routes each `dy` entry to the first
    maximum of its window (recomputed from `x`), average pooling spreads it
    over the window with the forward's divisor. The attributes are the
    forward's.

    ```mlir
    %dx = dl.pool2d_backward max %x, %dy {kernel = array<i64: 2, 2>,
                                          strides = array<i64: 2, 2>}
        : (tensor<1x4x8x8xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins
    DL_PoolKindAttr:$kind, DL_Tensor:$input, DL_Tensor:$result_grad,
    DenseI64ArrayAttr:$kernel,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<BoolAttr, "false">:$count_include_pad
  );
  let results = (outs DL_Tensor:$input_grad);
  let assemblyFormat = [{
    $kind $input `,` $result_grad attr-dict `:`
    functional-type(operands, results)
  }];
}

def DL_SigmoidBackwardOp : DL_TrainOp<"sigmoid_backward",
    [SameOperandsAndResultType]> {
  let summary = "gradient of a sigmoid from its output";
  let description = [{
    `dx = dy * y * (1 - y)`, where `y` is the forward result.

    ```mlir
    %dx = dl.sigmoid_backward %y, %dy : tensor<2x4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$result, DL_Tensor:$result_grad);
  let results = (outs DL_Tensor:$input_grad);
  let assemblyFormat = "$result `,` $result_grad attr-dict `:` type($result)";
}

def DL_TanhBackwardOp : DL_TrainOp<"tanh_backward",
    [SameOperandsAndResultType]> {
  let summary = "gradient of a tanh from its output";
  let description = [{
    `dx = dy * (1 - y^2)`, where `y` is the forward result.

    ```mlir
    %dx = dl.tanh_backward %y, %dy : tensor<2x4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$result, DL_Tensor:$result_grad);
  let results = (outs DL_Tensor:$input_grad);
  let assemblyFormat = "$result `,` $result_grad attr-dict `:` type($result)";
}

def DL_GeluBackwardOp : DL_TrainOp<"gelu_backward",
    [SameOperandsAndResultType]> {
  let summary = "gradient of the exact (erf) GELU from its input";
  let description = [{
    `dx = dy * (Phi(x) + x * phi(x))`, where `x` is the forward **input**.

    ```mlir
    %dx = dl.gelu_backward %x, %dy : tensor<2x4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DL_Tensor:$result_grad);
  let results = (outs DL_Tensor:$input_grad);
  let assemblyFormat = "$input `,` $result_grad attr-dict `:` type($input)";
}

def DL_ClipBackwardOp : DL_TrainOp<"clip_backward",
    [SameOperandsAndResultType]> {
  let summary = "gradient of a clip from its input";
  let description = [{
    `dx = min <= x <= max ? dy : 0` (PyTorch's `clamp`: the bounds
    themselves pass the gradient), where `x` is the forward input and the
    bounds are the forward's.

    ```mlir
    %dx = dl.clip_backward %x, %dy min 0.0 max 6.0 : tensor<2x4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DL_Tensor:$result_grad, F32Attr:$min,
                       F32Attr:$max);
  let results = (outs DL_Tensor:$input_grad);
  let assemblyFormat = [{
    $input `,` $result_grad `min` $min `max` $max attr-dict `:` type($input)
  }];
}

def DL_SoftmaxBackwardOp : DL_TrainOp<"softmax_backward",
    [SameOperandsAndResultType]> {
  let summary = "gradient of a softmax from its output";
  let description = [{
    `dx = y * (dy - sum_axis(dy * y))`, where `y` is the forward result and
    the sum runs along the forward's `axis`.

    ```mlir
    %dx = dl.softmax_backward %y, %dy {axis = 1 : i64} : tensor<2x10xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$result, DL_Tensor:$result_grad,
                       DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs DL_Tensor:$input_grad);
  let assemblyFormat = "$result `,` $result_grad attr-dict `:` type($result)";
}

def DL_MatMulBackwardLhsOp : DL_TrainOp<"matmul_backward_lhs"> {
  let summary = "gradient of a matrix product with respect to its lhs";
  let description = [{
    `dA = dY * B^T` for `dY = [M, N]` and `B = [K, N]` (or, batched, per
    slice of `[G, M, N]` and `[G, K, N]`); the result is `[M, K]` (`[G, M,
    K]`).

    ```mlir
    %da = dl.matmul_backward_lhs %dy, %b
        : (tensor<4x2xf32>, tensor<8x2xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$result_grad, DL_Tensor:$rhs);
  let results = (outs DL_Tensor:$lhs_grad);
  let assemblyFormat = [{
    $result_grad `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def DL_MatMulBackwardRhsOp : DL_TrainOp<"matmul_backward_rhs"> {
  let summary = "gradient of a matrix product with respect to its rhs";
  let description = [{
    `dB = A^T * dY` for `A = [M, K]` and `dY = [M, N]` (or, batched, per
    slice of `[G, M, K]` and `[G, M, N]`); the result is `[K, N]` (`[G, K,
    N]`).

    ```mlir
    %db = dl.matmul_backward_rhs %a, %dy
        : (tensor<4x8xf32>, tensor<4x2xf32>) -> tensor<8x2xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$lhs, DL_Tensor:$result_grad);
  let results = (outs DL_Tensor:$rhs_grad);
  let assemblyFormat = [{
    $lhs `,` $result_grad attr-dict `:` functional-type(operands, results)
  }];
}

def DL_BatchNormTrainOp : DL_TrainOp<"batch_norm_train",
    [DeclareOpInterfaceMethods<DL_GradientOpInterface>]> {
  let summary = "training-mode batch normalization (batch statistics)";
  let description = [{
    `y = scale * (x - m) / sqrt(v + epsilon) + bias` per channel (dim 1),
    where `m` and `v` are the mean and the biased variance of the batch
    over every dim but 1 (PyTorch's `BatchNorm` in training mode). Input
    `[N, C]` or `[N, C, H, W]`, `scale` and `bias` `[C]`.
    `dl-generate-training` builds it from a `dl.batch_norm`, with a
    `dl.batch_norm_running_stats` for the running statistics.

    ```mlir
    %y = dl.batch_norm_train %x, %s, %b {epsilon = 1.0e-05 : f32}
        : (tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>)
        -> tensor<8x4x6x6xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DL_Tensor:$scale, DL_Tensor:$bias,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)
  }];
}

def DL_BatchNormBackwardOp : DL_TrainOp<"batch_norm_backward"> {
  let summary = "gradients of training-mode batch normalization";
  let description = [{
    From the forward input `x`, `scale` and the result gradient `dy` (the
    batch statistics are recomputed from `x`): the gradients of the input
    (`x`'s type), of `scale` and of `bias` (`[C]`).

    ```mlir
    %dx, %ds, %db = dl.batch_norm_backward %x, %s, %dy {epsilon = 1.0e-05 : f32}
        : (tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<8x4x6x6xf32>)
        -> (tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>)
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DL_Tensor:$scale,
                       DL_Tensor:$result_grad,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs DL_Tensor:$input_grad, DL_Tensor:$scale_grad,
                      DL_Tensor:$bias_grad);
  let assemblyFormat = [{
    $input `,` $scale `,` $result_grad attr-dict `:`
    functional-type(operands, results)
  }];
}

def DL_BatchNormRunningStatsOp : DL_TrainOp<"batch_norm_running_stats", [
    AllTypesMatch<["mean", "variance", "new_mean", "new_variance"]>]> {
  let summary = "running mean and variance after one training batch";
  let description = [{
    PyTorch's update: `mean' = (1 - momentum) mean + momentum m`,
    `var' = (1 - momentum) var + momentum v * n / (n - 1)`, where `m` and
    `v` are the batch mean and biased variance of `input` per channel
    (dim 1) over its `n` values per channel (the unbiased variance).

    ```mlir
    %m1, %v1 = dl.batch_norm_running_stats %x, %m, %v {momentum = 0.1 : f32}
        : tensor<8x4x6x6xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DL_Tensor:$mean, DL_Tensor:$variance,
                       DefaultValuedAttr<F32Attr, "0.1">:$momentum);
  let results = (outs DL_Tensor:$new_mean, DL_Tensor:$new_variance);
  let assemblyFormat = [{
    $input `,` $mean `,` $variance attr-dict `:` type($input) `,` type($mean)
  }];
}

def DL_LSTMBackwardOp : DL_TrainOp<"lstm_backward"> {
  let summary = "gradients of an LSTM layer (backprop through time)";
  let description = [{
    From the gradient of a `dl.lstm`'s result `[T, N, H]` (every step's
    `h_t`) and the forward operands: the gradients of the input
    `[T, N, X]`, `w_ih`, `w_hh` and the bias `[4H]` (the sum of the gate
    pre-activation gradients; unused without a bias operand), through all
    `T` steps (the kernel recomputes the forward). The initial state is
    zero, as in `dl.lstm`.

    ```mlir
    %dx, %dwih, %dwhh, %db = dl.lstm_backward %dh, %x, %wih, %whh, %b
        : (tensor<5x2x16xf32>, tensor<5x2x8xf32>, tensor<64x8xf32>,
           tensor<64x16xf32>, tensor<64xf32>)
        -> (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>,
            tensor<64xf32>)
    ```
  }];
  let arguments = (ins DL_Tensor:$result_grad, DL_Tensor:$input,
                       DL_Tensor:$w_ih, DL_Tensor:$w_hh,
                       Optional<DL_Tensor>:$bias);
  let results = (outs DL_Tensor:$input_grad, DL_Tensor:$w_ih_grad,
                      DL_Tensor:$w_hh_grad, DL_Tensor:$bias_grad);
  let assemblyFormat = [{
    $result_grad `,` $input `,` $w_ih `,` $w_hh (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

def DL_SoftmaxCrossEntropyOp : DL_TrainOp<"softmax_cross_entropy"> {
  let summary = "mean softmax cross-entropy of logits against targets";
  let description = [{
    `loss = -1/B sum_b sum_c t[b, c] * log_softmax(z)[b, c]` for logits
    `z = [B, C]` and targets `t = [B, C]` (one-hot labels, or any
    distribution); the result is `tensor<1xf32>`.

    ```mlir
    %l = dl.softmax_cross_entropy %z, %t
        : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<1xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$logits, DL_Tensor:$targets);
  let results = (outs DL_Tensor:$loss);
  let assemblyFormat = [{
    $logits `,` $targets attr-dict `:` functional-type(operands, results)
  }];
}

def DL_SoftmaxCrossEntropyBackwardOp
    : DL_TrainOp<"softmax_cross_entropy_backward",
                 [AllTypesMatch<["logits", "targets", "logits_grad"]>]> {
  let summary = "gradient of the softmax cross-entropy w.r.t. the logits";
  let description = [{
    `dz = scale * (softmax(z) - t)`. `scale` is `1/B` for the gradient of
    the mean loss; data-parallel steps use `1/(B*P)` so that the sum over
    the `P` replicas is the gradient of the global batch's mean.

    ```mlir
    %dz = dl.softmax_cross_entropy_backward %z, %t {scale = 0.25 : f32}
        : tensor<4x10xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$logits, DL_Tensor:$targets, F32Attr:$scale);
  let results = (outs DL_Tensor:$logits_grad);
  let assemblyFormat = "$logits `,` $targets attr-dict `:` type($logits)";
}

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

def DL_SGDUpdateOp : DL_TrainOp<"sgd_update", [
    AllTypesMatch<["param", "grad", "velocity", "new_param", "new_velocity"]>]> {
  let summary = "SGD step with (optional) momentum and weight decay";
  let description = [{
    PyTorch's `torch.optim.SGD`: `g' = g + weight_decay * p`,
    `v' = momentum * v + g'`, `p' = p - lr * v'` (plain SGD when
    `momentum = 0`, where `v'` is just `g'`).

    ```mlir
    %p1, %v1 = dl.sgd_update %p, %g, %v {lr = 0.1 : f32, momentum = 0.9 : f32}
        : tensor<10xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$param, DL_Tensor:$grad, DL_Tensor:$velocity,
                       F32Attr:$lr,
                       DefaultValuedAttr<F32Attr, "0.0">:$momentum,
                       DefaultValuedAttr<F32Attr, "0.0">:$weight_decay);
  let results = (outs DL_Tensor:$new_param, DL_Tensor:$new_velocity);
  let assemblyFormat = [{
    $param `,` $grad `,` $velocity attr-dict `:` type($param)
  }];
}

def DL_AdamUpdateOp : DL_TrainOp<"adam_update", [
    AllTypesMatch<["param", "grad", "m", "v", "new_param", "new_m", "new_v"]>]> {
  let summary = "Adam step";
  let description = [{
    PyTorch's `torch.optim.Adam` at step `t` (1-based, `step` is a
    `tensor<1xf32>`): `m' = b1 m + (1-b1) g`, `v' = b2 v + (1-b2) g^2`,
    `p' = p - lr (m' / (1-b1^t)) / (sqrt(v' / (1-b2^t)) + epsilon)`.

    ```mlir
    %p1, %m1, %v1 = dl.adam_update %p, %g, %m, %v, %t {lr = 1.0e-3 : f32}
        : tensor<10xf32>, tensor<1xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$param, DL_Tensor:$grad, DL_Tensor:$m,
                       DL_Tensor:$v, DL_Tensor:$step, F32Attr:$lr,
                       DefaultValuedAttr<F32Attr, "0.9">:$beta1,
                       DefaultValuedAttr<F32Attr, "0.999">:$beta2,
                       DefaultValuedAttr<F32Attr, "1.0e-8">:$epsilon);
  let results = (outs DL_Tensor:$new_param, DL_Tensor:$new_m,
                      DL_Tensor:$new_v);
  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `,` $step attr-dict `:` type($param) `,`
    type($step)
  }];
}

#endif // DL_TRAIN_OPS_TD
