//===- KernelsCPU.cpp - CPU kernels (oneDNN, OpenBLAS) for dlrt -*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// CPU kernels. Convolution, pooling, element-wise activations and softmax
/// use oneDNN; primitives are cached by their parameters and share one
/// engine and one stream. Pooling shapes that oneDNN would run in its
/// reference implementation (large maps) use an OpenMP loop instead. Tensors
/// are plain (NCHW / row-major) at the ABI; convolutions run in the layouts
/// oneDNN picks (usually channel-blocked) with the activations reordered in and
/// out inside the call and the weights of weight stores reordered once and
/// cached. Dense layers, matrix products and LSTM gates use OpenBLAS
/// cblas_sgemm. Batch normalization and simple loops use OpenMP.
///
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "dlrt/dlrt.h"

#include <algorithm>
#include <cblas.h>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <memory>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dlrt::detail;
using dnnl::memory;
using Tag = dnnl::memory::format_tag;
using DT = dnnl::memory::data_type;

namespace {

dnnl::engine &engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream &stream() {
  static dnnl::stream s(engine());
  return s;
}

/// A cached primitive with the memory descriptors its arguments use.
struct Cached {
  dnnl::primitive prim;
  std::vector<std::pair<int, memory::desc>> args;
};

std::unordered_map<std::string, Cached> &cache() {
  static std::unordered_map<std::string, Cached> c;
  return c;
}

std::string makeKey(const char *op, std::initializer_list<int64_t> params) {
  std::string k = op;
  for (int64_t p : params) {
    k += ':';
    k += std::to_string(p);
  }
  return k;
}

/// Looks up `key`, creating the entry with `create` on a miss.
template <typename F>
Cached &lookup(const std::string &key, F create) {
  auto it = cache().find(key);
  if (it != cache().end())
    return it->second;
  return cache().emplace(key, create()).first->second;
}

/// Runs `c` with the given argument pointers (same order as c.args).
void execute(Cached &c, std::initializer_list<const void *> ptrs) {
  std::unordered_map<int, memory> args;
  size_t i = 0;
  for (const void *p : ptrs) {
    const auto &a = c.args[i++];
    args.emplace(a.first, memory(a.second, engine(), const_cast<void *>(p)));
  }
  c.prim.execute(stream(), args);
  stream().wait();
}

memory::desc md(const memory::dims &dims, Tag tag) {
  return memory::desc(dims, DT::f32, tag);
}

int blasInt(int64_t v, const char *op) {
  if (v < 0 || v > INT_MAX)
    fatal("%s: dimension %lld out of range for BLAS", op,
          static_cast<long long>(v));
  return static_cast<int>(v);
}

/// y[m,n] = a[m,k] * op(b) + beta * y, with b [n,k] (transB) or [k,n].
void sgemm(const char *op, const float *a, const float *b, float *y, int64_t m,
           int64_t k, int64_t n, bool transB, float beta) {
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    if (beta == 0.f)
      std::memset(y, 0, sizeof(float) * m * n);
    return;
  }
  if (m == 1) {
    // One row (a batch-1 dense layer): a matrix-vector product that streams
    // b once. OpenBLAS's sgemm would pack b first, several times the
    // traffic (VGG-small's fc1 took 3.2 ms instead of about 0.8).
    if (transB)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, blasInt(n, op), blasInt(k, op),
                  1.f, b, blasInt(k, op), a, 1, beta, y, 1);
    else
      cblas_sgemv(CblasRowMajor, CblasTrans, blasInt(k, op), blasInt(n, op),
                  1.f, b, blasInt(n, op), a, 1, beta, y, 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              blasInt(m, op), blasInt(n, op), blasInt(k, op), 1.f, a,
              blasInt(k, op), b, blasInt(transB ? k : n, op), beta, y,
              blasInt(n, op));
}

/// Fills each of the m rows of y[m,n] with bias[n].
void broadcastRows(float *y, const float *bias, int64_t m, int64_t n) {
#pragma omp parallel for if (m * n > 65536)
  for (int64_t i = 0; i < m; ++i)
    std::memcpy(y + i * n, bias, sizeof(float) * n);
}

/// The bit pattern of `v`, for cache keys.
int64_t floatBits(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

/// A oneDNN element-wise op (`alpha`, `beta`: the algorithm's parameters).
void eltwise(const char *op, dnnl::algorithm alg, const float *in, float *out,
             int64_t n, float alpha = 0.f, float beta = 0.f) {
  if (n <= 0)
    return;
  try {
    std::string key = makeKey(op, {n, floatBits(alpha), floatBits(beta)});
    Cached &c = lookup(key, [&] {
      memory::desc d = md({n}, Tag::a);
      dnnl::eltwise_forward::primitive_desc pd(
          dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, alg,
                                      d, alpha, beta),
          engine());
      return Cached{dnnl::eltwise_forward(pd),
                    {{DNNL_ARG_SRC, d}, {DNNL_ARG_DST, d}}};
    });
    execute(c, {in, out});
  } catch (const dnnl::error &e) {
    fatal("%s: oneDNN error: %s", op, e.what());
  }
}

