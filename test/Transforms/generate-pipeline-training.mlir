// RUN: dl-opt %s --dl-generate-pipeline-training="stages=1 micro-batches=4 optimizer=adam" | FileCheck %s
// RUN: dl-opt %s --dl-generate-pipeline-training="num-stages=2 micro-batch=2" | FileCheck %s --check-prefix=BAL

// dense -> relu -> dense, cut before the ReLU (layer 1). Stage 0 sends
// the first dense's output on; its backward needs only the model input
// (saved) for the weight gradient and returns no input gradient. Stage 1
// starts from the loss, scaled by 1/(4 rows * 4 micro-batches), and saves
// what its backward reads: the targets, the ReLU output and the logits.

func.func @mlp(%x: tensor<4x8xf32>) -> tensor<4x3xf32> {
  %w1 = dl.param "fc1.weight" : tensor<16x8xf32>
  %h = dl.dense %x, %w1 : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %r = dl.relu %h : tensor<4x16xf32>
  %w2 = dl.param "fc2.weight" : tensor<3x16xf32>
  %b2 = dl.param "fc2.bias" : tensor<3xf32>
  %y = dl.dense %r, %w2, %b2 : (tensor<4x16xf32>, tensor<3x16xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @mlp_stage0_forward(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xf32> {dl.input = "x"}, %[[W1:.*]]: tensor<16x8xf32> {dl.param = "fc1.weight"})
// CHECK-SAME: -> (tensor<4x16xf32>, tensor<4x8xf32>)
// CHECK-SAME: dl.pipeline = {classes = 3 : i64, layers = array<i64: 0, 1>, micro_batch = 4 : i64, micro_batches = 4 : i64, optimizer = "adam", param_indices = array<i64: 0>, primary_results = 1 : i64, role = "forward", stage = 0 : i64, stages = 2 : i64, states_per_param = 2 : i64}
// CHECK: %[[H:.*]] = dl.dense %[[X]], %[[W1]]
// CHECK: return %[[H]], %[[X]]

// CHECK-LABEL: func.func @mlp_stage0_backward(
// CHECK-SAME: %[[W:.*]]: tensor<16x8xf32> {dl.param = "fc1.weight"}, %[[DOUT:.*]]: tensor<4x16xf32> {dl.input = "dout"}, %[[SX:.*]]: tensor<4x8xf32> {dl.input = "saved"})
// CHECK-SAME: -> tensor<16x8xf32>
// CHECK-NOT: dl.dense_backward_data
// CHECK: %[[DW:.*]], %{{.*}} = dl.dense_backward_weights %[[SX]], %[[DOUT]]
// CHECK: return %[[DW]]

// CHECK-LABEL: func.func @mlp_stage0_update(
// CHECK: dl.adam_update
// CHECK-NOT: dl.adam_update
// CHECK: return

// CHECK-LABEL: func.func @mlp_stage1_forward(
// CHECK-SAME: %{{.*}}: tensor<4x16xf32> {dl.input = "in"}, %{{.*}}: tensor<4x3xf32> {dl.input = "targets"}
// CHECK-SAME: -> (tensor<1xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x16xf32>, tensor<4x3xf32>)
// CHECK: dl.relu
// CHECK: dl.dense
// CHECK: dl.softmax_cross_entropy

// CHECK-LABEL: func.func @mlp_stage1_backward(
// CHECK-SAME: {dl.param = "fc2.weight"}
// CHECK-SAME: {dl.param = "fc2.bias"}
// CHECK-SAME: -> (tensor<4x16xf32>, tensor<3x16xf32>, tensor<3xf32>)
// CHECK: dl.softmax_cross_entropy_backward {{.*}} {scale = 6.250000e-02 : f32}
// CHECK: dl.dense_backward_data
// CHECK: dl.relu_backward

// CHECK-LABEL: func.func @mlp_stage1_update(
// CHECK-COUNT-2: dl.adam_update

// CHECK-NOT: func.func @mlp(

// Balanced by FLOPs: the first dense (2*2*16*8 FLOPs) against the ReLU and
// the second dense; the batch becomes 2.
// BAL: func.func @mlp_stage0_forward(%{{.*}}: tensor<2x8xf32>
// BAL-SAME: layers = array<i64: 0, 1>
// BAL: func.func @mlp_stage1_forward(
// BAL-SAME: layers = array<i64: 1, 3>
