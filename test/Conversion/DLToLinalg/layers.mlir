// RUN: dl-opt %s --convert-dl-to-linalg -split-input-file | FileCheck %s

// Convolution: zero padding with tensor.pad, the bias broadcast into the
// accumulator, fused ReLU as a generic.

// CHECK-LABEL: func.func @conv
// CHECK: %[[W:.*]] = arith.constant dense<1.000000e+00> : tensor<4x3x3x3xf32>
// CHECK: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<4xf32>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x4x4x4xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<4xf32>) outs(%[[E]] : tensor<1x4x4x4xf32>) dimensions = [0, 2, 3]
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 0] high[0, 0, 1, 2]
// CHECK: tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
// CHECK: %[[C:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: ins(%[[PAD]], %[[W]] : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x4x4x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x4x4x4xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: dl.
func.func @conv(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %w = dl.param "w" : tensor<4x3x3x3xf32> = dense<1.0>
  %b = dl.param "b" : tensor<4xf32> = dense<0.5>
  %y = dl.conv2d %x, %w, %b {padding = array<i64: 1, 0, 1, 2>, strides = array<i64: 2, 2>, activation = #dl<activation relu>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// Grouped convolution through the NGCHW / GFCHW named op; a parameter
// without a value becomes a trailing argument.

// CHECK-LABEL: func.func @grouped
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x5x5xf32>, %[[W:.*]]: tensor<6x2x3x3xf32> {dl.param = "g.weight"})
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: %[[XE:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2], [3], [4]] {{.*}} : tensor<1x4x5x5xf32> into tensor<1x2x2x5x5xf32>
// CHECK: %[[WE:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] {{.*}} : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[C:.*]] = linalg.conv_2d_ngchw_gfchw {{.*}} ins(%[[XE]], %[[WE]] : tensor<1x2x2x5x5xf32>, tensor<2x3x2x3x3xf32>)
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
func.func @grouped(%x: tensor<1x4x5x5xf32>) -> tensor<1x6x3x3xf32> {
  %w = dl.param "g.weight" : tensor<6x2x3x3xf32>
  %y = dl.conv2d %x, %w {groups = 2 : i64}
      : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %y : tensor<1x6x3x3xf32>
}

// -----

// Dense is a matmul with the transposed weight; the bias is broadcast over
// the batch. Flatten is a collapse.

// CHECK-LABEL: func.func @dense
// CHECK: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<2x4x2x2xf32> into tensor<2x16xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%{{.*}} : tensor<10xf32>) outs(%{{.*}} : tensor<2x10xf32>) dimensions = [0]
// CHECK: linalg.matmul_transpose_b ins(%[[F]], %{{.*}} : tensor<2x16xf32>, tensor<10x16xf32>) outs(%[[INIT]] : tensor<2x10xf32>)
func.func @dense(%x: tensor<2x4x2x2xf32>) -> tensor<2x10xf32> {
  %f = dl.flatten %x : tensor<2x4x2x2xf32> -> tensor<2x16xf32>
  %w = dl.param "w" : tensor<10x16xf32> = dense<1.0>
  %b = dl.param "b" : tensor<10xf32> = dense<0.0>
  %y = dl.dense %f, %w, %b : (tensor<2x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  return %y : tensor<2x10xf32>
}

// -----

// Pools: max pads with -inf; the average with padding divides each output
// by its number of in-bounds elements (a constant table).

// CHECK-LABEL: func.func @pools
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.constant dense<{{\[\[}}1.000000e+00, 5.000000e-01], [5.000000e-01, 2.500000e-01]]> : tensor<2x2xf32>
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @pools(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %m = dl.pool2d max %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>}
      : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %a = dl.pool2d avg %x {kernel = array<i64: 2, 2>, strides = array<i64: 3, 3>, padding = array<i64: 1, 1, 0, 0>}
      : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %m, %a : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Communication ops have no linalg meaning: they stay, on tensors, between
// the lowered layers.

// CHECK-LABEL: func.func @device
// CHECK: %[[R:.*]] = dl.recv from 0 tag 0 : tensor<1x4xf32>
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%[[R]], %[[R]] : tensor<1x4xf32>, tensor<1x4xf32>)
// CHECK: arith.addf
// CHECK: dl.send %[[A]] to 0 tag 1 : tensor<1x4xf32>
func.func @device() attributes {dl.device = 1 : i64} {
  %r = dl.recv from 0 tag 0 : tensor<1x4xf32>
  %a = dl.add %r, %r : tensor<1x4xf32>
  dl.send %a to 0 tag 1 : tensor<1x4xf32>
  return
}

// -----

// dl.clip clamps with maximumf then minimumf.

// CHECK-LABEL: func.func @clip
// CHECK-DAG: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: linalg.generic
// CHECK: %[[M:.*]] = arith.maximumf %{{.*}}, %[[LO]] : f32
// CHECK: arith.minimumf %[[M]], %[[HI]] : f32
func.func @clip(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = dl.clip %x min 0.0 max 6.0 : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
