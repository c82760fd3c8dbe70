//===- Training.cpp - Backward kernels and the training loop ---*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The kernels of training steps (convolution, pooling and ReLU backward
/// through oneDNN primitives cached by their parameters, dense backward
/// OpenBLAS GEMMs, softmax cross-entropy, SGD and Adam updates) and
/// dlrt_train_main, the loop that generated training programs call:
/// datasets (IDX, gzipped or not, and .npy), deterministic shuffling, the
/// per-rank slice of each global batch, evaluation, checkpoints with
/// resume, and the progress bar.
///
//===----------------------------------------------------------------------===//

#include "Format.h"
#include "Internal.h"
#include "TrainCommon.h"
#include "dlrt/dlrt.h"

#include <algorithm>
#include <cblas.h>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mpi.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>
#include <zlib.h>

using namespace dlrt::detail;
using namespace dlrt::train;

//===----------------------------------------------------------------------===//
// oneDNN backward primitives
//===----------------------------------------------------------------------===//

namespace {

using dnnl::memory;
using Tag = dnnl::memory::format_tag;

memory::desc md(const memory::dims &dims, Tag tag) {
  return memory::desc(dims, memory::data_type::f32, tag);
}

/// A backward primitive on plain (NCHW / OIHW / GOIHW) tensors. For max
/// pooling, `forward` is the training forward that produces the workspace
/// the backward reads.
struct BwdEntry {
  dnnl::primitive prim;
  std::vector<std::pair<int, memory::desc>> args;
  dnnl::primitive forward;
  memory::desc src, dst, workspace;
};

/// Backward primitives, keyed by operation and parameters.
BwdEntry &bwdEntry(const std::string &key,
                   const std::function<BwdEntry()> &create) {
  static std::unordered_map<std::string, BwdEntry> cache;
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  return cache.emplace(key, create()).first->second;
}

std::string bwdKey(const char *op, std::initializer_list<int64_t> params) {
  std::string k = op;
  for (int64_t p : params)
    k += ':' + std::to_string(p);
  return k;
}

/// Runs `e` with the given argument pointers (same order as e.args; a null
/// pointer skips the argument) plus `extra`.
void runBwd(BwdEntry &e, std::initializer_list<const void *> ptrs,
            std::unordered_map<int, memory> extra = {}) {
  dnnl::engine &eng = kernelsEngine();
  size_t i = 0;
  for (const void *p : ptrs) {
    const auto &a = e.args[i++];
    if (p)
      extra.emplace(a.first, memory(a.second, eng, const_cast<void *>(p)));
  }
  e.prim.execute(kernelsStream(), extra);
  kernelsStream().wait();
}

/// The oneDNN descriptors of one convolution (plain layouts).
struct ConvDescs {
  memory::desc src, wei, bias, dst;
  memory::dims strides, dil, padL, padR;

  /// The training forward that the backward primitive descriptors take as
  /// their hint.
  dnnl::convolution_forward::primitive_desc hint(bool withBias) const {
    auto prop = dnnl::prop_kind::forward_training;
    auto alg = dnnl::algorithm::convolution_direct;
    auto d = withBias ? dnnl::convolution_forward::desc(prop, alg, src, wei,
                                                        bias, dst, strides,
                                                        dil, padL, padR)
                      : dnnl::convolution_forward::desc(prop, alg, src, wei,
                                                        dst, strides, dil,
                                                        padL, padR);
    return dnnl::convolution_forward::primitive_desc(d, kernelsEngine());
  }
};

ConvDescs convDescs(const char *what, int64_t n, int64_t c, int64_t h,
                    int64_t w, int64_t oc, int64_t oh, int64_t ow, int64_t kh,
                    int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                    int64_t pl, int64_t pb, int64_t pr, int64_t dh,
                    int64_t dw, int64_t groups) {
  if (groups < 1 || c % groups || oc % groups || sh < 1 || sw < 1 ||
      dh < 1 || dw < 1)
    fatal("%s: invalid groups/strides/dilations", what);
  int64_t eh = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
  int64_t ew = (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
  if (eh != oh || ew != ow)
    fatal("%s: output %lldx%lld does not match the input %lldx%lld "
          "(expected %lldx%lld)",
          what, (long long)oh, (long long)ow, (long long)h, (long long)w,
          (long long)eh, (long long)ew);
  ConvDescs d;
  d.src = md({n, c, h, w}, Tag::nchw);
  d.wei = groups > 1 ? md({groups, oc / groups, c / groups, kh, kw},
                          Tag::goihw)
                     : md({oc, c, kh, kw}, Tag::oihw);
  d.bias = md({oc}, Tag::a);
  d.dst = md({n, oc, oh, ow}, Tag::nchw);
  // oneDNN counts dilation from 0 (0 = dense).
  d.strides = {sh, sw};
  d.dil = {dh - 1, dw - 1};
  d.padL = {pt, pl};
  d.padR = {pb, pr};
  return d;
}

} // namespace

//===----------------------------------------------------------------------===//
// Convolution backward
//===----------------------------------------------------------------------===//

void dlrt_conv2d_backward_data(const float *dy, int64_t n, int64_t oc,
                               int64_t oh, int64_t ow, const float *weight,
                               int64_t c, int64_t kh, int64_t kw,
                               int64_t stride_h, int64_t stride_w,
                               int64_t pad_t, int64_t pad_l, int64_t pad_b,
                               int64_t pad_r, int64_t dil_h, int64_t dil_w,
                               int64_t groups, float *dx, int64_t h,
                               int64_t w) {
  ConvDescs d = convDescs("conv2d_backward_data", n, c, h, w, oc, oh, ow, kh,
                          kw, stride_h, stride_w, pad_t, pad_l, pad_b, pad_r,
                          dil_h, dil_w, groups);
  if (n * c * h * w == 0)
    return;
  if (oc == 0 || oh <= 0 || ow <= 0) {
    std::memset(dx, 0, sizeof(float) * n * c * h * w);
    return;
  }
  try {
    std::string key =
        bwdKey("conv2d_bwd_data",
               {n, c, h, w, oc, kh, kw, stride_h, stride_w, pad_t, pad_l,
                pad_b, pad_r, dil_h, dil_w, groups, oh, ow});
    BwdEntry &e = bwdEntry(key, [&] {
      dnnl::convolution_backward_data::primitive_desc pd(
          dnnl::convolution_backward_data::desc(
              dnnl::algorithm::convolution_direct, d.src, d.wei, d.dst,
              d.strides, d.dil, d.padL, d.padR),
          kernelsEngine(), d.hint(false));
      return BwdEntry{dnnl::convolution_backward_data(pd),
                      {{DNNL_ARG_DIFF_DST, d.dst},
                       {DNNL_ARG_WEIGHTS, d.wei},
                       {DNNL_ARG_DIFF_SRC, d.src}},
                      {},
                      {},
                      {},
                      {}};
    });
    runBwd(e, {dy, weight, dx});
  } catch (const dnnl::error &err) {
    fatal("conv2d_backward_data: oneDNN error: %s", err.what());
  }
}

void dlrt_conv2d_backward_weights(const float *x, int64_t n, int64_t c,
                                  int64_t h, int64_t w, const float *dy,
                                  int64_t oc, int64_t oh, int64_t ow,
                                  int64_t kh, int64_t kw, int64_t stride_h,
                                  int64_t stride_w, int64_t pad_t,
                                  int64_t pad_l, int64_t pad_b, int64_t pad_r,
                                  int64_t dil_h, int64_t dil_w, int64_t groups,
                                  float *dweight, float *dbias) {
  ConvDescs d = convDescs("conv2d_backward_weights", n, c, h, w, oc, oh, ow,
                          kh, kw, stride_h, stride_w, pad_t, pad_l, pad_b,
                          pad_r, dil_h, dil_w, groups);
  if (oc == 0)
    return;
  if (n == 0 || oh <= 0 || ow <= 0 || c == 0) {
    std::memset(dweight, 0, sizeof(float) * oc * (c / groups) * kh * kw);
    if (dbias)
      std::memset(dbias, 0, sizeof(float) * oc);
    return;
  }
  try {
    bool withBias = dbias != nullptr;
    std::string key =
        bwdKey("conv2d_bwd_weights",
               {n, c, h, w, oc, kh, kw, stride_h, stride_w, pad_t, pad_l,
                pad_b, pad_r, dil_h, dil_w, groups, oh, ow, withBias});
    BwdEntry &e = bwdEntry(key, [&] {
      auto alg = dnnl::algorithm::convolution_direct;
      auto desc = withBias ? dnnl::convolution_backward_weights::desc(
                                 alg, d.src, d.wei, d.bias, d.dst, d.strides,
                                 d.dil, d.padL, d.padR)
                           : dnnl::convolution_backward_weights::desc(
                                 alg, d.src, d.wei, d.dst, d.strides, d.dil,
                                 d.padL, d.padR);
      dnnl::convolution_backward_weights::primitive_desc pd(
          desc, kernelsEngine(), d.hint(withBias));
      return BwdEntry{dnnl::convolution_backward_weights(pd),
                      {{DNNL_ARG_SRC, d.src},
                       {DNNL_ARG_DIFF_DST, d.dst},
                       {DNNL_ARG_DIFF_WEIGHTS, d.wei},
                       {DNNL_ARG_DIFF_BIAS, d.bias}},
                      {},
                      {},
                      {},
                      {}};
    });
    runBwd(e, {x, dy, dweight, dbias});
  } catch (const dnnl::error &err) {
    fatal("conv2d_backward_weights: oneDNN error: %s", err.what());
  }
}

//===----------------------------------------------------------------------===//
// Dense, ReLU, pooling
//===----------------------------------------------------------------------===//

void dlrt_dense_backward_data(const float *dy, int64_t m, int64_t n,
                              const float *weight, int64_t k, float *dx) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, k, n, 1.f, dy, n,
              weight, k, 0.f, dx, k);
}

