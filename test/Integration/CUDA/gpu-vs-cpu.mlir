// REQUIRES: cuda-gpu, mpi, dl-cuda
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; \
// RUN:   np.save('%t/x.npy', np.random.default_rng(7).standard_normal((2, 2, 6, 6)).astype(np.float32))"
// RUN: dl-translate --dl-to-cpp --dl-device=0 %s -o %t/cpu0.cpp
// RUN: dl-translate --dl-to-cpp --dl-device=1 %s -o %t/cpu1.cpp
// RUN: %host_cxx %t/cpu0.cpp %dlrt_cxxflags -o %t/cpu0
// RUN: %host_cxx %t/cpu1.cpp %dlrt_cxxflags -o %t/cpu1
// RUN: dl-translate --dl-to-cuda --dl-device=0 %s -o %t/gpu0.cu
// RUN: dl-translate --dl-to-cuda --dl-device=1 %s -o %t/gpu1.cu
// RUN: %nvcc %cuda_cxxflags %t/gpu0.cu -o %t/gpu0 %cuda_ldflags
// RUN: %nvcc %cuda_cxxflags %t/gpu1.cu -o %t/gpu1 %cuda_ldflags
// RUN: mpirun --allow-run-as-root --oversubscribe --bind-to none \
// RUN:   -np 1 %t/cpu0 --input %t/x.npy --output %t/cpu.npy \
// RUN:   : -np 1 %t/cpu1 --input %t/x.npy
// RUN: mpirun --allow-run-as-root --oversubscribe --bind-to none \
// RUN:   -np 1 %t/gpu0 --input %t/x.npy --output %t/gpu.npy \
// RUN:     --expect %t/cpu.npy --tolerance 1e-4 \
// RUN:   : -np 1 %t/gpu1 --input %t/x.npy | FileCheck %s

// A 2-rank program run once as CPU programs and once as CUDA programs (on
// one GPU each, or both on the same GPU): conv (asymmetric padding,
// cuDNN + pad kernel), pooling, dense (cuBLAS), an all_gather along a
// non-outer dimension (host staging), an all_reduce and a broadcast (NCCL
// when built with it) and a softmax. The GPU result must match the CPU
// one within 1e-4.

// CHECK: max_rel_error
// CHECK-NOT: error:

module {
  func.func @rank0(%x: tensor<2x2x6x6xf32>) -> tensor<2x6xf32>
      attributes {dl.device = 0 : i64} {
    %w = dl.param "w0" : tensor<2x2x3x3xf32> = dense<[[[[0.1, -0.2, 0.3], [0.0, 0.5, -0.1], [0.2, 0.2, -0.3]], [[-0.4, 0.1, 0.0], [0.3, -0.2, 0.1], [0.0, 0.1, 0.2]]], [[[0.2, 0.0, -0.1], [0.1, 0.1, 0.1], [-0.2, 0.3, 0.0]], [[0.0, -0.3, 0.2], [0.1, 0.0, -0.1], [0.4, 0.0, 0.1]]]]>
    %c = dl.conv2d %x, %w {padding = array<i64: 1, 0, 0, 1>,
                           activation = #dl<activation relu>}
        : (tensor<2x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<2x2x5x5xf32>
    %p = dl.pool2d avg %c {kernel = array<i64: 2, 2>,
                           strides = array<i64: 2, 2>}
        : tensor<2x2x5x5xf32> -> tensor<2x2x2x2xf32>
    %f = dl.flatten %p : tensor<2x2x2x2xf32> -> tensor<2x8xf32>
    %fw = dl.param "fc0" : tensor<3x8xf32> = dense<[[0.1, 0.2, -0.1, 0.0, 0.3, -0.2, 0.1, 0.05], [0.0, -0.1, 0.2, 0.3, -0.3, 0.1, 0.0, 0.2], [0.2, 0.2, 0.2, -0.2, 0.1, 0.0, -0.1, 0.1]]>
    %d = dl.dense %f, %fw : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
    %g = dl.all_gather %d dim 1 group [0, 1] sizes [3, 3]
        : tensor<2x3xf32> -> tensor<2x6xf32>
    %r = dl.all_reduce %g group [0, 1] : tensor<2x6xf32>
    %b = dl.broadcast %r root 1 group [0, 1] : tensor<2x6xf32>
    %s = dl.softmax %b {axis = 1 : i64} : tensor<2x6xf32>
    return %s : tensor<2x6xf32>
  }
  func.func @rank1(%x: tensor<2x2x6x6xf32>) attributes {dl.device = 1 : i64} {
    %w = dl.param "w1" : tensor<2x2x3x3xf32> = dense<[[[[0.3, 0.1, -0.2], [0.0, 0.2, 0.1], [-0.1, 0.0, 0.3]], [[0.2, -0.1, 0.0], [0.1, 0.1, -0.2], [0.0, 0.3, 0.1]]], [[[-0.2, 0.1, 0.1], [0.3, 0.0, 0.0], [0.1, -0.1, 0.2]], [[0.1, 0.2, 0.0], [-0.3, 0.1, 0.2], [0.0, 0.0, -0.1]]]]>
    %c = dl.conv2d %x, %w {padding = array<i64: 1, 0, 0, 1>,
                           activation = #dl<activation relu>}
        : (tensor<2x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<2x2x5x5xf32>
    %p = dl.pool2d avg %c {kernel = array<i64: 2, 2>,
                           strides = array<i64: 2, 2>}
        : tensor<2x2x5x5xf32> -> tensor<2x2x2x2xf32>
    %f = dl.flatten %p : tensor<2x2x2x2xf32> -> tensor<2x8xf32>
    %fw = dl.param "fc1" : tensor<3x8xf32> = dense<[[0.2, -0.1, 0.0, 0.1, 0.1, 0.2, -0.2, 0.0], [0.1, 0.1, -0.3, 0.2, 0.0, 0.0, 0.1, 0.1], [-0.1, 0.3, 0.1, 0.0, 0.2, -0.1, 0.0, 0.2]]>
    %d = dl.dense %f, %fw : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
    %g = dl.all_gather %d dim 1 group [0, 1] sizes [3, 3]
        : tensor<2x3xf32> -> tensor<2x6xf32>
    %r = dl.all_reduce %g group [0, 1] : tensor<2x6xf32>
    %b = dl.broadcast %r root 1 group [0, 1] : tensor<2x6xf32>
    return
  }
}
