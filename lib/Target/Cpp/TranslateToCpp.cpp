//===- TranslateToCpp.cpp - dl device functions to C++ ----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the translation of dl device functions into C++
// programs over the dlrt runtime: one `main` per device that parses its
// options, loads inputs and weights, runs the body (one runtime call per
// op, buffers freed after their last use) and writes or checks outputs.
// See docs/codegen.md for the structure of the emitted code.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLDialect.h"
#include "dialects/DL/DLOps.h"
#include "dl/Registration.h"
#include "dl/ShapeLimits.h"
#include "dl/Target/Cpp.h"
#include "lib/Target/Cpp/DeviceEmitter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/xxhash.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::dl;

namespace mlir::dl::target {

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

/// `{1, 2, 3}`.
std::string joinBraced(ArrayRef<int64_t> values) {
  std::string s = "{";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(values, os);
  os << "}";
  return s;
}

/// `[1,2,3]` for messages.
std::string shapeString(ArrayRef<int64_t> dims) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleave(dims, os, ",");
  os << "]";
  return s;
}

/// Escapes a string for a C string literal.
std::string cString(StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20)
      out += ' ';
    else
      out += c;
  }
  return out + "\"";
}

/// A short human name for a location: the name of a NameLoc (also inside
/// fused/call-site locations), else `file:line:col` with the file's base
/// name, else "".
std::string locName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      if (std::string s = locName(inner); !s.empty() && isa<NameLoc>(inner))
        return s;
    for (Location inner : fused.getLocations())
      if (std::string s = locName(inner); !s.empty())
        return s;
    return "";
  }
  if (auto site = dyn_cast<CallSiteLoc>(loc))
    return locName(site.getCallee());
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (llvm::sys::path::filename(file.getFilename().getValue()) + ":" +
            Twine(file.getLine()) + ":" + Twine(file.getColumn()))
        .str();
  return "";
}

/// Prints a float so that it reads back exactly, as a C++ float expression.
std::string floatLiteral(float v) {
  if (std::isnan(v))
    return "NAN";
  if (std::isinf(v))
    return v > 0 ? "INFINITY" : "-INFINITY";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.9g", static_cast<double>(v));
  if (s.find_first_of(".eE") == std::string::npos)
    s += ".0";
  return s + "f";
}

//===----------------------------------------------------------------------===//
// Buffers and values
//===----------------------------------------------------------------------===//

unsigned DeviceEmitter::lastUseOf(Value v) const {
  unsigned last = 0;
  if (Operation *def = v.getDefiningOp())
    last = opIndex.lookup(def);
  for (Operation *user : v.getUsers())
    last = std::max(last, opIndex.lookup(user));
  return last;
}

FailureOr<RankedTensorType> DeviceEmitter::tensorType(Operation *op, Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32()) {
    return emitTargetError(op, "emission supports statically shaped f32 "
                               "tensors only, got ")
           << v.getType();
  }
  return type;
}

unsigned DeviceEmitter::newBuffer(Buffer::Kind kind, std::string var,
                                  int64_t n) {
  Buffer b;
  b.kind = kind;
  b.var = std::move(var);
  b.numElements = n;
  buffers.push_back(std::move(b));
  return buffers.size() - 1;
}

void DeviceEmitter::bindRoot(Value v, unsigned buffer) {
  ValueInfo info;
  info.buffer = buffer;
  info.numElements = product(cast<RankedTensorType>(v.getType()).getShape());
  values[v] = info;
  Buffer &b = buffers[buffer];
  b.lastUse = std::max(b.lastUse, lastUseOf(v));
}

void DeviceEmitter::bindAlias(Value v, Value of, int64_t offset) {
  ValueInfo base = values.lookup(of);
  ValueInfo info;
  info.buffer = base.buffer;
  info.offset = base.offset + offset;
  info.numElements = product(cast<RankedTensorType>(v.getType()).getShape());
  values[v] = info;
  Buffer &b = buffers[base.buffer];
  b.lastUse = std::max(b.lastUse, lastUseOf(v));
}

std::string DeviceEmitter::ptr(Value v) const {
  ValueInfo info = values.lookup(v);
  const Buffer &b = buffers[info.buffer];
  if (info.offset == 0)
    return b.var;
  return "(" + b.var + " + " + std::to_string(info.offset) + ")";
}

bool DeviceEmitter::isRoot(Value v) const {
  ValueInfo info = values.lookup(v);
  return info.offset == 0 &&
         info.numElements == buffers[info.buffer].numElements;
}

std::string DeviceEmitter::allocate(Value v, StringRef why) {
  std::string var = "t" + std::to_string(tmpCounter++);
  int64_t n = product(cast<RankedTensorType>(v.getType()).getShape());
  body << "  float *" << var << " = " << allocFn() << "(" << n << ");";
  if (!why.empty())
    body << " // " << why;
  body << "\n";
  bindRoot(v, newBuffer(Buffer::Kind::Owned, var, n));
  return var;
}

bool DeviceEmitter::tryReuse(Operation *op, Value operand, Value result,
                             bool allowSharedOperands) {
  auto it = values.find(operand);
  if (it == values.end())
    return false;
  Buffer &b = buffers[it->second.buffer];
  if (b.kind != Buffer::Kind::Owned || b.released || !isRoot(operand) ||
      b.lastUse != currentOp ||
      b.numElements !=
          product(cast<RankedTensorType>(result.getType()).getShape()))
    return false;
  if (!allowSharedOperands) {
    unsigned count = 0;
    for (Value other : op->getOperands()) {
      auto o = values.find(other);
      if (o != values.end() && o->second.buffer == it->second.buffer)
        ++count;
    }
    if (count > 1)
      return false;
  }
  bindAlias(result, operand, 0);
  return true;
}

void DeviceEmitter::releaseDeadBuffers(unsigned index) {
  for (Buffer &b : buffers) {
    if (b.kind != Buffer::Kind::Owned || b.released || b.lastUse > index)
      continue;
    body << "  " << freeFn() << "(" << b.var << ", " << b.numElements << ");\n";
    b.released = true;
  }
}

void DeviceEmitter::beginOp(Operation *op) {
  std::string name = op->getName().getStringRef().str();
  std::string where = locName(op->getLoc());
  std::string span = where.empty() ? name : name + " " + where;
  body << "  dlrt_trace_begin(" << cString(span) << ");\n";
}

void DeviceEmitter::endOp() { body << "  dlrt_trace_end();\n"; }

std::string DeviceEmitter::constantGlobal(Operation *op, DenseElementsAttr attr,
                                          std::optional<float> *splat) {
  if (attr.isSplat() && splat)
    *splat = attr.getSplatValue<float>();
  auto it = constants.find(attr);
  if (it != constants.end())
    return it->second;
  std::string var = symbolPrefix + "g_c" + std::to_string(constantCounter++);
  int64_t n = attr.getNumElements();
  std::string where = locName(op->getLoc());
  if (attr.isSplat()) {
    // Splats are materialized once at start-up.
    globals << "static float *" << var << "; // splat "
            << shapeString(attr.getType().getShape()) << " at " << where
            << "\n";
    setup << "  " << var << " = " << allocFn() << "(" << n << ");\n";
    setup << "  " << kernel("fill") << "(" << var << ", " << n << ", "
          << floatLiteral(attr.getSplatValue<float>()) << ");\n";
  } else {
    globals << "// constant " << shapeString(attr.getType().getShape())
            << " at " << where << "\n";
    // Device-resident targets upload the host data once in dl_setup.
    std::string host = deviceResident() ? var + "_host" : var;
    globals << "alignas(64) static const float " << host << "[" << n
            << "] = {";
    int64_t i = 0;
    for (float v : attr.getValues<float>()) {
      if (i % 8 == 0)
        globals << "\n   ";
      globals << " " << floatLiteral(v) << ",";
      ++i;
    }
    globals << "\n};\n";
    if (deviceResident()) {
      globals << "static float *" << var << ";\n";
      setup << "  " << var << " = dl_upload(" << host << ", " << n << ");\n";
    }
  }
  constants[attr] = var;
  return var;
}

