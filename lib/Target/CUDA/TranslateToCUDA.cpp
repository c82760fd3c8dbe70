//===- TranslateToCUDA.cpp - dl device functions to CUDA --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the translation of dl device functions into CUDA
// programs. It reuses the C++ target's DeviceEmitter (liveness, buffer
// reuse and aliasing, weights, constants, program skeleton and main()) and
// retargets it: tensors live in GPU memory (from a caching allocator,
// released after their last use), weights and constants are uploaded once,
// inputs and outputs are staged through host memory, and every kernel call
// goes to a `dlg_*` function of the emitted prelude with the argument list of
// the dlrt function of the same name. Those functions use cuBLAS (GEMMs),
// cuDNN when available (convolution, pooling, activations, softmax) and
// the program's own `__global__` kernels. Communication stages device data
// through host buffers around the dlrt MPI calls; all_reduce, broadcast
// and flat all_gather between GPU ranks use NCCL when the program is
// compiled with DL_USE_NCCL. See docs/codegen.md.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLDialect.h"
#include "dl/Registration.h"
#include "dl/Target/CUDA.h"
#include "dl/Target/Config.h"
#include "dl/Target/Cpp.h"
#include "lib/Target/Cpp/DeviceEmitter.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::target;

namespace {

/// Kernels and library calls of every emitted CUDA program, inside the
/// program's anonymous namespace (after dl_alloc, dl_fail, kRank).
constexpr const char *kCudaPrelude = R"cu(
//===--- CUDA runtime: device memory, handles, kernels -------------------===//

// Not every program uses every helper of this prelude.
#pragma nv_diag_suppress 177

#define DL_CUDA(call)                                                          \
  do {                                                                         \
    cudaError_t e_ = (call);                                                   \
    if (e_ != cudaSuccess)                                                     \
      dl_fail("%s: %s", #call, cudaGetErrorString(e_));                        \
  } while (0)
#define DL_CUBLAS(call)                                                        \
  do {                                                                         \
    cublasStatus_t s_ = (call);                                                \
    if (s_ != CUBLAS_STATUS_SUCCESS)                                           \
      dl_fail("%s: cuBLAS status %d", #call, static_cast<int>(s_));            \
  } while (0)
#ifdef DL_USE_CUDNN
#define DL_CUDNN(call)                                                         \
  do {                                                                         \
    cudnnStatus_t s_ = (call);                                                 \
    if (s_ != CUDNN_STATUS_SUCCESS)                                            \
      dl_fail("%s: %s", #call, cudnnGetErrorString(s_));                       \
  } while (0)
#endif
/// Grid-stride loop over [0, n).
#define DL_FOR(i, n)                                                           \
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < (n);    \
       i += int64_t(blockDim.x) * gridDim.x)

constexpr int kThreads = 256;
unsigned dl_blocks(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65535 * 16 ? 65535 * 16 : b));
}
void dl_check_launch() { DL_CUDA(cudaGetLastError()); }

cublasHandle_t g_cublas;
#ifdef DL_USE_CUDNN
cudnnHandle_t g_cudnn;
#endif
bool g_gpu_ready = false;

/// Selects this rank's GPU (node-local rank modulo the visible devices)
/// and creates the library handles, once. Everything runs on the legacy
/// default stream, so kernels, library calls and copies are ordered.
void dl_gpu_init() {
  if (g_gpu_ready)
    return;
  g_gpu_ready = true;
  int count = 0;
  DL_CUDA(cudaGetDeviceCount(&count));
  if (count == 0)
    dl_fail("no CUDA device is visible");
  const char *local = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK");
  if (!local)
    local = std::getenv("MPI_LOCALRANKID");
  if (!local)
    local = std::getenv("SLURM_LOCALID");
  int index = local ? std::atoi(local) : kRank;
  DL_CUDA(cudaSetDevice(index % count));
  DL_CUBLAS(cublasCreate(&g_cublas));
  // Plain FP32 (no TF32) so that results match the CPU programs.
  DL_CUBLAS(cublasSetMathMode(g_cublas, CUBLAS_PEDANTIC_MATH));
#ifdef DL_USE_CUDNN
  DL_CUDNN(cudnnCreate(&g_cudnn));
#endif
}

/// Device memory is recycled, not returned: cudaFree waits for the whole
/// device, and a program allocates the same sizes on every run. A freed
/// block waits in a free list by its size (rounded up to 256 bytes) for the
/// next allocation of that size. Everything runs on the default stream, so
/// a block reused by a later kernel is ordered after the kernels that used
/// it before. On out-of-memory the cached blocks are released and the
/// allocation is tried once more.
std::unordered_multimap<size_t, void *> g_free_blocks;
std::unordered_map<void *, size_t> g_block_bytes;

void *dl_block_alloc(size_t bytes) {
  dl_gpu_init();
  bytes = (bytes + 255) / 256 * 256;
  if (bytes == 0)
    bytes = 256;
  auto it = g_free_blocks.find(bytes);
  if (it != g_free_blocks.end()) {
    void *p = it->second;
    g_free_blocks.erase(it);
    return p;
  }
  void *p = nullptr;
  if (cudaMalloc(&p, bytes) != cudaSuccess) {
    (void)cudaGetLastError();
    for (auto &block : g_free_blocks) {
      g_block_bytes.erase(block.second);
      DL_CUDA(cudaFree(block.second));
    }
    g_free_blocks.clear();
    if (cudaMalloc(&p, bytes) != cudaSuccess)
      dl_fail("out of device memory allocating %lld bytes",
              static_cast<long long>(bytes));
  }
  g_block_bytes[p] = bytes;
  return p;
}

void dl_block_free(void *p) {
  if (!p)
    return;
  auto it = g_block_bytes.find(p);
  if (it == g_block_bytes.end())
    dl_fail("internal error: freeing a device block this program did not "
            "allocate");
  g_free_blocks.emplace(it->second, p);
}

/// A device buffer of n floats, counted like dl_alloc's.
float *dl_dev_alloc(int64_t n) {
  void *p = dl_block_alloc(static_cast<size_t>(dl_bytes(n)));
  g_live_bytes += dl_bytes(n);
  if (g_live_bytes > g_peak_bytes)
    g_peak_bytes = g_live_bytes;
  return static_cast<float *>(p);
}

void dl_dev_free(float *p, int64_t n) {
  dl_block_free(p);
  g_live_bytes -= dl_bytes(n);
}

/// Uncounted device scratch (kernel workspaces, padded inputs).
float *dl_scratch(int64_t n) {
  return static_cast<float *>(dl_block_alloc(static_cast<size_t>(dl_bytes(n))));
}
void dl_scratch_free(void *p) { dl_block_free(p); }

void dl_dev_copy(float *dst, const float *src, int64_t n) {
  DL_CUDA(cudaMemcpy(dst, src, n * sizeof(float), cudaMemcpyDeviceToDevice));
}
/// Host -> device.
void dl_copy_in(float *dst, const float *host, int64_t n) {
  DL_CUDA(cudaMemcpy(dst, host, n * sizeof(float), cudaMemcpyHostToDevice));
}
/// Device -> host (synchronizes with the work queued before it).
void dl_copy_out(float *host, const float *src, int64_t n) {
  DL_CUDA(cudaMemcpy(host, src, n * sizeof(float), cudaMemcpyDeviceToHost));
}
/// A device copy of host data that lives until the end (weights,
/// constants); not counted in the buffer memory.
float *dl_upload(const float *host, int64_t n) {
  dl_gpu_init();
  float *p = dl_scratch(n);
  dl_copy_in(p, host, n);
  return p;
}

//===--- Own kernels -----------------------------------------------------===//

__global__ void dlk_fill(float *out, int64_t n, float value) {
  DL_FOR(i, n) out[i] = value;
}
__global__ void dlk_relu(const float *in, float *out, int64_t n) {
  DL_FOR(i, n) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}
__global__ void dlk_sigmoid(const float *in, float *out, int64_t n) {
  DL_FOR(i, n) out[i] = 1.0f / (1.0f + expf(-in[i]));
}
__global__ void dlk_tanh(const float *in, float *out, int64_t n) {
  DL_FOR(i, n) out[i] = tanhf(in[i]);
}
__global__ void dlk_gelu(const float *in, float *out, int64_t n) {
  DL_FOR(i, n) out[i] = 0.5f * in[i] * (1.0f + erff(in[i] * 0.70710678118f));
}
__global__ void dlk_clip(const float *in, float *out, int64_t n, float lo,
                         float hi) {
  DL_FOR(i, n) out[i] = fminf(fmaxf(in[i], lo), hi);
}
__global__ void dlk_add(const float *a, const float *b, float *out,
                        int64_t n) {
  DL_FOR(i, n) out[i] = a[i] + b[i];
}
__global__ void dlk_mul(const float *a, const float *b, float *out,
                        int64_t n) {
  DL_FOR(i, n) out[i] = a[i] * b[i];
}

/// y[r, ch, i] += bias[ch], then ReLU if act; y is [rows, channels, inner].
__global__ void dlk_bias_act(float *y, const float *bias, int64_t rows,
                             int64_t channels, int64_t inner, int act) {
  DL_FOR(i, rows * channels * inner) {
    float v = y[i];
    if (bias)
      v += bias[(i / inner) % channels];
    y[i] = act && v < 0.0f ? 0.0f : v;
  }
}

/// Zero padding of `planes` h x w planes into oh x ow ones, the input at
/// (pad_t, pad_l): asymmetric padding for cuDNN, which pads symmetrically.
__global__ void dlk_pad(const float *in, int64_t planes, int64_t h, int64_t w,
                        int64_t pad_t, int64_t pad_l, int64_t oh, int64_t ow,
                        float *out) {
  DL_FOR(i, planes * oh * ow) {
    int64_t x = i % ow - pad_l, y = i / ow % oh - pad_t, p = i / (oh * ow);
    out[i] = y >= 0 && y < h && x >= 0 && x < w ? in[(p * h + y) * w + x]
                                                : 0.0f;
  }
}

/// Direct convolution (no bias), one thread per output element.
__global__ void dlk_conv2d(const float *x, int64_t n, int64_t c, int64_t h,
                           int64_t w, const float *wt, int64_t oc, int64_t kh,
                           int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                           int64_t pl, int64_t dh, int64_t dw, int64_t groups,
                           float *y, int64_t oh, int64_t ow) {
  int64_t cg = c / groups, og = oc / groups;
  DL_FOR(i, n * oc * oh * ow) {
    int64_t ox = i % ow, oy = i / ow % oh, o = i / (ow * oh) % oc,
            b = i / (ow * oh * oc), g = o / og;
    float acc = 0.0f;
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t ky = 0; ky < kh; ++ky) {
        int64_t iy = oy * sh - pt + ky * dh;
        if (iy < 0 || iy >= h)
          continue;
        for (int64_t kx = 0; kx < kw; ++kx) {
          int64_t ix = ox * sw - pl + kx * dw;
          if (ix < 0 || ix >= w)
            continue;
          acc += x[((b * c + g * cg + ci) * h + iy) * w + ix] *
                 wt[((o * cg + ci) * kh + ky) * kw + kx];
        }
      }
    y[i] = acc;
  }
}

