//===- DLToLinalg.cpp - lower dl layer ops to linalg on tensors ---*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// convert-dl-to-linalg. Each layer op is replaced in place by named linalg
// ops (convolutions, matmuls, pools) or linalg.generic on tensors, with
// biases broadcast into the init tensor of the accumulation. Parameters
// become constants (inline values) or trailing function arguments.
// Communication ops are left alone (docs/interop.md).
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "dl/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>

namespace mlir::dl {
#define GEN_PASS_DEF_CONVERTDLTOLINALG
#include "dl/Conversion/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

class Lowering {
public:
  Lowering(func::FuncOp func) : func(func), b(func.getContext()) {}

  LogicalResult run();

private:
  FailureOr<Value> lower(Operation *op);
  Value lowerParam(ParamOp op);
  FailureOr<Value> lowerConv(Conv2DOp op);
  Value lowerDense(DenseOp op);
  Value lowerMatMul(MatMulOp op);
  Value lowerPool(Pool2DOp op);
  Value lowerGlobalAvgPool(GlobalAvgPoolOp op);
  Value lowerBatchNorm(BatchNormOp op);
  Value lowerSoftmax(SoftmaxOp op);
  Value lowerConcat(ConcatOp op);
  Value lowerReshape(Value input, RankedTensorType out);
  Value lowerLSTM(LSTMOp op);
  Value lowerLSTMGates(LSTMGatesOp op);
  /// One LSTM cell update: `gates` [N, 4U] (i, f, g, o blocks of U
  /// pre-activations), `cell` [N, U]; returns {h_t, c_t}, written into
  /// `initH` / `initC` (new tensors when null).
  std::pair<Value, Value> lstmCell(Value gates, Value cell,
                                   Value initH = nullptr,
                                   Value initC = nullptr);
  /// `x · wᵀ` accumulated into `init` (linalg.matmul_transpose_b).
  Value matmulTransposeB(Value x, Value w, Value init) {
    return b
        .create<linalg::MatmulTransposeBOp>(loc(), TypeRange{init.getType()},
                                            ValueRange{x, w}, ValueRange{init})
        .getResult(0);
  }

  Location loc() const { return curLoc; }
  Type f32() { return b.getF32Type(); }
  RankedTensorType tensorOf(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, f32());
  }
  Value scalar(double v) {
    return b.create<arith::ConstantOp>(loc(), b.getF32FloatAttr(v));
  }
  Value empty(ArrayRef<int64_t> shape) {
    return b.create<tensor::EmptyOp>(loc(), shape, f32());
  }
  Value filled(ArrayRef<int64_t> shape, double v) {
    return b.create<linalg::FillOp>(loc(), scalar(v), empty(shape))
        .getResult(0);
  }
  /// `vec` ([C]) broadcast along every dim of `shape` but `dim`.
  Value broadcastAlong(Value vec, ArrayRef<int64_t> shape, int64_t dim) {
    SmallVector<int64_t> dims;
    for (int64_t d = 0, e = shape.size(); d < e; ++d)
      if (d != dim)
        dims.push_back(d);
    return b.create<linalg::BroadcastOp>(loc(), vec, empty(shape), dims)
        .getResult()[0];
  }
  /// A linalg.generic over `shape` (all parallel) reading `inputs` through
  /// `maps` (identity when empty) and yielding `body`.
  Value elementwise(ArrayRef<Value> inputs, ArrayRef<AffineMap> maps,
                    ArrayRef<int64_t> shape, BodyFn body);
  Value unary(Value x, BodyFn body) {
    return elementwise({x}, {}, cast<RankedTensorType>(x.getType()).getShape(),
                       body);
  }
  Value relu(Value x) {
    return unary(x, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
      Value zero = nb.create<arith::ConstantOp>(l, nb.getF32FloatAttr(0));
      return nb.create<arith::MaximumFOp>(l, a[0], zero);
    });
  }
  /// Pads dims 2 and 3 of an NCHW tensor by [top, left, bottom, right].
  Value padHW(Value x, ArrayRef<int64_t> padding, double value);

  func::FuncOp func;
  OpBuilder b;
  Location curLoc = b.getUnknownLoc();
  llvm::StringMap<Value> paramArgs;
};

