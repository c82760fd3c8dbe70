// An LSTM tagging one sequence: the batch of B samples [1, 6] is one
// sequence of T = B steps (time-major [T, 1, 6], as dl.lstm takes it), and
// every step's hidden state is classified: LSTM (5 units) -> reshape
// [T, 5] -> dense 5 -> 4. With data parallelism each rank's slice of the
// global batch is its own sequence.
func.func @lstm_seq(%x: tensor<8x1x6xf32>) -> tensor<8x4xf32> {
  %wih = dl.param "lstm.w_ih" : tensor<20x6xf32>
  %whh = dl.param "lstm.w_hh" : tensor<20x5xf32>
  %b = dl.param "lstm.bias" : tensor<20xf32>
  %h = dl.lstm %x, %wih, %whh, %b {hidden_size = 5 : i64}
      : (tensor<8x1x6xf32>, tensor<20x6xf32>, tensor<20x5xf32>, tensor<20xf32>) -> tensor<8x1x5xf32>
  %r = dl.reshape %h : tensor<8x1x5xf32> -> tensor<8x5xf32>
  %wf = dl.param "fc.weight" : tensor<4x5xf32>
  %bf = dl.param "fc.bias" : tensor<4xf32>
  %y = dl.dense %r, %wf, %bf : (tensor<8x5xf32>, tensor<4x5xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}
