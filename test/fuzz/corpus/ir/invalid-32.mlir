func.func @pool_rank(%x: tensor<4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}
