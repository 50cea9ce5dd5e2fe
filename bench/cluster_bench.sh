#!/usr/bin/env bash
# Benchmarks jobs on a local cluster of processes (issue 5, item 10) and
# prints a markdown table (also written to bench/out/cluster_latest.md):
#   wordcount of a >= 300 MiB corpus already in the DFS, on a 2-rack x 2-node
#     cluster, against the single-machine run of the same binary on the same
#     files (target: cluster time <= 1.5x);
#   terasort of 1 GB (10,000,000 records) in the DFS, against
#     `LC_ALL=C sort --parallel=2` of the same records (target: faster); 4
#     reducers (one per node) and a 128 MiB sort buffer per map task, so a
#     64 MiB split sorts in one spill; output replication 1, as terasort
#     asks (Hadoop's TeraSort does the same);
#   a tiny job (1 KB of input), submit to done, median of 10 (target < 1 s).
# Jobs are timed from `mrjob submit` to its exit (upload of the binary,
# scheduling, tasks, commit). Checks: the cluster's word counts equal the
# local run's, teravalidate accepts terasort's output, every job exits 0.
# Usage: bench/cluster_bench.sh [--corpus-mb N] [--tera-records N] [--tiny-runs N]
#                               [--wc-rounds N] [--quick]
#   --wc-rounds: word count pairs (local, then cluster) whose medians are
#     compared (5); --quick: 30 MiB, 1,000,000 records, 3 tiny runs, 1 round.
# Exit 1 if a check fails or a step errors; a missed target is printed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/bench/data"
source "$root/bench/bench_lib.sh"
corpus_mb=300
tera_records=10000000
tiny_runs=10
wc_rounds=5
while (($# > 0)); do
  case "$1" in
    --corpus-mb) corpus_mb="$2"; shift 2 ;;
    --tera-records) tera_records="$2"; shift 2 ;;
    --tiny-runs) tiny_runs="$2"; shift 2 ;;
    --wc-rounds) wc_rounds="$2"; shift 2 ;;
    --quick) corpus_mb=30; tera_records=1000000; tiny_runs=3; wc_rounds=1; shift ;;
    *) echo "usage: $0 [--corpus-mb N] [--tera-records N] [--tiny-runs N] [--wc-rounds N] [--quick]" >&2; exit 2 ;;
  esac
done

bash "$root/scripts/install_deps.sh"
build_dir="${MR_BUILD_DIR:-$root/build}"
bin="$build_dir/bin"
bash "$root/scripts/build.sh" Release wordcount teragen terasort teravalidate cluster_programs

cluster="$data/cluster-bench"
tera="$data/cluster-tera"
stop() { "$bin/mrcluster" down --dir "$cluster" >/dev/null 2>&1 || true; rm -rf "$cluster" "$tera"; }
trap stop EXIT
stop
mkdir -p "$data" "$root/bench/out" "$tera"
dfs() { "$bin/mrdfs" --cluster "$cluster" "$@"; }
submit() { "$bin/mrjob" --cluster "$cluster" submit "$@"; }

use_corpus "$corpus_mb"

echo "== cluster: 2 racks x 2 nodes" >&2
"$bin/mrcluster" up --dir "$cluster" --racks 2 --nodes_per_rack 2 >&2
dfs mkdir /bench/corpus
for f in "${files[@]}"; do dfs put "$f" "/bench/corpus/$(basename "$f")"; done
cat "${files[@]}" >/dev/null  # Warm the page cache for the local run.

echo "== wordcount: local, then cluster, $wc_rounds rounds" >&2
# Rounds alternate the two runs, so that a slow spell of the machine (it is
# shared) falls on both; the table gives the medians.
wc_locals=()
wc_clusters=()
for ((round = 0; round < wc_rounds; round++)); do
  rm -rf "$data/wc-local"
  t0=$(now)
  "$bin/wordcount" --input="$corpus" --output="$data/wc-local" --reducers=2 >"$data/wc-local.log" 2>&1 ||
    fail "local wordcount failed; see $data/wc-local.log"
  t1=$(now)
  submit --binary "$bin/wordcount" --input /bench/corpus --output "/bench/wc-$round" --reducers 2 \
    >"$data/wc-cluster.log" 2>&1 || fail "cluster wordcount failed; see $data/wc-cluster.log"
  t2=$(now)
  wc_locals+=("$(elapsed "$t0" "$t1")")
  wc_clusters+=("$(elapsed "$t1" "$t2")")
  if ! cmp -s <(cat "$data/wc-local"/part-r-* | LC_ALL=C sort) \
              <(for p in part-r-00000 part-r-00001; do dfs cat "/bench/wc-$round/$p"; done | LC_ALL=C sort); then
    fail "cluster word counts (round $round) differ from the local run's"
  fi
