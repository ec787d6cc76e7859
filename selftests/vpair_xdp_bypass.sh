#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# loopback_bypass and native XDP: the host's own traffic from vp0's
# address to vp1's crosses the pair, so a program in driver mode on vp1
# sees it and its action holds, as for a frame from another host.
# vpair_bypass.sh has the same in generic mode (XDP_PASS only).
#
#   one namespace, loopback_bypass on
#   +-------------------------------------------------------------------+
#   |  ping -I 192.0.2.1 192.0.2.2                                      |
#   |                                                                   |
#   |  vp0 192.0.2.1/24  ---- echo request ---->  vp1 192.0.2.2/24      |
#   |                    <--- XDP_TX, or reply --  XDP (xdp_act.bpf.o): |
#   |                                              PASS, DROP, TX       |
#   |  lo: without the bypass (veth) all of it goes here, unseen        |
#   +-------------------------------------------------------------------+
#
# veth, in the same set-up, sends it through lo: its program sees none
# of it (the one case that also runs with KIND=veth).

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh
source "$(dirname "$0")"/lib_xdp.sh

bypass_xdp_setup()
{
	onehost_setup vpair v4 loopback_bypass on || return
	xdp_attach "$ns0" "$E1" xdpdrv xdp
}

bypass_xdp_pass()
{
	local name="bypass on: native XDP_PASS on vp1 counts the host's echo requests"

	bypass_xdp_setup
	check_err $? "setup failed: ${XDP_ERR:-}"
	eth_snap "$ns0" "$E1"

	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "ping -I $ADDR0 $ADDR1: not all $COUNT answered"

	xdp_cnt_of "$ns0" "$E1" $CNT_ICMP_ECHO
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program on $E1 counted ${XDP_CNT:-?} echo requests, expected >= $COUNT"
	eth_delta "$ns0" "$E1"
	eth_moved rx_queue_0_xdp_packets $COUNT
	check_err $? "$ETH_MSG"

	log_test "$name"
}

bypass_xdp_drop()
{
	local name="bypass on: native XDP_DROP on vp1 stops the host's ping"

	bypass_xdp_setup
	check_err $? "setup failed: ${XDP_ERR:-}"
	xdp_act "$ns0" "$E1" $ACT_DROP
	check_err $? "setting XDP_DROP failed"
	eth_snap "$ns0" "$E1"

	ping_n "$ns0" $COUNT $ADDR1 -I $ADDR0
	[ "$PING_RECEIVED" = 0 ]
	check_err $? "$PING_RECEIVED of $COUNT echo requests answered through XDP_DROP"

	xdp_cnt $CNT_ICMP_ECHO
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program saw ${XDP_CNT:-?} echo requests, expected >= $COUNT"
	eth_delta "$ns0" "$E1"
	eth_moved rx_queue_0_xdp_drops $COUNT
	check_err $? "$ETH_MSG"

	log_test "$name"
}

# XDP_TX sends the host's echo request back out of vp1, unchanged (to
# vp1's MAC): it arrives on vp0, which is all this case looks at.
bypass_xdp_tx()
{
	local name="bypass on: native XDP_TX on vp1 sends the requests back to vp0"
	local cap=$TMPDIR_TEST/vp0.pcap got
	local filter="src $ADDR0 and dst $ADDR1 and icmp[icmptype] == icmp-echo"

	bypass_xdp_setup
	check_err $? "setup failed: ${XDP_ERR:-}"
	xdp_act "$ns0" "$E1" $ACT_TX
	check_err $? "setting XDP_TX failed"
	capture_start "$ns0" "$E0" "$TMPDIR_TEST/vp0.txt" -U -Q in -w "$cap" icmp
	check_err $? "tcpdump on $E0 did not start"
	eth_snap "$ns0" "$E1"
	stats_snap "$ns0" "$E0"

	ping_n "$ns0" $COUNT $ADDR1 -I $ADDR0

	wait_until "$WAIT_TIMEOUT" pcap_at_least $COUNT "$cap" "$filter"
	capture_stop
	got=$(pcap_count "$cap" "$filter")
	[ "$got" -ge $COUNT ]
	check_err $? "tcpdump saw $got echo requests arrive on $E0, expected >= $COUNT"
	stats_delta "$ns0" "$E0"
	((SD[rx_packets] >= COUNT))
	check_err $? "$E0 rx_packets moved by ${SD[rx_packets]}, expected >= $COUNT"
	eth_delta "$ns0" "$E1"
	eth_moved rx_queue_0_xdp_tx $COUNT
	check_err $? "$ETH_MSG"

	log_test "$name"
}

