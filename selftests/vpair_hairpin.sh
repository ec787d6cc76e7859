#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hairpin: a frame that crosses the pair with a source address of the
# receiving namespace (the host talking to itself over the wire) reaches
# the receiving end's stack, with the strictest martian settings and no
# sysctl, rule or route changed; ARP and ND between the two ends resolve.
#
#   one namespace, rp_filter 1, accept_local 0
#   +-------------------------------------------------------------------+
#   |  packet socket                                  UDP socket bound  |
#   |  writes frames                                  to 192.0.2.2 /    |
#   |  192.0.2.1 -> 192.0.2.2                         2001:db8::2       |
#   |        |                                               ^          |
#   |        v                                               |          |
#   |  vp0 192.0.2.1/24    ===========================>   vp1 192.0.2.2/24
#   |      2001:db8::1/64            the pair                2001:db8::2/64
#   +-------------------------------------------------------------------+
#
# Each case runs with hairpin on, with hairpin off and with veth, and
# checks what each really does: IPv4 drops the frames (a martian: local
# source) unless hairpin is on; IPv6 has no such check, so its frames
# arrive in all three; ARP gets no answer without hairpin (the receiving
# stack will not answer a request from one of its own addresses), ND
# works in all three.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

FRAMES=3
# How long a neighbour entry may take to appear once solicited: the
# hairpin answers at once, the kernel's own answers within a round trip.
NEIGH_TIMEOUT=5

# hairpin_setup VARIANT IPV6: VARIANT "on" and "off" are a vpair made
# with hairpin on ("off" then turns it off from the other end, at run
# time), "veth" a veth pair.
hairpin_setup()
{
	case $1 in
	on)
		onehost_setup vpair "$2" hairpin on
		;;
	off)
		onehost_setup vpair "$2" hairpin on &&
			ip -n "$ns0" link set "$E1" type vpair hairpin off
		;;
	veth)
		onehost_setup veth "$2"
		;;
	esac
}

# inject SRC DST: FRAMES UDP frames from SRC to DST written into $E0,
# addressed to $E1's MAC; sets RECEIVED to how many reached the socket
# bound to DST.
inject()
{
	local out

	out=$(nsexec "$ns0" "$VPAIR_PKT" inject "$E0" "$(mac_of "$ns0" "$E0")" \
		"$(mac_of "$ns0" "$E1")" "$1" "$2" --count $FRAMES \
		--timeout "$PING_NEG_TIMEOUT")
	[[ $out =~ ^received\ ([0-9]+)\ of ]] || return 1
	RECEIVED=${BASH_REMATCH[1]}
}

