// A plain chain of conv/pool layers with odd sizes (for fused tiles and
// spatial splits): every layer feeds only the next one, so ftp:NxM fuses
// the whole conv/pool chain.
//   [1,3,13,11] -> conv1 7 3x3 pad 1 -> relu -> conv2 6 3x3 dil 2 pad 2
//   -> maxpool 3/2 pad 1 [1,6,7,6] -> conv3 5 3x3 stride 2 pad 1
//   [1,5,4,3] -> avgpool 2/1 pad bottom/right [1,5,4,3] -> flatten
//   -> dense 60->4
module {
  func.func @main(%x: tensor<1x3x13x11xf32>) -> tensor<1x4xf32> {
    %w1 = dl.param "conv1.weight" : tensor<7x3x3x3xf32>
    %b1 = dl.param "conv1.bias" : tensor<7xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x3x13x11xf32>, tensor<7x3x3x3xf32>, tensor<7xf32>)
        -> tensor<1x7x13x11xf32> loc("conv1")
    %r1 = dl.relu %c1 : tensor<1x7x13x11xf32> loc("relu1")
    %w2 = dl.param "conv2.weight" : tensor<6x7x3x3xf32>
    %b2 = dl.param "conv2.bias" : tensor<6xf32>
    %c2 = dl.conv2d %r1, %w2, %b2 {padding = array<i64: 2, 2, 2, 2>,
                                   dilations = array<i64: 2, 2>}
        : (tensor<1x7x13x11xf32>, tensor<6x7x3x3xf32>, tensor<6xf32>)
        -> tensor<1x6x13x11xf32> loc("conv2")
    %p1 = dl.pool2d max %c2 {kernel = array<i64: 3, 3>,
                             strides = array<i64: 2, 2>,
                             padding = array<i64: 1, 1, 1, 1>}
        : tensor<1x6x13x11xf32> -> tensor<1x6x7x6xf32> loc("maxpool")
    %w3 = dl.param "conv3.weight" : tensor<5x6x3x3xf32>
    %b3 = dl.param "conv3.bias" : tensor<5xf32>
    %c3 = dl.conv2d %p1, %w3, %b3 {padding = array<i64: 1, 1, 1, 1>,
                                   strides = array<i64: 2, 2>,
                                   activation = #dl<activation relu>}
        : (tensor<1x6x7x6xf32>, tensor<5x6x3x3xf32>, tensor<5xf32>)
        -> tensor<1x5x4x3xf32> loc("conv3")
    %p2 = dl.pool2d avg %c3 {kernel = array<i64: 2, 2>,
                             padding = array<i64: 0, 0, 1, 1>}
        : tensor<1x5x4x3xf32> -> tensor<1x5x4x3xf32> loc("avgpool")
    %f = dl.flatten %p2 : tensor<1x5x4x3xf32> -> tensor<1x60xf32>
        loc("flatten")
    %wf = dl.param "fc.weight" : tensor<4x60xf32>
    %bf = dl.param "fc.bias" : tensor<4xf32>
    %y = dl.dense %f, %wf, %bf
        : (tensor<1x60xf32>, tensor<4x60xf32>, tensor<4xf32>)
        -> tensor<1x4xf32> loc("fc")
    return %y : tensor<1x4xf32>
  }
}
