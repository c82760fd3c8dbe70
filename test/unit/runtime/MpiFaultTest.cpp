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
/// MpiFaultTest plan-size|plan-hash|plan-rank|plan-absent: the start-up
/// check of generated programs (dlrt_check_plan) with a plan of one rank
/// more than the job, rank 1 on another plan hash, rank 2 claiming to be
/// rank 1, or rank 1 never calling the check.
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
  if (!std::strncmp(argv[1], "plan-", 5)) {
    const char *what = argv[1] + 5;
    int ranks = !std::strcmp(what, "size") ? P + 1 : P;
    uint64_t hash = !std::strcmp(what, "hash") && me == 1 ? 0xbad : 0x600d;
    int claimed = !std::strcmp(what, "rank") && me == 2 ? 1 : me;
    if (!std::strcmp(what, "absent") && me == 1)
      sleep(120);
    dlrt_check_plan(claimed, ranks, hash);
    dlrt_finalize();
    return 0;
  }
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
