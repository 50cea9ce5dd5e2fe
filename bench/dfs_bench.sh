#!/usr/bin/env bash
# Benchmarks the DFS (issue 3, item 11) on a local 2-rack x 3-node cluster
# and prints a markdown table (also written to bench/out/dfs_latest.md):
#   cp of an N MiB random file, `mrdfs put` of it (3 replicas) and `mrdfs get`
#   back, side by side in one run, page cache warm; targets put >= 0.25x and
#   get >= 0.5x cp's throughput. Then dfs_meta_bench: create+complete of empty
#   files and chunk-location look-ups from concurrent clients, in ops/s
#   against 10,000/s.
# Checks: the file that comes back equals the one put (cmp). Exit 1 if a
# check fails or a step errors; a missed target is printed, not an error.
# Timings on this VM vary a lot from run to run (disk writeback, and above
# all memory: a page the guest freed and the balloon handed back to the host
# costs a host fault on first touch, so writing 1 GiB into fresh page cache
# takes ~1.3 s, into just-freed pages ~0.3 s). So cp, put and get run in
# rounds, side by side, the table shows each step's median (with min and
# max), and before each step the bench writes and deletes a scratch file as
# big as the page cache the step will fill (cp and get: N MiB, put: 3 x N
# for the replicas), so that every step, cp included, starts with the same
# recycled memory (--no-prime: skip that).
# Usage: bench/dfs_bench.sh [--mb N] [--runs R] [--chunk-size BYTES] [--threads T]
#                           [--seconds S] [--no-build] [--no-prime]
#                           [--datanode-flags F]   (mrcluster's --datanode_flags, e.g.
#                                                   --dfs_datanode_sync_on_close=false)
#                           [--scan]   only the datanode's directory scan (dfs_scan_bench:
#                                      10,000 and 100,000 replicas), a table of its cost
#   defaults: 1024 MiB, 3 rounds, 64 MiB chunks, 4 metadata clients, 5 s per
#   phase. Binaries come from $MR_BUILD_DIR/bin (default build/bin);
#   --no-build uses them as they are (to compare two builds).
# The cluster lives in bench/data/dfs-cluster and is always stopped and
# removed at exit, with the big local files.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/bench/data"
source "$root/bench/bench_lib.sh"
mb=1024
runs=3
chunk_size=$((64 << 20))
threads=4
seconds=5
build=1
prime=1
datanode_flags=""
scan=0
while (($# > 0)); do
  case "$1" in
    --mb) mb="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --chunk-size) chunk_size="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --no-prime) prime=0; shift ;;
    --datanode-flags) datanode_flags="$2"; shift 2 ;;
    --scan) scan=1; shift ;;
    *) echo "usage: $0 [--mb N] [--runs R] [--chunk-size BYTES] [--threads T] [--seconds S]" \
         "[--no-build] [--no-prime] [--datanode-flags F] [--scan]" >&2
       exit 2 ;;
  esac
done
[[ "$mb" =~ ^[0-9]+$ ]] && ((mb >= 1 && mb <= 65536)) || { echo "--mb: 1..65536" >&2; exit 2; }
[[ "$runs" =~ ^[0-9]+$ ]] && ((runs >= 1 && runs <= 20)) || { echo "--runs: 1..20" >&2; exit 2; }

build_dir="${MR_BUILD_DIR:-$root/build}"
bin="$build_dir/bin"
if ((build)); then
  MR_BUILD_DIR="$build_dir" bash "$root/scripts/build.sh" Release \
    mrcluster mrdfs dfs_master dfs_datanode dfs_meta_bench dfs_scan_bench
fi
if ((scan)); then
  # The directory scan's cost (issue 13): a scratch store on $data's disk.
  echo "| replicas | scan (median of 7) | per replica |"
  echo "|---|---|---|"
  for n in 10000 100000; do
    line="$("$bin/dfs_scan_bench" --replicas "$n" --dir "$data/dfs-scan-bench")"
    echo "$line" | sed 's/replicas \([0-9]*\): scan median \([0-9.]*\) ms (\([0-9.]*\) us per replica).*/| \1 | \2 ms | \3 us |/'
  done
  exit 0
fi

cluster="$data/dfs-cluster"
src="$data/dfs-bench-src"
cp_out="$data/dfs-bench-cp"
get_out="$data/dfs-bench-get"
scratch="$data/dfs-bench-scratch"
cleanup() {
  "$bin/mrcluster" down --dir "$cluster" >/dev/null 2>&1 || true
  rm -rf "$cluster" "$src" "$cp_out" "$get_out" "$scratch"
}
trap cleanup EXIT
cleanup
mkdir -p "$data" "$root/bench/out"


echo "== cluster: 2 racks x 3 datanodes, chunk size $chunk_size" >&2
"$bin/mrcluster" up --noscheduler --dir "$cluster" --racks 2 --nodes_per_rack 3 --chunk_size "$chunk_size" \
  ${datanode_flags:+--datanode_flags="$datanode_flags"} \
  >"$data/dfs-cluster-up.log" 2>&1 || { cat "$data/dfs-cluster-up.log" >&2; exit 1; }

echo "== $mb MiB random file" >&2
head -c "$((mb << 20))" /dev/urandom >"$src"
bytes=$(stat -c %s "$src")
cat "$src" >/dev/null  # Warm the page cache.
sync                   # Start every timed step with no dirty pages pending.

# prime MIB: writes and deletes MIB MiB of page cache (see the top), without
# a sync in between, so the scratch bytes never reach the disk.
prime() {
  ((prime)) || return 0
  head -c "$(($1 << 20))" /dev/zero >"$scratch"
  rm -f "$scratch"
}

