// A batch-8 CNN whose fully connected layer is memory-bound (2 MiB of
// weights read for 8 rows) and whose convolutions are not:
//   [8,3,16,16] -> conv 16 3x3 relu -> conv 16 3x3 relu -> flatten [8,4096]
//   -> dense 4096->128 relu -> dense 128->10
module {
  func.func @main(%x: tensor<8x3x16x16xf32>) -> tensor<8x10xf32> {
    %w1 = dl.param "conv1.weight" : tensor<16x3x3x3xf32>
    %b1 = dl.param "conv1.bias" : tensor<16xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>,
                                  activation = #dl<activation relu>}
        : (tensor<8x3x16x16xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
        -> tensor<8x16x16x16xf32> loc("conv1")
    %w2 = dl.param "conv2.weight" : tensor<16x16x3x3xf32>
    %b2 = dl.param "conv2.bias" : tensor<16xf32>
    %c2 = dl.conv2d %c1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>,
                                  activation = #dl<activation relu>}
        : (tensor<8x16x16x16xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>)
        -> tensor<8x16x16x16xf32> loc("conv2")
    %f = dl.flatten %c2 : tensor<8x16x16x16xf32> -> tensor<8x4096xf32>
        loc("flatten")
    %w3 = dl.param "fc1.weight" : tensor<128x4096xf32>
    %b3 = dl.param "fc1.bias" : tensor<128xf32>
    %h = dl.dense %f, %w3, %b3 {activation = #dl<activation relu>}
        : (tensor<8x4096xf32>, tensor<128x4096xf32>, tensor<128xf32>)
        -> tensor<8x128xf32> loc("fc1")
    %w4 = dl.param "fc2.weight" : tensor<10x128xf32>
    %b4 = dl.param "fc2.bias" : tensor<10xf32>
    %l = dl.dense %h, %w4, %b4
        : (tensor<8x128xf32>, tensor<10x128xf32>, tensor<10xf32>)
        -> tensor<8x10xf32> loc("fc2")
    return %l : tensor<8x10xf32>
  }
}
