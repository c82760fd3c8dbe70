#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Predicted speedups of the MoDNN and DeepThings setups next to the papers.

MoDNN (DATE'17): VGG-16 on 2-4 phones over Wi-Fi Direct (`phones-wifi-N`),
with MoDNN's fixed scheme (`modnn`: speed-proportional 1-D strips for the
conv/pool layers, speed-proportional output rows for the dense layers), the
strips alone (`spatial-biased`, dense layers replicated) and our searched
plan. DeepThings (TCAD'18): YOLOv2's first 16 layers (608x608) on 2-6
Raspberry Pi 3 (`edge-pi3-N`), Fused Tile Partitioning with grids 2x2 ..
6x6 (`ftp:GxG`) and our searched plan.

Every number is the cost model's prediction (`dl-compile --plan-only`,
plan.json: predicted_latency_s and predicted_peak_memory_bytes); nothing
is run. Speedup is over the same model planned on one device of the same
kind (`--scheme single` on the 1-device preset).

Usage: edge_published.py [--build DIR] [--out DIR] [--no-search]
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
MiB = 1024.0 * 1024.0


def plan(args, model, cluster, scheme, tag):
    out = os.path.join(args.out, tag)
    cmd = [os.path.join(args.build, "bin", "dl-compile"),
           os.path.join(ROOT, "examples", model), "--cluster", cluster,
           "--scheme", scheme, "--plan-only", "-o", out]
    t0 = time.time()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    wall = time.time() - t0
    if r.returncode != 0:
        last = r.stdout.strip().splitlines()[-1:] or ["?"]
        return {"error": last[0], "wall": wall}
    with open(os.path.join(out, "plan.json")) as f:
        p = json.load(f)
    peaks = p.get("predicted_peak_memory_bytes") or []
    return {"latency": p.get("predicted_latency_s"),
            "peak": max(peaks) if peaks else None,
            "bytes": sum(rk["bytes_sent"] for rk in p["ranks"]),
            "wall": wall}


def fmt_ms(r):
    return "%.1f" % (r["latency"] * 1e3) if r.get("latency") else "n/a"


def fmt_speedup(base, r):
    if not r.get("latency") or not base.get("latency"):
        return "n/a"
    return "%.2f" % (base["latency"] / r["latency"])


def fmt_mib(r):
    return "%.1f" % (r["peak"] / MiB) if r.get("peak") else "n/a"


def row(cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table(args, lines, title, model, preset, unit, devices, schemes, extra):
    """Plans `model` on `preset`-N for every N and scheme; `extra(n, s, r,
    base)` gives the last column(s)."""
    base = plan(args, model, preset + "1", "single", model + "-1")
    lines += ["### " + title, "",
              "One device (`single`): %s ms, peak %s MiB." %
              (fmt_ms(base), fmt_mib(base)), ""]
    head = [unit, "scheme", "predicted ms", "speedup", "max peak MiB/device",
            "bytes sent"] + extra(None, None, None, None)
    lines.append(row(head))
    lines.append(row(["---:", "---"] + ["---:"] * (len(head) - 2)))
    for n in devices:
        for s in schemes + ([] if args.no_search else ["search"]):
            r = plan(args, model, preset + str(n), s,
                     "%s-%d-%s" % (model, n, s.replace(":", "")))
            if "error" in r:
                lines.append(row([n, s, "failed: " + r["error"]]))
                continue
            lines.append(row([n, "`%s`" % s, fmt_ms(r), fmt_speedup(base, r),
                              fmt_mib(r), r["bytes"]] + extra(n, s, r, base)))
            print("%s %d %s: %.1fs" % (model, n, s, r["wall"]),
                  file=sys.stderr)
    lines.append("")


def modnn(args, lines):
    published = {2: "2.17x", 3: "", 4: "4.28x"}

    def extra(n, s, r, base):
        if n is None:
            return ["published"]
        return [published[n] if s == "modnn" else ""]

    table(args, lines, "MoDNN: VGG-16 on phones-wifi-N", "vgg16.mlir",
          "phones-wifi-", "phones", (2, 3, 4), ["modnn", "spatial-biased"],
          extra)


def deepthings(args, lines):
    def extra(n, s, r, base):
        if n is None:
            return ["memory vs 1 device"]
        if not r.get("peak") or not base.get("peak"):
            return ["n/a"]
        return ["%+.0f %%" % (100 * (r["peak"] / base["peak"] - 1))]

    table(args, lines, "DeepThings: YOLOv2 layers 0-15 on edge-pi3-N",
          "yolov2_16.mlir", "edge-pi3-", "Pis", range(2, 7),
          ["ftp:%dx%d" % (g, g) for g in range(2, 7)], extra)
    lines.append("Published (DeepThings, TCAD'18): 1.7-3.5x on 2-6 devices, "
                 "> 68 % less memory, < 23 MB per device.")
    lines.append("")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default="/tmp/dl-edge-published")
    ap.add_argument("--no-search", action="store_true",
                    help="skip the searched plans")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    lines = []
    modnn(args, lines)
    deepthings(args, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
