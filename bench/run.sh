#!/bin/bash
# run.sh [--rounds R] [--sizes 100,250,500,1000] [--methods netlab,batch,seed,floor]
#        [--seed-max N] [--bridges B] [--edit] [--out FILE]
# Builds netlab (Release, in build-bench/), bench/floor.c and bench/timeit.c, generates the
# star labs, and measures each (method, N, round) in a fresh sandbox (sandbox.sh under
# `unshare --net --mount`). Prints the table of medians (see README.md). Needs root; touches
# only throwaway network namespaces.
# --bridges B spreads each lab's namespaces over B bridges (default 1; a bridge takes at most
# 1023 ports). --edit adds netlab's edit-up phase: up of the lab with one address changed.
#
# The seeds' way (one ip per step) takes minutes at N >= 500: it is measured up to --seed-max
# (default 250, once per size beyond 100) and extrapolated linearly above, marked "~".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=3 sizes=100,250,500,1000 methods=netlab,batch,seed,floor seed_max=250 out='' nb=1 edit=''
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    --seed-max) seed_max=$2; shift 2 ;;
    --bridges) nb=$2; shift 2 ;;
    --edit) edit=edit; shift ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (for unshare; it runs in sandboxes)" >&2; exit 1; }
for tool in unshare ip gcc cmake pkg-config python3; do
  command -v $tool >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 1; }
done

bin=$root/build-bench
echo "building netlab (Release) in $bin ..." >&2
cmake -S "$root" -B "$bin" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$bin" -j"$(nproc)" --target netlab >/dev/null
gcc -O2 -Wall -Wextra -o "$bin/bench-timeit" "$here/timeit.c"
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -o "$bin/bench-floor" "$here/floor.c" $(pkg-config --cflags --libs libnl-3.0 libnl-route-3.0)
export BENCH_BIN=$bin

work=$(mktemp -d /tmp/netlab-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
results=${out:-$work/results.txt}
: >"$results"

# The kernel frees a sandbox's namespaces after it exits, in the background, and the last
# lab's IPv6 start-up traffic runs on for seconds: wait for both to finish so they do not bill
# the next measurement. Done when the net_namespace slab is back to where it was, or when it
# has stopped shrinking and the CPUs are idle (SLUB's counts keep some freed objects).
# shellcheck source=idle.sh
. "$here/idle.sh"
netns_objs() { awk '$1 == "net_namespace" { print $2 }' /proc/slabinfo 2>/dev/null || echo 0; }
baseline=$(netns_objs)
settle() {  # settle N: at most a minute, more for labs of thousands of namespaces
  local i objs last=-1 max=$(($1 / 8 > 120 ? $1 / 8 : 120))
  for ((i = 0; i < max; i++)); do
    objs=$(netns_objs)
    [ "$objs" -le $((baseline + 2)) ] && return
    if cpu_idle && [ "$objs" = "$last" ]; then return; fi
    last=$objs
  done
  echo "run.sh: namespaces of earlier sandboxes still being freed; going on" >&2
}

IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a method_list <<<"$methods"
for n in "${size_list[@]}"; do
  echo "generating star-$n on $nb bridge(s) ..." >&2
  "$here/gen.sh" "$n" "$work/$n" "$nb"
  for ((r = 1; r <= rounds; r++)); do
    for m in "${method_list[@]}"; do
      if [ "$m" = seed ] && { [ "$n" -gt "$seed_max" ] || { [ "$r" -gt 1 ] && [ "$n" -gt 100 ]; }; }; then
        continue
      fi
      settle "$n"
      echo "  N=$n round $r: $m" >&2
      unshare --net --mount "$here/sandbox.sh" "$m" "$n" "$work/$n" "$nb" ${edit:+"$edit"} | tee -a "$results" >&2
    done
  done
done

python3 "$here/table.py" "$results"
