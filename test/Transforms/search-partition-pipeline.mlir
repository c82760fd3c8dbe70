// Throughput: four equal dense layers on two devices. Each 4 MiB weight
// matrix is read from memory for only 8 rows, so the layers are
// memory-bound, and a pipeline's micro-batches would each read their
// stage's weights again (the search prices one micro-batch as
// dl-apply-partition runs it). Splitting every layer's weights over both
// devices (out_channel/in_channel pairs, one all-reduce per pair) halves
// the reads without repeating them: one stage, no micro-batches.
//
// RUN: dl-opt %s --dl-search-partition="cluster=local-2 objective=throughput report=%t.txt" \
// RUN:   | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.txt
//
// Two slow devices on Wi-Fi: any split costs more in messages than it
// saves, and so does a pipeline (its micro-batches re-read the weights);
// everything stays on device 0.
// RUN: dl-opt %s --dl-search-partition="cluster=edge-pi4-2 objective=throughput" \
// RUN:   | FileCheck %s --check-prefix=WIFI

// CHECK-NOT: search.microbatches
// CHECK-LABEL: func.func @mlp
// CHECK: dl.dense {{.*}}#dl.plan<devices = [0, 1], splits = [#dl.split<dim = out_channel, bounds = [0, 512, 1024]>]>
// CHECK: dl.dense {{.*}}#dl.plan<devices = [0, 1], splits = [#dl.split<dim = in_channel, bounds = [0, 512, 1024]>]>
// CHECK: dl.dense {{.*}}#dl.plan<devices = [0, 1], splits = [#dl.split<dim = out_channel, bounds = [0, 512, 1024]>]>
// CHECK: dl.dense {{.*}}#dl.plan<devices = [0, 1], splits = [#dl.split<dim = in_channel, bounds = [0, 512, 1024]>]>

// REPORT: pipeline: 1 stage(s), 1 micro-batch(es)

// WIFI-NOT: search.microbatches
// WIFI-COUNT-4: dl.dense {{.*}}#dl.plan<devices = [0]>
func.func @mlp(%x: tensor<8x1024xf32>) -> tensor<8x1024xf32> {
  %w0 = dl.param "w0" : tensor<1024x1024xf32>
  %w1 = dl.param "w1" : tensor<1024x1024xf32>
  %w2 = dl.param "w2" : tensor<1024x1024xf32>
  %w3 = dl.param "w3" : tensor<1024x1024xf32>
  %a = dl.dense %x, %w0 : (tensor<8x1024xf32>, tensor<1024x1024xf32>) -> tensor<8x1024xf32>
  %b = dl.dense %a, %w1 : (tensor<8x1024xf32>, tensor<1024x1024xf32>) -> tensor<8x1024xf32>
  %c = dl.dense %b, %w2 : (tensor<8x1024xf32>, tensor<1024x1024xf32>) -> tensor<8x1024xf32>
  %d = dl.dense %c, %w3 : (tensor<8x1024xf32>, tensor<1024x1024xf32>) -> tensor<8x1024xf32>
  return %d : tensor<8x1024xf32>
}
