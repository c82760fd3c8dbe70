#!/usr/bin/env bash
# Packs a fuzz target for a long run on another Linux x86-64 machine that
# has no toolchain (docs/hardening.md, "16-core runs").
#
#   scripts/fuzz-bundle.sh [-b BUILD_DIR] TARGET OUT.tar.xz
#
# The archive holds BUILD_DIR/bin/dl-fuzz-TARGET, every shared library it
# loads (ldd) and the dynamic loader, the corpus grown so far
# (BUILD_DIR/fuzz-corpus/TARGET), the committed seeds and run.sh. On the
# other machine:
#
#   tar -xJf OUT.tar.xz && fuzz-TARGET/run.sh [-p PROCS] [-t SECONDS] [-s SEED0]
#
# starts PROCS processes (default: one per core) for SECONDS each (default
# 500), seeds SEED0+1.. (default 100), sharing the corpus and reloading it
# every 30 s, each stopped with SIGINT 15 s after its time limit (libFuzzer
# prints its final statistics then). It prints the executions (the last
# statistics line of each log), the peak RSS and any log with a sanitizer
# report, and leaves fuzz-TARGET/result.tar.xz: the logs, the crash
# artifacts and the new corpus inputs, to unpack into BUILD_DIR here.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
while getopts "b:h" opt; do
  case "$opt" in
    b) build="$(realpath -m "$OPTARG")" ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { sed -n '2,20p' "$0"; exit 2; }
target="$1"
out="$(realpath -m "$2")"
bin="$build/bin/dl-fuzz-$target"
[ -x "$bin" ] || { echo "fuzz-bundle.sh: no $bin (build it first)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
dir="$tmp/fuzz-$target"
mkdir -p "$dir/bin" "$dir/lib" "$dir/corpus" "$dir/seeds"
cp "$bin" "$dir/bin/"
while read -r lib; do
  cp -L "$lib" "$dir/lib/"
done < <(ldd "$bin" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}')
loader="$(cd "$dir/lib" && ls ld-linux-* | head -n1)"
[ -n "$loader" ] || { echo "fuzz-bundle.sh: no dynamic loader in ldd's list" >&2; exit 1; }
[ ! -d "$build/fuzz-corpus/$target" ] ||
  cp -r "$build/fuzz-corpus/$target/." "$dir/corpus/"
cp -r "$root/test/fuzz/corpus/$target/." "$dir/seeds/"

cat >"$dir/run.sh" <<EOF
#!/usr/bin/env bash
# Runs dl-fuzz-$target from this bundle (see scripts/fuzz-bundle.sh).
set -uo pipefail
here="\$(cd "\$(dirname "\$0")" && pwd)"
procs="\$(nproc)"; seconds=500; seed0=100
while getopts "p:t:s:" opt; do
  case "\$opt" in
    p) procs="\$OPTARG" ;; t) seconds="\$OPTARG" ;; s) seed0="\$OPTARG" ;;
    *) exit 2 ;;
  esac
done
cd "\$here"
mkdir -p artifacts logs
touch .start
rm -f logs/*.log
for i in \$(seq 1 "\$procs"); do
  timeout -s INT \$((seconds + 15)) "lib/$loader" --library-path lib \\
    bin/dl-fuzz-$target -max_total_time="\$seconds" -timeout=60 \\
    -rss_limit_mb=4096 -print_final_stats=1 -seed=\$((seed0 + i)) -reload=30 \\
    -artifact_prefix=artifacts/ corpus seeds >"logs/\$i.log" 2>&1 &
done
wait
for log in logs/*.log; do
  sed -n 's/^stat::number_of_executed_units: *//p' "\$log" | tail -n 1
done | awk '{s += \$1; n++} END {print "dl-fuzz-$target: " n + 0 " processes, " s + 0 " executions"}'
sed -n 's/^stat::peak_rss_mb: *//p' logs/*.log | sort -n | tail -n 1 |
  sed 's/^/peak RSS (MB): /'
found=\$(grep -l -E '^==[0-9]+==ERROR|^SUMMARY: |deadly signal|^INFO: a leak' logs/*.log || true)
echo "logs with a finding: \${found:-none}"
ls artifacts
find corpus -type f -newer .start | sed 's|^corpus/||' >new-inputs.txt
echo "new corpus inputs: \$(wc -l <new-inputs.txt)"
tar -cJf result.tar.xz logs artifacts new-inputs.txt \\
  \$(sed 's|^|corpus/|' new-inputs.txt)
[ -z "\$found" ] && [ -z "\$(ls artifacts)" ]
EOF
chmod +x "$dir/run.sh"
tar -C "$tmp" -I 'xz -6 -T0' -cf "$out" "fuzz-$target"
echo "fuzz-bundle.sh: $out ($(du -h "$out" | cut -f1))"
