#!/usr/bin/env bash
# Builds DIR: real English text of at least MIN_MB MiB (and not much more),
# in files of about 16 MiB each, for the wordcount demo and benchmark.
# Reuses DIR when its _complete marker (holding the byte count) shows it is
# big enough and its _format marker says it was made the current way.
# Sources, in order: the English man pages under /usr/share/man/man*,
# rendered to plain text by groff (so the words are words, not troff
# markup), the text files of /usr/share/doc (*.gz decompressed), then, if
# still short, copies of the man-page files (repetition keeps the word
# distribution).
# Every corpus file ends with "\n", so `cat DIR/*` never glues two words.
# Usage: scripts/make_corpus.sh DIR MIN_MB      (prints nothing on success)
set -euo pipefail

if (($# != 2)) || [[ ! "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 DIR MIN_MB" >&2
  exit 2
fi
dir="$1"
min_bytes=$(($2 << 20))

# Bump when the corpus is made differently, so that old corpora are remade.
format="rendered-man-v1"
if [[ -f "$dir/_complete" && "$(cat "$dir/_format" 2>/dev/null)" == "$format" ]] &&
  (($(cat "$dir/_complete") >= min_bytes)); then
  exit 0
fi

tmp="$dir.partial"
rm -rf "$dir" "$tmp"
mkdir -p "$tmp/_lists"

# Concatenates the files named in NUL-separated list $2 into $3. Mode $1:
# "man" decompresses every file (zcat -f passes plain files through) and
# renders them with groff (tables too; no bold, underline or overstrike
# sequences: plain UTF-8 text); "doc" skips tarballs and PostScript, and
# keeps other files (*.gz decompressed) only if grep sees text in them.
concat_list() {
  local f
  case "$1" in
    man)
      xargs -0 zcat -f -- <"$2" 2>/dev/null |
        groff -t -man -Tutf8 -P-cbou >"$3" 2>/dev/null || true
      ;;
    doc)
      while IFS= read -r -d '' f; do
        case "$f" in
          *.tar.gz | *.ps.gz | *.pdf.gz) ;;
          *.gz) if zcat -f -- "$f" 2>/dev/null | grep -Iq .; then zcat -f -- "$f"; fi ;;
          *) if grep -Iq . -- "$f"; then cat -- "$f"; fi ;;
        esac
      done <"$2" >"$3"
      ;;
  esac
  echo >>"$3"
}
export -f concat_list

# Reads NUL-separated paths on stdin and writes their text as $tmp/$1-NNNN.txt
# files of about 16 MiB, each ending at a line end. Mode $1 as above.
# Two decompression workers (the reference machine has two cores).
build_chunks() {
  split -t '\0' -d -a 4 -l 1000 - "$tmp/_lists/$1-"
  find "$tmp/_lists" -name "$1-*" -printf '%f\n' | sort |
    xargs -P2 -I{} bash -c 'concat_list "$2" "$1/_lists/$3" "$1/_lists/$3.out"' _ "$tmp" "$1" {}
  cat "$tmp/_lists/$1"-*.out | split -C 16M -d -a 4 --additional-suffix=.txt - "$tmp/$1-"
  rm -f "$tmp/_lists/$1"-*
}

total_bytes() { find "$tmp" -maxdepth 1 -name '*.txt' -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}'; }

{ find /usr/share/man/man* -type f -print0 2>/dev/null || true; } | sort -z | build_chunks man
if (($(total_bytes) < min_bytes)) && [[ -d /usr/share/doc ]]; then
  find /usr/share/doc -type f -print0 | sort -z | build_chunks doc
fi
for ((copy = 1; $(total_bytes) < min_bytes; copy++)); do
  if ! compgen -G "$tmp/man-*.txt" >/dev/null; then
    echo "make_corpus: no man pages found under /usr/share/man" >&2
    exit 1
  fi
  for f in "$tmp"/man-*.txt; do
    (($(total_bytes) >= min_bytes)) && break
    cp "$f" "$tmp/copy$copy-$(basename "$f")"
  done
done

# Keep just enough files (man pages first), so that a small MIN_MB gives a
# small corpus.
kept=0
for f in "$tmp"/man-*.txt "$tmp"/doc-*.txt "$tmp"/copy*.txt; do
  [[ -f "$f" ]] || continue
  if ((kept >= min_bytes)); then rm -f "$f"; else kept=$((kept + $(stat -c %s "$f"))); fi
done
rm -rf "$tmp/_lists"
total_bytes >"$tmp/_complete"
echo "$format" >"$tmp/_format"
mv "$tmp" "$dir"
