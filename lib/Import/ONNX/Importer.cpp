//===- Importer.cpp - ONNX graph to dl layer ops ----------------*- C++ -*-===//
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements importOnnxModel: graph inputs become the arguments of
// `func.func @main`, initializers become `dl.param` ops backed by a DLW1
// weight store, shape subgraphs are folded on the host and every other node
// becomes dl layer ops named after the ONNX node (NameLoc). Anything the
// dl dialect cannot express is an error naming the node and its op type.
//
//===----------------------------------------------------------------------===//

#include "ImportInternal.h"
#include "dialects/DL/DLOps.h"
#include "dl/Import/ONNX.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "runtime/Format.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::onnx_import;

namespace {

using Shape = std::vector<int64_t>;

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k)
    s += (k ? "," : "") + std::to_string(shape[k]);
  return s + "]";
}

/// Translates one ONNX graph.
class Importer {
public:
  Importer(MLIRContext *ctx, const onnx::ModelProto &model, StringRef file,
           raw_ostream &errs)
      : ctx(ctx), builder(ctx), model(model), file(file), errs(errs) {}

  OwningOpRef<ModuleOp> run(const OnnxImportOptions &options);

private:
  /// Prints `file: error: msg` and returns failure.
  LogicalResult error(const Twine &msg) {
    errs << file << ": error: " << msg << "\n";
    return failure();
  }
  /// Error about `node`: names the node and its op type.
  LogicalResult nodeError(const onnx::NodeProto &node, const Twine &msg) {
    return error("node '" + nodeName(node) + "' (" + node.op_type() +
                 "): " + msg);
  }
  std::string nodeName(const onnx::NodeProto &node) const {
    auto it = names.find(&node);
    return it == names.end() ? node.name() : it->second;
  }

  LogicalResult importNode(const onnx::NodeProto &node);
  LogicalResult checkAttributes(const onnx::NodeProto &node,
                                ArrayRef<StringRef> allowed);

