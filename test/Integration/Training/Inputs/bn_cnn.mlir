// A CNN with batch norm on 8x8 digits: conv (no bias) -> batch norm ->
// ReLU -> max pool -> conv -> flatten -> dense -> batch norm (2-D) -> ReLU
// -> dense. Trained, the batch norms use the batch statistics and update
// their running statistics (docs/training.md).
func.func @bn_cnn(%x: tensor<8x1x8x8xf32>) -> tensor<8x10xf32> {
  %w1 = dl.param "conv1.weight" : tensor<4x1x3x3xf32>
  %c1 = dl.conv2d %x, %w1 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<8x4x8x8xf32>
  %s1 = dl.param "bn1.weight" : tensor<4xf32>
  %b1 = dl.param "bn1.bias" : tensor<4xf32>
  %m1 = dl.param "bn1.running_mean" : tensor<4xf32>
  %v1 = dl.param "bn1.running_var" : tensor<4xf32>
  %n1 = dl.batch_norm %c1, %s1, %b1, %m1, %v1
      : (tensor<8x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x8x8xf32>
  %r1 = dl.relu %n1 : tensor<8x4x8x8xf32>
  %p1 = dl.pool2d max %r1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<8x4x8x8xf32> -> tensor<8x4x4x4xf32>
  %w2 = dl.param "conv2.weight" : tensor<6x4x3x3xf32>
  %b2 = dl.param "conv2.bias" : tensor<6xf32>
  %c2 = dl.conv2d %p1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x4x4x4xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<8x6x4x4xf32>
  %f = dl.flatten %c2 : tensor<8x6x4x4xf32> -> tensor<8x96xf32>
  %w3 = dl.param "fc1.weight" : tensor<16x96xf32>
  %b3 = dl.param "fc1.bias" : tensor<16xf32>
  %h = dl.dense %f, %w3, %b3 : (tensor<8x96xf32>, tensor<16x96xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %s2 = dl.param "bn2.weight" : tensor<16xf32>
  %bb2 = dl.param "bn2.bias" : tensor<16xf32>
  %m2 = dl.param "bn2.running_mean" : tensor<16xf32>
  %v2 = dl.param "bn2.running_var" : tensor<16xf32>
  %n2 = dl.batch_norm %h, %s2, %bb2, %m2, %v2
      : (tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %r2 = dl.relu %n2 : tensor<8x16xf32>
  %w4 = dl.param "fc2.weight" : tensor<10x16xf32>
  %b4 = dl.param "fc2.bias" : tensor<10xf32>
  %y = dl.dense %r2, %w4, %b4 : (tensor<8x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  return %y : tensor<8x10xf32>
}
