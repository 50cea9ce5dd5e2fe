#!/usr/bin/env bash
# What security costs a small job (issue 16): the wall time of `mrjob submit`
# of a word count of 8 MiB (2 maps, 2 reduces) on the default cluster
# (`mrcluster up --racks 2 --nodes_per_rack 2`), without and with
# `--security` (TLS and a credential on every RPC, container and
# application tokens, the job credential, signed shuffle fetches, containers
# run as their user), submitted by an ordinary user (nobody, through setpriv:
# needs root; with security `mrcluster user add nobody` first). Each mode runs --reps jobs one after another on its
# own cluster; every output is checked against a local run. Prints a
# markdown table of the median and the range.
# Usage: bench/secure_job_bench.sh [--reps N]   (default 5)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/bench_lib.sh"
reps=5
while (($# > 0)); do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    *) echo "usage: $0 [--reps N]" >&2; exit 2 ;;
  esac
done
build_dir="${MR_BUILD_DIR:-$root/build}"
bin="$build_dir/bin"
bash "$root/scripts/build.sh" Release wordcount cluster_programs
work="$(mktemp -d /tmp/secure-job-bench.XXXXXX)"
chmod 755 "$work"
as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
cluster="$work/cluster"
trap '"$bin/mrcluster" down --dir "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# 8 MiB of words, and the counts a local run gives.
awk 'BEGIN { srand(16); for (i = 0; i < 1300000; i++) printf "w%d%s", int(rand() * 5000), (i % 12 == 11 ? "\n" : " ") }' \
  > "$work/in.txt"
"$bin/wordcount" --input="$work/in.txt" --output="$work/want" --reducers=1 >/dev/null
sort "$work"/want/part-* > "$work/want.sorted"

declare -A times
for mode in off on; do
  flags=()
  [[ "$mode" == on ]] && flags=(--security)
  "$bin/mrcluster" up --dir "$cluster" --racks 2 --nodes_per_rack 2 "${flags[@]}" >/dev/null
  [[ "$mode" == on ]] && "$bin/mrcluster" user add nobody --dir "$cluster" >/dev/null
  "$bin/mrdfs" --cluster "$cluster" put "$work/in.txt" /in/text >/dev/null
  runs=()
  for ((r = 0; r < reps; r++)); do
    start=$(now)
    "${as_user[@]}" "$bin/mrjob" --cluster "$cluster" submit --binary "$bin/wordcount" --input /in \
      --output "/out/$r" --reducers 2 >"$work/submit.log" 2>&1 || {
      cat "$work/submit.log" >&2; fail "security $mode: job $r failed"; exit 1; }
    runs+=("$(elapsed "$start" "$(now)")")
    for p in 0 1; do "$bin/mrdfs" --cluster "$cluster" cat "/out/$r/part-r-0000$p"; done \
      | sort > "$work/got.sorted"
    cmp -s "$work/got.sorted" "$work/want.sorted" || { fail "security $mode: job $r output differs"; exit 1; }
  done
  times[$mode]="${runs[*]}"
  "$bin/mrcluster" down --dir "$cluster" >/dev/null
  rm -rf "$cluster"
done

echo "| security | jobs | median wall time (s) | min - max (s) |"
echo "|---|---|---|---|"
for mode in off on; do
  read -r -a runs <<<"${times[$mode]}"
  sorted=($(printf '%s\n' "${runs[@]}" | sort -n))
  echo "| $mode | ${#runs[@]} | $(median "${runs[@]}") | ${sorted[0]} - ${sorted[-1]} |"
done