# marked_count NS: packets of the INPUT rule that counts the echo
# requests marked 0x2a, in MARKED.
marked_count()
{
	local line

	MARKED=
	nsout "$1" iptables -L INPUT -v -n -x || return 1
	while read -r line; do
		[[ $line =~ ^([0-9]+)\ .*mark\ match\ 0x2a ]] &&
			MARKED=${BASH_REMATCH[1]}
	done <<<"$OUT"
	[ -n "$MARKED" ]
}

# What lo keeps of the host's own packet, the bypass keeps through the
# program: a ping's packet has too little headroom for the program to
# run on it in place, so what the program passes is a copy, and the copy
# must keep the sender's mark for the input hook.
bypass_xdp_mark()
{
	local name="bypass on: the host's marked packets keep their mark through native XDP_PASS"

	bypass_xdp_setup
	check_err $? "setup failed: ${XDP_ERR:-}"
	nsexec "$ns0" iptables -A INPUT -d $ADDR1 -p icmp --icmp-type echo-request \
		-m mark --mark 0x2a && marked_count "$ns0"
	check_err $? "iptables INPUT rule with -m mark failed"

	pings "$ns0" $COUNT $ADDR1 -I $ADDR0 -m 42
	check_err $? "ping -m 42 -I $ADDR0 $ADDR1: not all $COUNT answered"
	xdp_cnt_of "$ns0" "$E1" $CNT_ICMP_ECHO
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program on $E1 counted ${XDP_CNT:-?} echo requests, expected >= $COUNT"
	marked_count "$ns0" && [ "$MARKED" -ge $COUNT ]
	check_err $? "INPUT saw ${MARKED:-?} echo requests marked 0x2a, expected >= $COUNT"

	log_test "$name"
}

# nft_counter NS TABLE CHAIN: packets of the chain's one counter, in
# NFT_PACKETS.
nft_counter()
{
	NFT_PACKETS=
	nsout "$1" nft list chain ip "$2" "$3" || return 1
	[[ $OUT =~ counter\ packets\ ([0-9]+) ]] || return 1
	NFT_PACKETS=${BASH_REMATCH[1]}
}

bypass_xdp_priority()
{
	local name="bypass on: the host's packets keep their priority through native XDP_PASS"

	bypass_xdp_setup
	check_err $? "setup failed: ${XDP_ERR:-}"
	# OUTPUT gives the echo requests priority 0:5; INPUT counts those
	# that still have it.
	nsexec "$ns0" nft -f - <<-EOF
		table ip vpair_prio {
			chain out {
				type filter hook output priority 0;
				ip daddr $ADDR1 icmp type echo-request meta priority set 0:5
			}
			chain in {
				type filter hook input priority 0;
				ip daddr $ADDR1 icmp type echo-request meta priority 0:5 counter
			}
		}
	EOF
	check_err $? "nft rules setting and matching meta priority failed"

	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "ping -I $ADDR0 $ADDR1: not all $COUNT answered"
	xdp_cnt_of "$ns0" "$E1" $CNT_ICMP_ECHO
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program on $E1 counted ${XDP_CNT:-?} echo requests, expected >= $COUNT"
	nft_counter "$ns0" vpair_prio in && [ "$NFT_PACKETS" -ge $COUNT ]
	check_err $? "INPUT saw ${NFT_PACKETS:-?} echo requests with priority 0:5, expected >= $COUNT"

	log_test "$name"
}

