//===- Nccl.cpp - NCCL collectives for dl's CUDA programs -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements include/dlrt/dlrt_nccl.h: one NCCL communicator per
// group of world ranks, bootstrapped over MPI and cached, and the
// collectives the emitted CUDA programs use between GPU ranks. NCCL needs
// one GPU per rank (ncclCommInitRank fails with "Duplicate GPU detected"
// otherwise), so a group whose members share a GPU, or any group when
// DLRT_NCCL=0, gets no communicator: its collectives return 0 and the
// caller stages through host memory and MPI instead.
//
//===----------------------------------------------------------------------===//

#include "dlrt/dlrt_nccl.h"

#include <cuda_runtime.h>
#include <mpi.h>
#include <nccl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
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
  /// Null when the group cannot use NCCL (shared GPU or DLRT_NCCL=0).
  ncclComm_t comm = nullptr;
  /// This rank's index in the group.
  int index = -1;
};

std::map<std::vector<int>, Comm> &comms() {
  static std::map<std::vector<int>, Comm> map;
  return map;
}

void destroyAll() {
  for (auto &[group, c] : comms())
    if (c.comm)
      ncclCommDestroy(c.comm);
  comms().clear();
}

/// Where this rank runs: host name and PCI bus id of its current GPU, and
/// whether NCCL is enabled here (DLRT_NCCL unset or not "0").
struct Placement {
  char host[MPI_MAX_PROCESSOR_NAME];
  char busId[32];
  int enabled;
};

Placement localPlacement(const char *op) {
  Placement p;
  std::memset(&p, 0, sizeof(p));
  int len = 0;
  MPI_Get_processor_name(p.host, &len);
  int device = 0;
  check(cudaGetDevice(&device), op);
  check(cudaDeviceGetPCIBusId(p.busId, sizeof(p.busId), device), op);
  const char *env = std::getenv("DLRT_NCCL");
  p.enabled = !(env && std::strcmp(env, "0") == 0);
  return p;
}

/// Whether NCCL can serve the group (the same answer on every member): it
/// is enabled everywhere and no two members share a GPU. Otherwise the
/// group's first member says why, once.
bool ncclUsable(MPI_Comm mpi, const int *group, int size, const char *op) {
  Placement mine = localPlacement(op);
  std::vector<Placement> all(size);
  MPI_Allgather(&mine, sizeof(Placement), MPI_BYTE, all.data(),
                sizeof(Placement), MPI_BYTE, mpi);
  std::string why;
  for (int i = 0; i < size && why.empty(); ++i) {
    if (!all[i].enabled) {
      why = "DLRT_NCCL=0 on rank " + std::to_string(group[i]);
      break;
    }
    for (int j = i + 1; j < size && why.empty(); ++j)
      if (std::strcmp(all[i].host, all[j].host) == 0 &&
          std::strcmp(all[i].busId, all[j].busId) == 0)
        why = "ranks " + std::to_string(group[i]) + " and " +
              std::to_string(group[j]) + " share GPU " + all[i].busId + " on " +
              all[i].host + " (NCCL needs one GPU per rank)";
  }
  if (why.empty())
    return true;
  int me = -1;
  MPI_Comm_rank(mpi, &me);
  if (me == 0) {
    std::string list;
    for (int i = 0; i < size; ++i)
      list += (i ? ", " : "") + std::to_string(group[i]);
    std::fprintf(stderr,
                 "rank%d: note: %s; group [%s] communicates through host "
                 "memory and MPI instead of NCCL\n",
                 group[0], why.c_str(), list.c_str());
  }
  return false;
}

/// The communicator of `group` (created collectively over the group on
/// first use; `comm` stays null when NCCL cannot serve the group).
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
  Comm c;
  c.index = index;
  if (ncclUsable(mpi, group, size, op)) {
    ncclUniqueId id;
    if (index == 0)
      check(ncclGetUniqueId(&id), op);
    MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, mpi);
    check(ncclCommInitRank(&c.comm, size, id, index), op);
  }
  MPI_Comm_free(&mpi);
  MPI_Group_free(&sub);
  MPI_Group_free(&world);
  if (comms().empty())
    std::atexit(destroyAll);
  return comms().emplace(std::move(key), c).first->second;
}

void finish(const char *op) { check(cudaStreamSynchronize(0), op); }

} // namespace

extern "C" int dlrt_nccl_all_reduce_sum(const float *in, float *out, int64_t n,
                                        const int *group, int group_size) {
  const char *op = "nccl all_reduce";
  const Comm &c = getComm(group, group_size, op);
  if (!c.comm)
    return 0;
  check(ncclAllReduce(in, out, static_cast<size_t>(n), ncclFloat, ncclSum,
                      c.comm, /*stream=*/0),
        op);
  finish(op);
  return 1;
}

extern "C" int dlrt_nccl_broadcast(const float *in, float *out, int64_t n,
                                   int root, const int *group, int group_size) {
  const char *op = "nccl broadcast";
  const Comm &c = getComm(group, group_size, op);
  if (!c.comm)
    return 0;
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
  return 1;
}

extern "C" int dlrt_nccl_all_gather(const float *in, float *out, int64_t n,
                                    const int *group, int group_size) {
  const char *op = "nccl all_gather";
  const Comm &c = getComm(group, group_size, op);
  if (!c.comm)
    return 0;
  check(ncclAllGather(in, out, static_cast<size_t>(n), ncclFloat, c.comm,
                      /*stream=*/0),
        op);
  finish(op);
  return 1;
}
