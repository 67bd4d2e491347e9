#!/bin/sh
# Seed 004 (004_f87211ddf4399d68.txt), sections "Network namespace" and "veth device":
# netns1 with loopback up and eth0 (10.0.0.2/16), peer veth0 (10.0.0.1/16) in the host.
set -e

ip netns add netns1
ip netns exec netns1 ip link set dev lo up

ip link add veth0 type veth peer eth0 netns netns1
ip addr add 10.0.0.1/16 dev veth0
ip link set veth0 up
ip netns exec netns1 ip addr add 10.0.0.2/16 dev eth0
ip netns exec netns1 ip link set eth0 up