  // Attribute access.
  const onnx::AttributeProto *attr(const onnx::NodeProto &node,
                                   StringRef name) const {
    for (const auto &a : node.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t intAttr(const onnx::NodeProto &node, StringRef name,
                  int64_t dflt) const {
    const auto *a = attr(node, name);
    return a ? a->i() : dflt;
  }
  float floatAttr(const onnx::NodeProto &node, StringRef name,
                  float dflt) const {
    const auto *a = attr(node, name);
    return a ? a->f() : dflt;
  }
  std::string stringAttr(const onnx::NodeProto &node, StringRef name,
                         StringRef dflt) const {
    const auto *a = attr(node, name);
    return a ? a->s() : dflt.str();
  }
  Shape intsAttr(const onnx::NodeProto &node, StringRef name,
                 Shape dflt) const {
    const auto *a = attr(node, name);
    return a ? Shape(a->ints().begin(), a->ints().end()) : dflt;
  }

  // Values.
  bool isConst(const std::string &name) const {
    return consts.count(name) != 0;
  }
  bool hasInput(const onnx::NodeProto &node, int k) const {
    return k < node.input_size() && !node.input(k).empty();
  }
  /// The tensor value of input `k`; constants become dl.param ops.
  FailureOr<Value> input(const onnx::NodeProto &node, int k);
  /// A dl.param holding `data` (written to the weight store as `name`).
  Value param(const std::string &name, const ConstTensor &data);
  Shape shapeOf(Value v) const {
    auto s = cast<RankedTensorType>(v.getType()).getShape();
    return Shape(s.begin(), s.end());
  }
  RankedTensorType tensorType(ArrayRef<int64_t> shape) const {
    return RankedTensorType::get(shape, Float32Type::get(ctx));
  }
  Location loc(const onnx::NodeProto &node) const {
    return NameLoc::get(StringAttr::get(ctx, nodeName(node)));
  }
  /// Binds output `k` of `node` to `v` after checking `v`'s shape against
  /// ONNX shape inference.
  LogicalResult bind(const onnx::NodeProto &node, int k, Value v);
  /// A reshape of `v` to `shape` (folding reshape chains; none if equal).
  Value reshape(Location l, Value v, ArrayRef<int64_t> shape);
  /// Name prefix for tensors the importer derives for `node`.
  std::string derivedName(const onnx::NodeProto &node) const {
    std::string n = nodeName(node);
    while (!n.empty() && n.front() == '/')
      n.erase(n.begin());
    for (char &c : n)
      if (c == '/')
        c = '.';
    return n;
  }
  /// Whether output `k` of `node` is consumed or a graph output.
  bool outputUsed(const onnx::NodeProto &node, int k) const {
    if (k >= node.output_size() || node.output(k).empty())
      return false;
    return useCount.lookup(node.output(k)) > 0 ||
           graphOutputs.contains(node.output(k));
  }

  // Op translations.
  LogicalResult importConv(const onnx::NodeProto &node);
  LogicalResult importPool(const onnx::NodeProto &node);
  LogicalResult importGemm(const onnx::NodeProto &node);
  LogicalResult importMatMul(const onnx::NodeProto &node);
  LogicalResult importBinary(const onnx::NodeProto &node);
  LogicalResult importLSTM(const onnx::NodeProto &node);
  LogicalResult importReshapeLike(const onnx::NodeProto &node);
  /// Sets `mark[a]` for every axis of a Squeeze/Unsqueeze (negative axes
  /// count from the end); an axis out of range or given twice is an error.
  LogicalResult markAxes(const onnx::NodeProto &node, ArrayRef<int64_t> axes,
                         std::vector<bool> &mark);
  LogicalResult importClip(const onnx::NodeProto &node);
  /// Matches `0.5 * (x * (1 + Erf(x / sqrt(2))))` (how PyTorch before 2.0
  /// exports nn.GELU) starting at its `Div` (or `Mul` by 1/sqrt(2)) and
  /// emits one dl.gelu; the nodes of the pattern are then skipped.
  /// Returns false (and emits nothing) when `node` does not start it.
  bool tryImportErfGelu(const onnx::NodeProto &node);
  /// The only consumer of output `k` of `node`, or null when it has none,
  /// several, or is a graph output.
  const onnx::NodeProto *soleConsumer(const onnx::NodeProto &node,
                                      int k = 0) const;
  /// Whether `node` is the binary op `op` of the tensor `x` and a scalar
  /// constant close to `value` (either operand order).
  bool isScalarOp(const onnx::NodeProto *node, StringRef op,
                  const std::string &x, double value) const;
  /// Checks the window attributes of a 2-D window op (kernel, strides and
  /// dilations: two values in 1..2^30; pads: four in 0..2^30) and computes
  /// its SAME/VALID/explicit pads.
  LogicalResult windowPads(const onnx::NodeProto &node, const Shape &in,
                           const Shape &kernel, const Shape &strides,
                           const Shape &dilations, Shape &pads);
  /// The error for a window that does not fit its padded input.
  LogicalResult windowTooLarge(const onnx::NodeProto &node, const Shape &in,
                               const Shape &pads);

  MLIRContext *ctx;
  OpBuilder builder;
  const onnx::ModelProto &model;
  std::string file;
  raw_ostream &errs;
  int64_t opset = 13;

  std::map<const onnx::NodeProto *, std::string> names;
  std::map<std::string, Value> values;
  std::map<std::string, ConstTensor> consts;
  std::map<std::string, Shape> inferred;
  llvm::StringMap<unsigned> useCount;
  /// The nodes that read each tensor, and the node that writes it.
  std::map<std::string, SmallVector<const onnx::NodeProto *, 2>> consumers;
  std::map<std::string, const onnx::NodeProto *> producers;
  /// Nodes already translated as part of a pattern (Erf GELU).
  llvm::SmallPtrSet<const onnx::NodeProto *, 8> absorbed;
  llvm::StringSet<> graphOutputs;
  /// Pending zero-padding (Pad nodes) to fold into the consumer:
  /// output name -> (input name, pads [t, l, b, r]).
  std::map<std::string, std::pair<std::string, Shape>> pendingPads;

  dlrt::format::WeightWriter weights;
  llvm::StringMap<Value> params;
  llvm::StringSet<> paramNames;
};

} // namespace

Value Importer::param(const std::string &rawName, const ConstTensor &data) {
  auto it = params.find(rawName);
  if (it != params.end())
    return it->second;
  std::string name = rawName;
  for (char &c : name)
    if (c == '#')
      c = '_';
  std::string unique = name;
  for (int k = 1; paramNames.contains(unique); ++k)
    unique = name + "_" + std::to_string(k);
  paramNames.insert(unique);
  weights.add(unique, data.shape, data.f.data());
  Value v =
      builder.create<ParamOp>(builder.getUnknownLoc(), tensorType(data.shape),
                              builder.getStringAttr(unique), ElementsAttr());
  params[rawName] = v;
  return v;
}

FailureOr<Value> Importer::input(const onnx::NodeProto &node, int k) {
  if (!hasInput(node, k)) {
    (void)nodeError(node, "input " + Twine(k) + " is missing");
    return failure();
  }
  const std::string &name = node.input(k);
  if (pendingPads.count(name)) {
    (void)nodeError(node, "input '" + name +
                              "' comes from a Pad that can only be folded "
                              "into a Conv or AveragePool");
    return failure();
  }
  auto v = values.find(name);
  if (v != values.end())
    return v->second;
  auto c = consts.find(name);
  if (c != consts.end()) {
    if (!c->second.isFloat) {
      (void)nodeError(node, "input '" + name +
                                "' is an integer tensor; dl layers take f32");
      return failure();
    }
    return param(name, c->second);
  }
  (void)nodeError(node, "input '" + name + "' is not defined");
  return failure();
}

Value Importer::reshape(Location l, Value v, ArrayRef<int64_t> shape) {
  if (auto r = v.getDefiningOp<ReshapeOp>())
    v = r.getInput();
  if (ArrayRef<int64_t>(shapeOf(v)) == shape)
    return v;
  return builder.create<ReshapeOp>(l, tensorType(shape), v);
}

LogicalResult Importer::bind(const onnx::NodeProto &node, int k, Value v) {
  const std::string &name = node.output(k);
  auto it = inferred.find(name);
  if (it != inferred.end() && it->second != shapeOf(v))
    return nodeError(
        node, "output '" + name + "' has shape " + shapeStr(shapeOf(v)) +
                  " but ONNX shape inference says " + shapeStr(it->second));
  values[name] = v;
  return success();
}

LogicalResult Importer::checkAttributes(const onnx::NodeProto &node,
                                        ArrayRef<StringRef> allowed) {
  for (const auto &a : node.attribute())
    if (!llvm::is_contained(allowed, StringRef(a.name())))
      return nodeError(node, "unsupported attribute '" + a.name() + "'");
  return success();
}

LogicalResult Importer::windowPads(const onnx::NodeProto &node, const Shape &in,
                                   const Shape &kernel, const Shape &strides,
                                   const Shape &dilations, Shape &pads) {
  // Every window attribute comes from the model: two entries each, in a
  // range where the output size arithmetic cannot overflow.
  const int64_t kMax = int64_t(1) << 30;
  for (auto [name, attr] :
       {std::pair{"kernel_shape", &kernel}, std::pair{"strides", &strides},
        std::pair{"dilations", &dilations}})
    if (attr->size() != 2 || (*attr)[0] < 1 || (*attr)[1] < 1 ||
        (*attr)[0] > kMax || (*attr)[1] > kMax)
      return nodeError(node, Twine(name) + " must be two positive values "
                                           "(at most 2^30)");
  std::string autoPad = stringAttr(node, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    pads = intsAttr(node, "pads", {0, 0, 0, 0});
    if (pads.size() != 4)
      return nodeError(node, "pads must have 4 entries (2-D only)");
    for (int64_t p : pads)
      if (p < 0 || p > kMax)
        return nodeError(node, "pads must be in 0..2^30, got " + Twine(p));
    return success();
  }
  pads = {0, 0, 0, 0};
  if (autoPad == "VALID")
    return success();
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return nodeError(node, "unsupported auto_pad '" + autoPad + "'");
  for (int d = 0; d < 2; ++d) {
    int64_t size = in[2 + d], s = strides[d];
    int64_t out = (size + s - 1) / s;
    int64_t total = std::max<int64_t>(
        (out - 1) * s + (kernel[d] - 1) * dilations[d] + 1 - size, 0);
    int64_t small = total / 2, big = total - small;
    pads[d] = autoPad == "SAME_UPPER" ? small : big;
    pads[d + 2] = autoPad == "SAME_UPPER" ? big : small;
  }
  return success();
}

LogicalResult Importer::windowTooLarge(const onnx::NodeProto &node,
                                       const Shape &in, const Shape &pads) {
  return nodeError(node, "the window is larger than the padded input (input " +
                             shapeStr(in) + ", pads " + shapeStr(pads) + ")");
}

LogicalResult Importer::importConv(const onnx::NodeProto &node) {
  if (failed(checkAttributes(node, {"auto_pad", "dilations", "group",
                                    "kernel_shape", "pads", "strides"})))
    return failure();
  std::string inName = node.input(0);
  Shape extraPads = {0, 0, 0, 0};
  if (auto p = pendingPads.find(inName); p != pendingPads.end()) {
    extraPads = p->second.second;
    inName = p->second.first;
  }
  auto x = values.find(inName);
  if (x == values.end())
    return nodeError(node, "the input must be a computed tensor");
  FailureOr<Value> w = input(node, 1);
  if (failed(w))
    return failure();
  Value bias;
  if (hasInput(node, 2)) {
    FailureOr<Value> b = input(node, 2);
    if (failed(b))
      return failure();
    bias = *b;
  }
  Shape in = shapeOf(x->second), ws = shapeOf(*w);
  if (in.size() != 4 || ws.size() != 4)
    return nodeError(node, "only 2-D convolutions (NCHW input, OIHW "
                           "weight) are supported; input is " +
                               shapeStr(in));
  Shape kernel = intsAttr(node, "kernel_shape", {ws[2], ws[3]});
  if (kernel != Shape{ws[2], ws[3]})
    return nodeError(node, "kernel_shape does not match the weight");
  Shape strides = intsAttr(node, "strides", {1, 1});
  Shape dilations = intsAttr(node, "dilations", {1, 1});
  int64_t groups = intAttr(node, "group", 1);
  Shape pads;
  if (failed(windowPads(node, in, kernel, strides, dilations, pads)))
    return failure();
  for (int k = 0; k < 4; ++k)
    pads[k] += extraPads[k];
  if (groups < 1 || in[1] % groups || ws[0] % groups || ws[1] * groups != in[1])
    return nodeError(node, "group " + Twine(groups) +
                               " does not divide the channels");
  Shape out = {in[0], ws[0], 0, 0};
  for (int d = 0; d < 2; ++d) {
    int64_t span =
        in[2 + d] + pads[d] + pads[d + 2] - dilations[d] * (kernel[d] - 1) - 1;
    if (span < 0)
      return windowTooLarge(node, in, pads);
    out[2 + d] = span / strides[d] + 1;
  }
  SmallVector<Value> operands = {x->second, *w};
  if (bias)
    operands.push_back(bias);
  auto op = builder.create<Conv2DOp>(
      loc(node), TypeRange{tensorType(out)}, operands,
      ArrayRef<NamedAttribute>{
          builder.getNamedAttr("strides",
                               builder.getDenseI64ArrayAttr(strides)),
          builder.getNamedAttr("padding", builder.getDenseI64ArrayAttr(pads)),
          builder.getNamedAttr("dilations",
                               builder.getDenseI64ArrayAttr(dilations)),
          builder.getNamedAttr("groups", builder.getI64IntegerAttr(groups))});
  return bind(node, 0, op.getResult());
}

LogicalResult Importer::importPool(const onnx::NodeProto &node) {
  bool isMax = node.op_type() == "MaxPool";
  if (failed(checkAttributes(node, {"auto_pad", "ceil_mode", "kernel_shape",
                                    "pads", "strides", "dilations",
                                    "storage_order", "count_include_pad"})))
    return failure();
  if (outputUsed(node, 1))
    return nodeError(node, "the Indices output is not supported");
  std::string inName = node.input(0);
  Shape extraPads = {0, 0, 0, 0};
  bool padded = false;
  if (auto p = pendingPads.find(inName); p != pendingPads.end()) {
    if (isMax)
      return nodeError(node, "a zero Pad before MaxPool cannot be folded");
    extraPads = p->second.second;
    inName = p->second.first;
    padded = true;
  }
  auto x = values.find(inName);
  if (x == values.end())
    return nodeError(node, "the input must be a computed tensor");
  Shape in = shapeOf(x->second);
  if (in.size() != 4)
    return nodeError(node, "only 2-D pooling of NCHW tensors is supported");
  Shape kernel = intsAttr(node, "kernel_shape", {});
  if (kernel.size() != 2)
    return nodeError(node, "kernel_shape must have 2 entries");
  Shape strides = intsAttr(node, "strides", {1, 1});
  Shape dilations = intsAttr(node, "dilations", {1, 1});
  if (dilations != Shape{1, 1})
    return nodeError(node, "dilated pooling is not supported");
  if (intAttr(node, "storage_order", 0) != 0)
    return nodeError(node, "storage_order = 1 is not supported");
  bool includePad = intAttr(node, "count_include_pad", 0) != 0;
  Shape pads;
  if (failed(windowPads(node, in, kernel, strides, dilations, pads)))
    return failure();
  if (padded) {
    if (pads != Shape{0, 0, 0, 0} && !includePad)
      return nodeError(node, "a Pad before an AveragePool that excludes its "
                             "own padding cannot be folded");
    for (int k = 0; k < 4; ++k)
      pads[k] += extraPads[k];
    includePad = true;
  }
  bool ceil = intAttr(node, "ceil_mode", 0) != 0;
  Shape out = {in[0], in[1], 0, 0};
  for (int d = 0; d < 2; ++d) {
    int64_t span = in[2 + d] + pads[d] + pads[d + 2] - kernel[d];
    if (span < 0)
      return windowTooLarge(node, in, pads);
    int64_t o = span / strides[d] + 1;
    if (ceil) {
      int64_t c = (span + strides[d] - 1) / strides[d] + 1;
      // The last window must start inside the input or the leading pad.
      if ((c - 1) * strides[d] >= in[2 + d] + pads[d])
        --c;
      if (c > o) {
        if (!isMax && includePad)
          return nodeError(node, "ceil_mode with count_include_pad is not "
                                 "supported");
        pads[d + 2] += (c - 1) * strides[d] + kernel[d] -
                       (in[2 + d] + pads[d] + pads[d + 2]);
        o = c;
      }
    }
    out[2 + d] = o;
  }
  auto op = builder.create<Pool2DOp>(
      loc(node), TypeRange{tensorType(out)}, ValueRange{x->second},
      ArrayRef<NamedAttribute>{
          builder.getNamedAttr(
              "kind",
              PoolKindAttr::get(ctx, isMax ? PoolKind::max : PoolKind::avg)),
          builder.getNamedAttr("kernel", builder.getDenseI64ArrayAttr(kernel)),
          builder.getNamedAttr("strides",
                               builder.getDenseI64ArrayAttr(strides)),
          builder.getNamedAttr("padding", builder.getDenseI64ArrayAttr(pads)),
          builder.getNamedAttr("count_include_pad",
                               builder.getBoolAttr(includePad))});
  return bind(node, 0, op.getResult());
}

LogicalResult Importer::importGemm(const onnx::NodeProto &node) {
  if (failed(checkAttributes(node, {"alpha", "beta", "transA", "transB"})))
    return failure();
  if (intAttr(node, "transA", 0))
    return nodeError(node, "transA = 1 is not supported");
  bool transB = intAttr(node, "transB", 0);
  float alpha = floatAttr(node, "alpha", 1.f),
        beta = floatAttr(node, "beta", 1.f);
  FailureOr<Value> a = input(node, 0);
  if (failed(a))
    return failure();
  Shape as = shapeOf(*a);
  if (as.size() != 2)
    return nodeError(node, "A must be 2-D, got " + shapeStr(as));
  if (!hasInput(node, 1) || !isConst(node.input(1)))
    return nodeError(node, "B must be a constant (initializer)");
  const ConstTensor &b = consts[node.input(1)];
  if (b.shape.size() != 2 || !b.isFloat)
    return nodeError(node, "B must be a 2-D float tensor");
  int64_t n = transB ? b.shape[0] : b.shape[1];
  int64_t k = transB ? b.shape[1] : b.shape[0];
  if (k != as[1])
    return nodeError(node, "inner dims of A " + shapeStr(as) + " and B " +
                               shapeStr(b.shape) + " differ");
  Value w;
  if (transB && alpha == 1.f) {
    w = param(node.input(1), b);
  } else {
    ConstTensor wt = ConstTensor::floats({n, k}, std::vector<float>(n * k));
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < k; ++c)
        wt.f[r * k + c] = alpha * (transB ? b.f[r * k + c] : b.f[c * n + r]);
    w = param(node.input(1) + (transB ? ".scaled" : ".T"), wt);
  }
  Value bias;
  std::optional<ConstTensor> fullC;
  if (hasInput(node, 2) && beta != 0.f) {
    if (!isConst(node.input(2)))
      return nodeError(node, "C must be a constant (initializer)");
    ConstTensor c = consts[node.input(2)];
    if (!c.isFloat)
      return nodeError(node, "C must be a float tensor");
    for (float &v : c.f)
      v *= beta;
    int64_t cn = c.size();
    if (cn == n && (c.shape == Shape{n} || c.shape == Shape{1, n})) {
      c.shape = {n};
      bias = param(beta == 1.f ? node.input(2) : node.input(2) + ".scaled", c);
    } else {
      ConstTensor full;
      if (!broadcastTo(c, {as[0], n}, full))
        return nodeError(node, "C of shape " + shapeStr(c.shape) +
                                   " does not broadcast to the output");
      fullC = full;
    }
  }
  SmallVector<Value> operands = {*a, w};
  if (bias)
    operands.push_back(bias);
  Value y =
      builder.create<DenseOp>(loc(node), TypeRange{tensorType({as[0], n})},
                              operands, ArrayRef<NamedAttribute>{});
  if (fullC) {
    Value c = param(node.input(2) + ".broadcast", *fullC);
    y = builder.create<AddOp>(loc(node), y.getType(), y, c);
  }
  return bind(node, 0, y);
}

