//===- MpiCollectivesTest.cpp - MPI tests of dlrt communication -*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Run under mpirun with any number of ranks >= 2. Exercises every
/// communication entry point with uneven sizes and checks the results and
/// the per-peer byte counters exactly. Exits non-zero on any failure.
///
//===----------------------------------------------------------------------===//

#include "dlrt/dlrt.h"

#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <vector>

namespace {

int failures = 0;
int me = 0, P = 1;
std::vector<int64_t> expSent, expRecv;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "rank %d: %s:%d: CHECK failed: %s: ", me, __FILE__, \
                   __LINE__, #cond);                                           \
      std::fprintf(stderr, __VA_ARGS__);                                       \
      std::fprintf(stderr, "\n");                                              \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

void checkVec(const char *what, const std::vector<float> &got,
              const std::vector<float> &want) {
  CHECK(got.size() == want.size(), "%s: size %zu vs %zu", what, got.size(),
        want.size());
  for (size_t i = 0; i < got.size() && i < want.size(); ++i)
    if (got[i] != want[i]) {
      CHECK(false, "%s: element %zu is %g, expected %g", what, i, got[i],
            want[i]);
      return;
    }
}

std::vector<int> worldGroup() {
  std::vector<int> g(P);
  std::iota(g.begin(), g.end(), 0);
  return g;
}

/// All-gather along `dim` of a rank-4 tensor [2,3,S,2] (dim 2) or [S,3]
/// (dim 0), with member i holding i+1 slabs, over `group`.
void testAllGather(int dim, const std::vector<int> &group) {
  int gs = static_cast<int>(group.size());
  int idx = -1;
  for (int i = 0; i < gs; ++i)
    if (group[i] == me)
      idx = i;
  if (idx < 0)
    return;
  std::vector<int64_t> sizes(gs);
  for (int i = 0; i < gs; ++i)
    sizes[i] = i + 1;
  int64_t total = gs * (gs + 1) / 2;
  int64_t offset = idx * (idx + 1) / 2;
  std::vector<int64_t> shape = dim == 0
                                   ? std::vector<int64_t>{sizes[idx], 3}
                                   : std::vector<int64_t>{2, 3, sizes[idx], 2};
  std::vector<int64_t> full = shape;
  full[dim] = total;
  auto value = [&](const std::vector<int64_t> &s, const int64_t *i) {
    // Value depends on the global coordinate only.
    float v = 0;
    for (size_t d = 0; d < s.size(); ++d)
      v = v * 10 + i[d];
    return v;
  };
  // Build the local slice from the full tensor's coordinates.
  auto numel = [](const std::vector<int64_t> &s) {
    int64_t n = 1;
    for (int64_t d : s)
      n *= d;
    return n;
  };
  std::vector<float> in(numel(shape)), want(numel(full));
  std::vector<int64_t> coord(shape.size());
  for (int64_t lin = 0; lin < numel(full); ++lin) {
    int64_t r = lin;
    for (int d = static_cast<int>(full.size()) - 1; d >= 0; --d) {
      coord[d] = r % full[d];
      r /= full[d];
    }
    want[lin] = value(full, coord.data());
  }
  for (int64_t lin = 0; lin < numel(shape); ++lin) {
    int64_t r = lin;
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
      coord[d] = r % shape[d];
      r /= shape[d];
    }
    coord[dim] += offset;
    in[lin] = value(full, coord.data());
  }
  std::vector<float> out(numel(full), -1.f);
  dlrt_all_gather(in.data(), shape.data(), static_cast<int>(shape.size()), dim,
                  out.data(), sizes.data(), group.data(), gs);
  checkVec(dim == 0 ? "all_gather dim 0" : "all_gather dim 2", out, want);
  int64_t slab = numel(shape) / shape[dim];
  for (int i = 0; i < gs; ++i) {
    if (i == idx)
      continue;
    expSent[group[i]] += sizes[idx] * slab * 4;
    expRecv[group[i]] += sizes[i] * slab * 4;
  }
}

