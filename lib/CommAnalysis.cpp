//===- CommAnalysis.cpp - Matching and volume of device programs --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the communication analysis of device programs: a
// simulation in which a send completes only together with its receive
// (rendezvous) and a collective only when every member reaches it, which
// proves the programs deadlock-free for any eager/rendezvous choice of the
// MPI library, and which counts bytes exactly as libdlrt does.
//
//===----------------------------------------------------------------------===//

#include "dl/CommAnalysis.h"
#include "dialects/DL/DLOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dl;

int64_t DeviceTraffic::sentTotal() const {
  int64_t n = 0;
  for (auto &[peer, bytes] : sentTo)
    n += bytes;
  return n;
}

int64_t DeviceTraffic::receivedTotal() const {
  int64_t n = 0;
  for (auto &[peer, bytes] : receivedFrom)
    n += bytes;
  return n;
}

static int64_t bytesOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getNumElements() * 4;
}

/// Product of the dims of `v` other than `dim`.
static int64_t slab(Value v, int64_t dim) {
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  int64_t n = 1;
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    if (i != dim)
      n *= shape[i];
  return n;
}

static ArrayRef<int64_t> groupOf(Operation *op) {
  return llvm::TypeSwitch<Operation *, ArrayRef<int64_t>>(op)
      .Case<AllGatherOp, AllReduceOp, AllReduceStartOp, ReduceScatterOp,
            BroadcastOp, AllToAllOp, BarrierOp>(
          [](auto c) { return c.getGroup(); })
      .Default([](Operation *) { return ArrayRef<int64_t>(); });
}

/// Adds the traffic of collective `op` on `me` (accounting of
/// docs/runtime.md).
static void countCollective(Operation *op, int64_t me,
                            std::map<int64_t, DeviceTraffic> &traffic) {
  ArrayRef<int64_t> group = groupOf(op);
  int64_t p = group.size();
  int64_t self = llvm::find(group, me) - group.begin();
  DeviceTraffic &t = traffic[me];
  if (auto ag = dyn_cast<AllGatherOp>(op)) {
    int64_t s = slab(ag.getInput(), ag.getDimAttr().getInt()) * 4;
    for (int64_t q = 0; q < p; ++q)
      if (q != self) {
        t.sentTo[group[q]] += ag.getSizes()[self] * s;
        t.receivedFrom[group[q]] += ag.getSizes()[q] * s;
      }
  } else if (auto rs = dyn_cast<ReduceScatterOp>(op)) {
    int64_t s = slab(rs.getInput(), rs.getDimAttr().getInt()) * 4;
    for (int64_t q = 0; q < p; ++q)
      if (q != self) {
        t.sentTo[group[q]] += rs.getSizes()[q] * s;
        t.receivedFrom[group[q]] += rs.getSizes()[self] * s;
      }
  } else if (isa<AllReduceOp, AllReduceStartOp>(op)) {
    int64_t n = bytesOf(op->getOperand(0)) / 4;
    auto chunk = [&](int64_t i) { return n / p + (i < n % p ? 1 : 0); };
    for (int64_t q = 0; q < p; ++q)
      if (q != self) {
        t.sentTo[group[q]] += 4 * (chunk(q) + chunk(self));
        t.receivedFrom[group[q]] += 4 * (chunk(q) + chunk(self));
      }
  } else if (auto bc = dyn_cast<BroadcastOp>(op)) {
    int64_t root = bc.getRootAttr().getInt();
    for (int64_t q : group) {
      if (q == me)
        continue;
      if (me == root)
        t.sentTo[q] += bytesOf(bc.getInput());
      else if (q == root)
        t.receivedFrom[q] += bytesOf(bc.getInput());
    }
  } else if (auto a2a = dyn_cast<AllToAllOp>(op)) {
    int64_t chunk = bytesOf(a2a.getInput()) / p;
    for (int64_t q = 0; q < p; ++q)
      if (q != self) {
        t.sentTo[group[q]] += chunk;
        t.receivedFrom[group[q]] += chunk;
      }
  }
  if (!isa<BarrierOp>(op))
    ++t.messages;
}

