#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A quick check that a kernel and its release's ip work with vpair: load,
# create pairs with the plugin (the peer in another namespace too), ping
# across namespaces, ping between two addresses of one namespace over a
# loopback_bypass pair, unload, and a kernel log without complaints. Runs
# in the VM (vm.sh, -s or -k) with vpair installed; the full suite is
# guest-check.sh's. TAP on stdout and in $VPAIR_RESULTS/smoke.tap; exit 0
# when every check passed.

set -u
res=${VPAIR_RESULTS:-/tmp/vpair-results}
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$res"
exec > >(tee "$res/smoke.tap") 2>&1

export IP_LIB_DIR=$repo/iplink-plugin
n=0
failed=0

check()
{
	local desc=$1 out
	shift

	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		failed=$((failed + 1))
		sed 's/^/# /' <<<"$out"
	fi
}

# rx_packets of DEV in namespace NS
rx_packets()
{
	ip -n "$1" -s -j link show dev "$2" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}

ethtool_stat()
{
	ip netns exec "$1" ethtool -S "$2" | sed -n "s/^ *$3: //p"
}

echo "TAP version 13"
echo "# kernel $(uname -r), $(ip -V), $(ethtool --version)"
echo "# module $(modinfo -n vpair 2>&1)"
echo "1..13"

dmesg -C
check "modprobe vpair" modprobe vpair
check "module is $(modinfo -F vermagic vpair | cut -d' ' -f1)" \
	grep -qx vpair <(lsmod | cut -d' ' -f1)

ip netns add smoke_a
ip netns add smoke_b
ip netns add smoke_c

check "ip link add vp0 type vpair peer name vp1" \
	ip link add vp0 type vpair peer name vp1
check "ip -d link show: vpair with its options" \
	bash -c 'ip -d link show vp0 | grep -A1 -w vpair | grep -q loopback_bypass'
ip link set vp0 netns smoke_a
ip link set vp1 netns smoke_b
ip -n smoke_a addr add 192.0.2.1/24 dev vp0
ip -n smoke_b addr add 192.0.2.2/24 dev vp1
ip -n smoke_a link set vp0 up
ip -n smoke_b link set vp1 up
check "ping across two namespaces" \
	ip netns exec smoke_a ping -c 2 -W 5 192.0.2.2

# The peer created straight into another namespace: on 6.13+ the core
# resolves it, before that the driver does.
check "peer created in another namespace (peer ... netns)" \
	ip -n smoke_a link add vp2 type vpair peer name vp3 netns smoke_b
ip -n smoke_a addr add 198.51.100.1/24 dev vp2
ip -n smoke_b addr add 198.51.100.2/24 dev vp3
ip -n smoke_a link set vp2 up
ip -n smoke_b link set vp3 up
check "ping over the pair made with peer netns" \
	ip netns exec smoke_a ping -c 2 -W 5 198.51.100.2

# From a user namespace of its own, the sender may not put the peer into
# the initial namespace: 6.13+ refuse it in the core, older kernels in
# vpair's compat.
check "peer into a namespace the sender may not admin: EPERM" \
	bash -c 'exec 3</proc/self/ns/net
		! out=$(unshare -Urn ip link add vp8 type vpair \
			peer name vp9 netns /proc/self/fd/3 2>&1) &&
		grep -q "Operation not permitted" <<<"$out" && ! ip link show vp9'

# Both ends in one namespace: the host's own traffic between the two
# addresses goes through the pair instead of lo.
ip -n smoke_c link add vp4 type vpair peer name vp5
ip -n smoke_c addr add 203.0.113.1/24 dev vp4
ip -n smoke_c addr add 203.0.113.2/24 dev vp5
ip -n smoke_c link set lo up
ip -n smoke_c link set vp4 up
ip -n smoke_c link set vp5 up
check "ip link set vp4 type vpair loopback_bypass on" \
	ip -n smoke_c link set vp4 type vpair loopback_bypass on
before=$(rx_packets smoke_c vp5)
bypass_before=$(ethtool_stat smoke_c vp4 tx_bypass)
check "ping -I 203.0.113.1 203.0.113.2 in one namespace" \
	ip netns exec smoke_c ping -c 3 -W 5 -I 203.0.113.1 203.0.113.2
after=$(rx_packets smoke_c vp5)
bypass_after=$(ethtool_stat smoke_c vp4 tx_bypass)
echo "# vp5 rx_packets $before -> $after, vp4 tx_bypass $bypass_before -> $bypass_after"
check "the pings crossed the pair, not lo" \
	test "$((after - before))" -ge 3 -a "$((bypass_after - bypass_before))" -ge 3

ip netns del smoke_a
ip netns del smoke_b
ip netns del smoke_c
check "rmmod vpair" bash -c 'for i in $(seq 50); do
	rmmod vpair 2>/dev/null && exit 0; sleep 0.2; done; rmmod vpair'

dmesg >"$res/dmesg.txt"
check "kernel log clean" \
	bash -c "! grep -E 'WARNING:|\\<BUG\\>|Oops|refcount|unregister_netdevice: waiting' '$res/dmesg.txt'"

echo "# $((n - failed)) passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
