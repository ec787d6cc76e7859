#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Native XDP on an end: attached in driver mode (not generic), each
# action a program can take on the frames the end receives, the per-queue
# XDP counters of ethtool -S, the xdp_exception tracepoint, multi-buffer
# frames and what the queues and the MTU must be for a program to attach.
#
#   ns0                               ns1
#   +------------------+              +--------------------------------+
#   | vp0 192.0.2.1/24 | ===========> | vp1 192.0.2.2/24               |
#   |                  |   echo req   | XDP (progs/xdp_act.bpf.o):     |
#   |  ping            | <=========== |  PASS DROP TX ABORTED          |
#   +------------------+  reply, or   |  counts what it saw in a map   |
#                         XDP_TX back +--------------------------------+
#
# The program's action applies to echo requests only (ARP passes), so
# every echo request of a ping is a frame it acted on. Redirects are in
# vpair_xdp_redirect.sh, the host's own traffic with loopback_bypass in
# vpair_xdp_bypass.sh. With KIND=veth the same cases run on veth, which
# needs a program on the sending end too for XDP_TX to deliver there.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh
source "$(dirname "$0")"/lib_xdp.sh

# link_xdp_shown NS DEV: ip says DEV has a program in driver mode: the
# JSON mode is 1 (XDP_ATTACHED_DRV), and ip -d link show prints "xdp"
# (not "xdpgeneric") and "prog/xdp id N" with N the program's id.
link_xdp_shown()
{
	local out

	xdp_prog_id "$1" "$2" || { XDP_WHY="no program"; return 1; }
	out=$(ip -n "$1" -d link show dev "$2")
	XDP_WHY="ip -j says mode $XDP_MODE; ip -d: ${out//$'\n'/ }"
	[ "$XDP_MODE" = 1 ] && [[ $out == *" xdp "* ]] &&
		[[ $out != *xdpgeneric* ]] &&
		[[ $out =~ prog/xdp\ id\ $XDP_PROG([^0-9]|$) ]]
}

xdp_attach_modes()
{
	local name="native XDP: xdpdrv and xdp attach in driver mode on either end"
	local ns dev mode

	setup_pair
	check_err $? "setup failed"

	for dev in vp1 vp0; do
		ns=$ns1
		[ $dev = vp0 ] && ns=$ns0
		for mode in xdpdrv xdp; do
			xdp_attach "$ns" $dev $mode xdp
			check_err $? "ip link set $dev $mode obj ... failed: $XDP_ERR"
			link_xdp_shown "$ns" $dev
			check_err $? "$dev after $mode: $XDP_WHY"
			xdp_detach "$ns" $dev
			check_err $? "ip link set $dev xdp off failed"
			! xdp_prog_id "$ns" $dev
			check_err $? "$dev still has a program after xdp off"
		done
	done

	# a program on each end at once, and traffic through both
	xdp_attach "$ns0" vp0 xdpdrv xdp && xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "a program on both ends: $XDP_ERR"
	ping_n "$ns0" $COUNT 192.0.2.2
	check_err $? "ping with XDP_PASS on both ends: $PING_RECEIVED of $COUNT answered"

	log_test "$name"
}

