#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counters: each end counts what it sends and receives (ip -s link), and
# ethtool tells the driver, the peer's ifindex and the drop counters.

source "$(dirname "$0")"/lib.sh

stats_follow_traffic()
{
	local name="stats: each end counts the packets it sent and received"
	local count=10
	# an echo request or reply of ping's default size, Ethernet header
	# included
	local frame=98
	local -A vp0 vp1
	local key

	setup_pair
	check_err $? "setup failed"
	# the first ping resolves the neighbour, outside the counted window
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping"

	link_stats "$ns0" vp0
	for key in "${!STATS[@]}"; do vp0[$key]=${STATS[$key]}; done
	link_stats "$ns1" vp1
	for key in "${!STATS[@]}"; do vp1[$key]=${STATS[$key]}; done

	nsout "$ns0" ping -q -n -c $count -i 0.05 -W "$PING_TIMEOUT" 192.0.2.2
	[[ $OUT == *" $count received"* ]]
	check_err $? "not all of $count echo requests answered"

	link_stats "$ns0" vp0
	((STATS[tx_packets] - vp0[tx_packets] >= count &&
	  STATS[rx_packets] - vp0[rx_packets] >= count))
	check_err $? "vp0 tx/rx packets moved by $((STATS[tx_packets] - vp0[tx_packets]))/$((STATS[rx_packets] - vp0[rx_packets])), expected >= $count"
	((STATS[tx_bytes] - vp0[tx_bytes] >= count * frame &&
	  STATS[rx_bytes] - vp0[rx_bytes] >= count * frame))
	check_err $? "vp0 tx/rx bytes moved less than $((count * frame))"

	link_stats "$ns1" vp1
	((STATS[rx_packets] - vp1[rx_packets] >= count &&
	  STATS[tx_packets] - vp1[tx_packets] >= count))
	check_err $? "vp1 rx/tx packets moved by $((STATS[rx_packets] - vp1[rx_packets]))/$((STATS[tx_packets] - vp1[tx_packets])), expected >= $count"
	((STATS[rx_bytes] - vp1[rx_bytes] >= count * frame &&
	  STATS[tx_bytes] - vp1[tx_bytes] >= count * frame))
	check_err $? "vp1 rx/tx bytes moved less than $((count * frame))"
	((STATS[rx_dropped] == vp1[rx_dropped]))
	check_err $? "vp1 dropped packets of a clean exchange"

	log_test "$name"
}

stats_ethtool()
{
	local name="stats: ethtool -i driver, ethtool -S peer_ifindex"
	local idx0 idx1 counter

	setup_pair
	check_err $? "setup failed"
	link_ifindex "$ns0" vp0
	idx0=$IFINDEX
	link_ifindex "$ns1" vp1
	idx1=$IFINDEX

	nsout "$ns0" ethtool -i vp0 && [[ $OUT == "driver: $KIND"$'\n'* ]]
	check_err $? "ethtool -i vp0 does not say driver: $KIND"

	ethtool_get "$ns0" vp0 peer_ifindex && [ "$ETHTOOL_VAL" = "$idx1" ]
	check_err $? "ethtool -S vp0 peer_ifindex is not $idx1"
	ethtool_get "$ns1" vp1 peer_ifindex && [ "$ETHTOOL_VAL" = "$idx0" ]
	check_err $? "ethtool -S vp1 peer_ifindex is not $idx0"

	if [ "$KIND" = vpair ]; then
		for counter in tx_dropped_mtu tx_dropped_peer_down; do
			ethtool_get "$ns0" vp0 $counter
			check_err $? "ethtool -S vp0 has no $counter"
		done
	fi

	log_test "$name"
}

# A frame for a down peer: the sender loses carrier with its peer, and
# the stack then hands its frames to the noop qdisc, which drops them
# before the driver sees them. What a user can check is that nothing
# reaches the down end.
stats_peer_down()
{
	local name="stats: nothing reaches a down peer"
	local rx

	setup_pair
	check_err $? "setup failed"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping with both ends up"

	ip -n "$ns1" link set vp1 down
	link_stats "$ns1" vp1
	rx=${STATS[rx_packets]}
	ping_fails "$ns0" 192.0.2.2
	check_err $? "ping to a down peer got a reply"
	link_stats "$ns1" vp1
	((STATS[rx_packets] == rx))
	check_err $? "the down end vp1 received packets"

	log_test "$name"
}

require_root
require_cmd ip ping ethtool
require_kind

run_test stats_follow_traffic
run_test stats_ethtool
run_test stats_peer_down

exit "$(exit_status)"
