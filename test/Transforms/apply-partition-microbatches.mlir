// dl-apply-partition takes the micro-batch count from the module's
// search.microbatches attribute when its option is not given; the same
// count given explicitly is accepted, a different one is an error at the
// module.
//
// RUN: dl-opt %s --dl-apply-partition | FileCheck %s
// RUN: dl-opt %s --dl-apply-partition=microbatches=4 | FileCheck %s
// RUN: not dl-opt %s --dl-apply-partition=microbatches=2 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ERR

// Batch 8 in 4 micro-batches of 2: every dense runs on a 2-row slice, four
// times per stage.
// CHECK-LABEL: func.func @mlp_rank0
// CHECK-COUNT-4: dl.dense {{.*}} -> tensor<2x16xf32>
// CHECK-NOT: dl.dense
// CHECK-LABEL: func.func @mlp_rank1
// CHECK-COUNT-4: dl.dense {{.*}} -> tensor<2x16xf32>
// CHECK-NOT: dl.dense

// ERR: apply-partition-microbatches.mlir:[[@LINE+2]]:1: error: microbatches=2
// ERR-SAME: contradicts the plan, which was searched for 4 micro-batches
module attributes {search.microbatches = 4 : i64} {
  func.func @mlp(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
    %w0 = dl.param "w0" : tensor<16x16xf32>
    %w1 = dl.param "w1" : tensor<16x16xf32>
    %a = dl.dense %x, %w0 {dl.plan = #dl.plan<devices = [0]>}
        : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
    %b = dl.dense %a, %w1 {dl.plan = #dl.plan<stage = 1, devices = [1]>}
        : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
    return %b : tensor<8x16xf32>
  }
}