Value Lowering::elementwise(ArrayRef<Value> inputs, ArrayRef<AffineMap> maps,
                            ArrayRef<int64_t> shape, BodyFn body) {
  unsigned rank = shape.size();
  SmallVector<AffineMap> all(maps.begin(), maps.end());
  if (all.empty())
    all.assign(inputs.size(), b.getMultiDimIdentityMap(rank));
  all.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return b
      .create<linalg::GenericOp>(
          loc(), TypeRange{tensorOf(shape)}, inputs, ValueRange{empty(shape)},
          all, iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            nb.create<linalg::YieldOp>(l, body(nb, l, args));
          })
      .getResult(0);
}

Value Lowering::padHW(Value x, ArrayRef<int64_t> padding, double value) {
  if (llvm::all_of(padding, [](int64_t p) { return p == 0; }))
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += padding[0] + padding[2];
  shape[3] += padding[1] + padding[3];
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                   b.getIndexAttr(padding[0]),
                                   b.getIndexAttr(padding[1])};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(padding[2]),
                                    b.getIndexAttr(padding[3])};
  return b.create<tensor::PadOp>(loc(), tensorOf(shape), x, low, high,
                                 scalar(value));
}

Value Lowering::lowerParam(ParamOp op) {
  if (auto value = op.getValueAttr())
    return b.create<arith::ConstantOp>(loc(), cast<TypedAttr>(value));
  // No inline value: the weight becomes a trailing argument.
  auto it = paramArgs.find(op.getName());
  if (it != paramArgs.end())
    return it->second;
  unsigned index = func.getNumArguments();
  (void)func.insertArgument(index, op.getType(),
                            b.getDictionaryAttr(b.getNamedAttr(
                                "dl.param", op.getNameAttr())),
                            op.getLoc());
  Value arg = func.getArgument(index);
  paramArgs[op.getName()] = arg;
  return arg;
}

