//===- FormatTest.cpp - Tests for the weight and .npy formats ---*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Round-trips DLW1 weight files and .npy files through dlrt::format and the
/// C ABI, and checks that corruption is detected.
///
//===----------------------------------------------------------------------===//

#include "Format.h"
#include "dlrt/dlrt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace dlrt::format;

namespace {

std::string tempPath(const std::string &name) {
  const char *dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/dlrt_format_test_" +
         std::to_string(getpid()) + "_" + name;
}

std::vector<char> readAll(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(f), {});
}

void writeAll(const std::string &path, const std::vector<char> &bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), bytes.size());
}

std::vector<float> iota(size_t n, float start) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = start + 0.5f * i;
  return v;
}

TEST(Fnv1a64, KnownVectors) {
  EXPECT_EQ(fnv1a64("", 0), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a", 1), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar", 6), 0x85944171f73967e8ULL);
}

TEST(Weights, WriteReadRoundTrip) {
  std::string path = tempPath("rt.dlw");
  auto a = iota(2 * 3, 1.f), b = iota(5, -2.f), c = iota(1, 9.f);
  WeightWriter w;
  w.add("conv1.weight", {2, 3}, a.data());
  w.add("fc.bias", {5}, b.data());
  w.add("scalar", {}, c.data());
  w.add("empty", {0, 4}, nullptr);
  std::string err;
  ASSERT_TRUE(w.write(path, err)) << err;

  WeightReader r;
  ASSERT_TRUE(r.open(path, err)) << err;
  ASSERT_EQ(r.tensors().size(), 4u);
  const WeightTensor *t = r.find("conv1.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t->offset % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t->data) % 64, 0u);
  EXPECT_EQ(std::vector<float>(t->data, t->data + 6), a);
  t = r.find("fc.bias");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(std::vector<float>(t->data, t->data + 5), b);
  t = r.find("scalar");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->shape.empty());
  EXPECT_EQ(t->data[0], 9.f);
  EXPECT_EQ(r.find("empty")->nbytes, 0u);
  EXPECT_EQ(r.find("missing"), nullptr);

  // The C ABI sees the same data.
  void *store = dlrt_weights_open(path.c_str());
  int64_t shape[2] = {2, 3};
  const float *p = dlrt_weights_get(store, "conv1.weight", shape, 2);
  EXPECT_EQ(std::vector<float>(p, p + 6), a);
  dlrt_weights_close(store);
  std::remove(path.c_str());
}

TEST(Weights, WriterRejectsDuplicateNames) {
  float x = 1;
  WeightWriter w;
  w.add("a", {1}, &x);
  w.add("a", {1}, &x);
  std::string err;
  EXPECT_FALSE(w.write(tempPath("dup.dlw"), err));
  EXPECT_NE(err.find("duplicate"), std::string::npos) << err;
}

TEST(Weights, CorruptByteFailsChecksum) {
  std::string path = tempPath("corrupt.dlw");
  auto a = iota(100, 0.f);
  WeightWriter w;
  w.add("first", {10}, a.data());
  w.add("second", {10, 10}, a.data());
  std::string err;
  ASSERT_TRUE(w.write(path, err)) << err;
  WeightReader probe;
  ASSERT_TRUE(probe.open(path, err)) << err;
  uint64_t off = probe.find("second")->offset;
  probe.close();

  auto bytes = readAll(path);
  bytes[off + 17] ^= 0x40;
  writeAll(path, bytes);
  WeightReader r;
  EXPECT_FALSE(r.open(path, err));
  EXPECT_NE(err.find("checksum mismatch in tensor 'second'"), std::string::npos)
      << err;
  EXPECT_NE(err.find(path), std::string::npos) << err;
  // Without verification the file still opens.
  EXPECT_TRUE(r.open(path, err, /*verifyChecksums=*/false)) << err;
  r.close();
  EXPECT_DEATH(dlrt_weights_open(path.c_str()),
               "dlrt: rank 0: weight file '.*': checksum mismatch in tensor "
               "'second'");
  std::remove(path.c_str());
}

