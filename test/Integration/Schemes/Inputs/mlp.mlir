// A three-layer MLP with odd sizes, batch 2: 13 -> 7 (relu) -> 5 -> 6,
// then a softmax.
module {
  func.func @main(%x: tensor<2x13xf32>) -> tensor<2x6xf32> {
    %w1 = dl.param "fc1.weight" : tensor<7x13xf32>
    %b1 = dl.param "fc1.bias" : tensor<7xf32>
    %h1 = dl.dense %x, %w1, %b1 {activation = #dl<activation relu>}
        : (tensor<2x13xf32>, tensor<7x13xf32>, tensor<7xf32>)
        -> tensor<2x7xf32> loc("fc1")
    %w2 = dl.param "fc2.weight" : tensor<5x7xf32>
    %b2 = dl.param "fc2.bias" : tensor<5xf32>
    %h2 = dl.dense %h1, %w2, %b2
        : (tensor<2x7xf32>, tensor<5x7xf32>, tensor<5xf32>)
        -> tensor<2x5xf32> loc("fc2")
    %t = dl.tanh %h2 : tensor<2x5xf32> loc("tanh")
    %w3 = dl.param "fc3.weight" : tensor<6x5xf32>
    %b3 = dl.param "fc3.bias" : tensor<6xf32>
    %h3 = dl.dense %t, %w3, %b3
        : (tensor<2x5xf32>, tensor<6x5xf32>, tensor<6xf32>)
        -> tensor<2x6xf32> loc("fc3")
    %y = dl.softmax %h3 {axis = 1 : i64} : tensor<2x6xf32> loc("softmax")
    return %y : tensor<2x6xf32>
  }
}