/// Pooling with asymmetric padding; kind 0 max, 1 average (dividing by
/// kh*kw when count_include_pad, else by the in-bounds count).
__global__ void dlk_pool2d(int kind, const float *in, int64_t n, int64_t c,
                           int64_t h, int64_t w, int64_t kh, int64_t kw,
                           int64_t sh, int64_t sw, int64_t pt, int64_t pl,
                           float *out, int64_t oh, int64_t ow,
                           int count_include_pad) {
  DL_FOR(i, n * c * oh * ow) {
    int64_t ox = i % ow, oy = i / ow % oh, p = i / (oh * ow);
    const float *plane = in + p * h * w;
    float acc = kind == 0 ? -INFINITY : 0.0f;
    int64_t count = 0;
    for (int64_t ky = 0; ky < kh; ++ky) {
      int64_t iy = oy * sh - pt + ky;
      if (iy < 0 || iy >= h)
        continue;
      for (int64_t kx = 0; kx < kw; ++kx) {
        int64_t ix = ox * sw - pl + kx;
        if (ix < 0 || ix >= w)
          continue;
        float v = plane[iy * w + ix];
        acc = kind == 0 ? fmaxf(acc, v) : acc + v;
        ++count;
      }
    }
    if (kind != 0)
      acc /= static_cast<float>(count_include_pad ? kh * kw
                                                  : (count ? count : 1));
    out[i] = acc;
  }
}

