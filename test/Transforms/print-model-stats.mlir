// RUN: dl-opt %s --dl-print-model-stats -o /dev/null | FileCheck %s --check-prefix=TABLE
// RUN: dl-opt %s --dl-print-model-stats=format=json -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: dl-opt %s --dl-print-model-stats=output=/dev/null | FileCheck %s --check-prefix=IR

// A six-layer CNN whose statistics are worked out by hand (fp32):
//   conv1  3 -> 4 channels, 3x3, pad 1, 8x8 -> 1x4x8x8:
//          params 4*3*9 + 4 = 112; MACs 8*8*4 outputs * 3*9 = 6,912;
//          FLOPs 2 * MACs = 13,824; output 256 values = 1,024 B.
//   relu1  1 FLOP per value: 256; output 1,024 B.
//   pool1  2x2/2 max -> 1x4x4x4: 64 outputs * 4 compares = 256 FLOPs;
//          output 256 B.
//   (unnamed) flatten -> 1x64: no arithmetic; output 256 B. Layers without
//          a name location are listed as %<index>.
//   fc     dense 64 -> 10 without bias: params 640; MACs 640; FLOPs 1,280;
//          output 40 B.
//   prob   softmax: 5 FLOPs per value = 50; output 40 B.
// Totals: params 112 + 640 = 752 (3,008 B); MACs 6,912 + 640 = 7,552;
// FLOPs 13,824 + 256 + 256 + 1,280 + 50 = 15,666; activations
// 1,024 + 1,024 + 256 + 256 + 40 + 40 = 2,640 B. dl.param is not a layer.

// TABLE:      # layer op output params MACs FLOPs act bytes
// TABLE-NEXT: 0 conv1 dl.conv2d 1x4x8x8 112 6912 13824 1024
// TABLE-NEXT: 1 relu1 dl.relu 1x4x8x8 0 0 256 1024
// TABLE-NEXT: 2 pool1 dl.pool2d 1x4x4x4 0 0 256 256
// TABLE-NEXT: 3 %3 dl.flatten 1x64 0 0 0 256
// TABLE-NEXT: 4 fc dl.dense 1x10 640 640 1280 40
// TABLE-NEXT: 5 prob dl.softmax 1x10 0 0 50 40
// TABLE-NEXT: total 752 7552 15666 2640
// TABLE-NEXT: layers: 6, parameters: 752 (3.01 kB), FLOPs: 15.67 k, activations: 2.64 kB
// TABLE-NOT: {{.}}

// JSON:      "layers": [
// JSON-NEXT:   {
// JSON-NEXT:     "activation_bytes": 1024,
// JSON-NEXT:     "flops": 13824,
// JSON-NEXT:     "macs": 6912,
// JSON-NEXT:     "name": "conv1",
// JSON-NEXT:     "op": "dl.conv2d",
// JSON-NEXT:     "output": "1x4x8x8",
// JSON-NEXT:     "params": 112
// JSON-NEXT:   },
// JSON:          "name": "relu1",
// JSON:          "name": "pool1",
// JSON:          "activation_bytes": 256,
// JSON-NEXT:     "flops": 0,
// JSON-NEXT:     "macs": 0,
// JSON-NEXT:     "name": "%3",
// JSON-NEXT:     "op": "dl.flatten",
// JSON-NEXT:     "output": "1x64",
// JSON-NEXT:     "params": 0
// JSON:          "activation_bytes": 40,
// JSON-NEXT:     "flops": 1280,
// JSON-NEXT:     "macs": 640,
// JSON-NEXT:     "name": "fc",
// JSON-NEXT:     "op": "dl.dense",
// JSON-NEXT:     "output": "1x10",
// JSON-NEXT:     "params": 640
// JSON:          "name": "prob",
// JSON:        "total": {
// JSON-NEXT:     "activation_bytes": 2640,
// JSON-NEXT:     "flops": 15666,
// JSON-NEXT:     "macs": 7552,
// JSON-NEXT:     "params": 752
// JSON-NEXT:   }

// The pass leaves the IR unchanged.
// IR-LABEL: func.func @main
// IR:         dl.conv2d
// IR-NEXT:    dl.relu
// IR-NEXT:    dl.pool2d
// IR-NEXT:    dl.flatten
// IR-NEXT:    dl.param "fc.weight"
// IR-NEXT:    dl.dense
// IR-NEXT:    dl.softmax

func.func @main(%x: tensor<1x3x8x8xf32>) -> tensor<1x10xf32> {
  %w1 = dl.param "conv1.weight" : tensor<4x3x3x3xf32>
  %b1 = dl.param "conv1.bias" : tensor<4xf32>
  %c1 = dl.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
      -> tensor<1x4x8x8xf32> loc("conv1")
  %r1 = dl.relu %c1 : tensor<1x4x8x8xf32> loc("relu1")
  %p1 = dl.pool2d max %r1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32> loc("pool1")
  %f = dl.flatten %p1 : tensor<1x4x4x4xf32> -> tensor<1x64xf32>
  %wf = dl.param "fc.weight" : tensor<10x64xf32>
  %fc = dl.dense %f, %wf : (tensor<1x64xf32>, tensor<10x64xf32>)
      -> tensor<1x10xf32> loc("fc")
  %prob = dl.softmax %fc {axis = 1 : i64} : tensor<1x10xf32> loc("prob")
  return %prob : tensor<1x10xf32>
}
