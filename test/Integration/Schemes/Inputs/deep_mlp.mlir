// Four equal 256 -> 256 dense layers (ReLU between), batch 8: the
// throughput search cuts it into two stages with several micro-batches.
module {
  func.func @main(%x: tensor<8x256xf32>) -> tensor<8x256xf32> {
    %w0 = dl.param "fc0.weight" : tensor<256x256xf32>
    %b0 = dl.param "fc0.bias" : tensor<256xf32>
    %h0 = dl.dense %x, %w0, %b0 {activation = #dl<activation relu>}
        : (tensor<8x256xf32>, tensor<256x256xf32>, tensor<256xf32>)
        -> tensor<8x256xf32> loc("fc0")
    %w1 = dl.param "fc1.weight" : tensor<256x256xf32>
    %b1 = dl.param "fc1.bias" : tensor<256xf32>
    %h1 = dl.dense %h0, %w1, %b1 {activation = #dl<activation relu>}
        : (tensor<8x256xf32>, tensor<256x256xf32>, tensor<256xf32>)
        -> tensor<8x256xf32> loc("fc1")
    %w2 = dl.param "fc2.weight" : tensor<256x256xf32>
    %b2 = dl.param "fc2.bias" : tensor<256xf32>
    %h2 = dl.dense %h1, %w2, %b2 {activation = #dl<activation relu>}
        : (tensor<8x256xf32>, tensor<256x256xf32>, tensor<256xf32>)
        -> tensor<8x256xf32> loc("fc2")
    %w3 = dl.param "fc3.weight" : tensor<256x256xf32>
    %b3 = dl.param "fc3.bias" : tensor<256xf32>
    %h3 = dl.dense %h2, %w3, %b3
        : (tensor<8x256xf32>, tensor<256x256xf32>, tensor<256xf32>)
        -> tensor<8x256xf32> loc("fc3")
    return %h3 : tensor<8x256xf32>
  }
}
