// RUN: dl-translate --dl-to-cuda %s | FileCheck %s

// Communication on a GPU rank: the device data is staged through host
// buffers around the same dlrt MPI call as in the C++ programs. all_reduce,
// broadcast and an all_gather along the outermost dimension with equal
// sizes also get an NCCL call (compiled with -DDL_USE_NCCL) when their
// whole group runs on GPUs; rank 2 of this cluster is a CPU, so the
// collectives over [0, 1, 2] have no NCCL variant.

// CHECK-LABEL: constexpr int kRank = 1;
// CHECK-LABEL: void dl_run(
// send: download, send from the host buffer.
// CHECK: dlrt_trace_begin("dl.send s");
// CHECK-NEXT: float *[[S:h_in[0-9]+]] = dl_alloc(8);
// CHECK-NEXT: dl_copy_out([[S]], a0, 8);
// CHECK-NEXT: dlrt_send([[S]], 8, /*peer=*/0, /*tag=*/7);
// CHECK-NEXT: dl_free([[S]], 8);
// recv: into a host buffer, then upload.
// CHECK: float *[[R:t[0-9]+]] = dl_dev_alloc(8);
// CHECK-NEXT: dlrt_trace_begin("dl.recv r");
// CHECK-NEXT: float *[[RH:h_out[0-9]+]] = dl_alloc(8);
// CHECK-NEXT: dlrt_recv([[RH]], 8, /*peer=*/2, /*tag=*/3);
// CHECK-NEXT: dl_copy_in([[R]], [[RH]], 8);
// CHECK-NEXT: dl_free([[RH]], 8);
// all_gather along dim 1 (uneven, group with the CPU rank 2): staging only.
// CHECK: float *[[G:t[0-9]+]] = dl_dev_alloc(14);
// CHECK-NOT: DL_USE_NCCL
// CHECK: dl_copy_out([[GI:h_in[0-9]+]], a0, 8);
// CHECK-NEXT: float *[[GO:h_out[0-9]+]] = dl_alloc(14);
// CHECK: dlrt_all_gather([[GI]], in_shape, 2, /*dim=*/1, [[GO]], sizes, group, 3);
// CHECK: dl_copy_in([[G]], [[GO]], 14);
// all_reduce over two GPUs: NCCL in place on the dying buffer; staging
// when not built with NCCL or when the NCCL call returns 0 (the group's
// ranks share a GPU).
// CHECK: dlrt_trace_begin("dl.all_reduce
// CHECK-NEXT: #ifdef DL_USE_NCCL
// CHECK-NEXT: static const int [[NG:nccl_group[0-9]+]][] = {0, 1};
// CHECK-NEXT: if (!dlrt_nccl_all_reduce_sum([[R]], [[R]], 8, [[NG]], 2))
// CHECK-NEXT: #endif
// CHECK-NEXT: {
// CHECK-NEXT: float *[[AR:h_in[0-9]+]] = dl_alloc(8);
// CHECK-NEXT: dl_copy_out([[AR]], [[R]], 8);
// CHECK: dlrt_all_reduce_sum([[AR]], 8, group, 2);
// CHECK: dl_copy_in([[R]], [[AR]], 8);
// CHECK-NEXT: dl_free([[AR]], 8);
// CHECK-NEXT: }
// CHECK-NEXT: dlrt_trace_end();
// CHECK: dlrt_reduce_scatter_sum({{h_in[0-9]+}}, in_shape, 2, /*dim=*/1, {{h_out[0-9]+}}, sizes, group, 2);
// broadcast of a surviving input over two GPUs: NCCL out of place.
// CHECK: float *[[B:t[0-9]+]] = dl_dev_alloc(8);
// CHECK: #ifdef DL_USE_NCCL
// CHECK: if (!dlrt_nccl_broadcast(a0, [[B]], 8, /*root=*/0, [[NB:nccl_group[0-9]+]], 2))
// CHECK-NEXT: #endif
// CHECK: dlrt_broadcast({{h_in[0-9]+}}, 8, /*root=*/0, group, 2);
// broadcast over a group with the CPU rank 2: staging only.
// CHECK: float *[[B3:t[0-9]+]] = dl_dev_alloc(8);
// CHECK-NEXT: dlrt_trace_begin(
// CHECK-NEXT: float *[[B3H:h_in[0-9]+]] = dl_alloc(8);
// CHECK: dlrt_broadcast([[B3H]], 8, /*root=*/0, group, 3);
// CHECK-NEXT: }
// CHECK-NEXT: dl_copy_in([[B3]], [[B3H]], 8);
// CHECK-NOT: #endif
// CHECK: dlrt_halo_exchange({{h_in[0-9]+}}, in_shape, 4, /*dim=*/2, {{h_out[0-9]+}},
// CHECK: dl_all_to_all({{h_in[0-9]+}}, in_shape, 2, /*split_dim=*/1, /*concat_dim=*/0, {{h_out[0-9]+}}, group, 2);
// all_gather along the outer dim with equal sizes: NCCL's flat gather.
// CHECK: float *[[F:t[0-9]+]] = dl_dev_alloc(16);
// CHECK: #ifdef DL_USE_NCCL
// CHECK: if (!dlrt_nccl_all_gather(a0, [[F]], 8, {{nccl_group[0-9]+}}, 2))
// CHECK-NEXT: #endif
// CHECK: dlrt_all_gather({{h_in[0-9]+}}, in_shape, 2, /*dim=*/0, {{h_out[0-9]+}}, sizes, group, 2);
// CHECK: dlrt_barrier(group, 3);
// CHECK: out[0] = dl_alloc(16);
// CHECK-NEXT: dl_copy_out(out[0], {{t[0-9]+}}, 16);

