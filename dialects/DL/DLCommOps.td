//===- DLCommOps.td - dl communication ops -----------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Explicit communication on device-local tensors. Peers and groups are world
// ranks (device indices of the cluster). Each op lowers 1:1 onto a dlrt
// runtime call. Inside a function carrying `dl.device = k` the verifiers
// also check that device k takes part and never talks to itself.
//
//===----------------------------------------------------------------------===//

#ifndef DL_COMM_OPS_TD
#define DL_COMM_OPS_TD

include "dialects/DL/DLBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"

class DL_CommOp<string mnemonic, list<Trait> traits = []>
    : DL_Op<mnemonic, !listconcat(traits, [
        MemoryEffects<[MemRead, MemWrite]>])> {
  let hasVerifier = 1;
}

def DL_SendOp : DL_CommOp<"send"> {
  let summary = "send a tensor to one peer";
  let description = [{
    Matched by a `dl.recv` with the same tag and type on device `peer`.

    ```mlir
    dl.send %t to 1 tag 0 : tensor<1x4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, I64Attr:$peer, I64Attr:$tag);
  let assemblyFormat = "$input `to` $peer `tag` $tag attr-dict `:` type($input)";
}

def DL_RecvOp : DL_CommOp<"recv"> {
  let summary = "receive a tensor from one peer";
  let description = [{
    ```mlir
    %t = dl.recv from 0 tag 0 : tensor<1x4xf32>
    ```
  }];
  let arguments = (ins I64Attr:$peer, I64Attr:$tag);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "`from` $peer `tag` $tag attr-dict `:` type($result)";
}

def DL_AllGatherOp : DL_CommOp<"all_gather"> {
  let summary = "concatenate the members' slices along one dim (uneven)";
  let description = [{
    Member `i` of `group` holds `sizes[i]` entries of dim `dim`; every
    member receives the concatenation, whose `dim` is `sum(sizes)`.

    ```mlir
    %f = dl.all_gather %t dim 1 group [0, 1, 2] sizes [3, 2, 2]
        : tensor<1x2xf32> -> tensor<1x7xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, I64Attr:$dim,
                       DenseI64ArrayAttr:$group, DenseI64ArrayAttr:$sizes);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `dim` $dim `group` $group `sizes` $sizes attr-dict `:`
    type($input) `->` type($result)
  }];
}

def DL_AllReduceOp : DL_CommOp<"all_reduce",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "sum full-size partial tensors over a group";
  let description = [{
    ```mlir
    %s = dl.all_reduce %p group [0, 1] : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$group);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `group` $group attr-dict `:` type($input)";
}

def DL_AllReduceStartOp : DL_CommOp<"all_reduce_start",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "start a non-blocking all_reduce";
  let description = [{
    Starts the sum of `dl.all_reduce` over the group and returns the tensor
    in flight; its one use is the `dl.all_reduce_wait` that completes it
    (the ops between them overlap with the communication).

    ```mlir
    %h = dl.all_reduce_start %g group [0, 1] : tensor<1000xf32>
    ...
    %s = dl.all_reduce_wait %h : tensor<1000xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$group);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `group` $group attr-dict `:` type($input)";
}

def DL_AllReduceWaitOp : DL_CommOp<"all_reduce_wait",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "complete a dl.all_reduce_start";
  let description = [{
    The operand must be the result of a `dl.all_reduce_start`; the result
    is the sum over the group, equal to that of the blocking
    `dl.all_reduce`.
  }];
  let arguments = (ins DL_Tensor:$input);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DL_ReduceScatterOp : DL_CommOp<"reduce_scatter"> {
  let summary = "sum partial tensors and leave member i its slice of dim";
  let description = [{
    The input is full size; member `i` of `group` gets entries
    `[sum(sizes[:i]), sum(sizes[:i+1]))` of dim `dim` of the sum.

    ```mlir
    %s = dl.reduce_scatter %p dim 1 group [0, 1] sizes [6, 4]
        : tensor<1x10xf32> -> tensor<1x6xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, I64Attr:$dim,
                       DenseI64ArrayAttr:$group, DenseI64ArrayAttr:$sizes);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `dim` $dim `group` $group `sizes` $sizes attr-dict `:`
    type($input) `->` type($result)
  }];
}

def DL_BroadcastOp : DL_CommOp<"broadcast",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "copy the root's tensor to every member of a group";
  let description = [{
    ```mlir
    %b = dl.broadcast %t root 0 group [0, 1, 2] : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, I64Attr:$root,
                       DenseI64ArrayAttr:$group);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `root` $root `group` $group attr-dict `:` type($input)
  }];
}

def DL_HaloExchangeOp : DL_CommOp<"halo_exchange"> {
  let summary = "extend a spatial slice with its neighbours' boundary rows";
  let description = [{
    The input is this device's slice along `dim`. It receives `recv[0]`
    slabs from `prev` (prepended) and `recv[1]` slabs from `next`
    (appended), and sends its first `send[0]` slabs to `prev` and its last
    `send[1]` slabs to `next`. A neighbour of `-1` means none (its counts
    must be 0).

    ```mlir
    %h = dl.halo_exchange %t dim 2 prev 0 next 2 recv [1, 1] send [1, 1]
        : tensor<1x4x7x28xf32> -> tensor<1x4x9x28xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, I64Attr:$dim, I64Attr:$prev,
                       I64Attr:$next, DenseI64ArrayAttr:$recv,
                       DenseI64ArrayAttr:$send);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `dim` $dim `prev` $prev `next` $next `recv` $recv `send` $send
    attr-dict `:` type($input) `->` type($result)
  }];
}

def DL_AllToAllOp : DL_CommOp<"all_to_all"> {
  let summary = "re-split a tensor from one dim to another across a group";
  let description = [{
    Splits `split_dim` evenly into one chunk per member, sends chunk `j` to
    member `j`, and concatenates the received chunks along `concat_dim`.

    ```mlir
    %r = dl.all_to_all %t split_dim 1 concat_dim 0 group [0, 1]
        : tensor<2x8xf32> -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, I64Attr:$split_dim,
                       I64Attr:$concat_dim, DenseI64ArrayAttr:$group);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = [{
    $input `split_dim` $split_dim `concat_dim` $concat_dim `group` $group
    attr-dict `:` type($input) `->` type($result)
  }];
}

def DL_BarrierOp : DL_CommOp<"barrier"> {
  let summary = "wait until every member of a group arrives";
  let description = [{
    ```mlir
    dl.barrier group [0, 1, 2, 3]
    ```
  }];
  let arguments = (ins DenseI64ArrayAttr:$group);
  let assemblyFormat = "`group` $group attr-dict";
}

#endif // DL_COMM_OPS_TD
