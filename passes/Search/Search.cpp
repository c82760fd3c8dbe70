//===- Search.cpp - Exact partition search over a layer graph -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the plan search. Candidates come from
// PartitionableOpInterface only. The dynamic program walks the layers in
// program order; its state at a position is the layout of every live
// tensor (the "frontier"). On a chain the frontier is one tensor, so this
// is the textbook DP over (layer, layout). With residual adds or concat
// branches the frontier holds every tensor still awaiting a consumer, and
// the DP stays exact because a layer's cost depends only on the layouts
// of the tensors it reads (which are in the frontier) and its own choice:
// O(n * K^(w+1)) for K candidates per layer and frontier width w.
//
//===----------------------------------------------------------------------===//

#include "passes/Search/Search.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "passes/Passes.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <unordered_map>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::search;
using cost::Box;
using cost::Layout;
using cost::Need;

static constexpr double kInf = std::numeric_limits<double>::infinity();

/// Device counts from `from` to `n`: every one when `n <= all`, else the
/// powers of two times `from` below `n`, and `n` (group sizes of m splits,
/// widths of pipeline stages).
static std::vector<int64_t> deviceCounts(int64_t from, int64_t n, int64_t all) {
  std::vector<int64_t> c;
  if (n <= all) {
    for (int64_t i = from; i <= n; ++i)
      c.push_back(i);
    return c;
  }
  for (int64_t i = from; i < n; i *= 2)
    c.push_back(i);
  c.push_back(n);
  return c;
}

/// The id of `value` under `key` in `ids`, appending it to `values` when it
/// is new. The key is copied into the map only then (callers build it on
/// the stack).
template <typename T>
static int intern(std::map<std::string, int, std::less<>> &ids,
                  std::vector<T> &values, llvm::StringRef key, const T &value) {
  std::string_view k(key.data(), key.size());
  auto it = ids.find(k);
  if (it != ids.end())
    return it->second;
  values.push_back(value);
  return ids.emplace(std::string(k), values.size() - 1).first->second;
}

int Problem::internLayout(const Layout &layout) {
  llvm::SmallString<256> k;
  layout.appendKey(k);
  return intern(layoutIds, layouts, k, layout);
}

int Problem::internNeeds(const std::vector<Need> &needs) {
  llvm::SmallString<256> k;
  cost::appendNeedsKey(needs, k);
  return intern(needIds, needSets, k, needs);
}

int Problem::inputLayout(int tensor) {
  Layout l;
  l.shards.push_back(cost::Shard{0, Box::full(tensors[tensor].shape)});
  return internLayout(l);
}

void Problem::keepLive(std::map<int, int> &layouts, int pos) const {
  const std::vector<int> &live = liveAt[pos];
  for (auto it = layouts.begin(); it != layouts.end();)
    if (!std::binary_search(live.begin(), live.end(), it->first))
      it = layouts.erase(it);
    else
      ++it;
}

static bool isParameter(Value v) {
  Operation *def = v.getDefiningOp();
  return def && isa<ParamOp, arith::ConstantOp>(def);
}

/// The cluster rate a layer's kernel runs at (ClusterDevice::convFlops for
/// convolutions).
static cost::KernelClass kernelClassOf(Operation *op) {
  return isa<Conv2DOp>(op) ? cost::KernelClass::Conv : cost::KernelClass::Other;
}

/// A convolution part's reduction length: the input channels per group x
/// kernel height x kernel width of the weights it reads (0 for other
/// layers).
static double reductionOf(Operation *op, const LocalSplit &split) {
  if (!isa<Conv2DOp>(op) || split.operands.size() < 2)
    return 0;
  const TensorRegion &w = split.operands[1];
  if (w.sizes.size() != 4)
    return 0;
  return double(w.sizes[1]) * w.sizes[2] * w.sizes[3];
}

static Box boxOf(const TensorRegion &r) {
  Box b;
  b.offsets.assign(r.offsets.begin(), r.offsets.end());
  b.sizes.assign(r.sizes.begin(), r.sizes.end());
  return b;
}

static std::string layerName(Operation *op, size_t index) {
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    return loc.getName().str();
  return (op->getName().stripDialect() + "#" + Twine(index)).str();
}

//===----------------------------------------------------------------------===//
// Candidates
//===----------------------------------------------------------------------===//

/// What a layer's candidates depend on: its op, attributes, operand and
/// result types and which operands are parameters (types and attribute
/// dictionaries are uniqued, so equal pointers mean equal values).
static std::string signatureOf(const Node &node) {
  Operation *op = node.op;
  std::string k;
  auto put = [&](const void *ptr) {
    k.append(reinterpret_cast<const char *>(&ptr), sizeof(ptr));
  };
  put(op->getName().getAsOpaquePointer());
  put(op->getAttrDictionary().getAsOpaquePointer());
  for (Value v : op->getOperands()) {
    put(v.getType().getAsOpaquePointer());
    k.push_back(isParameter(v) ? 'p' : 'a');
  }
  for (Type t : op->getResultTypes())
    put(t.getAsOpaquePointer());
  return k;
}

namespace {
/// A candidate while it is built: its needs and result as boxes (interned
/// by CandidateBuilder::finish) and mutable per-device costs.
struct Draft {
  std::string name;
  std::vector<PlanAttr> plans;
  int64_t span = 1;
  std::vector<std::vector<Need>> needs;
  Layout result;
  std::vector<double> compute;
  std::vector<int64_t> weightBytes;
  std::vector<int64_t> bufferBytes;
  double internalTime = 0;
  int64_t internalBytes = 0;
  std::vector<double> internalBusy;
};

/// One tile of a fused-tile trace, per depth k (layer `last - k`): the
/// compute time on the tile's device, the parameter bytes it reads, its
/// result buffer's bytes, and the region of operand 0 it reads.
struct TileTrace {
  int64_t device = 0;
  Box result;
  std::vector<double> compute;
  std::vector<int64_t> weightBytes, bufferBytes;
  std::vector<Box> input;
};

/// All tiles of one grid traced backward from one last layer; `depth` is
/// the number of layers every tile could be traced through (0: the grid
/// does not fit the last layer's output).
struct FusedTrace {
  std::vector<TileTrace> tiles;
  int64_t depth = 0;
};

struct CandidateBuilder {
  Problem &p;
  MLIRContext *ctx;
  std::vector<double> speeds;

  SmallVector<int64_t> devicesUpTo(int64_t n) {
    SmallVector<int64_t> d;
    for (int64_t i = 0; i < n; ++i)
      d.push_back(i);
    return d;
  }

  /// The compute time of a part on `device`, the parameter bytes it reads
  /// and the bytes of its result buffer (its activation operands are the
  /// redistribution's: Served::keep / Served::die).
  void partCost(int64_t device, const LocalSplit &split, Operation *op,
                double &compute, int64_t &weights, int64_t &buffers) {
    const ClusterDevice &dev = p.cluster.devices[device];
    compute = cost::computeTime(dev, double(split.work.flops),
                                double(split.work.bytes()), kernelClassOf(op),
                                reductionOf(op, split));
    weights = 0;
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      const TensorRegion &r = split.operands[i];
      if (r.needed && isParameter(operand))
        weights += r.numElements() * cost::kElementBytes;
    }
    // Flatten and reshape are reinterpretations: the generated code
    // aliases their operand (docs/codegen.md).
    buffers = isa<FlattenOp, ReshapeOp>(op)
                  ? 0
                  : split.result.numElements() * cost::kElementBytes;
  }

  /// Fills the per-device cost of `c` from its parts.
  void addWork(Draft &c, int64_t device, const LocalSplit &split,
               Operation *op) {
    double t;
    int64_t w, b;
    partCost(device, split, op, t, w, b);
    c.compute[device] += t;
    c.weightBytes[device] += w;
    c.bufferBytes[device] += b;
  }

  void init(Draft &c, const Node &node) {
    int64_t n = p.numDevices();
    c.compute.assign(n, 0);
    c.weightBytes.assign(n, 0);
    c.bufferBytes.assign(n, 0);
    c.internalBusy.assign(n, 0);
    c.needs.assign(node.operands.size(), {});
  }

  /// Interns the needs and the result of `d`.
  Candidate finish(Draft &d) {
    Candidate c;
    c.name = std::move(d.name);
    c.plans = SharedArray<PlanAttr>(std::move(d.plans));
    c.span = d.span;
    std::vector<int> needsId;
    for (auto &needs : d.needs)
      needsId.push_back(needs.empty() ? -1 : p.internNeeds(needs));
    c.needsId = SharedArray<int>(std::move(needsId));
    c.resultId = p.internLayout(d.result);
    c.maxCompute = 0;
    for (double t : d.compute)
      c.maxCompute = std::max(c.maxCompute, t);
    c.compute = SharedArray<double>(std::move(d.compute));
    c.weightBytes = SharedArray<int64_t>(std::move(d.weightBytes));
    c.bufferBytes = SharedArray<int64_t>(std::move(d.bufferBytes));
    c.internalTime = d.internalTime;
    c.internalBytes = d.internalBytes;
    c.internalBusy = SharedArray<double>(std::move(d.internalBusy));
    return c;
  }

  /// The generic candidate of one plan, or nothing if the layer cannot
  /// compute one of its parts.
  std::optional<Candidate> fromPlan(const Node &node, PlanAttr plan,
                                    std::string name,
                                    std::optional<DimRange> window = {}) {
    auto layer = cast<PartitionableOpInterface>(node.op);
    auto parts = enumeratePlanParts(plan, layer);
    if (failed(parts))
      return std::nullopt;
    if (window) {
      // One micro-batch, as dl-apply-partition executes it.
      int64_t extent = layer.getIterationExtent(SplitDim::batch);
      if (extent < 0)
        return std::nullopt;
      parts = windowPlanParts(*parts, plan.getReplicas(), *window, extent);
      if (failed(parts) || parts->empty())
        return std::nullopt;
    }
    Draft c;
    c.name = std::move(name);
    c.plans = {plan};
    init(c, node);
    bool stepSplit =
        isa<LSTMOp>(node.op) &&
        llvm::any_of(parts->front().ranges, [](const DimRange &r) {
          return r.dim == SplitDim::gate || r.dim == SplitDim::hidden;
        });
    // dl-apply-partition cannot micro-batch the per-step LSTM splits.
    if (stepSplit && window)
      return std::nullopt;
    Operation *op = node.op;
    SmallVector<int64_t> group, pieces;
    for (const PlanPart &part : *parts) {
      auto split = layer.computeLocalSplit(part.ranges);
      if (failed(split))
        return std::nullopt;
      if (split->kind == ResultKind::Combine && !stepSplit)
        return std::nullopt;
      addWork(c, part.device, *split, op);
      if (stepSplit) {
        group.push_back(part.device);
        continue;
      }
      for (auto [i, t] : llvm::enumerate(node.operands))
        if (t >= 0 && split->operands[i].needed)
          c.needs[i].push_back(
              Need{part.device, boxOf(split->operands[i])});
      c.result.shards.push_back(
          cost::Shard{part.device, boxOf(split->result)});
      if (split->kind == ResultKind::PartialSum)
        c.result.partial = true;
    }
    if (stepSplit) {
      // LSTMSplit.cpp: the whole sequence on every member, one all-gather
      // per step (of the gate pre-activations or of h), result replicated.
      auto lstm = cast<LSTMOp>(op);
      ArrayRef<int64_t> x =
          cast<RankedTensorType>(lstm.getInput().getType()).getShape();
      int64_t steps = x[0], batch = x[1], hidden = lstm.getHiddenSize();
      bool byGate = llvm::any_of(parts->front().ranges, [](const DimRange &r) {
        return r.dim == SplitDim::gate;
      });
      cost::CommStep ag;
      ag.kind = cost::CommKind::AllGather;
      ag.group.assign(group.begin(), group.end());
      std::vector<int64_t> sizes;
      for (const PlanPart &part : *parts) {
        DimRange r = lookupRange(part.ranges,
                                 byGate ? SplitDim::gate : SplitDim::hidden,
                                 byGate ? 4 : hidden);
        sizes.push_back(byGate ? r.size() * hidden : r.size());
        ag.pieceElements.push_back(batch * sizes.back());
      }
      int64_t np = group.size();
      for (int64_t s = 0; s < np; ++s)
        for (int64_t q = 0; q < np; ++q)
          if (q != s) {
            ag.sent[group[s]][group[q]] +=
                sizes[s] * batch * cost::kElementBytes;
            ag.received[group[s]][group[q]] +=
                sizes[q] * batch * cost::kElementBytes;
          }
      double t = cost::commTime(p.cluster, ag);
      c.internalTime = steps * t;
      int64_t bytes = 0;
      for (auto &[d, peers] : ag.sent)
        for (auto &[q, b] : peers)
          bytes += b;
      c.internalBytes = steps * bytes;
      for (int64_t d : group)
        c.internalBusy[d] = steps * t;
      Box whole = Box::full(x);
      Box out = Box::full({x[0], x[1], hidden});
      for (int64_t d : group) {
        c.needs[0].push_back(Need{d, whole});
        c.result.shards.push_back(cost::Shard{d, out});
      }
    }
    return finish(c);
  }

  /// Group sizes tried for m splits on `n` devices: all for n <= 4, else
  /// powers of two and n.
  SmallVector<int64_t> groupSizes(int64_t n) {
    std::vector<int64_t> g = deviceCounts(2, n, 4);
    return SmallVector<int64_t>(g.begin(), g.end());
  }

  void build(Node &node) { build(node, node.cands, 0, p.numDevices(), {}); }

  /// The candidates of `node` on the devices first..first+n-1 (appended to
  /// `cands`), for the micro-batch `window` if given.
  void build(const Node &node, std::vector<Candidate> &cands, int64_t first,
             int64_t n, std::optional<DimRange> window) {
    auto layer = cast<PartitionableOpInterface>(node.op);
    auto add = [&](PlanAttr plan, std::string name) {
      if (auto c = fromPlan(node, plan, std::move(name), window))
        cands.push_back(std::move(*c));
    };
    auto range = [&](int64_t count) {
      SmallVector<int64_t> d;
      for (int64_t i = 0; i < count; ++i)
        d.push_back(first + i);
      return d;
    };
    add(PlanAttr::get(ctx, 0, {first}, 1, {}, nullptr),
        "single:" + std::to_string(first));
    int64_t fastest = first;
    for (int64_t d = first + 1; d < first + n; ++d)
      if (speeds[d] > speeds[fastest])
        fastest = d;
    if (fastest != first)
      add(PlanAttr::get(ctx, 0, {fastest}, 1, {}, nullptr),
          "single:" + std::to_string(fastest));
    if (n < 2)
      return;
    add(PlanAttr::get(ctx, 0, range(n), 1, {}, nullptr), "replicate");
    int64_t batch =
        window ? window->size() : layer.getIterationExtent(SplitDim::batch);
    for (int64_t r = n; r >= 2; --r)
      if (batch >= r && batch % r == 0) {
        add(PlanAttr::get(ctx, 0, range(r), r, {}, nullptr),
            "data x" + std::to_string(r));
        break;
      }
    for (SplitDim dim : layer.getSplittableDims()) {
      if (dim == SplitDim::batch)
        continue;
      int64_t extent = layer.getIterationExtent(dim);
      for (int64_t g : groupSizes(n)) {
        if (g > extent || (dim == SplitDim::gate && g > 4))
          continue;
        SmallVector<int64_t> even = evenBounds(extent, g);
        std::string base =
            stringifySplitDim(dim).str() + " x" + std::to_string(g);
        add(PlanAttr::get(ctx, 0, range(g), 1, {SplitAttr::get(ctx, dim, even)},
                          nullptr),
            base);
        SmallVector<int64_t> biased =
            biasedBounds(extent, ArrayRef<double>(speeds).slice(first, g));
        if (biased != even)
          add(PlanAttr::get(ctx, 0, range(g), 1,
                            {SplitAttr::get(ctx, dim, biased)}, nullptr),
              base + " biased");
      }
    }
  }

  /// Whether node `i` can be part of a fused-tile run: spatially
  /// splittable, every operand but the first a parameter.
  bool spatial(int64_t i) {
    Operation *op = p.nodes[i].op;
    auto layer = cast<PartitionableOpInterface>(op);
    if (layer.getIterationExtent(SplitDim::height) < 0 ||
        layer.getIterationExtent(SplitDim::width) < 0)
      return false;
    for (Value v : op->getOperands().drop_front())
      if (!isParameter(v))
        return false;
    return true;
  }

