//===- CostModelTest.cpp - Cost model against hand-computed numbers -------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file tests the cost model against the worked examples of the
// partitioning reference (section 6: VGG-16 conv4_2 and fc6, fp32, P = 4)
// and against alpha-beta and roofline numbers computed by hand.
//
//===----------------------------------------------------------------------===//

#include "lib/Cost/CostModel.h"
#include "gtest/gtest.h"
#include <map>
#include <type_traits>

using namespace mlir::dl;
using namespace mlir::dl::cost;

namespace {

/// A layout splitting dim `dim` of `shape` at `bounds` over devices 0..n-1.
Layout splitLayout(llvm::ArrayRef<int64_t> shape, int64_t dim,
                   llvm::ArrayRef<int64_t> bounds) {
  Layout l;
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    Box b = Box::full(shape);
    b.offsets[dim] = bounds[i];
    b.sizes[dim] = bounds[i + 1] - bounds[i];
    l.shards.push_back(Shard{int64_t(i), b});
  }
  return l;
}

Box rows(llvm::ArrayRef<int64_t> shape, int64_t dim, int64_t lo, int64_t hi) {
  Box b = Box::full(shape);
  b.offsets[dim] = lo;
  b.sizes[dim] = hi - lo;
  return b;
}

Cluster uniform(int64_t n, Topology topology, double bw, double lat) {
  Cluster c;
  c.name = "test";
  c.topology = topology;
  c.bandwidth = bw;
  c.latency = lat;
  for (int64_t i = 0; i < n; ++i) {
    ClusterDevice d;
    d.name = "d" + std::to_string(i);
    d.flops = 1e9;
    d.memBw = 1e9;
    d.memory = 1 << 30;
    d.powerActive = 6.4;
    d.powerIdle = 2.7;
    c.devices.push_back(d);
  }
  return c;
}

const int64_t kConv4[] = {1, 512, 28, 28};

// Reference 6.1, input channel: the all-reduce of the 401,408-value map
// sends 602,112 values (2.41 MB) per device.
TEST(CostModel, Conv42InputChannelAllReduce) {
  Layout partial;
  partial.partial = true;
  for (int64_t d = 0; d < 4; ++d)
    partial.shards.push_back(Shard{d, Box::full(kConv4)});
  Redistribution r = redistribute(partial, {Need{0, Box::full(kConv4)}});
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].kind, CommKind::AllReduce);
  for (int64_t d = 0; d < 4; ++d)
    EXPECT_EQ(r.bytesSentBy(d), 602112 * 4);
  EXPECT_FALSE(r.after.partial);
}

// Reference 6.1, spatial 4 strips x 7 rows: an interior strip receives
// 114,688 B, an end strip 57,344 B, 344,064 B in total.
TEST(CostModel, Conv42SpatialHalo) {
  Layout l = splitLayout(kConv4, 2, {0, 7, 14, 21, 28});
  std::vector<Need> needs = {Need{0, rows(kConv4, 2, 0, 8)},
                             Need{1, rows(kConv4, 2, 6, 15)},
                             Need{2, rows(kConv4, 2, 13, 22)},
                             Need{3, rows(kConv4, 2, 20, 28)}};
  Redistribution r = redistribute(l, needs);
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].kind, CommKind::HaloExchange);
  EXPECT_EQ(r.bytesReceivedBy(0), 57344);
  EXPECT_EQ(r.bytesReceivedBy(1), 114688);
  EXPECT_EQ(r.bytesReceivedBy(2), 114688);
  EXPECT_EQ(r.bytesReceivedBy(3), 57344);
  EXPECT_EQ(r.totalBytes(), 344064);
}

// Reference 6.1, output channel: the output all-gather delivers 301,056
// values (1.204 MB) to each device, 4.82 MB in total.
TEST(CostModel, Conv42OutputChannelAllGather) {
  Layout l = splitLayout(kConv4, 1, {0, 128, 256, 384, 512});
  std::vector<Need> needs;
  for (int64_t d = 0; d < 4; ++d)
    needs.push_back(Need{d, Box::full(kConv4)});
  Redistribution r = redistribute(l, needs);
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].kind, CommKind::AllGather);
  for (int64_t d = 0; d < 4; ++d)
    EXPECT_EQ(r.bytesReceivedBy(d), 301056 * 4);
  EXPECT_EQ(r.totalBytes(), 4816896);
  // Later consumers find the whole tensor everywhere.
  for (const Shard &s : r.after.shards)
    EXPECT_EQ(s.box, Box::full(kConv4));
}

