#!/usr/bin/env bash
# End-to-end demo on a fresh Debian 12 machine (run as root): installs the
# dependencies, builds, makes a ~100 MiB corpus of man pages and runs the
# wordcount job on it, then shows the ten most frequent words and the job's
# counters. Rerunnable: the corpus is reused, the output replaced.
# Scratch space: $MR_DEMO_DIR (default /tmp/mr-demo).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${MR_BUILD_DIR:-$root/build}/bin"
scratch="${MR_DEMO_DIR:-/tmp/mr-demo}"
corpus="$scratch/corpus"
out="$scratch/out"

bash "$root/scripts/install_deps.sh"
echo "== building wordcount"
bash "$root/scripts/build.sh" Release wordcount
echo "== making corpus in $corpus (reused when present)"
bash "$root/scripts/make_corpus.sh" "$corpus" 100
echo "   $(ls "$corpus" | grep -vc '^_') files, $(($(cat "$corpus/_complete") >> 20)) MiB"

rm -rf "$out"
echo "== $bin/wordcount --input=$corpus --output=$out --reducers=2"
"$bin/wordcount" --input="$corpus" --output="$out" --reducers=2

echo "== top 10 words"
# awk, not head: head would close the pipe early and fail it (pipefail).
cat "$out"/part-r-* | LC_ALL=C sort -t$'\t' -k2,2nr | awk 'NR <= 10'
echo "== the counters above are also in $out/_counters.json"
