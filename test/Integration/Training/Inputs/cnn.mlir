// A small CNN on 8x8 digits covering every layer with a gradient: conv
// with fused ReLU, max pooling, conv without bias, a separate ReLU, an add
// that sums two uses of one value, average pooling with padding, a grouped
// conv with stride 2 and asymmetric padding, flatten, dense with fused ReLU
// and dense.
func.func @cnn(%x: tensor<8x1x8x8xf32>) -> tensor<8x10xf32> {
  %w1 = dl.param "conv1.weight" : tensor<4x1x3x3xf32>
  %b1 = dl.param "conv1.bias" : tensor<4xf32>
  %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>, activation = #dl<activation relu>}
      : (tensor<8x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<8x4x8x8xf32>
  %p1 = dl.pool2d max %c1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<8x4x8x8xf32> -> tensor<8x4x4x4xf32>
  %w2 = dl.param "conv2.weight" : tensor<6x4x3x3xf32>
  %c2 = dl.conv2d %p1, %w2 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x4x4x4xf32>, tensor<6x4x3x3xf32>) -> tensor<8x6x4x4xf32>
  %r2 = dl.relu %c2 : tensor<8x6x4x4xf32>
  %s2 = dl.add %r2, %c2 : tensor<8x6x4x4xf32>
  %p2 = dl.pool2d avg %s2 {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>}
      : tensor<8x6x4x4xf32> -> tensor<8x6x4x4xf32>
  %w3 = dl.param "conv3.weight" : tensor<8x3x3x3xf32>
  %b3 = dl.param "conv3.bias" : tensor<8xf32>
  %c3 = dl.conv2d %p2, %w3, %b3 {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 1, 1>, groups = 2 : i64}
      : (tensor<8x6x4x4xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<8x8x2x2xf32>
  %f = dl.flatten %c3 : tensor<8x8x2x2xf32> -> tensor<8x32xf32>
  %w4 = dl.param "fc1.weight" : tensor<16x32xf32>
  %b4 = dl.param "fc1.bias" : tensor<16xf32>
  %h = dl.dense %f, %w4, %b4 {activation = #dl<activation relu>}
      : (tensor<8x32xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %w5 = dl.param "fc2.weight" : tensor<10x16xf32>
  %b5 = dl.param "fc2.bias" : tensor<10xf32>
  %y = dl.dense %h, %w5, %b5 : (tensor<8x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  return %y : tensor<8x10xf32>
}
