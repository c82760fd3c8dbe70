// The throughput search's micro-batch count reaches dl-apply-partition
// without being repeated on its command line: the partitioned layers run on
// batch / M rows, M being the search.microbatches the search wrote.
//
// RUN: dl-opt %s --dl-search-partition="cluster=local-2 objective=throughput" \
// RUN:   --dl-apply-partition | FileCheck %s

// CHECK: search.microbatches = [[#M:]] : i64
// CHECK: func.func @mlp_rank0
// CHECK: dl.dense {{.*}} -> tensor<[[#div(8,M)]]x1024xf32>
// CHECK: func.func @mlp_rank1
// CHECK: dl.dense {{.*}} -> tensor<[[#div(8,M)]]x1024xf32>
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
