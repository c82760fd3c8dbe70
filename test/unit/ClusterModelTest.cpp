//===- ClusterModelTest.cpp - Tests of the cluster model --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements unit tests of the cluster model: quantities with
// units, the YAML reader and its error positions, link routing over the
// topologies, the presets and the round trip through #dl.cluster.
//
//===----------------------------------------------------------------------===//

#include "lib/Cluster/ClusterModel.h"
#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "gtest/gtest.h"
#include <cmath>

using namespace mlir;
using namespace mlir::dl;

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

//===----------------------------------------------------------------------===//
// Units
//===----------------------------------------------------------------------===//

double parsed(std::optional<double> (*parse)(StringRef, std::string &),
              StringRef text) {
  std::string error;
  std::optional<double> value = parse(text, error);
  EXPECT_TRUE(value) << text.str() << ": " << error;
  return value ? *value : NAN;
}

std::string parseError(std::optional<double> (*parse)(StringRef, std::string &),
                       StringRef text) {
  std::string error;
  EXPECT_FALSE(parse(text, error)) << text.str() << " should not parse";
  return error;
}

TEST(ClusterUnits, Bytes) {
  EXPECT_DOUBLE_EQ(parsed(parseBytes, "4GiB"), 4 * kGiB);
  EXPECT_DOUBLE_EQ(parsed(parseBytes, "512MiB"), 512.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(parsed(parseBytes, "1e9"), 1e9);
  EXPECT_DOUBLE_EQ(parsed(parseBytes, "1.5kB"), 1500);
  EXPECT_DOUBLE_EQ(parsed(parseBytes, " 2 GB "), 2e9);
  EXPECT_DOUBLE_EQ(parsed(parseBytes, "7B"), 7);
  EXPECT_NE(parseError(parseBytes, "4GB/s").find("unknown unit 'GB/s'"),
            std::string::npos);
  EXPECT_NE(parseError(parseBytes, "lots").find("expected a number"),
            std::string::npos);
  EXPECT_NE(parseError(parseBytes, "1e999").find("out of range"),
            std::string::npos);
}

TEST(ClusterUnits, Bandwidth) {
  EXPECT_DOUBLE_EQ(parsed(parseBandwidth, "100Mbit/s"), 12.5e6);
  EXPECT_DOUBLE_EQ(parsed(parseBandwidth, "1.25GB/s"), 1.25e9);
  EXPECT_DOUBLE_EQ(parsed(parseBandwidth, "10Gbit/s"), 1.25e9);
  EXPECT_DOUBLE_EQ(parsed(parseBandwidth, "40Mbps"), 5e6);
  EXPECT_DOUBLE_EQ(parsed(parseBandwidth, "1e8"), 1e8);
  EXPECT_DOUBLE_EQ(parsed(parseBandwidth, "1GiB/s"), kGiB);
  // Bits and bytes are not confused.
  EXPECT_NE(parseError(parseBandwidth, "10mbit/s").find("unknown unit"),
            std::string::npos);
  EXPECT_NE(parseError(parseBandwidth, "10GB").find("unknown unit 'GB'"),
            std::string::npos);
}

TEST(ClusterUnits, DurationFlopsPower) {
  EXPECT_DOUBLE_EQ(parsed(parseDuration, "100us"), 1e-4);
  EXPECT_DOUBLE_EQ(parsed(parseDuration, "2ms"), 2e-3);
  EXPECT_DOUBLE_EQ(parsed(parseDuration, "0.5"), 0.5);
  EXPECT_DOUBLE_EQ(parsed(parseDuration, "3 ns"), 3e-9);
  EXPECT_DOUBLE_EQ(parsed(parseDuration, "7\xC2\xB5s"), 7e-6);
  EXPECT_DOUBLE_EQ(parsed(parseFlops, "24GFLOP/s"), 24e9);
  EXPECT_DOUBLE_EQ(parsed(parseFlops, "1.5TFLOPS"), 1.5e12);
  EXPECT_DOUBLE_EQ(parsed(parseFlops, "2.4e10"), 2.4e10);
  EXPECT_DOUBLE_EQ(parsed(parsePower, "6.4W"), 6.4);
  EXPECT_DOUBLE_EQ(parsed(parsePower, "500mW"), 0.5);
  EXPECT_NE(parseError(parseDuration, "2 min").find("unknown unit 'min'"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// YAML
//===----------------------------------------------------------------------===//

std::optional<Cluster> parse(StringRef text, std::string &error) {
  return parseClusterYaml(text, "test.yaml", error);
}

Cluster parseOk(StringRef text) {
  std::string error;
  std::optional<Cluster> c = parse(text, error);
  EXPECT_TRUE(c) << error;
  return c ? *c : Cluster();
}

std::string parseFails(StringRef text) {
  std::string error;
  EXPECT_FALSE(parse(text, error)) << "expected an error";
  return error;
}

TEST(ClusterYaml, DefaultsCountAndLinks) {
  Cluster c = parseOk(R"(name: lab
topology: ring
bandwidth: 1Gbit/s
latency: 100us
defaults:
  flops: 10GFLOP/s
  mem_bw: 4GB/s
  memory: 1GiB
  host: box{i}
devices:
  - name: pi
    count: 3
    power_active: 6W
  - name: big
    kind: gpu
    flops: 1TFLOP/s
    memory: 8GiB
    host: gpuhost
links:
  - {from: pi2, to: big, bandwidth: 100MB/s}
  - from: 0
    to: 1
    latency: 1ms
)");
  EXPECT_EQ(c.name, "lab");
  EXPECT_EQ(c.topology, Topology::ring);
  EXPECT_DOUBLE_EQ(c.bandwidth, 1.25e8);
  EXPECT_DOUBLE_EQ(c.latency, 1e-4);
  ASSERT_EQ(c.size(), 4);
  EXPECT_EQ(c.devices[0].name, "pi0");
  EXPECT_EQ(c.devices[2].name, "pi2");
  EXPECT_EQ(c.devices[1].host, "box1");
  EXPECT_DOUBLE_EQ(c.devices[1].flops, 1e10);
  EXPECT_DOUBLE_EQ(c.devices[1].powerActive, 6);
  EXPECT_DOUBLE_EQ(c.devices[1].powerIdle, 0);
  EXPECT_EQ(c.devices[1].kind, DeviceKind::cpu);
  EXPECT_EQ(c.devices[3].name, "big");
  EXPECT_EQ(c.devices[3].kind, DeviceKind::gpu);
  EXPECT_EQ(c.devices[3].host, "gpuhost");
  EXPECT_EQ(c.devices[3].memory, static_cast<int64_t>(8 * kGiB));
  EXPECT_DOUBLE_EQ(c.devices[3].memBw, 4e9);
  ASSERT_EQ(c.links.size(), 2u);
  EXPECT_EQ(c.links[0].from, 2);
  EXPECT_EQ(c.links[0].to, 3);
  EXPECT_DOUBLE_EQ(c.links[0].bandwidth, 1e8);
  EXPECT_DOUBLE_EQ(c.links[0].latency, 1e-4); // the default
  EXPECT_EQ(c.links[1].from, 0);
  EXPECT_EQ(c.links[1].to, 1);
  EXPECT_DOUBLE_EQ(c.links[1].bandwidth, 1.25e8);
  EXPECT_DOUBLE_EQ(c.links[1].latency, 1e-3);
}

TEST(ClusterYaml, NameFromFileAndSameHost) {
  std::string error;
  std::optional<Cluster> c = parseClusterYaml(R"(bandwidth: 1GB/s
latency: 10us
same_host: {bandwidth: 10GB/s, latency: 1us}
defaults: {flops: 1e9, mem_bw: 1e9, memory: 1e9}
devices:
  - {name: a, count: 2, host: h0}
  - {name: b, host: h1}
)",
                                              "dir/my-lab.yaml", error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->name, "my-lab");
  EXPECT_EQ(c->topology, Topology::full);
  ASSERT_EQ(c->links.size(), 1u);
  EXPECT_DOUBLE_EQ(c->linkBandwidth(0, 1), 1e10);
  EXPECT_DOUBLE_EQ(c->linkLatency(0, 1), 1e-6);
  EXPECT_DOUBLE_EQ(c->linkBandwidth(1, 2), 1e9);
}

TEST(ClusterYaml, SingleDeviceNeedsNoNetwork) {
  Cluster c = parseOk("devices: [{name: solo, flops: 1e9, mem_bw: 1e9, "
                      "memory: 1GiB}]\n");
  EXPECT_EQ(c.size(), 1);
  EXPECT_TRUE(c.validate().empty());
}

TEST(ClusterYaml, ErrorsCarryPositions) {
  // Unknown key, at the key.
  EXPECT_EQ(parseFails("bandwith: 1GB/s\ndevices: []\n"),
            "test.yaml:1:1: error: unknown key 'bandwith'");
  // Bad unit, at the value.
  EXPECT_EQ(parseFails("bandwidth: 10 furlongs\ndevices: []\n"),
            "test.yaml:1:12: error: invalid bandwidth '10 furlongs': "
            "unknown unit 'furlongs' (expected B/s, kB/s, MB/s, GB/s, TB/s, "
            "KiB/s, MiB/s, GiB/s, bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s or "
            "Mbps-style)");
  // Negative values.
  EXPECT_EQ(parseFails("latency: -1ms\ndevices: []\n"),
            "test.yaml:1:10: error: latency must not be negative, got "
            "'-1ms'");
  // A missing field, at the device entry.
  EXPECT_EQ(parseFails("devices:\n  - name: x\n    flops: 1e9\n"
                       "    memory: 1e9\n"),
            "test.yaml:2:5: error: device 'x' has no 'mem_bw'; set it on "
            "the device or under 'defaults'");
  // A link to a device that does not exist, at the endpoint.
  std::string error = parseFails(R"(bandwidth: 1e9
latency: 0
defaults: {flops: 1e9, mem_bw: 1e9, memory: 1e9}
devices: [{name: a}, {name: b}]
links:
  - {from: a, to: c}
)");
  EXPECT_EQ(error, "test.yaml:6:19: error: link endpoint 'c' names no "
                   "device (devices: a, b)");
  // Semantic errors are all reported.
  error = parseFails(R"(defaults: {flops: 1e9, mem_bw: 1e9, memory: 1e9}
devices: [{name: a}, {name: a}]
)");
  EXPECT_NE(error.find("test.yaml:2:29: error: duplicate device name 'a'"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("test.yaml:1:1: error: missing 'bandwidth'"),
            std::string::npos)
      << error;
  // Syntax errors.
  error = parseFails("devices: [\n");
  EXPECT_EQ(error.rfind("test.yaml:", 0), 0u) << error;
  // Count.
  EXPECT_EQ(parseFails("devices: [{name: a, count: 0}]\n"),
            "test.yaml:1:28: error: count must be in 1..1024, got 0");
  // Empty input.
  EXPECT_EQ(parseFails(""), "test.yaml:1:1: error: expected a cluster "
                            "description (a mapping with 'devices')");
  // Enums.
  EXPECT_EQ(parseFails("topology: mesh\ndevices: []\n"),
            "test.yaml:1:11: error: unknown topology 'mesh' (expected full, "
            "shared, ring or star)");
}

TEST(ClusterYaml, KernelRates) {
  Cluster c = parseOk(R"(bandwidth: 1GB/s
latency: 10us
defaults: {flops: 10GFLOP/s, conv_flops: 4GFLOP/s, kernel_overhead: 20us,
           conv_k_half: 60, mem_bw: 1e9, memory: 1e9}
devices:
  - {name: a}
  - {name: b, conv_flops: 5e9, kernel_overhead: 0, conv_k_half: 12.5}
)");
  ASSERT_EQ(c.size(), 2);
  EXPECT_DOUBLE_EQ(c.devices[0].convFlops, 4e9);
  EXPECT_DOUBLE_EQ(c.devices[0].convKHalf, 60);
  EXPECT_DOUBLE_EQ(c.devices[1].convKHalf, 12.5);
  EXPECT_DOUBLE_EQ(c.devices[0].kernelOverhead, 2e-5);
  EXPECT_DOUBLE_EQ(c.devices[1].convFlops, 5e9);
  EXPECT_DOUBLE_EQ(c.devices[1].kernelOverhead, 0);
  EXPECT_TRUE(c.hasKernelRates());
  // Files without them stay valid: no conv rate, no overhead.
  Cluster old = parseOk("devices: [{name: solo, flops: 1e9, mem_bw: 1e9, "
                        "memory: 1GiB}]\n");
  EXPECT_EQ(old.devices[0].convFlops, 0);
  EXPECT_EQ(old.devices[0].kernelOverhead, 0);
  EXPECT_EQ(old.devices[0].convKHalf, 0);
  EXPECT_FALSE(old.hasKernelRates());
  EXPECT_EQ(parseFails("devices: [{name: a, flops: 1e9, mem_bw: 1e9, "
                       "memory: 1e9, conv_k_half: -3}]\n"),
            "test.yaml:1:72: error: conv_k_half must not be negative, got "
            "'-3'");
  EXPECT_EQ(parseFails("devices: [{name: a, flops: 1e9, mem_bw: 1e9, "
                       "memory: 1e9, conv_k_half: 9us}]\n"),
            "test.yaml:1:72: error: invalid conv_k_half '9us': expected a "
            "number (a reduction length, no unit)");
  EXPECT_EQ(parseFails("devices: [{name: a, flops: 1e9, mem_bw: 1e9, "
                       "memory: 1e9, kernel_overhead: -1us}]\n"),
            "test.yaml:1:76: error: kernel_overhead must not be negative, "
            "got '-1us'");
  EXPECT_EQ(parseFails("devices: [{name: a, flops: 1e9, mem_bw: 1e9, "
                       "memory: 1e9, conv_flops: 0}]\n"),
            "test.yaml:1:71: error: flops must be positive, got '0'");
}

TEST(ClusterYaml, KernelRatesTravelWithTheModule) {
  MLIRContext ctx;
  ctx.loadDialect<DLDialect>();
  Cluster c = parseOk(R"(bandwidth: 1GB/s
latency: 10us
defaults: {flops: 1e10, mem_bw: 1e9, memory: 1e9}
devices:
  - {name: a, conv_flops: 4e9, kernel_overhead: 2e-5, conv_k_half: 60}
  - {name: b}
)");
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
  c.attachTo(*module);
  EXPECT_TRUE((*module)->hasAttr(kKernelRatesAttrName));
  EXPECT_TRUE(succeeded(verify(*module)));
  std::optional<Cluster> back = Cluster::fromModule(*module);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 2);
  EXPECT_EQ(back->devices[0].flops, 1e10);
  EXPECT_EQ(back->devices[0].convFlops, 4e9);
  EXPECT_EQ(back->devices[0].kernelOverhead, 2e-5);
  EXPECT_EQ(back->devices[0].convKHalf, 60);
  EXPECT_EQ(back->devices[1].convKHalf, 0);
  EXPECT_EQ(back->devices[1].convFlops, 0);
  EXPECT_EQ(back->devices[1].kernelOverhead, 0);
  // A cluster without kernel rates removes a stale attribute.
  Cluster plain = c;
  for (ClusterDevice &d : plain.devices)
    d.convFlops = d.convKHalf = d.kernelOverhead = 0;
  plain.attachTo(*module);
  EXPECT_FALSE((*module)->hasAttr(kKernelRatesAttrName));
  // The dialect rejects a malformed attribute.
  c.attachTo(*module);
  Builder b(&ctx);
  (*module)->setAttr(kKernelRatesAttrName,
                     b.getArrayAttr({b.getDictionaryAttr({})}));
  ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
  EXPECT_TRUE(failed(verify(*module)));
}

//===----------------------------------------------------------------------===//
// Routing
//===----------------------------------------------------------------------===//

Cluster makeCluster(Topology topology, int n) {
  Cluster c;
  c.name = "t";
  c.topology = topology;
  c.bandwidth = 1e9;
  c.latency = 1e-5;
  for (int i = 0; i < n; ++i) {
    ClusterDevice d;
    d.name = "d" + std::to_string(i);
    d.flops = d.memBw = 1e9;
    d.memory = 1 << 30;
    c.devices.push_back(d);
  }
  return c;
}

TEST(ClusterRouting, FullUsesExplicitLinksElseDefault) {
  Cluster c = makeCluster(Topology::full, 3);
  c.links.push_back({2, 0, 5e8, 1e-3});
  EXPECT_DOUBLE_EQ(c.linkBandwidth(0, 1), 1e9);
  EXPECT_DOUBLE_EQ(c.linkLatency(0, 1), 1e-5);
  EXPECT_DOUBLE_EQ(c.linkBandwidth(0, 2), 5e8); // either direction
  EXPECT_DOUBLE_EQ(c.linkLatency(2, 0), 1e-3);
  EXPECT_TRUE(std::isinf(c.linkBandwidth(1, 1)));
  EXPECT_EQ(c.linkLatency(1, 1), 0);
  EXPECT_EQ(c.transferTime(1, 1, 1e6), 0);
  EXPECT_DOUBLE_EQ(c.transferTime(0, 2, 1e6), 1e-3 + 2e-3);
  EXPECT_FALSE(c.sharedMedium());
  c.topology = Topology::shared;
  EXPECT_TRUE(c.sharedMedium());
}

TEST(ClusterRouting, RingRoutesOverTheShorterArc) {
  Cluster c = makeCluster(Topology::ring, 5);
  c.links.push_back({1, 2, 1e8, 1e-3}); // a slow ring segment
  // Neighbours are direct, including the wrap-around pair.
  EXPECT_EQ(c.route(0, 1).hops, 1);
  EXPECT_EQ(c.route(4, 0).hops, 1);
  EXPECT_FALSE(c.isDirect(0, 2));
  // 0 -> 2: 0-1-2 (2 hops) beats 0-4-3-2 (3 hops) despite the slow segment.
  ClusterRoute r = c.route(0, 2);
  EXPECT_EQ(r.hops, 2);
  EXPECT_DOUBLE_EQ(r.bandwidth, 1e8);
  EXPECT_DOUBLE_EQ(r.latency, 1e-5 + 1e-3);
  // 0 -> 3: the backward arc 0-4-3.
  r = c.route(0, 3);
  EXPECT_EQ(r.hops, 2);
  EXPECT_DOUBLE_EQ(r.bandwidth, 1e9);
  EXPECT_DOUBLE_EQ(r.latency, 2e-5);
  EXPECT_DOUBLE_EQ(c.linkLatency(3, 0), 2e-5); // symmetric
  // An explicit chord is direct.
  c.links.push_back({0, 2, 2e9, 1e-6});
  EXPECT_EQ(c.route(0, 2).hops, 1);
  EXPECT_DOUBLE_EQ(c.linkBandwidth(2, 0), 2e9);
}

TEST(ClusterRouting, RingTieTakesTheFasterArc) {
  Cluster c = makeCluster(Topology::ring, 4);
  c.links.push_back({1, 2, 1e8, 1e-3});
  // 0 -> 2: 0-1-2 and 0-3-2 are both 2 hops; 0-3-2 has more bandwidth.
  ClusterRoute r = c.route(0, 2);
  EXPECT_EQ(r.hops, 2);
  EXPECT_DOUBLE_EQ(r.bandwidth, 1e9);
  EXPECT_DOUBLE_EQ(r.latency, 2e-5);
}

TEST(ClusterRouting, StarRoutesOverTheHub) {
  Cluster c = makeCluster(Topology::star, 4);
  c.links.push_back({0, 3, 1e8, 1e-3});
  EXPECT_EQ(c.route(0, 2).hops, 1);
  ClusterRoute r = c.route(2, 3);
  EXPECT_EQ(r.hops, 2);
  EXPECT_DOUBLE_EQ(r.bandwidth, 1e8);
  EXPECT_DOUBLE_EQ(r.latency, 1e-5 + 1e-3);
}

//===----------------------------------------------------------------------===//
// Presets and attributes
//===----------------------------------------------------------------------===//

TEST(ClusterPresets, Shapes) {
  std::optional<Cluster> local = lookupPreset("local-4");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->name, "local-4");
  EXPECT_EQ(local->size(), 4);
  EXPECT_DOUBLE_EQ(local->linkBandwidth(0, 3), 1e10);
  EXPECT_DOUBLE_EQ(local->linkLatency(0, 3), 1e-6);

  std::optional<Cluster> edge = lookupPreset("edge-pi4-4");
  ASSERT_TRUE(edge);
  EXPECT_TRUE(edge->sharedMedium());
  EXPECT_DOUBLE_EQ(edge->linkBandwidth(1, 2), 5e6);
  EXPECT_DOUBLE_EQ(edge->linkLatency(1, 2), 2e-3);
  EXPECT_DOUBLE_EQ(edge->devices[3].flops, 13.5e9);
  EXPECT_EQ(edge->devices[3].memory, static_cast<int64_t>(4 * kGiB));

  std::optional<Cluster> hetero = lookupPreset("hetero-edge-3");
  ASSERT_TRUE(hetero);
  ASSERT_EQ(hetero->size(), 3);
  EXPECT_DOUBLE_EQ(hetero->devices[0].flops, 4 * hetero->devices[1].flops);
  EXPECT_DOUBLE_EQ(hetero->devices[1].flops, hetero->devices[2].flops);

  std::optional<Cluster> gpus = lookupPreset("gpu-8");
  ASSERT_TRUE(gpus);
  EXPECT_EQ(gpus->size(), 8);
  EXPECT_EQ(gpus->devices[7].kind, DeviceKind::gpu);

  std::optional<Cluster> nodes = lookupPreset("cluster-2x4");
  ASSERT_TRUE(nodes);
  ASSERT_EQ(nodes->size(), 8);
  EXPECT_EQ(nodes->devices[3].host, "node0");
  EXPECT_EQ(nodes->devices[4].host, "node1");
  EXPECT_DOUBLE_EQ(nodes->linkBandwidth(0, 3), 1e10);   // intra-node
  EXPECT_DOUBLE_EQ(nodes->linkBandwidth(3, 4), 1.25e9); // inter-node
  EXPECT_EQ(nodes->links.size(), 12u);

  // DeepThings / AOFL boards on Wi-Fi.
  std::optional<Cluster> pi3 = lookupPreset("edge-pi3-6");
  ASSERT_TRUE(pi3);
  EXPECT_EQ(pi3->size(), 6);
  EXPECT_TRUE(pi3->sharedMedium());
  EXPECT_DOUBLE_EQ(pi3->linkBandwidth(0, 5), 25e6 / 8);
  EXPECT_EQ(pi3->devices[5].memory, static_cast<int64_t>(kGiB));
  EXPECT_LT(pi3->devices[0].flops, edge->devices[0].flops);

  // MoDNN's phones on Wi-Fi Direct.
  std::optional<Cluster> phones = lookupPreset("phones-wifi-4");
  ASSERT_TRUE(phones);
  EXPECT_EQ(phones->size(), 4);
  EXPECT_TRUE(phones->sharedMedium());
  EXPECT_EQ(phones->devices[3].name, "phone3");
  EXPECT_EQ(phones->devices[3].memory, static_cast<int64_t>(2 * kGiB));

  // One DGX A100 node, and eight of them (64 GPUs).
  std::optional<Cluster> dgx = lookupPreset("dgx-a100-1");
  ASSERT_TRUE(dgx);
  EXPECT_EQ(dgx->size(), 8);
  EXPECT_EQ(dgx->links.size(), 28u);
  EXPECT_DOUBLE_EQ(dgx->linkBandwidth(0, 7), 3e11);
  std::optional<Cluster> pod = lookupPreset("dgx-a100-8");
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->size(), 64);
  EXPECT_EQ(pod->devices[63].kind, DeviceKind::gpu);
  EXPECT_EQ(pod->devices[7].host, "dgx0");
  EXPECT_EQ(pod->devices[8].host, "dgx1");
  EXPECT_DOUBLE_EQ(pod->linkBandwidth(8, 15), 3e11);  // NVSwitch
  EXPECT_DOUBLE_EQ(pod->linkBandwidth(7, 8), 2.5e10); // InfiniBand HDR
  EXPECT_DOUBLE_EQ(pod->linkLatency(7, 8), 5e-6);
  EXPECT_EQ(pod->links.size(), 8 * 28u);

  for (StringRef bad :
       {"local-0", "local-65", "local-04", "local-", "gpu-x", "edge-pi4-",
        "cluster-8x9", "cluster-2x", "hetero-3", "cluster-0x4", "edge-pi3-0",
        "phones-wifi-65", "dgx-a100-0", "dgx-a100-9", "dgx-a100-"})
    EXPECT_FALSE(lookupPreset(bad)) << bad.str();
  EXPECT_TRUE(lookupPreset("local-64"));
  EXPECT_TRUE(lookupPreset("cluster-8x8"));
}

TEST(ClusterPresets, AllValidAndRoundTripThroughAttr) {
  MLIRContext ctx;
  ctx.loadDialect<DLDialect>();
  for (StringRef name :
       {"local-1", "local-3", "edge-pi4-4", "hetero-edge-3", "gpu-2",
        "cluster-2x3", "edge-pi3-2", "phones-wifi-3", "dgx-a100-2"}) {
    std::optional<Cluster> c = lookupPreset(name);
    ASSERT_TRUE(c) << name.str();
    EXPECT_EQ(c->validate(), "") << name.str();
    ClusterAttr attr = c->toAttr(&ctx);
    // The printed attribute parses back to the same attribute.
    std::string text;
    llvm::raw_string_ostream(text) << attr;
    EXPECT_EQ(parseAttribute(text, &ctx), Attribute(attr)) << text;
    // And the attribute converts back to the same cluster.
    Cluster back = Cluster::fromAttr(attr);
    EXPECT_EQ(back.name, c->name);
    EXPECT_EQ(back.topology, c->topology);
    EXPECT_EQ(back.bandwidth, c->bandwidth);
    EXPECT_EQ(back.latency, c->latency);
    ASSERT_EQ(back.size(), c->size());
    for (int64_t i = 0; i < c->size(); ++i) {
      const ClusterDevice &a = c->devices[i], &b = back.devices[i];
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.kind, b.kind);
      EXPECT_EQ(a.flops, b.flops);
      EXPECT_EQ(a.memBw, b.memBw);
      EXPECT_EQ(a.memory, b.memory);
      EXPECT_EQ(a.powerActive, b.powerActive);
      EXPECT_EQ(a.powerIdle, b.powerIdle);
      EXPECT_EQ(a.host, b.host);
    }
    ASSERT_EQ(back.links.size(), c->links.size());
    for (size_t i = 0; i < c->links.size(); ++i) {
      EXPECT_EQ(back.links[i].from, c->links[i].from);
      EXPECT_EQ(back.links[i].to, c->links[i].to);
      EXPECT_EQ(back.links[i].bandwidth, c->links[i].bandwidth);
      EXPECT_EQ(back.links[i].latency, c->links[i].latency);
    }
  }
}

