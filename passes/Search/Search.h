//===- Search.h - Exact partition search over a layer graph -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the plan search behind dl-search-partition: the
// problem (layers, tensors, per-layer candidates from
// PartitionableOpInterface), the sequential evaluator that prices one
// choice of candidates exactly as dl-apply-partition would execute it, the
// exact frontier dynamic program and a brute-force enumerator used by the
// property tests.
//
//===----------------------------------------------------------------------===//

#ifndef DL_PASSES_SEARCH_SEARCH_H
#define DL_PASSES_SEARCH_SEARCH_H

#include "dialects/DL/DLOps.h"
#include "lib/Cost/CostModel.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::dl::search {

enum class Objective { Latency, Throughput, Energy, Memory };

struct Options {
  Objective objective = Objective::Latency;
  /// Per-device memory limit [B]; 0 uses each device's capacity (and a
  /// device with capacity 0 is unlimited).
  int64_t memoryLimit = 0;
  /// Fused-tile (FTP) composite candidates over runs of conv/pool layers.
  bool fusedTiles = true;
  /// Longest fused run (DeepThings: 16).
  int64_t maxFusedLayers = 16;
  /// Largest Pareto front kept per state when memory is constrained; when
  /// it is exceeded the result is flagged as not proven optimal and
  /// carries a lower bound and the gap.
  int64_t paretoCap = 1 << 14;
  /// Work budget of the memory-mode (Pareto) DP and of its heuristic runs,
  /// in label visits (a label created or compared; roughly 1-5 ns each),
  /// also sizing the bounded runs (their rounds and fronts).
  /// When the exact run would exceed it, it stops and the best plan the
  /// bounded runs found is reported with a proven lower bound and the gap.
  /// Deterministic: the same input gives the same plan. 0: unlimited.
  int64_t workBudget = 30'000'000;
  /// Throughput: micro-batch counts tried.
  std::vector<int64_t> microbatches = {1, 2, 4, 8, 16};
  /// Throughput: fewest pipeline stages (tests use it to compare
  /// multi-stage pipelines with brute force).
  int64_t minStages = 1;
};

/// An immutable array whose copies share one buffer: layers with the same
/// signature share their candidates' per-device costs.
template <typename T> class SharedArray {
public:
  SharedArray() = default;
  explicit SharedArray(std::vector<T> values)
      : data(std::make_shared<const std::vector<T>>(std::move(values))),
        count(data->size()) {}
  const T &operator[](size_t i) const { return (*data)[i]; }
  size_t size() const { return count; }
  const T *begin() const { return data ? data->data() : nullptr; }
  const T *end() const { return begin() + count; }
  /// The first `n` elements, sharing this buffer.
  SharedArray prefix(size_t n) const {
    SharedArray r = *this;
    r.count = std::min(n, count);
    return r;
  }

private:
  std::shared_ptr<const std::vector<T>> data;
  size_t count = 0;
};

/// An immutable string whose copies share one buffer.
class SharedString {
public:
  SharedString() = default;
  SharedString(std::string value)
      : data(std::make_shared<const std::string>(std::move(value))) {}
  const std::string &str() const {
    static const std::string empty;
    return data ? *data : empty;
  }

private:
  std::shared_ptr<const std::string> data;
};

/// One way to execute a layer, or a fused group of `span` layers. Copies
/// share their arrays and name, so copying a candidate allocates nothing.
struct Candidate {
  SharedString name;
  /// One plan per layer of the span.
  SharedArray<PlanAttr> plans;
  int64_t span = 1;
  /// Per activation operand slot of the node: the interned needs
  /// (Problem::needSets), or -1 if the operand is not read.
  SharedArray<int> needsId;
  /// The interned layout (Problem::layouts) the last layer of the span
  /// produces.
  int resultId = -1;
  /// Per device: compute time [s], parameter bytes, and the bytes of the
  /// buffers the candidate's parts allocate beyond the live tensors and the
  /// operand buffers its redistributions allocate (cost::bufferProfile):
  /// the parts' results; for fused tiles the peak of the tile loop.
  SharedArray<double> compute;
  SharedArray<int64_t> weightBytes;
  SharedArray<int64_t> bufferBytes;
  /// Communication inside the candidate (LSTM per-step all-gathers).
  double internalTime = 0;
  int64_t internalBytes = 0;
  SharedArray<double> internalBusy;
  double maxCompute = 0;
};

