//===- ShapeOps.cpp - dl.param, dl.concat, dl.flatten, dl.reshape -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the parameter op and the shape layers.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/LayerUtils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::detail;

//===----------------------------------------------------------------------===//
// ParamOp
//===----------------------------------------------------------------------===//

/// `: tensor<...>` optionally followed by `= <elements without type>`.
ParseResult mlir::dl::detail::parseParamTypeAndValue(OpAsmParser &parser,
                                                     Type &type,
                                                     ElementsAttr &value) {
  if (parser.parseType(type))
    return failure();
  if (succeeded(parser.parseOptionalEqual())) {
    SMLoc loc = parser.getCurrentLocation();
    Attribute attr;
    if (parser.parseAttribute(attr, type))
      return failure();
    value = dyn_cast<ElementsAttr>(attr);
    if (!value)
      return parser.emitError(loc)
             << "expected an elements attribute as the inline value";
  }
  return success();
}

void mlir::dl::detail::printParamTypeAndValue(OpAsmPrinter &printer,
                                              Operation *, Type type,
                                              ElementsAttr value) {
  printer << type;
  if (value) {
    printer << " = ";
    printer.printAttributeWithoutType(value);
  }
}

LogicalResult ParamOp::verify() {
  if (getName().empty())
    return emitOpError() << "parameter name must not be empty";
  if (auto value = getValueAttr())
    if (value.getType() != getType())
      return emitOpError() << "inline value of type " << value.getType()
                           << " does not match the result type " << getType();
  return success();
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "expects at least one input";
  ArrayRef<int64_t> first = shapeOf(getInputs().front());
  int64_t rank = first.size();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  SmallVector<int64_t> out(first.begin(), first.end());
  out[axis] = 0;
  for (auto [i, v] : llvm::enumerate(getInputs())) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (static_cast<int64_t>(s.size()) != rank)
      return emitOpError() << "input " << i << " has rank " << s.size()
                           << ", expected " << rank;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && s[d] != first[d])
        return emitOpError() << "input " << i << " has size " << s[d]
                             << " in dim " << d << ", expected " << first[d];
    out[axis] += s[axis];
  }
  return verifyResultShape(getOperation(), out);
}

SmallVector<SplitDim> ConcatOp::getSplittableDims() {
  return followingSplitDims(shapeOf(getResult()), getAxis());
}

int64_t ConcatOp::getIterationExtent(SplitDim dim) {
  return followingExtent(shapeOf(getResult()), dim, getAxis());
}

FailureOr<LocalSplit> ConcatOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  if (failed(checkParts(parts,
                        [&](SplitDim d) { return getIterationExtent(d); })))
    return failure();
  LocalSplit split;
  split.result = layoutFollowingRegion(shapeOf(getResult()), parts);
  for (Value v : getInputs()) {
    TensorRegion r = layoutFollowingRegion(shapeOf(v), parts);
    split.work.inputBytes += r.numElements() * kF32Bytes;
    split.operands.push_back(r);
  }
  split.work.outputBytes = split.result.numElements() * kF32Bytes;
  return split;
}

//===----------------------------------------------------------------------===//
// FlattenOp and ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis > static_cast<int64_t>(in.size()))
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << in.size();
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0, e = in.size(); i < e; ++i)
    (i < axis ? outer : inner) *= in[i];
  return verifyResultShape(getOperation(), {outer, inner});
}

/// Shared by flatten and reshape: only the batch (dim 0) can be split, and
/// only if dim 0 survives the reshape.
static int64_t batchOnlyExtent(Value in, Value out, SplitDim dim) {
  ArrayRef<int64_t> a = shapeOf(in), b = shapeOf(out);
  if (dim != SplitDim::batch || a.empty() || b.empty() || a[0] != b[0])
    return -1;
  return a[0];
}

static FailureOr<LocalSplit> batchOnlySplit(Value in, Value out,
                                            ArrayRef<DimRange> parts) {
  if (failed(checkParts(parts, [&](SplitDim d) {
        return batchOnlyExtent(in, out, d);
      })))
    return failure();
  LocalSplit split;
  split.operands.push_back(layoutFollowingRegion(shapeOf(in), parts));
  split.result = layoutFollowingRegion(shapeOf(out), parts);
  split.work.inputBytes = split.operands[0].numElements() * kF32Bytes;
  split.work.outputBytes = split.result.numElements() * kF32Bytes;
  return split;
}

SmallVector<SplitDim> FlattenOp::getSplittableDims() {
  if (batchOnlyExtent(getInput(), getResult(), SplitDim::batch) < 0)
    return {};
  return {SplitDim::batch};
}

int64_t FlattenOp::getIterationExtent(SplitDim dim) {
  return batchOnlyExtent(getInput(), getResult(), dim);
}

FailureOr<LocalSplit> FlattenOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  return batchOnlySplit(getInput(), getResult(), parts);
}

LogicalResult ReshapeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getResult().getType());
  if (in.getNumElements() != out.getNumElements())
    return emitOpError() << "cannot reshape " << in.getNumElements()
                         << " elements into " << out.getNumElements();
  return success();
}

SmallVector<SplitDim> ReshapeOp::getSplittableDims() {
  if (batchOnlyExtent(getInput(), getResult(), SplitDim::batch) < 0)
    return {};
  return {SplitDim::batch};
}

int64_t ReshapeOp::getIterationExtent(SplitDim dim) {
  return batchOnlyExtent(getInput(), getResult(), dim);
}

FailureOr<LocalSplit> ReshapeOp::computeLocalSplit(ArrayRef<DimRange> parts) {
  return batchOnlySplit(getInput(), getResult(), parts);
}

//===----------------------------------------------------------------------===//
// Gradients of FlattenOp and ReshapeOp: the result gradient reshaped back
//===----------------------------------------------------------------------===//

/// The gradient of a row-major reinterpretation `op` (flatten, reshape).
static LogicalResult reshapeGradientBack(Operation *op, OpBuilder &b,
                                         Value resultGrad,
                                         ArrayRef<bool> needed,
                                         SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = b.create<ReshapeOp>(
        op->getLoc(), op->getOperand(0).getType(), resultGrad);
  return success();
}

LogicalResult FlattenOp::buildGradient(OpBuilder &b, Value resultGrad,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &operandGrads) {
  return reshapeGradientBack(*this, b, resultGrad, needed, operandGrads);
}

LogicalResult ReshapeOp::buildGradient(OpBuilder &b, Value resultGrad,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &operandGrads) {
  return reshapeGradientBack(*this, b, resultGrad, needed, operandGrads);
}

LogicalResult ConcatOp::buildGradient(OpBuilder &b, Value resultGrad,
                                      ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &operandGrads) {
  // Each input's gradient is its slice of the result gradient (the tensor
  // dialect must be loaded: the training passes depend on it).
  operandGrads.assign(getInputs().size(), Value());
  ArrayRef<int64_t> out = shapeOf(getResult());
  int64_t axis = static_cast<int64_t>(getAxis());
  SmallVector<OpFoldResult> offsets(out.size(), b.getIndexAttr(0)),
      strides(out.size(), b.getIndexAttr(1));
  int64_t offset = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    ArrayRef<int64_t> shape = shapeOf(input);
    if (needed[i]) {
      offsets[axis] = b.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes;
      for (int64_t s : shape)
        sizes.push_back(b.getIndexAttr(s));
      operandGrads[i] = b.create<tensor::ExtractSliceOp>(
          getLoc(), cast<RankedTensorType>(input.getType()), resultGrad,
          offsets, sizes, strides);
    }
    offset += shape[axis];
  }
  return success();
}
