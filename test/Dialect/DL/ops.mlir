// RUN: dl-opt %s | dl-opt | FileCheck %s
// RUN: dl-opt %s --mlir-print-op-generic | dl-opt | FileCheck %s

// Round-trips every op of the dl dialect through the custom and the generic
// form: layer ops with and without their optional operands and attributes,
// parameters with and without an inline value, and every communication op
// both in a device function (`dl.device`, where the verifiers also check
// membership) and outside one.

// CHECK-LABEL: func.func @params
func.func @params() -> (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<2x2xf32>) {
  // CHECK: %[[W:.*]] = dl.param "conv.weight" : tensor<4x3x3x3xf32>
  %w = dl.param "conv.weight" : tensor<4x3x3x3xf32>
  // CHECK: %[[B:.*]] = dl.param "conv.bias" : tensor<4xf32> = dense<5.000000e-01>{{$}}
  %b = dl.param "conv.bias" : tensor<4xf32> = dense<0.5>
  // CHECK: %[[M:.*]] = dl.param "m" {test.note = "kept"} : tensor<2x2xf32> = dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]>{{$}}
  %m = dl.param "m" {test.note = "kept"} : tensor<2x2xf32>
      = dense<[[1.0, 2.0], [3.0, 4.0]]>
  // CHECK: return %[[W]], %[[B]], %[[M]]
  return %w, %b, %m : tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<2x2xf32>
}

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[B:.*]]: tensor<4xf32>, %[[WG:.*]]: tensor<4x1x3x3xf32>)
func.func @conv2d(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>,
                  %b: tensor<4xf32>, %wg: tensor<4x1x3x3xf32>)
    -> (tensor<1x4x8x8xf32>, tensor<1x4x6x6xf32>, tensor<1x4x2x2xf32>,
        tensor<1x4x8x8xf32>) {
  // Same padding with bias and fused relu.
  // CHECK: %[[C0:.*]] = dl.conv2d %[[X]], %[[W]], %[[B]] {activation = #dl<activation relu>, padding = array<i64: 1, 1, 1, 1>}
  // CHECK-SAME: : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>,
                             activation = #dl<activation relu>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
      -> tensor<1x4x8x8xf32>
  // No bias, all defaults (valid padding).
  // CHECK: %[[C1:.*]] = dl.conv2d %[[X]], %[[W]] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %1 = dl.conv2d %x, %w
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  // Stride 2 and dilation 2: (8 - 2*2 - 1) / 2 + 1 = 2.
  // CHECK: %[[C2:.*]] = dl.conv2d %[[X]], %[[W]] {dilations = array<i64: 2, 2>, strides = array<i64: 2, 2>}
  // CHECK-SAME: -> tensor<1x4x2x2xf32>
  %2 = dl.conv2d %x, %w {strides = array<i64: 2, 2>,
                         dilations = array<i64: 2, 2>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x2x2xf32>
  // Depthwise conv: 4 groups of one input channel each.
  %x4 = dl.relu %0 : tensor<1x4x8x8xf32>
  // CHECK: %[[X4:.*]] = dl.relu %[[C0]] : tensor<1x4x8x8xf32>
  // CHECK: %[[C3:.*]] = dl.conv2d %[[X4]], %[[WG]] {groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>}
  // CHECK-SAME: : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  %3 = dl.conv2d %x4, %wg {groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: return %[[C0]], %[[C1]], %[[C2]], %[[C3]]
  return %0, %1, %2, %3 : tensor<1x4x8x8xf32>, tensor<1x4x6x6xf32>,
                          tensor<1x4x2x2xf32>, tensor<1x4x8x8xf32>
}

// CHECK-LABEL: func.func @dense_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>, %[[W:.*]]: tensor<3x8xf32>, %[[B:.*]]: tensor<3xf32>, %[[A3:.*]]: tensor<2x4x8xf32>, %[[B3:.*]]: tensor<2x8x5xf32>)
func.func @dense_matmul(%x: tensor<2x8xf32>, %w: tensor<3x8xf32>,
                        %b: tensor<3xf32>, %a3: tensor<2x4x8xf32>,
                        %b3: tensor<2x8x5xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xf32>,
        tensor<2x4x5xf32>) {
  // CHECK: %[[D0:.*]] = dl.dense %[[X]], %[[W]], %[[B]] {activation = #dl<activation relu>} : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = dl.dense %x, %w, %b {activation = #dl<activation relu>}
      : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[D1:.*]] = dl.dense %[[X]], %[[W]] : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
  %1 = dl.dense %x, %w : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
  // CHECK: %[[T:.*]] = dl.reshape %[[D1]] : tensor<2x3xf32> -> tensor<3x2xf32>
  %t = dl.reshape %1 : tensor<2x3xf32> -> tensor<3x2xf32>
  // CHECK: %[[M0:.*]] = dl.matmul %[[D0]], %[[T]]
  // CHECK-SAME: : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %2 = dl.matmul %0, %t
      : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  // CHECK: %[[M1:.*]] = dl.matmul %[[A3]], %[[B3]] : (tensor<2x4x8xf32>, tensor<2x8x5xf32>) -> tensor<2x4x5xf32>
  %3 = dl.matmul %a3, %b3
      : (tensor<2x4x8xf32>, tensor<2x8x5xf32>) -> tensor<2x4x5xf32>
  // CHECK: return %[[D0]], %[[D1]], %[[M0]], %[[M1]]
  return %0, %1, %2, %3
      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xf32>, tensor<2x4x5xf32>
}

