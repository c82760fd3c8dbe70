// RUN: dl-opt %s --dl-partition-pipeline='cluster=local-2 scheme=dense-out' | FileCheck %s --check-prefix=FORCED
// RUN: dl-opt %s --dl-partition-pipeline='cluster=local-2' | FileCheck %s --check-prefix=SEARCH
// RUN: dl-opt %s --dl-partition-pipeline='scheme=dense-out devices=2' --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=PASSES
// RUN: not dl-opt %s --dl-partition-pipeline='cluster=no-such-preset' 2>&1 | FileCheck %s --check-prefix=BAD

// The named pipeline: attach the cluster, plan (a forced scheme or the
// search), apply, verify the communication.

// FORCED: module attributes {dl.cluster = #dl.cluster<name = "local-2"
// FORCED-LABEL: func.func @main_rank0
// FORCED: dl.param "fc.weight#0:8,0:16" : tensor<8x16xf32>
// FORCED-LABEL: func.func @main_rank1
// FORCED: dl.param "fc.weight#8:16,0:16" : tensor<8x16xf32>

// The search writes its plans, apply consumes them into device programs.
// SEARCH: module attributes {dl.cluster = #dl.cluster<name = "local-2"
// SEARCH: func.func @main_rank0
// SEARCH-NOT: dl.plan

// PASSES: IR Dump After DLForceScheme
// PASSES: IR Dump After DLApplyPartition
// PASSES: IR Dump After DLVerifyComm

// BAD: error:
module {
  func.func @main(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
    %w = dl.param "fc.weight" : tensor<16x16xf32>
    %y = dl.dense %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
    %r = dl.relu %y : tensor<4x16xf32>
    return %r : tensor<4x16xf32>
  }
}
