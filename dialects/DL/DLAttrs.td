//===- DLAttrs.td - dl dialect attributes ------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Enums and attributes of the dl dialect: split dimensions, tensor layouts,
// per-layer plans and the cluster description.
//
//===----------------------------------------------------------------------===//

#ifndef DL_ATTRS_TD
#define DL_ATTRS_TD

include "dialects/DL/DLBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def DL_SplitDim : I32EnumAttr<"SplitDim", "a splittable iteration dimension", [
    I32EnumAttrCase<"batch", 0>,
    I32EnumAttrCase<"out_channel", 1>,
    I32EnumAttrCase<"in_channel", 2>,
    I32EnumAttrCase<"height", 3>,
    I32EnumAttrCase<"width", 4>,
    I32EnumAttrCase<"gate", 5>,
    I32EnumAttrCase<"hidden", 6>
  ]> {
  let cppNamespace = "::mlir::dl";
  let genSpecializedAttr = 0;
}
def DL_SplitDimAttr : EnumAttr<DL_Dialect, DL_SplitDim, "split_dim">;

def DL_PoolKind : I32EnumAttr<"PoolKind", "pooling reduction", [
    I32EnumAttrCase<"max", 0>,
    I32EnumAttrCase<"avg", 1>
  ]> {
  let cppNamespace = "::mlir::dl";
  let genSpecializedAttr = 0;
}
def DL_PoolKindAttr : EnumAttr<DL_Dialect, DL_PoolKind, "pool_kind">;

def DL_Activation : I32EnumAttr<"Activation", "fused activation", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"relu", 1>
  ]> {
  let cppNamespace = "::mlir::dl";
  let genSpecializedAttr = 0;
}
def DL_ActivationAttr : EnumAttr<DL_Dialect, DL_Activation, "activation">;

def DL_DeviceKind : I32EnumAttr<"DeviceKind", "kind of compute device", [
    I32EnumAttrCase<"cpu", 0>,
    I32EnumAttrCase<"gpu", 1>
  ]> {
  let cppNamespace = "::mlir::dl";
  let genSpecializedAttr = 0;
}
def DL_DeviceKindAttr : EnumAttr<DL_Dialect, DL_DeviceKind, "device_kind">;

def DL_Topology : I32EnumAttr<"Topology", "interconnect topology", [
    I32EnumAttrCase<"full", 0>,
    I32EnumAttrCase<"shared", 1>,
    I32EnumAttrCase<"ring", 2>,
    I32EnumAttrCase<"star", 3>
  ]> {
  let cppNamespace = "::mlir::dl";
  let genSpecializedAttr = 0;
}
def DL_TopologyAttr : EnumAttr<DL_Dialect, DL_Topology, "topology">;

def DL_DimLayoutKind : I32EnumAttr<"DimLayoutKind", "layout of one tensor dim", [
    I32EnumAttrCase<"replicated", 0>,
    I32EnumAttrCase<"split", 1>
  ]> {
  let cppNamespace = "::mlir::dl";
  let genSpecializedAttr = 0;
}
def DL_DimLayoutKindAttr
    : EnumAttr<DL_Dialect, DL_DimLayoutKind, "dim_layout_kind">;

//===----------------------------------------------------------------------===//
// Array parameters
//===----------------------------------------------------------------------===//

// Array parameters written in square brackets, `bounds = [0, 4, 7]`. The
// upstream ArrayRefParameter prints a bare comma-separated list, which a
// `struct(params)` format cannot parse back when another parameter follows.
class DL_ArrayParameter<string arrayOf, string desc = "">
    : ArrayRefParameter<arrayOf, desc> {
  let parser = "parseBracketedList<" # arrayOf # ">($_parser)";
  let printer = "printBracketedList<" # arrayOf # ">($_printer, $_self)";
}

class DL_OptionalArrayParameter<string arrayOf, string desc = "">
    : OptionalArrayRefParameter<arrayOf, desc> {
  let parser = "parseBracketedList<" # arrayOf # ">($_parser)";
  let printer = "printBracketedList<" # arrayOf # ">($_printer, $_self)";
}

//===----------------------------------------------------------------------===//
// Layouts
//===----------------------------------------------------------------------===//

