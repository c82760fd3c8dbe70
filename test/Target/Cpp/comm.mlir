// RUN: dl-translate --dl-to-cpp %s | FileCheck %s

// Every communication op lowers to one dlrt call with its peers, group
// (an int array of world ranks), sizes and shapes spelled out.

// CHECK-LABEL: constexpr int kRank = 1;
// CHECK-LABEL: void dl_run(
// CHECK: dlrt_trace_begin("dl.send s");
// CHECK-NEXT: dlrt_send(a0, 8, /*peer=*/0, /*tag=*/7);
// CHECK: float *[[R:t[0-9]+]] = dl_alloc(8);
// CHECK-NEXT: dlrt_trace_begin("dl.recv r");
// CHECK-NEXT: dlrt_recv([[R]], 8, /*peer=*/2, /*tag=*/3);
// CHECK: float *[[G:t[0-9]+]] = dl_alloc(14);
// CHECK: static const int64_t in_shape[] = {2, 4};
// CHECK-NEXT: static const int64_t sizes[] = {2, 4, 1};
// CHECK-NEXT: static const int group[] = {2, 1, 0};
// CHECK-NEXT: dlrt_all_gather(a0, in_shape, 2, /*dim=*/1, [[G]], sizes, group, 3);
// all_reduce works in place on the received buffer, which dies there.
// CHECK-NOT: memcpy
// CHECK: static const int group[] = {0, 1};
// CHECK-NEXT: dlrt_all_reduce_sum([[R]], 8, group, 2);
// CHECK: float *[[RS:t[0-9]+]] = dl_alloc(6);
// CHECK: static const int64_t in_shape[] = {2, 7};
// CHECK-NEXT: static const int64_t sizes[] = {4, 3};
// CHECK-NEXT: static const int group[] = {0, 1};
// CHECK-NEXT: dlrt_reduce_scatter_sum([[G]], in_shape, 2, /*dim=*/1, [[RS]], sizes, group, 2);
// The input of broadcast is a function argument: copy, then in place.
// CHECK: float *[[B:t[0-9]+]] = dl_alloc(8);
// CHECK-NEXT: std::memcpy([[B]], a0, 8 * sizeof(float));
// CHECK: static const int group[] = {0, 1, 2};
// CHECK-NEXT: dlrt_broadcast([[B]], 8, /*root=*/0, group, 3);
// CHECK: float *[[H:t[0-9]+]] = dl_alloc(60);
// CHECK: static const int64_t in_shape[] = {1, 2, 4, 5};
// CHECK-NEXT: dlrt_halo_exchange(a1, in_shape, 4, /*dim=*/2, [[H]],
// CHECK-NEXT: /*recv lo, hi=*/1, 1, /*send lo, hi=*/2, 1, /*prev=*/0, /*next=*/2);
// CHECK: static const int64_t in_shape[] = {2, 4};
// CHECK-NEXT: static const int group[] = {0, 1};
// CHECK-NEXT: dl_all_to_all(a0, in_shape, 2, /*split_dim=*/1, /*concat_dim=*/0, {{t[0-9]+}}, group, 2);
// CHECK: static const int group[] = {0, 1, 2};
// CHECK-NEXT: dlrt_barrier(group, 3);
func.func @comm(%x: tensor<2x4xf32>, %img: tensor<1x2x4x5xf32>)
    -> (tensor<2x8xf32>, tensor<2x3xf32>, tensor<2x4xf32>,
        tensor<1x2x6x5xf32>, tensor<4x2xf32>)
    attributes {dl.device = 1 : i64} {
  dl.send %x to 0 tag 7 : tensor<2x4xf32> loc("s")
  %r = dl.recv from 2 tag 3 : tensor<2x4xf32> loc("r")
  %g = dl.all_gather %x dim 1 group [2, 1, 0] sizes [2, 4, 1]
      : tensor<2x4xf32> -> tensor<2x7xf32>
  %ar = dl.all_reduce %r group [0, 1] : tensor<2x4xf32>
  %ar2 = dl.concat %ar, %ar {axis = 1 : i64}
      : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  %rs = dl.reduce_scatter %g dim 1 group [0, 1] sizes [4, 3]
      : tensor<2x7xf32> -> tensor<2x3xf32>
  %b = dl.broadcast %x root 0 group [0, 1, 2] : tensor<2x4xf32>
  %h = dl.halo_exchange %img dim 2 prev 0 next 2 recv [1, 1] send [2, 1]
      : tensor<1x2x4x5xf32> -> tensor<1x2x6x5xf32>
  %a2a = dl.all_to_all %x split_dim 1 concat_dim 0 group [0, 1]
      : tensor<2x4xf32> -> tensor<4x2xf32>
  dl.barrier group [0, 1, 2]
  return %ar2, %rs, %b, %h, %a2a : tensor<2x8xf32>, tensor<2x3xf32>,
      tensor<2x4xf32>, tensor<1x2x6x5xf32>, tensor<4x2xf32>
}
