//===- ClusterPresets.cpp - Named cluster presets ---------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the named cluster presets. Their figures are nominal
// ones for planning (docs/presets.md cites where they come from);
// `calibrate` is the way to describe a real machine.
//
//===----------------------------------------------------------------------===//

#include "lib/Cluster/ClusterModel.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

using namespace mlir;
using namespace mlir::dl;

namespace {

/// Largest number of devices a preset may have.
constexpr int64_t kMaxPresetDevices = 64;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

/// A device with the given figures (memory in GiB).
ClusterDevice device(std::string name, DeviceKind kind, double flops,
                     double memBw, double memoryGiB, double powerActive,
                     double powerIdle, std::string host = "localhost") {
  ClusterDevice d;
  d.name = std::move(name);
  d.kind = kind;
  d.flops = flops;
  d.memBw = memBw;
  d.memory = static_cast<int64_t>(memoryGiB * kGiB);
  d.powerActive = powerActive;
  d.powerIdle = powerIdle;
  d.host = std::move(host);
  return d;
}

/// One CPU rank on a workstation or server: a conservative fraction of one
/// core's FP32 FMA peak and of a memory channel.
ClusterDevice cpuRank(std::string name, std::string host) {
  return device(std::move(name), DeviceKind::cpu, 2.0e10, 1.0e10, 2, 15.0, 5.0,
                std::move(host));
}

/// A Raspberry Pi 4 (4x Cortex-A72 at 1.5 GHz, 4 GiB LPDDR4).
ClusterDevice pi4(std::string name) {
  return device(std::move(name), DeviceKind::cpu, 13.5e9, 4.0e9, 4, 6.4, 2.7);
}

/// A Raspberry Pi 3 Model B (4x Cortex-A53 at 1.2 GHz, 1 GiB LPDDR2), the
/// board of the DeepThings and AOFL testbeds. Sustained rates are the FP32
/// NEON peak (19.2 GFLOP/s) and the LPDDR2 peak (3.6 GB/s) scaled by the
/// Pi 4 preset's sustained/peak ratios (13.5/48 and 4/12.8); docs/presets.md.
ClusterDevice pi3(std::string name) {
  return device(std::move(name), DeviceKind::cpu, 5.4e9, 1.1e9, 1, 3.7, 1.4);
}

/// A Snapdragon 800 phone (4x Krait 400 at 2.26 GHz, 2 GiB LPDDR3-1600, the
/// LG Nexus 5 class of MoDNN's testbed), scaled like `pi3`.
ClusterDevice phone(std::string name) {
  return device(std::move(name), DeviceKind::cpu, 20.3e9, 4.0e9, 2, 4.0, 1.0);
}

/// A data-center GPU of the A100 class (FP32 peak, HBM2).
ClusterDevice gpu(std::string name) {
  return device(std::move(name), DeviceKind::gpu, 1.95e13, 1.555e12, 40, 400.0,
                50.0);
}

/// Shared 802.11 medium between edge boards: effective throughput and
/// round-trip-halved latency of a busy 2.4 GHz network.
constexpr double kWifiBandwidth = 40.0e6 / 8;
constexpr double kWifiLatency = 2.0e-3;

/// Shared-memory transport between ranks of one machine.
constexpr double kShmBandwidth = 1.0e10;
constexpr double kShmLatency = 1.0e-6;

/// 10 Gbit/s Ethernet between nodes.
constexpr double kEthBandwidth = 10.0e9 / 8;
constexpr double kEthLatency = 5.0e-5;

/// NVLink-class GPU-to-GPU links.
constexpr double kNvlinkBandwidth = 1.0e11;
constexpr double kNvlinkLatency = 2.0e-6;

/// Raspberry Pi 3 on-board 802.11n (1x1, 2.4 GHz, 72 Mbit/s PHY rate):
/// effective TCP throughput.
constexpr double kPi3WifiBandwidth = 25.0e6 / 8;

/// DGX A100: NVLink 3 through NVSwitch, 600 GB/s per GPU in both directions
/// together (300 GB/s each way), and one 200 Gbit/s HDR InfiniBand adapter
/// per GPU between nodes.
constexpr int64_t kDgxGpus = 8;
constexpr double kNvswitchBandwidth = 3.0e11;
constexpr double kInfinibandBandwidth = 200.0e9 / 8;
constexpr double kInfinibandLatency = 5.0e-6;

/// Parses the `N` of `<prefix>N`: a decimal without leading zeros.
std::optional<int64_t> parseCount(StringRef text) {
  int64_t n;
  if (text.empty() || (text.size() > 1 && text.front() == '0') ||
      !llvm::all_of(text, llvm::isDigit) || text.getAsInteger(10, n))
    return std::nullopt;
  return n;
}

std::optional<int64_t> presetSize(StringRef name, StringRef prefix) {
  if (!name.consume_front(prefix))
    return std::nullopt;
  std::optional<int64_t> n = parseCount(name);
  if (!n || *n < 1 || *n > kMaxPresetDevices)
    return std::nullopt;
  return n;
}

/// `n` devices made by `make` from `<prefix><i>`, all linked alike.
Cluster uniformPreset(const Twine &name, Topology topology, double bandwidth,
                      double latency, int64_t n, StringRef prefix,
                      ClusterDevice (*make)(std::string)) {
  Cluster c;
  c.name = name.str();
  c.topology = topology;
  c.bandwidth = bandwidth;
  c.latency = latency;
  for (int64_t i = 0; i < n; ++i)
    c.devices.push_back(make((prefix + Twine(i)).str()));
  return c;
}

ClusterDevice localRank(std::string name) {
  return cpuRank(std::move(name), "localhost");
}

Cluster heteroEdgePreset() {
  Cluster c;
  c.name = "hetero-edge-3";
  c.topology = Topology::shared;
  c.bandwidth = kWifiBandwidth;
  c.latency = kWifiLatency;
  // A laptop-class board four times as fast as a Pi 4.
  ClusterDevice fast = pi4("fast");
  fast.flops = 54.0e9;
  fast.memBw = 12.8e9;
  fast.memory = static_cast<int64_t>(8 * kGiB);
  fast.powerActive = 15.0;
  fast.powerIdle = 5.0;
  c.devices.push_back(fast);
  c.devices.push_back(pi4("pi0"));
  c.devices.push_back(pi4("pi1"));
  return c;
}

Cluster multiNodePreset(int64_t nodes, int64_t ranks) {
  Cluster c;
  c.name = ("cluster-" + Twine(nodes) + "x" + Twine(ranks)).str();
  c.topology = Topology::full;
  c.bandwidth = kEthBandwidth;
  c.latency = kEthLatency;
  for (int64_t node = 0; node < nodes; ++node) {
    int64_t first = c.size();
    for (int64_t r = 0; r < ranks; ++r)
      c.devices.push_back(cpuRank(("n" + Twine(node) + "r" + Twine(r)).str(),
                                  ("node" + Twine(node)).str()));
    for (int64_t a = first; a < c.size(); ++a)
      for (int64_t b = a + 1; b < c.size(); ++b)
        c.links.push_back({a, b, kShmBandwidth, kShmLatency});
  }
  return c;
}

/// `nodes` DGX A100 systems: NVSwitch inside a node, InfiniBand between.
Cluster dgxPreset(int64_t nodes) {
  Cluster c;
  c.name = ("dgx-a100-" + Twine(nodes)).str();
  c.topology = Topology::full;
  c.bandwidth = kInfinibandBandwidth;
  c.latency = kInfinibandLatency;
  for (int64_t node = 0; node < nodes; ++node) {
    int64_t first = c.size();
    for (int64_t g = 0; g < kDgxGpus; ++g) {
      ClusterDevice d = gpu(("n" + Twine(node) + "g" + Twine(g)).str());
      d.host = ("dgx" + Twine(node)).str();
      c.devices.push_back(d);
    }
    for (int64_t a = first; a < c.size(); ++a)
      for (int64_t b = a + 1; b < c.size(); ++b)
        c.links.push_back({a, b, kNvswitchBandwidth, kNvlinkLatency});
  }
  return c;
}

} // namespace

