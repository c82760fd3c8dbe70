func.func @dense_weight_rank(%x: tensor<1x8xf32>, %w: tensor<24xf32>)
    -> tensor<1x3xf32> {
  %0 = dl.dense %x, %w : (tensor<1x8xf32>, tensor<24xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}
