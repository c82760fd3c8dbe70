func.func @halo_negative(%t: tensor<1x4x7x28xf32>) -> tensor<1x4x7x28xf32> {
  %0 = dl.halo_exchange %t dim 2 prev 0 next 2 recv [1, -1] send [1, 1]
      : tensor<1x4x7x28xf32> -> tensor<1x4x7x28xf32>
  return %0 : tensor<1x4x7x28xf32>
}