xdp_pass()
{
	local name="XDP_PASS: ping answered, program and rx_queue_0_xdp_* count it"

	setup_pair
	check_err $? "setup failed"
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attaching to vp1 failed: $XDP_ERR"
	eth_snap "$ns1" vp1

	ping_n "$ns0" $COUNT 192.0.2.2
	check_err $? "$PING_RECEIVED of $COUNT echo requests answered"

	xdp_cnt_of "$ns1" vp1 $CNT_ICMP_ECHO
	check_err $? "cannot read the program's map"
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program counted ${XDP_CNT:-?} echo requests, expected >= $COUNT"
	eth_delta "$ns1" vp1
	eth_moved rx_queue_0_xdp_packets $COUNT
	check_err $? "$ETH_MSG"
	# each echo request is 98 bytes on the wire without its FCS
	eth_moved rx_queue_0_xdp_bytes $((COUNT * 98))
	check_err $? "$ETH_MSG"
	eth_still rx_queue_0_xdp_drops
	check_err $? "$ETH_MSG"

# A VLAN device above an end leaves its tag out of the frame, for the
# device to add (vpair, like a NIC, takes it out of band): the program
# sees the frame without it, and what it passes must get it back. The
# echo requests are copied for the program (see xdp_page_pool below).
xdp_pass_vlan()
{
	local name="XDP_PASS: VLAN 100 above both ends still answers"
	local i ns

	setup_pair
	check_err $? "setup failed"
	for i in 0 1; do
		ns=$ns0
		[ $i = 1 ] && ns=$ns1
		ipb "$ns" <<-EOF
			link add link vp$i name vp$i.100 type vlan id 100
			addr add 198.51.100.$((i + 1))/24 dev vp$i.100
			link set vp$i.100 up
		EOF
		check_err $? "VLAN 100 on vp$i failed"
	done
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attaching to vp1 failed: $XDP_ERR"

	ping_n "$ns0" $COUNT 198.51.100.2
	check_err $? "over VLAN 100: $PING_RECEIVED of $COUNT echo requests answered"
	xdp_cnt_of "$ns1" vp1 $CNT_ICMP_ECHO
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program counted ${XDP_CNT:-?} echo requests, expected >= $COUNT"

	log_test "$name"
}

# The echo requests the host's ping builds have a head XDP may not write
# (the stack allocated it whole, not from a page): each is copied into a
# page of the receiving queue's page pool, which the frame's skb gives
# back when it is freed. Kernels with CONFIG_PAGE_POOL_STATS (not
# Debian's 6.1) show that in ethtool -S, as rx_pp_*; veth does the same.
xdp_page_pool()
{
	local name="page_pool: XDP's copies come from the queue's pool and go back (rx_pp_*)"
	local allocs recycled

	setup_pair
	check_err $? "setup failed"
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attaching to vp1 failed: $XDP_ERR"
	eth_read "$ns1" vp1
	if [ -z "${ETHN[rx_pp_alloc_fast]+set}" ]; then
		log_test_skip "$name" "no page pool statistics in ethtool -S (CONFIG_PAGE_POOL_STATS)"
		return 0
	fi
	eth_snap "$ns1" vp1

	ping_n "$ns0" $COUNT 192.0.2.2
	check_err $? "$PING_RECEIVED of $COUNT echo requests answered"

	eth_delta "$ns1" vp1
	allocs=$((ETHD[rx_pp_alloc_fast] + ETHD[rx_pp_alloc_slow]))
	((allocs >= COUNT))
	check_err $? "rx_pp_alloc_fast + _slow moved by $allocs, expected >= $COUNT"
	recycled=$((ETHD[rx_pp_recycle_cached] + ETHD[rx_pp_recycle_ring]))
	((recycled >= 1))
	check_err $? "rx_pp_recycle_cached + _ring moved by $recycled: no page went back"

	log_test "$name"
}

	log_test "$name"
}

xdp_drop()
{
	local name="XDP_DROP: ping unanswered, rx_queue_0_xdp_drops counts it"

	setup_pair
	check_err $? "setup failed"
	xdp_attach "$ns1" vp1 xdpdrv xdp && xdp_act "$ns1" vp1 $ACT_DROP
	check_err $? "attaching to vp1 and setting XDP_DROP failed: $XDP_ERR"
	eth_snap "$ns1" vp1

	ping_n "$ns0" $COUNT 192.0.2.2
	[ "$PING_RECEIVED" = 0 ]
	check_err $? "$PING_RECEIVED of $COUNT echo requests answered through XDP_DROP"

	xdp_cnt $CNT_ICMP_ECHO
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program saw ${XDP_CNT:-?} echo requests, expected >= $COUNT"
	eth_delta "$ns1" vp1
	eth_moved rx_queue_0_xdp_drops $COUNT
	check_err $? "$ETH_MSG"

	# and the same pair passes again once the program is gone
	xdp_detach "$ns1" vp1
	ping_n "$ns0" 1 192.0.2.2
	check_err $? "no reply once the program was detached"

	log_test "$name"
}

