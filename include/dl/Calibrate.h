//===- Calibrate.h - Measure this machine for a cluster file ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the calibration behind `dl-calibrate`: micro-benchmarks
// that measure this machine through the runtime library (GEMM and
// convolution throughput, memory bandwidth, MPI ping-pong latency and
// bandwidth between two local ranks) and the writer that turns the results
// into a cluster file (docs/cluster-format.md).
//
//===----------------------------------------------------------------------===//

#ifndef DL_CALIBRATE_H
#define DL_CALIBRATE_H

#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>
#include <string>

namespace mlir::dl {

/// What one calibration run measured. Rates are the best of several timed
/// runs after a warm-up.
struct MachineMeasurement {
  /// Threads the kernels ran with (OMP_NUM_THREADS, else the core count).
  int threads = 1;
  /// dlrt_dense throughput on an M x K x N GEMM [FLOP/s].
  double gemmFlops = 0;
  int64_t gemmSize = 0;
  /// dlrt_conv2d throughput on a 64->64 3x3 convolution over 56x56
  /// (reduction K = 576) [FLOP/s].
  double convFlops = 0;
  /// dlrt_conv2d throughput on a 4->32 3x3 convolution over 56x56 (K = 36)
  /// [FLOP/s].
  double convFlopsSmallK = 0;
  /// The convolution rate curve through both: rate(K) = convPeak * K /
  /// (K + convKHalf) (convKHalf 0 and convPeak = convFlops when the small
  /// reduction is not slower per FLOP).
  double convPeak = 0;
  double convKHalf = 0;
  /// Time of one call of a small kernel beyond its FLOPs at the rates
  /// above [s]: dlrt_dense on 16x16x16 (at gemmFlops) and dlrt_conv2d 8->8
  /// 3x3 over 8x8 (K = 72, at the curve's rate); `kernelOverhead` is the
  /// smaller.
  double gemmOverhead = 0;
  double convOverhead = 0;
  double kernelOverhead = 0;
  /// Streaming-copy bandwidth, bytes read plus bytes written [B/s].
  double memBw = 0;
  int64_t memBufferBytes = 0;
  /// MemTotal of /proc/meminfo [B].
  int64_t memTotal = 0;
  /// Whether the two-rank ping-pong ran.
  bool haveLink = false;
  /// Half the round-trip time of an 8-byte message [s].
  double latency = 0;
  /// 4 MiB message size over its half round-trip time less `latency` [B/s].
  double bandwidth = 0;
};

/// The period of this process's cgroup CPU quota [s], 0 without a quota.
/// The compute and memory benchmarks time runs of at least 25 periods.
double cpuQuotaPeriodSeconds();

/// Measures dlrt_dense throughput on a size x size x size GEMM [FLOP/s].
double measureGemmFlops(int64_t size, int repeats);

/// Measures dlrt_conv2d throughput on a batch-1 64->64 3x3 convolution with
/// padding 1 over 56x56 [FLOP/s].
double measureConvFlops(int repeats);

/// Measures dlrt_conv2d throughput on a batch-1 `c`->`oc` `k`x`k`
/// convolution with padding k/2 over `hw`x`hw` [FLOP/s].
double measureConvRate(int64_t c, int64_t oc, int64_t hw, int64_t k,
                       int repeats);

/// Fits rate(K) = peak * K / (K + kHalf) through the rates `rateA` at
/// reduction `ka` and `rateB` at `kb` < `ka`; kHalf is 0 (peak = rateA)
/// when the shorter reduction is not slower per FLOP.
void fitConvCurve(double rateA, double ka, double rateB, double kb,
                  double &peak, double &kHalf);

/// Measures the time of one call of a small kernel beyond its FLOPs at the
/// given rates [s] (at least 0): dlrt_dense on 16x16x16 at `gemmFlops` into
/// `gemm`, dlrt_conv2d 8->8 3x3 over 8x8 at `convFlops` (the rate of its
/// reduction, 72) into `conv`.
void measureKernelOverheads(double gemmFlops, double convFlops, int repeats,
                            double &gemm, double &conv);

/// Measures streaming-copy bandwidth between two buffers of `bytes` each with
/// `threads` threads [B/s]; read and written bytes both count.
double measureMemoryBandwidth(int64_t bytes, int threads, int repeats);

/// Reads MemTotal from /proc/meminfo [B]; std::nullopt with `error` set when
/// it cannot.
std::optional<int64_t> readMemTotal(std::string &error);

/// Ping-pong between world ranks 0 and 1 through dlrt_send/dlrt_recv. Must
/// run on exactly two ranks after dlrt_init; every rank calls it. Sets
/// `latency` and `bandwidth` (meaningful on rank 0).
void measurePingPong(int roundTrips, double &latency, double &bandwidth);

/// Writes the cluster file describing `ranks` identical CPU devices on
/// localhost with the measured figures: memory is memTotal / ranks, links
/// the measured ping-pong figures (omitted for one rank).
std::string writeClusterYaml(const MachineMeasurement &m, int64_t ranks,
                             llvm::StringRef name);

/// Runs the `dl-calibrate` tool; returns the process exit code.
int runCalibrateTool(int argc, char **argv);

} // namespace mlir::dl

#endif // DL_CALIBRATE_H
