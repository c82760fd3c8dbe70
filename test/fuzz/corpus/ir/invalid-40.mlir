func.func @global_pool_result(%x: tensor<1x4x7x7xf32>) -> tensor<1x4xf32> {
  %0 = dl.global_avg_pool %x : tensor<1x4x7x7xf32> -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