TEST(Weights, TruncatedAndBadMagic) {
  std::string path = tempPath("trunc.dlw");
  auto a = iota(64, 0.f);
  WeightWriter w;
  w.add("t", {64}, a.data());
  std::string err;
  ASSERT_TRUE(w.write(path, err)) << err;
  auto bytes = readAll(path);
  auto cut = bytes;
  cut.resize(bytes.size() - 4);
  writeAll(path, cut);
  WeightReader r;
  EXPECT_FALSE(r.open(path, err));
  EXPECT_NE(err.find("extends past the end of the file"), std::string::npos)
      << err;
  bytes[0] = 'X';
  writeAll(path, bytes);
  EXPECT_FALSE(r.open(path, err));
  EXPECT_NE(err.find("bad magic"), std::string::npos) << err;
  EXPECT_FALSE(r.open(tempPath("does-not-exist.dlw"), err));
  EXPECT_NE(err.find("cannot open"), std::string::npos) << err;
  std::remove(path.c_str());
}

TEST(Weights, CApiErrors) {
  std::string path = tempPath("capi.dlw");
  auto a = iota(6, 0.f);
  WeightWriter w;
  w.add("w", {2, 3}, a.data());
  std::string err;
  ASSERT_TRUE(w.write(path, err)) << err;
  void *store = dlrt_weights_open(path.c_str());
  int64_t wrong[2] = {3, 2};
  EXPECT_DEATH(dlrt_weights_get(store, "w", wrong, 2),
               "tensor 'w' has shape \\[2,3\\], expected \\[3,2\\]");
  EXPECT_DEATH(dlrt_weights_get(store, "nope", wrong, 2),
               "no tensor named 'nope'");
  dlrt_weights_close(store);
  std::remove(path.c_str());
}

/// Direct NCHW convolution, stride 1, `pad` on every side, no bias.
std::vector<float> naiveConv(const std::vector<float> &in, int64_t c,
                             int64_t hw, const float *wt, int64_t oc,
                             int64_t k, int64_t pad) {
  std::vector<float> out(oc * hw * hw, 0.f);
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t y = 0; y < hw; ++y)
      for (int64_t x = 0; x < hw; ++x) {
        double s = 0;
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t i = 0; i < k; ++i)
            for (int64_t j = 0; j < k; ++j) {
              int64_t iy = y - pad + i, ix = x - pad + j;
              if (iy >= 0 && iy < hw && ix >= 0 && ix < hw)
                s += in[(ci * hw + iy) * hw + ix] *
                     wt[((o * c + ci) * k + i) * k + j];
            }
        out[(o * hw + y) * hw + x] = static_cast<float>(s);
      }
  return out;
}

// dlrt_conv2d caches the reordered weights of weight-store tensors; the
// cache must serve repeated calls and be dropped when the store closes,
// even if a new store maps new weights at the same address.
TEST(Weights, ConvWeightCacheFollowsTheStore) {
  const int64_t c = 16, oc = 16, hw = 8, k = 3;
  std::string path = tempPath("conv.dlw");
  std::vector<float> in = iota(c * hw * hw, -3.f);
  for (float &v : in)
    v = std::sin(v);
  int64_t shape[4] = {oc, c, k, k};
  for (float scale : {1.f, -0.25f}) {
    std::vector<float> wt = iota(oc * c * k * k, 0.f);
    for (float &v : wt)
      v = scale * std::cos(v);
    WeightWriter w;
    w.add("w", {oc, c, k, k}, wt.data());
    std::string err;
    ASSERT_TRUE(w.write(path, err)) << err;
    void *store = dlrt_weights_open(path.c_str());
    const float *p = dlrt_weights_get(store, "w", shape, 4);
    std::vector<float> ref = naiveConv(in, c, hw, wt.data(), oc, k, 1);
    for (int call = 0; call < 2; ++call) {
      std::vector<float> out(oc * hw * hw, 0.f);
      dlrt_conv2d(in.data(), 1, c, hw, hw, p, nullptr, oc, k, k, 1, 1, 1, 1,
                  1, 1, 1, 1, 1, 0, out.data(), hw, hw);
      for (size_t i = 0; i < out.size(); ++i)
        ASSERT_NEAR(out[i], ref[i], 1e-3f * (1.f + std::fabs(ref[i])))
            << "scale " << scale << ", call " << call << ", element " << i;
    }
    dlrt_weights_close(store);
  }
  std::remove(path.c_str());
}

