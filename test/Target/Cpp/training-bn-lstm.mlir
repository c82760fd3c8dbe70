// RUN: dl-opt %s -split-input-file --dl-generate-training="optimizer=momentum lr=0.05" | dl-translate --dl-to-cpp -split-input-file | FileCheck %s

// The kernel calls of batch norm training and of the LSTM backward; batch
// norm scales and running variances start at one without --init.

func.func @bn(%x: tensor<4x2x3x3xf32>) -> tensor<4x3xf32> {
  %s = dl.param "bn.weight" : tensor<2xf32>
  %b = dl.param "bn.bias" : tensor<2xf32>
  %m = dl.param "bn.running_mean" : tensor<2xf32>
  %v = dl.param "bn.running_var" : tensor<2xf32>
  %n = dl.batch_norm %x, %s, %b, %m, %v
      : (tensor<4x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2x3x3xf32>
  %f = dl.flatten %n : tensor<4x2x3x3xf32> -> tensor<4x18xf32>
  %w = dl.param "fc.weight" : tensor<3x18xf32>
  %y = dl.dense %f, %w : (tensor<4x18xf32>, tensor<3x18xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// CHECK: dlrt_batch_norm_running_stats(a0, 4, 2, 3, 3, a5, a6, 0.100000001f, {{t[0-9]+}}, {{t[0-9]+}});
// CHECK: dlrt_batch_norm_train(a0, 4, 2, 3, 3, a3, a4, 9.99999975e-06f, {{t[0-9]+}});
// The input is the data: no input gradient.
// CHECK: dlrt_batch_norm_backward(a0, 4, 2, 3, 3, a3, {{t[0-9]+}}, 9.99999975e-06f, nullptr, {{t[0-9]+}}, {{t[0-9]+}});
// CHECK: {"bn.weight", 1, kParamShape0, 2, /*split_dim=*/-1, /*split_parts=*/1, /*rank0_only=*/0, /*init_ones=*/1},
// CHECK-NEXT: {"bn.bias", 1, kParamShape1, 2, /*split_dim=*/-1, /*split_parts=*/1, /*rank0_only=*/0},
// CHECK-NEXT: {"bn.running_mean", 1, kParamShape2, 2, /*split_dim=*/-1, /*split_parts=*/1, /*rank0_only=*/0},
// CHECK-NEXT: {"bn.running_var", 1, kParamShape3, 2, /*split_dim=*/-1, /*split_parts=*/1, /*rank0_only=*/0, /*init_ones=*/1},

// -----

func.func @lstm(%x: tensor<6x1x3xf32>) -> tensor<6x2xf32> {
  %wih = dl.param "lstm.w_ih" : tensor<16x3xf32>
  %whh = dl.param "lstm.w_hh" : tensor<16x4xf32>
  %h = dl.lstm %x, %wih, %whh {hidden_size = 4 : i64}
      : (tensor<6x1x3xf32>, tensor<16x3xf32>, tensor<16x4xf32>) -> tensor<6x1x4xf32>
  %r = dl.reshape %h : tensor<6x1x4xf32> -> tensor<6x4xf32>
  %wf = dl.param "fc.weight" : tensor<2x4xf32>
  %y = dl.dense %r, %wf : (tensor<6x4xf32>, tensor<2x4xf32>) -> tensor<6x2xf32>
  return %y : tensor<6x2xf32>
}

// Without a bias, no bias gradient; the input is the data: no input
// gradient.
// CHECK: dlrt_lstm_backward(a0, 6, 1, 3, a3, a4, nullptr, 4,
// CHECK-NEXT: {{t[0-9]+}}, nullptr, {{t[0-9]+}}, {{t[0-9]+}}, nullptr);