/// One thread per (n, c) plane.
__global__ void dlk_global_avg_pool(const float *in, int64_t planes,
                                    int64_t hw, float *out) {
  DL_FOR(p, planes) {
    float s = 0.0f;
    for (int64_t i = 0; i < hw; ++i)
      s += in[p * hw + i];
    out[p] = s / static_cast<float>(hw);
  }
}

__global__ void dlk_batch_norm(const float *in, int64_t n, int64_t c,
                               int64_t hw, const float *scale,
                               const float *shift, const float *mean,
                               const float *var, float eps, float *out) {
  DL_FOR(i, n * c * hw) {
    int64_t ch = i / hw % c;
    out[i] = (in[i] - mean[ch]) / sqrtf(var[ch] + eps) * scale[ch] +
             shift[ch];
  }
}

/// Softmax over the middle axis of [outer, len, inner]; one thread per
/// (outer, inner) pair.
__global__ void dlk_softmax(const float *in, int64_t outer, int64_t len,
                            int64_t inner, float *out) {
  DL_FOR(i, outer * inner) {
    int64_t base = i / inner * len * inner + i % inner;
    float m = -INFINITY;
    for (int64_t a = 0; a < len; ++a)
      m = fmaxf(m, in[base + a * inner]);
    float s = 0.0f;
    for (int64_t a = 0; a < len; ++a)
      s += expf(in[base + a * inner] - m);
    for (int64_t a = 0; a < len; ++a)
      out[base + a * inner] = expf(in[base + a * inner] - m) / s;
  }
}

/// Cell update of n x units LSTM units (PyTorch gate order i, f, g, o);
/// gate row b starts ld floats after row b-1; c is updated in place.
__global__ void dlk_lstm_cell(const float *gi, const float *gf,
                              const float *gg, const float *go, int64_t ld,
                              float *c, float *h, int64_t n, int64_t units) {
  DL_FOR(i, n * units) {
    int64_t g = i / units * ld + i % units;
    float ig = 1.0f / (1.0f + expf(-gi[g])), fg = 1.0f / (1.0f + expf(-gf[g]));
    float og = 1.0f / (1.0f + expf(-go[g])), cand = tanhf(gg[g]);
    float cn = fg * c[i] + ig * cand;
    c[i] = cn;
    h[i] = og * tanhf(cn);
  }
}

/// Shapes and offsets of a box copy, passed by value (rank <= 8).
struct DlBox {
  int64_t src_shape[8], src_off[8], dst_shape[8], dst_off[8], box[8];
  int rank;
};

__global__ void dlk_copy_box(const float *src, float *dst, DlBox b,
                             int64_t total) {
  DL_FOR(i, total) {
    int64_t rem = i, s = 0, d = 0, ss = 1, ds = 1;
    for (int k = b.rank - 1; k >= 0; --k) {
      int64_t idx = rem % b.box[k];
      rem /= b.box[k];
      s += (idx + b.src_off[k]) * ss;
      d += (idx + b.dst_off[k]) * ds;
      ss *= b.src_shape[k];
      ds *= b.dst_shape[k];
    }
    dst[d] = src[s];
  }
}

//===--- dlg_*: the dlrt kernel ABI on device pointers -------------------===//

void dlg_fill(float *out, int64_t n, float value) {
  dlk_fill<<<dl_blocks(n), kThreads>>>(out, n, value);
  dl_check_launch();
}

