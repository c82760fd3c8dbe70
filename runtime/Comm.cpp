//===- Comm.cpp - MPI communication for dlrt --------------------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Point-to-point and collective communication over MPI. Every operation is
/// issued non-blocking and completed by a polling loop with a deadline
/// (DLRT_TIMEOUT_S), so that a dead or hung peer turns into a clear error
/// instead of a hang. Sub-communicators are created once per group with
/// MPI_Comm_create_group and cached. Byte counters follow the accounting
/// documented in docs/runtime.md.
///
//===----------------------------------------------------------------------===//

#include "CommInternal.h"
#include "Internal.h"
#include "dlrt/dlrt.h"

#include <climits>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <mpi.h>
#include <sched.h>
#include <string>
#include <unistd.h>
#include <unordered_map>
#include <vector>

using namespace dlrt::detail;

namespace {

constexpr int kHaloToPrevTag = 1;
constexpr int kHaloToNextTag = 2;

struct CommState {
  /// Duplicate of MPI_COMM_WORLD for user point-to-point and collectives.
  MPI_Comm world = MPI_COMM_NULL;
  /// Duplicate of MPI_COMM_WORLD for internal point-to-point (halo).
  MPI_Comm internal = MPI_COMM_NULL;
  std::map<std::vector<int>, MPI_Comm> groups;
  std::vector<int64_t> sent;
  std::vector<int64_t> received;
} S;

void requireInit(const char *op) {
  if (S.world == MPI_COMM_NULL)
    fatal("%s called before dlrt_init (or after dlrt_finalize)", op);
}

int toInt(int64_t v, const char *op, const char *what) {
  if (v < 0 || v > INT_MAX)
    fatal("%s: %s = %lld is out of range (0..INT_MAX elements)", op, what,
          static_cast<long long>(v));
  return static_cast<int>(v);
}

std::string groupString(const int *group, int n) {
  std::string s = "{";
  for (int i = 0; i < n; ++i) {
    if (i)
      s += ",";
    s += std::to_string(group[i]);
  }
  return s + "}";
}

/// Communicator for `group` and this rank's index in it.
struct GroupComm {
  MPI_Comm comm;
  int me;
};

GroupComm getComm(const int *group, int n, const char *op) {
  requireInit(op);
  int P = worldSize(), rank = worldRank();
  if (!group || n <= 0)
    fatal("%s: empty group", op);
  std::vector<int> key(group, group + n);
  int me = -1;
  std::vector<char> seen(P, 0);
  for (int i = 0; i < n; ++i) {
    if (key[i] < 0 || key[i] >= P)
      fatal("%s: group member %d is not a world rank (world size %d)", op,
            key[i], P);
    if (seen[key[i]]++)
      fatal("%s: rank %d appears twice in group %s", op, key[i],
            groupString(group, n).c_str());
    if (key[i] == rank)
      me = i;
  }
  if (me < 0)
    fatal("%s: this rank is not a member of group %s", op,
          groupString(group, n).c_str());
  bool isWorld = n == P;
  for (int i = 0; isWorld && i < n; ++i)
    isWorld = key[i] == i;
  if (isWorld)
    return {S.world, me};
  auto it = S.groups.find(key);
  if (it != S.groups.end())
    return {it->second, me};
  MPI_Group worldGroup, sub;
  check(MPI_Comm_group(S.world, &worldGroup), op);
  check(MPI_Group_incl(worldGroup, n, key.data(), &sub), op);
  // Tag derived from the group so that creations of different groups
  // cannot match each other.
  unsigned h = 2166136261u;
  for (int r : key)
    h = (h ^ static_cast<unsigned>(r)) * 16777619u;
  MPI_Comm comm;
  {
    // Every member must arrive; the call cannot be polled.
    BlockingScope guard("creating the communicator of a group");
    check(MPI_Comm_create_group(S.world, sub, static_cast<int>(h & 0x7fff),
                                &comm),
          op);
  }
  MPI_Group_free(&sub);
  MPI_Group_free(&worldGroup);
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  S.groups.emplace(key, comm);
  return {comm, me};
}

/// Product of shape[lo..hi).
int64_t prod(const int64_t *shape, int lo, int hi) {
  int64_t p = 1;
  for (int i = lo; i < hi; ++i)
    p *= shape[i];
  return p;
}

void checkShape(const int64_t *shape, int rank, int dim, const char *op) {
  if (!shape || rank < 1 || dim < 0 || dim >= rank)
    fatal("%s: bad shape/dim (rank %d, dim %d)", op, rank, dim);
  for (int i = 0; i < rank; ++i)
    if (shape[i] < 0)
      fatal("%s: negative extent %lld in dim %d", op,
            static_cast<long long>(shape[i]), i);
}

void countSent(int peer, int64_t bytes, CommSpan &span) {
  S.sent[peer] += bytes;
  span.sent += bytes;
}

void countReceived(int peer, int64_t bytes, CommSpan &span) {
  S.received[peer] += bytes;
  span.recv += bytes;
}

/// Calls `done()` with a growing back-off until it returns true (then
/// returns true) or the communication timeout has passed (false).
template <typename Done>
bool pollUntilTimeout(Done done, double seconds = timeoutSeconds()) {
  double deadline = now() + seconds;
  long spin = spinPolls();
  for (long iter = 0;; ++iter) {
    if (done())
      return true;
    if ((iter & 63) == 0 && now() > deadline)
      return false;
    if (iter < spin)
      sched_yield();
    else
      usleep(iter < spin + 19000 ? 20 : 200);
  }
}

[[noreturn]] void timedOut(const char *op, const std::string &who,
                           double seconds = timeoutSeconds()) {
  std::fprintf(stderr,
               "dlrt: rank %d: timed out after %gs in %s waiting for %s "
               "(peer may have died)\n",
               worldRank(), seconds, op, who.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 3);
  _exit(3);
}

} // namespace

