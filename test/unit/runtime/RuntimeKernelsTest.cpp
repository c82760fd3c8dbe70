//===- RuntimeKernelsTest.cpp - Tests for the dlrt CPU kernels --*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Compares every CPU kernel of libdlrt against a naive reference loop.
///
//===----------------------------------------------------------------------===//

#include "dlrt/dlrt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

std::vector<float> randomVec(size_t n, unsigned seed, float lo = -1.f,
                             float hi = 1.f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(gen);
  return v;
}

void expectNear(const std::vector<float> &got, const std::vector<float> &want,
                float tol = 1e-4f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tol * (1.f + std::fabs(want[i])))
        << "at index " << i;
}

struct ConvParams {
  int64_t n, c, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups;
  int act;
  bool bias;
};

std::vector<float> refConv(const ConvParams &p, const std::vector<float> &in,
                           const std::vector<float> &wt,
                           const std::vector<float> &b, int64_t oh,
                           int64_t ow) {
  std::vector<float> out(p.n * p.oc * oh * ow);
  int64_t cpg = p.c / p.groups, opg = p.oc / p.groups;
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t o = 0; o < p.oc; ++o)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          double s = p.bias ? b[o] : 0.0;
          int64_t g = o / opg;
          for (int64_t ci = 0; ci < cpg; ++ci)
            for (int64_t ky = 0; ky < p.kh; ++ky)
              for (int64_t kx = 0; kx < p.kw; ++kx) {
                int64_t iy = y * p.sh - p.pt + ky * p.dh;
                int64_t ix = x * p.sw - p.pl + kx * p.dw;
                if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w)
                  continue;
                s += in[((n * p.c + g * cpg + ci) * p.h + iy) * p.w + ix] *
                     wt[((o * cpg + ci) * p.kh + ky) * p.kw + kx];
              }
          if (p.act == 1 && s < 0)
            s = 0;
          out[((n * p.oc + o) * oh + y) * ow + x] = static_cast<float>(s);
        }
  return out;
}

void checkConv(const ConvParams &p) {
  int64_t oh = (p.h + p.pt + p.pb - ((p.kh - 1) * p.dh + 1)) / p.sh + 1;
  int64_t ow = (p.w + p.pl + p.pr - ((p.kw - 1) * p.dw + 1)) / p.sw + 1;
  auto in = randomVec(p.n * p.c * p.h * p.w, 1);
  auto wt = randomVec(p.oc * (p.c / p.groups) * p.kh * p.kw, 2);
  auto b = randomVec(p.oc, 3);
  std::vector<float> out(p.n * p.oc * oh * ow, 123.f);
  // Twice: the second call reuses the cached primitive.
  for (int rep = 0; rep < 2; ++rep)
    dlrt_conv2d(in.data(), p.n, p.c, p.h, p.w, wt.data(),
                p.bias ? b.data() : nullptr, p.oc, p.kh, p.kw, p.sh, p.sw, p.pt,
                p.pl, p.pb, p.pr, p.dh, p.dw, p.groups, p.act, out.data(), oh,
                ow);
  expectNear(out, refConv(p, in, wt, b, oh, ow));
}

TEST(Conv2d, AsymmetricPadding) {
  checkConv({2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 0, 0, 2, 1, 1, 1, 0, true});
  checkConv({1, 2, 5, 5, 3, 3, 3, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, false});
}

TEST(Conv2d, Stride2) {
  checkConv({1, 4, 9, 8, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, true});
  checkConv({2, 3, 8, 8, 5, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0, true});
}

TEST(Conv2d, Dilation2) {
  checkConv({1, 3, 10, 9, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 0, true});
  checkConv({1, 2, 11, 11, 2, 3, 2, 2, 1, 1, 0, 2, 1, 2, 3, 1, 0, false});
}

TEST(Conv2d, Groups) {
  checkConv({2, 4, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0, true});
  // Depthwise.
  checkConv({1, 5, 7, 7, 5, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 5, 1, true});
}

TEST(Conv2d, FusedRelu) {
  checkConv({1, 3, 6, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, true});
}

