//===- TrainFedAvg.cpp - Federated averaging --------------------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// `--paradigm fedavg` of dlrt_train_main: rank 0 is the server, ranks
/// 1..K are the clients. Every client owns a shard of the training set (IID,
/// non-IID by label as sorted-label shards, or given per sample by a file).
/// In each round the server samples a seeded fraction of the clients, sends
/// them the global parameters, and each runs the program's single-rank step
/// for some local epochs or steps on its shard; the server replaces the
/// global parameters by the average of the returned ones weighted by shard
/// size. A sampled client that has not answered when the round's deadline
/// passes (dead or stalled) is dropped from the round; it is not sampled
/// again until its late answer arrives. Every wait is non-blocking with a
/// deadline, so a dead peer never hangs the job. See docs/training.md.
///
//===----------------------------------------------------------------------===//

#include "Format.h"
#include "Internal.h"
#include "TrainCommon.h"
#include "dlrt/dlrt.h"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mpi.h>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace dlrt::train;

namespace {

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

struct FedOptions {
  int64_t rounds = 1, localEpochs = 1, localSteps = 0, shardsPerClient = 2;
  double clientFraction = 1.0, clientTimeout = 60.0, serverTimeout = 0.0;
  std::string partition = "iid", statusFile;
};

/// Exit status of the server (docs/training.md).
enum Status : int {
  kCompleted = 0,          // every round ran, no client was dropped
  kNoClientLeft = 4,       // a round found no client to sample: stopped early
  kCompletedWithDrops = 5, // every round ran; some client was dropped
};

void fedAvgUsage(const char *argv0) {
  usage(argv0);
  std::printf(
      "federated averaging (--paradigm fedavg; rank 0 is the server, ranks\n"
      "1..K the clients; --epochs/--steps/--checkpoint do not apply):\n"
      "  --rounds R            communication rounds (1)\n"
      "  --local-epochs E      passes over its shard per client and round "
      "(1)\n"
      "  --local-steps S       S local steps per round instead (continuing\n"
      "                        through the shard across rounds)\n"
      "  --client-fraction C   fraction of the clients sampled per round, in\n"
      "                        (0, 1] (1); seeded by --seed and the round\n"
      "  --partition iid|noniid|PATH.npy   iid: a seeded permutation split\n"
      "                        into K equal parts; noniid: samples sorted by\n"
      "                        label cut into K*shards-per-client shards,\n"
      "                        dealt at random; PATH.npy: the client (1..K,\n"
      "                        0 = unused) of each training sample\n"
      "  --shards-per-client N label shards per client for noniid (2)\n"
      "  --client-timeout S    seconds the server waits for a round's\n"
      "                        answers before dropping a client (60)\n"
      "  --server-timeout S    seconds a client waits for the server before\n"
      "                        giving up (default 3 x --client-timeout)\n"
      "  --status-file PATH    the server writes its exit status and the\n"
      "                        dropped clients there\n");
}

FedOptions parseFedOptions(int argc, char **argv, Options &o, bool &help) {
  FedOptions f;
  o = parseOptions(argc, argv, help, [&](OptionArg &a) {
    if (a.key == "--paradigm")
      a.value(); // "fedavg"
    else if (a.key == "--rounds")
      f.rounds = a.count();
    else if (a.key == "--local-epochs")
      f.localEpochs = a.count();
    else if (a.key == "--local-steps")
      f.localSteps = a.count();
    else if (a.key == "--client-fraction")
      f.clientFraction = a.real();
    else if (a.key == "--partition")
      f.partition = a.value();
    else if (a.key == "--shards-per-client")
      f.shardsPerClient = a.count();
    else if (a.key == "--client-timeout")
      f.clientTimeout = a.real();
    else if (a.key == "--server-timeout")
      f.serverTimeout = a.real();
    else if (a.key == "--status-file")
      f.statusFile = a.value();
    else if (a.key == "--epochs" || a.key == "--steps" ||
             a.key == "--checkpoint" || a.key == "--resume")
      trainFail("%s does not apply to --paradigm fedavg (use --rounds, "
                "--local-epochs or --local-steps)",
                a.key.c_str());
    else
      return false;
    return true;
  });
  if (help)
    return f;
  if (f.rounds < 1)
    trainFail("--rounds must be at least 1");
  if (f.localEpochs < 1 && f.localSteps == 0)
    trainFail("--local-epochs must be at least 1");
  if (!(f.clientFraction > 0 && f.clientFraction <= 1))
    trainFail("--client-fraction %g is not in (0, 1]", f.clientFraction);
  if (f.shardsPerClient < 1)
    trainFail("--shards-per-client must be at least 1");
  if (!(f.clientTimeout > 0))
    trainFail("--client-timeout must be positive");
  if (f.serverTimeout < 0)
    trainFail("--server-timeout must be positive");
  if (f.serverTimeout == 0)
    f.serverTimeout = 3 * f.clientTimeout;
  if (o.trainX.empty() || o.trainY.empty())
    trainFail("--train-images and --train-labels are required");
  return f;
}

//===----------------------------------------------------------------------===//
// Partitions
//===----------------------------------------------------------------------===//

/// The training rows of clients 1..K (index 0 unused).
using Shards = std::vector<std::vector<int64_t>>;

Shards partition(const Dataset &train, int64_t clients, const FedOptions &f,
                 const Options &o) {
  Shards shards(clients + 1);
  int64_t n = train.count;
  if (f.partition == "iid") {
    std::vector<int64_t> order =
        permutation(n, o.seed * 7919 + 1, 0, o.shuffle);
    for (int64_t c = 0; c < clients; ++c)
      shards[c + 1].assign(order.begin() + c * n / clients,
                           order.begin() + (c + 1) * n / clients);
  } else if (f.partition == "noniid") {
    // McMahan et al.: sort by label, cut into equal shards, deal them out.
    std::vector<int64_t> byLabel = permutation(n, 0, 0, false);
    std::sort(byLabel.begin(), byLabel.end(), [&](int64_t a, int64_t b) {
      return std::make_pair(train.labels[a], a) <
             std::make_pair(train.labels[b], b);
    });
    int64_t count = clients * f.shardsPerClient, size = n / count;
    if (size == 0)
      trainFail("%lld training samples do not fill %lld label shards",
                (long long)n, (long long)count);
    std::vector<int64_t> deal =
        permutation(count, o.seed * 7919 + 2, 0, o.shuffle);
    for (int64_t s = 0; s < count; ++s) {
      int64_t shard = deal[s], client = 1 + s / f.shardsPerClient;
      shards[client].insert(shards[client].end(),
                            byLabel.begin() + shard * size,
                            byLabel.begin() + (shard + 1) * size);
    }
  } else if (f.partition.size() > 4 &&
             f.partition.compare(f.partition.size() - 4, 4, ".npy") == 0) {
    dlrt::format::NpyArray a;
    std::string error;
    if (!dlrt::format::readNpy(f.partition, a, error))
      trainFail("%s", error.c_str());
    if (int64_t(a.data.size()) < n)
      trainFail("partition '%s' has %zu entries for %lld training samples",
                f.partition.c_str(), a.data.size(), (long long)n);
    for (int64_t i = 0; i < n; ++i) {
      float v = a.data[i];
      if (v != std::floor(v) || v < 0 || v > float(clients))
        trainFail("partition '%s': sample %lld has client %g; expected 1..%lld "
                  "(0: unused)",
                  f.partition.c_str(), (long long)i, v, (long long)clients);
      if (v > 0)
        shards[int64_t(v)].push_back(i);
    }
  } else {
    trainFail("--partition '%s' is not iid, noniid or a .npy file",
              f.partition.c_str());
  }
  return shards;
}

//===----------------------------------------------------------------------===//
// Messages
//===----------------------------------------------------------------------===//

constexpr int kToClientTag = 7301; // server -> client: Header [+ params]
constexpr int kUpdateTag = 7302;   // client -> server: Header + params
constexpr int kByeTag = 7303;      // client -> server: Header

/// What the server sends: train this round, sit this round out, stop
/// (answer with a goodbye), and after the goodbyes whether to finalize MPI
/// (every client said goodbye) or to exit at once (the server then ends the
/// job with MPI_Abort: a dead or stalled rank would hang MPI_Finalize).
enum Kind : int64_t {
  kStop = 0,
  kTrain = 1,
  kSkip = 2,
  kFinalize = 3,
  kExit = 4
};

struct Header {
  int64_t kind = kSkip, round = 0;
  int64_t steps = 0, samples = 0, correct = 0;
  double lossSum = 0;
};

int64_t paramCount(const dlrt_train_program &p) {
  int64_t n = 0;
  for (int i = 0; i < p.num_params; ++i)
    n += p.params[i].elements;
  return n;
}

/// A header followed by the flattened parameters.
using Message = std::vector<char>;

Message pack(const Header &h, const State *st) {
  Message m(sizeof(Header));
  std::memcpy(m.data(), &h, sizeof(Header));
  if (st)
    for (const std::vector<float> &v : st->params) {
      const char *b = reinterpret_cast<const char *>(v.data());
      m.insert(m.end(), b, b + v.size() * sizeof(float));
    }
  return m;
}

Header header(const Message &m) {
  Header h;
  std::memcpy(&h, m.data(), sizeof(Header));
  return h;
}

/// The parameters of a TRAIN or update message into `st`.
void unpack(const Message &m, State &st) {
  const char *b = m.data() + sizeof(Header);
  for (std::vector<float> &v : st.params) {
    std::memcpy(v.data(), b, v.size() * sizeof(float));
    b += v.size() * sizeof(float);
  }
}

bool done(MPI_Request &r) {
  if (r == MPI_REQUEST_NULL)
    return true;
  int flag = 0;
  MPI_Test(&r, &flag, MPI_STATUS_IGNORE);
  return flag;
}

void idle() { usleep(500); }

//===----------------------------------------------------------------------===//
// Client
//===----------------------------------------------------------------------===//

/// DLRT_FEDAVG_FAIL=RANK:ROUND:kill|stall[:SECONDS][,...]: fault injection
/// for the tests. The client of RANK, sampled in ROUND, kills itself
/// (SIGKILL) or stalls (for SECONDS, or for ever) after receiving the
/// parameters.
void injectFault(int rank, int64_t round) {
  const char *env = std::getenv("DLRT_FEDAVG_FAIL");
  if (!env)
    return;
  std::string specs = env;
  for (size_t begin = 0; begin <= specs.size();) {
    size_t end = std::min(specs.find(',', begin), specs.size());
    std::string spec = specs.substr(begin, end - begin);
    begin = end + 1;
    int failRank = -1;
    long long failRound = -1;
    char what[16] = {};
    double seconds = -1;
    int fields = std::sscanf(spec.c_str(), "%d:%lld:%15[a-z]:%lf", &failRank,
                             &failRound, what, &seconds);
    bool kill = !std::strcmp(what, "kill"), stall = !std::strcmp(what, "stall");
    if (fields < 3 || (!kill && !stall))
      trainFail("invalid DLRT_FEDAVG_FAIL '%s' (RANK:ROUND:kill|stall[:S], "
                "comma-separated)",
                env);
    if (failRank != rank || failRound != round)
      continue;
    std::fprintf(stderr, "rank%d: DLRT_FEDAVG_FAIL: %s in round %lld\n", rank,
                 what, (long long)round);
    std::fflush(stderr);
    if (kill)
      std::raise(SIGKILL);
    if (seconds < 0)
      for (;;)
        ::pause();
    usleep(useconds_t(seconds * 1e6));
  }
}

/// Waits for `r` until the server timeout; gives up (exit 3) after it.
void clientWait(MPI_Request &r, double deadline, const FedOptions &f,
                const char *what) {
  while (!done(r)) {
    if (dlrt_now() > deadline) {
      std::fprintf(stderr,
                   "rank%d: fedavg client: no answer from the server for "
                   "%gs while %s (it may have died); giving up\n",
                   dlrt_rank(), f.serverTimeout, what);
      std::fflush(stderr);
      _exit(3);
    }
    idle();
  }
}

int clientMain(const dlrt_train_program &p, const Options &o,
               const FedOptions &f, const Dataset &train,
               const std::vector<int64_t> &shard) {
  int rank = dlrt_rank();
  State st(&p);
  int64_t b = p.batch, perPass = int64_t(shard.size()) / b;
  int64_t stepsPerRound = f.localSteps ? f.localSteps : f.localEpochs * perPass;
  // The client walks through its shard pass after pass, across rounds.
  int64_t pass = -1, pos = int64_t(shard.size());
  std::vector<int64_t> order, rows(b);
  Message in(sizeof(Header) + paramCount(p) * sizeof(float)), out;
  MPI_Request send = MPI_REQUEST_NULL;
  double deadline = dlrt_now() + f.serverTimeout;
  for (;;) {
    MPI_Request recv;
    MPI_Irecv(in.data(), int(in.size()), MPI_BYTE, 0, kToClientTag,
              MPI_COMM_WORLD, &recv);
    clientWait(send, deadline, f, "sending its update");
    clientWait(recv, deadline, f, "waiting for the next round");
    Header h = header(in);
    if (h.kind == kStop) {
      Header bye;
      bye.kind = kStop;
      MPI_Request r;
      MPI_Isend(&bye, sizeof(bye), MPI_BYTE, 0, kByeTag, MPI_COMM_WORLD, &r);
      MPI_Irecv(in.data(), int(in.size()), MPI_BYTE, 0, kToClientTag,
                MPI_COMM_WORLD, &recv);
      deadline = dlrt_now() + f.serverTimeout;
      clientWait(r, deadline, f, "saying goodbye");
      clientWait(recv, deadline, f, "waiting for the end");
      if (header(in).kind == kFinalize)
        return 0;
      std::fflush(stdout);
      _exit(0);
    }
    if (h.kind == kTrain) {
      unpack(in, st);
      for (auto &s : st.states)
        std::fill(s.begin(), s.end(), 0.f);
      injectFault(rank, h.round);
      Header u;
      u.kind = kTrain;
      u.round = h.round;
      for (int64_t k = 0; k < stepsPerRound; ++k) {
        if (pos + b > int64_t(shard.size())) {
          order = permutation(int64_t(shard.size()), o.seed * 131 + rank,
                              ++pass, o.shuffle);
          pos = 0;
        }
        for (int64_t i = 0; i < b; ++i)
          rows[i] = shard[order[pos + i]];
        pos += b;
        u.lossSum += runStep(st, train, rows.data(), float(k + 1),
                             /*commit=*/true, u.correct);
        ++u.steps;
      }
      u.samples = u.steps * b;
      out = pack(u, &st);
      MPI_Isend(out.data(), int(out.size()), MPI_BYTE, 0, kUpdateTag,
                MPI_COMM_WORLD, &send);
    }
    deadline = dlrt_now() + f.serverTimeout;
  }
}

//===----------------------------------------------------------------------===//
// Server
//===----------------------------------------------------------------------===//

struct Client {
  int rank = 0;
  int64_t shard = 0;
  /// Sampled and answered in time / dropped and not heard from since.
  bool late = false;
  MPI_Request recv = MPI_REQUEST_NULL;
  Message update;
  std::vector<int64_t> droppedIn;
  bool saidBye = false;
};

class Server {
public:
  Server(const dlrt_train_program &p, const Options &o, const FedOptions &f,
         const Shards &shards, const Dataset &test)
      : p(p), o(o), f(f), test(test), st(&p) {
    for (size_t c = 1; c < shards.size(); ++c) {
      Client cl;
      cl.rank = int(c);
      cl.shard = int64_t(shards[c].size());
      clients.push_back(std::move(cl));
    }
    initParams(st, o);
  }