void dlrt_dense_backward_weights(const float *x, int64_t m, int64_t k,
                                 const float *dy, int64_t n, float *dweight,
                                 float *dbias) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, k, m, 1.f, dy, n,
              x, k, 0.f, dweight, k);
  if (!dbias)
    return;
  for (int64_t j = 0; j < n; ++j) {
    double s = 0;
    for (int64_t i = 0; i < m; ++i)
      s += dy[i * n + j];
    dbias[j] = static_cast<float>(s);
  }
}

void dlrt_relu_backward(const float *y, const float *dy, float *dx,
                        int64_t n) {
  if (n <= 0)
    return;
  try {
    BwdEntry &e = bwdEntry(bwdKey("relu_bwd", {n}), [&] {
      memory::desc d = md({n}, Tag::a);
      // The "use dst" variant takes the forward output y: dx = y > 0 ? dy : 0.
      auto alg = dnnl::algorithm::eltwise_relu_use_dst_for_bwd;
      dnnl::eltwise_forward::primitive_desc hint(
          dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training, alg,
                                      d, 0.f, 0.f),
          kernelsEngine());
      dnnl::eltwise_backward::primitive_desc pd(
          dnnl::eltwise_backward::desc(alg, d, d, 0.f, 0.f), kernelsEngine(),
          hint);
      return BwdEntry{dnnl::eltwise_backward(pd),
                      {{DNNL_ARG_DST, d},
                       {DNNL_ARG_DIFF_DST, d},
                       {DNNL_ARG_DIFF_SRC, d}},
                      {},
                      {},
                      {},
                      {}};
    });
    runBwd(e, {y, dy, dx});
  } catch (const dnnl::error &err) {
    fatal("relu_backward: oneDNN error: %s", err.what());
  }
}

void dlrt_pool2d_backward(int kind, const float *x, int64_t n, int64_t c,
                          int64_t h, int64_t w, int64_t kh, int64_t kw,
                          int64_t stride_h, int64_t stride_w, int64_t pad_t,
                          int64_t pad_l, int64_t pad_b, int64_t pad_r,
                          const float *dy, int64_t oh, int64_t ow,
                          int count_include_pad, float *dx) {
  dnnl::algorithm alg = poolAlgorithm("pool2d_backward", kind, h, w, kh, kw,
                                      stride_h, stride_w, pad_t, pad_l, pad_b,
                                      pad_r, oh, ow, count_include_pad);
  if (n * c * h * w == 0)
    return;
  try {
    std::string key = bwdKey(
        "pool2d_bwd", {kind, n, c, h, w, kh, kw, stride_h, stride_w, pad_t,
                       pad_l, pad_b, pad_r, count_include_pad != 0});
    BwdEntry &e = bwdEntry(key, [&] {
      memory::desc src = md({n, c, h, w}, Tag::nchw);
      memory::desc dst = md({n, c, oh, ow}, Tag::nchw);
      memory::dims strides{stride_h, stride_w}, kernel{kh, kw},
          padL{pad_t, pad_l}, padR{pad_b, pad_r};
      dnnl::pooling_forward::primitive_desc fwd(
          dnnl::pooling_forward::desc(dnnl::prop_kind::forward_training, alg,
                                      src, dst, strides, kernel, padL, padR),
          kernelsEngine());
      dnnl::pooling_backward::primitive_desc pd(
          dnnl::pooling_backward::desc(alg, src, dst, strides, kernel, padL,
                                       padR),
          kernelsEngine(), fwd);
      BwdEntry b{dnnl::pooling_backward(pd),
                 {{DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_DIFF_SRC, src}},
                 {},
                 src,
                 dst,
                 {}};
      // Max pooling's backward reads the argmax workspace of a training
      // forward, recomputed from x.
      if (kind == 0) {
        b.forward = dnnl::pooling_forward(fwd);
        b.workspace = fwd.workspace_desc();
      }
      return b;
    });
    std::unordered_map<int, memory> extra;
    if (kind == 0) {
      dnnl::engine &eng = kernelsEngine();
      memory ws(e.workspace, eng);
      memory out(e.dst, eng);
      e.forward.execute(
          kernelsStream(),
          {{DNNL_ARG_SRC, memory(e.src, eng, const_cast<float *>(x))},
           {DNNL_ARG_DST, out},
           {DNNL_ARG_WORKSPACE, ws}});
      extra.emplace(DNNL_ARG_WORKSPACE, ws);
    }
    runBwd(e, {dy, dx}, std::move(extra));
  } catch (const dnnl::error &err) {
    fatal("pool2d_backward: oneDNN error: %s", err.what());
  }
}

//===----------------------------------------------------------------------===//
// Other activations, softmax, matmul
//===----------------------------------------------------------------------===//

/// A oneDNN element-wise backward on n floats. `fwd` is the forward's output
/// for the *_use_dst_for_bwd algorithms (`fwdArg` DNNL_ARG_DST), else its
/// input (DNNL_ARG_SRC).
static void eltwiseBackward(const char *what, dnnl::algorithm alg, int fwdArg,
                            const float *fwd, const float *dy, float *dx,
                            int64_t n) {
  if (n <= 0)
    return;
  try {
    BwdEntry &e = bwdEntry(bwdKey(what, {n}), [&] {
      memory::desc d = md({n}, Tag::a);
      dnnl::eltwise_forward::primitive_desc hint(
          dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training, alg, d,
                                      0.f, 0.f),
          kernelsEngine());
      dnnl::eltwise_backward::primitive_desc pd(
          dnnl::eltwise_backward::desc(alg, d, d, 0.f, 0.f), kernelsEngine(),
          hint);
      return BwdEntry{
          dnnl::eltwise_backward(pd),
          {{fwdArg, d}, {DNNL_ARG_DIFF_DST, d}, {DNNL_ARG_DIFF_SRC, d}},
          {},
          {},
          {},
          {}};
    });
    runBwd(e, {fwd, dy, dx});
  } catch (const dnnl::error &err) {
    fatal("%s: oneDNN error: %s", what, err.what());
  }
}

