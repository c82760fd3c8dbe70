//===- CostModel.cpp - Time, bytes, memory and energy of plans ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the cost model: the redistribution rules mirror
// ApplyContext::materialize (passes/Apply/Redistribute.cpp) box for box, and
// the byte accounting mirrors analyzeCommunication (lib/CommAnalysis.cpp),
// so a plan's predicted bytes equal what the applied program moves.
//
//===----------------------------------------------------------------------===//

#include "lib/Cost/CostModel.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include <algorithm>
#include <cmath>
#include <optional>

using namespace mlir::dl;
using namespace mlir::dl::cost;

//===----------------------------------------------------------------------===//
// Boxes and layouts
//===----------------------------------------------------------------------===//

/// Appends the raw bytes of the numbers of (device, box) pairs after a tag
/// to `out`: no decimal string per number, and no allocation when `out`
/// has room. The rank is part of the key, so boxes of different ranks
/// never collide.
template <typename T>
static void appendBoxesKey(char tag, llvm::ArrayRef<T> items,
                           llvm::SmallVectorImpl<char> &out) {
  size_t rank = items.empty() ? 0 : items.front().box.sizes.size();
  out.reserve(out.size() + 1 + items.size() * (2 + 2 * rank) * sizeof(int64_t));
  out.push_back(tag);
  auto put = [&](int64_t v) {
    const char *bytes = reinterpret_cast<const char *>(&v);
    out.append(bytes, bytes + sizeof(v));
  };
  for (const T &item : items) {
    put(item.device);
    put(static_cast<int64_t>(item.box.sizes.size()));
    for (size_t i = 0; i < item.box.sizes.size(); ++i) {
      put(item.box.offsets[i]);
      put(item.box.sizes[i]);
    }
  }
}

void Layout::appendKey(llvm::SmallVectorImpl<char> &out) const {
  appendBoxesKey<Shard>(partial ? 'P' : 'S', shards, out);
}

void mlir::dl::cost::appendNeedsKey(llvm::ArrayRef<Need> needs,
                                    llvm::SmallVectorImpl<char> &out) {
  appendBoxesKey<Need>('N', needs, out);
}

int64_t Layout::elementsOn(int64_t device) const {
  int64_t n = 0;
  for (const Shard &s : shards)
    if (s.device == device)
      n += s.box.numElements();
  return n;
}

llvm::StringRef mlir::dl::cost::stringifyCommKind(CommKind kind) {
  switch (kind) {
  case CommKind::AllReduce:
    return "all_reduce";
  case CommKind::HaloExchange:
    return "halo_exchange";
  case CommKind::AllGather:
    return "all_gather";
  case CommKind::PointToPoint:
    return "send_recv";
  }
  return "?";
}

int64_t Redistribution::totalBytes() const {
  int64_t n = 0;
  for (const CommStep &s : steps)
    for (auto &[d, peers] : s.sent)
      for (auto &[q, b] : peers)
        n += b;
  return n;
}

int64_t Redistribution::bytesSentBy(int64_t device) const {
  int64_t n = 0;
  for (const CommStep &s : steps) {
    auto it = s.sent.find(device);
    if (it != s.sent.end())
      for (auto &[q, b] : it->second)
        n += b;
  }
  return n;
}

int64_t Redistribution::bytesReceivedBy(int64_t device) const {
  int64_t n = 0;
  for (const CommStep &s : steps) {
    auto it = s.received.find(device);
    if (it != s.received.end())
      for (auto &[q, b] : it->second)
        n += b;
  }
  return n;
}

//===----------------------------------------------------------------------===//
// Redistribution (mirror of ApplyContext::materialize)
//===----------------------------------------------------------------------===//

