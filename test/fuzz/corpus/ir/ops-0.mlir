func.func @params() -> (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<2x2xf32>) {
  %w = dl.param "conv.weight" : tensor<4x3x3x3xf32>
  %b = dl.param "conv.bias" : tensor<4xf32> = dense<0.5>
  %m = dl.param "m" {test.note = "kept"} : tensor<2x2xf32>
      = dense<[[1.0, 2.0], [3.0, 4.0]]>
  return %w, %b, %m : tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<2x2xf32>
}

func.func @conv2d(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>,
                  %b: tensor<4xf32>, %wg: tensor<4x1x3x3xf32>)
    -> (tensor<1x4x8x8xf32>, tensor<1x4x6x6xf32>, tensor<1x4x2x2xf32>,
        tensor<1x4x8x8xf32>) {
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>,
                             activation = #dl<activation relu>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
      -> tensor<1x4x8x8xf32>
  %1 = dl.conv2d %x, %w
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %2 = dl.conv2d %x, %w {strides = array<i64: 2, 2>,
                         dilations = array<i64: 2, 2>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x2x2xf32>
  %x4 = dl.relu %0 : tensor<1x4x8x8xf32>
  %3 = dl.conv2d %x4, %wg {groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0, %1, %2, %3 : tensor<1x4x8x8xf32>, tensor<1x4x6x6xf32>,
                          tensor<1x4x2x2xf32>, tensor<1x4x8x8xf32>
}

func.func @dense_matmul(%x: tensor<2x8xf32>, %w: tensor<3x8xf32>,
                        %b: tensor<3xf32>, %a3: tensor<2x4x8xf32>,
                        %b3: tensor<2x8x5xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xf32>,
        tensor<2x4x5xf32>) {
  %0 = dl.dense %x, %w, %b {activation = #dl<activation relu>}
      : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = dl.dense %x, %w : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
  %t = dl.reshape %1 : tensor<2x3xf32> -> tensor<3x2xf32>
  %2 = dl.matmul %0, %t
      : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %3 = dl.matmul %a3, %b3
      : (tensor<2x4x8xf32>, tensor<2x8x5xf32>) -> tensor<2x4x5xf32>
  return %0, %1, %2, %3
      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xf32>, tensor<2x4x5xf32>
}

func.func @pooling_norm(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>,
                        %x2: tensor<2x4xf32>)
    -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>,
        tensor<1x4x8x8xf32>, tensor<2x4xf32>) {
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %1 = dl.pool2d avg %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                         padding = array<i64: 1, 1, 1, 1>,
                         count_include_pad = true}
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %2 = dl.global_avg_pool %x : tensor<1x4x8x8xf32> -> tensor<1x4x1x1xf32>
  %3 = dl.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-03 : f32}
      : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %4 = dl.batch_norm %x2, %p, %p, %p, %p
      : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<4xf32>) -> tensor<2x4xf32>
  return %0, %1, %2, %3, %4 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>,
      tensor<1x4x1x1xf32>, tensor<1x4x8x8xf32>, tensor<2x4xf32>
}

func.func @elementwise(%a: tensor<1x10xf32>, %b: tensor<1x10xf32>)
    -> tensor<1x10xf32> {
  %0 = dl.relu %a : tensor<1x10xf32>
  %1 = dl.sigmoid %0 : tensor<1x10xf32>
  %2 = dl.tanh %1 : tensor<1x10xf32>
  %3 = dl.gelu %2 : tensor<1x10xf32>
  %4 = dl.add %3, %b : tensor<1x10xf32>
  %5 = dl.mul %4, %a : tensor<1x10xf32>
  %6 = dl.softmax %5 {axis = 0 : i64} : tensor<1x10xf32>
  %7 = dl.softmax %6 {axis = 1 : i64} : tensor<1x10xf32>
  return %7 : tensor<1x10xf32>
}

