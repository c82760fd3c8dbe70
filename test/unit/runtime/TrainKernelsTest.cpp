//===- TrainKernelsTest.cpp - dlrt training kernels -------------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Every backward kernel of runtime/Training.cpp against central finite
/// differences of the forward kernels (for L = sum(out * R) with a random
/// R, so dL/dout = R), the loss against its definition and the optimizers
/// against their formulas.
///
//===----------------------------------------------------------------------===//

#include "dlrt/dlrt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

namespace {

std::vector<float> randomVector(size_t n, unsigned seed, float lo = -1.f,
                                float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

double dot(const std::vector<float> &a, const std::vector<float> &b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += double(a[i]) * double(b[i]);
  return s;
}

/// Checks `grad` against central differences of `loss` with respect to
/// every entry of `x`: max |fd - grad| <= tol * max |grad|.
void checkGradient(const char *what, std::vector<float> &x,
                   const std::vector<float> &grad,
                   const std::function<double()> &loss, float eps = 1e-2f,
                   double tol = 2e-3) {
  ASSERT_EQ(x.size(), grad.size()) << what;
  double maxGrad = 0, maxErr = 0;
  for (float g : grad)
    maxGrad = std::max(maxGrad, std::fabs(double(g)));
  ASSERT_GT(maxGrad, 0) << what << ": gradient is all zero";
  for (size_t i = 0; i < x.size(); ++i) {
    float saved = x[i];
    x[i] = saved + eps;
    double up = loss();
    x[i] = saved - eps;
    double down = loss();
    x[i] = saved;
    double fd = (up - down) / (2.0 * eps);
    maxErr = std::max(maxErr, std::fabs(fd - grad[i]));
  }
  EXPECT_LE(maxErr, tol * maxGrad)
      << what << ": max |fd - grad| " << maxErr << ", max |grad| " << maxGrad;
}

struct ConvCase {
  int64_t n, c, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups;
};

void checkConv(const ConvCase &k, bool bias) {
  int64_t oh = (k.h + k.pt + k.pb - k.dh * (k.kh - 1) - 1) / k.sh + 1;
  int64_t ow = (k.w + k.pl + k.pr - k.dw * (k.kw - 1) - 1) / k.sw + 1;
  std::vector<float> x = randomVector(k.n * k.c * k.h * k.w, 1);
  std::vector<float> wt =
      randomVector(k.oc * (k.c / k.groups) * k.kh * k.kw, 2);
  std::vector<float> b = randomVector(k.oc, 3);
  std::vector<float> r = randomVector(k.n * k.oc * oh * ow, 4);
  std::vector<float> out(r.size());
  auto loss = [&]() {
    dlrt_conv2d(x.data(), k.n, k.c, k.h, k.w, wt.data(),
                bias ? b.data() : nullptr, k.oc, k.kh, k.kw, k.sh, k.sw, k.pt,
                k.pl, k.pb, k.pr, k.dh, k.dw, k.groups, 0, out.data(), oh, ow);
    return dot(out, r);
  };
  std::vector<float> dx(x.size()), dw(wt.size()), db(k.oc);
  dlrt_conv2d_backward_data(r.data(), k.n, k.oc, oh, ow, wt.data(), k.c,
                            k.kh, k.kw, k.sh, k.sw, k.pt, k.pl, k.pb, k.pr,
                            k.dh, k.dw, k.groups, dx.data(), k.h, k.w);
  dlrt_conv2d_backward_weights(x.data(), k.n, k.c, k.h, k.w, r.data(), k.oc,
                               oh, ow, k.kh, k.kw, k.sh, k.sw, k.pt, k.pl,
                               k.pb, k.pr, k.dh, k.dw, k.groups, dw.data(),
                               bias ? db.data() : nullptr);
  checkGradient("conv dx", x, dx, loss);
  checkGradient("conv dw", wt, dw, loss);
  if (bias)
    checkGradient("conv db", b, db, loss);
}

TEST(TrainKernels, ConvBackwardPlain) {
  checkConv({2, 3, 6, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, true);
}

TEST(TrainKernels, ConvBackwardStrideDilationGroupsAsymmetricPadding) {
  checkConv({2, 4, 7, 6, 6, 3, 2, 2, 1, 1, 0, 2, 1, 1, 2, 2}, true);
}

TEST(TrainKernels, ConvBackwardDepthwiseNoBias) {
  checkConv({1, 3, 5, 5, 3, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1, 3}, false);
}

TEST(TrainKernels, DenseBackward) {
  int64_t m = 3, k = 7, n = 5;
  std::vector<float> x = randomVector(m * k, 5), w = randomVector(n * k, 6),
                     b = randomVector(n, 7), r = randomVector(m * n, 8);
  std::vector<float> out(m * n);
  auto loss = [&]() {
    dlrt_dense(x.data(), m, k, w.data(), b.data(), n, out.data());
    return dot(out, r);
  };
  std::vector<float> dx(x.size()), dw(w.size()), db(n);
  dlrt_dense_backward_data(r.data(), m, n, w.data(), k, dx.data());
  dlrt_dense_backward_weights(x.data(), m, k, r.data(), n, dw.data(),
                              db.data());
  checkGradient("dense dx", x, dx, loss);
  checkGradient("dense dw", w, dw, loss);
  checkGradient("dense db", b, db, loss);
}

TEST(TrainKernels, ReluBackward) {
  std::vector<float> x = randomVector(50, 9), r = randomVector(50, 10);
  std::vector<float> y(50), dx(50);
  dlrt_relu(x.data(), y.data(), 50);
  dlrt_relu_backward(y.data(), r.data(), dx.data(), 50);
  auto loss = [&]() {
    dlrt_relu(x.data(), y.data(), 50);
    return dot(y, r);
  };
  checkGradient("relu", x, dx, loss, 1e-3f);
  // In place (dx aliases dy).
  dlrt_relu(x.data(), y.data(), 50);
  std::vector<float> inplace = r;
  dlrt_relu_backward(y.data(), inplace.data(), inplace.data(), 50);
  EXPECT_EQ(inplace, dx);
}

void checkPool(int kind, int64_t kh, int64_t sh, int64_t pad,
               int countIncludePad) {
  int64_t n = 1, c = 2, h = 6, w = 5;
  int64_t oh = (h + 2 * pad - kh) / sh + 1, ow = (w + 2 * pad - kh) / sh + 1;
  // Distinct values 0.02 apart, shuffled: no window's maximum changes
  // under the finite-difference step.
  std::vector<float> x(n * c * h * w);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = -1.f + 0.02f * float(i);
  std::shuffle(x.begin(), x.end(), std::mt19937(11));
  std::vector<float> r = randomVector(n * c * oh * ow, 12),
                     out(n * c * oh * ow), dx(x.size());
  auto loss = [&]() {
    dlrt_pool2d(kind, x.data(), n, c, h, w, kh, kh, sh, sh, pad, pad, pad,
                pad, out.data(), oh, ow, countIncludePad);
    return dot(out, r);
  };
  dlrt_pool2d_backward(kind, x.data(), n, c, h, w, kh, kh, sh, sh, pad, pad,
                       pad, pad, r.data(), oh, ow, countIncludePad, dx.data());
  checkGradient(kind == 0 ? "max pool" : "avg pool", x, dx, loss, 1e-3f);
}

TEST(TrainKernels, MaxPoolBackward) {
  checkPool(0, 2, 2, 0, 0);
  checkPool(0, 3, 2, 1, 0);
}

TEST(TrainKernels, AvgPoolBackward) {
  checkPool(1, 2, 2, 0, 0);
  checkPool(1, 3, 1, 1, 0);
  checkPool(1, 3, 2, 1, 1);
}

/// Checks an element-wise backward kernel against central differences of
/// its forward: `backward(fwdValue, dy, dx)` where fwdValue is the forward
/// output (`fromOutput`) or input.
void checkEltwise(
    const char *what,
    const std::function<void(const float *, float *, int64_t)> &forward,
    const std::function<void(const float *, const float *, float *, int64_t)>
        &backward,
    bool fromOutput, std::vector<float> x, float eps = 1e-3f) {
  int64_t n = x.size();
  std::vector<float> r = randomVector(n, 20), y(n), dx(n);
  forward(x.data(), y.data(), n);
  backward(fromOutput ? y.data() : x.data(), r.data(), dx.data(), n);
  auto loss = [&]() {
    forward(x.data(), y.data(), n);
    return dot(y, r);
  };
  checkGradient(what, x, dx, loss, eps);
  // In place (dx aliases dy), as the emitted code does at dy's last use.
  forward(x.data(), y.data(), n);
  std::vector<float> inplace = r;
  backward(fromOutput ? y.data() : x.data(), inplace.data(), inplace.data(), n);
  EXPECT_EQ(inplace, dx) << what;
}

TEST(TrainKernels, SigmoidTanhGeluBackward) {
  std::vector<float> x = randomVector(60, 21, -4.f, 4.f);
  checkEltwise("sigmoid", dlrt_sigmoid, dlrt_sigmoid_backward, true, x);
  checkEltwise("tanh", dlrt_tanh, dlrt_tanh_backward, true, x);
  checkEltwise("gelu", dlrt_gelu, dlrt_gelu_backward, false, x);
}

TEST(TrainKernels, ClipBackward) {
  // Values 0.02 apart and none within the step of a bound, so that the
  // finite differences do not cross one.
  std::vector<float> x(60);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = -0.61f + 0.02f * float(i);
  auto fwd = [](const float *in, float *out, int64_t n) {
    dlrt_clip(in, out, n, -0.3f, 0.4f);
  };
  auto bwd = [](const float *in, const float *dy, float *dx, int64_t n) {
    dlrt_clip_backward(in, dy, dx, n, -0.3f, 0.4f);
  };
  checkEltwise("clip", fwd, bwd, false, x);
  // PyTorch's clamp: the gradient passes at the bounds themselves.
  float at[] = {-0.3f, 0.4f, -0.31f, 0.41f}, dy[] = {1, 2, 3, 4}, dx[4];
  dlrt_clip_backward(at, dy, dx, 4, -0.3f, 0.4f);
  EXPECT_EQ(dx[0], 1.f);
  EXPECT_EQ(dx[1], 2.f);
  EXPECT_EQ(dx[2], 0.f);
  EXPECT_EQ(dx[3], 0.f);
}

TEST(TrainKernels, SoftmaxBackward) {
  // Softmax over the middle axis of [2, 5, 3] (axis 1 of a 3-D tensor).
  int64_t outer = 2, len = 5, inner = 3, n = outer * len * inner;
  std::vector<float> x = randomVector(n, 22, -2.f, 2.f),
                     r = randomVector(n, 23), y(n), dx(n);
  auto loss = [&]() {
    dlrt_softmax(x.data(), outer, len, inner, y.data());
    return dot(y, r);
  };
  loss();
  dlrt_softmax_backward(y.data(), r.data(), outer, len, inner, dx.data());
  checkGradient("softmax", x, dx, loss, 1e-3f);
}

void checkMatMul(int64_t batch, int64_t m, int64_t k, int64_t n) {
  std::vector<float> a = randomVector(batch * m * k, 24),
                     b = randomVector(batch * k * n, 25),
                     r = randomVector(batch * m * n, 26), y(r.size());
  auto loss = [&]() {
    if (batch == 1)
      dlrt_matmul(a.data(), m, k, b.data(), n, y.data());
    else
      dlrt_matmul_batched(a.data(), batch, m, k, b.data(), 1, n, y.data());
    return dot(y, r);
  };
  std::vector<float> da(a.size()), db(b.size());
  dlrt_matmul_backward_lhs(r.data(), batch, m, n, b.data(), k, da.data());
  dlrt_matmul_backward_rhs(a.data(), batch, m, k, r.data(), n, db.data());
  checkGradient("matmul da", a, da, loss);
  checkGradient("matmul db", b, db, loss);
}

TEST(TrainKernels, MatMulBackward) {
  checkMatMul(1, 3, 7, 5);
  checkMatMul(3, 4, 2, 6);
}

TEST(TrainKernels, GlobalAvgPoolBackward) {
  // dl.global_avg_pool's gradient is average pooling's with an H x W window.
  int64_t n = 2, c = 3, h = 4, w = 5;
  std::vector<float> x = randomVector(n * c * h * w, 27),
                     r = randomVector(n * c, 28), y(n * c), dx(x.size());
  auto loss = [&]() {
    dlrt_global_avg_pool(x.data(), n, c, h, w, y.data());
    return dot(y, r);
  };
  dlrt_pool2d_backward(1, x.data(), n, c, h, w, h, w, 1, 1, 0, 0, 0, 0,
                       r.data(), 1, 1, 0, dx.data());
  checkGradient("global avg pool", x, dx, loss);
}

/// Batch norm in training mode: the forward against its definition (batch
/// mean, biased variance), the backward against finite differences, the
/// running statistics against PyTorch's formula.
void checkBatchNorm(int64_t n, int64_t c, int64_t h, int64_t w) {
  int64_t size = n * c * h * w, hw = h * w;
  float eps = 1e-5f;
  std::vector<float> x = randomVector(size, 31, -2.f, 2.f),
                     scale = randomVector(c, 32, 0.5f, 1.5f),
                     shift = randomVector(c, 33), r = randomVector(size, 34),
                     y(size), dx(size), ds(c), db(c);
  dlrt_batch_norm_train(x.data(), n, c, h, w, scale.data(), shift.data(), eps,
                        y.data());
  std::vector<double> mean(c, 0.0), var(c, 0.0);
  for (int64_t i = 0; i < size; ++i)
    mean[(i / hw) % c] += x[i] / double(n * hw);
  for (int64_t i = 0; i < size; ++i) {
    double d = x[i] - mean[(i / hw) % c];
    var[(i / hw) % c] += d * d / double(n * hw);
  }
  for (int64_t i = 0; i < size; ++i) {
    int64_t ch = (i / hw) % c;
    double expected =
        (x[i] - mean[ch]) / std::sqrt(var[ch] + eps) * scale[ch] + shift[ch];
    ASSERT_NEAR(y[i], expected, 1e-4) << "batch norm forward at " << i;
  }
  auto loss = [&]() {
    dlrt_batch_norm_train(x.data(), n, c, h, w, scale.data(), shift.data(), eps,
                          y.data());
    return dot(y, r);
  };
  dlrt_batch_norm_backward(x.data(), n, c, h, w, scale.data(), r.data(), eps,
                           dx.data(), ds.data(), db.data());
  checkGradient("batch norm input", x, dx, loss, 1e-2f, 5e-3);
  checkGradient("batch norm scale", scale, ds, loss);
  checkGradient("batch norm shift", shift, db, loss);
  // Outputs may be left out.
  std::vector<float> dx2(size);
  dlrt_batch_norm_backward(x.data(), n, c, h, w, scale.data(), r.data(), eps,
                           dx2.data(), nullptr, nullptr);
  EXPECT_EQ(dx2, dx);

  std::vector<float> m0 = randomVector(c, 35), v0 = randomVector(c, 36, 0.5f),
                     m1(c), v1(c);
  dlrt_batch_norm_running_stats(x.data(), n, c, h, w, m0.data(), v0.data(),
                                0.1f, m1.data(), v1.data());
  double count = double(n * hw);
  for (int64_t ch = 0; ch < c; ++ch) {
    EXPECT_NEAR(m1[ch], 0.9 * m0[ch] + 0.1 * mean[ch], 1e-6);
    EXPECT_NEAR(v1[ch], 0.9 * v0[ch] + 0.1 * var[ch] * count / (count - 1),
                1e-6);
  }
}

TEST(TrainKernels, BatchNormNCHW) { checkBatchNorm(3, 4, 3, 2); }

TEST(TrainKernels, BatchNormNC) { checkBatchNorm(5, 3, 1, 1); }

/// LSTM backprop through time against finite differences of dlrt_lstm.
void checkLstm(bool withBias) {
  int64_t t = 4, n = 2, xd = 3, hd = 5, g4 = 4 * hd;
  std::vector<float> x = randomVector(t * n * xd, 41),
                     wih = randomVector(g4 * xd, 42, -0.6f, 0.6f),
                     whh = randomVector(g4 * hd, 43, -0.6f, 0.6f),
                     b = randomVector(g4, 44, -0.5f, 0.5f),
                     r = randomVector(t * n * hd, 45), y(t * n * hd),
                     dx(x.size()), dwih(wih.size()), dwhh(whh.size()), db(g4);
  const float *bias = withBias ? b.data() : nullptr;
  auto loss = [&]() {
    dlrt_lstm(x.data(), t, n, xd, wih.data(), whh.data(), bias, hd, y.data());
    return dot(y, r);
  };
  dlrt_lstm_backward(x.data(), t, n, xd, wih.data(), whh.data(), bias, hd,
                     r.data(), dx.data(), dwih.data(), dwhh.data(),
                     withBias ? db.data() : nullptr);
  checkGradient("lstm input", x, dx, loss, 1e-2f, 5e-3);
  checkGradient("lstm w_ih", wih, dwih, loss, 1e-2f, 5e-3);
  checkGradient("lstm w_hh", whh, dwhh, loss, 1e-2f, 5e-3);
  if (withBias)
    checkGradient("lstm bias", b, db, loss, 1e-2f, 5e-3);
}

TEST(TrainKernels, LstmBackwardWithBias) { checkLstm(true); }

TEST(TrainKernels, LstmBackwardNoBias) { checkLstm(false); }

TEST(TrainKernels, SoftmaxCrossEntropy) {
  int64_t b = 4, c = 6;
  std::vector<float> z = randomVector(b * c, 13, -3.f, 3.f);
  std::vector<float> t(b * c, 0.f);
  for (int64_t i = 0; i < b; ++i)
    t[i * c + (i * 5) % c] = 1.f;
  // A soft target row too.
  for (int64_t j = 0; j < c; ++j)
    t[3 * c + j] = 1.f / c;
  float loss = 0;
  dlrt_softmax_cross_entropy(z.data(), t.data(), b, c, &loss);
  double expected = 0;
  for (int64_t i = 0; i < b; ++i) {
    double s = 0;
    for (int64_t j = 0; j < c; ++j)
      s += std::exp(double(z[i * c + j]));
    for (int64_t j = 0; j < c; ++j)
      expected -= t[i * c + j] * (z[i * c + j] - std::log(s));
  }
  EXPECT_NEAR(loss, expected / b, 1e-5);
  std::vector<float> dz(b * c);
  dlrt_softmax_cross_entropy_backward(z.data(), t.data(), b, c, 1.f / b,
                                      dz.data());
  auto f = [&]() {
    float l = 0;
    dlrt_softmax_cross_entropy(z.data(), t.data(), b, c, &l);
    return double(l);
  };
  checkGradient("softmax cross-entropy", z, dz, f, 1e-2f, 5e-3);
}

TEST(TrainKernels, SgdMomentum) {
  std::vector<float> p = randomVector(20, 14), g = randomVector(20, 15),
                     v = randomVector(20, 16), p1(20), v1(20);
  dlrt_sgd_update(p.data(), g.data(), v.data(), 20, 0.1f, 0.9f, 0.01f,
                  p1.data(), v1.data());
  for (int i = 0; i < 20; ++i) {
    double gi = g[i] + 0.01 * p[i];
    double vi = 0.9 * v[i] + gi;
    EXPECT_NEAR(v1[i], vi, 1e-6);
    EXPECT_NEAR(p1[i], p[i] - 0.1 * vi, 1e-6);
  }
  // In place.
  dlrt_sgd_update(p.data(), g.data(), v.data(), 20, 0.1f, 0.9f, 0.01f,
                  p.data(), v.data());
  EXPECT_EQ(p, p1);
  EXPECT_EQ(v, v1);
}

TEST(TrainKernels, Adam) {
  std::vector<float> p = randomVector(20, 17), g = randomVector(20, 18);
  std::vector<float> m(20, 0.f), v(20, 0.f);
  std::vector<double> pd(p.begin(), p.end()), md(20, 0), vd(20, 0);
  for (int t = 1; t <= 3; ++t) {
    float step = float(t);
    dlrt_adam_update(p.data(), g.data(), m.data(), v.data(), &step, 20, 0.01f,
                     0.9f, 0.999f, 1e-8f, p.data(), m.data(), v.data());
    for (int i = 0; i < 20; ++i) {
      md[i] = 0.9 * md[i] + 0.1 * g[i];
      vd[i] = 0.999 * vd[i] + 0.001 * double(g[i]) * g[i];
      double mh = md[i] / (1 - std::pow(0.9, t));
      double vh = vd[i] / (1 - std::pow(0.999, t));
      pd[i] -= 0.01 * mh / (std::sqrt(vh) + 1e-8);
    }
  }
  for (int i = 0; i < 20; ++i)
    EXPECT_NEAR(p[i], pd[i], 1e-5) << i;
}

} // namespace
