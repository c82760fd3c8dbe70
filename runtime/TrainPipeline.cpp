//===- TrainPipeline.cpp - The pipeline-training loop ----------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// dlrt_pipeline_main: rank k runs stage k of a pipeline-training program
/// (dl-generate-pipeline-training). Each step cuts the global batch into
/// M micro-batches and runs their forward and backward passes in the order
/// of a GPipe or 1F1B schedule: a forward receives the previous stage's
/// activation (stage 0 reads the data) and sends its output on, a backward
/// receives the gradient of the output and sends the gradient of the input
/// back. Sends are non-blocking, so neighbours that both send before they
/// receive (1F1B's steady state) do not wait on each other. The parameter
/// gradients of the M micro-batches are summed, then every stage runs its
/// optimizer step. Compute time is taken around each stage function; the
/// rest of a step is the stage's idle time, reported as its bubble next to
/// the ideal (K-1)/(M+K-1). See docs/training.md.
///
//===----------------------------------------------------------------------===//

#include "TrainPipeline.h"
#include "dlrt/dlrt.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

using namespace dlrt::train;

namespace {

/// A forward or backward pass of one micro-batch.
struct Task {
  bool forward;
  int64_t micro;
};

/// The order in which stage `s` of `k` runs the passes of `m` micro-batches.
/// GPipe: all forwards, then all backwards. 1F1B: k-s-1 warm-up forwards,
/// then one forward and one backward alternately, then the remaining
/// backwards. Both run the backwards in micro-batch order, so the summed
/// gradients (and the weights) are the same under either schedule.
std::vector<Task> schedule(const std::string &name, int s, int k, int64_t m) {
  std::vector<Task> tasks;
  if (name == "gpipe") {
    for (int64_t i = 0; i < m; ++i)
      tasks.push_back({true, i});
    for (int64_t i = 0; i < m; ++i)
      tasks.push_back({false, i});
    return tasks;
  }
  int64_t warmup = std::min<int64_t>(k - s - 1, m), f = 0, b = 0;
  for (; f < warmup; ++f)
    tasks.push_back({true, f});
  while (f < m) {
    tasks.push_back({true, f++});
    tasks.push_back({false, b++});
  }
  while (b < m)
    tasks.push_back({false, b++});
  return tasks;
}

/// Time spent in the stage functions and in whole steps.
struct Timing {
  double compute = 0, wall = 0;
  int64_t steps = 0;
};

constexpr int kReportTag = 30001;
constexpr int64_t kMaxMicroBatches = 14999;

} // namespace

void dlrt::train::printEpoch(const Options &o, int64_t epoch, int64_t steps,
                             double meanLoss, double accuracy,
                             const std::string &extra, double seconds) {
  if (o.quiet)
    return;
  std::printf("epoch %lld/%lld: steps %lld loss %.6f train_accuracy %.4f%s "
              "time %.2f s\n",
              (long long)(epoch + 1), (long long)o.epochs, (long long)steps,
              meanLoss, accuracy, extra.c_str(), seconds);
}

void dlrt::train::loadStageData(const dlrt_pipeline_program &p,
                                const Options &o, Dataset &train,
                                Dataset &test) {
  int64_t sampleSize = 1;
  for (int i = 1; i < p.input_rank; ++i)
    sampleSize *= p.input_shape[i];
  train = loadDataset(o.trainX, o.trainY, sampleSize, p.classes, o.limitTrain);
  if (!o.testX.empty())
    test = loadDataset(o.testX, o.testY, sampleSize, p.classes, o.limitTest);
}

