// RUN: dl-translate --dl-to-cpp %s | FileCheck %s

// Elementwise ops, softmax and batch norm. A unary op or add/mul whose
// operand dies there works in place; otherwise it gets a fresh buffer.

// CHECK-LABEL: void dl_run(
// The input is not owned by the body: relu writes a new buffer.
// CHECK: float *[[R:t[0-9]+]] = dl_alloc(24);
// CHECK-NEXT: dlrt_trace_begin("dl.relu r");
// CHECK-NEXT: dlrt_relu(a0, [[R]], 24);
// %r dies at sigmoid, so sigmoid, tanh and gelu reuse its buffer.
// CHECK: dlrt_sigmoid([[R]], [[R]], 24);
// CHECK: dlrt_tanh([[R]], [[R]], 24);
// CHECK: dlrt_gelu([[R]], [[R]], 24);
// CHECK: dlrt_add([[R]], a0, [[R]], 24);
// CHECK: float *[[M:t[0-9]+]] = dl_alloc(24);
// CHECK: dlrt_mul([[R]], [[R]], [[M]], 24);
// Softmax over axis 1 of 2x3x4: outer 2, axis 3, inner 4.
// CHECK: dlrt_softmax([[M]], 2, 3, 4, {{t[0-9]+}});
// CHECK: dlrt_batch_norm(a1, 2, 3, 4, 5, g_w0, g_w1,
// CHECK-NEXT: g_w2, g_w3, 0.00100000005f, {{t[0-9]+}});
// 2-D batch norm: h = w = 1.
// CHECK: dlrt_batch_norm(a2, 2, 3, 1, 1, g_w0, g_w1,
// CHECK-NEXT: g_w2, g_w3, 9.99999975e-06f, {{t[0-9]+}});
func.func @eltwise(%x: tensor<2x3x4xf32>, %img: tensor<2x3x4x5xf32>,
                   %v: tensor<2x3xf32>)
    -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4x5xf32>,
        tensor<2x3xf32>) attributes {dl.device = 0 : i64} {
  %r = dl.relu %x : tensor<2x3x4xf32> loc("r")
  %s = dl.sigmoid %r : tensor<2x3x4xf32>
  %t = dl.tanh %s : tensor<2x3x4xf32>
  %g = dl.gelu %t : tensor<2x3x4xf32>
  %a = dl.add %g, %x : tensor<2x3x4xf32>
  %m = dl.mul %a, %a : tensor<2x3x4xf32>
  %sm = dl.softmax %m {axis = 1 : i64} : tensor<2x3x4xf32>
  %sc = dl.param "bn.scale" : tensor<3xf32>
  %sh = dl.param "bn.shift" : tensor<3xf32>
  %mu = dl.param "bn.mean" : tensor<3xf32>
  %va = dl.param "bn.var" : tensor<3xf32>
  %bn = dl.batch_norm %img, %sc, %sh, %mu, %va {epsilon = 1.0e-3 : f32}
      : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>,
         tensor<3xf32>) -> tensor<2x3x4x5xf32>
  %bn2 = dl.batch_norm %v, %sc, %sh, %mu, %va
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>,
         tensor<3xf32>) -> tensor<2x3xf32>
  return %a, %sm, %bn, %bn2 : tensor<2x3x4xf32>, tensor<2x3x4xf32>,
      tensor<2x3x4x5xf32>, tensor<2x3xf32>
}
