// RUN: rm -rf %t && mkdir -p %t
// RUN: dl-opt %s --convert-tosa-to-dl=weights=%t/model.dlw | FileCheck %s
// RUN: %python %S/../Inputs/read_dlw.py %t/model.dlw | FileCheck %s --check-prefix=STORE

// With `weights`, the parameters are written to a DLW1 store and the module
// points at it; no value is inlined.

// CHECK: module attributes {dl.weights = "{{.*}}model.dlw"}
// CHECK: dl.param "fc.weight" : tensor<2x3xf32>{{$}}
// CHECK: dl.param "fc.bias" : tensor<2xf32>{{$}}
// CHECK: dl.dense

// STORE: fc.weight [2, 3] [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
// STORE: fc.bias [2] [-1.0, 0.5]
func.func @fc(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = "tosa.const"() <{value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>}> : () -> tensor<2x3xf32>
  %b = "tosa.const"() <{value = dense<[-1.0, 0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %y = tosa.fully_connected %x, %w, %b : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("fc")
  return %y : tensor<1x2xf32>
}