inline float sigmoidf(float x) { return 1.f / (1.f + std::exp(-x)); }

} // namespace

dnnl::engine &dlrt::detail::kernelsEngine() { return engine(); }

dnnl::stream &dlrt::detail::kernelsStream() { return stream(); }

void dlrt::detail::kernelsInit() {
  // Generated programs allocate and free the same large activation buffers
  // on every inference. With glibc's defaults, buffers above the mmap
  // threshold get fresh pages each time and freed heap tops are trimmed, so
  // every run pays page faults and zeroing for all its activations: on a
  // virtual machine, YOLOv2's 608x608x32 map (47 MB) cost about 190 ms of
  // page faults per inference, some 20 times the convolution writing it
  // (docs/runtime.md, "Kernel rates"). The mmap threshold cannot exceed
  // 32 MiB, so take every allocation from the heap (M_MMAP_MAX 0) and
  // trim it only above 256 MiB free.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

void dlrt::detail::kernelsSetThreads(int threads) {
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
}

int dlrt::detail::kernelsThreads() { return omp_get_max_threads(); }

//===----------------------------------------------------------------------===//
// Convolution, pooling, normalization
//===----------------------------------------------------------------------===//

namespace {

/// A convolution primitive whose source, weight and destination layouts
/// are chosen by oneDNN (`format_tag::any`, usually channel-blocked), with
/// the reorders between the plain NCHW tensors of the ABI and those
/// layouts. The blocked source/destination buffers are owned by the entry;
/// weights in a weight store are reordered once and kept, keyed by their
/// (stable, mmapped) address.
struct ConvEntry {
  dnnl::convolution_forward prim;
  memory::desc srcUser, weiUser, dstUser, bias;
  memory::desc src, wei, dst;
  bool hasBias = false;
  /// Reorders plain -> blocked (src) and blocked -> plain (dst), with the
  /// entry's buffers; null when the layouts already match.
  dnnl::reorder srcReorder, dstReorder;
  memory srcMem, dstMem;
  std::unordered_map<const void *, memory> weights;
};

std::unordered_map<std::string, std::unique_ptr<ConvEntry>> &convCache() {
  static std::unordered_map<std::string, std::unique_ptr<ConvEntry>> c;
  return c;
}

/// Address ranges of tensors handed out by open weight stores, per store:
/// pointers into them stay valid and unchanged until the store is closed.
std::unordered_map<const void *,
                   std::vector<std::pair<const char *, const char *>>> &
pinnedRanges() {
  static std::unordered_map<
      const void *, std::vector<std::pair<const char *, const char *>>>
      r;
  return r;
}

bool isPinned(const void *p) {
  const char *c = static_cast<const char *>(p);
  for (const auto &store : pinnedRanges())
    for (const auto &range : store.second)
      if (c >= range.first && c < range.second)
        return true;
  return false;
}

ConvEntry &convEntry(const std::string &key, const memory::dims &srcDims,
                     const memory::dims &weiDims, Tag weiTag, int64_t oc,
                     const memory::dims &dstDims, bool hasBias,
                     const memory::dims &strides, const memory::dims &dil,
                     const memory::dims &padL, const memory::dims &padR,
                     int act) {
  auto it = convCache().find(key);
  if (it != convCache().end())
    return *it->second;
  auto e = std::make_unique<ConvEntry>();
  e->srcUser = md(srcDims, Tag::nchw);
  e->dstUser = md(dstDims, Tag::nchw);
  e->weiUser = md(weiDims, weiTag);
  e->bias = md({oc}, Tag::a);
  e->hasBias = hasBias;
  memory::desc srcAny = md(srcDims, Tag::any), dstAny = md(dstDims, Tag::any),
               weiAny = md(weiDims, Tag::any);
  auto prop = dnnl::prop_kind::forward_inference;
  auto alg = dnnl::algorithm::convolution_direct;
  dnnl::primitive_attr attr;
  if (act == 1) {
    dnnl::post_ops po;
    po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(po);
  }
  auto makePd = [&](const memory::desc &src) {
    auto d =
        hasBias
            ? dnnl::convolution_forward::desc(prop, alg, src, weiAny, e->bias,
                                              dstAny, strides, dil, padL, padR)
            : dnnl::convolution_forward::desc(prop, alg, src, weiAny, dstAny,
                                              strides, dil, padL, padR);
    return dnnl::convolution_forward::primitive_desc(d, attr, engine());
  };
  // Few input channels (a network's first convolution, e.g. RGB images):
  // oneDNN's direct kernel reads the plain NCHW source itself, which saves
  // reordering it into a channel-blocked or NHWC copy padded to a full
  // channel block, and is faster than the kernel for that copy. Taken only
  // when oneDNN implements it with a JIT kernel rather than im2col + GEMM
  // or its reference loop.
  dnnl::convolution_forward::primitive_desc pd;
  bool plainSrc = false;
  if (weiTag == Tag::oihw && srcDims[1] <= 8) {
    try {
      pd = makePd(e->srcUser);
      std::string impl = pd.impl_info_str();
      plainSrc = impl.find("gemm") == std::string::npos &&
                 impl.find("ref") == std::string::npos;
    } catch (const dnnl::error &) {
      plainSrc = false;
    }
  }
  if (!plainSrc)
    pd = makePd(srcAny);
  e->prim = dnnl::convolution_forward(pd);
  e->src = pd.src_desc();
  e->wei = pd.weights_desc();
  e->dst = pd.dst_desc();
  if (e->src != e->srcUser) {
    e->srcMem = memory(e->src, engine());
    e->srcReorder = dnnl::reorder(memory(e->srcUser, engine(), nullptr),
                                  e->srcMem);
  }
  if (e->dst != e->dstUser) {
    e->dstMem = memory(e->dst, engine());
    e->dstReorder = dnnl::reorder(e->dstMem,
                                  memory(e->dstUser, engine(), nullptr));
  }
  return *convCache().emplace(key, std::move(e)).first->second;
}

/// The weights of `e` in its layout: cached for weight-store tensors,
/// reordered into `scratch` for any other buffer.
memory convWeights(ConvEntry &e, const float *weight, memory &scratch) {
  void *user = const_cast<float *>(weight);
  if (e.wei == e.weiUser)
    return memory(e.wei, engine(), user);
  bool pinned = isPinned(weight);
  if (pinned) {
    auto it = e.weights.find(weight);
    if (it != e.weights.end())
      return it->second;
  }
  memory m(e.wei, engine());
  memory src(e.weiUser, engine(), user);
  dnnl::reorder(src, m).execute(stream(), src, m);
  stream().wait();
  if (pinned)
    e.weights.emplace(weight, m);
  else
    scratch = m;
  return m;
}

} // namespace

void dlrt::detail::kernelsPinWeights(const void *store, const void *data,
                                     size_t bytes) {
  const char *b = static_cast<const char *>(data);
  pinnedRanges()[store].emplace_back(b, b + bytes);
}

void dlrt::detail::kernelsReleaseWeights(const void *store) {
  auto it = pinnedRanges().find(store);
  if (it == pinnedRanges().end())
    return;
  auto ranges = std::move(it->second);
  pinnedRanges().erase(it);
  for (auto &entry : convCache()) {
    auto &w = entry.second->weights;
    for (auto wi = w.begin(); wi != w.end();) {
      const char *p = static_cast<const char *>(wi->first);
      bool inside = false;
      for (const auto &r : ranges)
        inside |= p >= r.first && p < r.second;
      wi = inside ? w.erase(wi) : std::next(wi);
    }
  }
}

extern "C" void dlrt_conv2d(const float *in, int64_t n, int64_t c, int64_t h,
                            int64_t w, const float *weight, const float *bias,
                            int64_t oc, int64_t kh, int64_t kw,
                            int64_t stride_h, int64_t stride_w, int64_t pad_t,
                            int64_t pad_l, int64_t pad_b, int64_t pad_r,
                            int64_t dil_h, int64_t dil_w, int64_t groups,
                            int act, float *out, int64_t oh, int64_t ow) {
  if (groups < 1 || c % groups || oc % groups)
    fatal("conv2d: groups=%lld must divide c=%lld and oc=%lld",
          (long long)groups, (long long)c, (long long)oc);
  if (stride_h < 1 || stride_w < 1 || dil_h < 1 || dil_w < 1)
    fatal("conv2d: strides and dilations must be >= 1");
  if (act != 0 && act != 1)
    fatal("conv2d: unknown activation %d", act);
  int64_t ekh = (kh - 1) * dil_h + 1, ekw = (kw - 1) * dil_w + 1;
  int64_t eoh = (h + pad_t + pad_b - ekh) / stride_h + 1;
  int64_t eow = (w + pad_l + pad_r - ekw) / stride_w + 1;
  if (eoh != oh || eow != ow)
    fatal("conv2d: output %lldx%lld does not match input %lldx%lld, kernel "
          "%lldx%lld, stride %lldx%lld, pads t%lld l%lld b%lld r%lld, "
          "dilation %lldx%lld (expected %lldx%lld)",
          (long long)oh, (long long)ow, (long long)h, (long long)w,
          (long long)kh, (long long)kw, (long long)stride_h,
          (long long)stride_w, (long long)pad_t, (long long)pad_l,
          (long long)pad_b, (long long)pad_r, (long long)dil_h,
          (long long)dil_w, (long long)eoh, (long long)eow);
  if (n == 0 || oh <= 0 || ow <= 0 || oc == 0)
    return;
  try {
    std::string key = makeKey(
        "conv2d", {n,     c,        h,        w,      oc,    kh,
                   kw,    stride_h, stride_w, pad_t,  pad_l, pad_b,
                   pad_r, dil_h,    dil_w,    groups, act,   bias != nullptr,
                   oh,    ow});
    memory::dims weiDims =
        groups > 1 ? memory::dims{groups, oc / groups, c / groups, kh, kw}
                   : memory::dims{oc, c, kh, kw};
    // oneDNN counts dilation from 0 (0 = dense).
    ConvEntry &e = convEntry(
        key, {n, c, h, w}, weiDims, groups > 1 ? Tag::goihw : Tag::oihw, oc,
        {n, oc, oh, ow}, bias != nullptr, {stride_h, stride_w},
        {dil_h - 1, dil_w - 1}, {pad_t, pad_l}, {pad_b, pad_r}, act);
    memory srcUser(e.srcUser, engine(), const_cast<float *>(in));
    memory dstUser(e.dstUser, engine(), out);
    memory src = srcUser, dst = dstUser;
    if (e.srcMem) {
      e.srcReorder.execute(stream(), srcUser, e.srcMem);
      src = e.srcMem;
    }
    if (e.dstMem)
      dst = e.dstMem;
    memory scratch;
    memory wei = convWeights(e, weight, scratch);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
    if (bias)
      args.emplace(DNNL_ARG_BIAS,
                   memory(e.bias, engine(), const_cast<float *>(bias)));
    e.prim.execute(stream(), args);
    if (e.dstMem)
      e.dstReorder.execute(stream(), e.dstMem, dstUser);
    stream().wait();
  } catch (const dnnl::error &err) {
    fatal("conv2d: oneDNN error: %s", err.what());
  }
}

dnnl::algorithm dlrt::detail::poolAlgorithm(const char *who, int kind, int64_t h,
                                            int64_t w,
                              int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                              int64_t pad_t, int64_t pad_l, int64_t pad_b,
                              int64_t pad_r, int64_t oh, int64_t ow,
                              int count_include_pad) {
  if (kind != 0 && kind != 1)
    fatal("%s: unknown kind %d (0 max, 1 avg)", who, kind);
  if (sh < 1 || sw < 1 || kh < 1 || kw < 1)
    fatal("%s: kernel and strides must be >= 1", who);
  if (pad_t < 0 || pad_l < 0 || pad_b < 0 || pad_r < 0 || pad_t >= kh ||
      pad_b >= kh || pad_l >= kw || pad_r >= kw)
    fatal("%s: padding must be in [0, kernel) (kernel %lldx%lld, pads t%lld "
          "l%lld b%lld r%lld)",
          who, (long long)kh, (long long)kw, (long long)pad_t, (long long)pad_l,
          (long long)pad_b, (long long)pad_r);
  int64_t eoh = (h + pad_t + pad_b - kh) / sh + 1;
  int64_t eow = (w + pad_l + pad_r - kw) / sw + 1;
  if (eoh != oh || eow != ow)
    fatal("%s: output %lldx%lld does not match the expected %lldx%lld", who,
          (long long)oh, (long long)ow, (long long)eoh, (long long)eow);
  return kind == 0 ? dnnl::algorithm::pooling_max
         : count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                             : dnnl::algorithm::pooling_avg_exclude_padding;
}

namespace {

/// One step of a pooling window: the larger value (max) or the sum (avg).
template <bool IsMax>
inline float poolStep(float acc, float v) {
  return IsMax ? (v > acc ? v : acc) : acc + v;
}

/// o[i] = step(o[i], p[i * stride]) for i < n; a compile-time stride (1, 2)
/// lets the loop vectorize with contiguous or interleaved loads.
template <bool IsMax, int64_t Stride>
void poolSpan(float *o, const float *p, int64_t n, int64_t stride) {
  const int64_t s = Stride ? Stride : stride;
  for (int64_t i = 0; i < n; ++i)
    o[i] = poolStep<IsMax>(o[i], p[i * s]);
}

/// Window geometry shared by the output rows of one pooling.
struct PoolGeom {
  int64_t h = 0, w = 0, kh = 0, kw = 0, sh = 0, sw = 0, pt = 0, pl = 0, ow = 0;
  /// Output columns [xLo, xHi) have their whole window inside the input
  /// horizontally; the columns outside it are handled one by one.
  int64_t xLo = 0, xHi = 0;
  bool includePad = false;
};

/// Output row `oy` of one channel plane.
template <bool IsMax>
void poolRow(const PoolGeom &g, const float *plane, float *o, int64_t oy) {
  const float init = IsMax ? -INFINITY : 0.f;
  const int64_t iy0 = oy * g.sh - g.pt;
  const int64_t ky0 = std::max<int64_t>(0, -iy0);
  const int64_t ky1 = std::min(g.kh, g.h - iy0);
  // Interior columns: kh * kw passes over the output row, each a
  // vectorizable strided span of one input row.
  const int64_t n = g.xHi - g.xLo;
  for (int64_t x = g.xLo; x < g.xHi; ++x)
    o[x] = init;
  for (int64_t ky = ky0; ky < ky1; ++ky) {
    const float *row = plane + (iy0 + ky) * g.w + g.xLo * g.sw - g.pl;
    for (int64_t kx = 0; kx < g.kw; ++kx) {
      if (g.sw == 1)
        poolSpan<IsMax, 1>(o + g.xLo, row + kx, n, 1);
      else if (g.sw == 2)
        poolSpan<IsMax, 2>(o + g.xLo, row + kx, n, 2);
      else
        poolSpan<IsMax, 0>(o + g.xLo, row + kx, n, g.sw);
    }
  }
  // Border columns, whose windows are clipped at the left or right edge.
  auto border = [&](int64_t x) {
    const int64_t ix0 = x * g.sw - g.pl;
    const int64_t kx0 = std::max<int64_t>(0, -ix0);
    const int64_t kx1 = std::min(g.kw, g.w - ix0);
    float acc = init;
    for (int64_t ky = ky0; ky < ky1; ++ky) {
      const float *row = plane + (iy0 + ky) * g.w + ix0;
      for (int64_t kx = kx0; kx < kx1; ++kx)
        acc = poolStep<IsMax>(acc, row[kx]);
    }
    o[x] = acc;
  };
  for (int64_t x = 0; x < g.xLo; ++x)
    border(x);
  for (int64_t x = g.xHi; x < g.ow; ++x)
    border(x);
  if (IsMax)
    return;
  // Average: divide by the window size, or by the number of its positions
  // inside the input.
  if (g.includePad) {
    const float d = static_cast<float>(g.kh * g.kw);
    for (int64_t x = 0; x < g.ow; ++x)
      o[x] /= d;
    return;
  }
  const int64_t rows = ky1 - ky0;
  const float d = static_cast<float>(rows * g.kw);
  for (int64_t x = g.xLo; x < g.xHi; ++x)
    o[x] /= d;
  auto clipped = [&](int64_t x) {
    const int64_t ix0 = x * g.sw - g.pl;
    const int64_t cols = std::min(g.kw, g.w - ix0) - std::max<int64_t>(0, -ix0);
    o[x] /= static_cast<float>(rows * cols);
  };
  for (int64_t x = 0; x < g.xLo; ++x)
    clipped(x);
  for (int64_t x = g.xHi; x < g.ow; ++x)
    clipped(x);
}

/// A oneDNN pooling primitive, or none where oneDNN would run its reference
/// implementation.
struct PoolEntry {
  bool direct = false;
  Cached onednn;
};

/// Runs the pooling with oneDNN and returns true when oneDNN has a JIT
/// kernel for it on the plain NCHW tensors; returns false (the caller runs
/// its direct loop) otherwise. oneDNN 2.x pools plain layouts with a kernel
/// that transposes blocks of channels, but only while they fit its cache
/// budget; larger maps (YOLOv2's 608x608 x 32) go to its reference
/// implementation, which runs at under 1 GB/s. A reorder to a blocked
/// layout and back would triple the traffic of an op that is memory-bound,
/// so those run in the loop below.
bool poolOneDnn(dnnl::algorithm alg, int64_t n, int64_t c, int64_t h, int64_t w,
                int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pad_t,
                int64_t pad_l, int64_t pad_b, int64_t pad_r, int64_t oh,
                int64_t ow, int count_include_pad, const float *in,
                float *out) {
  static std::unordered_map<std::string, PoolEntry> cache;
  // DLRT_POOL_LOOP=1 runs every pooling in the loop (tests, comparisons).
  static const bool forceLoop = [] {
    const char *v = std::getenv("DLRT_POOL_LOOP");
    return v && std::strcmp(v, "1") == 0;
  }();
  if (forceLoop)
    return false;
  try {
    std::string key = makeKey("pool2d", {static_cast<int64_t>(alg), n, c, h, w,
                                         kh, kw, sh, sw, pad_t, pad_l, pad_b,
                                         pad_r, count_include_pad != 0});
    auto it = cache.find(key);
    if (it == cache.end()) {
      memory::desc src = md({n, c, h, w}, Tag::nchw);
      memory::desc dst = md({n, c, oh, ow}, Tag::nchw);
      dnnl::pooling_forward::primitive_desc pd(
          dnnl::pooling_forward::desc(dnnl::prop_kind::forward_inference, alg,
                                      src, dst, {sh, sw}, {kh, kw},
                                      {pad_t, pad_l}, {pad_b, pad_r}),
          engine());
      std::string impl = pd.impl_info_str();
      PoolEntry e;
      e.direct = impl.find("jit") == std::string::npos;
      if (!e.direct)
        e.onednn = Cached{dnnl::pooling_forward(pd),
                          {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}};
      it = cache.emplace(key, std::move(e)).first;
    }
    if (it->second.direct)
      return false;
    execute(it->second.onednn, {in, out});
    return true;
  } catch (const dnnl::error &e) {
    fatal("pool2d: oneDNN error: %s", e.what());
  }
}

} // namespace

extern "C" void dlrt_pool2d(int kind, const float *in, int64_t n, int64_t c,
                            int64_t h, int64_t w, int64_t kh, int64_t kw,
                            int64_t sh, int64_t sw, int64_t pad_t,
                            int64_t pad_l, int64_t pad_b, int64_t pad_r,
                            float *out, int64_t oh, int64_t ow,
                            int count_include_pad) {
  dnnl::algorithm alg =
      poolAlgorithm("pool2d", kind, h, w, kh, kw, sh, sw, pad_t, pad_l, pad_b,
                    pad_r, oh, ow, count_include_pad);
  if (n == 0 || c == 0 || oh <= 0 || ow <= 0)
    return;
  if (poolOneDnn(alg, n, c, h, w, kh, kw, sh, sw, pad_t, pad_l, pad_b, pad_r,
                 oh, ow, count_include_pad, in, out))
    return;
  PoolGeom g;
  g.h = h, g.w = w, g.kh = kh, g.kw = kw, g.sh = sh, g.sw = sw;
  g.pt = pad_t, g.pl = pad_l, g.ow = ow;
  g.includePad = count_include_pad != 0;
  g.xLo = std::min((pad_l + sw - 1) / sw, ow);
  g.xHi = w + pad_l - kw >= 0 ? std::min((w + pad_l - kw) / sw + 1, ow) : 0;
  g.xHi = std::max(g.xHi, g.xLo);
  const int64_t planes = n * c;
#pragma omp parallel for collapse(2)                                           \
    schedule(static) if (planes * oh * ow * kh * kw > 65536)
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t oy = 0; oy < oh; ++oy) {
      const float *plane = in + p * h * w;
      float *o = out + (p * oh + oy) * ow;
      if (kind == 0)
        poolRow<true>(g, plane, o, oy);
      else
        poolRow<false>(g, plane, o, oy);
    }
}

