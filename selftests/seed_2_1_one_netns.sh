#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed's section 2.1, "veth pair in one namespace", with veth and
# with a plain vpair (no option set) side by side: both must give the
# seed's results.
#
#   one namespace, the seed's host
#   +------------------------------------------------------------+
#   |                                                            |
#   |   K0 192.0.2.3/24 <================> K1 192.0.2.2/24       |
#   |                      the pair                              |
#   |                                                            |
#   |   lo: the kernel delivers traffic to its own addresses     |
#   |       through lo, whatever device the address sits on      |
#   +------------------------------------------------------------+
#
#   K is veth or vpair. The seed used 192.168.4.3 (veth0) and
#   192.168.4.2 (veth1); we use the same host numbers in 192.0.2.0/24.
#
# What the seed saw, and what is checked here:
# - "ping 192.168.4.2 -I lo" works, but never touches the pair: the
#   replies come from lo and neither end counts a packet. The seed's
#   ping took its source from a third interface; with only the pair and
#   lo, the source is the destination itself, and ping (iputils 20221126
#   on 6.1, checked with veth) then sees no reply. The same fact shows
#   with the plain "ping 192.0.2.2" and with the one a user of the pair
#   means, from one end's address to the other's:
#   "ping -I 192.0.2.3 192.0.2.2";
# - "ping 192.168.4.3 -I veth1" gets no reply: the request leaves
#   through K1 and crosses the pair, but its source is an address of
#   the receiving host, a martian, so nothing answers.
# The seed then relaxed rp_filter and accept_local; that is what the
# vpair options replace, and it is not done here.

source "$(dirname "$0")"/lib.sh

declare -A NS OUTCOME

seed_2_1_setup()
{
	local kind=$1
	local name="seed 2.1 $kind: a pair in one namespace, an address on each end"
	local ns

	setup_ns ns
	check_err $? "making the namespace failed"
	NS[$kind]=$ns
	# addrgenmode none: no IPv6 link-local chatter in the counters
	ipb "$ns" <<-EOF
		link add ${kind}0 type $kind peer name ${kind}1
		link set ${kind}0 addrgenmode none
		link set ${kind}1 addrgenmode none
		addr add 192.0.2.3/24 dev ${kind}0
		addr add 192.0.2.2/24 dev ${kind}1
		link set ${kind}0 up
		link set ${kind}1 up
	EOF
	check_err $? "setting up the pair failed"
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns" ${kind}0 &&
		wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns" ${kind}1
	check_err $? "the ends have no carrier"

	OUTCOME[$kind]+="setup:$RET "
	log_test "$name"
}

# pair_packets: the packets both ends sent and received so far, in
# PAIR_PACKETS.
pair_packets()
{
	local kind=$1
	local end

	PAIR_PACKETS=0
	for end in 0 1; do
		link_stats "$ns" $kind$end || return 1
		PAIR_PACKETS=$((PAIR_PACKETS + STATS[tx_packets] + STATS[rx_packets]))
	done
}

seed_2_1_local_through_lo()
{
	local kind=$1
	local name="seed 2.1 $kind: own addresses answer through lo, not the pair"
	local ns=${NS[$kind]}
	local count=3 before lo_before

	pair_packets $kind
	before=$PAIR_PACKETS
	link_stats "$ns" lo
	lo_before=${STATS[tx_packets]}

	ping_ok "$ns" 192.0.2.2 -c $count -i 0.1
	check_err $? "ping 192.0.2.2 failed"
	ping_ok "$ns" 192.0.2.2 -I 192.0.2.3 -c $count -i 0.1
	check_err $? "ping -I 192.0.2.3 192.0.2.2 failed"

	pair_packets $kind
	[ "$PAIR_PACKETS" -eq "$before" ]
	check_err $? "the ${kind} ends counted $((PAIR_PACKETS - before)) packets, expected none"
	link_stats "$ns" lo
	((STATS[tx_packets] - lo_before >= 4 * count))
	check_err $? "lo counted $((STATS[tx_packets] - lo_before)) packets, expected >= $((4 * count))"

	OUTCOME[$kind]+="local:$RET "
	log_test "$name"
}

seed_2_1_device_bound_fails()
{
	local kind=$1
	local name="seed 2.1 $kind: device-bound ping across the pair fails"
	local ns=${NS[$kind]}
	local tx

	link_stats "$ns" ${kind}1
	tx=${STATS[tx_packets]}
	ping_fails "$ns" 192.0.2.3 -I ${kind}1
	check_err $? "ping 192.0.2.3 -I ${kind}1 got a reply"
	link_stats "$ns" ${kind}1
	((STATS[tx_packets] > tx))
	check_err $? "nothing left through ${kind}1"

	ping_fails "$ns" 192.0.2.2 -I ${kind}0
	check_err $? "ping 192.0.2.2 -I ${kind}0 got a reply"

	OUTCOME[$kind]+="bound:$RET "
	log_test "$name"
}

seed_2_1_same_as_veth()
{
	local name="seed 2.1: vpair gives the results veth gives"

	[ "${OUTCOME[vpair]}" = "${OUTCOME[veth]}" ]
	check_err $? "veth: ${OUTCOME[veth]}, vpair: ${OUTCOME[vpair]}"
	log_test "$name"
}

require_root
require_cmd ip ping

kinds=veth
if [ "$KIND" = vpair ]; then
	require_kind
	kinds="veth vpair"
fi

# One pair per kind for the whole file: what it defers runs at exit.
for kind in $kinds; do
	seed_2_1_setup $kind
done
for step in seed_2_1_local_through_lo seed_2_1_device_bound_fails; do
	for kind in $kinds; do
		run_test $step $kind
	done
done
if [ "$KIND" = vpair ]; then
	run_test seed_2_1_same_as_veth
else
	log_test_skip "seed 2.1: vpair gives the results veth gives" \
		"KIND=$KIND"
fi

exit "$(exit_status)"
