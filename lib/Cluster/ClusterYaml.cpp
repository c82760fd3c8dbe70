//===- ClusterYaml.cpp - Read cluster descriptions from YAML ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the YAML cluster-file reader and `loadCluster`.
//
// Reading happens in two phases. First llvm::yaml::Input maps the document
// onto plain structs: it reports syntax errors, unknown keys, malformed
// quantities and out-of-range scalars at the offending node, and records
// where each entry begins. Then the entries are resolved into a Cluster:
// defaults are merged, `count` is expanded, link endpoints are resolved and
// every remaining semantic error is reported at the recorded location.
// Either way each error is one `FILE:LINE:COL: error: reason` line.
//
//===----------------------------------------------------------------------===//

#include "lib/Cluster/ClusterModel.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLTraits.h"
#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::dl;
using llvm::SMLoc;

namespace {

//===----------------------------------------------------------------------===//
// Document structs
//===----------------------------------------------------------------------===//

enum class QuantityKind {
  Memory,
  Bandwidth,
  Latency,
  Flops,
  Power,
  Overhead,
  Length
};

/// A number with a unit, normalized to the base unit.
template <QuantityKind K>
struct Quantity {
  double value = 0;
};
using Memory = Quantity<QuantityKind::Memory>;
using Bandwidth = Quantity<QuantityKind::Bandwidth>;
using Latency = Quantity<QuantityKind::Latency>;
using Flops = Quantity<QuantityKind::Flops>;
using Power = Quantity<QuantityKind::Power>;
using Overhead = Quantity<QuantityKind::Overhead>;
using Length = Quantity<QuantityKind::Length>;

/// A scalar string with the location it was read from.
struct LocatedName {
  std::string value;
  SMLoc loc;
};

/// The `count:` of a device entry.
struct Count {
  int64_t value = 1;
};

/// The device fields a device entry and the `defaults:` block share.
struct DeviceFields {
  std::optional<DeviceKind> kind;
  std::optional<Flops> flops;
  std::optional<Flops> convFlops;
  std::optional<Length> convKHalf;
  std::optional<Overhead> kernelOverhead;
  std::optional<Bandwidth> memBw;
  std::optional<Memory> memory;
  std::optional<Power> powerActive;
  std::optional<Power> powerIdle;
  std::optional<std::string> host;
};

struct DeviceEntry {
  SMLoc loc;
  LocatedName name;
  std::optional<Count> count;
  DeviceFields fields;
};

struct LinkEntry {
  SMLoc loc;
  LocatedName from;
  LocatedName to;
  std::optional<Bandwidth> bandwidth;
  std::optional<Latency> latency;
};

/// The `same_host:` block: the link between two devices of one host.
struct SameHostLink {
  Bandwidth bandwidth;
  Latency latency;
};

struct ClusterDoc {
  SMLoc loc;
  std::optional<std::string> name;
  std::optional<Topology> topology;
  std::optional<Bandwidth> bandwidth;
  std::optional<Latency> latency;
  std::optional<SameHostLink> sameHost;
  DeviceFields defaults;
  std::vector<DeviceEntry> devices;
  std::vector<LinkEntry> links;
};

/// The context yaml::Input hands to every trait.
struct ParseContext {
  llvm::yaml::Input *input = nullptr;
  /// Storage for the error a ScalarTraits::input returns (it must outlive
  /// the call).
  std::string message;

