func.func @concat_no_inputs() -> tensor<2xf32> {
  %0 = dl.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
