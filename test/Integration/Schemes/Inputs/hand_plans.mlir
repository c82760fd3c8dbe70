// Hand-written plans with uneven bounds, for 4 devices:
//   conv1: 7 output channels on 3 devices, [0, 3, 5, 7];
//   relu1: no plan (device 0);
//   conv2: 13 rows on 4 devices, [0, 4, 7, 10, 13] (halo exchange);
//   conv3: a 2 x 2 spatial grid, rows [0, 7, 13] x columns [0, 6, 11];
//   pool:  7 rows on devices 3 and 1, [0, 2, 7] (a non-sorted group);
//   fc:    a 2-D split, output rows [0, 4, 7] x input columns
//          [0, 100, 210] (partial sums reduced per row block);
//   softmax: replicated on devices 2 and 3.
module {
  func.func @main(%x: tensor<1x3x13x11xf32>) -> tensor<1x7xf32> {
    %w1 = dl.param "conv1.weight" : tensor<7x3x3x3xf32>
    %b1 = dl.param "conv1.bias" : tensor<7xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>,
        dl.plan = #dl.plan<devices = [0, 1, 2],
            splits = [#dl.split<dim = out_channel, bounds = [0, 3, 5, 7]>]>}
        : (tensor<1x3x13x11xf32>, tensor<7x3x3x3xf32>, tensor<7xf32>)
        -> tensor<1x7x13x11xf32> loc("conv1")
    %r1 = dl.relu %c1 : tensor<1x7x13x11xf32> loc("relu1")
    %w2 = dl.param "conv2.weight" : tensor<6x7x3x3xf32>
    %b2 = dl.param "conv2.bias" : tensor<6xf32>
    %c2 = dl.conv2d %r1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>,
        dl.plan = #dl.plan<devices = [0, 1, 2, 3],
            splits = [#dl.split<dim = height, bounds = [0, 4, 7, 10, 13]>]>}
        : (tensor<1x7x13x11xf32>, tensor<6x7x3x3xf32>, tensor<6xf32>)
        -> tensor<1x6x13x11xf32> loc("conv2")
    %w3 = dl.param "conv3.weight" : tensor<5x6x3x3xf32>
    %b3 = dl.param "conv3.bias" : tensor<5xf32>
    %c3 = dl.conv2d %c2, %w3, %b3 {padding = array<i64: 1, 1, 1, 1>,
        activation = #dl<activation relu>,
        dl.plan = #dl.plan<devices = [0, 1, 2, 3],
            splits = [#dl.split<dim = height, bounds = [0, 7, 13]>,
                      #dl.split<dim = width, bounds = [0, 6, 11]>]>}
        : (tensor<1x6x13x11xf32>, tensor<5x6x3x3xf32>, tensor<5xf32>)
        -> tensor<1x5x13x11xf32> loc("conv3")
    %p = dl.pool2d max %c3 {kernel = array<i64: 3, 3>,
        strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>,
        dl.plan = #dl.plan<devices = [3, 1],
            splits = [#dl.split<dim = height, bounds = [0, 2, 7]>]>}
        : tensor<1x5x13x11xf32> -> tensor<1x5x7x6xf32> loc("pool")
    %f = dl.flatten %p : tensor<1x5x7x6xf32> -> tensor<1x210xf32>
        loc("flatten")
    %wf = dl.param "fc.weight" : tensor<7x210xf32>
    %bf = dl.param "fc.bias" : tensor<7xf32>
    %l = dl.dense %f, %wf, %bf {
        dl.plan = #dl.plan<devices = [0, 1, 2, 3],
            splits = [#dl.split<dim = out_channel, bounds = [0, 4, 7]>,
                      #dl.split<dim = in_channel, bounds = [0, 100, 210]>]>}
        : (tensor<1x210xf32>, tensor<7x210xf32>, tensor<7xf32>)
        -> tensor<1x7xf32> loc("fc")
    %y = dl.softmax %l {axis = 1 : i64,
        dl.plan = #dl.plan<devices = [2, 3]>} : tensor<1x7xf32> loc("softmax")
    return %y : tensor<1x7xf32>
  }
}
