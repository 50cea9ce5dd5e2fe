#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan; build-fuzz/) and runs
# each for SECONDS (default 60) from its seed corpus in fuzz/corpus/. New
# inputs go to a scratch corpus, not the repo. Exit 1 if any target crashes,
# leaks, runs out of memory (2 GiB) or hangs on one input (10 s); the input
# that did it is kept in build-fuzz/findings/ and named in the output.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: fuzz/*_fuzzer.cc)
#   MR_FUZZ_SEED=N: libFuzzer's seed (default 0: a new one each run); with a
#   fixed seed a run explores the same inputs in the same order, so a short
#   run repeats the start of a longer one (CI runs with a fixed seed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
(($# > 0)) && shift
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "fuzz.sh: SECONDS must be a number, not '$seconds'" >&2
  exit 2
fi
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in "$root"/fuzz/*_fuzzer.cc; do
    name="$(basename "$f" .cc)"
    targets+=("${name%_fuzzer}")
  done
fi

bash "$root/scripts/install_deps.sh" --fuzz
bash "$root/scripts/build.sh" Fuzz fuzzers
out="$root/build-fuzz"
findings="$out/findings"
mkdir -p "$findings"
failed=()
for t in "${targets[@]}"; do
  binary="$out/fuzz/${t}_fuzzer"
  if [[ ! -x "$binary" ]]; then
    echo "fuzz.sh: no target '$t'" >&2
    exit 2
  fi
  work="$(mktemp -d "/tmp/mr_fuzz_${t}.XXXXXX")"
  cp "$root/fuzz/corpus/$t"/* "$work/"
  start=$SECONDS
  if "$binary" -seed="${MR_FUZZ_SEED:-0}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$findings/${t}-" -print_final_stats=1 "$work" > "$out/${t}.log" 2>&1; then
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/${t}.log" | grep -o '[0-9]*$')"
    printf 'fuzz: %-20s ok   %8s runs in %3d s\n' "$t" "${runs:-?}" $((SECONDS - start))
  else
    failed+=("$t")
    printf 'fuzz: %-20s FAIL (log: %s)\n' "$t" "$out/${t}.log"
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$out/${t}.log" | head -5 | sed 's/^/  /'
  fi
  rm -rf "$work"
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds} s each without a finding"