TEST(ClusterLoad, FilesPresetsAndErrors) {
  std::string error;
  std::optional<Cluster> c =
      loadCluster(DL_SOURCE_DIR "/examples/clusters/edge-4.yaml", error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->name, "edge-4");
  EXPECT_EQ(c->size(), 4);
  EXPECT_TRUE(c->sharedMedium());

  for (const char *file : {"hetero-3.yaml", "two-nodes.yaml"}) {
    std::string path = std::string(DL_SOURCE_DIR "/examples/clusters/") + file;
    EXPECT_TRUE(loadCluster(path, error)) << error;
  }
  c = loadCluster(DL_SOURCE_DIR "/examples/clusters/two-nodes.yaml", error);
  ASSERT_TRUE(c) << error;
  EXPECT_DOUBLE_EQ(c->linkBandwidth(0, 3), 1e10);   // same host
  EXPECT_DOUBLE_EQ(c->linkBandwidth(1, 5), 1.25e9); // across hosts
  EXPECT_DOUBLE_EQ(c->linkBandwidth(0, 4), 25e9 / 8);

  EXPECT_TRUE(loadCluster("local-2", error));
  EXPECT_FALSE(loadCluster("local-99", error));
  EXPECT_NE(error.find("unknown cluster 'local-99'"), std::string::npos);
  EXPECT_NE(error.find("edge-pi4-N"), std::string::npos) << error;
  EXPECT_FALSE(loadCluster("no/such/file.yaml", error));
  EXPECT_EQ(error, "cannot open cluster file 'no/such/file.yaml': no such "
                   "file or directory");
  EXPECT_FALSE(loadCluster("", error));
  EXPECT_NE(error.find("no cluster given"), std::string::npos);
}

} // namespace
