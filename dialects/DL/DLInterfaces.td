//===- DLInterfaces.td - partitionable-layer interface -----*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The partitionable-layer op interface: the single place where a layer tells
// search, apply, the cost model and codegen how it may be split.
//
//===----------------------------------------------------------------------===//

#ifndef DL_INTERFACES_TD
#define DL_INTERFACES_TD

include "mlir/IR/OpBase.td"

def DL_PartitionableOpInterface : OpInterface<"PartitionableOpInterface"> {
  let cppNamespace = "::mlir::dl";
  let description = [{
    Implemented by every `dl` layer op (and attachable to foreign ops as an
    external model). It answers:

    * which iteration dimensions may be split (`getSplittableDims`) and their
      extents (`getIterationExtent`);
    * for one device's part of the iteration space (a box of half-open
      ranges over split dimensions, e.g. output rows `[7, 14)`), the region
      of each operand it needs (with the halo and the padding that remains
      at the real border), the region of the result it produces and whether
      that result is final or a partial sum (`computeLocalSplit`);
    * the work of that part: MACs, FLOPs, parameter and activation bytes.

    Ranges not mentioned are the full extent. Uneven ranges are allowed.
  }];

  let methods = [
    InterfaceMethod<[{
        Returns the iteration dimensions of this layer that may be split.
      }],
      "::llvm::SmallVector<::mlir::dl::SplitDim>", "getSplittableDims">,
    InterfaceMethod<[{
        Returns the extent of iteration dimension `dim` (e.g. the number of
        output channels), or -1 when the layer cannot split `dim`.
      }],
      "int64_t", "getIterationExtent", (ins "::mlir::dl::SplitDim":$dim)>,
    InterfaceMethod<[{
        Computes what one part of the layer needs and produces. `parts`
        holds at most one range per split dimension; each must be a
        non-empty sub-range of the dimension's extent. Fails (with no
        diagnostic) when a requested dimension is not splittable.
      }],
      "::mlir::FailureOr<::mlir::dl::LocalSplit>", "computeLocalSplit",
      (ins "::llvm::ArrayRef<::mlir::dl::DimRange>":$parts)>,
    InterfaceMethod<[{
        Returns the work of the whole, unpartitioned layer.
      }],
      "::mlir::dl::LayerWork", "getWork", (ins), [{}], [{
        auto split = $_op.computeLocalSplit({});
        return succeeded(split) ? split->work : ::mlir::dl::LayerWork{};
      }]>
  ];
}

def DL_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::mlir::dl";
  let description = [{
    Implemented by the layers that can be trained: the layer's gradient,
    defined once next to its forward. `dl-generate-training` walks the
    forward function backwards and asks each layer for the gradients of its
    operands given the gradient of its result.
  }];

  let methods = [
    InterfaceMethod<[{
        Builds, at the builder's insertion point, the gradients of the
        operands for which `needed` is true, given `resultGrad` (the
        gradient of the op's single result, of the result's type). The op's
        forward operands and result may be used. `operandGrads` gets one
        value per operand (null where not needed or not differentiable).
        Fails with a diagnostic on the op when it cannot be differentiated
        (e.g. an unsupported attribute).
      }],
      "::mlir::LogicalResult", "buildGradient",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Value":$resultGrad,
           "::llvm::ArrayRef<bool>":$needed,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // DL_INTERFACES_TD
