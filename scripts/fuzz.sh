#!/usr/bin/env bash
# Fuzzes the topology parser and validator with libFuzzer (+ ASan/UBSan) for a bounded time,
# seeded with every topology and every broken file of the test corpus. Uses the build of
# scripts/sanitize.sh (made here if missing).
#   FUZZ_SECONDS=600 scripts/fuzz.sh    # a longer run by hand
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
if [ ! -x build-asan/tests/fuzz/parser_fuzz ]; then
  CC=clang CXX=clang++ cmake -S . -B build-asan -DNETLAB_SANITIZE=ON -DNETLAB_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" >/dev/null
  cmake --build build-asan -j"$(nproc)" --target parser_fuzz >/dev/null
fi
corpus=build-asan/corpus
mkdir -p "$corpus"
cp topologies/*.yaml tests/corpus/bad/*.yaml "$corpus"/
echo "== fuzzing the parser for ${seconds} s"
build-asan/tests/fuzz/parser_fuzz -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>build-asan/fuzz.log ||
  { tail -50 build-asan/fuzz.log; exit 1; }
grep -E '^Done|^stat::number_of_executed_units' build-asan/fuzz.log
