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

namespace {

std::string typeOf(const std::vector<int64_t> &shape) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + "f32>";
}

/// A random model: returns its MLIR text.
std::string randomModel(std::mt19937 &rng, bool dag) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  std::string body, params;
  int64_t layers = pick(2, 4);
  bool maps = pick(0, 1);
  std::vector<int64_t> shape;
  if (maps)
    shape = {1, pick(1, 2) * 2, 8, 8};
  else
    shape = {pick(1, 2) * 2, pick(2, 4) * 2};
  std::vector<std::pair<std::string, std::vector<int64_t>>> values = {
      {"%x", shape}};
  std::string argType = typeOf(shape);
  int paramId = 0;
  for (int64_t i = 0; i < layers; ++i) {
    auto [cur, s] = values.back();
    std::string res = "%v" + std::to_string(i);
    std::vector<int64_t> out = s;
    int64_t kind = pick(0, dag ? 3 : 1);
    // Residual/concat partners: an earlier value (not the current one).
    if (kind >= 2 && values.size() >= 2) {
      auto partner = values[pick(0, values.size() - 2)];
      if (kind == 2 && partner.second == s) {
        body += "    " + res + " = dl.add " + cur + ", " + partner.first +
                " : " + typeOf(s) + "\n";
        values.push_back({res, out});
        continue;
      }
      if (kind == 3 && partner.second.size() == s.size()) {
        bool same = true;
        for (size_t d = 0; d < s.size(); ++d)
          if (d != 1 && partner.second[d] != s[d])
            same = false;
        if (same) {
          out[1] = s[1] + partner.second[1];
          body += "    " + res + " = dl.concat " + cur + ", " +
                  partner.first + " {axis = 1 : i64} : (" + typeOf(s) +
                  ", " + typeOf(partner.second) + ") -> " + typeOf(out) +
                  "\n";
          values.push_back({res, out});
          continue;
        }
      }
    }
    if (kind == 1 || kind >= 2) {
      if (maps && s[2] >= 4 && pick(0, 1)) {
        out[2] /= 2;
        out[3] /= 2;
        body += "    " + res + " = dl.pool2d max " + cur +
                " {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : " +
                typeOf(s) + " -> " + typeOf(out) + "\n";
      } else {
        body += "    " + res + " = dl.relu " + cur + " : " + typeOf(s) + "\n";
      }
      values.push_back({res, out});
      continue;
    }
    std::string w = "%w" + std::to_string(paramId);
    std::string b = "%b" + std::to_string(paramId);
    std::string pname = "p" + std::to_string(paramId++);
    if (maps) {
      out[1] = pick(1, 3) * 2;
      std::vector<int64_t> ws = {out[1], s[1], 3, 3};
      params += "    " + w + " = dl.param \"" + pname + ".w\" : " +
                typeOf(ws) + "\n";
      params += "    " + b + " = dl.param \"" + pname + ".b\" : " +
                typeOf({out[1]}) + "\n";
      body += "    " + res + " = dl.conv2d " + cur + ", " + w + ", " + b +
              " {padding = array<i64: 1, 1, 1, 1>} : (" + typeOf(s) + ", " +
              typeOf(ws) + ", " + typeOf({out[1]}) + ") -> " + typeOf(out) +
              "\n";
    } else {
      out[1] = pick(1, 4) * 2;
      std::vector<int64_t> ws = {out[1], s[1]};
      params += "    " + w + " = dl.param \"" + pname + ".w\" : " +
                typeOf(ws) + "\n";
      params += "    " + b + " = dl.param \"" + pname + ".b\" : " +
                typeOf({out[1]}) + "\n";
      body += "    " + res + " = dl.dense " + cur + ", " + w + ", " + b +
              " : (" + typeOf(s) + ", " + typeOf(ws) + ", " +
              typeOf({out[1]}) + ") -> " + typeOf(out) + "\n";
    }
    values.push_back({res, out});
  }
  auto [last, lastShape] = values.back();
  return "module {\n  func.func @main(%x: " + argType + ") -> " +
         typeOf(lastShape) + " {\n" + params + body + "    return " + last +
         " : " + typeOf(lastShape) + "\n  }\n}\n";
}

Cluster randomCluster(std::mt19937 &rng, int64_t n) {
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  Cluster c;
  c.name = "random";
  c.topology = uni(0, 1) < 0.5 ? Topology::full : Topology::shared;
  c.bandwidth = std::pow(10.0, uni(5, 9));
  c.latency = std::pow(10.0, uni(-6, -3));
  for (int64_t i = 0; i < n; ++i) {
    ClusterDevice d;
    d.name = "d" + std::to_string(i);
    d.flops = std::pow(10.0, uni(6, 9));
    d.memBw = std::pow(10.0, uni(7, 10));
    d.memory = 1 << 30;
    d.powerActive = uni(2, 8);
    d.powerIdle = uni(0.5, 2);
    c.devices.push_back(d);
  }
  return c;
}

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
  int checked = 0, dags = 0, limited = 0, attempts = 0;
  int bytesChecked = 0;
  while (checked < 240 && attempts < 5000) {
    ++attempts;
    bool dag = attempts % 2 == 0;
    std::string text = randomModel(rng, dag);
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
    ASSERT_TRUE(module) << text;
    auto fn = *module->getOps<func::FuncOp>().begin();
    int64_t devices = std::uniform_int_distribution<int64_t>(2, 4)(rng);
    Cluster cluster = randomCluster(rng, devices);
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