  StringRef keep(std::string m) {
    message = std::move(m);
    return message;
  }
  SMLoc currentLoc() const {
    if (const llvm::yaml::Node *node = input->getCurrentNode())
      return node->getSourceRange().Start;
    return SMLoc();
  }
};

ParseContext &getContext(void *ctxt) {
  return *static_cast<ParseContext *>(ctxt);
}

/// Records where the mapping being read begins.
SMLoc mappingLoc(llvm::yaml::IO &io) {
  if (io.outputting())
    return SMLoc();
  return getContext(io.getContext()).currentLoc();
}

/// Parses and range-checks one quantity; returns an error or "".
std::string parseQuantityOf(QuantityKind kind, StringRef text, double &out) {
  std::string error;
  std::optional<double> value;
  switch (kind) {
  case QuantityKind::Memory:
    value = parseBytes(text, error);
    break;
  case QuantityKind::Bandwidth:
    value = parseBandwidth(text, error);
    break;
  case QuantityKind::Latency:
  case QuantityKind::Overhead:
    value = parseDuration(text, error);
    break;
  case QuantityKind::Flops:
    value = parseFlops(text, error);
    break;
  case QuantityKind::Power:
    value = parsePower(text, error);
    break;
  case QuantityKind::Length: {
    double v = 0;
    if (llvm::to_float(text.trim(), v) && std::isfinite(v))
      value = v;
    else
      error = ("invalid conv_k_half '" + text.trim() +
               "': expected a number (a reduction length, no unit)")
                  .str();
    break;
  }
  }
  if (!value)
    return error;
  std::string quoted = ("'" + text.trim() + "'").str();
  switch (kind) {
  case QuantityKind::Memory:
    if (!(*value > 0))
      return "memory must be positive, got " + quoted;
    if (*value != std::floor(*value))
      return "memory must be a whole number of bytes, got " + quoted;
    if (*value >= 9.2e18)
      return "memory " + quoted + " is too large";
    break;
  case QuantityKind::Bandwidth:
    if (!(*value > 0))
      return "bandwidth must be positive, got " + quoted;
    break;
  case QuantityKind::Latency:
    if (*value < 0)
      return "latency must not be negative, got " + quoted;
    break;
  case QuantityKind::Overhead:
    if (*value < 0)
      return "kernel_overhead must not be negative, got " + quoted;
    break;
  case QuantityKind::Length:
    if (*value < 0)
      return "conv_k_half must not be negative, got " + quoted;
    break;
  case QuantityKind::Flops:
    if (!(*value > 0))
      return "flops must be positive, got " + quoted;
    break;
  case QuantityKind::Power:
    if (*value < 0)
      return "power must not be negative, got " + quoted;
    break;
  }
  out = *value;
  return "";
}

} // namespace

//===----------------------------------------------------------------------===//
// YAML traits
//===----------------------------------------------------------------------===//

LLVM_YAML_IS_SEQUENCE_VECTOR(DeviceEntry)
LLVM_YAML_IS_SEQUENCE_VECTOR(LinkEntry)

