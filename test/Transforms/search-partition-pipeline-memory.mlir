// Throughput under per-device memory limits. The model is
// Integration/Schemes/Inputs/cnn_fc.mlir (two small convolutions, then fc1
// with 2 MiB of weights), the cluster has ranks 0-1 starved of memory
// bandwidth and ranks 2-3 not (search-partition-pipeline-stages.mlir).
//
// Without a limit the fastest plan is a pipeline of two stages: the
// convolutions data-parallel on ranks 0-1, fc1 split by input channels on
// ranks 2-3, each holding half of fc1's weights (1 MiB) plus its buffers:
// 1100940 B on rank 2 (49,272 B of them activations and buffers, which
// Integration/Schemes/pipeline-peak-memory.test measures).
// RUN: dl-opt %s --dl-search-partition="cluster=%S/../Integration/Schemes/Inputs/mixed_bandwidth.yaml objective=throughput report=%t.free.txt" -o /dev/null
// RUN: FileCheck %s --check-prefix=FREE < %t.free.txt
// FREE: predicted latency 3.966e-04 s, {{.*}} peak memory 1100940 B
// FREE: pipeline: 2 stage(s), 4 micro-batch(es)
// FREE: dense#3 {{ *}}stage 1: in_channel x2
// FREE: 2 {{.*}} 1100940
//
// With 1,000,000 B per device, fc1's weights fit only split four ways
// (512 KiB per rank). A stage of four devices starts at rank 0 and takes
// every rank, so the pipeline collapses into one stage over all four
// ranks (twice as slow, 8.1e-4 s): the limit forces a different plan,
// and every device stays within it (635496 B on rank 0: its 98,304 B of
// activations and buffers are what the compiled plan measures on rank 0).
// RUN: dl-opt %s --dl-search-partition="cluster=%S/../Integration/Schemes/Inputs/mixed_bandwidth.yaml objective=throughput memory-limit=1000000 report=%t.limited.txt" \
// RUN:   | FileCheck %s --check-prefix=LIMITED
// RUN: FileCheck %s --check-prefix=REPORT < %t.limited.txt
// LIMITED-NOT: search.microbatches
// LIMITED: dl.dense {{.*}}dl.plan = #dl.plan<devices = [0, 1, 2, 3], splits = [#dl.split<dim = in_channel, bounds = [0, 1024, 2048, 3072, 4096]>]>
// REPORT: predicted latency 8.076e-04 s, {{.*}} peak memory 635496 B
// REPORT: pipeline: 1 stage(s), 1 micro-batch(es)
// REPORT: dense#3 {{ *}}stage 0: in_channel x4
//
// With 600,000 B, one micro-batch's activations and buffers no longer
// fit beside the weights; two micro-batches halve them.
// RUN: dl-opt %s --dl-search-partition="cluster=%S/../Integration/Schemes/Inputs/mixed_bandwidth.yaml objective=throughput memory-limit=600000 report=%t.half.txt" \
// RUN:   | FileCheck %s --check-prefix=HALF
// HALF: search.microbatches = 2
//
// With 400,000 B nothing fits: fc1 split four ways still needs 512 KiB
// of weights on each rank. The error names the layer, the device and its
// bytes for the pipeline that exceeds the limit by the least.
// RUN: not dl-opt %s --dl-search-partition="cluster=%S/../Integration/Schemes/Inputs/mixed_bandwidth.yaml objective=throughput memory-limit=400000" \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOFIT
// NOFIT: search-partition-pipeline-memory.mlir:[[#@LINE+12]]:{{[0-9]+}}: error: no pipeline fits the memory limit: even the pipeline that exceeds it least (1 stage(s), 8 micro-batch(es)) needs 549264 bytes on device 0 (starved0; 528504 of weights, 20760 of activations and buffers peaking at layer 'conv2d#1'), 149264 over its limit of 400000 bytes

module {
  func.func @main(%x: tensor<8x3x16x16xf32>) -> tensor<8x10xf32> {
    %w1 = dl.param "conv1.weight" : tensor<16x3x3x3xf32>
    %b1 = dl.param "conv1.bias" : tensor<16xf32>
    %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>,
                                  activation = #dl<activation relu>}
        : (tensor<8x3x16x16xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
        -> tensor<8x16x16x16xf32>
    %w2 = dl.param "conv2.weight" : tensor<16x16x3x3xf32>
    %b2 = dl.param "conv2.bias" : tensor<16xf32>
    %c2 = dl.conv2d %c1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>,
                                  activation = #dl<activation relu>}
        : (tensor<8x16x16x16xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>)
        -> tensor<8x16x16x16xf32>
    %f = dl.flatten %c2 : tensor<8x16x16x16xf32> -> tensor<8x4096xf32>
    %w3 = dl.param "fc1.weight" : tensor<128x4096xf32>
    %b3 = dl.param "fc1.bias" : tensor<128xf32>
    %h = dl.dense %f, %w3, %b3 {activation = #dl<activation relu>}
        : (tensor<8x4096xf32>, tensor<128x4096xf32>, tensor<128xf32>)
        -> tensor<8x128xf32>
    %w4 = dl.param "fc2.weight" : tensor<10x128xf32>
    %b4 = dl.param "fc2.bias" : tensor<10xf32>
    %l = dl.dense %h, %w4, %b4
        : (tensor<8x128xf32>, tensor<10x128xf32>, tensor<10xf32>)
        -> tensor<8x10xf32>
    return %l : tensor<8x10xf32>
  }
}
