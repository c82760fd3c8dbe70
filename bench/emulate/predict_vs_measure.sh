#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Predicted versus measured end-to-end latency under the emulation.
#
#   bench/emulate/predict_vs_measure.sh [--build DIR] [--compiler DIR]
#       [--clusters "NAME=CLUSTER[@SHARE] ..."] [--models "NAME=MODEL.mlir ..."]
#       [--schemes "search single ..."] [--runs R] [--repeat N] [--warmup W]
#       [--out DIR] [--prefix P] [--emulate-opts "OPTS"] [--conv-rates]
#       [--calib-full] [--calib-rounds K] [--calib-agree F] [--calib-per-plan]
#       [--calib-links]
#
# For each cluster: bring the emulation up (bench/emulate/dl-emulate, the
# fastest device at SHARE cores, default 0.25; the stack's own latency
# measured once with `dl-emulate stack` and taken off the links), measure
# every rank's GEMM and convolution rates, per-call kernel overhead and
# memory bandwidth with dl-calibrate inside its namespace and cgroup
# (`--quick` unless --calib-full; a rank whose GEMM rate per core of its
# CPU share is below F (default 0.85) of the best rank's is calibrated
# again, up to K rounds (default 4), and every rank keeps its best round:
# something else running on a pinned rank's CPU while it calibrates would
# otherwise make every plan that computes on it predicted too slow), and
# write the cluster file of the emulated cluster (`dl-emulate describe`:
# those speeds, the cluster's links). Then
# for each model and scheme: dl-compile against that file (predicted latency
# from plan.json), run the ranks under the emulation R times (W warm-up and
# N timed runs each: the rank programs' --warmup/--repeat, otherwise the
# command run.sh runs) and take the median of rank 0's mean latency (rank 0
# holds the output, so its time per run is the end-to-end latency even when
# the plan pipelines layers across ranks). Prints one row per plan with the
# error (measured / predicted - 1) and the load average before the runs,
# then the plan's simulated latency (plan.json's simulated_latency_s: the
# plan replayed as per-rank events, back to back, docs/search.md) and its
# error; the summary gives both predictions' statistics.
# After a cluster's plans, every rank is calibrated once more: the change
# of the host's speed since the calibration is printed, and the summary
# also gives the median without the clusters whose speed drifted by more
# than 10 %. OPTS go to `dl-emulate up` (e.g. --serial-latency). An --out directory of
# an earlier run is reused: its emulated cluster files and compiled plans
# are measured again (under OPTS) instead of calibrated and compiled anew.
# The emulated cluster files give every layer the calibrated GEMM rate,
# which predicts better under the emulation's CPU quotas than the
# calibrated convolution curve (docs/emulation.md); --conv-rates writes
# the curve and the per-call kernel overhead into them as well.
# --calib-per-plan calibrates every rank again (up to 2 rounds, as above)
# just before each plan's runs and prices the same plan (its dl.plan
# attributes, from dl-opt) under a cluster file of those rates: the row
# gets this re-prediction and its error too, which separates the cost
# model's own error from the host's speed drifting between the cluster's
# calibration and the plan's runs. The plan stays the one compiled against
# the cluster's first calibration.
# --calib-links also measures every pair of ranks' link inside the
# emulation (`dl-calibrate --ping-pong-out`, under the ranks' CPU quotas)
# and writes the measured figures into the emulated cluster files
# (`dl-emulate describe --links`) instead of the cluster's nominal links:
# the emulated network's own overheads and its drift then reach the
# predictions. Measured again after the cluster's plans (the drift is
# printed, as for the rates).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${DL_BUILD:-$ROOT/build}"
COMPILER=""
CLUSTERS="wifi3=edge-pi4-3@0.25 hetero3=$ROOT/examples/clusters/hetero-3.yaml@0.4"
MODELS="cnn_lstm=$ROOT/examples/cnn_lstm.mlir"
SCHEMES="search single spatial out-channel pipeline"
RUNS=3
REPEAT=10
WARMUP=2
OUT=""
PREFIX=dlbench
EMU_OPTS=""
CONV_RATES=0
CALIB_OPTS=(--quick)
CALIB_ROUNDS=4
CALIB_AGREE=0.85
CALIB_PER_PLAN=0
CALIB_LINKS=0
PY=/usr/bin/python3
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD="$2"; shift 2 ;;
    --compiler) COMPILER="$2"; shift 2 ;;
    --clusters) CLUSTERS="$2"; shift 2 ;;
    --models) MODELS="$2"; shift 2 ;;
    --schemes) SCHEMES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --emulate-opts) EMU_OPTS="$2"; shift 2 ;;
    --conv-rates) CONV_RATES=1; shift ;;
    --calib-full) CALIB_OPTS=(); shift ;;
    --calib-rounds) CALIB_ROUNDS="$2"; shift 2 ;;
    --calib-agree) CALIB_AGREE="$2"; shift 2 ;;
    --calib-per-plan) CALIB_PER_PLAN=1; shift ;;
    --calib-links) CALIB_LINKS=1; shift ;;
    -h|--help) sed -n '4,55p' "$0"; exit 0 ;;
    *) echo "predict_vs_measure.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
