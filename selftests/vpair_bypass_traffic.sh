#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# loopback_bypass: TCP and UDP between an address of one end and an
# address of the other end arrive intact and cross the pair.
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
# end, at run time) and with veth: without the bypass the same transfers
# work, through lo, and the pair carries none of it.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

COUNT=10
# "at least 10 MB" of the issue
TCP_BYTES=$((10 * MiB))

bypass_tcp()
{
	local variant=$1
	local family=$2
	local where name

	family_addrs "$family"
	[ "$variant" = on ] && where="crosses the pair" || where="goes through lo"
	name=$(variant_name "$variant" "$family TCP, $((TCP_BYTES / MiB)) MiB intact, $where")
	bypass_setup "$variant" v6
	check_err $? "setup failed"
	pair_snapshot

	tcp_transfer "$SRC" "$DST" $TCP_BYTES
	tcp_transfer_wait
	check_err $? "transfer failed or damaged: $TRANSFER"

	pair_delta
	if [ "$variant" = on ]; then
		((DELTA[$E0.tx_bytes] >= TCP_BYTES &&
		  DELTA[$E1.rx_bytes] >= TCP_BYTES))
		check_err $? "$E0 sent ${DELTA[$E0.tx_bytes]}, $E1 received ${DELTA[$E1.rx_bytes]} bytes; expected >= $TCP_BYTES"
		((DELTA[$E1.tx_packets] > 0 && DELTA[$E0.rx_packets] > 0))
		check_err $? "no ACKs came back over the pair"
		((DELTA[lo.tx_bytes] < MiB))
		check_err $? "lo still carried ${DELTA[lo.tx_bytes]} bytes"
	else
		((DELTA[lo.tx_bytes] >= TCP_BYTES && DELTA[$E0.tx_bytes] < MiB))
		check_err $? "lo carried ${DELTA[lo.tx_bytes]} bytes, $E0 ${DELTA[$E0.tx_bytes]}"
	fi

	log_test "$name"
}

bypass_udp()
{
	local variant=$1
	local name family out where

	[ "$variant" = on ] && where="cross the pair" || where="go through lo"
	name=$(variant_name "$variant" "UDP datagrams vp0 addr -> vp1 addr arrive and $where")
	bypass_setup "$variant" v6
	check_err $? "setup failed"
	pair_snapshot

	for family in IPv4 IPv6; do
		family_addrs $family
		out=$(nsexec "$ns0" "$VPAIR_PKT" udp "$SRC" "$DST" --count $COUNT)
		check_err $? "$family: $out"
	done
	pair_delta
	if [ "$variant" = on ]; then
		((DELTA[$E0.tx_packets] >= 2 * COUNT &&
		  DELTA[$E1.rx_packets] >= 2 * COUNT))
		check_err $? "$E0 sent ${DELTA[$E0.tx_packets]}, $E1 received ${DELTA[$E1.rx_packets]} packets; expected >= $((2 * COUNT))"
	else
		((DELTA[lo.tx_packets] >= 2 * COUNT && DELTA[$E0.tx_packets] < COUNT))
		check_err $? "lo carried ${DELTA[lo.tx_packets]} packets, $E0 ${DELTA[$E0.tx_packets]}"
	fi

	log_test "$name"
}

require_root
require_cmd ip python3 sysctl
require_kind

for family in IPv4 IPv6; do
	[ "$KIND" = vpair ] && run_test bypass_tcp on $family
	[ "$KIND" = vpair ] && run_test bypass_tcp off $family
done
run_test bypass_tcp veth IPv4

if [ "$KIND" = vpair ]; then
	run_test bypass_udp on
	run_test bypass_udp off
fi
run_test bypass_udp veth

exit "$(exit_status)"
