#!/usr/bin/env bash
# Configures (once) and builds the project with Ninja.
# Usage: scripts/build.sh [Release|Debug] [ninja targets...]
#   Release builds into build/, Debug into build-debug/ (MR_BUILD_DIR
#   overrides either). Prints only compiler warnings and errors; near-instant
#   when up to date.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_type="${1:-Release}"
(($# > 0)) && shift
case "$build_type" in
  Release) build_dir="${MR_BUILD_DIR:-$root/build}" ;;
  Debug) build_dir="${MR_BUILD_DIR:-$root/build-debug}" ;;
  *) echo "usage: $0 [Release|Debug] [targets...]" >&2; exit 2 ;;
esac

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
fi
for target in "$@"; do
  if ! ninja -C "$build_dir" -t query "$target" >/dev/null 2>&1; then
    echo "build: no target '$target' in this tree (not written yet?)" >&2
    exit 1
  fi
done
# Two cores on the reference machine; override with MR_BUILD_JOBS. Drops
# ninja's "no work" line and CMake's "-- ..." status lines when it reconfigures.
ninja -C "$build_dir" -j"${MR_BUILD_JOBS:-2}" --quiet "$@" |
  { grep -v -e '^ninja: no work to do' -e '^-- ' || true; }
