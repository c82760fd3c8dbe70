//===- ClusterModel.cpp - Devices and links a model runs on -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the cluster model queries (direct links and routes
// over ring and star topologies), its validation, its conversion to and from
// `#dl.cluster`, and the parsers of quantities with units.
//
//===----------------------------------------------------------------------===//

#include "lib/Cluster/ClusterModel.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/Twine.h"
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::dl;

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

std::optional<int64_t> Cluster::findDevice(StringRef deviceName) const {
  for (auto [i, device] : llvm::enumerate(devices))
    if (device.name == deviceName)
      return static_cast<int64_t>(i);
  return std::nullopt;
}

const ClusterLink *Cluster::findLink(int64_t i, int64_t j) const {
  for (const ClusterLink &link : links)
    if ((link.from == i && link.to == j) || (link.from == j && link.to == i))
      return &link;
  return nullptr;
}

bool Cluster::isDirect(int64_t i, int64_t j) const {
  if (i == j)
    return false;
  if (findLink(i, j))
    return true;
  int64_t n = size();
  switch (topology) {
  case Topology::full:
  case Topology::shared:
    return true;
  case Topology::ring:
    return (i + 1) % n == j || (j + 1) % n == i;
  case Topology::star:
    return i == 0 || j == 0;
  }
  llvm_unreachable("unknown topology");
}

namespace {
/// The one-hop route over the direct link between `i` and `j`.
ClusterRoute directRoute(const Cluster &cluster, int64_t i, int64_t j) {
  if (const ClusterLink *link = cluster.findLink(i, j))
    return {1, link->bandwidth, link->latency};
  return {1, cluster.bandwidth, cluster.latency};
}

/// Appends `hop` to `route`.
void extend(ClusterRoute &route, const ClusterRoute &hop) {
  route.hops += hop.hops;
  route.bandwidth = std::min(route.bandwidth, hop.bandwidth);
  route.latency += hop.latency;
}

/// Whether `a` is the better of two routes: fewer hops, then more
/// bandwidth, then less latency.
bool betterRoute(const ClusterRoute &a, const ClusterRoute &b) {
  if (a.hops != b.hops)
    return a.hops < b.hops;
  if (a.bandwidth != b.bandwidth)
    return a.bandwidth > b.bandwidth;
  return a.latency < b.latency;
}
} // namespace

ClusterRoute Cluster::route(int64_t i, int64_t j) const {
  assert(i >= 0 && i < size() && j >= 0 && j < size() && "bad device index");
  if (i == j)
    return {0, std::numeric_limits<double>::infinity(), 0};
  if (isDirect(i, j))
    return directRoute(*this, i, j);
  const double inf = std::numeric_limits<double>::infinity();
  int64_t n = size();
  if (topology == Topology::ring) {
    // Walk both arcs of the ring and keep the better one.
    ClusterRoute forward{0, inf, 0}, backward{0, inf, 0};
    for (int64_t a = i; a != j; a = (a + 1) % n)
      extend(forward, directRoute(*this, a, (a + 1) % n));
    for (int64_t a = i; a != j; a = (a + n - 1) % n)
      extend(backward, directRoute(*this, a, (a + n - 1) % n));
    return betterRoute(backward, forward) ? backward : forward;
  }
  // Star: two leaves talk over the hub (device 0).
  assert(topology == Topology::star && "only ring and star route");
  ClusterRoute viaHub{0, inf, 0};
  extend(viaHub, directRoute(*this, i, 0));
  extend(viaHub, directRoute(*this, 0, j));
  return viaHub;
}

