#!/usr/bin/env bash
# Fashion-MNIST curves of split learning against synchronous training with
# the same batch, data, optimizer and seed (docs/training.md). Split
# learning is the same computation as unsplit training cut at a layer, so
# its curve should follow the synchronous one up to rounding.
# Prints a Markdown table (one row per run and epoch); not a test: the times
# depend on the machine and its load.
#
#   bench/train_split.sh BUILD_DIR > bench/results/train_split.md
#
# Environment: EPOCHS (5), LIMIT (training samples, 12000), TEST (test
# samples, 2000), CUT (layers on the client, 5: the convolutions, pooling
# and flatten), OUT (work directory).
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR}
EPOCHS=${EPOCHS:-5}
LIMIT=${LIMIT:-12000}
TEST=${TEST:-2000}
CUT=${CUT:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(mktemp -d)}
DATA=/usr/share/datasets/fashion-mnist
[ -d "$DATA" ] || { echo "missing $DATA (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
file() { [ -f "$DATA/$1" ] && echo "$DATA/$1" || echo "$DATA/$1.gz"; }
MODEL="$HERE/models/fashion_cnn.mlir"
build() { # NAME RANKS BATCH [options]
  "$BUILD/bin/dl-train" "$MODEL" -o "$OUT/$1" --ranks "$2" --batch "$3" \
    --optimizer adam --lr 0.001 --no-run "${@:4}" >&2
}
build sync 1 64
build split 2 64 --paradigm split --stages "$CUT"
DATA_ARGS=(--train-images "$(file train-images-idx3-ubyte)"
           --train-labels "$(file train-labels-idx1-ubyte)"
           --test-images "$(file t10k-images-idx3-ubyte)"
           --test-labels "$(file t10k-labels-idx1-ubyte)"
           --limit-train "$LIMIT" --limit-test "$TEST" --epochs "$EPOCHS"
           --seed 1)
run() { # NAME PROCESSES BINARY [options]
  local name=$1 np=$2 bin=$3
  shift 3
  env OMP_NUM_THREADS=1 DLRT_TIMEOUT_S=120 \
    mpirun --allow-run-as-root --oversubscribe --bind-to none \
    -x OMP_NUM_THREADS -x DLRT_TIMEOUT_S \
    ${LD_LIBRARY_PATH:+-x LD_LIBRARY_PATH} -np "$np" \
    "$OUT/$bin/bin/train" "${DATA_ARGS[@]}" "$@" > "$OUT/$name.log"
  cat "$OUT/$name.log" >&2
}
run "synchronous (1 rank)" 1 sync
run "split learning (cut $CUT)" 2 split

echo "Fashion-MNIST, bench/models/fashion_cnn.mlir, Adam lr 1e-3, batch 64,"
echo "$LIMIT training / $TEST test samples, seed 1, OMP_NUM_THREADS=1;"
echo "$(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo
echo "| run | epoch | loss | train accuracy | test accuracy | epoch s | total s |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for name in "synchronous (1 rank)" "split learning (cut $CUT)"; do
  awk -v run="$name" -f "$HERE/epoch_table.awk" "$OUT/$name.log"
done