COMPILER="${COMPILER:-$BUILD}"
[ -n "$OUT" ] || OUT="$(mktemp -d)"
mkdir -p "$OUT"
: >"$OUT/rows.txt"
: >"$OUT/drift.txt"
EMU=("$HERE/dl-emulate" --prefix "$PREFIX" --build "$BUILD")
trap '"${EMU[@]}" down >/dev/null 2>&1 || true' EXIT

# field FILE REGEX: the first number after REGEX in FILE.
field() { sed -n "s/.*$2 *\([0-9.e+-]*\).*/\1/p" "$1" | head -n1; }

# calibrate_ranks DIR N [ROUNDS]: dl-calibrate in each of the N ranks' namespace
# and cgroup, in rounds over all ranks, then again for every rank whose
# best GEMM rate per core of its CPU share is below CALIB_AGREE of the best
# rank's (something else ran on its CPU meanwhile: a pinned rank cannot
# move away), up to ROUNDS (default CALIB_ROUNDS) rounds. Each rank keeps its best round
# (DIR/calibrated-rankR.yaml); DIR/calibration.txt lists every round.
calibrate_ranks() {
  local cdir="$1" n="$2" maxrounds="${3:-$CALIB_ROUNDS}" r k pending shares=()
  for r in $(seq 0 $((n - 1))); do
    shares+=("$(sed -n "s/^  rank $r .* cpu \([0-9.]*\) core.*/\1/p" \
      "$cdir/emulation.txt")")
  done
  pending="$(seq 0 $((n - 1)))"
  for k in $(seq 1 "$maxrounds"); do
    [ -n "$pending" ] || break
    for r in $pending; do
      "${EMU[@]}" exec -- mpirun -np 1 -H "$PREFIX-r$r" \
        "$BUILD/bin/dl-calibrate" --ranks 1 "${CALIB_OPTS[@]}" \
        -o "$cdir/calibrated-rank$r.round$k.yaml" 2>>"$cdir/calibrate.log"
    done
    pending="$(for r in $(seq 0 $((n - 1))); do
        for f in "$cdir"/calibrated-rank$r.round*.yaml; do
          echo "$r ${shares[$r]:-1} $(field "$f" 'GEMM ([^)]*):') $f"
        done
      done | awk -v agree="$CALIB_AGREE" '
        { rate = $3 / $2; if (rate > best[$1]) best[$1] = rate
          if (rate > host) host = rate }
        END { for (r in best) if (best[r] < agree * host) print r }' |
      sort -n | tr '\n' ' ')"
  done
  : >"$cdir/calibration.txt"
  for r in $(seq 0 $((n - 1))); do
    local best="" bestf="" rounds=() g f
    for f in "$cdir"/calibrated-rank$r.round*.yaml; do
      g="$(field "$f" 'GEMM ([^)]*):')"
      rounds+=("$g")
      if [ -z "$best" ] || awk -v a="$g" -v b="$best" 'BEGIN{exit !(a > b)}'
      then best="$g"; bestf="$f"; fi
    done
    cp "$bestf" "$cdir/calibrated-rank$r.yaml"
    echo "rank $r (cpu ${shares[$r]:-?} core): GEMM $(IFS=/; echo "${rounds[*]}") GFLOP/s, best $best" |
      tee -a "$cdir/calibration.txt"
  done
  [ -z "$pending" ] || echo "calibration: ranks $pending still below" \
    "$CALIB_AGREE of the best rate per core after $maxrounds rounds" |
    tee -a "$cdir/calibration.txt" >&2
}

