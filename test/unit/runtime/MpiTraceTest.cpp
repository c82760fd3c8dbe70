//===- MpiTraceTest.cpp - Trace and stats output of dlrt --------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Run as `MpiTraceTest --trace T.json --stats S.json` under mpirun. Checks
/// that dlrt_init strips the runtime options from argv, records nested
/// spans and communication, and (via check_trace.py) that the files rank 0
/// writes at finalize are well-formed.
///
//===----------------------------------------------------------------------===//

#include "dlrt/dlrt.h"

#include <cstdio>
#include <vector>

int main(int argc, char **argv) {
  dlrt_init(&argc, &argv);
  int me = dlrt_rank(), P = dlrt_size();
  if (argc != 1) {
    std::fprintf(stderr, "rank %d: runtime options not stripped (argc=%d)\n",
                 me, argc);
    return 1;
  }
  std::vector<int> world(P);
  for (int i = 0; i < P; ++i)
    world[i] = i;
  std::vector<float> v(256, 1.f);
  for (int it = 0; it < 3; ++it) {
    dlrt_trace_begin("layer");
    dlrt_trace_begin("matmul");
    std::vector<float> y(64 * 64);
    dlrt_matmul(v.data(), 16, 16, v.data(), 16, y.data());
    dlrt_trace_end();
    dlrt_all_reduce_sum(v.data(), 256, world.data(), P);
    dlrt_trace_end();
  }
  if (me == 0)
    dlrt_send(v.data(), 10, 1, 0);
  if (me == 1)
    dlrt_recv(v.data(), 10, 0, 0);
  dlrt_print_stats_line();
  dlrt_finalize();
  return 0;
}
