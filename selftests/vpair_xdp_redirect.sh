#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# XDP_REDIRECT from an end, and into one: a program on vp1 redirects the
# echo requests it receives through a devmap or with bpf_redirect() into
# the end rd0 of a second pair (vpair or veth), whose ndo_xdp_xmit hands
# them to rd1; or through a cpumap to a CPU's kthread, which gives them
# to vp1's stack.
#
#   ns0                 ns1                                 ns2
#   +--------------+    +------------------------------+    +-------------+
#   | vp0          |===>| vp1: XDP redirect            |    |             |
#   | 192.0.2.1/24 |    | 192.0.2.2/24   |             |    |             |
#   +--------------+    |        devmap, bpf_redirect  |    |             |
#                       |                v             |    |             |
#                       |               rd0 ==========>|===>| rd1         |
#                       |                              |    | [XDP_PASS,  |
#                       |        cpumap: CPU 0 -> stack|    |  counting]  |
#                       +------------------------------+    +-------------+
#
# A frame redirected into a vpair end reaches its peer whether the peer
# has a program or not; veth delivers it only to a peer that has one
# (its NAPI runs only then), so the cases without a program are vpair
# only. The counters: rx_queue_0_xdp_redirect (and rx_queue_0_drops for
# a redirect that fails) on vp1, tx_queue_0_xdp_xmit and
# tx_queue_0_xdp_xmit_errors on rd0.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh
source "$(dirname "$0")"/lib_xdp.sh

ECHO_FILTER="src 192.0.2.1 and dst 192.0.2.2 and icmp[icmptype] == icmp-echo"

# redirect_setup TARGET_KIND PEER_PROG: the pair vp0/vp1 with the program
# on vp1, and a pair rd0 (ns1) / rd1 (ns2) of TARGET_KIND, both up, with
# no IPv6 of their own (nothing but the redirected frames crosses it);
# PEER_PROG "prog" puts the counting program on rd1 too.
redirect_setup()
{
	local tkind=$1 peer_prog=$2

	setup_pair || return
	setup_ns ns2 || return
	ip -n "$ns1" link add rd0 type "$tkind" peer name rd1 netns "$ns2" ||
		return
	ipb "$ns1" <<-EOF || return
		link set rd0 addrgenmode none
		link set rd0 up
	EOF
	ipb "$ns2" <<-EOF || return
		link set rd1 addrgenmode none
		link set rd1 up
	EOF
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns1" rd0 || return
	if [ "$peer_prog" = prog ]; then
		xdp_attach "$ns2" rd1 xdpdrv xdp || return
	fi
	xdp_attach "$ns1" vp1 xdpdrv xdp || return
	link_ifindex "$ns1" rd0 && RD0_IFINDEX=$IFINDEX
}

# redirect_into HOW TARGET_KIND PEER_PROG: echo requests from vp0 are
# redirected by vp1's program (HOW: devmap or bpf_redirect) into rd0 and
# arrive on rd1.
redirect_into()
{
	local how=$1 tkind=$2 peer_prog=$3
	local name="redirect: $how into a $tkind end, "
	local cap=$TMPDIR_TEST/rd1.pcap got

	[ "$peer_prog" = prog ] && name+="its peer has XDP" ||
		name+="its peer has no program"
	redirect_setup "$tkind" "$peer_prog"
	check_err $? "setup failed: ${XDP_ERR:-}"
	if [ "$how" = devmap ]; then
		xdp_maps "$ns1" vp1 &&
			xdp_map_set xdp_act_devmap 0 "$RD0_IFINDEX" &&
			xdp_map_set xdp_act_cfg 0 $ACT_REDIRECT_MAP
	else
		xdp_maps "$ns1" vp1 &&
			xdp_map_set xdp_act_cfg 1 "$RD0_IFINDEX" &&
			xdp_map_set xdp_act_cfg 0 $ACT_REDIRECT
	fi
	check_err $? "pointing vp1's program at rd0 (ifindex ${RD0_IFINDEX:-?}) failed"
	capture_start "$ns2" rd1 "$TMPDIR_TEST/rd1.txt" -U -Q in -w "$cap" icmp
	check_err $? "tcpdump on rd1 did not start"
	eth_snap "$ns1" rd0
	eth_snap "$ns1" vp1
	stats_snap "$ns2" rd1

	# nothing goes back to vp0: no reply
	ping_n "$ns0" $COUNT 192.0.2.2
	[ "$PING_RECEIVED" = 0 ]
	check_err $? "$PING_RECEIVED of $COUNT redirected echo requests answered"

	wait_until "$WAIT_TIMEOUT" pcap_at_least $COUNT "$cap" "$ECHO_FILTER"
	capture_stop
	got=$(pcap_count "$cap" "$ECHO_FILTER")
	[ "$got" -ge $COUNT ]
	check_err $? "tcpdump saw $got echo requests arrive on rd1, expected >= $COUNT"
	stats_delta "$ns2" rd1
	((SD[rx_packets] >= COUNT))
	check_err $? "rd1 rx_packets moved by ${SD[rx_packets]}, expected >= $COUNT"
	eth_delta "$ns1" vp1
	eth_moved rx_queue_0_xdp_redirect $COUNT
	check_err $? "vp1: $ETH_MSG"
	eth_delta "$ns1" rd0
	eth_moved tx_queue_0_xdp_xmit $COUNT
	check_err $? "rd0: $ETH_MSG"
	eth_still tx_queue_0_xdp_xmit_errors
	check_err $? "rd0: $ETH_MSG"
	if [ "$peer_prog" = prog ]; then
		xdp_cnt_of "$ns2" rd1 $CNT_ICMP_ECHO
		[ "${XDP_CNT:-0}" -ge $COUNT ]
		check_err $? "rd1's program counted ${XDP_CNT:-?} echo requests, expected >= $COUNT"
	fi

	log_test "$name"
}

