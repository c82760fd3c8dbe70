//===- Calibrate.cpp - Measure this machine for a cluster file --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements `dl-calibrate`: micro-benchmarks over the runtime
// library and the writer of the cluster file they describe.
//
// The compute and memory benchmarks run in the process itself. The MPI
// ping-pong needs two ranks: when the tool is not running under mpirun it
// re-executes itself as `mpirun -np 2 dl-calibrate --ping-pong-out=FILE`
// (the child ranks write their figures to FILE and exit); when mpirun
// started it with two ranks, both ranks measure the ping-pong, rank 1 exits
// and rank 0 goes on with the rest.
//
//===----------------------------------------------------------------------===//

#include "dl/Calibrate.h"
#include "dlrt/dlrt.h"
#include "lib/Cluster/ClusterModel.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <thread>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace mlir;
using namespace mlir::dl;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Timing helpers
//===----------------------------------------------------------------------===//

/// The period of the CPU bandwidth limit of this process's cgroup (cgroup
/// v2 `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`) when a quota
/// is set, else 0.
double mlir::dl::cpuQuotaPeriodSeconds() {
  auto readLine = [](const std::string &path) {
    std::ifstream in(path);
    std::string text;
    std::getline(in, text);
    return text;
  };
  auto readNumber = [&](const std::string &path, double &value) {
    return llvm::to_float(StringRef(readLine(path)).trim(), value);
  };
  std::ifstream cgroups("/proc/self/cgroup");
  std::string line;
  while (std::getline(cgroups, line)) {
    // ID:CONTROLLERS:PATH; the v2 hierarchy has no controller list.
    auto [id, rest] = StringRef(line).split(':');
    auto [controllers, path] = rest.split(':');
    double quota = 0, period = 0;
    if (controllers.empty()) {
      auto [q, p] =
          StringRef(readLine("/sys/fs/cgroup" + path.str() + "/cpu.max"))
              .split(' ');
      if (q == "max" || !llvm::to_float(q, quota) ||
          !llvm::to_float(p.trim(), period))
        continue;
    } else {
      llvm::SmallVector<StringRef> names;
      controllers.split(names, ',');
      if (!llvm::is_contained(names, "cpu"))
        continue;
      std::string dir = "/sys/fs/cgroup/" + controllers.str() + path.str();
      if (!readNumber(dir + "/cpu.cfs_quota_us", quota) ||
          !readNumber(dir + "/cpu.cfs_period_us", period))
        continue;
    }
    if (quota > 0 && period > 0)
      return period * 1e-6;
  }
  return 0;
}

/// The shortest timed run: `minSeconds`, or 25 periods of a CPU quota. A run
/// shorter than a few periods can fall inside the quota's burst (the rank
/// runs at the core's full speed until the quota is spent), and the best
/// of several such runs would report that burst's speed.
static double timedRunSeconds(double minSeconds) {
  static const double floor = 25 * cpuQuotaPeriodSeconds();
  return std::max(minSeconds, floor);
}

/// Runs `body` once as a warm-up, then `repeats` timed runs of at least
/// `minSeconds` each (the body is called as often as needed) and returns the
/// best rate of `work` units per second.
static double bestRate(double work, int repeats, double minSeconds,
                       const std::function<void()> &body) {
  body();
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    int64_t calls = 0;
    double start = dlrt_now(), elapsed = 0;
    do {
      body();
      ++calls;
      elapsed = dlrt_now() - start;
    } while (elapsed < minSeconds);
    if (elapsed > 0)
      best = std::max(best, work * static_cast<double>(calls) / elapsed);
  }
  return best;
}

/// Deterministic, non-trivial fill so that no kernel sees denormals or zeros.
static void fillPattern(std::vector<float> &v) {
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = 0.001f * static_cast<float>(static_cast<int>(i % 1997) - 998);
}

//===----------------------------------------------------------------------===//
// Benchmarks
//===----------------------------------------------------------------------===//

