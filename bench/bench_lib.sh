# Helpers the benchmark scripts share. Sourced after the script sets `root`
# (the repository) and `data` (bench/data).

# fail MESSAGE: a failed check, reported by exit_if_failed.
failures=()
fail() { echo "FAIL: $*" >&2; failures+=("$*"); }
# Prints every failed check and exits 1 if there was one.
exit_if_failed() {
  if ((${#failures[@]} > 0)); then
    echo >&2
    printf 'FAIL: %s\n' "${failures[@]}" >&2
    exit 1
  fi
}

# now: seconds since the epoch, to the nanosecond; elapsed A B: B - A, to
# the hundredth.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

# median X...: the middle value; of an even count, the lower middle one.
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# use_corpus MB: makes (once) the corpus of at least MB MiB of text in
# $data/corpus-MB; sets `corpus` to its directory and `files` to its files.
use_corpus() {
  corpus="$data/corpus-$1"
  echo "== corpus: $corpus (>= $1 MiB)" >&2
  bash "$root/scripts/make_corpus.sh" "$corpus" "$1"
  mapfile -t files < <(find "$corpus" -maxdepth 1 -type f ! -name '_*' | sort)
}
