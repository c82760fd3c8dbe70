// RUN: dl-translate --dl-to-cpp %s | FileCheck %s

// dl.clip calls dlrt_clip with its bounds as float expressions (infinite
// bounds as INFINITY); it works in place when its operand dies there.

// CHECK-LABEL: void dl_run(
// CHECK: float *[[A:t[0-9]+]] = dl_alloc(24);
// CHECK-NEXT: dlrt_trace_begin("dl.clip relu6");
// CHECK-NEXT: dlrt_clip(a0, [[A]], 24, 0.0f, 6.0f);
// CHECK: dlrt_clip([[A]], [[A]], 24, -1.5f, INFINITY);
func.func @clip(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
    attributes {dl.device = 0 : i64} {
  %a = dl.clip %x min 0.0 max 6.0 : tensor<2x3x4xf32> loc("relu6")
  %b = dl.clip %a min -1.5 max 0x7F800000 : tensor<2x3x4xf32>
  return %b : tensor<2x3x4xf32>
}
