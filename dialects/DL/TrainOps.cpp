//===- TrainOps.cpp - dl training ops -----------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the backward, loss and optimizer ops (DLTrainOps.td). The
// gradients themselves are built by each layer next to its forward
// (GradientOpInterface in ConvOps.cpp, DenseOps.cpp, ...).
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/LayerUtils.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::detail;

/// Checks that value `v` has shape `expected`; `what` names it.
static LogicalResult expectShape(Operation *op, Value v, StringRef what,
                                 ArrayRef<int64_t> expected) {
  if (shapeOf(v) == expected)
    return success();
  return op->emitOpError()
         << what << " has type " << v.getType() << ", expected "
         << RankedTensorType::get(expected, Float32Type::get(op->getContext()));
}

/// Checks the rank of `v`.
static LogicalResult expectRank(Operation *op, Value v, StringRef what,
                                size_t rank) {
  if (shapeOf(v).size() == rank)
    return success();
  return op->emitOpError() << "expects a rank-" << rank << " " << what
                           << ", got " << v.getType();
}

/// Common checks of the convolution backward ops: `in` is the forward
/// input's shape, `w` the weight's; the result gradient must have the
/// forward result's shape.
static LogicalResult verifyConvBackward(Operation *op, ArrayRef<int64_t> in,
                                        ArrayRef<int64_t> w, Value resultGrad,
                                        ArrayRef<int64_t> strides,
                                        ArrayRef<int64_t> padding,
                                        ArrayRef<int64_t> dilations,
                                        int64_t groups) {
  if (groups < 1 || in[1] % groups != 0 || w[0] % groups != 0 ||
      w[1] != in[1] / groups)
    return op->emitOpError()
           << "groups " << groups << " do not fit input channels " << in[1]
           << " and weight [" << w << "]";
  if (failed(verifyWindowAttrs(op, strides, padding, dilations)))
    return failure();
  auto spatial =
      windowResultSpatial(op, in, w[2], w[3], strides, padding, dilations);
  if (failed(spatial))
    return failure();
  return expectShape(op, resultGrad, "result gradient",
                     {in[0], w[0], (*spatial)[0], (*spatial)[1]});
}

LogicalResult Conv2DBackwardDataOp::verify() {
  for (auto [v, what] : {std::pair<Value, StringRef>{getResultGrad(),
                                                     "result gradient"},
                         {getWeight(), "weight"},
                         {getInputGrad(), "input gradient"}})
    if (failed(expectRank(*this, v, what, 4)))
      return failure();
  return verifyConvBackward(*this, shapeOf(getInputGrad()),
                            shapeOf(getWeight()), getResultGrad(),
                            getStrides(), getPadding(), getDilations(),
                            static_cast<int64_t>(getGroups()));
}

LogicalResult Conv2DBackwardWeightsOp::verify() {
  for (auto [v, what] :
       {std::pair<Value, StringRef>{getInput(), "input"},
        {getResultGrad(), "result gradient"},
        {getWeightGrad(), "weight gradient"}})
    if (failed(expectRank(*this, v, what, 4)))
      return failure();
  ArrayRef<int64_t> w = shapeOf(getWeightGrad());
  if (failed(expectShape(*this, getBiasGrad(), "bias gradient", {w[0]})))
    return failure();
  return verifyConvBackward(*this, shapeOf(getInput()), w, getResultGrad(),
                            getStrides(), getPadding(), getDilations(),
                            static_cast<int64_t>(getGroups()));
}

LogicalResult DenseBackwardDataOp::verify() {
  if (failed(expectRank(*this, getResultGrad(), "result gradient", 2)) ||
      failed(expectRank(*this, getWeight(), "weight", 2)))
    return failure();
  ArrayRef<int64_t> dy = shapeOf(getResultGrad()), w = shapeOf(getWeight());
  if (dy[1] != w[0])
    return emitOpError() << "result gradient has " << dy[1]
                         << " features but the weight has " << w[0] << " rows";
  return verifyResultShape(*this, {dy[0], w[1]});
}

LogicalResult DenseBackwardWeightsOp::verify() {
  if (failed(expectRank(*this, getInput(), "input", 2)) ||
      failed(expectRank(*this, getResultGrad(), "result gradient", 2)))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput()), dy = shapeOf(getResultGrad());
  if (x[0] != dy[0])
    return emitOpError() << "input batch " << x[0]
                         << " differs from the result gradient's " << dy[0];
  if (failed(verifyResultShape(*this, {dy[1], x[1]})))
    return failure();
  return expectShape(*this, getBiasGrad(), "bias gradient", {dy[1]});
}