void testReduceScatter() {
  // [2, total, 3], member i gets P - i slabs (uneven), value (rank+1)*f.
  std::vector<int64_t> sizes(P);
  for (int i = 0; i < P; ++i)
    sizes[i] = P - i;
  int64_t total = std::accumulate(sizes.begin(), sizes.end(), int64_t(0));
  int64_t shape[3] = {2, total, 3};
  std::vector<float> in(2 * total * 3);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = static_cast<float>((me + 1) * (i % 17));
  int64_t off = 0;
  for (int i = 0; i < me; ++i)
    off += sizes[i];
  std::vector<float> want(2 * sizes[me] * 3), out(want.size(), -1.f);
  float factor = P * (P + 1) / 2.f;
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t b = 0; b < sizes[me]; ++b)
      for (int64_t c = 0; c < 3; ++c)
        want[(a * sizes[me] + b) * 3 + c] =
            factor * (((a * total + off + b) * 3 + c) % 17);
  auto g = worldGroup();
  dlrt_reduce_scatter_sum(in.data(), shape, 3, 1, out.data(), sizes.data(),
                          g.data(), P);
  checkVec("reduce_scatter_sum", out, want);
  for (int q = 0; q < P; ++q) {
    if (q == me)
      continue;
    expSent[q] += 2 * sizes[q] * 3 * 4;
    expRecv[q] += 2 * sizes[me] * 3 * 4;
  }
}

void testAllReduce() {
  const int64_t n = 10;
  std::vector<float> v(n), want(n);
  for (int64_t i = 0; i < n; ++i) {
    v[i] = me * 100.f + i;
    want[i] = 100.f * P * (P - 1) / 2 + P * i;
  }
  auto g = worldGroup();
  dlrt_all_reduce_sum(v.data(), n, g.data(), P);
  checkVec("all_reduce_sum", v, want);
  auto chunk = [&](int i) { return n / P + (i < n % P ? 1 : 0); };
  for (int q = 0; q < P; ++q)
    if (q != me) {
      expSent[q] += (chunk(q) + chunk(me)) * 4;
      expRecv[q] += (chunk(q) + chunk(me)) * 4;
    }
}

/// Non-blocking all-reduces: two in flight at once, progressed, waited in
/// the other order; the sums must be bitwise those of the blocking call on
/// the same data (non-integral values, so the summation order shows).
void testAllReduceStartWait() {
  const int64_t n = 1000, m = 37;
  std::vector<float> a(n), b(m);
  for (int64_t i = 0; i < n; ++i)
    a[i] = 1.0f / float(3 + me * 7 + i);
  for (int64_t i = 0; i < m; ++i)
    b[i] = 0.1f * float(me + 1) / float(i + 1);
  std::vector<float> wantA = a, wantB = b;
  auto g = worldGroup();
  dlrt_all_reduce_sum(wantA.data(), n, g.data(), P);
  dlrt_all_reduce_sum(wantB.data(), m, g.data(), P);
  int64_t ha = dlrt_all_reduce_sum_start(a.data(), n, g.data(), P);
  int64_t hb = dlrt_all_reduce_sum_start(b.data(), m, g.data(), P);
  CHECK(ha != hb, "two pending starts share handle %lld", (long long)ha);
  for (int i = 0; i < 10; ++i)
    dlrt_comm_progress();
  dlrt_comm_wait(hb);
  dlrt_comm_wait(ha);
  checkVec("all_reduce_sum_start (first)", a, wantA);
  checkVec("all_reduce_sum_start (second)", b, wantB);
  // One table of started operations: a send started by dlrt_isend is
  // in flight together with an all-reduce, both progressed, and
  // dlrt_comm_wait completes either; handles are never reused.
  int to = (me + 1) % P, from = (me + P - 1) % P;
  std::vector<float> msg(3), got(3, -1.f), wantGot(3);
  for (int i = 0; i < 3; ++i) {
    msg[i] = me * 100.f + i;
    wantGot[i] = from * 100.f + i;
  }
  int64_t hc = dlrt_all_reduce_sum_start(b.data(), m, g.data(), P);
  int64_t hs = dlrt_isend(msg.data(), 3, to, 43);
  CHECK(hc != ha && hc != hb && hs != hc && hs != ha && hs != hb,
        "handles reused: %lld %lld %lld %lld", (long long)ha, (long long)hb,
        (long long)hc, (long long)hs);
  dlrt_comm_progress();
  dlrt_recv(got.data(), 3, from, 43);
  dlrt_comm_wait(hs);
  dlrt_comm_wait(hc);
  checkVec("isend completed by comm_wait", got, wantGot);
  expSent[to] += 3 * 4;
  expRecv[from] += 3 * 4;
  auto chunk = [&](int64_t len, int i) {
    return len / P + (i < len % P ? 1 : 0);
  };
  for (int q = 0; q < P; ++q)
    if (q != me) {
      // Blocking and started: a and b twice each, b once more.
      int64_t words =
          2 * (chunk(n, q) + chunk(n, me)) + 3 * (chunk(m, q) + chunk(m, me));
      expSent[q] += words * 4;
      expRecv[q] += words * 4;
    }
}