// Reference 6.2, fc6 at B = 1: each device receives the 100,352 B input;
// the output all-gather delivers 12,288 B to each; an input split's
// all-reduce sends 24,576 B per device.
TEST(CostModel, Fc6OutputAndInputSplit) {
  const int64_t in[] = {1, 25088};
  Layout onZero;
  onZero.shards.push_back(Shard{0, Box::full(in)});
  std::vector<Need> needs;
  for (int64_t d = 0; d < 4; ++d)
    needs.push_back(Need{d, Box::full(in)});
  Redistribution r = redistribute(onZero, needs);
  EXPECT_EQ(r.steps.size(), 3u);
  for (int64_t d = 1; d < 4; ++d)
    EXPECT_EQ(r.bytesReceivedBy(d), 100352);
  EXPECT_EQ(r.bytesReceivedBy(0), 0);

  const int64_t out[] = {1, 4096};
  Layout split = splitLayout(out, 1, {0, 1024, 2048, 3072, 4096});
  std::vector<Need> all;
  for (int64_t d = 0; d < 4; ++d)
    all.push_back(Need{d, Box::full(out)});
  Redistribution g = redistribute(split, all);
  for (int64_t d = 0; d < 4; ++d)
    EXPECT_EQ(g.bytesReceivedBy(d), 12288);

  Layout partial;
  partial.partial = true;
  for (int64_t d = 0; d < 4; ++d)
    partial.shards.push_back(Shard{d, Box::full(out)});
  Redistribution a = redistribute(partial, {Need{0, Box::full(out)}});
  for (int64_t d = 0; d < 4; ++d)
    EXPECT_EQ(a.bytesSentBy(d), 24576);
}

// A consumer needing only a piece of a split tensor that is not a halo
// pattern gets point-to-point pieces of exactly the missing elements.
TEST(CostModel, PointToPointPieces) {
  const int64_t shape[] = {1, 8, 4, 4};
  Layout l = splitLayout(shape, 1, {0, 4, 8});
  // Device 1 needs channels [2, 6): 2 local, 2 from device 0.
  Redistribution r = redistribute(l, {Need{1, rows(shape, 1, 2, 6)}});
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].kind, CommKind::PointToPoint);
  EXPECT_EQ(r.bytesSentBy(0), 2 * 16 * 4);
  // A need nobody covers is infeasible.
  Layout half = l;
  half.shards.pop_back();
  EXPECT_TRUE(redistribute(half, {Need{0, Box::full(shape)}}).infeasible);
}

// Alpha-beta of the collectives, by hand: P = 4, alpha = 1e-4 s,
// beta = 1e-8 s/B.
TEST(CostModel, CollectiveAlgorithms) {
  EXPECT_DOUBLE_EQ(ringAllReduceTime(4, 1e6, 1e-4, 1e-8),
                   6e-4 + 1.5e6 * 1e-8);
  EXPECT_DOUBLE_EQ(recursiveDoublingAllReduceTime(4, 1e6, 1e-4, 1e-8),
                   2 * (1e-4 + 1e-2));
  EXPECT_DOUBLE_EQ(ringAllGatherTime(4, 25e4, 1e-4, 1e-8),
                   3 * (1e-4 + 25e4 * 1e-8));
  EXPECT_DOUBLE_EQ(recursiveDoublingAllGatherTime(4, 1e6, 1e-4, 1e-8),
                   2e-4 + 0.75e6 * 1e-8);
  EXPECT_DOUBLE_EQ(treeBroadcastTime(8, 1e3, 1e-4, 1e-8),
                   3 * (1e-4 + 1e-5));

  // A large all-reduce takes the ring, a small one recursive doubling.
  Cluster c = uniform(4, Topology::full, 1e8, 1e-4);
  CommStep big;
  big.kind = CommKind::AllReduce;
  big.group = {0, 1, 2, 3};
  big.elements = 250000; // 1e6 B
  EXPECT_DOUBLE_EQ(commTime(c, big), ringAllReduceTime(4, 1e6, 1e-4, 1e-8));
  CommStep small = big;
  small.elements = 25; // 100 B
  EXPECT_DOUBLE_EQ(commTime(c, small),
                   recursiveDoublingAllReduceTime(4, 100, 1e-4, 1e-8));
}