// Up to 8 input channels (groups 1) the source is read in its plain NCHW
// layout by oneDNN's direct kernel; 9 and more go through the blocked copy.
// Maps of odd sizes larger than a vector and a channel block, with
// padding, strides, a 7x7 window and more output channels than one block.
TEST(Conv2d, FewInputChannels) {
  // YOLOv2's first layer in small: 3 -> 32, 3x3, pad 1, fused ReLU.
  checkConv({1, 3, 61, 67, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, true});
  // ResNet's stem: 7x7 stride 2 pad 3, no bias.
  checkConv({2, 3, 45, 39, 40, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 0, false});
  // One channel, asymmetric padding, stride 3 x 2.
  checkConv({1, 1, 50, 33, 17, 3, 5, 3, 2, 0, 2, 1, 1, 1, 1, 1, 1, true});
  // 4 and 8 channels (the limit), 9 (blocked), dilation 2.
  checkConv({1, 4, 29, 31, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, true});
  checkConv({1, 8, 37, 23, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, true});
  checkConv({1, 9, 37, 23, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, true});
  checkConv({1, 3, 40, 41, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 0, true});
}

std::vector<float> refPool(int kind, const std::vector<float> &in, int64_t n,
                           int64_t c, int64_t h, int64_t w, int64_t kh,
                           int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                           int64_t pl, int64_t oh, int64_t ow, bool includePad,
                           int64_t pb, int64_t pr) {
  std::vector<float> out(n * c * oh * ow);
  for (int64_t i = 0; i < n * c; ++i)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        float mx = -INFINITY;
        double s = 0;
        int64_t cnt = 0, padCnt = 0;
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            int64_t iy = y * sh - pt + ky, ix = x * sw - pl + kx;
            if (iy >= -pt && iy < h + pb && ix >= -pl && ix < w + pr)
              ++padCnt;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
              continue;
            float v = in[(i * h + iy) * w + ix];
            mx = std::max(mx, v);
            s += v;
            ++cnt;
          }
        out[(i * oh + y) * ow + x] =
            kind == 0 ? mx
                      : static_cast<float>(s / (includePad ? padCnt : cnt));
      }
  return out;
}

TEST(Pool2d, MaxAndAvg) {
  const int64_t n = 2, c = 3, h = 7, w = 6;
  auto in = randomVec(n * c * h * w, 4);
  struct Case {
    int kind;
    int64_t k, s, pt, pl, pb, pr;
    int includePad;
  } cases[] = {{0, 3, 2, 1, 1, 1, 1, 0},
               {0, 2, 2, 0, 0, 0, 0, 0},
               {1, 3, 1, 1, 0, 0, 1, 1},
               {1, 3, 2, 1, 1, 1, 1, 0},
               {0, 3, 1, 1, 0, 0, 0, 0}};
  for (const Case &k : cases) {
    int64_t oh = (h + k.pt + k.pb - k.k) / k.s + 1;
    int64_t ow = (w + k.pl + k.pr - k.k) / k.s + 1;
    std::vector<float> out(n * c * oh * ow);
    dlrt_pool2d(k.kind, in.data(), n, c, h, w, k.k, k.k, k.s, k.s, k.pt, k.pl,
                k.pb, k.pr, out.data(), oh, ow, k.includePad);
    expectNear(out, refPool(k.kind, in, n, c, h, w, k.k, k.k, k.s, k.s, k.pt,
                            k.pl, oh, ow, k.includePad, k.pb, k.pr));
  }
}

