#!/usr/bin/env bash
# Benchmarks the wordcount and terasort jobs against honest baselines on this
# machine and prints a markdown table (also written to bench/out/latest.md).
#   wordcount vs naive_wordcount (one thread, unordered_map) vs tr|sort|uniq
#   wordcount without map-side aggregation (the sort-based path), to measure it
#   terasort  vs LC_ALL=C sort --parallel=2
# Checks the answers too: wordcount's output must equal naive's, word totals
# must agree across all three, and teravalidate must accept terasort's output.
# Usage: bench/run_bench.sh [--corpus-mb N] [--tera-records N] [--quick]
#   defaults 300 MiB and 10,000,000 records; --quick: 30 MiB, 1,000,000.
# Data lives in bench/data/ (gitignored); the terasort data is removed at the
# end, the corpus is kept for the next run. Exit 1 if a check fails, a target
# is missed (not with --quick) or a binary is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/bench/data"
source "$root/bench/bench_lib.sh"
corpus_mb=300
tera_records=10000000
quick=0
while (($# > 0)); do
  case "$1" in
    --corpus-mb) corpus_mb="$2"; shift 2 ;;
    --tera-records) tera_records="$2"; shift 2 ;;
    --quick) corpus_mb=30; tera_records=1000000; quick=1; shift ;;
    *) echo "usage: $0 [--corpus-mb N] [--tera-records N] [--quick]" >&2; exit 2 ;;
  esac
done

bash "$root/scripts/install_deps.sh"
build_dir="${MR_BUILD_DIR:-$root/build}"
bin="$build_dir/bin"
bash "$root/scripts/build.sh" Release naive_wordcount  # Configures on the first run.
# The engine's binaries: build those this tree has; have() reports the others.
targets=()
for t in wordcount teragen terasort teravalidate; do
  if ninja -C "$build_dir" -t query "$t" >/dev/null 2>&1; then targets+=("$t"); fi
