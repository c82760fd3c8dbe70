func.func @matmul_rank(%a: tensor<4x8xf32>, %b: tensor<1x8x2xf32>)
    -> tensor<4x2xf32> {
  %0 = dl.matmul %a, %b : (tensor<4x8xf32>, tensor<1x8x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}
