#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Speedup and per-device memory against the device count, from a
predict_vs_measure.sh run over clusters of one kind and several sizes.

    bench/emulate/scaling_table.py --run OUT [--title TEXT]

OUT is the run's --out directory: OUT/rows.txt (its rows) and, per
cluster and plan, OUT/CLUSTER/MODEL-SCHEME/{plan.json,run.log,weights}.
For every plan: the device count (plan.json's "devices"), the predicted
and measured latency, the speedup over the `single` plan of the same
cluster (the one-device plan run on that emulation; predicted: predicted
latencies, measured: measured latencies), and the largest per-device
memory, predicted (plan.json's predicted_peak_memory_bytes: weights plus
activations) and measured (the largest, over the ranks, of the runtime's
peak of tensor buffers printed in run.log plus the rank's weight file).
The last row of a cluster, model and scheme in rows.txt counts (a run
that measured a cluster again appends its rows). Prints the table in the
format of bench/emulate/edge_setups.py, which bench/plot.py plots
(speedup with the ideal line, memory per device), with the one-device
plans as the rows of 1 device (speedup 1).
"""

import argparse
import json
import os

from edge_setups import MiB, measured_peak


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--title", default="")
    args = ap.parse_args()
    rows = {}
    for line in open(os.path.join(args.run, "rows.txt")):
        f = line.split()
        if len(f) >= 8 and f[3].isdigit() and f[5] != "failed":
            rows[(f[0], f[1], f[2])] = f
    plans = []
    for (c, m, s), f in rows.items():
        d = os.path.join(args.run, c, m + "-" + s.replace(":", "_"))
        plan = json.load(open(os.path.join(d, "plan.json")))
        peaks = plan.get("predicted_peak_memory_bytes") or []
        plans.append({"cluster": c, "model": m, "scheme": s,
                      "n": plan["devices"], "ranks": int(f[3]),
                      "pred": float(f[4]), "ms": float(f[5]),
                      "runs": f[7], "load": f[8],
                      "pred_mib": max(peaks) / MiB if peaks else None,
                      "mib": measured_peak(d, "run.log")})
    if args.title:
        print("# %s\n" % args.title)
    print("| devices | scheme | ranks | predicted ms | measured ms | error "
          "| runs ms | check | speedup pred. | speedup meas. | peak MiB "
          "pred. | peak MiB meas. | load avg |")
    print("|---:|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|")

    def f1(x, fmt="%.1f"):
        return fmt % x if x is not None else "n/a"
    singles = {(p["cluster"], p["model"]): p for p in plans
               if p["scheme"] == "single"}
    first = min((p for p in singles.values()), key=lambda p: p["n"])
    out = [dict(first, n=1, ranks=1)] + sorted(
        (p for p in plans if p["scheme"] != "single"),
        key=lambda p: (p["n"], p["scheme"]))
    for p in out:
        base = singles.get((p["cluster"], p["model"]))
        print("| %d | `%s` | %d | %.1f | %.1f | %+.1f %% | %s | - | %s | %s | "
              "%s | %s | %s |" % (
                  p["n"], p["scheme"], p["ranks"], p["pred"], p["ms"],
                  (p["ms"] / p["pred"] - 1) * 100, p["runs"],
                  f1(base["pred"] / p["pred"] if base else None, "%.2f"),
                  f1(base["ms"] / p["ms"] if base else None, "%.2f"),
                  f1(p["pred_mib"]), f1(p["mib"]), p["load"]))


if __name__ == "__main__":
    main()