  /// Traces every tile of grid `gr` x `gc` over the output of node `last`
  /// backward through at most `maxDepth` layers.
  FusedTrace trace(int64_t last, int64_t gr, int64_t gc, int64_t maxDepth) {
    FusedTrace tr;
    int64_t n = p.numDevices();
    auto out = cast<RankedTensorType>(p.nodes[last].op->getResult(0).getType())
                   .getShape();
    auto rows = fusedTileRanges(out[2], gr);
    auto cols = fusedTileRanges(out[3], gc);
    if (static_cast<int64_t>(rows.size()) != gr ||
        static_cast<int64_t>(cols.size()) != gc)
      return tr;
    tr.depth = maxDepth;
    int64_t t = 0;
    for (auto rr : rows)
      for (auto cr : cols) {
        TileTrace tile;
        tile.device = t++ % n;
        int64_t hLo = rr.first, hHi = rr.second;
        int64_t wLo = cr.first, wHi = cr.second;
        for (int64_t k = 0; k < tr.depth; ++k) {
          Operation *op = p.nodes[last - k].op;
          auto layer = cast<PartitionableOpInterface>(op);
          SmallVector<DimRange> ranges = {{SplitDim::height, hLo, hHi},
                                          {SplitDim::width, wLo, wHi}};
          auto split = layer.computeLocalSplit(ranges);
          if (failed(split)) {
            tr.depth = k;
            break;
          }
          if (k == 0)
            tile.result = boxOf(split->result);
          const TensorRegion &in = split->operands[0];
          hLo = in.offsets[2];
          hHi = in.offsets[2] + in.sizes[2];
          wLo = in.offsets[3];
          wHi = in.offsets[3] + in.sizes[3];
          double time;
          int64_t weights, buffers;
          partCost(tile.device, *split, op, time, weights, buffers);
          tile.compute.push_back(time);
          tile.weightBytes.push_back(weights);
          tile.bufferBytes.push_back(buffers);
          tile.input.push_back(boxOf(in));
        }
        tr.tiles.push_back(std::move(tile));
      }
    return tr;
  }

  /// The fused-tile candidate over nodes `first`..`last` from the trace of
  /// `last` (without its plans, which name the group's first layer), or
  /// nothing if a tile cannot be traced that far. Sums in the order of a
  /// direct trace: tile after tile, each from the last layer backward.
  std::optional<Candidate> fusedFromTrace(const FusedTrace &tr,
                                          int64_t first, int64_t last,
                                          int64_t gr, int64_t gc) {
    int64_t len = last - first + 1;
    if (len > tr.depth)
      return std::nullopt;
    Draft c;
    c.name = llvm::formatv("ftp {0}x{1} over {2} layers", gr, gc, len).str();
    c.span = len;
    init(c, p.nodes[first]);
    for (const TileTrace &tile : tr.tiles) {
      int64_t d = tile.device;
      for (int64_t k = 0; k < len; ++k) {
        c.compute[d] += tile.compute[k];
        c.weightBytes[d] += tile.weightBytes[k];
      }
      c.needs[0].push_back(Need{d, tile.input[len - 1]});
      c.result.shards.push_back(cost::Shard{d, tile.result});
    }
    // Buffers, as the generated code holds them: every tile's input region
    // is fetched before the first tile runs (the redistribution's buffers,
    // Served::keep / Served::die); then each device runs its tiles in order,
    // layer after layer, holding the results of its earlier tiles, the inputs
    // of its later ones, and the current layer's input and output tile (a
    // layer's input is freed after it; an elementwise layer writes over it).
    // The candidate's buffers are that loop's peak beyond the fetched inputs.
    std::vector<int64_t> inputs(c.bufferBytes.size(), 0), done(inputs),
        peak(inputs);
    auto boxBytes = [](const Box &b) {
      return b.numElements() * cost::kElementBytes;
    };
    for (const TileTrace &tile : tr.tiles)
      inputs[tile.device] += boxBytes(tile.input[len - 1]);
    std::vector<int64_t> pending = inputs;
    for (const TileTrace &tile : tr.tiles) {
      int64_t d = tile.device;
      int64_t cur = boxBytes(tile.input[len - 1]);
      pending[d] -= cur;
      for (int64_t k = len - 1; k >= 0; --k) {
        int64_t out = tile.bufferBytes[k];
        bool inPlace = isa<ReluOp, SigmoidOp, TanhOp, GeluOp, ClipOp>(
                           p.nodes[last - k].op) &&
                       out == cur;
        peak[d] =
            std::max(peak[d], done[d] + pending[d] + cur + (inPlace ? 0 : out));
        cur = out;
      }
      done[d] += cur;
    }
    for (size_t d = 0; d < inputs.size(); ++d)
      c.bufferBytes[d] = peak[d] - inputs[d];
    // Weights are replicated once per device, not once per tile.
    int64_t n = p.numDevices();
    for (int64_t d = 0; d < n; ++d)
      if (c.weightBytes[d] > 0) {
        int64_t w = 0;
        for (int64_t i = first; i <= last; ++i)
          for (Value v : p.nodes[i].op->getOperands())
            if (isParameter(v))
              w += cast<RankedTensorType>(v.getType()).getNumElements() *
                   cost::kElementBytes;
        c.weightBytes[d] = w;
      }
    return finish(c);
  }

  /// Fused-tile (DeepThings FTP) candidates of every node: every run of
  /// 2..maxFusedLayers spatially splittable layers chained through operand
  /// 0 (inner results used once, other operands parameters) starting at
  /// it, every grid N x M (N, M <= 6, N * M >= 2, square or N * M <= 4),
  /// tiles dealt round-robin over all devices. A run's tiles are traced
  /// backward from its last layer, so one trace serves every run ending
  /// there; runs whose layers have the same signatures (`sig`) share one
  /// candidate. Candidates are appended and interned in the order
  /// (first layer, last layer, grid).
  void buildFused(const std::vector<int> &sig) {
    int64_t n = p.numDevices();
    int64_t count = p.nodes.size();
    int64_t maxLen = p.options.maxFusedLayers;
    if (n < 2)
      return;
    SmallVector<std::pair<int64_t, int64_t>> grids;
    for (int64_t gr = 1; gr <= 6; ++gr)
      for (int64_t gc = 1; gc <= 6; ++gc)
        if (gr * gc >= 2 && (gr == gc || gr * gc <= 4))
          grids.push_back({gr, gc});
    std::vector<char> isSpatial(count), chained(count, 0);
    for (int64_t i = 0; i < count; ++i)
      isSpatial[i] = spatial(i);
    for (int64_t i = 1; i < count; ++i) {
      Operation *cur = p.nodes[i - 1].op, *next = p.nodes[i].op;
      chained[i] = isSpatial[i] && isSpatial[i - 1] &&
                   next->getOperand(0) == cur->getResult(0) &&
                   cur->getResult(0).hasOneUse();
    }
    SmallVector<int64_t> devices = devicesUpTo(n);
    std::map<std::pair<int64_t, size_t>, FusedTrace> traces;
    // Per signature window, the candidate of each grid (copies share their
    // arrays, so a layer's copy allocates nothing).
    std::map<std::vector<int>, std::vector<std::optional<Candidate>>> memo;
    for (int64_t first = 0; first < count; ++first) {
      if (!isSpatial[first])
        continue;
      traces.erase(traces.begin(), traces.lower_bound({first, 0}));
      int64_t longest = std::min(maxLen, count - first);
      // Per grid, `longest` copies of its plan; a candidate over `len`
      // layers shares the first `len`.
      SmallVector<SharedArray<PlanAttr>> plans(grids.size());
      std::vector<Candidate> &cands = p.nodes[first].cands;
      cands.reserve(cands.size() + grids.size() * (longest - 1));
      std::vector<int> window = {sig[first]};
      for (int64_t last = first + 1;
           last < count && last - first + 1 <= maxLen && chained[last];
           ++last) {
        window.push_back(sig[last]);
        auto [it, inserted] = memo.try_emplace(window);
        std::vector<std::optional<Candidate>> &fused = it->second;
        if (inserted) {
          fused.reserve(grids.size());
          for (auto [g, grid] : llvm::enumerate(grids)) {
            auto tit = traces.find({last, g});
            if (tit == traces.end()) {
              int64_t start = last;
              while (start > 0 && chained[start] && last - start + 2 <= maxLen)
                --start;
              tit = traces
                        .emplace(std::make_pair(last, g),
                                 trace(last, grid.first, grid.second,
                                       last - start + 1))
                        .first;
            }
            fused.push_back(fusedFromTrace(tit->second, first, last, grid.first,
                                           grid.second));
          }
        }
        for (auto [g, grid] : llvm::enumerate(grids)) {
          if (!fused[g])
            continue;
          if (!plans[g].size())
            plans[g] = SharedArray<PlanAttr>(std::vector<PlanAttr>(
                longest,
                PlanAttr::get(ctx, 0, devices, 1, {},
                              FusedTileAttr::get(ctx, first,
                                                 {grid.first, grid.second}))));
          Candidate c = *fused[g];
          c.plans = plans[g].prefix(last - first + 1);
          cands.push_back(std::move(c));
        }
      }
    }
  }
};
} // namespace

FailureOr<Problem> mlir::dl::search::buildProblem(func::FuncOp fn,
                                                  const Cluster &cluster,
                                                  const Options &options) {
  Problem p;
  p.cluster = cluster;
  p.options = options;
  if (fn.getBody().getBlocks().size() != 1) {
    fn.emitError() << "only single-block functions can be partitioned";
    return failure();
  }
  llvm::DenseMap<Value, int> tensorOf;
  auto newTensor = [&](Value v, int producer) {
    TensorInfo t;
    auto type = cast<RankedTensorType>(v.getType());
    t.shape.assign(type.getShape().begin(), type.getShape().end());
    t.producer = producer;
    tensorOf[v] = p.tensors.size();
    p.tensors.push_back(t);
  };
  for (BlockArgument arg : fn.getArguments())
    newTensor(arg, -1);
  Block &body = fn.getBody().front();
  for (Operation &opRef : body) {
    Operation *op = &opRef;
    if (isa<func::ReturnOp>(op)) {
      for (Value v : op->getOperands()) {
        auto it = tensorOf.find(v);
        if (it == tensorOf.end())
          return op->emitError() << "returns a value that is not a layer "
                                    "result or an argument";
        p.returns.push_back(it->second);
        p.tensors[it->second].returned = true;
      }
      continue;
    }
    if (op->getNumResults() == 1 && isParameter(op->getResult(0)))
      continue;
    if (!isa<PartitionableOpInterface>(op))
      return op->emitError() << "cannot partition '" << op->getName()
                             << "': not a dl layer";
    Node node;
    node.op = op;
    node.name = layerName(op, p.nodes.size());
    int index = p.nodes.size();
    for (Value v : op->getOperands()) {
      if (isParameter(v)) {
        node.operands.push_back(-1);
        continue;
      }
      auto it = tensorOf.find(v);
      if (it == tensorOf.end())
        return op->emitError() << "operand is neither a parameter nor a "
                                  "layer result";
      node.operands.push_back(it->second);
      p.tensors[it->second].uses.push_back(index);
      p.tensors[it->second].lastUse = index;
    }
    newTensor(op->getResult(0), index);
    node.result = p.tensors.size() - 1;
    p.nodes.push_back(std::move(node));
  }

  CandidateBuilder builder{p, fn.getContext(), {}};
  for (const ClusterDevice &d : cluster.devices)
    builder.speeds.push_back(d.flops);
  // Layers with the same signature get the same candidates.
  std::vector<int> sig(p.nodes.size());
  std::map<std::string, int> sigIds;
  std::vector<size_t> firstWithSig;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    auto [it, inserted] =
        sigIds.try_emplace(signatureOf(p.nodes[i]), sigIds.size());
    sig[i] = it->second;
    if (inserted) {
      firstWithSig.push_back(i);
      builder.build(p.nodes[i]);
    } else {
      p.nodes[i].cands = p.nodes[firstWithSig[sig[i]]].cands;
    }
  }
  if (options.fusedTiles && options.objective != Objective::Throughput)
    builder.buildFused(sig);
  for (Node &node : p.nodes)
    if (node.cands.empty())
      return node.op->emitError() << "no executable plan for this layer";

  // Liveness.
  size_t n = p.nodes.size();
  p.liveAt.assign(n + 1, {});
  for (size_t i = 0; i <= n; ++i)
    for (size_t t = 0; t < p.tensors.size(); ++t) {
      const TensorInfo &info = p.tensors[t];
      if (info.producer < 0 || info.producer >= static_cast<int>(i))
        continue;
      if (info.returned || info.lastUse >= static_cast<int>(i))
        p.liveAt[i].push_back(t);
    }

  for (const ClusterDevice &d : cluster.devices) {
    int64_t limit = options.memoryLimit > 0 ? options.memoryLimit : d.memory;
    p.limits.push_back(limit > 0 ? limit
                                 : std::numeric_limits<int64_t>::max());
  }
  return p;
}

//===----------------------------------------------------------------------===//
// One step: a node (or fused group) under a candidate, given the layouts
//===----------------------------------------------------------------------===//

/// What every evaluation and search run on a problem shares: the outcome
/// of serving interned needs from an interned layout, and the bytes of each
/// interned layout on each device. Both depend only on the interned layouts
/// and needs and on the cluster, which a problem never changes.
struct mlir::dl::search::EngineMemo {
  /// The outcome of serving interned needs from an interned layout.
  struct Served {
    double time = 0;
    int64_t bytes = 0;
    int after = -1;
    bool infeasible = false;
    /// What the redistribution allocates and frees while it runs
    /// (cost::bufferProfile), when the tensor lives on and when it dies:
    /// Engine::profile computes each on first use (a pair of layout and
    /// needs mostly belongs to one tensor, which either dies there or not).
    mutable cost::BufferProfile keep, die;
    mutable bool hasKeep = false, hasDie = false;
    int layoutId = -1, needsId = -1;
    std::vector<double> busy;
    /// The communication steps in order: time, members, kind, bytes.
    struct Step {
      double time;
      llvm::SmallVector<int64_t, 4> group;
      cost::CommKind kind;
      int64_t bytes;
    };
    std::vector<Step> steps;
  };
  std::map<std::pair<int, int>, Served> served;
  std::vector<std::vector<int64_t>> layoutBytes;
};

EngineMemoHolder::EngineMemoHolder() : memo(std::make_unique<EngineMemo>()) {}
EngineMemoHolder::EngineMemoHolder(const EngineMemoHolder &)
    : memo(std::make_unique<EngineMemo>()) {}
EngineMemoHolder::EngineMemoHolder(EngineMemoHolder &&) noexcept = default;
EngineMemoHolder &EngineMemoHolder::operator=(const EngineMemoHolder &other) {
  if (this != &other)
    memo = std::make_unique<EngineMemo>();
  return *this;
}
EngineMemoHolder &
EngineMemoHolder::operator=(EngineMemoHolder &&) noexcept = default;
EngineMemoHolder::~EngineMemoHolder() = default;

namespace {
using Served = EngineMemo::Served;

struct StepOutcome {
  bool infeasible = false;
  double time = 0;
  double energy = 0;
  int64_t bytes = 0;
  std::vector<double> busy, comm;
  /// Activation bytes on each device while the step runs.
  std::vector<int64_t> live;
};

/// Activation bytes on the devices while a candidate runs, accumulated
/// over its operands' redistributions in order: the generated code frees
/// a buffer after its last use, so an operand that no later layer reads
/// and that the layer does not read in place (it is copied, sent or
/// gathered) is freed before the layer allocates its result.
struct StepBytes {
  /// Bytes above the live tensors: now, and the most so far.
  std::vector<int64_t> extra, peak;

