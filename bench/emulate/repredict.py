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

Usage: repredict.py --run OUT --compiler BUILD --models "NAME=MODEL ..."
                    [--work DIR]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--compiler", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--work", default=None)
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
        r = subprocess.run(
            [os.path.join(args.compiler, "bin", "dl-compile"), models[m],
             "--cluster", os.path.join(args.run, c, "emulated.yaml"),
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
        p = new["predicted_latency_s"] * 1e3
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