# On lo, the host's packet arrives with the conntrack entry OUTPUT gave
# it, and conntrack does not look at it a second time. The bypass keeps
# the entry through the program: with accounting on, the flow counts each
# echo request once, as over lo, not twice.
bypass_xdp_conntrack()
{
	local name="bypass on: the host's packets keep their conntrack entry through native XDP_PASS"
	local ct line packets=

	bypass_xdp_setup
	check_err $? "setup failed: ${XDP_ERR:-}"
	# a rule that needs conntrack registers its hooks in the namespace
	nsexec "$ns0" nft -f - <<-EOF
		table ip vpair_ct {
			chain in {
				type filter hook input priority 0;
				ct state new,established counter
			}
		}
	EOF
	check_err $? "nft rule with ct state failed"
	nsexec "$ns0" sysctl -q -w net.netfilter.nf_conntrack_acct=1
	check_err $? "cannot turn conntrack accounting on"

	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "ping -I $ADDR0 $ADDR1: not all $COUNT answered"
	xdp_cnt_of "$ns0" "$E1" $CNT_ICMP_ECHO
	[ "${XDP_CNT:-0}" -ge $COUNT ]
	check_err $? "the program on $E1 counted ${XDP_CNT:-?} echo requests, expected >= $COUNT"

	ct=$(ip netns exec "$ns0" cat /proc/net/nf_conntrack)
	while read -r line; do
		[[ $line =~ icmp\ .*src=$ADDR0\ dst=$ADDR1\ type=8\ .*\ packets=([0-9]+)\ .*src=$ADDR1 ]] &&
			packets=${BASH_REMATCH[1]}
	done <<<"$ct"
	[ "$packets" = $COUNT ]
	check_err $? "conntrack counted ${packets:-no flow: $ct} echo requests for $COUNT sent"

	log_test "$name"
}

# veth: the same ping goes through lo and the program sees none of it.
bypass_xdp_veth()
{
	local name="bypass veth: native XDP on ve1 sees none of the host's echo requests"

	onehost_setup veth v4 && xdp_attach "$ns0" "$E1" xdpdrv xdp
	check_err $? "setup failed: ${XDP_ERR:-}"

	pings "$ns0" $COUNT $ADDR1 -I $ADDR0
	check_err $? "ping -I $ADDR0 $ADDR1: not all $COUNT answered"

	xdp_cnt_of "$ns0" "$E1" $CNT_ICMP_ECHO
	check_err $? "cannot read the program's map"
	[ "$XDP_CNT" = 0 ]
	check_err $? "the program on $E1 counted ${XDP_CNT:-?} echo requests, expected 0"

	log_test "$name"
}

# The host's own TCP over the bypass is sized by lo's MTU: segments of
# up to 64 KB, far more than the page a program without frags support
# takes. vpair runs such a program on them linear, as generic XDP would:
# the transfer completes, and the program saw frames above a page.
bypass_xdp_tcp()
{
	local name="bypass on: TCP's 64 KB segments pass a single-buffer native XDP_PASS"
	local bytes=$((4 << 20))

	bypass_xdp_setup
	check_err $? "setup failed: ${XDP_ERR:-}"
	eth_snap "$ns0" "$E1"

	nsout "$ns0" "$(dirname "$0")"/vpair_sock.py tcp-bulk $ADDR1 $ADDR0 5201 $bytes
	check_err $? "4 MB from $ADDR0 to $ADDR1: ${OUT:-no output}"

	xdp_cnt_of "$ns0" "$E1" $CNT_ABOVE_PAGE
	[ "${XDP_CNT:-0}" -ge 1 ]
	check_err $? "the program on $E1 saw ${XDP_CNT:-?} frames above a page, expected >= 1"
	eth_delta "$ns0" "$E1"
	eth_still rx_queue_0_drops
	check_err $? "$ETH_MSG"

	log_test "$name"
}

require_root
require_cmd ip ping sysctl ethtool tcpdump
require_kind
require_xdp
modprobe -q veth

is_vpair "bypass on: native XDP_PASS, XDP_DROP, XDP_TX on vp1" && {
	run_test bypass_xdp_pass
	run_test bypass_xdp_tcp
	run_test bypass_xdp_drop
	run_test bypass_xdp_tx
	if command -v iptables >/dev/null; then
		run_test bypass_xdp_mark
	else
		log_test_skip "bypass on: the host's marked packets keep their mark through native XDP_PASS" \
			"no iptables"
	fi
	if command -v nft >/dev/null; then
		run_test bypass_xdp_priority
		run_test bypass_xdp_conntrack
	else
		log_test_skip "bypass on: priority and conntrack entry through native XDP_PASS" \
			"no nft"
	fi
}
run_test bypass_xdp_veth

exit "$(exit_status)"
