// RUN: dl-opt %s --dl-generate-training="optimizer=sgd lr=0.1" | FileCheck %s --check-prefix=IR
// RUN: dl-opt %s --dl-generate-training="optimizer=sgd lr=0.1" | dl-translate --dl-to-cpp | FileCheck %s

// The gradients of sigmoid, tanh, GELU, clip, mul, concat, global average
// pooling, matmul and softmax (built by each layer's GradientOpInterface)
// and the kernel calls emitted for them.

func.func @net(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %w = dl.param "w" : tensor<3x4xf32>
  %m = dl.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %s = dl.sigmoid %m : tensor<2x4xf32>
  %t = dl.tanh %m : tensor<2x4xf32>
  %g = dl.gelu %m : tensor<2x4xf32>
  %c = dl.clip %g min 0.0 max 1.0 : tensor<2x4xf32>
  %p = dl.mul %s, %t : tensor<2x4xf32>
  %cat = dl.concat %p, %c {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  %r = dl.reshape %cat : tensor<2x8xf32> -> tensor<2x2x2x2xf32>
  %gap = dl.global_avg_pool %r : tensor<2x2x2x2xf32> -> tensor<2x2x1x1xf32>
  %f = dl.flatten %gap : tensor<2x2x1x1xf32> -> tensor<2x2xf32>
  %w2 = dl.param "w2" : tensor<2x4xf32>
  %mm = dl.matmul %f, %w2 : (tensor<2x2xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %sm = dl.softmax %mm {axis = 1 : i64} : tensor<2x4xf32>
  return %sm : tensor<2x4xf32>
}

// IR: %[[M:.*]] = dl.matmul %arg0, %arg3
// IR-NEXT: %[[S:.*]] = dl.sigmoid %[[M]]
// IR-NEXT: %[[T:.*]] = dl.tanh %[[M]]
// IR-NEXT: %[[G:.*]] = dl.gelu %[[M]]
// IR: %[[R:.*]] = dl.reshape
// IR: %[[F:.*]] = dl.flatten
// IR: %[[SM:.*]] = dl.softmax
// IR: %[[DY:.*]] = dl.softmax_cross_entropy_backward
// Softmax from its output:
// IR-NEXT: %[[DMM:.*]] = dl.softmax_backward %[[SM]], %[[DY]] : tensor<2x4xf32>
// IR-NEXT: %[[DF:.*]] = dl.matmul_backward_lhs %[[DMM]], %arg4 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x2xf32>
// IR-NEXT: %[[DW2:.*]] = dl.matmul_backward_rhs %[[F]], %[[DMM]] : (tensor<2x2xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
// IR-NEXT: %[[DGAP:.*]] = dl.reshape %[[DF]] : tensor<2x2xf32> -> tensor<2x2x1x1xf32>
// Global average pooling as average pooling over the whole 2x2 plane:
// IR-NEXT: %[[DR:.*]] = dl.pool2d_backward avg %[[R]], %[[DGAP]] {kernel = array<i64: 2, 2>} : (tensor<2x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<2x2x2x2xf32>
// IR-NEXT: %[[DCAT:.*]] = dl.reshape %[[DR]]
// The concat's inputs get their slices of the gradient:
// IR-NEXT: %[[DP:.*]] = tensor.extract_slice %[[DCAT]][0, 0] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
// IR-NEXT: %[[DC:.*]] = tensor.extract_slice %[[DCAT]][0, 4] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
// mul: each operand's gradient is the result's times the other operand:
// IR-NEXT: %[[DS:.*]] = dl.mul %[[DP]], %[[T]]
// IR-NEXT: %[[DT:.*]] = dl.mul %[[DP]], %[[S]]
// Clip and GELU from their inputs, tanh and sigmoid from their outputs:
// IR-NEXT: %[[DG:.*]] = dl.clip_backward %[[G]], %[[DC]] min 0.000000e+00 max 1.000000e+00
// IR-NEXT: %[[DM1:.*]] = dl.gelu_backward %[[M]], %[[DG]]
// IR-NEXT: %[[DM2:.*]] = dl.tanh_backward %[[T]], %[[DT]]
// IR-NEXT: %[[SUM:.*]] = dl.add %[[DM1]], %[[DM2]]
// IR-NEXT: %[[DM3:.*]] = dl.sigmoid_backward %[[S]], %[[DS]]
// IR-NEXT: %[[DM:.*]] = dl.add %[[SUM]], %[[DM3]]
// No gradient of the data, only of the weight:
// IR-NEXT: %[[DW:.*]] = dl.matmul_backward_rhs %arg0, %[[DM]] : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
// IR-NEXT: dl.sgd_update %arg3, %[[DW]], %arg5
// IR-NEXT: dl.sgd_update %arg4, %[[DW2]], %arg6

// CHECK: dlrt_matmul(a0, 2, 3, a3, 4, [[M:t[0-9]+]]);
// CHECK: dlrt_sigmoid([[M]], [[S:t[0-9]+]], 8);
// CHECK: dlrt_tanh([[M]], [[T:t[0-9]+]], 8);
// CHECK: dlrt_gelu([[M]], [[G:t[0-9]+]], 8);
// CHECK: dlrt_global_avg_pool([[R:t[0-9]+]], 2, 2, 2, 2, [[F:t[0-9]+]]);
// CHECK: dlrt_softmax({{t[0-9]+}}, 2, 4, 1, [[SM:t[0-9]+]]);
// CHECK: dlrt_softmax_cross_entropy_backward([[SM]], a1, 2, 4, 0.5f, [[DY:t[0-9]+]]);
// CHECK: dlrt_softmax_backward([[SM]], [[DY]], 2, 4, 1, [[DMM:t[0-9]+]]);
// CHECK: dlrt_matmul_backward_lhs([[DMM]], 1, 2, 4, a4, 2, [[DF:t[0-9]+]]);
// CHECK: dlrt_matmul_backward_rhs([[F]], 1, 2, 2, [[DMM]], 4, [[DW2:t[0-9]+]]);
// CHECK: dlrt_pool2d_backward(/*kind=*/1, [[R]], 2, 2, 2, 2, /*kernel=*/2, 2, /*stride=*/1, 1, /*pad tlbr=*/0, 0, 0, 0,
// CHECK-NEXT: [[DF]], 1, 1, /*count_include_pad=*/0, [[DR:t[0-9]+]]);
// CHECK: static const int64_t src_offsets[] = {0, 0};
// CHECK: dlrt_copy_box([[DR]], src_shape, src_offsets, [[DP:t[0-9]+]], box, zero, box, 2);
// CHECK: static const int64_t src_offsets[] = {0, 4};
// CHECK: dlrt_copy_box([[DR]], src_shape, src_offsets, [[DC:t[0-9]+]], box, zero, box, 2);
// The backward ops write into a result gradient's buffer at its last use:
// CHECK: dlrt_mul([[DP]], [[T]], [[DS:t[0-9]+]], 8);
// CHECK: dlrt_mul([[DP]], [[S]], [[DP]], 8);
// CHECK: dlrt_clip_backward([[G]], [[DC]], [[DC]], 8, 0.0f, 1.0f);
// CHECK: dlrt_gelu_backward([[M]], [[DC]], [[DC]], 8);
// CHECK: dlrt_tanh_backward([[T]], [[DP]], [[DP]], 8);
// CHECK: dlrt_sigmoid_backward([[S]], [[DS]], [[DS]], 8);
// CHECK: dlrt_matmul_backward_rhs(a0, 1, 2, 3, {{t[0-9]+}}, 4, [[DW:t[0-9]+]]);
// CHECK: dlrt_sgd_update(a3, [[DW]], a5, 12,
// CHECK: dlrt_sgd_update(a4, [[DW2]], a6, 8,
