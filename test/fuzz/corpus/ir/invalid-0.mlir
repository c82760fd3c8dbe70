func.func @param_empty_name() -> tensor<2xf32> {
  %0 = dl.param "" : tensor<2xf32>
  return %0 : tensor<2xf32>
}
