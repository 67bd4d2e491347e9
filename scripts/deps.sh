#!/usr/bin/env bash
# Installs the Debian 12 packages netlab needs to build and test, and only those missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libyaml-cpp-dev libnl-3-dev libnl-route-3-dev libip4tc-dev libxtables-dev
  libpcap-dev libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  iproute2 iptables iputils-ping util-linux
  clang libclang-rt-14-dev
  graphviz                  # dot, which the DOT rendering test runs
  dpkg-dev file man-db zsh  # the Debian packages, built and read back (tests/install/check.sh)
  python3                   # the web server the services tests run in a lab
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "netlab: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
