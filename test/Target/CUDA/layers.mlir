// RUN: dl-translate --dl-to-cuda %s | FileCheck %s

// Every layer family lowers to a dlg_* call with the argument list of the
// dlrt CPU kernel of the same name, on device buffers (dl_dev_alloc, freed
// with dl_dev_free after the last use). In-place ops copy on the device
// (dl_dev_copy) when their operand survives.

// The prelude: GPU selection and handles, cuBLAS with the row-major trick,
// cuDNN with the pad kernel for asymmetric padding, own kernels.
// CHECK-LABEL: void dl_gpu_init() {
// CHECK: cudaSetDevice(index % count)
// CHECK: cublasSetMathMode(g_cublas, CUBLAS_PEDANTIC_MATH)
// CHECK: cudnnCreate(&g_cudnn)
// Device memory from the caching allocator: a free list by size, cudaMalloc
// only on a miss, no cudaFree while running.
// CHECK-LABEL: void *dl_block_alloc(size_t bytes) {
// CHECK: g_free_blocks.find(bytes)
// CHECK: cudaMalloc(&p, bytes)
// CHECK-LABEL: void dl_block_free(void *p) {
// CHECK-NOT: cudaFree
// CHECK: g_free_blocks.emplace(it->second, p);
// CHECK-LABEL: float *dl_dev_alloc(int64_t n) {
// CHECK: dl_block_alloc(
// CHECK: __global__ void dlk_relu(
// CHECK: __global__ void dlk_pad(
// CHECK: __global__ void dlk_conv2d(
// CHECK: __global__ void dlk_batch_norm(
// CHECK: __global__ void dlk_lstm_cell(
// CHECK: __global__ void dlk_copy_box(
// CHECK: DL_ACTIVATION(relu, CUDNN_ACTIVATION_RELU)
// CHECK-LABEL: void dl_gemm_nt(
// CHECK: cublasSgemm(g_cublas, CUBLAS_OP_T, CUBLAS_OP_N, int(n), int(m),
// CHECK-LABEL: void dlg_matmul(
// CHECK: cublasSgemm(g_cublas, CUBLAS_OP_N, CUBLAS_OP_N, int(n), int(m),
// CHECK-LABEL: void dlg_matmul_batched(
// CHECK: cublasSgemmStridedBatched(
// The convolution's cuDNN plan is made once per distinct convolution.
// CHECK-LABEL: void dlg_conv2d(
// CHECK: if (pad_t != pad_b || pad_l != pad_r) {
// CHECK: dlk_pad<<<
// CHECK: static std::map<std::array<int64_t, 14>, DlConvPlan> plans;
// CHECK: if (!plan.cd) {
// CHECK: cudnnSetConvolutionGroupCount(plan.cd, int(groups))
// CHECK: cudnnSetConvolutionMathType(plan.cd, CUDNN_FMA_MATH)
// CHECK: cudnnGetConvolutionForwardAlgorithm_v7(
// CHECK: }
// CHECK: cudnnConvolutionForward(
// CHECK: dlk_conv2d<<<
// CHECK: dl_bias_act(out, bias, n, oc, oh * ow, act);
// CHECK-LABEL: void dlg_pool2d(
// CHECK: if (pad_t == pad_b && pad_l == pad_r) {
// CHECK: cudnnPoolingForward(
// CHECK: dlk_pool2d<<<
// CHECK-LABEL: void dlg_softmax(
// CHECK: cudnnSoftmaxForward(g_cudnn, CUDNN_SOFTMAX_ACCURATE,
// CHECK-NEXT: CUDNN_SOFTMAX_MODE_CHANNEL
// CHECK-LABEL: void dlg_lstm(
// CHECK: dl_gemm_nt(x, t * n, xdim, w_ih, g4, gates, 0.0f);

// Weights and constants are uploaded once.
// CHECK-LABEL: constexpr int kNumWeights = 14;
// CHECK: static float *g_c0; // splat [2,16]
// CHECK: alignas(64) static const float g_c1_host[16] = {
// CHECK: static float *g_c1;
// CHECK-LABEL: void dl_load_weights(
// CHECK: g_w0 = dl_upload(dlrt_weights_get(store, "conv.weight", shape, 4), 72);
// CHECK-LABEL: void dl_setup() {
// CHECK-NEXT: dl_gpu_init();
// CHECK-NEXT: g_c0 = dl_dev_alloc(32);
// CHECK-NEXT: dlg_fill(g_c0, 32, 0.0f);
// CHECK-NEXT: g_c1 = dl_upload(g_c1_host, 16);

