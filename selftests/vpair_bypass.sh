#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# loopback_bypass: traffic between an address of one end and an address
# of the other end crosses the pair, both ways, instead of lo; everything
# a user attaches to the ends (tcpdump, counters, tc, XDP) sees it. This
# file: ping, and what sees it. vpair_bypass_traffic.sh: TCP and UDP;
# vpair_bypass_runtime.sh: changes while traffic runs.
#
#   one namespace, rp_filter 1, accept_local 0, no rule/route/firewall
#   +-------------------------------------------------------------------+
#   |                      echo request, TCP data                       |
#   |  vp0 192.0.2.1/24    ------------------------->   vp1 192.0.2.2/24
#   |      2001:db8::1/64  <-------------------------       2001:db8::2/64
#   |  tc ingress filter   echo reply, TCP ACKs         XDP program      |
#   |                                                                   |
#   |  lo: without the bypass, all of it goes here                      |
#   +-------------------------------------------------------------------+
#
# Each case runs with loopback_bypass on, with it off (set from the other
# end, at run time) and with veth where that says something: there the
# device-bound ping fails, and everything else works but through lo, so
# the pair's counters stay still. Device-bound IPv6 ping, which needs
# vpair's help at source selection, has its own file,
# vpair_bypass_ipv6_bound.sh.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

COUNT=10
XDP_OBJ=$(dirname "$0")/progs/xdp_count.bpf.o

bypass_ping_device_bound()
{
	local variant=$1
	local name

	name=$(variant_name "$variant" "ping -I vp0 192.0.2.2 and -I vp1 192.0.2.1")
	bypass_setup "$variant" v4
	check_err $? "setup failed"
	pair_snapshot

	if [ "$variant" = on ]; then
		name+=" answered"
		pings "$ns0" $COUNT $ADDR1 -I "$E0"
		check_err $? "ping -I $E0 $ADDR1: not all $COUNT answered"
		pings "$ns0" $COUNT $ADDR0 -I "$E1"
		check_err $? "ping -I $E1 $ADDR0: not all $COUNT answered"
		crossed_pair $((2 * COUNT))
		check_err $? "not all of it crossed the pair: $CROSSED"
	else
		# vp0 cannot even resolve vp1's address: its ARP request
		# comes from a local address, a martian to vp1. And were the
		# request let in, the reply would come back through lo.
		name+=" unanswered"
		ping_fails "$ns0" $ADDR1 -I "$E0"
		check_err $? "ping -I $E0 $ADDR1 got a reply"
		ping_fails "$ns0" $ADDR0 -I "$E1"
		check_err $? "ping -I $E1 $ADDR0 got a reply"
	fi
	martians_still_strict "$ns0" "$E0" "$E1"
	check_err $? "rp_filter/accept_local are no longer 1/0"

	log_test "$name"
}

# A source-bound ping works everywhere; the point is where it goes.
bypass_ping_source_bound()
{
	local variant=$1
	local family=$2
	local name where

	family_addrs "$family"
	[ "$variant" = on ] && where="crosses the pair" || where="goes through lo"
	name=$(variant_name "$variant" "$family ping -I <vp0 addr> <vp1 addr> $where")
	bypass_setup "$variant" v6
	check_err $? "setup failed"
	pair_snapshot

	pings "$ns0" $COUNT "$DST" -I "$SRC"
	check_err $? "ping -I $SRC $DST: not all $COUNT answered"
	if [ "$variant" = on ]; then
		crossed_pair $COUNT
		check_err $? "$CROSSED; expected >= $COUNT each way"
		((DELTA[lo.tx_packets] < COUNT))
		check_err $? "lo still carried ${DELTA[lo.tx_packets]} packets"
		ethtool_stat_ge "$ns0" "$E0" tx_bypass $COUNT &&
			ethtool_stat_ge "$ns0" "$E1" tx_bypass $COUNT
		check_err $? "ethtool -S tx_bypass below $COUNT on $E0 or $E1"
	else
		through_lo $((2 * COUNT))
		check_err $? "$CROSSED; expected lo only"
	fi

	log_test "$name"
}

