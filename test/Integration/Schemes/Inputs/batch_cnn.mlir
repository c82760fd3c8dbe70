// A batch-12 CNN for the data and pipeline schemes (12 divides into 1, 2,
// 3, 4 replicas and into 2 micro-batches):
//   [12,3,9,9] -> conv 5 3x3 pad 1 relu -> maxpool 2/2 [12,5,4,4]
//   -> conv 7 3x3 pad 1 -> flatten [12,112] -> dense 112->9 relu
//   -> dense 9->4 -> softmax
module {
  func.func @main(%x: tensor<12x3x9x9xf32>) -> tensor<12x4xf32> {
    %w1 = dl.param "conv1.weight" : tensor<5x3x3x3xf32>
    %b1 = dl.param "conv1.bias" : tensor<5xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>,
                                  activation = #dl<activation relu>}
        : (tensor<12x3x9x9xf32>, tensor<5x3x3x3xf32>, tensor<5xf32>)
        -> tensor<12x5x9x9xf32> loc("conv1")
    %p1 = dl.pool2d max %c1 {kernel = array<i64: 2, 2>,
                             strides = array<i64: 2, 2>}
        : tensor<12x5x9x9xf32> -> tensor<12x5x4x4xf32> loc("pool1")
    %w2 = dl.param "conv2.weight" : tensor<7x5x3x3xf32>
    %b2 = dl.param "conv2.bias" : tensor<7xf32>
    %c2 = dl.conv2d %p1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<12x5x4x4xf32>, tensor<7x5x3x3xf32>, tensor<7xf32>)
        -> tensor<12x7x4x4xf32> loc("conv2")
    %f = dl.flatten %c2 : tensor<12x7x4x4xf32> -> tensor<12x112xf32>
        loc("flatten")
    %w3 = dl.param "fc1.weight" : tensor<9x112xf32>
    %b3 = dl.param "fc1.bias" : tensor<9xf32>
    %h = dl.dense %f, %w3, %b3 {activation = #dl<activation relu>}
        : (tensor<12x112xf32>, tensor<9x112xf32>, tensor<9xf32>)
        -> tensor<12x9xf32> loc("fc1")
    %w4 = dl.param "fc2.weight" : tensor<4x9xf32>
    %b4 = dl.param "fc2.bias" : tensor<4xf32>
    %l = dl.dense %h, %w4, %b4
        : (tensor<12x9xf32>, tensor<4x9xf32>, tensor<4xf32>)
        -> tensor<12x4xf32> loc("fc2")
    %y = dl.softmax %l {axis = 1 : i64} : tensor<12x4xf32> loc("softmax")
    return %y : tensor<12x4xf32>
  }
}