//===----------------------------------------------------------------------===//
// Internal interface
//===----------------------------------------------------------------------===//

void dlrt::detail::check(int rc, const char *op) {
  if (rc == MPI_SUCCESS)
    return;
  char msg[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  fatal("MPI error in %s: %s", op, msg);
}

void dlrt::detail::waitAll(MPI_Request *reqs, int n, const char *op,
                           const int *peers, const int *group, int groupSize,
                           MPI_Status *statuses) {
  if (n == 0)
    return;
  if (pollUntilTimeout([&] {
        int done = 0;
        check(MPI_Testall(n, reqs, &done, statuses), op);
        return done != 0;
      }))
    return;
  std::string who;
  for (int i = 0; i < n && who.empty(); ++i) {
    int flag = 0;
    MPI_Request_get_status(reqs[i], &flag, MPI_STATUS_IGNORE);
    if (!flag)
      who = peers ? "rank " + std::to_string(peers[i])
                  : "ranks " + groupString(group, groupSize);
  }
  timedOut(op, who.empty() ? "unknown rank" : who);
}

int dlrt::detail::waitAny(MPI_Request *reqs, int n, MPI_Status *status,
                          const char *op, const std::string &waitingFor,
                          double seconds) {
  if (seconds <= 0)
    seconds = timeoutSeconds();
  int index = MPI_UNDEFINED;
  if (pollUntilTimeout(
          [&] {
            int done = 0;
            check(MPI_Testany(n, reqs, &index, &done, status), op);
            return done && index != MPI_UNDEFINED;
          },
          seconds))
    return index;
  timedOut(op, waitingFor, seconds);
}

MPI_Comm dlrt::detail::worldComm() {
  requireInit("worldComm");
  return S.world;
}

void dlrt::detail::commInit() {
  check(MPI_Comm_dup(MPI_COMM_WORLD, &S.world), "init");
  check(MPI_Comm_dup(MPI_COMM_WORLD, &S.internal), "init");
  MPI_Comm_set_errhandler(S.world, MPI_ERRORS_RETURN);
  MPI_Comm_set_errhandler(S.internal, MPI_ERRORS_RETURN);
  S.sent.assign(worldSize(), 0);
  S.received.assign(worldSize(), 0);
}

void dlrt::detail::finalBarrier() {
  if (S.world == MPI_COMM_NULL || worldSize() < 2)
    return;
  // Every rank waits here, sleeping between polls like every other wait,
  // before MPI_Finalize: Open MPI's finalize fence polls without sleeping,
  // so a rank with nothing left to do would burn its CPU until the slowest
  // rank is done (on an oversubscribed host or an emulated device, CPU the
  // working ranks need). No time-out: a rank may compute for long after
  // the others are done, and a rank that dies ends the job through mpirun,
  // as it would in MPI_Finalize.
  MPI_Request req;
  if (MPI_Ibarrier(S.world, &req) != MPI_SUCCESS)
    return;
  pollUntilTimeout(
      [&] {
        int done = 0;
        return MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS ||
               done != 0;
      },
      std::numeric_limits<double>::infinity());
}

void dlrt::detail::commFinalize() {
  for (auto &kv : S.groups)
    MPI_Comm_free(&kv.second);
  S.groups.clear();
  if (S.world != MPI_COMM_NULL)
    MPI_Comm_free(&S.world);
  if (S.internal != MPI_COMM_NULL)
    MPI_Comm_free(&S.internal);
  S.world = S.internal = MPI_COMM_NULL;
}

const std::vector<int64_t> &dlrt::detail::bytesSentVector() { return S.sent; }
const std::vector<int64_t> &dlrt::detail::bytesReceivedVector() {
  return S.received;
}

std::vector<std::string> dlrt::detail::gatherStrings(const std::string &mine,
                                                     const char *op,
                                                     bool everyRank) {
  requireInit(op);
  int P = worldSize();
  bool keep = everyRank || worldRank() == 0;
  int len = toInt(static_cast<int64_t>(mine.size()), op, "string length");
  std::vector<int> lens(P, 0), displs(P, 0);
  MPI_Request req;
  check(everyRank ? MPI_Iallgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT,
                                   S.world, &req)
                  : MPI_Igather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0,
                                S.world, &req),
        op);
  std::vector<int> all(P);
  for (int i = 0; i < P; ++i)
    all[i] = i;
  waitAll(&req, 1, op, nullptr, all.data(), P);
  int64_t total = 0;
  for (int i = 0; i < P; ++i) {
    displs[i] = toInt(total, op, "total string length");
    total += lens[i];
  }
  std::vector<char> buf(keep ? total + 1 : 1);
  check(everyRank
            ? MPI_Iallgatherv(mine.data(), len, MPI_CHAR, buf.data(),
                              lens.data(), displs.data(), MPI_CHAR, S.world,
                              &req)
            : MPI_Igatherv(mine.data(), len, MPI_CHAR, buf.data(), lens.data(),
                           displs.data(), MPI_CHAR, 0, S.world, &req),
        op);
  waitAll(&req, 1, op, nullptr, all.data(), P);
  std::vector<std::string> out;
  if (keep)
    for (int i = 0; i < P; ++i)
      out.emplace_back(buf.data() + displs[i], lens[i]);
  return out;
}

