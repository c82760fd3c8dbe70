#!/usr/bin/env bash
# Configures (once) and builds dl into build/ with Ninja. Extra arguments
# are passed to ninja (e.g. a target name).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DL_BUILD_DIR:-$ROOT/build}"
JOBS="${DL_JOBS:-$(nproc)}"
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
fi
ninja -C "$BUILD" -j "$JOBS" "$@"
