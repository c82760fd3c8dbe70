#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Search time of dl-search-partition versus layers and devices.

Generates conv chains of 10..2000 layers and a ResNet-152-sized residual
DAG (100 blocks, 501 layers), runs `dl-opt --dl-search-partition` on
local-P presets pinned to one core (`taskset -c CPU`) and prints a Markdown
table of the time of the search pass itself (candidates, DP, runner-ups,
report; from `--mlir-timing`, without parsing and printing), the minimum
over `--repeat` runs, since a loaded machine only ever adds time.

    bench/search_scaling.py --dl-opt build/bin/dl-opt [--quick] [--repeat 3]
        [--objective latency|memory|throughput|energy] [--memory-limit L]
        [--layers 100,1000] [--devices 4,64] [--no-dag]

`--objective` is passed to the pass (default latency). `--memory-limit`
is a per-device limit in bytes, or `Fx` (e.g. `0.9x`): F times the peak
per-device memory of the plan the same search finds without a limit
(read from its JSON report, one untimed run per case), which makes the
latency and energy searches fall back to the memory-mode Pareto DP.
When the search is not proven optimal (the exact memory-mode DP was cut
off by its work budget), the cell also gives the gap between the plan's
cost and the proven lower bound, from the JSON report of the timed run.
Only Python 3 and a dl-opt binary are needed.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile

def t(shape):
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


def conv(lines, params, x, shape, cout, name):
    w = [cout, shape[1], 3, 3]
    out = [shape[0], cout, shape[2], shape[3]]
    params.append(f'    %{name}_w = dl.param "{name}.w" : {t(w)}')
    lines.append(
        f"    %{name} = dl.conv2d {x}, %{name}_w "
        f"{{padding = array<i64: 1, 1, 1, 1>}} : ({t(shape)}, {t(w)}) "
        f"-> {t(out)}")
    return f"%{name}", out


def chain(n):
    shape = [1, 16, 32, 32]
    lines, params, x = [], [], "%x"
    for i in range(n):
        if i % 2 == 0:
            x, shape = conv(lines, params, x, shape, 16, f"c{i}")
        else:
            lines.append(f"    %r{i} = dl.relu {x} : {t(shape)}")
            x = f"%r{i}"
    return wrap(lines, params, [1, 16, 32, 32], x, shape)


def resnet(blocks):
    """Bottleneck-free residual blocks: conv, relu, conv, add, relu (5
    layers per block; 100 blocks = 501 layers, 201 convs)."""
    shape = [1, 16, 16, 16]
    lines, params = [], []
    x, shape = conv(lines, params, "%x", shape, 16, "stem")
    for b in range(blocks):
        y, _ = conv(lines, params, x, shape, 16, f"b{b}a")
        lines.append(f"    %b{b}r = dl.relu {y} : {t(shape)}")
        z, _ = conv(lines, params, f"%b{b}r", shape, 16, f"b{b}b")
        lines.append(f"    %b{b}s = dl.add {z}, {x} : {t(shape)}")
        lines.append(f"    %b{b}o = dl.relu %b{b}s : {t(shape)}")
        x = f"%b{b}o"
    return wrap(lines, params, [1, 16, 16, 16], x, shape)


def wrap(lines, params, inshape, x, shape):
    return ("module {\n  func.func @main(%x: " + t(inshape) + ") -> " +
            t(shape) + " {\n" + "\n".join(params + lines) +
            f"\n    return {x} : {t(shape)}\n  }}\n}}\n")


def search_option(args, devices, limit=None, report=None):
    opt = f"cluster=local-{devices} objective={args.objective}"
    if limit is not None:
        opt += f" memory-limit={limit}"
    if report is not None:
        opt += f" report={report}"
    return f"--dl-search-partition={opt}"


def resolve_limit(args, path, devices):
    """The memory limit in bytes for this case (None: no limit)."""
    if args.memory_limit is None:
        return None
    if not args.memory_limit.endswith("x"):
        return int(args.memory_limit)
    with tempfile.TemporaryDirectory() as d:
        report = os.path.join(d, "plan.json")
        subprocess.run([args.dl_opt, path,
                        search_option(args, devices, report=report),
                        "-o", os.devnull], check=True,
                       timeout=args.timeout, capture_output=True)
        with open(report) as f:
            peak = json.load(f)["peak_memory_bytes"]
    return int(float(args.memory_limit[:-1]) * peak)