LogicalResult ReluBackwardOp::verify() { return success(); }

LogicalResult Pool2DBackwardOp::verify() {
  if (failed(expectRank(*this, getInput(), "input", 4)) ||
      failed(expectRank(*this, getResultGrad(), "result gradient", 4)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput()), k = getKernel();
  if (k.size() != 2 || k[0] < 1 || k[1] < 1)
    return emitOpError() << "expects a kernel of 2 positive sizes, got [" << k
                         << "]";
  SmallVector<int64_t> dil = {1, 1};
  if (failed(verifyWindowAttrs(*this, getStrides(), getPadding(), dil)))
    return failure();
  auto spatial = windowResultSpatial(*this, in, k[0], k[1], getStrides(),
                                     getPadding(), dil);
  if (failed(spatial))
    return failure();
  if (failed(expectShape(*this, getResultGrad(), "result gradient",
                         {in[0], in[1], (*spatial)[0], (*spatial)[1]})))
    return failure();
  return verifyResultShape(*this, in);
}

LogicalResult SigmoidBackwardOp::verify() { return success(); }
LogicalResult TanhBackwardOp::verify() { return success(); }
LogicalResult GeluBackwardOp::verify() { return success(); }

LogicalResult ClipBackwardOp::verify() {
  float lo = getMin().convertToFloat(), hi = getMax().convertToFloat();
  if (std::isnan(lo) || std::isnan(hi) || lo > hi)
    return emitOpError() << "requires min <= max (not NaN), got min = " << lo
                         << " and max = " << hi;
  return success();
}

LogicalResult SoftmaxBackwardOp::verify() {
  int64_t rank = shapeOf(getResult()).size();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  return success();
}

/// Common checks of the matmul backward ops: `a` `[(G,) M, K]`, `b`
/// `[(G,) K, N]` and `dy` `[(G,) M, N]` are the forward operand shapes and
/// the result gradient's, one of `a`/`b` being the gradient built.
static LogicalResult verifyMatMulBackward(Operation *op, ArrayRef<int64_t> a,
                                          ArrayRef<int64_t> b,
                                          ArrayRef<int64_t> dy) {
  size_t r = dy.size();
  if ((r != 2 && r != 3) || a.size() != r || b.size() != r)
    return op->emitOpError()
           << "expects operands and result of equal rank 2 or 3, got ranks "
           << a.size() << ", " << b.size() << " and " << dy.size()
           << " (lhs, rhs, result gradient)";
  SmallVector<int64_t> expected(a.begin(), a.end());
  expected.back() = b.back();
  if (a[r - 1] != b[r - 2] || (r == 3 && a[0] != b[0]) ||
      ArrayRef<int64_t>(expected) != dy)
    return op->emitOpError()
           << "shapes do not match a product: lhs [" << a << "], rhs [" << b
           << "], result gradient [" << dy << "]";
  return success();
}

LogicalResult MatMulBackwardLhsOp::verify() {
  return verifyMatMulBackward(*this, shapeOf(getLhsGrad()), shapeOf(getRhs()),
                              shapeOf(getResultGrad()));
}

LogicalResult MatMulBackwardRhsOp::verify() {
  return verifyMatMulBackward(*this, shapeOf(getLhs()), shapeOf(getRhsGrad()),
                              shapeOf(getResultGrad()));
}

LogicalResult SoftmaxCrossEntropyOp::verify() {
  if (failed(expectRank(*this, getLogits(), "logits tensor", 2)))
    return failure();
  if (getLogits().getType() != getTargets().getType())
    return emitOpError() << "targets " << getTargets().getType()
                         << " must have the logits' type "
                         << getLogits().getType();
  return verifyResultShape(*this, {1});
}

LogicalResult SoftmaxCrossEntropyBackwardOp::verify() {
  if (failed(expectRank(*this, getLogits(), "logits tensor", 2)))
    return failure();
  if (getLogits().getType() != getTargets().getType() ||
      getLogits().getType() != getLogitsGrad().getType())
    return emitOpError() << "targets and result must have the logits' type "
                         << getLogits().getType();
  if (!std::isfinite(getScale().convertToFloat()))
    return emitOpError("scale must be finite");
  return success();
}

/// A learning rate must be finite and non-negative.
static LogicalResult verifyRate(Operation *op, APFloat lr) {
  float v = lr.convertToFloat();
  if (!std::isfinite(v) || v < 0)
    return op->emitOpError() << "learning rate must be finite and >= 0, got "
                             << v;
  return success();
}

/// A decay factor in [0, 1).
static LogicalResult verifyFactor(Operation *op, StringRef name, APFloat f) {
  float v = f.convertToFloat();
  if (!(v >= 0 && v < 1))
    return op->emitOpError() << name << " must be in [0, 1), got " << v;
  return success();
}

LogicalResult SGDUpdateOp::verify() {
  if (failed(verifyRate(*this, getLr())) ||
      failed(verifyFactor(*this, "momentum", getMomentum())))
    return failure();
  float wd = getWeightDecay().convertToFloat();
  if (!std::isfinite(wd) || wd < 0)
    return emitOpError() << "weight_decay must be finite and >= 0, got " << wd;
  return success();
}

LogicalResult AdamUpdateOp::verify() {
  if (failed(verifyRate(*this, getLr())) ||
      failed(verifyFactor(*this, "beta1", getBeta1())) ||
      failed(verifyFactor(*this, "beta2", getBeta2())))
    return failure();
  float eps = getEpsilon().convertToFloat();
  if (!(eps > 0) || !std::isfinite(eps))
    return emitOpError() << "epsilon must be finite and > 0, got " << eps;
  return expectShape(*this, getStep(), "step", {1});
}

/// Batch normalization: a rank-2 or rank-4 input and `[C]` per-channel
/// tensors `perChannel`.
static LogicalResult verifyBatchNormTensors(Operation *op, Value input,
                                            ValueRange perChannel) {
  ArrayRef<int64_t> in = shapeOf(input);
  if (in.size() != 2 && in.size() != 4)
    return op->emitOpError()
           << "expects a rank-2 or rank-4 input, got " << input.getType();
  for (Value v : perChannel)
    if (failed(expectShape(op, v, "per-channel tensor", {in[1]})))
      return failure();
  return success();
}

/// Epsilon of batch normalization: finite and non-negative.
static LogicalResult verifyBatchNormEpsilon(Operation *op, APFloat eps) {
  float v = eps.convertToFloat();
  if (!(v >= 0) || !std::isfinite(v))
    return op->emitOpError() << "epsilon must be finite and >= 0, got " << v;
  return success();
}

LogicalResult BatchNormTrainOp::verify() {
  if (failed(
          verifyBatchNormTensors(*this, getInput(), {getScale(), getBias()})) ||
      failed(verifyBatchNormEpsilon(*this, getEpsilon())))
    return failure();
  return verifyResultShape(*this, shapeOf(getInput()));
}

LogicalResult BatchNormBackwardOp::verify() {
  if (failed(verifyBatchNormTensors(
          *this, getInput(), {getScale(), getScaleGrad(), getBiasGrad()})) ||
      failed(verifyBatchNormEpsilon(*this, getEpsilon())))
    return failure();
  for (auto [v, what] :
       {std::pair<Value, StringRef>{getResultGrad(), "result gradient"},
        {getInputGrad(), "input gradient"}})
    if (failed(expectShape(*this, v, what, shapeOf(getInput()))))
      return failure();
  return success();
}

LogicalResult BatchNormRunningStatsOp::verify() {
  if (failed(verifyBatchNormTensors(*this, getInput(), {getMean()})))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t perChannel = 1;
  for (size_t d = 0; d < in.size(); ++d)
    if (d != 1)
      perChannel *= in[d];
  if (perChannel < 2)
    return emitOpError() << "needs at least 2 values per channel for the "
                            "unbiased variance, got "
                         << perChannel;
  return verifyFactor(*this, "momentum", getMomentum());
}

LogicalResult LSTMBackwardOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), whh = shapeOf(getWHh());
  if (failed(expectRank(*this, getInput(), "input", 3)) ||
      failed(expectRank(*this, getWHh(), "w_hh", 2)))
    return failure();
  int64_t h = whh[1];
  if (whh[0] != 4 * h)
    return emitOpError() << "expects w_hh of shape [4H, H], got "
                         << getWHh().getType();
  if (failed(expectShape(*this, getWIh(), "w_ih", {4 * h, x[2]})) ||
      (getBias() && failed(expectShape(*this, getBias(), "bias", {4 * h}))) ||
      failed(expectShape(*this, getResultGrad(), "result gradient",
                         {x[0], x[1], h})) ||
      failed(expectShape(*this, getInputGrad(), "input gradient", x)) ||
      failed(
          expectShape(*this, getWIhGrad(), "w_ih gradient", {4 * h, x[2]})) ||
      failed(expectShape(*this, getWHhGrad(), "w_hh gradient", whh)))
    return failure();
  return expectShape(*this, getBiasGrad(), "bias gradient", {4 * h});
}
