// RUN: dl-opt %s -split-input-file -verify-diagnostics

// One case per verifier diagnostic of the dl dialect: op verifiers,
// attribute verifiers and the discardable dl.* attributes, in source order
// (ShapeOps, ConvOps, DenseOps, PoolOps, ElementwiseOps, LSTMOp, CommOps,
// DLAttrs, DLDialect).

//===----------------------------------------------------------------------===//
// dl.param
//===----------------------------------------------------------------------===//

func.func @param_empty_name() -> tensor<2xf32> {
  // expected-error @+1 {{'dl.param' op parameter name must not be empty}}
  %0 = dl.param "" : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @param_value_type() -> tensor<4xf32> {
  // The custom form gives the value the result type; the generic form can
  // disagree.
  // expected-error @+1 {{'dl.param' op inline value of type 'tensor<2xf32>' does not match the result type 'tensor<4xf32>'}}
  %0 = "dl.param"() <{name = "w", value = dense<1.0> : tensor<2xf32>}>
      : () -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @param_value_not_elements() -> tensor<2xf32> {
  // expected-error @+1 {{expected an elements attribute as the inline value}}
  %0 = dl.param "w" : tensor<2xf32> = "not a tensor"
  return %0 : tensor<2xf32>
}

// -----

func.func @param_not_f32() -> tensor<2xi32> {
  // expected-error @+1 {{'dl.param' op result #0 must be ranked tensor of 32-bit float values}}
  %0 = dl.param "w" : tensor<2xi32>
  return %0 : tensor<2xi32>
}

//===----------------------------------------------------------------------===//
// dl.concat, dl.flatten, dl.reshape
//===----------------------------------------------------------------------===//

// -----

func.func @concat_no_inputs() -> tensor<2xf32> {
  // expected-error @+1 {{'dl.concat' op expects at least one input}}
  %0 = dl.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_axis(%a: tensor<1x2xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.concat' op axis 2 is out of range for rank 2}}
  %0 = dl.concat %a, %a {axis = 2 : i64}
      : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @concat_rank(%a: tensor<1x2xf32>, %b: tensor<1x2x1xf32>)
    -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.concat' op input 1 has rank 3, expected 2}}
  %0 = dl.concat %a, %b {axis = 1 : i64}
      : (tensor<1x2xf32>, tensor<1x2x1xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @concat_size(%a: tensor<1x2xf32>, %b: tensor<3x2xf32>)
    -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.concat' op input 1 has size 3 in dim 0, expected 1}}
  %0 = dl.concat %a, %b {axis = 1 : i64}
      : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @concat_result(%a: tensor<1x2xf32>, %b: tensor<1x3xf32>)
    -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.concat' op result type 'tensor<1x4xf32>' does not match the inferred type 'tensor<1x5xf32>'}}
  %0 = dl.concat %a, %b {axis = 1 : i64}
      : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @flatten_axis(%x: tensor<2x3xf32>) -> tensor<6x1xf32> {
  // expected-error @+1 {{'dl.flatten' op axis 3 is out of range for rank 2}}
  %0 = dl.flatten %x {axis = 3 : i64} : tensor<2x3xf32> -> tensor<6x1xf32>
  return %0 : tensor<6x1xf32>
}

// -----

func.func @flatten_result(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'dl.flatten' op result type 'tensor<6x4xf32>' does not match the inferred type 'tensor<2x12xf32>'}}
  %0 = dl.flatten %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{'dl.reshape' op cannot reshape 6 elements into 7}}
  %0 = dl.reshape %x : tensor<2x3xf32> -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

//===----------------------------------------------------------------------===//
// dl.conv2d
//===----------------------------------------------------------------------===//

// -----

func.func @conv_input_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>)
    -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'dl.conv2d' op expects a rank-4 NCHW input, got rank 3}}
  %0 = dl.conv2d %x, %w
      : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x27xf32>)
    -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'dl.conv2d' op expects a rank-4 OIHW weight, got rank 2}}
  %0 = dl.conv2d %x, %w
      : (tensor<1x3x8x8xf32>, tensor<4x27xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_groups_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>)
    -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'dl.conv2d' op expects groups >= 1, got 0}}
  %0 = dl.conv2d %x, %w {groups = 0 : i64}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_groups_divide(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>)
    -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{'dl.conv2d' op groups 4 must divide input channels 4 and output channels 6}}
  %0 = dl.conv2d %x, %w {groups = 4 : i64}
      : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_in_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>)
    -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'dl.conv2d' op weight expects 4 input channels per group but the input has 4 channels in 2 groups}}
  %0 = dl.conv2d %x, %w {groups = 2 : i64}
      : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>,
                     %b: tensor<3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'dl.conv2d' op expects bias of shape [4], got 'tensor<3xf32>'}}
  %0 = dl.conv2d %x, %w, %b
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>)
      -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>)
    -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'dl.conv2d' op expects 2 positive strides, got [1, 0]}}
  %0 = dl.conv2d %x, %w {strides = array<i64: 1, 0>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>)
    -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'dl.conv2d' op expects 4 non-negative paddings [top, left, bottom, right], got [1, 1]}}
  %0 = dl.conv2d %x, %w {padding = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_dilations(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>)
    -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'dl.conv2d' op expects 2 positive dilations, got [0, 1]}}
  %0 = dl.conv2d %x, %w {dilations = array<i64: 0, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_window(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x3x3xf32>)
    -> tensor<1x4x1x1xf32> {
  // expected-error @+1 {{'dl.conv2d' op window 3x3 does not fit the padded 2x2 input}}
  %0 = dl.conv2d %x, %w
      : (tensor<1x3x2x2xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return %0 : tensor<1x4x1x1xf32>
}

// -----

func.func @conv_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>)
    -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{'dl.conv2d' op result type 'tensor<1x4x8x8xf32>' does not match the inferred type 'tensor<1x4x6x6xf32>'}}
  %0 = dl.conv2d %x, %w
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

