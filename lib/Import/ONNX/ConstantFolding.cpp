//===- ConstantFolding.cpp - Fold ONNX shape subgraphs ----------*- C++ -*-===//
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements host-side constant tensors and the evaluation of the
// small integer/float ops exporters emit to compute shapes (Shape, Gather,
// Unsqueeze, Concat, ... feeding Reshape, Expand or LSTM initial states),
// so that the importer sees static shapes and constant operands only.
//
//===----------------------------------------------------------------------===//

#include "ImportInternal.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir::dl::onnx_import;

int64_t ConstTensor::size() const {
  // Saturates: a shape whose element count overflows (possible in a
  // malformed model) never matches the data it carries.
  int64_t n = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      return std::numeric_limits<int64_t>::max();
  return n;
}

bool ConstTensor::isZero() const {
  if (isFloat)
    return std::all_of(f.begin(), f.end(), [](float v) { return v == 0.f; });
  return std::all_of(i.begin(), i.end(), [](int64_t v) { return v == 0; });
}

ConstTensor ConstTensor::ints(std::vector<int64_t> shape,
                              std::vector<int64_t> data) {
  ConstTensor t;
  t.isFloat = false;
  t.shape = std::move(shape);
  t.i = std::move(data);
  return t;
}

ConstTensor ConstTensor::floats(std::vector<int64_t> shape,
                                std::vector<float> data) {
  ConstTensor t;
  t.isFloat = true;
  t.shape = std::move(shape);
  t.f = std::move(data);
  return t;
}

namespace {

template <typename T>
bool readRaw(const std::string &raw, int64_t n, std::vector<T> &out) {
  if (raw.size() != size_t(n) * sizeof(T))
    return false;
  out.resize(n);
  if (n)
    std::memcpy(out.data(), raw.data(), raw.size());
  return true;
}

} // namespace

bool mlir::dl::onnx_import::tensorFromProto(const onnx::TensorProto &proto,
                                            ConstTensor &out,
                                            std::string &error) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "tensor '" + proto.name() +
            "' uses external data, which is not supported (re-export with "
            "the weights inside the model)";
    return false;
  }
  out = ConstTensor();
  out.shape.assign(proto.dims().begin(), proto.dims().end());
  int64_t n = out.size();
  const std::string &raw = proto.raw_data();
  bool ok = true;
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    out.isFloat = true;
    if (proto.has_raw_data())
      ok = readRaw(raw, n, out.f);
    else
      out.f.assign(proto.float_data().begin(), proto.float_data().end());
    break;
  case onnx::TensorProto::DOUBLE: {
    out.isFloat = true;
    std::vector<double> d;
    if (proto.has_raw_data())
      ok = readRaw(raw, n, d);
    else
      d.assign(proto.double_data().begin(), proto.double_data().end());
    out.f.assign(d.begin(), d.end());
    break;
  }
  case onnx::TensorProto::INT64:
    out.isFloat = false;
    if (proto.has_raw_data())
      ok = readRaw(raw, n, out.i);
    else
      out.i.assign(proto.int64_data().begin(), proto.int64_data().end());
    break;
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL: {
    out.isFloat = false;
    if (proto.has_raw_data()) {
      if (proto.data_type() == onnx::TensorProto::INT32) {
        std::vector<int32_t> v;
        ok = readRaw(raw, n, v);
        out.i.assign(v.begin(), v.end());
      } else if (proto.data_type() == onnx::TensorProto::INT8) {
        std::vector<int8_t> v;
        ok = readRaw(raw, n, v);
        out.i.assign(v.begin(), v.end());
      } else {
        std::vector<uint8_t> v;
        ok = readRaw(raw, n, v);
        out.i.assign(v.begin(), v.end());
      }
    } else {
      out.i.assign(proto.int32_data().begin(), proto.int32_data().end());
    }
    break;
  }
  default:
    error = "tensor '" + proto.name() + "' has unsupported element type " +
            onnx::TensorProto::DataType_Name(
                onnx::TensorProto::DataType(proto.data_type()));
    return false;
  }
  int64_t got = out.isFloat ? int64_t(out.f.size()) : int64_t(out.i.size());
  if (!ok || got != n) {
    error = "tensor '" + proto.name() + "' holds " + std::to_string(got) +
            " elements (or a malformed raw_data) for a shape of " +
            std::to_string(n);
    return false;
  }
  return true;
}

