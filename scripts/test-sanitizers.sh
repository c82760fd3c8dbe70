#!/usr/bin/env bash
# The whole test suite in an AddressSanitizer + UBSan build
# (docs/hardening.md, "Sanitizer build").
#
#   scripts/test-sanitizers.sh [-b BUILD_DIR] [-j JOBS] [CTEST_ARG...]
#
# Configures BUILD_DIR (default build-asan) once with DL_ENABLE_SANITIZERS
# at -O0 with line tables (the cheapest instrumented build: at -O2 the
# tablegen'd dialect file alone compiles for over 40 minutes on a 2-core
# machine), builds everything and runs ctest (lit and unit tests). Extra
# arguments go to ctest (e.g. -R '^lit\.'). Prints the build and test
# times; exits non-zero if the build or any test fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build-asan"
JOBS=2
while getopts "b:j:h" opt; do
  case "$opt" in
    b) BUILD="$(realpath -m "$OPTARG")" ;;
    j) JOBS="$OPTARG" ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O0 -gline-tables-only -DNDEBUG" \
    "-DCMAKE_C_FLAGS_RELEASE=-O0 -gline-tables-only -DNDEBUG" \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DDL_ENABLE_SANITIZERS=ON
fi
t0=$(date +%s)
ninja -C "$BUILD" -j "$JOBS"
t1=$(date +%s)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
status=0
(cd "$BUILD" && ctest --output-on-failure -j "$JOBS" --timeout 3000 "$@") ||
  status=$?
t2=$(date +%s)
echo "test-sanitizers: build $((t1 - t0)) s, tests $((t2 - t1)) s"
exit "$status"
