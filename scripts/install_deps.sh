#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build, test and benchmark the
# system, and only those that are missing. Fast (< 1 s) when all are present.
# Usage: scripts/install_deps.sh   (as root; may also be sourced)
set -euo pipefail

mr_install_deps() {
  local pkgs=(build-essential cmake ninja-build pkg-config libboost-dev libthrift-dev
              thrift-compiler liblz4-dev libxxhash-dev libgflags-dev libgoogle-glog-dev
              libgtest-dev libgmock-dev time groff-base python3)
  local missing=() p
  for p in "${pkgs[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
      missing+=("$p")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  if ((EUID != 0)); then
    echo "install_deps: missing packages (run as root to install): ${missing[*]}" >&2
    return 1
  fi
  echo "install_deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  mr_install_deps || exit 1
else
  mr_install_deps
fi
