//===- Runtime.cpp - dlrt initialization, options and errors ----*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// dlrt_init / dlrt_finalize, option parsing (DLRT_TIMEOUT_S,
/// DLRT_SPIN_POLLS, --trace,
/// --stats), fatal-error reporting and small utility entry points.
///
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "dlrt/dlrt.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mpi.h>

using namespace dlrt::detail;

//===----------------------------------------------------------------------===//
// Watchdog for blocking calls that cannot be polled
//===----------------------------------------------------------------------===//

namespace {
struct Watchdog {
  std::mutex mutex;
  std::condition_variable wake;
  const char *what = nullptr; // guarded by mutex
  double deadline = 0;
  std::thread thread;
  bool started = false;

  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      if (!what) {
        wake.wait(lock);
        continue;
      }
      double left = deadline - now();
      if (left > 0) {
        wake.wait_for(lock, std::chrono::duration<double>(left));
        continue;
      }
      std::fprintf(stderr,
                   "dlrt: rank %d: timed out after %gs in %s (a peer may have "
                   "died or stalled)\n",
                   worldRank(), timeoutSeconds(), what);
      std::fflush(stderr);
      _exit(3);
    }
  }
};

Watchdog &watchdog() {
  static Watchdog *w = new Watchdog; // never destroyed: the thread lives on
  return *w;
}
} // namespace

BlockingScope::BlockingScope(const char *what) {
  Watchdog &w = watchdog();
  std::lock_guard<std::mutex> lock(w.mutex);
  if (!w.started) {
    w.thread = std::thread([&w] { w.run(); });
    w.thread.detach();
    w.started = true;
  }
  w.what = what;
  w.deadline = now() + timeoutSeconds();
  w.wake.notify_one();
}

BlockingScope::~BlockingScope() {
  Watchdog &w = watchdog();
  std::lock_guard<std::mutex> lock(w.mutex);
  w.what = nullptr;
  w.wake.notify_one();
}

namespace {
struct RuntimeState {
  bool initialized = false;
  bool finalized = false;
  bool ownsMpi = false;
  int rank = 0;
  int size = 1;
  double timeout = 10.0;
  long spinPolls = 1000;
  std::string tracePath;
  std::string statsPath;
} state;

/// Removes argv[i .. i+count) and shifts the rest (keeping the NULL).
void eraseArgs(int *argc, char **argv, int i, int count) {
  for (int j = i; j + count <= *argc; ++j)
    argv[j] = argv[j + count];
  *argc -= count;
}

void parseArgs(int *argc, char ***argvp) {
  if (!argc || !argvp || !*argvp)
    return;
  char **argv = *argvp;
  for (int i = 1; i < *argc;) {
    const char *a = argv[i];
    std::string *target = nullptr;
    const char *flag = nullptr;
    if (!std::strncmp(a, "--trace", 7)) {
      target = &state.tracePath;
      flag = "--trace";
    } else if (!std::strncmp(a, "--stats", 7)) {
      target = &state.statsPath;
      flag = "--stats";
    }
    size_t len = flag ? std::strlen(flag) : 0;
    if (target && a[len] == '=') {
      *target = a + len + 1;
      eraseArgs(argc, argv, i, 1);
    } else if (target && a[len] == '\0') {
      if (i + 1 >= *argc)
        fatal("option %s needs a PATH argument", flag);
      *target = argv[i + 1];
      eraseArgs(argc, argv, i, 2);
    } else {
      ++i;
    }
  }
}
} // namespace

//===----------------------------------------------------------------------===//
// Internal interface
//===----------------------------------------------------------------------===//

void dlrt::detail::fatal(const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "dlrt: rank %d: %s\n", worldRank(), msg);
  std::fflush(stderr);
  std::fflush(stdout);
  if (mpiActive())
    MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();
}

int dlrt::detail::worldRank() { return state.rank; }
int dlrt::detail::worldSize() { return state.size; }
double dlrt::detail::timeoutSeconds() { return state.timeout; }

long dlrt::detail::spinPolls() { return state.spinPolls; }

bool dlrt::detail::mpiActive() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

double dlrt::detail::now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

//===----------------------------------------------------------------------===//
// C ABI
//===----------------------------------------------------------------------===//

extern "C" void dlrt_init(int *argc, char ***argv) {
  if (state.initialized)
    fatal("dlrt_init called twice");
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS) {
      std::fprintf(stderr, "dlrt: rank ?: MPI_Init_thread failed\n");
      std::exit(1);
    }
    state.ownsMpi = true;
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &state.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &state.size);
  state.initialized = true;

  if (const char *t = std::getenv("DLRT_TIMEOUT_S")) {
    char *end = nullptr;
    double v = std::strtod(t, &end);
    if (end == t || *end != '\0' || !(v > 0))
      fatal("invalid DLRT_TIMEOUT_S '%s' (expected a positive number of "
            "seconds)",
            t);
    state.timeout = v;
  }
  if (const char *t = std::getenv("DLRT_SPIN_POLLS")) {
    char *end = nullptr;
    long v = std::strtol(t, &end, 10);
    if (end == t || *end != '\0' || v < 0)
      fatal("invalid DLRT_SPIN_POLLS '%s' (expected a non-negative number "
            "of polls)",
            t);
    state.spinPolls = v;
  }
  parseArgs(argc, argv);
  kernelsInit();
  if (const char *omp = std::getenv("OMP_NUM_THREADS")) {
    int n = std::atoi(omp);
    if (n > 0)
      kernelsSetThreads(n);
  }
  commInit();
  if (!state.tracePath.empty()) {
    // Align the ranks' time origins (approximately) for the merged trace.
    BlockingScope guard("the start-up barrier");
    MPI_Barrier(MPI_COMM_WORLD);
  }
  traceInit(!state.tracePath.empty());
}