done
wc_local=$(median "${wc_locals[@]}")
wc_cluster=$(median "${wc_clusters[@]}")
rm -rf "$data/wc-local"

echo "== terasort: $tera_records records" >&2
"$bin/teragen" --records="$tera_records" --output="$tera/in" >/dev/null
dfs mkdir /bench/tera-in
for f in "$tera"/in/part-*; do dfs put "$f" "/bench/tera-in/$(basename "$f")"; done
t0=$(now)
submit --binary "$bin/terasort" --input /bench/tera-in --output /bench/tera-out --reducers 4 \
  -- --sort_buffer_mb=128 >"$data/terasort-cluster.log" 2>&1 || fail "cluster terasort failed; see $data/terasort-cluster.log"
t1=$(now)
LC_ALL=C sort --parallel=2 "$tera"/in/part-* >"$tera/gnu_sorted"
t2=$(now)
ts_cluster=$(elapsed "$t0" "$t1")
ts_gnu=$(elapsed "$t1" "$t2")
mkdir -p "$tera/out"
while read -r part; do
  dfs get "/bench/tera-out/$part" "$tera/out/$part"
done < <(dfs ls /bench/tera-out | awk '{print $NF}' | xargs -n1 basename | grep '^part-')
"$bin/teravalidate" --input="$tera/out" --original="$tera/in" >"$data/teravalidate-cluster.log" 2>&1 ||
  fail "teravalidate rejected the cluster's terasort output; see $data/teravalidate-cluster.log"
rm -rf "$tera"

echo "== tiny job: $tiny_runs runs" >&2
head -c 1024 "${files[0]}" >"$data/tiny.txt"
dfs put "$data/tiny.txt" /bench/tiny.txt
tiny=()
for ((i = 0; i < tiny_runs; i++)); do
  t0=$(now)
  submit --binary "$bin/wordcount" --input /bench/tiny.txt --output "/bench/tiny-$i" \
    >"$data/tiny.log" 2>&1 || fail "tiny job $i failed; see $data/tiny.log"
  t1=$(now)
  tiny+=("$(elapsed "$t0" "$t1")")
done
tiny_median=$(median "${tiny[@]}")

verdict() { awk -v x="$1" -v limit="$2" 'BEGIN {print (x <= limit) ? "met" : "NOT met"}'; }
{
  echo "| job | cluster (s) | baseline | baseline (s) | ratio | target |"
  echo "|---|---|---|---|---|---|"
  echo "| wordcount, $corpus_mb MiB, median of $wc_rounds | $wc_cluster | same binary, one machine | $wc_local |" \
       "$(awk -v a="$wc_cluster" -v b="$wc_local" 'BEGIN {printf "%.2fx", a / b}') |" \
       "<= 1.5x: $(verdict "$(awk -v a="$wc_cluster" -v b="$wc_local" 'BEGIN {print a / b}')" 1.5) |"
  echo "| terasort, $tera_records records | $ts_cluster | LC_ALL=C sort --parallel=2 | $ts_gnu |" \
       "$(awk -v a="$ts_cluster" -v b="$ts_gnu" 'BEGIN {printf "%.2fx", a / b}') |" \
       "< 1x: $(awk -v a="$ts_cluster" -v b="$ts_gnu" 'BEGIN {print (a < b) ? "met" : "NOT met"}') |"
  echo "| tiny job (1 KB), median of $tiny_runs | $tiny_median | - | - | - |" \
       "< 1 s: $(awk -v a="$tiny_median" 'BEGIN {print (a < 1) ? "met" : "NOT met"}') |"
  echo
  echo "wordcount rounds, local / cluster (s): $(for i in "${!wc_locals[@]}"; do printf '%s/%s ' "${wc_locals[$i]}" "${wc_clusters[$i]}"; done)"
  echo "tiny job runs (s): ${tiny[*]}"
} | tee "$root/bench/out/cluster_latest.md"

exit_if_failed
