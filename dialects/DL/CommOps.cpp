//===- CommOps.cpp - dl communication ops -------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the verifiers of the communication ops: group and
// peer consistency, and the shapes of gathered/scattered results.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/LayerUtils.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::detail;

/// Verifies a group of world ranks; if the op sits in a device function,
/// returns the position of that device in the group through `self`.
static LogicalResult verifyCommGroup(Operation *op, ArrayRef<int64_t> group,
                                     std::optional<int64_t> &self) {
  if (group.empty())
    return op->emitOpError() << "group must not be empty";
  llvm::SmallDenseSet<int64_t> seen;
  for (int64_t r : group) {
    if (r < 0)
      return op->emitOpError() << "group has negative rank " << r;
    if (!seen.insert(r).second)
      return op->emitOpError() << "group lists rank " << r << " twice";
  }
  self.reset();
  if (std::optional<int64_t> device = getEnclosingDevice(op)) {
    auto it = llvm::find(group, *device);
    if (it == group.end())
      return op->emitOpError() << "device " << *device
                               << " is not a member of group [" << group
                               << "]";
    self = it - group.begin();
  }
  return success();
}

static LogicalResult verifyPeer(Operation *op, int64_t peer, StringRef what) {
  if (peer < 0)
    return op->emitOpError() << what << " must be a non-negative rank, got "
                             << peer;
  if (std::optional<int64_t> device = getEnclosingDevice(op))
    if (*device == peer)
      return op->emitOpError() << "device " << peer << " cannot "
                               << (what == "destination" ? "send to"
                                                         : "receive from")
                               << " itself";
  return success();
}

static LogicalResult verifyDim(Operation *op, int64_t dim, int64_t rank) {
  if (dim < 0 || dim >= rank)
    return op->emitOpError() << "dim " << dim << " is out of range for rank "
                             << rank;
  return success();
}

LogicalResult SendOp::verify() {
  if (failed(verifyPeer(getOperation(), getPeerAttr().getInt(),
                        "destination")))
    return failure();
  if (getTagAttr().getInt() < 0)
    return emitOpError() << "tag must be non-negative";
  return success();
}

LogicalResult RecvOp::verify() {
  if (failed(verifyPeer(getOperation(), getPeerAttr().getInt(), "source")))
    return failure();
  if (getTagAttr().getInt() < 0)
    return emitOpError() << "tag must be non-negative";
  return success();
}

