#!/bin/bash
# gen.sh N DIR: writes the star lab of N namespaces in every form the benchmark runs:
#   DIR/star-N.yaml    netlab's topology
#   DIR/batch-up.sh    iproute2 as fast as it goes: ip netns add each, one `ip -batch` for
#                      the host, one `ip -n NS -batch` per namespace, then br0 up
#   DIR/batch-down.sh  ip netns del (one batch) + ip link del br0
#   DIR/seed-up.sh     the seed posts' way: one ip command per step (seeds/003, 4_linux_networking.sh)
# Namespace n<i> holds c<i> with 10.10.x.y/16 (x.y = i+2), default via br0's 10.10.0.1; its
# peer v<i> is a port of br0 in the host.
set -euo pipefail
n=$1 dir=$2
mkdir -p "$dir/ns"
addr() { local h=$(($1 + 2)); A="10.10.$((h / 256)).$((h % 256))"; }  # sets A: no subshell

{
  echo "name: star-$n"
  echo "namespaces:"
  for ((i = 0; i < n; i++)); do
    printf '  n%d:\n    routes:\n      - to: default\n        via: 10.10.0.1\n' "$i"
  done
  printf 'bridges:\n  br0:\n    addresses: [10.10.0.1/16]\n'
  echo "veths:"
  for ((i = 0; i < n; i++)); do
    addr "$i"
    printf '  - name: v%d\n    bridge: br0\n    peer:\n      name: c%d\n      namespace: n%d\n      addresses: [%s/16]\n' \
      "$i" "$i" "$i" "$A"
  done
} >"$dir/star-$n.yaml"

# Host batch: ports join br0 while it is down; br0 comes up last, once the namespaces' batches
# have brought the ports' peers up: as in netlab, every port has its carrier before the bridge
# is up (a carrier under a bridge that is up costs a pass over all ports). Veths with one queue
# each way and no IPv6 link-local address (addrgenmode none), as netlab makes an IPv4 lab's:
# every method builds the same kernel objects.
{
  echo "link add br0 type bridge"
  for ((i = 0; i < n; i++)); do
    echo "link add v$i numtxqueues 1 numrxqueues 1 type veth peer name c$i numtxqueues 1 numrxqueues 1 netns n$i"
    echo "link set v$i master br0 addrgenmode none up"
  done
  echo "address add 10.10.0.1/16 dev br0"
} >"$dir/host.batch"
for ((i = 0; i < n; i++)); do
  addr "$i"
  printf 'link set lo up\nlink set c%d addrgenmode none up\naddress add %s/16 dev c%d\nroute add default via 10.10.0.1\n' \
    "$i" "$A" "$i" >"$dir/ns/n$i.batch"
done
{
  echo "#!/bin/sh -e"
  for ((i = 0; i < n; i++)); do echo "ip netns add n$i"; done
  echo "ip -batch $dir/host.batch"
  for ((i = 0; i < n; i++)); do echo "ip -n n$i -batch $dir/ns/n$i.batch"; done
  echo "ip link set br0 addrgenmode none up"
} >"$dir/batch-up.sh"
for ((i = 0; i < n; i++)); do echo "netns del n$i"; done >"$dir/down.batch"
printf '#!/bin/sh -e\nip -batch %s/down.batch\nip link del br0\n' "$dir" >"$dir/batch-down.sh"

# The seed's script, step by step (it brings br0 up first, as the post does).
{
  echo "#!/bin/sh -e"
  echo "ip link add name br0 type bridge"
  echo "ip address add 10.10.0.1/16 dev br0"
  echo "ip link set br0 up"
  for ((i = 0; i < n; i++)); do
    addr "$i"
    cat <<STEP
ip netns add n$i
ip link add v$i type veth peer name c$i
ip link set v$i up
ip link set dev v$i master br0
ip link set c$i netns n$i
ip netns exec n$i ip address add $A/16 dev c$i
ip netns exec n$i ip link set c$i up
ip netns exec n$i ip link set lo up
ip netns exec n$i ip route add default via 10.10.0.1
STEP
  done
} >"$dir/seed-up.sh"
chmod +x "$dir"/*.sh