  explicit StepBytes(int64_t n) : extra(n, 0), peak(n, 0) {}
  void reset() {
    std::fill(extra.begin(), extra.end(), 0);
    std::fill(peak.begin(), peak.end(), 0);
  }
  void add(const cost::BufferProfile &b) {
    for (size_t d = 0; d < extra.size(); ++d) {
      peak[d] = std::max(peak[d], extra[d] + b.peak[d]);
      extra[d] += b.net[d];
    }
  }
  /// The step's peak on device `d` with `live` bytes of live tensors and
  /// `own` bytes of the candidate's own buffers (Candidate::bufferBytes).
  int64_t bytes(int64_t d, int64_t live, int64_t own) const {
    return std::max(live + peak[d], live + extra[d] + own);
  }
};

struct Engine {
  Problem &p;
  std::map<std::pair<int, int>, Served> &cache;
  std::vector<std::vector<int64_t>> &layoutBytes;
  int64_t numDev;

  explicit Engine(Problem &p)
      : p(p), cache(p.memo.get().served), layoutBytes(p.memo.get().layoutBytes),
        numDev(p.numDevices()) {}

  const Served &serve(int layoutId, int needsId) {
    auto key = std::make_pair(layoutId, needsId);
    auto it = cache.find(key);
    if (it != cache.end())
      return it->second;
    cost::Redistribution r =
        cost::redistribute(p.layouts[layoutId], p.needSets[needsId]);
    Served s;
    s.layoutId = layoutId;
    s.needsId = needsId;
    s.infeasible = r.infeasible;
    s.busy.assign(numDev, 0);
    s.bytes = r.totalBytes();
    for (const cost::CommStep &step :
         cost::concurrentSteps(std::move(r.steps))) {
      double t = cost::commTime(p.cluster, step);
      s.time += t;
      for (int64_t d : step.group)
        s.busy[d] += t;
      int64_t bytes = 0;
      for (auto &[d, peers] : step.sent)
        for (auto &[peer, b] : peers)
          bytes += b;
      s.steps.push_back(
          {t,
           llvm::SmallVector<int64_t, 4>(step.group.begin(), step.group.end()),
           step.kind, bytes});
    }
    s.after = p.internLayout(r.after);
    return cache.emplace(key, std::move(s)).first->second;
  }

  /// The buffer profile of what `s` serves, when the tensor dies there or
  /// lives on.
  const cost::BufferProfile &profile(const Served &s, bool dies) const {
    bool &has = dies ? s.hasDie : s.hasKeep;
    cost::BufferProfile &b = dies ? s.die : s.keep;
    if (!has) {
      b = cost::bufferProfile(p.layouts[s.layoutId], p.needSets[s.needsId],
                              numDev, dies);
      has = true;
    }
    return b;
  }

  /// Bytes of layout `id` on each device (memoised).
  const std::vector<int64_t> &bytesOn(int id) {
    if (static_cast<int>(layoutBytes.size()) <= id)
      layoutBytes.resize(id + 1);
    std::vector<int64_t> &b = layoutBytes[id];
    if (b.empty()) {
      b.assign(numDev, 0);
      for (const cost::Shard &sh : p.layouts[id].shards)
        b[sh.device] += sh.box.numElements() * cost::kElementBytes;
    }
    return b;
  }

  /// Whether no node after `i` reads tensor `t` and it is not returned.
  bool diesAt(int t, int i) const {
    return !p.tensors[t].returned && p.tensors[t].lastUse <= i;
  }

  int argLayout(int tensor) { return p.inputLayout(tensor); }

  /// Records the communication steps of `s` from `at` on in `timeline`
  /// (as step `index`) and returns the time after them.
  static double record(const Served &s, double at, int index,
                       Timeline *timeline) {
    if (!timeline)
      return at;
    for (const Served::Step &st : s.steps) {
      for (int64_t d : st.group)
        timeline->intervals.push_back({d, index,
                                       cost::stringifyCommKind(st.kind).str(),
                                       at, at + st.time, st.bytes});
      at += st.time;
    }
    return at;
  }

  /// Runs node `i` with candidate `c`; `layouts` maps live tensor ids to
  /// layout ids and is updated (mutations and the new result). With a
  /// timeline, records the step's intervals from time `start` on.
  StepOutcome step(int i, const Candidate &c, std::map<int, int> &layouts,
                   Timeline *timeline = nullptr, double start = 0) {
    int index = timeline ? timeline->steps.size() : 0;
    double at = start;
    StepOutcome o;
    o.busy.assign(numDev, 0);
    o.comm.assign(numDev, 0);
    o.live.assign(numDev, 0);
    const Node &node = p.nodes[i];
    for (auto &[t, l] : layouts) {
      const std::vector<int64_t> &bytes = bytesOn(l);
      for (int64_t d = 0; d < numDev; ++d)
        o.live[d] += bytes[d];
    }
    double commTime = 0;
    StepBytes held(numDev);
    for (size_t k = 0; k < node.operands.size(); ++k) {
      int t = node.operands[k];
      if (t < 0 || c.needsId[k] < 0)
        continue;
      auto it = layouts.find(t);
      int l = it != layouts.end() ? it->second : argLayout(t);
      const Served &s = serve(l, c.needsId[k]);
      if (s.infeasible)
        o.infeasible = true;
      at = record(s, at, index, timeline);
      commTime += s.time;
      o.bytes += s.bytes;
      for (int64_t d = 0; d < numDev; ++d)
        o.comm[d] += s.busy[d];
      // A model input is read from the input buffer, outside the count.
      held.add(profile(s, it != layouts.end() && diesAt(t, i)));
      if (it != layouts.end())
        it->second = s.after;
    }
    commTime += c.internalTime;
    o.bytes += c.internalBytes;
    for (int64_t d = 0; d < numDev; ++d) {
      o.comm[d] += c.internalBusy[d];
      o.busy[d] = o.comm[d] + c.compute[d];
      o.live[d] = held.bytes(d, o.live[d], c.bufferBytes[d]);
    }
    o.time = commTime + c.maxCompute;
    if (timeline) {
      for (int64_t d = 0; d < numDev; ++d)
        if (c.internalBusy[d] > 0)
          timeline->intervals.push_back(
              {d, index, "internal", at, at + c.internalBusy[d], 0});
      double computeStart = start + commTime;
      for (int64_t d = 0; d < numDev; ++d)
        if (c.compute[d] > 0)
          timeline->intervals.push_back({d, index, "compute", computeStart,
                                         computeStart + c.compute[d], 0});
      timeline->steps.push_back(
          {i, c.span, c.name.str(), start, computeStart, start + o.time});
    }
    for (int64_t d = 0; d < numDev; ++d) {
      const ClusterDevice &dev = p.cluster.devices[d];
      o.energy += cost::deviceEnergy(dev, std::min(o.busy[d], o.time),
                                     o.time);
    }
    int last = i + c.span - 1;
    layouts[p.nodes[last].result] = c.resultId;
    return o;
  }

  /// Assembles the returned tensors (their batch rows `window` if given)
  /// on device 0.
  StepOutcome finish(std::map<int, int> &layouts, Timeline *timeline = nullptr,
                     double start = 0, std::optional<DimRange> window = {}) {
    int index = timeline ? timeline->steps.size() : 0;
    double at = start;
    StepOutcome o;
    o.busy.assign(numDev, 0);
    o.comm.assign(numDev, 0);
    o.live.assign(numDev, 0);
    for (int t : p.returns) {
      auto it = layouts.find(t);
      int l = it != layouts.end() ? it->second : argLayout(t);
      Box box = Box::full(p.tensors[t].shape);
      if (window && !box.sizes.empty()) {
        box.offsets[0] = window->lo;
        box.sizes[0] = window->size();
      }
      int needs = p.internNeeds({Need{0, box}});
      const Served &s = serve(l, needs);
      if (s.infeasible)
        o.infeasible = true;
      at = record(s, at, index, timeline);
      o.time += s.time;
      o.bytes += s.bytes;
      for (int64_t d = 0; d < numDev; ++d)
        o.comm[d] += s.busy[d];
      if (it != layouts.end())
        it->second = s.after;
    }
    for (int64_t d = 0; d < numDev; ++d) {
      o.busy[d] = o.comm[d];
      o.energy += cost::deviceEnergy(p.cluster.devices[d],
                                     std::min(o.busy[d], o.time), o.time);
    }
    if (timeline)
      timeline->steps.push_back(
          {-1, 0, "assemble outputs", start, start + o.time,
           start + o.time});
    return o;
  }

  double stepValue(const StepOutcome &o) const {
    return p.options.objective == Objective::Energy ? o.energy : o.time;
  }

  /// Keeps only the tensors live at position `pos`.
  void prune(std::map<int, int> &layouts, int pos) { p.keepLive(layouts, pos); }
};
} // namespace

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

int64_t Evaluation::maxMemory() const {
  int64_t m = 0;
  for (const DeviceReport &d : devices)
    m = std::max(m, d.peakMemory());
  return m;
}

int Evaluation::overLimitDevice(const Problem &p) const {
  for (size_t d = 0; d < devices.size(); ++d)
    if (devices[d].peakMemory() > p.limits[d])
      return d;
  return -1;
}

double mlir::dl::search::objectiveValue(const Problem &p,
                                        const Evaluation &e) {
  switch (p.options.objective) {
  case Objective::Energy:
    return e.energy;
  case Objective::Memory:
    return double(e.maxMemory());
  default:
    return e.latency;
  }
}

static Evaluation evaluateWith(Engine &engine, const Choice &choice,
                               Timeline *timeline = nullptr);

Evaluation mlir::dl::search::evaluate(const Problem &cp, const Choice &choice) {
  Engine engine(const_cast<Problem &>(cp));
  return evaluateWith(engine, choice);
}

Evaluation mlir::dl::search::evaluate(const Problem &cp, const Choice &choice,
                                      Timeline &timeline) {
  Engine engine(const_cast<Problem &>(cp));
  timeline = Timeline();
  Evaluation e = evaluateWith(engine, choice, &timeline);
  // Steps end where the evaluator's running sum ends; clamp the intervals
  // inside them against rounding of their partial sums.
  for (TimelineInterval &iv : timeline.intervals)
    iv.end = std::min(iv.end, timeline.steps[iv.step].end);
  return e;
}

static Evaluation evaluateWith(Engine &engine, const Choice &choice,
                               Timeline *timeline) {
  Problem &p = engine.p;
  Evaluation e;
  int64_t nd = p.numDevices();
  e.devices.assign(nd, {});
  e.peakAt.assign(nd, -1);
  std::map<int, int> layouts;
  double value = 0;
  size_t i = 0;
  while (i < p.nodes.size()) {
    int ci = choice[i];
    if (ci < 0 || ci >= static_cast<int>(p.nodes[i].cands.size())) {
      e.valid = false;
      return e;
    }
    const Candidate &c = p.nodes[i].cands[ci];
    StepOutcome o = engine.step(i, c, layouts, timeline, e.latency);
    if (o.infeasible)
      e.valid = false;
    value += engine.stepValue(o);
    e.latency += o.time;
    e.energy += o.energy;
    e.bytes += o.bytes;
    LayerReport lr;
    lr.node = i;
    lr.scheme = c.name.str();
    lr.time = o.time;
    lr.bytes = o.bytes;
    e.layers.push_back(lr);
    for (int64_t d = 0; d < nd; ++d) {
      DeviceReport &dr = e.devices[d];
      dr.compute += c.compute[d];
      dr.comm += o.comm[d];
      dr.idle += std::max(0.0, o.time - o.busy[d]);
      dr.energy += cost::deviceEnergy(p.cluster.devices[d],
                                      std::min(o.busy[d], o.time), o.time);
      dr.weights += c.weightBytes[d];
      if (o.live[d] > dr.peakActivations) {
        dr.peakActivations = o.live[d];
        e.peakAt[d] = i;
      }
    }
    i += c.span;
    engine.prune(layouts, i);
  }
  StepOutcome o = engine.finish(layouts, timeline, e.latency);
  if (o.infeasible)
    e.valid = false;
  value += engine.stepValue(o);
  e.latency += o.time;
  e.energy += o.energy;
  e.bytes += o.bytes;
  for (int64_t d = 0; d < nd; ++d) {
    e.devices[d].comm += o.comm[d];
    e.devices[d].idle += std::max(0.0, o.time - o.busy[d]);
    e.devices[d].energy += cost::deviceEnergy(
        p.cluster.devices[d], std::min(o.busy[d], o.time), o.time);
  }
  // Additive objectives are summed in the DP's order, so the DP's value
  // and this one agree to the last bit.
  if (p.options.objective == Objective::Energy)
    e.energy = value;
  else
    e.latency = value;
  return e;
}

//===----------------------------------------------------------------------===//
// Brute force
//===----------------------------------------------------------------------===//

static bool withinLimits(const Problem &p, const Evaluation &e) {
  return e.overLimitDevice(p) < 0;
}

double mlir::dl::search::bruteForce(const Problem &cp, Choice *best) {
  const Problem &p = cp;
  Engine engine(const_cast<Problem &>(cp));
  Choice choice(p.nodes.size(), -1);
  double bestValue = kInf;
  std::function<void(size_t)> rec = [&](size_t i) {
    if (i >= p.nodes.size()) {
      Evaluation e = evaluateWith(engine, choice);
      if (!e.valid || !withinLimits(p, e))
        return;
      double v = objectiveValue(p, e);
      if (v < bestValue) {
        bestValue = v;
        if (best)
          *best = choice;
      }
      return;
    }
    for (size_t c = 0; c < p.nodes[i].cands.size(); ++c) {
      choice[i] = c;
      int64_t span = p.nodes[i].cands[c].span;
      for (int64_t k = 1; k < span; ++k)
        choice[i + k] = -1;
      rec(i + span);
    }
  };
  rec(0);
  return bestValue;
}

//===----------------------------------------------------------------------===//
// The frontier dynamic program
//===----------------------------------------------------------------------===//

namespace {
/// Where a label comes from: position, state and label index there, and
/// the candidate taken.
struct Back {
  int prevPos = -1, prevState = -1, prevLabel = -1, cand = -1;
};

/// A frontier state and its labels (partial plans reaching it). Without
/// memory there is one label, the cheapest. In memory mode the labels are
/// a Pareto front, stored flat (no allocation per label): per label its
/// value, its back pointer, and 2·nd byte counts at `mem[k * 2nd]` (per
/// device the parameter bytes, then the activation peak), with their sum
/// in `sums` (a quick filter: a label that dominates another has a sum no
/// larger; converting and adding are monotone in floating point).
struct State {
  std::vector<int> key;
  std::vector<double> values, sums;
  std::vector<int64_t> mem;
  std::vector<Back> back;
  size_t size() const { return values.size(); }
};

struct KeyHash {
  size_t operator()(const std::vector<int> &key) const {
    return llvm::hash_combine_range(key.begin(), key.end());
  }
};

struct Position {
  std::vector<State> states;
  /// Lookup only: states are visited in insertion order.
  std::unordered_map<std::vector<int>, int, KeyHash> index;
};

/// Memory of label `k` of `s` as the objective sees it: the largest
/// parameter bytes plus activation peak of a device.
int64_t labelMemory(const State &s, size_t k, size_t nd) {
  const int64_t *v = &s.mem[k * 2 * nd];
  int64_t m = 0;
  for (size_t d = 0; d < nd; ++d)
    m = std::max(m, v[d] + v[nd + d]);
  return m;
}

/// Inserts the label (value, sum, vec, back) into the Pareto front of `s`
/// (mutually non-dominating labels; `a` dominates `b` when it is no worse
/// in the value and in every device's weights and peak): drops it if a
/// label dominates it, otherwise removes the labels it dominates (keeping
/// the order of the others) and appends it. One pass: since the front is
/// an antichain, a label that dominates the new one exists only if the new
/// one dominates none (o <= new <= o2 would make o dominate o2). Most
/// pairs are told apart by the value and the sum alone.
bool insertIntoFront(State &s, double value, double sum, const int64_t *vec,
                     size_t width, const Back &back) {
  size_t kept = 0, n = s.size();
  for (size_t k = 0; k < n; ++k) {
    double ov = s.values[k], os = s.sums[k];
    bool oFirst = ov <= value && os <= sum;
    bool newFirst = value <= ov && sum <= os;
    if (oFirst || newFirst) {
      const int64_t *o = &s.mem[k * width];
      for (size_t j = 0; j < width && (oFirst || newFirst); ++j) {
        oFirst = oFirst && o[j] <= vec[j];
        newFirst = newFirst && vec[j] <= o[j];
      }
      if (oFirst) {
        assert(kept == k && "a dominated label was left in the front");
        return false;
      }
      if (newFirst)
        continue;
    }
    if (kept != k) {
      s.values[kept] = ov;
      s.sums[kept] = os;
      s.back[kept] = s.back[k];
      std::copy_n(&s.mem[k * width], width, &s.mem[kept * width]);
    }
    ++kept;
  }
  s.values.resize(kept);
  s.sums.resize(kept);
  s.back.resize(kept);
  s.mem.resize(kept * width);
  s.values.push_back(value);
  s.sums.push_back(sum);
  s.back.push_back(back);
  s.mem.insert(s.mem.end(), vec, vec + width);
  return true;
}

/// Removes label `k` of `s`.
void eraseLabel(State &s, size_t k, size_t width) {
  s.values.erase(s.values.begin() + k);
  s.sums.erase(s.sums.begin() + k);
  s.back.erase(s.back.begin() + k);
  s.mem.erase(s.mem.begin() + k * width, s.mem.begin() + (k + 1) * width);
}

/// Keeps the `cap` cheapest labels of `s` (stable in value).
void truncateFront(State &s, size_t cap, size_t width) {
  std::vector<size_t> order(s.size());
  for (size_t k = 0; k < order.size(); ++k)
    order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return s.values[a] < s.values[b];
  });
  order.resize(cap);
  State t;
  for (size_t k : order) {
    t.values.push_back(s.values[k]);
    t.sums.push_back(s.sums[k]);
    t.back.push_back(s.back[k]);
    t.mem.insert(t.mem.end(), &s.mem[k * width], &s.mem[k * width] + width);
  }
  s.values = std::move(t.values);
  s.sums = std::move(t.sums);
  s.back = std::move(t.back);
  s.mem = std::move(t.mem);
}
} // namespace

