//===- SearchPropertyTest.cpp - Exact search vs brute force ---------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file checks, on random small layer graphs (chains, residual adds and
// concat branches; dense and conv/pool models; 2-4 devices of random
// speeds on switched or shared networks; latency, energy and memory
// objectives, sometimes under a memory limit), that the frontier dynamic
// program finds exactly the brute-force optimum, and that the bytes the
// cost model predicts for the chosen plan equal what dl-apply-partition
// emits (analyzeCommunication on the applied module).
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "dl/CommAnalysis.h"
#include "dl/Registration.h"
#include "passes/Passes.h"
#include "passes/Search/Search.h"
#include "RandomModels.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"
#include <gtest/gtest.h>
#include <random>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::search;
using dl_test::randomCluster;
using dl_test::randomModel;
using dl_test::RngChooser;

namespace {

class SearchProperty : public ::testing::Test {
protected:
  void SetUp() override {
    DialectRegistry registry;
    registerDLDialects(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
    registerDLPassesAndPipelines();
  }
  MLIRContext ctx;
};

TEST_F(SearchProperty, DynamicProgramEqualsBruteForce) {
  std::mt19937 rng(20240531);
  RngChooser choose(rng);
  int checked = 0, dags = 0, limited = 0, attempts = 0;
  int bytesChecked = 0;
  while (checked < 240 && attempts < 5000) {
    ++attempts;
    bool dag = attempts % 2 == 0;
    std::string text = randomModel(choose, dag);
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
    ASSERT_TRUE(module) << text;
    auto fn = *module->getOps<func::FuncOp>().begin();
    int64_t devices = std::uniform_int_distribution<int64_t>(2, 4)(rng);
    Cluster cluster = randomCluster(choose, devices);
    Options options;
    int64_t obj = std::uniform_int_distribution<int64_t>(0, 3)(rng);
    options.objective = obj == 0   ? Objective::Energy
                        : obj == 1 ? Objective::Memory
                                   : Objective::Latency;
    auto problem = buildProblem(fn, cluster, options);
    ASSERT_TRUE(succeeded(problem)) << text;
    double space = 1;
    for (const Node &n : problem->nodes)
      space *= n.cands.size();
    if (space > 20000)
      continue;
    // Sometimes a limit between the smallest and the largest footprint.
    if (options.objective == Objective::Latency && attempts % 3 == 0) {
      Problem probe = *problem;
      probe.options.objective = Objective::Memory;
      Result least = searchExact(probe);
      ASSERT_TRUE(least.feasible);
      int64_t limit = least.eval.maxMemory() +
                      least.eval.maxMemory() / 4;
      problem->options.memoryLimit = limit;
      problem->limits.assign(devices, limit);
      ++limited;
    }
    Result r = searchExact(*problem);
    double brute = bruteForce(*problem);
    ASSERT_TRUE(std::isfinite(brute)) << text;
    ASSERT_TRUE(r.feasible) << text;
    EXPECT_TRUE(r.exact);
    EXPECT_EQ(r.cost, brute) << text << "objective " << obj;
    EXPECT_EQ(objectiveValue(*problem, r.eval), brute) << text;
    ++checked;
    dags += llvm::any_of(problem->nodes, [](const Node &n) {
      return n.operands.size() > 1 &&
             llvm::count_if(n.operands, [](int t) { return t >= 0; }) > 1;
    });

    // The plan's predicted bytes are what apply emits.
    if (checked % 4 == 0) {
      applyChoice(*problem, r.choice);
      (*module)->setAttr(DLDialect::kClusterAttrName, cluster.toAttr(&ctx));
      PassManager pm(&ctx);
      pm.addPass(createDLApplyPartition());
      ASSERT_TRUE(succeeded(pm.run(*module))) << text;
      std::map<int64_t, DeviceTraffic> traffic;
      ASSERT_TRUE(succeeded(analyzeCommunication(*module, traffic)));
      int64_t sent = 0;
      for (auto &[d, t] : traffic)
        sent += t.sentTotal();
      std::string applied;
      llvm::raw_string_ostream os(applied);
      module->print(os);
      EXPECT_EQ(sent, r.eval.bytes) << text << applied;
      ++bytesChecked;
    }
  }
  EXPECT_GE(checked, 200);
  EXPECT_GE(dags, 40);
  EXPECT_GE(limited, 10);
  EXPECT_GE(bytesChecked, 50);
}

} // namespace
