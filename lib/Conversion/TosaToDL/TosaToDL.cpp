//===- TosaToDL.cpp - raise TOSA layer ops into dl ----------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// convert-tosa-to-dl. The conversion walks each function body in order and
// maps every TOSA value to a dl value plus a layout tag:
//
//  * Plain: the dl value is the TOSA value;
//  * NHWC:  the TOSA value is an NHWC tensor and the dl value holds it as
//           NCHW (dl value = transpose(TOSA value, [0, 3, 1, 2])).
//
// Convolutions and pools need an NHWC operand and produce one; the layout
// transposes frameworks put around them (perms [0, 2, 3, 1] into NHWC,
// [0, 3, 1, 2] back to NCHW) only flip the tag. dl has no transpose op, so
// any other transpose of a computed tensor is rejected. tosa.const values
// stay host data until a layer uses them; they are transposed / broadcast
// on the host and become dl.param ops.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "dl/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "runtime/Format.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cfloat>
#include <optional>

namespace mlir::dl {
#define GEN_PASS_DEF_CONVERTTOSATODL
#include "dl/Conversion/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

enum class Layout { Plain, NHWC };

/// Host data of a tosa.const (row-major f32).
struct HostTensor {
  SmallVector<int64_t> shape;
  std::vector<float> data;
};

/// What a TOSA value became.
struct Mapped {
  Value value; // dl value; null while the value is host data
  Layout layout = Layout::Plain;
  std::optional<HostTensor> host;
};

/// Row-major transpose: result dim i is input dim perm[i].
HostTensor transposeHost(const HostTensor &in, ArrayRef<int64_t> perm) {
  int64_t rank = in.shape.size();
  HostTensor out;
  for (int64_t p : perm)
    out.shape.push_back(in.shape[p]);
  out.data.resize(in.data.size());
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * in.shape[d + 1];
  SmallVector<int64_t> idx(rank, 0);
  for (size_t lin = 0; lin < out.data.size(); ++lin) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += idx[d] * inStrides[perm[d]];
    out.data[lin] = in.data[src];
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < out.shape[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

/// Numpy broadcast of `in` (same rank, dims 1 or equal) to `shape`.
HostTensor broadcastHost(const HostTensor &in, ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  HostTensor out;
  out.shape.assign(shape.begin(), shape.end());
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  out.data.resize(n);
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * in.shape[d + 1];
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t lin = 0; lin < n; ++lin) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (in.shape[d] != 1)
        src += idx[d] * inStrides[d];
    out.data[lin] = in.data[src];
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

constexpr int64_t kToNCHW[] = {0, 3, 1, 2}; // NHWC -> NCHW
constexpr int64_t kToNHWC[] = {0, 2, 3, 1}; // NCHW -> NHWC

SmallVector<int64_t> permuteShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> perm) {
  SmallVector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(shape[p]);
  return out;
}

class FuncConverter {
public:
  FuncConverter(func::FuncOp func, dlrt::format::WeightWriter *writer,
                llvm::StringSet<> &paramNames)
      : func(func), builder(func.getContext()), writer(writer),
        paramNames(paramNames) {}

  LogicalResult run();

private:
  LogicalResult convert(Operation *op);
  template <typename ConvOp>
  LogicalResult convertConv(ConvOp op);
  LogicalResult convertFullyConnected(tosa::FullyConnectedOp op);
  LogicalResult convertMatMul(tosa::MatMulOp op);
  LogicalResult convertPool(Operation *op, PoolKind kind,
                            ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
                            ArrayRef<int64_t> pad);
  LogicalResult convertBinary(Operation *op, StringRef dlName);
  LogicalResult convertUnary(Operation *op, StringRef dlName,
                             ArrayRef<NamedAttribute> attrs = {});
  LogicalResult convertClamp(tosa::ClampOp op);
  LogicalResult convertReshape(tosa::ReshapeOp op);
  LogicalResult convertTranspose(tosa::TransposeOp op);
  LogicalResult convertConst(tosa::ConstOp op);

  /// The layer name used for the parameters of `op`.
  std::string layerName(Operation *op);
  /// A dl.param holding `t`.
  Value param(Location loc, StringRef name, const HostTensor &t);
  /// The dl value of `v` in the layout it has.
  FailureOr<Mapped> lookup(Operation *user, Value v);
  /// The dl value of `v`, materializing host data as a parameter named
  /// `name`; `layout` is the layout the user needs (host data is
  /// transposed to it).
  FailureOr<Value> operand(Operation *user, Value v, StringRef name,
                           Layout layout);
  /// Host data of `v` (a tosa.const, possibly reshaped / transposed).
  const HostTensor *hostData(Value v);
  LogicalResult checkF32(Operation *op);
  Type dlType(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }
  void setPlain(Value tosaValue, Value dlValue) {
    mapping[tosaValue] = Mapped{dlValue, Layout::Plain, std::nullopt};
  }

  func::FuncOp func;
  OpBuilder builder;
  dlrt::format::WeightWriter *writer;
  llvm::StringSet<> &paramNames;
  llvm::DenseMap<Value, Mapped> mapping;
  llvm::StringMap<unsigned> opCounters;
};

LogicalResult FuncConverter::checkF32(Operation *op) {
  auto isF32Tensor = [](Type t) {
    auto rt = dyn_cast<RankedTensorType>(t);
    return rt && rt.hasStaticShape() && rt.getElementType().isF32();
  };
  for (Type t : op->getResultTypes())
    if (!isF32Tensor(t))
      return op->emitError() << "'" << op->getName()
                             << "': dl layers need statically shaped f32 "
                                "tensors; result type is "
                             << t;
  for (auto [k, t] : llvm::enumerate(op->getOperandTypes())) {
    if (isa<tosa::TransposeOp>(op) && k == 1)
      continue; // the perms
    if (!isF32Tensor(t))
      return op->emitError() << "'" << op->getName()
                             << "': dl layers need statically shaped f32 "
                                "tensors; operand #"
                             << k << " has type " << t;
  }
  if (op->hasAttr("quantization_info"))
    return op->emitError() << "'" << op->getName()
                           << "': quantized TOSA ops are not supported "
                              "(dl layers are f32)";
  return success();
}

std::string FuncConverter::layerName(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str();
  StringRef kind = op->getName().stripDialect();
  unsigned k = opCounters[kind]++;
  return (kind + "_" + Twine(k)).str();
}

Value FuncConverter::param(Location loc, StringRef rawName,
                           const HostTensor &t) {
  std::string name = rawName.str();
  for (int k = 1; paramNames.contains(name); ++k)
    name = (rawName + "_" + Twine(k)).str();
  paramNames.insert(name);
  auto type = cast<RankedTensorType>(dlType(t.shape));
  ElementsAttr value;
  if (writer)
    writer->add(name, std::vector<int64_t>(t.shape.begin(), t.shape.end()),
                t.data.data());
  else
    value = DenseElementsAttr::get(type, ArrayRef<float>(t.data));
  return builder.create<ParamOp>(loc, type, builder.getStringAttr(name), value);
}

const HostTensor *FuncConverter::hostData(Value v) {
  auto it = mapping.find(v);
  if (it == mapping.end() || !it->second.host)
    return nullptr;
  return &*it->second.host;
}

FailureOr<Mapped> FuncConverter::lookup(Operation *user, Value v) {
  auto it = mapping.find(v);
  if (it != mapping.end())
    return it->second;
  if (Operation *def = v.getDefiningOp();
      def && isa<tosa::TosaDialect>(def->getDialect()))
    return user->emitError() << "'" << user->getName()
                             << "' uses a value of '" << def->getName()
                             << "' that has no dl equivalent";
  // A value from outside the converted ops (a function argument or a
  // non-TOSA op) is plain.
  return Mapped{v, Layout::Plain, std::nullopt};
}

FailureOr<Value> FuncConverter::operand(Operation *user, Value v,
                                        StringRef name, Layout layout) {
  FailureOr<Mapped> m = lookup(user, v);
  if (failed(m))
    return failure();
  if (m->host) {
    if (layout == Layout::NHWC)
      return param(user->getLoc(), name, transposeHost(*m->host, kToNCHW));
    return param(user->getLoc(), name, *m->host);
  }
  if (m->layout == layout)
    return m->value;
  if (layout == Layout::NHWC)
    return user->emitError()
           << "'" << user->getName()
           << "' needs an NHWC input, which dl holds as NCHW: the operand "
              "must be computed by a TOSA convolution or pool, or be a "
              "tosa.transpose with perms [0, 2, 3, 1] of an NCHW tensor "
              "(dl has no transpose op to relayout it)";
  return user->emitError()
         << "'" << user->getName()
         << "' uses an NHWC tensor whose element order depends on the "
            "layout: dl holds it as NCHW and has no transpose op; transpose "
            "it back to NCHW first (tosa.transpose with perms [0, 3, 1, 2])";
}

LogicalResult FuncConverter::convertConst(tosa::ConstOp op) {
  auto attr = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!attr)
    return op.emitError() << "'tosa.const': only dense f32 constants are "
                             "supported";
  HostTensor t;
  auto type = cast<RankedTensorType>(attr.getType());
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  for (float f : attr.getValues<float>())
    t.data.push_back(f);
  mapping[op.getResult()] = Mapped{Value(), Layout::Plain, std::move(t)};
  return success();
}

/// dl's OIHW weight and group count for the constant weight of a TOSA
/// convolution: conv2d is OHWI; depthwise_conv2d is [KH, KW, C, M], a
/// grouped OIHW [C * M, 1, KH, KW] with C groups.
static std::pair<HostTensor, int64_t> dlConvWeight(tosa::Conv2DOp,
                                                   const HostTensor &w) {
  return {transposeHost(w, kToNCHW), 1};
}
static std::pair<HostTensor, int64_t>
dlConvWeight(tosa::DepthwiseConv2DOp, const HostTensor &w) {
  int64_t kh = w.shape[0], kw = w.shape[1], c = w.shape[2], m = w.shape[3];
  HostTensor oihw = transposeHost(w, ArrayRef<int64_t>{2, 3, 0, 1});
  oihw.shape = {c * m, 1, kh, kw};
  return {std::move(oihw), c};
}

template <typename ConvOp>
LogicalResult FuncConverter::convertConv(ConvOp op) {
  std::string name = layerName(op);
  const HostTensor *w = hostData(op.getWeight());
  if (!w)
    return op.emitError() << "'" << op->getName()
                          << "': the weight must be a tosa.const (its layout "
                             "is rearranged to dl's OIHW on the host; dl has "
                             "no transpose op)";
  FailureOr<Value> input = operand(op, op.getInput(), "", Layout::NHWC);
  if (failed(input))
    return failure();
  auto [oihw, groups] = dlConvWeight(op, *w);
  Value weight = param(op.getLoc(), name + ".weight", oihw);
  FailureOr<Value> bias =
      operand(op, op.getBias(), name + ".bias", Layout::Plain);
  if (failed(bias))
    return failure();
  ArrayRef<int64_t> pad = op.getPad(); // top, bottom, left, right
  auto out = cast<RankedTensorType>(op.getType());
  SmallVector<NamedAttribute> attrs = {
      builder.getNamedAttr("strides",
                           builder.getDenseI64ArrayAttr(op.getStride())),
      builder.getNamedAttr("padding", builder.getDenseI64ArrayAttr(
                                          {pad[0], pad[2], pad[1], pad[3]})),
      builder.getNamedAttr("dilations",
                           builder.getDenseI64ArrayAttr(op.getDilation()))};
  if (groups != 1)
    attrs.push_back(
        builder.getNamedAttr("groups", builder.getI64IntegerAttr(groups)));
  Value result = builder.create<Conv2DOp>(
      op.getLoc(), TypeRange{dlType(permuteShape(out.getShape(), kToNCHW))},
      ValueRange{*input, weight, *bias}, attrs);
  mapping[op.getResult()] = Mapped{result, Layout::NHWC, std::nullopt};
  return success();
}

LogicalResult FuncConverter::convertFullyConnected(tosa::FullyConnectedOp op) {
  std::string name = layerName(op);
  FailureOr<Value> input = operand(op, op.getInput(), "", Layout::Plain);
  if (failed(input))
    return failure();
  // TOSA's [OC, IC] weight is dl.dense's layout.
  FailureOr<Value> weight =
      operand(op, op.getWeight(), name + ".weight", Layout::Plain);
  if (failed(weight))
    return failure();
  FailureOr<Value> bias =
      operand(op, op.getBias(), name + ".bias", Layout::Plain);
  if (failed(bias))
    return failure();
  Value result = builder.create<DenseOp>(
      op.getLoc(), TypeRange{op.getType()},
      ValueRange{*input, *weight, *bias}, ArrayRef<NamedAttribute>{});
  setPlain(op.getResult(), result);
  return success();
}

LogicalResult FuncConverter::convertMatMul(tosa::MatMulOp op) {
  std::string name = layerName(op);
  FailureOr<Value> lhs = operand(op, op.getA(), name + ".lhs", Layout::Plain);
  if (failed(lhs))
    return failure();
  FailureOr<Value> rhs = operand(op, op.getB(), name + ".rhs", Layout::Plain);
  if (failed(rhs))
    return failure();
  Value result = builder.create<MatMulOp>(op.getLoc(), op.getType(), *lhs,
                                          *rhs);
  setPlain(op.getResult(), result);
  return success();
}

LogicalResult FuncConverter::convertPool(Operation *op, PoolKind kind,
                                         ArrayRef<int64_t> kernel,
                                         ArrayRef<int64_t> stride,
                                         ArrayRef<int64_t> pad) {
  FailureOr<Value> input = operand(op, op->getOperand(0), "", Layout::NHWC);
  if (failed(input))
    return failure();
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  // TOSA's average excludes the padding, as dl's default does.
  Value result = builder.create<Pool2DOp>(
      op->getLoc(), TypeRange{dlType(permuteShape(out.getShape(), kToNCHW))},
      ValueRange{*input},
      ArrayRef<NamedAttribute>{
          builder.getNamedAttr("kind",
                               PoolKindAttr::get(builder.getContext(), kind)),
          builder.getNamedAttr("kernel", builder.getDenseI64ArrayAttr(kernel)),
          builder.getNamedAttr("strides", builder.getDenseI64ArrayAttr(stride)),
          builder.getNamedAttr("padding",
                               builder.getDenseI64ArrayAttr(
                                   {pad[0], pad[2], pad[1], pad[3]}))});
  mapping[op->getResult(0)] = Mapped{result, Layout::NHWC, std::nullopt};
  return success();
}

LogicalResult FuncConverter::convertBinary(Operation *op, StringRef dlName) {
  Value a = op->getOperand(0), b = op->getOperand(1);
  FailureOr<Mapped> ma = lookup(op, a), mb = lookup(op, b);
  if (failed(ma) || failed(mb))
    return failure();
  if (ma->host && mb->host)
    return op->emitError() << "'" << op->getName()
                           << "' of two constants is not supported (fold it "
                              "before the conversion)";
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  // The computed operand decides the layout; a constant operand is
  // broadcast to the result on the host and stored in that layout.
  Layout layout = ma->host ? mb->layout : ma->layout;
  std::string name = layerName(op);
  SmallVector<Value, 2> operands;
  for (auto [v, m] : {std::pair(a, *ma), std::pair(b, *mb)}) {
    if (m.host) {
      HostTensor full = broadcastHost(*m.host, out.getShape());
      if (layout == Layout::NHWC)
        full = transposeHost(full, kToNCHW);
      operands.push_back(param(op->getLoc(), name + ".const", full));
      continue;
    }
    if (cast<RankedTensorType>(v.getType()).getShape() != out.getShape())
      return op->emitError()
             << "'" << op->getName()
             << "' broadcasts a computed tensor of type " << v.getType()
             << " to " << out
             << ": dl.add and dl.mul need operands of one type (only "
                "constant operands are broadcast, on the host)";
    FailureOr<Value> dlv = operand(op, v, "", layout);
    if (failed(dlv))
      return failure();
    operands.push_back(*dlv);
  }
  SmallVector<int64_t> shape(out.getShape());
  if (layout == Layout::NHWC)
    shape = permuteShape(shape, kToNCHW);
  OperationState state(op->getLoc(), dlName);
  state.addOperands(operands);
  state.addTypes(dlType(shape));
  Value result = builder.create(state)->getResult(0);
  mapping[op->getResult(0)] = Mapped{result, layout, std::nullopt};
  return success();
}

LogicalResult FuncConverter::convertUnary(Operation *op, StringRef dlName,
                                          ArrayRef<NamedAttribute> attrs) {
  FailureOr<Mapped> m = lookup(op, op->getOperand(0));
  if (failed(m))
    return failure();
  FailureOr<Value> input =
      operand(op, op->getOperand(0), layerName(op) + ".input", m->layout);
  if (failed(input))
    return failure();
  OperationState state(op->getLoc(), dlName);
  state.addOperands(*input);
  state.addTypes(input->getType());
  state.addAttributes(attrs);
  Value result = builder.create(state)->getResult(0);
  mapping[op->getResult(0)] = Mapped{result, m->layout, std::nullopt};
  return success();
}

LogicalResult FuncConverter::convertClamp(tosa::ClampOp op) {
  APFloat lo = op.getMinFp(), hi = op.getMaxFp();
  bool unboundedAbove =
      hi.isInfinity() || hi.convertToDouble() >= static_cast<double>(FLT_MAX);
  if (lo.isZero() && !lo.isNegative() && unboundedAbove)
    return convertUnary(op, "dl.relu");
  // Any other clamp (ReLU6 included) is a dl.clip.
  return convertUnary(
      op, "dl.clip",
      {builder.getNamedAttr("min",
                            builder.getF32FloatAttr(lo.convertToFloat())),
       builder.getNamedAttr("max",
                            builder.getF32FloatAttr(hi.convertToFloat()))});
}

LogicalResult FuncConverter::convertReshape(tosa::ReshapeOp op) {
  auto out = cast<RankedTensorType>(op.getType());
  if (const HostTensor *h = hostData(op.getInput1())) {
    HostTensor t = *h;
    t.shape.assign(out.getShape().begin(), out.getShape().end());
    mapping[op.getResult()] = Mapped{Value(), Layout::Plain, std::move(t)};
    return success();
  }
  FailureOr<Mapped> m = lookup(op, op.getInput1());
  if (failed(m))
    return failure();
  Value input = m->value;
  auto inType = cast<RankedTensorType>(input.getType());
  if (m->layout == Layout::NHWC) {
    // [N, H, W, C] has the row-major order of [N, C, H, W] when H * W == 1
    // or C == 1; otherwise the reshape depends on the layout.
    ArrayRef<int64_t> nchw = inType.getShape();
    if (nchw[2] * nchw[3] != 1 && nchw[1] != 1)
      return op.emitError()
             << "'tosa.reshape' of an NHWC tensor with H * W > 1 and C > 1 "
                "depends on the layout: dl holds it as NCHW and has no "
                "transpose op; transpose it back to NCHW first "
                "(tosa.transpose with perms [0, 3, 1, 2])";
  }
  if (inType == out) {
    setPlain(op.getResult(), input);
    return success();
  }
  ArrayRef<int64_t> in = inType.getShape();
  Value result;
  if (out.getRank() == 2 && in.size() >= 2 && out.getDimSize(0) == in[0])
    result = builder.create<FlattenOp>(op.getLoc(), TypeRange{out},
                                       ValueRange{input},
                                       ArrayRef<NamedAttribute>{});
  else
    result = builder.create<ReshapeOp>(op.getLoc(), out, input);
  setPlain(op.getResult(), result);
  return success();
}

LogicalResult FuncConverter::convertTranspose(tosa::TransposeOp op) {
  SmallVector<int64_t> perms;
  if (failed(op.getConstantPerms(perms)))
    return op.emitError() << "'tosa.transpose': the perms must be constant";
  if (const HostTensor *h = hostData(op.getInput1())) {
    mapping[op.getResult()] =
        Mapped{Value(), Layout::Plain, transposeHost(*h, perms)};
    return success();
  }
  FailureOr<Mapped> m = lookup(op, op.getInput1());
  if (failed(m))
    return failure();
  if (llvm::equal(perms, llvm::seq<int64_t>(0, perms.size()))) {
    mapping[op.getResult()] = *m;
    return success();
  }
  if (m->layout == Layout::Plain && ArrayRef<int64_t>(perms) ==
                                        ArrayRef<int64_t>(kToNHWC)) {
    mapping[op.getResult()] = Mapped{m->value, Layout::NHWC, std::nullopt};
    return success();
  }
  if (m->layout == Layout::NHWC && ArrayRef<int64_t>(perms) ==
                                       ArrayRef<int64_t>(kToNCHW)) {
    setPlain(op.getResult(), m->value);
    return success();
  }
  return op.emitError()
         << "'tosa.transpose' with perms [" << perms
         << "] of a computed tensor has no dl op: only the NCHW <-> NHWC "
            "layout transposes around convolutions and pools are supported "
            "(perms [0, 2, 3, 1] of an NCHW tensor, [0, 3, 1, 2] of an NHWC "
            "result)";
}

LogicalResult FuncConverter::convert(Operation *op) {
  if (isa<tosa::TosaDialect>(op->getDialect())) {
    // Non-f32 constants (transpose perms) are read by their users.
    if (auto c = dyn_cast<tosa::ConstOp>(op);
        c && !cast<ShapedType>(c.getType()).getElementType().isF32())
      return success();
    if (failed(checkF32(op)))
      return failure();
    builder.setInsertionPoint(op);
    return llvm::TypeSwitch<Operation *, LogicalResult>(op)
        .Case([&](tosa::ConstOp c) { return convertConst(c); })
        .Case([&](tosa::Conv2DOp c) { return convertConv(c); })
        .Case([&](tosa::DepthwiseConv2DOp c) { return convertConv(c); })
        .Case([&](tosa::FullyConnectedOp c) {
          return convertFullyConnected(c);
        })
        .Case([&](tosa::MatMulOp c) { return convertMatMul(c); })
        .Case([&](tosa::MaxPool2dOp p) {
          return convertPool(p, PoolKind::max, p.getKernel(), p.getStride(),
                             p.getPad());
        })
        .Case([&](tosa::AvgPool2dOp p) {
          return convertPool(p, PoolKind::avg, p.getKernel(), p.getStride(),
                             p.getPad());
        })
        .Case([&](tosa::AddOp a) { return convertBinary(a, "dl.add"); })
        .Case([&](tosa::MulOp m) -> LogicalResult {
          if (m.getShift() != 0)
            return m.emitError() << "'tosa.mul' with a non-zero shift is not "
                                    "supported (dl.mul is f32)";
          return convertBinary(m, "dl.mul");
        })
        .Case([&](tosa::SigmoidOp s) { return convertUnary(s, "dl.sigmoid"); })
        .Case([&](tosa::TanhOp t) { return convertUnary(t, "dl.tanh"); })
        .Case([&](tosa::ClampOp c) { return convertClamp(c); })
        .Case([&](tosa::ReshapeOp r) { return convertReshape(r); })
        .Case([&](tosa::TransposeOp t) { return convertTranspose(t); })
        .Default([&](Operation *op) {
          return op->emitError()
                 << "'" << op->getName()
                 << "' has no dl equivalent: convert-tosa-to-dl supports "
                    "tosa.const, conv2d, depthwise_conv2d, fully_connected, "
                    "matmul, max_pool2d, avg_pool2d, add, mul, clamp, "
                    "sigmoid, tanh, reshape and layout transposes";
        });
  }
  // Any other op (func.return, ...) takes plain dl values.
  builder.setInsertionPoint(op);
  for (OpOperand &use : op->getOpOperands()) {
    Operation *def = use.get().getDefiningOp();
    if (!mapping.count(use.get()) &&
        !(def && isa<tosa::TosaDialect>(def->getDialect())))
      continue;
    FailureOr<Value> v =
        operand(op, use.get(), "const_" + Twine(use.getOperandNumber()).str(),
                Layout::Plain);
    if (failed(v))
      return failure();
    use.set(*v);
  }
  return success();
}

LogicalResult FuncConverter::run() {
  if (func.isExternal())
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitError() << "convert-tosa-to-dl supports single-block "
                               "functions only";
  SmallVector<Operation *> tosaOps;
  for (Operation &op : func.getBody().front()) {
    if (failed(convert(&op)))
      return failure();
    if (isa<tosa::TosaDialect>(op.getDialect()))
      tosaOps.push_back(&op);
  }
  for (Operation *op : llvm::reverse(tosaOps))
    op->erase();
  return success();
}

struct ConvertTosaToDLPass
    : public mlir::dl::impl::ConvertTosaToDLBase<ConvertTosaToDLPass> {
  using ConvertTosaToDLBase::ConvertTosaToDLBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringSet<> paramNames;
    module.walk([&](ParamOp p) { paramNames.insert(p.getName()); });
    std::optional<dlrt::format::WeightWriter> writer;
    if (!weights.empty())
      writer.emplace();
    for (auto func :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      FuncConverter conv(func, writer ? &*writer : nullptr, paramNames);
      if (failed(conv.run()))
        return signalPassFailure();
    }
    if (!writer)
      return;
    std::string err;
    if (!writer->write(weights, err)) {
      module.emitError() << "cannot write the weight store '" << weights
                         << "': " << err;
      return signalPassFailure();
    }
    module->setAttr("dl.weights", StringAttr::get(&getContext(), weights));
  }
};

} // namespace
