func.func @concat_result(%a: tensor<1x2xf32>, %b: tensor<1x3xf32>)
    -> tensor<1x4xf32> {
  %0 = dl.concat %a, %b {axis = 1 : i64}
      : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
