#!/usr/bin/env python3
"""Measures inference pipelines compiled by dl-compile --scheme pipeline.

Builds an MLP of equal dense layers (balanced stages take equal time), and
for K stages (one rank each, local-K) and M micro-batches compiles it with
one or two build directories and runs each program with run.sh --repeat,
printing a Markdown table of rank 0's mean batch latency, the cost model's
prediction (plan.json) and the ideal speed-up over M = 1 of a pipeline
whose stages overlap, M*K / (M + K - 1). With --baseline, the same table
column for an older build, and whether the two builds' outputs are
bit-identical. Every output is also compared with the single-device
program (run.sh --reference). Not a test: the numbers depend on the
machine, its cores and its load (K ranks need K free cores to overlap).

  bench/pipeline_schedule.py BUILD_DIR [--baseline OLD_BUILD_DIR]
      [--stages 2,3,4] [--micro 1,2,4,8] [--layers 8] [--width 1024]
      [--batch 64] [--repeat 5] [--out DIR]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np


def mlp(path, layers, width, batch):
    lines = ["func.func @mlp(%%x: tensor<%dx%dxf32>) -> tensor<%dx%dxf32> {"
             % (batch, width, batch, width)]
    h = "%x"
    for i in range(layers):
        lines.append('  %%w%d = dl.param "fc%d.weight" : tensor<%dx%dxf32>'
                     % (i, i, width, width))
        lines.append('  %%b%d = dl.param "fc%d.bias" : tensor<%dxf32>'
                     % (i, i, width))
        lines.append("  %%h%d = dl.dense %s, %%w%d, %%b%d "
                     "{activation = #dl<activation relu>} : (tensor<%dx%dxf32>,"
                     " tensor<%dx%dxf32>, tensor<%dxf32>) -> tensor<%dx%dxf32>"
                     % (i, h, i, i, batch, width, width, width, width, batch,
                        width))
        h = "%%h%d" % i
    lines.append("  return %s : tensor<%dx%dxf32>" % (h, batch, width))
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def run(build, model, k, m, out, x, repeat, env):
    """Compiles and runs one configuration; returns (latency ms,
    predicted ms, output array, max_rel_error)."""
    cmd = [os.path.join(build, "bin", "dl-compile"), model, "--cluster",
           "local-%d" % k, "--scheme", "pipeline", "--microbatches", str(m),
           "-o", out]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode:
        sys.exit(r.stdout + r.stderr)
    plan = json.load(open(os.path.join(out, "plan.json")))
    y = os.path.join(out, "y.npy")
    r = subprocess.run([os.path.join(out, "run.sh"), "--input", x,
                        "--output", y, "--repeat", str(repeat),
                        "--reference"], env=env, capture_output=True,
                       text=True)
    if r.returncode:
        sys.exit(r.stdout + r.stderr)
    lat = re.search(r"rank0: mean latency ([0-9.]+) ms", r.stdout)
    err = re.search(r"max_rel_error (\S+)", r.stdout)
    pred = plan.get("predicted_latency_s")
    return (float(lat.group(1)), pred * 1e3 if pred else float("nan"),
            np.load(y), err.group(1) if err else "?")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--baseline", default=None)
    ap.add_argument("--stages", default="2,3,4")
    ap.add_argument("--micro", default="1,2,4,8")
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="pipesched")
    os.makedirs(out, exist_ok=True)
    model = os.path.join(out, "mlp.mlir")
    mlp(model, a.layers, a.width, a.batch)
    x = os.path.join(out, "x.npy")
    np.save(x, np.random.default_rng(0).standard_normal(
        (a.batch, a.width)).astype(np.float32))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    head = "| K | M | ideal speed-up | predicted ms | ms | speed-up |"
    rule = "| --- | --- | --- | --- | --- | --- |"
    if a.baseline:
        head += " baseline ms | baseline speed-up | bit-identical |"
        rule += " --- | --- | --- |"
    head += " max rel. error vs 1 device |"
    rule += " --- |"
    print(head)
    print(rule)
    for k in [int(s) for s in a.stages.split(",")]:
        first = {}
        for m in [int(s) for s in a.micro.split(",")]:
            if a.batch % m:
                continue
            lat, pred, y, err = run(a.build, model, k, m,
                                    os.path.join(out, "k%d_m%d" % (k, m)), x,
                                    a.repeat, env)
            first.setdefault("new", lat)
            row = "| %d | %d | %.2f | %.2f | %.1f | %.2f |" % (
                k, m, m * k / (m + k - 1), pred, lat, first["new"] / lat)
            if a.baseline:
                blat, _, by, _ = run(a.baseline, model, k, m,
                                     os.path.join(out, "old_k%d_m%d" % (k, m)),
                                     x, a.repeat, env)
                first.setdefault("old", blat)
                row += " %.1f | %.2f | %s |" % (
                    blat, first["old"] / blat,
                    "yes" if np.array_equal(y, by) else "NO")
            row += " %s |" % err
            print(row)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