xdp_tx()
{
	local name="XDP_TX: echo requests go back out of vp1 and arrive on vp0"
	local cap=$TMPDIR_TEST/vp0.pcap got
	local filter="src 192.0.2.1 and dst 192.0.2.2 and icmp[icmptype] == icmp-echo"

	setup_pair
	check_err $? "setup failed"
	# veth hands an XDP_TX frame to the other end's NAPI, which runs
	# only while that end has a program of its own; vpair needs none
	if [ "$KIND" = veth ]; then
		xdp_attach "$ns0" vp0 xdpdrv xdp
		check_err $? "attaching XDP_PASS to vp0 (veth) failed: $XDP_ERR"
	fi
	xdp_attach "$ns1" vp1 xdpdrv xdp && xdp_act "$ns1" vp1 $ACT_TX
	check_err $? "attaching to vp1 and setting XDP_TX failed: $XDP_ERR"
	capture_start "$ns0" vp0 "$TMPDIR_TEST/vp0.txt" -U -Q in -w "$cap" icmp
	check_err $? "tcpdump on vp0 did not start"
	eth_snap "$ns1" vp1
	stats_snap "$ns0" vp0

	# The frame comes back as it was sent, to vp1's MAC: vp0 takes it
	# for another host's and drops it, so no reply.
	ping_n "$ns0" $COUNT 192.0.2.2
	[ "$PING_RECEIVED" = 0 ]
	check_err $? "$PING_RECEIVED of $COUNT echo requests answered through XDP_TX"

	wait_until "$WAIT_TIMEOUT" pcap_at_least $COUNT "$cap" "$filter"
	capture_stop
	got=$(pcap_count "$cap" "$filter")
	[ "$got" -ge $COUNT ]
	check_err $? "tcpdump saw $got echo requests arrive on vp0, expected >= $COUNT"
	stats_delta "$ns0" vp0
	((SD[rx_packets] >= COUNT))
	check_err $? "vp0 rx_packets moved by ${SD[rx_packets]}, expected >= $COUNT"
	eth_delta "$ns1" vp1
	eth_moved rx_queue_0_xdp_tx $COUNT
	check_err $? "$ETH_MSG"
	eth_still rx_queue_0_xdp_tx_errors
	check_err $? "$ETH_MSG"

	log_test "$name"
}

xdp_aborted()
{
	local name="XDP_ABORTED: dropped, counted, seen by the xdp_exception tracepoint"

	setup_pair
	check_err $? "setup failed"
	trace_start
	check_err $? "cannot enable xdp:xdp_exception in a tracing instance"
	xdp_attach "$ns1" vp1 xdpdrv xdp && xdp_act "$ns1" vp1 $ACT_ABORTED
	check_err $? "attaching to vp1 and setting XDP_ABORTED failed: $XDP_ERR"
	link_ifindex "$ns1" vp1
	eth_snap "$ns1" vp1

	ping_n "$ns0" $COUNT 192.0.2.2
	[ "$PING_RECEIVED" = 0 ]
	check_err $? "$PING_RECEIVED of $COUNT echo requests answered through XDP_ABORTED"

	trace_exceptions "$IFINDEX" ABORTED
	[ "$TRACE_HITS" -ge $COUNT ]
	check_err $? "xdp_exception reported $TRACE_HITS ABORTED on vp1 (ifindex $IFINDEX), expected >= $COUNT"
	eth_delta "$ns1" vp1
	eth_moved rx_queue_0_xdp_drops $COUNT
	check_err $? "$ETH_MSG"
	# veth counts aborted frames among its drops only
	if [ "$KIND" = vpair ]; then
		eth_moved rx_queue_0_xdp_aborted $COUNT
		check_err $? "$ETH_MSG"
	fi

	log_test "$name"
}

# MTU 9000 both ways: an 8000-byte ping is a frame of 8042 bytes, more
# than one page, that the program sees whole in several buffers.
xdp_frags()
{
	local name="multi-buffer: an xdp.frags program gets 8 KB frames at MTU 9000"

	setup_pair
	check_err $? "setup failed"
	ip -n "$ns0" link set vp0 mtu 9000 && ip -n "$ns1" link set vp1 mtu 9000
	check_err $? "setting MTU 9000 failed"
	xdp_attach "$ns1" vp1 xdpdrv xdp.frags
	check_err $? "attaching the xdp.frags program at MTU 9000 failed: $XDP_ERR"

	ping_n "$ns0" $COUNT 192.0.2.2 -s 8000 -M do
	check_err $? "$PING_RECEIVED of $COUNT 8000-byte echo requests answered"

	xdp_cnt_of "$ns1" vp1 $CNT_ABOVE_PAGE
	check_err $? "cannot read the program's map"
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program saw ${XDP_CNT:-?} frames above 4096 bytes, expected >= $COUNT"
	xdp_cnt $CNT_MAX_LEN
	[ "${XDP_CNT:-0}" -ge 8042 ]
	check_err $? "bpf_xdp_get_buff_len() was at most ${XDP_CNT:-?}, expected >= 8042"

	log_test "$name"
}

