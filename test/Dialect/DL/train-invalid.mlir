// RUN: dl-opt %s -split-input-file -verify-diagnostics

// One case per verifier diagnostic of the training ops (TrainOps.cpp).

func.func @conv_data_shape(%dy: tensor<2x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x3x8x8xf32> {
  // expected-error @+1 {{'dl.conv2d_backward_data' op result gradient has type 'tensor<2x4x5x5xf32>', expected 'tensor<2x4x6x6xf32>'}}
  %0 = dl.conv2d_backward_data %dy, %w : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x8xf32>
  return %0 : tensor<2x3x8x8xf32>
}

// -----

func.func @conv_data_groups(%dy: tensor<2x4x6x6xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x3x8x8xf32> {
  // expected-error @+1 {{'dl.conv2d_backward_data' op groups 2 do not fit input channels 3 and weight [4, 3, 3, 3]}}
  %0 = dl.conv2d_backward_data %dy, %w {groups = 2 : i64} : (tensor<2x4x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x8xf32>
  return %0 : tensor<2x3x8x8xf32>
}

// -----

func.func @conv_weights_bias(%x: tensor<2x3x8x8xf32>, %dy: tensor<2x4x6x6xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'dl.conv2d_backward_weights' op bias gradient has type 'tensor<3xf32>', expected 'tensor<4xf32>'}}
  %w, %b = dl.conv2d_backward_weights %x, %dy : (tensor<2x3x8x8xf32>, tensor<2x4x6x6xf32>) -> (tensor<4x3x3x3xf32>, tensor<3xf32>)
  return %b : tensor<3xf32>
}

// -----

func.func @conv_weights_rank(%x: tensor<2x3x8xf32>, %dy: tensor<2x4x6x6xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.conv2d_backward_weights' op expects a rank-4 input, got 'tensor<2x3x8xf32>'}}
  %w, %b = dl.conv2d_backward_weights %x, %dy : (tensor<2x3x8xf32>, tensor<2x4x6x6xf32>) -> (tensor<4x3x3x3xf32>, tensor<4xf32>)
  return %b : tensor<4xf32>
}

// -----

func.func @dense_data(%dy: tensor<4x10xf32>, %w: tensor<9x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'dl.dense_backward_data' op result gradient has 10 features but the weight has 9 rows}}
  %0 = dl.dense_backward_data %dy, %w : (tensor<4x10xf32>, tensor<9x64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

func.func @dense_weights(%x: tensor<3x64xf32>, %dy: tensor<4x10xf32>) -> tensor<10xf32> {
  // expected-error @+1 {{'dl.dense_backward_weights' op input batch 3 differs from the result gradient's 4}}
  %w, %b = dl.dense_backward_weights %x, %dy : (tensor<3x64xf32>, tensor<4x10xf32>) -> (tensor<10x64xf32>, tensor<10xf32>)
  return %b : tensor<10xf32>
}

// -----

func.func @pool(%x: tensor<1x4x8x8xf32>, %dy: tensor<1x4x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{'dl.pool2d_backward' op result gradient has type 'tensor<1x4x3x3xf32>', expected 'tensor<1x4x4x4xf32>'}}
  %0 = dl.pool2d_backward max %x, %dy {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<1x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @loss_targets(%z: tensor<4x10xf32>, %t: tensor<4x9xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'dl.softmax_cross_entropy' op targets 'tensor<4x9xf32>' must have the logits' type 'tensor<4x10xf32>'}}
  %0 = dl.softmax_cross_entropy %z, %t : (tensor<4x10xf32>, tensor<4x9xf32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @loss_result(%z: tensor<4x10xf32>, %t: tensor<4x10xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.softmax_cross_entropy' op result type 'tensor<4xf32>' does not match the inferred type 'tensor<1xf32>'}}
  %0 = dl.softmax_cross_entropy %z, %t : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @sgd_momentum(%p: tensor<10xf32>) -> tensor<10xf32> {
  // expected-error @+1 {{'dl.sgd_update' op momentum must be in [0, 1), got 1.5}}
  %0, %1 = dl.sgd_update %p, %p, %p {lr = 0.1 : f32, momentum = 1.5 : f32} : tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

func.func @sgd_lr(%p: tensor<10xf32>) -> tensor<10xf32> {
  // expected-error @+1 {{'dl.sgd_update' op learning rate must be finite and >= 0, got -1}}
  %0, %1 = dl.sgd_update %p, %p, %p {lr = -1.0 : f32} : tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

func.func @adam_step(%p: tensor<10xf32>, %s: tensor<2xf32>) -> tensor<10xf32> {
  // expected-error @+1 {{'dl.adam_update' op step has type 'tensor<2xf32>', expected 'tensor<1xf32>'}}
  %0, %1, %2 = dl.adam_update %p, %p, %p, %p, %s {lr = 0.1 : f32} : tensor<10xf32>, tensor<2xf32>
  return %0 : tensor<10xf32>
}

// -----

func.func @adam_eps(%p: tensor<10xf32>, %s: tensor<1xf32>) -> tensor<10xf32> {
  // expected-error @+1 {{'dl.adam_update' op epsilon must be finite and > 0, got 0}}
  %0, %1, %2 = dl.adam_update %p, %p, %p, %p, %s {lr = 0.1 : f32, epsilon = 0.0 : f32} : tensor<10xf32>, tensor<1xf32>
  return %0 : tensor<10xf32>
}

// -----

// expected-error @+1 {{'dl.train' must be a dictionary on a function}}
func.func @train_attr() attributes {dl.train = 1 : i64} {
  return
}

// -----

func.func @clip_bounds(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.clip_backward' op requires min <= max (not NaN), got min = 1.000000e+00 and max = 0.000000e+00}}
  %0 = dl.clip_backward %x, %x min 1.0 max 0.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @softmax_axis(%y: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'dl.softmax_backward' op axis 2 is out of range for rank 2}}
  %0 = dl.softmax_backward %y, %y {axis = 2 : i64} : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @sigmoid_types(%y: tensor<2x4xf32>, %dy: tensor<4x2xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'dl.sigmoid_backward' op requires the same type for all operands and results}}
  %0 = "dl.sigmoid_backward"(%y, %dy) : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_lhs_shape(%dy: tensor<4x2xf32>, %b: tensor<8x3xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'dl.matmul_backward_lhs' op shapes do not match a product: lhs [4, 8], rhs [8, 3], result gradient [4, 2]}}
  %0 = dl.matmul_backward_lhs %dy, %b : (tensor<4x2xf32>, tensor<8x3xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @matmul_rhs_rank(%a: tensor<4x8xf32>, %dy: tensor<1x4x2xf32>) -> tensor<8x2xf32> {
  // expected-error @+1 {{'dl.matmul_backward_rhs' op expects operands and result of equal rank 2 or 3, got ranks 2, 2 and 3 (lhs, rhs, result gradient)}}
  %0 = dl.matmul_backward_rhs %a, %dy : (tensor<4x8xf32>, tensor<1x4x2xf32>) -> tensor<8x2xf32>
  return %0 : tensor<8x2xf32>
}

// -----

func.func @bn_train_rank(%x: tensor<8x4x6xf32>, %s: tensor<4xf32>) -> tensor<8x4x6xf32> {
  // expected-error @+1 {{'dl.batch_norm_train' op expects a rank-2 or rank-4 input, got 'tensor<8x4x6xf32>'}}
  %y = dl.batch_norm_train %x, %s, %s : (tensor<8x4x6xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x6xf32>
  return %y : tensor<8x4x6xf32>
}

// -----

func.func @bn_train_channels(%x: tensor<8x4xf32>, %s: tensor<3xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'dl.batch_norm_train' op per-channel tensor has type 'tensor<3xf32>', expected 'tensor<4xf32>'}}
  %y = dl.batch_norm_train %x, %s, %s : (tensor<8x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @bn_train_epsilon(%x: tensor<8x4xf32>, %s: tensor<4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'dl.batch_norm_train' op epsilon must be finite and >= 0, got -1}}
  %y = dl.batch_norm_train %x, %s, %s {epsilon = -1.0 : f32} : (tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @bn_backward_grad(%x: tensor<8x4xf32>, %s: tensor<4xf32>, %dy: tensor<8x5xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'dl.batch_norm_backward' op result gradient has type 'tensor<8x5xf32>', expected 'tensor<8x4xf32>'}}
  %dx, %ds, %db = dl.batch_norm_backward %x, %s, %dy : (tensor<8x4xf32>, tensor<4xf32>, tensor<8x5xf32>) -> (tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %dx : tensor<8x4xf32>
}

// -----

func.func @bn_stats_count(%x: tensor<1x4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.batch_norm_running_stats' op needs at least 2 values per channel for the unbiased variance, got 1}}
  %m1, %v1 = dl.batch_norm_running_stats %x, %m, %m : tensor<1x4xf32>, tensor<4xf32>
  return %m1 : tensor<4xf32>
}

// -----

func.func @bn_stats_momentum(%x: tensor<2x4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.batch_norm_running_stats' op momentum must be in [0, 1), got 1.5}}
  %m1, %v1 = dl.batch_norm_running_stats %x, %m, %m {momentum = 1.5 : f32} : tensor<2x4xf32>, tensor<4xf32>
  return %m1 : tensor<4xf32>
}

// -----

func.func @lstm_backward_whh(%dh: tensor<5x2x16xf32>, %x: tensor<5x2x8xf32>, %wih: tensor<64x8xf32>, %whh: tensor<60x16xf32>) -> tensor<5x2x8xf32> {
  // expected-error @+1 {{'dl.lstm_backward' op expects w_hh of shape [4H, H], got 'tensor<60x16xf32>'}}
  %dx, %a, %b, %c = dl.lstm_backward %dh, %x, %wih, %whh : (tensor<5x2x16xf32>, tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<60x16xf32>) -> (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<60x16xf32>, tensor<64xf32>)
  return %dx : tensor<5x2x8xf32>
}

// -----

func.func @lstm_backward_wih(%dh: tensor<5x2x16xf32>, %x: tensor<5x2x8xf32>, %wih: tensor<64x7xf32>, %whh: tensor<64x16xf32>) -> tensor<5x2x8xf32> {
  // expected-error @+1 {{'dl.lstm_backward' op w_ih has type 'tensor<64x7xf32>', expected 'tensor<64x8xf32>'}}
  %dx, %a, %b, %c = dl.lstm_backward %dh, %x, %wih, %whh : (tensor<5x2x16xf32>, tensor<5x2x8xf32>, tensor<64x7xf32>, tensor<64x16xf32>) -> (tensor<5x2x8xf32>, tensor<64x7xf32>, tensor<64x16xf32>, tensor<64xf32>)
  return %dx : tensor<5x2x8xf32>
}

// -----

func.func @lstm_backward_dh(%dh: tensor<5x2x15xf32>, %x: tensor<5x2x8xf32>, %wih: tensor<64x8xf32>, %whh: tensor<64x16xf32>, %b: tensor<64xf32>) -> tensor<5x2x8xf32> {
  // expected-error @+1 {{'dl.lstm_backward' op result gradient has type 'tensor<5x2x15xf32>', expected 'tensor<5x2x16xf32>'}}
  %dx, %a, %c, %d = dl.lstm_backward %dh, %x, %wih, %whh, %b : (tensor<5x2x15xf32>, tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<64xf32>) -> (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<64xf32>)
  return %dx : tensor<5x2x8xf32>
}