std::optional<std::vector<int64_t>>
mlir::dl::onnx_import::broadcastShapes(const std::vector<int64_t> &a,
                                       const std::vector<int64_t> &b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t k = 0; k < rank; ++k) {
    int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
    int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[k] = da == 1 ? db : da;
  }
  return out;
}

/// Constant folding serves the shape subgraphs exporters emit; a folded
/// tensor larger than this (or with a negative dim) is refused rather than
/// materialised.
static constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

static bool foldableShape(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && n > kMaxFoldedElements / d))
      return false;
    n *= d;
  }
  return n <= kMaxFoldedElements;
}

bool mlir::dl::onnx_import::broadcastTo(const ConstTensor &in,
                                        const std::vector<int64_t> &shape,
                                        ConstTensor &out) {
  if (!foldableShape(shape))
    return false;
  auto joint = broadcastShapes(in.shape, shape);
  if (!joint || *joint != shape)
    return false;
  size_t rank = shape.size(), off = rank - in.shape.size();
  // Strides of `in` seen through the output's dims (0 where broadcast).
  std::vector<int64_t> inStride(rank, 0);
  int64_t s = 1;
  for (size_t k = in.shape.size(); k-- > 0;) {
    inStride[k + off] = in.shape[k] == 1 ? 0 : s;
    s *= in.shape[k];
  }
  out = ConstTensor();
  out.isFloat = in.isFloat;
  out.shape = shape;
  int64_t n = out.size();
  out.isFloat ? out.f.resize(n) : out.i.resize(n);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t lin = 0; lin < n; ++lin) {
    int64_t src = 0;
    for (size_t k = 0; k < rank; ++k)
      src += idx[k] * inStride[k];
    if (in.isFloat)
      out.f[lin] = in.f[src];
    else
      out.i[lin] = in.i[src];
    for (size_t k = rank; k-- > 0;) {
      if (++idx[k] < shape[k])
        break;
      idx[k] = 0;
    }
  }
  return true;
}

namespace {

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     const char *name) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t intAttr(const onnx::NodeProto &node, const char *name, int64_t dflt) {
  const onnx::AttributeProto *a = findAttr(node, name);
  return a ? a->i() : dflt;
}

std::optional<std::vector<int64_t>> intsAttr(const onnx::NodeProto &node,
                                             const char *name) {
  const onnx::AttributeProto *a = findAttr(node, name);
  if (!a)
    return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::vector<int64_t> toInts(const ConstTensor &t) {
  std::vector<int64_t> v(t.size());
  for (int64_t k = 0; k < t.size(); ++k)
    v[k] = t.intAt(k);
  return v;
}

/// Normalizes a possibly negative axis; returns -1 when out of range.
int64_t normAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  return axis >= 0 && axis < rank ? axis : -1;
}

/// Strided copy helper: gathers `t` along `axis` at `indices`.
ConstTensor gather(const ConstTensor &t, int64_t axis,
                   const std::vector<int64_t> &indices,
                   const std::vector<int64_t> &indexShape) {
  int64_t outer = 1, inner = 1, dim = t.shape[axis];
  for (int64_t k = 0; k < axis; ++k)
    outer *= t.shape[k];
  for (size_t k = axis + 1; k < t.shape.size(); ++k)
    inner *= t.shape[k];
  ConstTensor out;
  out.isFloat = t.isFloat;
  out.shape.assign(t.shape.begin(), t.shape.begin() + axis);
  out.shape.insert(out.shape.end(), indexShape.begin(), indexShape.end());
  out.shape.insert(out.shape.end(), t.shape.begin() + axis + 1, t.shape.end());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t idx : indices) {
      int64_t j = idx < 0 ? idx + dim : idx;
      for (int64_t k = 0; k < inner; ++k) {
        int64_t src = (o * dim + j) * inner + k;
        if (t.isFloat)
          out.f.push_back(t.f[src]);
        else
          out.i.push_back(t.i[src]);
      }
    }
  return out;
}

} // namespace

