#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bpf_redirect_peer: a tc program on a host-side end moves a frame into
# the namespace behind another host-side end in one step, which needs
# the driver's ndo_get_peer_dev.
#
#   nsA                     ns0 (the host)                      nsB
#   +--------------+   +------------------------------+   +--------------+
#   | a1           |   | a0 (ifindex 11)               |   |           b1 |
#   | 192.0.2.1/24 |===| tc ingress: redirect_peer(12) |   | 192.0.2.2/24 |
#   +--------------+   |                               |   +--------------+
#                      |   b0 (ifindex 12)             |===
#                      | tc ingress: redirect_peer(11) |
#                      +-------------------------------+
#
# ns0 has no address and does not forward: nsA and nsB reach each other
# only through the program. The redirected frame keeps its Ethernet
# header, so each host-side end wears the MAC of the far namespace's end
# (a0 has b1's, b0 has a1's): a frame for b1 then counts as addressed to
# a0 where it enters, and b1 accepts it.

source "$(dirname "$0")"/lib.sh

BPF_OBJ=$(dirname "$0")/progs/redirect_peer.bpf.o
# the ifindexes compiled into the program
LEFT_IFINDEX=11
RIGHT_IFINDEX=12
# RFC 7042 documentation MAC range
A1_MAC=00:00:5e:00:53:a1
B1_MAC=00:00:5e:00:53:b1

redirect_peer_ping()
{
	local name="bpf_redirect_peer: ping between namespaces through the program"
	local dev

	setup_ns ns0 nsA nsB || return
	ip -n "$ns0" link add a0 index $LEFT_IFINDEX address $B1_MAC \
		type "$KIND" peer name a1 netns "$nsA" address $A1_MAC &&
	ip -n "$ns0" link add b0 index $RIGHT_IFINDEX address $A1_MAC \
		type "$KIND" peer name b1 netns "$nsB" address $B1_MAC
	check_err $? "ip link add with fixed ifindexes failed"
	ipb "$ns0" <<-EOF
		link set a0 up
		link set b0 up
	EOF
	ipb "$nsA" <<-EOF
		addr add 192.0.2.1/24 dev a1
		link set a1 up
	EOF
	ipb "$nsB" <<-EOF
		addr add 192.0.2.2/24 dev b1
		link set b1 up
	EOF

	ping_fails "$nsA" 192.0.2.2
	check_err $? "nsA reaches nsB without the program"
	# That ping left 192.0.2.2 unresolved (INCOMPLETE, then FAILED) in
	# nsA: the one request of the next ping would be queued behind it and
	# dropped when it fails. Start resolution anew.
	ip -n "$nsA" neigh flush all
	ip -n "$nsB" neigh flush all

	for dev in a0 b0; do
		tc -n "$ns0" qdisc add dev $dev clsact &&
		tc -n "$ns0" filter add dev $dev ingress bpf direct-action \
			obj "$BPF_OBJ" sec tc
		check_err $? "attaching $BPF_OBJ to $dev failed"
	done

	ping_ok "$nsA" 192.0.2.2
	check_err $? "no ping from nsA to nsB with the program"
	ping_ok "$nsB" 192.0.2.1
	check_err $? "no ping from nsB to nsA with the program"

	tc -n "$ns0" filter del dev a0 ingress
	check_err $? "removing the program from a0 failed"
	ping_fails "$nsA" 192.0.2.2
	check_err $? "nsA still reaches nsB once the program is gone from a0"

	log_test "$name"
}

require_root
require_cmd ip tc ping
require_kind
[ -e "$BPF_OBJ" ] || skip_all "$BPF_OBJ not built (make -C selftests)"

run_test redirect_peer_ping

exit "$(exit_status)"