func.func @shapes(%a: tensor<1x2x3x3xf32>, %b: tensor<1x5x3x3xf32>)
    -> (tensor<1x63xf32>, tensor<7x9xf32>, tensor<63xf32>) {
  %0 = dl.concat %a, %b {axis = 1 : i64}
      : (tensor<1x2x3x3xf32>, tensor<1x5x3x3xf32>) -> tensor<1x7x3x3xf32>
  %1 = dl.flatten %0 : tensor<1x7x3x3xf32> -> tensor<1x63xf32>
  %2 = dl.flatten %0 {axis = 2 : i64} : tensor<1x7x3x3xf32> -> tensor<7x9xf32>
  %3 = dl.reshape %1 : tensor<1x63xf32> -> tensor<63xf32>
  return %1, %2, %3 : tensor<1x63xf32>, tensor<7x9xf32>, tensor<63xf32>
}

func.func @lstm(%x: tensor<5x1x8xf32>, %wih: tensor<64x8xf32>,
                %whh: tensor<64x16xf32>, %b: tensor<64xf32>)
    -> (tensor<5x1x16xf32>, tensor<5x1x16xf32>) {
  %0 = dl.lstm %x, %wih, %whh, %b {hidden_size = 16 : i64}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>,
         tensor<64xf32>) -> tensor<5x1x16xf32>
  %1 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> tensor<5x1x16xf32>
  return %0, %1 : tensor<5x1x16xf32>, tensor<5x1x16xf32>
}

func.func @lstm_step(%xt: tensor<1x8xf32>, %h: tensor<1x16xf32>,
                     %wih: tensor<16x8xf32>, %whh: tensor<16x16xf32>,
                     %b: tensor<16xf32>, %c: tensor<1x4xf32>)
    -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x16xf32>) {
  %g = dl.lstm_gates %xt, %h, %wih, %whh, %b
      : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>,
         tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x16xf32>
  %g2 = dl.lstm_gates %xt, %h, %wih, %whh
      : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>,
         tensor<16x16xf32>) -> tensor<1x16xf32>
  %hn, %cn = dl.lstm_cell %g, %c : tensor<1x16xf32>, tensor<1x4xf32>
  return %hn, %cn, %g2 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x16xf32>
}

func.func @comm_on_device(%t: tensor<1x4xf32>, %s: tensor<1x4x7x28xf32>,
                          %p: tensor<2x8xf32>)
    attributes {dl.device = 1 : i64} {
  dl.send %t to 0 tag 3 : tensor<1x4xf32>
  %r = dl.recv from 2 tag 3 : tensor<1x4xf32>
  %ag = dl.all_gather %r dim 1 group [0, 1, 2] sizes [3, 4, 4]
      : tensor<1x4xf32> -> tensor<1x11xf32>
  %ar = dl.all_reduce %ag group [0, 1, 2] : tensor<1x11xf32>
  %rs = dl.reduce_scatter %ar dim 1 group [0, 1, 2] sizes [3, 4, 4]
      : tensor<1x11xf32> -> tensor<1x4xf32>
  %bc = dl.broadcast %rs root 0 group [0, 1] : tensor<1x4xf32>
  %hx = dl.halo_exchange %s dim 2 prev 0 next 2 recv [1, 1] send [1, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x9x28xf32>
  %a2a = dl.all_to_all %p split_dim 1 concat_dim 0 group [0, 1]
      : tensor<2x8xf32> -> tensor<4x4xf32>
  dl.barrier group [0, 1, 2, 3]
  return
}

func.func @comm_generic(%t: tensor<1x4xf32>, %s: tensor<1x4x7x28xf32>,
                        %p: tensor<2x8xf32>) {
  dl.send %t to 5 tag 0 : tensor<1x4xf32>
  %r = dl.recv from 0 tag 7 : tensor<1x4xf32>
  %ag = dl.all_gather %r dim 0 group [4, 5] sizes [1, 1]
      : tensor<1x4xf32> -> tensor<2x4xf32>
  %ar = dl.all_reduce %ag group [7] : tensor<2x4xf32>
  %rs = dl.reduce_scatter %ar dim 0 group [4, 5] sizes [1, 1]
      : tensor<2x4xf32> -> tensor<1x4xf32>
  %bc = dl.broadcast %rs root 3 group [2, 3] : tensor<1x4xf32>
  %hx = dl.halo_exchange %s dim 2 prev -1 next 1 recv [0, 1] send [0, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x8x28xf32>
  %a2a = dl.all_to_all %p split_dim 0 concat_dim 1 group [0, 1]
      : tensor<2x8xf32> -> tensor<1x16xf32>
  dl.barrier group [0]
  return
}
