#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# torchvision's full VGG-16 and AlexNet (224x224, 4096-wide classifiers;
# 138 M and 61 M parameters), exported to ONNX with random weights,
# imported, compiled for local ranks under forced schemes and the searched
# plan, run, and compared with PyTorch's output. Too large for the test
# suite (the exports alone are 550 and 245 MB); the narrowed versions are
# tests (test/Import/ONNX/e2e-vgg16.test, e2e-alexnet.test).
#
#   bench/onnx_full_models.sh [--build DIR] [--out DIR]
#                             [--models "vgg16_full alexnet_full"]
#                             [--configs "local-2:search local-4:out-channel"]
#
# Prints, per model, the parameter count, the export / import times and one
# line per configuration: `CLUSTER SCHEME max_rel_error E ok` with the
# compile + run wall time. Exits non-zero at the first mismatch (> 1e-4).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build"
OUT=""
MODELS="vgg16_full alexnet_full"
CONFIGS="local-2:search local-2:pipeline local-4:out-channel"
PY="${PYTHON:-/usr/bin/python3}"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --models) MODELS="$2"; shift 2 ;;
    --configs) CONFIGS="$2"; shift 2 ;;
    -h|--help) sed -n '4,17p' "$0"; exit 0 ;;
    *) echo "onnx_full_models.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$OUT" ] || OUT="$(mktemp -d)"
mkdir -p "$OUT"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export PATH="$BUILD/bin:$PATH"
INPUTS="$ROOT/test/Import/ONNX/Inputs"
now() { date +%s.%N; }
elapsed() { "$PY" -c "print('%.1f' % ($(now) - $1))"; }

for m in $MODELS; do
  t=$(now)
  "$PY" "$INPUTS/export_torch.py" "$m" "$OUT"
  echo "$m: export $(elapsed "$t") s, $(du -m "$OUT/$m.onnx" | cut -f1) MB"
  t=$(now)
  dl-import-onnx "$OUT/$m.onnx" -o "$OUT/$m.mlir"
  echo "$m: import $(elapsed "$t") s"
  dl-opt "$OUT/$m.mlir" --dl-print-model-stats -o /dev/null \
    | grep "^layers:" | sed "s/^/$m: /"
  for c in $CONFIGS; do
    t=$(now)
    line=$("$PY" "$INPUTS/run_schemes.py" "$OUT" "$m" "$c")
    echo "$m: $line ($(elapsed "$t") s compile + run)"
  done
  rm -f "$OUT/$m.onnx"
done