#ifdef DL_USE_CUDNN
/// A [n, c, h, w] float tensor descriptor, made once per shape and kept
/// for the program's life (a layer runs with the same shapes every time).
cudnnTensorDescriptor_t dl_tensor_desc(int64_t n, int64_t c, int64_t h,
                                       int64_t w) {
  if (n > INT32_MAX || c > INT32_MAX || h > INT32_MAX || w > INT32_MAX)
    dl_fail("tensor too large for a cuDNN descriptor");
  static std::map<std::array<int64_t, 4>, cudnnTensorDescriptor_t> cache;
  cudnnTensorDescriptor_t &d = cache[{n, c, h, w}];
  if (!d) {
    DL_CUDNN(cudnnCreateTensorDescriptor(&d));
    DL_CUDNN(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW,
                                        CUDNN_DATA_FLOAT, int(n), int(c),
                                        int(h), int(w)));
  }
  return d;
}

/// out = activation(in) over n floats through cuDNN.
void dl_cudnn_activation(cudnnActivationMode_t mode, const float *in,
                         float *out, int64_t n) {
  cudnnTensorDescriptor_t t = dl_tensor_desc(1, 1, 1, n);
  static std::map<int, cudnnActivationDescriptor_t> cache;
  cudnnActivationDescriptor_t &a = cache[int(mode)];
  if (!a) {
    DL_CUDNN(cudnnCreateActivationDescriptor(&a));
    DL_CUDNN(cudnnSetActivationDescriptor(a, mode, CUDNN_PROPAGATE_NAN, 0.0));
  }
  float one = 1.0f, zero = 0.0f;
  DL_CUDNN(cudnnActivationForward(g_cudnn, a, &one, t, in, &zero, t, out));
}

/// A convolution's cuDNN descriptors, algorithm and workspace size, chosen
/// once per distinct convolution (cuDNN's heuristics, deterministic) and
/// kept for the program's life.
struct DlConvPlan {
  cudnnTensorDescriptor_t xd = nullptr, yd = nullptr;
  cudnnFilterDescriptor_t wd = nullptr;
  cudnnConvolutionDescriptor_t cd = nullptr;
  cudnnConvolutionFwdAlgo_t algo{};
  size_t workspace = 0;
};
#endif

/// dlg_<op>: cuDNN's activation `mode` when available, else dlk_<op>.
#ifdef DL_USE_CUDNN
#define DL_TRY_CUDNN_ACTIVATION(mode)                                          \
  if (n > 0 && n <= INT32_MAX)                                                 \
    return dl_cudnn_activation(mode, in, out, n);
#else
#define DL_TRY_CUDNN_ACTIVATION(mode)
#endif
#define DL_ACTIVATION(op, mode)                                                \
  void dlg_##op(const float *in, float *out, int64_t n) {                      \
    DL_TRY_CUDNN_ACTIVATION(mode)                                              \
    dlk_##op<<<dl_blocks(n), kThreads>>>(in, out, n);                          \
    dl_check_launch();                                                         \
  }
DL_ACTIVATION(relu, CUDNN_ACTIVATION_RELU)
DL_ACTIVATION(sigmoid, CUDNN_ACTIVATION_SIGMOID)
DL_ACTIVATION(tanh, CUDNN_ACTIVATION_TANH)

void dlg_gelu(const float *in, float *out, int64_t n) {
  dlk_gelu<<<dl_blocks(n), kThreads>>>(in, out, n);
  dl_check_launch();
}

void dlg_clip(const float *in, float *out, int64_t n, float lo, float hi) {
  dlk_clip<<<dl_blocks(n), kThreads>>>(in, out, n, lo, hi);
  dl_check_launch();
}

void dlg_add(const float *a, const float *b, float *out, int64_t n) {
  dlk_add<<<dl_blocks(n), kThreads>>>(a, b, out, n);
  dl_check_launch();
}

void dlg_mul(const float *a, const float *b, float *out, int64_t n) {
  dlk_mul<<<dl_blocks(n), kThreads>>>(a, b, out, n);
  dl_check_launch();
}

void dl_bias_act(float *y, const float *bias, int64_t rows, int64_t channels,
                 int64_t inner, int act) {
  if (!bias && !act)
    return;
  dlk_bias_act<<<dl_blocks(rows * channels * inner), kThreads>>>(
      y, bias, rows, channels, inner, act);
  dl_check_launch();
}

/// Row-major c[m,n] = a[m,k] * b[n,k]^T + beta * c. cuBLAS is column-major:
/// it computes c^T[n,m] = b[n,k] * a^T[k,m], with b read transposed.
void dl_gemm_nt(const float *a, int64_t m, int64_t k, const float *b,
                int64_t n, float *c, float beta) {
  float one = 1.0f;
  DL_CUBLAS(cublasSgemm(g_cublas, CUBLAS_OP_T, CUBLAS_OP_N, int(n), int(m),
                        int(k), &one, b, int(k), a, int(k), &beta, c, int(n)));
}

void dlg_dense(const float *x, int64_t m, int64_t k, const float *w,
               const float *bias, int64_t n, float *y) {
  dl_gemm_nt(x, m, k, w, n, y, 0.0f);
  dl_bias_act(y, bias, m, n, 1, 0);
}