// Maps large enough that oneDNN 2.x falls back from its JIT kernel for
// plain layouts (checked with ONEDNN_VERBOSE=2) and the runtime's own loop
// runs; dlrt.kernels.pool-loop runs every pooling test in that loop
// (DLRT_POOL_LOOP=1). Odd sizes, padding on either side, strides 1, 2 and
// 3 (the loop's contiguous, interleaved and general paths), ceil mode
// (extra bottom/right padding), rectangular windows.
TEST(Pool2d, LargeMapsOddSizes) {
  struct Case {
    int kind;
    int64_t n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr;
    int includePad;
  } cases[] = {
      // YOLOv2's 2x2/2 max pool on an odd width (ceil mode: pad_r 1).
      {0, 1, 8, 300, 301, 2, 2, 2, 2, 0, 0, 0, 1, 0},
      // 3x3/2 pad 1 (ResNet), two images.
      {0, 2, 4, 257, 263, 3, 3, 2, 2, 1, 1, 1, 1, 0},
      // 3x3/1 pad 1, average without and with the padding.
      {1, 1, 4, 255, 250, 3, 3, 1, 1, 1, 1, 1, 1, 0},
      {1, 1, 4, 255, 250, 3, 3, 1, 1, 1, 1, 1, 1, 1},
      // Rectangular 3x2 window, strides 3x2, asymmetric pads.
      {1, 1, 4, 255, 250, 3, 2, 3, 2, 2, 1, 0, 1, 1},
      {0, 1, 4, 255, 250, 3, 2, 3, 2, 2, 1, 0, 1, 0},
      // 5x5/3 with ceil-mode padding on both sides, average excluding it.
      {1, 1, 3, 200, 203, 5, 5, 3, 3, 2, 0, 4, 3, 0},
      {0, 1, 3, 200, 203, 5, 5, 3, 3, 2, 0, 4, 3, 0},
      // Window wider than the map plus padding on one side.
      {0, 1, 2, 300, 3, 2, 4, 2, 1, 0, 1, 0, 2, 0},
      {1, 1, 2, 300, 3, 2, 4, 2, 1, 0, 1, 0, 2, 0},
  };
  for (const Case &k : cases) {
    int64_t oh = (k.h + k.pt + k.pb - k.kh) / k.sh + 1;
    int64_t ow = (k.w + k.pl + k.pr - k.kw) / k.sw + 1;
    auto in = randomVec(k.n * k.c * k.h * k.w, 14);
    std::vector<float> out(k.n * k.c * oh * ow, 123.f);
    for (int rep = 0; rep < 2; ++rep)
      dlrt_pool2d(k.kind, in.data(), k.n, k.c, k.h, k.w, k.kh, k.kw, k.sh, k.sw,
                  k.pt, k.pl, k.pb, k.pr, out.data(), oh, ow, k.includePad);
    SCOPED_TRACE(testing::Message()
                 << "kind " << k.kind << " " << k.h << "x" << k.w << " window "
                 << k.kh << "x" << k.kw << " stride " << k.sh << "x" << k.sw);
    expectNear(out,
               refPool(k.kind, in, k.n, k.c, k.h, k.w, k.kh, k.kw, k.sh, k.sw,
                       k.pt, k.pl, oh, ow, k.includePad, k.pb, k.pr));
  }
}

// Many channels over small maps: shapes oneDNN 2.x runs with its JIT kernel
// for plain layouts (checked with ONEDNN_VERBOSE=2), so dlrt.kernels checks
// that path and dlrt.kernels.pool-loop the loop on the same shapes.
TEST(Pool2d, ManyChannelsSmallMaps) {
  struct Case {
    int kind;
    int64_t c, h, w, k, s, pad;
    int includePad;
  } cases[] = {{0, 64, 28, 28, 3, 2, 1, 0},
               {1, 64, 28, 28, 3, 2, 1, 0},
               {1, 48, 19, 17, 3, 1, 1, 1},
               {0, 256, 12, 12, 2, 2, 0, 0},
               {0, 512, 13, 13, 2, 1, 0, 0}};
  for (const Case &k : cases) {
    int64_t oh = (k.h + 2 * k.pad - k.k) / k.s + 1;
    int64_t ow = (k.w + 2 * k.pad - k.k) / k.s + 1;
    auto in = randomVec(k.c * k.h * k.w, 15);
    std::vector<float> out(k.c * oh * ow, 123.f);
    dlrt_pool2d(k.kind, in.data(), 1, k.c, k.h, k.w, k.k, k.k, k.s, k.s, k.pad,
                k.pad, k.pad, k.pad, out.data(), oh, ow, k.includePad);
    expectNear(out, refPool(k.kind, in, 1, k.c, k.h, k.w, k.k, k.k, k.s, k.s,
                            k.pad, k.pad, oh, ow, k.includePad, k.pad, k.pad));
  }
}

TEST(Pool2d, PaddingNotSmallerThanKernelAborts) {
  std::vector<float> in(16), out(16);
  EXPECT_DEATH(dlrt_pool2d(0, in.data(), 1, 1, 4, 4, 2, 2, 1, 1, 2, 0, 0, 0,
                           out.data(), 5, 3, 0),
               "pool2d: padding must be in \\[0, kernel\\)");
}

