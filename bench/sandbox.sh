#!/bin/bash
# sandbox.sh METHOD N DIR [B [edit]]: one measurement, run by run.sh as
#   unshare --net --mount bench/sandbox.sh METHOD N DIR B
# so that it has a network of its own and a private /run: never the machine's real network.
# Builds the star lab of N namespaces on B bridges (default 1; made by gen.sh in DIR) with
# METHOD (netlab | batch | seed | floor), times up, then down, and checks the lab was all
# there after up and nothing is left after down. For netlab also a no-op plan on the live lab, twice: straight after up
# (phase plan-now), while the kernel still does the lab's IPv6 start-up (DAD, MLD and router
# solicitations, which the bridge floods to every port: seconds of CPU at N=500), and once
# that is over (phase plan). With `edit`, netlab then runs up on the lab's file with one
# namespace's address changed (phase edit-up), checked by a plan of that file (exit 0: nothing
# left to do) and by the address in the kernel. Every method's down runs once it is over, too.
# Prints one line per phase: METHOD N PHASE SECONDS PEAK_RSS_KIB CHECK B
set -euo pipefail
method=$1 n=$2 dir=$3 nb=${4:-1} edit=${5:-}
bin=${BENCH_BIN:?set by run.sh}
out=$(mktemp)

# Private mounts first: nothing mounted below may propagate to the machine.
mount --make-rprivate /
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir /run/netns
# The names a lab writes in /etc/netns stay in the sandbox (on a machine without the directory,
# /etc gets a layer in the sandbox's /run).
if [ -d /etc/netns ]; then
  mount -t tmpfs -o mode=0755 tmpfs /etc/netns
else
  mkdir -p /run/.etc/upper /run/.etc/work
  mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/.etc/upper,workdir=/run/.etc/work /etc
  mkdir /etc/netns
fi
mount -t sysfs sysfs /sys
ip link set lo up

count() {  # host links other than lo, and namespaces
  links=$(ip -o link show | grep -vc ': lo:' || true)
  nss=$(find /run/netns -mindepth 1 | wc -l)
}
built() {
  count
  [ "$links" = $((n + nb)) ] && [ "$nss" = "$n" ] && echo ok || echo "missing:${links}links,${nss}ns"
}
clean() {
  count
  [ "$links" = 0 ] && [ "$nss" = 0 ] && echo clean || echo "left:${links}links,${nss}ns"
}
# shellcheck source=idle.sh
. "$(dirname "$0")/idle.sh"
settle() {  # until the CPUs are idle for half a second, at most 20 s
  local i
  for ((i = 0; i < 40; i++)); do cpu_idle && return; done
  return 0
}
# time PHASE WANT_STATUS CMD...: runs CMD quietly, prints the phase line.
time_phase() {
  local phase=$1 want=$2 secs rss rc check
  shift 2
  "$bin/bench-timeit" -o "$out" "$@" >/dev/null 2>"$out.err" || true
  read -r secs rss rc <"$out"
  if [ "$rc" != "$want" ]; then
    echo "sandbox: $method $phase exited $rc:" >&2
    head -5 "$out.err" >&2
    check="exit$rc"
  fi
  case $phase in
    up) check=${check:-$(built)} ;;
    down) check=${check:-$(clean)} ;;
    edit-up) check=${check:-$(edited)} ;;
    *) check=${check:-ok} ;;
  esac
  echo "$method $n $phase $secs $rss $check $nb"
}
# edited: the edited file has nothing left to do, and its namespace has the new address only.
edited() {
  local ns link want got rc=0
  read -r ns link want <"$dir/edit"
  "$bin/netlab" plan "$dir/star-$n-edit.yaml" >/dev/null 2>&1 || rc=$?
  got=$(ip -n "$ns" -o -4 address show dev "$link" | awk '{ print $4 }')
  if [ "$rc" != 0 ]; then echo "plan-exit$rc"
  elif [ "$got" != "$want/16" ]; then echo "address:${got//$'\n'/,}"
  else echo ok; fi
}

case $method in
  netlab)
    time_phase up 0 "$bin/netlab" up "$dir/star-$n.yaml"
    time_phase plan-now 0 "$bin/netlab" plan "$dir/star-$n.yaml"  # 0: no changes
    settle
    time_phase plan 0 "$bin/netlab" plan "$dir/star-$n.yaml"
    if [ "$edit" = edit ]; then
      time_phase edit-up 0 "$bin/netlab" up "$dir/star-$n-edit.yaml"
      settle
    fi
    time_phase down 0 "$bin/netlab" down "star-$n"
    ;;
  batch)
    time_phase up 0 sh "$dir/batch-up.sh"
    settle
    time_phase down 0 sh "$dir/batch-down.sh"
    ;;
  seed)
    time_phase up 0 sh "$dir/seed-up.sh"
    sh "$dir/batch-down.sh"  # untimed: left to the kernel, freeing takes a minute
    ;;
  floor)
    time_phase up 0 "$bin/bench-floor" up "$n" "$nb"
    settle
    time_phase down 0 "$bin/bench-floor" down "$n" "$nb"
    ;;
  *)
    echo "sandbox: unknown method $method" >&2
    exit 2
    ;;
esac
rm -f "$out" "$out.err"
