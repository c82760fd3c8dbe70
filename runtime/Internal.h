//===- Internal.h - Internal interfaces shared by dlrt sources --*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Declarations shared between the translation units of libdlrt. Not
/// installed and not part of the ABI.
///
//===----------------------------------------------------------------------===//

#ifndef DLRT_RUNTIME_INTERNAL_H
#define DLRT_RUNTIME_INTERNAL_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dnnl {
struct engine;
struct stream;
enum class algorithm;
} // namespace dnnl

namespace dlrt {
namespace detail {

/// Prints `dlrt: rank R: <message>` to stderr and aborts the job
/// (MPI_Abort(MPI_COMM_WORLD, 1) when MPI is active, abort() otherwise).
[[noreturn]] void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/// World rank, or 0 before init.
int worldRank();
/// World size, or 1 before init.
int worldSize();
/// Whether MPI is initialized and not yet finalized by dlrt.
bool mpiActive();
/// Communication timeout in seconds (DLRT_TIMEOUT_S).
double timeoutSeconds();
/// Polls a communication wait makes with sched_yield before it sleeps
/// between polls (DLRT_SPIN_POLLS, default 1000).
long spinPolls();
/// Monotonic time in seconds.
double now();

/// Guards a blocking MPI call that cannot be polled (communicator
/// creation, start-up barrier, finalization): if it has not returned within
/// the communication timeout, a watchdog thread prints `dlrt: rank R: timed
/// out after Ns in <what> (a peer may have died or stalled)` and ends the
/// process with exit status 3, so mpirun tears the job down instead of
/// hanging. Scopes do not nest.
class BlockingScope {
public:
  explicit BlockingScope(const char *what);
  ~BlockingScope();
  BlockingScope(const BlockingScope &) = delete;
  BlockingScope &operator=(const BlockingScope &) = delete;
};

// Comm.cpp
void commInit();
/// Waits for every rank, sleeping between polls (before MPI_Finalize).
void finalBarrier();
void commFinalize();
const std::vector<int64_t> &bytesSentVector();
const std::vector<int64_t> &bytesReceivedVector();
/// Gathers one string per rank (collective over the world, bounded by the
/// communication timeout; `op` names the step in a timeout message).
/// Returns all strings on rank 0, or on every rank with `everyRank`; an
/// empty vector elsewhere.
std::vector<std::string> gatherStrings(const std::string &mine, const char *op,
                                       bool everyRank = false);

// Runtime.cpp
/// Collective start-up check: every rank passes the problem it met in
/// start-up step `step` (empty if none). If any rank met one, every rank
/// prints `dlrt: rank R: error: the job cannot start: rank Q: <problem>`
/// (for each such rank Q) and exits with status 4, so the message is in
/// every rank's output, not only in the one that saw the problem.
void agreeOnStartup(const std::string &problem, const char *step);

// KernelsCPU.cpp
/// Process-wide settings for the kernels, applied by dlrt_init.
void kernelsInit();
void kernelsSetThreads(int threads);
/// Threads the kernels use (OpenMP's maximum for a parallel region).
int kernelsThreads();
/// Declares `bytes` at `data` a tensor of the open weight store `store`:
/// its contents stay unchanged until kernelsReleaseWeights(store), so
/// kernels may cache transformed copies (e.g. reordered conv weights).
void kernelsPinWeights(const void *store, const void *data, size_t bytes);
/// Forgets the tensors of `store` and the copies cached from them.
void kernelsReleaseWeights(const void *store);
/// The CPU engine and stream every oneDNN primitive of libdlrt runs on.
dnnl::engine &kernelsEngine();
dnnl::stream &kernelsStream();
/// Checks a pool2d's kind (0 max, 1 avg), window and output size (fatal,
/// naming `who`), and returns its oneDNN algorithm.
dnnl::algorithm poolAlgorithm(const char *who, int kind, int64_t h, int64_t w,
                              int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                              int64_t pad_t, int64_t pad_l, int64_t pad_b,
                              int64_t pad_r, int64_t oh, int64_t ow,
                              int count_include_pad);

// Trace.cpp
void traceInit(bool recordEvents);
/// Writes the trace / stats files if the paths are non-empty (collective).
void traceFinalize(const std::string &tracePath, const std::string &statsPath);
void spanBegin(const char *name);
void spanEnd(const char *category, int64_t bytesSent, int64_t bytesRecv);

/// RAII span used by the communication functions.
struct CommSpan {
  explicit CommSpan(const char *name) { spanBegin(name); }
  ~CommSpan() { spanEnd("comm", sent, recv); }
  int64_t sent = 0;
  int64_t recv = 0;
};

} // namespace detail
} // namespace dlrt

#endif // DLRT_RUNTIME_INTERNAL_H