FailureOr<Value> Lowering::lowerConv(Conv2DOp op) {
  auto out = cast<RankedTensorType>(op.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  ArrayRef<int64_t> os = out.getShape();
  Value init = op.getBias() ? broadcastAlong(op.getBias(), os, 1)
                            : filled(os, 0.0);
  Value x = padHW(op.getInput(), op.getPadding(), 0.0);
  auto strides = b.getI64TensorAttr(op.getStrides());
  auto dilations = b.getI64TensorAttr(op.getDilations());
  int64_t g = op.getGroups();
  Value result;
  if (g == 1) {
    result = b.create<linalg::Conv2DNchwFchwOp>(loc(), TypeRange{out},
                                                ValueRange{x, op.getWeight()},
                                                ValueRange{init}, strides,
                                                dilations)
                 .getResult(0);
  } else {
    // Grouped: NCHW -> NGCHW, OIHW -> GFCHW, NGFHW -> NCHW.
    auto xs = cast<RankedTensorType>(x.getType()).getShape();
    SmallVector<ReassociationIndices> split = {{0}, {1, 2}, {3}, {4}};
    auto xg = tensorOf({xs[0], g, xs[1] / g, xs[2], xs[3]});
    auto wg = tensorOf({g, wType.getDimSize(0) / g, wType.getDimSize(1),
                        wType.getDimSize(2), wType.getDimSize(3)});
    auto og = tensorOf({os[0], g, os[1] / g, os[2], os[3]});
    Value xe = b.create<tensor::ExpandShapeOp>(loc(), xg, x, split);
    Value we = b.create<tensor::ExpandShapeOp>(loc(), wg, op.getWeight(),
                                               SmallVector<ReassociationIndices>{
                                                   {0, 1}, {2}, {3}, {4}});
    Value ie = b.create<tensor::ExpandShapeOp>(loc(), og, init, split);
    Value conv = b.create<linalg::Conv2DNgchwGfchwOp>(
                      loc(), TypeRange{og}, ValueRange{xe, we}, ValueRange{ie},
                      strides, dilations)
                     .getResult(0);
    result = b.create<tensor::CollapseShapeOp>(loc(), out, conv, split);
  }
  if (op.getActivation() == Activation::relu)
    result = relu(result);
  return result;
}

Value Lowering::lowerDense(DenseOp op) {
  auto out = cast<RankedTensorType>(op.getType());
  Value init = op.getBias() ? broadcastAlong(op.getBias(), out.getShape(), 1)
                            : filled(out.getShape(), 0.0);
  Value result = matmulTransposeB(op.getInput(), op.getWeight(), init);
  if (op.getActivation() == Activation::relu)
    result = relu(result);
  return result;
}

Value Lowering::lowerMatMul(MatMulOp op) {
  auto out = cast<RankedTensorType>(op.getType());
  Value init = filled(out.getShape(), 0.0);
  SmallVector<Value, 2> ins = {op.getLhs(), op.getRhs()};
  if (out.getRank() == 2)
    return b.create<linalg::MatmulOp>(loc(), TypeRange{out}, ins,
                                      ValueRange{init})
        .getResult(0);
  return b.create<linalg::BatchMatmulOp>(loc(), TypeRange{out}, ins,
                                         ValueRange{init})
      .getResult(0);
}

Value Lowering::lowerPool(Pool2DOp op) {
  auto out = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> os = out.getShape();
  ArrayRef<int64_t> kernel = op.getKernel(), strides = op.getStrides(),
                    pad = op.getPadding();
  bool isMax = op.getKind() == PoolKind::max;
  double padValue = isMax ? -INFINITY : 0.0;
  Value x = padHW(op.getInput(), pad, padValue);
  Value window = empty(kernel);
  auto s = b.getI64TensorAttr(strides);
  auto d = b.getI64TensorAttr({1, 1});
  Value init = filled(os, padValue);
  if (isMax)
    return b.create<linalg::PoolingNchwMaxOp>(loc(), TypeRange{out},
                                              ValueRange{x, window},
                                              ValueRange{init}, s, d)
        .getResult(0);
  Value sum = b.create<linalg::PoolingNchwSumOp>(loc(), TypeRange{out},
                                                 ValueRange{x, window},
                                                 ValueRange{init}, s, d)
                  .getResult(0);
  // Divisor per output position: the window size, or the number of
  // in-bounds elements (computed here: the shapes are static).
  auto inShape = cast<RankedTensorType>(op.getInput().getType()).getShape();
  int64_t ho = os[2], wo = os[3];
  std::vector<float> inv(ho * wo);
  bool uniform = true;
  for (int64_t y = 0; y < ho; ++y)
    for (int64_t xx = 0; xx < wo; ++xx) {
      int64_t count = kernel[0] * kernel[1];
      if (!op.getCountIncludePad()) {
        int64_t y0 = y * strides[0] - pad[0], x0 = xx * strides[1] - pad[1];
        int64_t rows = std::min(y0 + kernel[0], inShape[2]) -
                       std::max<int64_t>(y0, 0);
        int64_t cols = std::min(x0 + kernel[1], inShape[3]) -
                       std::max<int64_t>(x0, 0);
        count = std::max<int64_t>(rows, 0) * std::max<int64_t>(cols, 0);
      }
      inv[y * wo + xx] = count ? 1.0f / count : 0.0f;
      uniform &= inv[y * wo + xx] == inv[0];
    }
  if (uniform) {
    Value factor = scalar(inv[0]);
    return unary(sum, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
      return nb.create<arith::MulFOp>(l, a[0], factor);
    });
  }
  auto invType = tensorOf({ho, wo});
  Value invTensor = b.create<arith::ConstantOp>(
      loc(), DenseElementsAttr::get(invType, ArrayRef<float>(inv)));
  MLIRContext *ctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap hw = AffineMap::get(
      4, 0, {getAffineDimExpr(2, ctx), getAffineDimExpr(3, ctx)}, ctx);
  return elementwise({sum, invTensor}, {id, hw}, os,
                     [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       return nb.create<arith::MulFOp>(l, a[0], a[1]);
                     });
}

