#!/usr/bin/env python3
"""Plots benchmark results as PNG files.

    bench/plot.py [--out-dir docs/img] [RESULT ...]
    bench/plot.py RESULT --output PNG

Reads the tables the benchmark scripts print (saved in bench/results/) and
writes one PNG per result file, named after it, into --out-dir (or the
PNG given with --output; bench/two_ranks.sh --plot and
bench/resnet18_vs_torch.sh --plot call it so). Without
RESULT arguments it plots every bench/results/*.txt and *.md it recognises:

* bench/resnet18_vs_torch.sh: latency per thread count, ours vs PyTorch;
* bench/two_ranks.sh: latency and throughput per configuration, and the
  cost model's prediction next to the measured latency when the table has a
  "predicted ms" column;
* bench/search_scaling.py: search time against the number of layers, one
  line per device count (a Markdown table "| model | layers | P=.. |");
* bench/fedavg_fashion_mnist.sh: test accuracy of the global model after
  each federated averaging round (the "round r/R: ..." lines);
* bench/train_ps_staleness.sh: test accuracy and training loss per epoch
  and against wall time, one line per run (a Markdown table "| run |
  epoch | ...");
* bench/emulate/edge_setups.py: measured speedup over one device and
  measured peak memory per device against the device count, one
  line per scheme, with the ideal speedup line (a Markdown table
  "| devices | scheme | ranks | predicted ms | measured ms | ...");
* bench/emulate/predict_vs_measure.sh: measured against predicted latency
  per plan on log axes, one marker per cluster and colour per scheme, with
  the ideal line and the +-10 % band.

Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import glob
import os
import re
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS, THEIRS, MODEL = "#4e79a7", "#f28e2b", "#bab0ac"


def load_average(text):
    m = re.search(r"load average:? ([0-9.]+)", text)
    return "load average %s" % m.group(1) if m else "load unknown"


def resnet_vs_torch(text):
    """Rows (threads, ours ms, torch ms) of resnet18_vs_torch.sh."""
    rows, on = [], False
    for line in text.splitlines():
        if line.startswith("threads") and "ours ms" in line:
            on = True
            continue
        if on:
            f = line.split()
            if len(f) < 3 or not f[0].isdigit():
                break
            rows.append((int(f[0]), float(f[1]), float(f[2])))
    return rows


def two_ranks(text):
    """Rows of two_ranks.sh as dicts (header names as keys)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("scheme") and "latency ms" in line:
            predicted = "predicted" in line.split()
            rows = []
            for row in lines[i + 1:]:
                f = row.split()
                if len(f) < 9 or not f[1].isdigit():
                    break
                r = {"scheme": f[0], "batch": int(f[1]), "mb": int(f[2]),
                     "ranks": int(f[3]), "threads": int(f[4]),
                     "latency": float(f[5])}
                k = 6
                if predicted:
                    r["predicted"] = None if f[k] == "n/a" else float(f[k])
                    k += 1
                r["throughput"] = float(f[k])
                r["speedup"] = float(f[k + 1])
                rows.append(r)
            return rows
    return []


def search_scaling(text):
    """{P: [(layers, seconds or None)]} and models from the Markdown table."""
    series, devices = {}, []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 2 and cells[0] == "model":
            devices = [int(c[2:]) for c in cells[2:]]
            continue
        if not devices or len(cells) != len(devices) + 2 or \
                not cells[1].isdigit() or not cells[0].startswith("conv"):
            continue
        for p, c in zip(devices, cells[2:]):
            m = re.match(r"([0-9.]+) s", c)
            series.setdefault(p, []).append(
                (int(cells[1]), float(m.group(1)) if m else None))
    return series


def fedavg_rounds(text):
    """[(round, test accuracy, training accuracy)] from dl-train's rounds."""
    rows = []
    for m in re.finditer(r"^round (\d+)/\d+: .*train_accuracy ([0-9.]+) "
                         r"test_accuracy ([0-9.]+)", text, re.M):
        rows.append((int(m.group(1)), float(m.group(3)), float(m.group(2))))
    return rows


def plot_fedavg(rows, title, path):
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ax.plot([r for r, _, _ in rows], [100 * t for _, t, _ in rows],
            marker="o", color=OURS, label="test (global model)")
    ax.plot([r for r, _, _ in rows], [100 * a for _, _, a in rows],
            marker=".", color=MODEL, label="training (clients' local steps)")
    ax.axhline(80, color=THEIRS, linestyle="--", linewidth=1,
               label="80 % target")
    ax.set_xlabel("round")
    ax.set_ylabel("accuracy [%]")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    save(fig, path)