//===----------------------------------------------------------------------===//
// C ABI
//===----------------------------------------------------------------------===//

extern "C" void dlrt_send(const float *buf, int64_t n, int peer, int tag) {
  const char *op = "send";
  requireInit(op);
  if (peer < 0 || peer >= worldSize())
    fatal("send: invalid peer %d", peer);
  CommSpan span(op);
  MPI_Request req;
  check(MPI_Isend(buf, toInt(n, op, "n"), MPI_FLOAT, peer, tag, S.world, &req),
        op);
  waitAll(&req, 1, op, &peer);
  countSent(peer, n * 4, span);
}

extern "C" void dlrt_recv(float *buf, int64_t n, int peer, int tag) {
  const char *op = "recv";
  requireInit(op);
  if (peer < 0 || peer >= worldSize())
    fatal("recv: invalid peer %d", peer);
  CommSpan span(op);
  MPI_Request req;
  MPI_Status st;
  check(MPI_Irecv(buf, toInt(n, op, "n"), MPI_FLOAT, peer, tag, S.world, &req),
        op);
  waitAll(&req, 1, op, &peer, nullptr, 0, &st);
  int got = 0;
  MPI_Get_count(&st, MPI_FLOAT, &got);
  if (got != n)
    fatal("recv: expected %lld floats from rank %d (tag %d), got %d",
          static_cast<long long>(n), peer, tag, got);
  countReceived(peer, n * 4, span);
}

