// REQUIRES: mpi
// RUN: rm -rf %t && split-file %s %t && mkdir -p %t/weights
// RUN: dl-translate --dl-to-cpp --dl-device=0 %t/split.mlir -o %t/rank0.cpp
// RUN: dl-translate --dl-to-cpp --dl-device=1 %t/split.mlir -o %t/rank1.cpp
// RUN: dl-translate --dl-to-cpp %t/single.mlir -o %t/single.cpp
// RUN: %host_cxx %t/rank0.cpp %dlrt_cxxflags -o %t/rank0
// RUN: %host_cxx %t/rank1.cpp %dlrt_cxxflags -o %t/rank1
// RUN: %host_cxx %t/single.cpp %dlrt_cxxflags -o %t/single
// RUN: %python %S/Inputs/conv_weights.py %t
// RUN: %t/single --input %t/x.npy --weights %t/weights/rank0.dlw \
// RUN:   --output %t/ref.npy
// RUN: mpirun --allow-run-as-root --oversubscribe --bind-to none \
// RUN:   -np 1 %t/rank0 --input %t/x.npy --expect %t/ref.npy --tolerance 1e-5 \
// RUN:   : -np 1 %t/rank1 --input %t/x.npy | FileCheck %s
// RUN: not mpirun --allow-run-as-root --oversubscribe --bind-to none \
// RUN:   -np 1 %t/rank0 --input %t/ref.npy : -np 1 %t/rank1 --input %t/ref.npy \
// RUN:   2>&1 | FileCheck %s --check-prefix=SHAPE

// A 3x3 convolution split by rows (spatial split with halo): each rank
// takes its 4 input rows, exchanges one halo row with its neighbour,
// convolves with asymmetric padding (the halo replaces the inner
// padding), and the output rows are all-gathered along dim 2. The weights
// come from DLW1 files at the default path (weights/rank<K>.dlw next to
// the binaries). The result must match the unsplit program within 1e-5.

// CHECK: max_rel_error
// CHECK-NOT: error:

// Input shapes are checked against the signature (on a job of the plan's
// size: a single rank is refused first by the start-up plan check).
// SHAPE: rank0: error: input 0 ('{{.*}}ref.npy') has shape [1,3,8,6], expected [1,2,8,6] (tensor<1x2x8x6xf32>)

//--- single.mlir
func.func @main(%x: tensor<1x2x8x6xf32>) -> tensor<1x3x8x6xf32> {
  %w = dl.param "conv.weight" : tensor<3x2x3x3xf32>
  %b = dl.param "conv.bias" : tensor<3xf32>
  %y = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>,
                             activation = #dl<activation relu>}
      : (tensor<1x2x8x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>)
      -> tensor<1x3x8x6xf32>
  return %y : tensor<1x3x8x6xf32>
}

//--- split.mlir
module {
  func.func @rank0(%x: tensor<1x2x8x6xf32>) -> tensor<1x3x8x6xf32>
      attributes {dl.device = 0 : i64} {
    %own = tensor.extract_slice %x[0, 0, 0, 0] [1, 2, 4, 6] [1, 1, 1, 1]
        : tensor<1x2x8x6xf32> to tensor<1x2x4x6xf32>
    %h = dl.halo_exchange %own dim 2 prev -1 next 1 recv [0, 1] send [0, 1]
        : tensor<1x2x4x6xf32> -> tensor<1x2x5x6xf32>
    %w = dl.param "conv.weight" : tensor<3x2x3x3xf32>
    %b = dl.param "conv.bias" : tensor<3xf32>
    %y = dl.conv2d %h, %w, %b {padding = array<i64: 1, 1, 0, 1>,
                               activation = #dl<activation relu>}
        : (tensor<1x2x5x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>)
        -> tensor<1x3x4x6xf32>
    %g = dl.all_gather %y dim 2 group [0, 1] sizes [4, 4]
        : tensor<1x3x4x6xf32> -> tensor<1x3x8x6xf32>
    return %g : tensor<1x3x8x6xf32>
  }
  func.func @rank1(%x: tensor<1x2x8x6xf32>) attributes {dl.device = 1 : i64} {
    %own = tensor.extract_slice %x[0, 0, 4, 0] [1, 2, 4, 6] [1, 1, 1, 1]
        : tensor<1x2x8x6xf32> to tensor<1x2x4x6xf32>
    %h = dl.halo_exchange %own dim 2 prev 0 next -1 recv [1, 0] send [1, 0]
        : tensor<1x2x4x6xf32> -> tensor<1x2x5x6xf32>
    %w = dl.param "conv.weight" : tensor<3x2x3x3xf32>
    %b = dl.param "conv.bias" : tensor<3xf32>
    %y = dl.conv2d %h, %w, %b {padding = array<i64: 0, 1, 1, 1>,
                               activation = #dl<activation relu>}
        : (tensor<1x2x5x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>)
        -> tensor<1x3x4x6xf32>
    %g = dl.all_gather %y dim 2 group [0, 1] sizes [4, 4]
        : tensor<1x3x4x6xf32> -> tensor<1x3x8x6xf32>
    return
  }
}