// The body: inputs uploaded, one dlg_* call per op, device buffers freed
// after the last use, results downloaded.
// CHECK-LABEL: void dl_run(
// CHECK-NEXT: float *a0 = dl_dev_alloc(256); // tensor<1x4x8x8xf32>
// CHECK-NEXT: dl_copy_in(a0, in[0], 256);
// CHECK: float *[[C:t[0-9]+]] = dl_dev_alloc(128);
// CHECK-NEXT: dlrt_trace_begin("dl.conv2d conv");
// CHECK-NEXT: dlg_conv2d(a0, 1, 4, 8, 8,
// CHECK-NEXT: g_w0, g_w1, 4, 3, 3,
// CHECK-NEXT: /*stride=*/2, 1, /*pad tlbr=*/0, 2, 2, 2, /*dilation=*/1, 2,
// CHECK-NEXT: /*groups=*/2, /*act=*/1, [[C]], 4, 8);
// CHECK-NEXT: dlrt_trace_end();
// CHECK-NEXT: dl_dev_free(a0, 256);
// CHECK: dlg_pool2d(/*kind=*/0 /*max*/, [[C]], 1, 4, 4, 8,
// CHECK: dlg_pool2d(/*kind=*/1 /*avg*/, [[C]], 1, 4, 4, 8,
// CHECK-NEXT: /*kernel=*/3, 3, /*stride=*/2, 2, /*pad tlbr=*/1, 1, 2, 1,
// CHECK: dlg_global_avg_pool([[C]], 1, 4, 4, 8, {{t[0-9]+}});
// CHECK: float *[[D:t[0-9]+]] = dl_dev_alloc(6);
// CHECK: dlg_dense(a1, 2, 8, g_w2, g_w3, 3, [[D]]);
// CHECK-NEXT: dlg_relu([[D]], [[D]], 6);
// CHECK: dlg_matmul(a1, 2, 8, g_w4, 5, {{t[0-9]+}});
// CHECK: dlg_softmax([[D]], 2, 3, 1, {{t[0-9]+}});
// CHECK: float *[[BN:t[0-9]+]] = dl_dev_alloc(128);
// CHECK: dlg_batch_norm([[C]], 1, 4, 4, 8, g_w5, g_w6,
// CHECK-NEXT: g_w7, g_w8, 0.00100000005f, [[BN]]);
// CHECK: dlg_sigmoid([[BN]], [[BN]], 128);
// CHECK: dlg_add([[BN]], [[C]], [[BN]], 128);
// CHECK-NEXT: dlrt_trace_end();
// CHECK-NEXT: dl_dev_free([[C]], 128);
// CHECK: dlg_copy_box(a1, src_shape0, zero, [[CAT:t[0-9]+]], dst_shape, dst_offsets0, src_shape0, 2);
// CHECK: dlg_copy_box(a1, src_shape1, zero, [[CAT]], dst_shape, dst_offsets1, src_shape1, 2);
// CHECK: dlg_lstm(a2, 5, 2, 8, g_w9, g_w10, g_w11, 16, {{t[0-9]+}});
// A time step of the sequence aliases it; the zero state is NULL.
// CHECK: contiguous: aliases its source at offset 16
// CHECK: dlg_lstm_gates((a2 + 16), nullptr /*zero state*/, 2, 8, 16,
// CHECK-NEXT: g_w12, g_w13, nullptr, 32, [[G:t[0-9]+]]);
// The constant cell state survives: copied on the device first.
// CHECK: float *[[CN:t[0-9]+]] = dl_dev_alloc(16); // new cell state
// CHECK-NEXT: dl_dev_copy([[CN]], g_c1, 16);
// CHECK: dlg_lstm_cell([[G]], [[G]] + 8, [[G]] + 16, [[G]] + 24, 32,
// CHECK: dlg_copy_box([[CAT]], src_shape, src_offsets, {{t[0-9]+}}, box, zero, box, 2);
// CHECK: out[0] = dl_alloc(32);
// CHECK-NEXT: dl_copy_out(out[0], {{t[0-9]+}}, 32);
// CHECK: dl_dev_free(
// CHECK-NOT: dlrt_conv2d
// CHECK-LABEL: int main(