extern "C" void dlrt_all_gather(const float *in, const int64_t *in_shape,
                                int rank, int dim, float *out,
                                const int64_t *sizes_along_dim,
                                const int *group, int group_size) {
  const char *op = "all_gather";
  GroupComm g = getComm(group, group_size, op);
  checkShape(in_shape, rank, dim, op);
  if (in_shape[dim] != sizes_along_dim[g.me])
    fatal("all_gather: local extent %lld along dim %d != sizes_along_dim[%d] "
          "= %lld",
          static_cast<long long>(in_shape[dim]), dim, g.me,
          static_cast<long long>(sizes_along_dim[g.me]));
  CommSpan span(op);
  int64_t outer = prod(in_shape, 0, dim);
  int64_t inner = prod(in_shape, dim + 1, rank);
  int P = group_size;
  std::vector<int> counts(P), displs(P);
  int64_t total = 0, totalDim = 0;
  for (int i = 0; i < P; ++i) {
    counts[i] = toInt(outer * sizes_along_dim[i] * inner, op, "count");
    displs[i] = toInt(total, op, "displacement");
    total += counts[i];
    totalDim += sizes_along_dim[i];
  }
  toInt(total, op, "total size");
  std::vector<float> tmp;
  float *recvBuf = out;
  if (outer != 1) {
    tmp.resize(total);
    recvBuf = tmp.data();
  }
  MPI_Request req;
  check(MPI_Iallgatherv(in, counts[g.me], MPI_FLOAT, recvBuf, counts.data(),
                        displs.data(), MPI_FLOAT, g.comm, &req),
        op);
  waitAll(&req, 1, op, nullptr, group, group_size);
  if (outer != 1) {
    int64_t off = 0;
    for (int i = 0; i < P; ++i) {
      int64_t chunk = sizes_along_dim[i] * inner;
      const float *src = tmp.data() + displs[i];
#pragma omp parallel for if (outer * chunk > 65536)
      for (int64_t o = 0; o < outer; ++o)
        std::memcpy(out + (o * totalDim + off) * inner, src + o * chunk,
                    chunk * sizeof(float));
      off += sizes_along_dim[i];
    }
  }
  for (int i = 0; i < P; ++i) {
    if (i == g.me)
      continue;
    countSent(group[i], int64_t(counts[g.me]) * 4, span);
    countReceived(group[i], int64_t(counts[i]) * 4, span);
  }
}

namespace {

/// Starts the in-place sum of `inout` over the group.
MPI_Request startAllReduce(float *inout, int64_t n, const GroupComm &g,
                           const char *op) {
  MPI_Request req;
  check(MPI_Iallreduce(MPI_IN_PLACE, inout, toInt(n, op, "n"), MPI_FLOAT,
                       MPI_SUM, g.comm, &req),
        op);
  return req;
}

/// Accounting of an all-reduce of n floats: reduce-scatter + all-gather
/// over the even split of n.
void countAllReduce(int64_t n, const int *group, int group_size,
                    const GroupComm &g, CommSpan &span) {
  int P = group_size;
  auto chunk = [&](int i) { return n / P + (i < n % P ? 1 : 0); };
  for (int i = 0; i < P; ++i) {
    if (i == g.me)
      continue;
    int64_t bytes = (chunk(i) + chunk(g.me)) * 4;
    countSent(group[i], bytes, span);
    countReceived(group[i], bytes, span);
  }
}

/// An operation started by dlrt_isend or dlrt_all_reduce_sum_start: its
/// request and what completing it needs (accounting, the timeout's
/// message). One table for both, so dlrt_comm_progress drives them all.
struct Pending {
  enum Kind { Send, AllReduce } kind = Send;
  MPI_Request req = MPI_REQUEST_NULL;
  int64_t n = 0;
  /// Send: the peer; all-reduce: the group.
  int peer = -1;
  std::vector<int> group;
  GroupComm g{};
};

/// The started operations by handle (from 1, never reused), in start
/// order.
std::map<int64_t, Pending> pendingOps;
int64_t nextHandle = 1;

int64_t addPending(Pending p) {
  int64_t handle = nextHandle++;
  pendingOps.emplace(handle, std::move(p));
  return handle;
}

/// Completes the started operation `handle` (of kind `kind` unless null)
/// under the communication timeout and accounts for it; the trace span
/// covers the wait only, the communication time not hidden behind compute.
void completePending(int64_t handle, const Pending::Kind *kind,
                     const char *op) {
  auto it = pendingOps.find(handle);
  if (it == pendingOps.end() || (kind && it->second.kind != *kind))
    fatal("%s: no started %soperation with handle %lld", op,
          kind ? (*kind == Pending::Send ? "send " : "all-reduce ") : "",
          static_cast<long long>(handle));
  Pending p = std::move(it->second);
  pendingOps.erase(it);
  CommSpan span(op);
  if (p.kind == Pending::Send) {
    waitAll(&p.req, 1, op, &p.peer);
    countSent(p.peer, p.n * 4, span);
    return;
  }
  int size = static_cast<int>(p.group.size());
  waitAll(&p.req, 1, op, nullptr, p.group.data(), size);
  countAllReduce(p.n, p.group.data(), size, p.g, span);
}

} // namespace

