#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# loopback_bypass, as the receiving socket sees it: the host's own
# packet arrives on the receiving end as it would from a wire, not from
# lo. A server bound to vp1 accepts a client bound to vp0, IP_PKTINFO and
# IPV6_PKTINFO name vp1, and the receive timestamp of a bypassed packet
# is the receiver's own, not the time the sender asked the packet to
# leave (SO_TXTIME).
#
#   one namespace, loopback_bypass on
#   vp0 192.0.2.1 2001:db8::1  ------>  vp1 192.0.2.2 2001:db8::2
#   client bound to vp0                 server bound to vp1

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

VPAIR_SOCK=$(dirname "$0")/vpair_sock.py

# bypassed_since: the pair's tx_bypass counter moved since bypass_mark.
bypass_mark()
{
	ethtool_get "$ns0" "$E0" tx_bypass && BYPASS0=$ETHTOOL_VAL
}

bypassed_since()
{
	ethtool_get "$ns0" "$E0" tx_bypass && [ "$ETHTOOL_VAL" -gt "$BYPASS0" ]
}

socket_bound_tcp()
{
	local family=$1

	family_addrs "$family"
	onehost_setup vpair v6 loopback_bypass on
	check_err $? "setup failed"
	pair_snapshot

	# Bound to its end, each side is routed out of that end (a route
	# through lo would not match the device), and hairpin delivers it.
	nsout "$ns0" "$VPAIR_SOCK" bound-tcp "$E1" "$DST" "$E0" "$SRC" 5301
	check_err $? "$OUT"
	crossed_pair 2
	check_err $? "the connection did not cross the pair: $CROSSED"

	log_test "bypass socket: $family TCP server bound to $E1 accepts a client bound to $E0"
}

socket_pktinfo()
{
	local family=$1

	family_addrs "$family"
	onehost_setup vpair v6 loopback_bypass on
	check_err $? "setup failed"

	nsout "$ns0" "$VPAIR_SOCK" pktinfo "$SRC" "$DST" --bind "$E0"
	check_err $? "$OUT"
	[ "$OUT" = "$E1" ]
	check_err $? "the receiver's pktinfo names '$OUT', expected $E1"

	log_test "bypass socket: $family pktinfo of a datagram from a socket bound to $E0 names $E1"
}

socket_rx_tstamp()
{
	local family=$1 skew

	family_addrs "$family"
	onehost_setup vpair v6 loopback_bypass on
	check_err $? "setup failed"
	bypass_mark

	nsout "$ns0" "$VPAIR_SOCK" rx-tstamp "$SRC" "$DST"
	check_err $? "$OUT"
	skew=${OUT#skew }
	[ "${skew%.*}" -lt 10 ] 2>/dev/null
	check_err $? "the receive timestamp is ${skew}s away from the receiver's clock (the sender's SO_TXTIME is 1000s ahead)"
	bypassed_since
	check_err $? "the datagram did not cross the pair"

	log_test "bypass socket: $family receive timestamp is the receiver's, not the sender's SO_TXTIME"
}

require_root
require_cmd python3 ethtool
require_kind
[ "$KIND" = vpair ] || skip_all "vpair only (KIND=$KIND)"

for family in IPv4 IPv6; do
	run_test socket_bound_tcp $family
	run_test socket_pktinfo $family
	run_test socket_rx_tstamp $family
done

exit "$(exit_status)"
