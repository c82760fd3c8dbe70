// A model whose parameters are not in small.mlir's weight store.
module {
  func.func @main(%x: tensor<2x5xf32>) -> tensor<2x3xf32> {
    %w = dl.param "fc.weight" : tensor<3x5xf32>
    %b = dl.param "head.bias" : tensor<3xf32>
    %y = dl.dense %x, %w, %b
        : (tensor<2x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x3xf32>
        loc("fc")
    return %y : tensor<2x3xf32>
  }
}