namespace {
/// Labels the exact memory-mode DP may drop because every plan through
/// them is provably worse than a plan already known (strictly worse, so
/// plans that tie with it are kept).
struct Bounds {
  /// Memory objective: the memory of a known plan within the limits.
  int64_t memory = std::numeric_limits<int64_t>::max();
  /// Latency and energy: the value of a known plan within the limits.
  double value = kInf;
};

/// A heuristic run of the memory-mode DP: fronts of at most `width`
/// labels, dropping the worst by memory (then value) or by value.
struct Beam {
  size_t width = 0;
  bool byMemory = false;
};

/// What a single-label run minimises (one label per state, the least).
enum class Scalar {
  /// The objective's value (latency or energy; the step times for the
  /// memory objective).
  Objective,
  /// max over steps and devices of the step's activation bytes plus the
  /// candidate's own parameter bytes on the device: a lower bound of the
  /// plan's peak memory.
  StepPeak,
  /// max over steps of the activation bytes summed over the devices: a
  /// lower bound of the sum over the devices of their activation peaks.
  StepTotal,
  /// The objective plus sum_d lambda_d (parameter bytes of the step on d +
  /// span/n of its activation bytes on d): a Lagrangian relaxation of the
  /// per-device limits.
  Lagrangian,
};

struct DPConfig {
  /// Labels carry per-device weights and activation peaks (Pareto fronts).
  bool memory = false;
  Bounds bounds;
  Beam beam;
  /// Single-label runs only.
  Scalar scalar = Scalar::Objective;
  /// Single-label runs: drop every step whose activation bytes plus its
  /// own parameter bytes exceed a device's limit (no plan within the
  /// limits takes it).
  bool pruneSteps = false;
  /// Scalar::Lagrangian: per-device multipliers [objective unit / B], and
  /// whether the objective's own step values are added (not for the
  /// memory objective, whose relaxation is the multipliers' term alone).
  std::vector<double> lambda;
  bool withObjective = true;
  /// Scalar::Lagrangian: the prices of a step at position i are
  /// lambda * (1 + ramp * i / n).
  double ramp = 0;
  /// pruneSteps: also drop steps whose footprint on a device exceeds this.
  int64_t stepCap = std::numeric_limits<int64_t>::max();
  /// Memory mode: stop (Result::budgetExceeded) after this many label
  /// visits; 0: unlimited.
  int64_t workBudget = 0;
};
} // namespace

/// Runs the DP. With `memory`, labels carry per-device weights and
/// activation peaks, are dropped when over a limit and kept as a Pareto
/// front; otherwise one label (the cheapest) per state. `bounds` drops
/// labels that cannot lead to an optimum; `beam` makes the run a
/// heuristic (small fronts) that only serves to find such a bound.
static Result runDP(Problem &p, const DPConfig &config,
                    Engine *shared = nullptr) {
  bool memory = config.memory;
  const Bounds &bounds = config.bounds;
  const Beam &beam = config.beam;
  Scalar scalar = memory ? Scalar::Objective : config.scalar;
  bool pruneSteps = !memory && config.pruneSteps;
  // Whether the steps' activation bytes are needed.
  bool needLive = memory || pruneSteps || scalar != Scalar::Objective;
  bool peakScalar = scalar == Scalar::StepPeak || scalar == Scalar::StepTotal;
  int64_t work = 0;
  bool aborted = false;
  std::optional<Engine> own;
  if (!shared)
    own.emplace(p);
  Engine &engine = shared ? *shared : *own;
  size_t n = p.nodes.size();
  int64_t nd = p.numDevices();
  size_t width = memory ? 2 * nd : 0;
  bool memoryObjective = p.options.objective == Objective::Memory;
  bool latencyObjective = p.options.objective == Objective::Latency;
  // Lower bounds on what the layers from position i on add, over every
  // way to cover them: the parameter bytes summed over the devices (every
  // device's parameters count once in the largest device's footprint, so
  // the largest device holds at least the average), and for latency the
  // step times without communication (a step's time is its redistribution
  // time plus internal communication plus its slowest compute, and
  // floating-point addition of non-negative terms is monotone).
  std::vector<int64_t> restWeights;
  std::vector<double> restTime;
  bool boundMemory = memory && memoryObjective &&
                     bounds.memory < std::numeric_limits<int64_t>::max();
  bool boundValue = memory && !memoryObjective && std::isfinite(bounds.value);
  if (boundMemory) {
    restWeights.assign(n + 1, 0);
    for (size_t i = n; i-- > 0;) {
      int64_t best = std::numeric_limits<int64_t>::max();
      for (const Candidate &c : p.nodes[i].cands) {
        int64_t w = restWeights[i + c.span];
        for (int64_t b : c.weightBytes)
          w = b > std::numeric_limits<int64_t>::max() - w
                  ? std::numeric_limits<int64_t>::max()
                  : w + b;
        best = std::min(best, w);
      }
      restWeights[i] = best;
    }
  }
  if (boundValue && latencyObjective) {
    restTime.assign(n + 1, 0);
    for (size_t i = n; i-- > 0;) {
      double best = kInf;
      for (const Candidate &c : p.nodes[i].cands)
        best = std::min(best,
                        (c.internalTime + c.maxCompute) + restTime[i + c.span]);
      restTime[i] = best;
    }
  }
  // Relative slack covering the rounding of restTime and of the DP's sums
  // (at most n + 2 additions each), with a margin.
  double slack = 8.0 * double(n + 4) * std::numeric_limits<double>::epsilon();
  // Whether a label at `next` with `value` and memory vector `v` cannot
  // lead to a plan as good as the bound's.
  auto beyondBound = [&](size_t next, double value, const int64_t *v) {
    if (boundMemory) {
      __int128 weights = restWeights[next];
      for (int64_t d = 0; d < nd; ++d) {
        if (v[d] + v[nd + d] > bounds.memory)
          return true;
        weights += v[d];
      }
      return weights > __int128(bounds.memory) * nd;
    }
    if (boundValue) {
      if (value > bounds.value)
        return true;
      return latencyObjective &&
             (value + restTime[next]) * (1 - slack) > bounds.value;
    }
    return false;
  };
  std::vector<Position> pos(n + 1);
  {
    State s;
    s.values.push_back(0);
    s.back.push_back(Back{});
    if (memory) {
      s.sums.push_back(0);
      s.mem.assign(width, 0);
    }
    pos[0].states.push_back(std::move(s));
    pos[0].index[{}] = 0;
  }
  Result r;
  r.method = memory ? "frontier DP with per-device memory Pareto fronts"
                    : "frontier DP";
  bool truncated = false;

  // A step's effect depends only on the layouts of the live tensors, so
  // it is computed from the state's key directly: the slots of the
  // operands in the key, the redistributions (memoised per layout and
  // needs), and where each tensor live after the step comes from. This
  // performs the same floating-point operations in the same order as
  // Engine::step.
  // The fields the inner loop reads are kept next to the key, so a lookup
  // touches one cache line.
  struct ServedRef {
    const Served *served;
    double time;
    int after;
    bool infeasible;
  };
  llvm::DenseMap<uint64_t, ServedRef> served;
  auto serve = [&](int layout, int needs) {
    uint64_t k = (uint64_t(uint32_t(layout)) << 32) | uint32_t(needs);
    auto [it, inserted] = served.try_emplace(k, ServedRef{});
    if (inserted) {
      const Served &s = engine.serve(layout, needs);
      it->second = {&s, s.time, s.after, s.infeasible};
    }
    return it->second;
  };
  struct Operand {
    int slot, layout, needs;
    /// Whether no later node reads it (for StepBytes).
    bool dies;
  };
  bool energy = p.options.objective == Objective::Energy;
  std::vector<int> cur, key;
  std::vector<int64_t> liveBase(nd), live(nd), vec(width);
  StepBytes held(nd);
  SmallVector<const Served *, 4> used;
  for (size_t i = 0; i < n && !aborted; ++i) {
    Position &here = pos[i];
    r.maxStates = std::max<int64_t>(r.maxStates, here.states.size());
    const std::vector<int> &liveNow = p.liveAt[i];
    auto slotOf = [&](int t) {
      auto it = std::lower_bound(liveNow.begin(), liveNow.end(), t);
      return it != liveNow.end() && *it == t ? int(it - liveNow.begin())
                                             : -1;
    };
    // Per span: where each tensor live after the step comes from (a slot
    // of this key, or -1 for the step's result).
    std::map<int64_t, std::vector<int>> sources;
    const std::vector<Candidate> &cands = p.nodes[i].cands;
    std::vector<SmallVector<Operand, 2>> operands(cands.size());
    std::vector<const std::vector<int> *> sourcesOf(cands.size());
    for (size_t ci = 0; ci < cands.size(); ++ci) {
      const Candidate &c = cands[ci];
      const Node &node = p.nodes[i];
      for (size_t k = 0; k < node.operands.size(); ++k) {
        int t = node.operands[k];
        if (t < 0 || c.needsId[k] < 0)
          continue;
        int slot = slotOf(t);
        operands[ci].push_back({slot, slot < 0 ? engine.argLayout(t) : -1,
                                c.needsId[k], engine.diesAt(t, i)});
      }
      auto [it, inserted] = sources.try_emplace(c.span);
      sourcesOf[ci] = &it->second;
      if (!inserted)
        continue;
      int result = p.nodes[i + c.span - 1].result;
      for (int t : p.liveAt[i + c.span])
        it->second.push_back(t == result ? -1 : slotOf(t));
    }
    for (size_t si = 0; si < here.states.size() && !aborted; ++si) {
      const State &from = here.states[si];
      if (needLive) {
        std::fill(liveBase.begin(), liveBase.end(), 0);
        for (int l : from.key) {
          const std::vector<int64_t> &bytes = engine.bytesOn(l);
          for (int64_t d = 0; d < nd; ++d)
            liveBase[d] += bytes[d];
        }
      }
      for (size_t ci = 0; ci < cands.size(); ++ci) {
        const Candidate &c = cands[ci];
        cur = from.key;
        used.clear();
        bool infeasible = false;
        double commTime = 0;
        for (const Operand &op : operands[ci]) {
          ServedRef s = serve(op.slot < 0 ? op.layout : cur[op.slot], op.needs);
          infeasible |= s.infeasible;
          commTime += s.time;
          if (op.slot >= 0)
            cur[op.slot] = s.after;
          used.push_back(s.served);
        }
        if (infeasible)
          continue;
        commTime += c.internalTime;
        double time = commTime + c.maxCompute;
        double v = time;
        if (energy) {
          v = 0;
          for (int64_t d = 0; d < nd; ++d) {
            double comm = 0;
            for (const Served *s : used)
              comm += s->busy[d];
            comm += c.internalBusy[d];
            double busy = comm + c.compute[d];
            v += cost::deviceEnergy(p.cluster.devices[d],
                                    std::min(busy, time), time);
          }
        }
        size_t next = i + c.span;
        key.clear();
        for (int src : *sourcesOf[ci])
          key.push_back(src < 0 ? c.resultId : cur[src]);
        if (needLive) {
          held.reset();
          for (size_t k = 0; k < operands[ci].size(); ++k) {
            const Operand &op = operands[ci][k];
            held.add(engine.profile(*used[k], op.slot >= 0 && op.dies));
          }
          for (int64_t d = 0; d < nd; ++d)
            live[d] = held.bytes(d, liveBase[d], c.bufferBytes[d]);
        }
        if (pruneSteps) {
          bool over = false;
          for (int64_t d = 0; d < nd && !over; ++d)
            over = live[d] + c.weightBytes[d] >
                   std::min(p.limits[d], config.stepCap);
          if (over)
            continue;
        }
        // The single-label runs' step term.
        if (scalar == Scalar::StepPeak) {
          int64_t m = 0;
          for (int64_t d = 0; d < nd; ++d)
            m = std::max(m, live[d] + c.weightBytes[d]);
          v = double(m);
        } else if (scalar == Scalar::StepTotal) {
          int64_t m = 0;
          for (int64_t d = 0; d < nd; ++d)
            m += live[d];
          v = double(m);
        } else if (scalar == Scalar::Lagrangian) {
          double frac = double(c.span) / double(n), penalty = 0;
          for (int64_t d = 0; d < nd; ++d)
            penalty += config.lambda[d] *
                       (double(c.weightBytes[d]) + frac * double(live[d]));
          // The prices grow along the layers (at most 1 + ramp times):
          // equal layers then do not all switch at the same price.
          if (config.ramp > 0)
            penalty *= 1 + config.ramp * double(i) / double(n);
          v = config.withObjective ? v + penalty : penalty;
        }
        if (memory && config.workBudget > 0 && work > config.workBudget) {
          aborted = true;
          break;
        }
        // The target state, created when its first label arrives (so
        // states are numbered as labels reach them).
        int target = -1;
        for (size_t li = 0; li < from.size(); ++li) {
          double value =
              peakScalar ? std::max(from.values[li], v) : from.values[li] + v;
          double sum = 0;
          ++r.statesExplored;
          if (memory) {
            const int64_t *fw = &from.mem[li * width], *fp = fw + nd;
            bool over = false;
            for (int64_t d = 0; d < nd; ++d) {
              vec[d] = fw[d] + c.weightBytes[d];
              vec[nd + d] = std::max(fp[d], live[d]);
              if (vec[d] + vec[nd + d] > p.limits[d])
                over = true;
            }
            if (over)
              continue;
            for (size_t j = 0; j < width; ++j)
              sum += double(vec[j]);
          }
          Position &at = pos[next];
          if (target < 0) {
            auto [it, inserted] = at.index.try_emplace(key, at.states.size());
            if (inserted) {
              at.states.emplace_back();
              at.states.back().key = key;
            }
            target = it->second;
          }
          if ((boundMemory || boundValue) &&
              beyondBound(next, value, vec.data()))
            continue;
          State &s = at.states[target];
          Back back{int(i), int(si), int(li), int(ci)};
          if (!memory) {
            if (s.values.empty()) {
              s.values.push_back(value);
              s.back.push_back(back);
            } else if (value < s.values[0]) {
              s.values[0] = value;
              s.back[0] = back;
            }
            continue;
          }
          work += int64_t(s.size() + width);
          if (!insertIntoFront(s, value, sum, vec.data(), width, back))
            continue;
          if (beam.width && s.size() > beam.width) {
            // Drop the worst label (the last of equals).
            size_t worst = 0;
            int64_t worstMemory = 0;
            for (size_t k = 0; k < s.size(); ++k) {
              int64_t m = beam.byMemory ? labelMemory(s, k, nd) : 0;
              if (k == 0 || m > worstMemory ||
                  (m == worstMemory && s.values[k] >= s.values[worst])) {
                worst = k;
                worstMemory = m;
              }
            }
            eraseLabel(s, worst, width);
            continue;
          }
          if (static_cast<int64_t>(s.size()) > p.options.paretoCap) {
            truncateFront(s, p.options.paretoCap, width);
            truncated = true;
          }
        }
      }
    }
  }

  if (aborted) {
    r.budgetExceeded = true;
    return r;
  }
  // Close with the output assembly and pick the best label.
  Position &end = pos[n];
  double bestValue = kInf;
  int64_t bestMemory = std::numeric_limits<int64_t>::max();
  int bestState = -1, bestLabel = -1;
  for (size_t si = 0; si < end.states.size(); ++si) {
    const State &st = end.states[si];
    std::map<int, int> layouts;
    for (size_t k = 0; k < p.liveAt[n].size(); ++k)
      layouts[p.liveAt[n][k]] = st.key[k];
    StepOutcome o = engine.finish(layouts);
    if (o.infeasible)
      continue;
    for (size_t li = 0; li < st.size(); ++li) {
      double v =
          peakScalar || (scalar == Scalar::Lagrangian && !config.withObjective)
              ? st.values[li]
              : st.values[li] + engine.stepValue(o);
      if (memory && p.options.objective == Objective::Memory) {
        int64_t m = labelMemory(st, li, nd);
        if (m < bestMemory || (m == bestMemory && v < bestValue)) {
          bestMemory = m;
          bestValue = v;
          bestState = si;
          bestLabel = li;
        }
      } else if (v < bestValue) {
        bestValue = v;
        bestState = si;
        bestLabel = li;
      }
    }
  }
  if (bestState < 0)
    return r;
  r.feasible = true;
  r.choice.assign(n, -1);
  int at = n, s = bestState, l = bestLabel;
  while (at > 0) {
    const Back &b = pos[at].states[s].back[l];
    r.choice[b.prevPos] = b.cand;
    at = b.prevPos;
    s = b.prevState;
    l = b.prevLabel;
  }
  r.eval = evaluateWith(engine, r.choice);
  r.cost = memory && p.options.objective == Objective::Memory
               ? double(bestMemory)
               : bestValue;
  if (truncated) {
    r.exact = false;
    r.gapNote = "a Pareto front exceeded " +
                std::to_string(p.options.paretoCap) +
                " labels and was cut to its cheapest labels; the plan is "
                "feasible but optimality is not proven";
  }

  return r;
}