std::optional<Cluster> mlir::dl::lookupPreset(StringRef name) {
  if (std::optional<int64_t> n = presetSize(name, "local-"))
    return uniformPreset(name, Topology::full, kShmBandwidth, kShmLatency, *n,
                         "cpu", localRank);
  if (std::optional<int64_t> n = presetSize(name, "edge-pi4-"))
    return uniformPreset(name, Topology::shared, kWifiBandwidth, kWifiLatency,
                         *n, "pi", pi4);
  if (std::optional<int64_t> n = presetSize(name, "gpu-"))
    return uniformPreset(name, Topology::full, kNvlinkBandwidth, kNvlinkLatency,
                         *n, "gpu", gpu);
  if (std::optional<int64_t> n = presetSize(name, "edge-pi3-"))
    return uniformPreset(name, Topology::shared, kPi3WifiBandwidth,
                         kWifiLatency, *n, "pi", pi3);
  if (std::optional<int64_t> n = presetSize(name, "phones-wifi-"))
    return uniformPreset(name, Topology::shared, kWifiBandwidth, kWifiLatency,
                         *n, "phone", phone);
  if (std::optional<int64_t> n = presetSize(name, "dgx-a100-");
      n && *n * kDgxGpus <= kMaxPresetDevices)
    return dgxPreset(*n);
  if (name == "hetero-edge-3")
    return heteroEdgePreset();
  if (name.consume_front("cluster-")) {
    auto [nodesText, ranksText] = name.split('x');
    std::optional<int64_t> nodes = parseCount(nodesText);
    std::optional<int64_t> ranks = parseCount(ranksText);
    if (nodes && ranks && *nodes >= 1 && *ranks >= 1 &&
        *nodes <= kMaxPresetDevices && *ranks <= kMaxPresetDevices &&
        *nodes * *ranks <= kMaxPresetDevices)
      return multiNodePreset(*nodes, *ranks);
  }
  return std::nullopt;
}

StringRef mlir::dl::describePresets() {
  return "presets: local-N, edge-pi4-N, edge-pi3-N, phones-wifi-N and gpu-N "
         "with N in 1..64, hetero-edge-3, cluster-NxM with N*M <= 64, "
         "dgx-a100-N with N in 1..8 (docs/presets.md)";
}
