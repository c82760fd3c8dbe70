//===- ClusterModel.h - Devices and links a model runs on -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the cluster model: plain C++ descriptions of compute
// devices and the links between them, the link queries the cost model asks
// (with multi-hop routing for ring and star topologies), conversion to and
// from `#dl.cluster`, the YAML cluster-file reader and the named presets.
// docs/cluster-format.md describes the file format and the presets.
//
//===----------------------------------------------------------------------===//

#ifndef DL_LIB_CLUSTER_CLUSTERMODEL_H
#define DL_LIB_CLUSTER_CLUSTERMODEL_H

#include "dialects/DL/DLDialect.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class Operation;
} // namespace mlir

namespace mlir::dl {

/// One compute device (one MPI rank).
struct ClusterDevice {
  std::string name;
  DeviceKind kind = DeviceKind::cpu;
  /// Compute rate [FLOP/s]: every kernel's, or every kernel's but the
  /// convolutions' when `convFlops` is set.
  double flops = 0;
  /// Compute rate of convolutions [FLOP/s]; 0: `flops`. With `convKHalf`
  /// the rate approached by long reductions.
  double convFlops = 0;
  /// The reduction length K (input channels per group x kernel height x
  /// kernel width) at which a convolution runs at half of `convFlops`: a
  /// convolution with reduction K runs at convFlops * K / (K + convKHalf).
  /// 0: every convolution at `convFlops`.
  double convKHalf = 0;
  /// Fixed time of one kernel call [s] (a layer, or a layer's part or
  /// tile), charged on top of its roofline time.
  double kernelOverhead = 0;
  /// Memory bandwidth [B/s].
  double memBw = 0;
  /// Memory capacity [B].
  int64_t memory = 0;
  /// Power drawn while computing and while idle [W].
  double powerActive = 0;
  double powerIdle = 0;
  /// Host the rank runs on (MPI host name).
  std::string host = "localhost";
};

/// A bidirectional link between devices `from` and `to` (indices into
/// `Cluster::devices`).
struct ClusterLink {
  int64_t from = 0;
  int64_t to = 0;
  /// Bandwidth [B/s].
  double bandwidth = 0;
  /// Latency [s].
  double latency = 0;
};

/// A route between two devices: the links it crosses and what it offers.
struct ClusterRoute {
  /// Number of links crossed (0 from a device to itself).
  int64_t hops = 0;
  /// Bottleneck bandwidth [B/s] (the minimum over the links; +inf for 0
  /// hops).
  double bandwidth = 0;
  /// Sum of the latencies of the links crossed [s].
  double latency = 0;
};

/// A set of devices and the network between them.
///
/// Topology semantics (see docs/cluster-format.md):
///  * `full`: a switched network; every pair talks directly over its
///    explicit link, or the default bandwidth/latency;
///  * `shared`: as `full`, but all transfers share one medium (Wi-Fi), so
///    concurrent transfers serialize (`sharedMedium()`);
///  * `ring`: device i is wired to i-1 and i+1 (mod n); other pairs route
///    over the shorter arc (latency adds, bandwidth is the minimum) unless
///    an explicit link joins them directly;
///  * `star`: device 0 is the hub; two leaves route over the hub unless an
///    explicit link joins them directly.
struct Cluster {
  std::string name;
  Topology topology = Topology::full;
  /// Bandwidth [B/s] and latency [s] of every direct link not listed in
  /// `links`.
  double bandwidth = 0;
  double latency = 0;
  std::vector<ClusterDevice> devices;
  std::vector<ClusterLink> links;

  int64_t size() const { return static_cast<int64_t>(devices.size()); }

  /// Index of the device called `name`, if any.
  std::optional<int64_t> findDevice(llvm::StringRef name) const;

  /// The explicit link between `i` and `j` (either direction), if any.
  const ClusterLink *findLink(int64_t i, int64_t j) const;

  /// Whether `i` and `j` are wired directly under the topology: always for
  /// `full`/`shared`; ring neighbours; the hub and a leaf for `star`; and any
  /// pair with an explicit link.
  bool isDirect(int64_t i, int64_t j) const;

  /// The route a transfer from `i` to `j` takes.
  ClusterRoute route(int64_t i, int64_t j) const;