# recheck_calibration DIR N NAME: after the plans of a cluster were
# measured, one more calibration round per rank; appends to
# $OUT/drift.txt the change of the ranks' summed GEMM rate since the calibration
# the predictions used. The host's own speed can drift between the
# calibration and the measurements (a virtual machine's by 20 % over
# minutes), which no prediction can follow: the summary states the
# median without the clusters that drifted by more than 10 %.
recheck_calibration() {
  local cdir="$1" n="$2" name="$3" r before=0 after=0 drift
  for r in $(seq 0 $((n - 1))); do
    "${EMU[@]}" exec -- mpirun -np 1 -H "$PREFIX-r$r" \
      "$BUILD/bin/dl-calibrate" --ranks 1 "${CALIB_OPTS[@]}" \
      -o "$cdir/calibrated-rank$r.after.yaml" 2>>"$cdir/calibrate.log"
    before="$(awk -v a="$before" -v b="$(field "$cdir/calibrated-rank$r.yaml" 'GEMM ([^)]*):')" 'BEGIN{print a + b}')"
    after="$(awk -v a="$after" -v b="$(field "$cdir/calibrated-rank$r.after.yaml" 'GEMM ([^)]*):')" 'BEGIN{print a + b}')"
  done
  drift="$(awk -v a="$after" -v b="$before" 'BEGIN{printf "%+.1f", (a / b - 1) * 100}')"
  echo "$name $drift" >>"$OUT/drift.txt"
  echo "calibration recheck after the runs: GEMM rates summed over the ranks $before -> $after GFLOP/s ($drift %)" |
    tee -a "$cdir/calibration.txt"
}

# calibrate_links DIR N FILE: the ping-pong between every pair of the N
# ranks inside the emulation; FILE gets a line `I J LATENCY_S BANDWIDTH_BPS`
# per pair (what `dl-emulate describe --links` reads), DIR/calibration.txt
# the same in us and MB/s.
calibrate_links() {
  local cdir="$1" n="$2" out="$3" a b tmp="$3.pair"
  : >"$out"
  for a in $(seq 0 $((n - 2))); do
    for b in $(seq $((a + 1)) $((n - 1))); do
      rm -f "$tmp"
      "${EMU[@]}" exec -- mpirun -np 2 -H "$PREFIX-r$a,$PREFIX-r$b" \
        "$BUILD/bin/dl-calibrate" --quick --ping-pong-out="$tmp" \
        2>>"$cdir/calibrate.log" >/dev/null || true
      if [ -s "$tmp" ]; then
        echo "$a $b $(cat "$tmp")" >>"$out"
      else
        echo "calibration: no ping-pong between ranks $a and $b" \
          "($cdir/calibrate.log)" >&2
      fi
    done
  done
  rm -f "$tmp"
  awk '{ printf "link %d-%d: %.1f us, %.4g MB/s\n", $1, $2, $3 * 1e6, $4 / 1e6 }' \
    "$out" | tee -a "$cdir/calibration.txt"
}

# write_emulated DIR N CLUSTER FILE [LINKS]: the cluster file of the
# emulated CLUSTER (`dl-emulate describe`) with the rates of the N ranks'
# best calibration in DIR, and the measured links of LINKS if given.
write_emulated() {
  local cdir="$1" n="$2" cluster="$3" out="$4" r links=()
  local flops=() membw=() conv=() khalf=() overhead=() rates=()
  [ -z "${5:-}" ] || [ ! -s "$5" ] || links=(--links "$5")
  for r in $(seq 0 $((n - 1))); do
    flops+=("$(field "$cdir/calibrated-rank$r.yaml" 'GEMM ([^)]*):')e9")
    membw+=("$(field "$cdir/calibrated-rank$r.yaml" 'MiB:')e9")
    conv+=("$(field "$cdir/calibrated-rank$r.yaml" 'conv_flops:')e9")
    khalf+=("$(field "$cdir/calibrated-rank$r.yaml" 'conv_k_half:')")
    overhead+=("$(field "$cdir/calibrated-rank$r.yaml" 'kernel_overhead:')e-6")
  done
  [ "$CONV_RATES" = 0 ] || rates=(
      --conv-flops "$(IFS=,; echo "${conv[*]}")"
      --conv-k-half "$(IFS=,; echo "${khalf[*]}")"
      --kernel-overhead "$(IFS=,; echo "${overhead[*]}")")
  "${EMU[@]}" describe "$cluster" -o "$out" \
    --flops "$(IFS=,; echo "${flops[*]}")" \
    --mem-bw "$(IFS=,; echo "${membw[*]}")" "${rates[@]}" "${links[@]}"
}

