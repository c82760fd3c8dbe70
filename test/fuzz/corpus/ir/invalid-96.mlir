func.func @all_to_all_dim(%t: tensor<2x8xf32>) -> tensor<4x4xf32> {
  %0 = dl.all_to_all %t split_dim 1 concat_dim 2 group [0, 1]
      : tensor<2x8xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}
