#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# ResNet-18 on two ranks of this machine (--cluster local-2, one OpenMP
# thread per rank) under several partitioning schemes, against the
# single-device program using both cores (--cluster local-1, 2 threads).
#
#   bench/two_ranks.sh [--build DIR] [--out DIR] [--warmup W] [--repeat N]
#                      [--configs "single:1 data:2 ..."] [--plot PNG]
#
# A config is SCHEME:BATCH[:MICROBATCHES]. For each config the model is
# generated with that batch, compiled, checked against the single-device
# reference (run.sh --reference) and timed (W warm-up runs, then N timed
# runs; the latency of a run is the slowest rank's mean). Throughput is
# batch / latency; speedup is throughput over that of single:1. --plot
# also writes the table to OUT/table.txt and plots it (bench/plot.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build"
OUT=""
WARMUP=3
REPEAT=10
CONFIGS="single:1 single:2 data:2 spatial:1 out-channel:1 pipeline:2:2 \
pipeline:4:2 pipeline:4:4"
PY="${PYTHON:-/usr/bin/python3}"
PLOT=""
# The arguments without --plot, for the run whose output is plotted.
ARGS=()
for ((i = 1; i <= $#; i++)); do
  if [ "${!i}" = --plot ]; then i=$((i + 1)); else ARGS+=("${!i}"); fi
done
while [ $# -gt 0 ]; do
  case "$1" in
    --plot) PLOT="$2"; shift 2 ;;
    --build) BUILD="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --configs) CONFIGS="$2"; shift 2 ;;
    -h|--help) sed -n '4,16p' "$0"; exit 0 ;;
    *) echo "two_ranks.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$OUT" ] || OUT="$(mktemp -d)"
mkdir -p "$OUT"
if [ -n "$PLOT" ]; then
  "$0" "${ARGS[@]}" --out "$OUT" | tee "$OUT/table.txt"
  exec "$PY" "$ROOT/bench/plot.py" "$OUT/table.txt" --output "$PLOT"
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# Runs the ranks of $1 (a dl-compile output directory) with $2 threads per
# rank; prints the slowest rank's mean latency in ms.
timed_run() {
  local dir="$1" threads="$2" n args=() d
  n="$(ls "$dir"/bin/rank* | wc -l)"
  for d in $(seq 0 $((n - 1))); do
    [ "$d" = 0 ] || args+=(:)
    args+=(-np 1 "$dir/bin/rank$d" --weights "$dir/weights/rank$d.dlw"
      --warmup "$WARMUP" --repeat "$REPEAT")
    [ "$d" != 0 ] || args+=(--input "$dir/in.npy" --output "$dir/out.npy")
  done
  OMP_NUM_THREADS="$threads" mpirun --oversubscribe --bind-to none "${args[@]}" |
    sed -n 's/.*mean latency \([0-9.]*\) ms.*/\1/p' | sort -g | tail -n1
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
printf '%-14s %5s %4s %6s %8s %12s %12s %10s %8s %s\n' scheme batch mb ranks \
  thr "latency ms" "predicted ms" "img/s" speedup "max rel err"
base=""
for cfg in $CONFIGS; do
  IFS=: read -r scheme batch mb <<< "$cfg"
  mb="${mb:-1}"
  name="${scheme}_b${batch}_m${mb}"
  model="$OUT/resnet18_b$batch.mlir"
  [ -f "$model" ] || "$PY" "$ROOT/bench/models/gen_resnet18.py" \
    --batch "$batch" -o "$model"
  if [ "$scheme" = single ]; then
    cluster=local-1 threads=2
  else
    cluster=local-2 threads=1
  fi
  "$BUILD/bin/dl-compile" "$model" --cluster "$cluster" --scheme "$scheme" \
    --microbatches "$mb" -o "$OUT/$name" > "$OUT/$name.log" 2>&1 || {
    printf '%-14s %5s %4s  compile failed (see %s)\n' "$scheme" "$batch" \
      "$mb" "$OUT/$name.log"
    continue
  }
  "$PY" -c "import numpy as np; np.random.seed(0); np.save('$OUT/$name/in.npy', \
np.random.rand($batch, 3, 224, 224).astype(np.float32))"
  err="$(OMP_NUM_THREADS=$threads "$OUT/$name/run.sh" --input \
    "$OUT/$name/in.npy" --output "$OUT/$name/check.npy" --reference 2>&1 |
    sed -n 's/.*max_rel_error \([0-9.eE+-]*\).*/\1/p' |
    head -n1)"
  ranks="$(ls "$OUT/$name"/bin/rank* | wc -l)"
  lat="$(timed_run "$OUT/$name" "$threads")"
  tput="$(echo "$batch * 1000 / $lat" | bc -l)"
  [ -n "$base" ] || base="$tput"
  # The cost model's latency of the plan (plan.json; null when the plan is
  # micro-batched or not one of the search's candidates).
  pred="$("$PY" -c "import json,sys; v=json.load(open(sys.argv[1])).get('predicted_latency_s'); print('n/a' if v is None else '%.2f' % (v*1e3))" "$OUT/$name/plan.json")"
  printf '%-14s %5s %4s %6s %8s %12.2f %12s %10.2f %8.2f %s\n' "$scheme" \
    "$batch" "$mb" "$ranks" "$threads" "$lat" "$pred" "$tput" \
    "$(echo "$tput / $base" | bc -l)" "${err:-n/a}"
done
