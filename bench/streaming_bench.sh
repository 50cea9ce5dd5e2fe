#!/usr/bin/env bash
# Streaming jobs (mrstream) against the same jobs in C++, on this machine
# (issue 12, item 4): prints a markdown table, also written to
# bench/out/streaming.md.
#   identity: mrstream --mapper=cat --reducer=cat against identity_job (C++);
#             target: streaming at most 2x the C++ job's time
#   word count: mrstream with awk mapper, combiner and reducer against wordcount
# Each job runs --rounds times (default 3), interleaved; the table shows the
# medians. Checks that each pair's outputs are the same lines.
# Usage: bench/streaming_bench.sh [--corpus-mb N] [--rounds N] [--quick]
#   defaults 300 MiB, 3 rounds; --quick: 30 MiB, 1 round (no target judged).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/bench/data"
source "$root/bench/bench_lib.sh"
corpus_mb=300
rounds=3
quick=0
while (($# > 0)); do
  case "$1" in
    --corpus-mb) corpus_mb="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --quick) corpus_mb=30; rounds=1; quick=1; shift ;;
    *) echo "usage: $0 [--corpus-mb N] [--rounds N] [--quick]" >&2; exit 2 ;;
  esac
done

bash "$root/scripts/install_deps.sh"
bin="${MR_BUILD_DIR:-$root/build}/bin"
bash "$root/scripts/build.sh" Release mrstream identity_job wordcount
mkdir -p "$data" "$root/bench/out"
use_corpus "$corpus_mb"
cat "${files[@]}" >/dev/null  # Warm the page cache.
work="$data/streaming"
rm -rf "$work"
mkdir -p "$work/scripts"
# Words as wordcount splits them (space, \t, \v, \f, \r).
cat >"$work/scripts/map.awk" <<'EOF'
BEGIN { FS = "[ \t\v\f\r]+" }
{ for (i = 1; i <= NF; i++) if ($i != "") print $i "\t1" }
EOF
# Keys compared as strings ("+0" and "+0." are equal numbers).
cat >"$work/scripts/sum.awk" <<'EOF'
BEGIN { FS = "\t" }
($1 "") != key { if (n) print key "\t" sum; key = $1 ""; sum = 0; n = 1 }
{ sum += $2 }
END { if (n) print key "\t" sum }
EOF

# run NAME OUT CMD...: one timed run into $work/OUT (removed first).
declare -A times cpus
run() {
  local name="$1" out="$work/$2"
  shift 2
  rm -rf "$out"
  measure "$name" "$@" --output="$out" --reducers=2 || return 0
  times[$name]+="${secs[$name]} "
  cpus[$name]+="${cpu[$name]} "
}
stream() { (cd "$work/scripts" && "$bin/mrstream" --input="$corpus" "$@"); }
export -f stream
export bin corpus work
for ((r = 1; r <= rounds; r++)); do
  echo "== round $r of $rounds" >&2
  run identity_cpp id-cpp "$bin/identity_job" --input="$corpus"
  run identity_stream id-stream bash -c 'stream --mapper=cat --reducer=cat "$@"' _
  run wordcount_cpp wc-cpp "$bin/wordcount" --input="$corpus"
  run wordcount_awk wc-awk bash -c 'stream --mapper="awk -f map.awk" --combiner="awk -f sum.awk" \
    --reducer="awk -f sum.awk" --files=map.awk,sum.awk "$@"' _
done

# Same lines, whatever their order within a part.
same_lines() { cmp -s <(cat "$work/$1"/part-r-* | LC_ALL=C sort) <(cat "$work/$2"/part-r-* | LC_ALL=C sort); }
same_lines id-cpp id-stream || fail "the streaming identity job's output differs from identity_job's"
same_lines wc-cpp wc-awk || fail "the awk word count's output differs from wordcount's"

med() { median ${times[$1]:-0}; }
med_cpu() { median ${cpus[$1]:-0}; }
ratio() { awk -v a="$($3 "$1")" -v b="$($3 "$2")" 'BEGIN {printf "%.2fx", a / b}'; }
report() {
  echo "## Streaming $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "$(nproc) cores; corpus $(($(cat "$corpus/_complete") >> 20)) MiB in ${#files[@]} files;" \
    "--reducers=2; medians of $rounds interleaved rounds. Page cache warm."
  echo
  echo "| job | C++ s | streaming s | streaming / C++ | C++ CPU s | streaming CPU s | CPU streaming / C++ |"
  echo "|---|---|---|---|---|---|---|"
  echo "| identity (cat / cat) | $(med identity_cpp) | $(med identity_stream) |" \
    "$(ratio identity_stream identity_cpp med) | $(med_cpu identity_cpp) | $(med_cpu identity_stream) |" \
    "$(ratio identity_stream identity_cpp med_cpu) |"
  echo "| word count (awk, with combiner) | $(med wordcount_cpp) | $(med wordcount_awk) |" \
    "$(ratio wordcount_awk wordcount_cpp med) | $(med_cpu wordcount_cpp) | $(med_cpu wordcount_awk) |" \
    "$(ratio wordcount_awk wordcount_cpp med_cpu) |"
  echo
  echo "All runs (s): identity C++ ${times[identity_cpp]:-}; identity streaming ${times[identity_stream]:-};" \
    "wordcount ${times[wordcount_cpp]:-}; awk ${times[wordcount_awk]:-}"
  echo
  if awk -v a="$(med identity_stream)" -v b="$(med identity_cpp)" 'BEGIN {exit !(a <= 2 * b)}'; then
    echo "Target: identity streaming <= 2x C++: met"
  else
    echo "Target: identity streaming <= 2x C++: NOT met"
    ((quick)) || failures+=("target missed: identity streaming <= 2x C++")
  fi
}
report >"$root/bench/out/streaming.md"
cat "$root/bench/out/streaming.md"
rm -rf "$work"/id-* "$work"/wc-*
exit_if_failed