extern "C" void dlrt_global_avg_pool(const float *in, int64_t n, int64_t c,
                                     int64_t h, int64_t w, float *out) {
  int64_t hw = h * w;
  float inv = hw ? 1.f / static_cast<float>(hw) : 0.f;
#pragma omp parallel for if (n * c * hw > 65536)
  for (int64_t i = 0; i < n * c; ++i) {
    const float *p = in + i * hw;
    double s = 0;
    for (int64_t j = 0; j < hw; ++j)
      s += p[j];
    out[i] = static_cast<float>(s) * inv;
  }
}

extern "C" void dlrt_batch_norm(const float *in, int64_t n, int64_t c,
                                int64_t h, int64_t w, const float *scale,
                                const float *shift, const float *mean,
                                const float *var, float eps, float *out) {
  if (n == 0 || c == 0 || h == 0 || w == 0)
    return;
  // out = in * a[c] + b[c]: one streaming pass over the data (oneDNN's
  // batch normalization on plain NCHW memory is a slow generic loop).
  std::vector<float> a(c), b(c);
  for (int64_t i = 0; i < c; ++i) {
    float inv = 1.f / std::sqrt(var[i] + eps);
    a[i] = scale[i] * inv;
    b[i] = shift[i] - mean[i] * a[i];
  }
  const int64_t hw = h * w;
#pragma omp parallel for collapse(2) if (n * c * hw > 65536)
  for (int64_t img = 0; img < n; ++img)
    for (int64_t ch = 0; ch < c; ++ch) {
      const float *src = in + (img * c + ch) * hw;
      float *dst = out + (img * c + ch) * hw;
      const float ac = a[ch], bc = b[ch];
#pragma omp simd
      for (int64_t i = 0; i < hw; ++i)
        dst[i] = src[i] * ac + bc;
    }
}

