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

# The sanitizer build, its unit tests and the fuzzer run beside the test suite, at the lowest
# priority: the suite's tests mostly wait on the kernel, and the cores would idle meanwhile.
checks_log=$(mktemp)
FUZZ_SECONDS=${FUZZ_SECONDS:-30} nice -n 19 bash -c 'scripts/sanitize.sh && scripts/fuzz.sh' \
  >"$checks_log" 2>&1 &
checks=$!

cd build
suite=0
ctest --output-on-failure -j"$jobs" | tee ctest.log || suite=$?
cd ..

sanitizers=0
wait "$checks" || sanitizers=$?
echo "== sanitizers and fuzzer"
cat "$checks_log"
rm -f "$checks_log"
[ "$sanitizers" -eq 0 ] || echo "netlab: the sanitizer or fuzzer run failed (exit $sanitizers)"
# The suite's summary again, last, where CI shows it.
grep -E '^[0-9]+% tests passed' build/ctest.log || true
[ "$suite" -eq 0 ] && [ "$sanitizers" -eq 0 ]