Value Lowering::lowerGlobalAvgPool(GlobalAvgPoolOp op) {
  auto out = cast<RankedTensorType>(op.getType());
  auto in = cast<RankedTensorType>(op.getInput().getType()).getShape();
  Value window = empty({in[2], in[3]});
  auto one = b.getI64TensorAttr({1, 1});
  Value sum = b.create<linalg::PoolingNchwSumOp>(
                   loc(), TypeRange{out}, ValueRange{op.getInput(), window},
                   ValueRange{filled(out.getShape(), 0.0)}, one, one)
                  .getResult(0);
  Value factor = scalar(1.0 / static_cast<double>(in[2] * in[3]));
  return unary(sum, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return nb.create<arith::MulFOp>(l, a[0], factor);
  });
}

Value Lowering::lowerBatchNorm(BatchNormOp op) {
  auto shape = cast<RankedTensorType>(op.getType()).getShape();
  MLIRContext *ctx = b.getContext();
  unsigned rank = shape.size();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap ch = AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
  Value eps = scalar(op.getEpsilon().convertToDouble());
  return elementwise(
      {op.getInput(), op.getScale(), op.getBias(), op.getMean(),
       op.getVariance()},
      {id, ch, ch, ch, ch}, shape,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value centered = nb.create<arith::SubFOp>(l, a[0], a[3]);
        Value var = nb.create<arith::AddFOp>(l, a[4], eps);
        Value factor = nb.create<arith::DivFOp>(
            l, a[1], nb.create<math::SqrtOp>(l, var));
        Value scaled = nb.create<arith::MulFOp>(l, centered, factor);
        return nb.create<arith::AddFOp>(l, scaled, a[2]);
      });
}

Value Lowering::lowerSoftmax(SoftmaxOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> shape = type.getShape();
  unsigned rank = shape.size();
  int64_t axis = op.getAxis();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> reduced;
  SmallVector<AffineExpr> keep;
  for (unsigned d = 0; d < rank; ++d)
    if (static_cast<int64_t>(d) != axis) {
      reduced.push_back(shape[d]);
      keep.push_back(getAffineDimExpr(d, ctx));
    }
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap red = AffineMap::get(rank, 0, keep, ctx);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters[axis] = utils::IteratorType::reduction;
  auto reduce = [&](Value input, double init, auto combine) {
    return b
        .create<linalg::GenericOp>(
            loc(), TypeRange{tensorOf(reduced)}, ValueRange{input},
            ValueRange{filled(reduced, init)}, ArrayRef<AffineMap>{id, red},
            iters,
            [&](OpBuilder &nb, Location l, ValueRange a) {
              nb.create<linalg::YieldOp>(l, combine(nb, l, a[0], a[1]));
            })
        .getResult(0);
  };
  Value max = reduce(op.getInput(), -INFINITY,
                     [](OpBuilder &nb, Location l, Value x, Value acc) {
                       return nb.create<arith::MaximumFOp>(l, x, acc)
                           .getResult();
                     });
  Value exps = elementwise({op.getInput(), max}, {id, red}, shape,
                           [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                             return nb.create<math::ExpOp>(
                                 l, nb.create<arith::SubFOp>(l, a[0], a[1]));
                           });
  Value sum = reduce(exps, 0.0, [](OpBuilder &nb, Location l, Value x,
                                   Value acc) {
    return nb.create<arith::AddFOp>(l, x, acc).getResult();
  });
  return elementwise({exps, sum}, {id, red}, shape,
                     [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       return nb.create<arith::DivFOp>(l, a[0], a[1]);
                     });
}