# bypass_capture VARIANT: tcpdump on vp1 sees the echo requests arrive,
# tcpdump on vp0 the echo replies, IPv4 and IPv6.
bypass_capture()
{
	local variant=$1
	local name want dev kind pids=()
	local -A got filter

	name=$(variant_name "$variant" "tcpdump sees requests arrive on vp1, replies on vp0")
	want=$COUNT
	if [ "$variant" != on ]; then
		name=$(variant_name "$variant" "tcpdump sees no echo on vp0 or vp1")
		want=0
	fi
	bypass_setup "$variant" v6
	check_err $? "setup failed"

	for dev in "$E0" "$E1"; do
		capture_start "$ns0" "$dev" "$TMPDIR_TEST/$dev.txt" -U -Q in \
			-w "$TMPDIR_TEST/$dev.pcap" icmp or icmp6
		check_err $? "tcpdump on $dev did not start"
		pids+=("$CAPTURE_PID")
	done

	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "IPv4 ping: not all $COUNT answered"
	pings "$ns0" $COUNT $ADDR6_1 -I $ADDR6_0
	check_err $? "IPv6 ping: not all $COUNT answered"

	filter[req4]="src $ADDR0 and dst $ADDR1 and icmp[icmptype] == icmp-echo"
	filter[req6]="src $ADDR6_0 and dst $ADDR6_1 and icmp6 and ip6[40] == 128"
	filter[rep4]="src $ADDR1 and dst $ADDR0 and icmp[icmptype] == icmp-echoreply"
	filter[rep6]="src $ADDR6_1 and dst $ADDR6_0 and icmp6 and ip6[40] == 129"
	# the IPv6 exchange came last: once it is in, all is
	if [ "$variant" = on ]; then
		wait_until "$WAIT_TIMEOUT" pcap_at_least $COUNT \
			"$TMPDIR_TEST/$E1.pcap" "${filter[req6]}"
		wait_until "$WAIT_TIMEOUT" pcap_at_least $COUNT \
			"$TMPDIR_TEST/$E0.pcap" "${filter[rep6]}"
	else
		bsleep 1
	fi
	kill -INT "${pids[@]}"
	wait "${pids[@]}"

	for kind in req4 req6; do
		got[$kind]=$(pcap_count "$TMPDIR_TEST/$E1.pcap" "${filter[$kind]}")
	done
	for kind in rep4 rep6; do
		got[$kind]=$(pcap_count "$TMPDIR_TEST/$E0.pcap" "${filter[$kind]}")
	done
	[ "${got[req4]}" = $want ] && [ "${got[req6]}" = $want ] &&
		[ "${got[rep4]}" = $want ] && [ "${got[rep6]}" = $want ]
	check_err $? "$E1 captured ${got[req4]}/${got[req6]} IPv4/IPv6 requests, $E0 ${got[rep4]}/${got[rep6]} replies; expected $want each"

	log_test "$name"
}

