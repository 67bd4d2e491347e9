#!/bin/sh
# Seed 004 (004_f87211ddf4399d68.txt), section "Internet access": the "Bridge network"
# lab, plus default routes via br0, IP forwarding and masquerading of 10.0.0.0/16.
set -e

ip netns add netns1
ip netns add netns2
ip netns exec netns1 ip link set lo up
ip netns exec netns2 ip link set lo up

ip link add veth1 type veth peer eth0 netns netns1
ip link add veth2 type veth peer eth0 netns netns2

ip link add name br0 type bridge
ip link set dev veth1 master br0
ip link set dev veth2 master br0

ip addr add 10.0.0.1/16 dev br0
ip link set dev br0 up
ip link set dev veth1 up
ip link set dev veth2 up
ip netns exec netns1 ip addr add 10.0.0.2/16 dev eth0
ip netns exec netns1 ip link set dev eth0 up
ip netns exec netns2 ip addr add 10.0.0.3/16 dev eth0
ip netns exec netns2 ip link set dev eth0 up

ip netns exec netns1 ip route add default via 10.0.0.1
ip netns exec netns2 ip route add default via 10.0.0.1
sysctl -w net.ipv4.ip_forward=1
# iptables-legacy: netlab's rules live in the legacy tables (see docs/architecture.md, Kernel pitfalls).
iptables-legacy -t nat -A POSTROUTING -s 10.0.0.0/16 -j MASQUERADE
