#!/usr/bin/env bash
# The README demo: installs what is missing, builds dl, partitions the
# built-in CNN+LSTM example for four local ranks, runs it under mpirun and
# checks it against the same model on one device.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DL_BUILD_DIR:-$ROOT/build}"
CLUSTER="${DL_DEMO_CLUSTER:-local-4}"
MODEL="$ROOT/examples/cnn_lstm.mlir"
OUT="$BUILD/demo"

bash "$ROOT/scripts/setup-deps.sh"
bash "$ROOT/scripts/build.sh" dl-opt dl-compile dlrt

echo
echo "== model: $MODEL"
"$BUILD/bin/dl-opt" "$MODEL" --dl-print-model-stats -o /dev/null
echo
echo "== partition and build for $CLUSTER"
rm -rf "$OUT"
"$BUILD/bin/dl-compile" "$MODEL" --cluster "$CLUSTER" -o "$OUT"
echo
echo "== run on $CLUSTER (checked against one device)"
DLRT_SUMMARY=1 "$OUT/run.sh" --input "$OUT/sample_input.npy" \
  --output "$OUT/output.npy" --reference --tolerance 1e-5 --print 10 |
  sed 's/^\[1,\([0-9]*\)\]<stdout>://' | sort -V
echo
echo "demo: OK (partitioned output matches the single-device run; plan in $OUT/plan.json)"