void testBroadcast() {
  int root = P - 1;
  std::vector<float> v(7, -1.f), want(7);
  for (int i = 0; i < 7; ++i)
    want[i] = 3.f * i + 1;
  if (me == root)
    v = want;
  auto g = worldGroup();
  dlrt_broadcast(v.data(), 7, root, g.data(), P);
  checkVec("broadcast", v, want);
  for (int q = 0; q < P; ++q) {
    if (q == me)
      continue;
    if (me == root)
      expSent[q] += 7 * 4;
    else if (q == root)
      expRecv[q] += 7 * 4;
  }
}

void testHalo() {
  // Global tensor [2, G, 3] split along dim 1: rank r owns 3 + r rows.
  // Each rank needs 1 row from prev and 2 rows from next.
  auto own = [](int r) { return int64_t(3 + r); };
  int64_t off = 0, G = 0;
  for (int r = 0; r < P; ++r) {
    if (r < me)
      off += own(r);
    G += own(r);
  }
  int prev = me > 0 ? me - 1 : -1, next = me + 1 < P ? me + 1 : -1;
  int64_t recvLo = prev >= 0 ? 1 : 0, recvHi = next >= 0 ? 2 : 0;
  int64_t sendLo = prev >= 0 ? 2 : 0, sendHi = next >= 0 ? 1 : 0;
  int64_t d = own(me), outD = recvLo + d + recvHi;
  auto val = [&](int64_t a, int64_t row, int64_t c) {
    return static_cast<float>((a * G + row) * 3 + c);
  };
  std::vector<float> in(2 * d * 3), out(2 * outD * 3, -1.f), want(out.size());
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t r = 0; r < d; ++r)
      for (int64_t c = 0; c < 3; ++c)
        in[(a * d + r) * 3 + c] = val(a, off + r, c);
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t r = 0; r < outD; ++r)
      for (int64_t c = 0; c < 3; ++c)
        want[(a * outD + r) * 3 + c] = val(a, off - recvLo + r, c);
  int64_t shape[3] = {2, d, 3};
  dlrt_halo_exchange(in.data(), shape, 3, 1, out.data(), recvLo, recvHi, sendLo,
                     sendHi, prev, next);
  checkVec("halo_exchange", out, want);
  if (prev >= 0) {
    expSent[prev] += sendLo * 6 * 4;
    expRecv[prev] += recvLo * 6 * 4;
  }
  if (next >= 0) {
    expSent[next] += sendHi * 6 * 4;
    expRecv[next] += recvHi * 6 * 4;
  }
}

