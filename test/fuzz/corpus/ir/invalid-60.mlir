func.func @lstm_cell_gates(%g: tensor<1x12xf32>, %c: tensor<1x4xf32>)
    -> tensor<1x4xf32> {
  %h, %cn = dl.lstm_cell %g, %c : tensor<1x12xf32>, tensor<1x4xf32>
  return %h : tensor<1x4xf32>
}