  int run();

private:
  std::vector<Client *> sample(int64_t round);
  void send(Client &c, const Header &h, bool withParams);
  void pollLate();
  void aggregate(const std::vector<Client *> &answered);
  std::string evaluate();
  bool finish();
  void release(bool clean);
  void writeStatus(int status, const std::string &summary);

  const dlrt_train_program &p;
  const Options &o;
  const FedOptions &f;
  const Dataset &test;
  State st;
  std::vector<Client> clients;
  /// Sends in flight with their buffers (kept until they complete).
  std::vector<std::pair<MPI_Request, std::shared_ptr<Message>>> sends;
};

std::vector<Client *> Server::sample(int64_t round) {
  std::vector<Client *> available;
  for (Client &c : clients)
    if (!c.late)
      available.push_back(&c);
  int64_t k = int64_t(clients.size());
  size_t m = size_t(std::max<int64_t>(1, std::llround(f.clientFraction * k)));
  std::mt19937_64 rng(o.seed * 1000003ull + uint64_t(round) * 7919ull + 3);
  for (size_t i = 0; i < std::min(m, available.size()); ++i)
    std::swap(available[i],
              available[i + rng() % uint64_t(available.size() - i)]);
  if (available.size() > m)
    available.resize(m);
  std::sort(available.begin(), available.end(),
            [](Client *a, Client *b) { return a->rank < b->rank; });
  return available;
}

void Server::send(Client &c, const Header &h, bool withParams) {
  auto m = std::make_shared<Message>(pack(h, withParams ? &st : nullptr));
  MPI_Request r;
  MPI_Isend(m->data(), int(m->size()), MPI_BYTE, c.rank, kToClientTag,
            MPI_COMM_WORLD, &r);
  sends.emplace_back(r, std::move(m));
}

/// Tests the sends in flight and the late clients' answers.
void Server::pollLate() {
  sends.erase(std::remove_if(sends.begin(), sends.end(),
                             [](auto &s) { return done(s.first); }),
              sends.end());
  for (Client &c : clients)
    if (c.late && done(c.recv)) {
      c.late = false;
      std::printf("fedavg: client %d answered again (its late update of "
                  "round %lld is discarded); it may be sampled again\n",
                  c.rank, (long long)header(c.update).round);
    }
}

void Server::aggregate(const std::vector<Client *> &answered) {
  double total = 0;
  for (Client *c : answered)
    total += double(c->shard);
  int64_t offset = sizeof(Header);
  for (std::vector<float> &v : st.params) {
    std::vector<double> sum(v.size(), 0.0);
    for (Client *c : answered) {
      const float *w =
          reinterpret_cast<const float *>(c->update.data() + offset);
      double weight = double(c->shard) / total;
      for (size_t i = 0; i < v.size(); ++i)
        sum[i] += weight * double(w[i]);
    }
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = float(sum[i]);
    offset += int64_t(v.size() * sizeof(float));
  }
}

std::string Server::evaluate() {
  if (test.samples.empty())
    return "";
  int64_t batches = test.count / p.batch;
  int64_t correct = countCorrect(st, test, batches, 0, p.batch);
  char buf[96];
  std::snprintf(buf, sizeof(buf), " test_accuracy %.4f (%lld samples)",
                batches ? double(correct) / double(batches * p.batch) : 0.0,
                (long long)(batches * p.batch));
  return buf;
}

/// Tells every client to stop and waits (up to --client-timeout) for their
/// goodbyes; returns whether all of them answered.
bool Server::finish() {
  std::vector<MPI_Request> byes(clients.size());
  std::vector<Header> got(clients.size());
  Header stop;
  stop.kind = kStop;
  for (size_t i = 0; i < clients.size(); ++i) {
    send(clients[i], stop, false);
    MPI_Irecv(&got[i], sizeof(Header), MPI_BYTE, clients[i].rank, kByeTag,
              MPI_COMM_WORLD, &byes[i]);
  }
  double deadline = dlrt_now() + f.clientTimeout;
  for (;;) {
    pollLate();
    bool all = true;
    for (size_t i = 0; i < clients.size(); ++i)
      all &= clients[i].saidBye = done(byes[i]);
    if (all)
      return true;
    if (dlrt_now() > deadline)
      break;
    idle();
  }
  std::string missing;
  for (size_t i = 0; i < clients.size(); ++i)
    if (!done(byes[i]))
      missing += (missing.empty() ? "" : ",") + std::to_string(clients[i].rank);
  std::printf("fedavg: client(s) %s did not answer the end of training "
              "within %gs (dead or stalled)\n",
              missing.c_str(), f.clientTimeout);
  return false;
}

/// Tells the clients that said goodbye to finalize MPI (`clean`) or to
/// exit at once, and waits (up to --client-timeout) until they have it.
void Server::release(bool clean) {
  Header verdict;
  verdict.kind = clean ? kFinalize : kExit;
  std::vector<MPI_Request> told;
  for (Client &c : clients)
    if (c.saidBye) {
      told.emplace_back();
      MPI_Isend(&verdict, sizeof(verdict), MPI_BYTE, c.rank, kToClientTag,
                MPI_COMM_WORLD, &told.back());
    }
  double deadline = dlrt_now() + f.clientTimeout;
  for (MPI_Request &r : told)
    while (!done(r) && dlrt_now() < deadline)
      idle();
}

void Server::writeStatus(int status, const std::string &summary) {
  if (f.statusFile.empty())
    return;
  FILE *file = std::fopen(f.statusFile.c_str(), "w");
  if (!file)
    trainFail("cannot write '%s'", f.statusFile.c_str());
  std::fprintf(file, "status %d\n%s\n", status, summary.c_str());
  std::fclose(file);
}

int Server::run() {
  int64_t k = int64_t(clients.size());
  if (!o.quiet)
    std::printf(
        "fedavg: %lld clients, %s partition, %lld round(s), %s, "
        "client fraction %g\n",
        (long long)k, f.partition.c_str(), (long long)f.rounds,
        f.localSteps
            ? (std::to_string(f.localSteps) + " local step(s)").c_str()
            : (std::to_string(f.localEpochs) + " local epoch(s)").c_str(),
        f.clientFraction);
  std::fflush(stdout);
  int status = kCompleted;
  int64_t roundsDone = 0;
  for (int64_t round = 1; round <= f.rounds; ++round) {
    double start = dlrt_now();
    pollLate();
    std::vector<Client *> chosen = sample(round);
    if (chosen.empty()) {
      std::printf("fedavg: round %lld: no client left to sample; stopping\n",
                  (long long)round);
      status = kNoClientLeft;
      break;
    }
    Header train, skip;
    train.kind = kTrain;
    train.round = skip.round = round;
    for (Client &c : clients) {
      if (c.late)
        continue;
      bool picked = std::find(chosen.begin(), chosen.end(), &c) != chosen.end();
      send(c, picked ? train : skip, picked);
      if (picked) {
        c.update.resize(sizeof(Header) + paramCount(p) * sizeof(float));
        MPI_Irecv(c.update.data(), int(c.update.size()), MPI_BYTE, c.rank,
                  kUpdateTag, MPI_COMM_WORLD, &c.recv);
      }
    }
    double deadline = start + f.clientTimeout;
    for (;;) {
      pollLate();
      bool all = true;
      for (Client *c : chosen)
        all &= done(c->recv);
      if (all || dlrt_now() > deadline)
        break;
      idle();
    }
    std::vector<Client *> answered;
    std::string names;
    for (Client *c : chosen) {
      if (done(c->recv)) {
        answered.push_back(c);
        names += (names.empty() ? "" : ",") + std::to_string(c->rank);
        continue;
      }
      c->late = true;
      c->droppedIn.push_back(round);
      std::printf("fedavg: round %lld: client %d did not answer within %gs "
                  "(dead or stalled): dropped from the round\n",
                  (long long)round, c->rank, f.clientTimeout);
      status = kCompletedWithDrops;
    }
    std::string text;
    if (answered.empty()) {
      text = " no client answered: parameters unchanged";
    } else {
      aggregate(answered);
      Header sum;
      for (Client *c : answered) {
        Header h = header(c->update);
        sum.steps += h.steps;
        sum.samples += h.samples;
        sum.correct += h.correct;
        sum.lossSum += h.lossSum;
      }
      char buf[160];
      std::snprintf(
          buf, sizeof(buf), " samples %lld loss %.6f train_accuracy %.4f",
          (long long)sum.samples,
          sum.lossSum / double(std::max<int64_t>(sum.steps, 1)),
          double(sum.correct) / double(std::max<int64_t>(sum.samples, 1)));
      text = buf;
    }
    ++roundsDone;
    if (!o.quiet)
      std::printf("round %lld/%lld: clients %s (%zu of %zu sampled)%s%s "
                  "time %.2f s\n",
                  (long long)round, (long long)f.rounds,
                  names.empty() ? "none" : names.c_str(), answered.size(),
                  chosen.size(), text.c_str(), evaluate().c_str(),
                  dlrt_now() - start);
    std::fflush(stdout);
  }
  bool allStopped = finish();
  std::string summary;
  for (const Client &c : clients) {
    if (c.droppedIn.empty())
      continue;
    summary += "client " + std::to_string(c.rank) + " dropped in round(s)";
    for (int64_t r : c.droppedIn)
      summary += " " + std::to_string(r);
    summary += c.late ? " (never answered again)" : " (answered again later)";
    summary += "\n";
  }
  if (summary.empty())
    summary = "no client dropped\n";
  std::printf("fedavg: %lld of %lld round(s) done; %sfedavg: exit status %d\n",
              (long long)roundsDone, (long long)f.rounds, summary.c_str(),
              status);
  if (!o.save.empty())
    saveParams(st, o.save);
  writeStatus(status, summary);
  std::fflush(stdout);
  release(allStopped);
  if (!allStopped) {
    // A dead or stalled rank would hang MPI_Finalize: the clients that
    // answered have exited, MPI_Abort ends the others.
    std::fprintf(stderr, "fedavg: ending the job with MPI_Abort to stop the "
                         "clients that did not answer\n");
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, status);
  }
  return status;
}

} // namespace

