#!/usr/bin/env bash
# Installs dependencies, builds (Release, build/ or $MR_BUILD_DIR) and runs
# every test with CTest. The exit code is CTest's. Per-test timeouts are set
# in CMake.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install_deps.sh"
bash "$root/scripts/build.sh" Release
exec ctest --test-dir "${MR_BUILD_DIR:-$root/build}" --output-on-failure -j2