LogicalResult Importer::importMatMul(const onnx::NodeProto &node) {
  FailureOr<Value> a = input(node, 0);
  if (failed(a))
    return failure();
  Shape as = shapeOf(*a);
  if (hasInput(node, 1) && isConst(node.input(1))) {
    // x [.., K] * B [K, N] with constant B: a dense layer with W = B^T.
    const ConstTensor &b = consts[node.input(1)];
    if (b.shape.size() != 2 || !b.isFloat || as.empty() ||
        as.back() != b.shape[0])
      return nodeError(node, "constant B " + shapeStr(b.shape) +
                                 " does not fit A " + shapeStr(as));
    int64_t k = b.shape[0], n = b.shape[1], rows = 1;
    for (size_t d = 0; d + 1 < as.size(); ++d)
      rows *= as[d];
    ConstTensor wt = ConstTensor::floats({n, k}, std::vector<float>(n * k));
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < k; ++c)
        wt.f[r * k + c] = b.f[c * n + r];
    Value w = param(node.input(1) + ".T", wt);
    Value x2 = reshape(loc(node), *a, {rows, k});
    Value y =
        builder.create<DenseOp>(loc(node), TypeRange{tensorType({rows, n})},
                                ValueRange{x2, w}, ArrayRef<NamedAttribute>{});
    Shape outShape = as;
    outShape.back() = n;
    return bind(node, 0, reshape(loc(node), y, outShape));
  }
  FailureOr<Value> b = input(node, 1);
  if (failed(b))
    return failure();
  Shape bs = shapeOf(*b);
  bool ok2 = as.size() == 2 && bs.size() == 2 && as[1] == bs[0];
  bool ok3 =
      as.size() == 3 && bs.size() == 3 && as[0] == bs[0] && as[2] == bs[1];
  if (!ok2 && !ok3)
    return nodeError(node, "only [M,K]x[K,N] and [B,M,K]x[B,K,N] products "
                           "are supported, got " +
                               shapeStr(as) + " x " + shapeStr(bs));
  Shape out = ok2 ? Shape{as[0], bs[1]} : Shape{as[0], as[1], bs[2]};
  Value y = builder.create<MatMulOp>(loc(node), tensorType(out), *a, *b);
  return bind(node, 0, y);
}

