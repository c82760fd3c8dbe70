// RUN: dl-translate --dl-to-cuda %s | FileCheck %s
// RUN: dl-translate --dl-to-cuda --dl-device=1 %s | FileCheck %s --check-prefix=DEV1

// The CUDA program has the C++ program's skeleton (signatures, weights,
// constants, main) with tensors in device memory: weights and constants
// are uploaded once, splats filled on the device, inputs uploaded and
// results downloaded by every run; the prelude brings cuBLAS, cuDNN and
// the own kernels.

// CHECK: // ----- device 0 -----
// CHECK-NEXT: // CUDA program of device 0 (MPI rank 0), emitted by dl from @dev0.
// CHECK: #include "dlrt/dlrt.h"
// CHECK-NEXT: #ifdef DL_USE_NCCL
// CHECK-NEXT: #include "dlrt/dlrt_nccl.h"
// CHECK: #include <cublas_v2.h>
// CHECK: #if !defined(DL_NO_CUDNN) && __has_include(<cudnn.h>)
// CHECK-NEXT: #define DL_USE_CUDNN 1
// CHECK: constexpr int kRank = 0;
// CHECK: {"tensor<2x3xf32>", 2, InputShape0, 6},
// CHECK: {"tensor<2x2xf32>", 2, OutputShape0, 4},
// CHECK: float *dl_alloc(int64_t n) {
// CHECK: float *dl_dev_alloc(int64_t n) {
// CHECK: constexpr int kNumWeights = 1;
// CHECK-NEXT: const float *g_w0; // "fc.weight" [2,3]
// CHECK: alignas(64) static const float g_c0_host[2] = {
// CHECK-NEXT: 0.5f, -1.25f,
// CHECK: static float *g_c0;
// CHECK: g_w0 = dl_upload(dlrt_weights_get(store, "fc.weight", shape, 2), 6);
// CHECK-LABEL: void dl_setup() {
// CHECK-NEXT: dl_gpu_init();
// CHECK-NEXT: g_c0 = dl_upload(g_c0_host, 2);
// CHECK-LABEL: void dl_run(
// CHECK-NEXT: float *a0 = dl_dev_alloc(6); // tensor<2x3xf32>
// CHECK-NEXT: dl_copy_in(a0, in[0], 6);
// CHECK: dlg_dense(a0, 2, 3, g_w0, g_c0, 2, [[Y:t[0-9]+]]);
// CHECK: dlg_add([[Y]], {{t[0-9]+}}, [[Y]], 4);
// The result is downloaded into a host buffer main() owns.
// CHECK: out[0] = dl_alloc(4);
// CHECK-NEXT: dl_copy_out(out[0], [[Y]], 4);
// CHECK-NEXT: dl_dev_free([[Y]], 4);
// CHECK-NEXT: }
// CHECK: int main(int argc, char **argv) {
// CHECK: // ----- device 1 -----
// CHECK: static float *g_c0; // splat [2,2]
// CHECK-LABEL: void dl_setup() {
// CHECK-NEXT: dl_gpu_init();
// CHECK-NEXT: g_c0 = dl_dev_alloc(4);
// CHECK-NEXT: dlg_fill(g_c0, 4, 1.0f);
// CHECK: dlg_add(g_c0, g_c0, {{t[0-9]+}}, 4);
// CHECK: dl_copy_out({{h_in[0-9]+}}, {{t[0-9]+}}, 4);

// DEV1-NOT: ----- device
// DEV1: constexpr int kRank = 1;
// DEV1-NOT: kRank = 0

module attributes {dl.weights = "model.dlw"} {
  func.func @dev0(%x: tensor<2x3xf32>) -> tensor<2x2xf32>
      attributes {dl.device = 0 : i64} {
    %w = dl.param "fc.weight" : tensor<2x3xf32>
    %b = dl.param "fc.bias" : tensor<2xf32> = dense<[0.5, -1.25]>
    %y = dl.dense %x, %w, %b
        : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2xf32>
    %r = dl.recv from 1 tag 0 : tensor<2x2xf32>
    %s = dl.add %y, %r : tensor<2x2xf32>
    return %s : tensor<2x2xf32>
  }
  func.func @dev1(%x: tensor<2x3xf32>) attributes {dl.device = 1 : i64} {
    %c = arith.constant dense<1.0> : tensor<2x2xf32>
    %s = dl.add %c, %c : tensor<2x2xf32>
    dl.send %s to 0 tag 0 : tensor<2x2xf32>
    return
  }
}
