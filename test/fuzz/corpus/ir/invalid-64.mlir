func.func @group_twice(%t: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = dl.all_reduce %t group [1, 0, 1] : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