LogicalResult Importer::importBinary(const onnx::NodeProto &node) {
  if (failed(checkAttributes(node, {})))
    return failure();
  bool isAdd = node.op_type() == "Add";
  bool c0 = isConst(node.input(0)), c1 = isConst(node.input(1));
  if (!c0 && !c1) {
    FailureOr<Value> a = input(node, 0), b = input(node, 1);
    if (failed(a) || failed(b))
      return failure();
    if (a->getType() != b->getType())
      return nodeError(node, "broadcasting between two computed tensors (" +
                                 shapeStr(shapeOf(*a)) + " and " +
                                 shapeStr(shapeOf(*b)) + ") is not supported");
    Value y =
        isAdd
            ? builder.create<AddOp>(loc(node), a->getType(), *a, *b).getResult()
            : builder.create<MulOp>(loc(node), a->getType(), *a, *b)
                  .getResult();
    return bind(node, 0, y);
  }
  int xi = c0 ? 1 : 0;
  const std::string &cname = node.input(1 - xi);
  FailureOr<Value> x = input(node, xi);
  if (failed(x))
    return failure();
  ConstTensor c = consts[cname];
  if (!c.isFloat)
    return nodeError(node, "integer constant operand '" + cname + "'");
  Shape xs = shapeOf(*x);
  auto joint = broadcastShapes(xs, c.shape);
  if (!joint || *joint != xs)
    return nodeError(node, "constant " + shapeStr(c.shape) +
                               " does not broadcast to the input " +
                               shapeStr(xs));
  // A per-channel bias right after a bias-free conv/dense/matmul-dense
  // becomes that layer's bias.
  int64_t channels = xs.size() >= 2 ? xs[1] : 0;
  bool perChannel = false;
  if (channels && c.size() == channels) {
    // [C] or [1,C] for 2-D inputs, [C,1,1] or [1,C,1,1] for 4-D ones.
    Shape cs = c.shape;
    while (cs.size() < xs.size())
      cs.insert(cs.begin(), 1);
    perChannel = cs[1] == channels;
  }
  Operation *producer = x->getDefiningOp();
  if (isAdd && perChannel && producer && isa<Conv2DOp, DenseOp>(producer) &&
      producer->getNumOperands() == 2 && useCount.lookup(node.input(xi)) == 1 &&
      !graphOutputs.contains(node.input(xi))) {
    ConstTensor b = c;
    b.shape = {channels};
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(producer);
    producer->insertOperands(2, {param(cname, b)});
    return bind(node, 0, *x);
  }
  // Otherwise materialize the broadcast constant at the full shape.
  ConstTensor full;
  broadcastTo(c, xs, full);
  Value cv = param(cname + (c.shape == xs ? "" : ".broadcast"), full);
  Value y =
      isAdd
          ? builder.create<AddOp>(loc(node), x->getType(), *x, cv).getResult()
          : builder.create<MulOp>(loc(node), x->getType(), *x, cv).getResult();
  return bind(node, 0, y);
}

