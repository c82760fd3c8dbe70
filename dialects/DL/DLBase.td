//===- DLBase.td - dl dialect definition -------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file defines the `dl` dialect: neural-network layers on tensors,
// annotated with data (d), layer/pipeline (l) and intra-layer model (m)
// partitioning, plus the explicit communication ops of device programs.
//
//===----------------------------------------------------------------------===//

#ifndef DL_BASE_TD
#define DL_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/CommonTypeConstraints.td"

def DL_Dialect : Dialect {
  let name = "dl";
  let cppNamespace = "::mlir::dl";
  let summary = "Layers on tensors, partitioned across devices";
  let description = [{
    The `dl` dialect models a neural network as value-semantics layer ops on
    ranked `f32` tensors (NCHW for images, `[T, N, F]` for sequences) and
    records how each layer is distributed over a cluster of devices:

    * **d** (data): replicate the layer, split the batch;
    * **l** (layer): assign the layer to a pipeline stage;
    * **m** (model): split one layer's iteration space (output/input
      channels, spatial rows and columns, LSTM gates or hidden units),
      possibly unevenly, or fuse a run of conv/pool layers into a tiled
      group (DeepThings fused-tile partitioning).

    Every layer implements `PartitionableOpInterface`, which is the only way
    search, apply, the cost model and codegen learn about a layer.

    After partitioning, a module holds one function per device (attribute
    `dl.device`) with local shapes and explicit communication ops
    (`dl.send`, `dl.all_gather`, `dl.halo_exchange`, ...).

    Discardable attributes understood by the dialect:
    * `dl.plan` (`#dl.plan`) on a layer op: its distribution plan;
    * `dl.cluster` (`#dl.cluster`) on a module: the target cluster;
    * `dl.device` (integer) on a `func.func`: the device (rank) it runs on;
    * `dl.train` (dictionary) on a `func.func`: a training step (optimizer,
      states per parameter, data-parallel ranks; docs/training.md).

    Version log:
    * 0.1: layer ops, communication ops, plan/layout/cluster attributes.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerAttributes();

    /// Names of the discardable attributes owned by the dialect.
    static constexpr ::llvm::StringLiteral kPlanAttrName = "dl.plan";
    static constexpr ::llvm::StringLiteral kClusterAttrName = "dl.cluster";
    static constexpr ::llvm::StringLiteral kDeviceAttrName = "dl.device";
    static constexpr ::llvm::StringLiteral kWeightsAttrName = "dl.weights";
    /// On a training-step function (dl-generate-training, docs/training.md).
    static constexpr ::llvm::StringLiteral kTrainAttrName = "dl.train";
  }];
}

class DL_Op<string mnemonic, list<Trait> traits = []>
    : Op<DL_Dialect, mnemonic, traits>;

/// The tensors layers and communication ops work on.
def DL_Tensor : RankedTensorOf<[F32]>;

class DL_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<DL_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // DL_BASE_TD