# xdp_echo_requests DEV: the IPv4 echo requests the XDP program attached
# to DEV counted (key 1 of its map).
xdp_echo_requests()
{
	local json prog map

	json=$(ip -n "$ns0" -j link show dev "$1")
	[[ $json =~ \"prog\":\{\"id\":([0-9]+) ]] || return 1
	prog=${BASH_REMATCH[1]}
	json=$(bpftool -j prog show id "$prog") || return 1
	[[ $json =~ \"map_ids\":\[([0-9]+) ]] || return 1
	map=${BASH_REMATCH[1]}
	json=$(bpftool -j map lookup id "$map" key 1 0 0 0) || return 1
	# the first plain number: the value as BTF formats it
	[[ $json =~ \"value\":([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

# tc_hits DEV: packets the ingress filter of DEV matched.
tc_hits()
{
	local out

	out=$(tc -n "$ns0" -s filter show dev "$1" ingress)
	[[ $out =~ Sent\ [0-9]+\ bytes\ ([0-9]+)\ pkt ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

# bypass_xdp_tc VARIANT: an XDP program (generic mode) on vp1 counts the
# echo requests, a tc filter on vp0's ingress the echo replies.
bypass_xdp_tc()
{
	local variant=$1
	local name="bypass $variant: XDP on vp1 counts the requests, tc on vp0 the replies"
	local want=$COUNT xdp tc

	if [ "$variant" != on ]; then
		name="bypass $variant: XDP on vp1 and tc on vp0 count no echo"
		want=0
	fi
	bypass_setup "$variant" v4
	check_err $? "setup failed"
	ip -n "$ns0" link set dev "$E1" xdpgeneric obj "$XDP_OBJ" sec xdp
	check_err $? "attaching $XDP_OBJ to $E1 failed"
	defer ip -n "$ns0" link set dev "$E1" xdpgeneric off
	tc -n "$ns0" qdisc add dev "$E0" clsact &&
	tc -n "$ns0" filter add dev "$E0" ingress protocol ip prio 1 u32 \
		match ip protocol 1 0xff match u8 0 0xff at 20 action pass
	check_err $? "adding the tc filter (ICMP echo reply) to $E0 failed"

	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "ping: not all $COUNT answered"

	xdp=$(xdp_echo_requests "$E1")
	check_err $? "cannot read the XDP program's counters"
	tc=$(tc_hits "$E0")
	check_err $? "cannot read the tc filter's counters"
	[ "$xdp" = $want ] && [ "$tc" = $want ]
	check_err $? "XDP counted ${xdp:-?} requests, tc ${tc:-?} replies; expected $want each"

	log_test "$name"
}

# A source and a destination on the same end: the bypass is for traffic
# between the two ends only.
bypass_plain_ping_lo()
{
	local name="bypass on: plain ping <own address> goes through lo, no vpair counter moves"
	local key moved=

	bypass_setup on v4
	check_err $? "setup failed"
	pair_snapshot

	pings "$ns0" $COUNT $ADDR1
	check_err $? "ping $ADDR1: not all $COUNT answered"
	pings "$ns0" $COUNT $ADDR0
	check_err $? "ping $ADDR0: not all $COUNT answered"

	pair_delta
	for key in "${!DELTA[@]}"; do
		[[ $key == lo.* ]] && continue
		[ "${DELTA[$key]}" = 0 ] || moved+=" $key+${DELTA[$key]}"
	done
	[ -z "$moved" ]
	check_err $? "vpair counters moved:$moved"
	((DELTA[lo.tx_packets] >= 4 * COUNT))
	check_err $? "lo carried ${DELTA[lo.tx_packets]} packets, expected >= $((4 * COUNT))"
	ethtool_stat_ge "$ns0" "$E0" tx_bypass 1 || ethtool_stat_ge "$ns0" "$E1" tx_bypass 1
	check_fail $? "ethtool -S: tx_bypass moved"

	log_test "$name"
}

require_root
require_cmd ip ping sysctl ethtool tc tcpdump
require_kind

if [ "$KIND" = vpair ]; then
	run_test bypass_ping_device_bound on
	run_test bypass_ping_device_bound off
fi
run_test bypass_ping_device_bound veth

for family in IPv4 IPv6; do
	[ "$KIND" = vpair ] && run_test bypass_ping_source_bound on $family
	[ "$KIND" = vpair ] && run_test bypass_ping_source_bound off $family
	run_test bypass_ping_source_bound veth $family
done

if [ "$KIND" = vpair ]; then
	run_test bypass_capture on
	run_test bypass_capture off
fi
run_test bypass_capture veth

if [ "$KIND" != vpair ]; then
	log_test_skip "bypass: XDP and tc count the exchange" "vpair only"
elif ! command -v bpftool >/dev/null; then
	log_test_skip "bypass: XDP and tc count the exchange" "bpftool not found"
elif [ ! -e "$XDP_OBJ" ]; then
	log_test_skip "bypass: XDP and tc count the exchange" \
		"$XDP_OBJ not built (make -C selftests)"
else
	run_test bypass_xdp_tc on
	run_test bypass_xdp_tc off
fi

[ "$KIND" = vpair ] && run_test bypass_plain_ping_lo

exit "$(exit_status)"
