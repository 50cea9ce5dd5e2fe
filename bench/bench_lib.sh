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

# measure NAME CMD...: runs CMD with stdout/stderr in $data/NAME.log and
# records wall seconds, CPU seconds (user + system, of the process and the
# children it waited for) and peak RSS in MiB in secs[NAME], cpu[NAME] and
# rss[NAME]. The
# kernel does not report a shell's pipeline children to GNU time, so
# pipelines wrap each stage in "stage NAME-K" (GNU time writing
# $data/NAME-K.rss); the largest counts. A failure is fail()ed and returns 1.
declare -A secs rss cpu
measure() {
  local name="$1" status=0 f user sys
  shift
  rm -f "$data/$name"-*.rss
  /usr/bin/time -f '%e %M %U %S' -o "$data/$name.time" "$@" >"$data/$name.log" 2>&1 || status=$?
  if ((status != 0)); then
    fail "$name exited with $status; see $data/$name.log"
    return 1
  fi
  read -r secs[$name] rss[$name] user sys < <(tail -n 1 "$data/$name.time")
  cpu[$name]=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  for f in "$data/$name"-*.rss; do
    [[ -f "$f" ]] && (($(tail -n 1 "$f") > rss[$name])) && rss[$name]=$(tail -n 1 "$f")
  done
  rss[$name]=$((rss[$name] / 1024))
  echo "   $name: ${secs[$name]} s, ${cpu[$name]} CPU s, ${rss[$name]} MiB peak RSS" >&2
}
stage() { /usr/bin/time -f '%M' -o "$data/$1.rss" "${@:2}"; }
export data
export -f stage
