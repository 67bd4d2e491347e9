#!/usr/bin/env bash
# Second command, as root: install what is missing, build, and run the whole test suite.
# Integration tests run each in its own network + mount namespace: the machine's own
# network is never touched. Also builds the unit tests with ASan + UBSan and runs the parser
# fuzzer for a bounded time (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "netlab: the tests need root (they build labs in sandboxes)" >&2; exit 1; }
scripts/deps.sh
jobs=$(nproc)

# Optimised as the product is, without debug information, which costs compile and link time:
# a failing test says what it saw without a debugger.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 >/dev/null
cmake --build build -j"$jobs"

if [ -x scripts/sanitize.sh ]; then scripts/sanitize.sh; fi
if [ -x scripts/fuzz.sh ]; then scripts/fuzz.sh; fi

cd build
ctest --output-on-failure -j"$jobs"