namespace llvm::yaml {

template <QuantityKind K>
struct ScalarTraits<Quantity<K>> {
  static void output(const Quantity<K> &q, void *, raw_ostream &os) {
    os << q.value;
  }
  static StringRef input(StringRef text, void *ctxt, Quantity<K> &q) {
    std::string error = parseQuantityOf(K, text, q.value);
    if (error.empty())
      return {};
    return getContext(ctxt).keep(std::move(error));
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <>
struct ScalarTraits<LocatedName> {
  static void output(const LocatedName &n, void *, raw_ostream &os) {
    os << n.value;
  }
  static StringRef input(StringRef text, void *ctxt, LocatedName &n) {
    ParseContext &ctx = getContext(ctxt);
    n.loc = ctx.currentLoc();
    n.value = text.trim().str();
    if (n.value.empty())
      return "expected a non-empty name";
    return {};
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::Single; }
};

template <>
struct ScalarTraits<Count> {
  static void output(const Count &c, void *, raw_ostream &os) { os << c.value; }
  static StringRef input(StringRef text, void *ctxt, Count &c) {
    if (text.trim().getAsInteger(10, c.value))
      return getContext(ctxt).keep(
          ("invalid count '" + text + "': expected a whole number").str());
    if (c.value < 1 || c.value > 1024)
      return getContext(ctxt).keep(
          ("count must be in 1..1024, got " + text).str());
    return {};
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <>
struct ScalarTraits<DeviceKind> {
  static void output(const DeviceKind &k, void *, raw_ostream &os) {
    os << stringifyDeviceKind(k);
  }
  static StringRef input(StringRef text, void *ctxt, DeviceKind &k) {
    if (std::optional<DeviceKind> kind = symbolizeDeviceKind(text.trim())) {
      k = *kind;
      return {};
    }
    return getContext(ctxt).keep(
        ("unknown device kind '" + text + "' (expected cpu or gpu)").str());
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <>
struct ScalarTraits<Topology> {
  static void output(const Topology &t, void *, raw_ostream &os) {
    os << stringifyTopology(t);
  }
  static StringRef input(StringRef text, void *ctxt, Topology &t) {
    if (std::optional<Topology> topology = symbolizeTopology(text.trim())) {
      t = *topology;
      return {};
    }
    return getContext(ctxt).keep(("unknown topology '" + text +
                                  "' (expected full, shared, ring or star)")
                                     .str());
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

/// The device fields, mapped into the current mapping.
static void mapDeviceFields(IO &io, DeviceFields &f) {
  io.mapOptional("kind", f.kind);
  io.mapOptional("flops", f.flops);
  io.mapOptional("conv_flops", f.convFlops);
  io.mapOptional("conv_k_half", f.convKHalf);
  io.mapOptional("kernel_overhead", f.kernelOverhead);
  io.mapOptional("mem_bw", f.memBw);
  io.mapOptional("memory", f.memory);
  io.mapOptional("power_active", f.powerActive);
  io.mapOptional("power_idle", f.powerIdle);
  io.mapOptional("host", f.host);
}

template <>
struct MappingTraits<DeviceFields> {
  static void mapping(IO &io, DeviceFields &f) { mapDeviceFields(io, f); }
};

template <>
struct MappingTraits<DeviceEntry> {
  static void mapping(IO &io, DeviceEntry &d) {
    d.loc = mappingLoc(io);
    io.mapRequired("name", d.name);
    io.mapOptional("count", d.count);
    mapDeviceFields(io, d.fields);
  }
};

template <>
struct MappingTraits<LinkEntry> {
  static void mapping(IO &io, LinkEntry &l) {
    l.loc = mappingLoc(io);
    io.mapRequired("from", l.from);
    io.mapRequired("to", l.to);
    io.mapOptional("bandwidth", l.bandwidth);
    io.mapOptional("latency", l.latency);
  }
};

template <>
struct MappingTraits<SameHostLink> {
  static void mapping(IO &io, SameHostLink &l) {
    io.mapRequired("bandwidth", l.bandwidth);
    io.mapRequired("latency", l.latency);
  }
};

template <>
struct MappingTraits<ClusterDoc> {
  static void mapping(IO &io, ClusterDoc &c) {
    c.loc = mappingLoc(io);
    io.mapOptional("name", c.name);
    io.mapOptional("topology", c.topology);
    io.mapOptional("bandwidth", c.bandwidth);
    io.mapOptional("latency", c.latency);
    io.mapOptional("same_host", c.sameHost);
    io.mapOptional("defaults", c.defaults);
    io.mapRequired("devices", c.devices);
    io.mapOptional("links", c.links);
  }
};

} // namespace llvm::yaml

//===----------------------------------------------------------------------===//
// Resolution
//===----------------------------------------------------------------------===//

namespace {

/// Collects `FILE:LINE:COL: error: reason` lines.
class ErrorList {
public:
  ErrorList(std::string &out, StringRef bufferName)
      : out(out), bufferName(bufferName) {}

  void add(const llvm::SMDiagnostic &diag) {
    if (!out.empty())
      out += "\n";
    llvm::raw_string_ostream os(out);
    // The YAML reader reports some errors (e.g. an alias where a value is
    // expected: "unknown node kind") on nodes without a source range; they
    // are given the start of the file rather than no location at all.
    if (diag.getLineNo() <= 0)
      os << bufferName << ":1:1: error: " << diag.getMessage();
    else
      os << diag.getFilename() << ":" << diag.getLineNo() << ":"
         << diag.getColumnNo() + 1 << ": error: " << diag.getMessage();
    ++count;
  }

  static void handler(const llvm::SMDiagnostic &diag, void *self) {
    static_cast<ErrorList *>(self)->add(diag);
  }

  unsigned size() const { return count; }

private:
  std::string &out;
  std::string bufferName;
  unsigned count = 0;
};

/// Replaces `{i}` in `pattern` by `index`; with no `{i}` and `append` set,
/// appends the index instead.
std::string expandIndex(StringRef pattern, int64_t index, bool append) {
  std::string result;
  size_t pos = pattern.find("{i}");
  if (pos == StringRef::npos)
    return append ? (pattern + Twine(index)).str() : pattern.str();
  while (pos != StringRef::npos) {
    result += pattern.take_front(pos);
    result += std::to_string(index);
    pattern = pattern.drop_front(pos + 3);
    pos = pattern.find("{i}");
  }
  result += pattern;
  return result;
}

/// Turns a parsed document into a Cluster, reporting semantic errors.
class Resolver {
public:
  Resolver(llvm::SourceMgr &sourceMgr, ErrorList &errors)
      : sourceMgr(sourceMgr), errors(errors) {}

  std::optional<Cluster> resolve(const ClusterDoc &doc, StringRef fileName);

private:
  void error(SMLoc loc, const Twine &message) {
    if (!loc.isValid())
      loc = SMLoc::getFromPointer(
          sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
              ->getBufferStart());
    errors.add(sourceMgr.GetMessage(loc, llvm::SourceMgr::DK_Error, message));
  }

  void addDevices(const ClusterDoc &doc, const DeviceEntry &entry);
  std::optional<int64_t> resolveEndpoint(const LocatedName &name);

  llvm::SourceMgr &sourceMgr;
  ErrorList &errors;
  Cluster cluster;
  llvm::StringMap<int64_t> deviceIndex;
};

void Resolver::addDevices(const ClusterDoc &doc, const DeviceEntry &entry) {
  const DeviceFields &own = entry.fields, &defaults = doc.defaults;
  StringRef name = entry.name.value;
  bool complete = true;
  auto require = [&](bool present, StringRef key) {
    if (present)
      return;
    error(entry.loc, "device '" + name + "' has no '" + key +
                         "'; set it on the device or under 'defaults'");
    complete = false;
  };
  require(own.flops || defaults.flops, "flops");
  require(own.memBw || defaults.memBw, "mem_bw");
  require(own.memory || defaults.memory, "memory");
  if (!complete)
    return;

  ClusterDevice device;
  device.kind = own.kind.value_or(defaults.kind.value_or(DeviceKind::cpu));
  device.flops = own.flops.value_or(*defaults.flops).value;
  device.convFlops =
      own.convFlops.value_or(defaults.convFlops.value_or(Flops{})).value;
  device.convKHalf =
      own.convKHalf.value_or(defaults.convKHalf.value_or(Length{})).value;
  device.kernelOverhead =
      own.kernelOverhead.value_or(defaults.kernelOverhead.value_or(Overhead{}))
          .value;
  device.memBw = own.memBw.value_or(*defaults.memBw).value;
  device.memory =
      static_cast<int64_t>(own.memory.value_or(*defaults.memory).value);
  device.powerActive =
      own.powerActive.value_or(defaults.powerActive.value_or(Power{})).value;
  device.powerIdle =
      own.powerIdle.value_or(defaults.powerIdle.value_or(Power{})).value;
  std::string host =
      own.host.value_or(defaults.host.value_or(std::string("localhost")));

  int64_t count = entry.count ? entry.count->value : 1;
  for (int64_t i = 0; i < count; ++i) {
    device.name = expandIndex(name, i, /*append=*/count > 1);
    device.host = expandIndex(host, i, /*append=*/false);
    auto [it, inserted] = deviceIndex.try_emplace(device.name, cluster.size());
    if (!inserted) {
      error(entry.name.loc, "duplicate device name '" + device.name + "'");
      return;
    }
    cluster.devices.push_back(device);
  }
}

std::optional<int64_t> Resolver::resolveEndpoint(const LocatedName &name) {
  auto it = deviceIndex.find(name.value);
  if (it != deviceIndex.end())
    return it->second;
  // A rank number is accepted where no device carries that name.
  int64_t rank;
  if (!StringRef(name.value).getAsInteger(10, rank) && rank >= 0 &&
      rank < cluster.size())
    return rank;
  std::string known;
  for (auto [i, device] : llvm::enumerate(cluster.devices)) {
    if (i == 8) {
      known += ", ...";
      break;
    }
    known += (i ? ", " : "") + device.name;
  }
  error(name.loc, "link endpoint '" + name.value +
                      "' names no device (devices: " + known + ")");
  return std::nullopt;
}

std::optional<Cluster> Resolver::resolve(const ClusterDoc &doc,
                                         StringRef fileName) {
  unsigned errorsBefore = errors.size();
  cluster.name = doc.name ? *doc.name : llvm::sys::path::stem(fileName).str();
  cluster.topology = doc.topology.value_or(Topology::full);

  for (const DeviceEntry &entry : doc.devices)
    addDevices(doc, entry);
  if (doc.devices.empty())
    error(doc.loc, "the cluster has no devices");

  // Default link parameters: required as soon as two devices may talk.
  int64_t declared = 0;
  for (const DeviceEntry &entry : doc.devices)
    declared += entry.count ? entry.count->value : 1;
  if (declared > 1) {
    if (!doc.bandwidth)
      error(doc.loc, "missing 'bandwidth' (the default link bandwidth)");
    if (!doc.latency)
      error(doc.loc, "missing 'latency' (the default link latency)");
  }
  // A single device never talks: keep the attribute's invariants with
  // nominal shared-memory values.
  cluster.bandwidth = doc.bandwidth ? doc.bandwidth->value : 1.0e10;
  cluster.latency = doc.latency ? doc.latency->value : 0.0;

  std::map<std::pair<int64_t, int64_t>, SMLoc> seen;
  for (const LinkEntry &l : doc.links) {
    std::optional<int64_t> from = resolveEndpoint(l.from);
    std::optional<int64_t> to = resolveEndpoint(l.to);
    if (!from || !to)
      continue;
    if (*from == *to) {
      error(l.loc, "link from device '" + l.from.value + "' to itself");
      continue;
    }
    auto key = std::make_pair(std::min(*from, *to), std::max(*from, *to));
    if (!seen.emplace(key, l.loc).second) {
      error(l.loc, "duplicate link between '" + cluster.devices[*from].name +
                       "' and '" + cluster.devices[*to].name + "'");
      continue;
    }
    cluster.links.push_back(
        {*from, *to, l.bandwidth ? l.bandwidth->value : cluster.bandwidth,
         l.latency ? l.latency->value : cluster.latency});
  }

  // Pairs on one host without an explicit link get the `same_host:` link.
  if (doc.sameHost) {
    for (int64_t a = 0; a < cluster.size(); ++a)
      for (int64_t b = a + 1; b < cluster.size(); ++b)
        if (cluster.devices[a].host == cluster.devices[b].host &&
            !seen.count({a, b}))
          cluster.links.push_back({a, b, doc.sameHost->bandwidth.value,
                                   doc.sameHost->latency.value});
  }

  if (errors.size() != errorsBefore)
    return std::nullopt;
  // Everything above should make the cluster valid; keep the check as a
  // safety net so that an invalid #dl.cluster is never built.
  std::string invalid = cluster.validate();
  if (!invalid.empty()) {
    error(doc.loc, invalid);
    return std::nullopt;
  }
  return std::move(cluster);
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::optional<Cluster> mlir::dl::parseClusterYaml(StringRef text,
                                                  StringRef bufferName,
                                                  std::string &error) {
  error.clear();
  ErrorList errors(error, bufferName);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(text, bufferName,
                                       /*RequiresNullTerminator=*/false),
      SMLoc());

  ParseContext ctx;
  llvm::yaml::Input input(llvm::MemoryBufferRef(text, bufferName), &ctx,
                          ErrorList::handler, &errors);
  ctx.input = &input;
  ClusterDoc doc;
  input >> doc;
  if (input.error()) {
    // An empty document fails without a diagnostic of its own.
    if (errors.size() == 0)
      errors.add(sourceMgr.GetMessage(
          SMLoc::getFromPointer(text.data()), llvm::SourceMgr::DK_Error,
          "expected a cluster description (a mapping with 'devices')"));
    return std::nullopt;
  }
  Resolver resolver(sourceMgr, errors);
  return resolver.resolve(doc, bufferName);
}

std::optional<Cluster> mlir::dl::parseClusterFile(StringRef path,
                                                  std::string &error) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (std::error_code ec = buffer.getError()) {
    error = ("cannot open cluster file '" + path + "': " + ec.message()).str();
    return std::nullopt;
  }
  return parseClusterYaml((*buffer)->getBuffer(), path, error);
}

std::optional<Cluster> mlir::dl::loadCluster(StringRef fileOrPreset,
                                             std::string &error) {
  error.clear();
  if (fileOrPreset.empty()) {
    error = ("no cluster given; expected a YAML file or a preset (" +
             describePresets() + ")")
                .str();
    return std::nullopt;
  }
  if (llvm::sys::fs::exists(fileOrPreset)) {
    if (llvm::sys::fs::is_directory(fileOrPreset)) {
      error = ("cluster file '" + fileOrPreset + "' is a directory").str();
      return std::nullopt;
    }
    return parseClusterFile(fileOrPreset, error);
  }
  if (std::optional<Cluster> preset = lookupPreset(fileOrPreset))
    return preset;
  StringRef ext = llvm::sys::path::extension(fileOrPreset);
  if (fileOrPreset.contains('/') || ext == ".yaml" || ext == ".yml") {
    error = ("cannot open cluster file '" + fileOrPreset +
             "': no such file or directory")
                .str();
    return std::nullopt;
  }
  error = ("unknown cluster '" + fileOrPreset +
           "': no such file and no such preset (" + describePresets() + ")")
              .str();
  return std::nullopt;
}