void dlrt::train::runForward(StageState &st, const Dataset &d,
                             const int64_t *rows, int64_t i, bool keep,
                             std::vector<float *> &saved, PendingSends &sends,
                             double &compute, double &lossSum,
                             int64_t &correct) {
  const dlrt_pipeline_program &p = *st.prog;
  const dlrt_pipeline_stage &s = *st.stage;
  int64_t b = p.micro_batch, c = p.classes;
  std::vector<float> x(s.in_elements), t;
  if (st.first())
    fillBatch(d, rows, b, c, x.data(), nullptr);
  else
    dlrt_recv(x.data(), s.in_elements, st.prev, activationTag(i));
  std::vector<float *> args = {x.data()};
  if (st.last()) {
    t.resize(b * c);
    fillBatch(d, rows, b, c, nullptr, t.data());
    args.push_back(t.data());
  }
  for (auto &v : st.params)
    args.push_back(v.data());
  int primary = st.last() ? 2 : 1;
  std::vector<float *> out(primary + s.num_saved, nullptr);
  double start = dlrt_now();
  s.forward(args.data(), out.data());
  compute += dlrt_now() - start;
  if (st.last()) {
    lossSum += out[0][0];
    for (int64_t r = 0; r < b; ++r) {
      const float *z = out[1] + r * c;
      correct += std::max_element(z, z + c) - z == d.labels[rows[r]];
    }
    p.free_output(out[0], 1);
    p.free_output(out[1], b * c);
  } else {
    sends.add(out[0], s.out_elements, st.next, activationTag(i));
  }
  for (int j = 0; j < s.num_saved; ++j) {
    if (keep)
      saved.push_back(out[primary + j]);
    else
      p.free_output(out[primary + j], s.saved_elements[j]);
  }
}

void dlrt::train::runBackward(StageState &st, int64_t i,
                              std::vector<float *> &saved, PendingSends &sends,
                              double &compute) {
  const dlrt_pipeline_program &p = *st.prog;
  const dlrt_pipeline_stage &s = *st.stage;
  std::vector<float *> args;
  for (auto &v : st.params)
    args.push_back(v.data());
  std::vector<float> dout;
  if (!st.last()) {
    dout.resize(s.out_elements);
    dlrt_recv(dout.data(), s.out_elements, st.next, gradientTag(i));
    args.push_back(dout.data());
  }
  args.insert(args.end(), saved.begin(), saved.end());
  int first = st.first() ? 0 : 1;
  std::vector<float *> out(first + s.num_params, nullptr);
  double start = dlrt_now();
  s.backward(args.data(), out.data());
  compute += dlrt_now() - start;
  if (!st.first())
    sends.add(out[0], s.in_elements, st.prev, gradientTag(i));
  for (int j = 0; j < s.num_params; ++j) {
    std::vector<float> &g = st.grads[j];
    const float *d = out[first + j];
    for (size_t e = 0; e < g.size(); ++e)
      g[e] += d[e];
    p.free_output(out[first + j], g.size());
  }
  for (int j = 0; j < s.num_saved; ++j)
    p.free_output(saved[j], s.saved_elements[j]);
  saved.clear();
}

void dlrt::train::runUpdate(StageState &st, float step, double &compute) {
  const dlrt_pipeline_program &p = *st.prog;
  const dlrt_pipeline_stage &s = *st.stage;
  std::vector<float *> args = {&step};
  for (auto &v : st.params)
    args.push_back(v.data());
  for (auto &v : st.grads)
    args.push_back(v.data());
  for (auto &v : st.states)
    args.push_back(v.data());
  std::vector<float *> out(st.params.size() + st.states.size(), nullptr);
  double start = dlrt_now();
  s.update(args.data(), out.data());
  compute += dlrt_now() - start;
  for (size_t j = 0; j < st.params.size(); ++j) {
    std::memcpy(st.params[j].data(), out[j], st.params[j].size() * 4);
    p.free_output(out[j], st.params[j].size());
    std::fill(st.grads[j].begin(), st.grads[j].end(), 0.f);
  }
  for (size_t j = 0; j < st.states.size(); ++j) {
    float *o = out[st.params.size() + j];
    std::memcpy(st.states[j].data(), o, st.states[j].size() * 4);
    p.free_output(o, st.states[j].size());
  }
}

void dlrt::train::saveStages(const StageState &st, const int *stageRanks,
                             const std::string &path) {
  const dlrt_pipeline_program &p = *st.prog;
  int rank = dlrt_rank();
  if (rank != 0) {
    if (stageRanks[st.index] == rank)
      for (const std::vector<float> &v : st.params)
        dlrt_send(v.data(), v.size(), 0, kSaveTag);
    return;
  }
  std::vector<std::vector<float>> all(p.num_params);
  for (int k = 0; k < p.num_stages; ++k) {
    const dlrt_pipeline_stage &s = p.stages[k];
    for (int j = 0; j < s.num_params; ++j) {
      std::vector<float> &v = all[s.param_index[j]];
      v.resize(p.params[s.param_index[j]].elements);
      if (stageRanks[k] == 0)
        v = st.params[j];
      else
        dlrt_recv(v.data(), v.size(), stageRanks[k], kSaveTag);
    }
  }
  saveTensors(p.params, p.num_params, all, path);
}