// CHECK-LABEL: func.func @pooling_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[P:.*]]: tensor<4xf32>, %[[X2:.*]]: tensor<2x4xf32>)
func.func @pooling_norm(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>,
                        %x2: tensor<2x4xf32>)
    -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>,
        tensor<1x4x8x8xf32>, tensor<2x4xf32>) {
  // CHECK: %[[P0:.*]] = dl.pool2d max %[[X]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: %[[P1:.*]] = dl.pool2d avg %[[X]] {count_include_pad = true, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %1 = dl.pool2d avg %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                         padding = array<i64: 1, 1, 1, 1>,
                         count_include_pad = true}
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: %[[G:.*]] = dl.global_avg_pool %[[X]] : tensor<1x4x8x8xf32> -> tensor<1x4x1x1xf32>
  %2 = dl.global_avg_pool %x : tensor<1x4x8x8xf32> -> tensor<1x4x1x1xf32>
  // CHECK: %[[BN:.*]] = dl.batch_norm %[[X]], %[[P]], %[[P]], %[[P]], %[[P]] {epsilon = 1.000000e-03 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %3 = dl.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-03 : f32}
      : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // Rank-2 input and the default epsilon.
  // CHECK: %[[BN2:.*]] = dl.batch_norm %[[X2]], %[[P]], %[[P]], %[[P]], %[[P]] : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %4 = dl.batch_norm %x2, %p, %p, %p, %p
      : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<4xf32>) -> tensor<2x4xf32>
  // CHECK: return %[[P0]], %[[P1]], %[[G]], %[[BN]], %[[BN2]]
  return %0, %1, %2, %3, %4 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>,
      tensor<1x4x1x1xf32>, tensor<1x4x8x8xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[A:.*]]: tensor<1x10xf32>, %[[B:.*]]: tensor<1x10xf32>)
