// RUN: dl-opt %s --dl-force-scheme='scheme=out-channel devices=2' --dl-apply-partition --convert-dl-to-linalg | FileCheck %s

// The device programs of an output-channel split: each rank computes its
// half of the convolution with linalg on its parameter shards (trailing
// arguments named after the shards); the transfers stay dl ops.

// CHECK-LABEL: func.func @main_rank0
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x6x6xf32>,
// CHECK-SAME: %[[W0:.*]]: tensor<2x2x3x3xf32> {dl.param = "conv.weight#0:2,0:2,0:3,0:3"}
// CHECK-SAME: %[[B0:.*]]: tensor<2xf32> {dl.param = "conv.bias#0:2"}
// CHECK-SAME: dl.device = 0
// CHECK: dl.send %[[X]] to 1 tag 0 : tensor<1x2x6x6xf32>
// CHECK: linalg.broadcast ins(%[[B0]] : tensor<2xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %[[W0]] : tensor<1x2x8x8xf32>, tensor<2x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x6x6xf32>)
// CHECK: dl.recv from 1 tag 1 : tensor<1x2x6x6xf32>
// CHECK: tensor.insert_slice
// CHECK-LABEL: func.func @main_rank1
// CHECK-SAME: (%[[W1:.*]]: tensor<2x2x3x3xf32> {dl.param = "conv.weight#2:4,0:2,0:3,0:3"}
// CHECK-SAME: dl.device = 1
// CHECK: %[[R:.*]] = dl.recv from 0 tag 0 : tensor<1x2x6x6xf32>
// CHECK: tensor.pad %[[R]]
// CHECK: %[[C:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %[[W1]] :
// CHECK: dl.send %[[C]] to 0 tag 1 : tensor<1x2x6x6xf32>
module {
  func.func @main(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x6x6xf32> {
    %w = dl.param "conv.weight" : tensor<4x2x3x3xf32>
    %b = dl.param "conv.bias" : tensor<4xf32>
    %y = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
    return %y : tensor<1x4x6x6xf32>
  }
}
