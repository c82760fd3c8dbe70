// A small network on 8x8 digits covering the layers whose gradients the
// CNN of cnn.mlir does not use: sigmoid, tanh and their product (mul), a
// concat along channels, GELU, clip, global average pooling, a batched
// matmul of two activations, a concat of features, a matmul with a weight,
// softmax. conv1's output is used three times and conv2's twice.
func.func @layers(%x: tensor<8x1x8x8xf32>) -> tensor<8x10xf32> {
  %w1 = dl.param "conv1.weight" : tensor<4x1x3x3xf32>
  %b1 = dl.param "conv1.bias" : tensor<4xf32>
  %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<8x4x8x8xf32>
  %s = dl.sigmoid %c1 : tensor<8x4x8x8xf32>
  %t = dl.tanh %c1 : tensor<8x4x8x8xf32>
  %m = dl.mul %s, %t : tensor<8x4x8x8xf32>
  %cat = dl.concat %m, %c1 {axis = 1 : i64}
      : (tensor<8x4x8x8xf32>, tensor<8x4x8x8xf32>) -> tensor<8x8x8x8xf32>
  %w2 = dl.param "conv2.weight" : tensor<6x8x3x3xf32>
  %c2 = dl.conv2d %cat, %w2 {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x8x8x8xf32>, tensor<6x8x3x3xf32>) -> tensor<8x6x4x4xf32>
  %g = dl.gelu %c2 : tensor<8x6x4x4xf32>
  %cl = dl.clip %g min -0.1 max 0.2 : tensor<8x6x4x4xf32>
  %gap = dl.global_avg_pool %cl : tensor<8x6x4x4xf32> -> tensor<8x6x1x1xf32>
  %f1 = dl.flatten %gap : tensor<8x6x1x1xf32> -> tensor<8x6xf32>
  %a = dl.reshape %c2 : tensor<8x6x4x4xf32> -> tensor<8x6x16xf32>
  %bm = dl.reshape %g : tensor<8x6x4x4xf32> -> tensor<8x16x6xf32>
  %p = dl.matmul %a, %bm : (tensor<8x6x16xf32>, tensor<8x16x6xf32>) -> tensor<8x6x6xf32>
  %f2 = dl.reshape %p : tensor<8x6x6xf32> -> tensor<8x36xf32>
  %h = dl.concat %f1, %f2 {axis = 1 : i64}
      : (tensor<8x6xf32>, tensor<8x36xf32>) -> tensor<8x42xf32>
  %w3 = dl.param "proj.weight" : tensor<42x12xf32>
  %mm = dl.matmul %h, %w3 : (tensor<8x42xf32>, tensor<42x12xf32>) -> tensor<8x12xf32>
  %sm = dl.softmax %mm {axis = 1 : i64} : tensor<8x12xf32>
  %w4 = dl.param "fc.weight" : tensor<10x12xf32>
  %b4 = dl.param "fc.bias" : tensor<10xf32>
  %y = dl.dense %sm, %w4, %b4 : (tensor<8x12xf32>, tensor<10x12xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  return %y : tensor<8x10xf32>
}
