//===- SimulateTest.cpp - Plans replayed as per-rank events ---------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file checks search::simulate against search::evaluate:
//  * on random layer graphs, clusters and choices, the first simulated
//    inference never takes longer than the bulk-synchronous evaluation
//    (every step starts no later than there, and takes no longer) and no
//    less than device 0's own compute;
//  * one device, or a chain where each layer waits for the previous one's
//    device (two pipeline stages, one micro-batch: simulateStaged against
//    evaluatePipeline), is priced the same both ways;
//  * a spatial split on a shared medium with millisecond latencies
//    overlaps the latencies of consecutive halo steps, by at least one
//    latency over two convolutions.
//
//===----------------------------------------------------------------------===//

#include "RandomModels.h"
#include "dialects/DL/DLOps.h"
#include "dl/Registration.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "passes/Search/Search.h"
#include <gtest/gtest.h>
#include <random>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::search;

namespace {

struct SimulateTest : ::testing::Test {
  DialectRegistry registry;
  std::unique_ptr<MLIRContext> ctx;
  void SetUp() override {
    registerDLDialects(registry);
    ctx = std::make_unique<MLIRContext>(registry);
    ctx->loadAllAvailableDialects();
  }
};

/// A device with negligible compute time, so that communication decides.
ClusterDevice fastDevice(std::string name) {
  ClusterDevice d;
  d.name = std::move(name);
  d.flops = 1e18;
  d.memBw = 1e18;
  d.memory = 1 << 30;
  return d;
}

Cluster twoDevices(Topology topology, double latency, double bandwidth) {
  Cluster c;
  c.name = "two";
  c.topology = topology;
  c.latency = latency;
  c.bandwidth = bandwidth;
  c.devices = {fastDevice("a"), fastDevice("b")};
  return c;
}

/// Two 3x3 convolutions over a 1x4x32x32 image.
constexpr const char *kTwoConvs = R"(
module {
  func.func @main(%x: tensor<1x4x32x32xf32>) -> tensor<1x4x32x32xf32> {
    %w1 = dl.param "c1.w" : tensor<4x4x3x3xf32>
    %b1 = dl.param "c1.b" : tensor<4xf32>
    %w2 = dl.param "c2.w" : tensor<4x4x3x3xf32>
    %b2 = dl.param "c2.b" : tensor<4xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x4x32x32xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>)
        -> tensor<1x4x32x32xf32>
    %c2 = dl.conv2d %c1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x4x32x32xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>)
        -> tensor<1x4x32x32xf32>
    return %c2 : tensor<1x4x32x32xf32>
  }
}
)";

/// The candidate of `node` whose plan prints as `plan`, or -1.
int candidateWithPlan(const Problem &p, size_t node, StringRef plan) {
  for (auto [k, c] : llvm::enumerate(p.nodes[node].cands)) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << Attribute(c.plans[0]);
    if (c.span == 1 && StringRef(text).contains(plan))
      return k;
  }
  return -1;
}

std::string candidateList(const Problem &p, size_t node) {
  std::string all;
  for (const Candidate &c : p.nodes[node].cands) {
    llvm::raw_string_ostream os(all);
    os << Attribute(c.plans[0]);
    os << "\n";
  }
  return all;
}

TEST_F(SimulateTest, NeverSlowerThanBulkSynchronous) {
  std::mt19937 rng(20261126);
  dl_test::RngChooser choose(rng);
  int checked = 0, faster = 0;
  for (int attempt = 0; attempt < 400 && checked < 150; ++attempt) {
    std::string text = dl_test::randomModel(choose, attempt % 2 == 0);
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, ctx.get());
    ASSERT_TRUE(module) << text;
    auto fn = *module->getOps<func::FuncOp>().begin();
    int64_t devices = std::uniform_int_distribution<int64_t>(2, 4)(rng);
    Cluster cluster = dl_test::randomCluster(choose, devices);
    auto problem = buildProblem(fn, cluster, Options());
    ASSERT_TRUE(succeeded(problem)) << text;
    Choice choice = dl_test::randomChoice(*problem, rng);
    Evaluation e = evaluate(*problem, choice);
    Simulation s = simulate(*problem, choice);
    EXPECT_EQ(s.valid, e.valid) << text;
    if (!e.valid)
      continue;
    ++checked;
    EXPECT_LE(s.firstLatency, e.latency * (1 + 1e-9)) << text;
    EXPECT_GE(s.firstLatency, e.devices[0].compute * (1 - 1e-9)) << text;
    ASSERT_EQ(s.firstEnd.size(), size_t(devices));
    EXPECT_EQ(s.firstEnd[0], s.firstLatency);
    for (double end : s.firstEnd)
      EXPECT_LE(end, e.latency * (1 + 1e-9)) << text;
    EXPECT_GT(s.latency, 0) << text;
    faster += s.firstLatency < e.latency * (1 - 1e-6);
  }
  EXPECT_GE(checked, 100);
  // Overlap is common on random plans: the property is not vacuous.
  EXPECT_GE(faster, checked / 4);
}

