// RUN: dl-opt %s --dl-generate-training="optimizer=momentum lr=0.05" | FileCheck %s --check-prefix=MOM
// RUN: dl-opt %s --dl-generate-training="optimizer=adam lr=0.001 batch=4" | FileCheck %s --check-prefix=ADAM
// RUN: dl-opt %s --dl-generate-training="data-parallel=2 bucket-elements=50 overlap-comm=false" | FileCheck %s --check-prefix=DP
// RUN: dl-opt %s --dl-generate-training="data-parallel=2 bucket-elements=50" | FileCheck %s --check-prefix=OV
// RUN: dl-opt %s --dl-generate-training="data-parallel=4 bucket-elements=1000000" | FileCheck %s --check-prefix=ONE
// RUN: dl-opt %s --dl-generate-training="optimizer=adam gradients-only data-parallel=2" | FileCheck %s --check-prefix=GRAD
// RUN: dl-opt %s --dl-generate-training="tensor-parallel=2" | FileCheck %s --check-prefix=TP

// A conv -> max pool -> flatten -> dense -> relu -> dense model. The
// training step takes (x, targets, step, params in first-use order, states)
// and returns (loss, logits, new params, new states).

func.func @net(%x: tensor<2x1x4x4xf32>) -> tensor<2x3xf32> {
  %w = dl.param "conv.weight" : tensor<2x1x3x3xf32>
  %b = dl.param "conv.bias" : tensor<2xf32>
  %c = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>, activation = #dl<activation relu>}
      : (tensor<2x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<2x2x4x4xf32>
  %p = dl.pool2d max %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<2x2x4x4xf32> -> tensor<2x2x2x2xf32>
  %f = dl.flatten %p : tensor<2x2x2x2xf32> -> tensor<2x8xf32>
  %w1 = dl.param "fc1.weight" : tensor<5x8xf32>
  %h = dl.dense %f, %w1 : (tensor<2x8xf32>, tensor<5x8xf32>) -> tensor<2x5xf32>
  %r = dl.relu %h : tensor<2x5xf32>
  %w2 = dl.param "fc2.weight" : tensor<3x5xf32>
  %b2 = dl.param "fc2.bias" : tensor<3xf32>
  %y = dl.dense %r, %w2, %b2 : (tensor<2x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// MOM-LABEL: func.func @net_train_step(
// MOM-SAME: %[[X:.*]]: tensor<2x1x4x4xf32> {dl.input = "x"}, %[[T:.*]]: tensor<2x3xf32> {dl.input = "targets"}, %{{.*}}: tensor<1xf32> {dl.input = "step"},
// MOM-SAME: %[[W:.*]]: tensor<2x1x3x3xf32> {dl.param = "conv.weight"}, %[[B:.*]]: tensor<2xf32> {dl.param = "conv.bias"}, %[[W1:.*]]: tensor<5x8xf32> {dl.param = "fc1.weight"},
// MOM-SAME: %[[W2:.*]]: tensor<3x5xf32> {dl.param = "fc2.weight"}, %[[B2:.*]]: tensor<3xf32> {dl.param = "fc2.bias"},
// MOM-SAME: %[[VW:.*]]: tensor<2x1x3x3xf32> {dl.state = "conv.weight.velocity"}, %{{.*}}: tensor<2xf32> {dl.state = "conv.bias.velocity"},
// MOM-SAME: -> (tensor<1xf32>, tensor<2x3xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>, tensor<5x8xf32>, tensor<3x5xf32>, tensor<3xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>, tensor<5x8xf32>, tensor<3x5xf32>, tensor<3xf32>)
// MOM-SAME: attributes {dl.train = {batch = 2 : i64, beta1 = 0.899999976 : f32, beta2 = 9.990000e-01 : f32, classes = 3 : i64, data_parallel = 1 : i64, epsilon = 9.99999993E-9 : f32, gradients_only = false, lr = 5.000000e-02 : f32, momentum = 0.899999976 : f32, optimizer = "momentum", params = 5 : i64, states_per_param = 1 : i64, tensor_parallel = 1 : i64, weight_decay = 0.000000e+00 : f32}}
// Forward, then the loss:
// MOM: %[[C:.*]] = dl.conv2d %[[X]], %[[W]], %[[B]]
// MOM: %[[P:.*]] = dl.pool2d max %[[C]]
// MOM: %[[F:.*]] = dl.flatten %[[P]]
// MOM: %[[H:.*]] = dl.dense %[[F]], %[[W1]] :
// MOM: %[[R:.*]] = dl.relu %[[H]]
// MOM: %[[Y:.*]] = dl.dense %[[R]], %[[W2]], %[[B2]]
// MOM: %[[L:.*]] = dl.softmax_cross_entropy %[[Y]], %[[T]]
// MOM: %[[DY:.*]] = dl.softmax_cross_entropy_backward %[[Y]], %[[T]] {scale = 5.000000e-01 : f32}
// Backward in reverse order; the first layer's input gets no gradient:
// MOM: %[[DR:.*]] = dl.dense_backward_data %[[DY]], %[[W2]]
// MOM: %[[DW2:.*]], %[[DB2:.*]] = dl.dense_backward_weights %[[R]], %[[DY]]
// MOM: %[[DH:.*]] = dl.relu_backward %[[R]], %[[DR]]
// MOM: %[[DF:.*]] = dl.dense_backward_data %[[DH]], %[[W1]]
// MOM: %[[DW1:.*]], %{{.*}} = dl.dense_backward_weights %[[F]], %[[DH]]
// MOM: %[[DPL:.*]] = dl.reshape %[[DF]] : tensor<2x8xf32> -> tensor<2x2x2x2xf32>
// MOM: %[[DC:.*]] = dl.pool2d_backward max %[[C]], %[[DPL]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
// MOM: %[[DCR:.*]] = dl.relu_backward %[[C]], %[[DC]]
// MOM-NOT: dl.conv2d_backward_data
// MOM: %[[DW:.*]], %[[DB:.*]] = dl.conv2d_backward_weights %[[X]], %[[DCR]] {padding = array<i64: 1, 1, 1, 1>}
// MOM-NOT: dl.all_reduce
// Updates in argument order:
// MOM: %[[NW:.*]], %[[NVW:.*]] = dl.sgd_update %[[W]], %[[DW]], %[[VW]] {lr = 5.000000e-02 : f32, momentum = 0.899999976 : f32} : tensor<2x1x3x3xf32>
// MOM: dl.sgd_update %[[B]], %[[DB]]
// MOM: dl.sgd_update %[[W1]], %[[DW1]]
// MOM: dl.sgd_update %[[W2]], %[[DW2]]
// MOM: dl.sgd_update %[[B2]], %[[DB2]]
// MOM: return %[[L]], %[[Y]], %[[NW]], {{.*}}, %[[NVW]],

// Adam: two states per parameter, the step argument, batch rewritten to 4.
// ADAM-LABEL: func.func @net_train_step(
// ADAM-SAME: tensor<4x1x4x4xf32> {dl.input = "x"}, %{{.*}}: tensor<4x3xf32> {dl.input = "targets"}, %[[S:.*]]: tensor<1xf32> {dl.input = "step"},
// ADAM-SAME: {dl.state = "conv.weight.m"}, %{{.*}}: tensor<2x1x3x3xf32> {dl.state = "conv.weight.v"}
// ADAM-SAME: optimizer = "adam", params = 5 : i64, states_per_param = 2 : i64
// ADAM: dl.conv2d {{.*}} -> tensor<4x2x4x4xf32>
// ADAM: dl.flatten {{.*}} -> tensor<4x8xf32>
// ADAM: dl.softmax_cross_entropy_backward {{.*}} {scale = 2.500000e-01 : f32} : tensor<4x3xf32>
// ADAM: dl.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[S]] {lr = 1.000000e-03 : f32} : tensor<2x1x3x3xf32>, tensor<1xf32>
// ADAM-COUNT-4: dl.adam_update

// Data parallel on 2 ranks, blocking all-reduces, buckets of >= 50
// elements: fc2's weight and bias (15 + 3) and fc1's weight (40) fill the
// first bucket, which is all-reduced before the conv's gradients are
// computed; the conv's 18 + 2 form the last one. The loss gradient is
// scaled by 1/(B*P).
// DP: dl.softmax_cross_entropy_backward {{.*}} {scale = 2.500000e-01 : f32}
// DP: dl.dense_backward_weights
// DP: dl.dense_backward_weights
// DP: %[[CAT:.*]] = dl.concat {{.*}} {axis = 0 : i64} : (tensor<15xf32>, tensor<3xf32>, tensor<40xf32>) -> tensor<58xf32>
// DP: %[[SUM:.*]] = dl.all_reduce %[[CAT]] group [0, 1] : tensor<58xf32>
// DP: %[[S0:.*]] = tensor.extract_slice %[[SUM]][0] [15] [1]
// DP: dl.reshape %[[S0]] : tensor<15xf32> -> tensor<3x5xf32>
// DP: tensor.extract_slice %[[SUM]][18] [40] [1]
// DP: dl.conv2d_backward_weights
// DP: %[[CAT2:.*]] = dl.concat {{.*}} : (tensor<18xf32>, tensor<2xf32>) -> tensor<20xf32>
// DP: dl.all_reduce %[[CAT2]] group [0, 1] : tensor<20xf32>
// DP-COUNT-5: dl.sgd_update
// DP-NOT: dl.all_reduce

// The same buckets overlapped (the default): the first bucket's
// all-reduce is started before the conv's backward and waited only after
// the backward, just before the updates of its parameters (fc2 weight and
// bias, fc1 weight); then the second bucket's wait and the conv's updates.
// OV: dl.dense_backward_weights
// OV: dl.dense_backward_weights
// OV: %[[CAT:.*]] = dl.concat {{.*}} -> tensor<58xf32>
// OV: %[[H1:.*]] = dl.all_reduce_start %[[CAT]] group [0, 1] : tensor<58xf32>
// OV-NOT: dl.all_reduce_wait
// OV: dl.conv2d_backward_weights
// OV: %[[CAT2:.*]] = dl.concat {{.*}} -> tensor<20xf32>
// OV: %[[H2:.*]] = dl.all_reduce_start %[[CAT2]] group [0, 1] : tensor<20xf32>
// OV-NEXT: %[[SUM:.*]] = dl.all_reduce_wait %[[H1]] : tensor<58xf32>
// OV: tensor.extract_slice %[[SUM]][0] [15] [1]
// OV-COUNT-3: dl.sgd_update
// OV: %[[SUM2:.*]] = dl.all_reduce_wait %[[H2]] : tensor<20xf32>
// OV-COUNT-2: dl.sgd_update
// OV-NOT: dl.all_reduce
// OV-NOT: dl.sgd_update

// With a big bucket and 4 ranks: exactly one all-reduce.
// ONE: dl.softmax_cross_entropy_backward {{.*}} {scale = 1.250000e-01 : f32}
// ONE: dl.all_reduce_start {{.*}} group [0, 1, 2, 3] : tensor<78xf32>
// ONE: dl.all_reduce_wait
// ONE-NOT: dl.all_reduce

// Gradients only (parameter-server workers): (x, targets, params) ->
// (loss, logits, gradients); the loss gradient is scaled by 1/(B*P) but
// nothing is all-reduced or updated; the optimizer is recorded for the
// server.
// GRAD-LABEL: func.func @net_grad_step(
// GRAD-SAME: %{{.*}}: tensor<2x1x4x4xf32> {dl.input = "x"}, %{{.*}}: tensor<2x3xf32> {dl.input = "targets"}, %[[W:.*]]: tensor<2x1x3x3xf32> {dl.param = "conv.weight"},
// GRAD-SAME: -> (tensor<1xf32>, tensor<2x3xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>, tensor<5x8xf32>, tensor<3x5xf32>, tensor<3xf32>)
// GRAD-SAME: gradients_only = true, lr = 0.00999999977 : f32
// GRAD-SAME: optimizer = "adam"
// GRAD: dl.softmax_cross_entropy_backward {{.*}} {scale = 2.500000e-01 : f32}
// GRAD: %[[DW:.*]], %[[DB:.*]] = dl.conv2d_backward_weights
// GRAD-NOT: dl.all_reduce
// GRAD-NOT: dl.adam_update
// GRAD: return %{{.*}}, %{{.*}}, %[[DW]], %[[DB]], %{{.*}}, %{{.*}}, %{{.*}} :

// Intra-layer split on 2 ranks: the conv (output channels) pairs with fc1
// (input units) through pooling and flatten; each rank's flattened block
// is fc1's columns of its channels. fc1's partial sums are all-reduced and
// fc2 stays whole; the conv's input is the data, so the backward needs no
// reduction.
// TP-LABEL: func.func @net_train_step(
// TP-SAME: tensor<1x1x3x3xf32> {dl.param = "conv.weight", dl.split_dim = 0 : i64, dl.split_parts = 2 : i64}
// TP-SAME: tensor<1xf32> {dl.param = "conv.bias", dl.split_dim = 0 : i64, dl.split_parts = 2 : i64}
// TP-SAME: tensor<5x4xf32> {dl.param = "fc1.weight", dl.split_dim = 1 : i64, dl.split_parts = 2 : i64}
// TP-SAME: tensor<3x5xf32> {dl.param = "fc2.weight"}
// TP-SAME: tensor_parallel = 2 : i64
// TP: dl.conv2d {{.*}} -> tensor<2x1x4x4xf32>
// TP: dl.flatten {{.*}} -> tensor<2x4xf32>
// TP: %[[H:.*]] = dl.dense {{.*}} -> tensor<2x5xf32>
// TP: %[[S:.*]] = dl.all_reduce %[[H]] group [0, 1] : tensor<2x5xf32>
// TP: dl.relu %[[S]]
// TP: dl.softmax_cross_entropy_backward {{.*}} {scale = 5.000000e-01 : f32}
// TP-NOT: dl.all_reduce
// TP: return