void dlrt_sigmoid_backward(const float *y, const float *dy, float *dx,
                           int64_t n) {
  eltwiseBackward("sigmoid_backward",
                  dnnl::algorithm::eltwise_logistic_use_dst_for_bwd,
                  DNNL_ARG_DST, y, dy, dx, n);
}

void dlrt_tanh_backward(const float *y, const float *dy, float *dx, int64_t n) {
  eltwiseBackward("tanh_backward",
                  dnnl::algorithm::eltwise_tanh_use_dst_for_bwd, DNNL_ARG_DST,
                  y, dy, dx, n);
}

void dlrt_gelu_backward(const float *x, const float *dy, float *dx, int64_t n) {
  eltwiseBackward("gelu_backward", dnnl::algorithm::eltwise_gelu_erf,
                  DNNL_ARG_SRC, x, dy, dx, n);
}

void dlrt_clip_backward(const float *x, const float *dy, float *dx, int64_t n,
                        float lo, float hi) {
  // oneDNN's clip backward excludes x == lo; PyTorch's clamp (which dl.clip
  // is) passes the gradient at both bounds.
#pragma omp parallel for simd if (n > 65536)
  for (int64_t i = 0; i < n; ++i)
    dx[i] = (x[i] >= lo && x[i] <= hi) ? dy[i] : 0.f;
}

void dlrt_softmax_backward(const float *y, const float *dy, int64_t outer,
                           int64_t axis_len, int64_t inner, float *dx) {
  if (outer * axis_len * inner == 0)
    return;
  try {
    BwdEntry &e =
        bwdEntry(bwdKey("softmax_bwd", {outer, axis_len, inner}), [&] {
          memory::desc d = md({outer, axis_len, inner}, Tag::abc);
          dnnl::softmax_forward::primitive_desc hint(
              dnnl::softmax_forward::desc(dnnl::prop_kind::forward_training, d,
                                          1),
              kernelsEngine());
          dnnl::softmax_backward::primitive_desc pd(
              dnnl::softmax_backward::desc(d, d, 1), kernelsEngine(), hint);
          return BwdEntry{dnnl::softmax_backward(pd),
                          {{DNNL_ARG_DST, d},
                           {DNNL_ARG_DIFF_DST, d},
                           {DNNL_ARG_DIFF_SRC, d}},
                          {},
                          {},
                          {},
                          {}};
        });
    runBwd(e, {y, dy, dx});
  } catch (const dnnl::error &err) {
    fatal("softmax_backward: oneDNN error: %s", err.what());
  }
}

void dlrt_matmul_backward_lhs(const float *dy, int64_t batch, int64_t m,
                              int64_t n, const float *b, int64_t k, float *da) {
  for (int64_t i = 0; i < batch; ++i)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, k, n, 1.f,
                dy + i * m * n, n, b + i * k * n, n, 0.f, da + i * m * k, k);
}

void dlrt_matmul_backward_rhs(const float *a, int64_t batch, int64_t m,
                              int64_t k, const float *dy, int64_t n,
                              float *db) {
  for (int64_t i = 0; i < batch; ++i)
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, n, m, 1.f,
                a + i * m * k, k, dy + i * m * n, n, 0.f, db + i * k * n, n);
}

//===----------------------------------------------------------------------===//
// Batch normalization (training mode) and LSTM backward
//===----------------------------------------------------------------------===//

namespace {

/// oneDNN's training-mode batch normalization with scale and shift on plain
/// NCHW memory: the forward (batch mean and variance as outputs) and its
/// backward, cached by shape and epsilon.
struct BatchNormPrims {
  dnnl::batch_normalization_forward fwd;
  dnnl::batch_normalization_backward bwd;
  memory::desc data, channel;
};

BatchNormPrims &batchNormPrims(int64_t n, int64_t c, int64_t h, int64_t w,
                               float eps) {
  static std::unordered_map<std::string, BatchNormPrims> cache;
  int32_t epsBits;
  std::memcpy(&epsBits, &eps, sizeof(epsBits));
  std::string key = bwdKey("bnorm", {n, c, h, w, epsBits});
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  dnnl::engine &eng = kernelsEngine();
  memory::desc data = md({n, c, h, w}, Tag::nchw), channel = md({c}, Tag::a);
  auto flags = dnnl::normalization_flags::use_scale |
               dnnl::normalization_flags::use_shift;
  dnnl::batch_normalization_forward::primitive_desc fpd(
      dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training,
                                              data, eps, flags),
      eng);
  dnnl::batch_normalization_backward::primitive_desc bpd(
      dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, data,
                                               data, eps, flags),
      eng, fpd);
  return cache
      .emplace(key, BatchNormPrims{dnnl::batch_normalization_forward(fpd),
                                   dnnl::batch_normalization_backward(bpd),
                                   data, channel})
      .first->second;
}

/// Runs the training forward into y, mean and var (all caller-owned).
void batchNormForward(BatchNormPrims &p, const float *x, const float *scale,
                      const float *shift, float *y, float *mean, float *var) {
  dnnl::engine &eng = kernelsEngine();
  auto mem = [&](const memory::desc &d, const float *ptr) {
    return memory(d, eng, const_cast<float *>(ptr));
  };
  p.fwd.execute(kernelsStream(), {{DNNL_ARG_SRC, mem(p.data, x)},
                                  {DNNL_ARG_DST, mem(p.data, y)},
                                  {DNNL_ARG_SCALE, mem(p.channel, scale)},
                                  {DNNL_ARG_SHIFT, mem(p.channel, shift)},
                                  {DNNL_ARG_MEAN, mem(p.channel, mean)},
                                  {DNNL_ARG_VARIANCE, mem(p.channel, var)}});
  kernelsStream().wait();
}

} // namespace

void dlrt_batch_norm_train(const float *x, int64_t n, int64_t c, int64_t h,
                           int64_t w, const float *scale, const float *shift,
                           float eps, float *y) {
  if (n * c * h * w == 0)
    return;
  try {
    std::vector<float> mean(c), var(c);
    batchNormForward(batchNormPrims(n, c, h, w, eps), x, scale, shift, y,
                     mean.data(), var.data());
  } catch (const dnnl::error &err) {
    fatal("batch_norm_train: oneDNN error: %s", err.what());
  }
}

void dlrt_batch_norm_backward(const float *x, int64_t n, int64_t c, int64_t h,
                              int64_t w, const float *scale, const float *dy,
                              float eps, float *dx, float *dscale,
                              float *dshift) {
  if (n * c * h * w == 0)
    return;
  try {
    BatchNormPrims &p = batchNormPrims(n, c, h, w, eps);
    // The batch statistics of the forward (its output is not needed).
    std::vector<float> y(n * c * h * w), mean(c), var(c), zero(c, 0.f);
    batchNormForward(p, x, scale, zero.data(), y.data(), mean.data(),
                     var.data());
    std::vector<float> dxTmp, dsTmp, dbTmp;
    auto out = [&](float *ptr, std::vector<float> &tmp, int64_t size) {
      if (ptr)
        return ptr;
      tmp.resize(size);
      return tmp.data();
    };
    dx = out(dx, dxTmp, n * c * h * w);
    dscale = out(dscale, dsTmp, c);
    dshift = out(dshift, dbTmp, c);
    dnnl::engine &eng = kernelsEngine();
    auto mem = [&](const memory::desc &d, const float *ptr) {
      return memory(d, eng, const_cast<float *>(ptr));
    };
    p.bwd.execute(kernelsStream(),
                  {{DNNL_ARG_SRC, mem(p.data, x)},
                   {DNNL_ARG_MEAN, mem(p.channel, mean.data())},
                   {DNNL_ARG_VARIANCE, mem(p.channel, var.data())},
                   {DNNL_ARG_DIFF_DST, mem(p.data, dy)},
                   {DNNL_ARG_SCALE, mem(p.channel, scale)},
                   // Required by the primitive; the gradients do not
                   // depend on it.
                   {DNNL_ARG_SHIFT, mem(p.channel, zero.data())},
                   {DNNL_ARG_DIFF_SRC, mem(p.data, dx)},
                   {DNNL_ARG_DIFF_SCALE, mem(p.channel, dscale)},
                   {DNNL_ARG_DIFF_SHIFT, mem(p.channel, dshift)}});
    kernelsStream().wait();
  } catch (const dnnl::error &err) {
    fatal("batch_norm_backward: oneDNN error: %s", err.what());
  }
}

