#!/bin/sh
# Seed 001 (001_b2ff54b3cb208daa.txt), "Linux Network Namespaces": namespace blue with
# veth1 (10.1.1.1/24); its peer veth0 stays in the host, down and without address.
set -e

ip netns add blue
ip link add veth0 type veth peer name veth1
ip link set veth1 netns blue
ip netns exec blue ip addr add 10.1.1.1/24 dev veth1
ip netns exec blue ip link set dev veth1 up
ip netns exec blue ip link set lo up
# Fix: the post has "ip link veth1 up" (missing "set"), which ip refuses.
ip netns exec blue ip link set veth1 up