// Messages posted at once overlap their latencies; their bytes queue on a
// shared medium in one queue, on a switched network per device port.
TEST(CostModel, ConcurrentMessagesOverlapLatency) {
  const int64_t out[] = {1, 4096};
  Layout split = splitLayout(out, 1, {0, 1024, 2048, 3072, 4096});
  std::vector<Need> all;
  for (int64_t d = 0; d < 4; ++d)
    all.push_back(Need{d, Box::full(out)});
  Redistribution g = redistribute(split, all);
  ASSERT_EQ(g.steps.size(), 1u);
  // All-gather of 4 pieces of 1024 elements (4,096 B): 12 messages.
  Cluster wifi = uniform(4, Topology::shared, 1e7, 1e-3);
  // One latency, 12 * 4,096 B on the medium: 1e-3 + 49152 / 1e7.
  EXPECT_NEAR(commTime(wifi, g.steps[0]), 1e-3 + 4.9152e-3, 1e-12);
  Cluster wired = uniform(4, Topology::full, 1e7, 1e-3);
  // Each device sends 3 pieces through its port (and receives 3):
  // 1e-3 + 12288 / 1e7.
  EXPECT_NEAR(commTime(wired, g.steps[0]), 1e-3 + 1.2288e-3, 1e-12);
  // GPU groups keep NCCL's algorithms: ring 3 * (1e-3 + 4096 / 1e7),
  // recursive doubling 2e-3 + 0.75 * 16384 / 1e7; the smaller wins.
  Cluster gpus = wired;
  for (ClusterDevice &d : gpus.devices)
    d.kind = DeviceKind::gpu;
  EXPECT_NEAR(commTime(gpus, g.steps[0]),
              std::min(3 * (1e-3 + 4.096e-4), 2e-3 + 0.75 * 1.6384e-3), 1e-12);

  // Point-to-point from device 0 to 1, 2 and 3: three steps, posted back
  // to back, so concurrentSteps makes them one exchange of 3 * 100,352 B.
  const int64_t in[] = {1, 25088};
  Layout onZero;
  onZero.shards.push_back(Shard{0, Box::full(in)});
  std::vector<Need> needs;
  for (int64_t d = 1; d < 4; ++d)
    needs.push_back(Need{d, Box::full(in)});
  Redistribution r = redistribute(onZero, needs);
  ASSERT_EQ(r.steps.size(), 3u);
  std::vector<CommStep> run = concurrentSteps(r.steps);
  ASSERT_EQ(run.size(), 1u);
  EXPECT_EQ(run[0].kind, CommKind::PointToPoint);
  EXPECT_EQ(run[0].group, (llvm::SmallVector<int64_t, 4>{0, 1, 2, 3}));
  EXPECT_EQ(run[0].messages.at(0), 3);
  EXPECT_EQ(run[0].sent.at(0).at(3), 100352);
  // Wired: device 0's port sends 301,056 B: 1e-3 + 0.0301056.
  EXPECT_NEAR(commTime(wired, run[0]), 1e-3 + 0.0301056, 1e-12);
  // Wi-Fi: the same bytes on the medium, one latency.
  EXPECT_NEAR(commTime(wifi, run[0]), 1e-3 + 0.0301056, 1e-12);
  // One message alone: 1e-3 + 100352 / 1e7 on either.
  EXPECT_NEAR(commTime(wired, r.steps[1]), 1e-3 + 0.0100352, 1e-12);

  // Two senders to two receivers at once: on the medium the bytes add up
  // (1e-3 + 2 * 0.0100352), on the switch they use different ports.
  CommStep two;
  two.kind = CommKind::PointToPoint;
  two.group = {0, 1, 2, 3};
  two.sent[0][1] = 100352;
  two.sent[2][3] = 100352;
  EXPECT_NEAR(commTime(wifi, two), 1e-3 + 0.0200704, 1e-12);
  EXPECT_NEAR(commTime(wired, two), 1e-3 + 0.0100352, 1e-12);
  // Two senders to one receiver: its port takes both.
  two.sent.erase(2);
  two.sent[2][1] = 100352;
  EXPECT_NEAR(commTime(wired, two), 1e-3 + 0.0200704, 1e-12);
}