void dlrt_batch_norm_running_stats(const float *x, int64_t n, int64_t c,
                                   int64_t h, int64_t w, const float *mean,
                                   const float *var, float momentum,
                                   float *new_mean, float *new_var) {
  const int64_t hw = h * w, count = n * hw;
  for (int64_t ch = 0; ch < c; ++ch) {
    double sum = 0, sq = 0;
    for (int64_t img = 0; img < n; ++img) {
      const float *src = x + (img * c + ch) * hw;
      for (int64_t i = 0; i < hw; ++i)
        sum += src[i];
    }
    double m = count > 0 ? sum / double(count) : 0.0;
    for (int64_t img = 0; img < n; ++img) {
      const float *src = x + (img * c + ch) * hw;
      for (int64_t i = 0; i < hw; ++i)
        sq += (src[i] - m) * (src[i] - m);
    }
    double unbiased = count > 1 ? sq / double(count - 1) : 0.0;
    new_mean[ch] =
        static_cast<float>((1.0 - momentum) * mean[ch] + momentum * m);
    new_var[ch] =
        static_cast<float>((1.0 - momentum) * var[ch] + momentum * unbiased);
  }
}

static float sigmoidf(float v) { return 1.f / (1.f + std::exp(-v)); }

void dlrt_lstm_backward(const float *x, int64_t t, int64_t n, int64_t xdim,
                        const float *w_ih, const float *w_hh, const float *bias,
                        int64_t hidden, const float *dy, float *dx,
                        float *dw_ih, float *dw_hh, float *dbias) {
  const int64_t g4 = 4 * hidden, rows = t * n;
  if (rows == 0 || hidden == 0)
    return;
  // Forward, keeping every step's activated gates (i, f, g, o), cell and
  // output: gates = x W_ih^T + b (all steps), then + h_{s-1} W_hh^T.
  std::vector<float> gates(rows * g4, 0.f), cells(rows * hidden),
      hs(rows * hidden);
  if (bias)
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(&gates[r * g4], bias, g4 * sizeof(float));
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, g4, xdim, 1.f, x,
              xdim, w_ih, xdim, 1.f, gates.data(), g4);
  for (int64_t s = 0; s < t; ++s) {
    float *gs = &gates[s * n * g4];
    if (s > 0)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, g4, hidden, 1.f,
                  &hs[(s - 1) * n * hidden], hidden, w_hh, hidden, 1.f, gs, g4);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t u = 0; u < hidden; ++u) {
        float *g = gs + b * g4;
        float i = sigmoidf(g[u]), f = sigmoidf(g[hidden + u]),
              gg = std::tanh(g[2 * hidden + u]),
              o = sigmoidf(g[3 * hidden + u]);
        g[u] = i, g[hidden + u] = f, g[2 * hidden + u] = gg,
        g[3 * hidden + u] = o;
        float prev = s > 0 ? cells[((s - 1) * n + b) * hidden + u] : 0.f;
        float cell = f * prev + i * gg;
        cells[(s * n + b) * hidden + u] = cell;
        hs[(s * n + b) * hidden + u] = o * std::tanh(cell);
      }
  }
  // Backward through time: dG (the gradients of the gate pre-activations)
  // step by step, the recurrent dh by dG W_hh.
  std::vector<float> dgates(rows * g4), dh(n * hidden, 0.f),
      dc(n * hidden, 0.f);
  for (int64_t s = t; s-- > 0;) {
    for (int64_t b = 0; b < n; ++b)
      for (int64_t u = 0; u < hidden; ++u) {
        const float *g = &gates[(s * n + b) * g4];
        float *dg = &dgates[(s * n + b) * g4];
        int64_t k = b * hidden + u, at = (s * n + b) * hidden + u;
        float i = g[u], f = g[hidden + u], gg = g[2 * hidden + u],
              o = g[3 * hidden + u];
        float tc = std::tanh(cells[at]);
        float dhv = dy[at] + dh[k];
        float dcv = dhv * o * (1.f - tc * tc) + dc[k];
        float prev = s > 0 ? cells[at - n * hidden] : 0.f;
        dg[u] = dcv * gg * i * (1.f - i);
        dg[hidden + u] = dcv * prev * f * (1.f - f);
        dg[2 * hidden + u] = dcv * i * (1.f - gg * gg);
        dg[3 * hidden + u] = dhv * tc * o * (1.f - o);
        dc[k] = dcv * f;
      }
    if (s > 0)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, hidden, g4, 1.f,
                  &dgates[s * n * g4], g4, w_hh, hidden, 0.f, dh.data(),
                  hidden);
  }
  // The weight and input gradients over all steps at once.
  if (dx)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, xdim, g4, 1.f,
                dgates.data(), g4, w_ih, xdim, 0.f, dx, xdim);
  if (dw_ih)
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g4, xdim, rows, 1.f,
                dgates.data(), g4, x, xdim, 0.f, dw_ih, xdim);
  if (dw_hh) {
    // Step s >= 1 pairs dG_s with h_{s-1}.
    if (t > 1)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g4, hidden,
                  (t - 1) * n, 1.f, &dgates[n * g4], g4, hs.data(), hidden, 0.f,
                  dw_hh, hidden);
    else
      std::fill(dw_hh, dw_hh + g4 * hidden, 0.f);
  }
  if (dbias)
    for (int64_t j = 0; j < g4; ++j) {
      double sum = 0;
      for (int64_t r = 0; r < rows; ++r)
        sum += dgates[r * g4 + j];
      dbias[j] = static_cast<float>(sum);
    }
}

//===----------------------------------------------------------------------===//
// Loss and optimizers
//===----------------------------------------------------------------------===//

void dlrt_softmax_cross_entropy(const float *logits, const float *targets,
                                int64_t b, int64_t c, float *loss) {
  double total = 0;
  for (int64_t i = 0; i < b; ++i) {
    const float *z = logits + i * c, *t = targets + i * c;
    float mx = z[0];
    for (int64_t j = 1; j < c; ++j)
      mx = std::max(mx, z[j]);
    double sum = 0;
    for (int64_t j = 0; j < c; ++j)
      sum += std::exp(double(z[j] - mx));
    double lse = std::log(sum) + mx;
    for (int64_t j = 0; j < c; ++j)
      total -= double(t[j]) * (double(z[j]) - lse);
  }
  loss[0] = static_cast<float>(total / double(b));
}

void dlrt_softmax_cross_entropy_backward(const float *logits,
                                         const float *targets, int64_t b,
                                         int64_t c, float scale,
                                         float *dlogits) {
  for (int64_t i = 0; i < b; ++i) {
    const float *z = logits + i * c, *t = targets + i * c;
    float *d = dlogits + i * c;
    float mx = z[0];
    for (int64_t j = 1; j < c; ++j)
      mx = std::max(mx, z[j]);
    double sum = 0;
    for (int64_t j = 0; j < c; ++j)
      sum += std::exp(double(z[j] - mx));
    for (int64_t j = 0; j < c; ++j)
      d[j] = static_cast<float>(
          scale * (std::exp(double(z[j] - mx)) / sum - double(t[j])));
  }
}

