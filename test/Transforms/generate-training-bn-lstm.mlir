// RUN: dl-opt %s -split-input-file --dl-generate-training="optimizer=momentum lr=0.1" | FileCheck %s
// RUN: dl-opt %s -split-input-file --dl-generate-training="optimizer=adam data-parallel=2" | FileCheck %s --check-prefix=DP
// RUN: not dl-opt %s -split-input-file --dl-generate-training="gradients-only" 2>&1 | FileCheck %s --check-prefix=GRAD
// GRAD: gradients-only steps do not update batch norm running statistics yet

// A batch norm is trained with the batch statistics: dl.batch_norm_train,
// its backward, and the update of the running statistics, which are
// returned as the new values of their parameters; their optimizer states
// pass through unchanged.

func.func @bn(%x: tensor<4x2x3x3xf32>) -> tensor<4x3xf32> {
  %w0 = dl.param "conv.weight" : tensor<2x2x1x1xf32>
  %c = dl.conv2d %x, %w0 : (tensor<4x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<4x2x3x3xf32>
  %s = dl.param "bn.weight" : tensor<2xf32>
  %b = dl.param "bn.bias" : tensor<2xf32>
  %m = dl.param "bn.running_mean" : tensor<2xf32>
  %v = dl.param "bn.running_var" : tensor<2xf32>
  %n = dl.batch_norm %c, %s, %b, %m, %v {epsilon = 1.0e-3 : f32}
      : (tensor<4x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2x3x3xf32>
  %f = dl.flatten %n : tensor<4x2x3x3xf32> -> tensor<4x18xf32>
  %w = dl.param "fc.weight" : tensor<3x18xf32>
  %y = dl.dense %f, %w : (tensor<4x18xf32>, tensor<3x18xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @bn_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<4x2x3x3xf32> {dl.input = "x"}
// CHECK-SAME: %[[W0:[a-z0-9]+]]: tensor<2x2x1x1xf32> {dl.param = "conv.weight"}
// CHECK-SAME: %[[S:[a-z0-9]+]]: tensor<2xf32> {dl.init_ones, dl.param = "bn.weight"}
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<2xf32> {dl.param = "bn.bias"}
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<2xf32> {dl.param = "bn.running_mean"}
// CHECK-SAME: %[[V:[a-z0-9]+]]: tensor<2xf32> {dl.init_ones, dl.param = "bn.running_var"}
// CHECK-SAME: %[[VM:[a-z0-9]+]]: tensor<2xf32> {dl.state = "bn.running_mean.velocity"}
// CHECK-SAME: %[[VV:[a-z0-9]+]]: tensor<2xf32> {dl.state = "bn.running_var.velocity"}
// CHECK: %[[C:.*]] = dl.conv2d %[[X]], %[[W0]]
// CHECK: %[[NM:.*]], %[[NV:.*]] = dl.batch_norm_running_stats %[[C]], %[[M]], %[[V]] : tensor<4x2x3x3xf32>, tensor<2xf32>
// CHECK: %[[N:.*]] = dl.batch_norm_train %[[C]], %[[S]], %[[B]] {epsilon = 1.000000e-03 : f32}
// CHECK: %[[DN:.*]] = dl.reshape
// CHECK: %[[DC:.*]], %[[DS:.*]], %[[DB:.*]] = dl.batch_norm_backward %[[C]], %[[S]], %[[DN]] {epsilon = 1.000000e-03 : f32}
// CHECK: dl.conv2d_backward_weights %[[X]], %[[DC]]
// CHECK-NOT: dl.sgd_update %[[M]]
// CHECK-NOT: dl.sgd_update %[[V]]
// CHECK: %[[NS:.*]], %[[VS:.*]] = dl.sgd_update %[[S]], %[[DS]]
// CHECK: %[[NB:.*]], %[[VB:.*]] = dl.sgd_update %[[B]], %[[DB]]
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %[[NS]], %[[NB]], %[[NM]], %[[NV]], %{{.*}}, %{{.*}}, %[[VS]], %[[VB]], %[[VM]], %[[VV]], %{{.*}} :

// With data parallelism the batch norm's scale and bias gradients are
// all-reduced with the others, its statistics are the rank's own:
// DP-LABEL: func.func @bn_train_step(
// DP: dl.batch_norm_running_stats
// DP: dl.batch_norm_train
// DP: dl.batch_norm_backward
// DP: dl.concat {{.*}} -> tensor<62xf32>
// DP: dl.all_reduce_start {{.*}} group [0, 1] : tensor<62xf32>
// DP: dl.all_reduce_wait {{.*}} : tensor<62xf32>
// DP-COUNT-4: dl.adam_update
// DP-NOT: dl.adam_update

// -----

// An LSTM's gradients: one dl.lstm_backward for the input, both weights
// and the bias.

func.func @lstm(%x: tensor<6x1x3xf32>) -> tensor<6x2xf32> {
  %wih = dl.param "lstm.w_ih" : tensor<16x3xf32>
  %whh = dl.param "lstm.w_hh" : tensor<16x4xf32>
  %b = dl.param "lstm.bias" : tensor<16xf32>
  %h = dl.lstm %x, %wih, %whh, %b {hidden_size = 4 : i64}
      : (tensor<6x1x3xf32>, tensor<16x3xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<6x1x4xf32>
  %r = dl.reshape %h : tensor<6x1x4xf32> -> tensor<6x4xf32>
  %wf = dl.param "fc.weight" : tensor<2x4xf32>
  %y = dl.dense %r, %wf : (tensor<6x4xf32>, tensor<2x4xf32>) -> tensor<6x2xf32>
  return %y : tensor<6x2xf32>
}

// CHECK-LABEL: func.func @lstm_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<6x1x3xf32> {dl.input = "x"}
// CHECK-SAME: %[[WIH:[a-z0-9]+]]: tensor<16x3xf32> {dl.param = "lstm.w_ih"}
// CHECK-SAME: %[[WHH:[a-z0-9]+]]: tensor<16x4xf32> {dl.param = "lstm.w_hh"}
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<16xf32> {dl.param = "lstm.bias"}
// CHECK: %[[H:.*]] = dl.lstm %[[X]], %[[WIH]], %[[WHH]], %[[B]]
// CHECK: %[[DH:.*]] = dl.reshape %{{.*}} : tensor<6x4xf32> -> tensor<6x1x4xf32>
// CHECK: %{{.*}}, %[[DWIH:.*]], %[[DWHH:.*]], %[[DB:.*]] = dl.lstm_backward %[[DH]], %[[X]], %[[WIH]], %[[WHH]], %[[B]]
// CHECK: dl.sgd_update %[[WIH]], %[[DWIH]]
// CHECK: dl.sgd_update %[[WHH]], %[[DWHH]]
// CHECK: dl.sgd_update %[[B]], %[[DB]]
// DP-LABEL: func.func @lstm_train_step(
// DP: dl.lstm_backward
// DP: dl.all_reduce_start {{.*}} group [0, 1] : tensor<136xf32>
// DP: dl.all_reduce_wait {{.*}} : tensor<136xf32>
