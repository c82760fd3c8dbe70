//===- GradientUtils.h - helpers of the layers' gradients -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Private helpers shared by the GradientOpInterface implementations of
// layers with a weight, an optional bias and a fused activation (conv2d,
// dense).
//
//===----------------------------------------------------------------------===//

#ifndef DL_DIALECTS_DL_GRADIENTUTILS_H
#define DL_DIALECTS_DL_GRADIENTUTILS_H

#include "dialects/DL/LayerUtils.h"

namespace mlir::dl::detail {

/// `grad` (the gradient of `op`'s result) taken back through the fused
/// activation `act`: unchanged for none, relu_backward from the result for
/// ReLU; an error on `op` otherwise.
inline FailureOr<Value> gradThroughActivation(OpBuilder &b, Operation *op,
                                              Activation act, Value grad) {
  if (act == Activation::none)
    return grad;
  if (act == Activation::relu)
    return b
        .create<ReluBackwardOp>(op->getLoc(), grad.getType(),
                                op->getResult(0), grad)
        .getInputGrad();
  return op->emitOpError("has no gradient for its fused activation");
}

/// Fills the gradients of (input, weight[, bias]) as far as `needed` asks:
/// `data()` builds the input gradient, `weights(types)` the op whose two
/// results are the weight and bias gradients of those types.
template <typename DataFn, typename WeightsFn>
void buildLayerGradients(OpBuilder &b, Value weight, bool hasBias,
                         ArrayRef<bool> needed,
                         SmallVectorImpl<Value> &operandGrads, DataFn data,
                         WeightsFn weights) {
  if (needed[0])
    operandGrads[0] = data();
  bool biasNeeded = hasBias && needed[2];
  if (!needed[1] && !biasNeeded)
    return;
  auto biasType = RankedTensorType::get({shapeOf(weight)[0]}, b.getF32Type());
  Operation *grads = weights(TypeRange{weight.getType(), biasType});
  if (needed[1])
    operandGrads[1] = grads->getResult(0);
  if (biasNeeded)
    operandGrads[2] = grads->getResult(1);
}

} // namespace mlir::dl::detail

#endif // DL_DIALECTS_DL_GRADIENTUTILS_H