/// Row-major y[m,n] = a[m,k] * b[k,n]: column-major y^T = b^T * a^T.
void dlg_matmul(const float *a, int64_t m, int64_t k, const float *b,
                int64_t n, float *y) {
  float one = 1.0f, zero = 0.0f;
  DL_CUBLAS(cublasSgemm(g_cublas, CUBLAS_OP_N, CUBLAS_OP_N, int(n), int(m),
                        int(k), &one, b, int(n), a, int(k), &zero, y, int(n)));
}

void dlg_matmul_batched(const float *a, int64_t batch, int64_t m, int64_t k,
                        const float *b, int b_batched, int64_t n, float *y) {
  float one = 1.0f, zero = 0.0f;
  DL_CUBLAS(cublasSgemmStridedBatched(
      g_cublas, CUBLAS_OP_N, CUBLAS_OP_N, int(n), int(m), int(k), &one, b,
      int(n), b_batched ? k * n : 0, a, int(k), m * k, &zero, y, int(n),
      m * n, int(batch)));
}

void dlg_conv2d(const float *in, int64_t n, int64_t c, int64_t h, int64_t w,
                const float *weight, const float *bias, int64_t oc, int64_t kh,
                int64_t kw, int64_t sh, int64_t sw, int64_t pad_t,
                int64_t pad_l, int64_t pad_b, int64_t pad_r, int64_t dh,
                int64_t dw, int64_t groups, int act, float *out, int64_t oh,
                int64_t ow) {
  // cuDNN pads symmetrically: asymmetric padding is materialized first.
  const float *x = in;
  float *padded = nullptr;
  int64_t xh = h, xw = w, ph = pad_t, pw = pad_l;
  if (pad_t != pad_b || pad_l != pad_r) {
    xh = h + pad_t + pad_b;
    xw = w + pad_l + pad_r;
    padded = dl_scratch(n * c * xh * xw);
    dlk_pad<<<dl_blocks(n * c * xh * xw), kThreads>>>(in, n * c, h, w, pad_t,
                                                        pad_l, xh, xw, padded);
    dl_check_launch();
    x = padded;
    ph = pw = 0;
  }
#ifdef DL_USE_CUDNN
  static std::map<std::array<int64_t, 14>, DlConvPlan> plans;
  DlConvPlan &plan =
      plans[{n, c, xh, xw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups}];
  if (!plan.cd) {
    plan.xd = dl_tensor_desc(n, c, xh, xw);
    plan.yd = dl_tensor_desc(n, oc, oh, ow);
    DL_CUDNN(cudnnCreateFilterDescriptor(&plan.wd));
    DL_CUDNN(cudnnSetFilter4dDescriptor(plan.wd, CUDNN_DATA_FLOAT,
                                        CUDNN_TENSOR_NCHW, int(oc),
                                        int(c / groups), int(kh), int(kw)));
    DL_CUDNN(cudnnCreateConvolutionDescriptor(&plan.cd));
    DL_CUDNN(cudnnSetConvolution2dDescriptor(plan.cd, int(ph), int(pw),
                                             int(sh), int(sw), int(dh),
                                             int(dw), CUDNN_CROSS_CORRELATION,
                                             CUDNN_DATA_FLOAT));
    DL_CUDNN(cudnnSetConvolutionGroupCount(plan.cd, int(groups)));
    // Plain FP32 (no TF32) so that results match the CPU programs.
    DL_CUDNN(cudnnSetConvolutionMathType(plan.cd, CUDNN_FMA_MATH));
    int dims[4];
    DL_CUDNN(cudnnGetConvolution2dForwardOutputDim(
        plan.cd, plan.xd, plan.wd, &dims[0], &dims[1], &dims[2], &dims[3]));
    if (dims[2] != oh || dims[3] != ow)
      dl_fail("conv2d: cuDNN output %dx%d, expected %lldx%lld", dims[2],
              dims[3], static_cast<long long>(oh),
              static_cast<long long>(ow));
    cudnnConvolutionFwdAlgoPerf_t perf[8];
    int found = 0;
    DL_CUDNN(cudnnGetConvolutionForwardAlgorithm_v7(
        g_cudnn, plan.xd, plan.wd, plan.cd, plan.yd, 8, &found, perf));
    int pick = 0;
    while (pick < found && perf[pick].status != CUDNN_STATUS_SUCCESS)
      ++pick;
    if (pick == found)
      dl_fail("conv2d: cuDNN has no forward algorithm for this convolution");
    plan.algo = perf[pick].algo;
    DL_CUDNN(cudnnGetConvolutionForwardWorkspaceSize(
        g_cudnn, plan.xd, plan.wd, plan.cd, plan.yd, plan.algo,
        &plan.workspace));
  }
  void *workspace =
      plan.workspace ? dl_block_alloc(plan.workspace) : nullptr;
  float one = 1.0f, zero = 0.0f;
  DL_CUDNN(cudnnConvolutionForward(g_cudnn, &one, plan.xd, x, plan.wd, weight,
                                   plan.cd, plan.algo, workspace,
                                   plan.workspace, &zero, plan.yd, out));
  dl_block_free(workspace);
#else
  dlk_conv2d<<<dl_blocks(n * oc * oh * ow), kThreads>>>(
      x, n, c, xh, xw, weight, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups, out,
      oh, ow);
  dl_check_launch();
#endif
  dl_bias_act(out, bias, n, oc, oh * ow, act);
  if (padded)
    dl_scratch_free(padded);
}

