// Three dense layers in a chain, for the pipeline prediction test.
module {
  func.func @main(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
    %w1 = dl.param "fc1.weight" : tensor<64x64xf32>
    %b1 = dl.param "fc1.bias" : tensor<64xf32>
    %y1 = dl.dense %x, %w1, %b1
        : (tensor<1x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<1x64xf32>
        loc("fc1")
    %w2 = dl.param "fc2.weight" : tensor<64x64xf32>
    %b2 = dl.param "fc2.bias" : tensor<64xf32>
    %y2 = dl.dense %y1, %w2, %b2
        : (tensor<1x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<1x64xf32>
        loc("fc2")
    %w3 = dl.param "fc3.weight" : tensor<64x64xf32>
    %b3 = dl.param "fc3.bias" : tensor<64xf32>
    %y3 = dl.dense %y2, %w3, %b3
        : (tensor<1x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<1x64xf32>
        loc("fc3")
    return %y3 : tensor<1x64xf32>
  }
}