/// Runner-ups: for each layer of the chosen plan, the cheapest plan that
/// differs from it only at that layer. An alternative is evaluated from
/// the chosen plan's state before the layer; once the live layouts are
/// again those of the chosen plan, the rest is the chosen plan's. The
/// reported value is bit-equal to a full evaluation of the plan (the step
/// values are added in the same order). Summing the chosen plan's tail for
/// every alternative would cost O(layers) each, so alternatives are first
/// ranked by prefix + local steps + precomputed tail sum, and only those
/// within the rounding bound of the best are summed in order (step values
/// are non-negative, so every ordering of the sum is within (m + 2)·u of
/// the others, u the unit roundoff); the winner and its ties are therefore
/// exactly those of a full evaluation of every alternative.
static void fillRunnerUps(Problem &p, Result &r) {
  Engine engine(p);
  int64_t nd = p.numDevices();
  size_t n = p.nodes.size();
  struct Step {
    size_t node;
    std::map<int, int> layouts;
    double value;
    std::vector<int64_t> weights, live;
  };
  std::vector<Step> steps;
  std::map<int, int> layouts;
  for (size_t i = 0; i < n;) {
    const Candidate &c = p.nodes[i].cands[r.choice[i]];
    Step st{i, layouts, 0, {c.weightBytes.begin(), c.weightBytes.end()}, {}};
    StepOutcome o = engine.step(i, c, layouts);
    st.value = engine.stepValue(o);
    st.live = std::move(o.live);
    steps.push_back(std::move(st));
    i += c.span;
    engine.prune(layouts, i);
  }
  std::map<int, int> end = layouts;
  double finishValue = engine.stepValue(engine.finish(end));
  size_t m = steps.size();
  if (m != r.eval.layers.size())
    return;
  // Running value, parameter bytes and activation peaks before step k,
  // the value, parameter bytes and peaks from step k on (the value only
  // for ranking).
  std::vector<double> before(m + 1, 0), tail(m + 1, finishValue);
  std::vector<std::vector<int64_t>> wBefore(m + 1, std::vector<int64_t>(nd)),
      peakBefore = wBefore, wFrom = wBefore, peakFrom = wBefore;
  for (size_t k = 0; k < m; ++k) {
    before[k + 1] = before[k] + steps[k].value;
    for (int64_t d = 0; d < nd; ++d) {
      wBefore[k + 1][d] = wBefore[k][d] + steps[k].weights[d];
      peakBefore[k + 1][d] = std::max(peakBefore[k][d], steps[k].live[d]);
    }
  }
  for (size_t k = m; k-- > 0;) {
    tail[k] = tail[k + 1] + steps[k].value;
    for (int64_t d = 0; d < nd; ++d) {
      wFrom[k][d] = wFrom[k + 1][d] + steps[k].weights[d];
      peakFrom[k][d] = std::max(peakFrom[k + 1][d], steps[k].live[d]);
    }
  }
  bool memoryObjective = p.options.objective == Objective::Memory;
  // Relative bound on the difference of two summation orders of the m + 2
  // non-negative terms of a plan's value, with a margin.
  double bound = 4.0 * double(m + 4) * std::numeric_limits<double>::epsilon();

  // An alternative that remains after the limit and feasibility checks.
  struct Alternative {
    size_t cand;
    /// Where the layouts re-converge (m if never) and the step values up
    /// to there.
    size_t rejoin;
    llvm::SmallVector<double, 4> values;
    /// The value in a different summation order (ranking only), or the
    /// exact value when it is already known.
    double rank;
  };
  std::vector<Alternative> alts;
  for (size_t k = 0; k < m; ++k) {
    size_t i = steps[k].node;
    int64_t span = p.nodes[i].cands[r.choice[i]].span;
    alts.clear();
    for (size_t ci = 0; ci < p.nodes[i].cands.size(); ++ci) {
      const Candidate &c = p.nodes[i].cands[ci];
      if (static_cast<int>(ci) == r.choice[i] || c.span != span)
        continue;
      Alternative a{ci, m, {}, 0};
      std::map<int, int> alt = steps[k].layouts;
      std::vector<int64_t> w = wBefore[k], peak = peakBefore[k];
      bool valid = true;
      auto run = [&](size_t at, const Candidate &cand) {
        StepOutcome o = engine.step(at, cand, alt);
        valid &= !o.infeasible;
        a.values.push_back(engine.stepValue(o));
        for (int64_t d = 0; d < nd; ++d) {
          w[d] += cand.weightBytes[d];
          peak[d] = std::max(peak[d], o.live[d]);
        }
        engine.prune(alt, at + cand.span);
      };
      run(i, c);
      size_t j = k + 1;
      for (; j < m && alt != steps[j].layouts; ++j)
        run(steps[j].node,
            p.nodes[steps[j].node].cands[r.choice[steps[j].node]]);
      a.rejoin = j;
      double local = 0;
      for (double v : a.values)
        local += v;
      if (j < m) {
        a.rank = before[k] + local + tail[j];
        for (int64_t d = 0; d < nd; ++d) {
          w[d] += wFrom[j][d];
          peak[d] = std::max(peak[d], peakFrom[j][d]);
        }
      } else {
        StepOutcome o = engine.finish(alt);
        valid &= !o.infeasible;
        a.values.push_back(engine.stepValue(o));
        // Nothing is shared with the chosen plan: the exact value.
        a.rank = before[k];
        for (double v : a.values)
          a.rank += v;
      }
      if (!valid)
        continue;
      int64_t memory = 0;
      bool over = false;
      for (int64_t d = 0; d < nd; ++d) {
        memory = std::max(memory, w[d] + peak[d]);
        over |= w[d] + peak[d] > p.limits[d];
      }
      if (over)
        continue;
      if (memoryObjective)
        a.rank = double(memory);
      alts.push_back(std::move(a));
    }
    if (alts.empty())
      continue;
    double least = kInf;
    for (const Alternative &a : alts)
      least = std::min(least, a.rank);
    // The exact value of an alternative, summed in plan order.
    auto exact = [&](const Alternative &a) {
      if (memoryObjective || a.rejoin == m)
        return a.rank;
      double value = before[k];
      for (double v : a.values)
        value += v;
      for (size_t q = a.rejoin; q < m; ++q)
        value += steps[q].value;
      return value + finishValue;
    };
    double best = kInf;
    size_t bestCand = 0;
    for (const Alternative &a : alts) {
      if (a.rank > least + least * bound)
        continue;
      double v = exact(a);
      if (v < best) {
        best = v;
        bestCand = a.cand;
      }
    }
    if (std::isfinite(best)) {
      r.eval.layers[k].runnerUp = p.nodes[i].cands[bestCand].name.str();
      r.eval.layers[k].runnerUpCost = best;
    }
  }
}

//===----------------------------------------------------------------------===//
// Throughput: pipelines of stages on device ranges
//===----------------------------------------------------------------------===//

/// The batch extent every layer and model input share (their minimum), or
/// -1 if a layer has no batch dimension (no micro-batching then).
static int64_t pipelineBatch(const Problem &p) {
  int64_t batch = -1;
  for (const Node &node : p.nodes) {
    int64_t b = cast<PartitionableOpInterface>(node.op).getIterationExtent(
        SplitDim::batch);
    if (b < 1)
      return -1;
    batch = batch < 0 ? b : std::min(batch, b);
  }
  for (const TensorInfo &t : p.tensors)
    if (t.producer < 0 && !t.shape.empty())
      batch = batch < 0 ? t.shape[0] : std::min(batch, t.shape[0]);
  return batch;
}

/// Device counts a stage may have: all for up to 8 devices, else 1, the
/// powers of two and all.
static std::vector<int64_t> stageWidths(int64_t n) {
  return deviceCounts(1, n, 8);
}

/// The micro-batch counts a pipeline may use: 1, and every count of the
/// options above 1 that divides the batch.
static std::vector<int64_t> microbatchCounts(const Problem &p, int64_t batch) {
  std::vector<int64_t> counts = {1};
  if (batch > 0)
    for (int64_t m : p.options.microbatches)
      if (m > 1 && batch % m == 0)
        counts.push_back(m);
  return counts;
}

/// Calls `f(first, count, cut)` for every device range the layer after a
/// layer on [first, end) may take: the same stage (unless no stage is open
/// yet), or a new stage (`cut`) of each width on the devices after it.
template <typename F>
static void forEachStageRange(int64_t first, int64_t end, int64_t numDevices,
                              ArrayRef<int64_t> widths, F &&f) {
  if (end > first)
    f(first, end - first, /*cut=*/false);
  for (int64_t w : widths)
    if (end + w <= numDevices)
      f(end, w, /*cut=*/true);
}

static std::optional<DimRange> microbatchWindow(int64_t batch, int64_t m) {
  if (m <= 1)
    return std::nullopt;
  return DimRange{SplitDim::batch, 0, batch / m};
}

static PlanAttr withStage(PlanAttr plan, int64_t stage) {
  return PlanAttr::get(plan.getContext(), stage, plan.getDevices(),
                       plan.getReplicas(), plan.getSplits(), plan.getTile());
}

/// The senders' share of a step of the stage whose devices satisfy
/// `inStage`: the longest communication of a device outside the stage.
/// Only devices of earlier stages can be such (they send it the tensors
/// they hold; later stages hold nothing yet).
template <typename InStage>
static double senderShare(const StepOutcome &o, InStage inStage) {
  double share = 0;
  for (size_t d = 0; d < o.comm.size(); ++d)
    if (!inStage(int64_t(d)))
      share = std::max(share, o.comm[d]);
  return share;
}

/// Bytes device 0 holds for the whole batch with `m` micro-batches: the
/// model outputs, which dl-apply-partition allocates before the first
/// micro-batch and fills slice after slice.
namespace {
/// The model outputs of a pipeline with m > 1 micro-batches, as
/// dl-apply-partition emits their gathering: each micro-batch's outputs
/// stay where its walk left them until the last micro-batch is done, then
/// device 0 receives them one micro-batch after another into the whole
/// outputs (allocated at the first piece).
struct HeldOutputs {
  /// Per device: bytes of one micro-batch's outputs at the end of its walk
  /// (m - 1 earlier micro-batches' are held through the last walk).
  std::vector<int64_t> perMicrobatch;
  /// Per device: the peak while device 0 gathers: all m micro-batches'
  /// pieces, on device 0 the whole outputs, plus the buffers of one piece's
  /// transfer.
  std::vector<int64_t> gather;

  /// A device's activation peak given its peak over one walk's steps.
  int64_t peak(int64_t d, int64_t walk, int64_t m) const {
    if (perMicrobatch.empty())
      return walk;
    return std::max(walk + (m - 1) * perMicrobatch[d], gather[d]);
  }
};
} // namespace

/// The outputs held by a pipeline whose walk ends with `layouts` (none
/// with one micro-batch).
static HeldOutputs heldOutputs(Problem &p, Engine &engine,
                               const std::map<int, int> &layouts, int64_t m,
                               std::optional<DimRange> window) {
  HeldOutputs h;
  if (m <= 1 || !window)
    return h;
  int64_t nd = p.numDevices();
  h.perMicrobatch.assign(nd, 0);
  h.gather.assign(nd, 0);
  std::set<int> counted;
  std::vector<int64_t> transfer(nd, 0);
  for (int t : p.returns) {
    Box whole = Box::full(p.tensors[t].shape);
    if (!whole.sizes.empty())
      h.gather[0] += whole.numElements() * cost::kElementBytes;
    auto it = layouts.find(t);
    if (it == layouts.end())
      continue; // a model input: read in place from the input buffer
    if (counted.insert(t).second)
      for (int64_t d = 0; d < nd; ++d)
        h.perMicrobatch[d] += engine.bytesOn(it->second)[d];
    Box box = whole;
    if (!box.sizes.empty()) {
      box.offsets[0] = window->lo;
      box.sizes[0] = window->size();
    }
    const cost::BufferProfile &b = engine.profile(
        engine.serve(it->second, p.internNeeds({Need{0, box}})), true);
    for (int64_t d = 0; d < nd; ++d)
      transfer[d] = std::max(transfer[d], b.peak[d]);
  }
  for (int64_t d = 0; d < nd; ++d)
    h.gather[d] += m * h.perMicrobatch[d] + transfer[d];
  return h;
}

namespace {
/// Candidates per device range (first device, count) for one micro-batch
/// window, built on first use; layers with equal signatures share them.
struct StageCandidates {
  Problem &p;
  CandidateBuilder builder;
  std::optional<DimRange> window;
  std::vector<int> sig;
  std::map<std::pair<int64_t, int64_t>, std::vector<std::vector<Candidate>>>
      sets;

  StageCandidates(Problem &p, std::optional<DimRange> window)
      : p(p), builder{p, p.nodes.front().op->getContext(), {}}, window(window) {
    for (const ClusterDevice &d : p.cluster.devices)
      builder.speeds.push_back(d.flops);
    std::map<std::string, int> ids;
    for (const Node &node : p.nodes)
      sig.push_back(
          ids.try_emplace(signatureOf(node), ids.size()).first->second);
  }

  const std::vector<Candidate> &of(size_t node, int64_t first, int64_t count) {
    auto [it, inserted] = sets.try_emplace({first, count});
    std::vector<std::vector<Candidate>> &set = it->second;
    if (inserted) {
      set.resize(p.nodes.size());
      std::map<int, size_t> built;
      for (size_t i = 0; i < p.nodes.size(); ++i) {
        auto [b, fresh] = built.try_emplace(sig[i], i);
        if (fresh)
          builder.build(p.nodes[i], set[i], first, count, window);
        else
          set[i] = set[b->second];
      }
    }
    return set[node];
  }
};

/// A pipeline's running price in plan order, per micro-batch: the sum of
/// the closed stages' times (the way of one micro-batch through them), the
/// slowest stage closed before the last one, the last closed stage's time
/// with the sends charged to it so far, the open stage's time so far, and
/// the number of stages.
struct PipeTime {
  double sumPrev = 0, maxPrev = 0, prev = 0, cur = 0;
  int64_t stages = 0;