func.func @layers(%x: tensor<1x4x8x8xf32>, %v: tensor<2x8xf32>,
                  %seq: tensor<5x2x8xf32>)
    -> (tensor<1x4x2x4xf32>, tensor<1x4x3x4xf32>, tensor<1x4x1x1xf32>,
        tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x3xf32>,
        tensor<1x4x4x8xf32>, tensor<2x16xf32>, tensor<5x2x16xf32>,
        tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x3xf32>)
    attributes {dl.device = 0 : i64} {
  %w = dl.param "conv.weight" : tensor<4x2x3x3xf32>
  %b = dl.param "conv.bias" : tensor<4xf32>
  %c = dl.conv2d %x, %w, %b {strides = array<i64: 2, 1>,
                             padding = array<i64: 0, 2, 2, 2>,
                             dilations = array<i64: 1, 2>, groups = 2 : i64,
                             activation = #dl<activation relu>}
      : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>)
      -> tensor<1x4x4x8xf32> loc("conv")
  %p = dl.pool2d max %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<1x4x4x8xf32> -> tensor<1x4x2x4xf32> loc("pool")
  %ap = dl.pool2d avg %c {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                          padding = array<i64: 1, 1, 2, 1>,
                          count_include_pad = true}
      : tensor<1x4x4x8xf32> -> tensor<1x4x3x4xf32> loc("apool")
  %g = dl.global_avg_pool %c : tensor<1x4x4x8xf32> -> tensor<1x4x1x1xf32>
  %fw = dl.param "fc.weight" : tensor<3x8xf32>
  %fb = dl.param "fc.bias" : tensor<3xf32>
  %d = dl.dense %v, %fw, %fb {activation = #dl<activation relu>}
      : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      loc("fc")
  %m = dl.param "m" : tensor<8x5xf32>
  %mm = dl.matmul %v, %m : (tensor<2x8xf32>, tensor<8x5xf32>) -> tensor<2x5xf32>
  %sm = dl.softmax %d {axis = 1 : i64} : tensor<2x3xf32>
  %sc = dl.param "bn.scale" : tensor<4xf32>
  %sh = dl.param "bn.shift" : tensor<4xf32>
  %mu = dl.param "bn.mean" : tensor<4xf32>
  %va = dl.param "bn.var" : tensor<4xf32>
  %bn = dl.batch_norm %c, %sc, %sh, %mu, %va {epsilon = 1.0e-3 : f32}
      : (tensor<1x4x4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
         tensor<4xf32>) -> tensor<1x4x4x8xf32>
  %r = dl.sigmoid %bn : tensor<1x4x4x8xf32>
  %a = dl.add %r, %c : tensor<1x4x4x8xf32>
  %cat = dl.concat %v, %v {axis = 1 : i64}
      : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x16xf32> loc("cat")
  %wih = dl.param "lstm.w_ih" : tensor<64x8xf32>
  %whh = dl.param "lstm.w_hh" : tensor<64x16xf32>
  %lb = dl.param "lstm.bias" : tensor<64xf32>
  %y = dl.lstm %seq, %wih, %whh, %lb {hidden_size = 16 : i64}
      : (tensor<5x2x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>,
         tensor<64xf32>) -> tensor<5x2x16xf32> loc("lstm")
  %rih = dl.param "part.w_ih" : tensor<32x8xf32>
  %rhh = dl.param "part.w_hh" : tensor<32x16xf32>
  %h0 = arith.constant dense<0.0> : tensor<2x16xf32>
  %c0 = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                              [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.5]]>
      : tensor<2x8xf32>
  %x1 = tensor.extract_slice %seq[1, 0, 0] [1, 2, 8] [1, 1, 1]
      : tensor<5x2x8xf32> to tensor<2x8xf32> loc("xt")
  %g1 = dl.lstm_gates %x1, %h0, %rih, %rhh
      : (tensor<2x8xf32>, tensor<2x16xf32>, tensor<32x8xf32>,
         tensor<32x16xf32>) -> tensor<2x32xf32>
  %h1, %c1 = dl.lstm_cell %g1, %c0 : tensor<2x32xf32>, tensor<2x8xf32>
  %cols = tensor.extract_slice %cat[0, 4] [2, 3] [1, 1]
      : tensor<2x16xf32> to tensor<2x3xf32> loc("cols")
  return %p, %ap, %g, %sm, %mm, %cols, %a, %cat, %y, %h1, %c1, %d
      : tensor<1x4x2x4xf32>, tensor<1x4x3x4xf32>, tensor<1x4x1x1xf32>,
        tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x3xf32>,
        tensor<1x4x4x8xf32>, tensor<2x16xf32>, tensor<5x2x16xf32>,
        tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x3xf32>
}
