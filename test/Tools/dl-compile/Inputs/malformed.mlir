// The result type of the relu is missing its closing '>'.
module {
  func.func @main(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
    %y = dl.relu %x : tensor<2x5xf32
    return %y : tensor<2x5xf32>
  }
}