// A halo exchange: 3 devices, rows of 1,000 B, device 1 receives 2 rows
// from each neighbour and sends 1 row to each; devices 0 and 2 send 2 and
// receive 1.
TEST(CostModel, HaloExchangeTime) {
  CommStep h;
  h.kind = CommKind::HaloExchange;
  h.group = {0, 1, 2};
  h.sent[0][1] = 2000;
  h.sent[1][0] = 1000;
  h.sent[1][2] = 1000;
  h.sent[2][1] = 2000;
  Cluster wifi = uniform(3, Topology::shared, 1e6, 2e-3);
  // 6,000 B on the medium: 2e-3 + 6e-3 (was 4 * 2e-3 + 6e-3 when every
  // message paid its latency in sequence).
  EXPECT_NEAR(commTime(wifi, h), 8e-3, 1e-12);
  Cluster wired = uniform(3, Topology::full, 1e6, 2e-3);
  // Device 1 receives 4,000 B through its port: 2e-3 + 4e-3.
  EXPECT_NEAR(commTime(wired, h), 6e-3, 1e-12);
}

// A device that receives in a run of point-to-point steps and sends later
// in it waits for its receive: the run splits there.
TEST(CostModel, ConcurrentStepsSplitAtDependences) {
  auto p2p = [](int64_t from, int64_t to, int64_t bytes) {
    CommStep s;
    s.kind = CommKind::PointToPoint;
    s.group = {from, to};
    s.elements = bytes / kElementBytes;
    s.sent[from][to] = bytes;
    s.received[to][from] = bytes;
    s.messages[from] = 1;
    return s;
  };
  std::vector<CommStep> steps = {p2p(0, 1, 400), p2p(0, 2, 400), p2p(1, 2, 800),
                                 p2p(0, 3, 400)};
  std::vector<CommStep> run = concurrentSteps(steps);
  // 0->1, 0->2 | 1->2 (device 1 received 0->1 first), 0->3.
  ASSERT_EQ(run.size(), 2u);
  EXPECT_EQ(run[0].sent.at(0).at(2), 400);
  EXPECT_EQ(run[0].messages.at(0), 2);
  EXPECT_EQ(run[1].sent.at(1).at(2), 800);
  EXPECT_EQ(run[1].sent.at(0).at(3), 400);
  EXPECT_EQ(run[1].elements, 300);
  Cluster wifi = uniform(4, Topology::shared, 1e6, 2e-3);
  // (2e-3 + 800 / 1e6) + (2e-3 + 1200 / 1e6).
  EXPECT_NEAR(commTime(wifi, run[0]) + commTime(wifi, run[1]), 6e-3, 1e-12);
  // A collective between point-to-point steps ends the run.
  CommStep ar;
  ar.kind = CommKind::AllReduce;
  ar.group = {0, 1};
  ar.elements = 10;
  EXPECT_EQ(
      concurrentSteps(std::vector<CommStep>{p2p(0, 1, 4), ar, p2p(0, 2, 4)})
          .size(),
      3u);
}

// All-reduce on a shared medium: every round's messages queue on it.
TEST(CostModel, SharedMediumAllReduce) {
  // p = 4, 1 MB, alpha 1 ms, beta 1e-8 s/B: ring 6 * (1e-3 + 1e-2) =
  // 0.066, binomial 4e-3 + 6e-2 = 0.064, doubling 2 * (1e-3 + 4e-2) =
  // 0.082: binomial.
  EXPECT_NEAR(sharedAllReduceTime(4, 1e6, 1e-3, 1e-8), 0.064, 1e-12);
  // 100 B: ring 6.006e-3, binomial 4.006e-3, doubling 2.008e-3.
  EXPECT_NEAR(sharedAllReduceTime(4, 100, 1e-3, 1e-8), 2.008e-3, 1e-15);
  EXPECT_EQ(sharedAllReduceTime(1, 100, 1e-3, 1e-8), 0);
  Cluster wifi = uniform(4, Topology::shared, 1e8, 1e-3);
  CommStep s;
  s.kind = CommKind::AllReduce;
  s.group = {0, 1, 2, 3};
  s.elements = 250000;
  EXPECT_NEAR(commTime(wifi, s), 0.064, 1e-12);
}