double mlir::dl::measureGemmFlops(int64_t size, int repeats) {
  std::vector<float> x(size * size), w(size * size), y(size * size);
  fillPattern(x);
  fillPattern(w);
  double flops = 2.0 * static_cast<double>(size) * size * size;
  return bestRate(flops, repeats, timedRunSeconds(0.05), [&] {
    dlrt_dense(x.data(), size, size, w.data(), /*bias=*/nullptr, size,
               y.data());
  });
}

double mlir::dl::measureConvRate(int64_t c, int64_t oc, int64_t hw, int64_t k,
                                 int repeats) {
  const int64_t h = hw, w = hw, pad = k / 2;
  std::vector<float> in(c * h * w), weight(oc * c * k * k), bias(oc),
      out(oc * h * w);
  fillPattern(in);
  fillPattern(weight);
  fillPattern(bias);
  double flops = 2.0 * oc * c * k * k * h * w;
  return bestRate(flops, repeats, timedRunSeconds(0.05), [&] {
    dlrt_conv2d(in.data(), 1, c, h, w, weight.data(), bias.data(), oc, k, k,
                /*stride=*/1, 1, pad, pad, pad, pad, /*dil=*/1, 1,
                /*groups=*/1, /*act=*/0, out.data(), h, w);
  });
}

double mlir::dl::measureConvFlops(int repeats) {
  return measureConvRate(64, 64, 56, 3, repeats);
}

void mlir::dl::fitConvCurve(double rateA, double ka, double rateB, double kb,
                            double &peak, double &kHalf) {
  // rateA / rateB = ka (kb + kHalf) / (kb (ka + kHalf)).
  double q = rateA / rateB * kb / ka;
  kHalf = q < 1 ? std::max(0.0, (q * ka - kb) / (1 - q)) : 0;
  peak = rateA * (ka + kHalf) / ka;
}

void mlir::dl::measureKernelOverheads(double gemmFlops, double convFlops,
                                      int repeats, double &gemm, double &conv) {
  const int64_t n = 16;
  std::vector<float> x(n * n), w(n * n), y(n * n);
  fillPattern(x);
  fillPattern(w);
  double calls = bestRate(1, repeats, timedRunSeconds(0.02), [&] {
    dlrt_dense(x.data(), n, n, w.data(), /*bias=*/nullptr, n, y.data());
  });
  gemm = std::max(0.0, 1 / calls - 2.0 * n * n * n / gemmFlops);

  const int64_t c = 8, hw = 8, k = 3;
  std::vector<float> in(c * hw * hw), weight(c * c * k * k), bias(c),
      out(c * hw * hw);
  fillPattern(in);
  fillPattern(weight);
  fillPattern(bias);
  calls = bestRate(1, repeats, timedRunSeconds(0.02), [&] {
    dlrt_conv2d(in.data(), 1, c, hw, hw, weight.data(), bias.data(), c, k, k,
                /*stride=*/1, 1, /*pad=*/1, 1, 1, 1, /*dil=*/1, 1,
                /*groups=*/1, /*act=*/0, out.data(), hw, hw);
  });
  conv = std::max(0.0, 1 / calls - 2.0 * c * c * k * k * hw * hw / convFlops);
}

/// Runs fn(begin, end) over [0, n) split into `threads` contiguous chunks.
static void parallelChunks(int64_t n, int threads,
                           const std::function<void(int64_t, int64_t)> &fn) {
  std::vector<std::thread> workers;
  int64_t chunk = (n + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) {
    int64_t begin = std::min(n, t * chunk), end = std::min(n, begin + chunk);
    workers.emplace_back(fn, begin, end);
  }
  for (std::thread &worker : workers)
    worker.join();
}

double mlir::dl::measureMemoryBandwidth(int64_t bytes, int threads,
                                        int repeats) {
  threads = std::max(1, threads);
  std::unique_ptr<char[]> src(new char[bytes]), dst(new char[bytes]);
  // First touch from the threads that will stream the pages.
  parallelChunks(bytes, threads, [&](int64_t b, int64_t e) {
    std::memset(src.get() + b, 1, e - b);
    std::memset(dst.get() + b, 0, e - b);
  });
  return bestRate(2.0 * static_cast<double>(bytes), repeats,
                  timedRunSeconds(0.0), [&] {
                    parallelChunks(bytes, threads, [&](int64_t b, int64_t e) {
                      std::memcpy(dst.get() + b, src.get() + b, e - b);
                    });
                  });
}