std::optional<std::vector<ConstTensor>>
mlir::dl::onnx_import::foldNode(const onnx::NodeProto &node, int64_t opset,
                                const std::vector<const ConstTensor *> &inputs,
                                const std::vector<int64_t> *inputShape,
                                std::string &error) {
  const std::string &op = node.op_type();
  auto in = [&](size_t k) -> const ConstTensor * {
    return k < inputs.size() ? inputs[k] : nullptr;
  };
  auto one = [](ConstTensor t) { return std::vector<ConstTensor>{t}; };
  auto fail = [&](const std::string &msg) {
    error = msg;
    return std::vector<ConstTensor>{};
  };

  if (op == "Constant") {
    ConstTensor t;
    if (const auto *a = findAttr(node, "value")) {
      if (!tensorFromProto(a->t(), t, error))
        return std::vector<ConstTensor>{};
      return one(t);
    }
    if (const auto *a = findAttr(node, "value_float"))
      return one(ConstTensor::floats({}, {a->f()}));
    if (const auto *a = findAttr(node, "value_floats"))
      return one(ConstTensor::floats({a->floats_size()},
                                     {a->floats().begin(), a->floats().end()}));
    if (const auto *a = findAttr(node, "value_int"))
      return one(ConstTensor::ints({}, {a->i()}));
    if (const auto *a = findAttr(node, "value_ints"))
      return one(ConstTensor::ints({a->ints_size()},
                                   {a->ints().begin(), a->ints().end()}));
    return fail("Constant without a supported value attribute (value, "
                "value_float(s), value_int(s))");
  }
  if (op == "Shape") {
    if (!inputShape)
      return std::nullopt;
    std::vector<int64_t> s = *inputShape;
    int64_t rank = s.size();
    int64_t start = intAttr(node, "start", 0), end = intAttr(node, "end", rank);
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    std::vector<int64_t> v(s.begin() + start, s.begin() + std::max(start, end));
    return one(ConstTensor::ints({int64_t(v.size())}, v));
  }

  // Every other foldable op needs all its present inputs constant.
  for (int k = 0; k < node.input_size(); ++k)
    if (!node.input(k).empty() && !in(k))
      return std::nullopt;

  if (op == "Identity")
    return one(*in(0));
  if (op == "ConstantOfShape") {
    std::vector<int64_t> shape = toInts(*in(0));
    ConstTensor value = ConstTensor::floats({}, {0.f});
    if (const auto *a = findAttr(node, "value"))
      if (!tensorFromProto(a->t(), value, error))
        return std::vector<ConstTensor>{};
    ConstTensor scalar = value;
    scalar.shape = {};
    ConstTensor out;
    if (!broadcastTo(scalar, shape, out))
      return fail("ConstantOfShape: bad shape (negative, or more than " +
                  std::to_string(kMaxFoldedElements) + " elements)");
    return one(out);
  }
  if (op == "Cast") {
    int64_t to = intAttr(node, "to", onnx::TensorProto::FLOAT);
    ConstTensor t = *in(0);
    bool toFloat = to == onnx::TensorProto::FLOAT ||
                   to == onnx::TensorProto::DOUBLE ||
                   to == onnx::TensorProto::FLOAT16;
    if (toFloat && !t.isFloat) {
      t.f.assign(t.i.begin(), t.i.end());
      t.i.clear();
      t.isFloat = true;
    } else if (!toFloat && t.isFloat) {
      for (float v : t.f)
        t.i.push_back(to == onnx::TensorProto::BOOL ? (v != 0.f) : int64_t(v));
      t.f.clear();
      t.isFloat = false;
    }
    return one(t);
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    ConstTensor t = *in(0);
    std::optional<std::vector<int64_t>> axes;
    if (opset >= 13 && in(1))
      axes = toInts(*in(1));
    else
      axes = intsAttr(node, "axes");
    if (op == "Unsqueeze") {
      if (!axes)
        return fail("Unsqueeze without axes");
      int64_t rank = t.shape.size() + axes->size();
      std::vector<bool> isNew(rank, false);
      for (int64_t a : *axes) {
        int64_t n = normAxis(a, rank);
        if (n < 0)
          return fail("Unsqueeze axis out of range");
        isNew[n] = true;
      }
      std::vector<int64_t> shape;
      size_t src = 0;
      for (int64_t k = 0; k < rank; ++k)
        shape.push_back(isNew[k] ? 1 : t.shape[src++]);
      t.shape = shape;
      return one(t);
    }
    int64_t rank = t.shape.size();
    std::vector<bool> drop(rank, false);
    if (!axes) {
      for (int64_t k = 0; k < rank; ++k)
        drop[k] = t.shape[k] == 1;
    } else {
      for (int64_t a : *axes) {
        int64_t n = normAxis(a, rank);
        if (n < 0 || t.shape[n] != 1)
          return fail("Squeeze axis out of range or not of size 1");
        drop[n] = true;
      }
    }
    std::vector<int64_t> shape;
    for (int64_t k = 0; k < rank; ++k)
      if (!drop[k])
        shape.push_back(t.shape[k]);
    t.shape = shape;
    return one(t);
  }
  if (op == "Gather") {
    const ConstTensor &data = *in(0), &index = *in(1);
    int64_t axis = normAxis(intAttr(node, "axis", 0), data.shape.size());
    if (axis < 0)
      return fail("Gather axis out of range");
    std::vector<int64_t> idx = toInts(index);
    for (int64_t j : idx)
      if (j < -data.shape[axis] || j >= data.shape[axis])
        return fail("Gather index out of range");
    return one(gather(data, axis, idx, index.shape));
  }
  if (op == "Concat") {
    int64_t rank = in(0)->shape.size();
    int64_t axis = normAxis(intAttr(node, "axis", 0), rank);
    if (axis < 0)
      return fail("Concat axis out of range");
    ConstTensor out;
    out.isFloat = in(0)->isFloat;
    out.shape = in(0)->shape;
    out.shape[axis] = 0;
    for (size_t k = 0; k < inputs.size(); ++k) {
      if (in(k)->isFloat != out.isFloat || int64_t(in(k)->shape.size()) != rank)
        return fail("Concat of mixed types or ranks");
      out.shape[axis] += in(k)->shape[axis];
    }
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k)
      outer *= out.shape[k];
    for (int64_t o = 0; o < outer; ++o)
      for (size_t k = 0; k < inputs.size(); ++k) {
        int64_t chunk = in(k)->size() / std::max<int64_t>(outer, 1);
        for (int64_t j = 0; j < chunk; ++j) {
          if (out.isFloat)
            out.f.push_back(in(k)->f[o * chunk + j]);
          else
            out.i.push_back(in(k)->i[o * chunk + j]);
        }
      }
    return one(out);
  }
  if (op == "Reshape") {
    ConstTensor t = *in(0);
    std::vector<int64_t> shape = toInts(*in(1));
    int64_t known = 1, infer = -1;
    for (size_t k = 0; k < shape.size(); ++k) {
      if (shape[k] == 0 && k < t.shape.size())
        shape[k] = t.shape[k];
      if (shape[k] == -1)
        infer = k;
      else
        known *= shape[k];
    }
    if (infer >= 0)
      shape[infer] = known ? t.size() / known : 0;
    t.shape = shape;
    if (t.size() != (t.isFloat ? int64_t(t.f.size()) : int64_t(t.i.size())))
      return fail("Reshape changes the element count");
    return one(t);
  }
  if (op == "Expand") {
    std::vector<int64_t> shape = toInts(*in(1));
    auto joint = broadcastShapes(in(0)->shape, shape);
    ConstTensor out;
    if (!joint || !broadcastTo(*in(0), *joint, out))
      return fail("Expand to an incompatible shape (or one of more than " +
                  std::to_string(kMaxFoldedElements) + " elements)");
    return one(out);
  }
  if (op == "Slice") {
    if (opset < 10)
      return std::nullopt;
    const ConstTensor &data = *in(0);
    std::vector<int64_t> starts = toInts(*in(1)), ends = toInts(*in(2));
    int64_t rank = data.shape.size();
    std::vector<int64_t> axes, steps(starts.size(), 1);
    if (in(3))
      axes = toInts(*in(3));
    else
      for (size_t k = 0; k < starts.size(); ++k)
        axes.push_back(k);
    if (in(4))
      steps = toInts(*in(4));
    ConstTensor t = data;
    for (size_t k = 0; k < starts.size(); ++k) {
      int64_t axis = normAxis(axes[k], rank), dim = t.shape[axis];
      if (axis < 0 || steps[k] == 0)
        return fail("Slice axis out of range or zero step");
      int64_t s = starts[k], e = ends[k], st = steps[k];
      s = s < 0 ? s + dim : s;
      e = e < 0 ? e + dim : e;
      std::vector<int64_t> idx;
      if (st > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        for (int64_t j = s; j < e; j += st)
          idx.push_back(j);
      } else {
        s = std::clamp<int64_t>(s, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        for (int64_t j = s; j > e; j += st)
          idx.push_back(j);
      }
      t = gather(t, axis, idx, {int64_t(idx.size())});
    }
    return one(t);
  }
  if (op == "Range") {
    double start = in(0)->at(0), limit = in(1)->at(0), delta = in(2)->at(0);
    if (delta == 0)
      return fail("Range with a zero delta");
    double count = std::ceil((limit - start) / delta);
    if (!(count <= double(kMaxFoldedElements)))
      return fail("Range of more than " + std::to_string(kMaxFoldedElements) +
                  " elements is not folded");
    int64_t n = std::max<int64_t>(int64_t(count), 0);
    ConstTensor t;
    t.isFloat = in(0)->isFloat;
    t.shape = {n};
    for (int64_t k = 0; k < n; ++k) {
      if (t.isFloat)
        t.f.push_back(float(start + k * delta));
      else
        t.i.push_back(int64_t(start) + k * int64_t(delta));
    }
    return one(t);
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
      op == "Equal") {
    const ConstTensor &a = *in(0), &b = *in(1);
    auto shape = broadcastShapes(a.shape, b.shape);
    ConstTensor ea, eb;
    if (!shape || !broadcastTo(a, *shape, ea) || !broadcastTo(b, *shape, eb))
      return fail(op + " of incompatible shapes");
    bool isFloat = (a.isFloat || b.isFloat) && op != "Equal";
    ConstTensor out;
    out.isFloat = isFloat;
    out.shape = *shape;
    for (int64_t k = 0; k < ea.size(); ++k) {
      if (isFloat) {
        double x = ea.at(k), y = eb.at(k);
        out.f.push_back(float(op == "Add"   ? x + y
                              : op == "Sub" ? x - y
                              : op == "Mul" ? x * y
                                            : x / y));
      } else {
        int64_t x = ea.intAt(k), y = eb.intAt(k);
        if (op == "Div" && y == 0)
          return fail("integer division by zero");
        out.i.push_back(op == "Add"   ? x + y
                        : op == "Sub" ? x - y
                        : op == "Mul" ? x * y
                        : op == "Div" ? x / y
                                      : int64_t(ea.at(k) == eb.at(k)));
      }
    }
    return one(out);
  }
  if (op == "Where") {
    auto s1 = broadcastShapes(in(0)->shape, in(1)->shape);
    auto shape = s1 ? broadcastShapes(*s1, in(2)->shape) : std::nullopt;
    ConstTensor c, x, y;
    if (!shape || !broadcastTo(*in(0), *shape, c) ||
        !broadcastTo(*in(1), *shape, x) || !broadcastTo(*in(2), *shape, y))
      return fail("Where of incompatible shapes");
    ConstTensor out = x;
    for (int64_t k = 0; k < out.size(); ++k)
      if (!c.intAt(k)) {
        if (out.isFloat)
          out.f[k] = float(y.at(k));
        else
          out.i[k] = y.intAt(k);
      }
    return one(out);
  }
  return std::nullopt;
}
