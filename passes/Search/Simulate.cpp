//===- Simulate.cpp - A chosen plan replayed as per-rank events -----------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// search::evaluate prices a plan the way the search compares plans: bulk
// synchronous, every step starting when every device is done with the
// previous one and paying its latency in full. The rank programs do not
// wait for each other like that: a rank that is done with a step starts
// the next, and a message delays only its receiver. On a shared medium
// with millisecond latencies, the latencies of consecutive steps then
// overlap earlier waits (a spatial split's halo crosses the medium while
// its neighbour still waits for its input rows), and the bulk-synchronous
// sum over-predicts such plans by a fifth (docs/emulation.md).
//
// simulate() replays the same steps (the same redistributions and compute
// times as evaluate) as events: per device the time it reaches its next
// step; per queue (the shared medium, or each device's send and receive
// ports) the time already taken by transfers. It is used to predict a
// plan's latency, not inside the search (whose exact DP needs additive
// step costs).
//
//===----------------------------------------------------------------------===//

#include "passes/Search/Search.h"
#include <algorithm>
#include <map>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::search;

namespace {

/// The busy time of one queue (the shared medium, a device's send or
/// receive port): disjoint intervals sorted by start. A transfer fills the
/// free time from its start on, so transfers that overlap in time share
/// the queue (their packets interleave) and a transfer queued later never
/// delays one queued before it.
class Queue {
public:
  /// Takes `duration` seconds of free time from `from` on and returns when
  /// the last of it ends.
  double reserve(double from, double duration) {
    if (!(duration > 0))
      return from;
    std::vector<Interval> taken;
    double t = from, left = duration;
    auto it =
        std::partition_point(busy.begin(), busy.end(), [&](const Interval &iv) {
          return iv.end <= from;
        });
    for (; it != busy.end() && left > 0; ++it) {
      if (it->start > t) {
        double use = std::min(it->start - t, left);
        taken.push_back({t, t + use});
        t += use;
        left -= use;
        if (!(left > 0))
          break;
      }
      t = std::max(t, it->end);
    }
    if (left > 0) {
      taken.push_back({t, t + left});
      t += left;
    }
    busy.insert(busy.end(), taken.begin(), taken.end());
    std::sort(
        busy.begin(), busy.end(),
        [](const Interval &a, const Interval &b) { return a.start < b.start; });
    std::vector<Interval> merged;
    for (const Interval &iv : busy)
      if (!merged.empty() && iv.start <= merged.back().end)
        merged.back().end = std::max(merged.back().end, iv.end);
      else
        merged.push_back(iv);
    busy = std::move(merged);
    return t;
  }

  /// Drops what ends by `t` (no transfer starts before it any more).
  void forgetBefore(double t) {
    busy.erase(busy.begin(), std::partition_point(busy.begin(), busy.end(),
                                                  [&](const Interval &iv) {
                                                    return iv.end <= t;
                                                  }));
  }

private:
  struct Interval {
    double start, end;
  };
  std::vector<Interval> busy;
};

struct Simulator {
  Problem &p;
  const Cluster &c;
  int64_t nd;
  /// Per device: when it reaches its next step.
  std::vector<double> ready;
  Queue medium;
  std::vector<Queue> out, in;

  /// The steps serving interned needs from an interned layout, as the
  /// runtime runs them (cost::concurrentSteps), and the layout after.
  struct Served {
    std::vector<cost::CommStep> steps;
    int after = -1;
    bool infeasible = false;
  };
  std::map<std::pair<int, int>, Served> served;

  explicit Simulator(Problem &p)
      : p(p), c(p.cluster), nd(p.numDevices()), ready(nd, 0), out(nd), in(nd) {}

  const Served &serve(int layout, int needs) {
    auto key = std::make_pair(layout, needs);
    auto it = served.find(key);
    if (it != served.end())
      return it->second;
    cost::Redistribution r =
        cost::redistribute(p.layouts[layout], p.needSets[needs]);
    Served s;
    s.infeasible = r.infeasible;
    s.steps = cost::concurrentSteps(std::move(r.steps));
    s.after = p.internLayout(r.after);
    return served.emplace(key, std::move(s)).first->second;
  }

  /// Queues `bytes` from `from` to `to`, leaving at `depart`; returns when
  /// the last byte is on the wire and when it arrives.
  std::pair<double, double> transfer(int64_t from, int64_t to, int64_t bytes,
                                     double depart) {
    ClusterRoute r = c.route(from, to);
    if (r.hops == 0)
      return {depart, depart};
    double duration = double(bytes) / r.bandwidth;
    double wire = c.sharedMedium()
                      ? medium.reserve(depart, duration)
                      : std::max(out[from].reserve(depart, duration),
                                 in[to].reserve(depart, duration));
    return {wire, wire + r.latency};
  }

