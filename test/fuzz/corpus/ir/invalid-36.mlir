func.func @pool_padding_kernel(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x5x5xf32> {
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                         padding = array<i64: 2, 0, 0, 0>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}