//===----------------------------------------------------------------------===//
// Op emitters
//===----------------------------------------------------------------------===//

LogicalResult DeviceEmitter::emitConstant(Operation *op, Value result,
                                          Attribute value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(value);
  if (!dense || !dense.getElementType().isF32())
    return emitTargetError(op, "emission supports only dense f32 constants");
  std::optional<float> splat;
  std::string var = constantGlobal(op, dense, &splat);
  if (splat)
    splats[result] = *splat;
  bindRoot(result,
           newBuffer(Buffer::Kind::Constant, var, dense.getNumElements()));
  return success();
}

LogicalResult DeviceEmitter::emitParam(ParamOp op) {
  if (failed(tensorType(op, op.getResult())))
    return failure();
  if (ElementsAttr value = op.getValueAttr())
    return emitConstant(op, op.getResult(), value);
  auto shape = op.getResult().getType().getShape();
  std::string name = op.getName().str();
  auto it = weights.find(name);
  if (it == weights.end()) {
    std::string var = symbolPrefix + "g_w" + std::to_string(weights.size());
    it = weights.emplace(name, std::make_pair(var, SmallVector<int64_t>(shape)))
             .first;
    weightOrder.push_back(name);
  } else if (ArrayRef<int64_t>(it->second.second) != shape) {
    return op.emitError() << "parameter '" << name << "' used with shapes "
                          << shapeString(it->second.second) << " and "
                          << shapeString(shape);
  }
  bindRoot(op.getResult(),
           newBuffer(Buffer::Kind::Weight, it->second.first, product(shape)));
  return success();
}

