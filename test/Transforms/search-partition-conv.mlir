// Spatial early, channels late (reference 6.1), and speed-biased rows.
//
// RUN: dl-opt %s --dl-search-partition=cluster=local-4 | FileCheck %s
// RUN: dl-opt %s --dl-search-partition=cluster=%S/Inputs/search-hetero.yaml \
// RUN:   | FileCheck %s --check-prefix=HETERO

// conv1_2-like: 64 -> 64 channels on a 112 x 112 map. A channel split
// would all-gather a 3.2 MB map; rows only exchange 2 halo rows per
// boundary, so the early layer goes spatial (rows or fused tiles).
// CHECK-LABEL: func.func @early
// CHECK: dl.conv2d {{.*}}dl.plan = #dl.plan<devices = [0, 1, 2, 3]{{.*}}{{dim = height|dim = width|#dl.tile}}
func.func @early(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x112x112xf32> {
  %w = dl.param "c.w" : tensor<64x64x3x3xf32>
  %y = dl.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x64x112x112xf32>, tensor<64x64x3x3xf32>)
      -> tensor<1x64x112x112xf32>
  return %y : tensor<1x64x112x112xf32>
}

// conv5-like: 512 -> 512 channels on a 7 x 7 map. Seven rows do not
// balance over four devices and every strip would read all 9.4 MB of
// weights; 128 filters each do: the late layer goes by channel.
// CHECK-LABEL: func.func @late
// CHECK: dl.conv2d {{.*}}dl.plan = #dl.plan<devices = [0, 1, 2, 3], splits = [#dl.split<dim = {{out_channel|in_channel}}
func.func @late(%x: tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32> {
  %w = dl.param "c.w" : tensor<512x512x3x3xf32>
  %y = dl.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>)
      -> tensor<1x512x7x7xf32>
  return %y : tensor<1x512x7x7xf32>
}

// On a fast network where device 0 is four times as fast as the others,
// a row split gives it 4/6 of the 112 rows (74.7: 75) and each Pi 1/6
// (18.7: 18 or 19), within one row of the ideal.
// HETERO-LABEL: func.func @early
// HETERO: dl.conv2d {{.*}}#dl.split<dim = {{height|width}}, bounds = [0, 75, 94, 112]>
// HETERO-LABEL: func.func @late
