// RUN: dl-translate --dl-to-cpp %s | FileCheck %s
// RUN: dl-translate --dl-to-cpp --dl-device=1 %s | FileCheck %s --check-prefix=DEV1

// The module form emits every device in order behind a marker; each
// program has its rank, the input/output signatures main() checks, the
// weights fetched by name with their shapes, inline constants as globals
// (splats filled once at start-up) and a body that hands its results out.

// CHECK: // ----- device 0 -----
// CHECK: constexpr int kRank = 0;
// CHECK: const int64_t InputShape0[] = {2, 3};
// CHECK-NEXT: constexpr int kNumInputs = 1;
// CHECK-NEXT: const DlTensorSig kInputs[] = {
// CHECK-NEXT: {"tensor<2x3xf32>", 2, InputShape0, 6},};
// CHECK: const int64_t OutputShape0[] = {2, 2};
// CHECK-NEXT: constexpr int kNumOutputs = 1;
// CHECK: constexpr int kNumWeights = 1;
// CHECK-NEXT: const float *g_w0; // "fc.weight" [2,3]
// CHECK: alignas(64) static const float g_c0[2] = {
// CHECK-NEXT: 0.5f, -1.25f,
// CHECK-LABEL: void dl_load_weights(
// CHECK: static const int64_t shape[] = {2, 3};
// CHECK-NEXT: g_w0 = dlrt_weights_get(store, "fc.weight", shape, 2);
// CHECK-LABEL: void dl_run(
// CHECK: dlrt_dense(a0, 2, 3, g_w0, g_c0, 2, [[Y:t[0-9]+]]);
// CHECK: out[0] = [[Y]];
// CHECK: int main(int argc, char **argv) {
// CHECK-NEXT: dlrt_init(&argc, &argv);

// CHECK: // ----- device 1 -----
// CHECK: constexpr int kRank = 1;
// CHECK: constexpr int kNumOutputs = 0;
// CHECK-NEXT: const DlTensorSig kOutputs[] = {{\{\{}}nullptr, 0, nullptr, 0}};
// CHECK: constexpr int kNumWeights = 0;
// CHECK: static float *g_c0; // splat [2,2]
// CHECK-LABEL: void dl_setup() {
// CHECK-NEXT: g_c0 = dl_alloc(4);
// CHECK-NEXT: dlrt_fill(g_c0, 4, 1.0f);
// CHECK-LABEL: void dl_run(
// CHECK: dlrt_add(g_c0, g_c0, [[S:t[0-9]+]], 4);
// CHECK: dlrt_send([[S]], 4, /*peer=*/0, /*tag=*/0);
// CHECK-NEXT: dlrt_trace_end();
// CHECK-NEXT: dl_free([[S]], 4);
// CHECK-NEXT: }

// DEV1-NOT: ----- device
// DEV1-NOT: kRank = 0
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