void dlrt_sgd_update(const float *p, const float *g, const float *v,
                     int64_t n, float lr, float momentum, float weight_decay,
                     float *p_out, float *v_out) {
#pragma omp parallel for
  for (int64_t i = 0; i < n; ++i) {
    float gi = g[i] + weight_decay * p[i];
    float vi = momentum * v[i] + gi;
    v_out[i] = vi;
    p_out[i] = p[i] - lr * vi;
  }
}

void dlrt_adam_update(const float *p, const float *g, const float *m,
                      const float *v, const float *step, int64_t n, float lr,
                      float beta1, float beta2, float epsilon, float *p_out,
                      float *m_out, float *v_out) {
  double t = step[0];
  if (!(t >= 1))
    fatal("adam_update: step must be >= 1, got %g", t);
  float c1 = static_cast<float>(1.0 - std::pow(double(beta1), t));
  float c2 = static_cast<float>(1.0 - std::pow(double(beta2), t));
  float c2s = std::sqrt(c2);
#pragma omp parallel for
  for (int64_t i = 0; i < n; ++i) {
    float mi = beta1 * m[i] + (1.f - beta1) * g[i];
    float vi = beta2 * v[i] + (1.f - beta2) * g[i] * g[i];
    m_out[i] = mi;
    v_out[i] = vi;
    // PyTorch: p -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps)
    p_out[i] = p[i] - (lr / c1) * mi / (std::sqrt(vi) / c2s + epsilon);
  }
}

//===----------------------------------------------------------------------===//
// Datasets
//===----------------------------------------------------------------------===//

static bool abortOnFail = false;

void dlrt::train::setAbortOnFail(bool abort) { abortOnFail = abort; }

void dlrt::train::trainFail(const char *fmt, ...) {
  // One write per line: the ranks share mpirun's stderr (see dl_fail).
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "rank%d: error: %s\n", dlrt_rank(), msg);
  std::fflush(stderr);
  std::fflush(stdout);
  if (abortOnFail && mpiActive())
    MPI_Abort(MPI_COMM_WORLD, 2);
  std::exit(2);
}

namespace {

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

/// Reads a whole (possibly gzipped) file.
std::vector<unsigned char> readAll(const std::string &path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f)
    trainFail("cannot open '%s'", path.c_str());
  std::vector<unsigned char> data;
  unsigned char buf[1 << 16];
  int got;
  while ((got = gzread(f, buf, sizeof(buf))) > 0)
    data.insert(data.end(), buf, buf + got);
  int err = 0;
  const char *msg = gzerror(f, &err);
  if (got < 0 || (err != Z_OK && err != Z_STREAM_END))
    trainFail("cannot read '%s': %s", path.c_str(), msg);
  gzclose(f);
  return data;
}

/// An IDX file (unsigned bytes): dims and the payload offset.
struct Idx {
  std::vector<unsigned char> bytes;
  std::vector<int64_t> dims;
  size_t offset = 0;
};

Idx readIdx(const std::string &path) {
  Idx idx;
  idx.bytes = readAll(path);
  const auto &b = idx.bytes;
  if (b.size() < 4 || b[0] != 0 || b[1] != 0 || b[2] != 0x08)
    trainFail("'%s' is not an unsigned-byte IDX file", path.c_str());
  int rank = b[3];
  if (b.size() < 4 + 4 * size_t(rank))
    trainFail("'%s' is truncated", path.c_str());
  int64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    const unsigned char *p = &b[4 + 4 * i];
    int64_t d = (int64_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
    idx.dims.push_back(d);
    total *= d;
  }
  idx.offset = 4 + 4 * rank;
  if (b.size() < idx.offset + size_t(total))
    trainFail("'%s' is truncated (%zu bytes for %lld values)", path.c_str(),
              b.size() - idx.offset, (long long)total);
  return idx;
}

} // namespace

Dataset dlrt::train::loadDataset(const std::string &samplesPath,
                                 const std::string &labelsPath,
                                 int64_t sampleSize, int64_t classes,
                                 int64_t limit) {
  Dataset d;
  d.sampleSize = sampleSize;
  if (endsWith(samplesPath, ".npy")) {
    dlrt::format::NpyArray a;
    std::string error;
    if (!dlrt::format::readNpy(samplesPath, a, error))
      trainFail("%s", error.c_str());
    if (a.shape.empty() || int64_t(a.data.size()) != a.shape[0] * sampleSize)
      trainFail("'%s' holds %zu values; expected [N, ...] with %lld values "
                "per sample",
                samplesPath.c_str(), a.data.size(), (long long)sampleSize);
    d.count = a.shape[0];
    d.samples = std::move(a.data);
  } else {
    Idx idx = readIdx(samplesPath);
    int64_t per = 1;
    for (size_t i = 1; i < idx.dims.size(); ++i)
      per *= idx.dims[i];
    if (idx.dims.empty() || per != sampleSize)
      trainFail("'%s' has %lld values per sample, the model takes %lld",
                samplesPath.c_str(), (long long)per, (long long)sampleSize);
    d.count = idx.dims[0];
    d.samples.resize(d.count * per);
    for (int64_t i = 0; i < d.count * per; ++i)
      d.samples[i] = idx.bytes[idx.offset + i] / 255.f;
  }
  std::vector<int32_t> labels;
  if (endsWith(labelsPath, ".npy")) {
    dlrt::format::NpyArray a;
    std::string error;
    if (!dlrt::format::readNpy(labelsPath, a, error))
      trainFail("%s", error.c_str());
    for (float v : a.data)
      labels.push_back(static_cast<int32_t>(std::lround(v)));
  } else {
    Idx idx = readIdx(labelsPath);
    for (int64_t i = 0; i < (idx.dims.empty() ? 0 : idx.dims[0]); ++i)
      labels.push_back(idx.bytes[idx.offset + i]);
  }
  if (int64_t(labels.size()) != d.count)
    trainFail("'%s' has %zu labels for %lld samples", labelsPath.c_str(),
              labels.size(), (long long)d.count);
  for (int32_t l : labels)
    if (l < 0 || l >= classes)
      trainFail("'%s': label %d out of range for %lld classes",
                labelsPath.c_str(), l, (long long)classes);
  d.labels = std::move(labels);
  if (limit > 0 && limit < d.count) {
    d.count = limit;
    d.samples.resize(limit * sampleSize);
    d.labels.resize(limit);
  }
  return d;
}

std::vector<int64_t> dlrt::train::permutation(int64_t count, uint64_t seed,
                                              int64_t epoch, bool shuffle) {
  std::vector<int64_t> order(count);
  for (int64_t i = 0; i < count; ++i)
    order[i] = i;
  if (!shuffle)
    return order;
  std::mt19937_64 rng(seed * 1000003ull + uint64_t(epoch));
  for (int64_t i = count - 1; i > 0; --i)
    std::swap(order[i], order[rng() % uint64_t(i + 1)]);
  return order;
}

void dlrt::train::fillBatch(const Dataset &d, const int64_t *rows, int64_t b,
                            int64_t classes, float *x, float *t) {
  int64_t s = d.sampleSize;
  if (t)
    std::fill(t, t + b * classes, 0.f);
  for (int64_t i = 0; i < b; ++i) {
    if (x)
      std::memcpy(&x[i * s], &d.samples[rows[i] * s], s * sizeof(float));
    if (t)
      t[i * classes + d.labels[rows[i]]] = 1.f;
  }
}

void dlrt::train::forEachStep(
    const Options &o, int64_t count, int64_t global,
    const std::function<void(const std::vector<int64_t> &, int64_t, int64_t)>
        &step,
    const std::function<void(int64_t, int64_t, double)> &endEpoch,
    int64_t firstEpoch, int64_t stepsDone) {
  int64_t stepsPerEpoch = count / global, n = stepsDone;
  if (stepsPerEpoch == 0)
    trainFail("%lld training samples do not fill one global batch of %lld",
              (long long)count, (long long)global);
  for (int64_t epoch = firstEpoch; epoch < o.epochs; ++epoch) {
    if (o.steps > 0 && n >= o.steps)
      break;
    double start = dlrt_now();
    int64_t done = 0;
    std::vector<int64_t> order = permutation(count, o.seed, epoch, o.shuffle);
    for (int64_t k = 0; k < stepsPerEpoch && !(o.steps > 0 && n >= o.steps);
         ++k, ++done)
      step(order, k, ++n);
    endEpoch(epoch, done, dlrt_now() - start);
    std::fflush(stdout);
  }
}