done
((${#targets[@]} == 0)) || bash "$root/scripts/build.sh" Release "${targets[@]}"

have() {
  [[ -x "$bin/$1" ]] && return 0
  fail "$bin/$1 is missing (not built yet?)"
  return 1
}

sum_col() { awk -v c="$1" '{s += $c} END {printf "%.0f\n", s}'; }

mkdir -p "$data" "$root/bench/out"
use_corpus "$corpus_mb"
corpus_bytes=$(cat "$corpus/_complete")
cat "${files[@]}" >/dev/null  # Warm the page cache.

echo "== wordcount" >&2
rm -rf "$data/wc-out" "$data/wc-noagg-out" "$data/naive.txt" "$data/shell.txt"
if have wordcount; then
  measure wordcount "$bin/wordcount" --input="$corpus" --output="$data/wc-out" --reducers=2 || true
  measure wordcount_noagg "$bin/wordcount" --input="$corpus" --output="$data/wc-noagg-out" \
    --reducers=2 --nomap_side_aggregation || true
  if [[ -n "${secs[wordcount_noagg]:-}" ]] &&
     ! cmp -s <(cat "$data/wc-out"/part-r-*) <(cat "$data/wc-noagg-out"/part-r-*); then
    fail "wordcount output differs with and without map-side aggregation"
  fi
  rm -rf "$data/wc-noagg-out"
fi
measure naive "$bin/naive_wordcount" --input="$corpus" --output="$data/naive.txt" || true
export LC_ALL=C
measure shell bash -c 'cat "$@" | stage shell-1 tr -s " \t\r\f\v" "\n" |
  stage shell-2 sort | stage shell-3 uniq -c >"$0"' \
  "$data/shell.txt" "${files[@]}" || true

# Word totals. tr -s leaves one empty line when the input starts with a
# delimiter; it sorts first and is not a word.
totals=""
if [[ -n "${secs[naive]:-}" && -n "${secs[shell]:-}" ]]; then
  naive_total=$(cut -f2 "$data/naive.txt" | sum_col 1)
  shell_total=$(sum_col 1 <"$data/shell.txt")
  if head -n 1 "$data/shell.txt" | grep -Eqa '^ *[0-9]+ $'; then
    shell_total=$((shell_total - $(head -n 1 "$data/shell.txt" | awk '{print $1}')))
  fi
  totals="naive $naive_total, shell $shell_total"
  ((naive_total == shell_total)) || fail "word totals differ: naive $naive_total, shell $shell_total"
  if [[ -n "${secs[wordcount]:-}" ]]; then
    wc_total=$(cat "$data/wc-out"/part-r-* | cut -f2 | sum_col 1)
    totals="wordcount $wc_total, $totals"
    ((wc_total == naive_total)) || fail "word totals differ: wordcount $wc_total, naive $naive_total"
    if cmp -s <(cat "$data/wc-out"/part-r-* | sort) <(sort "$data/naive.txt"); then
      totals="$totals; wordcount output identical to naive"
    else
      fail "wordcount output differs from naive_wordcount's"
    fi
  fi
fi

echo "== terasort ($tera_records records)" >&2
tera="$data/tera"
rm -rf "$tera"
mkdir -p "$tera"
if have teragen && have terasort && have teravalidate; then
  if measure teragen "$bin/teragen" --records="$tera_records" --output="$tera/in"; then
    measure terasort "$bin/terasort" --input="$tera/in" --output="$tera/out" --reducers=2 || true
    if [[ -n "${secs[terasort]:-}" ]]; then
      "$bin/teravalidate" --input="$tera/out" --original="$tera/in" >"$data/teravalidate.log" 2>&1 ||
        fail "teravalidate rejected terasort's output; see $data/teravalidate.log"
    fi
    measure gnu_sort bash -c 'LC_ALL=C sort --parallel=2 "$1"/part-* >"$0"' \
      "$tera/gnu_sorted" "$tera/in" || true
  fi
fi
rm -rf "$tera"

# ratio = tool seconds / ours: how many times faster we are.
row() {  # row TOOL NAME OURS
  local s="${secs[$2]:-}" o="${secs[$3]:-}"
  if [[ -z "$s" ]]; then
    echo "| $1 | n/a | n/a | n/a |"
  elif [[ -z "$o" ]]; then
    echo "| $1 | $s | ${rss[$2]} | n/a |"
  else
    echo "| $1 | $s | ${rss[$2]} | $(awk -v a="$s" -v b="$o" 'BEGIN {printf "%.2fx", a / b}') |"
  fi
}
# target DESCRIPTION AWK-CONDITION NAMES...: PASS/FAIL, or n/a if unmeasured.
target() {
  local desc="$1" cond="$2" name vars=()
  shift 2
  for name in "$@"; do
    [[ -n "${secs[$name]:-}" ]] || { echo "- $desc: n/a"; return; }
    vars+=(-v "${name}_s=${secs[$name]}" -v "${name}_m=${rss[$name]}")
  done
  if awk "${vars[@]}" "BEGIN {exit !($cond)}"; then
    echo "- $desc: PASS"
  else
    echo "- $desc: FAIL"
    ((quick)) || failures+=("target missed: $desc")
  fi
}

report() {
  echo "## Benchmark $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo) GiB RAM;" \
    "corpus $((corpus_bytes >> 20)) MiB in ${#files[@]} files; terasort $tera_records records" \
    "($((tera_records / 10000)) MB). Page cache warm."
  echo
  echo "| tool | seconds | peak RSS MiB | ratio vs ours |"
  echo "|---|---|---|---|"
  row "wordcount --reducers=2 (ours)" wordcount wordcount
  row "wordcount --nomap_side_aggregation (ours, sort-based)" wordcount_noagg wordcount
  row "naive_wordcount (1 thread)" naive wordcount
  row "tr \| sort \| uniq -c" shell wordcount
  row "terasort --reducers=2 (ours)" terasort terasort
  row "LC_ALL=C sort --parallel=2" gnu_sort terasort
  echo
  [[ -n "$totals" ]] && echo "Word totals: $totals." && echo
  echo "Targets:$( ((quick)) && echo ' (--quick: too small to judge; informational only)')"
  target "wordcount >= 2x faster than naive" "naive_s >= 2 * wordcount_s" naive wordcount
  target "wordcount >= 8x faster than the shell pipeline" "shell_s >= 8 * wordcount_s" shell wordcount
  target "terasort <= 0.5x GNU sort's time" "terasort_s <= 0.5 * gnu_sort_s" terasort gnu_sort
  target "wordcount peak RSS <= 164 MiB (64 MiB sort buffer + 100)" "wordcount_m <= 164" wordcount
  target "terasort peak RSS <= 164 MiB (64 MiB sort buffer + 100)" "terasort_m <= 164" terasort
}
# Not in a subshell: target() appends to failures.
report >"$root/bench/out/latest.md"
cat "$root/bench/out/latest.md"

exit_if_failed
