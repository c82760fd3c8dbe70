// REQUIRES: mpi
// RUN: rm -rf %t && mkdir -p %t
// RUN: dl-translate --dl-to-cpp --dl-device=0 %s -o %t/rank0.cpp
// RUN: dl-translate --dl-to-cpp --dl-device=1 %s -o %t/rank1.cpp
// RUN: %host_cxx %t/rank0.cpp %dlrt_cxxflags -o %t/rank0
// RUN: %host_cxx %t/rank1.cpp %dlrt_cxxflags -o %t/rank1
// RUN: %python %S/Inputs/dense_oracle.py %t
// RUN: mpirun --allow-run-as-root --oversubscribe --bind-to none \
// RUN:   -np 1 %t/rank0 --input %t/x.npy --output %t/y.npy \
// RUN:     --expect %t/ref.npy --tolerance 1e-5 --stats %t/stats.json \
// RUN:   : -np 1 %t/rank1 --input %t/x.npy --stats %t/stats.json | FileCheck %s
// RUN: %python -c "import json; s = json.load(open('%t/stats.json')); \
// RUN:   print(s['ranks'][0]['bytes_received_from'])" \
// RUN:   | FileCheck %s --check-prefix=BYTES

// Fully connected layer split by output rows (the survey's FC output
// split): each rank holds 3 of the 6 rows of W (inlined constants, no
// weight file), computes its 3 outputs, and an all_gather along dim 1
// rebuilds y on both ranks; rank 0 applies the softmax and returns it.
// The result must match the numpy oracle within 1e-5.

// CHECK: max_rel_error
// CHECK-NOT: error:

// Rank 0 received rank 1's 2x3 block: 24 bytes.
// BYTES: {'1': 24}

module {
  func.func @rank0(%x: tensor<2x4xf32>) -> tensor<2x6xf32>
      attributes {dl.device = 0 : i64} {
    %w = dl.param "fc.weight.0" : tensor<3x4xf32> = dense<[
        [-1.0, -0.9, -0.8, -0.7], [-0.6, -0.5, -0.4, -0.3],
        [-0.2, -0.1, 0.0, 0.1]]>
    %b = dl.param "fc.bias.0" : tensor<3xf32> = dense<[-0.5, -0.25, 0.0]>
    %y = dl.dense %x, %w, %b
        : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
        loc("fc")
    %g = dl.all_gather %y dim 1 group [0, 1] sizes [3, 3]
        : tensor<2x3xf32> -> tensor<2x6xf32> loc("fc.gather")
    %s = dl.softmax %g {axis = 1 : i64} : tensor<2x6xf32> loc("softmax")
    return %s : tensor<2x6xf32>
  }
  func.func @rank1(%x: tensor<2x4xf32>) attributes {dl.device = 1 : i64} {
    %w = dl.param "fc.weight.1" : tensor<3x4xf32> = dense<[
        [0.2, 0.3, 0.4, 0.5], [0.6, 0.7, 0.8, 0.9], [1.0, 1.1, 1.2, 1.3]]>
    %b = dl.param "fc.bias.1" : tensor<3xf32> = dense<[0.25, 0.5, 0.75]>
    %y = dl.dense %x, %w, %b
        : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
        loc("fc")
    %g = dl.all_gather %y dim 1 group [0, 1] sizes [3, 3]
        : tensor<2x3xf32> -> tensor<2x6xf32> loc("fc.gather")
    return
  }
}
