#!/bin/sh
# Seed 003 (003_9158c9f813126ce5.txt), section "Routing": the "Bridging" lab
# (4_linux_networking.sh add), then the host made a router that masquerades the
# containers' traffic leaving by any interface but br0.
set -e

BRIDGE=br0

ip link add name "$BRIDGE" type bridge
ip address add 172.18.0.1/12 dev "$BRIDGE"
ip link set "$BRIDGE" up

# Fix: the post's script is bash ({0..1}, "$i" inside $((...))); written as POSIX sh.
for i in 0 1
do
    ip netns add "net$i"
    ip link add "veth$i" type veth peer name "ceth$i"
    ip link set "veth$i" up

    # Attach the new interfaces to the bridge device.
    ip link set dev "veth$i" master "$BRIDGE"
    ip link set "ceth$i" netns "net$i"

    INCREMENT=$((10 + 10 * i))
    ip netns exec "net$i" ip address add "172.18.0.$INCREMENT/12" dev "ceth$i"
    ip netns exec "net$i" ip link set "ceth$i" up

    # Add the route to the bridge interface so the new namespaces can reach the root namespace.
    ip netns exec "net$i" ip route add default via 172.18.0.1
done

echo 1 | tee /proc/sys/net/ipv4/ip_forward
# iptables-legacy: netlab's rules live in the legacy tables (see docs/architecture.md, Kernel pitfalls).
iptables-legacy -t nat -A POSTROUTING -s 172.18.0.0/12 ! -o br0 -j MASQUERADE