func.func @elementwise(%a: tensor<1x10xf32>, %b: tensor<1x10xf32>)
    -> tensor<1x10xf32> {
  // CHECK: %[[R:.*]] = dl.relu %[[A]] : tensor<1x10xf32>
  %0 = dl.relu %a : tensor<1x10xf32>
  // CHECK: %[[S:.*]] = dl.sigmoid %[[R]] : tensor<1x10xf32>
  %1 = dl.sigmoid %0 : tensor<1x10xf32>
  // CHECK: %[[T:.*]] = dl.tanh %[[S]] : tensor<1x10xf32>
  %2 = dl.tanh %1 : tensor<1x10xf32>
  // CHECK: %[[G:.*]] = dl.gelu %[[T]] : tensor<1x10xf32>
  %3 = dl.gelu %2 : tensor<1x10xf32>
  // CHECK: %[[ADD:.*]] = dl.add %[[G]], %[[B]] : tensor<1x10xf32>
  %4 = dl.add %3, %b : tensor<1x10xf32>
  // CHECK: %[[MUL:.*]] = dl.mul %[[ADD]], %[[A]] : tensor<1x10xf32>
  %5 = dl.mul %4, %a : tensor<1x10xf32>
  // CHECK: %[[SM:.*]] = dl.softmax %[[MUL]] {axis = 0 : i64} : tensor<1x10xf32>
  %6 = dl.softmax %5 {axis = 0 : i64} : tensor<1x10xf32>
  // The default axis (1) is not printed.
  // CHECK: %[[SM1:.*]] = dl.softmax %[[SM]] : tensor<1x10xf32>
  %7 = dl.softmax %6 {axis = 1 : i64} : tensor<1x10xf32>
  // CHECK: return %[[SM1]]
  return %7 : tensor<1x10xf32>
}

// CHECK-LABEL: func.func @shapes
// CHECK-SAME: (%[[A:.*]]: tensor<1x2x3x3xf32>, %[[B:.*]]: tensor<1x5x3x3xf32>)
func.func @shapes(%a: tensor<1x2x3x3xf32>, %b: tensor<1x5x3x3xf32>)
    -> (tensor<1x63xf32>, tensor<7x9xf32>, tensor<63xf32>) {
  // CHECK: %[[C:.*]] = dl.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<1x5x3x3xf32>) -> tensor<1x7x3x3xf32>
  %0 = dl.concat %a, %b {axis = 1 : i64}
      : (tensor<1x2x3x3xf32>, tensor<1x5x3x3xf32>) -> tensor<1x7x3x3xf32>
  // CHECK: %[[F:.*]] = dl.flatten %[[C]] : tensor<1x7x3x3xf32> -> tensor<1x63xf32>
  %1 = dl.flatten %0 : tensor<1x7x3x3xf32> -> tensor<1x63xf32>
  // CHECK: %[[F2:.*]] = dl.flatten %[[C]] {axis = 2 : i64} : tensor<1x7x3x3xf32> -> tensor<7x9xf32>
  %2 = dl.flatten %0 {axis = 2 : i64} : tensor<1x7x3x3xf32> -> tensor<7x9xf32>
  // CHECK: %[[R:.*]] = dl.reshape %[[F]] : tensor<1x63xf32> -> tensor<63xf32>
  %3 = dl.reshape %1 : tensor<1x63xf32> -> tensor<63xf32>
  // CHECK: return %[[F]], %[[F2]], %[[R]]
  return %1, %2, %3 : tensor<1x63xf32>, tensor<7x9xf32>, tensor<63xf32>
}

// CHECK-LABEL: func.func @lstm
// CHECK-SAME: (%[[X:.*]]: tensor<5x1x8xf32>, %[[WIH:.*]]: tensor<64x8xf32>, %[[WHH:.*]]: tensor<64x16xf32>, %[[B:.*]]: tensor<64xf32>)
func.func @lstm(%x: tensor<5x1x8xf32>, %wih: tensor<64x8xf32>,
                %whh: tensor<64x16xf32>, %b: tensor<64xf32>)
    -> (tensor<5x1x16xf32>, tensor<5x1x16xf32>) {
  // CHECK: %[[H0:.*]] = dl.lstm %[[X]], %[[WIH]], %[[WHH]], %[[B]] {hidden_size = 16 : i64} : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<64xf32>) -> tensor<5x1x16xf32>
  %0 = dl.lstm %x, %wih, %whh, %b {hidden_size = 16 : i64}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>,
         tensor<64xf32>) -> tensor<5x1x16xf32>
  // CHECK: %[[H1:.*]] = dl.lstm %[[X]], %[[WIH]], %[[WHH]] {hidden_size = 16 : i64} : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>) -> tensor<5x1x16xf32>
  %1 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> tensor<5x1x16xf32>
  // CHECK: return %[[H0]], %[[H1]]
  return %0, %1 : tensor<5x1x16xf32>, tensor<5x1x16xf32>
}