Value Lowering::lowerConcat(ConcatOp op) {
  auto out = cast<RankedTensorType>(op.getType());
  int64_t axis = op.getAxis();
  Value acc = empty(out.getShape());
  int64_t offset = 0;
  for (Value in : op.getInputs()) {
    auto t = cast<RankedTensorType>(in.getType());
    SmallVector<OpFoldResult> offsets(t.getRank(), b.getIndexAttr(0)),
        sizes, strides(t.getRank(), b.getIndexAttr(1));
    for (int64_t d : t.getShape())
      sizes.push_back(b.getIndexAttr(d));
    offsets[axis] = b.getIndexAttr(offset);
    offset += t.getDimSize(axis);
    acc = b.create<tensor::InsertSliceOp>(loc(), in, acc, offsets, sizes,
                                          strides);
  }
  return acc;
}

Value Lowering::lowerReshape(Value input, RankedTensorType out) {
  auto in = cast<RankedTensorType>(input.getType());
  if (in == out)
    return input;
  if (in.getRank() != out.getRank()) {
    if (auto re = getReassociationIndicesForReshape(in, out)) {
      if (in.getRank() > out.getRank())
        return b.create<tensor::CollapseShapeOp>(loc(), out, input, *re);
      return b.create<tensor::ExpandShapeOp>(loc(), out, input, *re);
    }
  }
  // General case: through a 1-D tensor.
  auto flat = tensorOf({in.getNumElements()});
  auto all = [](int64_t rank) {
    ReassociationIndices r;
    for (int64_t d = 0; d < rank; ++d)
      r.push_back(d);
    return SmallVector<ReassociationIndices>{r};
  };
  Value v = input;
  if (in.getRank() != 1)
    v = b.create<tensor::CollapseShapeOp>(loc(), flat, v, all(in.getRank()));
  if (out.getRank() != 1)
    v = b.create<tensor::ExpandShapeOp>(loc(), out, v, all(out.getRank()));
  return v;
}