void dlg_pool2d(int kind, const float *in, int64_t n, int64_t c, int64_t h,
                int64_t w, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                int64_t pad_t, int64_t pad_l, int64_t pad_b, int64_t pad_r,
                float *out, int64_t oh, int64_t ow, int count_include_pad) {
#ifdef DL_USE_CUDNN
  // cuDNN pools with symmetric padding only (same divisors as ours).
  if (pad_t == pad_b && pad_l == pad_r) {
    cudnnTensorDescriptor_t xd = dl_tensor_desc(n, c, h, w);
    cudnnTensorDescriptor_t yd = dl_tensor_desc(n, c, oh, ow);
    static std::map<std::array<int64_t, 8>, cudnnPoolingDescriptor_t> cache;
    cudnnPoolingDescriptor_t &pd =
        cache[{kind, count_include_pad, kh, kw, pad_t, pad_l, sh, sw}];
    if (!pd) {
      DL_CUDNN(cudnnCreatePoolingDescriptor(&pd));
      DL_CUDNN(cudnnSetPooling2dDescriptor(
          pd,
          kind == 0 ? CUDNN_POOLING_MAX
          : count_include_pad ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                              : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING,
          CUDNN_PROPAGATE_NAN, int(kh), int(kw), int(pad_t), int(pad_l),
          int(sh), int(sw)));
    }
    float one = 1.0f, zero = 0.0f;
    DL_CUDNN(cudnnPoolingForward(g_cudnn, pd, &one, xd, in, &zero, yd, out));
    return;
  }
#endif
  dlk_pool2d<<<dl_blocks(n * c * oh * ow), kThreads>>>(
      kind, in, n, c, h, w, kh, kw, sh, sw, pad_t, pad_l, out, oh, ow,
      count_include_pad);
  dl_check_launch();
}

void dlg_global_avg_pool(const float *in, int64_t n, int64_t c, int64_t h,
                         int64_t w, float *out) {
  dlk_global_avg_pool<<<dl_blocks(n * c), kThreads>>>(in, n * c, h * w, out);
  dl_check_launch();
}

void dlg_batch_norm(const float *in, int64_t n, int64_t c, int64_t h,
                    int64_t w, const float *scale, const float *shift,
                    const float *mean, const float *var, float eps,
                    float *out) {
  dlk_batch_norm<<<dl_blocks(n * c * h * w), kThreads>>>(
      in, n, c, h * w, scale, shift, mean, var, eps, out);
  dl_check_launch();
}

void dlg_softmax(const float *in, int64_t outer, int64_t axis_len,
                 int64_t inner, float *out) {
  if (outer == 0 || axis_len == 0 || inner == 0)
    return;
#ifdef DL_USE_CUDNN
  if (outer <= INT32_MAX && axis_len <= INT32_MAX && inner <= INT32_MAX) {
    // [outer, axis_len, inner, 1]: CHANNEL mode normalizes over dim 1.
    cudnnTensorDescriptor_t d = dl_tensor_desc(outer, axis_len, inner, 1);
    float one = 1.0f, zero = 0.0f;
    DL_CUDNN(cudnnSoftmaxForward(g_cudnn, CUDNN_SOFTMAX_ACCURATE,
                                 CUDNN_SOFTMAX_MODE_CHANNEL, &one, d, in,
                                 &zero, d, out));
    return;
  }
#endif
  dlk_softmax<<<dl_blocks(outer * inner), kThreads>>>(in, outer, axis_len,
                                                       inner, out);
  dl_check_launch();
}

void dlg_copy_box(const float *src, const int64_t *src_shape,
                  const int64_t *src_offsets, float *dst,
                  const int64_t *dst_shape, const int64_t *dst_offsets,
                  const int64_t *box_shape, int rank) {
  if (rank > 8)
    dl_fail("copy_box: rank %d > 8", rank);
  DlBox b{};
  b.rank = rank;
  int64_t total = 1;
  for (int k = 0; k < rank; ++k) {
    b.src_shape[k] = src_shape[k];
    b.src_off[k] = src_offsets[k];
    b.dst_shape[k] = dst_shape[k];
    b.dst_off[k] = dst_offsets[k];
    b.box[k] = box_shape[k];
    total *= box_shape[k];
  }
  if (total == 0)
    return;
  dlk_copy_box<<<dl_blocks(total), kThreads>>>(src, dst, b, total);
  dl_check_launch();
}

void dlg_lstm_cell(const float *gi, const float *gf, const float *gg,
                   const float *go, int64_t ld_gates, float *c, float *h_out,
                   int64_t n, int64_t units) {
  dlk_lstm_cell<<<dl_blocks(n * units), kThreads>>>(gi, gf, gg, go, ld_gates,
                                                     c, h_out, n, units);
  dl_check_launch();
}

void dlg_lstm_gates(const float *x_t, const float *h, int64_t n, int64_t xdim,
                    int64_t hidden, const float *w_ih_rows,
                    const float *w_hh_rows, const float *b_rows, int64_t rows,
                    float *out) {
  dl_gemm_nt(x_t, n, xdim, w_ih_rows, rows, out, 0.0f);
  if (h)
    dl_gemm_nt(h, n, hidden, w_hh_rows, rows, out, 1.0f);
  dl_bias_act(out, b_rows, n, rows, 1, 0);
}

