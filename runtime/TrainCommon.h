//===- TrainCommon.h - Pieces shared by the training loops ------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What the training loops of libdlrt share (the data-parallel and
/// intra-layer loop in Training.cpp, the pipeline loop in TrainPipeline.cpp,
/// federated averaging in TrainFedAvg.cpp, the parameter server in
/// TrainParamServer.cpp): datasets, the per-epoch permutation, the common
/// command-line options, parameter initialization and saving, fault
/// injection, the progress bar, and for the loops over a dlrt_train_program
/// its parameters and optimizer states and one step. Not installed and not
/// part of the ABI.
///
//===----------------------------------------------------------------------===//

#ifndef DLRT_RUNTIME_TRAINCOMMON_H
#define DLRT_RUNTIME_TRAINCOMMON_H

#include "dlrt/dlrt.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dlrt::train {

/// Prints `rankR: error: <message>` to stderr and exits with status 2
/// (after setAbortOnFail(true): ends the whole job with MPI_Abort, for
/// loops whose ranks do not all fail together).
[[noreturn]] void trainFail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void setAbortOnFail(bool abort);

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
  std::string trainX, trainY, testX, testY, init, save, checkpoint, psLog;
  int64_t epochs = 1, steps = 0, limitTrain = 0, limitTest = 0;
  /// Parameter server: the staleness bound; -1 is unbounded.
  int64_t staleness = 0;
  bool stalenessGiven = false;
  uint64_t seed = 1;
  bool shuffle = true, resume = false, progress = false, quiet = false;
};

/// The training and test sets of a program's options, and the global
/// batch (the per-rank batch times the data-parallel replicas or workers).
struct TrainData {
  Dataset train, test;
  int64_t global = 0, stepsPerEpoch = 0;
};

/// Loads --train-images/--train-labels (required) and the test set if
/// given; fails unless the training set fills one global batch.
TrainData loadTrainData(const dlrt_train_program &p, const Options &o);

/// The epochs and steps of a training loop over `count` samples in global
/// batches of `global` rows (data parallel, pipeline, split learning,
/// SplitFed): for every step (at most o.steps in total when set)
/// `step(order, k, n)` with the epoch's permutation, the step's index k in
/// the epoch and its number n from 1; after each epoch `endEpoch(epoch,
/// steps done, seconds)`. A resumed loop starts at epoch `firstEpoch` with
/// `stepsDone` steps done.
void forEachStep(const Options &o, int64_t count, int64_t global,
                 const std::function<void(const std::vector<int64_t> &, int64_t,
                                          int64_t)> &step,
                 const std::function<void(int64_t, int64_t, double)> &endEpoch,
                 int64_t firstEpoch = 0, int64_t stepsDone = 0);

/// Prints the common options (after a usage line naming argv0).
void usage(const char *argv0);

/// The option being parsed, for a loop's own options.
class OptionArg {
public:
  OptionArg(std::string key, std::function<std::string()> next)
      : key(std::move(key)), next(std::move(next)) {}
  /// The option's name (`--x` of `--x V` and `--x=V`).
  const std::string key;
  /// Its value (exits with an error when it has none).
  std::string value() { return next(); }
  /// Its value as a non-negative integer / a finite real number.
  int64_t count();
  double real();

private:
  std::function<std::string()> next;
};

/// Handles a loop's own option; returns false for one it does not know.
using ExtraOption = std::function<bool(OptionArg &)>;

/// Parses the common options; `extra`, asked first, may take a loop's own
/// options (or refuse common ones that do not apply). Unknown options are
/// an error.
Options parseOptions(int argc, char **argv, bool &help,
                     const ExtraOption &extra = nullptr);

/// Initial values of `n` tensors: from `o.init` by name, else uniform
/// +-1/sqrt(fan-in) for tensors of rank >= 2 and zero for the others, drawn
/// in order from one generator seeded by `o.seed`. Of a tensor split over
/// an intra-layer group (dlrt_train_tensor) the full tensor is read or
/// drawn and this rank keeps its piece.
std::vector<std::vector<float>> initTensors(const dlrt_train_tensor *tensors,
                                            int n, const Options &o);

/// The shape of the full tensor of `t` (its piece's shape if not split).
std::vector<int64_t> fullShape(const dlrt_train_tensor &t);

/// The full tensor of `t` from this rank's `piece`: an all-gather over the
/// intra-layer group when `t` is split (every member must call it), else
/// the piece.
std::vector<float> fullTensor(const dlrt_train_tensor &t,
                              const std::vector<float> &piece);

/// Writes `n` full tensors (DLW1) to `path`.
void saveTensors(const dlrt_train_tensor *tensors, int n,
                 const std::vector<std::vector<float>> &values,
                 const std::string &path);

/// Parameters and optimizer states of a dlrt_train_program (sized by the
/// constructor).
struct State {
  explicit State(const dlrt_train_program *prog);
  const dlrt_train_program *prog;
  std::vector<std::vector<float>> params, states;

  std::string stateName(int p, int s) const;
};

/// Initial parameters (initTensors) and zero optimizer states.
void initParams(State &st, const Options &o);

/// Writes the parameters by name (DLW1).
void saveParams(const State &st, const std::string &path);

/// Runs one step on the batch rows `rows` of `d`. With `commit`, the new
/// parameters and states replace the old ones. Returns the loss; counts
/// correct predictions into `correct`.
float runStep(State &st, const Dataset &d, const int64_t *rows, float step,
              bool commit, int64_t &correct);

/// Correct predictions of the current parameters (the step's logits; its
/// updates are discarded) on `batches` batches of `d` in order, batch k
/// starting at row `first + k * stride`.
int64_t countCorrect(State &st, const Dataset &d, int64_t batches,
                     int64_t first, int64_t stride);

/// Elements per sample of the program's input.
int64_t sampleSize(const dlrt_train_program &p);

/// `--paradigm fedavg` of dlrt_train_main (TrainFedAvg.cpp).
int fedAvgMain(const dlrt_train_program &p, int argc, char **argv);

/// Fault injection from the environment: DLRT_TRAIN_FAIL_AT_STEP=K makes
/// ranks exit with status 3 before step K (only rank R with
/// DLRT_TRAIN_FAIL_RANK=R); DLRT_TRAIN_SLOW_RANK=R:MS makes rank R sleep MS
/// milliseconds before every step.
struct Faults {
  int64_t failStep = -1;
  int failRank = -1, slowRank = -1;
  int64_t slowMs = 0;
  static Faults fromEnv();
  /// Applies the faults of this rank before the 0-based step `step`.
  void beforeStep(int64_t step) const;
};

/// The progress bar on stderr.
void progressBar(int64_t done, int64_t total, double loss, int64_t epoch,
                 int64_t epochs);

/// The parameter-server loop (TrainParamServer.cpp) of a program whose step
/// returns gradients: rank 0 serves, ranks 1..P-1 are workers.
int paramServerMain(const dlrt_train_program &prog, const Options &o);

} // namespace dlrt::train

#endif // DLRT_RUNTIME_TRAINCOMMON_H