StageState dlrt::train::makeStage(const dlrt_pipeline_program &p, int index,
                                  int prev, int next, const Options &o) {
  StageState st{&p, &p.stages[index], index, prev, next, {}, {}, {}};
  const dlrt_pipeline_stage &s = *st.stage;
  std::vector<std::vector<float>> all = initTensors(p.params, p.num_params, o);
  for (int j = 0; j < s.num_params; ++j) {
    int64_t n = p.params[s.param_index[j]].elements;
    st.params.push_back(std::move(all[s.param_index[j]]));
    st.grads.emplace_back(n, 0.f);
    for (int k = 0; k < p.states_per_param; ++k)
      st.states.emplace_back(n, 0.f);
  }
  return st;
}

namespace {

/// Gathers every stage's timing to rank 0, which prints the bubble table.
void reportBubbles(const StageState &st, const Timing &t,
                   const std::string &scheduleName) {
  const dlrt_pipeline_program &p = *st.prog;
  float mine[3] = {float(t.compute), float(t.wall), float(t.steps)};
  if (st.index != 0) {
    dlrt_send(mine, 3, 0, kReportTag);
    return;
  }
  int k = p.num_stages;
  int64_t m = p.micro_batches;
  std::printf("pipeline: %d stage(s), %lld micro-batch(es) of %lld, schedule "
              "%s, %lld timed step(s)\n",
              k, (long long)m, (long long)p.micro_batch, scheduleName.c_str(),
              (long long)t.steps);
  double sum = 0;
  for (int r = 0; r < k; ++r) {
    float v[3] = {mine[0], mine[1], mine[2]};
    if (r > 0)
      dlrt_recv(v, 3, r, kReportTag);
    double steps = std::max(1.f, v[2]);
    double bubble = v[1] > 0 ? 1.0 - v[0] / v[1] : 0.0;
    sum += bubble;
    std::printf("stage %d (layers %s): compute %.3f ms/step, idle %.3f "
                "ms/step, bubble %.3f\n",
                r, p.stages[r].layers, 1e3 * v[0] / steps,
                1e3 * (v[1] - v[0]) / steps, bubble);
  }
  std::printf("bubble: measured %.3f (mean over stages), ideal "
              "(K-1)/(M+K-1) = %.3f\n",
              sum / k, double(k - 1) / double(m + k - 1));
  std::fflush(stdout);
}

void pipelineUsage(const char *argv0) {
  usage(argv0);
  std::printf("pipeline training (rank k runs stage k):\n"
              "  --schedule S          gpipe or 1f1b (the program's default)\n"
              "  --no-bubble-report    do not print the per-stage bubbles\n"
              "  --clients C           SplitFed on C+1 ranks (2 stages): "
              "ranks 0..C-1 are\n"
              "                        clients (stage 0), rank C the server\n");
}

} // namespace

