//===- TimelineTest.cpp - The evaluator's per-device timeline -------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file checks, on random layer graphs, clusters and choices of
// candidates (fused tiles included), that the timeline search::evaluate
// records is the schedule behind its latency: steps follow each other from
// 0 and the last ends at the evaluation's latency bit for bit (the end of
// report.html's Gantt chart is plan.json's predicted_latency_s); every
// interval lies in its step, compute after the step's communication; and
// each device's compute and communication intervals add up to its
// DeviceReport.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "dl/Registration.h"
#include "passes/Search/Search.h"
#include "RandomModels.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include <gtest/gtest.h>
#include <random>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::search;

namespace {

TEST(Timeline, IsTheScheduleBehindTheLatency) {
  DialectRegistry registry;
  registerDLDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  std::mt19937 rng(20261125);
  dl_test::RngChooser choose(rng);
  int checked = 0, withComm = 0;
  for (int attempt = 0; attempt < 400 && checked < 120; ++attempt) {
    std::string text = dl_test::randomModel(choose, attempt % 2 == 0);
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
    ASSERT_TRUE(module) << text;
    auto fn = *module->getOps<func::FuncOp>().begin();
    int64_t devices = std::uniform_int_distribution<int64_t>(2, 4)(rng);
    Cluster cluster = dl_test::randomCluster(choose, devices);
    auto problem = buildProblem(fn, cluster, Options());
    ASSERT_TRUE(succeeded(problem)) << text;
    Choice choice = dl_test::randomChoice(*problem, rng);
    Timeline timeline;
    Evaluation e = evaluate(*problem, choice, timeline);
    if (!e.valid)
      continue;
    ++checked;
    // The plain evaluation is the same.
    EXPECT_EQ(evaluate(*problem, choice).latency, e.latency);

    ASSERT_FALSE(timeline.steps.empty());
    EXPECT_EQ(timeline.steps.front().start, 0.0);
    EXPECT_EQ(timeline.steps.back().end, e.latency) << text;
    EXPECT_EQ(timeline.steps.back().node, -1);
    for (size_t s = 0; s < timeline.steps.size(); ++s) {
      const TimelineStep &step = timeline.steps[s];
      if (s > 0)
        EXPECT_EQ(step.start, timeline.steps[s - 1].end);
      EXPECT_LE(step.start, step.computeStart);
      EXPECT_LE(step.computeStart, step.end);
    }
    std::vector<double> compute(devices, 0), comm(devices, 0);
    for (const TimelineInterval &iv : timeline.intervals) {
      ASSERT_GE(iv.step, 0);
      ASSERT_LT(iv.step, static_cast<int>(timeline.steps.size()));
      ASSERT_GE(iv.device, 0);
      ASSERT_LT(iv.device, devices);
      const TimelineStep &step = timeline.steps[iv.step];
      EXPECT_LE(step.start, iv.start);
      EXPECT_LE(iv.start, iv.end);
      EXPECT_LE(iv.end, step.end);
      if (iv.kind == "compute") {
        EXPECT_EQ(iv.start, step.computeStart);
        compute[iv.device] += iv.end - iv.start;
      } else {
        EXPECT_LE(iv.end, step.computeStart * (1 + 1e-12));
        comm[iv.device] += iv.end - iv.start;
        withComm += iv.bytes > 0;
      }
    }
    for (int64_t d = 0; d < devices; ++d) {
      EXPECT_NEAR(compute[d], e.devices[d].compute,
                  1e-9 * e.latency + 1e-15);
      EXPECT_NEAR(comm[d], e.devices[d].comm, 1e-9 * e.latency + 1e-15);
    }
  }
  EXPECT_GE(checked, 100);
  // Enough random choices move data to make the communication checks count.
  EXPECT_GE(withComm, 50);
}

} // namespace
