// REQUIRES: mpi
// RUN: rm -rf %t && mkdir -p %t
// RUN: dl-translate --dl-to-cpp --dl-device=0 %s -o %t/rank0.cpp
// RUN: dl-translate --dl-to-cpp --dl-device=1 %s -o %t/rank1.cpp
// RUN: %host_cxx %t/rank0.cpp %dlrt_cxxflags -o %t/rank0
// RUN: %host_cxx %t/rank1.cpp %dlrt_cxxflags -o %t/rank1
// RUN: %python %S/Inputs/comm_oracle.py %t
// RUN: mpirun --allow-run-as-root --oversubscribe --bind-to none \
// RUN:   -np 1 %t/rank0 --input %t/x.npy --expect %t/ref.npy --tolerance 1e-6 \
// RUN:   : -np 1 %t/rank1 --input %t/x.npy | FileCheck %s

// Runs send/recv, all_reduce, reduce_scatter, all_to_all and broadcast
// between two ranks through the emitted code. Rank 0 packs what it got
// into one [1, 36] output that the numpy oracle recomputes from x:
// recv relu(x) from rank 1 | all_reduce 2x | reduce_scatter 2x[:, 0:2] |
// all_to_all (split dim 1, concat dim 0; rank 1 sends sigmoid(x))
// [x[:, 0:2]; sigmoid(x)[:, 0:2]] |
// broadcast of sigmoid(x) from rank 1.

// CHECK: max_rel_error
// CHECK-NOT: error:

module {
  func.func @rank0(%x: tensor<2x4xf32>) -> tensor<1x36xf32>
      attributes {dl.device = 0 : i64} {
    dl.send %x to 1 tag 5 : tensor<2x4xf32>
    %r = dl.recv from 1 tag 6 : tensor<2x4xf32>
    %ar = dl.all_reduce %x group [0, 1] : tensor<2x4xf32>
    %rs = dl.reduce_scatter %x dim 1 group [0, 1] sizes [2, 2]
        : tensor<2x4xf32> -> tensor<2x2xf32>
    %a2a = dl.all_to_all %x split_dim 1 concat_dim 0 group [0, 1]
        : tensor<2x4xf32> -> tensor<4x2xf32>
    %zero = arith.constant dense<0.0> : tensor<2x4xf32>
    %bc = dl.broadcast %zero root 1 group [0, 1] : tensor<2x4xf32>
    %f0 = dl.reshape %r : tensor<2x4xf32> -> tensor<1x8xf32>
    %f1 = dl.reshape %ar : tensor<2x4xf32> -> tensor<1x8xf32>
    %f2 = dl.reshape %rs : tensor<2x2xf32> -> tensor<1x4xf32>
    %f3 = dl.reshape %a2a : tensor<4x2xf32> -> tensor<1x8xf32>
    %f4 = dl.reshape %bc : tensor<2x4xf32> -> tensor<1x8xf32>
    %all = dl.concat %f0, %f1, %f2, %f3, %f4 {axis = 1 : i64}
        : (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x4xf32>, tensor<1x8xf32>,
           tensor<1x8xf32>) -> tensor<1x36xf32>
    return %all : tensor<1x36xf32>
  }
  func.func @rank1(%x: tensor<2x4xf32>) attributes {dl.device = 1 : i64} {
    %got = dl.recv from 0 tag 5 : tensor<2x4xf32>
    %rl = dl.relu %got : tensor<2x4xf32>
    dl.send %rl to 0 tag 6 : tensor<2x4xf32>
    %ar = dl.all_reduce %x group [0, 1] : tensor<2x4xf32>
    %rs = dl.reduce_scatter %x dim 1 group [0, 1] sizes [2, 2]
        : tensor<2x4xf32> -> tensor<2x2xf32>
    %s = dl.sigmoid %x : tensor<2x4xf32>
    %a2a = dl.all_to_all %s split_dim 1 concat_dim 0 group [0, 1]
        : tensor<2x4xf32> -> tensor<4x2xf32>
    %bc = dl.broadcast %s root 1 group [0, 1] : tensor<2x4xf32>
    return
  }
}
