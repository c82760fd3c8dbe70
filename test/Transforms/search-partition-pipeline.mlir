// Throughput: four equal dense layers on two devices form two balanced
// stages of two layers each, with micro-batches over the batch of 8.
//
// RUN: dl-opt %s --dl-search-partition="cluster=local-2 objective=throughput" \
// RUN:   | FileCheck %s

// CHECK: search.microbatches = {{[0-9]+}}
// CHECK-LABEL: func.func @mlp
// CHECK: dl.dense {{.*}}#dl.plan<devices = [0]>
// CHECK: dl.dense {{.*}}#dl.plan<devices = [0]>
// CHECK: dl.dense {{.*}}#dl.plan<stage = 1, devices = [1]>
// CHECK: dl.dense {{.*}}#dl.plan<stage = 1, devices = [1]>
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
