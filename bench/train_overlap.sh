#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Step time of synchronous data-parallel training with blocking bucket
# all-reduces (--overlap-comm=false) against all-reduces overlapped with
# the backward pass (the default), on 2 and 4 local ranks
# (docs/training.md). Not a test: the numbers depend on the machine.
#
#   bench/train_overlap.sh [--build DIR] [--ranks "2 4"] [--steps S]
#                          [--rounds R] [--bucket-elements N] [--out DIR]
#
# Model: bench/models/fashion_cnn.mlir (207 k parameters; fc1's 200 k
# gradients are final before the convolutions' backward, so with buckets of
# 65536 elements their all-reduce can overlap the conv backward), Adam,
# global batch 64, Fashion-MNIST (Debian's dataset-fashion-mnist), one
# OpenMP thread per rank. Each (ranks, mode) program is built once; then R
# rounds alternate the two modes, each a run of S steps, and the best
# round's milliseconds per step (the epoch time / S, from bin/train's
# output) are printed with the ratio blocking / overlapped.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build"
RANKS="2 4"
STEPS=60
ROUNDS=3
BUCKET=65536
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD="$2"; shift 2 ;;
    --ranks) RANKS="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --bucket-elements) BUCKET="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '4,19p' "$0"; exit 0 ;;
    *) echo "train_overlap.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
DATA=/usr/share/datasets/fashion-mnist
[ -d "$DATA" ] || { echo "missing $DATA (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
[ -n "$OUT" ] || OUT="$(mktemp -d)"
mkdir -p "$OUT"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1

echo "== environment"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "steps $STEPS, rounds $ROUNDS, bucket-elements $BUCKET, global batch 64"

mode_flag() { [ "$1" = overlap ] && echo true || echo false; }
echo "== building"
for p in $RANKS; do
  for m in blocking overlap; do
    "$BUILD/bin/dl-train" "$ROOT/bench/models/fashion_cnn.mlir" \
      -o "$OUT/p$p-$m" --ranks "$p" --batch 64 --optimizer adam --lr 0.001 \
      --bucket-elements "$BUCKET" --overlap-comm="$(mode_flag "$m")" --no-run
  done
done
run() { # ranks mode -> ms/step
  mpirun --allow-run-as-root --oversubscribe --bind-to none -x OMP_NUM_THREADS \
    -np "$1" "$OUT/p$1-$2/bin/train" \
    --train-images "$DATA/train-images-idx3-ubyte.gz" \
    --train-labels "$DATA/train-labels-idx1-ubyte.gz" \
    --limit-train $((64 * STEPS)) --steps "$STEPS" --no-shuffle |
    sed -n 's/.* time \([0-9.]*\) s.*/\1/p' |
    awk -v s="$STEPS" '{printf "%.2f\n", $1 * 1000 / s}'
}
echo "== step time"
: > "$OUT/raw.txt"
printf '%-6s %14s %14s %8s\n' ranks "blocking ms" "overlap ms" ratio
for p in $RANKS; do
  best_b="" best_o=""
  for r in $(seq "$ROUNDS"); do
    b="$(run "$p" blocking)"
    o="$(run "$p" overlap)"
    echo "ranks $p round $r: blocking $b ms/step overlapped $o ms/step" >> "$OUT/raw.txt"
    best_b="$(printf '%s\n%s\n' "$best_b" "$b" | sed '/^$/d' | sort -g | head -n1)"
    best_o="$(printf '%s\n%s\n' "$best_o" "$o" | sed '/^$/d' | sort -g | head -n1)"
  done
  printf '%-6s %14.2f %14.2f %8.3f\n' "$p" "$best_b" "$best_o" \
    "$(echo "$best_b / $best_o" | bc -l)"
done
echo "== raw rounds ($OUT/raw.txt)"
cat "$OUT/raw.txt"