//===----------------------------------------------------------------------===//
// Dense / matmul
//===----------------------------------------------------------------------===//

extern "C" void dlrt_dense(const float *x, int64_t m, int64_t k, const float *w,
                           const float *bias, int64_t n, float *y) {
  if (bias)
    broadcastRows(y, bias, m, n);
  sgemm("dense", x, w, y, m, k, n, /*transB=*/true, bias ? 1.f : 0.f);
}

extern "C" void dlrt_matmul(const float *a, int64_t m, int64_t k,
                            const float *b, int64_t n, float *y) {
  sgemm("matmul", a, b, y, m, k, n, /*transB=*/false, 0.f);
}

extern "C" void dlrt_matmul_batched(const float *a, int64_t batch, int64_t m,
                                    int64_t k, const float *b, int b_batched,
                                    int64_t n, float *y) {
  if (!b_batched) {
    // A shared right operand: one GEMM over all rows.
    sgemm("matmul_batched", a, b, y, batch * m, k, n, false, 0.f);
    return;
  }
  for (int64_t i = 0; i < batch; ++i)
    sgemm("matmul_batched", a + i * m * k, b + i * k * n, y + i * m * n, m, k,
          n, false, 0.f);
}

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

extern "C" void dlrt_relu(const float *in, float *out, int64_t n) {
  eltwise("relu", dnnl::algorithm::eltwise_relu, in, out, n);
}