module attributes {dl.cluster = #dl.cluster<name = "mixed", topology = full, bandwidth = 1.0e9,
    latency = 1.0e-5, devices = [
      #dl.device<name = "g0", kind = gpu, flops = 1.0e13, mem_bw = 1.0e12,
                 memory = 1073741824, power_active = 300.0,
                 power_idle = 50.0, host = "localhost">,
      #dl.device<name = "g1", kind = gpu, flops = 1.0e13, mem_bw = 1.0e12,
                 memory = 1073741824, power_active = 300.0,
                 power_idle = 50.0, host = "localhost">,
      #dl.device<name = "c2", kind = cpu, flops = 1.0e11, mem_bw = 1.0e10,
                 memory = 1073741824, power_active = 60.0, power_idle = 10.0,
                 host = "localhost">]>} {
func.func @comm(%x: tensor<2x4xf32>, %img: tensor<1x2x4x5xf32>)
    -> (tensor<2x8xf32>, tensor<2x3xf32>, tensor<2x4xf32>,
        tensor<1x2x6x5xf32>, tensor<4x2xf32>, tensor<4x4xf32>,
        tensor<2x4xf32>)
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
  %b = dl.broadcast %x root 0 group [0, 1] : tensor<2x4xf32>
  %b3 = dl.broadcast %x root 0 group [0, 1, 2] : tensor<2x4xf32>
  %h = dl.halo_exchange %img dim 2 prev 0 next 2 recv [1, 1] send [2, 1]
      : tensor<1x2x4x5xf32> -> tensor<1x2x6x5xf32>
  %a2a = dl.all_to_all %x split_dim 1 concat_dim 0 group [0, 1]
      : tensor<2x4xf32> -> tensor<4x2xf32>
  %flat = dl.all_gather %x dim 0 group [0, 1] sizes [2, 2]
      : tensor<2x4xf32> -> tensor<4x4xf32>
  dl.barrier group [0, 1, 2]
  return %ar2, %rs, %b, %h, %a2a, %flat, %b3 : tensor<2x8xf32>,
      tensor<2x3xf32>, tensor<2x4xf32>, tensor<1x2x6x5xf32>, tensor<4x2xf32>,
      tensor<4x4xf32>, tensor<2x4xf32>
}
}
