//===- TrainPipeline.h - Stages of pipeline training ------------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// One stage of a pipeline-training program at work: its parameters,
/// optimizer states and gradient sums, and the forward, backward and update
/// of a micro-batch with the messages to its neighbours. Shared by the
/// pipeline loop (TrainPipeline.cpp) and SplitFed (TrainSplitFed.cpp). Not
/// installed and not part of the ABI.
///
//===----------------------------------------------------------------------===//

#ifndef DLRT_RUNTIME_TRAINPIPELINE_H
#define DLRT_RUNTIME_TRAINPIPELINE_H

#include "TrainCommon.h"

#include <functional>

namespace dlrt::train {

/// Message tags: the activation and the gradient of micro-batch i, and the
/// parameters sent to rank 0 at the end.
inline int activationTag(int64_t i) { return int(2 * i); }
inline int gradientTag(int64_t i) { return int(2 * i + 1); }
constexpr int kSaveTag = 30000;

/// One stage's parameters, optimizer states and gradient sums, and the
/// ranks of its neighbours (the previous stage sends it activations, the
/// next one gradients; -1 where there is none).
struct StageState {
  const dlrt_pipeline_program *prog;
  const dlrt_pipeline_stage *stage;
  int index, prev, next;
  std::vector<std::vector<float>> params, states, grads;
  bool first() const { return index == 0; }
  bool last() const { return index + 1 == prog->num_stages; }
};

/// Stage `index` with its initial parameters (initTensors over the whole
/// model's table, so every stage starts as the unpipelined model would),
/// zero states and zero gradient sums.
StageState makeStage(const dlrt_pipeline_program &p, int index, int prev,
                     int next, const Options &o);

/// The training and (with --test-images) test data of the program.
void loadStageData(const dlrt_pipeline_program &p, const Options &o,
                   Dataset &train, Dataset &test);

/// Sends started this step; their buffers are released once complete.
struct PendingSends {
  struct Send {
    int64_t handle;
    float *buf;
    int64_t n;
  };
  std::vector<Send> sends;
  void add(float *buf, int64_t n, int peer, int tag) {
    sends.push_back({dlrt_isend(buf, n, peer, tag), buf, n});
  }
  void finish(const dlrt_pipeline_program &p) {
    for (const Send &send : sends) {
      dlrt_wait_send(send.handle);
      p.free_output(send.buf, send.n);
    }
    sends.clear();
  }
};

/// Runs the forward of micro-batch `i` (rows `rows[0..b)` of `d`): the
/// input comes from the data (first stage) or from `prev`, the output goes
/// to `next` (not on the last stage). Stashes the saved values in `saved`
/// (when `keep`) and, on the last stage, adds the loss to `lossSum` and
/// counts the correct predictions.
void runForward(StageState &st, const Dataset &d, const int64_t *rows,
                int64_t i, bool keep, std::vector<float *> &saved,
                PendingSends &sends, double &compute, double &lossSum,
                int64_t &correct);

/// Runs the backward of micro-batch `i` from its saved values (released):
/// the output's gradient comes from `next` (not on the last stage), the
/// input's goes to `prev` (not on the first). Adds the parameter gradients
/// to the stage's sums.
void runBackward(StageState &st, int64_t i, std::vector<float *> &saved,
                 PendingSends &sends, double &compute);

/// The optimizer step with the summed gradients, which are reset.
void runUpdate(StageState &st, float step, double &compute);

/// Rank 0 writes the parameters of all stages to `path`; stage k's come
/// from rank stageRanks[k]. Every rank holding a stage takes part.
void saveStages(const StageState &st, const int *stageRanks,
                const std::string &path);

/// Prints the line of a finished epoch (`--quiet`: nothing).
void printEpoch(const Options &o, int64_t epoch, int64_t steps, double meanLoss,
                double accuracy, const std::string &extra, double seconds);

/// SplitFed (TrainSplitFed.cpp) on `clients` + 1 ranks.
int splitFedMain(const dlrt_pipeline_program &p, const Options &o, int clients);

} // namespace dlrt::train

#endif // DLRT_RUNTIME_TRAINPIPELINE_H