# A program without frags support takes frames of one buffer only: it
# may not attach while the other end sends frames above a page.
xdp_nofrags_mtu()
{
	local name="multi-buffer: a program without frags refused while vp0's MTU is 9000"

	setup_pair
	check_err $? "setup failed"
	ip -n "$ns0" link set vp0 mtu 9000
	check_err $? "setting vp0's MTU to 9000 failed"

	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_fail $? "a program without frags attached to vp1 while vp0's MTU is 9000"
	log_info "$KIND refuses it with: ${XDP_ERR//$'\n'/ / }"
	! xdp_prog_id "$ns1" vp1
	check_err $? "vp1 has a program after the refused attach"
	xdp_attach "$ns1" vp1 xdpdrv xdp.frags
	check_err $? "the xdp.frags program was refused too: $XDP_ERR"

	log_test "$name"
}

# ... nor may the other end's MTU grow past it once the program is there.
xdp_nofrags_mtu_grow()
{
	local name="multi-buffer: vp0's MTU cannot grow above a page under a non-frags program"
	local err

	setup_pair
	check_err $? "setup failed"
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attaching to vp1 failed: $XDP_ERR"

	err=$(ip -n "$ns0" link set vp0 mtu 9000 2>&1)
	check_fail $? "vp0's MTU went to 9000 under a non-frags program on vp1"
	log_info "$KIND refuses it with: $err"
	link_json "$ns0" vp0 && json_is mtu 1500
	check_err $? "vp0's MTU is ${JSON_VAL:-?} after the refusal, expected 1500"
	ping_n "$ns0" 1 192.0.2.2 -s 1400
	check_err $? "no reply across the pair after the refusal"

	xdp_detach "$ns1" vp1
	ip -n "$ns0" link set vp0 mtu 9000
	check_err $? "vp0's MTU cannot go to 9000 once the program is gone"

	log_test "$name"
}

# While vp1 has a program, each of vp0's tx queues needs an rx queue of
# vp1 to land in: vp1 rx >= vp0 tx, both at attach and at ethtool -L.
xdp_channels()
{
	local name="channels: vp1 rx >= vp0 tx while vp1 has XDP, else refused"
	local err

	setup_ns ns0 ns1
	check_err $? "setup failed"
	ip -n "$ns0" link add vp0 numtxqueues 4 numrxqueues 4 type "$KIND" \
		peer name vp1 netns "$ns1" numtxqueues 4 numrxqueues 4 &&
		ends_up
	check_err $? "making a pair of 4 queues failed"
	nsexec "$ns0" ethtool -L vp0 tx 2 && nsexec "$ns1" ethtool -L vp1 rx 2
	check_err $? "ethtool -L vp0 tx 2, vp1 rx 2 failed"

	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attach with vp1 rx 2 = vp0 tx 2 failed: $XDP_ERR"
	err=$(nsexec "$ns1" ethtool -L vp1 rx 1 2>&1)
	check_fail $? "ethtool -L vp1 rx 1 accepted under XDP with vp0 at tx 2"
	[[ $err == *"Invalid argument"* ]]
	check_err $? "ethtool -L vp1 rx 1 refused, but not with EINVAL: $err"
	err=$(nsexec "$ns0" ethtool -L vp0 tx 3 2>&1)
	check_fail $? "ethtool -L vp0 tx 3 accepted under XDP on vp1 at rx 2"
	channels_of "$ns1" vp1
	[ "$GOT" = "4 2" ]
	check_err $? "vp1 tx/rx channels are '$GOT' after the refusals, expected '4 2'"
	channels_of "$ns0" vp0
	[ "$GOT" = "2 4" ]
	check_err $? "vp0 tx/rx channels are '$GOT' after the refusals, expected '2 4'"
	eth_snap "$ns1" vp1
	ping_n "$ns0" $COUNT 192.0.2.2
	check_err $? "$PING_RECEIVED of $COUNT echo requests answered on 2 queues"
	# one set of counters per rx queue in use, wherever the frames landed
	eth_delta "$ns1" vp1
	[ -n "${ETHD[rx_queue_1_xdp_packets]+set}" ] &&
		[ -z "${ETHD[rx_queue_2_xdp_packets]+set}" ]
	check_err $? "ethtool -S vp1 does not list XDP counters for rx queues 0 and 1 only"
	((ETHD[rx_queue_0_xdp_packets] + ETHD[rx_queue_1_xdp_packets] >= COUNT))
	check_err $? "rx_queue_0/1_xdp_packets moved by ${ETHD[rx_queue_0_xdp_packets]:-?}/${ETHD[rx_queue_1_xdp_packets]:-?}, expected >= $COUNT in all"

	xdp_detach "$ns1" vp1
	nsexec "$ns1" ethtool -L vp1 rx 1
	check_err $? "ethtool -L vp1 rx 1 refused without XDP"
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_fail $? "XDP attached to vp1 with rx 1 < vp0's tx 2"
	log_info "$KIND refuses it with: ${XDP_ERR//$'\n'/ / }"
	[[ $XDP_ERR == *queue* ]]
	check_err $? "the refusal does not say why (no 'queue' in it): $XDP_ERR"
	! xdp_prog_id "$ns1" vp1
	check_err $? "vp1 has a program after the refused attach"

	log_test "$name"
}

