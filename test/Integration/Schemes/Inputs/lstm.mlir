// An LSTM model with odd sizes: T = 5 steps, batch 2, X = 6 inputs,
// H = 7 hidden units, then a dense 7 -> 3 on every step's output.
module {
  func.func @main(%x: tensor<5x2x6xf32>) -> tensor<10x3xf32> {
    %wih = dl.param "lstm.w_ih" : tensor<28x6xf32>
    %whh = dl.param "lstm.w_hh" : tensor<28x7xf32>
    %b = dl.param "lstm.bias" : tensor<28xf32>
    %h = dl.lstm %x, %wih, %whh, %b {hidden_size = 7 : i64}
        : (tensor<5x2x6xf32>, tensor<28x6xf32>, tensor<28x7xf32>,
           tensor<28xf32>) -> tensor<5x2x7xf32> loc("lstm")
    %r = dl.reshape %h : tensor<5x2x7xf32> -> tensor<10x7xf32> loc("rows")
    %wf = dl.param "fc.weight" : tensor<3x7xf32>
    %bf = dl.param "fc.bias" : tensor<3xf32>
    %y = dl.dense %r, %wf, %bf
        : (tensor<10x7xf32>, tensor<3x7xf32>, tensor<3xf32>)
        -> tensor<10x3xf32> loc("fc")
    return %y : tensor<10x3xf32>
  }
}