extern "C" void dlrt_sigmoid(const float *in, float *out, int64_t n) {
  eltwise("sigmoid", dnnl::algorithm::eltwise_logistic, in, out, n);
}

extern "C" void dlrt_tanh(const float *in, float *out, int64_t n) {
  eltwise("tanh", dnnl::algorithm::eltwise_tanh, in, out, n);
}

extern "C" void dlrt_gelu(const float *in, float *out, int64_t n) {
  eltwise("gelu", dnnl::algorithm::eltwise_gelu_erf, in, out, n);
}

extern "C" void dlrt_clip(const float *in, float *out, int64_t n, float lo,
                          float hi) {
  eltwise("clip", dnnl::algorithm::eltwise_clip, in, out, n, lo, hi);
}

extern "C" void dlrt_softmax(const float *in, int64_t outer, int64_t axis_len,
                             int64_t inner, float *out) {
  if (outer == 0 || axis_len == 0 || inner == 0)
    return;
  try {
    Cached &cp = lookup(makeKey("softmax", {outer, axis_len, inner}), [&] {
      memory::desc d = md({outer, axis_len, inner}, Tag::abc);
      dnnl::softmax_forward::primitive_desc pd(
          dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, d, 1),
          engine());
      return Cached{dnnl::softmax_forward(pd),
                    {{DNNL_ARG_SRC, d}, {DNNL_ARG_DST, d}}};
    });
    execute(cp, {in, out});
  } catch (const dnnl::error &e) {
    fatal("softmax: oneDNN error: %s", e.what());
  }
}