LogicalResult Importer::importLSTM(const onnx::NodeProto &node) {
  if (failed(
          checkAttributes(node, {"hidden_size", "direction", "layout",
                                 "activations", "activation_alpha",
                                 "activation_beta", "clip", "input_forget"})))
    return failure();
  if (stringAttr(node, "direction", "forward") != "forward")
    return nodeError(node, "only direction = forward is supported, got '" +
                               stringAttr(node, "direction", "forward") + "'");
  if (intAttr(node, "layout", 0) != 0)
    return nodeError(node, "layout = 1 (batch first) is not supported");
  if (attr(node, "clip"))
    return nodeError(node, "the clip attribute is not supported");
  if (intAttr(node, "input_forget", 0) != 0)
    return nodeError(node, "input_forget = 1 is not supported");
  if (const auto *acts = attr(node, "activations")) {
    std::vector<std::string> want = {"Sigmoid", "Tanh", "Tanh"};
    if (acts->strings_size() != 3 ||
        !std::equal(want.begin(), want.end(), acts->strings().begin()))
      return nodeError(node, "only the default activations (Sigmoid, Tanh, "
                             "Tanh) are supported");
  }
  if (hasInput(node, 4))
    return nodeError(node, "sequence_lens is not supported");
  for (int k : {5, 6})
    if (hasInput(node, k) &&
        (!isConst(node.input(k)) || !consts[node.input(k)].isZero()))
      return nodeError(node, Twine(k == 5 ? "initial_h" : "initial_c") +
                                 " must be absent or constant zero");
  if (hasInput(node, 7))
    return nodeError(node, "peephole weights (P) are not supported");
  if (outputUsed(node, 1) || outputUsed(node, 2))
    return nodeError(node, "the Y_h and Y_c outputs are not supported "
                           "(use Y)");
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  Shape xs = shapeOf(*x);
  int64_t h = intAttr(node, "hidden_size", 0);
  for (int k : {1, 2})
    if (!hasInput(node, k) || !isConst(node.input(k)))
      return nodeError(node, "W and R must be constants (initializers)");
  if (h < 1 || h > (int64_t(1) << 30))
    return nodeError(node, "hidden_size must be in 1..2^30");
  const ConstTensor &W = consts[node.input(1)], &R = consts[node.input(2)];
  if (!W.isFloat || !R.isFloat)
    return nodeError(node, "W and R must be float tensors");
  if (xs.size() != 3 || W.shape.size() != 3 || W.shape[0] != 1 ||
      W.shape[1] != 4 * h || W.shape[2] != xs[2] ||
      R.shape != Shape{1, 4 * h, h})
    return nodeError(node, "unexpected shapes: X " + shapeStr(xs) + ", W " +
                               shapeStr(W.shape) + ", R " + shapeStr(R.shape));
  // ONNX gate rows are i, o, f, c; dl.lstm expects i, f, g(=c), o.
  const int64_t order[4] = {0, 2, 3, 1};
  auto reorder = [&](const std::vector<float> &src, int64_t cols,
                     int64_t srcOffset) {
    std::vector<float> dst(4 * h * cols);
    for (int g = 0; g < 4; ++g)
      std::copy_n(src.begin() + srcOffset + order[g] * h * cols, h * cols,
                  dst.begin() + g * h * cols);
    return dst;
  };
  std::string base = derivedName(node);
  Value wih =
      param(base + ".w_ih",
            ConstTensor::floats({4 * h, xs[2]}, reorder(W.f, xs[2], 0)));
  Value whh = param(base + ".w_hh",
                    ConstTensor::floats({4 * h, h}, reorder(R.f, h, 0)));
  SmallVector<Value> operands = {*x, wih, whh};
  if (hasInput(node, 3)) {
    if (!isConst(node.input(3)))
      return nodeError(node, "B must be a constant (initializer)");
    const ConstTensor &B = consts[node.input(3)];
    if (!B.isFloat || B.shape != Shape{1, 8 * h})
      return nodeError(node, "B has shape " + shapeStr(B.shape));
    std::vector<float> wb = reorder(B.f, 1, 0), rb = reorder(B.f, 1, 4 * h);
    for (int64_t k = 0; k < 4 * h; ++k)
      wb[k] += rb[k];
    operands.push_back(param(base + ".bias", ConstTensor::floats({4 * h}, wb)));
  }
  Value y = builder.create<LSTMOp>(
      loc(node), TypeRange{tensorType({xs[0], xs[1], h})}, operands,
      ArrayRef<NamedAttribute>{
          builder.getNamedAttr("hidden_size", builder.getI64IntegerAttr(h))});
  if (!outputUsed(node, 0))
    return success();
  // Y is [T, num_directions = 1, N, H].
  return bind(node, 0, reshape(loc(node), y, {xs[0], 1, xs[1], h}));
}

LogicalResult Importer::markAxes(const onnx::NodeProto &node,
                                 ArrayRef<int64_t> axes,
                                 std::vector<bool> &mark) {
  int64_t rank = mark.size();
  std::vector<bool> seen(rank, false);
  for (int64_t a : axes) {
    int64_t k = a < 0 ? a + rank : a;
    if (k < 0 || k >= rank)
      return nodeError(node, "axis " + Twine(a) + " is out of range for rank " +
                                 Twine(rank));
    if (seen[k])
      return nodeError(node, "axis " + Twine(a) + " is given twice");
    seen[k] = true;
    mark[k] = true;
  }
  return success();
}

