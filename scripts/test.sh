#!/usr/bin/env bash
# Installs dependencies, builds and runs every test with CTest. The exit code
# is CTest's. Per-test timeouts are set in CMake.
# Usage: scripts/test.sh [--sanitize=address,undefined | --sanitize=thread] [ctest args...]
#   Without --sanitize: Release, in build/ (or $MR_BUILD_DIR).
#   --sanitize=address,undefined: the ASan + UBSan build (build-asan/); any
#     report fails its test.
#   --sanitize=thread: the TSan build (build-tsan/).
#   Further arguments go to ctest (e.g. -R Dfs to run a subset).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sanitize=""
if [[ "${1:-}" == --sanitize=* ]]; then
  sanitize="${1#--sanitize=}"
  shift
fi
bash "$root/scripts/install_deps.sh"
case "$sanitize" in
  "")
    bash "$root/scripts/build.sh" Release
    build_dir="${MR_BUILD_DIR:-$root/build}" ;;
  address,undefined|undefined,address|address)
    bash "$root/scripts/build.sh" Asan
    build_dir="$root/build-asan"
    # Daemons killed by tests (SIGKILL) report nothing; a leak at a clean
    # exit is a failure like any other report.
    export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-}"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}" ;;
  thread)
    bash "$root/scripts/build.sh" Tsan
    build_dir="$root/build-tsan"
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:${TSAN_OPTIONS:-}" ;;
  *)
    echo "test.sh: --sanitize takes address,undefined or thread, not '$sanitize'" >&2
    exit 2 ;;
esac
exec ctest --test-dir "$build_dir" --output-on-failure -j2 "$@"
