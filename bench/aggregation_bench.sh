#!/usr/bin/env bash
# Map-side aggregation against the sort-based path (issue 12, item 6), on
# this machine: word count (a combiner that shrinks), the inverted index (a
# combiner that merges lists) and list_job (a combiner that only builds
# lists), each with --map_side_aggregation on and off. Target: on is never
# more than 10% slower than off. Prints a markdown table, also written to
# bench/out/aggregation.md; checks that on and off give the same output.
# Each run is repeated --rounds times (default 3), interleaved; medians.
# Usage: bench/aggregation_bench.sh [--corpus-mb N] [--rounds N] [--quick]
#   defaults 100 MiB, 3 rounds; --quick: 20 MiB, 1 round (no target judged).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/bench/data"
source "$root/bench/bench_lib.sh"
corpus_mb=100
rounds=3
quick=0
while (($# > 0)); do
  case "$1" in
    --corpus-mb) corpus_mb="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --quick) corpus_mb=20; rounds=1; quick=1; shift ;;
    *) echo "usage: $0 [--corpus-mb N] [--rounds N] [--quick]" >&2; exit 2 ;;
  esac
done

bash "$root/scripts/install_deps.sh"
bin="${MR_BUILD_DIR:-$root/build}/bin"
jobs=(wordcount invertedindex list_job)
bash "$root/scripts/build.sh" Release "${jobs[@]}"
mkdir -p "$data" "$root/bench/out"
use_corpus "$corpus_mb"
cat "${files[@]}" >/dev/null  # Warm the page cache.
work="$data/aggregation"
rm -rf "$work"
mkdir -p "$work"

declare -A times cpus
for ((r = 1; r <= rounds; r++)); do
  echo "== round $r of $rounds" >&2
  for job in "${jobs[@]}"; do
    for agg in on off; do
      flag=--map_side_aggregation
      [[ $agg == off ]] && flag=--nomap_side_aggregation
      rm -rf "$work/$job-$agg"
      if measure "$job-$agg" "$bin/$job" --input="$corpus" --output="$work/$job-$agg" \
        --reducers=2 "$flag"; then
        times[$job-$agg]+="${secs[$job-$agg]} "
        cpus[$job-$agg]+="${cpu[$job-$agg]} "
      fi
    done
  done
done

# The same output either way. list_job's lists hold the same words in an
# order that depends on when the combiner ran: compare them sorted.
sorted_lists() { cat "$work/$1"/part-r-* | awk -F'\t' '{n = split($2, w, ","); for (i = 1; i <= n; i++) print $1 "\t" w[i]}' | LC_ALL=C sort; }
for job in wordcount invertedindex; do
  cmp -s <(cat "$work/$job-on"/part-r-*) <(cat "$work/$job-off"/part-r-*) ||
    fail "$job: output differs with and without map-side aggregation"
done
cmp -s <(sorted_lists list_job-on) <(sorted_lists list_job-off) ||
  fail "list_job: lists differ with and without map-side aggregation"

med() { median ${times[$1]:-0}; }
med_cpu() { median ${cpus[$1]:-0}; }
report() {
  echo "## Map-side aggregation $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "$(nproc) cores; corpus $(($(cat "$corpus/_complete") >> 20)) MiB in ${#files[@]} files;" \
    "--reducers=2; medians of $rounds interleaved rounds. Page cache warm."
  echo
  echo "| job | aggregation on, s | off (sort-based), s | on / off | target on/off <= 1.10 | CPU s on | CPU s off | CPU on / off |"
  echo "|---|---|---|---|---|---|---|---|"
  local job on off
  for job in "${jobs[@]}"; do
    on=$(med "$job-on")
    off=$(med "$job-off")
    awk -v j="$job" -v a="$on" -v b="$off" -v ca="$(med_cpu "$job-on")" -v cb="$(med_cpu "$job-off")" 'BEGIN {
      r = a / b; printf "| %s | %s | %s | %.2f | %s | %s | %s | %.2f |\n", j, a, b, r,
        r <= 1.10 ? "met" : "NOT met", ca, cb, ca / cb }'
    if ! awk -v a="$on" -v b="$off" 'BEGIN {exit !(a <= 1.10 * b)}'; then
      ((quick)) || failures+=("target missed: $job with aggregation more than 10% slower")
    fi
  done
  echo
  for job in "${jobs[@]}"; do
    echo "$job runs (s): on ${times[$job-on]:-}; off ${times[$job-off]:-};" \
      "CPU s: on ${cpus[$job-on]:-}; off ${cpus[$job-off]:-}"
  done
}
report >"$root/bench/out/aggregation.md"
cat "$root/bench/out/aggregation.md"
rm -rf "$work"
exit_if_failed
