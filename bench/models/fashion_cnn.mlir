// Small CNN for Fashion-MNIST (28x28 grey images, 10 classes), the model of
// the training benchmark (bench/train_fashion_mnist.sh, docs/training.md).
// The batch here is per rank; dl-train --batch rewrites it.
func.func @fashion_cnn(%x: tensor<16x1x28x28xf32>) -> tensor<16x10xf32> {
  %w1 = dl.param "conv1.weight" : tensor<16x1x3x3xf32>
  %b1 = dl.param "conv1.bias" : tensor<16xf32>
  %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>, activation = #dl<activation relu>}
      : (tensor<16x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<16x16x28x28xf32>
  %p1 = dl.pool2d max %c1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<16x16x28x28xf32> -> tensor<16x16x14x14xf32>
  %w2 = dl.param "conv2.weight" : tensor<32x16x3x3xf32>
  %b2 = dl.param "conv2.bias" : tensor<32xf32>
  %c2 = dl.conv2d %p1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>, activation = #dl<activation relu>}
      : (tensor<16x16x14x14xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>) -> tensor<16x32x14x14xf32>
  %p2 = dl.pool2d max %c2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<16x32x14x14xf32> -> tensor<16x32x7x7xf32>
  %f = dl.flatten %p2 : tensor<16x32x7x7xf32> -> tensor<16x1568xf32>
  %w3 = dl.param "fc1.weight" : tensor<128x1568xf32>
  %b3 = dl.param "fc1.bias" : tensor<128xf32>
  %h = dl.dense %f, %w3, %b3 {activation = #dl<activation relu>}
      : (tensor<16x1568xf32>, tensor<128x1568xf32>, tensor<128xf32>) -> tensor<16x128xf32>
  %w4 = dl.param "fc2.weight" : tensor<10x128xf32>
  %b4 = dl.param "fc2.bias" : tensor<10xf32>
  %y = dl.dense %h, %w4, %b4 : (tensor<16x128xf32>, tensor<10x128xf32>, tensor<10xf32>) -> tensor<16x10xf32>
  return %y : tensor<16x10xf32>
}