TrainData dlrt::train::loadTrainData(const dlrt_train_program &p,
                                     const Options &o) {
  if (o.trainX.empty() || o.trainY.empty())
    trainFail("--train-images and --train-labels are required");
  int64_t sampleSize = 1;
  for (int i = 1; i < p.input_rank; ++i)
    sampleSize *= p.input_shape[i];
  TrainData d;
  d.train =
      loadDataset(o.trainX, o.trainY, sampleSize, p.classes, o.limitTrain);
  if (!o.testX.empty())
    d.test = loadDataset(o.testX, o.testY, sampleSize, p.classes, o.limitTest);
  d.global = p.batch * p.data_parallel;
  d.stepsPerEpoch = d.train.count / d.global;
  if (d.stepsPerEpoch == 0)
    trainFail("%lld training samples do not fill one global batch of %lld",
              (long long)d.train.count, (long long)d.global);
  return d;
}

//===----------------------------------------------------------------------===//
// Options, initialization and saving
//===----------------------------------------------------------------------===//

void dlrt::train::usage(const char *argv0) {
  std::printf(
      "usage: %s [options]   (training program, see docs/training.md)\n"
      "  --train-images PATH   training samples (IDX[.gz] or .npy)\n"
      "  --train-labels PATH   training labels (IDX[.gz] or .npy)\n"
      "  --test-images PATH / --test-labels PATH   evaluated after each "
      "epoch\n"
      "  --epochs N            passes over the training set (1)\n"
      "  --steps K             stop after K steps in total (0: no limit)\n"
      "  --init PATH.dlw       initial parameters (default: seeded uniform)\n"
      "  --seed S              initialization and shuffling seed (1)\n"
      "  --no-shuffle          keep the dataset order\n"
      "  --limit-train N / --limit-test N   use the first N samples\n"
      "  --checkpoint PATH.dlw written after every epoch\n"
      "  --resume              continue from --checkpoint if it exists\n"
      "  --save PATH.dlw       final parameters\n"
      "  --progress            progress bar on stderr (default: on a tty)\n"
      "  --quiet               no per-epoch lines\n"
      "parameter-server programs (dl-train --paradigm ps):\n"
      "  --staleness S|inf     a worker at clock c waits until the slowest "
      "has\n"
      "                        pushed c-S gradients (0: synchronous)\n"
      "  --ps-log PATH         the server logs every parameter pull\n",
      argv0);
}

int64_t OptionArg::count() {
  std::string v = value();
  char *end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end || n < 0)
    trainFail("invalid value '%s' for %s", v.c_str(), key.c_str());
  return n;
}

double OptionArg::real() {
  std::string v = value();
  char *end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end || !std::isfinite(x))
    trainFail("invalid value '%s' for %s", v.c_str(), key.c_str());
  return x;
}

Options dlrt::train::parseOptions(int argc, char **argv, bool &help,
                                  const ExtraOption &extra) {
  Options o;
  help = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], key = arg;
    size_t eq = arg.find('=');
    bool inlineValue = arg.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inlineValue)
      key = arg.substr(0, eq);
    OptionArg a(key, [&]() -> std::string {
      if (inlineValue)
        return arg.substr(eq + 1);
      if (i + 1 >= argc)
        trainFail("option %s needs a value", key.c_str());
      return argv[++i];
    });
    if (extra && extra(a))
      continue;
    if (key == "--help" || key == "-h")
      help = true;
    else if (key == "--train-images")
      o.trainX = a.value();
    else if (key == "--train-labels")
      o.trainY = a.value();
    else if (key == "--test-images")
      o.testX = a.value();
    else if (key == "--test-labels")
      o.testY = a.value();
    else if (key == "--epochs")
      o.epochs = a.count();
    else if (key == "--steps")
      o.steps = a.count();
    else if (key == "--init")
      o.init = a.value();
    else if (key == "--seed")
      o.seed = a.count();
    else if (key == "--no-shuffle")
      o.shuffle = false;
    else if (key == "--limit-train")
      o.limitTrain = a.count();
    else if (key == "--limit-test")
      o.limitTest = a.count();
    else if (key == "--checkpoint")
      o.checkpoint = a.value();
    else if (key == "--resume")
      o.resume = true;
    else if (key == "--save")
      o.save = a.value();
    else if (key == "--progress")
      o.progress = true;
    else if (key == "--quiet")
      o.quiet = true;
    else if (key == "--staleness") {
      o.stalenessGiven = true;
      std::string v =
          inlineValue ? arg.substr(eq + 1) : (i + 1 < argc ? argv[i + 1] : "");
      if (v == "inf") {
        o.staleness = -1;
        if (!inlineValue)
          ++i;
      } else {
        o.staleness = a.count();
      }
    } else if (key == "--ps-log")
      o.psLog = a.value();
    else
      trainFail("unknown option '%s' (see --help)", arg.c_str());
  }
  return o;
}

namespace {

/// Whether `t` is cut into pieces over an intra-layer group.
bool isSplit(const dlrt_train_tensor &t) {
  return t.split_parts > 1 && t.split_dim >= 0;
}

/// This rank's index in the intra-layer group of `t` (0 if none).
int pieceIndex(const dlrt_train_tensor &t) {
  return t.split_parts > 1 ? dlrt_rank() % t.split_parts : 0;
}

int64_t fullElements(const dlrt_train_tensor &t) {
  return isSplit(t) ? t.elements * t.split_parts : t.elements;
}

/// This rank's piece of the full tensor `full` of `t`: its block along the
/// split dim, or zeros for a rank-0-only tensor on the other ranks.
void takePiece(const dlrt_train_tensor &t, const float *full, float *piece) {
  int r = pieceIndex(t);
  if (t.rank0_only && r != 0) {
    std::fill(piece, piece + t.elements, 0.f);
    return;
  }
  if (!isSplit(t)) {
    std::memcpy(piece, full, t.elements * sizeof(float));
    return;
  }
  // Blocks before the split dim, and the piece's elements in each.
  int64_t outer = 1, block = 1;
  for (int d = 0; d < t.rank; ++d)
    (d < t.split_dim ? outer : block) *= t.shape[d];
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(piece + o * block, full + (o * t.split_parts + r) * block,
                block * sizeof(float));
}

} // namespace

std::vector<int64_t> dlrt::train::fullShape(const dlrt_train_tensor &t) {
  std::vector<int64_t> shape(t.shape, t.shape + t.rank);
  if (isSplit(t))
    shape[t.split_dim] *= t.split_parts;
  return shape;
}

std::vector<float> dlrt::train::fullTensor(const dlrt_train_tensor &t,
                                           const std::vector<float> &piece) {
  if (!isSplit(t))
    return piece;
  int base = dlrt_rank() - pieceIndex(t);
  std::vector<int> group(t.split_parts);
  for (int i = 0; i < t.split_parts; ++i)
    group[i] = base + i;
  std::vector<int64_t> sizes(t.split_parts, t.shape[t.split_dim]);
  std::vector<float> full(fullElements(t));
  dlrt_all_gather(piece.data(), t.shape, t.rank, t.split_dim, full.data(),
                  sizes.data(), group.data(), t.split_parts);
  return full;
}