std::pair<Value, Value> Lowering::lstmCell(Value gates, Value cell, Value initH,
                                           Value initC) {
  auto cellType = cast<RankedTensorType>(cell.getType());
  int64_t units = cellType.getDimSize(1);
  // Gate k of the units is columns [k·U, (k+1)·U) of `gates`. (One map
  // (n, u) -> (n, k·U + u) per gate does not verify: linalg requires an
  // operand indexed by a plain loop dimension to match the loop range.)
  ArrayRef<int64_t> shape = cellType.getShape();
  SmallVector<Value> operands = {cell};
  for (int64_t k = 0; k < 4; ++k) {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0),
                                         b.getIndexAttr(k * units)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(shape[0]),
                                       b.getIndexAttr(units)};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    operands.push_back(b.create<tensor::ExtractSliceOp>(
        loc(), cellType, gates, offsets, sizes, strides));
  }
  SmallVector<AffineMap> maps(7, b.getMultiDimIdentityMap(2));
  SmallVector<utils::IteratorType> iters(2, utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc(), TypeRange{cellType, cellType}, operands,
      ValueRange{initH ? initH : empty(shape), initC ? initC : empty(shape)},
      maps, iters, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value one = nb.create<arith::ConstantOp>(l, nb.getF32FloatAttr(1));
        auto sigmoid = [&](Value v) -> Value {
          Value e = nb.create<math::ExpOp>(l, nb.create<arith::NegFOp>(l, v));
          return nb.create<arith::DivFOp>(l, one,
                                          nb.create<arith::AddFOp>(l, one, e));
        };
        Value i = sigmoid(a[1]), f = sigmoid(a[2]), o = sigmoid(a[4]);
        Value g = nb.create<math::TanhOp>(l, a[3]);
        Value c =
            nb.create<arith::AddFOp>(l, nb.create<arith::MulFOp>(l, f, a[0]),
                                     nb.create<arith::MulFOp>(l, i, g));
        Value h = nb.create<arith::MulFOp>(l, o, nb.create<math::TanhOp>(l, c));
        nb.create<linalg::YieldOp>(l, ValueRange{h, c});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

Value Lowering::lowerLSTMGates(LSTMGatesOp op) {
  auto out = cast<RankedTensorType>(op.getType());
  Value init = op.getBias() ? broadcastAlong(op.getBias(), out.getShape(), 1)
                            : filled(out.getShape(), 0.0);
  Value xw = matmulTransposeB(op.getInput(), op.getWIh(), init);
  return matmulTransposeB(op.getHidden(), op.getWHh(), xw);
}

Value Lowering::lowerLSTM(LSTMOp op) {
  auto xType = cast<RankedTensorType>(op.getInput().getType());
  int64_t steps = xType.getDimSize(0), batch = xType.getDimSize(1),
          features = xType.getDimSize(2), hidden = op.getHiddenSize();
  // The input projection of every step at once: [T·N, X] · w_ihᵀ + bias.
  Value x2 = b.create<tensor::CollapseShapeOp>(
      loc(), tensorOf({steps * batch, features}), op.getInput(),
      SmallVector<ReassociationIndices>{{0, 1}, {2}});
  SmallVector<int64_t> projShape = {steps * batch, 4 * hidden};
  Value init = op.getBias() ? broadcastAlong(op.getBias(), projShape, 1)
                            : filled(projShape, 0.0);
  Value proj = b.create<tensor::ExpandShapeOp>(
      loc(), tensorOf({steps, batch, 4 * hidden}),
      matmulTransposeB(x2, op.getWIh(), init),
      SmallVector<ReassociationIndices>{{0, 1}, {2}});
  // The recurrence: h, c and the output sequence are loop-carried.
  Value lb = b.create<arith::ConstantIndexOp>(loc(), 0);
  Value ub = b.create<arith::ConstantIndexOp>(loc(), steps);
  Value one = b.create<arith::ConstantIndexOp>(loc(), 1);
  SmallVector<Value> carried = {filled({batch, hidden}, 0.0),
                                filled({batch, hidden}, 0.0),
                                empty({steps, batch, hidden})};
  Value wHh = op.getWHh();
  auto loop = b.create<scf::ForOp>(
      loc(), lb, ub, one, carried,
      [&](OpBuilder &nb, Location l, Value t, ValueRange iter) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        auto stepSlice = [&](int64_t width) {
          SmallVector<OpFoldResult> offsets = {t, b.getIndexAttr(0),
                                               b.getIndexAttr(0)};
          SmallVector<OpFoldResult> sizes = {
              b.getIndexAttr(1), b.getIndexAttr(batch), b.getIndexAttr(width)};
          SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
          return std::make_tuple(offsets, sizes, strides);
        };
        auto [po, ps, pst] = stepSlice(4 * hidden);
        Value xt = b.create<tensor::ExtractSliceOp>(
            l, tensorOf({batch, 4 * hidden}), proj, po, ps, pst);
        Value gates = matmulTransposeB(iter[0], wHh, xt);
        // h and c are updated in place, so that the loop bufferizes
        // without a copy per step.
        auto [h, c] = lstmCell(gates, iter[1], iter[0], iter[1]);
        auto [yo, ys, yst] = stepSlice(hidden);
        Value y = b.create<tensor::InsertSliceOp>(l, h, iter[2], yo, ys, yst);
        b.create<scf::YieldOp>(l, ValueRange{h, c, y});
      });
  return loop.getResult(2);
}

