// The input of external-project.test: one dense layer.
module {
  func.func @main(%x: tensor<1x8xf32>) -> tensor<1x10xf32> {
    %w = dl.param "fc.weight" : tensor<10x8xf32>
    %b = dl.param "fc.bias" : tensor<10xf32>
    %y = dl.dense %x, %w, %b
        : (tensor<1x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    return %y : tensor<1x10xf32>
  }
}