double Cluster::transferTime(int64_t i, int64_t j, double bytes) const {
  ClusterRoute r = route(i, j);
  if (r.hops == 0)
    return 0;
  return r.latency + bytes / r.bandwidth;
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

std::string Cluster::validate() const {
  std::string message;
  llvm::raw_string_ostream os(message);
  if (devices.empty()) {
    os << "cluster '" << name << "' has no devices";
    return message;
  }
  if (!(bandwidth > 0) || std::isinf(bandwidth)) {
    os << "cluster bandwidth must be positive and finite";
    return message;
  }
  if (!(latency >= 0) || std::isinf(latency)) {
    os << "cluster latency must be non-negative and finite";
    return message;
  }
  llvm::StringSet<> names;
  for (const ClusterDevice &d : devices) {
    if (d.name.empty())
      return "device name must not be empty";
    if (!names.insert(d.name).second) {
      os << "duplicate device name '" << d.name << "'";
      return message;
    }
    if (!(d.flops > 0) || !(d.memBw > 0) || d.memory <= 0) {
      os << "device '" << d.name << "' needs positive flops, mem_bw and memory";
      return message;
    }
    if (!(d.convFlops >= 0) || std::isinf(d.convFlops) || !(d.convKHalf >= 0) ||
        std::isinf(d.convKHalf) || !(d.kernelOverhead >= 0) ||
        std::isinf(d.kernelOverhead)) {
      os << "device '" << d.name
         << "' needs a non-negative, finite conv_flops, conv_k_half and "
            "kernel_overhead";
      return message;
    }
    if (!(d.powerActive >= 0) || !(d.powerIdle >= 0)) {
      os << "device '" << d.name << "' has negative power";
      return message;
    }
  }
  llvm::DenseSet<std::pair<int64_t, int64_t>> pairs;
  for (const ClusterLink &l : links) {
    if (l.from < 0 || l.to < 0 || l.from >= size() || l.to >= size()) {
      os << "link " << l.from << " -> " << l.to
         << " names a device outside [0, " << size() << ")";
      return message;
    }
    if (l.from == l.to) {
      os << "link from device " << l.from << " to itself";
      return message;
    }
    if (!(l.bandwidth > 0) || std::isinf(l.bandwidth) || !(l.latency >= 0) ||
        std::isinf(l.latency)) {
      os << "link " << l.from << " -> " << l.to
         << " needs a positive bandwidth and a non-negative latency";
      return message;
    }
    if (!pairs.insert({std::min(l.from, l.to), std::max(l.from, l.to)})
             .second) {
      os << "duplicate link between devices " << l.from << " and " << l.to;
      return message;
    }
  }
  return message;
}

//===----------------------------------------------------------------------===//
// Attribute conversion
//===----------------------------------------------------------------------===//

ClusterAttr Cluster::toAttr(MLIRContext *ctx) const {
  SmallVector<DeviceAttr> deviceAttrs;
  for (const ClusterDevice &d : devices)
    deviceAttrs.push_back(DeviceAttr::get(
        ctx, d.name, d.kind, APFloat(d.flops), APFloat(d.memBw), d.memory,
        APFloat(d.powerActive), APFloat(d.powerIdle), d.host));
  SmallVector<LinkAttr> linkAttrs;
  for (const ClusterLink &l : links)
    linkAttrs.push_back(LinkAttr::get(ctx, l.from, l.to, APFloat(l.bandwidth),
                                      APFloat(l.latency)));
  return ClusterAttr::get(ctx, name, topology, APFloat(bandwidth),
                          APFloat(latency), deviceAttrs, linkAttrs);
}

Cluster Cluster::fromAttr(ClusterAttr attr) {
  Cluster c;
  c.name = attr.getName().str();
  c.topology = attr.getTopology();
  c.bandwidth = attr.getBandwidth().convertToDouble();
  c.latency = attr.getLatency().convertToDouble();
  for (DeviceAttr d : attr.getDevices()) {
    ClusterDevice device;
    device.name = d.getName().str();
    device.kind = d.getKind();
    device.flops = d.getFlops().convertToDouble();
    device.memBw = d.getMemBw().convertToDouble();
    device.memory = d.getMemory();
    device.powerActive = d.getPowerActive().convertToDouble();
    device.powerIdle = d.getPowerIdle().convertToDouble();
    device.host = d.getHost().str();
    c.devices.push_back(std::move(device));
  }
  for (LinkAttr l : attr.getLinks())
    c.links.push_back({l.getFrom(), l.getTo(),
                       l.getBandwidth().convertToDouble(),
                       l.getLatency().convertToDouble()});
  return c;
}

bool Cluster::hasKernelRates() const {
  return llvm::any_of(devices, [](const ClusterDevice &d) {
    return d.convFlops > 0 || d.convKHalf > 0 || d.kernelOverhead > 0;
  });
}

void Cluster::attachTo(Operation *module) const {
  MLIRContext *ctx = module->getContext();
  module->setAttr(DLDialect::kClusterAttrName, toAttr(ctx));
  if (!hasKernelRates()) {
    module->removeAttr(kKernelRatesAttrName);
    return;
  }
  Builder b(ctx);
  SmallVector<Attribute> rates;
  for (const ClusterDevice &d : devices)
    rates.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("conv_flops", b.getF64FloatAttr(d.convFlops)),
         b.getNamedAttr("conv_k_half", b.getF64FloatAttr(d.convKHalf)),
         b.getNamedAttr("kernel_overhead",
                        b.getF64FloatAttr(d.kernelOverhead))}));
  module->setAttr(kKernelRatesAttrName, b.getArrayAttr(rates));
}

std::optional<Cluster> Cluster::fromModule(Operation *module) {
  auto attr = module->getAttrOfType<ClusterAttr>(DLDialect::kClusterAttrName);
  if (!attr)
    return std::nullopt;
  Cluster c = fromAttr(attr);
  // The dialect verifies the shape: one dictionary per device.
  if (auto rates = module->getAttrOfType<ArrayAttr>(kKernelRatesAttrName))
    for (auto [d, rate] : llvm::enumerate(rates.getValue())) {
      auto dict = dyn_cast<DictionaryAttr>(rate);
      if (!dict || d >= c.devices.size())
        break;
      if (auto v = dict.getAs<FloatAttr>("conv_flops"))
        c.devices[d].convFlops = v.getValueAsDouble();
      if (auto v = dict.getAs<FloatAttr>("conv_k_half"))
        c.devices[d].convKHalf = v.getValueAsDouble();
      if (auto v = dict.getAs<FloatAttr>("kernel_overhead"))
        c.devices[d].kernelOverhead = v.getValueAsDouble();
    }
  return c;
}