def training_curves(text):
    """{run: [(epoch, loss, test accuracy %, total s)]} of a Markdown table
    "| run | epoch | loss | train accuracy | test accuracy | epoch s |
    total s |"."""
    series, on = {}, False
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[:2] == ["run", "epoch"]:
            on = True
            continue
        if not on or len(cells) != 7 or not cells[1].isdigit():
            continue
        series.setdefault(cells[0], []).append(
            (int(cells[1]), float(cells[2]), float(cells[4].rstrip(" %")),
             float(cells[6])))
    return series


def plot_training(series, title, path):
    fig, (acc, loss) = plt.subplots(1, 2, figsize=(10, 4))
    for name, rows in series.items():
        acc.plot([r[3] for r in rows], [r[2] for r in rows], marker="o",
                 label=name)
        loss.plot([r[0] for r in rows], [r[1] for r in rows], marker="o",
                  label=name)
    acc.set_xlabel("wall time (s)")
    acc.set_ylabel("test accuracy after the epoch (%)")
    loss.set_xlabel("epoch")
    loss.set_ylabel("mean training loss of the epoch")
    for ax in (acc, loss):
        ax.grid(alpha=0.3)
    acc.legend(frameon=False, fontsize=8)
    fig.suptitle(title, fontsize=10)
    save(fig, path)


def plot_resnet(rows, title, path):
    fig, ax = plt.subplots(figsize=(6, 3.6))
    w = 0.38
    xs = range(len(rows))
    ax.bar([x - w / 2 for x in xs], [r[1] for r in rows], w, label="dl",
           color=OURS)
    ax.bar([x + w / 2 for x in xs], [r[2] for r in rows], w,
           label="PyTorch", color=THEIRS)
    for x, r in zip(xs, rows):
        ax.text(x - w / 2, r[1], "%.1f" % r[1], ha="center", va="bottom",
                fontsize=8)
        ax.text(x + w / 2, r[2], "%.1f" % r[2], ha="center", va="bottom",
                fontsize=8)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(["%d thread%s" % (r[0], "s" if r[0] > 1 else "")
                        for r in rows])
    ax.set_ylim(0, 1.12 * max(max(r[1], r[2]) for r in rows))
    ax.set_ylabel("latency per inference [ms]")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False)
    ax.grid(axis="y", alpha=0.3)
    save(fig, path)


def plot_two_ranks(rows, title, path):
    labels = ["%s\nb%d%s" % (r["scheme"], r["batch"],
                             " m%d" % r["mb"] if r["mb"] > 1 else "")
              for r in rows]
    predicted = any(r.get("predicted") is not None for r in rows)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    xs = list(range(len(rows)))
    w = 0.38 if predicted else 0.6
    a1.bar([x - (w / 2 if predicted else 0) for x in xs],
           [r["latency"] for r in rows], w, color=OURS, label="measured")
    if predicted:
        a1.bar([x + w / 2 for x in xs],
               [r["predicted"] or 0 for r in rows], w, color=MODEL,
               label="cost model")
        for x, r in zip(xs, rows):
            if r["predicted"] is None:
                a1.text(x + w / 2, 0, "n/a", ha="center", va="bottom",
                        fontsize=7)
        a1.legend(frameon=False, fontsize=8)
    a1.set_ylabel("latency per batch [ms]")
    a1.set_title("latency", fontsize=10)
    a2.bar(xs, [r["throughput"] for r in rows], 0.6, color=OURS)
    for x, r in zip(xs, rows):
        a2.text(x, r["throughput"], "%.2fx" % r["speedup"], ha="center",
                va="bottom", fontsize=8)
    a2.set_ylim(0, 1.12 * max(r["throughput"] for r in rows))
    a2.set_ylabel("images / s")
    a2.set_title("throughput (label: speedup vs single)", fontsize=10)
    for a in (a1, a2):
        a.set_xticks(xs)
        a.set_xticklabels(labels, fontsize=8)
        a.grid(axis="y", alpha=0.3)
    fig.suptitle(title, fontsize=10)
    save(fig, path)


