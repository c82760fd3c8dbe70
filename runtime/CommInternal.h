//===- CommInternal.h - MPI helpers shared by dlrt sources ------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The polling waits of Comm.cpp for other translation units of libdlrt
/// that exchange their own messages (the parameter server of
/// TrainParamServer.cpp). Not installed and not part of the ABI.
///
//===----------------------------------------------------------------------===//

#ifndef DLRT_RUNTIME_COMMINTERNAL_H
#define DLRT_RUNTIME_COMMINTERNAL_H

#include <mpi.h>
#include <string>

namespace dlrt {
namespace detail {

/// Aborts the job naming `op` and MPI's message unless `rc` is MPI_SUCCESS.
void check(int rc, const char *op);

/// Completes `n` requests, polling until the communication timeout
/// (DLRT_TIMEOUT_S); then prints which peer (`peers[i]`, or the group) it
/// waited for and aborts the job with status 3.
void waitAll(MPI_Request *reqs, int n, const char *op, const int *peers,
             const int *group = nullptr, int groupSize = 0,
             MPI_Status *statuses = MPI_STATUSES_IGNORE);

/// Completes one of `n` requests (not all null) and returns its index;
/// after `seconds` (0: the communication timeout) prints `waitingFor` and
/// aborts the job with status 3.
int waitAny(MPI_Request *reqs, int n, MPI_Status *status, const char *op,
            const std::string &waitingFor, double seconds = 0);

/// The duplicate of MPI_COMM_WORLD that dlrt's point-to-point messages use.
MPI_Comm worldComm();

} // namespace detail
} // namespace dlrt

#endif // DLRT_RUNTIME_COMMINTERNAL_H
