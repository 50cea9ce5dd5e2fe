#!/usr/bin/env bash
# Scheduler benchmark (issue 14): a mix of 8 jobs (word counts of 4 sizes
# and terasorts of 4 sizes) submitted at once on the default cluster
# (`mrcluster up --racks 2 --nodes_per_rack 2`, mrcluster's default vcores),
# against the same 8 jobs run one after another. Each repetition runs both,
# the concurrent run first, and measures:
#   - the makespan of the concurrent run against the sequential total
#     (target: at most 1.1x);
#   - Jain's fairness index, (sum x)^2 / (n sum x^2), over the jobs' mean
#     container counts (vcores in use; AMs hold none) while all 8 run (from
#     the last one's AM registering to the first one's end), sampled every
#     0.2 s from `mrjob list --json` (target: at least 0.9);
#   - that every job ends in time (a job still running after --job-timeout
#     seconds is a hang) and exactly: word counts equal a local run's,
#     terasort's output passes teravalidate against its input.
# Prints a markdown table (also bench/out/sched_latest.md).
# Usage: bench/sched_bench.sh [--reps N] [--job-timeout S] [--quick]
#   --reps: repetitions (10); --quick: 2 repetitions.
# Exit 1 if a check fails (a job failed, hung or was wrong); a missed target
# is printed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/bench/data"
source "$root/bench/bench_lib.sh"
reps=10
job_timeout=300
while (($# > 0)); do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --job-timeout) job_timeout="$2"; shift 2 ;;
    --quick) reps=2; shift ;;
    *) echo "usage: $0 [--reps N] [--job-timeout S] [--quick]" >&2; exit 2 ;;
  esac
done

bash "$root/scripts/install_deps.sh"
build_dir="${MR_BUILD_DIR:-$root/build}"
bin="$build_dir/bin"
bash "$root/scripts/build.sh" Release wordcount teragen terasort teravalidate cluster_programs

cluster="$data/sched-bench"
work="$data/sched-work"
sampler=""
stop() {
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null || true
  "$bin/mrcluster" down --dir "$cluster" >/dev/null 2>&1 || true
  rm -rf "$cluster" "$work"
}
trap stop EXIT
stop
mkdir -p "$data" "$work" "$root/bench/out"
dfs() { "$bin/mrdfs" --cluster "$cluster" "$@"; }

use_corpus 64
echo "== cluster: 2 racks x 2 nodes, 2 MiB chunks" >&2
"$bin/mrcluster" up --dir "$cluster" --racks 2 --nodes_per_rack 2 --chunk_size 2097152 >&2

# The inputs: word counts of 16, 24, 32 and 48 MiB of the corpus; terasorts
# of 200,000 to 600,000 records (20 to 60 MB); each job's check. In 2 MiB
# chunks, so that even the smallest job (8 maps) still has maps waiting
# while all eight run: a job with nothing left to ask for holds fewer
# containers for want of work, not for want of fairness.
wc_sizes=(16 24 32 48)
tera_sizes=(200000 300000 400000 600000)
cat "${files[@]}" >"$work/corpus.txt"
for mb in "${wc_sizes[@]}"; do
  head -c $((mb << 20)) "$work/corpus.txt" >"$work/wc-$mb.txt"
  dfs put "$work/wc-$mb.txt" "/in/wc-$mb/text"
  "$bin/wordcount" --input="$work/wc-$mb.txt" --output="$work/wc-$mb-want" --reducers=2 >/dev/null
  cat "$work/wc-$mb-want"/part-r-* | LC_ALL=C sort >"$work/wc-$mb.want"
done
for records in "${tera_sizes[@]}"; do
  "$bin/teragen" --records="$records" --output="$work/tera-$records" >/dev/null
  dfs mkdir "/in/tera-$records"
  for f in "$work/tera-$records"/part-*; do dfs put "$f" "/in/tera-$records/$(basename "$f")"; done
done
rm -f "$work/corpus.txt"

# The 8 jobs as "name binary input reducers".
jobs=()
for mb in "${wc_sizes[@]}"; do jobs+=("wc-$mb wordcount /in/wc-$mb 2"); done
for records in "${tera_sizes[@]}"; do jobs+=("tera-$records terasort /in/tera-$records 2"); done

# run_job REP NAME BINARY INPUT REDUCERS: one job, its log in $work.
run_job() {
  local rep=$1 name=$2 binary=$3 input=$4 reducers=$5
  timeout "$job_timeout" "$bin/mrjob" --cluster "$cluster" submit --binary "$bin/$binary" \
    --input "$input" --output "/out/$rep/$name" --reducers "$reducers" >"$work/$rep-$name.log" 2>&1
}