std::vector<std::vector<float>>
dlrt::train::initTensors(const dlrt_train_tensor *tensors, int n,
                         const Options &o) {
  std::vector<std::vector<float>> values(n);
  std::mt19937_64 rng(o.seed);
  dlrt::format::WeightReader reader;
  if (!o.init.empty()) {
    std::string error;
    if (!reader.open(o.init, error))
      trainFail("%s", error.c_str());
  }
  for (int i = 0; i < n; ++i) {
    const dlrt_train_tensor &t = tensors[i];
    int64_t elements = fullElements(t);
    std::vector<float> full(elements, 0.f);
    if (!o.init.empty()) {
      const dlrt::format::WeightTensor *w = reader.find(t.name);
      if (!w)
        trainFail("'%s' has no tensor '%s'", o.init.c_str(), t.name);
      if (int64_t(w->nbytes / 4) != elements)
        trainFail("'%s': tensor '%s' has %lld elements, expected %lld",
                  o.init.c_str(), t.name, (long long)(w->nbytes / 4),
                  (long long)elements);
      std::memcpy(full.data(), w->data, elements * sizeof(float));
    } else if (t.init_ones) {
      std::fill(full.begin(), full.end(), 1.f);
    } else if (t.rank >= 2) { // biases start at zero
      int64_t fanIn = elements / fullShape(t)[0];
      double bound = 1.0 / std::sqrt(double(fanIn));
      std::uniform_real_distribution<double> dist(-bound, bound);
      for (float &x : full)
        x = static_cast<float>(dist(rng));
    }
    values[i].resize(t.elements);
    takePiece(t, full.data(), values[i].data());
  }
  return values;
}

void dlrt::train::saveTensors(const dlrt_train_tensor *tensors, int n,
                              const std::vector<std::vector<float>> &values,
                              const std::string &path) {
  dlrt::format::WeightWriter w;
  for (int i = 0; i < n; ++i)
    w.add(tensors[i].name, fullShape(tensors[i]), values[i].data());
  std::string error;
  if (!w.write(path, error))
    trainFail("%s", error.c_str());
}

Faults dlrt::train::Faults::fromEnv() {
  Faults f;
  if (const char *v = std::getenv("DLRT_TRAIN_FAIL_AT_STEP"))
    f.failStep = std::atoll(v);
  if (const char *v = std::getenv("DLRT_TRAIN_FAIL_RANK"))
    f.failRank = std::atoi(v);
  if (const char *v = std::getenv("DLRT_TRAIN_SLOW_RANK")) {
    long long ms = 0;
    if (std::sscanf(v, "%d:%lld", &f.slowRank, &ms) != 2 || ms < 0)
      trainFail("invalid DLRT_TRAIN_SLOW_RANK '%s' (expected RANK:MS)", v);
    f.slowMs = ms;
  }
  return f;
}

void dlrt::train::Faults::beforeStep(int64_t step) const {
  int rank = dlrt_rank();
  if (failStep >= 0 && step == failStep && (failRank < 0 || failRank == rank)) {
    std::fprintf(stderr,
                 "rank%d: DLRT_TRAIN_FAIL_AT_STEP: exiting at step %lld\n",
                 rank, (long long)step);
    std::fflush(stderr);
    _exit(3);
  }
  if (slowMs > 0 && slowRank == rank)
    std::this_thread::sleep_for(std::chrono::milliseconds(slowMs));
}

void dlrt::train::progressBar(int64_t done, int64_t total, double loss,
                              int64_t epoch, int64_t epochs) {
  const int width = 30;
  int filled = total ? int(width * done / total) : width;
  std::fprintf(stderr, "\repoch %lld/%lld [%.*s%*s] %lld/%lld loss %.4f",
               (long long)epoch, (long long)epochs, filled,
               "##############################", width - filled, "",
               (long long)done, (long long)total, loss);
  std::fflush(stderr);
}

//===----------------------------------------------------------------------===//
// Parameters, optimizer states and steps
//===----------------------------------------------------------------------===//

State::State(const dlrt_train_program *prog) : prog(prog) {
  const dlrt_train_program &p = *prog;
  params.resize(p.num_params);
  states.resize(p.num_params * p.states_per_param);
  for (int i = 0; i < p.num_params; ++i) {
    params[i].resize(p.params[i].elements);
    for (int s = 0; s < p.states_per_param; ++s)
      states[i * p.states_per_param + s].resize(p.params[i].elements);
  }
}

std::string State::stateName(int p, int s) const {
  return std::string(prog->params[p].name) + "." + prog->state_suffixes[s];
}

void dlrt::train::initParams(State &st, const Options &o) {
  st.params = initTensors(st.prog->params, st.prog->num_params, o);
  for (auto &s : st.states)
    std::fill(s.begin(), s.end(), 0.f);
}

void dlrt::train::saveParams(const State &st, const std::string &path) {
  // Every rank gathers its intra-layer pieces; rank 0 writes.
  const dlrt_train_program &p = *st.prog;
  std::vector<std::vector<float>> full;
  for (int i = 0; i < p.num_params; ++i)
    full.push_back(fullTensor(p.params[i], st.params[i]));
  if (dlrt_rank() == 0)
    saveTensors(p.params, p.num_params, full, path);
}

float dlrt::train::runStep(State &st, const Dataset &d, const int64_t *rows,
                           float step, bool commit, int64_t &correct) {
  const dlrt_train_program &p = *st.prog;
  int64_t b = p.batch, c = p.classes, s = d.sampleSize;
  std::vector<float> x(b * s), t(b * c);
  fillBatch(d, rows, b, c, x.data(), t.data());
  int nState = p.num_params * p.states_per_param;
  std::vector<float *> in, out(2 + p.num_params + nState + 1, nullptr);
  in.push_back(x.data());
  in.push_back(t.data());
  in.push_back(&step);
  for (auto &v : st.params)
    in.push_back(v.data());
  for (auto &v : st.states)
    in.push_back(v.data());
  p.run(in.data(), out.data());
  float loss = out[0][0];
  for (int64_t i = 0; i < b; ++i) {
    const float *z = out[1] + i * c;
    int64_t arg = std::max_element(z, z + c) - z;
    correct += arg == d.labels[rows[i]];
  }
  p.free_output(out[0], 1);
  p.free_output(out[1], b * c);
  for (int i = 0; i < p.num_params; ++i) {
    float *np = out[2 + i];
    if (commit)
      std::memcpy(st.params[i].data(), np, st.params[i].size() * 4);
    p.free_output(np, st.params[i].size());
  }
  for (int i = 0; i < nState; ++i) {
    float *ns = out[2 + p.num_params + i];
    if (commit)
      std::memcpy(st.states[i].data(), ns, st.states[i].size() * 4);
    p.free_output(ns, st.states[i].size());
  }
  // A tensor held by rank 0 of its group alone stays zero (with zero
  // optimizer states) on the other ranks, which computed the same update.
  for (int i = 0; commit && i < p.num_params; ++i) {
    if (!p.params[i].rank0_only || pieceIndex(p.params[i]) == 0)
      continue;
    std::fill(st.params[i].begin(), st.params[i].end(), 0.f);
    for (int s = 0; s < p.states_per_param; ++s)
      std::fill(st.states[i * p.states_per_param + s].begin(),
                st.states[i * p.states_per_param + s].end(), 0.f);
  }
  return loss;
}

int64_t dlrt::train::countCorrect(State &st, const Dataset &d, int64_t batches,
                                  int64_t first, int64_t stride) {
  std::vector<int64_t> rows = permutation(d.count, 0, 0, /*shuffle=*/false);
  int64_t correct = 0;
  for (int64_t k = 0; k < batches; ++k)
    runStep(st, d, &rows[first + k * stride], 1.f, /*commit=*/false, correct);
  return correct;
}

int64_t dlrt::train::sampleSize(const dlrt_train_program &p) {
  int64_t size = 1;
  for (int i = 1; i < p.input_rank; ++i)
    size *= p.input_shape[i];
  return size;
}

//===----------------------------------------------------------------------===//
// Synchronous data parallel
//===----------------------------------------------------------------------===//

