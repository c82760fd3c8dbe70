#!/usr/bin/env bash
# Fashion-MNIST curves of the parameter server with bounded staleness (SSP)
# at staleness 0, a bound and unbounded, against synchronous data parallel
# with the same global batch, workers, data and seed (docs/training.md).
# One replica is slowed down by DLRT_TRAIN_SLOW_RANK (rank:ms per step) so
# that the replicas are uneven. Prints a Markdown table (one row per run and
# epoch); not a test: the numbers depend on the machine and its load.
#
#   bench/train_ps_staleness.sh BUILD_DIR > bench/results/train_ps_staleness.md
#   bench/plot.py bench/results/train_ps_staleness.md
#
# Environment: WORKERS (4), EPOCHS (5), LIMIT (training samples, 12000),
# TEST (test samples, 2000), BOUND (the bounded run's staleness, 4), SLOW
# (1:20), OUT (work directory).
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR}
WORKERS=${WORKERS:-4}
EPOCHS=${EPOCHS:-5}
LIMIT=${LIMIT:-12000}
TEST=${TEST:-2000}
BOUND=${BOUND:-4}
SLOW=${SLOW:-1:20}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(mktemp -d)}
DATA=/usr/share/datasets/fashion-mnist
[ -d "$DATA" ] || { echo "missing $DATA (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
file() { [ -f "$DATA/$1" ] && echo "$DATA/$1" || echo "$DATA/$1.gz"; }
MODEL="$HERE/models/fashion_cnn.mlir"
build() {
  "$BUILD/bin/dl-train" "$MODEL" -o "$OUT/$1" --ranks "$WORKERS" --batch 64 \
    --optimizer adam --lr 0.001 --no-run "${@:2}" >&2
}
build sync
build ps --paradigm ps
DATA_ARGS=(--train-images "$(file train-images-idx3-ubyte)"
           --train-labels "$(file train-labels-idx1-ubyte)"
           --test-images "$(file t10k-images-idx3-ubyte)"
           --test-labels "$(file t10k-labels-idx1-ubyte)"
           --limit-train "$LIMIT" --limit-test "$TEST" --epochs "$EPOCHS"
           --seed 1)
run() { # NAME PROCESSES BINARY [options]
  local name=$1 np=$2 bin=$3
  shift 3
  env OMP_NUM_THREADS=1 DLRT_TRAIN_SLOW_RANK="$SLOW" DLRT_TIMEOUT_S=120 \
    mpirun --allow-run-as-root --oversubscribe --bind-to none \
    -x OMP_NUM_THREADS -x DLRT_TRAIN_SLOW_RANK -x DLRT_TIMEOUT_S \
    ${LD_LIBRARY_PATH:+-x LD_LIBRARY_PATH} -np "$np" \
    "$OUT/$bin/bin/train" "${DATA_ARGS[@]}" "$@" > "$OUT/$name.log"
  cat "$OUT/$name.log" >&2
}
run "synchronous data parallel" "$WORKERS" sync
run "ps staleness 0" $((WORKERS + 1)) ps --staleness 0
run "ps staleness $BOUND" $((WORKERS + 1)) ps --staleness "$BOUND"
run "ps staleness inf" $((WORKERS + 1)) ps --staleness inf

echo "Fashion-MNIST, bench/models/fashion_cnn.mlir, Adam lr 1e-3, global batch 64"
echo "over $WORKERS replicas, $LIMIT training / $TEST test samples, seed 1,"
echo "OMP_NUM_THREADS=1, DLRT_TRAIN_SLOW_RANK=$SLOW; $(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo
echo "| run | epoch | loss | train accuracy | test accuracy | epoch s | total s |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for name in "synchronous data parallel" "ps staleness 0" "ps staleness $BOUND" \
            "ps staleness inf"; do
  awk -v run="$name" -f "$HERE/epoch_table.awk" "$OUT/$name.log"
done
echo
for name in "ps staleness 0" "ps staleness $BOUND" "ps staleness inf"; do
  echo "* $name: $(grep '^parameter server:' "$OUT/$name.log")"
done