extern "C" void dlrt_all_reduce_sum(float *inout, int64_t n, const int *group,
                                    int group_size) {
  const char *op = "all_reduce_sum";
  GroupComm g = getComm(group, group_size, op);
  CommSpan span(op);
  MPI_Request req = startAllReduce(inout, n, g, op);
  waitAll(&req, 1, op, nullptr, group, group_size);
  countAllReduce(n, group, group_size, g, span);
}

extern "C" int64_t dlrt_isend(const float *buf, int64_t n, int peer, int tag) {
  const char *op = "isend";
  requireInit(op);
  if (peer < 0 || peer >= worldSize())
    fatal("isend: invalid peer %d", peer);
  Pending p;
  p.kind = Pending::Send;
  p.n = n;
  p.peer = peer;
  check(
      MPI_Isend(buf, toInt(n, op, "n"), MPI_FLOAT, peer, tag, S.world, &p.req),
      op);
  return addPending(std::move(p));
}

extern "C" void dlrt_wait_send(int64_t handle) {
  const Pending::Kind send = Pending::Send;
  completePending(handle, &send, "wait_send");
}

extern "C" int64_t dlrt_all_reduce_sum_start(float *inout, int64_t n,
                                             const int *group, int group_size) {
  const char *op = "all_reduce_sum_start";
  Pending p;
  p.kind = Pending::AllReduce;
  p.g = getComm(group, group_size, op);
  p.req = startAllReduce(inout, n, p.g, op);
  p.n = n;
  p.group.assign(group, group + group_size);
  return addPending(std::move(p));
}

extern "C" void dlrt_comm_progress(void) {
  for (auto &[handle, p] : pendingOps) {
    if (p.req == MPI_REQUEST_NULL)
      continue;
    int done = 0;
    check(MPI_Test(&p.req, &done, MPI_STATUS_IGNORE), "comm_progress");
  }
}

extern "C" void dlrt_comm_wait(int64_t handle) {
  completePending(handle, nullptr,
                  pendingOps.count(handle) &&
                          pendingOps.at(handle).kind == Pending::Send
                      ? "wait_send"
                      : "all_reduce_sum_wait");
}