std::optional<int64_t> mlir::dl::readMemTotal(std::string &error) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileAsStream("/proc/meminfo");
  if (!buffer) {
    error = "cannot read /proc/meminfo: " + buffer.getError().message();
    return std::nullopt;
  }
  llvm::SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (StringRef line : lines) {
    if (!line.consume_front("MemTotal:"))
      continue;
    line = line.trim();
    int64_t kib = 0;
    if (!line.consume_back("kB") || line.trim().getAsInteger(10, kib) ||
        kib <= 0)
      break;
    return kib * 1024;
  }
  error = "no valid 'MemTotal: N kB' line in /proc/meminfo";
  return std::nullopt;
}

void mlir::dl::measurePingPong(int roundTrips, double &latency,
                               double &bandwidth) {
  const int64_t smallFloats = 2;       // 8 B
  const int64_t largeFloats = 1 << 20; // 4 MiB
  std::vector<float> buffer(largeFloats, 1.0f);
  bool leader = dlrt_rank() == 0;
  int peer = leader ? 1 : 0;
  auto roundTrip = [&](int64_t n) {
    if (leader) {
      dlrt_send(buffer.data(), n, peer, 11);
      dlrt_recv(buffer.data(), n, peer, 12);
    } else {
      dlrt_recv(buffer.data(), n, peer, 11);
      dlrt_send(buffer.data(), n, peer, 12);
    }
  };
  // Both ranks run the same loops: bestRate's timed runs end after a fixed
  // number of calls because minSeconds is 0.
  int largeTrips = std::max(4, roundTrips / 40);
  double smallRate = bestRate(2.0 * roundTrips, 3, 0.0, [&] {
    for (int i = 0; i < roundTrips; ++i)
      roundTrip(smallFloats);
  });
  double largeRate = bestRate(2.0 * largeTrips, 3, 0.0, [&] {
    for (int i = 0; i < largeTrips; ++i)
      roundTrip(largeFloats);
  });
  // Rates are one-way messages per second. The cost model prices a
  // message at latency + bytes / bandwidth: the large message's time less
  // the latency is what its bytes took.
  latency = smallRate > 0 ? 1.0 / smallRate : 0;
  double largeSeconds = largeRate > 0 ? 1.0 / largeRate : 0;
  double bytes = static_cast<double>(largeFloats * sizeof(float));
  bandwidth = largeSeconds > latency ? bytes / (largeSeconds - latency)
                                     : largeRate * bytes;
}

//===----------------------------------------------------------------------===//
// Cluster file
//===----------------------------------------------------------------------===//

/// Formats `value / scale` with six significant digits followed by `unit`.
static std::string quantity(double value, double scale, StringRef unit) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.6g", value / scale) << unit;
  return s;
}