def DL_DimLayoutAttr : DL_Attr<"DimLayout", "dim"> {
  let summary = "layout of one tensor dimension over a device group";
  let description = [{
    Either `replicated` (every device of the group holds the whole extent) or
    `split`: device `i` of the group owns the half-open range
    `[bounds[i], bounds[i+1])`, so `bounds` has one more entry than the group
    has devices and is non-decreasing (uneven bounds express splits biased by
    device speed). `halo = [lo, hi]` extra elements on each side are held as
    read-only copies of the neighbours' data (spatial conv/pool splits).

    ```mlir
    #dl.dim<kind = replicated>
    #dl.dim<kind = split, bounds = [0, 4, 7], halo = [1, 1]>
    ```
  }];
  let parameters = (ins
    "::mlir::dl::DimLayoutKind":$kind,
    DL_OptionalArrayParameter<"int64_t">:$bounds,
    DL_OptionalArrayParameter<"int64_t">:$halo
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def DL_LayoutAttr : DL_Attr<"Layout", "layout"> {
  let summary = "layout of a tensor over a device group";
  let description = [{
    One `#dl.dim` per tensor dimension over the group `devices`. With
    `partial = true` every device holds a full-size partial sum that still
    needs a reduction (input-channel / reduction-dim splits).

    ```mlir
    #dl.layout<devices = [0, 1, 2],
               dims = [#dl.dim<kind = replicated>,
                       #dl.dim<kind = split, bounds = [0, 3, 5, 7]>]>
    ```
  }];
  let parameters = (ins
    DL_ArrayParameter<"int64_t">:$devices,
    DL_ArrayParameter<"::mlir::dl::DimLayoutAttr">:$dims,
    DefaultValuedParameter<"bool", "false">:$partial
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Plans
//===----------------------------------------------------------------------===//

def DL_SplitAttr : DL_Attr<"Split", "split"> {
  let summary = "an intra-layer (m) split of one iteration dimension";
  let description = [{
    Splits iteration dimension `dim` of a layer into `bounds.size() - 1`
    parts; part `i` owns `[bounds[i], bounds[i+1])`. Uneven bounds are
    allowed (biased by device speed, as MoDNN's BODP).

    ```mlir
    #dl.split<dim = out_channel, bounds = [0, 3, 5, 7]>
    ```
  }];
  let parameters = (ins
    "::mlir::dl::SplitDim":$dim,
    DL_ArrayParameter<"int64_t">:$bounds
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of parts this split produces.
    int64_t getNumParts() const { return getBounds().size() - 1; }
  }];
}

def DL_FusedTileAttr : DL_Attr<"FusedTile", "tile"> {
  let summary = "membership in a fused-tile (FTP) group";
  let description = [{
    The layer belongs to fused group `group`, whose last layer's output is
    cut into a `grid = [rows, cols]` grid of tiles (DeepThings FTP). Layers
    of one group must be consecutive and carry the same grid.

    ```mlir
    #dl.tile<group = 0, grid = [3, 3]>
    ```
  }];
  let parameters = (ins
    "int64_t":$group,
    DL_ArrayParameter<"int64_t">:$grid
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def DL_PlanAttr : DL_Attr<"Plan", "plan"> {
  let summary = "distribution plan of one layer";
  let description = [{
    * `stage`: pipeline stage (l), default 0;
    * `devices`: the device group that executes the layer;
    * `replicas`: data-parallel (d) degree; the batch is split evenly
      `replicas` ways over `devices` (default 1);
    * `splits`: intra-layer (m) splits; the product of their part counts
      times `replicas` equals the number of devices, parts laid out
      row-major over `devices`; a plan with a single part and several
      devices means replicated compute (every device runs the whole layer);
    * `tile`: optional fused-tile group membership.

    ```mlir
    #dl.plan<stage = 0, devices = [0, 1, 2, 3],
             splits = [#dl.split<dim = height, bounds = [0, 7, 14, 21, 28]>]>
    ```
  }];
  let parameters = (ins
    DefaultValuedParameter<"int64_t", "0">:$stage,
    DL_ArrayParameter<"int64_t">:$devices,
    DefaultValuedParameter<"int64_t", "1">:$replicas,
    DL_OptionalArrayParameter<"::mlir::dl::SplitAttr">:$splits,
    OptionalParameter<"::mlir::dl::FusedTileAttr">:$tile
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Cluster
//===----------------------------------------------------------------------===//

def DL_DeviceAttr : DL_Attr<"Device", "device"> {
  let summary = "one compute device of a cluster";
  let description = [{
    Peak compute `flops` [FLOP/s], memory bandwidth `mem_bw` [B/s], memory
    capacity `memory` [B], active and idle power [W], and the MPI `host`.

    ```mlir
    #dl.device<name = "pi0", kind = cpu, flops = 2.4e10, mem_bw = 4.0e9,
               memory = 1073741824, power_active = 6.4, power_idle = 2.7,
               host = "localhost">
    ```
  }];
  let parameters = (ins
    StringRefParameter<"device name">:$name,
    "::mlir::dl::DeviceKind":$kind,
    APFloatParameter<"">:$flops,
    APFloatParameter<"">:$mem_bw,
    "int64_t":$memory,
    APFloatParameter<"active power [W]">:$power_active,
    APFloatParameter<"idle power [W]">:$power_idle,
    StringRefParameter<"MPI host">:$host
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def DL_LinkAttr : DL_Attr<"Link", "link"> {
  let summary = "a link between two devices";
  let description = [{
    A bidirectional link with `bandwidth` [B/s] and `latency` [s].

    ```mlir
    #dl.link<from = 0, to = 1, bandwidth = 1.25e8, latency = 1.0e-4>
    ```
  }];
  let parameters = (ins
    "int64_t":$from,
    "int64_t":$to,
    APFloatParameter<"">:$bandwidth,
    APFloatParameter<"">:$latency
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def DL_ClusterAttr : DL_Attr<"Cluster", "cluster"> {
  let summary = "the devices and links a model is partitioned for";
  let description = [{
    Devices are numbered by position (device `i` is MPI rank `i`). Links not
    listed use the default `bandwidth`/`latency`. With `topology = shared`
    all transfers serialize on one medium (Wi-Fi); `ring` and `star`
    restrict direct links; `full` is a switched network.

    ```mlir
    #dl.cluster<name = "local-2", topology = full, bandwidth = 1.0e10,
                latency = 1.0e-6,
                devices = [#dl.device<...>, #dl.device<...>]>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"cluster name">:$name,
    "::mlir::dl::Topology":$topology,
    APFloatParameter<"">:$bandwidth,
    APFloatParameter<"">:$latency,
    DL_ArrayParameter<"::mlir::dl::DeviceAttr">:$devices,
    DL_OptionalArrayParameter<"::mlir::dl::LinkAttr">:$links
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // DL_ATTRS_TD