# plan_ms PLAN.json [FIELD]: its predicted latency (or FIELD, default
# predicted_latency_s) in ms (nothing if it has none).
plan_ms() {
  "$PY" -c "import json,sys; v=json.load(open(sys.argv[1]))\
.get(sys.argv[2]); print('' if v is None else v*1e3)" "$1" \
    "${2:-predicted_latency_s}"
}

# price MODEL CLUSTER DIR: the predicted latency in ms of MODEL's own
# dl.plan attributes on CLUSTER (dl-compile --plan-only into DIR).
price() {
  "$COMPILER/bin/dl-compile" "$1" --cluster "$2" --plan-only -o "$3" \
    >"$3.log" 2>&1 || return 0
  plan_ms "$3/plan.json"
}

# reprice_plan DIR MODEL SCHEME CDIR CLUSTER N PRED: --calib-per-plan.
# Writes the plan of DIR as the model with its dl.plan attributes
# (DIR/planned.mlir, checked to price at PRED on the cluster's file),
# calibrates the N ranks again into DIR/calib and prints the plan's
# latency in ms priced with those rates (nothing if any step failed).
reprice_plan() {
  local dir="$1" model="$2" scheme="$3" cdir="$4" cluster="$5" n="$6"
  local pred="$7" pdir="$1/calib" plan=() same
  if [ ! -f "$dir/planned.mlir" ]; then
    case "$scheme" in
      search) plan=(--dl-search-partition) ;;
      *) plan=("--dl-force-scheme=scheme=$scheme") ;;
    esac
    "$BUILD/bin/dl-opt" "$model" \
      "--dl-attach-cluster=cluster=$cdir/emulated.yaml" "${plan[@]}" \
      -o "$dir/planned.mlir" 2>"$dir/planned.log" || return 0
    same="$(price "$dir/planned.mlir" "$cdir/emulated.yaml" "$dir/planned")"
    if [ -z "$same" ] || ! awk -v a="$same" -v b="$pred" \
        'BEGIN{exit !(a - b < 1e-6 * b && b - a < 1e-6 * b)}'; then
      echo "reprice: $dir/planned.mlir prices at ${same:-nothing}," \
        "not $pred ms, on the cluster's file: not the compiled plan" >&2
      rm -f "$dir/planned.mlir"
      return 0
    fi
  fi
  rm -rf "$pdir"
  mkdir -p "$pdir"
  cp "$cdir/emulation.txt" "$pdir/"
  calibrate_ranks "$pdir" "$n" 2 >/dev/null 2>&1 || return 0
  write_emulated "$pdir" "$n" "$cluster" "$pdir/emulated.yaml" \
    "$cdir/links.txt" >/dev/null || return 0
  price "$dir/planned.mlir" "$pdir/emulated.yaml" "$pdir/plan"
}

# Runs the ranks of $1 once under the emulation; prints rank 0's mean
# latency in ms.
measure() {
  local dir="$1" n args=() d
  n="$(ls "$dir"/bin/rank* | wc -l)"
  for d in $(seq 0 $((n - 1))); do
    [ "$d" = 0 ] || args+=(:)
    args+=(-np 1 "$dir/bin/rank$d" --weights "$dir/weights/rank$d.dlw"
      --warmup "$WARMUP" --repeat "$REPEAT")
    [ "$d" != 0 ] || args+=(--input "$dir/sample_input.npy"
      --output "$dir/out.npy")
  done
  "${EMU[@]}" exec -- mpirun "${args[@]}" 2>>"$dir/run.log" |
    tee -a "$dir/run.log" |
    sed -n 's/^rank0: mean latency \([0-9.]*\) ms.*/\1/p'
}

