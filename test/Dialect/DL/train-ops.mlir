// RUN: dl-opt %s | dl-opt | FileCheck %s
// RUN: dl-opt %s --mlir-print-op-generic | dl-opt | FileCheck %s

// Round-trips the training ops (DLTrainOps.td): backward, loss and
// optimizer updates, with default and explicit attributes.

// CHECK-LABEL: func.func @backward
func.func @backward(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>,
                    %dy: tensor<2x4x4x4xf32>, %y: tensor<2x4x4x4xf32>)
    -> (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>,
        tensor<2x4x4x4xf32>) {
  // CHECK: dl.conv2d_backward_data %{{.*}}, %{{.*}} {padding = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x8xf32>
  %dx = dl.conv2d_backward_data %dy, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>}
      : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x8xf32>
  // CHECK: dl.conv2d_backward_weights %{{.*}}, %{{.*}} {padding = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<2x3x8x8xf32>, tensor<2x4x4x4xf32>) -> (tensor<4x3x3x3xf32>, tensor<4xf32>)
  %dw, %db = dl.conv2d_backward_weights %x, %dy {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>}
      : (tensor<2x3x8x8xf32>, tensor<2x4x4x4xf32>) -> (tensor<4x3x3x3xf32>, tensor<4xf32>)
  // CHECK: dl.relu_backward %{{.*}}, %{{.*}} : tensor<2x4x4x4xf32>
  %dr = dl.relu_backward %y, %dy : tensor<2x4x4x4xf32>
  return %dx, %dw, %db, %dr : tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<2x4x4x4xf32>
}