extern "C" void dlrt_reduce_scatter_sum(const float *in,
                                        const int64_t *in_shape, int rank,
                                        int dim, float *out,
                                        const int64_t *sizes_along_dim,
                                        const int *group, int group_size) {
  const char *op = "reduce_scatter_sum";
  GroupComm g = getComm(group, group_size, op);
  checkShape(in_shape, rank, dim, op);
  int P = group_size;
  int64_t totalDim = 0;
  for (int i = 0; i < P; ++i)
    totalDim += sizes_along_dim[i];
  if (in_shape[dim] != totalDim)
    fatal("reduce_scatter_sum: extent %lld along dim %d != sum of "
          "sizes_along_dim %lld",
          static_cast<long long>(in_shape[dim]), dim,
          static_cast<long long>(totalDim));
  CommSpan span(op);
  int64_t outer = prod(in_shape, 0, dim);
  int64_t inner = prod(in_shape, dim + 1, rank);
  std::vector<int> counts(P);
  for (int i = 0; i < P; ++i)
    counts[i] = toInt(outer * sizes_along_dim[i] * inner, op, "count");
  toInt(outer * totalDim * inner, op, "total size");
  std::vector<float> packed;
  const float *sendBuf = in;
  if (outer != 1) {
    packed.resize(outer * totalDim * inner);
    int64_t off = 0, pos = 0;
    for (int i = 0; i < P; ++i) {
      int64_t chunk = sizes_along_dim[i] * inner;
      float *dst = packed.data() + pos;
#pragma omp parallel for if (outer * chunk > 65536)
      for (int64_t o = 0; o < outer; ++o)
        std::memcpy(dst + o * chunk, in + (o * totalDim + off) * inner,
                    chunk * sizeof(float));
      off += sizes_along_dim[i];
      pos += outer * chunk;
    }
    sendBuf = packed.data();
  }
  MPI_Request req;
  check(MPI_Ireduce_scatter(sendBuf, out, counts.data(), MPI_FLOAT, MPI_SUM,
                            g.comm, &req),
        op);
  waitAll(&req, 1, op, nullptr, group, group_size);
  for (int i = 0; i < P; ++i) {
    if (i == g.me)
      continue;
    countSent(group[i], int64_t(counts[i]) * 4, span);
    countReceived(group[i], int64_t(counts[g.me]) * 4, span);
  }
}

extern "C" void dlrt_broadcast(float *buf, int64_t n, int root,
                               const int *group, int group_size) {
  const char *op = "broadcast";
  GroupComm g = getComm(group, group_size, op);
  int rootIdx = -1;
  for (int i = 0; i < group_size; ++i)
    if (group[i] == root)
      rootIdx = i;
  if (rootIdx < 0)
    fatal("broadcast: root %d is not in group %s", root,
          groupString(group, group_size).c_str());
  CommSpan span(op);
  MPI_Request req;
  check(MPI_Ibcast(buf, toInt(n, op, "n"), MPI_FLOAT, rootIdx, g.comm, &req),
        op);
  waitAll(&req, 1, op, &root);
  if (g.me == rootIdx) {
    for (int i = 0; i < group_size; ++i)
      if (i != rootIdx)
        countSent(group[i], n * 4, span);
  } else {
    countReceived(root, n * 4, span);
  }
}