extern "C" void dlrt_add(const float *a, const float *b, float *out,
                         int64_t n) {
#pragma omp parallel for simd if (n > 65536)
  for (int64_t i = 0; i < n; ++i)
    out[i] = a[i] + b[i];
}

extern "C" void dlrt_mul(const float *a, const float *b, float *out,
                         int64_t n) {
#pragma omp parallel for simd if (n > 65536)
  for (int64_t i = 0; i < n; ++i)
    out[i] = a[i] * b[i];
}

extern "C" void dlrt_fill(float *out, int64_t n, float value) {
#pragma omp parallel for simd if (n > 65536)
  for (int64_t i = 0; i < n; ++i)
    out[i] = value;
}

extern "C" void dlrt_copy_box(const float *src, const int64_t *src_shape,
                              const int64_t *src_offsets, float *dst,
                              const int64_t *dst_shape,
                              const int64_t *dst_offsets,
                              const int64_t *box_shape, int rank) {
  if (rank < 0)
    fatal("copy_box: negative rank %d", rank);
  int64_t rows = 1;
  for (int i = 0; i < rank; ++i) {
    if (box_shape[i] < 0 || src_offsets[i] < 0 || dst_offsets[i] < 0 ||
        src_offsets[i] + box_shape[i] > src_shape[i] ||
        dst_offsets[i] + box_shape[i] > dst_shape[i])
      fatal("copy_box: box of extent %lld at src offset %lld / dst offset "
            "%lld does not fit dim %d (src %lld, dst %lld)",
            (long long)box_shape[i], (long long)src_offsets[i],
            (long long)dst_offsets[i], i, (long long)src_shape[i],
            (long long)dst_shape[i]);
    if (i + 1 < rank)
      rows *= box_shape[i];
  }
  if (rank == 0) {
    dst[0] = src[0];
    return;
  }
  int64_t rowLen = box_shape[rank - 1];
  if (rowLen == 0 || rows == 0)
    return;
  std::vector<int64_t> sStride(rank, 1), dStride(rank, 1);
  for (int i = rank - 2; i >= 0; --i) {
    sStride[i] = sStride[i + 1] * src_shape[i + 1];
    dStride[i] = dStride[i + 1] * dst_shape[i + 1];
  }
  int64_t sBase = 0, dBase = 0;
  for (int i = 0; i < rank; ++i) {
    sBase += src_offsets[i] * sStride[i];
    dBase += dst_offsets[i] * dStride[i];
  }
#pragma omp parallel for if (rows * rowLen > 65536)
  for (int64_t r = 0; r < rows; ++r) {
    // Decompose the row index over box dims 0..rank-2.
    int64_t rem = r, so = sBase, d = dBase;
    for (int i = rank - 2; i >= 0; --i) {
      int64_t idx = rem % box_shape[i];
      rem /= box_shape[i];
      so += idx * sStride[i];
      d += idx * dStride[i];
    }
    std::memcpy(dst + d, src + so, sizeof(float) * rowLen);
  }
}

