#!/bin/sh
# Seed 000 (000_ff25f5c2b85e5376.txt), "Network Namespaces Demo": ns1 and ns2, each
# holding one end of a veth pair whose other end is a port of br0 in the host.
# The post's cleanup step (ip link del / ip netns del) is left out: this builds the lab.
set -e

ip netns add ns1
ip link add vethX type veth peer name vethY
ip link set vethX up
ip link set vethY up
# Moving vethX into ns1 brings it down again; the post never brings it back up.
ip link set vethX netns ns1

# Fix: the post has "udo ip netns add ns2" (lost the leading s of sudo).
ip netns add ns2
ip link add vethP type veth peer name vethQ
ip link set vethP up
ip link set vethQ up
ip link set vethP netns ns2

ip link add name br0 type bridge
ip link set dev br0 up
ip link set vethY master br0
ip link set vethQ master br0
