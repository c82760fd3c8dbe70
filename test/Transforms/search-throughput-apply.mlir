// The throughput search's micro-batch count reaches dl-apply-partition
// without being repeated on its command line: the partitioned layers run on
// batch / M rows, M being the search.microbatches the search wrote (4:
// 2 rows of the batch of 8). Inside
// a stage, the replicas of a data-parallel layer divide each micro-batch
// (stage 0: ranks 0-1), and an m split runs on the whole micro-batch
// (stage 1: fc1 split by input channels on ranks 2-3).
//
// RUN: dl-opt %S/../Integration/Schemes/Inputs/cnn_fc.mlir \
// RUN:   --dl-search-partition="cluster=%S/../Integration/Schemes/Inputs/mixed_bandwidth.yaml objective=throughput" \
// RUN:   --dl-apply-partition | FileCheck %s

// CHECK: search.microbatches = 4 : i64
// CHECK-LABEL: func.func @main_rank0
// CHECK: dl.conv2d {{.*}} -> tensor<1x16x16x16xf32>
// CHECK-LABEL: func.func @main_rank1
// CHECK: dl.conv2d {{.*}} -> tensor<1x16x16x16xf32>
// CHECK-LABEL: func.func @main_rank2
// CHECK: dl.flatten {{.*}} -> tensor<1x4096xf32>
// CHECK: dl.dense {{.*}} -> tensor<2x128xf32>
// CHECK-LABEL: func.func @main_rank3
// CHECK: dl.dense {{.*}} -> tensor<2x128xf32>

// An odd micro-batch cannot be divided among two replicas.
// RUN: not dl-opt %s --dl-apply-partition=microbatches=8 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ERR
// ERR: error: a micro-batch of 1 rows does not divide evenly among 2 replicas
func.func @mlp(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %w0 = dl.param "w0" : tensor<16x16xf32>
  %a = dl.dense %x, %w0 {dl.plan = #dl.plan<devices = [0, 1], replicas = 2>}
      : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
  return %a : tensor<8x16xf32>
}