LogicalResult
mlir::dl::analyzeCommunication(ModuleOp module,
                               std::map<int64_t, DeviceTraffic> &traffic) {
  // The communication ops of each device, in program order.
  std::map<int64_t, SmallVector<Operation *>> programs;
  for (auto fn : module.getOps<func::FuncOp>()) {
    auto device = fn->getAttrOfType<IntegerAttr>(DLDialect::kDeviceAttrName);
    if (!device)
      continue;
    auto &ops = programs[device.getInt()];
    fn.walk([&](Operation *op) {
      if (isa<SendOp, RecvOp, AllGatherOp, AllReduceOp, AllReduceStartOp,
              ReduceScatterOp, BroadcastOp, HaloExchangeOp, AllToAllOp,
              BarrierOp>(op))
        ops.push_back(op);
    });
    traffic[device.getInt()];
  }
  std::map<int64_t, size_t> pc;
  auto pending = [&](int64_t d) -> Operation * {
    auto it = programs.find(d);
    if (it == programs.end() || pc[d] >= it->second.size())
      return nullptr;
    return it->second[pc[d]];
  };

  bool progress = true;
  while (progress) {
    progress = false;
    for (auto &[d, ops] : programs) {
      Operation *op = pending(d);
      if (!op)
        continue;
      if (auto send = dyn_cast<SendOp>(op)) {
        int64_t peer = send.getPeerAttr().getInt();
        if (!programs.count(peer))
          return send.emitError() << "sends to device " << peer
                                  << ", which has no program";
        auto recv = dyn_cast_or_null<RecvOp>(pending(peer));
        if (!recv || recv.getPeerAttr().getInt() != d)
          continue;
        if (recv.getTagAttr().getInt() != send.getTagAttr().getInt() ||
            recv.getType() != send.getInput().getType()) {
          InFlightDiagnostic diag =
              send.emitError() << "send to device " << peer << " (tag "
                               << send.getTagAttr().getInt() << ", "
                               << send.getInput().getType()
                               << ") meets a receive with tag "
                               << recv.getTagAttr().getInt() << " of type "
                               << recv.getType();
          diag.attachNote(recv.getLoc()) << "the receive";
          return failure();
        }
        traffic[d].sentTo[peer] += bytesOf(send.getInput());
        traffic[d].messages++;
        traffic[peer].receivedFrom[d] += bytesOf(send.getInput());
        ++pc[d];
        ++pc[peer];
        progress = true;
        continue;
      }
      if (isa<RecvOp>(op))
        continue; // completed by its sender
      if (auto halo = dyn_cast<HaloExchangeOp>(op)) {
        // The halo completes once both neighbours are at their halo too.
        bool ready = true;
        for (int64_t nb : {halo.getPrevAttr().getInt(),
                           halo.getNextAttr().getInt()}) {
          if (nb < 0)
            continue;
          auto other = dyn_cast_or_null<HaloExchangeOp>(pending(nb));
          if (!other) {
            ready = false;
            break;
          }
        }
        if (!ready)
          continue;
        // Check the counts agree with the neighbours, then complete the
        // whole connected chain at once.
        SmallVector<int64_t> chain = {d};
        llvm::SmallDenseSet<int64_t> seen = {d};
        bool chainReady = true;
        for (size_t i = 0; i < chain.size() && chainReady; ++i) {
          auto h = cast<HaloExchangeOp>(pending(chain[i]));
          int64_t prev = h.getPrevAttr().getInt();
          int64_t next = h.getNextAttr().getInt();
          for (auto [nb, isPrev] : {std::pair{prev, true}, {next, false}}) {
            if (nb < 0)
              continue;
            auto o = dyn_cast_or_null<HaloExchangeOp>(pending(nb));
            if (!o) {
              chainReady = false;
              break;
            }
            int64_t back = isPrev ? o.getNextAttr().getInt()
                                  : o.getPrevAttr().getInt();
            // The neighbour is at a halo exchange without this device (an
            // earlier layer's, whose halos go only to its other side):
            // this one waits until the neighbour gets here. A neighbour
            // that never does is reported as a deadlock below.
            if (back != chain[i]) {
              chainReady = false;
              break;
            }
            int64_t mineRecv = h.getRecv()[isPrev ? 0 : 1];
            int64_t theirSend = o.getSend()[isPrev ? 1 : 0];
            if (mineRecv != theirSend ||
                h.getDimAttr().getInt() != o.getDimAttr().getInt()) {
              InFlightDiagnostic diag =
                  h.emitError() << "halo exchange of device " << chain[i]
                                << " does not match its neighbour " << nb;
              diag.attachNote(o.getLoc()) << "the neighbour's halo exchange";
              return failure();
            }
            if (seen.insert(nb).second)
              chain.push_back(nb);
          }
        }
        if (!chainReady)
          continue;
        for (int64_t m : chain) {
          auto h = cast<HaloExchangeOp>(pending(m));
          int64_t s = slab(h.getInput(), h.getDimAttr().getInt()) * 4;
          int64_t prev = h.getPrevAttr().getInt();
          int64_t next = h.getNextAttr().getInt();
          if (prev >= 0) {
            traffic[m].sentTo[prev] += h.getSend()[0] * s;
            traffic[m].receivedFrom[prev] += h.getRecv()[0] * s;
          }
          if (next >= 0) {
            traffic[m].sentTo[next] += h.getSend()[1] * s;
            traffic[m].receivedFrom[next] += h.getRecv()[1] * s;
          }
          traffic[m].messages += (prev >= 0) + (next >= 0);
          ++pc[m];
        }
        progress = true;
        continue;
      }
      // A collective completes when every member is at the same collective.
      ArrayRef<int64_t> group = groupOf(op);
      bool ready = true;
      for (int64_t m : group) {
        if (!programs.count(m))
          return op->emitError() << "group member " << m
                                 << " has no program";
        Operation *other = pending(m);
        if (!other || other->getName() != op->getName() ||
            groupOf(other) != group) {
          ready = false;
          break;
        }
        if (auto ag = dyn_cast<AllGatherOp>(op))
          if (cast<AllGatherOp>(other).getSizes() != ag.getSizes() ||
              cast<AllGatherOp>(other).getDimAttr() != ag.getDimAttr())
            return ag.emitError() << "all_gather members disagree on the "
                                     "sizes or dim (device "
                                  << m << ")";
      }
      if (!ready)
        continue;
      for (int64_t m : group) {
        countCollective(pending(m), m, traffic);
        ++pc[m];
      }
      progress = true;
    }
  }

  bool stuck = false;
  for (auto &[d, ops] : programs)
    if (Operation *op = pending(d)) {
      if (!stuck)
        op->emitError() << "communication deadlock: device " << d
                        << " can never complete this op";
      else
        op->emitRemark() << "device " << d << " is also stuck here";
      stuck = true;
    }
  return failure(stuck);
}
