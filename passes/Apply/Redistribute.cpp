//===- Redistribute.cpp - Move tensor regions between devices -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the placement bookkeeping of dl-apply-partition and
// the redistribution between a producer's layout and a consumer's needs:
// partial sums are all-reduced, 1-D spatial splits exchange halos, 1-D
// splits needed whole are all-gathered, and anything else is assembled from
// point-to-point transfers of exactly the missing pieces.
//
//===----------------------------------------------------------------------===//

#include "passes/Apply/ApplyContext.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/FormatVariadic.h"

#define DEBUG_TYPE "dl-apply-partition"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::apply;

RankedTensorType mlir::dl::apply::tensorType(MLIRContext *ctx,
                                             ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, Float32Type::get(ctx));
}

//===----------------------------------------------------------------------===//
// ApplyContext: device functions and local helpers
//===----------------------------------------------------------------------===//

ApplyContext::ApplyContext(ModuleOp module, func::FuncOp source,
                           int64_t numDevices)
    : module(module), source(source), numDevices(numDevices),
      builder(module.getContext()) {
  OpBuilder b(source);
  FunctionType type = source.getFunctionType();
  for (int64_t d = 0; d < numDevices; ++d) {
    // Device 0 owns the model's inputs and outputs.
    FunctionType ft = d == 0 ? type : FunctionType::get(getContext(), {}, {});
    auto fn = b.create<func::FuncOp>(
        source.getLoc(), (source.getName() + "_rank" + Twine(d)).str(), ft);
    fn->setAttr(DLDialect::kDeviceAttrName, b.getI64IntegerAttr(d));
    Block *block = fn.addEntryBlock();
    (void)block;
    deviceFuncs.push_back(fn);
  }
  // The model inputs start on device 0.
  for (auto [i, arg] : llvm::enumerate(source.getArguments())) {
    Placement p;
    p.shards.push_back(Shard{0, Box::full(shapeOf(arg)),
                             deviceFuncs[0].getArgument(i)});
    placements[arg] = p;
  }
}

OpBuilder &ApplyContext::on(int64_t device) {
  builder.setInsertionPointToEnd(&deviceFuncs[device].getBody().front());
  return builder;
}

Placement *ApplyContext::lookup(Value v) {
  auto it = placements.find(v);
  return it == placements.end() ? nullptr : &it->second;
}

bool ApplyContext::isParameter(Value v) {
  if (!v)
    return false;
  Operation *def = v.getDefiningOp();
  return def && isa<ParamOp, arith::ConstantOp>(def);
}

Value ApplyContext::extract(int64_t device, Value local, const Box &held,
                            const Box &box, Location loc) {
  if (held == box)
    return local;
  OpBuilder &b = on(device);
  SmallVector<int64_t> offsets, strides(box.sizes.size(), 1);
  for (size_t i = 0; i < box.sizes.size(); ++i)
    offsets.push_back(box.offsets[i] - held.offsets[i]);
  return b.create<tensor::ExtractSliceOp>(
      loc, tensorType(getContext(), box.sizes), local, ValueRange{},
      ValueRange{}, ValueRange{}, b.getDenseI64ArrayAttr(offsets),
      b.getDenseI64ArrayAttr(box.sizes), b.getDenseI64ArrayAttr(strides));
}

Value ApplyContext::zeros(int64_t device, ArrayRef<int64_t> shape,
                          Location loc) {
  OpBuilder &b = on(device);
  auto type = tensorType(getContext(), shape);
  return b.create<arith::ConstantOp>(
      loc, type, DenseElementsAttr::get(type, b.getF32FloatAttr(0.0f)));
}

Value ApplyContext::insert(int64_t device, Value piece, const Box &pieceBox,
                           Value dest, const Box &destBox, Location loc) {
  OpBuilder &b = on(device);
  SmallVector<int64_t> offsets, strides(pieceBox.sizes.size(), 1);
  for (size_t i = 0; i < pieceBox.sizes.size(); ++i)
    offsets.push_back(pieceBox.offsets[i] - destBox.offsets[i]);
  return b.create<tensor::InsertSliceOp>(
      loc, piece, dest, ValueRange{}, ValueRange{}, ValueRange{},
      b.getDenseI64ArrayAttr(offsets), b.getDenseI64ArrayAttr(pieceBox.sizes),
      b.getDenseI64ArrayAttr(strides));
}