  /// Messages the runtime posts at once (cost::postedAtOnce). Each
  /// sender's messages leave in peer order when it reaches the step; a
  /// point-to-point sender blocks in each send (dlrt_send), so above the
  /// eager limit its next message waits for the previous one (and for its
  /// receiver to post the receive); halo exchanges and all-gathers post
  /// everything and wait for all of it.
  void exchange(const cost::CommStep &st) {
    struct Message {
      int64_t to, bytes;
    };
    std::map<int64_t, std::vector<Message>> bySender;
    for (auto &[d, peers] : st.sent)
      for (auto &[q, b] : peers)
        if (b > 0 || st.kind == cost::CommKind::PointToPoint)
          bySender[d].push_back({q, b});
    bool blocking = st.kind == cost::CommKind::PointToPoint;
    std::vector<double> done = ready;
    std::map<int64_t, double> next;
    std::map<int64_t, size_t> sentSoFar;
    for (auto &[d, msgs] : bySender)
      next[d] = ready[d];
    // Messages in the order they leave (the earliest sender first).
    while (!next.empty()) {
      auto first = std::min_element(
          next.begin(), next.end(),
          [](const auto &a, const auto &b) { return a.second < b.second; });
      int64_t d = first->first;
      const Message &m = bySender[d][sentSoFar[d]++];
      bool eager = m.bytes <= kEagerLimitBytes;
      // Above the eager limit the bytes flow once the receiver matched.
      double depart =
          eager ? first->second : std::max(first->second, ready[m.to]);
      auto [wire, arrive] = transfer(d, m.to, m.bytes, depart);
      done[m.to] = std::max(done[m.to], arrive);
      if (!eager) {
        done[d] = std::max(done[d], wire);
        if (blocking)
          first->second = wire;
      }
      if (sentSoFar[d] == bySender[d].size())
        next.erase(first);
    }
    ready = std::move(done);
  }

  /// A collective its members run together: it starts when the last of
  /// them arrives and takes the cost model's time.
  void collective(const cost::CommStep &st) {
    double start = 0;
    for (int64_t d : st.group)
      start = std::max(start, ready[d]);
    double t = cost::commTime(c, st);
    double end = c.sharedMedium() ? medium.reserve(start, t) : start + t;
    for (int64_t d : st.group)
      ready[d] = end;
  }

  void communicate(const Served &s) {
    for (const cost::CommStep &st : s.steps)
      if (cost::postedAtOnce(c, st))
        exchange(st);
      else
        collective(st);
  }

  /// The candidate's compute. Devices that exchange inside the layer
  /// (LSTM splits all-gather every time step) finish it together.
  void compute(const Candidate &cand) {
    double start = 0, longest = 0;
    for (int64_t d = 0; d < nd; ++d)
      if (cand.internalBusy[d] > 0) {
        start = std::max(start, ready[d]);
        longest = std::max(longest, cand.compute[d]);
      }
    double end = start + cand.internalTime + longest;
    if (cand.internalTime > 0 && c.sharedMedium())
      medium.reserve(start, cand.internalTime);
    for (int64_t d = 0; d < nd; ++d)
      ready[d] = cand.internalBusy[d] > 0 ? end : ready[d] + cand.compute[d];
  }

  /// One inference; false if the choice is not executable.
  bool inference(ArrayRef<const Candidate *> steps) {
    std::map<int, int> layouts;
    bool valid = true;
    for (size_t i = 0; i < p.nodes.size();) {
      if (!steps[i] || steps[i]->span < 1 ||
          i + steps[i]->span > p.nodes.size())
        return false;
      const Candidate &cand = *steps[i];
      const Node &node = p.nodes[i];
      for (size_t k = 0; k < node.operands.size(); ++k) {
        int t = node.operands[k];
        if (t < 0 || cand.needsId[k] < 0)
          continue;
        auto it = layouts.find(t);
        int l = it != layouts.end() ? it->second : p.inputLayout(t);
        const Served &s = serve(l, cand.needsId[k]);
        valid &= !s.infeasible;
        communicate(s);
        if (it != layouts.end())
          it->second = s.after;
      }
      compute(cand);
      layouts[p.nodes[i + cand.span - 1].result] = cand.resultId;
      i += cand.span;
      p.keepLive(layouts, i);
    }
    // The outputs are assembled on device 0.
    for (int t : p.returns) {
      auto it = layouts.find(t);
      int l = it != layouts.end() ? it->second : p.inputLayout(t);
      const Served &s = serve(
          l,
          p.internNeeds({cost::Need{0, cost::Box::full(p.tensors[t].shape)}}));
      valid &= !s.infeasible;
      communicate(s);
      if (it != layouts.end())
        it->second = s.after;
    }
    double earliest = *std::min_element(ready.begin(), ready.end());
    medium.forgetBefore(earliest);
    for (int64_t d = 0; d < nd; ++d) {
      out[d].forgetBefore(earliest);
      in[d].forgetBefore(earliest);
    }
    return valid;
  }
};

} // namespace

Simulation mlir::dl::search::simulate(const Problem &p, const Choice &choice,
                                      int warmup, int timed) {
  std::vector<const Candidate *> steps(p.nodes.size(), nullptr);
  if (choice.size() != p.nodes.size()) {
    Simulation r;
    r.valid = false;
    return r;
  }
  for (size_t i = 0; i < choice.size(); ++i)
    if (choice[i] >= 0 && choice[i] < static_cast<int>(p.nodes[i].cands.size()))
      steps[i] = &p.nodes[i].cands[choice[i]];
  return simulate(p, steps, warmup, timed);
}

Simulation mlir::dl::search::simulate(const Problem &cp,
                                      ArrayRef<const Candidate *> steps,
                                      int warmup, int timed) {
  Simulator sim(const_cast<Problem &>(cp));
  Simulation r;
  if (steps.size() != cp.nodes.size()) {
    r.valid = false;
    return r;
  }
  warmup = std::max(warmup, 1);
  timed = std::max(timed, 1);
  double before = 0;
  for (int k = 0; k < warmup + timed; ++k) {
    if (!sim.inference(steps)) {
      r.valid = false;
      return r;
    }
    if (k == 0) {
      r.firstLatency = sim.ready[0];
      r.firstEnd = sim.ready;
    }
    if (k == warmup - 1)
      before = sim.ready[0];
  }
  r.latency = (sim.ready[0] - before) / timed;
  return r;
}