TEST(Pool2d, GlobalAvg) {
  auto in = randomVec(2 * 3 * 4 * 5, 5);
  std::vector<float> out(6), ref(6);
  dlrt_global_avg_pool(in.data(), 2, 3, 4, 5, out.data());
  for (int i = 0; i < 6; ++i) {
    double s = 0;
    for (int j = 0; j < 20; ++j)
      s += in[i * 20 + j];
    ref[i] = static_cast<float>(s / 20);
  }
  expectNear(out, ref);
}

TEST(BatchNorm, Inference) {
  for (int64_t hw : {1, 5}) {
    const int64_t n = 2, c = 4;
    auto in = randomVec(n * c * hw * hw, 6);
    auto scale = randomVec(c, 7), shift = randomVec(c, 8),
         mean = randomVec(c, 9), var = randomVec(c, 10, 0.1f, 2.f);
    std::vector<float> out(in.size()), ref(in.size());
    dlrt_batch_norm(in.data(), n, c, hw, hw, scale.data(), shift.data(),
                    mean.data(), var.data(), 1e-5f, out.data());
    for (int64_t i = 0; i < n; ++i)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t j = 0; j < hw * hw; ++j) {
          int64_t idx = (i * c + ch) * hw * hw + j;
          ref[idx] =
              (in[idx] - mean[ch]) / std::sqrt(var[ch] + 1e-5f) * scale[ch] +
              shift[ch];
        }
    expectNear(out, ref);
  }
}

// m = 1 (a batch-1 layer) runs as a matrix-vector product.
TEST(Dense, WithAndWithoutBias) {
  const int64_t k = 7, n = 3;
  for (int64_t m : {5, 1})
    for (bool withBias : {true, false}) {
      auto x = randomVec(m * k, 11), w = randomVec(n * k, 12),
           b = randomVec(n, 13);
      std::vector<float> y(m * n, 99.f), ref(m * n);
      dlrt_dense(x.data(), m, k, w.data(), withBias ? b.data() : nullptr, n,
                 y.data());
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double s = withBias ? b[j] : 0;
          for (int64_t l = 0; l < k; ++l)
            s += x[i * k + l] * w[j * k + l];
          ref[i * n + j] = static_cast<float>(s);
        }
      expectNear(y, ref);
    }
}

TEST(Matmul, PlainAndBatched) {
  const int64_t bt = 3, m = 4, k = 5, n = 6;
  auto a = randomVec(bt * m * k, 14), b = randomVec(bt * k * n, 15);
  auto ref = [&](int64_t i, bool shared) {
    std::vector<float> r(m * n);
    const float *bb = b.data() + (shared ? 0 : i * k * n);
    for (int64_t r0 = 0; r0 < m; ++r0)
      for (int64_t c0 = 0; c0 < n; ++c0) {
        double s = 0;
        for (int64_t l = 0; l < k; ++l)
          s += a[i * m * k + r0 * k + l] * bb[l * n + c0];
        r[r0 * n + c0] = static_cast<float>(s);
      }
    return r;
  };
  std::vector<float> y(m * n);
  dlrt_matmul(a.data(), m, k, b.data(), n, y.data());
  expectNear(y, ref(0, false));
  // One row: a matrix-vector product (the first row of the reference).
  std::vector<float> y1(n);
  dlrt_matmul(a.data(), 1, k, b.data(), n, y1.data());
  std::vector<float> row = ref(0, false);
  row.resize(n);
  expectNear(y1, row);
  for (int shared = 0; shared < 2; ++shared) {
    std::vector<float> yb(bt * m * n);
    dlrt_matmul_batched(a.data(), bt, m, k, b.data(), !shared, n, yb.data());
    for (int64_t i = 0; i < bt; ++i)
      expectNear(std::vector<float>(yb.begin() + i * m * n,
                                    yb.begin() + (i + 1) * m * n),
                 ref(i, shared));
  }
}