int dlrt_pipeline_main(const dlrt_pipeline_program *prog, int argc,
                       char **argv) {
  const dlrt_pipeline_program &p = *prog;
  std::string scheduleName = p.schedule;
  bool report = true;
  int clients = 0;
  // Take the pipeline's own options out; the rest are the common ones.
  std::vector<char *> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--schedule" && i + 1 < argc)
      scheduleName = argv[++i];
    else if (arg.rfind("--schedule=", 0) == 0)
      scheduleName = arg.substr(11);
    else if (arg == "--no-bubble-report")
      report = false;
    else if (arg == "--clients" && i + 1 < argc)
      clients = std::atoi(argv[++i]);
    else
      rest.push_back(argv[i]);
  }
  bool help = false;
  Options o = parseOptions(int(rest.size()), rest.data(), help);
  if (help) {
    pipelineUsage(argv[0]);
    return 0;
  }
  int ranks = dlrt_size(), rank = dlrt_rank();
  if (clients > 0)
    return splitFedMain(p, o, clients);
  if (ranks != p.num_stages)
    trainFail("the program has %d pipeline stage(s) but runs on %d rank(s)",
              p.num_stages, ranks);
  if (p.micro_batches < 1 || p.micro_batches > kMaxMicroBatches)
    trainFail("%lld micro-batches: expected 1..%lld",
              (long long)p.micro_batches, (long long)kMaxMicroBatches);
  if (scheduleName != "gpipe" && scheduleName != "1f1b")
    trainFail("unknown schedule '%s' (expected gpipe or 1f1b)",
              scheduleName.c_str());
  if (o.trainX.empty() || o.trainY.empty())
    trainFail("--train-images and --train-labels are required");
  if (!o.checkpoint.empty() || o.resume || o.progress)
    trainFail("--checkpoint, --resume and --progress are not supported by "
              "pipeline training yet");

  StageState st =
      makeStage(p, rank, rank - 1, rank + 1 < ranks ? rank + 1 : -1, o);
  Dataset train, test;
  loadStageData(p, o, train, test);
  int64_t b = p.micro_batch, m = p.micro_batches, global = b * m;
  std::vector<Task> tasks = schedule(scheduleName, rank, ranks, m);

  // The first step also creates the kernels' primitives: it is timed
  // apart and reported only when it is the only one.
  Timing timing, firstStep;
  double lossSum = 0;
  int64_t correct = 0;
  // Fault injection for the tests: DLRT_PIPELINE_STALL=RANK:STEP makes
  // that rank stop answering at the start of that step; its neighbours
  // must end the job after the communication timeout.
  int stallRank = -1;
  long long stallStep = -1;
  if (const char *stall = std::getenv("DLRT_PIPELINE_STALL"))
    if (std::sscanf(stall, "%d:%lld", &stallRank, &stallStep) != 2)
      trainFail("DLRT_PIPELINE_STALL must be RANK:STEP, got '%s'", stall);
  auto step = [&](const std::vector<int64_t> &order, int64_t k, int64_t n) {
    if (rank == stallRank && n == stallStep) {
      std::fprintf(stderr,
                   "rank%d: DLRT_PIPELINE_STALL: stalling at step "
                   "%lld\n",
                   rank, stallStep);
      std::fflush(stderr);
      for (;;)
        sleep(1000);
    }
    double stepStart = dlrt_now(), compute = 0;
    std::vector<std::vector<float *>> saved(m);
    PendingSends sends;
    for (const Task &task : tasks) {
      const int64_t *rows = &order[k * global + task.micro * b];
      if (task.forward)
        runForward(st, train, rows, task.micro, /*keep=*/true,
                   saved[task.micro], sends, compute, lossSum, correct);
      else
        runBackward(st, task.micro, saved[task.micro], sends, compute);
    }
    sends.finish(p);
    runUpdate(st, float(n), compute);
    Timing &t = n == 1 ? firstStep : timing;
    t.compute += compute;
    t.wall += dlrt_now() - stepStart;
    ++t.steps;
  };
  auto endEpoch = [&](int64_t epoch, int64_t done, double seconds) {
    std::string testText;
    if (!test.samples.empty()) {
      int64_t testSteps = test.count / global, testCorrect = 0;
      double testLoss = 0;
      std::vector<int64_t> rows = permutation(test.count, 0, 0, false);
      for (int64_t k = 0; k < testSteps; ++k)
        for (int64_t i = 0; i < m; ++i) {
          std::vector<float *> none;
          PendingSends sends;
          double ignored = 0;
          runForward(st, test, &rows[k * global + i * b], i, /*keep=*/false,
                     none, sends, ignored, testLoss, testCorrect);
          sends.finish(p);
        }
      char buf[96];
      std::snprintf(buf, sizeof(buf), " test_accuracy %.4f (%lld samples)",
                    testSteps ? double(testCorrect) / double(testSteps * global)
                              : 0.0,
                    (long long)(testSteps * global));
      testText = buf;
    }
    if (st.last())
      printEpoch(o, epoch, done,
                 lossSum / double(std::max<int64_t>(done * m, 1)),
                 double(correct) / double(std::max<int64_t>(done * global, 1)),
                 testText, seconds);
    lossSum = 0;
    correct = 0;
  };
  forEachStep(o, train.count, global, step, endEpoch);
  if (!o.save.empty()) {
    std::vector<int> stageRanks(ranks);
    for (int k = 0; k < ranks; ++k)
      stageRanks[k] = k;
    saveStages(st, stageRanks.data(), o.save);
  }
  if (report)
    reportBubbles(st, timing.steps ? timing : firstStep, scheduleName);
  return 0;
}