  /// Adds a step of `time` whose senders outside its stage spend `share`
  /// sending; `cut`: the step opens a new stage. A stage's time for the
  /// period is its steps plus its sends to the next stage; the way of a
  /// micro-batch counts each transfer once (in the receiving stage).
  void step(double time, double share, bool cut) {
    if (cut) {
      sumPrev = sumPrev + cur;
      maxPrev = std::max(maxPrev, prev);
      prev = cur + share;
      cur = time;
      ++stages;
    } else {
      prev = prev + share;
      cur = cur + time;
    }
  }

  /// The batch time with `m` micro-batches once the outputs are assembled
  /// in `finish` (by the last stage): the way of the first micro-batch
  /// plus a period for each further one; sets `period`.
  double batch(double finish, int64_t m, double &period) const {
    double last = cur + finish;
    period = std::max(std::max(maxPrev, prev), last);
    return (sumPrev + last) + double(m - 1) * period;
  }

  bool noWorseThan(const PipeTime &o) const {
    return sumPrev <= o.sumPrev && maxPrev <= o.maxPrev && prev <= o.prev &&
           cur <= o.cur;
  }
};

/// A partial pipeline reaching a state.
struct PipeLabel {
  PipeTime time;
  int prevState = -1, prevLabel = -1, cand = -1;
  /// Under memory limits: per device, its parameter bytes and the peak of
  /// its activations and buffers so far.
  std::vector<int64_t> weights, peak;
};

/// The open stage's devices [first, end) and the layouts of the live
/// tensors.
struct PipeState {
  int64_t first = 0, end = 0;
  std::vector<int> layouts;
  std::vector<PipeLabel> labels;
};

struct PipePosition {
  std::vector<PipeState> states;
  std::unordered_map<std::vector<int>, int, KeyHash> index;
};

enum class PipeMode {
  /// The fastest pipeline, memory not checked.
  Fastest,
  /// The fastest pipeline within every device's limit.
  WithinLimits,
  /// The pipeline whose worst device exceeds its limit by the least.
  LeastOvershoot,
};

/// The best pipeline for one micro-batch count.
struct PipePlan {
  bool feasible = false;
  bool truncated = false;
  double time = kInf, period = 0;
  int64_t overshoot = std::numeric_limits<int64_t>::max();
  int64_t stages = 0;
  /// Per node: candidate, stage index and the stage's devices.
  std::vector<Candidate> cands;
  std::vector<int64_t> stageOf;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  int64_t explored = 0, maxStates = 0;
};
} // namespace

/// Prices a pipeline given per node its candidate and stage index: per
/// micro-batch, each stage's time is the sum of its layers' steps
/// (redistribution of their operands from wherever they are, including
/// the previous stages' devices, then compute), the last stage also
/// assembling the outputs on device 0; for the period, a stage also
/// spends the time its devices send to the next stages (PipeTime). A batch
/// takes the first micro-batch's way through all stages plus a period for
/// each further one. The sums are formed in the order the DP forms them,
/// so equal plans give bit-equal values. Per device, memory is its
/// parameters plus its peak of live activations and buffers at one
/// micro-batch, with M > 1 plus the M - 1 earlier micro-batches' outputs
/// it holds, or the peak while device 0 gathers them (HeldOutputs).
static PipelineEvaluation
pricePipeline(Problem &p, Engine &engine,
              const std::vector<const Candidate *> &cands,
              const std::vector<int64_t> &stageOf, int64_t m,
              std::optional<DimRange> window) {
  PipelineEvaluation pe;
  int64_t nd = p.numDevices();
  Evaluation &e = pe.eval;
  e.devices.assign(nd, {});
  e.peakAt.assign(nd, -1);
  // A stage's devices: those of its layers' plans (the devices of the
  // DP's range that no layer uses neither hold nor send anything).
  std::map<int64_t, std::vector<char>> members;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    std::vector<char> &in = members[stageOf[i]];
    in.resize(nd, 0);
    for (int64_t d : cands[i]->plans[0].getDevices())
      if (d >= 0 && d < nd)
        in[d] = 1;
  }
  std::map<int, int> layouts;
  PipeTime acc;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const Candidate &c = *cands[i];
    StepOutcome o = engine.step(i, c, layouts);
    if (o.infeasible)
      e.valid = false;
    const std::vector<char> &in = members[stageOf[i]];
    acc.step(o.time, senderShare(o, [&](int64_t d) { return in[d] != 0; }),
             i == 0 || stageOf[i] != stageOf[i - 1]);
    LayerReport lr;
    lr.node = i;
    lr.scheme = "stage " + std::to_string(stageOf[i]) + ": " + c.name.str();
    lr.time = o.time;
    lr.bytes = o.bytes;
    e.layers.push_back(lr);
    e.bytes += o.bytes * m;
    for (int64_t d = 0; d < nd; ++d) {
      DeviceReport &dr = e.devices[d];
      dr.compute += c.compute[d] * double(m);
      dr.comm += o.comm[d] * double(m);
      dr.weights += c.weightBytes[d];
      if (o.live[d] > dr.peakActivations) {
        dr.peakActivations = o.live[d];
        e.peakAt[d] = i;
      }
    }
    engine.prune(layouts, i + 1);
  }
  HeldOutputs held = heldOutputs(p, engine, layouts, m, window);
  for (int64_t d = 0; d < nd; ++d) {
    DeviceReport &dr = e.devices[d];
    int64_t peak = held.peak(d, dr.peakActivations, m);
    if (peak >
        dr.peakActivations +
            (held.perMicrobatch.empty() ? 0 : (m - 1) * held.perMicrobatch[d]))
      e.peakAt[d] = p.nodes.size() - 1; // while device 0 gathers
    dr.peakActivations = peak;
  }
  StepOutcome o = engine.finish(layouts, nullptr, 0, window);
  if (o.infeasible)
    e.valid = false;
  e.bytes += o.bytes * m;
  for (int64_t d = 0; d < nd; ++d)
    e.devices[d].comm += o.comm[d] * double(m);
  pe.stages = acc.stages;
  pe.latency = acc.batch(o.time, m, pe.period);
  e.latency = pe.latency;
  for (DeviceReport &dr : e.devices)
    dr.idle = std::max(0.0, pe.latency - dr.compute - dr.comm);
  return pe;
}

/// The candidates of the pipeline stage plans `plans` (one per node, stage
/// indices non-decreasing, no fused tiles) at micro-batch `window`, and
/// each node's stage; nothing if a plan is not executable so.
static std::optional<std::vector<Candidate>>
stagedCandidates(Problem &p, ArrayRef<PlanAttr> plans,
                 std::optional<DimRange> window,
                 std::vector<int64_t> &stageOf) {
  CandidateBuilder builder{p, p.nodes.front().op->getContext(), {}};
  for (const ClusterDevice &d : p.cluster.devices)
    builder.speeds.push_back(d.flops);
  std::vector<Candidate> owned;
  owned.reserve(p.nodes.size());
  stageOf.clear();
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    PlanAttr plan = plans[i];
    if (!plan || plan.getTile() || (i > 0 && plan.getStage() < stageOf.back()))
      return std::nullopt;
    for (int64_t d : plan.getDevices())
      if (d < 0 || d >= p.numDevices())
        return std::nullopt;
    auto c =
        builder.fromPlan(p.nodes[i], withStage(plan, 0), "planned", window);
    if (!c)
      return std::nullopt;
    owned.push_back(std::move(*c));
    stageOf.push_back(plan.getStage());
  }
  return owned;
}

std::optional<Simulation>
mlir::dl::search::simulateStaged(Problem &p, ArrayRef<PlanAttr> plans,
                                 int warmup, int timed) {
  if (p.nodes.empty() || plans.size() != p.nodes.size())
    return std::nullopt;
  std::vector<int64_t> stageOf;
  std::optional<std::vector<Candidate>> owned =
      stagedCandidates(p, plans, std::nullopt, stageOf);
  if (!owned)
    return std::nullopt;
  std::vector<const Candidate *> steps;
  for (const Candidate &c : *owned)
    steps.push_back(&c);
  Simulation sim = simulate(p, steps, warmup, timed);
  if (!sim.valid)
    return std::nullopt;
  return sim;
}

std::optional<PipelineEvaluation>
mlir::dl::search::evaluatePipeline(Problem &p, ArrayRef<PlanAttr> plans,
                                   int64_t m) {
  if (p.nodes.empty() || plans.size() != p.nodes.size() || m < 1)
    return std::nullopt;
  int64_t batch = pipelineBatch(p);
  if (m > 1 && (batch < 1 || batch % m != 0))
    return std::nullopt;
  std::optional<DimRange> window = microbatchWindow(batch, m);
  std::vector<int64_t> stageOf;
  std::optional<std::vector<Candidate>> owned =
      stagedCandidates(p, plans, window, stageOf);
  if (!owned)
    return std::nullopt;
  std::vector<const Candidate *> cands;
  for (const Candidate &c : *owned)
    cands.push_back(&c);
  Engine engine(p);
  PipelineEvaluation pe = pricePipeline(p, engine, cands, stageOf, m, window);
  if (!pe.eval.valid)
    return std::nullopt;
  return pe;
}

std::vector<Candidate>
mlir::dl::search::pipelineCandidates(Problem &p, size_t node, int64_t first,
                                     int64_t count, int64_t m) {
  int64_t batch = pipelineBatch(p);
  if (node >= p.nodes.size() || (m > 1 && (batch < 1 || batch % m != 0)))
    return {};
  StageCandidates sets(p, microbatchWindow(batch, m));
  return sets.of(node, first, count);
}

double mlir::dl::search::bruteForcePipeline(Problem &p) {
  size_t n = p.nodes.size();
  int64_t nd = p.numDevices();
  if (n == 0)
    return kInf;
  int64_t batch = pipelineBatch(p);
  std::vector<int64_t> widths = stageWidths(nd);
  Engine engine(p);
  double best = kInf;
  for (int64_t m : microbatchCounts(p, batch)) {
    std::optional<DimRange> window = microbatchWindow(batch, m);
    StageCandidates sets(p, window);
    std::vector<const Candidate *> chosen(n);
    std::vector<int64_t> stageOf(n);
    // Every stage structure (cuts and device ranges) and every candidate
    // of every layer in its stage's range.
    std::function<void(size_t, int64_t, int64_t, int64_t)> rec =
        [&](size_t i, int64_t first, int64_t end, int64_t stage) {
          if (i == n) {
            PipelineEvaluation pe =
                pricePipeline(p, engine, chosen, stageOf, m, window);
            if (pe.eval.valid && withinLimits(p, pe.eval) &&
                pe.stages >= p.options.minStages)
              best = std::min(best, pe.latency);
            return;
          }
          forEachStageRange(first, end, nd, widths,
                            [&](int64_t f, int64_t count, bool cut) {
                              int64_t s = cut ? stage + 1 : stage;
                              for (const Candidate &c : sets.of(i, f, count)) {
                                chosen[i] = &c;
                                stageOf[i] = s;
                                rec(i + 1, f, f + count, s);
                              }
                            });
        };
    rec(0, 0, 0, -1);
  }
  return best;
}

/// The pipeline DP for `m` micro-batches: over (position, the open stage's
/// device range, live layouts), per state the Pareto front of labels. The
/// batch time is non-decreasing in each PipeTime component and so is
/// every continuation; under limits the per-device parameter bytes only
/// grow and the activation peaks are maxed, so a label no better in time
/// and in every device's bytes never leads to a better plan that fits.
static PipePlan runPipeline(Problem &p, Engine &engine, StageCandidates &sets,
                            int64_t m, std::optional<DimRange> window,
                            ArrayRef<int64_t> widths, PipeMode mode) {
  size_t n = p.nodes.size();
  int64_t nd = p.numDevices();
  bool memory = mode != PipeMode::Fastest;
  PipePlan plan;
  std::vector<PipePosition> pos(n + 1);
  PipeLabel start;
  if (memory) {
    start.weights.assign(nd, 0);
    start.peak.assign(nd, 0);
  }
  pos[0].states.push_back(PipeState{0, 0, {}, {start}});
  pos[0].index[{0, 0}] = 0;
  // With a minimum stage count, fewer stages (below it) are worse.
  //
  // Memory: a device of the open stage or after it ends with its
  // parameters plus max(its peak so far, its future peak), plus the
  // parameters still to come, which are the same for both labels of a
  // state under the same continuation: `a` is no worse on it if it has no
  // more parameters and no more parameters plus peak. A device of a closed
  // stage gets no more parts, and the tensors it holds only shrink (no
  // later stage sends it anything) and were counted in its peak at the
  // step after its stage closed, so its bytes are final: within limits it
  // was checked already and no longer matters; for the least overshoot
  // only the worst closed device's overshoot does.
  auto closedOvershoot = [&](const PipeLabel &l, int64_t first) {
    int64_t worst = std::numeric_limits<int64_t>::min();
    for (int64_t d = 0; d < first; ++d)
      worst = std::max(worst, l.weights[d] + l.peak[d] - p.limits[d]);
    return worst;
  };
  auto dominates = [&](const PipeLabel &a, const PipeLabel &b, int64_t first) {
    if (std::min(a.time.stages, p.options.minStages) <
        std::min(b.time.stages, p.options.minStages))
      return false;
    if (mode != PipeMode::LeastOvershoot && !a.time.noWorseThan(b.time))
      return false;
    if (!memory)
      return true;
    if (mode == PipeMode::LeastOvershoot &&
        closedOvershoot(a, first) > closedOvershoot(b, first))
      return false;
    // With micro-batches, the outputs held until the end and device 0's
    // gathering of them can still raise a closed device's bytes (by the
    // same amount for both labels: it depends on the final layouts), so
    // every device is compared as an open one.
    for (int64_t d = m > 1 ? 0 : first; d < nd; ++d)
      if (a.weights[d] > b.weights[d] ||
          a.weights[d] + a.peak[d] > b.weights[d] + b.peak[d])
        return false;
    return true;
  };
  std::vector<int> key;
  auto insert = [&](PipePosition &at, int64_t first, int64_t end,
                    const std::map<int, int> &layouts, PipeLabel &&d) {
    key.assign({int(first), int(end)});
    for (auto &[t, l] : layouts)
      key.push_back(l);
    auto [it, inserted] = at.index.try_emplace(key, at.states.size());
    if (inserted) {
      PipeState st{first, end, {}, {}};
      st.layouts.assign(key.begin() + 2, key.end());
      at.states.push_back(std::move(st));
    }
    std::vector<PipeLabel> &labels = at.states[it->second].labels;
    size_t kept = 0;
    for (size_t k = 0; k < labels.size(); ++k) {
      if (dominates(labels[k], d, first))
        return;
      if (dominates(d, labels[k], first))
        continue;
      if (kept != k)
        labels[kept] = std::move(labels[k]);
      ++kept;
    }
    labels.resize(kept);
    labels.push_back(std::move(d));
    if (static_cast<int64_t>(labels.size()) > p.options.paretoCap) {
      // Drop the slowest label so far (the last of the slowest).
      size_t worst = 0;
      for (size_t k = 1; k < labels.size(); ++k)
        if (labels[k].time.sumPrev + labels[k].time.cur >=
            labels[worst].time.sumPrev + labels[worst].time.cur)
          worst = k;
      labels.erase(labels.begin() + worst);
      plan.truncated = true;
    }
  };
  for (size_t i = 0; i < n; ++i) {
    plan.maxStates = std::max<int64_t>(plan.maxStates, pos[i].states.size());
    for (size_t si = 0; si < pos[i].states.size(); ++si) {
      auto transitions = [&](int64_t first, int64_t count, bool cut) {
        auto inStage = [&](int64_t d) {
          return d >= first && d < first + count;
        };
        const std::vector<Candidate> &cands = sets.of(i, first, count);
        for (size_t ci = 0; ci < cands.size(); ++ci) {
          const PipeState &st = pos[i].states[si];
          std::map<int, int> layouts;
          for (size_t k = 0; k < st.layouts.size(); ++k)
            layouts[p.liveAt[i][k]] = st.layouts[k];
          StepOutcome o = engine.step(i, cands[ci], layouts);
          if (o.infeasible)
            continue;
          engine.prune(layouts, i + 1);
          double share = senderShare(o, inStage);
          for (size_t li = 0; li < pos[i].states[si].labels.size(); ++li) {
            const PipeLabel &from = pos[i].states[si].labels[li];
            PipeLabel d;
            d.time = from.time;
            d.time.step(o.time, share, cut);
            if (memory) {
              d.weights = from.weights;
              d.peak = from.peak;
              bool over = false;
              for (int64_t dev = 0; dev < nd; ++dev) {
                d.weights[dev] += cands[ci].weightBytes[dev];
                d.peak[dev] = std::max(d.peak[dev], o.live[dev]);
                over |= d.weights[dev] + d.peak[dev] > p.limits[dev];
              }
              if (over && mode == PipeMode::WithinLimits)
                continue;
            }
            d.prevState = si;
            d.prevLabel = li;
            d.cand = ci;
            ++plan.explored;
            insert(pos[i + 1], first, first + count, layouts, std::move(d));
          }
        }
      };
      forEachStageRange(pos[i].states[si].first, pos[i].states[si].end, nd,
                        widths, transitions);
    }
  }
  for (size_t si = 0; si < pos[n].states.size(); ++si) {
    const PipeState &st = pos[n].states[si];
    std::map<int, int> layouts;
    for (size_t k = 0; k < st.layouts.size(); ++k)
      layouts[p.liveAt[n][k]] = st.layouts[k];
    HeldOutputs held;
    if (memory)
      held = heldOutputs(p, engine, layouts, m, window);
    StepOutcome o = engine.finish(layouts, nullptr, 0, window);
    if (o.infeasible)
      continue;
    for (size_t li = 0; li < st.labels.size(); ++li) {
      const PipeLabel &l = st.labels[li];
      if (l.time.stages < p.options.minStages)
        continue;
      double period;
      double time = l.time.batch(o.time, m, period);
      int64_t overshoot = std::numeric_limits<int64_t>::min();
      bool over = false;
      if (memory)
        for (int64_t d = 0; d < nd; ++d) {
          int64_t excess =
              l.weights[d] + held.peak(d, l.peak[d], m) - p.limits[d];
          overshoot = std::max(overshoot, excess);
          over |= excess > 0;
        }
      if (over && mode == PipeMode::WithinLimits)
        continue;
      if (mode == PipeMode::LeastOvershoot ? !(overshoot < plan.overshoot)
                                           : !(time < plan.time))
        continue;
      plan.feasible = true;
      plan.time = time;
      plan.period = period;
      plan.overshoot = overshoot;
      plan.stages = l.time.stages;
      plan.cands.assign(n, Candidate());
      plan.stageOf.assign(n, 0);
      plan.ranges.assign(n, {0, 0});
      int s = si, lab = li;
      for (size_t at = n; at > 0; --at) {
        const PipeState &ps = pos[at].states[s];
        const PipeLabel &pl = ps.labels[lab];
        plan.cands[at - 1] =
            sets.of(at - 1, ps.first, ps.end - ps.first)[pl.cand];
        plan.stageOf[at - 1] = pl.time.stages - 1;
        plan.ranges[at - 1] = {ps.first, ps.end - ps.first};
        s = pl.prevState;
        lab = pl.prevLabel;
      }
    }
  }
  return plan;
}