static void reducePartials(Layout &p, std::vector<CommStep> &steps) {
  if (!p.partial)
    return;
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < p.shards.size(); ++i) {
    auto it = llvm::find_if(groups, [&](const std::vector<size_t> &g) {
      return p.shards[g.front()].box == p.shards[i].box;
    });
    if (it == groups.end())
      groups.push_back({i});
    else
      it->push_back(i);
  }
  for (const std::vector<size_t> &g : groups) {
    if (g.size() == 1)
      continue;
    CommStep step;
    step.kind = CommKind::AllReduce;
    for (size_t i : g)
      step.group.push_back(p.shards[i].device);
    int64_t n = p.shards[g.front()].box.numElements();
    int64_t np = g.size();
    step.elements = n;
    auto chunk = [&](int64_t i) { return n / np + (i < n % np ? 1 : 0); };
    for (int64_t self = 0; self < np; ++self) {
      int64_t me = step.group[self];
      for (int64_t q = 0; q < np; ++q) {
        if (q == self)
          continue;
        int64_t b = kElementBytes * (chunk(q) + chunk(self));
        step.sent[me][step.group[q]] += b;
        step.received[me][step.group[q]] += b;
      }
      step.messages[me] += 1;
    }
    steps.push_back(std::move(step));
  }
  p.partial = false;
}

static int64_t slabOf(const Box &box, int64_t dim) {
  int64_t n = 1;
  for (int64_t i = 0, e = box.sizes.size(); i < e; ++i)
    if (i != dim)
      n *= box.sizes[i];
  return n;
}