std::string mlir::dl::writeClusterYaml(const MachineMeasurement &m,
                                       int64_t ranks, StringRef name) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "# Cluster file measured by dl-calibrate on this machine "
        "(docs/cluster-format.md).\n"
     << "# " << m.threads << " thread(s) per rank; best of several runs:\n";
  if (double period = cpuQuotaPeriodSeconds(); period > 0)
    os << "#   (a CPU quota with a " << quantity(period, 1e-6, " us")
       << " period: the compute and copy runs last "
       << quantity(25 * period, 1e-3, " ms") << " or more)\n";
  os << "#   GEMM (dlrt_dense " << m.gemmSize
     << "^3):        " << quantity(m.gemmFlops, 1e9, " GFLOP/s") << "\n"
     << "#   conv (dlrt_conv2d 64->64 3x3 56x56): "
     << quantity(m.convFlops, 1e9, " GFLOP/s") << "\n"
     << "#   conv (dlrt_conv2d 4->32 3x3 56x56): "
     << quantity(m.convFlopsSmallK, 1e9, " GFLOP/s") << "\n"
     << "#   conv rate curve: " << quantity(m.convPeak, 1e9, " GFLOP/s")
     << " * K / (K + " << llvm::format("%.6g", m.convKHalf)
     << ") for reduction K (576 and 36 above)\n"
     << "#   per-call overhead: dlrt_dense 16^3 "
     << quantity(m.gemmOverhead, 1e-6, " us") << ", dlrt_conv2d 8->8 3x3 8x8 "
     << quantity(m.convOverhead, 1e-6, " us") << "\n"
     << "#   streaming copy of " << (m.memBufferBytes >> 20)
     << " MiB:        " << quantity(m.memBw, 1e9, " GB/s")
     << " (read + written)\n"
     << "#   MemTotal " << m.memTotal << " B shared by " << ranks
     << " rank(s)\n";
  if (m.haveLink)
    os << "#   MPI ping-pong (2 local ranks): 8 B latency "
       << quantity(m.latency, 1e-6, " us") << ", 4 MiB bandwidth "
       << quantity(m.bandwidth, 1e9, " GB/s") << "\n";
  os << "name: " << name << "\n"
     << "topology: full\n";
  if (m.haveLink)
    os << "bandwidth: " << quantity(m.bandwidth, 1e9, "GB/s") << "\n"
       << "latency: " << quantity(m.latency, 1e-6, "us") << "\n";
  os << "defaults:\n"
     << "  kind: cpu\n"
     << "  flops: " << quantity(m.gemmFlops, 1e9, "GFLOP/s") << "\n"
     << "  conv_flops: " << quantity(m.convPeak, 1e9, "GFLOP/s") << "\n"
     << "  conv_k_half: " << llvm::format("%.6g", m.convKHalf) << "\n"
     << "  kernel_overhead: " << quantity(m.kernelOverhead, 1e-6, "us") << "\n"
     << "  mem_bw: " << quantity(m.memBw, 1e9, "GB/s") << "\n"
     << "  memory: " << m.memTotal / ranks << "\n"
     << "  host: localhost\n"
     << "devices:\n"
     << "  - name: cpu{i}\n"
     << "    count: " << ranks << "\n";
  return s;
}

//===----------------------------------------------------------------------===//
// The tool
//===----------------------------------------------------------------------===//

static int fail(const llvm::Twine &message) {
  llvm::errs() << "dl-calibrate: error: " << message << "\n";
  return 1;
}

/// Whether mpirun (Open MPI, or a PMI-based launcher) started this process.
static std::optional<int> launcherWorldSize() {
  for (const char *var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char *value = std::getenv(var)) {
      int size = 0;
      if (!StringRef(value).getAsInteger(10, size))
        return size;
    }
  return std::nullopt;
}

