// RUN: dl-opt %s --dl-attach-cluster=cluster=local-2 | FileCheck %s --check-prefix=LOCAL
// RUN: dl-opt %s --dl-attach-cluster=cluster=edge-pi4-4 | FileCheck %s --check-prefix=EDGE
// RUN: dl-opt %s --dl-attach-cluster=cluster=hetero-edge-3 | FileCheck %s --check-prefix=HETERO
// RUN: dl-opt %s --dl-attach-cluster=cluster=gpu-2 | FileCheck %s --check-prefix=GPU
// RUN: dl-opt %s --dl-attach-cluster=cluster=cluster-2x2 | FileCheck %s --check-prefix=NODES
// RUN: dl-opt %s --dl-attach-cluster=cluster=%dl_src_root/examples/clusters/edge-4.yaml | FileCheck %s --check-prefix=EDGE-FILE
// RUN: dl-opt %s --dl-attach-cluster=cluster=%dl_src_root/examples/clusters/hetero-3.yaml | FileCheck %s --check-prefix=HETERO-FILE
// RUN: dl-opt %s --dl-attach-cluster=cluster=%dl_src_root/examples/clusters/two-nodes.yaml | FileCheck %s --check-prefix=TWO-NODES
// RUN: dl-opt %s --dl-attach-cluster=cluster=%S/Inputs/cluster-ring.yaml | FileCheck %s --check-prefix=RING

