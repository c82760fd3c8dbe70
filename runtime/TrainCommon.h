//===- TrainCommon.h - Pieces shared by the training loops ------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What the training loops of libdlrt share (the data-parallel loop in
/// Training.cpp, the pipeline loop in TrainPipeline.cpp): datasets, the
/// per-epoch permutation, the common command-line options, parameter
/// initialization and saving. Not installed and not part of the ABI.
///
//===----------------------------------------------------------------------===//

#ifndef DLRT_RUNTIME_TRAINCOMMON_H
#define DLRT_RUNTIME_TRAINCOMMON_H

#include "dlrt/dlrt.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlrt::train {

/// Prints `rankR: error: <message>` to stderr and exits with status 2.
[[noreturn]] void trainFail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/// Samples (flattened, float) and labels (class indices).
struct Dataset {
  int64_t count = 0, sampleSize = 0;
  std::vector<float> samples;
  std::vector<int32_t> labels;
};

/// Loads samples and labels: IDX (images scaled to [0, 1]) or .npy
/// (float32 samples as stored, labels as float class indices); keeps the
/// first `limit` samples when `limit` > 0.
Dataset loadDataset(const std::string &samplesPath,
                    const std::string &labelsPath, int64_t sampleSize,
                    int64_t classes, int64_t limit);

/// The same permutation on every rank: seeded by (seed, epoch).
std::vector<int64_t> permutation(int64_t count, uint64_t seed, int64_t epoch,
                                 bool shuffle);

/// Copies the samples `rows[0..b)` of `d` to `x` and their one-hot targets
/// over `classes` to `t` (either may be null).
void fillBatch(const Dataset &d, const int64_t *rows, int64_t b,
               int64_t classes, float *x, float *t);

/// The options every training program takes (see usage()).
struct Options {
  std::string trainX, trainY, testX, testY, init, save, checkpoint;
  int64_t epochs = 1, steps = 0, limitTrain = 0, limitTest = 0;
  uint64_t seed = 1;
  bool shuffle = true, resume = false, progress = false, quiet = false;
};

/// Prints the common options (after a usage line naming argv0).
void usage(const char *argv0);

/// Parses the common options; unknown options are an error.
Options parseOptions(int argc, char **argv, bool &help);

/// Initial values of `n` tensors: from `o.init` by name, else uniform
/// +-1/sqrt(fan-in) for tensors of rank >= 2 and zero for the others, drawn
/// in order from one generator seeded by `o.seed`.
std::vector<std::vector<float>> initTensors(const dlrt_train_tensor *tensors,
                                            int n, const Options &o);

/// Writes `n` tensors (DLW1) to `path`.
void saveTensors(const dlrt_train_tensor *tensors, int n,
                 const std::vector<std::vector<float>> &values,
                 const std::string &path);

} // namespace dlrt::train

#endif // DLRT_RUNTIME_TRAINCOMMON_H
