//===- Passes.td - dl passes -------------------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Every pass of dl, grouped by purpose and alphabetical within a group.
//
//===----------------------------------------------------------------------===//

#ifndef DL_PASSES_TD
#define DL_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Analysis and reporting
//===----------------------------------------------------------------------===//

def DLPrintModelStats : Pass<"dl-print-model-stats", "ModuleOp"> {
  let summary = "Print a per-layer table of shapes, parameters, FLOPs and "
                "activation bytes";
  let description = [{
    Walks every function of the module and prints, for each layer that
    implements `PartitionableOpInterface`, its result shape, parameter
    count, MACs, FLOPs and output activation bytes, followed by totals.
    The IR is left unchanged.

    ```mlir
    %y = dl.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>)
        -> tensor<1x4x6x6xf32>
    ```
    prints
    ```
    #  layer      output     params  MACs  FLOPs  act bytes
    0  dl.conv2d  1x4x6x6    108     3888  7776   576
    ```
  }];
  let options = [
    Option<"outputFile", "output", "std::string", /*default=*/"\"-\"",
           "Where to write the table ('-' for stdout)">,
    Option<"format", "format", "std::string", /*default=*/"\"table\"",
           "Output format: 'table' or 'json'">
  ];
}

//===----------------------------------------------------------------------===//
// Testing
//===----------------------------------------------------------------------===//

def DLTestPartitionInterface
    : Pass<"dl-test-partition-interface", "ModuleOp"> {
  let summary = "Report PartitionableOpInterface answers as remarks";
  let description = [{
    For every layer carrying a `dl.plan`, emits one remark per part with the
    device, the iteration ranges, the operand and result regions (offsets,
    sizes and the border padding they still need), the result kind and the
    part's work. For every other layer, emits one remark with its splittable
    dims and whole-layer work. Used by the lit tests of the interface.
  }];
}

#endif // DL_PASSES_TD
