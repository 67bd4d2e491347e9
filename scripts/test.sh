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

# Optimised (-O1: the tests check behaviour, and bench/ times the Release build) and without
# debug information, which cost compile and link time: a failing test says what it saw
# without a debugger.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 >/dev/null
cmake --build build -j"$jobs"

# The unit tests under ASan + UBSan and the parser's fuzzer, then the whole suite, its summary
# last. (Run beside the suite, the sanitizer build only slowed the suite's tests down.)
if [ -x scripts/sanitize.sh ]; then scripts/sanitize.sh; fi
if [ -x scripts/fuzz.sh ]; then FUZZ_SECONDS=${FUZZ_SECONDS:-30} scripts/fuzz.sh; fi

cd build
ctest --output-on-failure -j"$jobs"