void dlg_lstm(const float *x, int64_t t, int64_t n, int64_t xdim,
              const float *w_ih, const float *w_hh, const float *bias,
              int64_t hidden, float *y) {
  int64_t g4 = 4 * hidden;
  // The input contributions of all steps in one GEMM, then per step the
  // recurrent GEMM (accumulated) and the cell update into y[s].
  float *gates = dl_scratch(t * n * g4), *c = dl_scratch(n * hidden);
  dlg_fill(c, n * hidden, 0.0f);
  dl_gemm_nt(x, t * n, xdim, w_ih, g4, gates, 0.0f);
  dl_bias_act(gates, bias, t * n, g4, 1, 0);
  for (int64_t s = 0; s < t; ++s) {
    float *gs = gates + s * n * g4;
    if (s > 0)
      dl_gemm_nt(y + (s - 1) * n * hidden, n, hidden, w_hh, g4, gs, 1.0f);
    dlg_lstm_cell(gs, gs + hidden, gs + 2 * hidden, gs + 3 * hidden, g4, c,
                  y + s * n * hidden, n, hidden);
  }
  dl_scratch_free(gates);
  dl_scratch_free(c);
}
)cu";

/// Emits the CUDA program of one device function.
class CUDAEmitter : public DeviceEmitter {
public:
  CUDAEmitter(func::FuncOp func, int64_t device,
              const CUDATargetOptions &options)
      : DeviceEmitter(func, device), options(options) {
    // The GPU and the library handles are set up before the first run.
    setup << "  dl_gpu_init();\n";
  }

protected:
  StringRef targetName() const override { return "CUDA"; }
  std::string kernel(StringRef name) const override {
    return ("dlg_" + name).str();
  }
  StringRef allocFn() const override { return "dl_dev_alloc"; }
  StringRef freeFn() const override { return "dl_dev_free"; }
  void emitCopy(StringRef dst, StringRef src, int64_t n) override {
    body << "  dl_dev_copy(" << dst << ", " << src << ", " << n << ");\n";
  }
  bool deviceResident() const override { return true; }
  void emitHeader(raw_ostream &os) override;
  void emitTargetPrelude(raw_ostream &os) override { os << kCudaPrelude; }
  LogicalResult emitComm(Operation *op) override;

private:
  /// Whether every member of `group` runs a CUDA program.
  bool allGpu(ArrayRef<int64_t> group) const;
  /// Emits the NCCL call of `op` if it has one, returning false otherwise.
  bool emitNccl(Operation *op, StringRef in, StringRef out);

  const CUDATargetOptions &options;
  unsigned stageCounter = 0;
};

void CUDAEmitter::emitHeader(raw_ostream &os) {
  os << "// CUDA program of device " << device << " (MPI rank " << device
     << "), emitted by dl from @" << func.getSymName() << ".\n"
     << "// Build: nvcc -O3 -std=c++17 -I<dl>/include rank" << device
     << ".cu -L<dl>/lib -ldlrt -lcublas -lcudnn\n"
     << "//        (-DDL_USE_NCCL -ldlrt_nccl -lnccl: NCCL collectives; "
        "-DDL_NO_CUDNN: own kernels only)\n"
     << "// Run:   see --help and docs/codegen.md.\n\n"
     << "#include \"dlrt/dlrt.h\"\n"
     << "#ifdef DL_USE_NCCL\n#include \"dlrt/dlrt_nccl.h\"\n#endif\n\n"
     << "#include <cublas_v2.h>\n#include <cuda_runtime.h>\n"
     << "#if !defined(DL_NO_CUDNN) && __has_include(<cudnn.h>)\n"
     << "#define DL_USE_CUDNN 1\n#include <cudnn.h>\n#endif\n\n"
     << "#include <array>\n#include <map>\n#include <unordered_map>\n";
  emitStdIncludes(os);
}

bool CUDAEmitter::allGpu(ArrayRef<int64_t> group) const {
  if (!options.gpuDevices)
    return true;
  return llvm::all_of(group, [&](int64_t r) {
    return llvm::is_contained(*options.gpuDevices, r);
  });
}

bool CUDAEmitter::emitNccl(Operation *op, StringRef in, StringRef out) {
  auto elements = [](Value v) {
    return product(cast<RankedTensorType>(v.getType()).getShape());
  };
  std::string call;
  llvm::raw_string_ostream os(call);
  ArrayRef<int64_t> group;
  std::string name = "nccl_group" + std::to_string(stageCounter);
  if (auto reduce = dyn_cast<AllReduceOp>(op)) {
    group = reduce.getGroup();
    os << "dlrt_nccl_all_reduce_sum(" << in << ", " << out << ", "
       << elements(reduce.getInput()) << ", ";
  } else if (auto bcast = dyn_cast<BroadcastOp>(op)) {
    group = bcast.getGroup();
    os << "dlrt_nccl_broadcast(" << in << ", " << out << ", "
       << elements(bcast.getInput()) << ", /*root=*/"
       << bcast.getRootAttr().getInt() << ", ";
  } else if (auto gather = dyn_cast<AllGatherOp>(op)) {
    // NCCL concatenates equal flat chunks in group order: the gather must
    // be along the outermost non-unit dimension with equal sizes.
    group = gather.getGroup();
    auto shape = cast<RankedTensorType>(gather.getInput().getType()).getShape();
    int64_t dim = gather.getDimAttr().getInt();
    ArrayRef<int64_t> sizes = gather.getSizes();
    if (dim < 0 || dim >= static_cast<int64_t>(shape.size()) ||
        product(shape.take_front(dim)) != 1 || sizes.empty() ||
        !llvm::all_equal(sizes))
      return false;
    os << "dlrt_nccl_all_gather(" << in << ", " << out << ", "
       << elements(gather.getInput()) << ", ";
  } else {
    return false;
  }
  os << name << ", " << group.size() << ")";
  if (!allGpu(group))
    return false;
  // The NCCL call returns 0 when the group cannot use NCCL (members share
  // a GPU): the staging block that follows runs then.
  body << "#ifdef DL_USE_NCCL\n";
  emitIntArray(body, name, group);
  body << "  if (!" << call << ")\n#endif\n  {\n";
  return true;
}

