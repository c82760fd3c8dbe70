func.func @batch_norm_params(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>,
                             %q: tensor<8xf32>) -> tensor<1x4x8x8xf32> {
  %0 = dl.batch_norm %x, %p, %p, %p, %q
      : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<8xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}