TEST(Npy, RoundTrip) {
  std::string path = tempPath("a.npy");
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{2, 3, 4}, std::vector<int64_t>{7},
        std::vector<int64_t>{}}) {
    auto data = iota(numElements(shape), -1.f);
    std::string err;
    ASSERT_TRUE(writeNpy(path, data.data(), shape, err)) << err;
    auto bytes = readAll(path);
    // Version 1.0 header, data 64-byte aligned.
    ASSERT_GE(bytes.size(), 10u);
    EXPECT_EQ(bytes[6], 1);
    EXPECT_EQ((bytes.size() - data.size() * 4) % 64, 0u);
    NpyArray arr;
    ASSERT_TRUE(readNpy(path, arr, err)) << err;
    EXPECT_EQ(arr.shape, shape);
    EXPECT_EQ(arr.data, data);

    int64_t shapeOut[8];
    int rank = -1;
    float *p = dlrt_npy_load(path.c_str(), shapeOut, &rank);
    ASSERT_EQ(rank, static_cast<int>(shape.size()));
    for (int i = 0; i < rank; ++i)
      EXPECT_EQ(shapeOut[i], shape[i]);
    EXPECT_EQ(std::vector<float>(p, p + data.size()), data);
    dlrt_free(p);
  }
  std::remove(path.c_str());
}

TEST(Npy, CApiSaveAndRejectWrongDtype) {
  std::string path = tempPath("b.npy");
  auto data = iota(6, 3.f);
  int64_t shape[2] = {3, 2};
  dlrt_npy_save(path.c_str(), data.data(), shape, 2);
  NpyArray arr;
  std::string err;
  ASSERT_TRUE(readNpy(path, arr, err)) << err;
  EXPECT_EQ(arr.shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(arr.data, data);
  // Turn '<f4' into '<f8': must be rejected.
  auto bytes = readAll(path);
  std::string s(bytes.begin(), bytes.end());
  size_t pos = s.find("<f4");
  ASSERT_NE(pos, std::string::npos);
  bytes[pos + 2] = '8';
  writeAll(path, bytes);
  EXPECT_FALSE(readNpy(path, arr, err));
  EXPECT_NE(err.find("unsupported dtype"), std::string::npos) << err;
  std::remove(path.c_str());
}

/// Interoperability with NumPy, when python3 with numpy is available.
TEST(Npy, NumpyInterop) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3 with numpy not available";
  std::string fromNumpy = tempPath("np.npy"), fromUs = tempPath("us.npy");
  std::string cmd = "/usr/bin/python3 -c \"import numpy as np; "
                    "np.save('" +
                    fromNumpy +
                    "', np.arange(24, dtype=np.float32).reshape(2,3,4) * "
                    "0.25)\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  NpyArray arr;
  std::string err;
  ASSERT_TRUE(readNpy(fromNumpy, arr, err)) << err;
  EXPECT_EQ(arr.shape, (std::vector<int64_t>{2, 3, 4}));
  for (int i = 0; i < 24; ++i)
    ASSERT_EQ(arr.data[i], 0.25f * i);

  auto data = iota(12, 1.f);
  ASSERT_TRUE(writeNpy(fromUs, data.data(), {4, 3}, err)) << err;
  cmd = "/usr/bin/python3 -c \"import numpy as np, sys; a = np.load('" +
        fromUs +
        "'); sys.exit(0 if a.dtype == np.float32 and a.shape == (4, 3) and "
        "(a.ravel() == 1 + 0.5 * np.arange(12)).all() else 1)\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::remove(fromNumpy.c_str());
  std::remove(fromUs.c_str());
}

} // namespace