//===----------------------------------------------------------------------===//
// dl.dense, dl.matmul
//===----------------------------------------------------------------------===//

// -----

func.func @dense_input_rank(%x: tensor<8xf32>, %w: tensor<3x8xf32>)
    -> tensor<1x3xf32> {
  // expected-error @+1 {{'dl.dense' op expects a rank-2 [batch, features] input, got rank 1}}
  %0 = dl.dense %x, %w : (tensor<8xf32>, tensor<3x8xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @dense_weight_rank(%x: tensor<1x8xf32>, %w: tensor<24xf32>)
    -> tensor<1x3xf32> {
  // expected-error @+1 {{'dl.dense' op expects a rank-2 [out, in] weight, got rank 1}}
  %0 = dl.dense %x, %w : (tensor<1x8xf32>, tensor<24xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @dense_features(%x: tensor<1x8xf32>, %w: tensor<3x7xf32>)
    -> tensor<1x3xf32> {
  // expected-error @+1 {{'dl.dense' op weight has 7 input features but the input has 8}}
  %0 = dl.dense %x, %w : (tensor<1x8xf32>, tensor<3x7xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @dense_bias(%x: tensor<1x8xf32>, %w: tensor<3x8xf32>,
                      %b: tensor<1x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'dl.dense' op expects bias of shape [3], got 'tensor<1x3xf32>'}}
  %0 = dl.dense %x, %w, %b
      : (tensor<1x8xf32>, tensor<3x8xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @dense_result(%x: tensor<2x8xf32>, %w: tensor<3x8xf32>)
    -> tensor<1x3xf32> {
  // expected-error @+1 {{'dl.dense' op result type 'tensor<1x3xf32>' does not match the inferred type 'tensor<2x3xf32>'}}
  %0 = dl.dense %x, %w : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @matmul_rank(%a: tensor<4x8xf32>, %b: tensor<1x8x2xf32>)
    -> tensor<4x2xf32> {
  // expected-error @+1 {{'dl.matmul' op expects operands of equal rank 2 or 3, got ranks 2 and 3}}
  %0 = dl.matmul %a, %b : (tensor<4x8xf32>, tensor<1x8x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<7x2xf32>)
    -> tensor<4x2xf32> {
  // expected-error @+1 {{'dl.matmul' op contraction mismatch: lhs has 8 columns but rhs has 7 rows}}
  %0 = dl.matmul %a, %b : (tensor<4x8xf32>, tensor<7x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x2xf32>)
    -> tensor<2x4x2xf32> {
  // expected-error @+1 {{'dl.matmul' op batch mismatch: 2 vs 3}}
  %0 = dl.matmul %a, %b
      : (tensor<2x4x8xf32>, tensor<3x8x2xf32>) -> tensor<2x4x2xf32>
  return %0 : tensor<2x4x2xf32>
}

// -----

func.func @matmul_result(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>)
    -> tensor<2x4xf32> {
  // expected-error @+1 {{'dl.matmul' op result type 'tensor<2x4xf32>' does not match the inferred type 'tensor<4x2xf32>'}}
  %0 = dl.matmul %a, %b : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

//===----------------------------------------------------------------------===//
// dl.pool2d, dl.global_avg_pool
//===----------------------------------------------------------------------===//

// -----

func.func @pool_rank(%x: tensor<4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{'dl.pool2d' op expects a rank-4 NCHW input, got rank 3}}
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

func.func @pool_kernel(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{'dl.pool2d' op expects a kernel of 2 positive sizes, got [2, 0]}}
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 0>, strides = array<i64: 2, 2>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

func.func @pool_strides(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{'dl.pool2d' op expects 2 positive strides, got [2]}}
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

func.func @pool_negative_padding(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{'dl.pool2d' op expects 4 non-negative paddings [top, left, bottom, right], got [0, -1, 0, 0]}}
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                         padding = array<i64: 0, -1, 0, 0>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

func.func @pool_padding_kernel(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'dl.pool2d' op padding must be smaller than the kernel}}
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                         padding = array<i64: 2, 0, 0, 0>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @pool_window(%x: tensor<1x4x2x8xf32>) -> tensor<1x4x1x2xf32> {
  // expected-error @+1 {{'dl.pool2d' op window 3x3 does not fit the padded 2x8 input}}
  %0 = dl.pool2d avg %x {kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>}
      : tensor<1x4x2x8xf32> -> tensor<1x4x1x2xf32>
  return %0 : tensor<1x4x1x2xf32>
}

// -----

func.func @pool_result(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{'dl.pool2d' op result type 'tensor<1x4x8x8xf32>' does not match the inferred type 'tensor<1x4x4x4xf32>'}}
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @global_pool_rank(%x: tensor<1x4xf32>) -> tensor<1x4x1x1xf32> {
  // expected-error @+1 {{'dl.global_avg_pool' op expects a rank-4 NCHW input, got rank 2}}
  %0 = dl.global_avg_pool %x : tensor<1x4xf32> -> tensor<1x4x1x1xf32>
  return %0 : tensor<1x4x1x1xf32>
}

// -----

func.func @global_pool_result(%x: tensor<1x4x7x7xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.global_avg_pool' op result type 'tensor<1x4xf32>' does not match the inferred type 'tensor<1x4x1x1xf32>'}}
  %0 = dl.global_avg_pool %x : tensor<1x4x7x7xf32> -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

//===----------------------------------------------------------------------===//
// dl.softmax, dl.batch_norm, elementwise
//===----------------------------------------------------------------------===//

// -----

func.func @softmax_axis(%x: tensor<1x10xf32>) -> tensor<1x10xf32> {
  // expected-error @+1 {{'dl.softmax' op axis 2 is out of range for rank 2}}
  %0 = dl.softmax %x {axis = 2 : i64} : tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}

// -----

func.func @softmax_negative_axis(%x: tensor<1x10xf32>) -> tensor<1x10xf32> {
  // expected-error @+1 {{'dl.softmax' op axis -1 is out of range for rank 2}}
  %0 = dl.softmax %x {axis = -1 : i64} : tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}

// -----

func.func @batch_norm_rank(%x: tensor<1x4x8xf32>, %p: tensor<4xf32>)
    -> tensor<1x4x8xf32> {
  // expected-error @+1 {{'dl.batch_norm' op expects a rank-2 or rank-4 input, got rank 3}}
  %0 = dl.batch_norm %x, %p, %p, %p, %p
      : (tensor<1x4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<4xf32>) -> tensor<1x4x8xf32>
  return %0 : tensor<1x4x8xf32>
}

// -----

func.func @batch_norm_params(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>,
                             %q: tensor<8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{'dl.batch_norm' op expects parameters of shape [4], got 'tensor<8xf32>'}}
  %0 = dl.batch_norm %x, %p, %p, %p, %q
      : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<8xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @batch_norm_epsilon(%x: tensor<1x4xf32>, %p: tensor<4xf32>)
    -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.batch_norm' op epsilon must be non-negative}}
  %0 = dl.batch_norm %x, %p, %p, %p, %p {epsilon = -1.0 : f32}
      : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @batch_norm_result(%x: tensor<1x4xf32>, %p: tensor<4xf32>)
    -> tensor<4x1xf32> {
  // expected-error @+1 {{'dl.batch_norm' op result type 'tensor<4x1xf32>' does not match the inferred type 'tensor<1x4xf32>'}}
  %0 = dl.batch_norm %x, %p, %p, %p, %p
      : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<4xf32>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// Elementwise layers have no verifier of their own; the trait checks types.
func.func @add_types(%a: tensor<1x4xf32>, %b: tensor<1x5xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.add' op requires the same type for all operands and results}}
  %0 = "dl.add"(%a, %b) : (tensor<1x4xf32>, tensor<1x5xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

//===----------------------------------------------------------------------===//
// dl.lstm, dl.lstm_gates, dl.lstm_cell
//===----------------------------------------------------------------------===//

// -----

func.func @lstm_rank(%x: tensor<5x8xf32>, %wih: tensor<64x8xf32>,
                     %whh: tensor<64x16xf32>) -> tensor<5x1x16xf32> {
  // expected-error @+1 {{'dl.lstm' op expects a rank-3 [T, N, X] input, got rank 2}}
  %0 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64}
      : (tensor<5x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> tensor<5x1x16xf32>
  return %0 : tensor<5x1x16xf32>
}

// -----

func.func @lstm_hidden_size(%x: tensor<5x1x8xf32>, %wih: tensor<64x8xf32>,
                            %whh: tensor<64x16xf32>) -> tensor<5x1x16xf32> {
  // expected-error @+1 {{'dl.lstm' op expects hidden_size >= 1, got 0}}
  %0 = dl.lstm %x, %wih, %whh {hidden_size = 0 : i64}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> tensor<5x1x16xf32>
  return %0 : tensor<5x1x16xf32>
}

// -----

func.func @lstm_w_ih(%x: tensor<5x1x8xf32>, %wih: tensor<64x9xf32>,
                     %whh: tensor<64x16xf32>) -> tensor<5x1x16xf32> {
  // expected-error @+1 {{'dl.lstm' op expects w_ih of shape [64, 8], got 'tensor<64x9xf32>'}}
  %0 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64}
      : (tensor<5x1x8xf32>, tensor<64x9xf32>, tensor<64x16xf32>)
      -> tensor<5x1x16xf32>
  return %0 : tensor<5x1x16xf32>
}

// -----

func.func @lstm_w_hh(%x: tensor<5x1x8xf32>, %wih: tensor<64x8xf32>,
                     %whh: tensor<48x16xf32>) -> tensor<5x1x16xf32> {
  // expected-error @+1 {{'dl.lstm' op expects w_hh of shape [64, 16], got 'tensor<48x16xf32>'}}
  %0 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<48x16xf32>)
      -> tensor<5x1x16xf32>
  return %0 : tensor<5x1x16xf32>
}

// -----

func.func @lstm_bias(%x: tensor<5x1x8xf32>, %wih: tensor<64x8xf32>,
                     %whh: tensor<64x16xf32>, %b: tensor<16xf32>)
    -> tensor<5x1x16xf32> {
  // expected-error @+1 {{'dl.lstm' op expects bias of shape [64], got 'tensor<16xf32>'}}
  %0 = dl.lstm %x, %wih, %whh, %b {hidden_size = 16 : i64}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>,
         tensor<16xf32>) -> tensor<5x1x16xf32>
  return %0 : tensor<5x1x16xf32>
}

// -----

func.func @lstm_result(%x: tensor<5x1x8xf32>, %wih: tensor<64x8xf32>,
                       %whh: tensor<64x16xf32>) -> tensor<1x5x16xf32> {
  // expected-error @+1 {{'dl.lstm' op result type 'tensor<1x5x16xf32>' does not match the inferred type 'tensor<5x1x16xf32>'}}
  %0 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> tensor<1x5x16xf32>
  return %0 : tensor<1x5x16xf32>
}

// -----

func.func @lstm_gates_rank(%x: tensor<1x8xf32>, %h: tensor<16xf32>,
                           %wih: tensor<16x8xf32>, %whh: tensor<16x16xf32>)
    -> tensor<1x16xf32> {
  // expected-error @+1 {{'dl.lstm_gates' op expects rank-2 input, hidden and weights}}
  %0 = dl.lstm_gates %x, %h, %wih, %whh
      : (tensor<1x8xf32>, tensor<16xf32>, tensor<16x8xf32>, tensor<16x16xf32>)
      -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

func.func @lstm_gates_batch(%x: tensor<1x8xf32>, %h: tensor<2x16xf32>,
                            %wih: tensor<16x8xf32>, %whh: tensor<16x16xf32>)
    -> tensor<1x16xf32> {
  // expected-error @+1 {{'dl.lstm_gates' op input batch 1 differs from hidden batch 2}}
  %0 = dl.lstm_gates %x, %h, %wih, %whh
      : (tensor<1x8xf32>, tensor<2x16xf32>, tensor<16x8xf32>,
         tensor<16x16xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

func.func @lstm_gates_rows(%x: tensor<1x8xf32>, %h: tensor<1x16xf32>,
                           %wih: tensor<16x8xf32>, %whh: tensor<12x16xf32>)
    -> tensor<1x16xf32> {
  // expected-error @+1 {{'dl.lstm_gates' op expects w_ih [R, 8] and w_hh [R, 16] with equal R}}
  %0 = dl.lstm_gates %x, %h, %wih, %whh
      : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>,
         tensor<12x16xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

func.func @lstm_gates_bias(%x: tensor<1x8xf32>, %h: tensor<1x16xf32>,
                           %wih: tensor<16x8xf32>, %whh: tensor<16x16xf32>,
                           %b: tensor<64xf32>) -> tensor<1x16xf32> {
  // expected-error @+1 {{'dl.lstm_gates' op expects bias of shape [16]}}
  %0 = dl.lstm_gates %x, %h, %wih, %whh, %b
      : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>,
         tensor<16x16xf32>, tensor<64xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

func.func @lstm_gates_result(%x: tensor<1x8xf32>, %h: tensor<1x16xf32>,
                             %wih: tensor<16x8xf32>, %whh: tensor<16x16xf32>)
    -> tensor<1x64xf32> {
  // expected-error @+1 {{'dl.lstm_gates' op result type 'tensor<1x64xf32>' does not match the inferred type 'tensor<1x16xf32>'}}
  %0 = dl.lstm_gates %x, %h, %wih, %whh
      : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>,
         tensor<16x16xf32>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

func.func @lstm_cell_rank(%g: tensor<16xf32>, %c: tensor<1x4xf32>)
    -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.lstm_cell' op expects rank-2 gates and cell}}
  %h, %cn = dl.lstm_cell %g, %c : tensor<16xf32>, tensor<1x4xf32>
  return %h : tensor<1x4xf32>
}

// -----

func.func @lstm_cell_gates(%g: tensor<1x12xf32>, %c: tensor<1x4xf32>)
    -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.lstm_cell' op expects gates of shape [1, 16] for a cell of 'tensor<1x4xf32>'}}
  %h, %cn = dl.lstm_cell %g, %c : tensor<1x12xf32>, tensor<1x4xf32>
  return %h : tensor<1x4xf32>
}

// -----

func.func @lstm_cell_results(%g: tensor<1x16xf32>, %c: tensor<1x4xf32>)
    -> tensor<1x8xf32> {
  // expected-error @+1 {{'dl.lstm_cell' op failed to verify that all of {cell, hidden, new_cell} have same type}}
  %h, %cn = "dl.lstm_cell"(%g, %c)
      : (tensor<1x16xf32>, tensor<1x4xf32>) -> (tensor<1x8xf32>, tensor<1x4xf32>)
  return %h : tensor<1x8xf32>
}

//===----------------------------------------------------------------------===//
// Communication ops
//===----------------------------------------------------------------------===//

// -----

func.func @group_empty() {
  // expected-error @+1 {{'dl.barrier' op group must not be empty}}
  dl.barrier group []
  return
}

// -----

func.func @group_negative() {
  // expected-error @+1 {{'dl.barrier' op group has negative rank -2}}
  dl.barrier group [0, -2]
  return
}

// -----

func.func @group_twice(%t: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.all_reduce' op group lists rank 1 twice}}
  %0 = dl.all_reduce %t group [1, 0, 1] : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @start_without_wait(%t: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.all_reduce_start' op result must have exactly one use, a 'dl.all_reduce_wait'}}
  %0 = dl.all_reduce_start %t group [0, 1] : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @wait_without_start(%t: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.all_reduce_wait' op operand must be the result of a 'dl.all_reduce_start'}}
  %0 = dl.all_reduce_wait %t : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @group_member(%t: tensor<1x4xf32>) -> tensor<1x4xf32>
    attributes {dl.device = 2 : i64} {
  // expected-error @+1 {{'dl.all_reduce' op device 2 is not a member of group [0, 1]}}
  %0 = dl.all_reduce %t group [0, 1] : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @all_reduce_type(%t: tensor<1x4xf32>) -> tensor<1x5xf32> {
  // expected-error @+1 {{'dl.all_reduce' op failed to verify that all of {input, result} have same type}}
  %0 = "dl.all_reduce"(%t) <{group = array<i64: 0, 1>}>
      : (tensor<1x4xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

func.func @send_peer(%t: tensor<1x4xf32>) {
  // expected-error @+1 {{'dl.send' op destination must be a non-negative rank, got -1}}
  dl.send %t to -1 tag 0 : tensor<1x4xf32>
  return
}

// -----

func.func @send_self(%t: tensor<1x4xf32>) attributes {dl.device = 1 : i64} {
  // expected-error @+1 {{'dl.send' op device 1 cannot send to itself}}
  dl.send %t to 1 tag 0 : tensor<1x4xf32>
  return
}

// -----

func.func @send_tag(%t: tensor<1x4xf32>) {
  // expected-error @+1 {{'dl.send' op tag must be non-negative}}
  dl.send %t to 1 tag -3 : tensor<1x4xf32>
  return
}

// -----

func.func @recv_peer() -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.recv' op source must be a non-negative rank, got -4}}
  %0 = dl.recv from -4 tag 0 : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @recv_self() -> tensor<1x4xf32> attributes {dl.device = 0 : i64} {
  // expected-error @+1 {{'dl.recv' op device 0 cannot receive from itself}}
  %0 = dl.recv from 0 tag 0 : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @recv_tag() -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.recv' op tag must be non-negative}}
  %0 = dl.recv from 1 tag -1 : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @gather_group(%t: tensor<1x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'dl.all_gather' op group lists rank 0 twice}}
  %0 = dl.all_gather %t dim 1 group [0, 0] sizes [4, 4]
      : tensor<1x4xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gather_sizes_count(%t: tensor<1x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'dl.all_gather' op has 3 sizes for 2 group members}}
  %0 = dl.all_gather %t dim 1 group [0, 1] sizes [4, 4, 0]
      : tensor<1x4xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gather_sizes_negative(%t: tensor<1x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'dl.all_gather' op sizes must be non-negative}}
  %0 = dl.all_gather %t dim 1 group [0, 1] sizes [12, -4]
      : tensor<1x4xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gather_ranks(%t: tensor<1x4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'dl.all_gather' op input and result ranks differ}}
  %0 = dl.all_gather %t dim 1 group [0, 1] sizes [4, 4]
      : tensor<1x4xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @gather_dim(%t: tensor<1x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'dl.all_gather' op dim 2 is out of range for rank 2}}
  %0 = dl.all_gather %t dim 2 group [0, 1] sizes [4, 4]
      : tensor<1x4xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gather_total(%t: tensor<1x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'dl.all_gather' op full tensor has 8 entries in dim 1 but sizes sum to 7}}
  %0 = dl.all_gather %t dim 1 group [0, 1] sizes [4, 3]
      : tensor<1x4xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gather_slice(%t: tensor<1x4xf32>) -> tensor<1x7xf32>
    attributes {dl.device = 1 : i64} {
  // Device 1 is member 1, whose slice has sizes[1] = 3 entries.
  // expected-error @+1 {{'dl.all_gather' op slice has 4 entries in dim 1 but this device's size is 3}}
  %0 = dl.all_gather %t dim 1 group [0, 1] sizes [4, 3]
      : tensor<1x4xf32> -> tensor<1x7xf32>
  return %0 : tensor<1x7xf32>
}

// -----

func.func @gather_other_dim(%t: tensor<1x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dl.all_gather' op input and result differ in dim 0}}
  %0 = dl.all_gather %t dim 1 group [0, 1] sizes [4, 4]
      : tensor<1x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @reduce_scatter_total(%t: tensor<1x10xf32>) -> tensor<1x6xf32> {
  // expected-error @+1 {{'dl.reduce_scatter' op full tensor has 10 entries in dim 1 but sizes sum to 12}}
  %0 = dl.reduce_scatter %t dim 1 group [0, 1] sizes [6, 6]
      : tensor<1x10xf32> -> tensor<1x6xf32>
  return %0 : tensor<1x6xf32>
}

// -----

func.func @reduce_scatter_slice(%t: tensor<1x10xf32>) -> tensor<1x6xf32>
    attributes {dl.device = 3 : i64} {
  // Device 3 is member 1 and gets sizes[1] = 4 entries.
  // expected-error @+1 {{'dl.reduce_scatter' op slice has 6 entries in dim 1 but this device's size is 4}}
  %0 = dl.reduce_scatter %t dim 1 group [2, 3] sizes [6, 4]
      : tensor<1x10xf32> -> tensor<1x6xf32>
  return %0 : tensor<1x6xf32>
}

// -----

func.func @broadcast_root(%t: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.broadcast' op root 2 is not a member of the group}}
  %0 = dl.broadcast %t root 2 group [0, 1] : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @broadcast_group(%t: tensor<1x4xf32>) -> tensor<1x4xf32>
    attributes {dl.device = 3 : i64} {
  // expected-error @+1 {{'dl.broadcast' op device 3 is not a member of group [0, 1]}}
  %0 = dl.broadcast %t root 0 group [0, 1] : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @halo_ranks(%t: tensor<1x4x7x28xf32>) -> tensor<4x9x28xf32> {
  // expected-error @+1 {{'dl.halo_exchange' op input and result ranks differ}}
  %0 = dl.halo_exchange %t dim 2 prev 0 next 2 recv [1, 1] send [1, 1]
      : tensor<1x4x7x28xf32> -> tensor<4x9x28xf32>
  return %0 : tensor<4x9x28xf32>
}

// -----

func.func @halo_dim(%t: tensor<1x4x7x28xf32>) -> tensor<1x4x9x28xf32> {
  // expected-error @+1 {{'dl.halo_exchange' op dim 4 is out of range for rank 4}}
  %0 = dl.halo_exchange %t dim 4 prev 0 next 2 recv [1, 1] send [1, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x9x28xf32>
  return %0 : tensor<1x4x9x28xf32>
}

// -----

func.func @halo_pairs(%t: tensor<1x4x7x28xf32>) -> tensor<1x4x9x28xf32> {
  // expected-error @+1 {{'dl.halo_exchange' op recv and send must be [lo, hi] pairs}}
  %0 = dl.halo_exchange %t dim 2 prev 0 next 2 recv [1, 1] send [1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x9x28xf32>
  return %0 : tensor<1x4x9x28xf32>
}

// -----

func.func @halo_negative(%t: tensor<1x4x7x28xf32>) -> tensor<1x4x7x28xf32> {
  // expected-error @+1 {{'dl.halo_exchange' op halo counts must be non-negative}}
  %0 = dl.halo_exchange %t dim 2 prev 0 next 2 recv [1, -1] send [1, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x7x28xf32>
  return %0 : tensor<1x4x7x28xf32>
}

// -----

func.func @halo_neighbour(%t: tensor<1x4x7x28xf32>) -> tensor<1x4x8x28xf32> {
  // expected-error @+1 {{'dl.halo_exchange' op neighbours must be ranks or -1}}
  %0 = dl.halo_exchange %t dim 2 prev -2 next 2 recv [0, 1] send [0, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x8x28xf32>
  return %0 : tensor<1x4x8x28xf32>
}

// -----

func.func @halo_no_prev(%t: tensor<1x4x7x28xf32>) -> tensor<1x4x9x28xf32> {
  // expected-error @+1 {{'dl.halo_exchange' op no previous neighbour, so recv[0] and send[0] must be 0}}
  %0 = dl.halo_exchange %t dim 2 prev -1 next 2 recv [1, 1] send [0, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x9x28xf32>
  return %0 : tensor<1x4x9x28xf32>
}

// -----

func.func @halo_no_next(%t: tensor<1x4x7x28xf32>) -> tensor<1x4x8x28xf32> {
  // expected-error @+1 {{'dl.halo_exchange' op no next neighbour, so recv[1] and send[1] must be 0}}
  %0 = dl.halo_exchange %t dim 2 prev 1 next -1 recv [1, 0] send [1, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x8x28xf32>
  return %0 : tensor<1x4x8x28xf32>
}

// -----

func.func @halo_send_too_much(%t: tensor<1x4x2x28xf32>) -> tensor<1x4x4x28xf32> {
  // expected-error @+1 {{'dl.halo_exchange' op cannot send more than the 2 local entries of dim 2}}
  %0 = dl.halo_exchange %t dim 2 prev 0 next 2 recv [1, 1] send [3, 1]
      : tensor<1x4x2x28xf32> -> tensor<1x4x4x28xf32>
  return %0 : tensor<1x4x4x28xf32>
}

// -----

func.func @halo_self(%t: tensor<1x4x7x28xf32>) -> tensor<1x4x9x28xf32>
    attributes {dl.device = 2 : i64} {
  // expected-error @+1 {{'dl.halo_exchange' op device 2 cannot be its own neighbour}}
  %0 = dl.halo_exchange %t dim 2 prev 1 next 2 recv [1, 1] send [1, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x9x28xf32>
  return %0 : tensor<1x4x9x28xf32>
}

// -----

func.func @halo_result(%t: tensor<1x4x7x28xf32>) -> tensor<1x4x8x28xf32> {
  // expected-error @+1 {{'dl.halo_exchange' op result type 'tensor<1x4x8x28xf32>' does not match the inferred type 'tensor<1x4x9x28xf32>'}}
  %0 = dl.halo_exchange %t dim 2 prev 0 next 2 recv [1, 1] send [1, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x8x28xf32>
  return %0 : tensor<1x4x8x28xf32>
}

// -----

func.func @all_to_all_group(%t: tensor<2x8xf32>) -> tensor<4x4xf32>
    attributes {dl.device = 5 : i64} {
  // expected-error @+1 {{'dl.all_to_all' op device 5 is not a member of group [0, 1]}}
  %0 = dl.all_to_all %t split_dim 1 concat_dim 0 group [0, 1]
      : tensor<2x8xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @all_to_all_dim(%t: tensor<2x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'dl.all_to_all' op dim 2 is out of range for rank 2}}
  %0 = dl.all_to_all %t split_dim 1 concat_dim 2 group [0, 1]
      : tensor<2x8xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @all_to_all_divisible(%t: tensor<2x9xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'dl.all_to_all' op split dim 1 of size 9 is not divisible by the group size 2}}
  %0 = dl.all_to_all %t split_dim 1 concat_dim 0 group [0, 1]
      : tensor<2x9xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @all_to_all_result(%t: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dl.all_to_all' op result type 'tensor<2x8xf32>' does not match the inferred type 'tensor<4x4xf32>'}}
  %0 = dl.all_to_all %t split_dim 1 concat_dim 0 group [0, 1]
      : tensor<2x8xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

//===----------------------------------------------------------------------===//
// Attribute verifiers (genVerifyDecl)
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{split dim bounds need at least 2 entries, got 1}}
func.func @dim_bounds_count() attributes {test.a = #dl.dim<kind = split, bounds = [0]>} {
  return
}

// -----

// expected-error @+1 {{split dim bounds must start at 0, got 1}}
func.func @dim_bounds_start() attributes {test.a = #dl.dim<kind = split, bounds = [1, 4]>} {
  return
}

// -----

// expected-error @+1 {{split dim bounds must be non-decreasing, but 3 follows 4}}
func.func @dim_bounds_order() attributes {test.a = #dl.dim<kind = split, bounds = [0, 4, 3]>} {
  return
}

// -----

// expected-error @+1 {{a replicated dim takes no bounds or halo}}
func.func @dim_replicated() attributes {test.a = #dl.dim<kind = replicated, halo = [1, 1]>} {
  return
}

// -----

// expected-error @+1 {{halo must be [lo, hi] with non-negative entries}}
func.func @dim_halo() attributes {test.a = #dl.dim<kind = split, bounds = [0, 4, 7], halo = [1, -1]>} {
  return
}

// -----

// expected-error @+1 {{layout needs at least one device}}
func.func @layout_empty() attributes {test.a = #dl.layout<devices = [], dims = []>} {
  return
}

// -----

// expected-error @+1 {{layout has negative device -1}}
func.func @layout_negative() attributes {test.a = #dl.layout<devices = [0, -1], dims = []>} {
  return
}

// -----

// expected-error @+1 {{layout lists device 1 twice}}
func.func @layout_twice() attributes {test.a = #dl.layout<devices = [1, 1], dims = []>} {
  return
}

// -----

// expected-error @+1 {{dim 1 has 3 bounds but the layout has 3 devices (expected 4)}}
func.func @layout_bounds() attributes {test.a = #dl.layout<devices = [0, 1, 2], dims = [#dl.dim<kind = replicated>, #dl.dim<kind = split, bounds = [0, 3, 7]>]>} {
  return
}

// -----

// expected-error @+1 {{split bounds must start at 0, got 2}}
func.func @split_start() attributes {test.a = #dl.split<dim = height, bounds = [2, 7]>} {
  return
}

// -----

// expected-error @+1 {{split part 1 is empty}}
func.func @split_empty() attributes {test.a = #dl.split<dim = height, bounds = [0, 7, 7, 14]>} {
  return
}

// -----

// expected-error @+1 {{tile group must be non-negative, got -1}}
func.func @tile_group() attributes {test.a = #dl.tile<group = -1, grid = [2, 2]>} {
  return
}

// -----

// expected-error @+1 {{tile grid must be [rows, cols] with positive entries}}
func.func @tile_grid() attributes {test.a = #dl.tile<group = 0, grid = [2, 0]>} {
  return
}

// -----

// expected-error @+1 {{plan stage must be non-negative, got -1}}
func.func @plan_stage() attributes {test.a = #dl.plan<stage = -1, devices = [0]>} {
  return
}

// -----

// expected-error @+1 {{plan replicas must be positive, got 0}}
func.func @plan_replicas() attributes {test.a = #dl.plan<devices = [0], replicas = 0>} {
  return
}

// -----

// expected-error @+1 {{plan needs at least one device}}
func.func @plan_no_devices() attributes {test.a = #dl.plan<devices = []>} {
  return
}

// -----

// expected-error @+1 {{plan lists device 3 twice}}
func.func @plan_device_twice() attributes {test.a = #dl.plan<devices = [3, 3]>} {
  return
}

// -----

// expected-error @+1 {{plan splits dim 'height' twice}}
func.func @plan_dim_twice() attributes {test.a = #dl.plan<devices = [0, 1, 2, 3], splits = [#dl.split<dim = height, bounds = [0, 4, 8]>, #dl.split<dim = height, bounds = [0, 4, 8]>]>} {
  return
}

// -----

// expected-error @+1 {{a fused-tile plan takes no explicit splits}}
func.func @plan_tile_splits() attributes {test.a = #dl.plan<devices = [0, 1], splits = [#dl.split<dim = height, bounds = [0, 4, 8]>], tile = #dl.tile<group = 0, grid = [2, 2]>>} {
  return
}

// -----

// expected-error @+1 {{a fused-tile plan takes no replicas}}
func.func @plan_tile_replicas() attributes {test.a = #dl.plan<devices = [0, 1], replicas = 2, tile = #dl.tile<group = 0, grid = [2, 2]>>} {
  return
}

// -----

// expected-error @+1 {{device name must not be empty}}
func.func @device_name() attributes {test.a = #dl.device<name = "", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">} {
  return
}

// -----

// expected-error @+1 {{device 'd' needs flops > 0}}
func.func @device_flops() attributes {test.a = #dl.device<name = "d", kind = cpu, flops = 0.0, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">} {
  return
}

// -----

// expected-error @+1 {{device 'd' needs mem_bw > 0}}
func.func @device_mem_bw() attributes {test.a = #dl.device<name = "d", kind = gpu, flops = 1.0e9, mem_bw = -1.0, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">} {
  return
}

// -----

// expected-error @+1 {{device 'd' needs memory > 0}}
func.func @device_memory() attributes {test.a = #dl.device<name = "d", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 0, power_active = 1.0, power_idle = 0.5, host = "h">} {
  return
}

// -----

// expected-error @+1 {{device 'd' has negative power}}
func.func @device_power() attributes {test.a = #dl.device<name = "d", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = -0.5, host = "h">} {
  return
}

// -----

// expected-error @+1 {{link endpoints must be non-negative}}
func.func @link_endpoint() attributes {test.a = #dl.link<from = -1, to = 1, bandwidth = 1.0e8, latency = 0.0>} {
  return
}

// -----

// expected-error @+1 {{link from device 2 to itself}}
func.func @link_self() attributes {test.a = #dl.link<from = 2, to = 2, bandwidth = 1.0e8, latency = 0.0>} {
  return
}

// -----

// expected-error @+1 {{link bandwidth must be > 0}}
func.func @link_bandwidth() attributes {test.a = #dl.link<from = 0, to = 1, bandwidth = 0.0, latency = 0.0>} {
  return
}

// -----

// expected-error @+1 {{link latency must be >= 0}}
func.func @link_latency() attributes {test.a = #dl.link<from = 0, to = 1, bandwidth = 1.0e8, latency = -1.0e-3>} {
  return
}

// -----

// expected-error @+1 {{cluster 'c' has no devices}}
module attributes {dl.cluster = #dl.cluster<name = "c", topology = full, bandwidth = 1.0e9, latency = 0.0, devices = []>} {
}

// -----

// expected-error @+1 {{cluster bandwidth must be > 0}}
module attributes {dl.cluster = #dl.cluster<name = "c", topology = full, bandwidth = 0.0, latency = 0.0, devices = [#dl.device<name = "d", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">]>} {
}

// -----

// expected-error @+1 {{cluster latency must be >= 0}}
module attributes {dl.cluster = #dl.cluster<name = "c", topology = ring, bandwidth = 1.0e9, latency = -1.0, devices = [#dl.device<name = "d", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">]>} {
}

// -----

// expected-error @+1 {{link 0 -> 1 names a device outside [0, 1)}}
module attributes {dl.cluster = #dl.cluster<name = "c", topology = star, bandwidth = 1.0e9, latency = 0.0, devices = [#dl.device<name = "d", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">], links = [#dl.link<from = 0, to = 1, bandwidth = 1.0e8, latency = 0.0>]>} {
}

//===----------------------------------------------------------------------===//
// Discardable dl.* attributes (DLDialect::verifyOperationAttribute)
//===----------------------------------------------------------------------===//

// -----

func.func @plan_not_plan(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.plan' must be a #dl.plan}}
  %0 = dl.relu %x {dl.plan = #dl.split<dim = batch, bounds = [0, 1]>} : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @plan_not_layer() -> tensor<2xf32> {
  // expected-error @+1 {{'dl.plan' is only valid on partitionable layers}}
  %0 = dl.param "w" {dl.plan = #dl.plan<devices = [0]>} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// The layer is verified before its plan, which asks the layer for its
// (here malformed) output shape.
func.func @plan_on_invalid_layer(%x: tensor<1x3x8x8xf32>,
                                 %w: tensor<4x3x3x3xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.conv2d' op result type 'tensor<1x4xf32>' does not match the inferred type 'tensor<1x4x6x6xf32>'}}
  %0 = dl.conv2d %x, %w {dl.plan = #dl.plan<devices = [0, 1], splits = [#dl.split<dim = height, bounds = [0, 3, 6]>]>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @plan_tile_not_spatial(%x: tensor<1x8xf32>, %w: tensor<3x8xf32>)
    -> tensor<1x3xf32> {
  // expected-error @+1 {{fused-tile plan on a layer without height and width splits}}
  %0 = dl.dense %x, %w {dl.plan = #dl.plan<devices = [0, 1], tile = #dl.tile<group = 0, grid = [1, 2]>>}
      : (tensor<1x8xf32>, tensor<3x8xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @plan_dim_not_splittable(%x: tensor<1x8xf32>, %w: tensor<3x8xf32>)
    -> tensor<1x3xf32> {
  // expected-error @+1 {{plan splits dim 'height', which this layer cannot split}}
  %0 = dl.dense %x, %w {dl.plan = #dl.plan<devices = [0, 1], splits = [#dl.split<dim = height, bounds = [0, 1, 2]>]>}
      : (tensor<1x8xf32>, tensor<3x8xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @plan_extent(%x: tensor<1x8xf32>, %w: tensor<3x8xf32>)
    -> tensor<1x3xf32> {
  // expected-error @+1 {{plan split of 'out_channel' ends at 4 but the dim has extent 3}}
  %0 = dl.dense %x, %w {dl.plan = #dl.plan<devices = [0, 1], splits = [#dl.split<dim = out_channel, bounds = [0, 2, 4]>]>}
      : (tensor<1x8xf32>, tensor<3x8xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @plan_parts(%x: tensor<1x8xf32>, %w: tensor<3x8xf32>)
    -> tensor<1x3xf32> {
  // expected-error @+1 {{plan has 2 parts but 3 devices}}
  %0 = dl.dense %x, %w {dl.plan = #dl.plan<devices = [0, 1, 2], splits = [#dl.split<dim = in_channel, bounds = [0, 4, 8]>]>}
      : (tensor<1x8xf32>, tensor<3x8xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @plan_replicas_no_batch(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>)
    -> tensor<4x2xf32> {
  // A rank-2 matmul has no batch dim (its rows split as 'height').
  // expected-error @+1 {{plan replicates a layer without a batch dim}}
  %0 = dl.matmul %a, %b {dl.plan = #dl.plan<devices = [0, 1], replicas = 2>}
      : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @plan_replicas_batch(%x: tensor<3x8xf32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{batch 3 is not divisible by 2 replicas}}
  %0 = dl.relu %x {dl.plan = #dl.plan<devices = [0, 1], replicas = 2>}
      : tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

func.func @plan_gate_and_hidden(%x: tensor<5x1x8xf32>, %wih: tensor<64x8xf32>,
                                %whh: tensor<64x16xf32>) -> tensor<5x1x16xf32> {
  // Gate and hidden-unit splits of an LSTM do not compose.
  // expected-error @+1 {{this layer cannot compute the part of device 0 (gate [0, 2), hidden [0, 8))}}
  %0 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = gate, bounds = [0, 2, 4]>,
                                   #dl.split<dim = hidden, bounds = [0, 8, 16]>]>}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> tensor<5x1x16xf32>
  return %0 : tensor<5x1x16xf32>
}

// -----

module attributes {dl.cluster = #dl.cluster<name = "two", topology = full, bandwidth = 1.0e9, latency = 0.0, devices = [#dl.device<name = "a", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">, #dl.device<name = "b", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">]>} {
  func.func @plan_outside_cluster(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
    // expected-error @+1 {{plan uses device 2 but the cluster has 2 devices}}
    %0 = dl.relu %x {dl.plan = #dl.plan<devices = [0, 2], replicas = 2>}
        : tensor<4x8xf32>
    return %0 : tensor<4x8xf32>
  }
}

// -----

// expected-error @+1 {{'dl.cluster' must be a #dl.cluster}}
module attributes {dl.cluster = "edge"} {
}

// -----

module {
  // expected-error @+1 {{'dl.cluster' is only valid on a module}}
  func.func @cluster_on_func() attributes {dl.cluster = #dl.cluster<name = "c", topology = full, bandwidth = 1.0e9, latency = 0.0, devices = [#dl.device<name = "d", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">]>} {
    return
  }
}

// -----

// expected-error @+1 {{'dl.device' must be a non-negative integer}}
func.func @device_not_int() attributes {dl.device = "gpu0"} {
  return
}

// -----

// expected-error @+1 {{'dl.device' must be a non-negative integer}}
func.func @device_negative() attributes {dl.device = -1 : i64} {
  return
}

// -----

func.func @device_not_on_func(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.device' is only valid on a function}}
  %0 = dl.relu %x {dl.device = 0 : i64} : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

module attributes {dl.cluster = #dl.cluster<name = "one", topology = full, bandwidth = 1.0e9, latency = 0.0, devices = [#dl.device<name = "d", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">]>} {
  // expected-error @+1 {{'dl.device' is 1 but the cluster has 1 devices}}
  func.func @device_outside_cluster() attributes {dl.device = 1 : i64} {
    return
  }
}

// -----

// expected-error @+1 {{'dl.weights' must be a string (a path)}}
module attributes {dl.weights = 42 : i64} {
}

// -----

// expected-error @+1 {{unknown dl attribute 'dl.wieghts'}}
module attributes {dl.wieghts = "model.dlw"} {
}
