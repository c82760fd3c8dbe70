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

// On a shared medium every message of a step serialises; on a switched
// network a device's messages serialise but devices run in parallel.
TEST(CostModel, SharedMediumSerialises) {
  const int64_t out[] = {1, 4096};
  Layout split = splitLayout(out, 1, {0, 1024, 2048, 3072, 4096});
  std::vector<Need> all;
  for (int64_t d = 0; d < 4; ++d)
    all.push_back(Need{d, Box::full(out)});
  Redistribution g = redistribute(split, all);
  Cluster wifi = uniform(4, Topology::shared, 1e7, 1e-3);
  // 12 messages of 4,096 B: 12 * (1e-3 + 4096 / 1e7).
  EXPECT_NEAR(commTime(wifi, g.steps[0]), 12 * (1e-3 + 4096 / 1e7), 1e-12);
  Cluster wired = uniform(4, Topology::full, 1e7, 1e-3);
  // Ring: 3 * (1e-3 + 4096 / 1e7); recursive doubling:
  // 2e-3 + 0.75 * 16384 / 1e7; the smaller wins.
  double ring = 3 * (1e-3 + 4096 / 1e7);
  double rd = 2e-3 + 0.75 * 16384 / 1e7;
  EXPECT_DOUBLE_EQ(commTime(wired, g.steps[0]), std::min(ring, rd));

  // Point-to-point on a switched network: 3 parallel transfers from device
  // 0 serialise on its link: 3 * (1e-3 + 100352 / 1e7).
  const int64_t in[] = {1, 25088};
  Layout onZero;
  onZero.shards.push_back(Shard{0, Box::full(in)});
  std::vector<Need> needs;
  for (int64_t d = 1; d < 4; ++d)
    needs.push_back(Need{d, Box::full(in)});
  Redistribution r = redistribute(onZero, needs);
  double t = 0;
  for (const CommStep &s : r.steps)
    t += commTime(wired, s);
  EXPECT_NEAR(t, 3 * (1e-3 + 100352 / 1e7), 1e-12);
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

} // namespace