namespace {

/// Writes the checkpoint on rank 0; every rank calls it (the ranks of an
/// intra-layer group contribute their pieces).
void writeCheckpoint(const State &st, const std::string &path,
                     int64_t epochsDone, int64_t step, uint64_t seed) {
  const dlrt_train_program &p = *st.prog;
  dlrt::format::WeightWriter w;
  for (int i = 0; i < p.num_params; ++i) {
    const dlrt_train_tensor &t = p.params[i];
    w.add(t.name, fullShape(t), fullTensor(t, st.params[i]).data());
    for (int s = 0; s < p.states_per_param; ++s)
      w.add(st.stateName(i, s), fullShape(t),
            fullTensor(t, st.states[i * p.states_per_param + s]).data());
  }
  if (dlrt_rank() != 0)
    return;
  float meta[3] = {float(epochsDone), float(step), float(seed)};
  w.add("__train.meta", {3}, meta);
  std::string tmp = path + ".tmp", error;
  if (!w.write(tmp, error))
    trainFail("%s", error.c_str());
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    trainFail("cannot rename '%s' to '%s'", tmp.c_str(), path.c_str());
}

/// Loads a checkpoint; returns false when the file does not exist.
bool readCheckpoint(State &st, const std::string &path, int64_t &epochsDone,
                    int64_t &step) {
  if (access(path.c_str(), F_OK) != 0)
    return false;
  const dlrt_train_program &p = *st.prog;
  dlrt::format::WeightReader r;
  std::string error;
  if (!r.open(path, error))
    trainFail("%s", error.c_str());
  auto find = [&](const std::string &name, size_t elements) {
    const dlrt::format::WeightTensor *t = r.find(name);
    if (!t || t->nbytes / 4 != elements)
      trainFail("checkpoint '%s' lacks '%s' or has another shape",
                path.c_str(), name.c_str());
    return static_cast<const float *>(t->data);
  };
  auto get = [&](const std::string &name, const dlrt_train_tensor &t,
                 std::vector<float> &dst) {
    takePiece(t, find(name, fullElements(t)), dst.data());
  };
  for (int i = 0; i < p.num_params; ++i) {
    get(p.params[i].name, p.params[i], st.params[i]);
    for (int s = 0; s < p.states_per_param; ++s)
      get(st.stateName(i, s), p.params[i],
          st.states[i * p.states_per_param + s]);
  }
  const float *meta = find("__train.meta", 3);
  epochsDone = int64_t(meta[0]);
  step = int64_t(meta[1]);
  return true;
}

/// Sums `v` over all ranks.
double sumOverRanks(double v, int ranks) {
  if (ranks == 1)
    return v;
  std::vector<int> group(ranks);
  for (int r = 0; r < ranks; ++r)
    group[r] = r;
  float f = static_cast<float>(v);
  dlrt_all_reduce_sum(&f, 1, group.data(), ranks);
  return f;
}

/// The value of `--paradigm` ("data" when absent).
std::string paradigmOf(int argc, char **argv) {
  std::string paradigm = "data";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--paradigm=", 0) == 0)
      paradigm = arg.substr(11);
    else if (arg == "--paradigm" && i + 1 < argc)
      paradigm = argv[++i];
    else if (arg == "--paradigm")
      trainFail("option --paradigm needs a value");
  }
  return paradigm;
}

int dataParallelMain(const dlrt_train_program *prog, int argc, char **argv) {
  bool help = false;
  Options o = parseOptions(argc, argv, help, [](OptionArg &a) {
    if (a.key != "--paradigm")
      return false;
    a.value(); // "data"
    return true;
  });
  if (help) {
    usage(argv[0]);
    std::printf("  --paradigm data|fedavg   synchronous data parallel "
                "(default) or federated\n"
                "                        averaging (see --paradigm fedavg "
                "--help)\n");
    return 0;
  }
  const dlrt_train_program &p = *prog;
  if (p.gradients_only)
    return paramServerMain(p, o);
  if (o.stalenessGiven || !o.psLog.empty())
    trainFail("--staleness and --ps-log need a parameter-server program "
              "(dl-train --paradigm ps)");
  int ranks = dlrt_size(), rank = dlrt_rank();
  // Ranks r*T .. r*T+T-1 split the layers of data-parallel replica r.
  int tp = std::max(1, p.tensor_parallel);
  if (ranks != p.data_parallel * tp)
    trainFail("the program sums gradients over %d rank(s) and splits layers "
              "over %d but runs on %d",
              p.data_parallel, tp, ranks);
  int replica = rank / tp;
  if (o.resume && o.checkpoint.empty())
    trainFail("--resume needs --checkpoint");
  TrainData data = loadTrainData(p, o);
  const Dataset &train = data.train, &test = data.test;
  int64_t global = data.global, stepsPerEpoch = data.stepsPerEpoch;

  State st(prog);
  initParams(st, o);
  int64_t firstEpoch = 0, step = 0;
  if (o.resume && readCheckpoint(st, o.checkpoint, firstEpoch, step) &&
      rank == 0 && !o.quiet)
    std::printf("resumed from '%s' after epoch %lld (step %lld)\n",
                o.checkpoint.c_str(), (long long)firstEpoch, (long long)step);
  bool bar = rank == 0 && (o.progress || isatty(2));
  Faults faults = Faults::fromEnv();

  double lossSum = 0;
  int64_t correct = 0, barEpoch = firstEpoch + 1;
  auto runOne = [&](const std::vector<int64_t> &order, int64_t k, int64_t n) {
    faults.beforeStep(n - 1);
    float loss = runStep(st, train, &order[k * global + replica * p.batch],
                         float(n), /*commit=*/true, correct);
    lossSum += loss;
    step = n;
    if (bar && (k % 10 == 0 || k + 1 == stepsPerEpoch))
      progressBar(k + 1, stepsPerEpoch, lossSum / double(k + 1), barEpoch,
                  o.epochs);
  };
  auto endEpoch = [&](int64_t epoch, int64_t done, double seconds) {
    double endStart = dlrt_now();
    if (bar)
      std::fputc('\n', stderr);
    double meanLoss = sumOverRanks(lossSum / std::max<int64_t>(done, 1),
                                   ranks) / ranks;
    // The ranks of a replica count the same predictions.
    double trainAcc =
        sumOverRanks(double(correct), ranks) / tp / double(done * global);
    bool epochComplete = done == stepsPerEpoch;
    std::string testText;
    if (!test.samples.empty()) {
      // Each rank evaluates its slice of every global batch.
      int64_t testSteps = test.count / global;
      int64_t testCorrect =
          countCorrect(st, test, testSteps, replica * p.batch, global);
      double acc = testSteps ? sumOverRanks(double(testCorrect), ranks) / tp /
                                   double(testSteps * global)
                             : 0;
      char buf[96];
      std::snprintf(buf, sizeof(buf), " test_accuracy %.4f (%lld samples)",
                    acc, (long long)(testSteps * global));
      testText = buf;
    }
    if (!o.checkpoint.empty() && epochComplete)
      writeCheckpoint(st, o.checkpoint, epoch + 1, step, o.seed);
    if (rank == 0 && !o.quiet)
      std::printf("epoch %lld/%lld: steps %lld loss %.6f train_accuracy "
                  "%.4f%s time %.2f s\n",
                  (long long)(epoch + 1), (long long)o.epochs, (long long)done,
                  meanLoss, trainAcc, testText.c_str(),
                  seconds + (dlrt_now() - endStart));
    lossSum = 0;
    correct = 0;
    barEpoch = epoch + 2;
  };
  forEachStep(o, train.count, global, runOne, endEpoch, firstEpoch, step);
  if (!o.save.empty())
    saveParams(st, o.save);
  return 0;
}

} // namespace

int dlrt_train_main(const dlrt_train_program *prog, int argc, char **argv) {
  std::string paradigm = paradigmOf(argc, argv);
  if (paradigm == "fedavg")
    return fedAvgMain(*prog, argc, argv);
  if (paradigm != "data")
    trainFail("unknown --paradigm '%s' (expected data or fedavg)",
              paradigm.c_str());
  return dataParallelMain(prog, argc, argv);
}