// One step of a hidden-split LSTM on a device that holds 4 units (R = 16
// gate rows), with and without the bias.
// CHECK-LABEL: func.func @lstm_step
// CHECK-SAME: (%[[XT:.*]]: tensor<1x8xf32>, %[[H:.*]]: tensor<1x16xf32>, %[[WIH:.*]]: tensor<16x8xf32>, %[[WHH:.*]]: tensor<16x16xf32>, %[[B:.*]]: tensor<16xf32>, %[[C:.*]]: tensor<1x4xf32>)
func.func @lstm_step(%xt: tensor<1x8xf32>, %h: tensor<1x16xf32>,
                     %wih: tensor<16x8xf32>, %whh: tensor<16x16xf32>,
                     %b: tensor<16xf32>, %c: tensor<1x4xf32>)
    -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x16xf32>) {
  // CHECK: %[[G:.*]] = dl.lstm_gates %[[XT]], %[[H]], %[[WIH]], %[[WHH]], %[[B]] : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x16xf32>
  %g = dl.lstm_gates %xt, %h, %wih, %whh, %b
      : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>,
         tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x16xf32>
  // CHECK: %[[G2:.*]] = dl.lstm_gates %[[XT]], %[[H]], %[[WIH]], %[[WHH]] : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>, tensor<16x16xf32>) -> tensor<1x16xf32>
  %g2 = dl.lstm_gates %xt, %h, %wih, %whh
      : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>,
         tensor<16x16xf32>) -> tensor<1x16xf32>
  // CHECK: %[[HN:.*]], %[[CN:.*]] = dl.lstm_cell %[[G]], %[[C]] : tensor<1x16xf32>, tensor<1x4xf32>
  %hn, %cn = dl.lstm_cell %g, %c : tensor<1x16xf32>, tensor<1x4xf32>
  // CHECK: return %[[HN]], %[[CN]], %[[G2]]
  return %hn, %cn, %g2 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x16xf32>
}

