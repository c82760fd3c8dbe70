#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Per-layer measured compute time against the cost model's compute formula.

    bench/layer_times.py --model MODEL.mlir --plan PLAN.json \
        --trace TRACE.json --cluster CLUSTER.yaml [--device I]

PLAN.json and TRACE.json come from a one-device plan of MODEL
(`dl-compile --scheme single`, then the rank program run with `--trace`
and `--repeat N`); each layer's measured time is the shortest of its trace
spans. CLUSTER.yaml is a cluster file with the device's rates (device I,
default 0; e.g. what `dl-calibrate --ranks 1` writes). The table gives,
per layer, the time the cost model charges (lib/Cost/CostModel.cpp,
`computeTime`: kernel_overhead + max(FLOPs / rate, bytes / mem_bw), the
rate being conv_flops * K / (K + conv_k_half) for a convolution of
reduction K and flops otherwise) and, for comparison, the same with every
kernel at `flops` (the model before conv_flops existed). Bytes are the
layer's input and output activations and its parameters (the model's
LayerWork bytes for these layers).
"""

import argparse
import collections
import json
import re

import yaml

UNITS = {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def quantity(v, unit):
    """A cluster-file quantity in base units (FLOP/s, B/s, s)."""
    if isinstance(v, (int, float)):
        return float(v)
    m = re.match(r"\s*([0-9.eE+-]+)\s*(\S*)", str(v))
    num, u = float(m.group(1)), m.group(2)
    if unit == "s":
        return num * {"": 1, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[u]
    prefix = u.replace("FLOP/s", "").replace("FLOPS", "").replace("B/s", "")
    return num * UNITS[prefix]


def elements(t):
    n = 1
    for d in t.split("xf")[0].split("x"):
        n *= int(d)
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--plan", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--cluster", required=True)
    ap.add_argument("--device", type=int, default=0)
    args = ap.parse_args()

    doc = yaml.safe_load(open(args.cluster))
    dev = dict(doc.get("defaults") or {})
    entries = []
    for e in doc["devices"]:
        entries += [e] * int(e.get("count", 1))
    dev.update({k: v for k, v in entries[args.device].items()
                if k not in ("name", "count")})
    flops = quantity(dev["flops"], "FLOP/s")
    conv = quantity(dev.get("conv_flops", 0), "FLOP/s") or flops
    k_half = float(dev.get("conv_k_half", 0))
    mem_bw = quantity(dev["mem_bw"], "B/s")
    overhead = quantity(dev.get("kernel_overhead", 0), "s")

    # The type signature of every named layer: operand and result types.
    text = open(args.model).read()
    sig, prev = {}, 0
    for m in re.finditer(r'loc\("([^"]+)"\)', text):
        seg, prev = text[prev:m.start()], m.end()
        k = seg.rfind(" : ")
        if k >= 0:
            sig[m.group(1)] = re.findall(r"tensor<([^>]*)>", seg[k:])

    spans = collections.defaultdict(list)
    for e in json.load(open(args.trace))["traceEvents"]:
        if e.get("ph") == "X" and e["pid"] == 0 and \
                e["args"].get("depth") == 0:
            name = e["name"].split(" ", 1)[-1]
            spans[name].append(e["dur"] * 1e-6)

    print("rates: flops %.4g, conv_flops %.4g, conv_k_half %g, mem_bw %.4g, "
          "kernel_overhead %g" % (flops, conv, k_half, mem_bw, overhead))
    print("%-22s %-16s %9s %6s %9s %9s %7s %9s %7s" % (
        "layer", "op", "MFLOP", "K", "measured", "model", "error",
        "all@flops", "error"))
    total = collections.Counter()
    by_op = collections.defaultdict(collections.Counter)
    for layer in json.load(open(args.plan))["layers"]:
        name = layer["name"]
        if name not in spans or name not in sig:
            continue
        ts = sig[name]
        f = layer["flops"]
        byts = (elements(ts[0]) + elements(ts[-1])) * 4 + layer["param_bytes"]
        is_conv = layer["op"] == "dl.conv2d"
        red = 0
        if is_conv and len(ts) > 1:
            w = [int(d) for d in ts[1].split("xf")[0].split("x")]
            red = w[1] * w[2] * w[3]
        rate = flops
        if is_conv:
            rate = conv * (red / (red + k_half) if k_half > 0 else 1)
        model = overhead + max(f / rate, byts / mem_bw)
        plain = max(f / flops, byts / mem_bw)
        meas = min(spans[name])
        for c in (total, by_op[layer["op"]]):
            c["measured"] += meas
            c["model"] += model
            c["plain"] += plain
        print("%-22s %-16s %9.2f %6s %9.3f %9.3f %+6.0f%% %9.3f %+6.0f%%" % (
            name, layer["op"], f / 1e6, red or "", meas * 1e3, model * 1e3,
            (meas / model - 1) * 100, plain * 1e3, (meas / plain - 1) * 100))
    for label, c in [("total", total)] + sorted(by_op.items()):
        print("%-22s measured %9.3f ms, model %9.3f ms (%+.0f %%), all at "
              "flops %9.3f ms (%+.0f %%)" % (
                  label, c["measured"] * 1e3, c["model"] * 1e3,
                  (c["measured"] / c["model"] - 1) * 100, c["plain"] * 1e3,
                  (c["measured"] / c["plain"] - 1) * 100))


if __name__ == "__main__":
    main()
