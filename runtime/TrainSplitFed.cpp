//===- TrainSplitFed.cpp - SplitFed over a two-stage program ----*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// SplitFed (`--clients C`, docs/training.md) on a two-stage pipeline
/// program: ranks 0..C-1 are clients, each with its own copy of stage 0
/// (the client-side layers) and its own slice of every global batch; rank
/// C is the server with stage 1 (the server-side layers and the loss). In
/// every round each client runs its forward and sends the cut layer's
/// activations to the server, which runs forward and backward for each
/// client in turn, returns the activations' gradient and sums its own
/// gradients over the clients; each client then takes an optimizer step on
/// its own gradient, and the client-side parameters are averaged over the
/// clients (federated averaging) while the server steps once with the
/// clients' mean gradient. For SGD this is one step of the whole model on
/// the global batch, which the tests check.
///
//===----------------------------------------------------------------------===//

#include "TrainPipeline.h"
#include "dlrt/dlrt.h"

#include <algorithm>
#include <string>
#include <vector>

using namespace dlrt::train;

int dlrt::train::splitFedMain(const dlrt_pipeline_program &p, const Options &o,
                              int clients) {
  int ranks = dlrt_size(), rank = dlrt_rank();
  if (p.num_stages != 2 || p.micro_batches != 1)
    trainFail("SplitFed needs a program of 2 stages and 1 micro-batch, this "
              "one has %d stage(s) and %lld micro-batch(es)",
              p.num_stages, (long long)p.micro_batches);
  if (ranks != clients + 1)
    trainFail("SplitFed with %d client(s) runs on %d ranks, not %d", clients,
              clients + 1, ranks);
  if (o.trainX.empty() || o.trainY.empty())
    trainFail("--train-images and --train-labels are required");
  if (!o.checkpoint.empty() || o.resume || o.progress || !o.testX.empty())
    trainFail("--checkpoint, --resume, --progress and --test-images are not "
              "supported by SplitFed yet");
  bool server = rank == clients;
  StageState st =
      server ? makeStage(p, 1, 0, -1, o) : makeStage(p, 0, -1, clients, o);
  Dataset train, test;
  loadStageData(p, o, train, test);
  int64_t b = p.micro_batch, global = b * clients;
  std::vector<int> clientGroup(clients);
  for (int r = 0; r < clients; ++r)
    clientGroup[r] = r;

  double lossSum = 0, compute = 0;
  int64_t correct = 0;
  auto round = [&](const std::vector<int64_t> &order, int64_t k, int64_t n) {
    const int64_t *rows = &order[k * global];
    std::vector<float *> saved;
    PendingSends sends;
    if (server) {
      // The clients in turn, each from its own activations.
      for (int c = 0; c < clients; ++c) {
        st.prev = c;
        runForward(st, train, rows + c * b, 0, /*keep=*/true, saved, sends,
                   compute, lossSum, correct);
        runBackward(st, 0, saved, sends, compute);
        sends.finish(p);
      }
      for (std::vector<float> &g : st.grads)
        for (float &x : g)
          x /= float(clients);
      runUpdate(st, float(n), compute);
      return;
    }
    runForward(st, train, rows + rank * b, 0, /*keep=*/true, saved, sends,
               compute, lossSum, correct);
    runBackward(st, 0, saved, sends, compute);
    sends.finish(p);
    runUpdate(st, float(n), compute);
    // Federated averaging of the client-side parameters.
    for (std::vector<float> &v : st.params) {
      dlrt_all_reduce_sum(v.data(), int64_t(v.size()), clientGroup.data(),
                          clients);
      for (float &x : v)
        x /= float(clients);
    }
  };
  auto endEpoch = [&](int64_t epoch, int64_t done, double seconds) {
    if (server)
      printEpoch(o, epoch, done,
                 lossSum / double(std::max<int64_t>(done * clients, 1)),
                 double(correct) / double(std::max<int64_t>(done * global, 1)),
                 " (SplitFed, " + std::to_string(clients) + " clients)",
                 seconds);
    lossSum = 0;
    correct = 0;
  };
  forEachStep(o, train.count, global, round, endEpoch);
  if (!o.save.empty()) {
    // Rank 0 (client 0) holds the averaged client side, rank C the server.
    int stageRanks[2] = {0, clients};
    if (rank <= 0 || server)
      saveStages(st, stageRanks, o.save);
  }
  return 0;
}