void testAllToAll() {
  auto count = [](int from, int to) { return int64_t((from + to) % 3 + 1); };
  std::vector<int64_t> sc(P), so(P), rc(P), ro(P);
  int64_t st = 0, rt = 0;
  for (int j = 0; j < P; ++j) {
    sc[j] = count(me, j);
    so[j] = st;
    st += sc[j];
    rc[j] = count(j, me);
    ro[j] = rt;
    rt += rc[j];
  }
  std::vector<float> in(st), out(rt, -1.f), want(rt);
  for (int j = 0; j < P; ++j)
    for (int64_t k = 0; k < sc[j]; ++k)
      in[so[j] + k] = me * 1000.f + j * 10.f + k;
  for (int j = 0; j < P; ++j)
    for (int64_t k = 0; k < rc[j]; ++k)
      want[ro[j] + k] = j * 1000.f + me * 10.f + k;
  auto g = worldGroup();
  dlrt_all_to_all(in.data(), sc.data(), so.data(), out.data(), rc.data(),
                  ro.data(), g.data(), P);
  checkVec("all_to_all", out, want);
  for (int j = 0; j < P; ++j)
    if (j != me) {
      expSent[j] += sc[j] * 4;
      expRecv[j] += rc[j] * 4;
    }
}

void testSendRecvRing() {
  int to = (me + 1) % P, from = (me + P - 1) % P;
  std::vector<float> msg(5), got(5, -1.f), want(5);
  for (int i = 0; i < 5; ++i) {
    msg[i] = me * 10.f + i;
    want[i] = from * 10.f + i;
  }
  if (me == 0) {
    dlrt_send(msg.data(), 5, to, 42);
    dlrt_recv(got.data(), 5, from, 42);
  } else {
    dlrt_recv(got.data(), 5, from, 42);
    dlrt_send(msg.data(), 5, to, 42);
  }
  checkVec("send/recv", got, want);
  expSent[to] += 20;
  expRecv[from] += 20;
}

} // namespace

int main(int argc, char **argv) {
  dlrt_init(&argc, &argv);
  me = dlrt_rank();
  P = dlrt_size();
  expSent.assign(P, 0);
  expRecv.assign(P, 0);
  CHECK(P >= 2, "needs at least 2 ranks, got %d", P);

  testAllGather(0, worldGroup());
  testAllGather(2, worldGroup());
  if (P >= 3) {
    // A sub-group in non-sorted order: {P-1, 0}.
    testAllGather(2, {P - 1, 0});
    testAllGather(0, {P - 1, 0}); // Cached communicator.
  }
  testReduceScatter();
  testAllReduce();
  testAllReduceStartWait();
  testBroadcast();
  testHalo();
  testAllToAll();
  testSendRecvRing();
  auto g = worldGroup();
  dlrt_barrier(g.data(), P);

  int64_t total = 0;
  for (int q = 0; q < P; ++q) {
    CHECK(dlrt_bytes_sent_to(q) == expSent[q],
          "bytes_sent_to(%d) = %lld, "
          "expected %lld",
          q, (long long)dlrt_bytes_sent_to(q), (long long)expSent[q]);
    CHECK(dlrt_bytes_received_from(q) == expRecv[q],
          "bytes_received_from(%d) = %lld, expected %lld", q,
          (long long)dlrt_bytes_received_from(q), (long long)expRecv[q]);
    total += expSent[q];
  }
  CHECK(dlrt_bytes_sent_to(me) == 0, "self traffic counted");
  CHECK(dlrt_bytes_sent_total() == total,
        "bytes_sent_total = %lld, "
        "expected %lld",
        (long long)dlrt_bytes_sent_total(), (long long)total);

  // Agree on the overall result.
  float bad = static_cast<float>(failures);
  dlrt_all_reduce_sum(&bad, 1, g.data(), P);
  dlrt_finalize();
  if (me == 0)
    std::printf("%s: %d ranks, %g failures\n", bad == 0 ? "PASS" : "FAIL", P,
                bad);
  return bad == 0 ? 0 : 1;
}