def plot_search(series, title, path):
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for p in sorted(series):
        pts = [(n, s) for n, s in series[p] if s is not None]
        ax.plot([n for n, _ in pts], [s for _, s in pts], marker="o",
                label="P = %d" % p)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("layers (conv chain)")
    ax.set_ylabel("dl-opt --dl-search-partition [s]")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3, which="both")
    save(fig, path)


def edge_setups(text):
    """Rows of bench/emulate/edge_setups.py tables: (devices, scheme,
    predicted speedup, measured speedup, measured peak MiB)."""
    rows, on = [], False
    for line in text.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|")
                 .split("|")]
        if cells[:5] == ["devices", "scheme", "ranks", "predicted ms",
                         "measured ms"]:
            on = True
            continue
        if not on or len(cells) < 13 or not cells[0].isdigit():
            continue
        if cells[7].startswith("FAILED"):
            continue  # no time from a run whose output check failed

        def num(c):
            try:
                return float(c)
            except ValueError:
                return None
        rows.append((int(cells[0]), cells[1], num(cells[8]), num(cells[9]),
                     num(cells[11])))
    return rows


def plot_edge_setups(rows, title, path):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    n_max = max(r[0] for r in rows)
    a1.plot([1, n_max], [1, n_max], color=MODEL, ls=":", label="ideal")
    schemes = []
    for r in rows:
        if r[1] not in schemes and r[1] != "single":
            schemes.append(r[1])
    base = [r for r in rows if r[1] == "single"]
    for i, s in enumerate(schemes):
        pts = sorted((r[0], r[3], r[4]) for r in rows + base
                     if (r[1] == s or r[1] == "single") and r[3] is not None)
        color = OURS if s == "search" else plt.cm.tab10((i + 1) % 10)
        style = dict(color=color, marker="o", label=s,
                     lw=2 if s == "search" else 1)
        a1.plot([p[0] for p in pts], [p[1] for p in pts], **style)
        a2.plot([p[0] for p in pts], [p[2] for p in pts], **style)
        if s == "search":
            pp = sorted((r[0], r[2]) for r in rows + base
                        if (r[1] == s or r[1] == "single") and
                        r[2] is not None)
            a1.plot([p[0] for p in pp], [p[1] for p in pp], color=OURS,
                    ls="--", lw=1, label="search, predicted")
    a1.set_xlabel("devices")
    a1.set_ylabel("speedup over one device (measured)")
    a1.set_xticks(range(1, n_max + 1))
    a1.legend(frameon=False, fontsize=7)
    a1.grid(alpha=0.3)
    a2.set_xlabel("devices")
    a2.set_ylabel("peak memory per device [MiB]\n(tensor buffers + weights)")
    a2.set_xticks(range(1, n_max + 1))
    a2.set_ylim(bottom=0)
    a2.grid(alpha=0.3)
    fig.suptitle(title, fontsize=10)
    save(fig, path)


def predict_vs_measure(text):
    """Rows of bench/emulate/predict_vs_measure.sh: (cluster, model, scheme,
    predicted ms, measured ms, load average before the runs, simulated ms
    or None)."""
    rows, on = [], False
    for line in text.splitlines():
        f = line.split()
        if f[:4] == ["cluster", "model", "scheme", "ranks"]:
            on = True
            continue
        if not on or len(f) < 8 or not f[3].isdigit():
            continue
        try:
            pred, meas = float(f[4]), float(f[5])
        except ValueError:
            continue  # "n/a" or "failed"
        sim = None
        if len(f) >= 10:
            try:
                sim = float(f[9])
            except ValueError:
                pass
        rows.append((f[0], f[1], f[2], pred, meas, float(f[8]), sim))
    return rows


def plot_predict_vs_measure(rows, title, path):
    """Measured against predicted; with the simulated latencies, a second
    panel of measured against simulated."""
    simulated = [r for r in rows if r[6] is not None]
    if simulated:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.5, 5.2))
        predicted_vs_measured(a1, rows, 3, "predicted latency, bulk "
                              "synchronous [ms]")
        predicted_vs_measured(a2, simulated, 6, "simulated latency, "
                              "per-rank events [ms]")
    else:
        fig, a1 = plt.subplots(figsize=(6.4, 5.2))
        predicted_vs_measured(a1, rows, 3, "predicted latency [ms]")
    fig.suptitle(title, fontsize=10)
    save(fig, path)


