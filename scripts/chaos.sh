#!/usr/bin/env bash
# Chaos runs (issue 6): word count, over and over, on a local cluster of
# processes on 127.0.0.1 (a DFS master, an active and a standby RM, 2 racks x
# 2 nodes of datanode + node manager), while a daemon is killed with kill -9
# at a random moment while each job runs: a node manager, a datanode, the job's
# application master or the active resource manager (one kind per run, or
# mixed). Every output is checked exactly against an independent count
# (tr | sort | uniq -c), the input is checked intact, and the killed daemon
# is restarted before the next run. A run whose job gave one task more than
# --max-attempts attempts (the AM's --am_max_attempts_per_task_total, 10)
# fails too. Prints runs, failed jobs, wrong outputs, lost files and the
# worst attempts per task; exits 0 only if every job succeeded with exact
# output, nothing was lost and no task passed the attempt bound.
#
#   scripts/chaos.sh [--runs N] [--kind nm|dn|am|rm|mixed] [--seed S]
#                    [--time-limit SECONDS] [--input-mb MB] [--max-attempts N]
#
#   scripts/chaos.sh --kind master|disk [--runs N] [--seed S] [--time-limit SECONDS]
#                    [--input-mb MB]
#
# --kind master and --kind disk are the DFS's chaos runs (issue 13,
# scripts/chaos_dfs.sh): the master killed at random points during puts,
# put -f, rm, mv and a job; or replica files deleted and cut short and a
# datanode's disk filled. Every file must then be exact or visibly
# incomplete, never silently short.
#
# Installs what is missing and builds, as demo.sh does. Scratch space:
# $MR_CHAOS_DIR (default /tmp/mr-chaos). Exit codes: 0 all good, 1 some run
# failed or was wrong, 2 usage.
set -euo pipefail

runs=20
kind=mixed
seed=$RANDOM
time_limit=900
input_mb=64
max_attempts=10
usage() { sed -n '15,16p;18,19p' "$0" | sed 's/^#  */usage: /' >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="${2:?}"; shift 2 ;;
    --kind) kind="${2:?}"; shift 2 ;;
    --seed) seed="${2:?}"; shift 2 ;;
    --time-limit) time_limit="${2:?}"; shift 2 ;;
    --input-mb) input_mb="${2:?}"; shift 2 ;;
    --max-attempts) max_attempts="${2:?}"; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$runs" =~ ^[0-9]+$ && "$input_mb" =~ ^[0-9]+$ && "$time_limit" =~ ^[0-9]+$ &&
   "$max_attempts" =~ ^[0-9]+$ ]] || usage
case "$kind" in nm|dn|am|rm|mixed|master|disk) ;; *) usage ;; esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${MR_BUILD_DIR:-$root/build}/bin"
scratch="${MR_CHAOS_DIR:-/tmp/mr-chaos}"
cluster="$scratch/cluster"

bash "$root/scripts/install_deps.sh"
echo "== building"
bash "$root/scripts/build.sh" Release cluster_programs wordcount

mkdir -p "$scratch"
RANDOM=$seed
echo "== seed $seed, $runs runs, kind $kind, input $input_mb MiB, time limit ${time_limit}s"

# The input: lines of words from a small vocabulary, and its word counts.
input="$scratch/input.txt"
want="$scratch/want.txt"
if [[ ! -s "$input" || "$(stat -c %s "$input")" -lt $((input_mb << 20)) ]]; then
  awk -v bytes=$((input_mb << 20)) 'BEGIN {
    srand(42); n = 0
    while (n < bytes) {
      line = ""; words = 1 + int(rand() * 12)
      for (w = 0; w < words; w++) line = line (w ? " " : "") "w" int(rand() * 20000)
      print line; n += length(line) + 1
    } }' >"$input"
fi
tr -s ' ' '\n' <"$input" | LC_ALL=C sort | uniq -c | awk '{print $2 "\t" $1}' >"$want"
if [[ "$kind" == master || "$kind" == disk ]]; then
  source "$root/scripts/chaos_dfs.sh"  # The DFS's kinds: their own cluster and checks.
  exit $?
fi

# Reads during a run log replica fail-overs on stderr; the checks need stdout.
dfs() { "$bin/mrdfs" --cluster "$cluster" "$@" 2>/dev/null; }
stop_cluster() { "$bin/mrcluster" down --dir "$cluster" >/dev/null 2>&1 || true; }
stop_cluster
rm -rf "$cluster"
trap stop_cluster EXIT
"$bin/mrcluster" up --dir "$cluster" --racks 2 --nodes-per-rack 2 --chunk-size 1048576 \
  --rm-standby >/dev/null
dfs put "$input" /chaos/in/input.txt
input_sum="$(sha256sum <"$input" | cut -d' ' -f1)"

# The id of the running application, once there is one.
running_app() {
  "$bin/mrjob" --cluster "$cluster" list --json 2>/dev/null |
    grep -o '"app_id":"[^"]*","name":"[^"]*","user":"[^"]*","state":"RUNNING"' |
    head -1 | sed 's/"app_id":"\([^"]*\)".*/\1/' || true
}

