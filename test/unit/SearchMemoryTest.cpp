//===- SearchMemoryTest.cpp - The evaluator's activation memory -----------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file checks the activation peak search::evaluate predicts against
// the buffers the generated code holds, computed by hand: an operand held
// locally as a whole is not counted twice, and a fused-tile group holds
// tiles, not whole feature maps.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "dl/Registration.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "passes/Search/Search.h"
#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::search;

namespace {

// [1,2,8,8] -> conv 4 3x3 pad 1 -> [1,4,8,8] -> relu -> conv 4 3x3 pad 1
// -> [1,4,8,8].
const char *kModel = R"mlir(
module {
  func.func @main(%x: tensor<1x2x8x8xf32>) -> tensor<1x4x8x8xf32> {
    %w1 = dl.param "c1.weight" : tensor<4x2x3x3xf32>
    %b1 = dl.param "c1.bias" : tensor<4xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>)
        -> tensor<1x4x8x8xf32> loc("c1")
    %r1 = dl.relu %c1 : tensor<1x4x8x8xf32> loc("r1")
    %w2 = dl.param "c2.weight" : tensor<4x4x3x3xf32>
    %b2 = dl.param "c2.bias" : tensor<4xf32>
    %c2 = dl.conv2d %r1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>)
        -> tensor<1x4x8x8xf32> loc("c2")
    return %c2 : tensor<1x4x8x8xf32>
  }
}
)mlir";

Cluster twoDevices() {
  Cluster c;
  c.name = "two";
  c.bandwidth = 1e9;
  c.latency = 1e-5;
  for (int i = 0; i < 2; ++i) {
    ClusterDevice d;
    d.name = "d" + std::to_string(i);
    d.flops = 1e9;
    d.memBw = 1e9;
    d.memory = 1 << 30;
    c.devices.push_back(d);
  }
  return c;
}

class SearchMemory : public ::testing::Test {
protected:
  void SetUp() override {
    DialectRegistry registry;
    registerDLDialects(registry);
    ctx = std::make_unique<MLIRContext>(registry);
    ctx->loadAllAvailableDialects();
    module = parseSourceString<ModuleOp>(kModel, ctx.get());
    ASSERT_TRUE(module);
    auto fn = *module->getOps<func::FuncOp>().begin();
    Options options;
    auto p = buildProblem(fn, twoDevices(), options);
    ASSERT_TRUE(succeeded(p));
    problem = std::make_unique<Problem>(std::move(*p));
  }

  int candidate(int node, llvm::StringRef name) {
    const auto &cands = problem->nodes[node].cands;
    for (size_t i = 0; i < cands.size(); ++i)
      if (cands[i].name.str() == name)
        return i;
    ADD_FAILURE() << "no candidate '" << name.str() << "' at node " << node;
    return 0;
  }

  std::unique_ptr<MLIRContext> ctx;
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<Problem> problem;
};

// Everything on device 0. The input is the caller's (not a buffer of the
// program), c1's result is 1024 B (4 x 8 x 8 floats), c2 reads relu's
// result where it lies and writes 1024 B next to it: the peak is two
// maps, 2048 B (relu is charged a new map next to c1's, also 2048 B; the
// generated code writes it over c1's). The old accounting charged c2's
// operand twice, as a live tensor and as a received region: 3072 B.
TEST_F(SearchMemory, OneDeviceCountsEveryMapOnce) {
  Choice choice = {candidate(0, "single:0"), candidate(1, "single:0"),
                   candidate(2, "single:0")};
  Evaluation e = evaluate(*problem, choice);
  ASSERT_TRUE(e.valid);
  EXPECT_EQ(e.devices[0].peakActivations, 2048);
  EXPECT_EQ(e.devices[1].peakActivations, 0);
}

// Fused tiles 1 x 2 over the three layers: device 0 computes output
// columns 0..3, device 1 columns 4..7. Traced backward, device 0's tile
// reads c2's input columns 0..4 (5 columns, 4 x 8 x 5 = 160 floats, as
// relu's output and input) and c1's input columns 0..5 (2 x 8 x 6 = 96
// floats = 384 B). Device 0 holds its input tile (384 B, a copy out of
// the whole input), then c1's output tile (640 B) next to it: 1024 B;
// relu writes over it; c2 adds its 4 x 8 x 4 = 128-float result (512 B)
// to its input (640 B): 1152 B. Device 1 the same, its input tile received
// from device 0. A whole map on one device would be 2048 B.
TEST_F(SearchMemory, FusedTilesHoldTiles) {
  Choice choice = {candidate(0, "ftp 1x2 over 3 layers"), -1, -1};
  Evaluation e = evaluate(*problem, choice);
  ASSERT_TRUE(e.valid);
  EXPECT_EQ(e.devices[0].peakActivations, 1152);
  EXPECT_EQ(e.devices[1].peakActivations, 1152);
}

// c1 on device 0, then relu and c2 as fused tiles 1 x 2. The group fetches
// its tile inputs (c2's input columns 0..4 and 3..7 as relu's: 4 x 8 x 5
// floats = 640 B each) and then frees c1's map (1024 B), which no later
// layer reads. Device 0: c1's map + its input tile + the copy of device
// 1's tile (columns 3..7 are not a contiguous run of the map, so they are
// copied before they are sent, and freed after) = 2304 B while fetching;
// its input tile (relu writes over it) + c2's 512 B tile result = 1152 B
// while computing (2176 B if c1's map were kept through the tiles).
// Device 1: its received tile + result, 1152 B.
TEST_F(SearchMemory, FusedTilesFreeTheirOperandAfterFetching) {
  Choice choice = {candidate(0, "single:0"),
                   candidate(1, "ftp 1x2 over 2 layers"), -1};
  Evaluation e = evaluate(*problem, choice);
  ASSERT_TRUE(e.valid);
  EXPECT_EQ(e.devices[0].peakActivations, 2304);
  EXPECT_EQ(e.devices[1].peakActivations, 1152);
}

// The memory-constrained DP prices steps as the evaluator does: its
// smallest footprint is a plan's evaluated footprint.
TEST_F(SearchMemory, MemoryObjectiveAgreesWithEvaluation) {
  problem->options.objective = Objective::Memory;
  Result r = searchExact(*problem);
  ASSERT_TRUE(r.feasible);
  Evaluation e = evaluate(*problem, r.choice);
  EXPECT_EQ(double(e.maxMemory()), r.cost);
  EXPECT_EQ(r.cost, bruteForce(*problem));
}

} // namespace
