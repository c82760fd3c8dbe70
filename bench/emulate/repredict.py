#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Re-predicts the plans of an earlier predict_vs_measure.sh run.

The measured latencies of a run do not change when the cost model does;
this compiles every (cluster, model, scheme) row of OUT/rows.txt again
(dl-compile --plan-only against the run's own emulated cluster file
OUT/CLUSTER/emulated.yaml), and prints the old and new prediction beside
the measured median with both errors. A row whose plan the new compiler
no longer picks (the search may choose differently) is marked CHANGED and
left out of the statistics: its measurement is of the old plan.

With --kernel-rates the cluster file gets each device's convolution rate
curve (and per-call kernel overhead) from the run's own calibration,
OUT/CLUSTER/calibrated-rank<i>.yaml. Runs from before these fields existed
name only the 64->64 convolution's rate (reduction 576) in a comment; with
--conv-k-half K that rate is taken as the curve's value at 576 (conv_flops
= rate * (576 + K) / 576, conv_k_half = K), else as conv_flops.

With --field simulated_latency_s the new prediction is the plan replayed
as per-rank events (search::simulate) instead of the bulk-synchronous
cost model's predicted_latency_s.

Usage: repredict.py --run OUT --compiler BUILD --models "NAME=MODEL ..."
                    [--work DIR] [--kernel-rates [--conv-k-half K]]
                    [--field predicted_latency_s|simulated_latency_s]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile


def with_kernel_rates(run, cluster, out, k_half=None):
    """Writes OUT: RUN/CLUSTER/emulated.yaml with every device's conv_flops
    (and kernel_overhead) from RUN/CLUSTER/calibrated-rank<i>.yaml."""
    lines, rank, result = open(os.path.join(run, cluster,
                                            "emulated.yaml")).read().split(
                                                "\n"), -1, []
    for line in lines:
        result.append(line)
        if line.startswith("  - name: "):
            rank += 1
        if rank >= 0 and line.startswith("    memory: "):
            cal = open(os.path.join(run, cluster, "calibrated-rank%d.yaml" %
                                    rank)).read()
            peak = re.search(r"conv_flops: *([0-9.e+-]+)GFLOP/s", cal)
            half = re.search(r"conv_k_half: *([0-9.e+-]+)", cal)
            m = re.search(r"64->64 3x3 56x56\): *([0-9.e+-]+) GFLOP/s", cal)
            if peak and half:
                result.append("    conv_flops: %sGFLOP/s" % peak.group(1))
                result.append("    conv_k_half: %s" % half.group(1))
            elif m and k_half is not None:
                result.append("    conv_flops: %.6gGFLOP/s" %
                              (float(m.group(1)) * (576 + k_half) / 576))
                result.append("    conv_k_half: %.6g" % k_half)
            elif m:
                result.append("    conv_flops: %sGFLOP/s" % m.group(1))
            else:
                sys.exit("repredict.py: no conv rate in the calibration of "
                         "rank %d of %s" % (rank, cluster))
            m = re.search(r"kernel_overhead: *([0-9.e+-]+us)", cal)
            if m:
                result.append("    kernel_overhead: %s" % m.group(1))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(result))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--compiler", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--work", default=None)
    ap.add_argument("--kernel-rates", action="store_true")
    ap.add_argument("--conv-k-half", type=float, default=None)
    ap.add_argument("--field", default="predicted_latency_s",
                    choices=["predicted_latency_s", "simulated_latency_s"])
    args = ap.parse_args()
    models = dict(m.split("=", 1) for m in args.models.split())
    work = args.work or tempfile.mkdtemp()
    rows = [line.split() for line in open(os.path.join(args.run, "rows.txt"))]
    res = []
    print("%-8s %-9s %-12s %10s %10s %10s %8s %8s %s" %
          ("cluster", "model", "scheme", "old pred", "new pred", "measured",
           "old err", "new err", "plan"))
    for f in rows:
        if len(f) < 8 or f[5] == "failed" or f[4] == "n/a":
            continue
        c, m, s = f[:3]
        if m not in models:
            sys.exit("repredict.py: no --models entry for '%s'" % m)
        meas, oldp = float(f[5]), float(f[4])
        sub = m + "-" + s.replace(":", "_")
        d = os.path.join(work, c, sub)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        cluster = os.path.join(args.run, c, "emulated.yaml")
        if args.kernel_rates:
            cluster = with_kernel_rates(args.run, c,
                                        os.path.join(work, c, "cluster.yaml"),
                                        args.conv_k_half)
        r = subprocess.run(
            [os.path.join(args.compiler, "bin", "dl-compile"), models[m],
             "--cluster", cluster,
             "--scheme", s, "--plan-only", "-o", d],
            capture_output=True, text=True)
        if r.returncode:
            print("%-8s %-9s %-12s compile failed: %s" %
                  (c, m, s, r.stderr.strip().splitlines()[-1:]))
            continue
        new = json.load(open(os.path.join(d, "plan.json")))
        old = json.load(open(os.path.join(args.run, c, sub, "plan.json")))
        same = ([l["plan"] for l in new["layers"]] ==
                [l["plan"] for l in old["layers"]] and
                new.get("microbatches") == old.get("microbatches"))
        if new.get(args.field) is None:
            print("%-8s %-9s %-12s no %s" % (c, m, s, args.field))
            continue
        p = new[args.field] * 1e3
        oe, ne = (meas / oldp - 1) * 100, (meas / p - 1) * 100
        res.append((c, m, s, oldp, p, meas, oe, ne, same))
        print("%-8s %-9s %-12s %10.3f %10.3f %10.3f %+7.1f%% %+7.1f%% %s" %
              (c, m, s, oldp, p, meas, oe, ne,
               "same" if same else "CHANGED"))
    ok = [x for x in res if x[8]]
    print("\n%d plans, %d with the plan unchanged" % (len(res), len(ok)))
    groups = [("unchanged plans", ok),
              ("predicted >= 1 ms", [x for x in ok if x[4] >= 1])]
    for c in sorted(set(x[0] for x in ok)):
        groups.append((c, [x for x in ok if x[0] == c]))
    for name, sel in groups:
        if not sel:
            continue
        w = max(sel, key=lambda x: abs(x[7]))
        print("%-18s n=%2d median |error| old %5.1f %%, new %5.1f %%; "
              "worst new %+.1f %% (%s %s %s)" %
              (name, len(sel), statistics.median(abs(x[6]) for x in sel),
               statistics.median(abs(x[7]) for x in sel), w[7], *w[:3]))


if __name__ == "__main__":
    main()
