/*===- dlrt_nccl.h - NCCL collectives between GPU ranks ------------*- C -*-===*\
|*                                                                            *|
|* SPDX-License-Identifier: Apache-2.0                                        *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* Collectives on device buffers for the CUDA programs emitted by dl          *|
|* (compiled with -DDL_USE_NCCL, linked with -ldlrt_nccl -lnccl). Groups are  *|
|* lists of world ranks as in dlrt.h; the NCCL communicator of a group is     *|
|* created on first use, bootstrapped over MPI (ncclGetUniqueId on the        *|
|* group's first member, MPI_Bcast on an MPI communicator of the group), and  *|
|* cached. Every call is collective over its group, runs on the default       *|
|* stream and returns once the result is in place. dlrt_init must have been  *|
|* called; communicators are destroyed at exit.                               *|
|*                                                                            *|
|* NCCL needs one GPU per rank. When two members of a group share a GPU (or   *|
|* DLRT_NCCL=0 is set on a member), the group gets no communicator: every     *|
|* call on it does nothing and returns 0 on all members, and the caller       *|
|* communicates through host memory and MPI instead (the group's first        *|
|* member prints a note saying why). Otherwise the calls return 1.            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef DLRT_NCCL_H
#define DLRT_NCCL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out = element-wise sum of `in` (n floats) over the group; out may be in.
int dlrt_nccl_all_reduce_sum(const float *in, float *out, int64_t n,
                             const int *group, int group_size);

/// Copies n floats from world rank `root`'s `in` to every member's `out`
/// (out may be in; `in` is read on the root only).
int dlrt_nccl_broadcast(const float *in, float *out, int64_t n, int root,
                        const int *group, int group_size);

/// Concatenates every member's n floats of `in` in group order into `out`
/// (group_size * n floats).
int dlrt_nccl_all_gather(const float *in, float *out, int64_t n,
                         const int *group, int group_size);

#ifdef __cplusplus
}
#endif

#endif /* DLRT_NCCL_H */