def predicted_vs_measured(ax, rows, k, xlabel):
    """One point per row: its prediction (field k) against its measured
    latency, log axes, with the 10 % band."""
    lo = min(min(r[k], r[4]) for r in rows) / 1.5
    hi = max(max(r[k], r[4]) for r in rows) * 1.5
    ax.plot([lo, hi], [lo, hi], color=MODEL, ls=":", label="measured = predicted")
    ax.fill_between([lo, hi], [lo * 0.9, hi * 0.9], [lo * 1.1, hi * 1.1],
                    color=MODEL, alpha=0.3, label="within 10 %")
    clusters = list(dict.fromkeys(r[0] for r in rows))
    schemes = list(dict.fromkeys(r[2] for r in rows))
    markers = "osD^v<>"
    for r in rows:
        ax.scatter(r[k], r[4], marker=markers[clusters.index(r[0]) % 7],
                   color=OURS if r[2] == "search" else
                   plt.cm.tab10((schemes.index(r[2]) + 1) % 10), s=28,
                   alpha=0.85)
    for i, c in enumerate(clusters):
        ax.scatter([], [], marker=markers[i % 7], color="grey", label=c)
    for i, sch in enumerate(schemes):
        ax.scatter([], [], marker="s", color=OURS if sch == "search" else
                   plt.cm.tab10((i + 1) % 10), label=sch)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("measured latency under the emulation [ms]")
    ax.legend(frameon=False, fontsize=7, ncol=2)
    ax.grid(alpha=0.3, which="both")


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print("wrote %s" % os.path.relpath(path))


def plot_file(src, path):
    text = open(src).read()
    load = load_average(text)
    rows = resnet_vs_torch(text)
    if rows:
        plot_resnet(rows, "ResNet-18, batch 1: dl vs PyTorch (%s)" % load,
                    path)
        return True
    rows = two_ranks(text)
    if rows:
        plot_two_ranks(rows, "ResNet-18 on two ranks (%s)" % load, path)
        return True
    series = search_scaling(text)
    if series:
        plot_search(series, "Plan search time (%s)" % load, path)
        return True
    rows = fedavg_rounds(text)
    if rows:
        plot_fedavg(rows, "FedAvg, Fashion-MNIST, non-IID clients (%s)" % load,
                    path)
        return True
    rows = edge_setups(text)
    if rows:
        m = re.search(r"^# (.*)$", text, re.M)
        plot_edge_setups(rows, "%s (%s)" % (
            m.group(1) if m else os.path.basename(src), load), path)
        return True
    rows = predict_vs_measure(text)
    if rows:
        long = [r for r in rows if r[3] >= 1]
        med = statistics.median(abs(r[4] / r[3] - 1) * 100 for r in long)
        sims = [r for r in long if r[6] is not None]
        simmed = (", simulated %.1f %%" % statistics.median(
            abs(r[4] / r[6] - 1) * 100 for r in sims) if sims else "")
        plot_predict_vs_measure(rows, "Emulated clusters: %d plans; median "
                                "|error| over the %d of >= 1 ms: %.1f %%%s"
                                "\n(%s)"
                                % (len(rows), len(long), med, simmed,
                                   "load average %.1f-%.1f" % (
                                       min(r[5] for r in rows),
                                       max(r[5] for r in rows))), path)
        return True
    series = training_curves(text)
    if series:
        plot_training(series, "Fashion-MNIST: parameter server vs "
                      "synchronous (%s)" % load, path)
        return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="*")
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "docs", "img"))
    ap.add_argument("--output", help="the PNG of the one RESULT given")
    args = ap.parse_args()
    if args.output:
        if len(args.results) != 1:
            ap.error("--output takes exactly one RESULT")
        if not plot_file(args.results[0], args.output):
            print("plot.py: %s: no table recognised" % args.results[0],
                  file=sys.stderr)
            return 1
        return 0
    os.makedirs(args.out_dir, exist_ok=True)
    files = args.results or sorted(
        glob.glob(os.path.join(ROOT, "bench", "results", "*.txt")) +
        glob.glob(os.path.join(ROOT, "bench", "results", "*.md")))
    status = 0
    for src in files:
        base = os.path.splitext(os.path.basename(src))[0]
        path = os.path.join(args.out_dir, base.replace("_", "-") + ".png")
        if not plot_file(src, path):
            print("plot.py: %s: no table recognised" % src, file=sys.stderr)
            status = 1 if args.results else status
    return status


if __name__ == "__main__":
    sys.exit(main())
