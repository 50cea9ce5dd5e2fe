#!/usr/bin/env bash
# End-to-end demo on a fresh Debian 12 machine (run as root): installs the
# dependencies, builds, makes a ~100 MiB corpus of man pages, starts a local
# cluster of processes (a DFS master, an RM, and 2 racks x 2 nodes, each a
# datanode plus a node manager), puts the corpus into the DFS, runs word
# count on the cluster with `mrjob submit`, shows the ten most frequent words
# and the job's counters, and stops the cluster. Rerunnable: the corpus is
# reused, the cluster made afresh.
# Scratch space: $MR_DEMO_DIR (default /tmp/mr-demo).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${MR_BUILD_DIR:-$root/build}/bin"
scratch="${MR_DEMO_DIR:-/tmp/mr-demo}"
corpus="$scratch/corpus"
cluster="$scratch/cluster"

bash "$root/scripts/install_deps.sh"
echo "== building"
bash "$root/scripts/build.sh" Release cluster_programs wordcount
echo "== making corpus in $corpus (reused when present)"
bash "$root/scripts/make_corpus.sh" "$corpus" 100
echo "   $(ls "$corpus" | grep -vc '^_') files, $(($(cat "$corpus/_complete") >> 20)) MiB"

stop_cluster() { "$bin/mrcluster" down --dir "$cluster" >/dev/null 2>&1 || true; }
stop_cluster
rm -rf "$cluster"
trap stop_cluster EXIT
echo "== $bin/mrcluster up --dir $cluster --racks 2 --nodes_per_rack 2"
"$bin/mrcluster" up --dir "$cluster" --racks 2 --nodes_per_rack 2  # Prints the node table.

echo "== mrdfs put: the corpus into /demo/in"
"$bin/mrdfs" --cluster "$cluster" mkdir /demo/in
for f in "$corpus"/*; do
  [[ "$(basename "$f")" == _* ]] && continue
  "$bin/mrdfs" --cluster "$cluster" put "$f" "/demo/in/$(basename "$f")"
done
"$bin/mrdfs" --cluster "$cluster" du /demo/in

echo "== mrjob submit --binary $bin/wordcount --input /demo/in --output /demo/out --reducers 2"
"$bin/mrjob" --cluster "$cluster" submit --binary "$bin/wordcount" \
  --input /demo/in --output /demo/out --reducers 2

echo "== top 10 words"
# awk, not head: head would close the pipe early and fail it (pipefail).
for part in part-r-00000 part-r-00001; do "$bin/mrdfs" --cluster "$cluster" cat "/demo/out/$part"; done |
  LC_ALL=C sort -t$'\t' -k2,2nr | awk 'NR <= 10'
echo "== the counters above are also in /demo/out/_counters.json in the DFS"
