//===- SearchFuzzer.cpp - Fuzz the partition search on valid graphs -------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The input drives every choice of a random valid layer graph and cluster
// (test/unit/RandomModels.h, as the search property test builds them), the
// objective and a memory limit. The exact search then must return a plan
// that
//  * covers every layer exactly once (a fused group covers its span),
//  * keeps every device within its memory limit,
//  * costs what its evaluation says, and what the JSON report says;
// and it must find a plan whenever the least-memory plan fits the limit.
//
//===----------------------------------------------------------------------===//

#include "../unit/RandomModels.h"
#include "FuzzContext.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "passes/Search/Search.h"
#include "llvm/Support/JSON.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>
#include <string>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::search;

namespace {

/// Choices taken from the fuzzer's bytes (the lowest value once they run
/// out).
class BytesChooser : public dl_test::Chooser {
public:
  explicit BytesChooser(FuzzedDataProvider &in) : in(in) {}
  int64_t pick(int64_t lo, int64_t hi) override {
    return in.ConsumeIntegralInRange<int64_t>(lo, hi);
  }
  double uniform(double lo, double hi) override {
    return in.ConsumeFloatingPointInRange<double>(lo, hi);
  }

private:
  FuzzedDataProvider &in;
};

std::string text;

[[noreturn]] void fail(const std::string &what) {
  dl_fuzz::fail("search", what, "model:\n" + text);
}

void check(bool ok, const std::string &what) {
  if (!ok)
    fail(what);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  BytesChooser choose(in);
  MLIRContext &ctx = dl_fuzz::context();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    diagnostics += diag.str() + "\n";
    return success();
  });

  bool dag = choose.pick(0, 1);
  text = dl_test::randomModel(choose, dag);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
  check(bool(module), "the random model does not parse: " + diagnostics);
  auto fn = *module->getOps<func::FuncOp>().begin();
  Cluster cluster = dl_test::randomCluster(choose, choose.pick(1, 4));
  Options options;
  int64_t obj = choose.pick(0, 2);
  options.objective = obj == 0   ? Objective::Latency
                      : obj == 1 ? Objective::Energy
                                 : Objective::Memory;
  options.fusedTiles = choose.pick(0, 1);
  FailureOr<Problem> problem = buildProblem(fn, cluster, options);
  check(succeeded(problem), "buildProblem failed: " + diagnostics);

  // Half the inputs get a memory limit between a quarter and twice the
  // least footprint, which a memory-objective search (the probe) finds
  // first; the others skip the probe (the memory DP is the costly part).
  Result least;
  int64_t limit = -1;
  if (choose.pick(0, 1)) {
    Problem probe = *problem;
    probe.options.objective = Objective::Memory;
    least = searchExact(probe);
    check(least.feasible, "no plan at all without a memory limit");
    limit = least.eval.maxMemory() * choose.pick(1, 8) / 4;
    problem->options.memoryLimit = limit;
    problem->limits.assign(cluster.size(), limit);
  }

  Result r = searchExact(*problem);
  if (!r.feasible) {
    check(limit >= 0, "no plan at all without a memory limit");
    check(!least.exact || limit < least.eval.maxMemory(),
          "no plan found although the least-memory plan (" +
              std::to_string(least.eval.maxMemory()) + " B) fits the limit " +
              std::to_string(limit));
    return 0;
  }
  const Problem &p = *problem;

  // The lower bound never exceeds the reported cost; exact means gap 0.
  check(r.lowerBound <= r.cost, "lower bound above the reported cost");
  check(!r.exact || r.gap() == 0, "an exact result with a gap");

  // Every layer covered exactly once.
  check(r.choice.size() == p.nodes.size(), "choice size");
  std::vector<int> cover(p.nodes.size(), 0);
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    int c = r.choice[i];
    if (c < 0)
      continue;
    check(size_t(c) < p.nodes[i].cands.size(), "candidate index out of range");
    int64_t span = p.nodes[i].cands[c].span;
    check(span >= 1 && i + span <= p.nodes.size(), "span out of range");
    for (int64_t k = 0; k < span; ++k)
      ++cover[i + k];
  }
  for (size_t i = 0; i < p.nodes.size(); ++i)
    check(cover[i] == 1, "layer " + std::to_string(i) + " covered " +
                             std::to_string(cover[i]) + " times");

  // Memory within the limits.
  check(r.eval.devices.size() == size_t(cluster.size()), "device reports");
  for (size_t d = 0; d < r.eval.devices.size(); ++d)
    check(r.eval.devices[d].peakMemory() <= p.limits[d],
          "device " + std::to_string(d) + " over its memory limit");
  check(r.eval.overLimitDevice(p) < 0, "overLimitDevice");

  // The cost is the evaluation's, and the report's.
  Evaluation e = evaluate(p, r.choice);
  check(r.cost == objectiveValue(p, e), "cost differs from the evaluation");
  check(e.bytes == r.eval.bytes && e.latency == r.eval.latency &&
            e.energy == r.eval.energy && e.maxMemory() == r.eval.maxMemory(),
        "the result's evaluation differs from re-evaluating its choice");
  check(r.eval.layers.size() <= p.nodes.size(), "layer reports");
  int64_t layerBytes = 0;
  for (const LayerReport &l : r.eval.layers)
    layerBytes += l.bytes;
  check(layerBytes <= r.eval.bytes, "layer bytes exceed the total");

  std::string json = renderJson(p, r);
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  if (!parsed) {
    std::string msg = llvm::toString(parsed.takeError());
    fail("the JSON report does not parse: " + msg + "\n" + json);
  }
  const llvm::json::Object *root = parsed->getAsObject();
  check(root && root->getNumber("cost") == r.cost &&
            root->getInteger("bytes") == r.eval.bytes &&
            root->getInteger("peak_memory_bytes") == r.eval.maxMemory() &&
            root->getNumber("latency_s") == r.eval.latency,
        "the JSON report differs from the result:\n" + json);
  (void)renderTable(p, r);
  return 0;
}
