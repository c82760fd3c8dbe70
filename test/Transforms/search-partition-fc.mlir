// Textbook decisions for a big fully connected layer (VGG-16 fc7 size,
// 4096 x 4096, 64 MiB of weights, batch 1).
//
// RUN: dl-opt %s --dl-search-partition=cluster=edge-pi4-4 \
// RUN:   | FileCheck %s --check-prefix=SLOW
// RUN: dl-opt %s --dl-search-partition=cluster=local-4 \
// RUN:   | FileCheck %s --check-prefix=FAST
// RUN: dl-opt %s --dl-search-partition="cluster=edge-pi4-4 memory-limit=40000000" \
// RUN:   | FileCheck %s --check-prefix=LIMIT
// RUN: dl-opt %s --dl-search-partition="cluster=local-4 report=%t.json" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: dl-opt %s --dl-search-partition="cluster=edge-pi4-4 report=%t.txt" -o /dev/null
// RUN: FileCheck %s --check-prefix=TABLE < %t.txt

// The report names the scheme, the runner-up and per-device numbers.
// JSON: "exact": true
// JSON: "layers": [
// JSON: "runner_up":
// JSON: "scheme": "{{out_channel|in_channel}} x4"
// TABLE: objective: latency  cluster: edge-pi4-4 (4 devices)
// TABLE: method: frontier DP (exact)
// TABLE: dense#0 single:0
// TABLE: device compute [s]

// On shared 40 Mbit/s Wi-Fi, sending the 16 KiB input to three boards and
// collecting their outputs costs ~6 serialized messages of >= 2 ms each,
// more than the ~12 ms of reading 64 MiB of weights that a 4-way split
// saves: the layer stays whole on device 0.
// SLOW-LABEL: func.func @fc
// SLOW: dl.dense {{.*}}dl.plan = #dl.plan<devices = [0]>

// On shared-memory ranks (10 GB/s, 1 us) the same messages cost
// microseconds, so the layer splits over all four devices.
// FAST-LABEL: func.func @fc
// FAST: dl.dense {{.*}}dl.plan = #dl.plan<devices = [0, 1, 2, 3], splits = [#dl.split<dim = {{out_channel|in_channel}}

// A 40 MB limit per board cannot hold the 67 MB of weights: the limit
// forces a split that latency alone would not choose.
// LIMIT-LABEL: func.func @fc
// LIMIT: dl.dense {{.*}}dl.plan = #dl.plan<devices = [0, 1{{.*}}splits = [#dl.split<dim = {{out_channel|in_channel}}
func.func @fc(%x: tensor<1x4096xf32>) -> tensor<1x4096xf32> {
  %w = dl.param "fc7.weight" : tensor<4096x4096xf32>
  %b = dl.param "fc7.bias" : tensor<4096xf32>
  %y = dl.dense %x, %w, %b
      : (tensor<1x4096xf32>, tensor<4096x4096xf32>, tensor<4096xf32>)
      -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}
