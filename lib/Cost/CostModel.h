//===- CostModel.h - Time, bytes, memory and energy of plans ------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the cost model of dl: the roofline time of a layer part
// on a device, alpha-beta times of the collectives dl-apply-partition emits
// (with the algorithm a tuned MPI or NCCL picks for the size), concurrent
// messages whose latencies overlap and whose bytes queue on a shared medium
// or on each device's port, the redistribution a consumer's needs trigger on a
// producer's layout (derived from boxes, exactly as apply derives it), and
// energy. docs/search.md gives the formulas.
//
// The model works on boxes and devices only; the search asks layers for
// their boxes and work through PartitionableOpInterface.
//
//===----------------------------------------------------------------------===//

#ifndef DL_LIB_COST_COSTMODEL_H
#define DL_LIB_COST_COSTMODEL_H

#include "dialects/DL/DLInterfaces.h"
#include "lib/Cluster/ClusterModel.h"
#include "lib/Cost/SortedSmallMap.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlir::dl::cost {

/// Bytes per tensor element (fp32).
constexpr int64_t kElementBytes = 4;

using mlir::dl::Box;

/// One device's piece of a tensor.
struct Shard {
  int64_t device;
  Box box;
  bool operator==(const Shard &o) const {
    return device == o.device && box == o.box;
  }
};

/// Where the pieces of a tensor live (the producer's placement).
struct Layout {
  std::vector<Shard> shards;
  /// Shards with identical boxes hold partial sums still to be added.
  bool partial = false;
  bool operator==(const Layout &o) const {
    return partial == o.partial && shards == o.shards;
  }
  /// Appends a canonical (binary) string of the layout, usable as a map
  /// key, to `out` (no allocation when `out` has room).
  void appendKey(llvm::SmallVectorImpl<char> &out) const;
  /// Elements held on `device`.
  int64_t elementsOn(int64_t device) const;
};

/// A device's need: the box of a tensor it must hold locally.
struct Need {
  int64_t device;
  Box box;
};

/// Appends a canonical (binary) string of a set of needs, usable as a map
/// key, to `out`.
void appendNeedsKey(llvm::ArrayRef<Need> needs,
                    llvm::SmallVectorImpl<char> &out);

/// Collective and point-to-point operations apply emits.
enum class CommKind { AllReduce, HaloExchange, AllGather, PointToPoint };

llvm::StringRef stringifyCommKind(CommKind kind);

/// One communication operation of a redistribution, with the bytes each
/// device sends to and receives from each peer, counted as the runtime
/// counts them (docs/runtime.md).
struct CommStep {
  CommStep() = default;
  CommStep(const CommStep &) = default;
  CommStep &operator=(const CommStep &) = default;
  // Moving allocates nothing, so a std::vector of steps moves them when it
  // grows instead of copying them.
  CommStep(CommStep &&) noexcept = default;
  CommStep &operator=(CommStep &&) noexcept = default;

  CommKind kind = CommKind::PointToPoint;
  /// Devices taking part (for point-to-point: sender, receiver).
  llvm::SmallVector<int64_t, 2> group;
  /// Elements of the tensor each member contributes (all-reduce: the whole
  /// buffer; all-gather: each member's piece; halo: per member received
  /// rows x slab; point-to-point: the piece).
  int64_t elements = 0;
  /// For all-gather: the elements of each member's piece, in group order.
  std::vector<int64_t> pieceElements;
  /// Per device: bytes sent to / received from each peer (sorted by
  /// device, as std::map would be, without a heap node per entry). The
  /// inline sizes fit a point-to-point step, by far the most common (one
  /// sender, one receiver), so that steps stay small: a redistribution
  /// builds, moves and merges many of them (a collective's maps spill to
  /// the heap).
  using PeerBytes = SortedSmallMap<int64_t, int64_t, 2>;
  SortedSmallMap<int64_t, PeerBytes, 1> sent;
  SortedSmallMap<int64_t, PeerBytes, 1> received;
  /// Messages per device (as the runtime counts them).
  SortedSmallMap<int64_t, int64_t, 2> messages;
};

/// The communication that serves a set of needs from a layout.
struct Redistribution {
  std::vector<CommStep> steps;
  /// The producer's layout after the redistribution (partials reduced,
  /// all-gathered tensors whole on every holder): later consumers of the
  /// same tensor see this one.
  Layout after;
  /// Set when the layout cannot supply a need (a gap in its cover).
  bool infeasible = false;
  int64_t totalBytes() const;
  int64_t bytesSentBy(int64_t device) const;
  int64_t bytesReceivedBy(int64_t device) const;
};

/// Derives the communication dl-apply-partition emits to serve `needs`
/// from `layout`: all-reduce per group of equal partial boxes, then a halo
/// exchange when the pieces form a 1-D partition over exactly the needing
/// devices whose needs reach only into neighbours, else an all-gather when
/// every holder of a 1-D partition needs the whole tensor, and
/// point-to-point pieces for whatever is still missing.
Redistribution redistribute(const Layout &layout, llvm::ArrayRef<Need> needs);

/// Time of one communication step on `cluster` [s]. Messages the runtime
/// posts at once (halo exchanges, point-to-point pieces, MPI all-gathers)
/// overlap their latencies and queue their bytes: on a shared medium all
/// of them in one queue, elsewhere each device's sends in one queue and
/// its receives in another (`exchangeTime`). All-reduces (and all-gathers
/// of GPU groups) take the cheaper of their algorithms for the size (ring
/// vs recursive doubling; on a shared medium also binomial, every round's
/// messages queued on the medium).
double commTime(const Cluster &cluster, const CommStep &step);