extern "C" void dlrt_finalize(void) {
  if (!state.initialized || state.finalized)
    fatal("dlrt_finalize called without a matching dlrt_init");
  traceFinalize(state.tracePath, state.statsPath);
  // DLRT_SUMMARY=1: one human-readable traffic line per rank.
  if (const char *summary = std::getenv("DLRT_SUMMARY");
      summary && std::strcmp(summary, "0") != 0) {
    const std::vector<int64_t> &sent = bytesSentVector();
    const std::vector<int64_t> &recv = bytesReceivedVector();
    int64_t sentTotal = 0, recvTotal = 0;
    std::string peers;
    for (size_t q = 0; q < sent.size(); ++q) {
      sentTotal += sent[q];
      recvTotal += q < recv.size() ? recv[q] : 0;
      if (sent[q])
        peers += " " + std::to_string(q) + ":" + std::to_string(sent[q]);
    }
    std::printf("rank%d: sent %lld B, received %lld B (sent to%s)\n",
                state.rank, static_cast<long long>(sentTotal),
                static_cast<long long>(recvTotal),
                peers.empty() ? " none" : peers.c_str());
    std::fflush(stdout);
  }
  if (state.ownsMpi)
    finalBarrier();
  commFinalize();
  state.finalized = true;
  if (state.ownsMpi)
    MPI_Finalize();
}

namespace {
/// Prints `message` on this rank, waits (bounded by the watchdog) until
/// every rank has printed its own, and exits with status 4: every rank
/// reports the problem before mpirun tears the job down.
[[noreturn]] void failEverywhere(const std::string &message) {
  std::fprintf(stderr, "dlrt: rank %d: error: %s\n", state.rank,
               message.c_str());
  std::fflush(stderr);
  {
    BlockingScope guard("the start-up check");
    MPI_Barrier(MPI_COMM_WORLD);
  }
  std::exit(4);
}

} // namespace

void dlrt::detail::agreeOnStartup(const std::string &problem,
                                  const char *step) {
  if (!state.initialized)
    fatal("%s before dlrt_init", step);
  std::vector<std::string> all = gatherStrings(problem, step, true);
  std::string message;
  for (size_t r = 0; r < all.size(); ++r)
    if (!all[r].empty())
      message += (message.empty() ? "" : "; ") + std::string("rank ") +
                 std::to_string(r) + ": " + all[r];
  if (!message.empty())
    failEverywhere("the job cannot start: " + message);
}

namespace {
std::string hexHash(uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(h));
  return buf;
}
} // namespace

extern "C" void dlrt_check_plan(int rank, int num_ranks, uint64_t plan_hash) {
  if (!state.initialized)
    fatal("dlrt_check_plan called before dlrt_init");
  // Every rank sees the world size: no communication needed to agree.
  if (state.size != num_ranks)
    failEverywhere("the program was compiled for " +
                   std::to_string(num_ranks) + " rank(s) (the plan's " +
                   "cluster has " + std::to_string(num_ranks) +
                   " device(s)) but the job has " +
                   std::to_string(state.size) +
                   " rank(s): launch it with the generated run.sh, or "
                   "recompile for the cluster it runs on");
  // Every rank gathers (emitted rank, plan size, plan hash) of all ranks and
  // reaches the same verdict.
  int64_t mine[3] = {rank, num_ranks, static_cast<int64_t>(plan_hash)};
  std::vector<int64_t> all(3 * static_cast<size_t>(state.size));
  {
    BlockingScope guard("the start-up check");
    if (MPI_Allgather(mine, 3, MPI_INT64_T, all.data(), 3, MPI_INT64_T,
                      MPI_COMM_WORLD) != MPI_SUCCESS)
      fatal("MPI_Allgather failed in the start-up check");
  }
  std::string problems;
  for (int r = 0; r < state.size; ++r) {
    int64_t emitted = all[3 * r], ranks = all[3 * r + 1];
    uint64_t hash = static_cast<uint64_t>(all[3 * r + 2]);
    if (hash != plan_hash || ranks != num_ranks)
      problems += "; rank " + std::to_string(r) +
                  " runs a program of another compilation (plan " +
                  hexHash(hash) + ", this rank's plan is " +
                  hexHash(plan_hash) + ")";
    else if (emitted != r)
      problems += "; rank " + std::to_string(r) + " runs the program of rank " +
                  std::to_string(emitted);
  }
  if (!problems.empty())
    failEverywhere("the ranks do not run the programs of one plan" +
                   problems +
                   ": rebuild them together (dl-compile) and launch the "
                   "generated run.sh");
}

extern "C" int dlrt_rank(void) { return state.rank; }
extern "C" int dlrt_size(void) { return state.size; }
extern "C" double dlrt_now(void) { return now(); }
extern "C" int dlrt_cuda_available(void) { return 0; }
extern "C" void dlrt_free(void *ptr) { std::free(ptr); }