//===----------------------------------------------------------------------===//
// Quantities with units
//===----------------------------------------------------------------------===//

namespace {
struct Unit {
  StringLiteral spelling;
  double scale;
};

/// Parses `text` as a number optionally followed by one of `units` (the
/// empty spelling is the bare number). `what` names the quantity and
/// `expected` lists the units in errors.
std::optional<double> parseQuantity(StringRef text, ArrayRef<Unit> units,
                                    StringRef what, StringRef expected,
                                    std::string &error) {
  StringRef s = text.trim();
  size_t n = s.size(), i = 0;
  auto isDigit = [&](size_t k) { return k < n && llvm::isDigit(s[k]); };
  if (i < n && (s[i] == '+' || s[i] == '-'))
    ++i;
  size_t digits = 0;
  for (; isDigit(i); ++i)
    ++digits;
  if (i < n && s[i] == '.')
    for (++i; isDigit(i); ++i)
      ++digits;
  if (digits == 0) {
    error = ("invalid " + what + " '" + text + "': expected a number, " +
             "optionally followed by a unit (" + expected + ")")
                .str();
    return std::nullopt;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-'))
      ++j;
    if (isDigit(j)) {
      for (; isDigit(j); ++j) {
      }
      i = j;
    }
  }
  double value;
  if (s.take_front(i).getAsDouble(value) || !std::isfinite(value)) {
    error = ("invalid " + what + " '" + text + "': number out of range").str();
    return std::nullopt;
  }
  StringRef unit = s.drop_front(i).ltrim();
  for (const Unit &u : units)
    if (unit == u.spelling)
      return value * u.scale;
  error = ("invalid " + what + " '" + text + "': unknown unit '" + unit +
           "' (expected " + expected + ")")
              .str();
  return std::nullopt;
}
} // namespace

std::optional<double> mlir::dl::parseBytes(StringRef text, std::string &error) {
  static const Unit units[] = {{"", 1},
                               {"B", 1},
                               {"kB", 1e3},
                               {"KB", 1e3},
                               {"MB", 1e6},
                               {"GB", 1e9},
                               {"TB", 1e12},
                               {"KiB", 1024.0},
                               {"MiB", 1048576.0},
                               {"GiB", 1073741824.0},
                               {"TiB", 1099511627776.0}};
  return parseQuantity(text, units, "size",
                       "B, kB, MB, GB, TB, KiB, MiB, GiB or TiB", error);
}

std::optional<double> mlir::dl::parseBandwidth(StringRef text,
                                               std::string &error) {
  static const Unit units[] = {{"", 1},
                               {"B/s", 1},
                               {"kB/s", 1e3},
                               {"KB/s", 1e3},
                               {"MB/s", 1e6},
                               {"GB/s", 1e9},
                               {"TB/s", 1e12},
                               {"KiB/s", 1024.0},
                               {"MiB/s", 1048576.0},
                               {"GiB/s", 1073741824.0},
                               {"bit/s", 1 / 8.0},
                               {"kbit/s", 1e3 / 8},
                               {"Kbit/s", 1e3 / 8},
                               {"Mbit/s", 1e6 / 8},
                               {"Gbit/s", 1e9 / 8},
                               {"Tbit/s", 1e12 / 8},
                               {"bps", 1 / 8.0},
                               {"kbps", 1e3 / 8},
                               {"Kbps", 1e3 / 8},
                               {"Mbps", 1e6 / 8},
                               {"Gbps", 1e9 / 8}};
  return parseQuantity(text, units, "bandwidth",
                       "B/s, kB/s, MB/s, GB/s, TB/s, KiB/s, MiB/s, GiB/s, "
                       "bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s or Mbps-style",
                       error);
}

std::optional<double> mlir::dl::parseDuration(StringRef text,
                                              std::string &error) {
  static const Unit units[] = {
      {"", 1},     {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6},
      {"ns", 1e-9}};
  return parseQuantity(text, units, "duration", "s, ms, us or ns", error);
}

std::optional<double> mlir::dl::parseFlops(StringRef text, std::string &error) {
  static const Unit units[] = {
      {"", 1},          {"FLOP/s", 1},     {"FLOPS", 1},    {"kFLOP/s", 1e3},
      {"kFLOPS", 1e3},  {"KFLOP/s", 1e3},  {"KFLOPS", 1e3}, {"MFLOP/s", 1e6},
      {"MFLOPS", 1e6},  {"GFLOP/s", 1e9},  {"GFLOPS", 1e9}, {"TFLOP/s", 1e12},
      {"TFLOPS", 1e12}, {"PFLOP/s", 1e15}, {"PFLOPS", 1e15}};
  return parseQuantity(text, units, "compute rate",
                       "FLOP/s, kFLOP/s, MFLOP/s, GFLOP/s, TFLOP/s or "
                       "PFLOP/s",
                       error);
}

std::optional<double> mlir::dl::parsePower(StringRef text, std::string &error) {
  static const Unit units[] = {{"", 1}, {"W", 1}, {"mW", 1e-3}, {"kW", 1e3}};
  return parseQuantity(text, units, "power", "W, mW or kW", error);
}