STACK_US="$("${EMU[@]}" stack 2>"$OUT/stack.log")"
echo "stack latency taken off the links: $STACK_US us; cores: $(nproc)"
if [ "$CALIB_PER_PLAN" = 1 ]; then
  printf '%-9s %-9s %-12s %5s %12s %12s %8s %22s %8s %12s %8s %12s %8s\n' \
    cluster model scheme ranks "predicted" "measured" error "runs (ms)" \
    "load avg" "simulated" error "re-predicted" error
else
  printf '%-9s %-9s %-12s %5s %12s %12s %8s %22s %8s %12s %8s\n' cluster \
    model scheme ranks "predicted" "measured" error "runs (ms)" "load avg" \
    "simulated" error
fi
for centry in $CLUSTERS; do
  cname="${centry%%=*}"; rest="${centry#*=}"
  cluster="${rest%@*}"; share=0.25
  [ "$rest" = "$cluster" ] || share="${rest##*@}"
  cdir="$OUT/$cname"
  mkdir -p "$cdir"
  # shellcheck disable=SC2086
  "${EMU[@]}" up "$cluster" --share "$share" --stack-us "$STACK_US" \
    $EMU_OPTS >"$cdir/emulation.txt"
  n="$(grep -c '^  rank ' "$cdir/emulation.txt")"
  nranks="$n"
  [ -f "$cdir/emulated.yaml" ] && n=0
  [ "$n" = 0 ] || calibrate_ranks "$cdir" "$n"
  [ "$n" = 0 ] || [ "$CALIB_LINKS" = 0 ] ||
    calibrate_links "$cdir" "$n" "$cdir/links.txt"
  [ -f "$cdir/emulated.yaml" ] ||
    write_emulated "$cdir" "$n" "$cluster" "$cdir/emulated.yaml" \
      "$cdir/links.txt"
  for mentry in $MODELS; do
    mname="${mentry%%=*}"; model="${mentry#*=}"
    for scheme in $SCHEMES; do
      dir="$cdir/$mname-${scheme//[:]/_}"
      if [ ! -f "$dir/plan.json" ] &&
        ! "$COMPILER/bin/dl-compile" "$model" --cluster "$cdir/emulated.yaml" \
          --scheme "$scheme" -o "$dir" >"$dir.compile.log" 2>&1; then
        printf '%-9s %-9s %-12s  compile failed (%s)\n' "$cname" "$mname" \
          "$scheme" "$dir.compile.log"
        continue
      fi
      pred="$(plan_ms "$dir/plan.json")"
      sim="$(plan_ms "$dir/plan.json" simulated_latency_s)"
      ranks="$(ls "$dir"/bin/rank* | wc -l)"
      repred=""
      [ "$CALIB_PER_PLAN" = 0 ] || [ -z "$pred" ] || repred="$(reprice_plan \
        "$dir" "$model" "$scheme" "$cdir" "$cluster" "$nranks" "$pred")"
      load="$(cut -d' ' -f1 /proc/loadavg)"
      runs=()
      for _ in $(seq "$RUNS"); do
        m="$(measure "$dir")"
        [ -n "$m" ] && runs+=("$m")
      done
      "$PY" - "$cname" "$mname" "$scheme" "$ranks" "${pred:-nan}" "$load" \
        "${repred:-nan}" "$CALIB_PER_PLAN" "${sim:-nan}" "${runs[@]}" \
        <<'EOF' |
import statistics, sys
c, m, s, n, pred, load, repred, per_plan, sim = sys.argv[1:10]
runs = [float(x) for x in sys.argv[10:]]
pred, repred, sim = float(pred), float(repred), float(sim)
ptext = "%12.3f" % pred if pred == pred else "%12s" % "n/a"
if not runs:
    print("%-9s %-9s %-12s %5s %s %12s" % (c, m, s, n, ptext, "failed"))
    sys.exit(0)
med = statistics.median(runs)
def error(p):
    return ("%+7.1f%%" % ((med / p - 1) * 100) if p == p and p > 0
            else "%8s" % "n/a")