static bool tryHalo(const Layout &p, llvm::ArrayRef<Need> needs,
                    std::vector<CommStep> &steps) {
  llvm::SmallVector<int64_t, 4> full = coveredExtent<Shard>(p.shards);
  std::vector<size_t> order;
  std::optional<int64_t> dimOpt = partitionDim<Shard>(p.shards, full, order);
  if (!dimOpt || needs.size() != order.size())
    return false;
  int64_t dim = *dimOpt;
  std::vector<size_t> needIndex;
  for (size_t k : order) {
    auto it = llvm::find_if(
        needs, [&](const Need &n) { return n.device == p.shards[k].device; });
    if (it == needs.end())
      return false;
    needIndex.push_back(it - needs.begin());
  }
  size_t n = order.size();
  std::vector<int64_t> recvLo(n), recvHi(n);
  for (size_t k = 0; k < n; ++k) {
    const Box &held = p.shards[order[k]].box;
    const Box &want = needs[needIndex[k]].box;
    for (size_t d = 0; d < full.size(); ++d) {
      if (static_cast<int64_t>(d) == dim)
        continue;
      if (want.offsets[d] < held.offsets[d] ||
          want.offsets[d] + want.sizes[d] > held.offsets[d] + held.sizes[d])
        return false;
    }
    int64_t lo = held.offsets[dim], hi = lo + held.sizes[dim];
    int64_t wlo = want.offsets[dim], whi = wlo + want.sizes[dim];
    recvLo[k] = std::max<int64_t>(lo - wlo, 0);
    recvHi[k] = std::max<int64_t>(whi - hi, 0);
    if ((recvLo[k] && k == 0) || (recvHi[k] && k + 1 == n))
      return false;
    if (k > 0 && recvLo[k] > p.shards[order[k - 1]].box.sizes[dim])
      return false;
    if (k + 1 < n && recvHi[k] > p.shards[order[k + 1]].box.sizes[dim])
      return false;
  }
  if (llvm::all_of(recvLo, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(recvHi, [](int64_t v) { return v == 0; }))
    return false;
  CommStep step;
  step.kind = CommKind::HaloExchange;
  for (size_t k = 0; k < n; ++k) {
    const Shard &s = p.shards[order[k]];
    step.group.push_back(s.device);
    int64_t sendLo = k > 0 ? recvHi[k - 1] : 0;
    int64_t sendHi = k + 1 < n ? recvLo[k + 1] : 0;
    int64_t prev = (k > 0 && (recvLo[k] || sendLo))
                       ? p.shards[order[k - 1]].device
                       : -1;
    int64_t next = (k + 1 < n && (recvHi[k] || sendHi))
                       ? p.shards[order[k + 1]].device
                       : -1;
    int64_t slab = slabOf(s.box, dim) * kElementBytes;
    if (prev >= 0) {
      step.sent[s.device][prev] += sendLo * slab;
      step.received[s.device][prev] += recvLo[k] * slab;
    }
    if (next >= 0) {
      step.sent[s.device][next] += sendHi * slab;
      step.received[s.device][next] += recvHi[k] * slab;
    }
    step.messages[s.device] += (prev >= 0) + (next >= 0);
    step.elements += (recvLo[k] + recvHi[k]) * slabOf(s.box, dim);
  }
  steps.push_back(std::move(step));
  return true;
}

static bool tryAllGather(Layout &p, llvm::ArrayRef<Need> needs,
                         std::vector<CommStep> &steps) {
  llvm::SmallVector<int64_t, 4> full = coveredExtent<Shard>(p.shards);
  std::vector<size_t> order;
  std::optional<int64_t> dimOpt = partitionDim<Shard>(p.shards, full, order);
  if (!dimOpt)
    return false;
  Box whole = Box::full(full);
  for (const Shard &s : p.shards) {
    auto it = llvm::find_if(needs, [&](const Need &n) {
      return n.device == s.device && n.box == whole;
    });
    if (it == needs.end())
      return false;
  }
  CommStep step;
  step.kind = CommKind::AllGather;
  std::vector<int64_t> sizes;
  for (size_t k : order) {
    step.group.push_back(p.shards[k].device);
    sizes.push_back(p.shards[k].box.sizes[*dimOpt]);
    step.pieceElements.push_back(p.shards[k].box.numElements());
  }
  int64_t slab = slabOf(whole, *dimOpt) * kElementBytes;
  int64_t np = step.group.size();
  for (int64_t self = 0; self < np; ++self) {
    int64_t me = step.group[self];
    for (int64_t q = 0; q < np; ++q)
      if (q != self) {
        step.sent[me][step.group[q]] += sizes[self] * slab;
        step.received[me][step.group[q]] += sizes[q] * slab;
      }
    step.messages[me] += 1;
  }
  step.elements = whole.numElements();
  steps.push_back(std::move(step));
  for (Shard &s : p.shards)
    s.box = whole;
  return true;
}

/// The shards of `p` with distinct boxes, in order of first appearance;
/// of shards with equal boxes, the one on `device` if there is one (the
/// holder a piece is taken from, as dl-apply-partition's assembly picks it).
static llvm::SmallVector<size_t, 8> distinctBoxes(const Layout &p,
                                                  int64_t device) {
  llvm::SmallVector<size_t, 8> unique;
  for (size_t k = 0; k < p.shards.size(); ++k) {
    auto it = llvm::find_if(
        unique, [&](size_t u) { return p.shards[u].box == p.shards[k].box; });
    if (it == unique.end())
      unique.push_back(k);
    else if (p.shards[k].device == device)
      *it = k;
  }
  return unique;
}

Redistribution mlir::dl::cost::redistribute(const Layout &layout,
                                            llvm::ArrayRef<Need> needs) {
  Redistribution r;
  r.after = layout;
  Layout &p = r.after;
  if (p.shards.empty()) {
    r.infeasible = true;
    return r;
  }
  reducePartials(p, r.steps);

  auto localShard = [&](const Need &need) -> const Shard * {
    for (const Shard &s : p.shards)
      if (s.device == need.device && s.box.contains(need.box))
        return &s;
    return nullptr;
  };
  bool allLocal = llvm::all_of(
      needs, [&](const Need &need) { return localShard(need) != nullptr; });
  if (!allLocal) {
    if (tryHalo(p, needs, r.steps))
      return r;
    (void)tryAllGather(p, needs, r.steps);
  }
  // The pieces to send, found first so that the steps are allocated once.
  struct Piece {
    int64_t from, to, elements;
  };
  llvm::SmallVector<Piece, 8> pieces;
  for (const Need &need : needs) {
    if (localShard(need))
      continue;
    llvm::SmallVector<size_t, 8> unique = distinctBoxes(p, need.device);
    int64_t covered = 0;
    for (size_t u : unique) {
      const Shard &s = p.shards[u];
      Box piece = s.box.intersect(need.box);
      if (piece.empty())
        continue;
      covered += piece.numElements();
      if (s.device != need.device)
        pieces.push_back({s.device, need.device, piece.numElements()});
    }
    if (covered != need.box.numElements())
      r.infeasible = true;
  }
  r.steps.reserve(r.steps.size() + pieces.size());
  for (const Piece &piece : pieces) {
    CommStep &step = r.steps.emplace_back();
    step.kind = CommKind::PointToPoint;
    step.group = {piece.from, piece.to};
    step.elements = piece.elements;
    int64_t b = piece.elements * kElementBytes;
    step.sent[piece.from][piece.to] += b;
    step.received[piece.to][piece.from] += b;
    step.messages[piece.from] += 1;
  }
  return r;
}

//===----------------------------------------------------------------------===//
// Times
//===----------------------------------------------------------------------===//

static int64_t ceilLog2(int64_t p) {
  int64_t l = 0;
  while ((int64_t(1) << l) < p)
    ++l;
  return l;
}

double mlir::dl::cost::ringAllReduceTime(int64_t p, double bytes,
                                         double alpha, double beta) {
  if (p < 2)
    return 0;
  return 2.0 * (p - 1) * alpha + 2.0 * (p - 1) / p * bytes * beta;
}

double mlir::dl::cost::recursiveDoublingAllReduceTime(int64_t p, double bytes,
                                                      double alpha,
                                                      double beta) {
  if (p < 2)
    return 0;
  return ceilLog2(p) * (alpha + bytes * beta);
}

double mlir::dl::cost::ringAllGatherTime(int64_t p, double maxPieceBytes,
                                         double alpha, double beta) {
  if (p < 2)
    return 0;
  return (p - 1) * (alpha + maxPieceBytes * beta);
}

double mlir::dl::cost::recursiveDoublingAllGatherTime(int64_t p,
                                                      double totalBytes,
                                                      double alpha,
                                                      double beta) {
  if (p < 2)
    return 0;
  return ceilLog2(p) * alpha + double(p - 1) / p * totalBytes * beta;
}

double mlir::dl::cost::treeBroadcastTime(int64_t p, double bytes, double alpha,
                                         double beta) {
  if (p < 2)
    return 0;
  return ceilLog2(p) * (alpha + bytes * beta);
}

/// The slowest link among the members (latency and 1/bandwidth maxima):
/// ring and butterfly steps proceed at the pace of their worst pair.
static std::pair<double, double> worstLink(const Cluster &c,
                                           llvm::ArrayRef<int64_t> group) {
  double alpha = 0, beta = 0;
  for (size_t i = 0; i < group.size(); ++i)
    for (size_t j = 0; j < group.size(); ++j) {
      if (i == j)
        continue;
      ClusterRoute r = c.route(group[i], group[j]);
      alpha = std::max(alpha, r.latency);
      if (r.bandwidth > 0 && std::isfinite(r.bandwidth))
        beta = std::max(beta, 1.0 / r.bandwidth);
    }
  return {alpha, beta};
}

/// Whether the runtime runs the step's collectives over MPI (every member
/// a CPU rank); GPU groups use NCCL's ring and tree algorithms.
static bool overMpi(const Cluster &c, llvm::ArrayRef<int64_t> group) {
  return llvm::all_of(
      group, [&](int64_t d) { return c.devices[d].kind == DeviceKind::cpu; });
}

double mlir::dl::cost::exchangeTime(const Cluster &c, const CommStep &step) {
  // Every message of the step is posted at once (the runtime's halo
  // exchange, Open MPI's linear all-gather, a run of point-to-point sends):
  // the latencies overlap and only the bytes queue, on the medium when it
  // is shared, else on each device's own port (its sends one after
  // another, as are its receives; sending and receiving overlap).
  double alpha = 0, medium = 0;
  SortedSmallMap<int64_t, double> out, in;
  for (auto &[d, peers] : step.sent)
    for (auto &[q, bytes] : peers) {
      if (bytes <= 0 && step.kind != CommKind::PointToPoint)
        continue;
      ClusterRoute r = c.route(d, q);
      if (r.hops == 0)
        continue;
      alpha = std::max(alpha, r.latency);
      double t = double(bytes) / r.bandwidth;
      medium += t;
      out[d] += t;
      in[q] += t;
    }
  if (c.sharedMedium())
    return alpha + medium;
  double t = 0;
  for (auto &[d, v] : out)
    t = std::max(t, v);
  for (auto &[d, v] : in)
    t = std::max(t, v);
  return alpha + t;
}

double mlir::dl::cost::sharedAllReduceTime(int64_t p, double bytes,
                                           double alpha, double beta) {
  if (p < 2)
    return 0;
  // Every algorithm moves its rounds' messages over the one medium: ring
  // 2(p-1) rounds of p chunks of bytes/p; binomial reduce + broadcast
  // 2 ceil(log2 p) rounds, 2(p-1) whole buffers in all; recursive doubling
  // ceil(log2 p) rounds of p whole buffers.
  double ring = 2.0 * (p - 1) * (alpha + bytes * beta);
  double binomial = 2.0 * ceilLog2(p) * alpha + 2.0 * (p - 1) * bytes * beta;
  double doubling = ceilLog2(p) * (alpha + p * bytes * beta);
  return std::min({ring, binomial, doubling});
}

std::map<int64_t, double> mlir::dl::cost::commBusy(const Cluster &c,
                                                   const CommStep &step) {
  std::map<int64_t, double> busy;
  double t = commTime(c, step);
  for (int64_t d : step.group)
    busy[d] = t;
  return busy;
}

bool mlir::dl::cost::postedAtOnce(const Cluster &c, const CommStep &step) {
  switch (step.kind) {
  case CommKind::AllReduce:
    return false;
  case CommKind::AllGather:
    return c.sharedMedium() || overMpi(c, step.group);
  case CommKind::HaloExchange:
  case CommKind::PointToPoint:
    return true;
  }
  return false;
}

double mlir::dl::cost::commTime(const Cluster &c, const CommStep &step) {
  int64_t p = step.group.size();
  switch (step.kind) {
  case CommKind::AllReduce: {
    auto [alpha, beta] = worstLink(c, step.group);
    double bytes = double(step.elements) * kElementBytes;
    if (c.sharedMedium())
      return sharedAllReduceTime(p, bytes, alpha, beta);
    return std::min(ringAllReduceTime(p, bytes, alpha, beta),
                    recursiveDoublingAllReduceTime(p, bytes, alpha, beta));
  }
  case CommKind::AllGather: {
    // MPI_Iallgatherv (Open MPI's libnbc) sends every piece to every peer
    // at once.
    if (postedAtOnce(c, step))
      return exchangeTime(c, step);
    auto [alpha, beta] = worstLink(c, step.group);
    int64_t maxPiece = 0, total = 0;
    for (int64_t e : step.pieceElements) {
      maxPiece = std::max(maxPiece, e);
      total += e;
    }
    // Recursive doubling moves doubling blocks; with uneven pieces its
    // volume per member is at most the total minus its own piece.
    return std::min(
        ringAllGatherTime(p, double(maxPiece) * kElementBytes, alpha, beta),
        recursiveDoublingAllGatherTime(p, double(total) * kElementBytes,
                                       alpha, beta));
  }
  case CommKind::HaloExchange:
  case CommKind::PointToPoint:
    return exchangeTime(c, step);
  }
  return 0;
}

std::vector<CommStep>
mlir::dl::cost::concurrentSteps(std::vector<CommStep> &&steps) {
  // Merged in place: steps[0, w) are the steps so far, the last one open
  // for merging while `open`.
  size_t w = 0;
  // Devices that receive in the run of point-to-point steps being merged:
  // one of them that sends next waits for its receive first (the ranks
  // run their sends and receives in step order), so its send starts a new
  // exchange.
  llvm::SmallSet<int64_t, 8> receivers;
  bool open = false;
  for (size_t i = 0; i < steps.size(); ++i) {
    CommStep &s = steps[i];
    bool merge = false;
    if (s.kind == CommKind::PointToPoint) {
      bool waits = llvm::any_of(
          s.sent, [&](const auto &kv) { return receivers.count(kv.first); });
      merge = open && !waits;
      if (!merge)
        receivers.clear();
      for (auto &[d, peers] : s.sent)
        for (auto &[q, b] : peers)
          receivers.insert(q);
    }
    if (!merge) {
      if (w != i)
        steps[w] = std::move(s);
      ++w;
      open = steps[w - 1].kind == CommKind::PointToPoint;
      continue;
    }
    CommStep &m = steps[w - 1];
    for (int64_t d : s.group)
      if (!llvm::is_contained(m.group, d))
        m.group.push_back(d);
    m.elements += s.elements;
    for (auto &[d, peers] : s.sent)
      for (auto &[q, b] : peers)
        m.sent[d][q] += b;
    for (auto &[d, peers] : s.received)
      for (auto &[q, b] : peers)
        m.received[d][q] += b;
    for (auto &[d, n] : s.messages)
      m.messages[d] += n;
  }
  steps.erase(steps.begin() + w, steps.end());
  return std::move(steps);
}

std::vector<CommStep>
mlir::dl::cost::concurrentSteps(llvm::ArrayRef<CommStep> steps) {
  return concurrentSteps(std::vector<CommStep>(steps.begin(), steps.end()));
}

double mlir::dl::cost::computeTime(const ClusterDevice &device, double flops,
                                   double bytes, KernelClass kind,
                                   double reduction) {
  if (!(flops > 0) && !(bytes > 0))
    return 0;
  double rate = device.flops;
  if (kind == KernelClass::Conv && device.convFlops > 0) {
    rate = device.convFlops;
    if (reduction > 0 && device.convKHalf > 0)
      rate *= reduction / (reduction + device.convKHalf);
  }
  double t = 0;
  if (rate > 0)
    t = flops / rate;
  if (device.memBw > 0)
    t = std::max(t, bytes / device.memBw);
  return device.kernelOverhead + t;
}

bool mlir::dl::cost::isContiguousIn(const Box &box, const Box &held) {
  if (box == held)
    return true;
  size_t rank = box.sizes.size(), first = 0;
  while (first < rank && box.sizes[first] == 1)
    ++first;
  for (size_t d = first + 1; d < rank; ++d)
    if (box.sizes[d] != held.sizes[d])
      return false;
  return true;
}

std::vector<int64_t> mlir::dl::cost::allocatedBytes(const Layout &layout,
                                                    llvm::ArrayRef<Need> needs,
                                                    int64_t numDevices) {
  std::vector<int64_t> bytes(numDevices, 0);
  for (const Need &need : needs) {
    bool alias = llvm::any_of(layout.shards, [&](const Shard &s) {
      return s.device == need.device && s.box.contains(need.box) &&
             isContiguousIn(need.box, s.box);
    });
    if (!alias && need.device >= 0 && need.device < numDevices)
      bytes[need.device] += need.box.numElements() * kElementBytes;
  }
  return bytes;
}

BufferProfile mlir::dl::cost::bufferProfile(const Layout &layout,
                                            llvm::ArrayRef<Need> needs,
                                            int64_t numDevices, bool dies) {
  BufferProfile r;
  r.peak.assign(numDevices, 0);
  r.net.assign(numDevices, 0);
  auto in = [&](int64_t d) { return d >= 0 && d < numDevices; };
  auto add = [&](int64_t d, int64_t bytes) {
    if (!in(d))
      return;
    r.net[d] += bytes;
    r.peak[d] = std::max(r.peak[d], r.net[d]);
  };
  auto bytesOf = [](const Box &b) { return b.numElements() * kElementBytes; };
  Layout p = layout;
  std::vector<CommStep> steps;
  // Partial sums are reduced in place.
  reducePartials(p, steps);
  // Shards a need reads in place stay; the others go once the
  // redistribution is done with them, if the tensor dies.
  std::vector<char> kept(p.shards.size(), 0);
  auto freeShards = [&]() {
    if (!dies)
      return;
    for (size_t k = 0; k < p.shards.size(); ++k)
      if (!kept[k])
        add(p.shards[k].device, -bytesOf(layout.shards[k].box));
  };
  auto localShard = [&](const Need &need) -> int {
    for (size_t k = 0; k < p.shards.size(); ++k)
      if (p.shards[k].device == need.device &&
          p.shards[k].box.contains(need.box))
        return k;
    return -1;
  };
  bool allLocal = llvm::all_of(
      needs, [&](const Need &need) { return localShard(need) >= 0; });
  if (!allLocal) {
    if (tryHalo(p, needs, steps)) {
      // Each member receives its shard extended by its neighbours' rows,
      // then cuts its need from it (copied unless a contiguous run); the
      // shard goes after the exchange.
      std::vector<int64_t> extended(numDevices, 0);
      for (const Shard &s : p.shards) {
        const Need *need = nullptr;
        for (const Need &n : needs)
          if (n.device == s.device)
            need = &n;
        if (!need)
          continue;
        Box ext = s.box;
        for (size_t d = 0; d < ext.sizes.size(); ++d) {
          int64_t lo = std::min(s.box.offsets[d], need->box.offsets[d]);
          int64_t hi = std::max(s.box.offsets[d] + s.box.sizes[d],
                                need->box.offsets[d] + need->box.sizes[d]);
          ext.offsets[d] = lo;
          ext.sizes[d] = hi - lo;
        }
        add(s.device, bytesOf(ext));
        if (!isContiguousIn(need->box, ext) && in(s.device))
          extended[s.device] = bytesOf(ext);
      }
      freeShards();
      for (const Need &n : needs)
        if (in(n.device) && extended[n.device]) {
          add(n.device, bytesOf(n.box));
          add(n.device, -extended[n.device]);
        }
      return r;
    }
    if (tryAllGather(p, needs, steps)) {
      // Every holder receives the whole tensor; the needs read it in
      // place; the old shards go after the gather.
      for (const Shard &s : p.shards)
        add(s.device, bytesOf(s.box));
      freeShards();
      return r;
    }
  }
  // Local needs first (in place if a contiguous run, else copied), then
  // the pieces of the others, one need after another; a shard goes right
  // after its last use (twice through the same order: first to find the
  // last uses, then to count).
  std::vector<int> lastUse(p.shards.size(), -1);
  for (int pass = 0; pass < 2; ++pass) {
    int at = 0;
    auto use = [&](size_t k, int when) {
      if (pass == 0) {
        lastUse[k] = std::max(lastUse[k], when);
        return;
      }
    };
    auto release = [&](int when) {
      if (pass == 0 || !dies)
        return;
      for (size_t k = 0; k < p.shards.size(); ++k)
        if (!kept[k] && lastUse[k] == when)
          add(p.shards[k].device, -bytesOf(layout.shards[k].box));
    };
    for (const Need &need : needs) {
      int k = localShard(need);
      if (k < 0)
        continue;
      ++at;
      if (isContiguousIn(need.box, p.shards[k].box)) {
        kept[k] = 1;
      } else if (pass == 1) {
        add(need.device, bytesOf(need.box));
      }
      use(k, at);
      release(at);
    }
    for (const Need &need : needs) {
      if (localShard(need) >= 0)
        continue;
      llvm::SmallVector<size_t, 8> unique = distinctBoxes(p, need.device);
      int64_t held = 0, count = 0;
      std::vector<size_t> inPlace;
      for (size_t u : unique) {
        const Shard &s = p.shards[u];
        Box piece = s.box.intersect(need.box);
        if (piece.empty())
          continue;
        ++at;
        ++count;
        int64_t b = bytesOf(piece);
        bool copied = !isContiguousIn(piece, s.box);
        if (s.device == need.device && !copied) {
          // Read in place by the assembly.
          inPlace.push_back(u);
          continue;
        }
        if (pass == 1) {
          if (s.device != need.device && copied) {
            add(s.device, b); // the copy, freed after the send
            add(s.device, -b);
          }
          add(need.device, b);
        }
        held += b;
        use(u, at);
        release(at);
      }
      ++at;
      for (size_t u : inPlace)
        use(u, at);
      if (count > 1 && pass == 1) {
        // Assembled into a buffer of its own; the pieces go as inserted.
        add(need.device, bytesOf(need.box));
        add(need.device, -held);
      }
      release(at);
    }
    // Shards the needs do not read go at the end.
    if (pass == 0)
      for (int &l : lastUse)
        if (l < 0)
          l = at + 1;
    release(at + 1);
  }
  return r;
}

double mlir::dl::cost::deviceEnergy(const ClusterDevice &device, double busy,
                                    double span) {
  return device.powerActive * busy +
         device.powerIdle * std::max(0.0, span - busy);
}
