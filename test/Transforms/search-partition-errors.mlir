// RUN: dl-opt %s -verify-diagnostics \
// RUN:   --dl-search-partition="cluster=edge-pi4-2 memory-limit=1000000"
// RUN: not dl-opt %s --dl-search-partition="cluster=edge-pi4-2 objective=speed" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OBJ
// RUN: not dl-opt %s --dl-search-partition 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NOCLUSTER

// Two boards of 1 MB cannot hold 4 MiB of weights in any plan: the error
// names the layer, the device and the bytes.
func.func @too_big(%x: tensor<1x1024xf32>) -> tensor<1x1024xf32> {
  %w = dl.param "w" : tensor<1024x1024xf32>
  // expected-error @below {{no plan fits the memory limit: even the plan with the smallest footprint needs 2099200 bytes on device 0 (pi0; 2097152 of weights, 2048 of activations peaking at layer 'dense#0'), over its limit of 1000000 bytes}}
  %y = dl.dense %x, %w : (tensor<1x1024xf32>, tensor<1024x1024xf32>) -> tensor<1x1024xf32>
  return %y : tensor<1x1024xf32>
}

// OBJ: error: unknown objective 'speed' (expected latency, throughput, energy or memory)
// NOCLUSTER: error: dl-search-partition needs a cluster: pass cluster=FILE|PRESET or run dl-attach-cluster
