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

#include "RandomModels.h"
#include "dialects/DL/DLOps.h"
#include "dl/CommAnalysis.h"
#include "dl/Registration.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "passes/Passes.h"
#include "passes/Search/Search.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <gtest/gtest.h>
#include <random>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::search;
using dl_test::randomCluster;
using dl_test::randomModel;
using dl_test::RngChooser;

namespace {

/// The objective a random draw stands for (0 energy, 1 memory, else
/// latency).
Objective objectiveFor(int64_t draw) {
  return draw == 0   ? Objective::Energy
         : draw == 1 ? Objective::Memory
                     : Objective::Latency;
}

/// Checks every layer's runner-up in `r` (name and cost, bit for bit)
/// against a full evaluation of every plan differing from the chosen one
/// only at that layer; counts the layers and those with a runner-up.
void checkRunnerUps(const Problem &problem, const Result &r,
                    const std::string &text, int &layers, int &named) {
  for (const LayerReport &lr : r.eval.layers) {
    size_t i = lr.node;
    const std::vector<Candidate> &cands = problem.nodes[i].cands;
    double best = std::numeric_limits<double>::infinity();
    std::string name;
    for (size_t ci = 0; ci < cands.size(); ++ci) {
      if (static_cast<int>(ci) == r.choice[i] ||
          cands[ci].span != cands[r.choice[i]].span)
        continue;
      Choice alt = r.choice;
      alt[i] = ci;
      Evaluation e = evaluate(problem, alt);
      if (!e.valid || e.overLimitDevice(problem) >= 0)
        continue;
      double v = objectiveValue(problem, e);
      if (v < best) {
        best = v;
        name = cands[ci].name.str();
      }
    }
    if (std::isfinite(best)) {
      EXPECT_EQ(lr.runnerUp, name) << text << "layer " << i;
      EXPECT_EQ(lr.runnerUpCost, best) << text << "layer " << i;
      ++named;
    } else {
      EXPECT_TRUE(lr.runnerUp.empty()) << text << "layer " << i;
    }
    ++layers;
  }
}

/// A random search problem: the parsed model, the cluster and the problem
/// built on them (a failure where the model does not parse or build).
struct Drawn {
  OwningOpRef<ModuleOp> module;
  Cluster cluster;
  int64_t devices = 0;
  FailureOr<Problem> problem = failure();
};

/// Throughput: checks every layer's runner-up in `r` (name and batch
/// time, bit for bit) against evaluatePipeline of every plan that differs
/// from the chosen one only in that layer's candidate (of its stage's
/// range, same stage, same micro-batch count) and fits the limits, and the
/// best plan reported for every other micro-batch count against
/// evaluatePipeline of its plans.
void checkPipelineRunnerUps(Problem &problem, const Result &r,
                            const std::string &text, int &layers, int &named) {
  for (const LayerReport &lr : r.eval.layers) {
    size_t i = lr.node;
    auto [first, count] = r.stageRanges[i];
    PlanAttr chosen = r.plans[i];
    double best = std::numeric_limits<double>::infinity();
    std::string name;
    for (const Candidate &c :
         pipelineCandidates(problem, i, first, count, r.microbatches)) {
      PlanAttr plan = c.plans[0];
      PlanAttr staged =
          PlanAttr::get(plan.getContext(), chosen.getStage(), plan.getDevices(),
                        plan.getReplicas(), plan.getSplits(), plan.getTile());
      if (staged == chosen)
        continue;
      std::vector<PlanAttr> alt = r.plans;
      alt[i] = staged;
      auto priced = evaluatePipeline(problem, alt, r.microbatches);
      if (!priced || priced->eval.overLimitDevice(problem) >= 0)
        continue;
      EXPECT_EQ(priced->stages, r.stages) << text;
      if (priced->latency < best) {
        best = priced->latency;
        name = c.name.str();
      }
    }
    if (std::isfinite(best)) {
      EXPECT_EQ(lr.runnerUp, name) << text << "layer " << i;
      EXPECT_EQ(lr.runnerUpCost, best) << text << "layer " << i;
      EXPECT_GE(lr.runnerUpCost, r.cost) << text << "layer " << i;
      ++named;
    } else {
      EXPECT_TRUE(lr.runnerUp.empty()) << text << "layer " << i;
    }
    ++layers;
  }
  for (const Result::MicrobatchAlternative &a : r.microbatchAlternatives) {
    EXPECT_NE(a.microbatches, r.microbatches) << text;
    auto priced = evaluatePipeline(problem, a.plans, a.microbatches);
    ASSERT_TRUE(priced.has_value()) << text;
    EXPECT_EQ(priced->latency, a.cost) << text;
    EXPECT_EQ(priced->stages, a.stages) << text;
    EXPECT_LT(priced->eval.overLimitDevice(problem), 0) << text;
    EXPECT_GE(a.cost, r.cost) << text;
  }
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

  /// Parses `text`, draws a cluster of `minDevices`..`maxDevices` devices,
  /// lets `configure` set the options (after the cluster: it may draw from
  /// `rng` too) and builds the problem.
  Drawn draw(const std::string &text, std::mt19937 &rng, RngChooser &choose,
             int64_t minDevices, int64_t maxDevices,
             llvm::function_ref<void(Options &)> configure) {
    Drawn d;
    d.module = parseSourceString<ModuleOp>(text, &ctx);
    if (!d.module) {
      ADD_FAILURE() << "does not parse:\n" << text;
      return d;
    }
    auto fn = *d.module->getOps<func::FuncOp>().begin();
    d.devices =
        std::uniform_int_distribution<int64_t>(minDevices, maxDevices)(rng);
    d.cluster = randomCluster(choose, d.devices);
    Options options;
    configure(options);
    d.problem = buildProblem(fn, d.cluster, options);
    return d;
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
    int64_t obj = 0;
    auto [module, cluster, devices, problem] =
        draw(text, rng, choose, 2, 4, [&](Options &options) {
          obj = std::uniform_int_distribution<int64_t>(0, 3)(rng);
          options.objective = objectiveFor(obj);
        });
    ASSERT_TRUE(succeeded(problem)) << text;
    double space = 1;
    for (const Node &n : problem->nodes)
      space *= n.cands.size();
    if (space > 20000)
      continue;
    // Sometimes a limit between the smallest and the largest footprint.
    if (problem->options.objective == Objective::Latency && attempts % 3 == 0) {
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

// Runner-ups (per layer, the cheapest plan differing from the chosen one
// only at that layer) equal a full evaluation of every such plan, on
// random chains and DAGs of up to 100 layers.
TEST_F(SearchProperty, RunnerUpsEqualFullEvaluation) {
  std::mt19937 rng(20261126);
  RngChooser choose(rng);
  int models = 0, layers = 0, long_ = 0, named = 0;
  for (int attempt = 0; models < 40 && attempt < 400; ++attempt) {
    // Long chains, short chains and small DAGs (the frontier of a random
    // DAG grows with its length, and so does the search).
    int kind = attempt % 3;
    std::string text = kind == 0   ? randomModel(choose, false, 12, 30)
                       : kind == 1 ? randomModel(choose, false, 2, 12)
                                   : randomModel(choose, true, 2, 6);
    auto [module, cluster, devices, problem] =
        draw(text, rng, choose, 2, 4, [&](Options &options) {
          // The memory objective and limits (device capacities included)
          // carry Pareto fronts per state: small models only.
          int64_t obj = std::uniform_int_distribution<int64_t>(0, 2)(rng);
          if (kind == 0 && obj == 1)
            obj = 2;
          options.objective = objectiveFor(obj);
        });
    ASSERT_TRUE(succeeded(problem)) << text;
    if (kind == 0)
      problem->limits.assign(devices, std::numeric_limits<int64_t>::max());
    if (problem->options.objective == Objective::Latency && kind != 0 &&
        attempt % 4 == 1) {
      Problem probe = *problem;
      probe.options.objective = Objective::Memory;
      Result least = searchExact(probe);
      ASSERT_TRUE(least.feasible);
      int64_t limit = least.eval.maxMemory() + least.eval.maxMemory() / 8;
      problem->limits.assign(devices, limit);
    }
    Result r = searchExact(*problem);
    ASSERT_TRUE(r.feasible) << text;
    checkRunnerUps(*problem, r, text, layers, named);
    long_ += problem->nodes.size() > 20;
    ++models;
  }
  EXPECT_EQ(models, 40);
  EXPECT_GE(long_, 4);
  EXPECT_GE(named, layers / 2);
}

} // namespace

namespace {
// Throughput: the pipeline DP (stages on device ranges, d/m splits inside
// a stage, micro-batch counts) finds exactly the minimum batch time of an
// enumeration of every stage structure and every candidate of every
// layer, and its value is the price evaluatePipeline gives its plans
// (half of the models are held to at least two stages). A third of the
// models run under random per-device memory limits between the least
// footprint of any pipeline and the fastest pipeline's (some of them at
// exactly the least, where a plan must still be found, or just below it,
// where none may be); the runner-ups and the other micro-batch counts'
// plans equal evaluatePipeline of their plans.
TEST_F(SearchProperty, PipelineEqualsBruteForce) {
  std::mt19937 rng(20261128);
  RngChooser choose(rng);
  int checked = 0, multiStage = 0, wideStage = 0, dags = 0;
  int limited = 0, constrained = 0, nothingFits = 0, atLeast = 0;
  int layers = 0, named = 0;
  for (int attempt = 0; checked < 30 && attempt < 200; ++attempt) {
    bool dag = attempt % 4 == 3;
    std::string text = randomModel(choose, dag, 2, dag ? 4 : 3);
    // Random small models rarely pipeline; half of them must (on 3-4
    // devices, so that a stage can have several).
    bool staged = attempt % 2;
    auto [module, cluster, devices, problem] =
        draw(text, rng, choose, staged ? 3 : 2, staged ? 4 : 3,
             [&](Options &options) {
               options.objective = Objective::Throughput;
               options.microbatches = {1, 2, 4};
               options.minStages = staged ? 2 : 1;
             });
    ASSERT_TRUE(succeeded(problem)) << text;
    problem->limits.assign(devices, std::numeric_limits<int64_t>::max());
    double fastest = 0;
    int variant = attempt % 9;
    if (variant % 3 == 0) {
      // The least footprint: the pipeline exceeding a limit of 0 by the
      // least.
      Problem probe = *problem;
      probe.limits.assign(devices, 0);
      Result least = leastMemoryPipeline(probe);
      ASSERT_TRUE(least.feasible) << text;
      int64_t floor = least.eval.maxMemory();
      Result unlimited = searchExact(*problem);
      ASSERT_TRUE(unlimited.feasible) << text;
      fastest = unlimited.cost;
      int64_t ceiling = std::max(floor, unlimited.eval.maxMemory());
      for (int64_t d = 0; d < devices; ++d)
        problem->limits[d] =
            variant == 3 ? floor
            : variant == 6
                ? floor - 1
                : std::uniform_int_distribution<int64_t>(floor, ceiling)(rng);
      ++limited;
    }
    Result r = searchExact(*problem);
    double brute = bruteForcePipeline(*problem);
    ASSERT_EQ(r.feasible, std::isfinite(brute)) << text;
    if (variant == 3) {
      EXPECT_TRUE(r.feasible) << text;
      ++atLeast;
    }
    if (variant == 6) {
      EXPECT_FALSE(r.feasible) << text;
      ++nothingFits;
    }
    if (!r.feasible)
      continue;
    EXPECT_EQ(r.cost, brute) << text;
    auto priced = evaluatePipeline(*problem, r.plans, r.microbatches);
    ASSERT_TRUE(priced.has_value()) << text;
    EXPECT_EQ(priced->latency, r.cost) << text;
    EXPECT_EQ(priced->stages, r.stages) << text;
    EXPECT_EQ(priced->period, r.period) << text;
    EXPECT_LT(priced->eval.overLimitDevice(*problem), 0) << text;
    for (size_t d = 0; d < r.eval.devices.size(); ++d)
      EXPECT_EQ(priced->eval.devices[d].peakMemory(),
                r.eval.devices[d].peakMemory())
          << text;
    constrained += variant % 3 == 0 && r.cost > fastest;
    checkPipelineRunnerUps(*problem, r, text, layers, named);
    multiStage += r.stages > 1;
    for (PlanAttr plan : r.plans)
      if (r.stages > 1 && plan.getDevices().size() > 1) {
        ++wideStage;
        break;
      }
    dags += dag;
    ++checked;
  }
  EXPECT_EQ(checked, 30);
  EXPECT_GE(multiStage, 3);
  EXPECT_GE(wideStage, 1);
  EXPECT_GE(dags, 5);
  EXPECT_GE(limited, 10);
  EXPECT_GE(constrained, 2);
  EXPECT_GE(nothingFits, 2);
  EXPECT_GE(atLeast, 2);
  // A layer in a one-device stage has one candidate (no runner-up).
  EXPECT_GE(named, layers / 4);
  llvm::errs() << "pipelines: " << checked << " checked, " << multiStage
               << " with several stages, " << wideStage
               << " with a multi-device stage among them, " << dags << " DAGs; "
               << limited << " under memory limits, " << constrained
               << " of them slower than without, " << nothingFits
               << " where nothing fits; " << layers << " layers, " << named
               << " with a runner-up\n";
}

// Throughput runner-ups on longer random chains and DAGs (no brute force):
// every layer's runner-up equals evaluatePipeline of the best plan
// differing from the chosen one only in that layer's candidate.
TEST_F(SearchProperty, PipelineRunnerUpsEqualFullEvaluation) {
  std::mt19937 rng(20261130);
  RngChooser choose(rng);
  int models = 0, layers = 0, named = 0, multiStage = 0, limited = 0;
  for (int attempt = 0; models < 12 && attempt < 100; ++attempt) {
    bool dag = attempt % 3 == 2;
    // Under a limit the labels carry per-device bytes and the fronts grow
    // quickly with the length (a 12-layer conv chain on 3 devices filled
    // the 16,384-label cap): short models only.
    bool limit = attempt % 4 == 1;
    std::string text =
        randomModel(choose, dag, limit ? 2 : 4, dag || limit ? 6 : 12);
    auto [module, cluster, devices, problem] =
        draw(text, rng, choose, 2, 4, [&](Options &options) {
          options.objective = Objective::Throughput;
          options.microbatches = {1, 2, 4};
          options.minStages = attempt % 2 ? 2 : 1;
        });
    ASSERT_TRUE(succeeded(problem)) << text;
    problem->limits.assign(devices, std::numeric_limits<int64_t>::max());
    if (limit) {
      Result unlimited = searchExact(*problem);
      if (!unlimited.feasible)
        continue;
      // Just below the fastest plan's footprint.
      problem->limits.assign(devices, unlimited.eval.maxMemory() - 1);
      ++limited;
    }
    Result r = searchExact(*problem);
    EXPECT_TRUE(r.exact) << text;
    if (!r.feasible)
      continue;
    checkPipelineRunnerUps(*problem, r, text, layers, named);
    multiStage += r.stages > 1;
    ++models;
  }
  EXPECT_EQ(models, 12);
  EXPECT_GE(multiStage, 3);
  // A layer in a one-device stage has one candidate (no runner-up).
  EXPECT_GE(named, layers / 4);
  llvm::errs() << "pipeline runner-ups: " << models << " models (" << multiStage
               << " with several stages, " << limited << " limited), " << layers
               << " layers, " << named << " with a runner-up\n";
}
} // namespace

namespace {
// Runner-ups on long random chains: 100 layers, dense or conv/pool, 2-4
// devices, latency and energy objectives.
TEST_F(SearchProperty, RunnerUpsEqualFullEvaluationLong) {
  std::mt19937 rng(20261129);
  RngChooser choose(rng);
  int models = 0, layers = 0, named = 0, maps = 0;
  for (; models < 6; ++models) {
    std::string text = randomModel(choose, false, 100, 100);
    auto [module, cluster, devices,
          problem] = draw(text, rng, choose, 2, 4, [&](Options &options) {
      options.objective = models % 2 ? Objective::Energy : Objective::Latency;
    });
    ASSERT_TRUE(succeeded(problem)) << text;
    problem->limits.assign(devices, std::numeric_limits<int64_t>::max());
    Result r = searchExact(*problem);
    ASSERT_TRUE(r.feasible) << text;
    ASSERT_EQ(problem->nodes.size(), 100u);
    checkRunnerUps(*problem, r, text, layers, named);
    maps += text.find("dl.conv2d") != std::string::npos;
  }
  // Fused-tile groups are one report entry.
  EXPECT_GE(layers, 300);
  EXPECT_GE(named, layers / 2);
  EXPECT_GE(maps, 2);
  llvm::errs() << "long chains: " << models << " models (" << maps
               << " conv/pool), " << layers << " report entries, " << named
               << " with a runner-up\n";
}
} // namespace

namespace {
// Bounded search: the exact memory-mode DP cut off by a work budget of one
// label visit, so that only the bounded runs and the lower bounds decide.
// On random small graphs (memory objective, or latency and energy under a
// limit that binds), the reported lower bound is at most the brute-force
// optimum, which is at most the reported cost; a result still flagged
// exact (its cost meets a lower bound) has gap 0 and equals brute force;
// the plan fits the limits and a second run gives the same plan and bound.
// Without the cut-off nothing is truncated on these models: gap 0, lower
// bound = cost = brute force.
TEST_F(SearchProperty, BoundedSearchBracketsOptimum) {
  std::mt19937 rng(20261201);
  RngChooser choose(rng);
  int checked = 0, attempts = 0, limited = 0, withGap = 0, provenByBound = 0,
      notFound = 0;
  while (checked < 60 && attempts < 3000) {
    ++attempts;
    std::string text = randomModel(choose, attempts % 2 == 0);
    auto [module, cluster, devices, problem] =
        draw(text, rng, choose, 2, 4, [&](Options &options) {
          int64_t obj = std::uniform_int_distribution<int64_t>(0, 2)(rng);
          options.objective = obj == 0   ? Objective::Memory
                              : obj == 1 ? Objective::Latency
                                         : Objective::Energy;
        });
    ASSERT_TRUE(succeeded(problem)) << text;
    double space = 1;
    for (const Node &n : problem->nodes)
      space *= n.cands.size();
    if (space > 20000)
      continue;
    problem->limits.assign(devices, std::numeric_limits<int64_t>::max());
    if (problem->options.objective != Objective::Memory) {
      // A limit between the least footprint and the footprint of the
      // unconstrained optimum, so that it binds.
      Problem probe = *problem;
      probe.options.objective = Objective::Memory;
      Result least = searchExact(probe);
      Result free = searchExact(*problem);
      ASSERT_TRUE(least.feasible && free.feasible) << text;
      int64_t lo = least.eval.maxMemory(), hi = free.eval.maxMemory();
      if (hi - lo < 2)
        continue;
      problem->limits.assign(devices, lo + (hi - lo) / 2);
      ++limited;
    }
    double brute = bruteForce(*problem);
    ASSERT_TRUE(std::isfinite(brute)) << text;

    Result full = searchExact(*problem);
    ASSERT_TRUE(full.feasible) << text;
    EXPECT_TRUE(full.exact) << text;
    EXPECT_EQ(full.cost, brute) << text;
    EXPECT_EQ(full.lowerBound, full.cost) << text;
    EXPECT_EQ(full.gap(), 0) << text;

    Problem cut = *problem;
    cut.options.workBudget = 1;
    Result b = searchExact(cut);
    ++checked;
    if (!b.feasible) {
      // Nothing found within the budget: not claimed infeasible.
      EXPECT_FALSE(b.infeasibleProven) << text;
      EXPECT_FALSE(b.exact) << text;
      ++notFound;
      continue;
    }
    EXPECT_LE(b.lowerBound, brute) << text;
    EXPECT_GE(b.cost, brute) << text;
    EXPECT_EQ(b.cost, objectiveValue(cut, b.eval)) << text;
    EXPECT_LT(b.eval.overLimitDevice(cut), 0) << text;
    EXPECT_EQ(b.gap(), b.exact ? 0 : b.cost - b.lowerBound) << text;
    if (b.exact) {
      EXPECT_EQ(b.cost, brute) << text;
      EXPECT_EQ(b.lowerBound, b.cost) << text;
      ++provenByBound;
    } else {
      EXPECT_GT(b.gap(), 0) << text;
      EXPECT_FALSE(b.gapNote.empty()) << text;
      EXPECT_FALSE(b.boundMethod.empty()) << text;
      ++withGap;
    }
    Result again = searchExact(cut);
    EXPECT_EQ(again.choice, b.choice) << text;
    EXPECT_EQ(again.lowerBound, b.lowerBound) << text;
    EXPECT_EQ(again.cost, b.cost) << text;
  }
  llvm::errs() << "bounded search: " << checked << " models (" << limited
               << " under a binding limit), " << provenByBound
               << " proven optimal by a lower bound, " << withGap
               << " with a gap, " << notFound << " without a plan\n";
  EXPECT_EQ(checked, 60);
  EXPECT_GE(limited, 10);
  EXPECT_GE(provenByBound, 5);
  EXPECT_GE(withGap, 5);
}
} // namespace
