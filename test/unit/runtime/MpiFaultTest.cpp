//===- MpiFaultTest.cpp - A rank dies or hangs mid-job ----------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Usage: MpiFaultTest exit|kill|hang. Rank 1 exits, kills itself or hangs
/// before sending what every other rank waits for. The job must end with a
/// non-zero status within the timeout (checked by fault_test.sh).
///
//===----------------------------------------------------------------------===//

#include "dlrt/dlrt.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <vector>

int main(int argc, char **argv) {
  dlrt_init(&argc, &argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s exit|kill|hang|stall-group\n", argv[0]);
    return 2;
  }
  int me = dlrt_rank(), P = dlrt_size();
  std::vector<int> world(P);
  for (int i = 0; i < P; ++i)
    world[i] = i;
  dlrt_barrier(world.data(), P);
  float buf[4] = {};
  if (!std::strcmp(argv[1], "stall-group")) {
    // Rank 1 stalls while the others create the communicator of a group
    // that includes it (a non-world order forces a new communicator).
    if (me == 1)
      sleep(120);
    std::vector<int> group(world.rbegin(), world.rend());
    dlrt_all_reduce_sum(buf, 4, group.data(), P);
    dlrt_finalize();
    return 0;
  }
  if (me == 1) {
    if (!std::strcmp(argv[1], "exit"))
      _exit(1);
    if (!std::strcmp(argv[1], "kill"))
      raise(SIGKILL);
    sleep(120); // hang
  } else {
    dlrt_recv(buf, 4, 1, 7);
  }
  dlrt_finalize();
  return 0;
}