static PipelineEvaluation pricePlan(Problem &p, Engine &engine,
                                    const PipePlan &plan, int64_t m,
                                    std::optional<DimRange> window) {
  std::vector<const Candidate *> chosen;
  for (const Candidate &c : plan.cands)
    chosen.push_back(&c);
  return pricePipeline(p, engine, chosen, plan.stageOf, m, window);
}

/// Per layer, the cheapest pipeline that differs from the chosen one only
/// in that layer's candidate (any other of its stage's range; stages,
/// ranges and micro-batch count kept) and fits the limits, priced as
/// pricePipeline prices it, bit for bit. As for the other objectives
/// (fillRunnerUps), an alternative is stepped from the chosen plan's
/// layouts before the layer until the live layouts coincide with the
/// chosen plan's again; the other steps are the chosen plan's. The batch
/// time is then folded over all steps in plan order (n additions), and
/// the memory is the chosen plan's with this layer's parameters swapped
/// and the activation peaks of the changed steps maxed in.
static void fillPipelineRunnerUps(Problem &p, Engine &engine,
                                  StageCandidates &sets, const PipePlan &plan,
                                  int64_t m, std::optional<DimRange> window,
                                  Evaluation &e) {
  size_t n = p.nodes.size();
  int64_t nd = p.numDevices();
  struct Step {
    double time = 0, share = 0;
    std::vector<int64_t> live;
  };
  auto stepOf = [&](size_t k, const Candidate &c, std::map<int, int> &layouts,
                    bool &valid) {
    StepOutcome o = engine.step(k, c, layouts);
    valid &= !o.infeasible;
    int64_t first = plan.ranges[k].first, end = first + plan.ranges[k].second;
    Step s{o.time,
           senderShare(o, [&](int64_t d) { return d >= first && d < end; }),
           std::move(o.live)};
    engine.prune(layouts, k + 1);
    return s;
  };
  std::vector<std::map<int, int>> before(n + 1);
  std::vector<Step> steps;
  std::vector<char> cut(n);
  std::vector<int64_t> weights(nd, 0);
  std::map<int, int> layouts;
  bool valid = true;
  for (size_t i = 0; i < n; ++i) {
    before[i] = layouts;
    steps.push_back(stepOf(i, plan.cands[i], layouts, valid));
    for (int64_t d = 0; d < nd; ++d)
      weights[d] += plan.cands[i].weightBytes[d];
    cut[i] = i == 0 || plan.stageOf[i] != plan.stageOf[i - 1];
  }
  before[n] = layouts;
  if (!valid)
    return;
  // Activation peaks of the steps before and from each position.
  std::vector<std::vector<int64_t>> pre(n + 1, std::vector<int64_t>(nd, 0));
  std::vector<std::vector<int64_t>> suf(n + 1, std::vector<int64_t>(nd, 0));
  for (size_t i = 0; i < n; ++i)
    for (int64_t d = 0; d < nd; ++d)
      pre[i + 1][d] = std::max(pre[i][d], steps[i].live[d]);
  for (size_t i = n; i-- > 0;)
    for (int64_t d = 0; d < nd; ++d)
      suf[i][d] = std::max(suf[i + 1][d], steps[i].live[d]);
  std::map<int, int> last = before[n];
  HeldOutputs chosenHeld = heldOutputs(p, engine, last, m, window);
  double finish = engine.finish(last, nullptr, 0, window).time;
  for (size_t i = 0; i < n; ++i) {
    const Candidate &chosen = plan.cands[i];
    double best = kInf;
    std::string name;
    for (const Candidate &c :
         sets.of(i, plan.ranges[i].first, plan.ranges[i].second)) {
      if (c.plans[0] == chosen.plans[0])
        continue;
      std::map<int, int> alt = before[i];
      bool ok = true;
      std::vector<Step> local;
      local.push_back(stepOf(i, c, alt, ok));
      size_t j = i + 1;
      for (; j < n && alt != before[j]; ++j)
        local.push_back(stepOf(j, plan.cands[j], alt, ok));
      double fin = finish;
      HeldOutputs held = chosenHeld;
      if (j == n) {
        held = heldOutputs(p, engine, alt, m, window);
        StepOutcome o = engine.finish(alt, nullptr, 0, window);
        ok &= !o.infeasible;
        fin = o.time;
      }
      if (!ok)
        continue;
      bool over = false;
      for (int64_t d = 0; d < nd; ++d) {
        int64_t w = weights[d] - chosen.weightBytes[d] + c.weightBytes[d];
        int64_t peak = std::max(pre[i][d], suf[j][d]);
        for (const Step &s : local)
          peak = std::max(peak, s.live[d]);
        over |= w + held.peak(d, peak, m) > p.limits[d];
      }
      if (over)
        continue;
      PipeTime acc;
      for (size_t k = 0; k < n; ++k) {
        const Step &s = k >= i && k < j ? local[k - i] : steps[k];
        acc.step(s.time, s.share, cut[k]);
      }
      double period;
      double value = acc.batch(fin, m, period);
      if (value < best) {
        best = value;
        name = c.name.str();
      }
    }
    if (std::isfinite(best)) {
      e.layers[i].runnerUp = name;
      e.layers[i].runnerUpCost = best;
    }
  }
}

Result mlir::dl::search::searchPipeline(Problem &p) {
  Result r;
  r.method = "pipeline DP over (position, open stage's device range, live "
             "layouts) with (closed stages' sum, slowest closed stage, last "
             "closed stage with its sends, open stage) Pareto labels, per "
             "micro-batch count";
  size_t n = p.nodes.size();
  if (n == 0)
    return r;
  int64_t batch = pipelineBatch(p);
  std::vector<int64_t> widths = stageWidths(p.numDevices());
  Engine engine(p);
  bool truncated = false;
  // The best pipeline for every micro-batch count: the fastest, or, if it
  // does not fit, the fastest that does.
  std::vector<std::pair<int64_t, PipePlan>> plans;
  size_t best = 0;
  for (int64_t m : microbatchCounts(p, batch)) {
    std::optional<DimRange> window = microbatchWindow(batch, m);
    StageCandidates sets(p, window);
    PipePlan plan =
        runPipeline(p, engine, sets, m, window, widths, PipeMode::Fastest);
    r.statesExplored += plan.explored;
    r.maxStates = std::max(r.maxStates, plan.maxStates);
    truncated |= plan.truncated;
    if (plan.feasible &&
        !withinLimits(p, pricePlan(p, engine, plan, m, window).eval)) {
      plan = runPipeline(p, engine, sets, m, window, widths,
                         PipeMode::WithinLimits);
      r.statesExplored += plan.explored;
      r.maxStates = std::max(r.maxStates, plan.maxStates);
      truncated |= plan.truncated;
    }
    if (!plan.feasible)
      continue;
    if (plans.empty() || plan.time < plans[best].second.time)
      best = plans.size();
    plans.emplace_back(m, std::move(plan));
  }
  r.feasible = !plans.empty();
  if (!r.feasible)
    return r;
  auto planAttrs = [&](const PipePlan &plan) {
    std::vector<PlanAttr> attrs;
    for (size_t i = 0; i < n; ++i)
      attrs.push_back(withStage(plan.cands[i].plans[0], plan.stageOf[i]));
    return attrs;
  };
  auto &[m, plan] = plans[best];
  r.cost = plan.time;
  r.stages = plan.stages;
  r.microbatches = m;
  r.period = plan.period;
  r.plans = planAttrs(plan);
  r.stageRanges = plan.ranges;
  std::optional<DimRange> window = microbatchWindow(batch, m);
  r.eval = pricePlan(p, engine, plan, m, window).eval;
  StageCandidates sets(p, window);
  fillPipelineRunnerUps(p, engine, sets, plan, m, window, r.eval);
  for (size_t k = 0; k < plans.size(); ++k)
    if (k != best)
      r.microbatchAlternatives.push_back(
          {plans[k].first, plans[k].second.stages, plans[k].second.time,
           planAttrs(plans[k].second)});
  if (truncated) {
    r.exact = false;
    r.gapNote = "a Pareto front exceeded " +
                std::to_string(p.options.paretoCap) +
                " labels and was cut to its fastest labels; the plan is "
                "feasible but optimality is not proven";
  }
  return r;
}

Result mlir::dl::search::leastMemoryPipeline(Problem &p) {
  Result r;
  size_t n = p.nodes.size();
  if (n == 0)
    return r;
  int64_t batch = pipelineBatch(p);
  std::vector<int64_t> widths = stageWidths(p.numDevices());
  Engine engine(p);
  std::optional<PipePlan> best;
  int64_t bestCount = 1;
  for (int64_t m : microbatchCounts(p, batch)) {
    std::optional<DimRange> window = microbatchWindow(batch, m);
    StageCandidates sets(p, window);
    PipePlan plan = runPipeline(p, engine, sets, m, window, widths,
                                PipeMode::LeastOvershoot);
    if (plan.feasible && (!best || plan.overshoot < best->overshoot)) {
      best = std::move(plan);
      bestCount = m;
    }
  }
  if (!best)
    return r;
  r.feasible = true;
  r.exact = !best->truncated;
  r.microbatches = bestCount;
  r.stages = best->stages;
  r.period = best->period;
  r.cost = best->time;
  for (size_t i = 0; i < n; ++i)
    r.plans.push_back(withStage(best->cands[i].plans[0], best->stageOf[i]));
  r.stageRanges = best->ranges;
  r.eval =
      pricePlan(p, engine, *best, bestCount, microbatchWindow(batch, bestCount))
          .eval;
  return r;
}

/// The least sum over the devices of the parameter bytes, over every way
/// to cover the layers with candidates.
static int64_t minTotalWeights(const Problem &p) {
  size_t n = p.nodes.size();
  std::vector<int64_t> rest(n + 1, 0);
  for (size_t i = n; i-- > 0;) {
    int64_t best = std::numeric_limits<int64_t>::max();
    for (const Candidate &c : p.nodes[i].cands) {
      if (rest[i + c.span] == std::numeric_limits<int64_t>::max())
        continue;
      int64_t w = rest[i + c.span];
      for (int64_t b : c.weightBytes)
        w += b;
      best = std::min(best, w);
    }
    rest[i] = best;
  }
  return rest[0];
}

/// Formats an objective value with its unit.
static std::string formatValue(const Problem &p, double v) {
  switch (p.options.objective) {
  case Objective::Memory:
    return llvm::formatv("{0} B", int64_t(v)).str();
  case Objective::Energy:
    return llvm::formatv("{0:e6} J", v).str();
  default:
    return llvm::formatv("{0:e6} s", v).str();
  }
}

