#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# ResNet-18 latency: the program dl-compile builds (--scheme single,
# --cluster local-1) against torchvision's resnet18 with the same weights,
# 1 and 2 threads, in one run.
#
#   bench/resnet18_vs_torch.sh [--build DIR] [--out DIR] [--warmup W]
#                              [--repeat N] [--rounds R] [--threads "1 2"]
#                              [--plot PNG]
#
# Steps: regenerate bench/models/resnet18.mlir, compile it, run our program
# once and check its output against PyTorch (max rel err), then for each
# thread count run R rounds of (ours, torch), each W warm-up runs + N timed
# runs, and print the best mean of the rounds (the machine is shared; the
# minimum is the least disturbed estimate) with every raw number kept in
# OUT/raw.txt. Needs python3 with torch and torchvision (Debian:
# python3-torch python3-torchvision) and numpy; downloads nothing. --plot
# also writes the output to OUT/table.txt and plots it (bench/plot.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build"
OUT=""
WARMUP=5
REPEAT=20
ROUNDS=3
THREADS="1 2"
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
    --rounds) ROUNDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    -h|--help) sed -n '4,19p' "$0"; exit 0 ;;
    *) echo "resnet18_vs_torch.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$OUT" ] || OUT="$(mktemp -d)"
mkdir -p "$OUT"
if [ -n "$PLOT" ]; then
  "$0" "${ARGS[@]}" --out "$OUT" | tee "$OUT/table.txt"
  exec "$PY" "$ROOT/bench/plot.py" "$OUT/table.txt" --output "$PLOT"
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

"$PY" "$ROOT/bench/models/gen_resnet18.py" -o "$OUT/resnet18.mlir"
"$BUILD/bin/dl-compile" "$OUT/resnet18.mlir" --cluster local-1 \
  --scheme single --no-reference -o "$OUT/model" > "$OUT/compile.log"
"$PY" -c "import numpy as np; np.random.seed(0); np.save('$OUT/in.npy', \
np.random.rand(1, 3, 224, 224).astype(np.float32))"

ours() { # threads warmup repeat
  OMP_NUM_THREADS="$1" mpirun --bind-to none -np 1 "$OUT/model/bin/rank0" \
    --weights "$OUT/model/weights/rank0.dlw" --input "$OUT/in.npy" \
    --output "$OUT/out.npy" --warmup "$2" --repeat "$3"
}
torch_run() { # threads
  OMP_NUM_THREADS="$1" "$PY" "$ROOT/bench/torch_resnet18.py" \
    --weights "$OUT/model/model.dlw" --input "$OUT/in.npy" --threads "$1" \
    --warmup "$WARMUP" --repeat "$REPEAT"
}
mean_of() { sed -n 's/.*mean latency \([0-9.]*\) ms.*/\1/p' | head -n1; }

echo "== environment"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-<unset>}"
"$PY" -c "import torch, torchvision; print('torch', torch.__version__, \
'torchvision', torchvision.__version__, '/', \
[l.strip() for l in torch.__config__.show().splitlines() if 'DNN' in l][0])"
echo "libdnnl: $(readlink -f "$(ldconfig -p | awk '/libdnnl.so /{print $NF; exit}')")"

echo "== correctness"
ours 1 0 1 > /dev/null
"$PY" "$ROOT/bench/torch_resnet18.py" --weights "$OUT/model/model.dlw" \
  --input "$OUT/in.npy" --compare "$OUT/out.npy" --tolerance 1e-3

echo "== latency (warm-up $WARMUP, $REPEAT timed runs, best of $ROUNDS rounds)"
: > "$OUT/raw.txt"
printf '%-8s %10s %10s %8s\n' threads "ours ms" "torch ms" ratio
for t in $THREADS; do
  best_o="" best_t=""
  for r in $(seq "$ROUNDS"); do
    o="$(ours "$t" "$WARMUP" "$REPEAT" | mean_of)"
    p="$(torch_run "$t" | mean_of)"
    echo "threads $t round $r: ours $o ms torch $p ms" >> "$OUT/raw.txt"
    best_o="$(printf '%s\n%s\n' "$best_o" "$o" | sed '/^$/d' | sort -g | head -n1)"
    best_t="$(printf '%s\n%s\n' "$best_t" "$p" | sed '/^$/d' | sort -g | head -n1)"
  done
  printf '%-8s %10.2f %10.2f %8.2f\n' "$t" "$best_o" "$best_t" \
    "$(echo "$best_o / $best_t" | bc -l)"
done
echo "== raw rounds ($OUT/raw.txt)"
cat "$OUT/raw.txt"
