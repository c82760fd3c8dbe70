module {
  func.func @main(%image: tensor<1x3x32x32xf32>) -> tensor<1x10xf32> {
    %w1 = dl.param "conv1.weight" : tensor<16x3x3x3xf32>
    %b1 = dl.param "conv1.bias" : tensor<16xf32>
    %c1 = dl.conv2d %image, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
        -> tensor<1x16x32x32xf32> loc("conv1")
    %r1 = dl.relu %c1 : tensor<1x16x32x32xf32> loc("relu1")
    %p1 = dl.pool2d max %r1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : tensor<1x16x32x32xf32> -> tensor<1x16x16x16xf32> loc("pool1")
    %w2 = dl.param "conv2.weight" : tensor<32x16x3x3xf32>
    %b2 = dl.param "conv2.bias" : tensor<32xf32>
    %c2 = dl.conv2d %p1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x16x16x16xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>)
        -> tensor<1x32x16x16xf32> loc("conv2")
    %r2 = dl.relu %c2 : tensor<1x32x16x16xf32> loc("relu2")
    %p2 = dl.pool2d max %r2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : tensor<1x32x16x16xf32> -> tensor<1x32x8x8xf32> loc("pool2")
    %seq = dl.reshape %p2 : tensor<1x32x8x8xf32> -> tensor<8x1x256xf32> loc("to_seq")
    %wih = dl.param "lstm.w_ih" : tensor<256x256xf32>
    %whh = dl.param "lstm.w_hh" : tensor<256x64xf32>
    %bl = dl.param "lstm.bias" : tensor<256xf32>
    %h = dl.lstm %seq, %wih, %whh, %bl {hidden_size = 64 : i64}
        : (tensor<8x1x256xf32>, tensor<256x256xf32>, tensor<256x64xf32>,
           tensor<256xf32>) -> tensor<8x1x64xf32> loc("lstm")
    %flat = dl.reshape %h : tensor<8x1x64xf32> -> tensor<1x512xf32> loc("to_vec")
    %wf = dl.param "fc.weight" : tensor<10x512xf32>
    %bf = dl.param "fc.bias" : tensor<10xf32>
    %logits = dl.dense %flat, %wf, %bf
        : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xf32>)
        -> tensor<1x10xf32> loc("fc")
    %prob = dl.softmax %logits {axis = 1 : i64} : tensor<1x10xf32> loc("softmax")
    return %prob : tensor<1x10xf32>
  }
}
