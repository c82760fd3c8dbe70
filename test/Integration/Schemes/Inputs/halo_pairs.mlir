// Spatial strips whose halo exchanges involve different pairs of devices
// one layer after another (found on VGG-16's conv4_3 / pool4 / conv5_1
// under the MoDNN scheme on 4 devices of slightly different speeds):
//   conv1, convb: 28 rows on 4 devices [0, 7, 14, 21, 28] (convb
//          exchanges a halo row between all neighbours);
//   pool:  2 x 2, its 14 output rows [0, 4, 7, 11, 14]: device 0 needs
//          input row 7 from device 1 and device 2 row 21 from device 3,
//          devices 1 and 2 exchange nothing;
//   conv2: the same 14 rows, one halo row each way between all neighbours.
// Device 2's halo exchange before conv2 names device 1, which can still be
// at its exchange before the pool (with device 0 only).
module {
  func.func @main(%x: tensor<1x2x28x8xf32>) -> tensor<1x3x14x4xf32> {
    %w1 = dl.param "conv1.weight" : tensor<4x2x3x3xf32>
    %b1 = dl.param "conv1.bias" : tensor<4xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>,
        dl.plan = #dl.plan<devices = [0, 1, 2, 3],
            splits = [#dl.split<dim = height, bounds = [0, 7, 14, 21, 28]>]>}
        : (tensor<1x2x28x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>)
        -> tensor<1x4x28x8xf32> loc("conv1")
    %wb = dl.param "convb.weight" : tensor<4x4x3x3xf32>
    %bb = dl.param "convb.bias" : tensor<4xf32>
    %cb = dl.conv2d %c1, %wb, %bb {padding = array<i64: 1, 1, 1, 1>,
        dl.plan = #dl.plan<devices = [0, 1, 2, 3],
            splits = [#dl.split<dim = height, bounds = [0, 7, 14, 21, 28]>]>}
        : (tensor<1x4x28x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>)
        -> tensor<1x4x28x8xf32> loc("convb")
    %p = dl.pool2d max %cb {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
        dl.plan = #dl.plan<devices = [0, 1, 2, 3],
            splits = [#dl.split<dim = height, bounds = [0, 4, 7, 11, 14]>]>}
        : tensor<1x4x28x8xf32> -> tensor<1x4x14x4xf32> loc("pool")
    %w2 = dl.param "conv2.weight" : tensor<3x4x3x3xf32>
    %b2 = dl.param "conv2.bias" : tensor<3xf32>
    %c2 = dl.conv2d %p, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>,
        dl.plan = #dl.plan<devices = [0, 1, 2, 3],
            splits = [#dl.split<dim = height, bounds = [0, 4, 7, 11, 14]>]>}
        : (tensor<1x4x14x4xf32>, tensor<3x4x3x3xf32>, tensor<3xf32>)
        -> tensor<1x3x14x4xf32> loc("conv2")
    return %c2 : tensor<1x3x14x4xf32>
  }
}
