//===- FormatAbi.cpp - C ABI over the weight and .npy formats ---*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// dlrt_weights_* and dlrt_npy_* entry points: thin wrappers around
/// dlrt::format that turn errors into fatal runtime errors.
///
//===----------------------------------------------------------------------===//

#include "Format.h"
#include "Internal.h"
#include "dlrt/dlrt.h"

#include <cstdlib>
#include <cstring>
#include <string>

using namespace dlrt::detail;
using namespace dlrt::format;

namespace {
std::string shapeString(const int64_t *shape, int rank) {
  std::string s = "[";
  for (int i = 0; i < rank; ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}
} // namespace

namespace {
/// Opens and validates the weight file at `path`; null and `error` set on
/// failure.
WeightReader *openWeights(const char *path, std::string &error) {
  auto *reader = new WeightReader();
  const char *skip = std::getenv("DLRT_SKIP_CHECKSUMS");
  bool verify = !(skip && std::strcmp(skip, "1") == 0);
  if (!reader->open(path, error, verify)) {
    delete reader;
    return nullptr;
  }
  return reader;
}
} // namespace

extern "C" void *dlrt_weights_open(const char *path) {
  if (!path)
    fatal("dlrt_weights_open: null path");
  std::string error;
  WeightReader *reader = openWeights(path, error);
  if (!reader)
    fatal("%s", error.c_str());
  return reader;
}

extern "C" void *dlrt_weights_open_all(const char *path) {
  std::string error;
  WeightReader *reader = path ? openWeights(path, error) : nullptr;
  agreeOnStartup(error, "the start-up check of the weight files");
  return reader;
}

extern "C" const float *dlrt_weights_get(void *store, const char *name,
                                         const int64_t *expected_shape,
                                         int rank) {
  if (!store || !name)
    fatal("dlrt_weights_get: null store or name");
  auto *reader = static_cast<WeightReader *>(store);
  const WeightTensor *t = reader->find(name);
  if (!t)
    fatal("weight file '%s': no tensor named '%s'", reader->path().c_str(),
          name);
  bool match = static_cast<int>(t->shape.size()) == rank;
  for (int i = 0; match && i < rank; ++i)
    match = t->shape[i] == expected_shape[i];
  if (!match)
    fatal(
        "weight file '%s': tensor '%s' has shape %s, expected %s",
        reader->path().c_str(), name,
        shapeString(t->shape.data(), static_cast<int>(t->shape.size())).c_str(),
        shapeString(expected_shape, rank).c_str());
  kernelsPinWeights(store, t->data, static_cast<size_t>(t->nbytes));
  return t->data;
}

extern "C" void dlrt_weights_close(void *store) {
  if (store)
    kernelsReleaseWeights(store);
  delete static_cast<WeightReader *>(store);
}

extern "C" float *dlrt_npy_load(const char *path, int64_t *shape_out,
                                int *rank_out) {
  NpyArray arr;
  std::string error;
  if (!path || !readNpy(path, arr, error))
    fatal("%s", path ? error.c_str() : "dlrt_npy_load: null path");
  if (arr.shape.size() > 8)
    fatal("npy file '%s': rank %zu exceeds the maximum of 8", path,
          arr.shape.size());
  for (size_t i = 0; i < arr.shape.size(); ++i)
    shape_out[i] = arr.shape[i];
  *rank_out = static_cast<int>(arr.shape.size());
  size_t bytes = arr.data.size() * sizeof(float);
  float *out = static_cast<float *>(std::malloc(bytes ? bytes : 1));
  if (!out)
    fatal("npy file '%s': out of memory", path);
  if (bytes)
    std::memcpy(out, arr.data.data(), bytes);
  return out;
}

extern "C" void dlrt_npy_save(const char *path, const float *data,
                              const int64_t *shape, int rank) {
  if (!path || rank < 0)
    fatal("dlrt_npy_save: bad arguments");
  std::string error;
  if (!writeNpy(path, data, std::vector<int64_t>(shape, shape + rank), error))
    fatal("%s", error.c_str());
}