// Every communication op inside the function of device 1: device 1 is a
// member of every group and never its own peer.
// CHECK-LABEL: func.func @comm_on_device
// CHECK-SAME: (%[[T:.*]]: tensor<1x4xf32>, %[[S:.*]]: tensor<1x4x7x28xf32>, %[[P:.*]]: tensor<2x8xf32>)
// CHECK-SAME: attributes {dl.device = 1 : i64}
func.func @comm_on_device(%t: tensor<1x4xf32>, %s: tensor<1x4x7x28xf32>,
                          %p: tensor<2x8xf32>)
    attributes {dl.device = 1 : i64} {
  // CHECK: dl.send %[[T]] to 0 tag 3 : tensor<1x4xf32>
  dl.send %t to 0 tag 3 : tensor<1x4xf32>
  // CHECK: %[[R:.*]] = dl.recv from 2 tag 3 : tensor<1x4xf32>
  %r = dl.recv from 2 tag 3 : tensor<1x4xf32>
  // Member 1 holds sizes[1] = 4 columns; uneven sizes sum to 11.
  // CHECK: %[[AG:.*]] = dl.all_gather %[[R]] dim 1 group [0, 1, 2] sizes [3, 4, 4] : tensor<1x4xf32> -> tensor<1x11xf32>
  %ag = dl.all_gather %r dim 1 group [0, 1, 2] sizes [3, 4, 4]
      : tensor<1x4xf32> -> tensor<1x11xf32>
  // CHECK: %[[AR:.*]] = dl.all_reduce %[[AG]] group [0, 1, 2] : tensor<1x11xf32>
  %ar = dl.all_reduce %ag group [0, 1, 2] : tensor<1x11xf32>
  // The non-blocking form: started, then completed.
  // CHECK: %[[H:.*]] = dl.all_reduce_start %[[AG]] group [0, 1, 2] : tensor<1x11xf32>
  // CHECK: dl.all_reduce_wait %[[H]] : tensor<1x11xf32>
  %h = dl.all_reduce_start %ag group [0, 1, 2] : tensor<1x11xf32>
  %arw = dl.all_reduce_wait %h : tensor<1x11xf32>
  // CHECK: %[[RS:.*]] = dl.reduce_scatter %[[AR]] dim 1 group [0, 1, 2] sizes [3, 4, 4] : tensor<1x11xf32> -> tensor<1x4xf32>
  %rs = dl.reduce_scatter %ar dim 1 group [0, 1, 2] sizes [3, 4, 4]
      : tensor<1x11xf32> -> tensor<1x4xf32>
  // CHECK: %[[BC:.*]] = dl.broadcast %[[RS]] root 0 group [0, 1] : tensor<1x4xf32>
  %bc = dl.broadcast %rs root 0 group [0, 1] : tensor<1x4xf32>
  // An interior strip of a same-padded 3x3 conv: one row from each side.
  // CHECK: %[[HX:.*]] = dl.halo_exchange %[[S]] dim 2 prev 0 next 2 recv [1, 1] send [1, 1] : tensor<1x4x7x28xf32> -> tensor<1x4x9x28xf32>
  %hx = dl.halo_exchange %s dim 2 prev 0 next 2 recv [1, 1] send [1, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x9x28xf32>
  // CHECK: %[[A2A:.*]] = dl.all_to_all %[[P]] split_dim 1 concat_dim 0 group [0, 1] : tensor<2x8xf32> -> tensor<4x4xf32>
  %a2a = dl.all_to_all %p split_dim 1 concat_dim 0 group [0, 1]
      : tensor<2x8xf32> -> tensor<4x4xf32>
  // CHECK: dl.barrier group [0, 1, 2, 3]
  dl.barrier group [0, 1, 2, 3]
  return
}

// The same ops outside a device function: no membership is implied, so a
// group need not contain any particular rank, and the first strip has no
// previous neighbour.
// CHECK-LABEL: func.func @comm_generic
// CHECK-NOT: dl.device
func.func @comm_generic(%t: tensor<1x4xf32>, %s: tensor<1x4x7x28xf32>,
                        %p: tensor<2x8xf32>) {
  // CHECK: dl.send %{{.*}} to 5 tag 0 : tensor<1x4xf32>
  dl.send %t to 5 tag 0 : tensor<1x4xf32>
  // CHECK: dl.recv from 0 tag 7 : tensor<1x4xf32>
  %r = dl.recv from 0 tag 7 : tensor<1x4xf32>
  // CHECK: dl.all_gather %{{.*}} dim 0 group [4, 5] sizes [1, 1] : tensor<1x4xf32> -> tensor<2x4xf32>
  %ag = dl.all_gather %r dim 0 group [4, 5] sizes [1, 1]
      : tensor<1x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.all_reduce %{{.*}} group [7] : tensor<2x4xf32>
  %ar = dl.all_reduce %ag group [7] : tensor<2x4xf32>
  // CHECK: dl.reduce_scatter %{{.*}} dim 0 group [4, 5] sizes [1, 1] : tensor<2x4xf32> -> tensor<1x4xf32>
  %rs = dl.reduce_scatter %ar dim 0 group [4, 5] sizes [1, 1]
      : tensor<2x4xf32> -> tensor<1x4xf32>
  // CHECK: dl.broadcast %{{.*}} root 3 group [2, 3] : tensor<1x4xf32>
  %bc = dl.broadcast %rs root 3 group [2, 3] : tensor<1x4xf32>
  // CHECK: dl.halo_exchange %{{.*}} dim 2 prev -1 next 1 recv [0, 1] send [0, 1] : tensor<1x4x7x28xf32> -> tensor<1x4x8x28xf32>
  %hx = dl.halo_exchange %s dim 2 prev -1 next 1 recv [0, 1] send [0, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x8x28xf32>
  // CHECK: dl.all_to_all %{{.*}} split_dim 0 concat_dim 1 group [0, 1] : tensor<2x8xf32> -> tensor<1x16xf32>
  %a2a = dl.all_to_all %p split_dim 0 concat_dim 1 group [0, 1]
      : tensor<2x8xf32> -> tensor<1x16xf32>
  // CHECK: dl.barrier group [0]
  dl.barrier group [0]
  return
}
