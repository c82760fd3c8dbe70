func.func @lstm_bias(%x: tensor<5x1x8xf32>, %wih: tensor<64x8xf32>,
                     %whh: tensor<64x16xf32>, %b: tensor<16xf32>)
    -> tensor<5x1x16xf32> {
  %0 = dl.lstm %x, %wih, %whh, %b {hidden_size = 16 : i64}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>,
         tensor<16xf32>) -> tensor<5x1x16xf32>
  return %0 : tensor<5x1x16xf32>
}
