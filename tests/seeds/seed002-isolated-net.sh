#!/bin/sh
# Seed 002 (002_0507b51e14b50a0f.txt), "Docker Networking & Namespace Isolation":
# namespace isolated_net with veth2 (192.168.1.4/24), host end veth1 (192.168.1.5/24
# and 192.168.1.2/24, the address the post then pings from isolated_net).
set -e

ip netns add isolated_net
ip link add veth1 type veth peer name veth2
ip link set veth2 netns isolated_net
ip netns exec isolated_net ip link set dev veth2 up
ip link set dev veth1 up
ip netns exec isolated_net ip addr add 192.168.1.4/24 dev veth2
# Fix: the post names the host end "veth01" here and below; it means veth1.
ip addr add 192.168.1.5/24 dev veth1
ip addr add 192.168.1.2/24 dev veth1