// CHECK-LABEL: func.func @dense_pool
func.func @dense_pool(%x: tensor<4x64xf32>, %w: tensor<10x64xf32>,
                      %dy: tensor<4x10xf32>, %img: tensor<1x4x8x8xf32>,
                      %dp: tensor<1x4x4x4xf32>)
    -> (tensor<4x64xf32>, tensor<10x64xf32>, tensor<10xf32>,
        tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  // CHECK: dl.dense_backward_data %{{.*}}, %{{.*}} : (tensor<4x10xf32>, tensor<10x64xf32>) -> tensor<4x64xf32>
  %dx = dl.dense_backward_data %dy, %w : (tensor<4x10xf32>, tensor<10x64xf32>) -> tensor<4x64xf32>
  // CHECK: dl.dense_backward_weights %{{.*}}, %{{.*}} : (tensor<4x64xf32>, tensor<4x10xf32>) -> (tensor<10x64xf32>, tensor<10xf32>)
  %dw, %db = dl.dense_backward_weights %x, %dy : (tensor<4x64xf32>, tensor<4x10xf32>) -> (tensor<10x64xf32>, tensor<10xf32>)
  // CHECK: dl.pool2d_backward max %{{.*}}, %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
  %m = dl.pool2d_backward max %img, %dp {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x4x8x8xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: dl.pool2d_backward avg %{{.*}}, %{{.*}} {count_include_pad = true, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %a = dl.pool2d_backward avg %img, %dp {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = true}
      : (tensor<1x4x8x8xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x8x8xf32>
  return %dx, %dw, %db, %m, %a : tensor<4x64xf32>, tensor<10x64xf32>, tensor<10xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}

// CHECK-LABEL: func.func @loss_and_updates
func.func @loss_and_updates(%z: tensor<4x10xf32>, %t: tensor<4x10xf32>,
                            %p: tensor<10xf32>, %g: tensor<10xf32>,
                            %v: tensor<10xf32>, %step: tensor<1xf32>)
    -> (tensor<1xf32>, tensor<4x10xf32>, tensor<10xf32>, tensor<10xf32>,
        tensor<10xf32>, tensor<10xf32>, tensor<10xf32>) {
  // CHECK: dl.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<1xf32>
  %l = dl.softmax_cross_entropy %z, %t : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<1xf32>
  // CHECK: dl.softmax_cross_entropy_backward %{{.*}}, %{{.*}} {scale = 2.500000e-01 : f32} : tensor<4x10xf32>
  %dz = dl.softmax_cross_entropy_backward %z, %t {scale = 0.25 : f32} : tensor<4x10xf32>
  // CHECK: dl.sgd_update %{{.*}}, %{{.*}}, %{{.*}} {lr = 1.000000e-01 : f32, momentum = 0.899999976 : f32} : tensor<10xf32>
  %p1, %v1 = dl.sgd_update %p, %g, %v {lr = 0.1 : f32, momentum = 0.9 : f32} : tensor<10xf32>
  // CHECK: dl.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {lr = 1.000000e-03 : f32} : tensor<10xf32>, tensor<1xf32>
  %p2, %m2, %v2 = dl.adam_update %p, %g, %v, %v, %step {lr = 1.0e-3 : f32} : tensor<10xf32>, tensor<1xf32>
  return %l, %dz, %p1, %v1, %p2, %m2, %v2 : tensor<1xf32>, tensor<4x10xf32>, tensor<10xf32>, tensor<10xf32>, tensor<10xf32>, tensor<10xf32>, tensor<10xf32>
}

// CHECK-LABEL: func.func @activations_matmul
func.func @activations_matmul(%y: tensor<2x4xf32>, %dy: tensor<2x4xf32>,
                              %a: tensor<3x2x5xf32>, %b: tensor<3x5x4xf32>,
                              %dm: tensor<3x2x4xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
        tensor<2x4xf32>, tensor<2x4xf32>, tensor<3x2x5xf32>, tensor<3x5x4xf32>) {
  // CHECK: dl.sigmoid_backward %{{.*}}, %{{.*}} : tensor<2x4xf32>
  %s = dl.sigmoid_backward %y, %dy : tensor<2x4xf32>
  // CHECK: dl.tanh_backward %{{.*}}, %{{.*}} : tensor<2x4xf32>
  %t = dl.tanh_backward %y, %dy : tensor<2x4xf32>
  // CHECK: dl.gelu_backward %{{.*}}, %{{.*}} : tensor<2x4xf32>
  %g = dl.gelu_backward %y, %dy : tensor<2x4xf32>
  // CHECK: dl.clip_backward %{{.*}}, %{{.*}} min 0.000000e+00 max 6.000000e+00 : tensor<2x4xf32>
  %c = dl.clip_backward %y, %dy min 0.0 max 6.0 : tensor<2x4xf32>
  // CHECK: dl.softmax_backward %{{.*}}, %{{.*}} : tensor<2x4xf32>
  %sm = dl.softmax_backward %y, %dy : tensor<2x4xf32>
  // CHECK: dl.softmax_backward %{{.*}}, %{{.*}} {axis = 0 : i64} : tensor<2x4xf32>
  %s0 = dl.softmax_backward %y, %dy {axis = 0 : i64} : tensor<2x4xf32>
  // CHECK: dl.matmul_backward_lhs %{{.*}}, %{{.*}} : (tensor<3x2x4xf32>, tensor<3x5x4xf32>) -> tensor<3x2x5xf32>
  %da = dl.matmul_backward_lhs %dm, %b : (tensor<3x2x4xf32>, tensor<3x5x4xf32>) -> tensor<3x2x5xf32>
  // CHECK: dl.matmul_backward_rhs %{{.*}}, %{{.*}} : (tensor<3x2x5xf32>, tensor<3x2x4xf32>) -> tensor<3x5x4xf32>
  %db = dl.matmul_backward_rhs %a, %dm : (tensor<3x2x5xf32>, tensor<3x2x4xf32>) -> tensor<3x5x4xf32>
  return %s, %t, %g, %c, %sm, %s0, %da, %db : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<3x2x5xf32>, tensor<3x5x4xf32>
}

// CHECK-LABEL: func.func @batch_norm
func.func @batch_norm(%x: tensor<8x4x6x6xf32>, %s: tensor<4xf32>,
                      %b: tensor<4xf32>, %dy: tensor<8x4x6x6xf32>,
                      %x2: tensor<5x3xf32>, %s2: tensor<3xf32>)
    -> (tensor<8x4x6x6xf32>, tensor<8x4x6x6xf32>, tensor<4xf32>,
        tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5x3xf32>) {
  // CHECK: dl.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}} : (tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x6x6xf32>
  %y = dl.batch_norm_train %x, %s, %b : (tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x6x6xf32>
  // CHECK: dl.batch_norm_backward %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<8x4x6x6xf32>) -> (tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>)
  %dx, %ds, %db = dl.batch_norm_backward %x, %s, %dy {epsilon = 1.0e-3 : f32}
      : (tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<8x4x6x6xf32>) -> (tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>)
  // CHECK: dl.batch_norm_running_stats %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x4x6x6xf32>, tensor<4xf32>
  %m1, %v1 = dl.batch_norm_running_stats %x, %s, %b : tensor<8x4x6x6xf32>, tensor<4xf32>
  // CHECK: dl.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<5x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  %y2 = dl.batch_norm_train %x2, %s2, %s2 {epsilon = 1.0e-3 : f32} : (tensor<5x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return %y, %dx, %ds, %db, %m1, %v1, %y2 : tensor<8x4x6x6xf32>, tensor<8x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5x3xf32>
}

// CHECK-LABEL: func.func @lstm
func.func @lstm(%dh: tensor<5x2x16xf32>, %x: tensor<5x2x8xf32>,
                %wih: tensor<64x8xf32>, %whh: tensor<64x16xf32>,
                %b: tensor<64xf32>)
    -> (tensor<5x2x8xf32>, tensor<64x16xf32>, tensor<64xf32>, tensor<64x8xf32>) {
  // CHECK: dl.lstm_backward %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<5x2x16xf32>, tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<64xf32>) -> (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<64xf32>)
  %dx, %dwih, %dwhh, %db = dl.lstm_backward %dh, %x, %wih, %whh, %b
      : (tensor<5x2x16xf32>, tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<64xf32>)
      -> (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<64xf32>)
  // CHECK: dl.lstm_backward %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<5x2x16xf32>, tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>) -> (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<64xf32>)
  %dx2, %dwih2, %dwhh2, %db2 = dl.lstm_backward %dh, %x, %wih, %whh
      : (tensor<5x2x16xf32>, tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<64xf32>)
  return %dx, %dwhh, %db, %dwih2 : tensor<5x2x8xf32>, tensor<64x16xf32>, tensor<64xf32>, tensor<64x8xf32>
}
