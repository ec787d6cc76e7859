#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# loopback_bypass at run time: the cable pulled and plugged, the option
# turned off under a TCP transfer, an end moved to another namespace and
# back, the pair deleted and the module unloaded under bypass traffic.
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
#   the second namespace, for the move: vp1 goes there, and the pair is
#   an ordinary link between two hosts (vpair is veth across namespaces)

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

COUNT=10
TCP_BYTES=$((10 * MiB))

# A pulled cable carries nothing: the host's own traffic goes back to lo
# until the cable is plugged in again.
bypass_carrier()
{
	local name="bypass on: with the cable pulled, traffic goes through lo; plugged, the pair"

	bypass_setup on v4
	check_err $? "setup failed"

	ip -n "$ns0" link set "$E0" carrier off
	check_err $? "ip link set $E0 carrier off failed"
	wait_until "$WAIT_TIMEOUT" eval '! link_has_carrier "$ns0" "$E1"'
	check_err $? "$E1 kept its carrier"
	pair_snapshot
	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "cable pulled: ping -I $ADDR0 $ADDR1 not answered"
	through_lo $((2 * COUNT))
	check_err $? "cable pulled: $CROSSED; expected lo only"

	ip -n "$ns0" link set "$E0" carrier on
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" "$E1"
	check_err $? "$E1 got no carrier back"
	pair_snapshot
	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "cable plugged: ping -I $ADDR0 $ADDR1 not answered"
	crossed_pair $COUNT
	check_err $? "cable plugged: $CROSSED; expected the pair"

	log_test "$name"
}

# Off in the middle of a TCP transfer: the connection lives on, over lo.
bypass_off_during_tcp()
{
	local name="bypass: turned off during a TCP transfer, it finishes intact over lo"
	local half=$((4 * MiB))

	bypass_setup on v4
	check_err $? "setup failed"
	pair_snapshot

	tcp_transfer $ADDR0 $ADDR1 $TCP_BYTES --pause-at $half \
		--paused "$TMPDIR_TEST/paused" --resume "$TMPDIR_TEST/resume"
	wait_until 120 test -e "$TMPDIR_TEST/paused"
	check_err $? "the sender never reached its pause: $(<"$TMPDIR_TEST/send.txt")"
	pair_delta
	((DELTA[$E0.tx_bytes] >= half))
	check_err $? "before the switch $E0 sent ${DELTA[$E0.tx_bytes]} bytes, expected >= $half"

	set_bypass off
	check_err $? "ip link set $E1 type vpair loopback_bypass off failed"
	touch "$TMPDIR_TEST/resume"
	tcp_transfer_wait
	check_err $? "transfer failed or damaged: $TRANSFER"

	pair_delta
	((DELTA[lo.tx_bytes] >= TCP_BYTES - half && DELTA[$E0.tx_bytes] < MiB))
	check_err $? "after the switch lo carried ${DELTA[lo.tx_bytes]} bytes, $E0 ${DELTA[$E0.tx_bytes]}"

	log_test "$name"
}

# Across namespaces vpair is veth: moving an end out ends the bypass,
# moving it back (addresses are flushed by a move) restores it.
bypass_netns_move()
{
	local name="bypass: moving vp1 to another netns ends it, moving it back restores it"
	local bypassed

	bypass_setup on v4
	check_err $? "setup failed"
	setup_ns ns1
	check_err $? "setup of the second namespace failed"

	ip -n "$ns0" link set "$E1" netns "$ns1" &&
	ipb "$ns1" <<-EOF
		addr add $ADDR1/24 dev $E1
		link set $E1 up
	EOF
	check_err $? "moving $E1 to the second namespace failed"
	ip -n "$ns0" link set "$E0" up
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" "$E0"
	check_err $? "no carrier across the namespaces"
	ip -n "$ns1" -d link show dev "$E1" | grep -q "loopback_bypass on"
	check_err $? "$E1 no longer reports loopback_bypass on"

	# ordinary traffic between two hosts now: no bypass, no hairpin
	bypassed=$(ethtool_stat "$ns0" "$E0" tx_bypass)
	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "ping from $ns0 to $ns1 not answered"
	[ "$(ethtool_stat "$ns0" "$E0" tx_bypass)" = "$bypassed" ]
	check_err $? "$E0 still bypassed lo towards another namespace"

	ip -n "$ns1" link set "$E1" netns "$ns0" &&
	ipb "$ns0" <<-EOF
		addr add $ADDR1/24 dev $E1
		link set $E1 up
	EOF
	check_err $? "moving $E1 back failed"
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" "$E1"
	check_err $? "no carrier after moving back"
	pair_snapshot
	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "moved back: ping -I $ADDR0 $ADDR1 not answered"
	crossed_pair $COUNT
	check_err $? "moved back: $CROSSED; expected the pair"
	ethtool_stat_ge "$ns0" "$E0" tx_bypass $((bypassed + COUNT))
	check_err $? "moved back: ethtool -S $E0 tx_bypass did not move"

	log_test "$name"
}

# bypass_traffic_start: a TCP stream and a ping flood between the two
# ends, until the case ends; returns once they cross the pair. 200
# packets show that both flow through the bypass; the debug kernel under
# TCG bypasses fewer than 2000 in WAIT_TIMEOUT's 30 s (1728 and 1953 seen).
bypass_traffic_start()
{
	tcp_transfer $ADDR0 $ADDR1 $MiB --duration 600
	nsexec "$ns0" ping -q -f -I $ADDR0 $ADDR1 >/dev/null 2>&1 &
	defer kill $!
	wait_until "$WAIT_TIMEOUT" ethtool_stat_ge "$ns0" "$E0" tx_bypass 200
}

# bypass_pulled_away delete|unload: the pair goes away under bypass
# traffic (ip link del, or modprobe -r), within a minute and with nothing
# in the kernel log.
bypass_pulled_away()
{
	local how=$1
	local name cmd

	if [ "$how" = delete ]; then
		name="bypass: deleting the pair during bypass traffic, kernel log clean"
	else
		name="bypass: unloading the module during bypass traffic, kernel log clean"
	fi
	bypass_setup on v4
	check_err $? "setup failed"
	bypass_traffic_start
	check_err $? "no bypass traffic: $(ethtool_stat "$ns0" "$E0" tx_bypass) packets"

	klog_mark
	if [ "$how" = delete ]; then
		cmd="ip link del $E0"
		timeout 60 ip -n "$ns0" link del "$E0"
	else
		cmd="modprobe -r vpair"
		timeout 60 modprobe -r vpair
	fi
	check_err $? "'$cmd' failed or hung"
	link_gone "$ns0" "$E0" && link_gone "$ns0" "$E1"
	check_err $? "an end survived '$cmd'"
	# let what was in flight drain and be freed
	bsleep 1
	klog_clean
	check_err $? "the kernel logged: $KLOG_BAD_LINES"

	log_test "$name"
}

require_root
require_cmd ip ping python3 sysctl ethtool timeout
require_kind
[ "$KIND" = vpair ] || skip_all "vpair only (KIND=$KIND)"

run_test bypass_carrier
run_test bypass_off_during_tcp
run_test bypass_netns_move
run_test bypass_pulled_away delete

if ! modprobe -n -q -r vpair 2>/dev/null; then
	log_test_skip "bypass: unloading the module during bypass traffic" \
		"vpair cannot be unloaded with modprobe -r"
else
	# whatever happens, the module is loaded for the tests after this
	defer modprobe -q vpair
	run_test bypass_pulled_away unload
fi

exit "$(exit_status)"
