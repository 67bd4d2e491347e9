#!/bin/bash
# gen.sh N DIR [B]: writes the star lab of N namespaces on B bridges (default 1) in every form
# the benchmark runs:
#   DIR/star-N.yaml       netlab's topology
#   DIR/star-N-edit.yaml  the same with one namespace's address changed (the edit row)
#   DIR/batch-up.sh       iproute2 as fast as it goes: one `ip -batch` that adds the namespaces
#                         and makes the host's part, one `ip -n NS -batch` per namespace, then
#                         the bridges up
#   DIR/batch-down.sh     ip netns del (one batch) + ip link del of each bridge
#   DIR/seed-up.sh        the seed posts' way: one ip command per step (seeds/003, 4_linux_networking.sh)
# The namespaces are spread over the bridges in runs of ceil(N/B): n<i> is on bridge b =
# i / ceil(N/B), br<b> has 10.<10+b>.0.1/16, and n<i> holds c<i> with 10.<10+b>.x.y/16 (x.y =
# j+2, j = i's place on its bridge), default via 10.<10+b>.0.1; its peer v<i> is a port of
# br<b> in the host. With B = 1 that is br0 10.10.0.1/16 and c<i> 10.10.x.y/16, x.y = i+2.
# A bridge takes at most 1023 ports, so ceil(N/B) must be at most 1023.
# The edited file moves c<N/2> to 10.<10+b>.x.y with x.y = ceil(N/B)+2, free on its bridge.
set -euo pipefail
n=$1 dir=$2 nb=${3:-1}
per=$(((n + nb - 1) / nb))
if [ "$per" -gt 1023 ] || [ "$nb" -lt 1 ] || [ "$nb" -gt 90 ]; then
  echo "gen.sh: $n namespaces on $nb bridges: a bridge takes at most 1023 ports" >&2
  exit 2
fi
mkdir -p "$dir/ns"
edited=$((n / 2))
# place I [EDIT]: sets B (bridge), A (c<I>'s address) and G (its gateway): no subshell.
place() {
  B=$(($1 / per))
  local h=$(($1 - B * per + 2))
  [ -n "${2:-}" ] && [ "$1" = "$edited" ] && h=$((per + 2))
  A="10.$((10 + B)).$((h / 256)).$((h % 256))" G="10.$((10 + B)).0.1"
}

yaml() {  # yaml [EDIT]
  echo "name: star-$n"
  echo "namespaces:"
  for ((i = 0; i < n; i++)); do
    place "$i"
    printf '  n%d:\n    routes:\n      - to: default\n        via: %s\n' "$i" "$G"
  done
  echo "bridges:"
  for ((b = 0; b < nb; b++)); do printf '  br%d:\n    addresses: [10.%d.0.1/16]\n' "$b" $((10 + b)); done
  echo "veths:"
  for ((i = 0; i < n; i++)); do
    place "$i" "${1:-}"
    printf '  - name: v%d\n    bridge: br%d\n    peer:\n      name: c%d\n      namespace: n%d\n      addresses: [%s/16]\n' \
      "$i" "$B" "$i" "$i" "$A"
  done
}
yaml >"$dir/star-$n.yaml"
yaml edit >"$dir/star-$n-edit.yaml"
place "$edited" edit
echo "n$edited c$edited $A" >"$dir/edit"  # what sandbox.sh checks after the edit

# Host batch: ports join their bridge while it is down; the bridges come up last, once the
# namespaces' batches have brought the ports' peers up: as in netlab, every port has its
# carrier before its bridge is up (a carrier under a bridge that is up costs a pass over all
# ports). Veths with one queue each way and no IPv6 link-local address (addrgenmode none), as
# netlab makes an IPv4 lab's: every method builds the same kernel objects.
{
  # `ip -batch` comes back to the host after each `netns add` (iproute2's netns_restore).
  for ((i = 0; i < n; i++)); do echo "netns add n$i"; done
  for ((b = 0; b < nb; b++)); do echo "link add br$b type bridge"; done
  for ((i = 0; i < n; i++)); do
    place "$i"
    echo "link add v$i numtxqueues 1 numrxqueues 1 type veth peer name c$i numtxqueues 1 numrxqueues 1 netns n$i"
    echo "link set v$i master br$B addrgenmode none up"
  done
  for ((b = 0; b < nb; b++)); do echo "address add 10.$((10 + b)).0.1/16 dev br$b"; done
} >"$dir/host.batch"
for ((i = 0; i < n; i++)); do
  place "$i"
  printf 'link set lo up\nlink set c%d addrgenmode none up\naddress add %s/16 dev c%d\nroute add default via %s\n' \
    "$i" "$A" "$i" "$G" >"$dir/ns/n$i.batch"
done
{
  echo "#!/bin/sh -e"
  echo "ip -batch $dir/host.batch"
  for ((i = 0; i < n; i++)); do echo "ip -n n$i -batch $dir/ns/n$i.batch"; done
  for ((b = 0; b < nb; b++)); do echo "ip link set br$b addrgenmode none up"; done
} >"$dir/batch-up.sh"
for ((i = 0; i < n; i++)); do echo "netns del n$i"; done >"$dir/down.batch"
{
  printf '#!/bin/sh -e\nip -batch %s/down.batch\n' "$dir"
  for ((b = 0; b < nb; b++)); do echo "ip link del br$b"; done
} >"$dir/batch-down.sh"

# The seed's script, step by step (it brings the bridges up first, as the post does).
{
  echo "#!/bin/sh -e"
  for ((b = 0; b < nb; b++)); do
    echo "ip link add name br$b type bridge"
    echo "ip address add 10.$((10 + b)).0.1/16 dev br$b"
    echo "ip link set br$b up"
  done
  for ((i = 0; i < n; i++)); do
    place "$i"
    cat <<STEP
ip netns add n$i
ip link add v$i type veth peer name c$i
ip link set v$i up
ip link set dev v$i master br$B
ip link set c$i netns n$i
ip netns exec n$i ip address add $A/16 dev c$i
ip netns exec n$i ip link set c$i up
ip netns exec n$i ip link set lo up
ip netns exec n$i ip route add default via $G
STEP
  done
} >"$dir/seed-up.sh"
chmod +x "$dir"/*.sh
