func.func @broadcast_group(%t: tensor<1x4xf32>) -> tensor<1x4xf32>
    attributes {dl.device = 3 : i64} {
  %0 = dl.broadcast %t root 0 group [0, 1] : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
