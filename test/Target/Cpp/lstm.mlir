// RUN: dl-translate --dl-to-cpp %s | FileCheck %s

// A whole LSTM layer is one dlrt_lstm call. The step ops of a split LSTM
// map onto dlrt_lstm_gates (a zero splat state becomes NULL) and
// dlrt_lstm_cell, which updates the cell state in place: the old state's
// buffer is reused when it dies there, else copied first.

// CHECK-LABEL: void dl_run(
// CHECK: dlrt_lstm(a0, 5, 2, 8, g_w0, g_w1, g_w2, 16, {{t[0-9]+}});
// CHECK: dlrt_lstm(a0, 5, 2, 8, g_w0, g_w1, nullptr, 16, {{t[0-9]+}});
// CHECK: // tensor.extract_slice at xt
// CHECK-NEXT: //   contiguous: aliases its source at offset 16
// CHECK: float *[[G:t[0-9]+]] = dl_alloc(64);
// CHECK: dlrt_lstm_gates((a0 + 16), nullptr /*zero state*/, 2, 8, 16,
// CHECK-NEXT: g_w3, g_w4, g_w5, 32, [[G]]);
// The zero cell state is a constant: copy it, then update in place.
// CHECK: float *[[C:t[0-9]+]] = dl_alloc(16); // new cell state
// CHECK-NEXT: std::memcpy([[C]], g_c{{[0-9]+}}, 16 * sizeof(float));
// CHECK-NEXT: float *[[H:t[0-9]+]] = dl_alloc(16);
// CHECK: dlrt_lstm_cell([[G]], [[G]] + 8, [[G]] + 16, [[G]] + 24, 32,
// CHECK-NEXT: [[C]], [[H]], 2, 8);
// Second step: the state from step one dies here and is reused.
// CHECK: dlrt_copy_box([[H]], box, zero,
// CHECK: dlrt_lstm_gates((a0 + 32), {{t[0-9]+}}, 2, 8, 16,
// CHECK-NOT: memcpy
// CHECK: dlrt_lstm_cell({{t[0-9]+}}, {{.*}}, 32,
// CHECK-NEXT: [[C]], {{t[0-9]+}}, 2, 8);
func.func @lstm(%x: tensor<5x2x8xf32>)
    -> (tensor<5x2x16xf32>, tensor<5x2x16xf32>, tensor<2x8xf32>, tensor<2x8xf32>)
    attributes {dl.device = 0 : i64} {
  %wih = dl.param "lstm.w_ih" : tensor<64x8xf32>
  %whh = dl.param "lstm.w_hh" : tensor<64x16xf32>
  %b = dl.param "lstm.bias" : tensor<64xf32>
  %y = dl.lstm %x, %wih, %whh, %b {hidden_size = 16 : i64}
      : (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>,
         tensor<64xf32>) -> tensor<5x2x16xf32>
  %y2 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64}
      : (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> tensor<5x2x16xf32>
  // Half of the units (8 of 16): 32 gate rows.
  %rih = dl.param "part.w_ih" : tensor<32x8xf32>
  %rhh = dl.param "part.w_hh" : tensor<32x16xf32>
  %rb = dl.param "part.bias" : tensor<32xf32>
  %h0 = arith.constant dense<0.0> : tensor<2x16xf32>
  %c0 = arith.constant dense<0.0> : tensor<2x8xf32>
  %x1 = tensor.extract_slice %x[1, 0, 0] [1, 2, 8] [1, 1, 1]
      : tensor<5x2x8xf32> to tensor<2x8xf32> loc("xt")
  %g1 = dl.lstm_gates %x1, %h0, %rih, %rhh, %rb
      : (tensor<2x8xf32>, tensor<2x16xf32>, tensor<32x8xf32>,
         tensor<32x16xf32>, tensor<32xf32>) -> tensor<2x32xf32>
  %h1, %c1 = dl.lstm_cell %g1, %c0 : tensor<2x32xf32>, tensor<2x8xf32>
  %hf = tensor.empty() : tensor<2x16xf32>
  %hfull = tensor.insert_slice %h1 into %hf[0, 0] [2, 8] [1, 1]
      : tensor<2x8xf32> into tensor<2x16xf32>
  %x2 = tensor.extract_slice %x[2, 0, 0] [1, 2, 8] [1, 1, 1]
      : tensor<5x2x8xf32> to tensor<2x8xf32>
  %g2 = dl.lstm_gates %x2, %hfull, %rih, %rhh, %rb
      : (tensor<2x8xf32>, tensor<2x16xf32>, tensor<32x8xf32>,
         tensor<32x16xf32>, tensor<32xf32>) -> tensor<2x32xf32>
  %h2, %c2 = dl.lstm_cell %g2, %c1 : tensor<2x32xf32>, tensor<2x8xf32>
  return %y, %y2, %h2, %c2
      : tensor<5x2x16xf32>, tensor<5x2x16xf32>, tensor<2x8xf32>, tensor<2x8xf32>
}