LogicalResult DeviceEmitter::emitConv(Conv2DOp op) {
  auto in = cast<RankedTensorType>(op.getInput().getType()).getShape();
  auto w = cast<RankedTensorType>(op.getWeight().getType()).getShape();
  auto out = cast<RankedTensorType>(op.getResult().getType()).getShape();
  if (in.size() != 4 || w.size() != 4 || out.size() != 4)
    return emitTargetError(op, "emission expects 4-D conv2d operands");
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding(),
                    d = op.getDilations();
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  " << kernel("conv2d") << "(" << ptr(op.getInput()) << ", " << in[0] << ", "
       << in[1] << ", " << in[2] << ", " << in[3] << ",\n              "
       << ptr(op.getWeight()) << ", "
       << (op.getBias() ? ptr(op.getBias()) : "nullptr") << ", " << w[0] << ", "
       << w[2] << ", " << w[3] << ",\n              /*stride=*/" << s[0] << ", "
       << s[1] << ", /*pad tlbr=*/" << p[0] << ", " << p[1] << ", " << p[2]
       << ", " << p[3] << ", /*dilation=*/" << d[0] << ", " << d[1]
       << ",\n              /*groups=*/" << op.getGroupsAttr().getInt()
       << ", /*act=*/" << (op.getActivation() == Activation::relu ? 1 : 0)
       << ", " << result << ", " << out[2] << ", " << out[3] << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitDense(DenseOp op) {
  auto x = cast<RankedTensorType>(op.getInput().getType()).getShape();
  auto w = cast<RankedTensorType>(op.getWeight().getType()).getShape();
  if (x.size() != 2 || w.size() != 2)
    return emitTargetError(op, "emission expects 2-D dense operands");
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  " << kernel("dense") << "(" << ptr(op.getInput()) << ", " << x[0] << ", " << x[1]
       << ", " << ptr(op.getWeight()) << ", "
       << (op.getBias() ? ptr(op.getBias()) : "nullptr") << ", " << w[0] << ", "
       << result << ");\n";
  if (op.getActivation() == Activation::relu)
    body << "  " << kernel("relu") << "(" << result << ", " << result << ", " << x[0] * w[0]
         << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitMatMul(MatMulOp op) {
  auto a = cast<RankedTensorType>(op.getLhs().getType()).getShape();
  auto b = cast<RankedTensorType>(op.getRhs().getType()).getShape();
  std::string result = allocate(op.getResult());
  beginOp(op);
  if (a.size() == 2 && b.size() == 2) {
    body << "  " << kernel("matmul") << "(" << ptr(op.getLhs()) << ", " << a[0] << ", " << a[1]
         << ", " << ptr(op.getRhs()) << ", " << b[1] << ", " << result
         << ");\n";
  } else if (a.size() == 3 && (b.size() == 3 || b.size() == 2)) {
    body << "  " << kernel("matmul_batched") << "(" << ptr(op.getLhs()) << ", " << a[0] << ", "
         << a[1] << ", " << a[2] << ", " << ptr(op.getRhs()) << ", "
         << (b.size() == 3 ? 1 : 0) << ", " << b.back() << ", " << result
         << ");\n";
  } else {
    return emitTargetError(op, "emission supports 2-D and 3-D matmul only");
  }
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitPool(Pool2DOp op) {
  auto in = cast<RankedTensorType>(op.getInput().getType()).getShape();
  auto out = cast<RankedTensorType>(op.getResult().getType()).getShape();
  ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(),
                    p = op.getPadding();
  // The runtime derives the output size with floor division; a larger
  // result (ceil mode) is expressed as extra bottom/right padding.
  int64_t padB = p[2], padR = p[3];
  int64_t extraH = (out[2] - 1) * s[0] + k[0] - (in[2] + p[0] + p[2]);
  int64_t extraW = (out[3] - 1) * s[1] + k[1] - (in[3] + p[1] + p[3]);
  if (extraH > 0)
    padB += extraH;
  if (extraW > 0)
    padR += extraW;
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  " << kernel("pool2d") << "(/*kind=*/"
       << (op.getKind() == PoolKind::max ? "0 /*max*/" : "1 /*avg*/") << ", "
       << ptr(op.getInput()) << ", " << in[0] << ", " << in[1] << ", " << in[2]
       << ", " << in[3] << ",\n              /*kernel=*/" << k[0] << ", "
       << k[1] << ", /*stride=*/" << s[0] << ", " << s[1] << ", /*pad tlbr=*/"
       << p[0] << ", " << p[1] << ", " << padB << ", " << padR
       << ",\n              " << result << ", " << out[2] << ", " << out[3]
       << ", /*count_include_pad=*/" << (op.getCountIncludePad() ? 1 : 0)
       << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitGlobalAvgPool(GlobalAvgPoolOp op) {
  auto in = cast<RankedTensorType>(op.getInput().getType()).getShape();
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  " << kernel("global_avg_pool") << "(" << ptr(op.getInput())
       << ", " << in[0] << ", " << in[1] << ", " << in[2] << ", " << in[3]
       << ", " << result << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitBatchNorm(BatchNormOp op) {
  auto in = cast<RankedTensorType>(op.getInput().getType()).getShape();
  int64_t n = in[0], c = in.size() > 1 ? in[1] : 1;
  int64_t h = in.size() > 2 ? in[2] : 1;
  int64_t w = in.size() > 3 ? product(in.drop_front(3)) : 1;
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  " << kernel("batch_norm") << "(" << ptr(op.getInput()) << ", " << n << ", " << c
       << ", " << h << ", " << w << ", " << ptr(op.getScale()) << ", "
       << ptr(op.getBias()) << ",\n                  " << ptr(op.getMean())
       << ", " << ptr(op.getVariance()) << ", "
       << floatLiteral(op.getEpsilon().convertToFloat()) << ", " << result
       << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitUnary(Operation *op, StringRef fn) {
  Value in = op->getOperand(0), res = op->getResult(0);
  int64_t n = product(cast<RankedTensorType>(res.getType()).getShape());
  std::string result = tryReuse(op, in, res) ? ptr(res) : allocate(res);
  beginOp(op);
  body << "  " << kernel(fn) << "(" << ptr(in) << ", " << result << ", " << n << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitClip(ClipOp op) {
  Value in = op.getInput(), res = op.getResult();
  int64_t n = product(cast<RankedTensorType>(res.getType()).getShape());
  std::string result = tryReuse(op, in, res) ? ptr(res) : allocate(res);
  beginOp(op);
  body << "  " << kernel("clip") << "(" << ptr(in) << ", " << result << ", "
       << n << ", " << floatLiteral(op.getMin().convertToFloat()) << ", "
       << floatLiteral(op.getMax().convertToFloat()) << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitBinary(Operation *op, StringRef fn) {
  Value a = op->getOperand(0), b = op->getOperand(1), res = op->getResult(0);
  int64_t n = product(cast<RankedTensorType>(res.getType()).getShape());
  std::string result;
  if (tryReuse(op, a, res, /*allowSharedOperands=*/true) ||
      tryReuse(op, b, res, /*allowSharedOperands=*/true))
    result = ptr(res);
  else
    result = allocate(res);
  beginOp(op);
  body << "  " << kernel(fn) << "(" << ptr(a) << ", " << ptr(b) << ", " << result
       << ", " << n << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitSoftmax(SoftmaxOp op) {
  auto shape = cast<RankedTensorType>(op.getInput().getType()).getShape();
  int64_t axis = op.getAxisAttr().getInt();
  if (axis < 0)
    axis += shape.size();
  if (axis < 0 || axis >= static_cast<int64_t>(shape.size()))
    return op.emitError("softmax axis out of range");
  int64_t outer = product(shape.take_front(axis));
  int64_t inner = product(shape.drop_front(axis + 1));
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  " << kernel("softmax") << "(" << ptr(op.getInput()) << ", " << outer << ", "
       << shape[axis] << ", " << inner << ", " << result << ");\n";
  endOp();
  return success();
}

static bool hasUnitStrides(ArrayRef<int64_t> strides) {
  return llvm::all_of(strides, [](int64_t s) { return s == 1; });
}

/// Emits `static const int64_t NAME[] = {...};` inside an op's block.
void emitI64Array(raw_ostream &os, StringRef name,
                         ArrayRef<int64_t> values) {
  os << "    static const int64_t " << name << "[] = " << joinBraced(values)
     << ";\n";
}

void emitIntArray(raw_ostream &os, StringRef name,
                         ArrayRef<int64_t> values) {
  os << "    static const int " << name << "[] = " << joinBraced(values)
     << ";\n";
}

LogicalResult DeviceEmitter::emitConcat(ConcatOp op) {
  auto out = cast<RankedTensorType>(op.getResult().getType()).getShape();
  int64_t axis = op.getAxisAttr().getInt();
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  {\n";
  emitI64Array(body, "dst_shape", out);
  SmallVector<int64_t> zeros(out.size(), 0), offsets(out.size(), 0);
  emitI64Array(body, "zero", zeros);
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    auto shape = cast<RankedTensorType>(input.getType()).getShape();
    std::string sh = "src_shape" + std::to_string(i);
    std::string of = "dst_offsets" + std::to_string(i);
    emitI64Array(body, sh, shape);
    emitI64Array(body, of, offsets);
    body << "    " << kernel("copy_box") << "(" << ptr(input) << ", " << sh << ", zero, "
         << result << ", dst_shape, " << of << ", " << sh << ", " << out.size()
         << ");\n";
    offsets[axis] += shape[axis];
  }
  body << "  }\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitLSTM(LSTMOp op) {
  auto x = cast<RankedTensorType>(op.getInput().getType()).getShape();
  if (x.size() != 3)
    return emitTargetError(op, "emission expects a 3-D lstm input");
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  " << kernel("lstm") << "(" << ptr(op.getInput()) << ", " << x[0] << ", " << x[1]
       << ", " << x[2] << ", " << ptr(op.getWIh()) << ", " << ptr(op.getWHh())
       << ", " << (op.getBias() ? ptr(op.getBias()) : "nullptr") << ", "
       << op.getHiddenSizeAttr().getInt() << ", " << result << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitLSTMGates(LSTMGatesOp op) {
  auto x = cast<RankedTensorType>(op.getInput().getType()).getShape();
  auto h = cast<RankedTensorType>(op.getHidden().getType()).getShape();
  auto out = cast<RankedTensorType>(op.getResult().getType()).getShape();
  // A zero splat state (the first step) is passed as NULL.
  auto splat = splats.find(op.getHidden());
  bool zeroState = splat != splats.end() && splat->second == 0.0f;
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  " << kernel("lstm_gates") << "(" << ptr(op.getInput()) << ", "
       << (zeroState ? "nullptr /*zero state*/" : ptr(op.getHidden())) << ", "
       << x[0] << ", " << x[1] << ", " << h[1] << ",\n                  "
       << ptr(op.getWIh()) << ", " << ptr(op.getWHh()) << ", "
       << (op.getBias() ? ptr(op.getBias()) : "nullptr") << ", " << out[1]
       << ", " << result << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitLSTMCell(LSTMCellOp op) {
  auto cell = cast<RankedTensorType>(op.getCell().getType()).getShape();
  int64_t n = cell[0], units = cell[1];
  // The runtime updates the cell state in place: reuse the old state's
  // buffer when this is its last use, else copy it.
  std::string c =
      inPlaceResult(op, op.getCell(), op.getNewCell(), "new cell state");
  std::string h = allocate(op.getHidden());
  std::string g = ptr(op.getGates());
  beginOp(op);
  body << "  " << kernel("lstm_cell") << "(" << g << ", " << g << " + " << units << ", " << g
       << " + " << 2 * units << ", " << g << " + " << 3 * units << ", "
       << 4 * units << ",\n                 " << c << ", " << h << ", " << n
       << ", " << units << ");\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitExtractSlice(tensor::ExtractSliceOp op) {
  if (!hasUnitStrides(op.getStaticStrides()) ||
      ShapedType::isDynamicShape(op.getStaticSizes()) ||
      ShapedType::isDynamicShape(op.getStaticOffsets()))
    return emitTargetError(op, "emission supports extract_slice with static "
                               "offsets and sizes and unit strides only");
  auto src = op.getSourceType().getShape();
  ArrayRef<int64_t> offsets = op.getStaticOffsets(),
                    sizes = op.getStaticSizes();
  // A slice that is one contiguous run of the source aliases it.
  size_t first = 0;
  while (first < sizes.size() && sizes[first] == 1)
    ++first;
  bool contiguous = true;
  for (size_t d = first + 1; d < sizes.size(); ++d)
    if (sizes[d] != src[d])
      contiguous = false;
  if (contiguous) {
    int64_t offset = 0, stride = 1;
    for (int64_t d = src.size() - 1; d >= 0; --d) {
      offset += offsets[d] * stride;
      stride *= src[d];
    }
    bindAlias(op.getResult(), op.getSource(), offset);
    body << "  //   contiguous: aliases its source at offset " << offset
         << "\n";
    return success();
  }
  std::string result = allocate(op.getResult());
  beginOp(op);
  body << "  {\n";
  emitI64Array(body, "src_shape", src);
  emitI64Array(body, "src_offsets", offsets);
  emitI64Array(body, "box", sizes);
  SmallVector<int64_t> zeros(sizes.size(), 0);
  emitI64Array(body, "zero", zeros);
  body << "    " << kernel("copy_box") << "(" << ptr(op.getSource())
       << ", src_shape, src_offsets, " << result << ", box, zero, box, "
       << sizes.size() << ");\n";
  body << "  }\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitInsertSlice(tensor::InsertSliceOp op) {
  if (!hasUnitStrides(op.getStaticStrides()) ||
      ShapedType::isDynamicShape(op.getStaticSizes()) ||
      ShapedType::isDynamicShape(op.getStaticOffsets()))
    return emitTargetError(op, "emission supports insert_slice with static "
                               "offsets and sizes and unit strides only");
  auto dst = op.getDestType().getShape();
  int64_t n = product(dst);
  std::string result;
  if (tryReuse(op, op.getDest(), op.getResult())) {
    result = ptr(op.getResult());
  } else {
    result = allocate(op.getResult());
    if (!isa_and_nonnull<tensor::EmptyOp>(op.getDest().getDefiningOp()))
      emitCopy(result, ptr(op.getDest()), n);
  }
  beginOp(op);
  body << "  {\n";
  emitI64Array(body, "dst_shape", dst);
  emitI64Array(body, "dst_offsets", op.getStaticOffsets());
  emitI64Array(body, "box", op.getStaticSizes());
  SmallVector<int64_t> zeros(dst.size(), 0);
  emitI64Array(body, "zero", zeros);
  body << "    " << kernel("copy_box") << "(" << ptr(op.getSource()) << ", box, zero, "
       << result << ", dst_shape, dst_offsets, box, " << dst.size() << ");\n";
  body << "  }\n";
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitCommCall(Operation *op, StringRef in,
                                          StringRef out) {
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  if (auto send = dyn_cast<SendOp>(op)) {
    body << "  dlrt_send(" << in << ", " << product(shapeOf(send.getInput()))
         << ", /*peer=*/" << send.getPeerAttr().getInt() << ", /*tag=*/"
         << send.getTagAttr().getInt() << ");\n";
    return success();
  }
  if (auto recv = dyn_cast<RecvOp>(op)) {
    body << "  dlrt_recv(" << out << ", " << product(shapeOf(recv.getResult()))
         << ", /*peer=*/" << recv.getPeerAttr().getInt() << ", /*tag=*/"
         << recv.getTagAttr().getInt() << ");\n";
    return success();
  }
  if (auto gather = dyn_cast<AllGatherOp>(op)) {
    auto inShape = shapeOf(gather.getInput());
    body << "  {\n";
    emitI64Array(body, "in_shape", inShape);
    emitI64Array(body, "sizes", gather.getSizes());
    emitIntArray(body, "group", gather.getGroup());
    body << "    dlrt_all_gather(" << in << ", in_shape, " << inShape.size()
         << ", /*dim=*/" << gather.getDimAttr().getInt() << ", " << out
         << ", sizes, group, " << gather.getGroup().size() << ");\n";
    body << "  }\n";
    return success();
  }
  if (auto reduce = dyn_cast<AllReduceOp>(op)) {
    body << "  {\n";
    emitIntArray(body, "group", reduce.getGroup());
    body << "    dlrt_all_reduce_sum(" << out << ", "
         << product(shapeOf(reduce.getInput())) << ", group, "
         << reduce.getGroup().size() << ");\n";
    body << "  }\n";
    return success();
  }
  if (auto scatter = dyn_cast<ReduceScatterOp>(op)) {
    auto inShape = shapeOf(scatter.getInput());
    body << "  {\n";
    emitI64Array(body, "in_shape", inShape);
    emitI64Array(body, "sizes", scatter.getSizes());
    emitIntArray(body, "group", scatter.getGroup());
    body << "    dlrt_reduce_scatter_sum(" << in << ", in_shape, "
         << inShape.size() << ", /*dim=*/" << scatter.getDimAttr().getInt()
         << ", " << out << ", sizes, group, " << scatter.getGroup().size()
         << ");\n";
    body << "  }\n";
    return success();
  }
  if (auto bcast = dyn_cast<BroadcastOp>(op)) {
    body << "  {\n";
    emitIntArray(body, "group", bcast.getGroup());
    body << "    dlrt_broadcast(" << out << ", "
         << product(shapeOf(bcast.getInput())) << ", /*root=*/"
         << bcast.getRootAttr().getInt() << ", group, "
         << bcast.getGroup().size() << ");\n";
    body << "  }\n";
    return success();
  }
  if (auto halo = dyn_cast<HaloExchangeOp>(op)) {
    auto inShape = shapeOf(halo.getInput());
    ArrayRef<int64_t> recv = halo.getRecv(), send = halo.getSend();
    if (recv.size() != 2 || send.size() != 2)
      return op->emitError("halo_exchange expects 2 recv and 2 send counts");
    body << "  {\n";
    emitI64Array(body, "in_shape", inShape);
    body << "    dlrt_halo_exchange(" << in << ", in_shape, " << inShape.size()
         << ", /*dim=*/" << halo.getDimAttr().getInt() << ", " << out
         << ",\n                       /*recv lo, hi=*/" << recv[0] << ", "
         << recv[1] << ", /*send lo, hi=*/" << send[0] << ", " << send[1]
         << ", /*prev=*/" << halo.getPrevAttr().getInt()
         << ", /*next=*/" << halo.getNextAttr().getInt() << ");\n";
    body << "  }\n";
    return success();
  }
  if (auto a2a = dyn_cast<AllToAllOp>(op)) {
    auto inShape = shapeOf(a2a.getInput());
    auto outShape = shapeOf(a2a.getResult());
    int64_t splitDim = a2a.getSplitDimAttr().getInt();
    int64_t concatDim = a2a.getConcatDimAttr().getInt();
    int64_t g = a2a.getGroup().size();
    int64_t rank = inShape.size();
    if (splitDim < 0 || splitDim >= rank || concatDim < 0 ||
        concatDim >= rank || g == 0 || inShape[splitDim] % g != 0)
      return op->emitError("all_to_all: split_dim size must divide evenly "
                           "by the group size");
    SmallVector<int64_t> expected(inShape);
    expected[splitDim] /= g;
    expected[concatDim] *= g;
    if (ArrayRef<int64_t>(expected) != outShape)
      return op->emitError("all_to_all: result shape ")
             << shapeString(outShape) << " does not match the expected "
             << shapeString(expected);
    needsAllToAll = true;
    body << "  {\n";
    emitI64Array(body, "in_shape", inShape);
    emitIntArray(body, "group", a2a.getGroup());
    body << "    dl_all_to_all(" << in << ", in_shape, " << rank
         << ", /*split_dim=*/" << splitDim << ", /*concat_dim=*/" << concatDim
         << ", " << out << ", group, " << g << ");\n";
    body << "  }\n";
    return success();
  }
  if (auto barrier = dyn_cast<BarrierOp>(op)) {
    body << "  {\n";
    emitIntArray(body, "group", barrier.getGroup());
    body << "    dlrt_barrier(group, " << barrier.getGroup().size() << ");\n";
    body << "  }\n";
    return success();
  }
  return op->emitError("unsupported communication op");
}

std::string DeviceEmitter::inPlaceResult(Operation *op, Value operand,
                                         Value result, StringRef why) {
  if (tryReuse(op, operand, result))
    return ptr(result);
  std::string var = allocate(result, why);
  emitCopy(var, ptr(operand), product(cast<RankedTensorType>(
                                  operand.getType()).getShape()));
  return var;
}

LogicalResult DeviceEmitter::emitComm(Operation *op) {
  // Host memory: the runtime works on the tensor buffers directly.
  std::string in, out;
  if (isa<AllReduceOp, BroadcastOp>(op)) {
    // In place; for broadcast only the root's data matters, the others
    // receive into the copy.
    out = inPlaceResult(op, op->getOperand(0), op->getResult(0));
  } else {
    if (op->getNumOperands() == 1)
      in = ptr(op->getOperand(0));
    if (op->getNumResults() == 1)
      out = allocate(op->getResult(0));
  }
  beginOp(op);
  if (failed(emitCommCall(op, in, out)))
    return failure();
  endOp();
  return success();
}

LogicalResult DeviceEmitter::emitAllReduceStart(AllReduceStartOp op) {
  if (deviceResident())
    return emitTargetError(op, "emission does not support the non-blocking "
                               "all_reduce yet");
  std::string buf = inPlaceResult(op, op.getInput(), op.getResult());
  std::string handle = "req" + std::to_string(tmpCounter++);
  ArrayRef<int64_t> group = op.getGroup();
  beginOp(op);
  body << "  int64_t " << handle << ";\n  {\n";
  emitIntArray(body, "group", group);
  body << "    " << handle << " = dlrt_all_reduce_sum_start(" << buf << ", "
       << product(op.getInput().getType().getShape()) << ", group, "
       << group.size() << ");\n  }\n";
  endOp();
  pendingComm[op.getResult()] = handle;
  return success();
}

LogicalResult DeviceEmitter::emitAllReduceWait(AllReduceWaitOp op) {
  auto it = pendingComm.find(op.getInput());
  if (it == pendingComm.end())
    return emitTargetError(op, "emission expects the all_reduce_start of "
                               "this wait before it");
  beginOp(op);
  body << "  dlrt_comm_wait(" << it->second << ");\n";
  endOp();
  pendingComm.erase(it);
  // The sum is in the start's buffer.
  bindAlias(op.getResult(), op.getInput(), 0);
  return success();
}

LogicalResult DeviceEmitter::emitReturn(func::ReturnOp op) {
  DenseSet<unsigned> handedOut;
  for (auto [i, v] : llvm::enumerate(op.getOperands())) {
    ValueInfo info = values.lookup(v);
    Buffer &b = buffers[info.buffer];
    if (!deviceResident() && b.kind == Buffer::Kind::Owned && isRoot(v) &&
        !handedOut.contains(info.buffer)) {
      body << "  out[" << i << "] = " << b.var << ";\n";
      handedOut.insert(info.buffer);
      b.released = true;
    } else {
      body << "  out[" << i << "] = dl_alloc(" << info.numElements << ");\n";
      if (deviceResident())
        body << "  dl_copy_out(out[" << i << "], " << ptr(v) << ", "
             << info.numElements << ");\n";
      else
        body << "  std::memcpy(out[" << i << "], " << ptr(v) << ", "
             << info.numElements << " * sizeof(float));\n";
    }
  }
  return success();
}

void DeviceEmitter::emitCopy(StringRef dst, StringRef src, int64_t n) {
  body << "  std::memcpy(" << dst << ", " << src << ", " << n
       << " * sizeof(float));\n";
}

InFlightDiagnostic DeviceEmitter::emitTargetError(Operation *op,
                                                  const Twine &what) {
  return op->emitError() << targetName() << " " << what;
}

LogicalResult DeviceEmitter::emitOp(Operation *op) {
  if (isa<dl::DLDialect>(op->getDialect()) ||
      isa<tensor::TensorDialect>(op->getDialect())) {
    for (Value v : op->getOperands())
      if (isa<TensorType>(v.getType()) && failed(tensorType(op, v)))
        return failure();
    for (Value v : op->getResults())
      if (failed(tensorType(op, v)))
        return failure();
  }
  std::string where = locName(op->getLoc());
  if (!isa<func::ReturnOp>(op)) {
    body << "  // " << op->getName();
    if (auto param = dyn_cast<ParamOp>(op))
      body << " " << cString(param.getName());
    if (!where.empty())
      body << " at " << where;
    if (isa<FlattenOp, ReshapeOp, tensor::CollapseShapeOp,
            tensor::ExpandShapeOp>(op))
      body << " (aliases its input)";
    body << "\n";
  }
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ParamOp p) { return emitParam(p); })
      .Case([&](arith::ConstantOp c) {
        return emitConstant(c, c.getResult(), c.getValue());
      })
      .Case([&](Conv2DOp o) { return emitConv(o); })
      .Case([&](DenseOp o) { return emitDense(o); })
      .Case([&](MatMulOp o) { return emitMatMul(o); })
      .Case([&](Pool2DOp o) { return emitPool(o); })
      .Case([&](GlobalAvgPoolOp o) { return emitGlobalAvgPool(o); })
      .Case([&](BatchNormOp o) { return emitBatchNorm(o); })
      .Case([&](ReluOp o) { return emitUnary(o, "relu"); })
      .Case([&](SigmoidOp o) { return emitUnary(o, "sigmoid"); })
      .Case([&](TanhOp o) { return emitUnary(o, "tanh"); })
      .Case([&](GeluOp o) { return emitUnary(o, "gelu"); })
      .Case([&](ClipOp o) { return emitClip(o); })
      .Case([&](SoftmaxOp o) { return emitSoftmax(o); })
      .Case([&](AddOp o) { return emitBinary(o, "add"); })
      .Case([&](MulOp o) { return emitBinary(o, "mul"); })
      .Case([&](ConcatOp o) { return emitConcat(o); })
      .Case<FlattenOp, ReshapeOp, tensor::CollapseShapeOp,
            tensor::ExpandShapeOp>([&](Operation *o) {
        // Row-major reinterpretation: no code, the result aliases.
        bindAlias(o->getResult(0), o->getOperand(0), 0);
        return success();
      })
      .Case([&](LSTMOp o) { return emitLSTM(o); })
      .Case([&](LSTMGatesOp o) { return emitLSTMGates(o); })
      .Case([&](LSTMCellOp o) { return emitLSTMCell(o); })
      .Case([&](tensor::EmptyOp o) {
        // Only written into by insert_slice: each insert_slice allocates
        // its own result (uninitialized, nothing to copy), so the empty
        // tensor needs no buffer. One tensor.empty may feed several
        // assemblies (CSE merges equal ones), and a buffer of its own
        // would live from the first to the last of them.
        if (!o->use_empty() && llvm::all_of(o->getUses(), [](OpOperand &use) {
              auto insert = dyn_cast<tensor::InsertSliceOp>(use.getOwner());
              return insert && use.get() == insert.getDest() &&
                     insert.getSource() != use.get();
            }))
          return success();
        allocate(o.getResult(), "uninitialized");
        return success();
      })
      .Case([&](tensor::ExtractSliceOp o) { return emitExtractSlice(o); })
      .Case([&](tensor::InsertSliceOp o) { return emitInsertSlice(o); })
      .Case<SendOp, RecvOp, AllGatherOp, AllReduceOp, ReduceScatterOp,
            BroadcastOp, HaloExchangeOp, AllToAllOp, BarrierOp>(
          [&](Operation *o) { return emitComm(o); })
      .Case([&](AllReduceStartOp o) { return emitAllReduceStart(o); })
      .Case([&](AllReduceWaitOp o) { return emitAllReduceWait(o); })
      .Case<Conv2DBackwardDataOp, Conv2DBackwardWeightsOp, DenseBackwardDataOp,
            DenseBackwardWeightsOp, ReluBackwardOp, Pool2DBackwardOp,
            SoftmaxCrossEntropyOp, SoftmaxCrossEntropyBackwardOp, SGDUpdateOp,
            AdamUpdateOp, SigmoidBackwardOp, TanhBackwardOp, GeluBackwardOp,
            ClipBackwardOp, SoftmaxBackwardOp, MatMulBackwardLhsOp,
            MatMulBackwardRhsOp>(
          [&](Operation *o) { return emitTrainingOp(o); })
      .Case<BatchNormTrainOp, BatchNormBackwardOp, BatchNormRunningStatsOp,
            LSTMBackwardOp>([&](Operation *o) { return emitTrainingOp(o); })
      .Case([&](func::ReturnOp o) { return emitReturn(o); })
      .Default([&](Operation *o) {
        return o->emitError() << "'" << o->getName()
                              << "' is not supported by the " << targetName()
                              << " emitter";
      });
}

//===----------------------------------------------------------------------===//
// Program assembly
//===----------------------------------------------------------------------===//

/// Helpers shared by every generated program.
constexpr const char *kPrelude = R"cpp(
namespace {

int64_t g_live_bytes = 0; // bytes of tensor buffers currently allocated
int64_t g_peak_bytes = 0; // high-water mark of g_live_bytes

int64_t dl_bytes(int64_t n) { return ((n > 0 ? n : 1) * 4 + 63) / 64 * 64; }

/// A 64-byte aligned buffer of n floats (contents undefined).
float *dl_alloc(int64_t n) {
  void *p = std::aligned_alloc(64, static_cast<size_t>(dl_bytes(n)));
  if (!p) {
    std::fprintf(stderr, "rank%d: error: out of memory allocating %lld "
                 "bytes\n", kRank, static_cast<long long>(dl_bytes(n)));
    std::exit(2);
  }
  g_live_bytes += dl_bytes(n);
  if (g_live_bytes > g_peak_bytes)
    g_peak_bytes = g_live_bytes;
  return static_cast<float *>(p);
}

void dl_free(float *p, int64_t n) {
  std::free(p);
  g_live_bytes -= dl_bytes(n);
}

[[noreturn]] void dl_fail(const char *fmt, ...) {
  // One write per line: the ranks of a job share mpirun's stderr, and a
  // line written in pieces interleaves with another rank's.
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "rank%d: error: %s\n", kRank, msg);
  std::exit(2);
}

std::string dl_shape_string(const int64_t *shape, int rank) {
  std::string s = "[";
  for (int i = 0; i < rank; ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}
)cpp";

constexpr const char *kAllToAllHelper = R"cpp(
/// All-to-all that splits dim split_dim of `in` evenly into one chunk per
/// group member and concatenates the received chunks along concat_dim.
void dl_all_to_all(const float *in, const int64_t *shape, int rank,
                   int split_dim, int concat_dim, float *out,
                   const int *group, int gs) {
  std::vector<int64_t> chunk(shape, shape + rank), zero(rank, 0),
      off(rank, 0);
  chunk[split_dim] /= gs;
  int64_t chunk_n = 1;
  for (int64_t d : chunk)
    chunk_n *= d;
  std::vector<int64_t> out_shape = chunk;
  out_shape[concat_dim] *= gs;
  float *send = dl_alloc(chunk_n * gs), *recv = dl_alloc(chunk_n * gs);
  std::vector<int64_t> counts(gs, chunk_n), offsets(gs);
  for (int j = 0; j < gs; ++j) {
    offsets[j] = j * chunk_n;
    off[split_dim] = j * chunk[split_dim];
    dlrt_copy_box(in, shape, off.data(), send + offsets[j], chunk.data(),
                  zero.data(), chunk.data(), rank);
  }
  off[split_dim] = 0;
  dlrt_all_to_all(send, counts.data(), offsets.data(), recv, counts.data(),
                  offsets.data(), group, gs);
  for (int j = 0; j < gs; ++j) {
    off[concat_dim] = j * chunk[concat_dim];
    dlrt_copy_box(recv + offsets[j], chunk.data(), zero.data(), out,
                  out_shape.data(), off.data(), chunk.data(), rank);
  }
  dl_free(send, chunk_n * gs);
  dl_free(recv, chunk_n * gs);
}
)cpp";

/// The generic main(); refers to kRank, kInputs, kOutputs, kNumInputs,
/// kNumOutputs, kNumWeights, dl_setup, dl_load_weights and dl_run.
constexpr const char *kMain = R"cpp(
void dl_usage(const char *argv0) {
  std::printf(
      "usage: %s [options]   (program of device/rank %d)\n"
      "  --input PATH.npy     model input (once per input, in order; %d)\n"
      "  --output PATH.npy    write a model output (once per output; %d)\n"
      "  --weights PATH.dlw   weight file (default: weights/rank%d.dlw next "
      "to the binary)\n"
      "  --expect PATH.npy    compare output 0 with a reference\n"
      "  --tolerance X        max relative error for --expect (1e-4)\n"
      "  --repeat N           run the body N times and report the mean "
      "latency\n"
      "  --warmup N           untimed runs before the timed ones (0)\n"
      "  --print N            print the first N values of each output\n"
      "  --print N            print the first N values of each output\n"
      "  --trace PATH / --stats PATH   runtime trace and statistics\n",
      argv0, kRank, kNumInputs, kNumOutputs, kRank);
}

std::string dl_default_weights(const char *argv0) {
  char buf[4096];
  ssize_t len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  std::string exe = len > 0 ? std::string(buf, len) : std::string(argv0);
  size_t slash = exe.rfind('/');
  std::string dir = slash == std::string::npos ? "." : exe.substr(0, slash);
  return dir + "/weights/rank" + std::to_string(kRank) + ".dlw";
}

} // namespace

int main(int argc, char **argv) {
  dlrt_init(&argc, &argv);

  std::vector<std::string> input_paths, output_paths;
  std::string weights_path, expect_path;
  double tolerance = 1e-4;
  long repeat = 1, warmup = 0, print_count = 0;
  bool timed = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    size_t eq = arg.find('=');
    bool has_inline = arg.rfind("--", 0) == 0 && eq != std::string::npos;
    std::string key = has_inline ? arg.substr(0, eq) : arg;
    auto next = [&]() -> std::string {
      if (has_inline)
        return arg.substr(eq + 1);
      if (i + 1 >= argc)
        dl_fail("option %s needs a value", key.c_str());
      return argv[++i];
    };
    auto number = [&](const std::string &v, double lo) {
      char *end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(d >= lo))
        dl_fail("invalid value '%s' for %s", v.c_str(), key.c_str());
      return d;
    };
    if (key == "--help" || key == "-h") {
      dl_usage(argv[0]);
      dlrt_finalize();
      return 0;
    } else if (key == "--input") {
      input_paths.push_back(next());
    } else if (key == "--output") {
      output_paths.push_back(next());
    } else if (key == "--weights") {
      weights_path = next();
    } else if (key == "--expect") {
      expect_path = next();
    } else if (key == "--tolerance") {
      tolerance = number(next(), 0.0);
    } else if (key == "--repeat") {
      repeat = static_cast<long>(number(next(), 1.0));
      timed = true;
    } else if (key == "--warmup") {
      warmup = static_cast<long>(number(next(), 0.0));
    } else if (key == "--print") {
      print_count = static_cast<long>(number(next(), 0.0));
    } else {
      dl_fail("unknown option '%s' (see --help)", arg.c_str());
    }
  }

  // Every rank runs the program of its rank of this plan, and the job has
  // the plan's size (after the options, so that --help works anywhere).
  dlrt_check_plan(kRank, kNumRanks, kPlanHash);

  // Inputs: one .npy per function argument, shapes checked.
  if (static_cast<int>(input_paths.size()) != kNumInputs)
    dl_fail("expected %d --input file(s), got %d", kNumInputs,
            static_cast<int>(input_paths.size()));
  std::vector<float *> inputs(kNumInputs + 1, nullptr);
  for (int i = 0; i < kNumInputs; ++i) {
    int64_t shape[8];
    int rank = 0;
    inputs[i] = dlrt_npy_load(input_paths[i].c_str(), shape, &rank);
    bool ok = rank == kInputs[i].rank;
    for (int d = 0; ok && d < rank; ++d)
      ok = shape[d] == kInputs[i].shape[d];
    if (!ok)
      dl_fail("input %d ('%s') has shape %s, expected %s (%s)", i,
              input_paths[i].c_str(), dl_shape_string(shape, rank).c_str(),
              dl_shape_string(kInputs[i].shape, kInputs[i].rank).c_str(),
              kInputs[i].type);
  }
  if (kNumOutputs == 0 && !output_paths.empty())
    std::fprintf(stderr, "rank%d: note: this rank has no outputs; "
                 "ignoring --output\n", kRank);
  if (kNumOutputs > 0 && static_cast<int>(output_paths.size()) > kNumOutputs)
    dl_fail("%d --output file(s) given but the program has %d output(s)",
            static_cast<int>(output_paths.size()), kNumOutputs);

  // Weights: every rank takes part in the check, so that a missing or
  // damaged shard is reported on every rank.
  if (kNumWeights > 0 && weights_path.empty())
    weights_path = dl_default_weights(argv[0]);
  void *weights =
      dlrt_weights_open_all(kNumWeights > 0 ? weights_path.c_str() : nullptr);
  if (weights)
    dl_load_weights(weights);
  dl_setup();

  // Run.
  std::vector<float *> outputs(kNumOutputs + 1, nullptr);
  auto release_outputs = [&]() {
    for (int i = 0; i < kNumOutputs; ++i) {
      if (outputs[i])
        dl_free(outputs[i], kOutputs[i].elements);
      outputs[i] = nullptr;
    }
  };
  for (long r = 0; r < warmup; ++r) {
    dl_run(inputs.data(), outputs.data());
    release_outputs();
  }
  double total = 0;
  for (long r = 0; r < repeat; ++r) {
    if (r > 0)
      release_outputs();
    double start = dlrt_now();
    dl_run(inputs.data(), outputs.data());
    total += dlrt_now() - start;
  }
  if (timed)
    std::printf("rank%d: mean latency %.6f ms over %ld run(s); peak buffer "
                "memory %lld bytes\n",
                kRank, total / repeat * 1e3, repeat,
                static_cast<long long>(g_peak_bytes));

  // Outputs.
  int status = 0;
  if (kNumOutputs > 0) {
    for (size_t i = 0; i < output_paths.size(); ++i)
      dlrt_npy_save(output_paths[i].c_str(), outputs[i], kOutputs[i].shape,
                    kOutputs[i].rank);
    for (int i = 0; i < kNumOutputs && print_count > 0; ++i) {
      std::printf("output%d %s:", i,
                  dl_shape_string(kOutputs[i].shape, kOutputs[i].rank)
                      .c_str());
      for (int64_t e = 0; e < kOutputs[i].elements && e < print_count; ++e)
        std::printf(" %.6g", outputs[i][e]);
      std::printf("%s\n", kOutputs[i].elements > print_count ? " ..." : "");
    }
    if (!expect_path.empty()) {
      int64_t shape[8];
      int rank = 0;
      float *ref = dlrt_npy_load(expect_path.c_str(), shape, &rank);
      bool ok = rank == kOutputs[0].rank;
      for (int d = 0; ok && d < rank; ++d)
        ok = shape[d] == kOutputs[0].shape[d];
      if (!ok)
        dl_fail("reference '%s' has shape %s, output 0 has %s",
                expect_path.c_str(), dl_shape_string(shape, rank).c_str(),
                dl_shape_string(kOutputs[0].shape, kOutputs[0].rank).c_str());
      // Error relative to the reference's largest magnitude.
      double max_diff = 0, max_ref = 0;
      for (int64_t i = 0; i < kOutputs[0].elements; ++i) {
        double d = std::fabs(double(outputs[0][i]) - double(ref[i]));
        if (!(d <= max_diff))
          max_diff = d; // also catches NaN
        max_ref = std::fmax(max_ref, std::fabs(double(ref[i])));
      }
      double rel = max_diff / (max_ref > 1e-30 ? max_ref : 1e-30);
      std::printf("max_rel_error %.6e\n", rel);
      if (!(rel <= tolerance)) {
        std::fprintf(stderr, "rank%d: error: output 0 differs from '%s': "
                     "max_rel_error %.6e > tolerance %.3e\n", kRank,
                     expect_path.c_str(), rel, tolerance);
        status = 1;
      }
      dlrt_free(ref);
    }
  } else if (!expect_path.empty()) {
    std::fprintf(stderr, "rank%d: note: this rank has no outputs; ignoring "
                 "--expect\n", kRank);
  }
  std::fflush(stdout);
  release_outputs();
  for (int i = 0; i < kNumInputs; ++i)
    dlrt_free(inputs[i]);
  dlrt_weights_close(weights);
  dlrt_finalize();
  return status;
}
)cpp";

static std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

LogicalResult
DeviceEmitter::emitBody(SmallVectorImpl<RankedTensorType> &argTypes,
                        SmallVectorImpl<RankedTensorType> &resultTypes) {
  if (!func.getBody().hasOneBlock())
    return func.emitError()
           << targetName() << " emission expects a single-block function";
  // Sizes are int64_t in the emitted code: no product may overflow.
  if (failed(verifyTensorSizes(func)))
    return failure();
  Block &block = func.getBody().front();
  unsigned index = 1;
  for (Operation &op : block)
    opIndex[&op] = index++;

  // Arguments: the model inputs, owned by main().
  for (BlockArgument arg : block.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
      return func.emitError() << "argument " << arg.getArgNumber()
                              << " must be a statically shaped f32 tensor, "
                                 "got "
                              << arg.getType();
    argTypes.push_back(type);
    std::string var = "a" + std::to_string(arg.getArgNumber());
    int64_t n = product(type.getShape());
    if (deviceResident()) {
      // Uploaded at the start of each run, freed after the last use.
      body << "  float *" << var << " = " << allocFn() << "(" << n
           << "); // " << type << "\n";
      body << "  dl_copy_in(" << var << ", in[" << arg.getArgNumber()
           << "], " << n << ");\n";
      bindRoot(arg, newBuffer(Buffer::Kind::Owned, var, n));
      continue;
    }
    body << "  const float *" << var << " = in[" << arg.getArgNumber()
         << "]; // " << type << "\n";
    bindRoot(arg, newBuffer(Buffer::Kind::Input, var, n));
  }
  for (Type t : func.getFunctionType().getResults()) {
    auto type = dyn_cast<RankedTensorType>(t);
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
      return func.emitError() << "results must be statically shaped f32 "
                                 "tensors, got "
                              << t;
    resultTypes.push_back(type);
  }
  hasResults = !resultTypes.empty();

  for (Operation &op : block) {
    currentOp = opIndex[&op];
    if (failed(emitOp(&op)))
      return failure();
    // Open MPI advances non-blocking collectives only inside MPI calls:
    // poll the started all-reduces after every op while any is pending.
    if (!pendingComm.empty() && !isa<AllReduceStartOp, func::ReturnOp>(op))
      body << "  dlrt_comm_progress();\n";
    releaseDeadBuffers(currentOp);
  }
  return success();
}

LogicalResult DeviceEmitter::emit(raw_ostream &os) {
  SmallVector<RankedTensorType> argTypes, resultTypes;
  if (failed(emitBody(argTypes, resultTypes)))
    return failure();

  // Assemble the program.
  std::string fname = func.getSymName().str();
  emitHeader(os);
  os << "namespace {\n\nconstexpr int kRank = " << device << ";\n";
  emitPlanIdentity(os);
  os << "/// The signature of an input or output.\n"
     << "struct DlTensorSig {\n  const char *type;\n  int rank;\n"
     << "  const int64_t *shape;\n  int64_t elements;\n};\n\n";
  auto emitSigs = [&](StringRef prefix, ArrayRef<RankedTensorType> types) {
    for (auto [i, t] : llvm::enumerate(types))
      os << "const int64_t " << prefix << "Shape" << i
         << "[] = " << joinBraced(t.getShape()) << ";\n";
    os << "constexpr int kNum" << prefix << "s = " << types.size() << ";\n";
    os << "const DlTensorSig k" << prefix << "s[] = {";
    for (auto [i, t] : llvm::enumerate(types))
      os << "\n    {" << cString(typeString(t)) << ", " << t.getRank() << ", "
         << prefix << "Shape" << i << ", " << product(t.getShape()) << "},";
    if (types.empty())
      os << "{nullptr, 0, nullptr, 0}";
    os << "};\n";
  };
  emitSigs("Input", argTypes);
  emitSigs("Output", resultTypes);
  os << "} // namespace\n";
  emitPrelude(os);

  os << "\n//===--- Weights and constants "
        "---------------------------------------===//\n\n";
  os << "constexpr int kNumWeights = " << weightOrder.size() << ";\n";
  for (const std::string &name : weightOrder) {
    auto &[var, shape] = weights[name];
    os << "const float *" << var << "; // " << cString(name) << " "
       << shapeString(shape) << "\n";
  }
  os << globalsStr;
  os << "\n/// Fetches every weight from the weight file (shapes checked).\n"
     << "void dl_load_weights([[maybe_unused]] void *store) {\n";
  for (const std::string &name : weightOrder) {
    auto &[var, shape] = weights[name];
    os << "  {\n    static const int64_t shape[] = " << joinBraced(shape)
       << ";\n    " << var << " = ";
    std::string get = "dlrt_weights_get(store, " + cString(name) +
                      ", shape, " + std::to_string(shape.size()) + ")";
    if (deviceResident())
      os << "dl_upload(" << get << ", " << product(shape) << ");\n  }\n";
    else
      os << get << ";\n  }\n";
  }
  os << "}\n\n/// Materializes splat constants once.\nvoid dl_setup() {\n"
     << setupStr << "}\n";

  os << "\n//===--- Body of @" << fname << " "
     << std::string(std::max<int>(3, 57 - fname.size()), '-') << "===//\n\n";
  os << "/// One inference step: `in` holds the " << argTypes.size()
     << " input(s); the " << resultTypes.size()
     << " output buffer(s) (dl_alloc'ed) are stored to `out`.\n";
  os << "void dl_run([[maybe_unused]] float *const *in, "
        "[[maybe_unused]] float **out) {\n"
     << bodyStr << "}\n";
  if (auto train =
          func->getAttrOfType<DictionaryAttr>(DLDialect::kTrainAttrName))
    return emitTrainMain(os, train);
  os << kMain;
  return success();
}

void DeviceEmitter::emitPrelude(raw_ostream &os) {
  os << kPrelude;
  if (needsAllToAll)
    os << kAllToAllHelper;
  emitTargetPrelude(os);
}

void DeviceEmitter::emitHeader(raw_ostream &os) {
  os << "// Program of device " << device << " (MPI rank " << device
     << "), emitted by dl from @" << func.getSymName() << ".\n"
     << "// Build: c++ -O3 -std=c++17 -I<dl>/include rank" << device
     << ".cpp -L<dl>/lib -ldlrt\n"
     << "// Run:   see --help and docs/codegen.md.\n\n"
     << "#include \"dlrt/dlrt.h\"\n\n";
  emitStdIncludes(os);
}

void DeviceEmitter::emitPlanIdentity(raw_ostream &os) {
  // The rank programs of one compilation share the number of device
  // functions and the hash of the module they come from (locations left
  // out), which the start-up check compares across the ranks.
  Operation *root = func->getParentOfType<ModuleOp>();
  if (!root)
    root = func;
  int64_t ranks = 1;
  if (auto module = dyn_cast<ModuleOp>(root))
    if (auto devices = collectDevices(module); succeeded(devices))
      ranks = devices->size();
  std::string text;
  llvm::raw_string_ostream printed(text);
  root->print(printed, OpPrintingFlags().enableDebugInfo(false));
  os << "constexpr int kNumRanks = " << ranks << ";\n"
     << "constexpr uint64_t kPlanHash = 0x"
     << llvm::format_hex_no_prefix(llvm::xxh3_64bits(text), 16) << "ULL;\n\n";
}

void DeviceEmitter::emitStdIncludes(raw_ostream &os) {
  os << "#include <cmath>\n#include <cstdarg>\n#include <cstdint>\n"
     << "#include <cstdio>\n#include <cstdlib>\n#include <cstring>\n"
     << "#include <string>\n#include <vector>\n\n#include <unistd.h>\n\n";
}

FailureOr<SmallVector<std::pair<int64_t, func::FuncOp>>>
collectDevices(ModuleOp module) {
  SmallVector<std::pair<int64_t, func::FuncOp>> devices;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    if (std::optional<int64_t> d = getDeviceOfFunction(func))
      devices.push_back({*d, func});
  }
  if (devices.empty())
    return module.emitError("no device function to emit: expected "
                            "func.func ops with a 'dl.device' attribute");
  llvm::stable_sort(devices,
                    [](auto &a, auto &b) { return a.first < b.first; });
  for (size_t i = 1; i < devices.size(); ++i)
    if (devices[i].first == devices[i - 1].first)
      return devices[i].second.emitError()
             << "device " << devices[i].first << " has more than one function";
  return devices;
}

} // namespace mlir::dl::target

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

std::optional<int64_t> mlir::dl::getDeviceOfFunction(func::FuncOp func) {
  if (auto attr = func->getAttrOfType<IntegerAttr>(DLDialect::kDeviceAttrName))
    return attr.getInt();
  auto module = func->getParentOfType<ModuleOp>();
  if (!module)
    return std::nullopt;
  unsigned count = 0;
  bool anyDevice = false;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f.isExternal())
      continue;
    ++count;
    anyDevice |= f->hasAttr(DLDialect::kDeviceAttrName);
  }
  if (count == 1 && !anyDevice)
    return 0;
  return std::nullopt;
}

FailureOr<int64_t> target::getEmittedDevice(func::FuncOp func) {
  std::optional<int64_t> device = getDeviceOfFunction(func);
  if (!device)
    return func.emitError("expected a 'dl.device' attribute on a device "
                          "function");
  if (*device < 0)
    return func.emitError("device index must be non-negative");
  return *device;
}

LogicalResult mlir::dl::translateDeviceToCpp(func::FuncOp func,
                                             raw_ostream &os) {
  FailureOr<int64_t> device = target::getEmittedDevice(func);
  if (failed(device))
    return failure();
  target::DeviceEmitter emitter(func, *device);
  return emitter.emit(os);
}

LogicalResult target::translateModuleWith(ModuleOp module, raw_ostream &os,
                                          std::optional<int64_t> device,
                                          const DeviceTranslator &translate) {
  auto devices = collectDevices(module);
  if (failed(devices))
    return failure();
  bool found = false;
  for (auto [k, func] : *devices) {
    if (device && *device != k)
      continue;
    found = true;
    if (!device)
      os << "// ----- device " << k << " -----\n";
    if (failed(translate(func, k, os)))
      return failure();
  }
  if (!found)
    return module.emitError() << "no function for device " << *device;
  return success();
}

LogicalResult
target::emitDeviceSourcesWith(ModuleOp module, StringRef dir,
                              SmallVectorImpl<std::string> &files,
                              const SourceTranslator &translate) {
  auto devices = collectDevices(module);
  if (failed(devices))
    return failure();
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return module.emitError()
           << "cannot create directory '" << dir << "': " << ec.message();
  for (auto [k, func] : *devices) {
    std::string text;
    llvm::raw_string_ostream os(text);
    FailureOr<StringRef> extension = translate(func, k, os);
    if (failed(extension))
      return failure();
    SmallString<256> path(dir);
    llvm::sys::path::append(path, "rank" + Twine(k) + *extension);
    std::error_code ec;
    llvm::raw_fd_ostream file(path, ec);
    if (ec)
      return module.emitError()
             << "cannot write '" << path << "': " << ec.message();
    file << text;
    file.close();
    if (file.has_error())
      return module.emitError() << "error writing '" << path << "'";
    files.push_back(path.str().str());
  }
  return success();
}

LogicalResult mlir::dl::translateModuleToCpp(ModuleOp module, raw_ostream &os,
                                             std::optional<int64_t> device) {
  if (isPipelineTrainingModule(module))
    return translatePipelineToCpp(module, os);
  return target::translateModuleWith(
      module, os, device, [](func::FuncOp func, int64_t, raw_ostream &os) {
        return translateDeviceToCpp(func, os);
      });
}

LogicalResult mlir::dl::emitDeviceSources(ModuleOp module, StringRef dir,
                                          SmallVectorImpl<std::string> &files) {
  return target::emitDeviceSourcesWith(
      module, dir, files,
      [](func::FuncOp func, int64_t, raw_ostream &os) -> FailureOr<StringRef> {
        if (failed(translateDeviceToCpp(func, os)))
          return failure();
        return StringRef(".cpp");
      });
}

std::optional<int64_t> target::getDeviceOption() {
  static llvm::cl::opt<int> deviceOption(
      "dl-device",
      llvm::cl::desc("Emit only the program of this device (rank)"),
      llvm::cl::init(-1));
  if (deviceOption >= 0)
    return deviceOption;
  return std::nullopt;
}

void mlir::dl::registerToCppTranslation() {
  target::getDeviceOption(); // registers --dl-device
  TranslateFromMLIRRegistration reg(
      "dl-to-cpp", "translate dl device functions to C++ programs over dlrt",
      [](ModuleOp module, raw_ostream &os) {
        return translateModuleToCpp(module, os, target::getDeviceOption());
      },
      [](DialectRegistry &registry) { registerDLDialects(registry); });
}
