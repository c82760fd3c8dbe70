// RUN: dl-translate --dl-to-cpp %s | FileCheck %s

// Convolution and pooling lower to dlrt_conv2d / dlrt_pool2d with every
// attribute spelled out: asymmetric padding is passed as top, left, bottom,
// right; the fused ReLU is act = 1.

// CHECK-LABEL: void dl_run(
// CHECK: float *[[C1:t[0-9]+]] = dl_alloc(128);
// CHECK-NEXT: dlrt_trace_begin("dl.conv2d conv_asym");
// CHECK-NEXT: dlrt_conv2d(a0, 1, 4, 8, 8,
// CHECK-NEXT: g_w0, g_w1, 4, 3, 3,
// CHECK-NEXT: /*stride=*/2, 1, /*pad tlbr=*/0, 2, 2, 2, /*dilation=*/1, 2,
// CHECK-NEXT: /*groups=*/2, /*act=*/1, [[C1]], 4, 8);
// CHECK-NEXT: dlrt_trace_end();
// CHECK: dlrt_conv2d(a0, 1, 4, 8, 8,
// CHECK-NEXT: g_w2, nullptr, 2, 1, 1,
// CHECK: /*groups=*/1, /*act=*/0,
// CHECK: dlrt_pool2d(/*kind=*/0 /*max*/, [[C1]], 1, 4, 4, 8,
// CHECK-NEXT: /*kernel=*/2, 2, /*stride=*/2, 2, /*pad tlbr=*/0, 0, 0, 0,
// CHECK-NEXT: {{t[0-9]+}}, 2, 4, /*count_include_pad=*/0);
// CHECK: dlrt_pool2d(/*kind=*/1 /*avg*/, [[C1]], 1, 4, 4, 8,
// CHECK-NEXT: /*kernel=*/3, 3, /*stride=*/2, 2, /*pad tlbr=*/1, 1, 2, 1,
// CHECK-NEXT: {{t[0-9]+}}, 3, 4, /*count_include_pad=*/1);
// CHECK: dlrt_global_avg_pool([[C1]], 1, 4, 4, 8, {{t[0-9]+}});
// CHECK: dl_free([[C1]], 128);
func.func @convs(%x: tensor<1x4x8x8xf32>)
    -> (tensor<1x4x2x4xf32>, tensor<1x4x3x4xf32>, tensor<1x4x1x1xf32>,
        tensor<1x2x8x8xf32>) attributes {dl.device = 0 : i64} {
  %w = dl.param "conv.weight" : tensor<4x2x3x3xf32>
  %b = dl.param "conv.bias" : tensor<4xf32>
  %c = dl.conv2d %x, %w, %b {strides = array<i64: 2, 1>,
                             padding = array<i64: 0, 2, 2, 2>,
                             dilations = array<i64: 1, 2>, groups = 2 : i64,
                             activation = #dl<activation relu>}
      : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>)
      -> tensor<1x4x4x8xf32> loc("conv_asym")
  %w2 = dl.param "pw.weight" : tensor<2x4x1x1xf32>
  %c2 = dl.conv2d %x, %w2 : (tensor<1x4x8x8xf32>, tensor<2x4x1x1xf32>)
      -> tensor<1x2x8x8xf32>
  %p = dl.pool2d max %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<1x4x4x8xf32> -> tensor<1x4x2x4xf32>
  // Asymmetric pooling padding: (4 + 1 + 2 - 3) / 2 + 1 = 3 rows.
  %a = dl.pool2d avg %c {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                         padding = array<i64: 1, 1, 2, 1>,
                         count_include_pad = true}
      : tensor<1x4x4x8xf32> -> tensor<1x4x3x4xf32>
  %g = dl.global_avg_pool %c : tensor<1x4x4x8xf32> -> tensor<1x4x1x1xf32>
  return %p, %a, %g, %c2
      : tensor<1x4x2x4xf32>, tensor<1x4x3x4xf32>, tensor<1x4x1x1xf32>,
        tensor<1x2x8x8xf32>
}