TEST(Elementwise, Activations) {
  auto in = randomVec(1000, 16, -4.f, 4.f);
  std::vector<float> out(in.size()), ref(in.size());
  dlrt_relu(in.data(), out.data(), in.size());
  for (size_t i = 0; i < in.size(); ++i)
    ref[i] = std::max(in[i], 0.f);
  expectNear(out, ref);
  dlrt_sigmoid(in.data(), out.data(), in.size());
  for (size_t i = 0; i < in.size(); ++i)
    ref[i] = 1.f / (1.f + std::exp(-in[i]));
  expectNear(out, ref);
  dlrt_tanh(in.data(), out.data(), in.size());
  for (size_t i = 0; i < in.size(); ++i)
    ref[i] = std::tanh(in[i]);
  expectNear(out, ref);
  dlrt_gelu(in.data(), out.data(), in.size());
  for (size_t i = 0; i < in.size(); ++i)
    ref[i] = 0.5f * in[i] * (1.f + std::erf(in[i] / std::sqrt(2.f)));
  expectNear(out, ref, 1e-3f);
  // In place.
  std::vector<float> v = in;
  dlrt_relu(v.data(), v.data(), v.size());
  for (size_t i = 0; i < in.size(); ++i)
    ASSERT_EQ(v[i], std::max(in[i], 0.f));
}

TEST(Elementwise, AddMulFill) {
  auto a = randomVec(300, 17), b = randomVec(300, 18);
  std::vector<float> out(300);
  dlrt_add(a.data(), b.data(), out.data(), 300);
  for (int i = 0; i < 300; ++i)
    ASSERT_FLOAT_EQ(out[i], a[i] + b[i]);
  dlrt_mul(a.data(), b.data(), out.data(), 300);
  for (int i = 0; i < 300; ++i)
    ASSERT_FLOAT_EQ(out[i], a[i] * b[i]);
  dlrt_fill(out.data(), 300, 2.5f);
  for (int i = 0; i < 300; ++i)
    ASSERT_EQ(out[i], 2.5f);
}

TEST(Softmax, MiddleAxis) {
  const int64_t outer = 3, axis = 5, inner = 4;
  auto in = randomVec(outer * axis * inner, 19, -3.f, 3.f);
  std::vector<float> out(in.size()), ref(in.size());
  dlrt_softmax(in.data(), outer, axis, inner, out.data());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double mx = -1e30, s = 0;
      for (int64_t a = 0; a < axis; ++a)
        mx = std::max<double>(mx, in[(o * axis + a) * inner + i]);
      for (int64_t a = 0; a < axis; ++a)
        s += std::exp(in[(o * axis + a) * inner + i] - mx);
      for (int64_t a = 0; a < axis; ++a)
        ref[(o * axis + a) * inner + i] = static_cast<float>(
            std::exp(in[(o * axis + a) * inner + i] - mx) / s);
    }
  expectNear(out, ref);
}

TEST(CopyBox, ThreeD) {
  const int64_t ss[3] = {4, 5, 6}, ds[3] = {3, 7, 4};
  const int64_t so[3] = {1, 2, 1}, dOff[3] = {0, 3, 1}, box[3] = {2, 3, 3};
  auto src = randomVec(4 * 5 * 6, 20);
  std::vector<float> dst(3 * 7 * 4, -7.f), ref = dst;
  dlrt_copy_box(src.data(), ss, so, dst.data(), ds, dOff, box, 3);
  for (int64_t i = 0; i < box[0]; ++i)
    for (int64_t j = 0; j < box[1]; ++j)
      for (int64_t k = 0; k < box[2]; ++k)
        ref[((dOff[0] + i) * ds[1] + dOff[1] + j) * ds[2] + dOff[2] + k] =
            src[((so[0] + i) * ss[1] + so[1] + j) * ss[2] + so[2] + k];
  ASSERT_EQ(dst, ref);
}

TEST(CopyBox, OutOfBoundsAborts) {
  const int64_t ss[1] = {4}, ds[1] = {4}, so[1] = {2}, dOff[1] = {0},
                box[1] = {3};
  std::vector<float> a(4), b(4);
  EXPECT_DEATH(dlrt_copy_box(a.data(), ss, so, b.data(), ds, dOff, box, 1),
               "dlrt: rank 0: copy_box");
}

TEST(Conv2d, BadOutputShapeAborts) {
  std::vector<float> in(16), wt(9), out(16);
  EXPECT_DEATH(dlrt_conv2d(in.data(), 1, 1, 4, 4, wt.data(), nullptr, 1, 3, 3,
                           1, 1, 0, 0, 0, 0, 1, 1, 1, 0, out.data(), 4, 4),
               "conv2d: output 4x4 does not match");
}

