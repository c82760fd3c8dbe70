#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Checks that dl-calibrate, run inside the emulation, measures what the
# emulation emulates (within --tolerance, default 10 %):
#   * links: 8 B ping-pong latency and 4 MiB bandwidth between rank 0 and
#     rank 1 of bench/emulate/clusters/check-2.yaml (one 200 Mbit/s, 2 ms
#     link), with CPU limits high enough not to matter (--share 4) and the
#     one-way latency of the stack itself (`dl-emulate stack`) taken off the
#     emulated latency;
#   * compute: the GEMM throughput of each rank in its cgroup under the
#     quotas of --share S (default 0.3 cores for the fast device; best of
#     three dl-calibrate runs per rank, taking turns), whose ratio must be
#     the cluster's flops ratio (2:1).
# Prints a table and exits non-zero when a figure is off. Needs root.
#
#   bench/emulate/check_calibrate.sh [--build DIR] [--share S]
#                                    [--tolerance T] [--prefix P]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${DL_BUILD:-$ROOT/build}"
SHARE=0.3
TOL=0.10
PREFIX=dlcheck
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD="$2"; shift 2 ;;
    --share) SHARE="$2"; shift 2 ;;
    --tolerance) TOL="$2"; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    -h|--help) sed -n '4,15p' "$0"; exit 0 ;;
    *) echo "check_calibrate.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
EMU=("$HERE/dl-emulate" --prefix "$PREFIX" --build "$BUILD")
CAL="$BUILD/bin/dl-calibrate"
CLUSTER="$HERE/clusters/check-2.yaml"
TMP="$(mktemp -d)"
trap '"${EMU[@]}" down >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT

# The stack's own latency (a zero-latency link), taken off the emulated one.
STACK_US="$("${EMU[@]}" stack 2>"$TMP/log")" || { cat "$TMP/log" >&2; exit 1; }
echo "MPI/TCP stack and switch: $STACK_US us one way"
# Links: both ranks run the ping-pong; rank 0 writes the file.
"${EMU[@]}" run "$CLUSTER" --share 4 --stack-us "$STACK_US" -- \
  mpirun -np 2 "$CAL" --ranks 2 --quick -o "$TMP/link.yaml" 2>"$TMP/log" ||
  { cat "$TMP/log" >&2; exit 1; }
# Compute: one rank at a time in its own namespace and cgroup, three
# rounds taking turns (a burst of load on the shared machine then slows one
# round of one rank, not all of its rounds); each rank's best round counts,
# as dl-calibrate itself keeps its best run.
"${EMU[@]}" up "$CLUSTER" --share "$SHARE" >/dev/null
for round in 1 2 3; do
  for r in 0 1; do
    "${EMU[@]}" exec -- mpirun -np 1 -H "$PREFIX-r$r" \
      "$CAL" --ranks 1 -o "$TMP/rank$r.$round.yaml" 2>>"$TMP/log" ||
      { cat "$TMP/log" >&2; exit 1; }
  done
done
"${EMU[@]}" down

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
/usr/bin/python3 - "$TMP" "$TOL" <<'EOF'
import re, sys
tmp, tol = sys.argv[1], float(sys.argv[2])

def field(path, pattern):
    m = re.search(pattern, open(path).read())
    return float(m.group(1))


def best_gemm(rank):
    return max(field("%s/rank%d.%d.yaml" % (tmp, rank, r),
                     r"GEMM .*?([0-9.e+-]+) GFLOP/s") for r in (1, 2, 3)) * 1e9

lat = field(tmp + "/link.yaml", r"latency ([0-9.e+-]+) us") * 1e-6
bw = field(tmp + "/link.yaml", r"4 MiB bandwidth ([0-9.e+-]+) GB/s") * 1e9
f0, f1 = best_gemm(0), best_gemm(1)
rows = [("latency (s)", 2e-3, lat), ("bandwidth (B/s)", 25e6, bw),
        ("flops fast/slow", 2.0, f0 / f1)]
bad = 0
print("%-16s %12s %12s %8s" % ("figure", "emulated", "measured", "error"))
for name, want, got in rows:
    err = got / want - 1
    bad += abs(err) > tol
    print("%-16s %12.4g %12.4g %+7.1f%%%s" % (name, want, got, 100 * err,
                                              "  FAIL" if abs(err) > tol
                                              else ""))
print("flops of the ranks in their cgroups: %.4g and %.4g GFLOP/s" %
      (f0 / 1e9, f1 / 1e9))
sys.exit(1 if bad else 0)
EOF
