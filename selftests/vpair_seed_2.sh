#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed's section 2 as one story: its author wanted the host's own
# ping between two addresses to cross a veth pair, so that tcpdump and
# XDP on the pair would see it, and failed for a day.
#
#   the seed's host: one namespace (strict: rp_filter 1, accept_local 0)
#   +----------------------------------------------------------------+
#   |                                                                |
#   |  veth0 192.0.2.3/24  <=======================>  veth1 192.0.2.2/24
#   |        ^   (seed: 192.168.4.3)   the pair      (seed: 192.168.4.2)
#   |        |                                            |          |
#   |        +------ echo reply, through lo <-------------+          |
#   |  lo                                                            |
#   +----------------------------------------------------------------+
#
# 2.1  "ping 192.168.4.2 -I veth0" gets no reply. With the strict
#      settings not even the echo request crosses: the ARP request from
#      one of the host's own addresses is a martian to the other end and
#      gets no answer. The author then set rp_filter 0 and accept_local
#      1 on the ends: the request crosses (tcpdump on veth1) and the
#      reply goes back through lo (tcpdump on lo), never over the pair.
# 2.2  Policy routing: the local table moved behind a fwmark rule to
#      table 100, /32 routes through the pair there, iptables marking
#      the requests. "ip route get 192.168.4.2" keeps answering
#      "local ... dev lo"; the ping still gets no reply. The author gave
#      up: "veth is mostly used for forwarding".
#
# Then the same commands with "type vpair loopback_bypass on" in a fresh
# namespace: the pings are answered and tcpdump sees requests on vp1
# and replies on vp0, with no sysctl, rule, route or firewall change (a
# snapshot of all of them before and after is the same).

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

COUNT=5
# the seed's addresses mapped onto 192.0.2.0/24: .3 on the first end,
# .2 on the second, as in 192.168.4.0/24
SEED0=192.0.2.3
SEED1=192.0.2.2

# seed_setup KIND END0 END1 [OPTIONS...]: the seed's section 2.1 set-up
# commands, in a fresh namespace with strict martian settings.
seed_setup()
{
	local kind=$1

	E0=$2
	E1=$3
	shift 3
	setup_ns ns0 || return
	strict_martians "$ns0" || return
	ip -n "$ns0" link add "$E0" type "$kind" "$@" peer name "$E1" &&
	ipb "$ns0" <<-EOF &&
		addr add $SEED0/24 dev $E0
		addr add $SEED1/24 dev $E1
		link set $E0 up
		link set $E1 up
	EOF
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" "$E1" &&
	# addrconf adds the link-local addresses and their local routes after
	# the links come up: let it finish, or the state taken before the
	# pings would differ from the state after them.
	wait_until "$WAIT_TIMEOUT" ll_ready "$ns0" "$E0" &&
	wait_until "$WAIT_TIMEOUT" ll_ready "$ns0" "$E1"
}

# ll_ready NS DEV: DEV's IPv6 link-local address is past DAD and has its
# local route.
ll_ready()
{
	local out

	out=$(ip -n "$1" -6 addr show dev "$2" scope link) &&
	[[ $out == *"inet6 fe80::"* && $out != *tentative* ]] &&
	ip -n "$1" -6 route show table local | grep -q "^local fe80::.* dev $2 "
}

# route_get_lo NS: "ip route get 192.0.2.2" answers as in the seed:
# local, through lo.
route_get_lo()
{
	local out

	out=$(ip -n "$1" route get $SEED1)
	[[ $out == "local $SEED1 dev lo "* ]]
}

# seed_capture DEV...: tcpdump on each DEV, incoming ICMP and ARP only
# (lo's outgoing copies would count every packet twice).
seed_capture()
{
	local dev

	CAPTURES=()
	for dev; do
		capture_start "$ns0" "$dev" "$TMPDIR_TEST/$dev.txt" -U -Q in \
			-w "$TMPDIR_TEST/$dev.pcap" icmp or arp || return 1
		CAPTURES+=("$CAPTURE_PID")
	done
}

