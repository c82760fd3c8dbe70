//===- ApplyContext.h - State of dl-apply-partition ---------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the state shared by the pieces of dl-apply-partition:
// one device function per device under construction, the placement of every
// tensor of the source function across devices, and the redistribution
// that gives a device the region of a tensor it needs.
//
// Every op is emitted into all device functions in one global order, and
// point-to-point transfers are emitted in that same global order on sender
// and receiver, so the device programs cannot deadlock (the earliest
// unfinished transfer always has both endpoints waiting on it).
//
//===----------------------------------------------------------------------===//

#ifndef DL_PASSES_APPLY_APPLYCONTEXT_H
#define DL_PASSES_APPLY_APPLYCONTEXT_H

#include "dialects/DL/DLOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include <map>

namespace mlir::dl::apply {

using mlir::dl::Box;

/// One device's piece of a tensor.
struct Shard {
  int64_t device;
  Box box;
  Value local;
};

/// Where the pieces of a source tensor live.
struct Placement {
  SmallVector<Shard> shards;
  /// The shards hold partial sums: shards with identical boxes must be
  /// added up before use.
  bool partial = false;
};

/// A device's need: the box of a tensor it must hold locally.
struct Need {
  int64_t device;
  Box box;
};

class ApplyContext {
public:
  ApplyContext(ModuleOp module, func::FuncOp source, int64_t numDevices);

  MLIRContext *getContext() { return source.getContext(); }
  int64_t getNumDevices() const { return numDevices; }
  func::FuncOp getDeviceFunc(int64_t device) { return deviceFuncs[device]; }

  /// A builder that appends to the body of `device`'s function.
  OpBuilder &on(int64_t device);

  Placement *lookup(Value v);
  void setPlacement(Value v, Placement p) { placements[v] = std::move(p); }

  /// Returns, for each need, a value on the needing device holding exactly
  /// the requested box of `v`, emitting whatever communication it takes.
  /// Reduces pending partial sums first. Emits an error at `user`'s
  /// location and fails if the placement cannot supply a box.
  FailureOr<SmallVector<Value>> materialize(Value v, ArrayRef<Need> needs,
                                            Operation *user);

  /// A local value for operand `v` (a dl.param or constant) on `device`
  /// restricted to `box`: parameters are sliced, not communicated.
  FailureOr<Value> materializeParam(Value v, int64_t device, const Box &box,
                                    Operation *user);

  /// True if `v` is defined by a dl.param or arith.constant.
  static bool isParameter(Value v);

  /// Extracts `box` (absolute) from `local`, whose absolute box is `held`.
  Value extract(int64_t device, Value local, const Box &held, const Box &box,
                Location loc);

  /// A zero-filled tensor of `shape` on `device`.
  Value zeros(int64_t device, ArrayRef<int64_t> shape, Location loc);

  /// Inserts `piece` (absolute box `pieceBox`) into `dest` (absolute box
  /// `destBox`) on `device`.
  Value insert(int64_t device, Value piece, const Box &pieceBox, Value dest,
               const Box &destBox, Location loc);

  /// Emits a matched send/recv pair and returns the received value.
  Value transfer(int64_t from, int64_t to, Value value, Location loc);

  /// Adds up partial sums in place (all_reduce per group of equal boxes).
  void reducePartials(Placement &p, Location loc);

private:
  bool tryHalo(Placement &p, ArrayRef<Need> needs, Location loc,
               SmallVector<Value> &out);
  bool tryAllGather(Placement &p, ArrayRef<Need> needs, Location loc);

  ModuleOp module;
  func::FuncOp source;
  int64_t numDevices;
  SmallVector<func::FuncOp> deviceFuncs;
  OpBuilder builder;
  llvm::DenseMap<Value, Placement> placements;
  /// Per (device, parameter value, box) the sliced local parameter.
  std::map<std::tuple<int64_t, void *, std::string>, Value> paramCache;
  int64_t nextTag = 0;
};

/// Shape of a ranked tensor type.
inline ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// Type of an f32 tensor of `shape`.
RankedTensorType tensorType(MLIRContext *ctx, ArrayRef<int64_t> shape);

/// Builds the device-local copy of layer `op` for `split`, with the given
/// local operands (null for operands the part does not read), fixing up
/// border padding and grouping. Returns null and emits an error if the part
/// cannot be expressed locally.
Operation *buildLocalLayer(OpBuilder &b, Operation *op,
                           const LocalSplit &split, ArrayRef<Value> operands);

/// Lowers one LSTM layer split by gate or hidden unit into per-step gates,
/// cell update and an all-gather per step on every device of the plan.
LogicalResult applyLSTMStepSplit(ApplyContext &ctx, LSTMOp op,
                                 ArrayRef<PlanPart> parts);

/// Applies fused-tile partitioning to the run of layers `group` (in order,
/// a chain through operand 0), all carrying the same #dl.tile.
LogicalResult applyFusedTiles(ApplyContext &ctx, ArrayRef<Operation *> group,
                              PlanAttr plan);

} // namespace mlir::dl::apply

#endif // DL_PASSES_APPLY_APPLYCONTEXT_H
