// A DeepThings-style conv/pool chain for the peak-memory test: 3x3 convs
// with padding, 2x2 max pools, a 1x1 conv, and a classifier.
//   [1,3,64,64] -> conv1 16 3x3 -> pool 2 [1,16,32,32] -> conv2 32 3x3
//   -> pool 2 [1,32,16,16] -> conv3 16 1x1 -> conv4 32 3x3 [1,32,16,16]
//   -> pool 2 [1,32,8,8] -> flatten -> dense 2048->10
module {
  func.func @main(%x: tensor<1x3x64x64xf32>) -> tensor<1x10xf32> {
    %w1 = dl.param "conv1.weight" : tensor<16x3x3x3xf32>
    %b1 = dl.param "conv1.bias" : tensor<16xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>,
                                  activation = #dl<activation relu>}
        : (tensor<1x3x64x64xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
        -> tensor<1x16x64x64xf32> loc("conv1")
    %p1 = dl.pool2d max %c1 {kernel = array<i64: 2, 2>,
                             strides = array<i64: 2, 2>}
        : tensor<1x16x64x64xf32> -> tensor<1x16x32x32xf32> loc("pool1")
    %w2 = dl.param "conv2.weight" : tensor<32x16x3x3xf32>
    %b2 = dl.param "conv2.bias" : tensor<32xf32>
    %c2 = dl.conv2d %p1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>,
                                   activation = #dl<activation relu>}
        : (tensor<1x16x32x32xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>)
        -> tensor<1x32x32x32xf32> loc("conv2")
    %p2 = dl.pool2d max %c2 {kernel = array<i64: 2, 2>,
                             strides = array<i64: 2, 2>}
        : tensor<1x32x32x32xf32> -> tensor<1x32x16x16xf32> loc("pool2")
    %w3 = dl.param "conv3.weight" : tensor<16x32x1x1xf32>
    %b3 = dl.param "conv3.bias" : tensor<16xf32>
    %c3 = dl.conv2d %p2, %w3, %b3 {activation = #dl<activation relu>}
        : (tensor<1x32x16x16xf32>, tensor<16x32x1x1xf32>, tensor<16xf32>)
        -> tensor<1x16x16x16xf32> loc("conv3")
    %w4 = dl.param "conv4.weight" : tensor<32x16x3x3xf32>
    %b4 = dl.param "conv4.bias" : tensor<32xf32>
    %c4 = dl.conv2d %c3, %w4, %b4 {padding = array<i64: 1, 1, 1, 1>,
                                   activation = #dl<activation relu>}
        : (tensor<1x16x16x16xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>)
        -> tensor<1x32x16x16xf32> loc("conv4")
    %p3 = dl.pool2d max %c4 {kernel = array<i64: 2, 2>,
                             strides = array<i64: 2, 2>}
        : tensor<1x32x16x16xf32> -> tensor<1x32x8x8xf32> loc("pool3")
    %f = dl.flatten %p3 : tensor<1x32x8x8xf32> -> tensor<1x2048xf32> loc("flatten")
    %w5 = dl.param "fc.weight" : tensor<10x2048xf32>
    %b5 = dl.param "fc.bias" : tensor<10xf32>
    %y = dl.dense %f, %w5, %b5
        : (tensor<1x2048xf32>, tensor<10x2048xf32>, tensor<10xf32>)
        -> tensor<1x10xf32> loc("fc")
    return %y : tensor<1x10xf32>
  }
}