# check_job REP NAME: the job succeeded and its output is exact.
check_job() {
  local rep=$1 name=$2 status=$3
  if ((status == 124)); then fail "rep $rep: $name hung (still running after ${job_timeout}s)"; return; fi
  if ((status != 0)); then fail "rep $rep: $name failed (exit $status, see $work/$rep-$name.log)"; return; fi
  if [[ "$name" == wc-* ]]; then
    cmp -s <(for p in part-r-00000 part-r-00001; do dfs cat "/out/$rep/$name/$p"; done | LC_ALL=C sort) \
      "$work/${name}.want" || fail "rep $rep: $name's word counts differ from the local run's"
  else
    local records=${name#tera-}
    rm -rf "$work/check" && mkdir -p "$work/check"
    for p in part-r-00000 part-r-00001; do dfs get "/out/$rep/$name/$p" "$work/check/$p"; done
    "$bin/teravalidate" --input="$work/check" --original="$work/tera-$records" >/dev/null 2>&1 ||
      fail "rep $rep: teravalidate rejected $name"
  fi
}

# The apps' (id, state, vcores) every 0.2 s, one line per app: "T ID STATE VCORES".
sample() {
  while true; do
    local t
    t=$(now)
    "$bin/mrjob" --cluster "$cluster" list --json 2>/dev/null |
      grep -o '"app_id":"[^"]*"\|"state":"[^"]*"\|"used":{"vcores":[0-9]*' |
      awk -v t="$t" -F'"' '/app_id/ {id = $4} /"state"/ {state = $4}
                           /vcores/ {split($0, v, ":"); print t, id, state, v[3]}' || true
    sleep 0.2
  done
}

# jain SAMPLES IDS...: Jain's index over the mean vcores of IDS in the
# samples where every one of them is RUNNING, the seconds those samples
# span, and the means ("0.50/0.48/..." in IDS' order).
jain() {
  local samples=$1
  shift
  awk -v ids="$*" '
    BEGIN { n = split(ids, want, " "); for (i = 1; i <= n; i++) is[want[i]] = 1 }
    is[$2] { state[$1, $2] = $3; v[$1, $2] = $4; times[$1] = 1 }
    END {
      for (t in times) {
        all = 1
        for (i = 1; i <= n; i++) if (state[t, want[i]] != "RUNNING") all = 0
        if (!all) continue
        k++
        if (first == "" || t + 0 < first) first = t + 0
        if (last == "" || t + 0 > last) last = t + 0
        for (i = 1; i <= n; i++) sum[want[i]] += v[t, want[i]]
      }
      if (k == 0) { print "- 0 -"; exit }
      for (i = 1; i <= n; i++) {
        x = sum[want[i]] / k; s += x; s2 += x * x
        means = means (i > 1 ? "/" : "") sprintf("%.2f", x)
      }
      printf "%.3f %.1f %s\n", (s2 > 0 ? s * s / (n * s2) : 0), last - first, means
    }' "$samples"
}

rows=()
ratios=()
jains=()
for ((rep = 1; rep <= reps; rep++)); do
  echo "== repetition $rep: 8 jobs at once" >&2
  sample >"$work/samples-$rep" &
  sampler=$!
  t0=$(now)
  pids=()
  for job in "${jobs[@]}"; do
    read -r name binary input reducers <<<"$job"
    run_job "c$rep" "$name" "$binary" "$input" "$reducers" &
    pids+=($!)
  done
  statuses=()
  for pid in "${pids[@]}"; do
    status=0
    wait "$pid" || status=$?
    statuses+=("$status")
  done
  t1=$(now)
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=""
  makespan=$(elapsed "$t0" "$t1")
  ids=()
  for i in "${!jobs[@]}"; do
    read -r name _ <<<"${jobs[$i]}"
    check_job "c$rep" "$name" "${statuses[$i]}"
    ids+=("$(sed -n 's/^Submitted \(app_[0-9_]*\)$/\1/p' "$work/c$rep-$name.log")")
  done
  read -r index window means < <(jain "$work/samples-$rep" "${ids[@]}")

  echo "== repetition $rep: the same 8 one after another" >&2
  t2=$(now)
  for job in "${jobs[@]}"; do
    read -r name binary input reducers <<<"$job"
    status=0
    run_job "s$rep" "$name" "$binary" "$input" "$reducers" || status=$?
    check_job "s$rep" "$name" "$status"
  done
  t3=$(now)
  sequential=$(elapsed "$t2" "$t3")
  ratio=$(awk -v a="$makespan" -v b="$sequential" 'BEGIN {printf "%.2f", a / b}')
  ratios+=("$ratio")
  jains+=("$index")
  rows+=("| $rep | $makespan | $sequential | ${ratio}x | $index | $window | $means |")
  dfs rm -r "/out/c$rep" >/dev/null 2>&1 || true
  dfs rm -r "/out/s$rep" >/dev/null 2>&1 || true
done

worst_ratio=$(printf '%s\n' "${ratios[@]}" | sort -n | tail -1)
worst_jain=$(printf '%s\n' "${jains[@]}" | sort -n | head -1)
{
  echo "| rep | makespan, 8 at once (s) | one after another (s) | ratio | Jain's index while all run | window (s) | mean containers per job then (wc 16/24/32/48 MiB, tera 200k/300k/400k/600k) |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Worst ratio ${worst_ratio}x (target <= 1.1x: $(awk -v x="$worst_ratio" 'BEGIN {print (x <= 1.1) ? "met" : "NOT met"}')); " \
       "worst Jain's index $worst_jain (target >= 0.9: $(awk -v x="$worst_jain" 'BEGIN {print (x >= 0.9) ? "met" : "NOT met"}')); " \
       "jobs failed, hung or wrong: ${#failures[@]}."
} | tee "$root/bench/out/sched_latest.md"

exit_if_failed