LogicalResult Importer::importReshapeLike(const onnx::NodeProto &node) {
  const std::string &op = node.op_type();
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  Shape xs = shapeOf(*x);
  int64_t numel = 1;
  for (int64_t d : xs)
    numel *= d;
  Shape out;
  if (op == "Flatten") {
    if (failed(checkAttributes(node, {"axis"})))
      return failure();
    int64_t axis = intAttr(node, "axis", 1), rank = xs.size();
    if (axis < -rank || axis > rank)
      return nodeError(node, "axis " + Twine(axis) +
                                 " is out of range for rank " + Twine(rank));
    if (axis < 0)
      axis += rank;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= xs[d];
    out = {outer, outer ? numel / outer : 0};
    if (axis >= 1 && axis < rank) {
      Value y = builder.create<FlattenOp>(
          loc(node), TypeRange{tensorType(out)}, ValueRange{*x},
          ArrayRef<NamedAttribute>{
              builder.getNamedAttr("axis", builder.getI64IntegerAttr(axis))});
      return bind(node, 0, y);
    }
    return bind(node, 0, reshape(loc(node), *x, out));
  }
  // Reshape / Squeeze / Unsqueeze of an activation: the inferred output
  // shape (from the folded constants) decides.
  if (op == "Reshape") {
    if (failed(checkAttributes(node, {"allowzero"})))
      return failure();
    if (!hasInput(node, 1) || !isConst(node.input(1)))
      return nodeError(node, "the target shape is not a constant (after "
                             "folding shape subgraphs)");
    const ConstTensor &s = consts[node.input(1)];
    bool allowZero = intAttr(node, "allowzero", 0) != 0;
    int64_t known = 1, infer = -1;
    for (int64_t k = 0; k < s.size(); ++k) {
      int64_t d = s.intAt(k);
      if (d == 0 && !allowZero) {
        if (k >= int64_t(xs.size()))
          return nodeError(node, "shape entry 0 beyond the input rank");
        d = xs[k];
      }
      if (d == -1) {
        if (infer >= 0)
          return nodeError(node, "more than one -1 in the target shape");
        infer = k;
      } else if (d < 0) {
        return nodeError(node, "negative target dim " + Twine(d));
      } else if (__builtin_mul_overflow(known, d, &known)) {
        return nodeError(node, "the target shape's element count overflows");
      }
      out.push_back(d);
    }
    if (infer >= 0)
      out[infer] = known ? numel / known : 0;
  } else {
    if (failed(checkAttributes(node, {"axes"})))
      return failure();
    Shape axes = intsAttr(node, "axes", {});
    if (hasInput(node, 1)) {
      if (!isConst(node.input(1)))
        return nodeError(node, "axes must be a constant");
      const ConstTensor &a = consts[node.input(1)];
      axes.clear();
      for (int64_t k = 0; k < a.size(); ++k)
        axes.push_back(a.intAt(k));
    }
    std::vector<bool> mark;
    if (op == "Unsqueeze") {
      int64_t rank = xs.size() + axes.size();
      mark.assign(rank, false);
      if (failed(markAxes(node, axes, mark)))
        return failure();
      size_t src = 0;
      for (int64_t k = 0; k < rank; ++k)
        out.push_back(mark[k] ? 1 : xs[src++]);
    } else {
      int64_t rank = xs.size();
      mark.assign(rank, axes.empty());
      if (failed(markAxes(node, axes, mark)))
        return failure();
      for (int64_t k = 0; k < rank; ++k) {
        if (mark[k] && xs[k] != 1 && !axes.empty())
          return nodeError(node,
                           "cannot squeeze a dim of size " + Twine(xs[k]));
        if (!(mark[k] && xs[k] == 1))
          out.push_back(xs[k]);
      }
    }
  }
  int64_t outNumel = 1;
  for (int64_t d : out)
    if (__builtin_mul_overflow(outNumel, d, &outNumel))
      return nodeError(node, "the target shape's element count overflows");
  if (outNumel != numel)
    return nodeError(node,
                     "cannot reshape " + shapeStr(xs) + " to " + shapeStr(out));
  return bind(node, 0, reshape(loc(node), *x, out));
}

const onnx::NodeProto *Importer::soleConsumer(const onnx::NodeProto &node,
                                              int k) const {
  if (k >= node.output_size() || graphOutputs.contains(node.output(k)))
    return nullptr;
  auto it = consumers.find(node.output(k));
  if (it == consumers.end() || it->second.size() != 1)
    return nullptr;
  return it->second.front();
}

bool Importer::isScalarOp(const onnx::NodeProto *node, StringRef op,
                          const std::string &x, double value) const {
  if (!node || node->op_type() != op || node->input_size() != 2 ||
      node->attribute_size() != 0)
    return false;
  for (int k = 0; k < 2; ++k) {
    if (node->input(k) != x)
      continue;
    // Div is not commutative: the constant must be the divisor.
    if (op == "Div" && k != 0)
      return false;
    // The constant is known, or a Constant node later in the graph (the
    // pattern is matched at its first node).
    const std::string &cname = node->input(1 - k);
    ConstTensor later;
    const ConstTensor *c = nullptr;
    if (auto it = consts.find(cname); it != consts.end()) {
      c = &it->second;
    } else if (auto p = producers.find(cname);
               p != producers.end() && p->second->op_type() == "Constant" &&
               p->second->attribute_size() == 1 &&
               p->second->attribute(0).name() == "value") {
      std::string err;
      if (!tensorFromProto(p->second->attribute(0).t(), later, err))
        return false;
      c = &later;
    }
    if (!c || !c->isFloat || c->size() != 1)
      return false;
    return std::abs(c->at(0) - value) <= 1e-6 * std::abs(value);
  }
  return false;
}

bool Importer::tryImportErfGelu(const onnx::NodeProto &node) {
  if (node.input_size() != 2 || node.output_size() != 1)
    return false;
  const std::string &x = node.input(0);
  if (!values.count(x))
    return false;
  if (!isScalarOp(&node, "Div", x, std::sqrt(2.0)) &&
      !isScalarOp(&node, "Mul", x, std::sqrt(0.5)))
    return false;
  const onnx::NodeProto *erf = soleConsumer(node);
  if (!erf || erf->op_type() != "Erf")
    return false;
  const onnx::NodeProto *add = soleConsumer(*erf);
  if (!isScalarOp(add, "Add", erf->output(0), 1.0))
    return false;
  const onnx::NodeProto *mul = soleConsumer(*add);
  if (!mul || mul->op_type() != "Mul" || mul->input_size() != 2 ||
      mul->attribute_size() != 0 ||
      !((mul->input(0) == x && mul->input(1) == add->output(0)) ||
        (mul->input(1) == x && mul->input(0) == add->output(0))))
    return false;
  const onnx::NodeProto *half = soleConsumer(*mul);
  if (!isScalarOp(half, "Mul", mul->output(0), 0.5))
    return false;
  Value in = values[x];
  Value y = builder.create<GeluOp>(loc(*erf), in.getType(), in);
  // The shape check of bind() uses the final node's inferred shape.
  if (failed(bind(*half, 0, y)))
    return false;
  absorbed.insert({erf, add, mul, half});
  return true;
}