# NETDEV_XDP_ACT_* of <linux/netdev.h>
XDP_ACT_BASIC=1
XDP_ACT_REDIRECT=2
XDP_ACT_NDO_XMIT=4
XDP_ACT_RX_SG=32
XDP_ACT_NDO_XMIT_SG=64
XDP_FEATURES=$(dirname "$0")/xdp_features

# features_of NS DEV: DEV's xdp_features in FEAT (the xdp_features helper,
# netdev generic netlink); fails with FEAT_RC 4 on a kernel before 6.3.
features_of()
{
	local out

	link_ifindex "$1" "$2" || return 1
	out=$(nsexec "$1" "$XDP_FEATURES" "$IFINDEX" 2>&1)
	FEAT_RC=$?
	FEAT=$out
	[ $FEAT_RC = 0 ]
}

# features_are NS DEV WANT: DEV's xdp_features are WANT.
features_are()
{
	features_of "$1" "$2" && [ "$FEAT" = "$3" ]
}

# What each end advertises, kernel 6.3 and later. vpair: basic, redirect,
# ndo_xdp_xmit and rx SG always (a frame sent into an end is delivered
# with or without a program on its peer); xmit SG unless the peer has a
# program that takes one buffer only. veth: ndo_xdp_xmit and xmit SG
# only while the peer has a program (or GRO), which this case checks
# instead, to show the helper reads what the kernel says.
xdp_features_flags()
{
	local name="xdp_features: what each end advertises follows the peer's program"
	local base=$((XDP_ACT_BASIC | XDP_ACT_REDIRECT | XDP_ACT_RX_SG))
	local xmit=$((XDP_ACT_NDO_XMIT | XDP_ACT_NDO_XMIT_SG))
	local idle nofrags frags

	if [ ! -x "$XDP_FEATURES" ]; then
		log_test_skip "$name" "$XDP_FEATURES not built (make -C selftests)"
		return
	fi
	setup_pair
	check_err $? "setup failed"
	if ! features_of "$ns0" vp0 && [ "$FEAT_RC" = $ksft_skip ]; then
		log_test_skip "$name" "$FEAT"
		return
	fi
	if [ "$KIND" = vpair ]; then
		idle=$((base | xmit)) nofrags=$((base | XDP_ACT_NDO_XMIT))
		frags=$((base | xmit))
	else
		idle=$base nofrags=$((base | xmit)) frags=$((base | xmit))
	fi

	features_are "$ns0" vp0 $idle && features_are "$ns1" vp1 $idle
	check_err $? "without programs: vp0/vp1 advertise ${FEAT:-?}, expected $idle"
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attaching to vp1 failed: $XDP_ERR"
	features_are "$ns0" vp0 $nofrags
	check_err $? "a non-frags program on vp1: vp0 advertises ${FEAT:-?}, expected $nofrags"
	features_are "$ns1" vp1 $idle
	check_err $? "a non-frags program on vp1: vp1 advertises ${FEAT:-?}, expected $idle"
	xdp_detach "$ns1" vp1 && xdp_attach "$ns1" vp1 xdpdrv xdp.frags
	check_err $? "attaching the frags program to vp1 failed: $XDP_ERR"
	features_are "$ns0" vp0 $frags
	check_err $? "a frags program on vp1: vp0 advertises ${FEAT:-?}, expected $frags"
	xdp_detach "$ns1" vp1
	features_are "$ns0" vp0 $idle
	check_err $? "program gone: vp0 advertises ${FEAT:-?}, expected $idle"

	log_test "$name"
}

require_root
require_cmd ip ping ethtool tcpdump
require_kind
require_xdp

run_test xdp_attach_modes
run_test xdp_pass
run_test xdp_pass_vlan
run_test xdp_page_pool
run_test xdp_drop
run_test xdp_tx
run_test xdp_aborted
run_test xdp_frags
run_test xdp_nofrags_mtu
run_test xdp_nofrags_mtu_grow
run_test xdp_channels
run_test xdp_features_flags

exit "$(exit_status)"