# seed_capture_stop [DEV WHAT]...: stop the captures, once each DEV has
# seen COUNT packets of its WHAT (see seen()) or, without, after a second.
seed_capture_stop()
{
	if [ $# -gt 0 ]; then
		while [ $# -ge 2 ]; do
			wait_until "$WAIT_TIMEOUT" seen_at_least "$1" "$2"
			shift 2
		done
	else
		bsleep 1
	fi
	kill -INT "${CAPTURES[@]}"
	wait "${CAPTURES[@]}"
}

# seen DEV WHAT: how many echo requests (from the first end's address to
# the second's), echo replies (back) or ARP requests for the second
# end's address the capture on DEV holds.
seen()
{
	local pcap=$TMPDIR_TEST/$1.pcap

	case $2 in
	requests)
		pcap_count "$pcap" "src $SEED0 and dst $SEED1 and icmp[icmptype] == icmp-echo"
		;;
	replies)
		pcap_count "$pcap" "src $SEED1 and dst $SEED0 and icmp[icmptype] == icmp-echoreply"
		;;
	arp)
		pcap_count "$pcap" "arp and arp[6:2] == 1 and arp dst host $SEED1"
		;;
	esac
}

seen_at_least()
{
	[ "$(seen "$1" "$2")" -ge $COUNT ]
}

# With the strictest settings, not even the echo request leaves: the
# ARP request from one of the host's own addresses gets no answer.
seed_2_1_veth()
{
	local name="seed 2.1 veth: ping -I veth0 192.0.2.2 unanswered, only ARP crosses"

	seed_setup veth veth0 veth1
	check_err $? "setup failed"

	seed_capture veth1
	check_err $? "tcpdump on veth1 did not start"
	ping_fails "$ns0" $SEED1 -I veth0
	check_err $? "ping -I veth0 $SEED1 got a reply"
	seed_capture_stop
	[ "$(seen veth1 arp)" -ge 1 ] && [ "$(seen veth1 requests)" = 0 ]
	check_err $? "veth1 saw $(seen veth1 arp) ARP and $(seen veth1 requests) echo requests, expected ARP only"
	route_get_lo "$ns0"
	check_err $? "ip route get $SEED1 says: $(ip -n "$ns0" route get $SEED1)"

	log_test "$name"
}

# The author's next step, and the only case here that relaxes the
# martian filter: rp_filter 0 and accept_local 1 let the request in, and
# the reply goes back through lo, never over the pair (whether the
# device-bound socket then accepts it from lo depends on the kernel, so
# the ping's own result is not checked).
seed_2_1_veth_relaxed()
{
	local name="seed 2.1 veth: rp_filter 0, accept_local 1: request on veth1, reply on lo"

	seed_setup veth veth0 veth1
	check_err $? "setup failed"
	# the seed's commands
	nsexec "$ns0" sysctl -q -w net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.veth0.rp_filter=0 net.ipv4.conf.veth1.rp_filter=0 \
		net.ipv4.conf.veth1.accept_local=1 net.ipv4.conf.veth0.accept_local=1
	check_err $? "sysctl -w failed"

	seed_capture veth1 veth0 lo
	check_err $? "tcpdump did not start"
	nsexec "$ns0" ping -q -n -c $COUNT -i 0.1 -W 1 -I veth0 $SEED1 \
		>/dev/null 2>&1
	seed_capture_stop veth1 requests lo replies
	[ "$(seen veth1 requests)" -ge $COUNT ]
	check_err $? "veth1 saw $(seen veth1 requests) echo requests, expected $COUNT"
	[ "$(seen lo replies)" -ge $COUNT ] && [ "$(seen veth0 replies)" = 0 ]
	check_err $? "the replies: $(seen lo replies) on lo, $(seen veth0 replies) on veth0; expected lo only"

	log_test "$name"
}

