//===- TrainParamServer.cpp - Parameter server with bounded staleness ----===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The training loop of a program whose step returns gradients
/// (dl-generate-training gradients-only, dl-train --paradigm ps): stale
/// synchronous parallel (SSP) training with one server and P-1 workers.
///
/// Rank 0 holds the parameters and optimizer states. Worker w (rank w+1)
/// computes, at its clock c, the gradient of its slice of global batch c
/// (the rows synchronous data parallel gives rank w at step c) on the
/// parameters it last pulled and pushes it; the push also asks for the
/// parameters of clock c+1. The server applies clock c (the sum of the
/// workers' gradients, in worker order, through one optimizer step) once
/// every worker has pushed it, and answers a pull for clock c only when
/// the slowest worker has pushed at least c-S gradients (S = --staleness;
/// unbounded with `inf`). With S = 0 every worker computes clock c on the
/// parameters after clock c-1: synchronous data parallel. With test data,
/// the first pull of an epoch waits for the previous epoch to be applied
/// (a barrier) and every worker evaluates its slice of the test set on
/// those parameters. Every wait ends with a timeout naming the rank it
/// waited for (DLRT_TIMEOUT_S; workers wait twice as long as the server, so
/// the server names a stalled worker). See docs/training.md.
///
//===----------------------------------------------------------------------===//

#include "CommInternal.h"
#include "Internal.h"
#include "TrainCommon.h"
#include "dlrt/dlrt.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

using namespace dlrt::detail;
using namespace dlrt::train;

namespace {

constexpr int kServer = 0;
constexpr int kPushTag = 7101;   // worker -> server: gradients, loss, correct
constexpr int kEvalTag = 7102;   // worker -> server: correct test samples
constexpr int kParamsTag = 7103; // server -> worker: the parameters

/// Clocks and epochs, the same on the server and the workers.
struct Schedule {
  int64_t stepsPerEpoch = 0, total = 0, epochs = 0, global = 0;
  bool evaluate = false;

