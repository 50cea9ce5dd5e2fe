#!/usr/bin/env bash
# Configures (once) and builds the project with Ninja.
# Usage: scripts/build.sh [Release|Debug|Asan|Tsan|Fuzz] [ninja targets...]
#   Release builds into build/, Debug into build-debug/ (MR_BUILD_DIR
#   overrides either); the checking builds each into their own directory:
#     Asan  build-asan/  ASan + UBSan (MR_SANITIZE=address,undefined)
#     Tsan  build-tsan/  TSan (MR_SANITIZE=thread)
#     Fuzz  build-fuzz/  clang, libFuzzer targets in fuzz/ (MR_FUZZ=ON)
#   Prints progress every 10% of a long build, and compiler warnings and
#   errors; silent and near-instant when up to date.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_type="${1:-Release}"
(($# > 0)) && shift
config=()
case "$build_type" in
  Release) build_dir="${MR_BUILD_DIR:-$root/build}" ;;
  Debug) build_dir="${MR_BUILD_DIR:-$root/build-debug}" ;;
  Asan) build_dir="$root/build-asan"; config=(-DMR_SANITIZE=address,undefined) ;;
  Tsan) build_dir="$root/build-tsan"; config=(-DMR_SANITIZE=thread) ;;
  Fuzz) build_dir="$root/build-fuzz"
        config=(-DMR_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: $0 [Release|Debug|Asan|Tsan|Fuzz] [targets...]" >&2; exit 2 ;;
esac
cmake_type="$build_type"
# Checking builds: optimized (tests run in reasonable time) with symbols for
# the reports.
[[ "$build_type" == Asan || "$build_type" == Tsan ]] && cmake_type=RelWithDebInfo
[[ "$build_type" == Fuzz ]] && cmake_type=Release
# ccache when the machine has it (a cache shared by the build directories).
command -v ccache >/dev/null && config+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$cmake_type" "${config[@]}" >/dev/null
fi
for target in "$@"; do
  if ! ninja -C "$build_dir" -t query "$target" >/dev/null 2>&1; then
    echo "build: no target '$target' in this tree (not written yet?)" >&2
    exit 1
  fi
done
# Two cores on the reference machine; override with MR_BUILD_JOBS. Prints a
# progress line at every 10% of the targets (a long first build is not
# silent) and every compiler warning or error; drops ninja's per-file lines,
# its "no work" line and CMake's "-- ..." status lines when it reconfigures.
ninja -C "$build_dir" -j"${MR_BUILD_JOBS:-2}" "$@" | awk '
  /^\[[0-9]+\/[0-9]+\] / {
    split(substr($1, 2, length($1) - 2), n, "/")
    percent = int(100 * n[1] / n[2])
    if (n[2] >= 20 && percent >= next_percent) {
      printf "build: %3d%% (%d of %d steps)\n", percent, n[1], n[2]
      fflush()
      next_percent = percent - percent % 10 + 10
    }
    next
  }
  /^ninja: no work to do/ || /^ninja: Entering directory/ || /^-- / { next }
  { print; fflush() }'
