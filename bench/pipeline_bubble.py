#!/usr/bin/env python3
"""Measures the pipeline bubble of dl-train --paradigm pipeline.

Trains an MLP of equal dense layers (so that balanced stages take equal
time, as the ideal (K-1)/(M+K-1) assumes) on random data, for K stages and
M micro-batches, under GPipe and 1F1B, and prints a Markdown table of the
bubble measured by the runtime (idle / step time, mean over stages and
over the timed steps) next to the ideal (docs/training.md). Not a test: the
numbers depend on the machine and its load.

  bench/pipeline_bubble.py BUILD_DIR [--stages 2,3,4] [--micro 1,2,4,8]
      [--layers 8] [--width 512] [--batch 64] [--steps 6] [--out DIR]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np


def mlp(path, layers, width, batch, classes):
    lines = ["func.func @mlp(%%x: tensor<%dx%dxf32>) -> tensor<%dx%dxf32> {"
             % (batch, width, batch, classes)]
    h = "%x"
    for i in range(layers):
        out = classes if i + 1 == layers else width
        act = "" if i + 1 == layers else \
            " {activation = #dl<activation relu>}"
        lines.append('  %%w%d = dl.param "fc%d.weight" : tensor<%dx%dxf32>'
                     % (i, i, out, width))
        lines.append('  %%b%d = dl.param "fc%d.bias" : tensor<%dxf32>'
                     % (i, i, out))
        lines.append("  %%h%d = dl.dense %s, %%w%d, %%b%d%s : (tensor<%dx%dxf32>, "
                     "tensor<%dx%dxf32>, tensor<%dxf32>) -> tensor<%dx%dxf32>"
                     % (i, h, i, i, act, batch, width, out, width, out,
                        batch, out))
        h = "%%h%d" % i
    lines.append("  return %s : tensor<%dx%dxf32>" % (h, batch, classes))
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--stages", default="2,3,4")
    ap.add_argument("--micro", default="1,2,4,8")
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="bubble")
    os.makedirs(out, exist_ok=True)
    classes = 10
    model = os.path.join(out, "mlp.mlir")
    mlp(model, a.layers, a.width, a.batch, classes)
    rng = np.random.default_rng(0)
    n = a.batch * (a.steps + 1)
    np.save(os.path.join(out, "x.npy"),
            rng.standard_normal((n, a.width)).astype(np.float32))
    np.save(os.path.join(out, "y.npy"),
            rng.integers(0, classes, n).astype(np.float32))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    dl_train = os.path.join(a.build, "bin", "dl-train")
    print("| K | M | micro-batch | ideal | GPipe | 1F1B |")
    print("| --- | --- | --- | --- | --- | --- |")
    for k in [int(s) for s in a.stages.split(",")]:
        for m in [int(s) for s in a.micro.split(",")]:
            if a.batch % m:
                continue
            d = os.path.join(out, "k%d_m%d" % (k, m))
            measured = {}
            data = ["--train-images", os.path.join(out, "x.npy"),
                    "--train-labels", os.path.join(out, "y.npy"),
                    "--steps", str(a.steps)]
            for sched in ("gpipe", "1f1b"):
                # dl-train builds and runs the program once; the other
                # schedule runs the same binary.
                if sched == "gpipe":
                    cmd = [dl_train, model, "-o", d, "--paradigm",
                           "pipeline", "--ranks", str(k), "--microbatches",
                           str(m), "--batch", str(a.batch), "--schedule",
                           sched, "--optimizer", "sgd", "--lr", "0.01"]
                else:
                    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe",
                           "--bind-to", "none", "-x", "OMP_NUM_THREADS",
                           "-np", str(k), os.path.join(d, "bin", "train"),
                           "--schedule", sched]
                r = subprocess.run(cmd + data, env=env, capture_output=True,
                                   text=True)
                if r.returncode:
                    sys.exit(r.stdout + r.stderr)
                got = re.search(r"bubble: measured ([0-9.]+) .* = ([0-9.]+)",
                                r.stdout)
                measured[sched] = got.group(1)
                ideal = got.group(2)
            print("| %d | %d | %d | %s | %s | %s |"
                  % (k, m, a.batch // m, ideal, measured["gpipe"],
                     measured["1f1b"]))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