struct TensorInfo {
  llvm::SmallVector<int64_t, 4> shape;
  /// Producing node, or -1 for a function argument.
  int producer = -1;
  /// Consuming nodes in order (with repeats for repeated operands).
  std::vector<int> uses;
  bool returned = false;
  int lastUse = -1;
};

struct Node {
  Operation *op = nullptr;
  std::string name;
  /// Per op operand: tensor id, or -1 for a parameter.
  std::vector<int> operands;
  int result = -1;
  std::vector<Candidate> cands;
};

/// Memoised redistribution costs and layout sizes of a problem (Search.cpp).
struct EngineMemo;

/// Owns a problem's EngineMemo. Copying a problem starts an empty memo: the
/// copy interns layouts of its own from then on, so ids would not match.
class EngineMemoHolder {
public:
  EngineMemoHolder();
  EngineMemoHolder(const EngineMemoHolder &);
  EngineMemoHolder(EngineMemoHolder &&) noexcept;
  EngineMemoHolder &operator=(const EngineMemoHolder &);
  EngineMemoHolder &operator=(EngineMemoHolder &&) noexcept;
  ~EngineMemoHolder();
  EngineMemo &get() { return *memo; }

private:
  std::unique_ptr<EngineMemo> memo;
};

/// A planning problem: the layer graph of one function and a cluster.
/// The cluster must not change once the problem is built (the memo of
/// communication times depends on it).
struct Problem {
  Cluster cluster;
  Options options;
  std::vector<Node> nodes;
  std::vector<TensorInfo> tensors;
  std::vector<int> returns;
  /// Tensors live before node i (produced earlier, used at i or later or
  /// returned), sorted.
  std::vector<std::vector<int>> liveAt;
  /// Interned layouts and needs.
  std::vector<cost::Layout> layouts;
  std::map<std::string, int, std::less<>> layoutIds;
  std::vector<std::vector<cost::Need>> needSets;
  std::map<std::string, int, std::less<>> needIds;
  /// Per-device memory limits [B] (INT64_MAX: unlimited).
  std::vector<int64_t> limits;
  /// Shared by every evaluation and search run on this problem.
  EngineMemoHolder memo;

  int internLayout(const cost::Layout &layout);
  int internNeeds(const std::vector<cost::Need> &needs);
  /// The interned layout of a model input: whole on device 0.
  int inputLayout(int tensor);
  /// Keeps in `layouts` (tensor id -> layout id) only the tensors live
  /// before node `pos`.
  void keepLive(std::map<int, int> &layouts, int pos) const;
  int64_t numDevices() const { return cluster.size(); }
};

/// Builds the problem for `fn`. Emits an error on the first op that is not
/// a partitionable layer and fails.
FailureOr<Problem> buildProblem(func::FuncOp fn, const Cluster &cluster,
                                const Options &options);

/// Candidate index per node; -1 for a node inside a fused group chosen at
/// an earlier node.
using Choice = std::vector<int>;

struct LayerReport {
  int node = 0;
  std::string scheme;
  double time = 0;
  int64_t bytes = 0;
  std::string runnerUp;
  double runnerUpCost = -1;
};

struct DeviceReport {
  double compute = 0, comm = 0, idle = 0, energy = 0;
  int64_t weights = 0, peakActivations = 0;
  int64_t peakMemory() const { return weights + peakActivations; }
};

/// The exact cost of one choice, executed layer after layer as
/// dl-apply-partition emits it (bulk synchronous: each layer's
/// redistribution, then its compute; the model outputs are assembled on
/// device 0 at the end).
struct Evaluation {
  bool valid = true;
  double latency = 0;
  double energy = 0;
  int64_t bytes = 0;
  std::vector<LayerReport> layers;
  std::vector<DeviceReport> devices;
  int64_t maxMemory() const;
  /// The first device over its limit, or -1.
  int overLimitDevice(const Problem &p) const;
  /// The layer at which device `d` reached its activation peak.
  std::vector<int> peakAt;
};