/// Threads a rank's kernels use: OMP_NUM_THREADS (its first entry) or the
/// number of online cores.
static int kernelThreads() {
  if (const char *value = std::getenv("OMP_NUM_THREADS")) {
    int threads = 0;
    if (!StringRef(value).split(',').first.trim().getAsInteger(10, threads) &&
        threads > 0)
      return threads;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

/// A cluster name from the host name, restricted to [A-Za-z0-9._-].
static std::string clusterName() {
  char host[256] = {0};
  std::string name;
  if (gethostname(host, sizeof(host) - 1) == 0)
    for (const char *p = host; *p; ++p)
      if (llvm::isAlnum(*p) || *p == '-' || *p == '_' || *p == '.')
        name += *p;
  return name.empty() ? "localhost" : name;
}

/// Ping-pong between two ranks started by mpirun; rank 0 keeps the result.
static void runPingPongRanks(bool quick, double &latency, double &bandwidth) {
  measurePingPong(quick ? 200 : 4000, latency, bandwidth);
}

/// Re-executes this tool under `mpirun -np 2` to measure the ping-pong.
static bool pingPongViaMpirun(const char *argv0, bool quick, double &latency,
                              double &bandwidth, std::string &error) {
  llvm::ErrorOr<std::string> mpirun = llvm::sys::findProgramByName("mpirun");
  if (!mpirun) {
    error = "cannot find mpirun on PATH (needed for the ping-pong between "
            "two ranks)";
    return false;
  }
  std::string self = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&runCalibrateTool));
  llvm::SmallString<128> resultPath, logPath;
  if (llvm::sys::fs::createTemporaryFile("dl-calibrate", "txt", resultPath) ||
      llvm::sys::fs::createTemporaryFile("dl-calibrate", "log", logPath)) {
    error = "cannot create a temporary file";
    return false;
  }
  llvm::FileRemover removeResult(resultPath), removeLog(logPath);

  std::vector<std::string> args = {
      *mpirun,     "-np",  "2",  "--oversubscribe",
      "--bind-to", "none", self, ("--ping-pong-out=" + resultPath).str()};
  if (quick)
    args.push_back("--quick");
  std::vector<StringRef> argRefs(args.begin(), args.end());

  // The children inherit the environment, may run as root, and run one
  // thread each: they only communicate.
  std::vector<std::string> env;
  for (char **e = environ; *e; ++e) {
    StringRef entry(*e);
    if (entry.starts_with("OMP_NUM_THREADS=") ||
        entry.starts_with("OMPI_ALLOW_RUN_AS_ROOT"))
      continue;
    env.push_back(entry.str());
  }
  env.push_back("OMP_NUM_THREADS=1");
  env.push_back("OMPI_ALLOW_RUN_AS_ROOT=1");
  env.push_back("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1");
  std::vector<StringRef> envRefs(env.begin(), env.end());

  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(*mpirun, argRefs, envRefs, redirects,
                                     /*SecondsToWait=*/300, 0, &execError);
  auto log = [&] {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> text =
        llvm::MemoryBuffer::getFile(logPath);
    return text ? (*text)->getBuffer().trim().str() : std::string();
  };
  if (rc != 0) {
    error =
        "the ping-pong under mpirun failed (" +
        (execError.empty() ? "exit code " + std::to_string(rc) : execError) +
        ")";
    if (std::string text = log(); !text.empty())
      error += ":\n" + text;
    return false;
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> result =
      llvm::MemoryBuffer::getFile(resultPath);
  StringRef latencyText, bandwidthText;
  if (result)
    std::tie(latencyText, bandwidthText) =
        (*result)->getBuffer().trim().split(' ');
  if (!result || !llvm::to_float(latencyText, latency) ||
      !llvm::to_float(bandwidthText, bandwidth) || !(bandwidth > 0)) {
    error = "the ping-pong under mpirun produced no result";
    return false;
  }
  return true;
}

int mlir::dl::runCalibrateTool(int argc, char **argv) {
  llvm::cl::OptionCategory category("dl-calibrate options");
  llvm::cl::opt<std::string> output(
      "o", llvm::cl::desc("Write the cluster file here (default: stdout)"),
      llvm::cl::value_desc("file"), llvm::cl::init("-"),
      llvm::cl::cat(category));
  llvm::cl::opt<int64_t> ranks(
      "ranks",
      llvm::cl::desc("Number of identical CPU ranks the file describes "
                     "(default: the number of online cores)"),
      llvm::cl::init(0), llvm::cl::cat(category));
  llvm::cl::opt<bool> quick(
      "quick", llvm::cl::desc("Short runs on smaller problems (less accurate)"),
      llvm::cl::cat(category));
  llvm::cl::opt<std::string> pingPongOut(
      "ping-pong-out",
      llvm::cl::desc("Measure only the link between the two ranks mpirun "
                     "started (e.g. on two hosts); rank 0 writes "
                     "'LATENCY_S BANDWIDTH_BYTES_PER_S' to this file"),
      llvm::cl::value_desc("file"), llvm::cl::cat(category));
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "dl-calibrate: measure this machine and write a cluster file\n\n"
      "Measures GEMM and convolution throughput through the dl runtime with\n"
      "OMP_NUM_THREADS threads, streaming memory bandwidth, and MPI\n"
      "ping-pong latency and bandwidth between two local ranks (re-running\n"
      "itself under `mpirun -np 2` unless mpirun started it with two ranks),\n"
      "and writes a cluster file (docs/cluster-format.md) describing --ranks\n"
      "identical CPU devices on localhost.\n");

  if (!ranks.getNumOccurrences())
    ranks = std::max(1u, std::thread::hardware_concurrency());
  if (ranks < 1 || ranks > 1024)
    return fail("--ranks must be in 1..1024, got " + llvm::Twine(ranks));

  MachineMeasurement m;
  std::optional<int> worldSize = launcherWorldSize();

  // Child of the re-execution: ping-pong only.
  if (!pingPongOut.empty()) {
    if (worldSize != 2)
      return fail("--ping-pong-out must run as one of two mpirun ranks");
    dlrt_init(&argc, &argv);
    runPingPongRanks(quick, m.latency, m.bandwidth);
    int status = 0;
    if (dlrt_rank() == 0) {
      std::error_code ec;
      llvm::raw_fd_ostream os(pingPongOut, ec);
      if (ec) {
        status = fail("cannot write '" + pingPongOut + "': " + ec.message());
      } else {
        os << llvm::format("%.9g %.9g\n", m.latency, m.bandwidth);
      }
    }
    dlrt_finalize();
    return status;
  }

  // Link figures first, while no kernel threads compete with the ranks.
  if (ranks > 1) {
    if (worldSize) {
      if (*worldSize != 2) {
        // Every rank fails; one says why.
        const char *rank = std::getenv("OMPI_COMM_WORLD_RANK");
        if (rank && StringRef(rank) != "0")
          return 1;
        return fail("started by mpirun with " + llvm::Twine(*worldSize) +
                    " ranks; run it with 2 ranks or without mpirun");
      }
      dlrt_init(&argc, &argv);
      runPingPongRanks(quick, m.latency, m.bandwidth);
      int rank = dlrt_rank();
      dlrt_finalize();
      if (rank != 0)
        return 0;
    } else {
      std::string error;
      if (!pingPongViaMpirun(argv[0], quick, m.latency, m.bandwidth, error))
        return fail(error);
    }
    m.haveLink = true;
  } else if (worldSize && *worldSize > 1) {
    return fail("--ranks 1 needs no MPI ranks; run it without mpirun");
  }

  std::string error;
  std::optional<int64_t> memTotal = readMemTotal(error);
  if (!memTotal)
    return fail(error);
  m.memTotal = *memTotal;
  if (m.memTotal / ranks < 1)
    return fail("not enough memory for " + llvm::Twine(ranks) + " ranks");

  m.threads = kernelThreads();
  m.gemmSize = quick ? 256 : 512;
  m.gemmFlops = measureGemmFlops(m.gemmSize, quick ? 2 : 8);
  m.convFlops = measureConvFlops(quick ? 2 : 8);
  m.convFlopsSmallK = measureConvRate(4, 32, 56, 3, quick ? 2 : 8);
  fitConvCurve(m.convFlops, 576, m.convFlopsSmallK, 36, m.convPeak,
               m.convKHalf);
  measureKernelOverheads(m.gemmFlops, m.convPeak * 72 / (72 + m.convKHalf),
                         quick ? 2 : 8, m.gemmOverhead, m.convOverhead);
  m.kernelOverhead = std::min(m.gemmOverhead, m.convOverhead);
  m.memBufferBytes = (quick ? 32 : 256) << 20;
  m.memBw = measureMemoryBandwidth(m.memBufferBytes, m.threads, quick ? 2 : 6);
  if (!(m.gemmFlops > 0) || !(m.convFlops > 0) || !(m.convFlopsSmallK > 0) ||
      !(m.memBw > 0))
    return fail("a benchmark measured no throughput");

  std::string yaml = writeClusterYaml(m, ranks, clusterName());
  // The file must load as written.
  std::string parseError;
  if (!parseClusterYaml(yaml, "<calibrated>", parseError))
    return fail("generated an invalid cluster file:\n" + parseError);

  std::error_code ec;
  llvm::ToolOutputFile out(output, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + output + "': " + ec.message());
  out.os() << yaml;
  out.keep();
  return 0;
}