int dlrt::train::fedAvgMain(const dlrt_train_program &p, int argc,
                            char **argv) {
  // Errors on one rank must not leave the others waiting.
  setAbortOnFail(true);
  Options o;
  bool help = false;
  FedOptions f = parseFedOptions(argc, argv, o, help);
  if (help) {
    fedAvgUsage(argv[0]);
    return 0;
  }
  int ranks = dlrt_size(), rank = dlrt_rank();
  if (p.data_parallel != 1)
    trainFail("--paradigm fedavg runs the single-rank step on every client, "
              "but the program sums gradients over %d ranks (build it with "
              "data-parallel 1)",
              p.data_parallel);
  if (ranks < 2)
    trainFail("--paradigm fedavg needs a server and at least one client "
              "(2 or more ranks), got %d",
              ranks);
  int64_t clients = ranks - 1;
  Dataset train =
      loadDataset(o.trainX, o.trainY, sampleSize(p), p.classes, o.limitTrain);
  Shards shards = partition(train, clients, f, o);
  for (int64_t c = 1; c <= clients; ++c)
    if (int64_t(shards[c].size()) < p.batch)
      trainFail("client %lld has %zu training samples, fewer than one batch "
                "of %lld (%s partition)",
                (long long)c, shards[c].size(), (long long)p.batch,
                f.partition.c_str());
  if (rank > 0)
    return clientMain(p, o, f, train, shards[rank]);
  Dataset test;
  if (!o.testX.empty())
    test = loadDataset(o.testX, o.testY, sampleSize(p), p.classes, o.limitTest);
  Server server(p, o, f, shards, test);
  return server.run();
}
