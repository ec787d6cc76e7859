#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hairpin delivery trusts only frames built on this host. With the
# sending end a bridge port, a frame that another host sends through the
# bridge with the host's own address as its source is a martian on the
# receiving end like on any interface: not delivered, and its ARP request
# gets no answer. The host's own frames, written into the same end with a
# packet socket, still are.
#
#   ns0, the host: hairpin on                      ns1, another host
#   br0 198.51.100.1 [ports vp0, va]   va <=veth=> vb 198.51.100.9
#   vp1 192.0.2.2 (peer of vp0)
#
# The other host forges frames from 198.51.100.1 (br0's address, local to
# ns0) to 192.0.2.2, sent to vp1's MAC; the bridge floods or forwards
# them out of vp0, into the pair.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

HOST_ADDR=198.51.100.1
VP1_ADDR=192.0.2.2
COUNT=3

spoof_setup()
{
	setup_ns ns0 ns1 || return
	strict_martians "$ns0" || return
	ip -n "$ns0" link add vp0 type vpair hairpin on peer name vp1 &&
		ip -n "$ns0" link add va type veth peer name vb netns "$ns1" ||
		return
	ipb "$ns0" <<-EOF || return
		link add br0 type bridge
		link set vp0 master br0
		link set va master br0
		addr add $HOST_ADDR/24 dev br0
		addr add $VP1_ADDR/24 dev vp1
		link set br0 up
		link set vp0 up
		link set va up
		link set vp1 up
	EOF
	ipb "$ns1" <<-EOF || return
		addr add 198.51.100.9/24 dev vb
		link set vb up
	EOF
	VP1_MAC=$(mac_of "$ns0" vp1) && VB_MAC=$(mac_of "$ns1" vb) &&
		VP0_MAC=$(mac_of "$ns0" vp0) || return
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" vp1 &&
		wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns1" vb
}

# listen_start: a UDP socket on vp1's address counts what arrives.
listen_start()
{
	rm -f "$TMPDIR_TEST/ready"
	ip netns exec "$ns0" "$VPAIR_PKT" listen $VP1_ADDR --count $COUNT \
		--timeout 4 --ready "$TMPDIR_TEST/ready" >"$TMPDIR_TEST/listen.txt" 2>&1 &
	LISTEN_PID=$!
	defer kill "$LISTEN_PID"
	wait_until "$WAIT_TIMEOUT" test -e "$TMPDIR_TEST/ready"
}

listen_result()
{
	wait "$LISTEN_PID"
	LISTENED=$(<"$TMPDIR_TEST/listen.txt")
}

spoof_udp_bridged()
{
	spoof_setup
	check_err $? "set-up failed"
	listen_start
	check_err $? "listener did not start"

	nsexec "$ns1" "$VPAIR_PKT" send vb "$VB_MAC" "$VP1_MAC" $HOST_ADDR \
		$VP1_ADDR --count $COUNT >/dev/null
	check_err $? "sending the forged frames failed"
	listen_result
	[ "$LISTENED" = "received 0" ]
	check_err $? "forged frames from $HOST_ADDR bridged into vp0 were delivered on vp1: $LISTENED"

	log_test "hairpin spoof: another host's frames with the host's source are not delivered"
}

spoof_arp_bridged()
{
	local cap=$TMPDIR_TEST/arp.txt replies

	spoof_setup
	check_err $? "set-up failed"
	capture_start "$ns1" vb "$cap" arp
	check_err $? "tcpdump did not start"

	nsexec "$ns1" "$VPAIR_PKT" arp vb "$VB_MAC" $HOST_ADDR $VP1_ADDR \
		--count $COUNT >/dev/null
	check_err $? "sending the forged ARP requests failed"
	wait_until "$WAIT_TIMEOUT" eval "[ \$(grep -c 'Request who-has' '$cap') -ge $COUNT ] ||
		[ \$(grep -c 'Reply $VP1_ADDR' '$cap') -ge 1 ]"
	bsleep 1
	capture_stop
	replies=$(grep -c "Reply $VP1_ADDR" "$cap")
	[ "$replies" = 0 ]
	check_err $? "$replies ARP replies for $VP1_ADDR to a request from $HOST_ADDR that another host forged"
	ethtool_get "$ns0" vp1 tx_hairpin_arp
	[ "$ETHTOOL_VAL" = 0 ]
	check_err $? "vp1's tx_hairpin_arp is ${ETHTOOL_VAL:-?}"

	log_test "hairpin spoof: another host's ARP request from the host's address gets no answer"
}

# The control: the same frame, written into vp0 by the host itself.
spoof_own_frames()
{
	spoof_setup
	check_err $? "set-up failed"

	nsout "$ns0" "$VPAIR_PKT" inject vp0 "$VP0_MAC" "$VP1_MAC" $HOST_ADDR \
		$VP1_ADDR --count $COUNT
	check_err $? "the host's own frames into vp0: $OUT"

	log_test "hairpin spoof: the host's own frames into the bridge port vp0 are delivered"
}

require_root
require_cmd python3 tcpdump ethtool
require_kind
[ "$KIND" = vpair ] || skip_all "vpair only (KIND=$KIND)"

run_test spoof_udp_bridged
run_test spoof_arp_bridged
run_test spoof_own_frames

exit "$(exit_status)"
