#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Per-layer measured compute time against the cost model's compute formula.

    bench/layer_times.py --model MODEL.mlir --plan PLAN.json \
        --trace TRACE.json [TRACE2.json ...] --cluster CLUSTER.yaml \
        [--device I] [--torch --threads N]

PLAN.json and TRACE.json come from a one-device plan of MODEL
(`dl-compile --scheme single`, then the rank program run with `--trace`
and `--repeat N`); each layer's measured time is the shortest of its trace
spans over all the traces given (runs taken in turns with another build
make a side-by-side comparison under a varying load). CLUSTER.yaml is a
cluster file with the device's rates (device I, default 0; e.g. what
`dl-calibrate --ranks 1` writes). The table gives,
per layer, the time the cost model charges (lib/Cost/CostModel.cpp,
`computeTime`: kernel_overhead + max(FLOPs / rate, bytes / mem_bw), the
rate being conv_flops * K / (K + conv_k_half) for a convolution of
reduction K and flops otherwise) and, for comparison, the same with every
kernel at `flops` (the model before conv_flops existed). Bytes are the
layer's input and output activations and its parameters (the model's
LayerWork bytes for these layers). The measured rates follow: GFLOP/s
(FLOPs / measured) and GB/s (bytes / measured).

With --torch, every dl.conv2d and dl.pool2d layer is also run with
PyTorch (torch.nn.functional, NCHW float32, the same shapes and
attributes, random data) on N threads (--threads, default 1: give the
OMP_NUM_THREADS the program ran with), and the table gets PyTorch's time
(the shortest of --torch-repeat runs after one warm-up) and the ratio
measured / PyTorch.
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
    ap.add_argument("--trace", required=True, nargs="+",
                    help="one or more traces of the same plan: a layer's "
                    "time is its shortest span over all of them")
    ap.add_argument("--cluster", required=True)
    ap.add_argument("--device", type=int, default=0)
    ap.add_argument("--torch", action="store_true",
                    help="time the conv and pool layers with PyTorch too")
    ap.add_argument("--threads", type=int, default=1,
                    help="PyTorch threads (default 1)")
    ap.add_argument("--torch-repeat", type=int, default=10)
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
    sig, attrs, prev = {}, {}, 0
    for m in re.finditer(r'loc\("([^"]+)"\)', text):
        seg, prev = text[prev:m.start()], m.end()
        k = seg.rfind(" : ")
        if k >= 0:
            sig[m.group(1)] = re.findall(r"tensor<([^>]*)>", seg[k:])
            op = seg[:k].splitlines()[-1] if seg[:k].splitlines() else ""
            attrs[m.group(1)] = op

    spans = collections.defaultdict(list)
    for path in args.trace:
        for e in json.load(open(path))["traceEvents"]:
            if e.get("ph") == "X" and e["pid"] == 0 and \
                    e["args"].get("depth") == 0:
                name = e["name"].split(" ", 1)[-1]
                spans[name].append(e["dur"] * 1e-6)

    print("rates: flops %.4g, conv_flops %.4g, conv_k_half %g, mem_bw %.4g, "
          "kernel_overhead %g" % (flops, conv, k_half, mem_bw, overhead))
    torch_time = make_torch_timer(args) if args.torch else None
    print("%-22s %-16s %9s %6s %9s %9s %7s %9s %7s %8s %7s%s" % (
        "layer", "op", "MFLOP", "K", "measured", "model", "error",
        "all@flops", "error", "GFLOP/s", "GB/s",
        " %9s %7s" % ("torch", "vs") if torch_time else ""))
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
        extra = ""
        if torch_time and layer["op"] in ("dl.conv2d", "dl.pool2d"):
            tt = torch_time(layer["op"], attrs[name], ts)
            c2 = by_op[layer["op"] + " (torch)"]
            c2["measured"] += meas
            c2["torch"] += tt
            extra = " %9.3f %6.2fx" % (tt * 1e3, meas / tt)
        print("%-22s %-16s %9.2f %6s %9.3f %9.3f %+6.0f%% %9.3f %+6.0f%% "
              "%8.2f %7.2f%s" % (
                  name, layer["op"], f / 1e6, red or "", meas * 1e3,
                  model * 1e3, (meas / model - 1) * 100, plain * 1e3,
                  (meas / plain - 1) * 100, f / meas / 1e9, byts / meas / 1e9,
                  extra))
    for label, c in sorted(by_op.items()):
        if "torch" in c:
            print("%-22s measured %9.3f ms, PyTorch %9.3f ms (%.2fx)" % (
                label, c["measured"] * 1e3, c["torch"] * 1e3,
                c["measured"] / c["torch"]))
    for label, c in [("total", total)] + sorted(
            (k, v) for k, v in by_op.items() if "torch" not in v):
        print("%-22s measured %9.3f ms, model %9.3f ms (%+.0f %%), all at "
              "flops %9.3f ms (%+.0f %%)" % (
                  label, c["measured"] * 1e3, c["model"] * 1e3,
                  (c["measured"] / c["model"] - 1) * 100, c["plain"] * 1e3,
                  (c["measured"] / c["plain"] - 1) * 100))


def ints(op, key, default):
    m = re.search(key + r" = array<i64: ([^>]*)>", op)
    return [int(v) for v in m.group(1).split(",")] if m else default


def dims(t):
    return [int(d) for d in t.split("xf")[0].split("x")]


def make_torch_timer(args):
    """A function timing one conv / pool layer with PyTorch (seconds)."""
    import time
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    def best(fn):
        with torch.no_grad():
            fn()
            t = float("inf")
            for _ in range(args.torch_repeat):
                t0 = time.perf_counter()
                fn()
                t = min(t, time.perf_counter() - t0)
        return t

    def timer(opname, op, ts):
        x = torch.rand(dims(ts[0])) - 0.5
        pt, pl, pb, pr = ints(op, "padding", [0, 0, 0, 0])
        sym = pt == pb and pl == pr
        if opname == "dl.conv2d":
            w = torch.rand(dims(ts[1])) - 0.5
            b = torch.rand(dims(ts[2])) if len(ts) > 3 else None
            st = ints(op, "strides", [1, 1])
            dil = ints(op, "dilations", [1, 1])
            g = re.search(r"groups = (\d+)", op)
            g = int(g.group(1)) if g else 1
            relu = "activation relu" in op

            def run():
                xi = x if sym else F.pad(x, (pl, pr, pt, pb))
                y = F.conv2d(xi, w, b, st, (pt, pl) if sym else 0, dil, g)
                return F.relu(y) if relu else y
            return best(run)
        k = ints(op, "kernel", [1, 1])
        st = ints(op, "strides", [1, 1])
        is_max = "dl.pool2d max" in op
        incl = "count_include_pad = true" in op
        if not sym or max(pt, pl) * 2 > min(k):
            # Explicit padding: -inf for max; zeros count for an average
            # only with count_include_pad (exact for that case only).
            def run():
                xi = F.pad(x, (pl, pr, pt, pb),
                           value=float("-inf") if is_max else 0.0)
                return (F.max_pool2d(xi, k, st) if is_max
                        else F.avg_pool2d(xi, k, st))
            return best(run)
        if is_max:
            return best(lambda: F.max_pool2d(x, k, st, (pt, pl)))
        return best(lambda: F.avg_pool2d(x, k, st, (pt, pl),
                                         count_include_pad=incl))
    return timer


if __name__ == "__main__":
    main()