Value ApplyContext::transfer(int64_t from, int64_t to, Value value,
                             Location loc) {
  int64_t tag = nextTag++;
  OpBuilder &s = on(from);
  s.create<SendOp>(loc, value, s.getI64IntegerAttr(to),
                   s.getI64IntegerAttr(tag));
  OpBuilder &r = on(to);
  return r.create<RecvOp>(loc, value.getType(), r.getI64IntegerAttr(from),
                          r.getI64IntegerAttr(tag));
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

/// Slices a dense f32 attribute to `box`.
static DenseElementsAttr sliceDense(DenseElementsAttr attr, const Box &box) {
  auto type = cast<RankedTensorType>(attr.getType());
  auto outType = RankedTensorType::get(box.sizes, type.getElementType());
  if (attr.isSplat())
    return DenseElementsAttr::get(outType, attr.getSplatValue<Attribute>());
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<float> values(attr.getValues<float>().begin(),
                            attr.getValues<float>().end());
  SmallVector<float> out;
  out.reserve(box.numElements());
  int64_t rank = shape.size();
  SmallVector<int64_t> idx(rank, 0);
  SmallVector<int64_t> stride(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    stride[i] = stride[i + 1] * shape[i + 1];
  for (int64_t n = 0, e = box.numElements(); n < e; ++n) {
    int64_t flat = 0, rest = n;
    for (int64_t i = rank - 1; i >= 0; --i) {
      int64_t c = rest % box.sizes[i];
      rest /= box.sizes[i];
      flat += (c + box.offsets[i]) * stride[i];
    }
    out.push_back(values[flat]);
  }
  return DenseElementsAttr::get(outType, ArrayRef<float>(out));
}

/// The weight-store name of `box` of parameter `name`: the plain name for
/// the whole tensor, else `name#lo:hi,lo:hi,...` (read by the shard writer).
static std::string shardName(StringRef name, const Box &box,
                             ArrayRef<int64_t> shape) {
  if (box == Box::full(shape))
    return name.str();
  std::string s = name.str() + "#";
  for (size_t i = 0; i < box.sizes.size(); ++i)
    s += (i ? "," : "") + std::to_string(box.offsets[i]) + ":" +
         std::to_string(box.offsets[i] + box.sizes[i]);
  return s;
}

FailureOr<Value> ApplyContext::materializeParam(Value v, int64_t device,
                                                const Box &box,
                                                Operation *user) {
  auto key = std::make_tuple(device, v.getAsOpaquePointer(), box.str());
  auto it = paramCache.find(key);
  if (it != paramCache.end())
    return it->second;
  Operation *def = v.getDefiningOp();
  OpBuilder &b = on(device);
  auto type = tensorType(getContext(), box.sizes);
  Value result;
  if (auto param = dyn_cast<ParamOp>(def)) {
    ElementsAttr value;
    if (auto inlined = param.getValueAttr()) {
      auto dense = dyn_cast<DenseElementsAttr>(inlined);
      if (!dense) {
        user->emitError() << "cannot slice parameter '" << param.getName()
                          << "': only dense inline values are supported";
        return failure();
      }
      value = sliceDense(dense, box);
    }
    result = b.create<ParamOp>(
        param.getLoc(), type,
        b.getStringAttr(shardName(param.getName(), box, shapeOf(v))), value);
  } else {
    auto cst = cast<arith::ConstantOp>(def);
    auto dense = dyn_cast<DenseElementsAttr>(cst.getValue());
    if (!dense) {
      user->emitError() << "cannot slice a non-dense constant";
      return failure();
    }
    result = b.create<arith::ConstantOp>(cst.getLoc(), type,
                                         sliceDense(dense, box));
  }
  paramCache[key] = result;
  return result;
}

//===----------------------------------------------------------------------===//
// Redistribution
//===----------------------------------------------------------------------===//

void ApplyContext::reducePartials(Placement &p, Location loc) {
  if (!p.partial)
    return;
  // Group shards with identical boxes; each group sums its partials.
  SmallVector<SmallVector<size_t>> groups;
  for (size_t i = 0; i < p.shards.size(); ++i) {
    auto it = llvm::find_if(groups, [&](const SmallVector<size_t> &g) {
      return p.shards[g.front()].box == p.shards[i].box;
    });
    if (it == groups.end())
      groups.push_back({i});
    else
      it->push_back(i);
  }
  for (const SmallVector<size_t> &g : groups) {
    if (g.size() == 1)
      continue;
    SmallVector<int64_t> members;
    for (size_t i : g)
      members.push_back(p.shards[i].device);
    for (size_t i : g) {
      OpBuilder &b = on(p.shards[i].device);
      p.shards[i].local = b.create<AllReduceOp>(
          loc, p.shards[i].local, b.getDenseI64ArrayAttr(members));
    }
  }
  p.partial = false;
}

bool ApplyContext::tryHalo(Placement &p, ArrayRef<Need> needs, Location loc,
                           SmallVector<Value> &out) {
  // Needs the pieces to be a 1-D partition whose devices are exactly the
  // needing devices, each needing its own piece extended along that dim
  // by rows its immediate neighbours hold.
  SmallVector<int64_t, 4> full = coveredExtent<Shard>(p.shards);
  SmallVector<size_t> order;
  std::optional<int64_t> dimOpt = partitionDim<Shard>(p.shards, full, order);
  if (!dimOpt || needs.size() != order.size())
    return false;
  int64_t dim = *dimOpt;
  // needIndex[k]: the need of the k-th shard in order.
  SmallVector<size_t> needIndex;
  for (size_t k : order) {
    auto it = llvm::find_if(
        needs, [&](const Need &n) { return n.device == p.shards[k].device; });
    if (it == needs.end())
      return false;
    needIndex.push_back(it - needs.begin());
  }
  size_t n = order.size();
  SmallVector<int64_t> recvLo(n), recvHi(n);
  for (size_t k = 0; k < n; ++k) {
    const Box &held = p.shards[order[k]].box;
    const Box &want = needs[needIndex[k]].box;
    for (size_t d = 0; d < full.size(); ++d) {
      if (static_cast<int64_t>(d) == dim)
        continue;
      if (want.offsets[d] < held.offsets[d] ||
          want.offsets[d] + want.sizes[d] > held.offsets[d] + held.sizes[d])
        return false;
    }
    int64_t lo = held.offsets[dim], hi = lo + held.sizes[dim];
    int64_t wlo = want.offsets[dim], whi = wlo + want.sizes[dim];
    recvLo[k] = std::max<int64_t>(lo - wlo, 0);
    recvHi[k] = std::max<int64_t>(whi - hi, 0);
    if ((recvLo[k] && k == 0) || (recvHi[k] && k + 1 == n))
      return false;
    if (k > 0 && recvLo[k] > p.shards[order[k - 1]].box.sizes[dim])
      return false;
    if (k + 1 < n && recvHi[k] > p.shards[order[k + 1]].box.sizes[dim])
      return false;
  }
  if (llvm::all_of(recvLo, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(recvHi, [](int64_t v) { return v == 0; }))
    return false; // purely local; the caller extracts
  out.assign(needs.size(), Value());
  for (size_t k = 0; k < n; ++k) {
    Shard &s = p.shards[order[k]];
    int64_t sendLo = k > 0 ? recvHi[k - 1] : 0;
    int64_t sendHi = k + 1 < n ? recvLo[k + 1] : 0;
    int64_t prev = (k > 0 && (recvLo[k] || sendLo))
                       ? p.shards[order[k - 1]].device
                       : -1;
    int64_t next = (k + 1 < n && (recvHi[k] || sendHi))
                       ? p.shards[order[k + 1]].device
                       : -1;
    SmallVector<int64_t> shape(s.box.sizes.begin(), s.box.sizes.end());
    shape[dim] += recvLo[k] + recvHi[k];
    OpBuilder &b = on(s.device);
    Value ext = b.create<HaloExchangeOp>(
        loc, tensorType(getContext(), shape), s.local,
        b.getI64IntegerAttr(dim), b.getI64IntegerAttr(prev),
        b.getI64IntegerAttr(next),
        b.getDenseI64ArrayAttr({recvLo[k], recvHi[k]}),
        b.getDenseI64ArrayAttr({sendLo, sendHi}));
    Box extBox = s.box;
    extBox.offsets[dim] -= recvLo[k];
    extBox.sizes[dim] = shape[dim];
    out[needIndex[k]] =
        extract(s.device, ext, extBox, needs[needIndex[k]].box, loc);
  }
  return true;
}

bool ApplyContext::tryAllGather(Placement &p, ArrayRef<Need> needs,
                                Location loc) {
  SmallVector<int64_t, 4> full = coveredExtent<Shard>(p.shards);
  SmallVector<size_t> order;
  std::optional<int64_t> dimOpt = partitionDim<Shard>(p.shards, full, order);
  if (!dimOpt)
    return false;
  // Every holder must need the whole tensor.
  Box whole = Box::full(full);
  for (const Shard &s : p.shards) {
    auto it = llvm::find_if(needs, [&](const Need &n) {
      return n.device == s.device && n.box == whole;
    });
    if (it == needs.end())
      return false;
  }
  SmallVector<int64_t> group, sizes;
  for (size_t k : order) {
    group.push_back(p.shards[k].device);
    sizes.push_back(p.shards[k].box.sizes[*dimOpt]);
  }
  for (Shard &s : p.shards) {
    OpBuilder &b = on(s.device);
    s.local = b.create<AllGatherOp>(
        loc, tensorType(getContext(), full), s.local,
        b.getI64IntegerAttr(*dimOpt), b.getDenseI64ArrayAttr(group),
        b.getDenseI64ArrayAttr(sizes));
    s.box = whole;
  }
  return true;
}

FailureOr<SmallVector<Value>>
ApplyContext::materialize(Value v, ArrayRef<Need> needs, Operation *user) {
  Location loc = user->getLoc();
  Placement *pp = lookup(v);
  if (!pp || pp->shards.empty()) {
    user->emitError() << "operand has no placement (its producer was not "
                         "partitioned)";
    return failure();
  }
  Placement &p = *pp;
  reducePartials(p, loc);

  auto localShard = [&](const Need &need) -> const Shard * {
    for (const Shard &s : p.shards)
      if (s.device == need.device && s.box.contains(need.box))
        return &s;
    return nullptr;
  };
  bool allLocal = llvm::all_of(
      needs, [&](const Need &need) { return localShard(need) != nullptr; });
  if (!allLocal) {
    SmallVector<Value> halo;
    if (tryHalo(p, needs, loc, halo))
      return halo;
    (void)tryAllGather(p, needs, loc);
  }
  // Needs satisfied locally (possibly after the all-gather) are served
  // first.
  SmallVector<Value> out(needs.size());
  for (auto [i, need] : llvm::enumerate(needs))
    if (const Shard *s = localShard(need))
      out[i] = extract(need.device, s->local, s->box, need.box, loc);

  // Point-to-point assembly of the missing needs, one transfer per piece,
  // in one global order.
  for (auto [i, need] : llvm::enumerate(needs)) {
    if (out[i])
      continue;
    // Distinct boxes, each with a preferred holder (the needing device
    // itself if it holds the box).
    SmallVector<size_t> unique;
    for (size_t k = 0; k < p.shards.size(); ++k) {
      auto it = llvm::find_if(unique, [&](size_t u) {
        return p.shards[u].box == p.shards[k].box;
      });
      if (it == unique.end())
        unique.push_back(k);
      else if (p.shards[k].device == need.device)
        *it = k;
    }
    SmallVector<std::pair<Box, Value>> pieces;
    int64_t covered = 0;
    for (size_t u : unique) {
      const Shard &s = p.shards[u];
      Box piece = s.box.intersect(need.box);
      if (piece.empty())
        continue;
      Value local = extract(s.device, s.local, s.box, piece, loc);
      if (s.device != need.device)
        local = transfer(s.device, need.device, local, loc);
      pieces.push_back({piece, local});
      covered += piece.numElements();
    }
    if (covered != need.box.numElements()) {
      user->emitError() << "cannot assemble region " << need.box.str()
                        << " on device " << need.device << ": the producer's "
                        << "pieces cover " << covered << " of "
                        << need.box.numElements() << " elements";
      return failure();
    }
    if (pieces.size() == 1 && pieces.front().first == need.box) {
      out[i] = pieces.front().second;
      continue;
    }
    // The pieces cover the need exactly (checked above): they are inserted
    // into an uninitialized buffer. (A zero-filled constant would be a
    // buffer of its own, allocated at start-up and kept, and copied into
    // the result before the pieces.)
    OpBuilder &b = on(need.device);
    Value acc = b.create<tensor::EmptyOp>(loc, need.box.sizes, b.getF32Type());
    for (auto &[box, value] : pieces)
      acc = insert(need.device, value, box, acc, need.box, loc);
    out[i] = acc;
  }
  return out;
}
