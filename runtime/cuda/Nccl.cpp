//===- Nccl.cpp - NCCL collectives for dl's CUDA programs -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements include/dlrt/dlrt_nccl.h: one NCCL communicator per
// group of world ranks, bootstrapped over MPI and cached, and the
// collectives the emitted CUDA programs use between GPU ranks.
//
//===----------------------------------------------------------------------===//

#include "dlrt/dlrt_nccl.h"

#include <cuda_runtime.h>
#include <mpi.h>
#include <nccl.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <vector>

namespace {

[[noreturn]] void fail(const char *op, const char *what) {
  int rank = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::fprintf(stderr, "rank%d: error: %s: %s\n", rank, op, what);
  MPI_Abort(MPI_COMM_WORLD, 2);
  std::exit(2);
}

void check(ncclResult_t r, const char *op) {
  if (r != ncclSuccess)
    fail(op, ncclGetErrorString(r));
}

void check(cudaError_t e, const char *op) {
  if (e != cudaSuccess)
    fail(op, cudaGetErrorString(e));
}

struct Comm {
  ncclComm_t comm;
  /// This rank's index in the group.
  int index;
};

std::map<std::vector<int>, Comm> &comms() {
  static std::map<std::vector<int>, Comm> map;
  return map;
}

void destroyAll() {
  for (auto &[group, c] : comms())
    ncclCommDestroy(c.comm);
  comms().clear();
}

/// The communicator of `group` (created collectively over the group on
/// first use).
const Comm &getComm(const int *group, int size, const char *op) {
  std::vector<int> key(group, group + size);
  auto it = comms().find(key);
  if (it != comms().end())
    return it->second;
  int me = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &me);
  int index = -1;
  for (int i = 0; i < size; ++i)
    if (group[i] == me)
      index = i;
  if (index < 0)
    fail(op, "this rank is not a member of the group");
  // An MPI communicator of exactly the group, ranks in group order.
  MPI_Group world, sub;
  MPI_Comm_group(MPI_COMM_WORLD, &world);
  MPI_Group_incl(world, size, group, &sub);
  MPI_Comm mpi;
  if (MPI_Comm_create_group(MPI_COMM_WORLD, sub, /*tag=*/7311, &mpi) !=
      MPI_SUCCESS)
    fail(op, "MPI_Comm_create_group failed");
  ncclUniqueId id;
  if (index == 0)
    check(ncclGetUniqueId(&id), op);
  MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, mpi);
  MPI_Comm_free(&mpi);
  MPI_Group_free(&sub);
  MPI_Group_free(&world);
  Comm c;
  c.index = index;
  check(ncclCommInitRank(&c.comm, size, id, index), op);
  if (comms().empty())
    std::atexit(destroyAll);
  return comms().emplace(std::move(key), c).first->second;
}

void finish(const char *op) { check(cudaStreamSynchronize(0), op); }

} // namespace

extern "C" void dlrt_nccl_all_reduce_sum(const float *in, float *out,
                                         int64_t n, const int *group,
                                         int group_size) {
  const char *op = "nccl all_reduce";
  const Comm &c = getComm(group, group_size, op);
  check(ncclAllReduce(in, out, static_cast<size_t>(n), ncclFloat, ncclSum,
                      c.comm, /*stream=*/0),
        op);
  finish(op);
}

extern "C" void dlrt_nccl_broadcast(const float *in, float *out, int64_t n,
                                    int root, const int *group,
                                    int group_size) {
  const char *op = "nccl broadcast";
  const Comm &c = getComm(group, group_size, op);
  int rootIndex = -1;
  for (int i = 0; i < group_size; ++i)
    if (group[i] == root)
      rootIndex = i;
  if (rootIndex < 0)
    fail(op, "the root is not a member of the group");
  check(ncclBroadcast(in, out, static_cast<size_t>(n), ncclFloat, rootIndex,
                      c.comm, /*stream=*/0),
        op);
  finish(op);
}

extern "C" void dlrt_nccl_all_gather(const float *in, float *out, int64_t n,
                                     const int *group, int group_size) {
  const char *op = "nccl all_gather";
  const Comm &c = getComm(group, group_size, op);
  check(ncclAllGather(in, out, static_cast<size_t>(n), ncclFloat, c.comm,
                      /*stream=*/0),
        op);
  finish(op);
}