  int64_t epochOf(int64_t clock) const { return clock / stepsPerEpoch; }
  int64_t epochEnd(int64_t epoch) const {
    return std::min(total, (epoch + 1) * stepsPerEpoch);
  }
  /// Whether clock `c` follows the last clock of an epoch.
  bool boundary(int64_t c) const {
    return c > 0 && (c % stepsPerEpoch == 0 || c == total);
  }
  /// Whether a worker that pushed clock c-1 pulls parameters for clock c.
  bool pulls(int64_t c) const { return c < total || (evaluate && boundary(c)); }
};

/// The parameters as one flat buffer: offset of each tensor.
std::vector<int64_t> flatOffsets(const dlrt_train_program &p) {
  std::vector<int64_t> offsets(p.num_params + 1, 0);
  for (int i = 0; i < p.num_params; ++i)
    offsets[i + 1] = offsets[i] + p.params[i].elements;
  return offsets;
}

void sendFloats(const float *buf, int64_t n, int peer, int tag,
                const char *op) {
  MPI_Request req;
  check(MPI_Isend(buf, static_cast<int>(n), MPI_FLOAT, peer, tag, worldComm(),
                  &req),
        op);
  waitAll(&req, 1, op, &peer);
}

//===----------------------------------------------------------------------===//
// Worker
//===----------------------------------------------------------------------===//

/// One step on rows `rows` of `d` with the parameters in `flat`: returns
/// the loss, adds the correct predictions to `correct` and, when `grads`
/// is given, stores the gradients there (flat, in parameter order).
float gradientStep(const dlrt_train_program &p, const std::vector<int64_t> &off,
                   const Dataset &d, const int64_t *rows, float *flat,
                   float *grads, int64_t &correct) {
  int64_t b = p.batch, c = p.classes;
  std::vector<float> x(b * d.sampleSize), t(b * c);
  fillBatch(d, rows, b, c, x.data(), t.data());
  std::vector<float *> in = {x.data(), t.data()};
  for (int i = 0; i < p.num_params; ++i)
    in.push_back(flat + off[i]);
  std::vector<float *> out(2 + p.num_params, nullptr);
  p.run(in.data(), out.data());
  float loss = out[0][0];
  for (int64_t i = 0; i < b; ++i) {
    const float *z = out[1] + i * c;
    correct += std::max_element(z, z + c) - z == d.labels[rows[i]];
  }
  p.free_output(out[0], 1);
  p.free_output(out[1], b * c);
  for (int i = 0; i < p.num_params; ++i) {
    int64_t n = p.params[i].elements;
    if (grads)
      std::memcpy(grads + off[i], out[2 + i], n * sizeof(float));
    p.free_output(out[2 + i], n);
  }
  return loss;
}

int workerMain(const dlrt_train_program &p, const Options &o,
               const Schedule &sched, const Dataset &train,
               const Dataset &test) {
  int rank = dlrt_rank(), w = rank - 1;
  std::vector<int64_t> off = flatOffsets(p);
  int64_t n = off.back();
  std::vector<float> params(n), push(n + 2);
  Faults faults = Faults::fromEnv();
  // Workers wait longer than the server, which names a stalled worker.
  double pullTimeout = 2 * timeoutSeconds();
  auto pull = [&]() {
    MPI_Request req;
    check(MPI_Irecv(params.data(), static_cast<int>(n), MPI_FLOAT, kServer,
                    kParamsTag, worldComm(), &req),
          "parameter pull");
    waitAny(&req, 1, MPI_STATUS_IGNORE, "parameter pull",
            "the parameters from the server (rank 0)", pullTimeout);
  };
  auto evaluate = [&]() {
    int64_t steps = test.count / sched.global, correct = 0;
    for (int64_t k = 0; k < steps; ++k) {
      std::vector<int64_t> rows(p.batch);
      for (int64_t i = 0; i < p.batch; ++i)
        rows[i] = k * sched.global + w * p.batch + i;
      gradientStep(p, off, test, rows.data(), params.data(), nullptr, correct);
    }
    float c = static_cast<float>(correct);
    sendFloats(&c, 1, kServer, kEvalTag, "sending the test accuracy");
  };
  if (sched.total == 0)
    return 0;
  pull();
  std::vector<int64_t> order;
  int64_t orderEpoch = -1;
  for (int64_t c = 0; c < sched.total; ++c) {
    faults.beforeStep(c);
    int64_t epoch = sched.epochOf(c), k = c % sched.stepsPerEpoch;
    if (epoch != orderEpoch) {
      order = permutation(train.count, o.seed, epoch, o.shuffle);
      orderEpoch = epoch;
    }
    int64_t correct = 0;
    push[n] =
        gradientStep(p, off, train, &order[k * sched.global + w * p.batch],
                     params.data(), push.data(), correct);
    push[n + 1] = static_cast<float>(correct);
    sendFloats(push.data(), n + 2, kServer, kPushTag, "gradient push");
    if (sched.pulls(c + 1))
      pull();
    if (sched.evaluate && sched.boundary(c + 1))
      evaluate();
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// Server
//===----------------------------------------------------------------------===//

class Server {
public:
  Server(const dlrt_train_program &p, const Options &o, const Schedule &sched,
         int64_t testCount)
      : p(p), o(o), sched(sched), testCount(testCount),
        workers(dlrt_size() - 1), off(flatOffsets(p)), n(off.back()),
        clock(workers, 0), pending(workers, sched.total > 0 ? 0 : -1),
        evals(workers, 0), pushBuf(workers, std::vector<float>(n + 2)),
        evalBuf(workers), reqs(2 * workers, MPI_REQUEST_NULL),
        stats(sched.epochs) {}

  int run();

private:
  struct EpochStats {
    double loss = 0;
    int64_t correct = 0, pushes = 0, testCorrect = 0, evals = 0;
  };
  struct Clock {
    std::vector<std::vector<float>> grads;
    int arrived = 0;
  };

  void postPush(int w);
  void postEval(int w);
  void onPush(int w);
  void onEval(int w);
  void apply(Clock &slot);
  void serve();
  void printEpochs();
  int64_t minClock() const {
    return *std::min_element(clock.begin(), clock.end());
  }
  std::string waitingFor() const;

  const dlrt_train_program &p;
  const Options &o;
  const Schedule &sched;
  int64_t testCount;
  int workers;
  std::vector<int64_t> off;
  int64_t n;
  /// Parameters, and optimizer states (states_per_param per parameter).
  std::vector<std::vector<float>> params, states;
  /// Gradients pushed per worker; the clock each worker's next pull is
  /// for (-1: none); test evaluations received per worker.
  std::vector<int64_t> clock, pending, evals;
  std::vector<std::vector<float>> pushBuf;
  std::vector<float> evalBuf;
  /// Receives: pushes of worker w at w, evaluations at workers + w.
  std::vector<MPI_Request> reqs;
  std::map<int64_t, Clock> clocks;
  std::vector<EpochStats> stats;
  int64_t applied = 0, printed = 0, maxGap = 0, pulls = 0;
  double epochStart = 0;
  FILE *log = nullptr;
  bool bar = false;
};

void Server::postPush(int w) {
  check(MPI_Irecv(pushBuf[w].data(), static_cast<int>(n + 2), MPI_FLOAT, w + 1,
                  kPushTag, worldComm(), &reqs[w]),
        "parameter server");
}

void Server::postEval(int w) {
  check(MPI_Irecv(&evalBuf[w], 1, MPI_FLOAT, w + 1, kEvalTag, worldComm(),
                  &reqs[workers + w]),
        "parameter server");
}

std::string Server::waitingFor() const {
  std::string ranks;
  int64_t slowest = minClock();
  bool training = applied < sched.total;
  for (int w = 0; w < workers; ++w) {
    bool late =
        training ? clock[w] == slowest : reqs[workers + w] != MPI_REQUEST_NULL;
    if (late)
      ranks += (ranks.empty() ? "" : ", ") + std::to_string(w + 1);
  }
  if (training)
    return "the gradient of clock " + std::to_string(slowest) +
           " from worker rank(s) " + ranks;
  return "the test accuracy from worker rank(s) " + ranks;
}

void Server::apply(Clock &slot) {
  std::vector<float> &sum = slot.grads[0];
  for (int w = 1; w < workers; ++w) {
    const float *g = slot.grads[w].data();
    for (int64_t i = 0; i < n; ++i)
      sum[i] += g[i];
  }
  float step = static_cast<float>(applied + 1);
  bool adam = p.states_per_param == 2;
  for (int i = 0; i < p.num_params; ++i) {
    float *param = params[i].data();
    const float *g = sum.data() + off[i];
    int64_t count = p.params[i].elements;
    std::vector<float> *s = &states[i * p.states_per_param];
    if (adam)
      dlrt_adam_update(param, g, s[0].data(), s[1].data(), &step, count, p.lr,
                       p.beta1, p.beta2, p.epsilon, param, s[0].data(),
                       s[1].data());
    else
      dlrt_sgd_update(param, g, s[0].data(), count, p.lr, p.momentum,
                      p.weight_decay, param, s[0].data());
  }
  ++applied;
}

void Server::onPush(int w) {
  int64_t c = clock[w]++;
  EpochStats &e = stats[sched.epochOf(c)];
  e.loss += pushBuf[w][n];
  e.correct += static_cast<int64_t>(pushBuf[w][n + 1]);
  ++e.pushes;
  Clock &slot = clocks[c];
  if (slot.grads.empty())
    slot.grads.resize(workers);
  slot.grads[w].assign(pushBuf[w].begin(), pushBuf[w].begin() + n);
  ++slot.arrived;
  if (clock[w] < sched.total)
    postPush(w);
  pending[w] = sched.pulls(c + 1) ? c + 1 : -1;
  for (auto it = clocks.begin(); it != clocks.end() && it->first == applied &&
                                 it->second.arrived == workers;
       it = clocks.erase(it)) {
    apply(it->second);
    int64_t epoch = sched.epochOf(applied - 1);
    if (bar) {
      int64_t done = applied - epoch * sched.stepsPerEpoch,
              all = sched.epochEnd(epoch) - epoch * sched.stepsPerEpoch;
      if (done % 10 == 1 || done == all)
        progressBar(done, all, stats[epoch].loss / stats[epoch].pushes,
                    epoch + 1, sched.epochs);
      if (done == all)
        std::fputc('\n', stderr);
    }
  }
}

void Server::onEval(int w) {
  EpochStats &e = stats[evals[w]++];
  e.testCorrect += static_cast<int64_t>(evalBuf[w]);
  ++e.evals;
  if (evals[w] < sched.epochs)
    postEval(w);
}

void Server::serve() {
  int64_t slowest = minClock();
  std::vector<float> flat;
  for (int w = 0; w < workers; ++w) {
    int64_t c = pending[w];
    if (c < 0)
      continue;
    bool ready = sched.evaluate && sched.boundary(c)
                     ? applied >= c
                     : o.staleness < 0 || c - slowest <= o.staleness;
    if (!ready)
      continue;
    if (flat.empty()) {
      flat.resize(n);
      for (int i = 0; i < p.num_params; ++i)
        std::memcpy(flat.data() + off[i], params[i].data(),
                    p.params[i].elements * sizeof(float));
    }
    sendFloats(flat.data(), n, w + 1, kParamsTag, "parameter server");
    pending[w] = -1;
    maxGap = std::max(maxGap, c - slowest);
    ++pulls;
    if (log)
      std::fprintf(log,
                   "pull worker %d clock %lld slowest %lld gap %lld "
                   "version %lld\n",
                   w + 1, (long long)c, (long long)slowest,
                   (long long)(c - slowest), (long long)applied);
  }
}

void Server::printEpochs() {
  for (; printed < sched.epochs; ++printed) {
    const EpochStats &e = stats[printed];
    if (applied < sched.epochEnd(printed) ||
        (sched.evaluate && e.evals < workers))
      return;
    int64_t steps = sched.epochEnd(printed) - printed * sched.stepsPerEpoch;
    std::string testText;
    if (sched.evaluate) {
      int64_t samples = (testCount / sched.global) * sched.global;
      char buf[96];
      std::snprintf(buf, sizeof(buf), " test_accuracy %.4f (%lld samples)",
                    samples ? double(e.testCorrect) / double(samples) : 0.0,
                    (long long)samples);
      testText = buf;
    }
    if (!o.quiet)
      std::printf("epoch %lld/%lld: steps %lld loss %.6f train_accuracy "
                  "%.4f%s time %.2f s\n",
                  (long long)(printed + 1), (long long)sched.epochs,
                  (long long)steps,
                  e.loss / double(std::max<int64_t>(e.pushes, 1)),
                  double(e.correct) / double(steps * sched.global),
                  testText.c_str(), dlrt_now() - epochStart);
    std::fflush(stdout);
    epochStart = dlrt_now();
  }
}

int Server::run() {
  params = initTensors(p.params, p.num_params, o);
  for (int i = 0; i < p.num_params; ++i)
    for (int s = 0; s < p.states_per_param; ++s)
      states.emplace_back(p.params[i].elements, 0.f);
  if (!o.psLog.empty()) {
    log = std::fopen(o.psLog.c_str(), "w");
    if (!log)
      trainFail("cannot write '%s'", o.psLog.c_str());
    std::fprintf(log, "# parameter server: %d workers, staleness %s\n", workers,
                 o.staleness < 0 ? "inf" : std::to_string(o.staleness).c_str());
  }
  bar = o.progress || isatty(2);
  epochStart = dlrt_now();
  for (int w = 0; w < workers; ++w) {
    postPush(w);
    if (sched.evaluate)
      postEval(w);
  }
  serve();
  while (printed < sched.epochs) {
    MPI_Status status;
    int idx = waitAny(reqs.data(), static_cast<int>(reqs.size()), &status,
                      "parameter server", waitingFor());
    if (idx < workers)
      onPush(idx);
    else
      onEval(idx - workers);
    serve();
    printEpochs();
  }
  if (log)
    std::fclose(log);
  if (!o.quiet)
    std::printf("parameter server: %d workers, staleness %s, %lld pulls, "
                "max clock gap %lld\n",
                workers,
                o.staleness < 0 ? "inf" : std::to_string(o.staleness).c_str(),
                (long long)pulls, (long long)maxGap);
  if (!o.save.empty())
    saveTensors(p.params, p.num_params, params, o.save);
  return 0;
}

} // namespace

int dlrt::train::paramServerMain(const dlrt_train_program &p,
                                 const Options &o) {
  int ranks = dlrt_size(), rank = dlrt_rank();
  if (ranks != p.data_parallel + 1)
    trainFail("the program sums the gradients of %d worker(s) and needs %d "
              "ranks (one server), but runs on %d",
              p.data_parallel, p.data_parallel + 1, ranks);
  if (p.states_per_param < 1 || p.states_per_param > 2)
    trainFail("unexpected optimizer '%s'", p.optimizer);
  if (!o.checkpoint.empty() || o.resume)
    trainFail("--checkpoint and --resume are not supported with the "
              "parameter server");
  TrainData data = loadTrainData(p, o);
  const Dataset &train = data.train, &test = data.test;
  Schedule sched;
  sched.global = data.global;
  sched.stepsPerEpoch = data.stepsPerEpoch;
  sched.total = sched.stepsPerEpoch * o.epochs;
  if (o.steps > 0)
    sched.total = std::min(sched.total, o.steps);
  sched.epochs = (sched.total + sched.stepsPerEpoch - 1) / sched.stepsPerEpoch;
  sched.evaluate = !test.samples.empty();
  if (rank == kServer)
    return Server(p, o, sched, test.count).run();
  return workerMain(p, o, sched, train, test);
}
