// RUN: dl-translate --dl-to-cpp %s | FileCheck %s

// Shape ops: reshape/flatten and contiguous slices alias their source (no
// copy); concat, strided slices and insert_slice copy boxes. A
// tensor.empty used only as insert_slice destinations has no buffer: the
// first insert_slice allocates its result (nothing to copy), the next one,
// into that dying buffer, reuses it.

// CHECK-LABEL: void dl_run(
// CHECK: // dl.reshape at r (aliases its input)
// CHECK-NOT: dl_alloc
// CHECK: // dl.flatten at f (aliases its input)
// CHECK: float *[[CAT:t[0-9]+]] = dl_alloc(40);
// CHECK-NEXT: dlrt_trace_begin("dl.concat cat");
// CHECK-NEXT: {
// CHECK-NEXT: static const int64_t dst_shape[] = {2, 20};
// CHECK-NEXT: static const int64_t zero[] = {0, 0};
// CHECK-NEXT: static const int64_t src_shape0[] = {2, 12};
// CHECK-NEXT: static const int64_t dst_offsets0[] = {0, 0};
// CHECK-NEXT: dlrt_copy_box(a0, src_shape0, zero, [[CAT]], dst_shape, dst_offsets0, src_shape0, 2);
// CHECK-NEXT: static const int64_t src_shape1[] = {2, 8};
// CHECK-NEXT: static const int64_t dst_offsets1[] = {0, 12};
// CHECK-NEXT: dlrt_copy_box(a1, src_shape1, zero, [[CAT]], dst_shape, dst_offsets1, src_shape1, 2);
// Row 1 of a 2x12 tensor is contiguous: pointer arithmetic only.
// CHECK: // tensor.extract_slice at row
// CHECK-NEXT: //   contiguous: aliases its source at offset 12
// CHECK: float *[[COLS:t[0-9]+]] = dl_alloc(6);
// CHECK: static const int64_t src_shape[] = {2, 20};
// CHECK-NEXT: static const int64_t src_offsets[] = {0, 4};
// CHECK-NEXT: static const int64_t box[] = {2, 3};
// CHECK: dlrt_copy_box([[CAT]], src_shape, src_offsets, [[COLS]], box, zero, box, 2);
// CHECK: // tensor.empty
// CHECK-NEXT: // tensor.insert_slice at ins0
// CHECK-NEXT: float *[[E:t[0-9]+]] = dl_alloc(24);
// CHECK-NOT: memcpy
// CHECK: dlrt_trace_begin("tensor.insert_slice ins0");
// CHECK: static const int64_t dst_offsets[] = {0, 0};
// CHECK: dlrt_copy_box((a0 + 12), box, zero, [[E]], dst_shape, dst_offsets, box, 2);
// CHECK: dlrt_trace_begin("tensor.insert_slice ins1");
// CHECK: static const int64_t dst_offsets[] = {0, 4};
// CHECK: dlrt_copy_box([[COLS]], box, zero, [[E]], dst_shape, dst_offsets, box, 2);
// CHECK: out[0] = [[CAT]];
// CHECK: out[1] = dl_alloc(24);
// CHECK-NEXT: std::memcpy(out[1], a0, 24 * sizeof(float));
// CHECK: out[2] = [[E]];
func.func @shapes(%x: tensor<2x12xf32>, %y: tensor<2x8xf32>)
    -> (tensor<2x20xf32>, tensor<2x3x4xf32>, tensor<2x12xf32>)
    attributes {dl.device = 0 : i64} {
  %r = dl.reshape %x : tensor<2x12xf32> -> tensor<2x3x4xf32> loc("r")
  %r4 = dl.reshape %r : tensor<2x3x4xf32> -> tensor<2x3x2x2xf32>
  %f = dl.flatten %r4 : tensor<2x3x2x2xf32> -> tensor<2x12xf32> loc("f")
  %cat = dl.concat %f, %y {axis = 1 : i64}
      : (tensor<2x12xf32>, tensor<2x8xf32>) -> tensor<2x20xf32> loc("cat")
  %row = tensor.extract_slice %x[1, 0] [1, 12] [1, 1]
      : tensor<2x12xf32> to tensor<12xf32> loc("row")
  %cols = tensor.extract_slice %cat[0, 4] [2, 3] [1, 1]
      : tensor<2x20xf32> to tensor<2x3xf32>
  %e = tensor.empty() : tensor<2x12xf32>
  %i0 = tensor.insert_slice %row into %e[0, 0] [1, 12] [1, 1]
      : tensor<12xf32> into tensor<2x12xf32> loc("ins0")
  %i1 = tensor.insert_slice %cols into %i0[0, 4] [2, 3] [1, 1]
      : tensor<2x3xf32> into tensor<2x12xf32> loc("ins1")
  return %cat, %r, %i1 : tensor<2x20xf32>, tensor<2x3x4xf32>, tensor<2x12xf32>
}
