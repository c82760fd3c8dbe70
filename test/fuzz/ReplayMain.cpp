//===- ReplayMain.cpp - Run a fuzz target on files, without libFuzzer -----===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The main of the normal build's dl-fuzz-replay-<target> programs: runs
// the target's LLVMFuzzerTestOneInput once on every file named on the
// command line, or on every regular file of a named directory (sorted by
// name), and prints how many. A broken invariant aborts in the target
// (FuzzCommon.h) after naming the input, so the committed seed corpora
// and regression inputs are checked by the test suite of every build,
// not only of the instrumented fuzzer build (docs/hardening.md).
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  namespace fs = std::filesystem;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
    return 2;
  }
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    if (fs::is_directory(argv[i], ec)) {
      std::vector<std::string> files;
      for (const fs::directory_entry &e : fs::directory_iterator(argv[i], ec))
        if (e.is_regular_file())
          files.push_back(e.path().string());
      if (ec) {
        std::fprintf(stderr, "%s: error: cannot list '%s': %s\n", argv[0],
                     argv[i], ec.message().c_str());
        return 1;
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else if (fs::is_regular_file(argv[i], ec)) {
      inputs.push_back(argv[i]);
    } else {
      std::fprintf(stderr, "%s: error: no such file or directory: '%s'\n",
                   argv[0], argv[i]);
      return 1;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "%s: error: no inputs\n", argv[0]);
    return 1;
  }
  for (const std::string &path : inputs) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "%s: error: cannot read '%s'\n", argv[0],
                   path.c_str());
      return 1;
    }
    // Named first, so that an abort in the target says which input.
    std::fprintf(stderr, "replay: %s\n", path.c_str());
    static const uint8_t none = 0; // libFuzzer never passes a null pointer
    LLVMFuzzerTestOneInput(data.empty() ? &none : data.data(), data.size());
  }
  std::printf("replayed %zu inputs\n", inputs.size());
  return 0;
}
