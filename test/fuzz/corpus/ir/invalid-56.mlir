func.func @lstm_gates_rows(%x: tensor<1x8xf32>, %h: tensor<1x16xf32>,
                           %wih: tensor<16x8xf32>, %whh: tensor<12x16xf32>)
    -> tensor<1x16xf32> {
  %0 = dl.lstm_gates %x, %h, %wih, %whh
      : (tensor<1x8xf32>, tensor<1x16xf32>, tensor<16x8xf32>,
         tensor<12x16xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}