/// One interval of a predicted timeline: `device` busy computing or
/// communicating for step `step` of the timeline.
struct TimelineInterval {
  int64_t device = 0;
  int step = 0;
  /// "compute", a collective of the redistribution (cost::stringifyCommKind)
  /// or "internal" (communication inside a candidate: LSTM per-step
  /// all-gathers).
  std::string kind;
  double start = 0, end = 0;
  /// Bytes the communication step moves in total (0 for compute).
  int64_t bytes = 0;
};

/// One step of the bulk-synchronous execution the evaluator prices: a node
/// (or fused group) under its candidate, or the final assembly of the
/// outputs on device 0 (`node` = -1).
struct TimelineStep {
  int node = -1;
  int64_t span = 0;
  std::string scheme;
  /// Its redistribution runs in [start, computeStart), its compute in
  /// [computeStart, end).
  double start = 0, computeStart = 0, end = 0;
};

/// The per-device timeline behind an evaluation's latency: the end of the
/// last step is `Evaluation::latency`, bit for bit.
struct Timeline {
  std::vector<TimelineStep> steps;
  std::vector<TimelineInterval> intervals;
};

Evaluation evaluate(const Problem &p, const Choice &choice);
/// As above, also recording when each device computes and communicates.
Evaluation evaluate(const Problem &p, const Choice &choice,
                    Timeline &timeline);

/// A choice replayed as events per rank instead of bulk-synchronous steps:
/// every rank runs the layers in program order and starts a step as soon
/// as it is done with its previous one; a message leaves when its sender
/// reaches the step, queues on the medium (shared) or on its sender's and
/// receiver's ports, arrives one latency after its last byte and delays
/// only its receiver (and, above Open MPI's eager limit, the sender until
/// its bytes are out). All-reduces start when their last member arrives.
/// Inferences run back to back, as the rank programs' --repeat loop runs
/// them (no barrier between them).
struct Simulation {
  bool valid = true;
  /// Rank 0's mean time per inference over `timed` inferences after
  /// `warmup` ones [s]: what the rank programs print as mean latency.
  double latency = 0;
  /// The first inference, every device idle at time 0 [s].
  double firstLatency = 0;
  /// Per device: when it finished its part of the first inference [s].
  std::vector<double> firstEnd;
};

/// Open MPI's eager limit over TCP (btl_tcp_eager_limit), as `simulate`
/// uses it: a larger message leaves only once its receiver has posted the
/// receive, and holds its sender until its bytes are out.
constexpr int64_t kEagerLimitBytes = 64 * 1024;

Simulation simulate(const Problem &p, const Choice &choice, int warmup = 2,
                    int timed = 4);
/// The same over the candidate each step runs: `steps[i]` for the step
/// starting at node i (nullptr inside a fused group).
Simulation simulate(const Problem &p, llvm::ArrayRef<const Candidate *> steps,
                    int warmup = 2, int timed = 4);
/// The pipeline stage plans `plans` (one per node, as evaluatePipeline
/// takes them) run with one micro-batch; nothing if they are not
/// executable so.
std::optional<Simulation> simulateStaged(Problem &p,
                                         llvm::ArrayRef<PlanAttr> plans,
                                         int warmup = 2, int timed = 4);

/// The objective value of an evaluation (seconds, joules or bytes).
double objectiveValue(const Problem &p, const Evaluation &e);

struct Result {
  bool feasible = false;
  Choice choice;
  Evaluation eval;
  double cost = 0;
  /// Throughput: stages and micro-batches (1 stage, 1 micro-batch
  /// otherwise) and the period [s].
  int64_t stages = 1;
  int64_t microbatches = 1;
  double period = 0;
  /// Whether optimality is proven (false when a Pareto front was
  /// truncated or the exact memory-mode DP hit its work budget; `gapNote`
  /// then says what was cut, and `lowerBound` bounds the optimum).
  bool exact = true;
  std::string gapNote;
  /// A proven lower bound on the optimal objective value (equal to `cost`
  /// when exact), and how it was obtained.
  double lowerBound = 0;
  std::string boundMethod;
  /// cost - lowerBound, and relative to the lower bound (0 when exact;
  /// infinite when the bound is 0 and the gap is not).
  double gap() const { return exact ? 0 : std::max(0.0, cost - lowerBound); }
  double relativeGap() const {
    double g = gap();
    return g == 0           ? 0
           : lowerBound > 0 ? g / lowerBound
                            : std::numeric_limits<double>::infinity();
  }
  /// The memory-mode DP stopped at Options::workBudget (internal).
  bool budgetExceeded = false;
  /// No plan fits and that is proven (false: none was found within the
  /// work budget, which does not prove that none exists).
  bool infeasibleProven = true;
  std::string method;
  int64_t statesExplored = 0;
  int64_t maxStates = 0;
  /// Throughput: the plan of every node (pipeline stages), used instead of
  /// `choice`.
  std::vector<PlanAttr> plans;
  /// Throughput: per node, its stage's device range (first, count).
  std::vector<std::pair<int64_t, int64_t>> stageRanges;
  /// Throughput: the best pipeline for each other micro-batch count tried
  /// that has one (within the limits), with its batch time.
  struct MicrobatchAlternative {
    int64_t microbatches = 1;
    int64_t stages = 1;
    double cost = 0;
    std::vector<PlanAttr> plans;
  };
  std::vector<MicrobatchAlternative> microbatchAlternatives;
};