LogicalResult CUDAEmitter::emitComm(Operation *op) {
  // The result buffer; all_reduce and broadcast may reuse a dying input.
  Value input = op->getNumOperands() == 1 ? op->getOperand(0) : Value();
  Value result = op->getNumResults() == 1 ? op->getResult(0) : Value();
  std::string in = input ? ptr(input) : "", out;
  if (result) {
    if (isa<AllReduceOp, BroadcastOp>(op) && tryReuse(op, input, result))
      out = ptr(result);
    else
      out = allocate(result);
  }
  beginOp(op);
  bool nccl = emitNccl(op, in, out);
  // Host staging around the dlrt MPI call.
  std::string id = std::to_string(stageCounter++);
  std::string hostIn, hostOut;
  int64_t nIn = input ? values.lookup(input).numElements : 0;
  int64_t nOut = result ? values.lookup(result).numElements : 0;
  if (input) {
    hostIn = "h_in" + id;
    body << "  float *" << hostIn << " = dl_alloc(" << nIn << ");\n"
         << "  dl_copy_out(" << hostIn << ", " << in << ", " << nIn << ");\n";
  }
  if (isa<AllReduceOp, BroadcastOp>(op)) {
    hostOut = hostIn; // in place on the host copy
  } else if (result) {
    hostOut = "h_out" + id;
    body << "  float *" << hostOut << " = dl_alloc(" << nOut << ");\n";
  }
  if (failed(emitCommCall(op, hostIn, hostOut)))
    return failure();
  if (result)
    body << "  dl_copy_in(" << out << ", " << hostOut << ", " << nOut
         << ");\n";
  if (input)
    body << "  dl_free(" << hostIn << ", " << nIn << ");\n";
  if (result && hostOut != hostIn)
    body << "  dl_free(" << hostOut << ", " << nOut << ");\n";
  if (nccl)
    body << "  }\n";
  endOp();
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

LogicalResult mlir::dl::translateDeviceToCUDA(func::FuncOp func,
                                              raw_ostream &os,
                                              const CUDATargetOptions &options) {
  FailureOr<int64_t> device = getEmittedDevice(func);
  if (failed(device))
    return failure();
  CUDAEmitter emitter(func, *device, options);
  return emitter.emit(os);
}

std::optional<SmallVector<int64_t>> mlir::dl::getGpuDevices(ModuleOp module) {
  auto cluster = module->getAttrOfType<ClusterAttr>(DLDialect::kClusterAttrName);
  if (!cluster)
    return std::nullopt;
  SmallVector<int64_t> gpus;
  for (auto [i, d] : llvm::enumerate(cluster.getDevices()))
    if (d.getKind() == DeviceKind::gpu)
      gpus.push_back(i);
  return gpus;
}

LogicalResult mlir::dl::translateModuleToCUDA(ModuleOp module, raw_ostream &os,
                                              std::optional<int64_t> device) {
  CUDATargetOptions options;
  options.gpuDevices = getGpuDevices(module);
  return target::translateModuleWith(
      module, os, device,
      [&](func::FuncOp func, int64_t, raw_ostream &os) {
        return translateDeviceToCUDA(func, os, options);
      });
}

bool mlir::dl::isCUDAEnabled() { return DL_ENABLE_CUDA; }

LogicalResult mlir::dl::emitRankSources(ModuleOp module, StringRef dir,
                                        SmallVectorImpl<std::string> &files) {
  CUDATargetOptions options;
  options.gpuDevices = getGpuDevices(module);
  SmallVector<int64_t> gpus;
  if (options.gpuDevices && isCUDAEnabled())
    gpus = *options.gpuDevices;
  return target::emitDeviceSourcesWith(
      module, dir, files,
      [&](func::FuncOp func, int64_t k,
          raw_ostream &os) -> FailureOr<StringRef> {
        if (llvm::is_contained(gpus, k)) {
          if (failed(translateDeviceToCUDA(func, os, options)))
            return failure();
          return StringRef(".cu");
        }
        if (failed(translateDeviceToCpp(func, os)))
          return failure();
        return StringRef(".cpp");
      });
}

void mlir::dl::registerToCUDATranslation() {
  target::getDeviceOption(); // registers --dl-device
  TranslateFromMLIRRegistration reg(
      "dl-to-cuda",
      "translate dl device functions to CUDA programs (cuBLAS, cuDNN, NCCL)",
      [](ModuleOp module, raw_ostream &os) {
        return translateModuleToCUDA(module, os, target::getDeviceOption());
      },
      [](DialectRegistry &registry) { registerDLDialects(registry); });
}