def value(p):
    return "%12s" % ("%.3f" % p if p == p else "n/a")
# After the load average: the simulated latency and its error; with
# --calib-per-plan the plan re-priced with the calibration taken just
# before its runs, and that error.
extra = " %s %s" % (value(sim), error(sim))
if per_plan == "1":
    extra += " %s %s" % (value(repred), error(repred))
print("%-9s %-9s %-12s %5s %s %12.3f %s %22s %8s%s" % (
    c, m, s, n, ptext, med, error(pred), "/".join("%.2f" % r for r in runs),
    load, extra))
EOF
        tee -a "$OUT/rows.txt"
    done
  done
  [ "$n" = 0 ] || recheck_calibration "$cdir" "$n" "$cname"
  if [ "$n" != 0 ] && [ "$CALIB_LINKS" = 1 ]; then
    calibrate_links "$cdir" "$n" "$cdir/links.after.txt" >/dev/null
    # The change of each link's time for 1 MiB (latency + 1 MiB / bandwidth).
    awk 'NR == FNR { t[$1 " " $2] = $3 + 1048576 / $4; next }
         ($1 " " $2) in t { printf "%s link %d-%d: %+.1f %% time per MiB since the calibration\n",
           name, $1, $2, (($3 + 1048576 / $4) / t[$1 " " $2] - 1) * 100 }' \
      name="$cname" "$cdir/links.txt" "$cdir/links.after.txt" |
      tee -a "$cdir/calibration.txt"
  fi
  "${EMU[@]}" down >/dev/null
done

# Summary over the rows of this run: error statistics, and each searched
# plan against the fastest measured fixed scheme of its cluster and model.
"$PY" - "$OUT/rows.txt" "$OUT/drift.txt" <<'EOF'
import os, statistics, sys
drift = {}
if os.path.exists(sys.argv[2]):
    for line in open(sys.argv[2]):
        name, pct = line.split()
        drift[name] = float(pct)
rows = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 8 and f[5] != "failed":
        rows.append(f)
errs = [(abs(float(f[6].rstrip("%"))), f) for f in rows if f[6] != "n/a"]
def summary(what, errs):
    if errs:
        worst = max(errs)
        print("%d plans %s: median |error| %.1f %%, worst %.1f %% (%s %s %s)"
              % (len(errs), what, statistics.median(e for e, _ in errs),
                 worst[0], *worst[1][:3]))
print()
summary("with a prediction", errs)
long = [(e, f) for e, f in errs if float(f[4]) >= 1]
summary("predicted to take 1 ms or more", long)
# The simulated latency (per-rank events), over the same plans.
sim_errs = [(abs(float(f[10].rstrip("%"))), f) for f in rows
            if len(f) >= 11 and f[10] != "n/a"]
summary("simulated", sim_errs)
summary("simulated, of 1 ms or more predicted",
        [(e, f) for e, f in sim_errs if float(f[4]) >= 1])
# --calib-per-plan rows: the re-prediction with each plan's own calibration.
re_errs = [(abs(float(f[12].rstrip("%"))), f) for f in rows
           if len(f) >= 13 and f[12] != "n/a"]
summary("re-predicted with the calibration just before their runs", re_errs)
summary("re-predicted, of 1 ms or more",
        [(e, f) for e, f in re_errs if float(f[11]) >= 1])
if drift:
    print("host speed since the calibration: " +
          ", ".join("%s %+.1f %%" % kv for kv in sorted(drift.items())))
    steady = [(e, f) for e, f in long if abs(drift.get(f[0], 0)) <= 10]
    if len(steady) < len(long):
        summary("of 1 ms or more on the clusters that drifted by 10 % or less",
                steady)
for f in rows:
    if f[2] != "search":
        continue
    fixed = [g for g in rows if g[:2] == f[:2] and g[2] != "search"]
    if fixed:
        best = min(fixed, key=lambda g: float(g[5]))
        print("%s %s: search %.2f ms, best fixed scheme %s %.2f ms (%+.1f %%)"
              % (f[0], f[1], float(f[5]), best[2], float(best[5]),
                 (float(f[5]) / float(best[5]) - 1) * 100))
EOF
