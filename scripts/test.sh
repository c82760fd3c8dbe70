#!/usr/bin/env bash
# The README test command: installs what is missing, builds everything and
# runs the whole suite (lit tests and unit tests) through ctest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DL_BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/setup-deps.sh"
bash "$ROOT/scripts/build.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$BUILD"
ctest --output-on-failure -j "${DL_TEST_JOBS:-2}" --timeout 1500