# A frame longer than rd1's MTU cannot be delivered there: rd0 counts it
# among its xmit errors, as veth does.
redirect_mtu()
{
	local name="redirect: a frame above the target peer's MTU counts in xdp_xmit_errors"

	redirect_setup "$KIND" prog
	check_err $? "setup failed: ${XDP_ERR:-}"
	ip -n "$ns2" link set rd1 mtu 1000
	check_err $? "setting rd1's MTU to 1000 failed"
	xdp_maps "$ns1" vp1 &&
		xdp_map_set xdp_act_devmap 0 "$RD0_IFINDEX" &&
		xdp_map_set xdp_act_cfg 0 $ACT_REDIRECT_MAP
	check_err $? "pointing vp1's program at rd0 failed"
	eth_snap "$ns1" rd0

	ping_n "$ns0" $COUNT 192.0.2.2 -s 1200

	eth_delta "$ns1" rd0
	eth_moved tx_queue_0_xdp_xmit_errors $COUNT
	check_err $? "rd0: $ETH_MSG"
	xdp_cnt_of "$ns2" rd1 $CNT_ICMP_ECHO
	[ "${XDP_CNT:-0}" = 0 ]
	check_err $? "rd1's program saw ${XDP_CNT:-?} echo requests above its MTU"

	log_test "$name"
}

# A redirect the kernel cannot carry out (no such device) drops the
# frame: rx_queue_0_drops.
redirect_nodev()
{
	local name="redirect: bpf_redirect to no device drops, counted in rx_queue_0_drops"

	setup_pair
	check_err $? "setup failed"
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attaching to vp1 failed: $XDP_ERR"
	# an ifindex no device of ns1 has
	xdp_maps "$ns1" vp1 && xdp_map_set xdp_act_cfg 1 999999 &&
		xdp_map_set xdp_act_cfg 0 $ACT_REDIRECT
	check_err $? "setting the redirect failed"
	eth_snap "$ns1" vp1

	ping_n "$ns0" $COUNT 192.0.2.2
	[ "$PING_RECEIVED" = 0 ]
	check_err $? "$PING_RECEIVED of $COUNT echo requests answered"

	eth_delta "$ns1" vp1
	eth_moved rx_queue_0_drops $COUNT
	check_err $? "$ETH_MSG"
	eth_still rx_queue_0_xdp_redirect
	check_err $? "$ETH_MSG"

	log_test "$name"
}

# Into the receiving end itself: bpf_redirect to vp1's own ifindex sends
# the frame back out of vp1 through its ndo_xdp_xmit, to vp0.
redirect_self()
{
	local name="redirect: bpf_redirect into vp1 itself, the frames arrive on vp0"
	local cap=$TMPDIR_TEST/vp0.pcap got

	setup_pair
	check_err $? "setup failed"
	# veth: vp0's NAPI, hence a program on vp0, takes them
	if [ "$KIND" = veth ]; then
		xdp_attach "$ns0" vp0 xdpdrv xdp
		check_err $? "attaching XDP_PASS to vp0 (veth) failed: $XDP_ERR"
	fi
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attaching to vp1 failed: $XDP_ERR"
	link_ifindex "$ns1" vp1
	xdp_maps "$ns1" vp1 && xdp_map_set xdp_act_cfg 1 "$IFINDEX" &&
		xdp_map_set xdp_act_cfg 0 $ACT_REDIRECT
	check_err $? "setting the redirect failed"
	capture_start "$ns0" vp0 "$TMPDIR_TEST/vp0.txt" -U -Q in -w "$cap" icmp
	check_err $? "tcpdump on vp0 did not start"
	eth_snap "$ns1" vp1

	ping_n "$ns0" $COUNT 192.0.2.2

	wait_until "$WAIT_TIMEOUT" pcap_at_least $COUNT "$cap" "$ECHO_FILTER"
	capture_stop
	got=$(pcap_count "$cap" "$ECHO_FILTER")
	[ "$got" -ge $COUNT ]
	check_err $? "tcpdump saw $got echo requests come back to vp0, expected >= $COUNT"
	eth_delta "$ns1" vp1
	eth_moved rx_queue_0_xdp_redirect $COUNT
	check_err $? "$ETH_MSG"
	eth_moved tx_queue_0_xdp_xmit $COUNT
	check_err $? "$ETH_MSG"

	log_test "$name"
}