/// Whether the runtime posts every message of `step` at once, each
/// member waiting only for its own messages (point-to-point runs, halo
/// exchanges, all-gathers over MPI or on a shared medium): then
/// `commTime` is `exchangeTime`. Otherwise (all-reduces, NCCL
/// all-gathers) the step is a collective its members run together.
bool postedAtOnce(const Cluster &cluster, const CommStep &step);

/// Time of messages posted at once [s]: the largest latency among them
/// plus, on a shared medium, the sum of every message's bytes / bandwidth,
/// elsewhere the largest sum over one device's sends or one device's
/// receives.
double exchangeTime(const Cluster &cluster, const CommStep &step);

/// All-reduce of `bytes` over `p` members on a shared medium of latency
/// alpha and 1/bandwidth beta: the cheapest of ring 2(p-1)(alpha + bytes
/// beta), binomial reduce + broadcast 2 ceil(log2 p) alpha + 2(p-1) bytes
/// beta, and recursive doubling ceil(log2 p)(alpha + p bytes beta).
double sharedAllReduceTime(int64_t p, double bytes, double alpha, double beta);

/// The steps of a redistribution as the runtime runs them: a run of
/// consecutive point-to-point steps becomes one step (the sends are posted
/// back to back), except that a step whose sender received earlier in the
/// run starts a new one (the sender waits for that receive first). Bytes
/// and messages are unchanged.
std::vector<CommStep> concurrentSteps(llvm::ArrayRef<CommStep> steps);
/// The same, consuming `steps` (a step that starts a run is moved, not
/// copied).
std::vector<CommStep> concurrentSteps(std::vector<CommStep> &&steps);

/// Per-device time a step keeps each member busy (for energy and idle
/// accounting): its own messages' alpha-beta time.
std::map<int64_t, double> commBusy(const Cluster &cluster,
                                   const CommStep &step);

/// Alpha-beta building blocks (exposed for tests).
/// Ring all-reduce of `bytes` over `p` members with link (alpha, beta):
/// 2(p-1)alpha + 2(p-1)/p * bytes * beta.
double ringAllReduceTime(int64_t p, double bytes, double alpha, double beta);
/// Recursive doubling all-reduce: ceil(log2 p) (alpha + bytes beta).
double recursiveDoublingAllReduceTime(int64_t p, double bytes, double alpha,
                                      double beta);
/// Ring all-gather where the largest piece is `maxPieceBytes`:
/// (p-1)(alpha + maxPiece * beta).
double ringAllGatherTime(int64_t p, double maxPieceBytes, double alpha,
                         double beta);
/// Recursive doubling all-gather of `totalBytes`:
/// ceil(log2 p) alpha + (p-1)/p * total * beta.
double recursiveDoublingAllGatherTime(int64_t p, double totalBytes,
                                      double alpha, double beta);
/// Binomial tree broadcast: ceil(log2 p)(alpha + bytes beta).
double treeBroadcastTime(int64_t p, double bytes, double alpha, double beta);

/// Which of a device's compute rates a kernel runs at.
enum class KernelClass { Other, Conv };

/// Time of one kernel call doing `flops` FLOPs and touching `bytes` bytes on
/// `device` [s]: the device's per-call overhead plus the roofline
/// max(flops / rate, bytes / memory bandwidth). The rate is the device's
/// flops, except for convolutions when it has a conv_flops: then
/// conv_flops * K / (K + conv_k_half) for a convolution whose reduction
/// (input channels per group x kernel height x kernel width) is
/// `reduction` = K (conv_flops itself when either is 0). A call without
/// work costs nothing.
double computeTime(const ClusterDevice &device, double flops, double bytes,
                   KernelClass kind = KernelClass::Other, double reduction = 0);

/// Whether `box`, a region of the row-major tensor region `held`, is one
/// contiguous run of it: past its leading dimensions of size 1, every
/// dimension after the first one is whole. The C++ emitter aliases such a
/// slice; any other one it copies.
bool isContiguousIn(const Box &box, const Box &held);

/// Per device (0..numDevices-1): the bytes of the buffers that serving
/// `needs` from `layout` allocates, as dl-apply-partition's code does: a
/// need held by a local shard as a contiguous run of it is an alias (no
/// bytes); every other need (a copied slice, a halo-extended region, an
/// all-gathered tensor, pieces assembled from other devices) is a new
/// buffer of the need's size.
std::vector<int64_t> allocatedBytes(const Layout &layout,
                                    llvm::ArrayRef<Need> needs,
                                    int64_t numDevices);

/// The buffers that serving `needs` from `layout` allocates and frees on
/// each device, as dl-apply-partition's code does (buffers are freed after
/// their last use), relative to the bytes held before: `peak`, the most
/// bytes above them while the redistribution runs (the needs' buffers; an
/// extended halo region before the need is cut from it; a sender's copy of
/// a piece that is not a contiguous run of its shard, freed after the
/// send; the pieces of a need assembled from several, held until they are
/// inserted), and `net`, what is left once it ran (the needs' buffers,
/// less the producer's shards freed when `dies`: no later consumer reads
/// the tensor and no need reads the shard in place).
struct BufferProfile {
  std::vector<int64_t> peak, net;
};
BufferProfile bufferProfile(const Layout &layout, llvm::ArrayRef<Need> needs,
                            int64_t numDevices, bool dies);

/// Energy [J] of a device busy for `busy` seconds within a span of
/// `span` seconds: P_active * busy + P_idle * (span - busy).
double deviceEnergy(const ClusterDevice &device, double busy, double span);

} // namespace mlir::dl::cost

#endif // DL_LIB_COST_COSTMODEL_H
