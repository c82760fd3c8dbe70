#!/usr/bin/env bash
# Federated averaging of bench/models/fashion_cnn.mlir on Debian's
# Fashion-MNIST with non-IID clients (McMahan's sorted-label shards, 2 per
# client) on local ranks; prints the test accuracy of the global model
# after every round (docs/training.md). Not a test: the numbers depend on
# the machine.
#
#   bench/fedavg_fashion_mnist.sh BUILD_DIR [CLIENTS] [ROUNDS] [extra dl-train options]
#
# The log goes to $OUT/fedavg.log; bench/plot.py plots it (test accuracy
# per round).
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR [CLIENTS] [ROUNDS] [options]}
CLIENTS=${2:-8}
ROUNDS=${3:-20}
shift $(( $# < 3 ? $# : 3 ))
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(mktemp -d)}
DATA=/usr/share/datasets/fashion-mnist
[ -d "$DATA" ] || { echo "missing $DATA (apt-get install dataset-fashion-mnist)"; exit 1; }
mkdir -p "$OUT"
{
  echo "# bench/fedavg_fashion_mnist.sh $CLIENTS clients, $ROUNDS rounds $*"
  echo "# $(nproc) cores, $(uptime | sed 's/.*\(load average\)/\1/')"
} > "$OUT/fedavg.log"
start=$(date +%s)
status=0
OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} "$BUILD/bin/dl-train" \
  "$HERE/models/fashion_cnn.mlir" -o "$OUT" --paradigm fedavg \
  --clients "$CLIENTS" --batch 32 --optimizer momentum --lr 0.01 \
  --momentum 0.9 \
  --partition noniid --rounds "$ROUNDS" --local-steps 50 \
  --client-timeout 1800 --dataset "$DATA" --seed 1 "$@" \
  | tee -a "$OUT/fedavg.log" || status=$?
echo "# wall time $(( $(date +%s) - start )) s, exit status $status," \
  "$(uptime | sed 's/.*\(load average\)/\1/')" | tee -a "$OUT/fedavg.log"
exit $status