# Kills one daemon of `$1` kind. Sets $node to the node to restart ("" for
# an AM, which the RM restarts itself) and $victim to what was killed.
kill_one() {
  local what="$1"
  node="" victim="nothing"
  case "$what" in
    nm|dn)
      node="$what-$((1 + RANDOM % 2))-$((1 + RANDOM % 2))"
      "$bin/mrcluster" kill --dir "$cluster" "$node" >/dev/null 2>&1 && victim="$node" ;;
    rm)
      node="$(active_rm)"
      if [[ -n "$node" ]]; then
        "$bin/mrcluster" kill --dir "$cluster" "$node" >/dev/null 2>&1 && victim="$node (active)"
      fi ;;
    am)
      local app pid
      app="$(running_app)"
      pid="$(pgrep -f -- "$app.*--mr_role=am" | head -1 || true)"
      if [[ -n "$app" && -n "$pid" ]] && kill -9 "$pid" 2>/dev/null; then
        victim="the AM of $app (pid $pid)"
      fi ;;
  esac
}

# The resource manager that is active now ("rm" or "rm-standby").
active_rm() {
  "$bin/mrcluster" status --dir "$cluster" 2>/dev/null |
    awk '$2 ~ /^rm/ && /active/ {print $2; exit}'
}

job_output() { dfs cat "$1/part-r-00000" && dfs cat "$1/part-r-00001"; }

# "COUNT TASK": the most attempts one task of application $1 had.
worst_attempts() {
  "$bin/mrjob" --cluster "$cluster" status "$1" --json 2>/dev/null |
    grep -o '"attempt_id":"[mr]_[0-9]*_[0-9]*"' | sed 's/"attempt_id":"\(.*\)_[0-9]*"/\1/' |
    sort | uniq -c | sort -rn | head -1 | awk '{print $1, $2}'
}

kinds=(nm dn am rm)
outputs=()
failed=0 wrong=0 lost=0 done_runs=0 mid=0 over_bound=0
worst=0 worst_where="none"
started=$(date +%s)
for ((run = 1; run <= runs; run++)); do
  if (($(date +%s) - started > time_limit)); then
    echo "== time limit reached after $done_runs runs"
    break
  fi
  what="$kind"
  [[ "$kind" == mixed ]] && what="${kinds[RANDOM % 4]}"
  out="/chaos/out/$run"
  log="$scratch/run-$run.log"
  "$bin/mrjob" --cluster "$cluster" submit --binary "$bin/wordcount" --input /chaos/in \
    --output "$out" --reducers 2 >"$log" 2>&1 &
  job=$!
  # A random moment once the job runs (it takes a few seconds).
  for ((i = 0; i < 300; i++)); do
    [[ -n "$(running_app)" ]] && break
    sleep 0.1
  done
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", (r % 150) / 100 }')"
  when="after the job"
  if kill -0 $job 2>/dev/null; then when="mid-job"; mid=$((mid + 1)); fi
  kill_one "$what"
  status=0
  timeout 300 tail --pid=$job -f /dev/null || true
  # A job still running after 5 minutes is hung: stopped, and counted failed.
  if kill -0 $job 2>/dev/null; then kill $job 2>/dev/null || true; fi
  wait $job || status=$?
  verdict="ok"
  if ((status != 0)); then
    verdict="FAILED (exit $status, see $log)"
    failed=$((failed + 1))
  elif ! diff -q <(job_output "$out" | LC_ALL=C sort) <(LC_ALL=C sort "$want") >/dev/null; then
    verdict="WRONG OUTPUT"
    wrong=$((wrong + 1))
  else
    outputs+=("$out")
  fi
  # Attempts per task within the bound.
  app="$(sed -n 's/^Submitted \(app_[0-9_]*\)$/\1/p' "$log" | head -1)"
  if [[ -n "$app" ]]; then
    read -r most task < <(worst_attempts "$app"; echo "0 -") || true
    most="${most:-0}"
    if ((most > worst)); then worst=$most worst_where="$task of $app (run $run)"; fi
    if ((most > max_attempts)); then
      verdict="$verdict, $most ATTEMPTS OF $task (bound $max_attempts)"
      over_bound=$((over_bound + 1))
    fi
  fi
  # Nothing lost: the input reads back whole.
  if [[ "$(dfs cat /chaos/in/input.txt | sha256sum | cut -d' ' -f1)" != "$input_sum" ]]; then
    verdict="$verdict, INPUT LOST"
    lost=$((lost + 1))
  fi
  if [[ "$what" == rm ]]; then
    # Let the other RM take over before the killed one returns (as a
    # standby), so that the next RM kill hits the other one.
    for ((i = 0; i < 100; i++)); do
      active="$(active_rm)"
      [[ -n "$active" && "$active" != "$node" ]] && break
      sleep 0.1
    done
  fi
  if [[ -n "$node" ]]; then "$bin/mrcluster" start --dir "$cluster" "$node" >/dev/null 2>&1 || true; fi
  done_runs=$((done_runs + 1))
  echo "run $run: kill -9 of $what: $victim, $when: $verdict"
done

# Every output of a good run is still there and still exact.
for out in "${outputs[@]}"; do
  if ! diff -q <(job_output "$out" | LC_ALL=C sort) <(LC_ALL=C sort "$want") >/dev/null; then
    echo "output $out lost or changed"
    lost=$((lost + 1))
  fi
done
echo "== runs $done_runs (kills mid-job: $mid), failed jobs $failed, wrong outputs $wrong, lost files $lost, runs over the attempt bound $over_bound; worst attempts per task: $worst ($worst_where)"
((failed == 0 && wrong == 0 && lost == 0 && over_bound == 0))
