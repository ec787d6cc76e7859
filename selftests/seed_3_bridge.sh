#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed's section 3, "namespaces and a bridge", in full, with veth and
# with vpair in its place, side by side: each step runs on both
# topologies before the next one starts.
#
#         ns1                           host                           ns2
#   +--------------+     +-----------------------------------+     +--------------+
#   |      K1      |     |   K1_p                     K2_p   |     |      K2      |
#   | 192.0.2.101  |=====|    |                         |    |=====| 192.0.2.102  |
#   |          /24 |     |    +---------- br0 ----------+    |     |          /24 |
#   +--------------+     |            192.0.2.1/24           |     +--------------+
#                        +-----------------------------------+
#
# K is veth or vpair. Each pair is made in the host and its K1/K2 end
# moved into ns1/ns2, as the seed does; the K1_p/K2_p ends are br0's
# ports. The seed's host was the root namespace: here it is a namespace
# of its own, so the test touches nothing outside.
#
# Addresses: the seed's 192.168.5.0/24 is 192.0.2.0/24 here (same host
# numbers), br0's second address 192.168.6.1/24 is 203.0.113.1/24, and
# ns2's other subnet 10.25.5.0/24 is 198.51.100.0/24.
#
# The story, one step each:
# 1. ns1 and ns2 ping each other across the bridge;
# 2. br0's own address does not matter to bridged traffic: moved to
#    another subnet, the pings still work;
# 3. with ns2 in another subnet, device routes (no gateway) are enough;
# 4. with br_netfilter loaded, bridged frames go through iptables: a
#    FORWARD policy of DROP (as Docker sets it) stops the ping, and
#    "iptables -A FORWARD -i br0 -j ACCEPT" lets it through again.

source "$(dirname "$0")"/lib.sh

declare -A HOST NS1 NS2 OUTCOME

# ns_for KIND: the namespaces of KIND's topology in host, ns1, ns2.
ns_for()
{
	host=${HOST[$1]}
	ns1=${NS1[$1]}
	ns2=${NS2[$1]}
}

seed_3_setup()
{
	local kind=$1
	local name="seed 3 $kind: two namespaces, outer ends on br0"
	local host ns1 ns2

	setup_ns host ns1 ns2
	check_err $? "making the namespaces failed"
	HOST[$kind]=$host
	NS1[$kind]=$ns1
	NS2[$kind]=$ns2

	ipb "$host" <<-EOF
		link add ${kind}1 type $kind peer name ${kind}1_p
		link set ${kind}1 netns $ns1
		link add ${kind}2 type $kind peer name ${kind}2_p
		link set ${kind}2 netns $ns2
		link add br0 type bridge
		link set dev ${kind}1_p master br0
		link set dev ${kind}2_p master br0
		addr add 192.0.2.1/24 dev br0
		link set ${kind}1_p up
		link set ${kind}2_p up
		link set br0 up
	EOF
	check_err $? "setting up the host failed"
	ipb "$ns1" <<-EOF
		addr add 192.0.2.101/24 dev ${kind}1
		link set ${kind}1 up
	EOF
	check_err $? "setting up ns1 failed"
	ipb "$ns2" <<-EOF
		addr add 192.0.2.102/24 dev ${kind}2
		link set ${kind}2 up
	EOF
	check_err $? "setting up ns2 failed"

	OUTCOME[$kind]+="setup:$RET "
	log_test "$name"
}

# ping_both_ways KIND DST_IN_NS2 DST_IN_NS1
ping_both_ways()
{
	ping_ok "$ns1" "$2"
	check_err $? "no ping from ns1 to $2"
	ping_ok "$ns2" "$3"
	check_err $? "no ping from ns2 to $3"
}

seed_3_ping()
{
	local kind=$1
	local name="seed 3 $kind: ns1 and ns2 ping each other through br0"
	local host ns1 ns2

	ns_for $kind
	ping_both_ways $kind 192.0.2.102 192.0.2.101

	OUTCOME[$kind]+="ping:$RET "
	log_test "$name"
}

