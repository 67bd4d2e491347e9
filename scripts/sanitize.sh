#!/usr/bin/env bash
# The unit tests (parser, graph, planner, executor on an in-memory kernel) built with clang,
# AddressSanitizer + UndefinedBehaviorSanitizer: any report fails the run. The same build
# holds the parser's libFuzzer target (scripts/fuzz.sh runs it), so CI compiles it once.
set -euo pipefail
cd "$(dirname "$0")/.."
# -O1 with line tables: a report still names file and line, and the build takes less of CI.
CC=clang CXX=clang++ cmake -S . -B build-asan -DNETLAB_SANITIZE=ON -DNETLAB_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" >/dev/null
cmake --build build-asan -j"$(nproc)" --target netlab_unit_tests parser_fuzz >/dev/null
echo "== unit tests under ASan + UBSan"
# The randomized suite runs its full size in ctest; here a tenth of it is enough to catch memory
# errors on its paths, at twenty times the cost a case.
NETLAB_RANDOM_CASES=${NETLAB_RANDOM_CASES:-400} \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  build-asan/netlab_unit_tests --gtest_brief=1
