#!/usr/bin/env bash
# Long fuzzing runs of the libFuzzer targets (docs/hardening.md).
#
#   scripts/fuzz.sh [-b BUILD_DIR] [-r RUNS] [-t SECONDS] [-j JOBS] [-p PROCS]
#                   [TARGET...]
#
# Builds the targets in BUILD_DIR (default build-fuzz, configured with
# -DDL_ENABLE_FUZZERS=ON if it does not exist yet) and runs each TARGET
# (default: all of ir cluster onnx weights search) one after the other
# until RUNS executions (default 1000000) or SECONDS (default: no limit).
# New inputs go to BUILD_DIR/fuzz-corpus/TARGET (the committed seeds in
# test/fuzz/corpus/TARGET are read, never written); crashes are written to
# BUILD_DIR/fuzz-artifacts/TARGET/. With -p PROCS, PROCS processes fuzz
# each target at once (seeds 1..PROCS, RUNS/PROCS executions each, sharing
# the corpus directory and reloading it every 30 s; logs
# BUILD_DIR/fuzz-TARGET-N.log). The script prints the executions of each
# target (summed over its processes) and exits non-zero if any target found
# a crash; processes stopped with SIGINT (they print their statistics
# first) count as interrupted, not failed. DL_FUZZ_NO_BUILD=1 skips the
# build step.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
runs=1000000
seconds=0
jobs=2
procs=1
while getopts "b:r:t:j:p:h" opt; do
  case "$opt" in
    b) build="$(realpath -m "$OPTARG")" ;;
    r) runs="$OPTARG" ;;
    t) seconds="$OPTARG" ;;
    j) jobs="$OPTARG" ;;
    p) procs="$OPTARG" ;;
    *) sed -n '2,22p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(ir cluster onnx weights search)

if [ ! -f "$build/build.ninja" ]; then
  # As docs/hardening.md configures it: -O1, ASan's recommended level.
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELEASE=-O1 -DNDEBUG" \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DDL_ENABLE_FUZZERS=ON
fi
[ -n "${DL_FUZZ_NO_BUILD:-}" ] || ninja -C "$build" -j"$jobs" "${targets[@]/#/dl-fuzz-}"

# The weight and ONNX targets write each input to a scratch file.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi

status=0
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  rm -f "$build/fuzz-$t.log" "$build"/fuzz-"$t"-*.log
  echo "fuzz: $t: up to $runs runs in $procs process(es), logs $build/fuzz-$t*.log"
  pids=()
  logs=()
  for i in $(seq 1 "$procs"); do
    log="$build/fuzz-$t.log"
    [ "$procs" -gt 1 ] && log="$build/fuzz-$t-$i.log"
    logs+=("$log")
    "$build/bin/dl-fuzz-$t" -runs=$((runs / procs)) -max_total_time="$seconds" \
      -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 -seed="$i" \
      -reload=30 -artifact_prefix="$artifacts" "$corpus" \
      "$root/test/fuzz/corpus/$t" >"$log" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      # Stopped with SIGINT (libFuzzer exits non-zero then, after its
      # final statistics): not a finding.
      if grep -q "libFuzzer: run interrupted; exiting" "${logs[$i]}"; then
        interrupted=1
      else
        status=1
        failed=1
      fi
    fi
  done
  # The last final-statistics line of each log: a process stopped with
  # SIGINT can print its statistics twice.
  total=$(for log in "${logs[@]}"; do
      sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1
    done | awk '{s += $1} END {print s + 0}')
  echo "fuzz: $t: $total executions${interrupted:+ (interrupted)}"
  unset interrupted
  if [ -n "${failed:-}" ]; then
    echo "fuzz: $t: FAILED (see the logs and $artifacts)"
    unset failed
  fi
done
exit $status