/// Shared by all_gather (input slice -> full) and reduce_scatter (full ->
/// slice): `small` is the slice type, `big` the full type.
static LogicalResult verifySliced(Operation *op, int64_t dim,
                                  ArrayRef<int64_t> group,
                                  ArrayRef<int64_t> sizes,
                                  ArrayRef<int64_t> small,
                                  ArrayRef<int64_t> big) {
  std::optional<int64_t> self;
  if (failed(verifyCommGroup(op, group, self)))
    return failure();
  if (sizes.size() != group.size())
    return op->emitOpError() << "has " << sizes.size() << " sizes for "
                             << group.size() << " group members";
  if (llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
    return op->emitOpError() << "sizes must be non-negative";
  if (small.size() != big.size())
    return op->emitOpError() << "input and result ranks differ";
  if (failed(verifyDim(op, dim, small.size())))
    return failure();
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if (big[dim] != total)
    return op->emitOpError() << "full tensor has " << big[dim]
                             << " entries in dim " << dim
                             << " but sizes sum to " << total;
  if (self && small[dim] != sizes[*self])
    return op->emitOpError() << "slice has " << small[dim] << " entries in dim "
                             << dim << " but this device's size is "
                             << sizes[*self];
  for (int64_t d = 0, e = small.size(); d < e; ++d)
    if (d != dim && small[d] != big[d])
      return op->emitOpError() << "input and result differ in dim " << d;
  return success();
}

LogicalResult AllGatherOp::verify() {
  return verifySliced(getOperation(), getDimAttr().getInt(), getGroup(),
                      getSizes(), shapeOf(getInput()), shapeOf(getResult()));
}

LogicalResult ReduceScatterOp::verify() {
  return verifySliced(getOperation(), getDimAttr().getInt(), getGroup(),
                      getSizes(), shapeOf(getResult()), shapeOf(getInput()));
}

LogicalResult AllReduceOp::verify() {
  std::optional<int64_t> self;
  // The AllTypesMatch trait already checked that the result type equals
  // the input type.
  return verifyCommGroup(getOperation(), getGroup(), self);
}

LogicalResult AllReduceStartOp::verify() {
  std::optional<int64_t> self;
  if (failed(verifyCommGroup(getOperation(), getGroup(), self)))
    return failure();
  Value result = getResult();
  if (!result.hasOneUse() || !isa<AllReduceWaitOp>(*result.user_begin()))
    return emitOpError() << "result must have exactly one use, a "
                            "'dl.all_reduce_wait'";
  return success();
}

LogicalResult AllReduceWaitOp::verify() {
  if (!getInput().getDefiningOp<AllReduceStartOp>())
    return emitOpError() << "operand must be the result of a "
                            "'dl.all_reduce_start'";
  return success();
}

LogicalResult BroadcastOp::verify() {
  std::optional<int64_t> self;
  if (failed(verifyCommGroup(getOperation(), getGroup(), self)))
    return failure();
  // The AllTypesMatch trait already checked the result type.
  if (!llvm::is_contained(getGroup(), getRootAttr().getInt()))
    return emitOpError() << "root " << getRootAttr().getInt()
                         << " is not a member of the group";
  return success();
}

LogicalResult HaloExchangeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  int64_t dim = getDimAttr().getInt();
  if (in.size() != out.size())
    return emitOpError() << "input and result ranks differ";
  if (failed(verifyDim(getOperation(), dim, in.size())))
    return failure();
  ArrayRef<int64_t> recv = getRecv(), send = getSend();
  if (recv.size() != 2 || send.size() != 2)
    return emitOpError() << "recv and send must be [lo, hi] pairs";
  if (llvm::any_of(recv, [](int64_t v) { return v < 0; }) ||
      llvm::any_of(send, [](int64_t v) { return v < 0; }))
    return emitOpError() << "halo counts must be non-negative";
  int64_t prev = getPrevAttr().getInt(), next = getNextAttr().getInt();
  if (prev < -1 || next < -1)
    return emitOpError() << "neighbours must be ranks or -1";
  if (prev == -1 && (recv[0] || send[0]))
    return emitOpError() << "no previous neighbour, so recv[0] and send[0] "
                            "must be 0";
  if (next == -1 && (recv[1] || send[1]))
    return emitOpError() << "no next neighbour, so recv[1] and send[1] must "
                            "be 0";
  if (send[0] > in[dim] || send[1] > in[dim])
    return emitOpError() << "cannot send more than the " << in[dim]
                         << " local entries of dim " << dim;
  if (std::optional<int64_t> device = getEnclosingDevice(getOperation()))
    if (*device == prev || *device == next)
      return emitOpError() << "device " << *device
                           << " cannot be its own neighbour";
  SmallVector<int64_t> expected(in.begin(), in.end());
  expected[dim] += recv[0] + recv[1];
  return verifyResultShape(getOperation(), expected);
}

LogicalResult AllToAllOp::verify() {
  std::optional<int64_t> self;
  if (failed(verifyCommGroup(getOperation(), getGroup(), self)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t sd = getSplitDimAttr().getInt(), cd = getConcatDimAttr().getInt();
  if (failed(verifyDim(getOperation(), sd, in.size())) ||
      failed(verifyDim(getOperation(), cd, in.size())))
    return failure();
  int64_t p = getGroup().size();
  if (in[sd] % p != 0)
    return emitOpError() << "split dim " << sd << " of size " << in[sd]
                         << " is not divisible by the group size " << p;
  SmallVector<int64_t> expected(in.begin(), in.end());
  expected[sd] /= p;
  expected[cd] *= p;
  return verifyResultShape(getOperation(), expected);
}

LogicalResult BarrierOp::verify() {
  std::optional<int64_t> self;
  return verifyCommGroup(getOperation(), getGroup(), self);
}
