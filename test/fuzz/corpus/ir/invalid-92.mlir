func.func @halo_send_too_much(%t: tensor<1x4x2x28xf32>) -> tensor<1x4x4x28xf32> {
  %0 = dl.halo_exchange %t dim 2 prev 0 next 2 recv [1, 1] send [3, 1]
      : tensor<1x4x2x28xf32> -> tensor<1x4x4x28xf32>
  return %0 : tensor<1x4x4x28xf32>
}
