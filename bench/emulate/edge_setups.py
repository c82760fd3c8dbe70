#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Measures compiled plans of one model on emulated clusters of 1..N devices.

    bench/emulate/edge_setups.py --dir DIR --cluster CLUSTER [--build B]
        [--share S] [--runs R] [--warmup W] [--repeat N] [--prefix P]
        [--stack-us U] [--only N[,N..]] [--tolerance X]
    bench/emulate/edge_setups.py --dir DIR --cluster CLUSTER --table

DIR holds plans compiled by dl-compile, one directory per plan named
n<N>-<scheme> (the scheme's ':' written as '_'), compiled for the cluster
of N devices; n1-single (the model on one device) is the baseline, run on
device 0 of the 2-device emulation (the emulation needs two devices). CLUSTER
names the cluster of N devices: a preset or YAML file with "{n}" in place
of the device count (e.g. phones-wifi-{n}, or DIR/cluster-{n}.yaml).

For every device count: bring up the emulation (bench/emulate/dl-emulate,
every device at S cores, the stack latency taken off the links), run each
plan's rank programs R times (W warm-up and N timed inferences each) and
take the median of rank 0's mean latency (rank 0 holds the output: end to
end). Every run compares rank 0's output with the one-device program's
output (computed once outside the emulation, same input) with --expect; a
run whose check fails is reported as FAILED and its time is not used. The
emulation is taken down after every device count, also on errors and
signals. Prints a Markdown table (also DIR/results.md) and keeps every
run's output in DIR/<plan>/emu-run.log.
"""

import argparse
import glob
import json
import os
import re
import signal
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
MiB = 1024.0 * 1024.0


def load_avg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def plans(dir_):
    out = {}
    for d in sorted(glob.glob(os.path.join(dir_, "n*-*"))):
        m = re.match(r"n(\d+)-(.+)$", os.path.basename(d))
        if m and os.path.isfile(os.path.join(d, "run.sh")):
            out.setdefault(int(m.group(1)), []).append(
                (m.group(2).replace("_", ":", 1) if m.group(2).startswith(
                    "ftp_") else m.group(2), d))
    return out


def rank_args(d, ref, input_npy, args):
    n = len(glob.glob(os.path.join(d, "bin", "rank*")))
    cmd = []
    for r in range(n):
        if r:
            cmd.append(":")
        cmd += ["-np", "1", os.path.join(d, "bin", "rank%d" % r), "--weights",
                os.path.join(d, "weights", "rank%d.dlw" % r)]
        if args is not None:
            cmd += ["--warmup", str(args.warmup), "--repeat", str(args.repeat)]
        if r == 0:
            cmd += ["--input", input_npy, "--output",
                    os.path.join(d, "emu-out.npy")]
            if ref:
                cmd += ["--expect", ref]
                if args is not None:
                    cmd += ["--tolerance", str(args.tolerance)]
    return n, cmd


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cluster", required=True)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--share", type=float, default=0.25)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--prefix", default="dledge")
    ap.add_argument("--stack-us", type=float)
    ap.add_argument("--only", help="device counts to measure (default all)")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--new", action="store_true",
                    help="skip plans that DIR/rows.jsonl already has")
    ap.add_argument("--table", action="store_true",
                    help="only print the table of every row measured so far "
                    "(DIR/rows.jsonl; the latest row of each plan)")
    args = ap.parse_args()
    if args.table:
        rows = {}
        path = os.path.join(args.dir, "rows.jsonl")
        for line in open(path) if os.path.isfile(path) else []:
            r = json.loads(line)
            r["peak_mib"] = measured_peak(os.path.join(
                args.dir, "n%d-%s" % (r["n"], r["scheme"].replace(":", "_"))))
            rows[(r["n"], r["scheme"])] = r
        write_table(args, [rows[k] for k in sorted(rows)], save=False)
        return
    if "{n}" not in args.cluster:
        sys.exit("edge_setups.py: error: --cluster needs '{n}'")
    all_plans = plans(args.dir)
    if 1 not in all_plans or not any(s == "single" for s, _ in all_plans[1]):
        sys.exit("edge_setups.py: error: %s has no n1-single plan" % args.dir)
    only = set(int(x) for x in args.only.split(",")) if args.only else None
    emu = [os.path.join(HERE, "dl-emulate"), "--prefix", args.prefix,
           "--build", args.build]

    def down(*_):
        subprocess.run(emu + ["down"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def on_signal(signum, _):
        down()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    single = dict(all_plans[1])["single"]
    input_npy = os.path.join(single, "sample_input.npy")
    ref = os.path.join(args.dir, "reference.npy")
    if not os.path.isfile(ref):
        # The one-device program's output, at full speed, no emulation.
        _, cmd = rank_args(single, None, input_npy, None)
        cmd[cmd.index("--output") + 1] = ref
        subprocess.run(["mpirun", "--oversubscribe", "--bind-to", "none"] +
                       cmd, check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1",
                                OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1"))
    stack = args.stack_us
    if stack is None:
        stack = float(subprocess.run(emu + ["stack"], check=True,
                                     stdout=subprocess.PIPE,
                                     text=True).stdout.split()[0])
    print("stack latency taken off the links: %.0f us; share %.3f cores; "
          "cores: %d" % (stack, args.share, os.cpu_count()), flush=True)
    rows = []
    try:
        for n in sorted(all_plans):
            if only and n not in only:
                continue
            # The emulation needs two devices: one-device plans run on
            # device 0 of two (the other one idles).
            cluster = args.cluster.replace("{n}", str(max(n, 2)))
            up = subprocess.run(emu + ["up", cluster, "--share",
                                       str(args.share), "--stack-us",
                                       str(stack)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
            with open(os.path.join(args.dir, "emulation-n%d.txt" % n),
                      "w") as f:
                f.write(up.stdout)
            if up.returncode:
                print("n=%d: dl-emulate up failed:\n%s" % (n, up.stdout))
                down()
                continue
            for scheme, d in all_plans[n]:
                if args.new and os.path.isfile(os.path.join(d,
                                                            "emu-run.log")):
                    continue
                rows.append(measure(emu, args, n, scheme, d, ref, input_npy))
            down()
    finally:
        down()
    write_table(args, rows)


def measured_peak(d, log="emu-run.log"):
    """The largest memory of a rank over the runs logged in d/LOG: the peak
    of its tensor buffers (the runtime's count, printed with its latency)
    plus its weight file (loaded whole), in MiB."""
    peak = {}
    path = os.path.join(d, log)
    for line in open(path) if os.path.isfile(path) else []:
        m = re.match(r"rank(\d+): mean latency .* peak buffer memory (\d+) "
                     r"bytes", line)
        if m:
            r = int(m.group(1))
            peak[r] = max(peak.get(r, 0), int(m.group(2)))
    if not peak:
        return None
    return max(b + os.path.getsize(os.path.join(d, "weights",
                                                "rank%d.dlw" % r))
               for r, b in peak.items()) / MiB


def measure(emu, args, n, scheme, d, ref, input_npy):
    plan = json.load(open(os.path.join(d, "plan.json")))
    pred = plan.get("predicted_latency_s")
    ppeak = plan.get("predicted_peak_memory_bytes") or []
    ranks, cmd = rank_args(d, ref, input_npy, args)
    load = load_avg()
    times, errs, fails = [], [], 0
    log = open(os.path.join(d, "emu-run.log"), "a")
    for _ in range(args.runs):
        p = subprocess.run(emu + ["exec", "--", "mpirun"] + cmd,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        log.write("$ load %s rc %d\n%s" % (load_avg(), p.returncode,
                                            p.stdout))
        t = re.search(r"^rank0: mean latency ([0-9.]+) ms", p.stdout, re.M)
        e = re.search(r"^max_rel_error ([0-9.e+-]+)", p.stdout, re.M)
        if p.returncode or not t or not e or float(e.group(1)) > \
                args.tolerance:
            fails += 1
            continue
        times.append(float(t.group(1)))
        errs.append(float(e.group(1)))
    log.close()
    row = {"n": n, "scheme": scheme, "ranks": ranks,
           "pred_ms": pred * 1e3 if pred else None,
           "pred_peak_mib": max(ppeak) / MiB if ppeak else None,
           "runs": times, "fails": fails, "max_rel_error": max(errs or [0]),
           "peak_mib": measured_peak(d),
           "load": "%s-%s" % (load, load_avg())}
    row["ms"] = statistics.median(times) if times else None
    print(json.dumps(row), flush=True)
    with open(os.path.join(args.dir, "rows.jsonl"), "a") as f:
        f.write(json.dumps(row) + "\n")
    return row


def write_table(args, rows, save=True):
    base = next((r for r in rows if r["n"] == 1 and r["scheme"] == "single"),
                None)
    if base is None:
        # Baseline from an earlier invocation (--only).
        path = os.path.join(args.dir, "rows.jsonl")
        for line in open(path) if os.path.isfile(path) else []:
            r = json.loads(line)
            if r["n"] == 1 and r["scheme"] == "single" and r["ms"]:
                base = r
    lines = ["| devices | scheme | ranks | predicted ms | measured ms | error "
             "| runs ms | check | speedup pred. | speedup meas. | peak MiB "
             "pred. | peak MiB meas. | load avg |",
             "|---:|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        def f(x, fmt="%.1f"):
            return fmt % x if x is not None else "n/a"
        err = ("%+.1f %%" % ((r["ms"] / r["pred_ms"] - 1) * 100)
               if r["ms"] and r["pred_ms"] else "n/a")
        sp_p = (base["pred_ms"] / r["pred_ms"]
                if base and base["pred_ms"] and r["pred_ms"] else None)
        sp_m = base["ms"] / r["ms"] if base and base["ms"] and r["ms"] else None
        check = ("FAILED %d/%d" % (r["fails"], r["fails"] + len(r["runs"]))
                 if r["fails"] else "pass (%.1e)" % r["max_rel_error"])
        lines.append("| %d | `%s` | %d | %s | %s | %s | %s | %s | %s | %s | "
                     "%s | %s | %s |" % (
                         r["n"], r["scheme"], r["ranks"], f(r["pred_ms"]),
                         f(r["ms"]), err,
                         "/".join("%.0f" % t for t in r["runs"]), check,
                         f(sp_p, "%.2f"), f(sp_m, "%.2f"),
                         f(r["pred_peak_mib"]), f(r["peak_mib"]), r["load"]))
    # The claim to check: the searched plan never loses to a fixed scheme by
    # more than the prediction error (the larger |error| of the two plans).
    lines.append("")
    for r in rows:
        if r["scheme"] != "search" or not r["ms"]:
            continue
        for g in rows:
            if g["n"] != r["n"] or g["scheme"] in ("search", "single") or \
                    not g["ms"]:
                continue
            loss = r["ms"] / g["ms"] - 1
            errs = [abs(x["ms"] / x["pred_ms"] - 1) for x in (r, g)
                    if x["pred_ms"]]
            bound = max(errs) if errs else 0
            verdict = ("search faster" if loss <= 0 else
                       "within the prediction error" if loss <= bound else
                       "VIOLATION: loses by more than the prediction error")
            lines.append("- %d devices: search %.1f ms vs `%s` %.1f ms: %+.1f %% "
                         "(prediction error up to %.1f %%): %s" % (
                             r["n"], r["ms"], g["scheme"], g["ms"],
                             100 * loss, 100 * bound, verdict))
    text = "\n".join(lines) + "\n"
    print(text)
    if save:
        with open(os.path.join(args.dir, "results.md"), "a") as f:
            f.write(text)


if __name__ == "__main__":
    main()