/// Naive LSTM, PyTorch gate order i, f, g, o.
std::vector<float> refLstm(const std::vector<float> &x, int64_t t, int64_t n,
                           int64_t xd, const std::vector<float> &wih,
                           const std::vector<float> &whh,
                           const std::vector<float> &b, int64_t hd) {
  std::vector<float> y(t * n * hd), h(n * hd, 0.f), c(n * hd, 0.f);
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (int64_t s = 0; s < t; ++s) {
    std::vector<float> hn(n * hd);
    for (int64_t bi = 0; bi < n; ++bi)
      for (int64_t u = 0; u < hd; ++u) {
        double g[4];
        for (int q = 0; q < 4; ++q) {
          int64_t row = q * hd + u;
          double acc = b[row];
          for (int64_t l = 0; l < xd; ++l)
            acc += wih[row * xd + l] * x[(s * n + bi) * xd + l];
          for (int64_t l = 0; l < hd; ++l)
            acc += whh[row * hd + l] * h[bi * hd + l];
          g[q] = acc;
        }
        double cn = sig(g[1]) * c[bi * hd + u] + sig(g[0]) * std::tanh(g[2]);
        c[bi * hd + u] = static_cast<float>(cn);
        hn[bi * hd + u] = static_cast<float>(sig(g[3]) * std::tanh(cn));
      }
    h = hn;
    std::copy(h.begin(), h.end(), y.begin() + s * n * hd);
  }
  return y;
}

TEST(Lstm, FullLayerMatchesReference) {
  const int64_t t = 5, n = 2, xd = 3, hd = 4;
  auto x = randomVec(t * n * xd, 21), wih = randomVec(4 * hd * xd, 22),
       whh = randomVec(4 * hd * hd, 23), b = randomVec(4 * hd, 24);
  std::vector<float> y(t * n * hd);
  dlrt_lstm(x.data(), t, n, xd, wih.data(), whh.data(), b.data(), hd, y.data());
  expectNear(y, refLstm(x, t, n, xd, wih, whh, b, hd));
}

TEST(Lstm, GatesAndCellComposeToFullLayer) {
  // Split the hidden units over two "devices" as the partitioner does: each
  // part owns units [u0, u1) and the matching rows of all four gates.
  const int64_t t = 4, n = 3, xd = 5, hd = 6;
  auto x = randomVec(t * n * xd, 25), wih = randomVec(4 * hd * xd, 26),
       whh = randomVec(4 * hd * hd, 27), b = randomVec(4 * hd, 28);
  std::vector<float> full(t * n * hd);
  dlrt_lstm(x.data(), t, n, xd, wih.data(), whh.data(), b.data(), hd,
            full.data());

  const int64_t split[3] = {0, 2, hd};
  std::vector<float> h(n * hd, 0.f), composed(t * n * hd);
  std::vector<std::vector<float>> cs(2);
  for (int p = 0; p < 2; ++p)
    cs[p].assign(n * (split[p + 1] - split[p]), 0.f);
  for (int64_t s = 0; s < t; ++s) {
    std::vector<float> hNext(n * hd);
    for (int p = 0; p < 2; ++p) {
      int64_t u0 = split[p], units = split[p + 1] - u0, rows = 4 * units;
      std::vector<float> wi(rows * xd), wh(rows * hd), br(rows);
      for (int q = 0; q < 4; ++q)
        for (int64_t u = 0; u < units; ++u) {
          int64_t src = q * hd + u0 + u, dst = q * units + u;
          std::copy_n(wih.begin() + src * xd, xd, wi.begin() + dst * xd);
          std::copy_n(whh.begin() + src * hd, hd, wh.begin() + dst * hd);
          br[dst] = b[src];
        }
      std::vector<float> gates(n * rows), hPart(n * units);
      dlrt_lstm_gates(x.data() + s * n * xd, s ? h.data() : nullptr, n, xd, hd,
                      wi.data(), wh.data(), br.data(), rows, gates.data());
      dlrt_lstm_cell(gates.data(), gates.data() + units,
                     gates.data() + 2 * units, gates.data() + 3 * units, rows,
                     cs[p].data(), hPart.data(), n, units);
      for (int64_t bi = 0; bi < n; ++bi)
        for (int64_t u = 0; u < units; ++u)
          hNext[bi * hd + u0 + u] = hPart[bi * units + u];
    }
    h = hNext;
    std::copy(h.begin(), h.end(), composed.begin() + s * n * hd);
  }
  expectNear(composed, full);
}

TEST(Misc, CudaUnavailable) { EXPECT_EQ(dlrt_cuda_available(), 0); }

} // namespace