// The module already carries a cluster: every run replaces it, and leaves the
// function alone.
module attributes {dl.cluster = #dl.cluster<name = "old", topology = full,
    bandwidth = 1.0e9, latency = 0.0,
    devices = [#dl.device<name = "d0", kind = cpu, flops = 1.0e9,
                          mem_bw = 1.0e9, memory = 1024, power_active = 0.0,
                          power_idle = 0.0, host = "localhost">]>} {
  func.func @id(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// Two CPU ranks over shared memory (10 GB/s, 1 us); no explicit links.
// LOCAL: module attributes {dl.cluster = #dl.cluster<name = "local-2", topology = full, bandwidth = 1.000000e+10, latency = 9.9999999999999995E-7,
// LOCAL-SAME: devices = [#dl.device<name = "cpu0", kind = cpu, flops = 2.000000e+10, mem_bw = 1.000000e+10, memory = 2147483648, power_active = 1.500000e+01, power_idle = 5.000000e+00, host = "localhost">,
// LOCAL-SAME: #dl.device<name = "cpu1", kind = cpu, flops = 2.000000e+10, mem_bw = 1.000000e+10, memory = 2147483648, power_active = 1.500000e+01, power_idle = 5.000000e+00, host = "localhost">]>} {
// LOCAL-NOT: "old"
// LOCAL: func.func @id

// Four Pi 4 on one Wi-Fi medium: 40 Mbit/s = 5e6 B/s, 2 ms, 4 GiB each.
// EDGE: dl.cluster = #dl.cluster<name = "edge-pi4-4", topology = shared, bandwidth = 5.000000e+06, latency = 2.000000e-03,
// EDGE-SAME: devices = [#dl.device<name = "pi0", kind = cpu, flops = 1.350000e+10, mem_bw = 4.000000e+09, memory = 4294967296, power_active = 6.400000e+00, power_idle = 2.700000e+00, host = "localhost">,
// EDGE-SAME: #dl.device<name = "pi1", {{[^>]*}}>, #dl.device<name = "pi2", {{[^>]*}}>,
// EDGE-SAME: #dl.device<name = "pi3", kind = cpu, flops = 1.350000e+10, {{[^>]*}}>]>}

// One device four times as fast as the two others.
// HETERO: #dl.cluster<name = "hetero-edge-3", topology = shared,
// HETERO-SAME: devices = [#dl.device<name = "fast", kind = cpu, flops = 5.400000e+10, mem_bw = 1.280000e+10, memory = 8589934592,
// HETERO-SAME: #dl.device<name = "pi0", kind = cpu, flops = 1.350000e+10,
// HETERO-SAME: #dl.device<name = "pi1", kind = cpu, flops = 1.350000e+10, {{[^>]*}}>]>}

// GPUs over an NVLink-class mesh.
// GPU: #dl.cluster<name = "gpu-2", topology = full, bandwidth = 1.000000e+11, latency = 2.000000e-06,
// GPU-SAME: devices = [#dl.device<name = "gpu0", kind = gpu, flops = 1.950000e+13, mem_bw = 1.555000e+12, memory = 42949672960,
// GPU-SAME: #dl.device<name = "gpu1", kind = gpu,

// Two nodes of two ranks: 10 Gbit/s between nodes by default, explicit
// shared-memory links within each node.
// NODES: #dl.cluster<name = "cluster-2x2", topology = full, bandwidth = 1.250000e+09, latency = 5.000000e-05,
// NODES-SAME: #dl.device<name = "n0r0", {{[^>]*}}, host = "node0">, #dl.device<name = "n0r1", {{[^>]*}}, host = "node0">,
// NODES-SAME: #dl.device<name = "n1r0", {{[^>]*}}, host = "node1">, #dl.device<name = "n1r1", {{[^>]*}}, host = "node1">],
// NODES-SAME: links = [#dl.link<from = 0, to = 1, bandwidth = 1.000000e+10, latency = 9.9999999999999995E-7>, #dl.link<from = 2, to = 3, bandwidth = 1.000000e+10, latency = 9.9999999999999995E-7>]>}

// The example file describes the same boards as the edge-pi4-4 preset.
// EDGE-FILE: #dl.cluster<name = "edge-4", topology = shared, bandwidth = 5.000000e+06, latency = 2.000000e-03,
// EDGE-FILE-SAME: devices = [#dl.device<name = "pi0", kind = cpu, flops = 1.350000e+10, mem_bw = 4.000000e+09, memory = 4294967296, power_active = 6.400000e+00, power_idle = 2.700000e+00, host = "localhost">,
// EDGE-FILE-SAME: #dl.device<name = "pi3", {{[^>]*}}>]>}

// Per-entry fields and `count` without `defaults`.
// HETERO-FILE: #dl.cluster<name = "hetero-3", topology = shared, bandwidth = 5.000000e+06, latency = 2.000000e-03,
// HETERO-FILE-SAME: devices = [#dl.device<name = "fast", kind = cpu, flops = 5.400000e+10, mem_bw = 1.280000e+10, memory = 8589934592, power_active = 1.500000e+01, power_idle = 5.000000e+00, host = "localhost">,
// HETERO-FILE-SAME: #dl.device<name = "pi0", kind = cpu, flops = 1.350000e+10, mem_bw = 4.000000e+09, memory = 4294967296, power_active = 6.400000e+00, power_idle = 2.700000e+00, host = "localhost">,
// HETERO-FILE-SAME: #dl.device<name = "pi1", {{[^>]*}}>]>}

// `{i}` names, hosts, the explicit a0-b0 link (25 Gbit/s, 20 us) and the
// `same_host` links (6 per node).
// TWO-NODES: #dl.cluster<name = "two-nodes", topology = full, bandwidth = 1.250000e+09, latency = 4.9999999999999996E-5,
// TWO-NODES-SAME: #dl.device<name = "a0", kind = cpu, flops = 2.000000e+10, mem_bw = 1.000000e+10, memory = 17179869184, power_active = 1.500000e+01, power_idle = 5.000000e+00, host = "node-a">,
// TWO-NODES-SAME: #dl.device<name = "a3", {{[^>]*}}, host = "node-a">, #dl.device<name = "b0", {{[^>]*}}, host = "node-b">,
// TWO-NODES-SAME: #dl.device<name = "b3", {{[^>]*}}, host = "node-b">],
// TWO-NODES-SAME: links = [#dl.link<from = 0, to = 4, bandwidth = 3.125000e+09, latency = 1.9999999999999998E-5>,
// TWO-NODES-SAME: #dl.link<from = 0, to = 1, bandwidth = 1.000000e+10, latency = 9.9999999999999995E-7>,
// TWO-NODES-SAME: #dl.link<from = 2, to = 3, {{[^>]*}}>, #dl.link<from = 4, to = 5, {{[^>]*}}>,
// TWO-NODES-SAME: #dl.link<from = 6, to = 7, bandwidth = 1.000000e+10, latency = 9.9999999999999995E-7>]>}

// A ring with hosts from `{i}` and one slow segment.
// RING: #dl.cluster<name = "ring-4", topology = ring, bandwidth = 1.250000e+08, latency = 9.9999999999999991E-5,
// RING-SAME: #dl.device<name = "b0", kind = cpu, flops = 2.400000e+10, mem_bw = 8.000000e+09, memory = 536870912, power_active = 5.000000e+00, power_idle = 2.000000e+00, host = "board0">,
// RING-SAME: #dl.device<name = "b3", {{[^>]*}}, host = "board3">],
// RING-SAME: links = [#dl.link<from = 1, to = 2, bandwidth = 1.250000e+07, latency = 1.000000e-03>]>}
