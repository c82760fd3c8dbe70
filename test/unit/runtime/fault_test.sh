#!/usr/bin/env bash
# Runs MpiFaultTest in one mode and checks that the job fails (non-zero exit;
# exactly $FAULT_TEST_STATUS where that is set) within MAX_SECONDS instead
# of hanging (it is killed at MAX_SECONDS, at least 60).
# Usage: fault_test.sh MPIEXEC BINARY NP MODE MAX_SECONDS [EXPECT_STDERR...]
# (each EXPECT_STDERR must occur in the output).
set -u
mpiexec=$1 binary=$2 np=$3 mode=$4 max=$5
shift 5
log=$(mktemp)
start=$(date +%s.%N)
limit=$((max > 60 ? max : 60))
timeout -k 10 "$limit" "$mpiexec" --allow-run-as-root --oversubscribe --bind-to none \
  -np "$np" "$binary" "$mode" >"$log" 2>&1
rc=$?
end=$(date +%s.%N)
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
cat "$log"
echo "fault_test: mode=$mode rc=$rc elapsed=${elapsed}s (limit ${max}s)"
status=0
if [ "$rc" -eq 0 ]; then
  echo "fault_test: FAIL: job exited with status 0"; status=1
fi
if [ "$rc" -eq 124 ]; then
  echo "fault_test: FAIL: job hung (killed by timeout $limit)"; status=1
elif [ -n "${FAULT_TEST_STATUS:-}" ] && [ "$rc" -ne "$FAULT_TEST_STATUS" ]; then
  echo "fault_test: FAIL: exit status $rc, expected $FAULT_TEST_STATUS"
  status=1
fi
if awk -v e="$elapsed" -v m="$max" 'BEGIN { exit !(e > m) }'; then
  echo "fault_test: FAIL: took longer than ${max}s"; status=1
fi
for expect in "$@"; do
  if ! grep -q -- "$expect" "$log"; then
    echo "fault_test: FAIL: output lacks '$expect'"; status=1
  fi
done
rm -f "$log"
[ "$status" -eq 0 ] && echo "fault_test: PASS"
exit "$status"