  /// Bandwidth [B/s] available from `i` to `j` (+inf when i == j).
  double linkBandwidth(int64_t i, int64_t j) const {
    return route(i, j).bandwidth;
  }
  /// Latency [s] from `i` to `j` (0 when i == j).
  double linkLatency(int64_t i, int64_t j) const { return route(i, j).latency; }
  /// Alpha-beta time [s] to move `bytes` from `i` to `j`, ignoring
  /// contention.
  double transferTime(int64_t i, int64_t j, double bytes) const;

  /// Whether every transfer shares one medium (topology `shared`).
  bool sharedMedium() const { return topology == Topology::shared; }

  /// Checks the invariants `#dl.cluster` verifies, plus unique device
  /// names and no duplicate links. Returns an empty string when valid.
  std::string validate() const;

  /// Converts to the `#dl.cluster` attribute (without the devices'
  /// `convFlops` and `kernelOverhead`: see `attachTo`).
  ClusterAttr toAttr(MLIRContext *ctx) const;
  /// Converts from a `#dl.cluster` attribute.
  static Cluster fromAttr(ClusterAttr attr);

  /// Whether some device has a `convFlops`, `convKHalf` or
  /// `kernelOverhead`.
  bool hasKernelRates() const;
  /// Sets the `dl.cluster` attribute of `module` and, when some device has
  /// kernel rates, the `dl.kernel_rates` attribute that carries them (one
  /// dictionary per device with `conv_flops`, `conv_k_half` and
  /// `kernel_overhead`, f64);
  /// removes a stale `dl.kernel_rates` otherwise.
  void attachTo(Operation *module) const;
  /// The cluster `attachTo` set on `module` (`dl.cluster` and, if present,
  /// `dl.kernel_rates`), or nothing if it has no `dl.cluster`.
  static std::optional<Cluster> fromModule(Operation *module);
};

/// Name of the module attribute that carries the devices' kernel rates
/// next to `dl.cluster` (verified by the DL dialect).
constexpr llvm::StringLiteral kKernelRatesAttrName = "dl.kernel_rates";

/// Parses a YAML cluster description held in `text`. `bufferName` names it
/// in diagnostics. On failure returns std::nullopt and sets `error` to one
/// `NAME:LINE:COL: error: reason` line per problem.
std::optional<Cluster> parseClusterYaml(llvm::StringRef text,
                                        llvm::StringRef bufferName,
                                        std::string &error);

/// Reads and parses the YAML cluster file at `path`.
std::optional<Cluster> parseClusterFile(llvm::StringRef path,
                                        std::string &error);

/// Returns the named preset (`local-N`, `edge-pi4-N`, `hetero-edge-3`,
/// `gpu-N`, `cluster-NxM`), or std::nullopt if `name` is none of them.
std::optional<Cluster> lookupPreset(llvm::StringRef name);

/// A one-line-per-preset description of the preset names, for help texts
/// and errors.
llvm::StringRef describePresets();

/// Loads `fileOrPreset`: an existing path is read as a YAML file, anything
/// else is looked up as a preset. On failure returns std::nullopt and sets
/// `error` (file errors are `FILE:LINE:COL: error: reason`).
std::optional<Cluster> loadCluster(llvm::StringRef fileOrPreset,
                                   std::string &error);

//===----------------------------------------------------------------------===//
// Unit parsing (exposed for tests)
//===----------------------------------------------------------------------===//

/// Each parser accepts a plain number in the base unit or a number followed
/// by a unit, optionally separated by blanks. On failure returns
/// std::nullopt and sets `error` to a reason. The parsers do not check signs.

/// Bytes: B, kB/KB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB.
std::optional<double> parseBytes(llvm::StringRef text, std::string &error);
/// Bytes per second: the byte units with `/s`, bit/s, kbit/s, Mbit/s,
/// Gbit/s, Tbit/s, and bps, kbps, Mbps, Gbps.
std::optional<double> parseBandwidth(llvm::StringRef text, std::string &error);
/// Seconds: s, ms, us, µs, ns.
std::optional<double> parseDuration(llvm::StringRef text, std::string &error);
/// FLOP/s: FLOP/s, kFLOP/s, MFLOP/s, GFLOP/s, TFLOP/s, PFLOP/s and the
/// FLOPS spellings.
std::optional<double> parseFlops(llvm::StringRef text, std::string &error);
/// Watts: W, mW, kW.
std::optional<double> parsePower(llvm::StringRef text, std::string &error);

} // namespace mlir::dl

#endif // DL_LIB_CLUSTER_CLUSTERMODEL_H
