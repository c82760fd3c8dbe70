func.func @conv_in_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>)
    -> tensor<1x4x6x6xf32> {
  %0 = dl.conv2d %x, %w {groups = 2 : i64}
      : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}
