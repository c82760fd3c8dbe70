#!/usr/bin/env bash
# The whole test suite in an AddressSanitizer + UBSan build
# (docs/hardening.md, "Sanitizer build").
#
#   scripts/test-sanitizers.sh [-b BUILD_DIR] [-j JOBS] [-t TIMEOUT_S] [CTEST_ARG...]
#
# Configures BUILD_DIR (default build-asan) with DL_ENABLE_SANITIZERS at -O1
# with line tables (ASan's recommended level; the two tablegen'd dialect
# files are built at -O0, see dl_sanitizer_O0_sources), builds everything
# and runs ctest (lit and unit tests), each ctest entry (a whole lit
# directory is one) limited to TIMEOUT_S (default 10800). Extra arguments go
# to ctest (e.g. -R '^lit\.'). Prints the build and test times; exits
# non-zero if the build or any test fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build-asan"
JOBS=2
TIMEOUT=10800
while getopts "b:j:t:h" opt; do
  case "$opt" in
    b) BUILD="$(realpath -m "$OPTARG")" ;;
    j) JOBS="$OPTARG" ;;
    t) TIMEOUT="$OPTARG" ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

# Configured every time, so that an existing BUILD_DIR gets these flags.
cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -gline-tables-only -DNDEBUG" \
  "-DCMAKE_C_FLAGS_RELEASE=-O1 -gline-tables-only -DNDEBUG" \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DDL_ENABLE_SANITIZERS=ON
t0=$(date +%s)
ninja -C "$BUILD" -j "$JOBS"
t1=$(date +%s)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
status=0
(cd "$BUILD" && ctest --output-on-failure -j "$JOBS" --timeout "$TIMEOUT" "$@") ||
  status=$?
t2=$(date +%s)
echo "test-sanitizers: build $((t1 - t0)) s, tests $((t2 - t1)) s"
exit "$status"
