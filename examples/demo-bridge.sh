#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed's section 3 with vpair in place of veth: two namespaces, one pair
# each, the outer ends on a bridge, and a ping across.
#
#     ns1                                              ns2
#   +----------------+                      +----------------+
#   | vp1            |                      |            vp2 |
#   | 192.0.2.1/24   |                      |   192.0.2.2/24 |
#   +---||-----------+                      +-----------||---+
#       ||  vpair            host                vpair  ||
#   +---||----------------------------------------------||---+
#   |  vp1-br ------------------ br0 ----------------- vp2-br |
#   +---------------------------------------------------------+
#
# Run as root where the vpair module is installed (make install, make
# dkms-install), or let `make demo` run it in a VM. KIND=veth runs the same
# story on veth, for comparison. The demo refuses to touch an ns1, ns2 or
# br0 that already exists, and removes what it made when it ends.

set -u
KIND=${KIND:-vpair}
PINGS=${PINGS:-3}

made=()
cleanup()
{
	local i

	for ((i = ${#made[@]} - 1; i >= 0; i--)); do
		eval "${made[i]}" >/dev/null 2>&1
	done
}
trap cleanup EXIT

run()
{
	echo "# $*"
	"$@"
}

title()
{
	printf '\n=== %s ===\n' "$*"
}

fail()
{
	echo "demo: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || fail "run as root"
for ns in ns1 ns2; do
	[ -e "/run/netns/$ns" ] && fail "netns $ns exists already; not touching it"
done
ip link show br0 >/dev/null 2>&1 && fail "br0 exists already; not touching it"

title "building the seed's bridge with $KIND"
run ip link add br0 type bridge || fail "cannot create br0"
made+=("ip link del br0")
run ip link set br0 up
for i in 1 2; do
	run ip netns add "ns$i" || fail "cannot create ns$i"
	made+=("ip netns del ns$i")
	# The inner end is born inside its namespace: the peer takes ordinary
	# link options, netns among them.
	run ip link add "vp$i-br" type "$KIND" peer name "vp$i" netns "ns$i" ||
		fail "cannot create a $KIND pair (module not installed? plugin missing?)"
	made+=("ip link del vp$i-br")
	run ip link set "vp$i-br" master br0 up
	run ip -n "ns$i" addr add "192.0.2.$i/24" dev "vp$i"
	run ip -n "ns$i" link set "vp$i" up
done

title "ip -br link (host)"
ip -br link show
title "ip -br addr (ns1, ns2)"
ip -n ns1 -br addr show
ip -n ns2 -br addr show

title "ip -d link show vp1-br"
ip -d link show vp1-br

if [ "$KIND" = vpair ] && command -v ethtool >/dev/null; then
	title "ethtool -i vp1-br"
	ethtool -i vp1-br | head -n 2
fi

title "ping from ns1 to ns2 across br0"
if ip netns exec ns1 ping -c "$PINGS" -i 0.2 -W 2 192.0.2.2; then
	result="ping across the bridge: OK"
	rc=0
else
	result="ping across the bridge: FAILED"
	rc=1
	# The seed's first surprise: with br_netfilter loaded, bridged frames
	# go through iptables' FORWARD chain, and Docker sets it to DROP.
	if [ "$(sysctl -n net.bridge.bridge-nf-call-iptables 2>/dev/null)" = 1 ]; then
		echo "hint: br_netfilter is active; if 'iptables -S FORWARD' says" \
		     "'-P FORWARD DROP', 'iptables -A FORWARD -i br0 -j ACCEPT' fixes it"
	fi
fi

title "ip -s link: counters of both ends of the ns1 pair"
ip -s link show vp1-br
ip -n ns1 -s link show vp1

echo
echo "demo ($KIND): $result"
exit $rc
