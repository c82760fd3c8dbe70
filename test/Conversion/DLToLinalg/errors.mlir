// RUN: dl-opt %s --convert-dl-to-linalg -split-input-file -verify-diagnostics

func.func @lstm(%x: tensor<2x1x4xf32>, %wih: tensor<8x4xf32>, %whh: tensor<8x2xf32>) -> tensor<2x1x2xf32> {
  // expected-error @+1 {{'dl.lstm' has no lowering to linalg}}
  %h = dl.lstm %x, %wih, %whh {hidden_size = 2 : i64}
      : (tensor<2x1x4xf32>, tensor<8x4xf32>, tensor<8x2xf32>) -> tensor<2x1x2xf32>
  return %h : tensor<2x1x2xf32>
}
