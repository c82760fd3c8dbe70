// RUN: dl-opt %s -split-input-file -verify-diagnostics

// The verifier diagnostics of dl.clip.

func.func @clip_min_above_max(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.clip' op requires min <= max, got min = 6.000000e+00 and max = 0.000000e+00}}
  %0 = dl.clip %x min 6.0 max 0.0 : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @clip_nan(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.clip' op requires bounds that are not NaN}}
  %0 = dl.clip %x min 0x7FC00000 max 6.0 : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @clip_result_type(%x: tensor<1x4xf32>) -> tensor<1x5xf32> {
  // expected-error @+1 {{'dl.clip' op requires the same type for all operands and results}}
  %0 = "dl.clip"(%x) <{min = 0.0 : f32, max = 6.0 : f32}>
      : (tensor<1x4xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

func.func @clip_missing_bound(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'dl.clip' op requires attribute 'max'}}
  %0 = "dl.clip"(%x) <{min = 0.0 : f32}> : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