TEST_F(SimulateTest, OneDeviceIsTheSum) {
  std::mt19937 rng(7);
  dl_test::RngChooser choose(rng);
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::string text = dl_test::randomModel(choose, attempt % 2 == 0);
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, ctx.get());
    ASSERT_TRUE(module);
    auto fn = *module->getOps<func::FuncOp>().begin();
    Cluster cluster = dl_test::randomCluster(choose, 1);
    auto problem = buildProblem(fn, cluster, Options());
    ASSERT_TRUE(succeeded(problem));
    Choice choice(problem->nodes.size(), -1);
    for (size_t i = 0; i < choice.size(); i += problem->nodes[i].cands[0].span)
      choice[i] = 0;
    Evaluation e = evaluate(*problem, choice);
    Simulation s = simulate(*problem, choice);
    ASSERT_TRUE(e.valid && s.valid);
    EXPECT_NEAR(s.firstLatency, e.latency, 1e-12 * e.latency) << text;
    EXPECT_NEAR(s.latency, e.latency, 1e-9 * e.latency) << text;
  }
}

TEST_F(SimulateTest, SerialChainIsTheSum) {
  // Layer 1 on device 0 (stage 0), layer 2 on device 1 (stage 1): every
  // step waits for the one before it, in every inference (device 0
  // assembles the output before it sends the next input), so nothing
  // overlaps.
  for (Topology topology : {Topology::full, Topology::shared}) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(kTwoConvs, ctx.get());
    ASSERT_TRUE(module);
    auto fn = *module->getOps<func::FuncOp>().begin();
    auto problem = buildProblem(fn, twoDevices(topology, 1e-3, 5e6), Options());
    ASSERT_TRUE(succeeded(problem));
    SmallVector<PlanAttr> plans = {
        PlanAttr::get(ctx.get(), 0, {0}, 1, {}, nullptr),
        PlanAttr::get(ctx.get(), 1, {1}, 1, {}, nullptr)};
    auto e = evaluatePipeline(*problem, plans, 1);
    auto s = simulateStaged(*problem, plans);
    ASSERT_TRUE(e && s);
    // Input to device 1, output back: two latencies at least.
    EXPECT_GT(e->latency, 2e-3);
    EXPECT_NEAR(s->firstLatency, e->latency, 1e-9 * e->latency);
    EXPECT_NEAR(s->latency, e->latency, 1e-9 * e->latency);
  }
}

TEST_F(SimulateTest, SpatialHalosOverlapOnASharedMedium) {
  // Both convolutions split by height over the two devices, 10 ms latency,
  // transfers of a few kB at 100 MB/s: the bulk-synchronous sum pays a
  // latency for the input rows, the halo and the output rows. Device 0
  // sends its halo row as soon as its first convolution is done, while
  // device 1 still waits for its input rows, so the halo's latency
  // overlaps the input's.
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kTwoConvs, ctx.get());
  ASSERT_TRUE(module);
  auto fn = *module->getOps<func::FuncOp>().begin();
  double latency = 10e-3;
  auto problem =
      buildProblem(fn, twoDevices(Topology::shared, latency, 1e8), Options());
  ASSERT_TRUE(succeeded(problem));
  Choice choice = {candidateWithPlan(*problem, 0, "height"),
                   candidateWithPlan(*problem, 1, "height")};
  ASSERT_GE(choice[0], 0) << candidateList(*problem, 0);
  ASSERT_GE(choice[1], 0) << candidateList(*problem, 1);
  Evaluation e = evaluate(*problem, choice);
  Simulation s = simulate(*problem, choice);
  ASSERT_TRUE(e.valid && s.valid);
  EXPECT_GT(e.latency, 3 * latency);
  EXPECT_LT(e.latency, 3.1 * latency);
  // Input rows, then device 1's halo row back, then its output rows: the
  // halo device 0 sends leaves at once.
  EXPECT_GT(s.firstLatency, 2 * latency);
  EXPECT_LT(s.firstLatency, e.latency - 0.9 * latency);
  // Back to back, the next input leaves when device 0 has the output.
  EXPECT_NEAR(s.latency, s.firstLatency, 1e-3 * s.firstLatency);
}

} // namespace
