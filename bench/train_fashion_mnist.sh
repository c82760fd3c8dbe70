#!/usr/bin/env bash
# Trains bench/models/fashion_cnn.mlir on Debian's Fashion-MNIST with
# synchronous data parallel and prints the per-epoch loss, accuracies and
# times (docs/training.md). Not a test: the numbers depend on the machine.
#
#   bench/train_fashion_mnist.sh BUILD_DIR [RANKS] [EPOCHS] [extra dl-train options]
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR [RANKS] [EPOCHS] [options]}
RANKS=${2:-4}
EPOCHS=${3:-2}
shift $(( $# < 3 ? $# : 3 ))
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(mktemp -d)}
DATA=/usr/share/datasets/fashion-mnist
[ -d "$DATA" ] || { echo "missing $DATA (apt-get install dataset-fashion-mnist)"; exit 1; }
time "$BUILD/bin/dl-train" "$HERE/models/fashion_cnn.mlir" -o "$OUT" \
  --ranks "$RANKS" --batch 64 --optimizer adam --lr 0.001 \
  --dataset "$DATA" --epochs "$EPOCHS" --checkpoint "$OUT/ckpt.dlw" "$@"
