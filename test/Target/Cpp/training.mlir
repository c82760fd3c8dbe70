// RUN: dl-opt %s --dl-generate-training="optimizer=momentum lr=0.05 data-parallel=2 overlap-comm=false" | dl-translate --dl-to-cpp | FileCheck %s
// RUN: dl-opt %s --dl-generate-training="optimizer=momentum lr=0.05 data-parallel=2 bucket-elements=24" | dl-translate --dl-to-cpp | FileCheck %s --check-prefix=OV
// RUN: dl-opt %s --dl-generate-training="optimizer=adam lr=0.001" | dl-translate --dl-to-cpp | FileCheck %s --check-prefix=ADAM
// RUN: dl-opt %s --dl-generate-training="optimizer=adam gradients-only data-parallel=3" | dl-translate --dl-to-cpp | FileCheck %s --check-prefix=GRAD
// RUN: dl-opt %s --dl-generate-training="tensor-parallel=2" | dl-translate --dl-to-cpp | FileCheck %s --check-prefix=TP

// The emitted training step: one dlrt call per backward, loss and update
// op, and a main() that hands the step to dlrt_train_main.

func.func @net(%x: tensor<2x1x4x4xf32>) -> tensor<2x3xf32> {
  %w = dl.param "conv.weight" : tensor<2x1x3x3xf32>
  %b = dl.param "conv.bias" : tensor<2xf32>
  %c = dl.conv2d %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 1, 0, 1, 2>, activation = #dl<activation relu>}
      : (tensor<2x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<2x2x4x4xf32>
  %p = dl.pool2d avg %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<2x2x4x4xf32> -> tensor<2x2x2x2xf32>
  %f = dl.flatten %p : tensor<2x2x2x2xf32> -> tensor<2x8xf32>
  %w1 = dl.param "fc.weight" : tensor<3x8xf32>
  %y = dl.dense %f, %w1 : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// CHECK: void dl_run(
// CHECK: const float *a0 = in[0]; // tensor<2x1x4x4xf32>
// CHECK: const float *a3 = in[3]; // tensor<2x1x3x3xf32>
// CHECK: dlrt_conv2d(a0, 2, 1, 4, 4,
// CHECK: dlrt_trace_begin("dl.softmax_cross_entropy
// CHECK-NEXT: dlrt_softmax_cross_entropy([[Y:t[0-9]+]], a1, 2, 3, [[L:t[0-9]+]]);
// CHECK: dlrt_softmax_cross_entropy_backward([[Y]], a1, 2, 3, 0.25f, [[DY:t[0-9]+]]);
// No input gradient for the first layer; fc has no bias (nullptr):
// CHECK: dlrt_dense_backward_data([[DY]], 2, 3, a5, 8, [[DF:t[0-9]+]]);
// CHECK: dlrt_dense_backward_weights({{t[0-9]+}}, 2, 8, [[DY]], 3, [[DW1:t[0-9]+]], nullptr);
// CHECK: dlrt_pool2d_backward(/*kind=*/1, [[C:t[0-9]+]], 2, 2, 4, 4, /*kernel=*/2, 2, /*stride=*/2, 2, /*pad tlbr=*/0, 0, 0, 0,
// CHECK-NEXT: [[DF]], 2, 2, /*count_include_pad=*/0, [[DC:t[0-9]+]]);
// The fused ReLU's gradient reuses the pooling gradient's buffer:
// CHECK: dlrt_relu_backward([[C]], [[DC]], [[DC]], 64);
// CHECK-NOT: dlrt_conv2d_backward_data
// CHECK: dlrt_conv2d_backward_weights(a0, 2, 1, 4, 4, [[DC]], 2, 4, 4, 3, 3,
// CHECK-NEXT: /*stride=*/1, 1, /*pad tlbr=*/1, 0, 1, 2, /*dilation=*/1, 1, /*groups=*/1, [[DW:t[0-9]+]], [[DB:t[0-9]+]]);
// One bucket, one all-reduce of 18 + 2 + 24 gradients:
// CHECK: dlrt_all_reduce_sum({{.*}}, 44, group, 2);
// CHECK: dlrt_sgd_update(a3, {{.*}}, a6, 18, 0.0500000007f, 0.899999976f, 0.0f, [[NW:t[0-9]+]], [[NV:t[0-9]+]]);
// CHECK: dlrt_sgd_update(a5, {{.*}}, a8, 24,
// CHECK: out[0] = [[L]];
// CHECK: out[1] = [[Y]];
// CHECK: out[2] = [[NW]];
// CHECK: out[5] = [[NV]];

// Overlapped: fc's 24 gradients fill the first bucket; its all-reduce
// starts in place right after they are computed, every later backward
// kernel is followed by a progress poll, and the wait comes just before
// fc's update; the conv's bucket (18 + 2) starts at the end of the
// backward pass and is waited for before the conv's updates.
// OV: dlrt_dense_backward_weights({{t[0-9]+}}, 2, 8, {{t[0-9]+}}, 3, [[DW1:t[0-9]+]], nullptr);
// OV: [[R1:req[0-9]+]] = dlrt_all_reduce_sum_start([[DW1]], 24, group, 2);
// OV: dlrt_pool2d_backward(
// OV: dlrt_comm_progress();
// OV: dlrt_relu_backward(
// OV-NEXT: dlrt_trace_end();
// OV-NEXT: dlrt_comm_progress();
// OV: dlrt_conv2d_backward_weights(
// OV: dlrt_comm_progress();
// OV: [[R2:req[0-9]+]] = dlrt_all_reduce_sum_start({{t[0-9]+}}, 20, group, 2);
// OV: dlrt_comm_wait([[R1]]);
// OV: dlrt_sgd_update(a5, [[DW1]], a8, 24,
// OV: dlrt_comm_wait([[R2]]);
// OV: dlrt_sgd_update(a3,
// OV: dlrt_sgd_update(a4,
// OV-NOT: dlrt_comm

// CHECK: const dlrt_train_tensor kParams[] = {
// CHECK-NEXT: {"conv.weight", 4, kParamShape0, 18, /*split_dim=*/-1, /*split_parts=*/1, /*rank0_only=*/0},
// CHECK-NEXT: {"conv.bias", 1, kParamShape1, 2, /*split_dim=*/-1, /*split_parts=*/1, /*rank0_only=*/0},
// CHECK-NEXT: {"fc.weight", 2, kParamShape2, 24, /*split_dim=*/-1, /*split_parts=*/1, /*rank0_only=*/0},
// CHECK-NEXT: };
// CHECK: const char *const kStateSuffixes[] = {"velocity"};
// CHECK: int main(int argc, char **argv) {
// CHECK-NEXT: dlrt_init(&argc, &argv);
// CHECK-NEXT: dl_setup();
// CHECK-NEXT: dlrt_train_program program = {
// CHECK-NEXT: /*batch=*/2, /*classes=*/3, /*input_rank=*/4, InputShape0,
// CHECK-NEXT: /*num_params=*/3, kParams, /*states_per_param=*/1, kStateSuffixes,
// CHECK-NEXT: /*data_parallel=*/2, "momentum", dl_run, dl_free,
// CHECK-NEXT: /*gradients_only=*/0, /*lr=*/0.0500000007f, /*momentum=*/0.899999976f, /*weight_decay=*/0{{.*}},
// CHECK-NEXT: /*beta1=*/0.899999976f, /*beta2=*/0.999000013f, /*epsilon=*/9.99999994e-09f,
// CHECK-NEXT: /*tensor_parallel=*/1};
// CHECK-NEXT: int status = dlrt_train_main(&program, argc, argv);
// CHECK-NOT: dlrt_check_plan
// CHECK-NOT: --expect

// ADAM: dlrt_adam_update(a3, {{t[0-9]+}}, a6, a7, a2, 18, 0.00100000005f, 0.899999976f, 0.999000013f, 9.99999994e-09f,
// ADAM: const char *const kStateSuffixes[] = {"m", "v"};
// ADAM: /*num_params=*/3, kParams, /*states_per_param=*/2, kStateSuffixes,
// ADAM-NEXT: /*data_parallel=*/1, "adam", dl_run, dl_free,
// ADAM-NEXT: /*gradients_only=*/0, /*lr=*/0.00100000005f,

// A gradients-only step (parameter-server workers) takes (x, targets,
// params) and returns (loss, logits, gradients); the server's optimizer
// settings are in the program.
// GRAD-NOT: dlrt_adam_update
// GRAD: {"conv.weight", 4, kParamShape0, 18,
// GRAD: /*data_parallel=*/3, "adam", dl_run, dl_free,
// GRAD-NEXT: /*gradients_only=*/1, /*lr=*/0.00999999978f,

// Intra-layer split: the conv's slices by output channel, fc's by input
// column (through pooling and flatten).
// TP: dlrt_all_reduce_sum
// TP: {"conv.weight", 4, kParamShape0, 9, /*split_dim=*/0, /*split_parts=*/2, /*rank0_only=*/0},
// TP-NEXT: {"conv.bias", 1, kParamShape1, 1, /*split_dim=*/0, /*split_parts=*/2, /*rank0_only=*/0},
// TP-NEXT: {"fc.weight", 2, kParamShape2, 12, /*split_dim=*/1, /*split_parts=*/2, /*rank0_only=*/0},
// TP: /*tensor_parallel=*/2};
