// RUN: dl-opt %s --convert-tosa-to-dl -split-input-file -verify-diagnostics

// dl has no transpose op: an NHWC function argument cannot feed a conv.
func.func @nhwc_argument(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x1xf32> {
  %w = "tosa.const"() <{value = dense<1.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %b = "tosa.const"() <{value = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error @+1 {{'tosa.conv2d' needs an NHWC input, which dl holds as NCHW}}
  %c = tosa.conv2d %x, %w, %b {pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>}
      : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  return %c : tensor<1x4x4x1xf32>
}

// -----

// Returning the NHWC result without the transpose back.
func.func @nhwc_result(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x4x1xf32> {
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %w = "tosa.const"() <{value = dense<1.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %b = "tosa.const"() <{value = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x, %to_nhwc : (tensor<1x2x4x4xf32>, tensor<4xi32>) -> tensor<1x4x4x2xf32>
  %c = tosa.conv2d %xt, %w, %b {pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>}
      : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  // expected-error @+1 {{'func.return' uses an NHWC tensor whose element order depends on the layout}}
  return %c : tensor<1x4x4x1xf32>
}

// -----

// Flattening NHWC with H * W > 1 and C > 1 depends on the layout.
func.func @nhwc_flatten(%x: tensor<1x2x4x4xf32>) -> tensor<1x32xf32> {
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %xt = tosa.transpose %x, %to_nhwc : (tensor<1x2x4x4xf32>, tensor<4xi32>) -> tensor<1x4x4x2xf32>
  %p = tosa.max_pool2d %xt {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>}
      : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  // expected-error @+1 {{'tosa.reshape' of an NHWC tensor with H * W > 1 and C > 1 depends on the layout}}
  %f = tosa.reshape %p {new_shape = array<i64: 1, 32>} : (tensor<1x4x4x2xf32>) -> tensor<1x32xf32>
  return %f : tensor<1x32xf32>
}

// -----

// Any other transpose of a computed tensor.
func.func @transpose(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %perm = "tosa.const"() <{value = dense<[1, 0]> : tensor<2xi32>}> : () -> tensor<2xi32>
  // expected-error @+1 {{'tosa.transpose' with perms [1, 0] of a computed tensor has no dl op}}
  %t = tosa.transpose %x, %perm : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<3x2xf32>
  return %t : tensor<3x2xf32>
}

// -----

// An op with no dl equivalent.
func.func @unsupported(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'tosa.exp' has no dl equivalent: convert-tosa-to-dl supports tosa.const, conv2d}}
  %e = tosa.exp %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %e : tensor<1x4xf32>
}

// -----

// Integer tensors.
func.func @int(%x: tensor<1x4xi32>) -> tensor<1x4xi32> {
  // expected-error @+1 {{'tosa.add': dl layers need statically shaped f32 tensors; result type is 'tensor<1x4xi32>'}}
  %a = tosa.add %x, %x : (tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi32>
  return %a : tensor<1x4xi32>
}

// -----

// Broadcasting between two computed tensors.
func.func @broadcast(%x: tensor<2x4xf32>, %y: tensor<1x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'tosa.add' broadcasts a computed tensor of type 'tensor<1x4xf32>' to 'tensor<2x4xf32>'}}
  %a = tosa.add %x, %y : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return %a : tensor<2x4xf32>
}

// -----

// A computed convolution weight cannot be rearranged.
func.func @computed_weight(%x: tensor<1x2x4x4xf32>, %w: tensor<1x1x1x2xf32>) -> tensor<1x1x4x4xf32> {
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %b = "tosa.const"() <{value = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x, %to_nhwc : (tensor<1x2x4x4xf32>, tensor<4xi32>) -> tensor<1x4x4x2xf32>
  // expected-error @+1 {{'tosa.conv2d': the weight must be a tosa.const}}
  %c = tosa.conv2d %xt, %w, %b {pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>}
      : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %o = tosa.transpose %c, %to_nchw : (tensor<1x4x4x1xf32>, tensor<4xi32>) -> tensor<1x1x4x4xf32>
  return %o : tensor<1x1x4x4xf32>
}
