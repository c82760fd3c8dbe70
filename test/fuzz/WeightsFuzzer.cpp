//===- WeightsFuzzer.cpp - Fuzz the DLW1 weight-store reader --------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Writes the input to a file and opens it with WeightReader (the reader the
// runtime's dlrt_weights_open uses), with and without checksums. Every
// tensor of an accepted file must lie inside the file (its data is read
// back) and be found by name; a rejected file must name itself in the
// error.
//
//===----------------------------------------------------------------------===//

#include "Format.h"
#include "FuzzCommon.h"

using namespace dlrt::format;

[[noreturn]] static void fail(const char *what, const std::string &detail) {
  dl_fuzz::fail("weights", what, detail);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path =
      dl_fuzz::writeScratch("weights", ".dlw", data, size);

  for (bool checksums : {true, false}) {
    WeightReader reader;
    std::string error;
    if (!reader.open(path, error, checksums)) {
      if (error.find(path) == std::string::npos)
        fail("error does not name the file", error);
      continue;
    }
    for (const WeightTensor &t : reader.tensors()) {
      if (t.offset + t.nbytes > size)
        fail("tensor past the end", t.name);
      if (reader.find(t.name) != &t)
        fail("find() does not return the tensor", t.name);
      // Touch every element: ASan reports a read outside the mapping.
      volatile float sink = 0;
      for (uint64_t k = 0; k < t.nbytes / sizeof(float); ++k)
        sink = sink + t.data[k];
      (void)sink;
    }
  }
  return 0;
}