seed_3_bridge_address()
{
	local kind=$1
	local name="seed 3 $kind: br0's address moved elsewhere changes nothing"
	local host ns1 ns2

	ns_for $kind
	ipb "$host" <<-EOF
		addr del 192.0.2.1/24 dev br0
		addr add 203.0.113.1/24 dev br0
	EOF
	check_err $? "changing br0's address failed"
	ping_both_ways $kind 192.0.2.102 192.0.2.101

	OUTCOME[$kind]+="br0_addr:$RET "
	log_test "$name"
}

seed_3_subnets()
{
	local kind=$1
	local name="seed 3 $kind: ends in different subnets, device routes"
	local host ns1 ns2

	ns_for $kind
	ipb "$ns2" <<-EOF
		addr del 192.0.2.102/24 dev ${kind}2
		addr add 198.51.100.102/24 dev ${kind}2
		route add 192.0.2.0/24 dev ${kind}2
	EOF
	check_err $? "moving ns2 to 198.51.100.0/24 failed"
	ip -n "$ns1" route add 198.51.100.0/24 dev ${kind}1
	check_err $? "adding ns1's device route failed"
	ping_both_ways $kind 198.51.100.102 192.0.2.101

	OUTCOME[$kind]+="subnets:$RET "
	log_test "$name"
}

seed_3_br_netfilter()
{
	local kind=$1
	local name="seed 3 $kind: br_netfilter, FORWARD DROP, then ACCEPT on br0"
	local host ns1 ns2

	ns_for $kind
	# The rules go to the host namespace's own tables, which go with it
	# at exit: nothing outside is touched, nothing stays behind.
	ip netns exec "$host" iptables -P FORWARD DROP
	check_err $? "iptables -P FORWARD DROP failed"
	ping_fails "$ns1" 198.51.100.102
	check_err $? "bridged ping passes a FORWARD policy of DROP"

	ip netns exec "$host" iptables -A FORWARD -i br0 -j ACCEPT
	check_err $? "iptables -A FORWARD -i br0 -j ACCEPT failed"
	ping_both_ways $kind 198.51.100.102 192.0.2.101

	OUTCOME[$kind]+="br_netfilter:$RET "
	log_test "$name"
}

seed_3_same_as_veth()
{
	local name="seed 3: vpair gives the results veth gives"

	[ "${OUTCOME[vpair]}" = "${OUTCOME[veth]}" ]
	check_err $? "veth: ${OUTCOME[veth]}, vpair: ${OUTCOME[vpair]}"
	log_test "$name"
}

require_root
require_cmd ip ping iptables modprobe

kinds=veth
if [ "$KIND" = vpair ]; then
	require_kind
	kinds="veth vpair"
fi

# The topologies live through all steps: what they defer runs at exit.
for kind in $kinds; do
	seed_3_setup $kind
done
for step in seed_3_ping seed_3_bridge_address seed_3_subnets; do
	for kind in $kinds; do
		run_test $step $kind
	done
done

# br_netfilter is global: load it only now, and unload it at exit unless
# something else had it loaded already.
br_netfilter=ok
if [ ! -d /sys/module/br_netfilter ]; then
	if modprobe br_netfilter; then
		defer modprobe -r br_netfilter
	else
		br_netfilter=
	fi
fi
for kind in $kinds; do
	if [ -n "$br_netfilter" ]; then
		run_test seed_3_br_netfilter $kind
	else
		log_test_skip "seed 3 $kind: br_netfilter" "no br_netfilter module"
		OUTCOME[$kind]+="br_netfilter:skip "
	fi
done

if [ "$KIND" = vpair ]; then
	run_test seed_3_same_as_veth
else
	log_test_skip "seed 3: vpair gives the results veth gives" "KIND=$KIND"
fi

exit "$(exit_status)"