LogicalResult Importer::importClip(const onnx::NodeProto &node) {
  // Opset < 11: `min`/`max` attributes; since 11: optional scalar inputs.
  if (failed(checkAttributes(node, {"min", "max"})))
    return failure();
  float lo = floatAttr(node, "min", -std::numeric_limits<float>::infinity());
  float hi = floatAttr(node, "max", std::numeric_limits<float>::infinity());
  for (int k = 1; k <= 2; ++k) {
    if (!hasInput(node, k))
      continue;
    auto c = consts.find(node.input(k));
    if (c == consts.end() || c->second.size() != 1)
      return nodeError(node, Twine(k == 1 ? "min" : "max") +
                                 " must be a constant scalar");
    (k == 1 ? lo : hi) = c->second.at(0);
  }
  if (std::isnan(lo) || std::isnan(hi) || lo > hi)
    return nodeError(node,
                     "requires min <= max, got min = " + std::to_string(lo) +
                         " and max = " + std::to_string(hi));
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  Value y;
  if (lo == 0.f && std::isinf(hi))
    y = builder.create<ReluOp>(loc(node), x->getType(), *x);
  else
    y = builder.create<ClipOp>(loc(node), x->getType(), *x,
                               builder.getF32FloatAttr(lo),
                               builder.getF32FloatAttr(hi));
  return bind(node, 0, y);
}

LogicalResult Importer::importNode(const onnx::NodeProto &node) {
  const std::string &op = node.op_type();
  if (absorbed.contains(&node))
    return success();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return nodeError(node, "operators of domain '" + node.domain() +
                               "' are not supported");

  // Fold shape subgraphs and other computations on constants.
  {
    std::vector<const ConstTensor *> ins;
    for (const std::string &name : node.input()) {
      auto c = consts.find(name);
      ins.push_back(c == consts.end() ? nullptr : &c->second);
    }
    Shape inShape;
    bool known = false;
    if (node.input_size() > 0) {
      if (auto v = values.find(node.input(0)); v != values.end()) {
        inShape = shapeOf(v->second);
        known = true;
      } else if (auto c = consts.find(node.input(0)); c != consts.end()) {
        inShape = c->second.shape;
        known = true;
      }
    }
    std::string err;
    std::optional<std::vector<ConstTensor>> folded =
        foldNode(node, opset, ins, known ? &inShape : nullptr, err);
    if (folded) {
      if (!err.empty() || folded->size() < 1)
        return nodeError(node, err.empty() ? "cannot fold" : err);
      for (size_t k = 0; k < folded->size() && k < size_t(node.output_size());
           ++k)
        consts[node.output(k)] = (*folded)[k];
      return success();
    }
  }

  auto unary = [&](auto tag) -> LogicalResult {
    using OpTy = decltype(tag);
    if (failed(checkAttributes(node, {})))
      return failure();
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    return bind(node, 0,
                builder.create<OpTy>(loc(node), x->getType(), *x).getResult());
  };

  if ((op == "Div" || op == "Mul") && tryImportErfGelu(node))
    return success();
  if (op == "Conv")
    return importConv(node);
  if (op == "Clip")
    return importClip(node);
  if (op == "MaxPool" || op == "AveragePool")
    return importPool(node);
  if (op == "Gemm")
    return importGemm(node);
  if (op == "MatMul")
    return importMatMul(node);
  if (op == "Add" || op == "Mul")
    return importBinary(node);
  if (op == "LSTM")
    return importLSTM(node);
  if (op == "Relu")
    return unary(ReluOp());
  if (op == "Sigmoid")
    return unary(SigmoidOp());
  if (op == "Tanh")
    return unary(TanhOp());
  if (op == "Gelu") {
    if (stringAttr(node, "approximate", "none") != "none")
      return nodeError(node, "approximate = tanh is not supported");
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    return bind(
        node, 0,
        builder.create<GeluOp>(loc(node), x->getType(), *x).getResult());
  }
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" ||
      op == "Unsqueeze")
    return importReshapeLike(node);
  if (op == "Identity" || op == "Dropout") {
    if (op == "Dropout" && outputUsed(node, 1))
      return nodeError(node, "the mask output is not supported");
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    return bind(node, 0, *x);
  }
  if (op == "Softmax") {
    if (failed(checkAttributes(node, {"axis"})))
      return failure();
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    int64_t rank = shapeOf(*x).size();
    int64_t axis = intAttr(node, "axis", opset >= 13 ? -1 : 1);
    if (axis < 0)
      axis += rank;
    // Before opset 13, Softmax flattens the dims from `axis` on.
    if (opset < 13 && axis != rank - 1)
      return nodeError(node, "opset < 13 Softmax over more than the last "
                             "axis is not supported");
    Value y = builder.create<SoftmaxOp>(
        loc(node), TypeRange{x->getType()}, ValueRange{*x},
        ArrayRef<NamedAttribute>{
            builder.getNamedAttr("axis", builder.getI64IntegerAttr(axis))});
    return bind(node, 0, y);
  }
  if (op == "GlobalAveragePool" || op == "ReduceMean") {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    Shape xs = shapeOf(*x);
    if (xs.size() != 4)
      return nodeError(node, "only NCHW inputs are supported");
    bool keep = true;
    if (op == "ReduceMean") {
      if (failed(checkAttributes(node, {"axes", "keepdims"})))
        return failure();
      Shape axes = intsAttr(node, "axes", {});
      if (hasInput(node, 1) && isConst(node.input(1))) {
        axes.clear();
        for (int64_t k = 0; k < consts[node.input(1)].size(); ++k)
          axes.push_back(consts[node.input(1)].intAt(k));
      }
      for (int64_t &a : axes)
        a = a < 0 ? a + 4 : a;
      llvm::sort(axes);
      if (axes != Shape{2, 3})
        return nodeError(node, "only a mean over the spatial axes [2, 3] is "
                               "supported");
      keep = intAttr(node, "keepdims", 1) != 0;
    }
    Value y = builder.create<GlobalAvgPoolOp>(
        loc(node), tensorType({xs[0], xs[1], 1, 1}), *x);
    if (!keep)
      y = reshape(loc(node), y, {xs[0], xs[1]});
    return bind(node, 0, y);
  }
  if (op == "BatchNormalization") {
    if (failed(checkAttributes(node, {"epsilon", "momentum", "training_mode"})))
      return failure();
    if (intAttr(node, "training_mode", 0) != 0)
      return nodeError(node, "training_mode = 1 is not supported");
    for (int k = 1; k < node.output_size(); ++k)
      if (outputUsed(node, k))
        return nodeError(node, "only the Y output is supported");
    SmallVector<Value> operands;
    for (int k = 0; k < 5; ++k) {
      FailureOr<Value> v = input(node, k);
      if (failed(v))
        return failure();
      operands.push_back(*v);
    }
    Value y = builder.create<BatchNormOp>(
        loc(node), TypeRange{operands[0].getType()}, operands,
        ArrayRef<NamedAttribute>{builder.getNamedAttr(
            "epsilon",
            builder.getF32FloatAttr(floatAttr(node, "epsilon", 1e-5f)))});
    return bind(node, 0, y);
  }
  if (op == "Concat") {
    if (failed(checkAttributes(node, {"axis"})))
      return failure();
    SmallVector<Value> operands;
    for (int k = 0; k < node.input_size(); ++k) {
      FailureOr<Value> v = input(node, k);
      if (failed(v))
        return failure();
      operands.push_back(*v);
    }
    Shape out = shapeOf(operands[0]);
    int64_t axis = intAttr(node, "axis", 0);
    if (axis < 0)
      axis += out.size();
    out[axis] = 0;
    for (Value v : operands)
      out[axis] += shapeOf(v)[axis];
    Value y = builder.create<ConcatOp>(
        loc(node), TypeRange{tensorType(out)}, operands,
        ArrayRef<NamedAttribute>{
            builder.getNamedAttr("axis", builder.getI64IntegerAttr(axis))});
    return bind(node, 0, y);
  }
  if (op == "Pad") {
    if (failed(checkAttributes(node, {"mode", "pads", "value"})))
      return failure();
    if (stringAttr(node, "mode", "constant") != "constant")
      return nodeError(node, "only constant padding is supported");
    Shape pads = intsAttr(node, "pads", {});
    if (hasInput(node, 1)) {
      if (!isConst(node.input(1)))
        return nodeError(node, "pads must be a constant");
      pads.clear();
      for (int64_t k = 0; k < consts[node.input(1)].size(); ++k)
        pads.push_back(consts[node.input(1)].intAt(k));
    }
    float value = floatAttr(node, "value", 0.f);
    if (hasInput(node, 2) && isConst(node.input(2)) &&
        consts[node.input(2)].size() == 1)
      value = consts[node.input(2)].at(0);
    else if (hasInput(node, 2))
      return nodeError(node, "the pad value must be a constant");
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
      return bind(node, 0, *x);
    // [n0, c0, t, l, n1, c1, b, r] with zero batch/channel pads folds into
    // the consuming Conv or AveragePool.
    if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5] ||
        value != 0.f)
      return nodeError(node, "only zero padding of the spatial dims of an "
                             "NCHW tensor (folded into a Conv or "
                             "AveragePool) is supported");
    if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
      return nodeError(node, "negative pads are not supported");
    pendingPads[node.output(0)] = {node.input(0),
                                   {pads[2], pads[3], pads[6], pads[7]}};
    return success();
  }
  if (op == "Erf")
    return nodeError(node, "unsupported op type 'Erf' (only as part of the "
                           "GELU pattern 0.5 * (x * (1 + Erf(x / sqrt(2)))))");
  return nodeError(node, "unsupported op type '" + op + "'");
}

