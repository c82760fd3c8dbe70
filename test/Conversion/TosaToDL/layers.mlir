// RUN: dl-opt %s --convert-tosa-to-dl | FileCheck %s

// A CNN as frameworks emit it: NCHW model input, a layout transpose into
// NHWC, NHWC convolution / pool, a transpose back, flatten, classifier.
// The transposes vanish; the OHWI weight is stored as OIHW.

// CHECK-LABEL: func.func @cnn
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>) -> tensor<1x3xf32>
// CHECK-NOT: tosa.
// CHECK: %[[W:.*]] = dl.param "conv1.weight" : tensor<1x2x2x2xf32> = dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00], [5.000000e+00, 7.000000e+00]], {{\[\[}}2.000000e+00, 4.000000e+00], [6.000000e+00, 8.000000e+00]]]]>
// CHECK: %[[B:.*]] = dl.param "conv1.bias" : tensor<1xf32> = dense<5.000000e-01>
// CHECK: %[[C:.*]] = dl.conv2d %[[X]], %[[W]], %[[B]]
// CHECK-SAME: {padding = array<i64: 1, 0, 0, 1>}
// CHECK-SAME: (tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK: %[[R:.*]] = dl.relu %[[C]] : tensor<1x1x4x4xf32>
// CHECK: %[[P:.*]] = dl.pool2d max %[[R]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
// CHECK: %[[F:.*]] = dl.flatten %[[P]] : tensor<1x1x2x2xf32> -> tensor<1x4xf32>
// CHECK: %[[FW:.*]] = dl.param "fc.weight" : tensor<3x4xf32>
// CHECK: %[[FB:.*]] = dl.param "fc.bias" : tensor<3xf32>
// CHECK: %[[D:.*]] = dl.dense %[[F]], %[[FW]], %[[FB]] : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32>
// CHECK: %[[S:.*]] = dl.sigmoid %[[D]] : tensor<1x3xf32>
// CHECK: return %[[S]] : tensor<1x3xf32>
func.func @cnn(%x: tensor<1x2x4x4xf32>) -> tensor<1x3xf32> {
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %w = "tosa.const"() <{value = dense<[[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]]> : tensor<1x2x2x2xf32>}> : () -> tensor<1x2x2x2xf32>
  %b = "tosa.const"() <{value = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %wf = "tosa.const"() <{value = dense<0.25> : tensor<3x4xf32>}> : () -> tensor<3x4xf32>
  %bf = "tosa.const"() <{value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %xt = tosa.transpose %x, %to_nhwc : (tensor<1x2x4x4xf32>, tensor<4xi32>) -> tensor<1x4x4x2xf32>
  // TOSA pads are [top, bottom, left, right]; dl's are [top, left, bottom, right].
  %c = tosa.conv2d %xt, %w, %b {pad = array<i64: 1, 0, 0, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>}
      : (tensor<1x4x4x2xf32>, tensor<1x2x2x2xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32> loc("conv1")
  %r = tosa.clamp %c {min_int = 0 : i64, max_int = 2147483647 : i64, min_fp = 0.0 : f32, max_fp = 3.40282347E+38 : f32}
      : (tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32>
  %p = tosa.max_pool2d %r {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>}
      : (tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32>
  %pt = tosa.transpose %p, %to_nchw : (tensor<1x2x2x1xf32>, tensor<4xi32>) -> tensor<1x1x2x2xf32>
  %f = tosa.reshape %pt {new_shape = array<i64: 1, 4>} : (tensor<1x1x2x2xf32>) -> tensor<1x4xf32>
  %d = tosa.fully_connected %f, %wf, %bf : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32> loc("fc")
  %s = tosa.sigmoid %d : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %s : tensor<1x3xf32>
}

// Elementwise ops keep the NHWC tag; a broadcast constant is expanded on
// the host and stored in NCHW order. Average pooling excludes the padding
// in TOSA as in dl. Depthwise [KH, KW, C, M] weights become grouped OIHW.

// CHECK-LABEL: func.func @nhwc_chain
// CHECK: %[[DW:.*]] = dl.param "depthwise_conv2d_0.weight" : tensor<2x1x1x1xf32> = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]]]]>
// CHECK: %[[DC:.*]] = dl.conv2d %{{.*}}, %[[DW]], %{{.*}} {groups = 2 : i64}
// CHECK-SAME: -> tensor<1x2x2x2xf32>
// CHECK: %[[K:.*]] = dl.param "add_0.const" : tensor<1x2x2x2xf32> = dense<{{\[\[\[\[}}1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00]], {{\[\[}}-1.000000e+00, -1.000000e+00], [-1.000000e+00, -1.000000e+00]]]]>
// CHECK: %[[A:.*]] = dl.add %[[DC]], %[[K]] : tensor<1x2x2x2xf32>
// CHECK: %[[T:.*]] = dl.tanh %[[A]] : tensor<1x2x2x2xf32>
// CHECK: %[[M:.*]] = dl.mul %[[T]], %[[A]] : tensor<1x2x2x2xf32>
// CHECK: %[[AP:.*]] = dl.pool2d avg %[[M]] {kernel = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
// CHECK: return %[[AP]]
func.func @nhwc_chain(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %w = "tosa.const"() <{value = dense<[[[[2.0], [3.0]]]]> : tensor<1x1x2x1xf32>}> : () -> tensor<1x1x2x1xf32>
  %b = "tosa.const"() <{value = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %k = "tosa.const"() <{value = dense<[[[[1.0, -1.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %xt = tosa.transpose %x, %to_nhwc : (tensor<1x2x2x2xf32>, tensor<4xi32>) -> tensor<1x2x2x2xf32>
  %dc = tosa.depthwise_conv2d %xt, %w, %b {pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>}
      : (tensor<1x2x2x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %a = tosa.add %dc, %k : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %t = tosa.tanh %a : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %m = tosa.mul %t, %a {shift = 0 : i8} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %ap = tosa.avg_pool2d %m {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 1, 1, 1, 1>, acc_type = f32}
      : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %o = tosa.transpose %ap, %to_nchw : (tensor<1x2x2x2xf32>, tensor<4xi32>) -> tensor<1x2x2x2xf32>
  return %o : tensor<1x2x2x2xf32>
}

// tosa.matmul is a batched dl.matmul; a constant operand is a parameter.

// CHECK-LABEL: func.func @matmul
// CHECK: %[[RHS:.*]] = dl.param "matmul_0.rhs" : tensor<1x3x2xf32>
// CHECK: dl.matmul %{{.*}}, %[[RHS]] : (tensor<1x4x3xf32>, tensor<1x3x2xf32>) -> tensor<1x4x2xf32>
func.func @matmul(%a: tensor<1x4x3xf32>) -> tensor<1x4x2xf32> {
  %b = "tosa.const"() <{value = dense<1.0> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %c = tosa.matmul %a, %b : (tensor<1x4x3xf32>, tensor<1x3x2xf32>) -> tensor<1x4x2xf32>
  return %c : tensor<1x4x2xf32>
}

// Any other clamp (ReLU6 here) is a dl.clip.

// CHECK-LABEL: func.func @relu6
// CHECK: %[[C:.*]] = dl.clip %{{.*}} min 0.000000e+00 max 6.000000e+00 : tensor<1x4xf32>
// CHECK: return %[[C]]
func.func @relu6(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %r = tosa.clamp %x {min_int = 0 : i64, max_int = 6 : i64, min_fp = 0.0 : f32, max_fp = 6.0 : f32}
      : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}
