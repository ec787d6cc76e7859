#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Life of a pair: creation with the peer's own link options, the peer
# name the kernel picks, how ip shows the two ends, deletion through
# either end or the peer's namespace, and ends moving between
# namespaces.

source "$(dirname "$0")"/lib.sh

# RFC 7042 documentation MAC range
PEER_MAC=00:00:5e:00:53:01

link_create_peer_options()
{
	local name="create: peer with netns, address, mtu, numtxqueues"
	local peer_idx

	setup_ns ns0 ns1 || return
	link_add "$ns0" vp0 vp1 netns "$ns1" address $PEER_MAC mtu 1400 \
		numtxqueues 3 numrxqueues 2
	check_err $? "ip link add with peer options failed"

	link_json "$ns1" vp1
	check_err $? "peer vp1 not in its netns"
	json_is address $PEER_MAC
	check_err $? "peer address is not $PEER_MAC"
	json_is mtu 1400
	check_err $? "peer mtu is not 1400"
	json_is num_tx_queues 3 && json_is num_rx_queues 2
	check_err $? "peer queues are not tx 3 rx 2"
	json_get ifindex
	peer_idx=$JSON_VAL

	# vp0 kept its own defaults and points at the peer in the other netns
	link_json "$ns0" vp0
	check_err $? "vp0 missing"
	json_is mtu 1500
	check_err $? "vp0 mtu is not the default 1500"
	json_is link_index "$peer_idx"
	check_err $? "vp0 iflink is not the peer's ifindex $peer_idx"
	json_get link_netnsid
	check_err $? "vp0 has no link-netnsid"
	nsout "$ns0" cat /sys/class/net/vp0/iflink && [ "$OUT" = "$peer_idx" ]
	check_err $? "/sys/class/net/vp0/iflink is not $peer_idx"

	link_line "$ns0" vp0
	[[ $LINK_LINE == *"vp0@if$peer_idx: "*"link-netns $ns1"* ]]
	check_err $? "ip link does not show vp0@if$peer_idx ... link-netns $ns1"

	log_test "$name"
}

link_kernel_peer_name()
{
	local name="create: without peer name the kernel names the peer"
	local out

	setup_ns ns0 || return
	ip -n "$ns0" link add vp0 type "$KIND"
	check_err $? "ip link add without peer failed"

	out=$(ip -n "$ns0" -o link show)
	[[ $out == *"vp0@${KIND}0:"* && $out == *"${KIND}0@vp0:"* ]]
	check_err $? "no ${KIND}0@vp0 and vp0@${KIND}0 in: $out"

	log_test "$name"
}

link_delete_either_end()
{
	local name="delete: either end deletes both"

	setup_ns ns0 ns1 || return

	link_add "$ns0" vp0 vp1
	check_err $? "ip link add failed"
	link_line "$ns0" vp0 && [[ $LINK_LINE == *"vp0@vp1: "* ]]
	check_err $? "ip link does not show vp0@vp1"
	ip -n "$ns0" link del vp0
	check_err $? "ip link del vp0 failed"
	link_gone "$ns0" vp1
	check_err $? "vp1 still there after deleting vp0"

	link_add "$ns0" vp0 vp1 netns "$ns1"
	check_err $? "ip link add across netns failed"
	ip -n "$ns1" link del vp1
	check_err $? "ip link del vp1 failed"
	link_gone "$ns0" vp0
	check_err $? "vp0 still there after deleting vp1 in the other netns"

	log_test "$name"
}

link_netns_destroy()
{
	local name="delete: destroying a netns deletes its ends' pairs"

	setup_ns ns0 ns1 || return
	# one pair made from each side, so both ends' roles are covered
	link_add "$ns0" vp0 vp1 netns "$ns1" &&
		link_add "$ns1" vpb0 vpb1 netns "$ns0"
	check_err $? "ip link add failed"

	ip netns del "$ns1"
	check_err $? "ip netns del failed"
	wait_until "$WAIT_TIMEOUT" link_gone "$ns0" vp0
	check_err $? "vp0 still there after its peer's netns was destroyed"
	wait_until "$WAIT_TIMEOUT" link_gone "$ns0" vpb1
	check_err $? "vpb1 still there after its peer's netns was destroyed"

	log_test "$name"
}

link_move_netns()
{
	local name="netns: ends move between namespaces and keep working"

	setup_ns ns0 ns1 ns2 || return
	link_add "$ns0" vp0 vp1
	check_err $? "ip link add failed"

	ip -n "$ns0" link set vp1 netns "$ns1"
	check_err $? "moving vp1 failed"
	link_line "$ns0" vp0 && [[ $LINK_LINE == *"vp0@if"*"link-netns $ns1"* ]]
	check_err $? "vp0 does not show its peer in $ns1"
	ends_up
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping from $ns0 to $ns1 after the move"

	# Moving takes the device down and drops its addresses.
	ip -n "$ns0" link set vp0 netns "$ns2"
	check_err $? "moving vp0 failed"
	ipb "$ns2" <<-EOF
		addr add 192.0.2.3/24 dev vp0
		link set vp0 up
	EOF
	ping_ok "$ns2" 192.0.2.2
	check_err $? "no ping from $ns2 to $ns1 after moving vp0 too"

	ip -n "$ns1" link set vp1 netns "$ns2"
	check_err $? "moving vp1 next to vp0 failed"
	link_line "$ns2" vp0 && [[ $LINK_LINE == *"vp0@vp1: "* ]]
	check_err $? "vp0@vp1 not shown once both ends share a netns"

	log_test "$name"
}

require_root
require_cmd ip ping
require_kind

run_test link_create_peer_options
run_test link_kernel_peer_name
run_test link_delete_either_end
run_test link_netns_destroy
run_test link_move_netns

exit "$(exit_status)"
