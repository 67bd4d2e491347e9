#!/bin/sh
# Seed 003 (003_9158c9f813126ce5.txt), section "One Container", script
# 2_linux_networking.sh ("add"): namespace net0 holding ceth0, veth0 in the host.
set -e

ip netns add net0

ip link add veth0 type veth peer name ceth0

ip link set veth0 up
ip addr add 172.18.0.10/12 dev veth0

ip link set ceth0 netns net0
ip netns exec net0 ip addr add 172.18.0.20/12 dev ceth0
ip netns exec net0 ip link set ceth0 up
ip netns exec net0 ip link set lo up