extern "C" void dlrt_halo_exchange(const float *in, const int64_t *in_shape,
                                   int rank, int dim, float *out,
                                   int64_t recv_lo, int64_t recv_hi,
                                   int64_t send_lo, int64_t send_hi, int prev,
                                   int next) {
  const char *op = "halo_exchange";
  requireInit(op);
  checkShape(in_shape, rank, dim, op);
  int P = worldSize();
  int64_t d = in_shape[dim];
  if (prev < -1 || prev >= P || next < -1 || next >= P)
    fatal("halo_exchange: invalid neighbours prev=%d next=%d", prev, next);
  if (recv_lo < 0 || recv_hi < 0 || send_lo < 0 || send_hi < 0 || send_lo > d ||
      send_hi > d)
    fatal("halo_exchange: invalid halo sizes recv %lld/%lld send %lld/%lld "
          "for extent %lld",
          (long long)recv_lo, (long long)recv_hi, (long long)send_lo,
          (long long)send_hi, (long long)d);
  if ((prev < 0 && (recv_lo || send_lo)) || (next < 0 && (recv_hi || send_hi)))
    fatal("halo_exchange: non-zero halo towards a missing neighbour");
  CommSpan span(op);
  int64_t outer = prod(in_shape, 0, dim);
  int64_t inner = prod(in_shape, dim + 1, rank);
  int64_t outD = recv_lo + d + recv_hi;
  int outerI = toInt(outer, op, "outer extent");

  // Strided datatypes describe the slabs in place: `outer` blocks of
  // `slabs * inner` floats with stride `extent * inner`.
  std::vector<MPI_Datatype> types;
  auto slabType = [&](int64_t slabs, int64_t extent) {
    MPI_Datatype t;
    check(MPI_Type_vector(outerI, toInt(slabs * inner, op, "slab size"),
                          toInt(extent * inner, op, "stride"), MPI_FLOAT, &t),
          op);
    check(MPI_Type_commit(&t), op);
    types.push_back(t);
    return t;
  };
  MPI_Request reqs[4];
  int peers[4];
  int nreq = 0;
  if (recv_lo) {
    peers[nreq] = prev;
    check(MPI_Irecv(out, 1, slabType(recv_lo, outD), prev, kHaloToNextTag,
                    S.internal, &reqs[nreq++]),
          op);
  }
  if (recv_hi) {
    peers[nreq] = next;
    check(MPI_Irecv(out + (recv_lo + d) * inner, 1, slabType(recv_hi, outD),
                    next, kHaloToPrevTag, S.internal, &reqs[nreq++]),
          op);
  }
  if (send_lo) {
    peers[nreq] = prev;
    check(MPI_Isend(in, 1, slabType(send_lo, d), prev, kHaloToPrevTag,
                    S.internal, &reqs[nreq++]),
          op);
  }
  if (send_hi) {
    peers[nreq] = next;
    check(MPI_Isend(in + (d - send_hi) * inner, 1, slabType(send_hi, d), next,
                    kHaloToNextTag, S.internal, &reqs[nreq++]),
          op);
  }
  // Copy the own slice while the messages are in flight.
#pragma omp parallel for if (outer * d * inner > 65536)
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(out + (o * outD + recv_lo) * inner, in + o * d * inner,
                d * inner * sizeof(float));
  waitAll(reqs, nreq, op, peers);
  for (MPI_Datatype &t : types)
    MPI_Type_free(&t);
  int64_t slab = outer * inner * 4;
  if (prev >= 0) {
    countSent(prev, send_lo * slab, span);
    countReceived(prev, recv_lo * slab, span);
  }
  if (next >= 0) {
    countSent(next, send_hi * slab, span);
    countReceived(next, recv_hi * slab, span);
  }
}

extern "C" void dlrt_all_to_all(const float *in, const int64_t *send_counts,
                                const int64_t *send_offsets, float *out,
                                const int64_t *recv_counts,
                                const int64_t *recv_offsets, const int *group,
                                int group_size) {
  const char *op = "all_to_all";
  GroupComm g = getComm(group, group_size, op);
  CommSpan span(op);
  int P = group_size;
  std::vector<int> sc(P), sd(P), rc(P), rd(P);
  for (int i = 0; i < P; ++i) {
    sc[i] = toInt(send_counts[i], op, "send count");
    sd[i] = toInt(send_offsets[i], op, "send offset");
    rc[i] = toInt(recv_counts[i], op, "recv count");
    rd[i] = toInt(recv_offsets[i], op, "recv offset");
  }
  MPI_Request req;
  check(MPI_Ialltoallv(in, sc.data(), sd.data(), MPI_FLOAT, out, rc.data(),
                       rd.data(), MPI_FLOAT, g.comm, &req),
        op);
  waitAll(&req, 1, op, nullptr, group, group_size);
  for (int i = 0; i < P; ++i) {
    if (i == g.me)
      continue;
    countSent(group[i], int64_t(sc[i]) * 4, span);
    countReceived(group[i], int64_t(rc[i]) * 4, span);
  }
}

extern "C" void dlrt_barrier(const int *group, int group_size) {
  const char *op = "barrier";
  GroupComm g = getComm(group, group_size, op);
  CommSpan span(op);
  MPI_Request req;
  check(MPI_Ibarrier(g.comm, &req), op);
  waitAll(&req, 1, op, nullptr, group, group_size);
}

extern "C" int64_t dlrt_bytes_sent_to(int peer) {
  if (peer < 0 || peer >= static_cast<int>(S.sent.size()))
    return 0;
  return S.sent[peer];
}

extern "C" int64_t dlrt_bytes_received_from(int peer) {
  if (peer < 0 || peer >= static_cast<int>(S.received.size()))
    return 0;
  return S.received[peer];
}

extern "C" int64_t dlrt_bytes_sent_total(void) {
  int64_t t = 0;
  for (int64_t b : S.sent)
    t += b;
  return t;
}