seed_2_2_veth_policy_routing()
{
	local name="seed 2.2 veth: rules, table 100, fwmark: still local ... dev lo, unanswered"

	seed_setup veth veth0 veth1
	check_err $? "setup failed"

	# the seed's commands, in its order
	ipb "$ns0" <<-EOF
		rule add pref 1000 table local
		rule add fwmark 100 pref 100 table 100
		rule del pref 0 table local
		route add $SEED1/32 dev veth0 src $SEED0 table 100
		route add $SEED0/32 dev veth1 src $SEED1 table 100
	EOF
	check_err $? "ip rule/route commands of the seed failed"
	nsexec "$ns0" iptables -t mangle -A OUTPUT -d $SEED1/32 \
		-j MARK --set-mark 100
	check_err $? "iptables -t mangle -A OUTPUT ... --set-mark 100 failed"

	route_get_lo "$ns0"
	check_err $? "ip route get $SEED1 says: $(ip -n "$ns0" route get $SEED1)"
	ping_fails "$ns0" $SEED1 -I veth0
	check_err $? "ping -I veth0 $SEED1 got a reply"

	log_test "$name"
}

# state NS: everything a user could have changed to route the host's own
# traffic over the pair: IPv4/IPv6 sysctls, rules, routes of every table
# and the firewall (iptables, nft).
state()
{
	local ns=$1

	nsexec "$ns" sysctl -a 2>/dev/null | grep -E '^net\.ipv(4|6)\.' |
		grep -vE 'route\.(gc_|flush)|neigh\.|\.stable_secret|base_reachable'
	ip -n "$ns" -4 rule show
	ip -n "$ns" -6 rule show
	ip -n "$ns" -4 route show table all
	ip -n "$ns" -6 route show table all | grep -v '^ff00::/8'
	nsexec "$ns" iptables-save 2>/dev/null | grep -v '^#'
	nsexec "$ns" ip6tables-save 2>/dev/null | grep -v '^#'
	command -v nft >/dev/null && nsexec "$ns" nft list ruleset
}

seed_2_vpair()
{
	local name="seed 2 vpair: the same commands answered, seen on the pair, nothing else changed"
	local before after rules

	seed_setup vpair vp0 vp1 loopback_bypass on
	check_err $? "setup failed"
	before=$(state "$ns0")
	# a fresh namespace: the three default rules, no table 100
	rules=$(ip -n "$ns0" rule show | wc -l)
	[ "$rules" = 3 ] && ! ip -n "$ns0" route show table 100 2>/dev/null | grep -q .
	check_err $? "the namespace is not in its default routing state"

	seed_capture vp1 vp0 lo
	check_err $? "tcpdump did not start"
	pings "$ns0" $COUNT $SEED1 -I vp0
	check_err $? "ping -I vp0 $SEED1: not all $COUNT answered"
	seed_capture_stop vp1 requests vp0 replies

	# the seed's tcpdump on veth1 and lo, now on vp1 and vp0
	[ "$(seen vp1 requests)" -ge $COUNT ]
	check_err $? "tcpdump on vp1 saw $(seen vp1 requests) of the $COUNT echo requests"
	[ "$(seen vp0 replies)" -ge $COUNT ] && [ "$(seen lo replies)" = 0 ]
	check_err $? "the replies: $(seen vp0 replies) on vp0, $(seen lo replies) on lo; expected vp0 only"
	pings "$ns0" $COUNT $SEED0 -I vp1
	check_err $? "ping -I vp1 $SEED0: not all $COUNT answered"

	# routing itself is untouched: the bypass takes the packets after it
	route_get_lo "$ns0"
	check_err $? "ip route get $SEED1 says: $(ip -n "$ns0" route get $SEED1)"
	after=$(state "$ns0")
	[ "$before" = "$after" ]
	check_err $? "sysctls, rules, routes or firewall changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -n 3)"
	martians_still_strict "$ns0" vp0 vp1
	check_err $? "rp_filter/accept_local are no longer 1/0"

	log_test "$name"
}

require_root
require_cmd ip ping sysctl tcpdump iptables
require_kind
[ "$KIND" = vpair ] || skip_all "the story ends with vpair (KIND=$KIND)"
modprobe -q veth

run_test seed_2_1_veth
run_test seed_2_1_veth_relaxed
run_test seed_2_2_veth_policy_routing
run_test seed_2_vpair

exit "$(exit_status)"
