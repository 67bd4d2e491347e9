#!/usr/bin/env bash
# First command on a fresh Debian 12 machine, as root: install what is missing, build, and
# bring up the default lab to show it working. The lab stays up; `build/netlab down default`
# removes it without a trace.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "netlab: run as root (it installs packages and builds a lab)" >&2; exit 1; }
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target netlab

lab=topologies/default.yaml
echo
echo "== netlab validate $lab"
build/netlab validate "$lab"
echo "== netlab up $lab"
build/netlab up "$lab"
echo "== netlab up $lab (again: nothing to do)"
build/netlab up "$lab"
if build/netlab --help 2>/dev/null | grep -q '^ *test'; then
  echo "== netlab test $lab"
  build/netlab test "$lab"
fi
echo
echo "The default lab is up. Try: ip netns list; build/netlab plan $lab"
echo "Remove it with:            build/netlab down default"
