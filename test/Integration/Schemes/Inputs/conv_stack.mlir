// A small conv stack with odd sizes for the scheme tests: 7 output
// channels, 13 rows, 11 columns, batch norm, dilation 2, a grouped conv, an
// add residual, a channel concat, max pooling with padding and stride 2, a
// stride-2 conv, average pooling with uneven padding, and a classifier.
//   [1,3,13,11] -> conv1 (7) -> bn -> relu -> conv2 (dil 2) -> conv3
//   (groups 3) -> add(conv2, conv3) -> concat(relu1, add) [1,13,13,11]
//   -> maxpool 3/2 pad 1 [1,13,7,6] -> conv4 stride 2 [1,5,4,3]
//   -> avgpool 2/1 pad top/left [1,5,4,3] -> flatten -> dense 60->4
module {
  func.func @main(%x: tensor<1x3x13x11xf32>) -> tensor<1x4xf32> {
    %w1 = dl.param "conv1.weight" : tensor<7x3x3x3xf32>
    %b1 = dl.param "conv1.bias" : tensor<7xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x3x13x11xf32>, tensor<7x3x3x3xf32>, tensor<7xf32>)
        -> tensor<1x7x13x11xf32> loc("conv1")
    %s = dl.param "bn.scale" : tensor<7xf32>
    %sb = dl.param "bn.bias" : tensor<7xf32>
    %m = dl.param "bn.mean" : tensor<7xf32>
    %v = dl.param "bn.var" : tensor<7xf32>
    %n1 = dl.batch_norm %c1, %s, %sb, %m, %v {epsilon = 1.0e-05 : f32}
        : (tensor<1x7x13x11xf32>, tensor<7xf32>, tensor<7xf32>,
           tensor<7xf32>, tensor<7xf32>) -> tensor<1x7x13x11xf32> loc("bn")
    %r1 = dl.relu %n1 : tensor<1x7x13x11xf32> loc("relu1")
    %w2 = dl.param "conv2.weight" : tensor<6x7x3x3xf32>
    %b2 = dl.param "conv2.bias" : tensor<6xf32>
    %c2 = dl.conv2d %r1, %w2, %b2 {padding = array<i64: 2, 2, 2, 2>,
                                   dilations = array<i64: 2, 2>}
        : (tensor<1x7x13x11xf32>, tensor<6x7x3x3xf32>, tensor<6xf32>)
        -> tensor<1x6x13x11xf32> loc("conv2")
    %w3 = dl.param "conv3.weight" : tensor<6x2x3x3xf32>
    %b3 = dl.param "conv3.bias" : tensor<6xf32>
    %c3 = dl.conv2d %c2, %w3, %b3 {padding = array<i64: 1, 1, 1, 1>,
                                   groups = 3 : i64}
        : (tensor<1x6x13x11xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>)
        -> tensor<1x6x13x11xf32> loc("conv3")
    %a = dl.add %c2, %c3 : tensor<1x6x13x11xf32> loc("residual")
    %cat = dl.concat %r1, %a {axis = 1 : i64}
        : (tensor<1x7x13x11xf32>, tensor<1x6x13x11xf32>)
        -> tensor<1x13x13x11xf32> loc("concat")
    %p1 = dl.pool2d max %cat {kernel = array<i64: 3, 3>,
                              strides = array<i64: 2, 2>,
                              padding = array<i64: 1, 1, 1, 1>}
        : tensor<1x13x13x11xf32> -> tensor<1x13x7x6xf32> loc("maxpool")
    %w4 = dl.param "conv4.weight" : tensor<5x13x3x3xf32>
    %b4 = dl.param "conv4.bias" : tensor<5xf32>
    %c4 = dl.conv2d %p1, %w4, %b4 {padding = array<i64: 1, 1, 1, 1>,
                                   strides = array<i64: 2, 2>,
                                   activation = #dl<activation relu>}
        : (tensor<1x13x7x6xf32>, tensor<5x13x3x3xf32>, tensor<5xf32>)
        -> tensor<1x5x4x3xf32> loc("conv4")
    %p2 = dl.pool2d avg %c4 {kernel = array<i64: 2, 2>,
                             padding = array<i64: 1, 1, 0, 0>}
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
