#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MTU: 68..65535 on each end on its own; a frame bigger than the
# receiver's MTU is dropped and counted on the sending end.

source "$(dirname "$0")"/lib.sh

mtu_range()
{
	local name="mtu: 68..65535 per end, 67 and 65536 refused"
	local mtu

	setup_ns ns0 || return
	link_add "$ns0" vp0 vp1
	check_err $? "ip link add failed"

	for mtu in 68 65535 9000; do
		ip -n "$ns0" link set vp0 mtu $mtu
		check_err $? "mtu $mtu refused"
	done
	for mtu in 67 65536; do
		ip -n "$ns0" link set vp0 mtu $mtu 2>/dev/null
		check_fail $? "mtu $mtu accepted"
	done
	link_json "$ns0" vp0 && json_is mtu 9000
	check_err $? "a refused mtu changed vp0's mtu"
	link_json "$ns0" vp1 && json_is mtu 1500
	check_err $? "vp0's mtu changed vp1's"

	log_test "$name"
}

mtu_oversize_dropped()
{
	local name="mtu: frame above the receiver's mtu dropped, counted"
	local tx_dropped before_rx count=5

	setup_ns ns0 ns1 || return
	link_add "$ns0" vp0 vp1 netns "$ns1" mtu 1280
	check_err $? "ip link add failed"
	# No IPv6 link-local addresses: their DAD, router and MLD chatter
	# would move vp1's rx_packets while the oversize pings are counted.
	ip -n "$ns0" link set vp0 addrgenmode none &&
		ip -n "$ns1" link set vp1 addrgenmode none
	check_err $? "addrgenmode none failed"
	ends_up

	ping_ok "$ns0" 192.0.2.2 -s 1000
	check_err $? "no ping with frames below both mtus"

	link_stats "$ns0" vp0
	tx_dropped=${STATS[tx_dropped]}
	link_stats "$ns1" vp1
	before_rx=${STATS[rx_packets]}

	# 1428-byte IP packets: fine for vp0 (1500), too big for vp1 (1280).
	! nsexec "$ns0" ping -q -n -c $count -i 0.1 -W 1 -M 'do' -s 1400 \
		192.0.2.2 >/dev/null 2>&1
	check_err $? "oversize ping got a reply"

	link_stats "$ns0" vp0
	((STATS[tx_dropped] - tx_dropped >= count))
	check_err $? "vp0 tx_dropped moved by $((STATS[tx_dropped] - tx_dropped)), expected >= $count"
	link_stats "$ns1" vp1
	((STATS[rx_packets] - before_rx < count))
	check_err $? "vp1 received the oversize frames"

	if [ "$KIND" = vpair ]; then
		ethtool_stat_ge "$ns0" vp0 tx_dropped_mtu $count
		check_err $? "ethtool -S vp0 tx_dropped_mtu below $count"
	fi

	log_test "$name"
}

require_root
require_cmd ip ping ethtool
require_kind

run_test mtu_range
run_test mtu_oversize_dropped

exit "$(exit_status)"