//===----------------------------------------------------------------------===//
// LSTM
//===----------------------------------------------------------------------===//

extern "C" void dlrt_lstm_gates(const float *x_t, const float *h, int64_t n,
                                int64_t xdim, int64_t hidden,
                                const float *w_ih_rows, const float *w_hh_rows,
                                const float *b_rows, int64_t rows, float *out) {
  if (b_rows)
    broadcastRows(out, b_rows, n, rows);
  sgemm("lstm_gates", x_t, w_ih_rows, out, n, xdim, rows, true,
        b_rows ? 1.f : 0.f);
  if (h)
    sgemm("lstm_gates", h, w_hh_rows, out, n, hidden, rows, true, 1.f);
}

extern "C" void dlrt_lstm_cell(const float *gi, const float *gf,
                               const float *gg, const float *go,
                               int64_t ld_gates, float *c, float *h_out,
                               int64_t n, int64_t units) {
#pragma omp parallel for if (n * units > 16384)
  for (int64_t b = 0; b < n; ++b) {
    const int64_t g = b * ld_gates;
    float *cb = c + b * units;
    float *hb = h_out + b * units;
    for (int64_t u = 0; u < units; ++u) {
      float i = sigmoidf(gi[g + u]);
      float f = sigmoidf(gf[g + u]);
      float gc = std::tanh(gg[g + u]);
      float o = sigmoidf(go[g + u]);
      float cn = f * cb[u] + i * gc;
      cb[u] = cn;
      hb[u] = o * std::tanh(cn);
    }
  }
}

extern "C" void dlrt_lstm(const float *x, int64_t t, int64_t n, int64_t xdim,
                          const float *w_ih, const float *w_hh,
                          const float *bias, int64_t hidden, float *y) {
  const int64_t g4 = 4 * hidden;
  if (t == 0 || n == 0 || hidden == 0)
    return;
  // Input contributions of all time steps in one GEMM.
  std::vector<float> gates(t * n * g4);
  if (bias)
    broadcastRows(gates.data(), bias, t * n, g4);
  sgemm("lstm", x, w_ih, gates.data(), t * n, xdim, g4, true, bias ? 1.f : 0.f);
  std::vector<float> c(n * hidden, 0.f);
  for (int64_t s = 0; s < t; ++s) {
    float *gs = gates.data() + s * n * g4;
    if (s > 0)
      sgemm("lstm", y + (s - 1) * n * hidden, w_hh, gs, n, hidden, g4, true,
            1.f);
    dlrt_lstm_cell(gs, gs + hidden, gs + 2 * hidden, gs + 3 * hidden, g4,
                   c.data(), y + s * n * hidden, n, hidden);
  }
}