OwningOpRef<ModuleOp> Importer::run(const OnnxImportOptions &options) {
  const onnx::GraphProto &graph = model.graph();
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();

  // Node names (unique, never empty).
  {
    llvm::StringSet<> used;
    int index = 0;
    for (const auto &node : graph.node()) {
      std::string n = node.name().empty()
                          ? node.op_type() + "_" + std::to_string(index)
                          : node.name();
      std::string u = n;
      for (int k = 1; used.contains(u); ++k)
        u = n + "_" + std::to_string(k);
      used.insert(u);
      names[&node] = u;
      for (const std::string &out : node.output())
        producers[out] = &node;
      ++index;
      for (const std::string &in : node.input())
        if (!in.empty()) {
          ++useCount[in];
          consumers[in].push_back(&node);
        }
    }
  }
  for (const auto &out : graph.output())
    graphOutputs.insert(out.name());

  auto staticShape = [](const onnx::ValueInfoProto &vi, Shape &shape) -> bool {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
      return false;
    shape.clear();
    for (const auto &d : vi.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value())
        return false;
      shape.push_back(d.dim_value());
    }
    return true;
  };
  for (const auto &vi : graph.value_info()) {
    Shape s;
    if (staticShape(vi, s))
      inferred[vi.name()] = s;
  }
  for (const auto &vi : graph.output()) {
    Shape s;
    if (staticShape(vi, s))
      inferred[vi.name()] = s;
  }

  std::string err;
  for (const auto &init : graph.initializer()) {
    ConstTensor t;
    if (!tensorFromProto(init, t, err)) {
      (void)error(err);
      return nullptr;
    }
    consts[init.name()] = std::move(t);
  }

  // Signature.
  Location unknown = UnknownLoc::get(ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(unknown);
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &vi : graph.input()) {
    if (consts.count(vi.name()))
      continue;
    Shape s;
    if (!staticShape(vi, s)) {
      (void)error("graph input '" + vi.name() +
                  "' has no static shape (re-export with fixed input "
                  "shapes)");
      return nullptr;
    }
    if (vi.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT) {
      (void)error("graph input '" + vi.name() + "' is not float32");
      return nullptr;
    }
    argTypes.push_back(tensorType(s));
    argNames.push_back(vi.name());
  }
  builder.setInsertionPointToEnd(module->getBody());
  auto func = builder.create<func::FuncOp>(
      unknown, "main", builder.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [k, name] : llvm::enumerate(argNames)) {
    body->getArgument(k).setLoc(NameLoc::get(StringAttr::get(ctx, name)));
    values[name] = body->getArgument(k);
  }
  builder.setInsertionPointToEnd(body);

  for (const auto &node : graph.node())
    if (failed(importNode(node)))
      return nullptr;

  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto v = values.find(out.name());
    if (v == values.end()) {
      (void)error("graph output '" + out.name() +
                  "' is not computed by a layer (constant outputs are not "
                  "supported)");
      return nullptr;
    }
    results.push_back(v->second);
  }
  builder.create<func::ReturnOp>(unknown, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));

  // Drop what the folding left unused (reshape chains, unused params).
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*body)))
    if (!op.hasTrait<OpTrait::IsTerminator>() && op.use_empty())
      op.erase();
  // (The store may keep tensors of erased params; they are harmless.)

  if (!options.weightsAttr.empty())
    (*module)->setAttr(DLDialect::kWeightsAttrName,
                       builder.getStringAttr(options.weightsAttr));
  if (failed(verify(*module))) {
    (void)error("the imported module does not verify (see above)");
    return nullptr;
  }
  StringRef dir = llvm::sys::path::parent_path(options.weightsPath);
  if (!dir.empty())
    (void)llvm::sys::fs::create_directories(dir);
  if (!weights.write(options.weightsPath, err)) {
    (void)error("cannot write the weight store '" + options.weightsPath +
                "': " + err);
    return nullptr;
  }
  return module;
}

OwningOpRef<ModuleOp>
mlir::dl::importOnnxModel(StringRef path, MLIRContext *context,
                          const OnnxImportOptions &options,
                          raw_ostream &errors) {
  context->getOrLoadDialect<DLDialect>();
  context->getOrLoadDialect<func::FuncDialect>();
  onnx::ModelProto model;
  std::string err;
  if (!loadModel(path.str(), model, options.check, err)) {
    errors << path << ": error: " << err << "\n";
    return nullptr;
  }
  Importer importer(context, model, path, errors);
  return importer.run(options);
}