/// The search when the per-device limits bind (latency, energy) or for the
/// memory objective. The exact memory-mode DP (Pareto fronts of per-device
/// byte vectors) is run under Options::workBudget after cheaper bounded
/// runs; if it would exceed the budget, the best plan found is returned
/// with a proven lower bound:
///  * latency/energy: the optimum without limits, the optimum without the
///    steps that alone exceed a device's limit (a relaxation: no plan
///    within the limits takes such a step; if its optimum fits, it is the
///    constrained optimum), and Lagrangian relaxations of the limits;
///  * memory: the least largest single-step footprint, and the least sum
///    of parameter bytes plus the least largest summed activation bytes of
///    a step, divided by the device count (the largest device holds at
///    least the average).
/// `unconstrained` is the optimum without limits (latency, energy).
static Result searchWithinLimits(Problem &p, const Result &unconstrained,
                                 int64_t explored) {
  bool memoryObjective = p.options.objective == Objective::Memory;
  int64_t nd = p.numDevices();
  // One engine for every run: redistributions are priced once.
  Engine engine(p);
  size_t n = p.nodes.size();
  int64_t budget = p.options.workBudget;
  double lower = 0;
  std::string lowerHow = "0 (no bound computed)";
  auto raise = [&](double v, const std::string &how) {
    if (v > lower) {
      lower = v;
      lowerHow = how;
    }
  };
  std::optional<Result> best;
  std::string bestHow;
  auto consider = [&](Result h, const std::string &how) {
    if (!h.feasible || !h.eval.valid || !withinLimits(p, h.eval))
      return;
    double v = objectiveValue(p, h.eval);
    if (!best || v < best->cost) {
      h.cost = v;
      best = std::move(h);
      bestHow = how;
    }
  };
  auto proven = [&] { return best && best->cost <= lower; };
  auto infeasible = [&](bool proof) {
    Result r;
    r.statesExplored = explored;
    r.infeasibleProven = proof;
    r.exact = proof;
    if (!proof)
      r.gapNote = "no plan within the limits was found before the work "
                  "budget was spent; none is proven not to exist";
    return r;
  };

  // Relaxations: each minimises over a superset of the plans within the
  // limits (or a function no larger than the objective on them).
  DPConfig relaxed;
  relaxed.pruneSteps = true;
  int64_t transitions = 1;
  Evaluation relaxedEval;
  if (!memoryObjective) {
    raise(unconstrained.cost, "the optimum without memory limits");
    // If every step of the unconstrained optimum fits alone (its devices'
    // activation peaks plus each step's own parameters within the
    // limits), that plan is among the steps that fit alone, so it is also
    // their optimum: the relaxed run is not needed.
    bool stepsFit = true;
    const Evaluation &ue = unconstrained.eval;
    for (int64_t d = 0; d < nd && stepsFit; ++d) {
      int64_t own = 0;
      for (size_t i = 0; i < n; ++i)
        if (unconstrained.choice[i] >= 0)
          own = std::max(
              own, p.nodes[i].cands[unconstrained.choice[i]].weightBytes[d]);
      stepsFit = ue.devices[d].peakActivations + own <= p.limits[d];
    }
    Result pr = stepsFit ? unconstrained : runDP(p, relaxed, &engine);
    if (!stepsFit)
      explored += pr.statesExplored;
    transitions = std::max<int64_t>(1, pr.statesExplored);
    if (!pr.feasible)
      return infeasible(true);
    raise(pr.cost, "the optimum over the steps that fit the limits alone");
    relaxedEval = pr.eval;
    consider(pr, "frontier DP over the steps that fit the limits alone");
  } else {
    relaxed.scalar = Scalar::StepPeak;
    Result sp = runDP(p, relaxed, &engine);
    explored += sp.statesExplored;
    transitions = std::max<int64_t>(1, sp.statesExplored);
    if (!sp.feasible)
      return infeasible(true);
    raise(sp.cost, "the least largest footprint of a single step (its "
                   "activation bytes plus its own parameters on a device)");
    relaxed.scalar = Scalar::StepTotal;
    Result tot = runDP(p, relaxed, &engine);
    explored += tot.statesExplored;
    int64_t weights = minTotalWeights(p);
    if (tot.feasible && weights < std::numeric_limits<int64_t>::max()) {
      __int128 sum = __int128(int64_t(tot.cost)) + weights;
      raise(double(int64_t((sum + nd - 1) / nd)),
            "the least summed parameter bytes plus the least largest "
            "summed activation bytes of a step, over the device count");
    }
    consider(std::move(sp), "frontier DP minimising the largest step");
  }

  // Lagrangian relaxation of the limits (latency, energy): for every
  // lambda >= 0, min over plans of value + sum_d lambda_d (parameters on d
  // + a convex combination of d's step activation bytes) - sum_d lambda_d
  // limit_d is at most the constrained optimum. Its plans are candidates.
  double slack =
      8.0 * double(n + nd + 8) * std::numeric_limits<double>::epsilon();
  if (!memoryObjective && !proven()) {
    // Prices lambda = t * base: base_d is the objective per byte of d's
    // limit on the devices the relaxation's plan loads over their limits.
    // t is raised fourfold until a plan fits, then bisected (in log
    // scale) between the last t whose plan did not fit and the least t
    // whose plan fit, for plans that fit with the least objective. The
    // prices ramp up along the layers (to twice at the end), so that a
    // chain of equal layers moves only some of them at a given t; the
    // bound then subtracts the largest price times the limit.
    std::vector<double> base(nd, 0);
    bool any = false;
    for (int64_t d = 0; d < nd; ++d)
      if (p.limits[d] < std::numeric_limits<int64_t>::max() &&
          relaxedEval.devices[d].peakMemory() > p.limits[d]) {
        base[d] = std::max(lower, 1e-30) / double(p.limits[d]);
        any = true;
      }
    int64_t rounds =
        budget == 0 ? 12
                    : std::clamp<int64_t>(budget / (transitions * 8), 4, 12);
    double lo = 0, hi = 0, t = 1;
    for (int64_t k = 0; any && k < rounds && !proven(); ++k) {
      std::vector<double> lambda(nd);
      for (int64_t d = 0; d < nd; ++d)
        lambda[d] = t * base[d];
      DPConfig c = relaxed;
      c.scalar = Scalar::Lagrangian;
      c.lambda = lambda;
      c.ramp = 1;
      Result lr = runDP(p, c, &engine);
      explored += lr.statesExplored;
      if (!lr.feasible)
        break;
      // sum_k lambda_d (1 + ramp i_k / n) w_kd <= (1 + ramp) lambda_d W_d,
      // and likewise for the activation term.
      double offset = 0;
      for (int64_t d = 0; d < nd; ++d)
        if (lambda[d] > 0)
          offset += (1 + c.ramp) * lambda[d] * double(p.limits[d]);
      double lb = lr.cost * (1 - slack) - offset * (1 + slack);
      if (lb > 0)
        raise(lb * (1 - slack),
              "a Lagrangian relaxation of the per-device limits");
      bool fits = lr.eval.valid && withinLimits(p, lr.eval);
      consider(std::move(lr),
               "frontier DP on a Lagrangian relaxation of the limits");
      if (fits)
        hi = t;
      else
        lo = t;
      if (hi == 0)
        t *= 4;
      else
        t = lo > 0 ? std::sqrt(lo * hi) : hi / 16;
    }
  }

  // Memory objective: for every pi in the simplex, the largest device's
  // footprint is at least sum_d pi_d (W_d + A_d), and A_d is at least any
  // convex combination of d's step activation bytes (weights span/n): a
  // single-label DP minimises that over every plan. Plans better than the
  // best one found take no step whose footprint on a device reaches the
  // best's, so those steps are dropped; if nothing is left, the best plan
  // is optimal. pi moves towards the devices the last plan loads most.
  // For latency and energy, the same runs serve only to find a plan that
  // fits when the relaxation above found none (their bounds are on
  // memory, not on the objective).
  auto footprintRounds = [&](bool bound) {
    std::vector<double> pi(nd, 1.0 / double(nd));
    int64_t rounds =
        budget == 0 ? 12
                    : std::clamp<int64_t>(budget / (transitions * 8), 3, 12);
    for (int64_t k = 0; k < rounds && (bound ? !proven() : !best); ++k) {
      DPConfig c = relaxed;
      c.scalar = Scalar::Lagrangian;
      c.withObjective = false;
      c.lambda = pi;
      if (best && bound)
        c.stepCap = int64_t(best->cost) - 1;
      Result lr = runDP(p, c, &engine);
      explored += lr.statesExplored;
      if (!lr.feasible) {
        if (best && bound)
          raise(best->cost, "no plan has every step's footprint below the "
                            "best plan's");
        break;
      }
      double lb = std::ceil(lr.cost * (1 - slack));
      if (best)
        lb = std::min(lb, best->cost);
      if (bound)
        raise(lb, "a Lagrangian relaxation: a convex combination of the "
                  "devices' parameter and mean step activation bytes");
      std::vector<int64_t> m(nd);
      int64_t mx = 1;
      for (int64_t d = 0; d < nd; ++d) {
        m[d] = lr.eval.devices[d].peakMemory();
        mx = std::max(mx, m[d]);
      }
      consider(std::move(lr), "frontier DP on a Lagrangian relaxation of "
                              "the largest footprint");
      double eta = 4.0 / double(k + 2), total = 0;
      for (int64_t d = 0; d < nd; ++d) {
        pi[d] *= std::exp(eta * (double(m[d]) / double(mx) - 1));
        total += pi[d];
      }
      for (int64_t d = 0; d < nd; ++d)
        pi[d] /= total;
    }
  };
  if (memoryObjective && !proven())
    footprintRounds(/*bound=*/true);
  else if (!best)
    footprintRounds(/*bound=*/false);

  // Bounded (beam) runs of the memory-mode DP: fronts of at most B labels,
  // B chosen so that the run stays within the work budget.
  if (!proven()) {
    int64_t perLabel = 2 * nd + 8;
    int64_t width =
        budget == 0 ? 8
                    : std::min<int64_t>(budget / (transitions * perLabel), 8);
    for (bool byMemory : {true, false}) {
      if ((memoryObjective && !byMemory) || proven() || width < 1)
        continue;
      DPConfig c;
      c.memory = true;
      c.beam = Beam{size_t(width), byMemory};
      Result h = runDP(p, c, &engine);
      explored += h.statesExplored;
      consider(std::move(h),
               llvm::formatv("frontier DP with per-device memory fronts "
                             "bounded to {0} label(s) per state, dropping "
                             "the worst by {1}",
                             width, byMemory ? "memory" : "value")
                   .str());
    }
  }

  // The exact memory-mode DP, its labels bounded by the best plan found.
  std::string cutReason;
  if (!proven()) {
    DPConfig c;
    c.memory = true;
    c.workBudget = budget;
    if (best) {
      if (memoryObjective)
        c.bounds.memory = int64_t(best->cost);
      else
        c.bounds.value = best->cost;
    }
    Result e = runDP(p, c, &engine);
    explored += e.statesExplored;
    if (e.budgetExceeded)
      cutReason = "the exact memory-mode DP would exceed its work budget "
                  "of " +
                  std::to_string(budget) + " label visits";
    else
      cutReason = "a Pareto front of the exact memory-mode DP exceeded " +
                  std::to_string(p.options.paretoCap) + " labels";
    if (!e.budgetExceeded) {
      if (e.exact) {
        if (!e.feasible)
          return infeasible(true);
        e.lowerBound = e.cost;
        e.statesExplored = explored;
        return e;
      }
      std::string how = e.method + " (truncated fronts)";
      consider(std::move(e), how);
    }
  }

  if (!best)
    return infeasible(false);
  Result r = std::move(*best);
  r.statesExplored = explored;
  r.budgetExceeded = false;
  r.exact = proven();
  r.lowerBound = r.exact ? r.cost : lower;
  r.boundMethod = lowerHow;
  r.method = bestHow;
  if (r.exact) {
    r.method += "; optimal: its cost equals a lower bound (" + lowerHow + ")";
  } else {
    r.gapNote = cutReason + "; the plan is the best of the bounded runs";
  }
  return r;
}

Result mlir::dl::search::searchExact(Problem &p) {
  if (p.options.objective == Objective::Throughput) {
    Result r = searchPipeline(p);
    r.lowerBound = r.exact ? r.cost : 0;
    if (!r.exact)
      r.boundMethod = "0 (no bound computed for pipelines)";
    return r;
  }
  Result r;
  int64_t explored = 0;
  if (p.options.objective != Objective::Memory) {
    r = runDP(p, DPConfig{});
    // The unconstrained optimum is the constrained one if it fits.
    if (!r.feasible)
      return r;
    if (withinLimits(p, r.eval)) {
      r.lowerBound = r.cost;
      fillRunnerUps(p, r);
      return r;
    }
    explored = r.statesExplored;
  }
  r = searchWithinLimits(p, r, explored);
  if (r.feasible)
    fillRunnerUps(p, r);
  return r;
}

void mlir::dl::search::applyChoice(Problem &p, const Choice &choice) {
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    if (choice[i] < 0)
      continue;
    const Candidate &c = p.nodes[i].cands[choice[i]];
    for (int64_t k = 0; k < c.span; ++k)
      p.nodes[i + k].op->setAttr(DLDialect::kPlanAttrName, c.plans[k]);
  }
}

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

static StringRef objectiveName(Objective o) {
  switch (o) {
  case Objective::Latency:
    return "latency";
  case Objective::Throughput:
    return "throughput";
  case Objective::Energy:
    return "energy";
  case Objective::Memory:
    return "memory";
  }
  return "?";
}

std::string mlir::dl::search::renderTable(const Problem &p, const Result &r) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "objective: " << objectiveName(p.options.objective)
     << "  cluster: " << p.cluster.name << " (" << p.numDevices()
     << " devices)\n";
  os << llvm::formatv("predicted latency {0:e3} s, energy {1:e3} J, "
                      "{2} bytes moved, peak memory {3} B\n",
                      r.eval.latency, r.eval.energy, r.eval.bytes,
                      r.eval.maxMemory());
  if (p.options.objective == Objective::Throughput)
    os << llvm::formatv("pipeline: {0} stage(s), {1} micro-batch(es), "
                        "period {2:e3} s\n",
                        r.stages, r.microbatches, r.period);
  if (!r.microbatchAlternatives.empty()) {
    os << "other micro-batch counts:";
    for (const Result::MicrobatchAlternative &a : r.microbatchAlternatives)
      os << llvm::formatv(" {0}: {1:e3} s ({2} stage(s));", a.microbatches,
                          a.cost, a.stages);
    os << "\n";
  }
  os << "method: " << r.method << (r.exact ? " (exact)" : " (bounded)")
     << "\n";
  if (!r.exact) {
    os << "not proven optimal: " << r.gapNote << "\n";
    os << "lower bound: " << formatValue(p, r.lowerBound) << " ("
       << r.boundMethod << ")\n";
    os << "gap: " << formatValue(p, r.gap()) << " ("
       << llvm::formatv("{0:f2}", 100 * r.relativeGap())
       << " % above the lower bound)\n";
  }
  os << llvm::formatv("{0,-16} {1,-28} {2,12} {3,12}  {4}\n", "layer",
                      "scheme", "time [s]", "bytes", "runner-up (total)");
  for (const LayerReport &l : r.eval.layers) {
    std::string ru = l.runnerUp.empty()
                         ? std::string("-")
                         : llvm::formatv("{0} ({1:e3})", l.runnerUp,
                                         l.runnerUpCost)
                               .str();
    os << llvm::formatv("{0,-16} {1,-28} {2,12:e3} {3,12}  {4}\n",
                        p.nodes[l.node].name, l.scheme, l.time, l.bytes, ru);
  }
  os << llvm::formatv("{0,-8} {1,12} {2,12} {3,12} {4,14} {5,12}\n", "device",
                      "compute [s]", "comm [s]", "idle [s]", "peak mem [B]",
                      "energy [J]");
  for (size_t d = 0; d < r.eval.devices.size(); ++d) {
    const DeviceReport &dr = r.eval.devices[d];
    os << llvm::formatv("{0,-8} {1,12:e3} {2,12:e3} {3,12:e3} {4,14} "
                        "{5,12:e3}\n",
                        d, dr.compute, dr.comm, dr.idle, dr.peakMemory(),
                        dr.energy);
  }
  return s;
}

std::string mlir::dl::search::renderJson(const Problem &p, const Result &r) {
  llvm::json::Array layers;
  for (const LayerReport &l : r.eval.layers) {
    llvm::json::Object o{{"layer", p.nodes[l.node].name},
                         {"scheme", l.scheme},
                         {"time_s", l.time},
                         {"bytes", l.bytes}};
    if (!l.runnerUp.empty()) {
      o["runner_up"] = l.runnerUp;
      o["runner_up_cost"] = l.runnerUpCost;
    }
    layers.push_back(std::move(o));
  }
  llvm::json::Array devices;
  for (size_t d = 0; d < r.eval.devices.size(); ++d) {
    const DeviceReport &dr = r.eval.devices[d];
    devices.push_back(llvm::json::Object{
        {"device", int64_t(d)},
        {"compute_s", dr.compute},
        {"comm_s", dr.comm},
        {"idle_s", dr.idle},
        {"weights_bytes", dr.weights},
        {"peak_memory_bytes", dr.peakMemory()},
        {"energy_j", dr.energy}});
  }
  llvm::json::Object root{
      {"objective", objectiveName(p.options.objective)},
      {"cluster", p.cluster.name},
      {"cost", r.cost},
      {"latency_s", r.eval.latency},
      {"energy_j", r.eval.energy},
      {"bytes", r.eval.bytes},
      {"peak_memory_bytes", r.eval.maxMemory()},
      {"stages", r.stages},
      {"microbatches", r.microbatches},
      {"period_s", r.period},
      {"method", r.method},
      {"exact", r.exact},
      {"states_explored", r.statesExplored},
      {"layers", std::move(layers)},
      {"devices", std::move(devices)}};
  root["lower_bound"] = r.lowerBound;
  root["gap_abs"] = r.gap();
  if (std::isfinite(r.relativeGap()))
    root["gap_rel"] = r.relativeGap();
  else
    root["gap_rel"] = nullptr;
  if (!r.exact) {
    root["gap_note"] = r.gapNote;
    root["lower_bound_method"] = r.boundMethod;
  }
  if (p.options.objective == Objective::Throughput) {
    llvm::json::Array alternatives;
    for (const Result::MicrobatchAlternative &a : r.microbatchAlternatives)
      alternatives.push_back(
          llvm::json::Object{{"microbatches", a.microbatches},
                             {"stages", a.stages},
                             {"cost", a.cost}});
    root["microbatch_alternatives"] = std::move(alternatives);
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return s;
}
