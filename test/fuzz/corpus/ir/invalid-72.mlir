func.func @recv_tag() -> tensor<1x4xf32> {
  %0 = dl.recv from 1 tag -1 : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
