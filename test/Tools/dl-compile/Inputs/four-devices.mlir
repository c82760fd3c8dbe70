// A plan that splits over 4 devices.
module {
  func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
    %w = dl.param "fc.weight" : tensor<8x8xf32>
    %y = dl.dense %x, %w {dl.plan = #dl.plan<devices = [0, 1, 2, 3],
        splits = [#dl.split<dim = out_channel, bounds = [0, 2, 4, 6, 8]>]>}
        : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32> loc("fc")
    return %y : tensor<2x8xf32>
  }
}