FailureOr<Value> Lowering::lower(Operation *op) {
  curLoc = op->getLoc();
  b.setInsertionPoint(op);
  auto binary = [&](Operation *o, auto tag) -> Value {
    using BinOp = decltype(tag);
    return elementwise({o->getOperand(0), o->getOperand(1)}, {},
                       cast<RankedTensorType>(o->getResult(0).getType())
                           .getShape(),
                       [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                         return nb.create<BinOp>(l, a[0], a[1]);
                       });
  };
  return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case([&](ParamOp p) { return lowerParam(p); })
      .Case([&](Conv2DOp c) { return lowerConv(c); })
      .Case([&](DenseOp d) { return lowerDense(d); })
      .Case([&](MatMulOp m) { return lowerMatMul(m); })
      .Case([&](Pool2DOp p) { return lowerPool(p); })
      .Case([&](GlobalAvgPoolOp p) { return lowerGlobalAvgPool(p); })
      .Case([&](BatchNormOp n) { return lowerBatchNorm(n); })
      .Case([&](ReluOp r) { return relu(r.getInput()); })
      .Case([&](ClipOp c) {
        Value lo = scalar(c.getMin().convertToDouble());
        Value hi = scalar(c.getMax().convertToDouble());
        return unary(c.getInput(),
                     [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       return nb.create<arith::MinimumFOp>(
                           l, nb.create<arith::MaximumFOp>(l, a[0], lo), hi);
                     });
      })
      .Case([&](SigmoidOp s) {
        return unary(s.getInput(),
                     [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       Value one =
                           nb.create<arith::ConstantOp>(l, nb.getF32FloatAttr(1));
                       Value e = nb.create<math::ExpOp>(
                           l, nb.create<arith::NegFOp>(l, a[0]));
                       return nb.create<arith::DivFOp>(
                           l, one, nb.create<arith::AddFOp>(l, one, e));
                     });
      })
      .Case([&](TanhOp t) {
        return unary(t.getInput(),
                     [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       return nb.create<math::TanhOp>(l, a[0]);
                     });
      })
      .Case([&](GeluOp g) {
        return unary(g.getInput(),
                     [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       auto c = [&](double v) -> Value {
                         return nb.create<arith::ConstantOp>(
                             l, nb.getF32FloatAttr(v));
                       };
                       Value erf = nb.create<math::ErfOp>(
                           l, nb.create<arith::MulFOp>(l, a[0], c(M_SQRT1_2)));
                       Value half = nb.create<arith::MulFOp>(l, a[0], c(0.5));
                       return nb.create<arith::MulFOp>(
                           l, half, nb.create<arith::AddFOp>(l, erf, c(1.0)));
                     });
      })
      .Case([&](SoftmaxOp s) { return lowerSoftmax(s); })
      .Case([&](AddOp a) { return binary(a, arith::AddFOp()); })
      .Case([&](MulOp m) { return binary(m, arith::MulFOp()); })
      .Case([&](ConcatOp c) { return lowerConcat(c); })
      .Case([&](FlattenOp f) {
        return lowerReshape(f.getInput(),
                            cast<RankedTensorType>(f.getType()));
      })
      .Case([&](ReshapeOp r) {
        return lowerReshape(r.getInput(),
                            cast<RankedTensorType>(r.getType()));
      })
      .Case([&](LSTMOp l) { return lowerLSTM(l); })
      .Case([&](LSTMGatesOp g) { return lowerLSTMGates(g); })
      .Default([&](Operation *o) -> FailureOr<Value> {
        return o->emitError()
               << "'" << o->getName()
               << "' has no lowering to linalg (convert-dl-to-linalg lowers "
                  "parameters, convolutions, dense, matmul, pooling, batch "
                  "norm, elementwise, softmax, concat, reshapes and the LSTM "
                  "layer and step ops; training ops are not lowered)";
      });
}

bool isCommOp(Operation *op) {
  return isa<SendOp, RecvOp, AllGatherOp, AllReduceOp, AllReduceStartOp,
             AllReduceWaitOp, ReduceScatterOp, BroadcastOp, HaloExchangeOp,
             AllToAllOp, BarrierOp>(op);
}

LogicalResult Lowering::run() {
  if (func.isExternal())
    return success();
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) {
    if (isa<DLDialect>(op->getDialect()) && !isCommOp(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    if (auto cell = dyn_cast<LSTMCellOp>(op)) {
      curLoc = op->getLoc();
      b.setInsertionPoint(op);
      auto [h, c] = lstmCell(cell.getGates(), cell.getCell());
      cell.getHidden().replaceAllUsesWith(h);
      cell.getNewCell().replaceAllUsesWith(c);
      op->erase();
      continue;
    }
    FailureOr<Value> v = lower(op);
    if (failed(v))
      return failure();
    op->getResult(0).replaceAllUsesWith(*v);
    op->erase();
  }
  return success();
}

struct ConvertDLToLinalgPass
    : public mlir::dl::impl::ConvertDLToLinalgBase<ConvertDLToLinalgPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(Lowering(func).run()))
        return signalPassFailure();
  }
};

} // namespace
