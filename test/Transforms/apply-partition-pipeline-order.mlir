// With micro-batches, dl-apply-partition gathers the outputs on device 0
// only after the last micro-batch: device 0 (stage 0) sends every
// micro-batch to the next stage before it receives any output, so the
// stages overlap; the last stage keeps each micro-batch's outputs until
// then. Partial sums of a split last layer are still reduced within the
// last stage right after each micro-batch.
//
// RUN: dl-opt %s --dl-apply-partition=microbatches=3 | FileCheck %s
// RUN: dl-opt %s --dl-apply-partition=microbatches=3 --dl-verify-comm \
// RUN:   -o /dev/null

// Stage 0 on device 0, stage 1 on devices 1-2 (input-channel split: the
// output is a partial sum), 3 micro-batches of 2 rows.
// CHECK-LABEL: func.func @mlp_rank0
// CHECK-NOT: dl.recv
// CHECK: dl.dense {{.*}} -> tensor<2x16xf32>
// CHECK: dl.send {{.*}} to 1
// CHECK: dl.send {{.*}} to 2
// CHECK-NOT: dl.recv
// CHECK: dl.dense {{.*}} -> tensor<2x16xf32>
// CHECK: dl.send {{.*}} to 1
// CHECK: dl.send {{.*}} to 2
// CHECK-NOT: dl.recv
// CHECK: dl.dense {{.*}} -> tensor<2x16xf32>
// CHECK: dl.send {{.*}} to 1
// CHECK: dl.send {{.*}} to 2
// CHECK-NOT: dl.send
// CHECK: dl.recv from 1 {{.*}} : tensor<2x8xf32>
// CHECK-NEXT: tensor.empty() : tensor<6x8xf32>
// CHECK-NEXT: tensor.insert_slice {{.*}}[0, 0] [2, 8]
// CHECK-NEXT: dl.recv from 1 {{.*}} : tensor<2x8xf32>
// CHECK-NEXT: tensor.insert_slice {{.*}}[2, 0] [2, 8]
// CHECK-NEXT: dl.recv from 1 {{.*}} : tensor<2x8xf32>
// CHECK-NEXT: tensor.insert_slice {{.*}}[4, 0] [2, 8]
// CHECK-NEXT: return
//
// CHECK-LABEL: func.func @mlp_rank1
// CHECK: dl.recv from 0
// CHECK: dl.dense {{.*}} -> tensor<2x8xf32>
// CHECK-NEXT: dl.all_reduce {{.*}} group [1, 2]
// CHECK-NOT: dl.send
// CHECK: dl.recv from 0
// CHECK: dl.dense {{.*}} -> tensor<2x8xf32>
// CHECK-NEXT: dl.all_reduce
// CHECK-NOT: dl.send
// CHECK: dl.recv from 0
// CHECK: dl.dense {{.*}} -> tensor<2x8xf32>
// CHECK-NEXT: dl.all_reduce
// CHECK-NEXT: dl.send {{.*}} to 0
// CHECK-NEXT: dl.send {{.*}} to 0
// CHECK-NEXT: dl.send {{.*}} to 0
// CHECK-NEXT: return
//
// CHECK-LABEL: func.func @mlp_rank2
// CHECK-COUNT-3: dl.all_reduce
// CHECK-NOT: dl.send
// CHECK: return
module {
  func.func @mlp(%x: tensor<6x16xf32>) -> tensor<6x8xf32> {
    %w0 = dl.param "w0" : tensor<16x16xf32>
    %w1 = dl.param "w1" : tensor<8x16xf32>
    %a = dl.dense %x, %w0 {dl.plan = #dl.plan<devices = [0]>}
        : (tensor<6x16xf32>, tensor<16x16xf32>) -> tensor<6x16xf32>
    %b = dl.dense %a, %w1 {dl.plan = #dl.plan<stage = 1, devices = [1, 2],
                           splits = [#dl.split<dim = in_channel,
                                               bounds = [0, 8, 16]>]>}
        : (tensor<6x16xf32>, tensor<8x16xf32>) -> tensor<6x8xf32>
    return %b : tensor<6x8xf32>
  }
}