def run(args, text, devices):
    """Seconds of the DLSearchPartition pass (minimum over the repeats) and
    the gap note ("" when exact), None on a timeout, or "no plan fits" when
    nothing fits the limit."""
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write(text)
        path = f.name
    report = path[:-5] + ".json"
    best = None
    try:
        try:
            limit = resolve_limit(args, path, devices)
        except subprocess.TimeoutExpired:
            return None
        cmd = [args.dl_opt, path,
               search_option(args, devices, limit, report=report),
               "-o", os.devnull, "--mlir-timing",
               "--mlir-timing-display=list"]
        if args.cpu >= 0 and shutil.which("taskset"):
            cmd = ["taskset", "-c", str(args.cpu)] + cmd
        for _ in range(args.repeat):
            try:
                out = subprocess.run(cmd, check=True, timeout=args.timeout,
                                     capture_output=True, text=True)
            except subprocess.TimeoutExpired:
                return None
            except subprocess.CalledProcessError as e:
                if "no plan fits the memory limit" in e.stderr:
                    return "no plan fits"
                if "no plan within the memory limits was found" in e.stderr:
                    return "no plan found (not proven infeasible)"
                raise
            m = re.search(r"^\s*([0-9.]+) \(.*\)\s+DLSearchPartition$",
                          out.stderr, re.M)
            if not m:
                raise RuntimeError("no DLSearchPartition timing in:\n" +
                                   out.stderr)
            s = float(m.group(1))
            best = s if best is None else min(best, s)
        with open(report) as f:
            r = json.load(f)
        gap = ""
        if not r["exact"]:
            rel = r.get("gap_rel")
            gap = (f"gap {100 * rel:.1f} %" if rel is not None
                   else "gap unbounded")
        elif r.get("method", "").find("lower bound") >= 0:
            gap = "gap 0"
        return (best, gap)
    finally:
        os.unlink(path)
        if os.path.exists(report):
            os.unlink(report)


def fmt(s, timeout):
    if isinstance(s, str):
        return s
    if s is None:
        return f"> {timeout} s"
    t, gap = s
    return f"{t:.3f} s" + (f" ({gap})" if gap else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dl-opt", default="build/bin/dl-opt")
    ap.add_argument("--quick", action="store_true",
                    help="10/100/1000 layers on 4/16/64 devices")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per case; the minimum is reported")
    ap.add_argument("--cpu", type=int, default=0,
                    help="core to pin to (-1: no pinning)")
    ap.add_argument("--timeout", type=int, default=120,
                    help="seconds per run")
    ap.add_argument("--objective", default="latency",
                    choices=["latency", "memory", "throughput", "energy"])
    ap.add_argument("--memory-limit", default=None,
                    help="bytes per device, or Fx: F times the peak of "
                    "the unconstrained plan")
    ap.add_argument("--layers", default=None,
                    help="comma-separated chain lengths (overrides --quick)")
    ap.add_argument("--devices", default=None,
                    help="comma-separated device counts (overrides --quick)")
    ap.add_argument("--no-dag", action="store_true",
                    help="skip the residual DAG row")
    args = ap.parse_args()
    limit = "" if args.memory_limit is None else \
        f", memory limit {args.memory_limit}"
    print(f"objective {args.objective}{limit}; seconds of the "
          f"DLSearchPartition pass, minimum of {args.repeat} run(s)\n")
    layers = [10, 100, 1000] if args.quick else [10, 100, 500, 1000, 2000]
    devices = [4, 16, 64] if args.quick else [2, 4, 8, 16, 64]
    if args.layers:
        layers = [int(x) for x in args.layers.split(",")]
    if args.devices:
        devices = [int(x) for x in args.devices.split(",")]
    print("| model | layers | " + " | ".join(f"P={p}" for p in devices) +
          " |")
    print("|---|---|" + "---|" * len(devices))
    for n in layers:
        text = chain(n)
        times = [run(args, text, p) for p in devices]
        print(f"| conv chain | {n} | " +
              " | ".join(fmt(s, args.timeout) for s in times) + " |",
              flush=True)
    if args.no_dag:
        return
    text = resnet(100)
    times = [run(args, text, p) for p in devices]
    print("| residual DAG (100 blocks) | 501 | " +
          " | ".join(fmt(s, args.timeout) for s in times) + " |")


if __name__ == "__main__":
    main()
