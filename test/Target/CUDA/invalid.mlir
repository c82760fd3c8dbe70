// RUN: dl-translate --dl-to-cuda %s -split-input-file -verify-diagnostics

// The shared emitter's diagnostics name the CUDA target.

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {dl.device = 0 : i64} {
  // expected-error @+1 {{'arith.addf' is not supported by the CUDA emitter}}
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @strided(%x: tensor<8xf32>) -> tensor<4xf32>
    attributes {dl.device = 0 : i64} {
  // expected-error @+1 {{CUDA emission supports extract_slice with static offsets and sizes and unit strides only}}
  %y = tensor.extract_slice %x[0] [4] [2] : tensor<8xf32> to tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @overlap(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {dl.device = 0 : i64} {
  // expected-error @+1 {{CUDA emission does not support the non-blocking all_reduce yet}}
  %h = dl.all_reduce_start %x group [0, 1] : tensor<4xf32>
  %s = dl.all_reduce_wait %h : tensor<4xf32>
  return %s : tensor<4xf32>
}
