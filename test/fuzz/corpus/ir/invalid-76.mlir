func.func @gather_ranks(%t: tensor<1x4xf32>) -> tensor<8xf32> {
  %0 = dl.all_gather %t dim 1 group [0, 1] sizes [4, 4]
      : tensor<1x4xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