# hairpin_inject VARIANT FAMILY EXPECTED: frames from vp0's address to
# vp1's written into vp0 reach vp1's socket (EXPECTED "delivered") or
# not ("dropped"); either way they crossed the pair.
hairpin_inject()
{
	local variant=$1
	local family=$2
	local expected=$3
	local name="hairpin $variant: $family UDP frames into vp0 for vp1's socket $expected"
	local src=$ADDR0 dst=$ADDR1 want=$FRAMES

	[ "$variant" = veth ] && name=${name//vp/ve}
	if [ "$family" = IPv6 ]; then
		src=$ADDR6_0
		dst=$ADDR6_1
	fi
	[ "$expected" = dropped ] && want=0

	pair_snapshot

	inject "$src" "$dst"
	check_err $? "$VPAIR_PKT inject failed"
	[ "$RECEIVED" = "$want" ]
	check_err $? "$RECEIVED of $FRAMES frames received, expected $want"

	pair_delta
	((DELTA[$E1.rx_packets] >= FRAMES))
	check_err $? "$E1 received ${DELTA[$E1.rx_packets]} frames, expected >= $FRAMES: they did not cross the pair"
	if [ "$variant" = on ] && [ "$family" = IPv4 ]; then
		ethtool_stat_ge "$ns0" "$E1" rx_hairpin $FRAMES
		check_err $? "ethtool -S $E1: rx_hairpin below $FRAMES"
	fi
	martians_still_strict "$ns0" "$E0" "$E1"
	check_err $? "rp_filter/accept_local are no longer 1/0"

	log_test "$name"
}

# neigh_lladdr NS DEV ADDR: the link-layer address the neighbour table of
# DEV has for ADDR, in LLADDR (fails while there is none).
neigh_lladdr()
{
	local json

	json=$(ip -n "$1" -j neigh show "$3" dev "$2")
	[[ $json =~ \"lladdr\":\"([^\"]*)\" ]] || return 1
	LLADDR=${BASH_REMATCH[1]}
}

# neigh_resolves DEV PEER ADDR [PING OPTIONS]: a device-bound ping from
# DEV makes the kernel solicit ADDR on DEV (the ping itself may or may
# not get its reply: not the point here); the answer must carry PEER's
# MAC.
neigh_resolves()
{
	local dev=$1
	local peer=$2
	local addr=$3

	shift 3
	nsexec "$ns0" ping -q -n -c 1 -W 1 "$@" -I "$dev" "$addr" \
		>/dev/null 2>&1
	wait_until "$NEIGH_TIMEOUT" neigh_lladdr "$ns0" "$dev" "$addr" &&
		[ "$LLADDR" = "$(mac_of "$ns0" "$peer")" ]
}

# hairpin_arp VARIANT EXPECTED: vp0 resolves vp1's IPv4 address and vp1
# vp0's ("resolves") or neither gets an answer ("unanswered").
hairpin_arp()
{
	local variant=$1
	local expected=$2
	local name="hairpin $variant: ARP between the two ends $expected"

	if [ "$expected" = resolves ]; then
		neigh_resolves "$E0" "$E1" $ADDR1
		check_err $? "$E0 has no neighbour entry with $E1's MAC for $ADDR1"
		neigh_resolves "$E1" "$E0" $ADDR0
		check_err $? "$E1 has no neighbour entry with $E0's MAC for $ADDR0"
		ethtool_stat_ge "$ns0" "$E1" tx_hairpin_arp 1
		check_err $? "ethtool -S $E1: tx_hairpin_arp did not move"
	else
		# an answer would have come during the ping's second
		local NEIGH_TIMEOUT=1
		! neigh_resolves "$E0" "$E1" $ADDR1
		check_err $? "$E0 resolved $ADDR1: ARP answered"
		! neigh_resolves "$E1" "$E0" $ADDR0
		check_err $? "$E1 resolved $ADDR0: ARP answered"
	fi

	log_test "$name"
}

# ND needs no help from hairpin: the receiving stack answers a
# solicitation from a local address (IPv6 input has no martian check),
# and the advertisement goes out of the soliciting end's peer, back over
# the pair. Checked with the option on, off and with veth: all resolve.
hairpin_nd()
{
	local variant=$1
	local name="hairpin $variant: ND between the two ends resolves"

	neigh_resolves "$E0" "$E1" $ADDR6_1 -6
	check_err $? "$E0 has no neighbour entry with $E1's MAC for $ADDR6_1"
	neigh_resolves "$E1" "$E0" $ADDR6_0 -6
	check_err $? "$E1 has no neighbour entry with $E0's MAC for $ADDR6_0"

	log_test "$name"
}

# hairpin_variant VARIANT: the cases above, one after the other on one
# pair (a set-up costs seconds under TCG), each with its own result.
hairpin_variant()
{
	local variant=$1

	# link-local addresses: the kernel solicits neighbours from one
	hairpin_setup "$variant" v6ll
	check_err $? "setup failed"
	if [ "$RET" -ne 0 ]; then
		log_test "hairpin $variant: set-up"
		return
	fi

	if [ "$variant" = on ]; then
		hairpin_inject $variant IPv4 delivered
	else
		hairpin_inject $variant IPv4 dropped
	fi
	# IPv6 input does not check the source against local addresses:
	# the frames arrive whatever the option, and with veth too. Only
	# IPv4 needs hairpin for injected frames.
	hairpin_inject $variant IPv6 delivered

	if [ "$variant" = on ]; then
		hairpin_arp $variant resolves
	else
		hairpin_arp $variant unanswered
	fi
	hairpin_nd $variant
}

# Hairpin is a property of one pair: a veth pair next to it, in the same
# namespace, keeps dropping the same kind of frames.
hairpin_others_keep_protection()
{
	local name="hairpin on: another pair in the namespace still drops martians"
	local e0 e1

	hairpin_setup on v4
	check_err $? "setup failed"
	e0=$E0 e1=$E1
	ip -n "$ns0" link add ve0 type veth peer name ve1 &&
	ipb "$ns0" <<-EOF
		addr add 198.51.100.1/24 dev ve0
		addr add 198.51.100.2/24 dev ve1
		link set ve0 up
		link set ve1 up
	EOF
	check_err $? "veth setup failed"
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" ve1
	check_err $? "no carrier on ve1"

	E0=ve0 E1=ve1
	inject 198.51.100.1 198.51.100.2
	check_err $? "$VPAIR_PKT inject failed"
	[ "$RECEIVED" = 0 ]
	check_err $? "$RECEIVED of $FRAMES martian frames delivered on veth"

	E0=$e0 E1=$e1
	inject $ADDR0 $ADDR1
	check_err $? "$VPAIR_PKT inject failed"
	[ "$RECEIVED" = $FRAMES ]
	check_err $? "$RECEIVED of $FRAMES frames delivered on the hairpin pair"
	martians_still_strict "$ns0" vp0 vp1 ve0 ve1
	check_err $? "rp_filter/accept_local are no longer 1/0"

	log_test "$name"
}

# 127.0.0.0/8 never comes from a wire: hairpin leaves that martian check
# alone, whichever way the loopback address points.
hairpin_no_loopback()
{
	local name="hairpin on: frames to or from 127.0.0.1 written into vp0 still dropped"

	hairpin_setup on v4
	check_err $? "setup failed"

	inject $ADDR0 127.0.0.1
	check_err $? "$VPAIR_PKT inject failed"
	[ "$RECEIVED" = 0 ]
	check_err $? "$RECEIVED of $FRAMES frames $ADDR0 -> 127.0.0.1 delivered"
	inject 127.0.0.1 $ADDR1
	check_err $? "$VPAIR_PKT inject failed"
	[ "$RECEIVED" = 0 ]
	check_err $? "$RECEIVED of $FRAMES frames 127.0.0.1 -> $ADDR1 delivered"

	log_test "$name"
}

require_root
require_cmd ip ping python3 sysctl ethtool

require_kind
variants=veth
[ "$KIND" = vpair ] && variants="on off veth"

for variant in $variants; do
	run_test hairpin_variant $variant
done
[ "$KIND" = vpair ] && run_test hairpin_others_keep_protection
[ "$KIND" = vpair ] && run_test hairpin_no_loopback

exit "$(exit_status)"
