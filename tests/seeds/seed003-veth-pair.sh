#!/bin/sh
# Seed 003 (003_9158c9f813126ce5.txt), section "veth pair", script 1_linux_networking.sh
# ("add"): both ends of the pair in the host, each with an address in 172.16.0.0/12.
set -e

ip link add veth0 type veth peer name ceth0

ip link set veth0 up
ip link set ceth0 up

ip addr add 172.18.0.10/12 dev veth0
ip addr add 172.18.0.20/12 dev ceth0