// Multi-node: an all-reduce inside a node uses the fast link, one across
// nodes the slow one.
TEST(CostModel, MultiNodeLinks) {
  Cluster c = uniform(4, Topology::full, 1e9, 1e-5);
  c.links.push_back(ClusterLink{0, 1, 1e11, 1e-6});
  c.links.push_back(ClusterLink{2, 3, 1e11, 1e-6});
  CommStep s;
  s.kind = CommKind::AllReduce;
  s.elements = 1 << 20;
  s.group = {0, 1};
  double bytes = 4.0 * (1 << 20);
  EXPECT_DOUBLE_EQ(commTime(c, s),
                   std::min(ringAllReduceTime(2, bytes, 1e-6, 1e-11),
                            recursiveDoublingAllReduceTime(2, bytes, 1e-6,
                                                           1e-11)));
  s.group = {0, 2};
  EXPECT_DOUBLE_EQ(commTime(c, s),
                   std::min(ringAllReduceTime(2, bytes, 1e-5, 1e-9),
                            recursiveDoublingAllReduceTime(2, bytes, 1e-5,
                                                           1e-9)));
}

// Roofline and energy. conv4_2 has 1,849,688,064 MACs: on a 1 GFLOP/s
// device its 3,699,376,128 FLOPs take 3.699376128 s; a memory-bound
// elementwise op moving 8 MB at 1 GB/s takes 8 ms.
TEST(CostModel, RooflineAndEnergy) {
  Cluster c = uniform(1, Topology::full, 1e9, 0);
  EXPECT_DOUBLE_EQ(computeTime(c.devices[0], 3699376128.0, 1.3e7),
                   3.699376128);
  EXPECT_DOUBLE_EQ(computeTime(c.devices[0], 2e6, 8e6), 8e-3);
  // 1 s busy in a 3 s span: 6.4 * 1 + 2.7 * 2 J.
  EXPECT_DOUBLE_EQ(deviceEnergy(c.devices[0], 1, 3), 6.4 + 5.4);
}

// Convolutions run at the device's conv_flops when it has one, other
// kernels at its flops; every call with work pays the per-call overhead.
// 2e9 conv FLOPs at 4 GFLOP/s: 0.5 s + 20 us; the same FLOPs of a GEMM at
// 1 GFLOP/s: 2 s + 20 us; a memory-bound call (8 MB at 1 GB/s): 8 ms +
// 20 us; a call without work: nothing.
TEST(CostModel, ConvRateAndKernelOverhead) {
  Cluster c = uniform(1, Topology::full, 1e9, 0);
  ClusterDevice d = c.devices[0];
  d.convFlops = 4e9;
  d.kernelOverhead = 2e-5;
  EXPECT_DOUBLE_EQ(computeTime(d, 2e9, 1e6, KernelClass::Conv), 0.5 + 2e-5);
  EXPECT_DOUBLE_EQ(computeTime(d, 2e9, 1e6, KernelClass::Other), 2 + 2e-5);
  EXPECT_DOUBLE_EQ(computeTime(d, 2e6, 8e6, KernelClass::Conv), 8e-3 + 2e-5);
  EXPECT_EQ(computeTime(d, 0, 0, KernelClass::Conv), 0);
  // Without a conv rate convolutions run at flops; old files have no
  // overhead.
  EXPECT_DOUBLE_EQ(computeTime(c.devices[0], 2e9, 1e6, KernelClass::Conv), 2);
  // The rate curve: with conv_k_half 60, a reduction of 27 (3 channels,
  // 3x3) runs at 4e9 * 27 / 87, one of 540 at 4e9 * 540 / 600 = 3.6e9;
  // without a reduction (or a half length) at 4e9.
  d.convKHalf = 60;
  EXPECT_DOUBLE_EQ(computeTime(d, 2e9, 1e6, KernelClass::Conv, 27),
                   2e9 / (4e9 * 27 / 87) + 2e-5);
  EXPECT_DOUBLE_EQ(computeTime(d, 3.6e9, 1e6, KernelClass::Conv, 540),
                   1 + 2e-5);
  EXPECT_DOUBLE_EQ(computeTime(d, 2e9, 1e6, KernelClass::Conv, 0), 0.5 + 2e-5);
  EXPECT_DOUBLE_EQ(computeTime(d, 2e9, 1e6, KernelClass::Other, 27), 2 + 2e-5);
}

