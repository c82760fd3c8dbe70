// RUN: dl-translate --dl-to-cpp %s | FileCheck %s

// dense is y = x W^T + b (dlrt_dense with m, k, n); a fused ReLU runs in
// place on the result. matmul picks the plain or the batched kernel
// by rank.

// CHECK-LABEL: void dl_run(
// CHECK: float *[[D:t[0-9]+]] = dl_alloc(6);
// CHECK-NEXT: dlrt_trace_begin("dl.dense fc");
// CHECK-NEXT: dlrt_dense(a0, 2, 8, g_w0, g_w1, 3, [[D]]);
// CHECK-NEXT: dlrt_relu([[D]], [[D]], 6);
// CHECK-NEXT: dlrt_trace_end();
// CHECK: dlrt_dense(a0, 2, 8, g_w0, nullptr, 3, {{t[0-9]+}});
// CHECK-NOT: dlrt_relu
// CHECK: dlrt_matmul(a0, 2, 8, g_w2, 5, {{t[0-9]+}});
// CHECK: dlrt_matmul_batched(a1, 3, 2, 4, g_w3, 1, 6, {{t[0-9]+}});
func.func @dense(%x: tensor<2x8xf32>, %y: tensor<3x2x4xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x5xf32>, tensor<3x2x6xf32>)
    attributes {dl.device = 0 : i64} {
  %w = dl.param "fc.weight" : tensor<3x8xf32>
  %b = dl.param "fc.bias" : tensor<3xf32>
  %d = dl.dense %x, %w, %b {activation = #dl<activation relu>}
      : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      loc("fc")
  %d2 = dl.dense %x, %w : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
  %m = dl.param "m" : tensor<8x5xf32>
  %mm = dl.matmul %x, %m : (tensor<2x8xf32>, tensor<8x5xf32>) -> tensor<2x5xf32>
  %bm = dl.param "bm" : tensor<3x4x6xf32>
  %bmm = dl.matmul %y, %bm
      : (tensor<3x2x4xf32>, tensor<3x4x6xf32>) -> tensor<3x2x6xf32>
  return %d, %d2, %mm, %bmm : tensor<2x3xf32>, tensor<2x3xf32>,
      tensor<2x5xf32>, tensor<3x2x6xf32>
}
