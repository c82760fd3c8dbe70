// The `modnn` scheme (MoDNN, DATE'17) on a cluster whose first device is
// four times as fast as the other two (hetero-edge-3: 54, 13.5, 13.5
// GFLOP/s): conv and pool layers are cut into height strips, dense layers
// into output rows, both in proportion 4:1:1 (12 -> [0, 8, 10, 12]).
//
// RUN: dl-opt %s --dl-attach-cluster=cluster=hetero-edge-3 \
// RUN:   --dl-force-scheme=scheme=modnn | FileCheck %s

// CHECK: dl.conv2d {{.*}}devices = [0, 1, 2], splits = [#dl.split<dim = height, bounds = [0, 8, 10, 12]>]
// CHECK: dl.pool2d {{.*}}devices = [0, 1, 2], splits = [#dl.split<dim = height, bounds = [0, 4, 5, 6]>]
// CHECK: dl.dense {{.*}}devices = [0, 1, 2], splits = [#dl.split<dim = out_channel, bounds = [0, 8, 10, 12]>]
func.func @net(%x: tensor<1x2x12x12xf32>) -> tensor<1x12xf32> {
  %w = dl.param "conv.weight" : tensor<3x2x3x3xf32>
  %c = dl.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x2x12x12xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x12x12xf32>
  %p = dl.pool2d max %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<1x3x12x12xf32> -> tensor<1x3x6x6xf32>
  %f = dl.flatten %p : tensor<1x3x6x6xf32> -> tensor<1x108xf32>
  %wd = dl.param "fc.weight" : tensor<12x108xf32>
  %y = dl.dense %f, %wd : (tensor<1x108xf32>, tensor<12x108xf32>) -> tensor<1x12xf32>
  return %y : tensor<1x12xf32>
}