// The buffers a redistribution allocates (the emitter aliases contiguous
// slices of a local shard and copies everything else). The tensor is
// [1, 32, 8, 8] floats, 8 KiB.
TEST(CostModel, AllocatedBytes) {
  const int64_t shape[] = {1, 32, 8, 8};
  Layout whole;
  whole.shards.push_back(Shard{0, Box::full(shape)});
  // The whole tensor where it lies: an alias.
  EXPECT_EQ(allocatedBytes(whole, {Need{0, Box::full(shape)}}, 2),
            (std::vector<int64_t>{0, 0}));
  // Channels 0..15: one contiguous run, an alias.
  EXPECT_TRUE(isContiguousIn(rows(shape, 1, 0, 16), Box::full(shape)));
  EXPECT_EQ(allocatedBytes(whole, {Need{0, rows(shape, 1, 0, 16)}}, 2),
            (std::vector<int64_t>{0, 0}));
  // Rows 0..3 of every channel: 32 runs, copied: 32 x 4 x 8 x 4 B.
  EXPECT_FALSE(isContiguousIn(rows(shape, 2, 0, 4), Box::full(shape)));
  EXPECT_EQ(allocatedBytes(whole, {Need{0, rows(shape, 2, 0, 4)}}, 2),
            (std::vector<int64_t>{4096, 0}));
  // Received: the whole tensor on device 1, rows split over 0 and 1.
  Layout split = splitLayout(shape, 2, {0, 4, 8});
  EXPECT_EQ(
      allocatedBytes(
          split, {Need{0, rows(shape, 2, 0, 4)}, Need{1, Box::full(shape)}}, 2),
      (std::vector<int64_t>{0, 8192}));
  // Halo-extended rows 3..7 on device 1: a new buffer of 5 rows.
  EXPECT_EQ(allocatedBytes(split, {Need{1, rows(shape, 2, 3, 8)}}, 2),
            (std::vector<int64_t>{0, 32 * 5 * 8 * 4}));
  // Partial sums reduced where they lie.
  Layout partial;
  partial.partial = true;
  for (int64_t d = 0; d < 2; ++d)
    partial.shards.push_back(Shard{d, Box::full(shape)});
  EXPECT_EQ(allocatedBytes(partial, {Need{0, Box::full(shape)}}, 2),
            (std::vector<int64_t>{0, 0}));
}

// The per-device counts of a step: std::map's order and semantics without
// a heap node per entry.
TEST(CostModel, SortedSmallMapBehavesLikeStdMap) {
  SortedSmallMap<int64_t, int64_t, 2> m;
  std::map<int64_t, int64_t> ref;
  // Keys out of order, repeated, and more than the inline capacity.
  for (int64_t k : {5, 1, 3, 1, 9, -2, 3, 7}) {
    m[k] += k * 10 + 1;
    ref[k] += k * 10 + 1;
  }
  EXPECT_EQ(m.erase(9), 1u);
  EXPECT_EQ(m.erase(4), 0u);
  ref.erase(9);
  ASSERT_EQ(m.size(), ref.size());
  auto it = ref.begin();
  for (auto &[k, v] : m) {
    EXPECT_EQ(k, it->first);
    EXPECT_EQ(v, it->second);
    ++it;
  }
  EXPECT_EQ(m.at(3), 62);
  EXPECT_EQ(m.count(7), 1u);
  EXPECT_EQ(m.count(8), 0u);
  EXPECT_TRUE(m.find(8) == m.end());
  // Nested, as CommStep::sent: moving leaves the source empty.
  SortedSmallMap<int64_t, SortedSmallMap<int64_t, int64_t>> sent;
  sent[2][0] += 4;
  sent[0][2] += 8;
  SortedSmallMap<int64_t, SortedSmallMap<int64_t, int64_t>> moved =
      std::move(sent);
  EXPECT_EQ(moved.begin()->first, 0);
  EXPECT_EQ(moved.at(2).at(0), 4);
  EXPECT_TRUE(std::is_nothrow_move_constructible_v<CommStep>);
}

} // namespace