# cpumap: the frame is built into an skb on the CPU's kthread and goes up
# vp1's stack from there, so the ping is answered.
redirect_cpumap()
{
	local name="redirect: cpumap to CPU 0, ping answered from there"

	setup_pair
	check_err $? "setup failed"
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attaching to vp1 failed: $XDP_ERR"
	# key CPU 0, value the queue size
	xdp_maps "$ns1" vp1 && xdp_map_set xdp_act_cpumap 0 192 &&
		xdp_map_set xdp_act_cfg 0 $ACT_CPUMAP
	check_err $? "setting up the cpumap failed"
	eth_snap "$ns1" vp1

	ping_n "$ns0" $COUNT 192.0.2.2
	check_err $? "$PING_RECEIVED of $COUNT echo requests through the cpumap answered"

	xdp_cnt $CNT_ICMP_ECHO
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program saw ${XDP_CNT:-?} echo requests, expected >= $COUNT"
	eth_delta "$ns1" vp1
	eth_moved rx_queue_0_xdp_redirect $COUNT
	check_err $? "$ETH_MSG"

	log_test "$name"
}

# AF_XDP in copy mode: vp1's program redirects the echo requests of rx
# queue 0 through an xskmap to a socket bound with XDP_COPY (xsk_rx), which
# receives them instead of the stack.
XSK_RX=$(dirname "$0")/xsk_rx

redirect_xsk()
{
	local name="redirect: xskmap to an AF_XDP socket in copy mode gets the frames"
	local out=$TMPDIR_TEST/xsk.txt pid

	if [ ! -x "$XSK_RX" ]; then
		log_test_skip "$name" "$XSK_RX not built (make -C selftests)"
		return
	fi
	setup_pair
	check_err $? "setup failed"
	xdp_attach "$ns1" vp1 xdpdrv xdp
	check_err $? "attaching to vp1 failed: $XDP_ERR"
	link_ifindex "$ns1" vp1
	xdp_maps "$ns1" vp1
	check_err $? "cannot find the program's maps"
	nsexec "$ns1" "$XSK_RX" "$IFINDEX" 0 "${XDP_MAP[xdp_act_xsks]}" \
		$COUNT "$WAIT_TIMEOUT" >"$out" 2>&1 &
	pid=$!
	defer kill "$pid"
	wait_until "$WAIT_TIMEOUT" file_has "$out" bound
	check_err $? "the AF_XDP socket did not bind: $(<"$out")"
	xdp_map_set xdp_act_cfg 0 $ACT_XSK
	check_err $? "setting the xskmap redirect failed"
	eth_snap "$ns1" vp1

	ping_n "$ns0" $COUNT 192.0.2.2
	[ "$PING_RECEIVED" = 0 ]
	check_err $? "$PING_RECEIVED of $COUNT echo requests answered past the socket"

	wait "$pid"
	check_err $? "the socket did not get $COUNT echo requests: $(<"$out")"
	eth_delta "$ns1" vp1
	eth_moved rx_queue_0_xdp_redirect $COUNT
	check_err $? "$ETH_MSG"

	log_test "$name"
}

require_root
require_cmd ip ping ethtool tcpdump
require_kind
require_xdp
modprobe -q veth

for how in devmap bpf_redirect; do
	if is_vpair "redirect: $how into a $KIND end, its peer has no program"; then
		run_test redirect_into $how "$KIND" noprog
	fi
	run_test redirect_into $how "$KIND" prog
done
# veth as the target of vpair (with KIND=veth the case ran above)
[ "$KIND" != veth ] && run_test redirect_into devmap veth prog
run_test redirect_mtu
run_test redirect_nodev
run_test redirect_self
run_test redirect_cpumap
run_test redirect_xsk

exit "$(exit_status)"