/// Throughput: the pipeline minimising the time of one batch,
/// sum_k stage_k + (M - 1) * period (M equal micro-batches through K
/// stages in order). Stages are contiguous layer ranges on contiguous
/// device ranges (stage 0 from device 0 on, each next stage on the devices
/// after the previous one's); inside a stage every layer takes one of its
/// candidates restricted to the stage's devices (single device, replicated,
/// data parallel over the micro-batch, m splits), priced at one
/// micro-batch. A stage's time is the sum of its layers' steps, each
/// redistributing its operands from wherever they are (the previous
/// stage's layout included) with the generic redistribution cost; the
/// last stage also assembles the outputs on device 0; for the period, a
/// stage also spends the time its devices send to later stages, and the
/// period is the slowest stage. Every device must hold its parameters and
/// its peak of activations and buffers at one micro-batch (with M > 1,
/// plus the earlier micro-batches' outputs it holds until device 0 gathers
/// them after the last one, or that gathering's peak) within its limit. Exact
/// for this model: a DP over (position, the open stage's device range, live
/// layouts) keeps per state the Pareto front of (closed stages' sum, slowest
/// closed stage, last closed stage with its sends, open stage's time) and,
/// when the fastest plan does not fit, per-device bytes, for every
/// micro-batch count. Fills per-layer runner-ups and the best plan of
/// every other micro-batch count.
Result searchPipeline(Problem &p);

/// The price of a pipeline as searchPipeline prices it.
struct PipelineEvaluation {
  int64_t stages = 0;
  double period = 0;
  /// sum_k stage_k + (M - 1) * period, also in eval.latency; eval's layer
  /// times are
  /// per micro-batch, its device totals per batch.
  double latency = 0;
  Evaluation eval;
};

/// Prices the plans `plans` (one per node, stage indices non-decreasing)
/// run with `m` micro-batches; nothing if a plan is not executable as a
/// pipeline stage's layer (fused tiles, a device outside the cluster, a
/// micro-batch that its replicas do not divide, ...).
std::optional<PipelineEvaluation>
evaluatePipeline(Problem &p, llvm::ArrayRef<PlanAttr> plans, int64_t m);

/// Throughput, when no pipeline fits the limits: the pipeline whose worst
/// device exceeds its limit by the least (exact, over the same plans as
/// searchPipeline), for the error message.
Result leastMemoryPipeline(Problem &p);

/// The candidates searchPipeline considers for `node` in a stage on the
/// devices first..first+count-1 with `m` micro-batches (tests).
std::vector<Candidate> pipelineCandidates(Problem &p, size_t node,
                                          int64_t first, int64_t count,
                                          int64_t m);

/// Exact search for the options' objective.
Result searchExact(Problem &p);

/// Minimum objective value over every choice (exponential; tests only).
/// Returns +inf when no choice is feasible.
double bruteForce(const Problem &p, Choice *best = nullptr);

/// Minimum batch time over every pipeline searchPipeline considers
/// (exponential; tests only). Returns +inf when none is feasible.
double bruteForcePipeline(Problem &p);

/// Writes the chosen plans on the layers.
void applyChoice(Problem &p, const Choice &choice);

/// Renders the report as a readable table and as JSON.
std::string renderTable(const Problem &p, const Result &r);
std::string renderJson(const Problem &p, const Result &r);

} // namespace mlir::dl::search

#endif // DL_PASSES_SEARCH_SEARCH_H
