//===- FuzzCommon.h - Shared helpers of the fuzz targets --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// How the fuzz targets report a broken invariant (a message, then abort so
// that libFuzzer saves the input), and a scratch file per process for the
// readers that take a path. FuzzContext.h adds the shared MLIRContext.
//
//===----------------------------------------------------------------------===//

#ifndef DL_TEST_FUZZ_FUZZCOMMON_H
#define DL_TEST_FUZZ_FUZZCOMMON_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace dl_fuzz {

/// Reports a broken invariant of target `who` and aborts.
[[noreturn]] inline void fail(const char *who, const std::string &what,
                              const std::string &detail = "") {
  std::fprintf(stderr, "dl-fuzz-%s: %s\n%s\n", who, what.c_str(),
               detail.c_str());
  std::abort();
}

/// `$TMPDIR/dl-fuzz-NAME-PID.SUFFIX` (one per process), rewritten with
/// `size` bytes of `data`.
inline const std::string &writeScratch(const char *name, const char *suffix,
                                       const uint8_t *data, size_t size) {
  static std::string path;
  if (path.empty()) {
    const char *dir = std::getenv("TMPDIR");
    path = std::string(dir && *dir ? dir : "/tmp") + "/dl-fuzz-" + name + "-" +
           std::to_string(::getpid()) + suffix;
  }
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f || (size && std::fwrite(data, 1, size, f) != size))
    fail(name, "cannot write " + path);
  std::fclose(f);
  return path;
}

} // namespace dl_fuzz

#endif // DL_TEST_FUZZ_FUZZCOMMON_H
