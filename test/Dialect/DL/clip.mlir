// RUN: dl-opt %s | FileCheck %s
// RUN: dl-opt %s | dl-opt | FileCheck %s
// RUN: dl-opt %s -mlir-print-op-generic | dl-opt | FileCheck %s

// dl.clip round-trips with finite and infinite bounds.

// CHECK-LABEL: func.func @clip(
// CHECK-SAME: %[[X:.*]]: tensor<1x4x3x3xf32>
func.func @clip(%x: tensor<1x4x3x3xf32>) -> (tensor<1x4x3x3xf32>,
                                             tensor<1x4x3x3xf32>,
                                             tensor<1x4x3x3xf32>) {
  // CHECK: %[[A:.*]] = dl.clip %[[X]] min 0.000000e+00 max 6.000000e+00 : tensor<1x4x3x3xf32>
  %0 = dl.clip %x min 0.0 max 6.0 : tensor<1x4x3x3xf32>
  // CHECK: dl.clip %[[A]] min -1.500000e+00 max 0x7F800000 : tensor<1x4x3x3xf32>
  %1 = dl.clip %0 min -1.5 max 0x7F800000 : tensor<1x4x3x3xf32>
  // Equal bounds are valid (a constant result).
  // CHECK: dl.clip %[[X]] min 2.000000e+00 max 2.000000e+00
  %2 = dl.clip %x min 2.0 max 2.0 : tensor<1x4x3x3xf32>
  return %0, %1, %2 : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>,
                      tensor<1x4x3x3xf32>
}