# measure NAME PRIME_MIB CMD...: appends wall seconds to times[NAME]; output
# in $data/NAME.log. Each step starts with no dirty pages pending (sync).
declare -A times
measure() {
  local name="$1" status=0 wall user sys
  prime "$2"
  shift 2
  sync
  /usr/bin/time -f '%e %U %S' -o "$data/dfs-$name.time" "$@" >"$data/dfs-$name.log" 2>&1 || status=$?
  if ((status != 0)); then
    fail "$name exited with $status; see $data/dfs-$name.log"
    return 1
  fi
  read -r wall user sys < <(tail -n 1 "$data/dfs-$name.time")
  times[$name]+="$wall "
  echo "   $name: $wall s (user $user s, sys $sys s)" >&2
}

fsck=""
for ((round = 1; round <= runs; round++)); do
  echo "== round $round of $runs: cp, put, get" >&2
  measure cp "$mb" cp "$src" "$cp_out" || true
  rm -f "$cp_out"
  if measure put $((3 * mb)) \
    "$bin/mrdfs" --cluster "$cluster" --replication 3 put "$src" /bench/file; then
    [[ -n "$fsck" ]] ||
      fsck=$("$bin/mrdfs" --cluster "$cluster" fsck / 2>&1 | tail -n 3 | tr '\n' ' ' || true)
    if measure get "$mb" "$bin/mrdfs" --cluster "$cluster" get /bench/file "$get_out"; then
      cmp -s "$src" "$get_out" || fail "round $round: the file from mrdfs get differs from the one put"
    fi
  fi
  rm -f "$get_out"
  "$bin/mrdfs" --cluster "$cluster" rm /bench/file >/dev/null 2>&1 || true
done

# secs[NAME]: the median of NAME's times; range[NAME]: "min-max".
declare -A secs range
for name in "${!times[@]}"; do
  read -r secs[$name] range[$name] < <(tr ' ' '\n' <<<"${times[$name]}" | grep . | sort -g |
    awk '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
                            printf "%.2f %s-%s\n", m, v[1], v[NR]}')
done

echo "== metadata: $threads clients, $seconds s per phase" >&2
meta_create="" meta_lookup=""
if "$bin/dfs_meta_bench" --cluster "$cluster" --threads "$threads" --seconds "$seconds" \
  >"$data/dfs-meta.log" 2>&1; then
  meta_create=$(awk '/^create ops\/s/ {print $3}' "$data/dfs-meta.log")
  meta_lookup=$(awk '/^lookup ops\/s/ {print $3}' "$data/dfs-meta.log")
else
  fail "dfs_meta_bench failed; see $data/dfs-meta.log"
fi
cat "$data/dfs-meta.log" >&2

mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN {printf "%.0f", b / 1048576 / s}'; }
row() {  # row TOOL NAME
  local s="${secs[$2]:-}" c="${secs[cp]:-}"
  if [[ -z "$s" || ${#s} -eq 0 ]]; then echo "| $1 | n/a | n/a | n/a |"; return; fi
  local ratio=n/a
  [[ -n "$c" ]] && ratio=$(awk -v a="$c" -v b="$s" 'BEGIN {printf "%.2fx", a / b}')
  echo "| $1 | $s (${range[$2]}) | $(mbps "$s") | $ratio |"
}
target() {  # target DESCRIPTION NAME MIN-RATIO
  local s="${secs[$2]:-}" c="${secs[cp]:-}"
  [[ -n "$s" && -n "$c" ]] || { echo "- $1: n/a"; return; }
  local r
  r=$(awk -v a="$c" -v b="$s" 'BEGIN {printf "%.2f", a / b}')
  if awk -v r="$r" -v m="$3" 'BEGIN {exit !(r >= m)}'; then
    echo "- $1: met ($r x)"
  else
    echo "- $1: **not met** ($r x)"
  fi
}
ops_target() {  # ops_target DESCRIPTION VALUE
  [[ -n "$2" ]] || { echo "- $1: n/a"; return; }
  if (($2 >= 10000)); then echo "- $1: met ($2/s)"; else echo "- $1: **not met** ($2/s)"; fi
}

primed="primed before each step (dfs_bench.sh)"
((prime)) || primed="not primed"
report() {
  echo "## DFS benchmark $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo) GiB RAM;" \
    "a $mb MiB random file; local cluster of 2 racks x 3 datanodes on 127.0.0.1, chunk size" \
    "$((chunk_size >> 20)) MiB. Page cache warm; \`sync\` before each step;" \
    "median of $runs rounds (min-max in brackets); memory $primed."
  echo
  echo "| step | seconds | MiB/s | throughput vs cp |"
  echo "|---|---|---|---|"
  row "cp FILE FILE2" cp
  row "mrdfs put (3 replicas, fsynced)" put
  row "mrdfs get" get
  echo
  echo "After put: fsck: ${fsck:-n/a}"
  echo
  echo "| metadata ($threads concurrent clients, $seconds s each) | ops/s |"
  echo "|---|---|"
  echo "| create + complete of an empty file (one op = both RPCs) | ${meta_create:-n/a} |"
  echo "| GetChunkLocations of a one-chunk file | ${meta_lookup:-n/a} |"
  echo
  echo "Targets:"
  target "put >= 0.25x cp" put 0.25
  target "get >= 0.5x cp" get 0.5
  ops_target "create+complete >= 10,000/s" "$meta_create"
  ops_target "chunk-location look-ups >= 10,000/s" "$meta_lookup"
}
report >"$root/bench/out/dfs_latest.md"
cat "$root/bench/out/dfs_latest.md"

exit_if_failed
