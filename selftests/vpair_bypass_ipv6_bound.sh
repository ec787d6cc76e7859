#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# loopback_bypass, device-bound IPv6: "ping -6 -I vp0 2001:db8::2".
#
#   one namespace, same topology as vpair_bypass.sh
#   vp0 192.0.2.1/24 2001:db8::1/64 <====> vp1 192.0.2.2/24 2001:db8::2/64
#
# The socket is bound to vp0 but not to an address, so the kernel picks
# the source. By default every address of the namespace is a candidate
# and RFC 6724's first rule prefers the destination itself: the request
# would leave vp0 from 2001:db8::2, and the reply, from vp1's address to
# itself, would stay on lo, where the socket bound to vp0 never sees it.
# While a pair bypasses lo, vpair sets net.ipv6.conf.<end>.
# use_oif_addrs_only on both ends, so that the source is the outgoing
# end's own address, as IPv4 picks it; it puts the namespace's default
# back when the bypass ends. This file checks both: the ping, and the
# setting a user can see.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

COUNT=3

# oif_only_is VAL [NS OF E1]: net.ipv6.conf.<end>.use_oif_addrs_only is
# VAL on both ends, $E0 in ns0 and $E1 in ns0 or NS; VALS holds both.
oif_only_is()
{
	local key=use_oif_addrs_only

	VALS="$(nsexec "$ns0" sysctl -n "net.ipv6.conf.$E0.$key") $(nsexec "${2:-$ns0}" sysctl -n "net.ipv6.conf.$E1.$key")"
	[ "$VALS" = "$1 $1" ]
}

# ping6_bound DEV DST: COUNT pings from ns0 bound to DEV; ping's output in
# OUT and the source address it used (from its header "PING dst(dst)
# from SRC DEV: ...") in SRC.
ping6_bound()
{
	OUT=$(nsexec "$ns0" ping -n -c $COUNT -i 0.1 -W "$PING_TIMEOUT" -6 \
		-I "$1" "$2" 2>&1)
	SRC=
	[[ $OUT =~ from\ ([0-9a-f:]+)\ $1 ]] && SRC=${BASH_REMATCH[1]}
	[[ $OUT == *" $COUNT received"* ]]
}

bypass_ipv6_device_bound()
{
	local name="bypass: ping -6 -I vp0 2001:db8::2 and -I vp1 2001:db8::1 answered, across the pair"

	# link-local addresses: vp0 must solicit vp1's address first
	onehost_setup vpair v6ll
	check_err $? "setup failed"

	# without the bypass, nothing can come back on vp0
	ping_fails "$ns0" $ADDR6_1 -6 -I "$E0"
	check_err $? "bypass off: ping -6 -I $E0 $ADDR6_1 got a reply"

	set_bypass on
	check_err $? "ip link set $E1 type vpair loopback_bypass on failed"
	pair_snapshot
	ping6_bound "$E0" $ADDR6_1
	check_err $? "ping -6 -I $E0 $ADDR6_1: $(echo "$OUT" | tail -n 2 | head -n 1)"
	[ "$SRC" = $ADDR6_0 ]
	check_err $? "ping -6 -I $E0 used source ${SRC:-unknown}, expected $ADDR6_0"
	crossed_pair $COUNT
	check_err $? "$CROSSED; expected the pair"

	pair_snapshot
	ping6_bound "$E1" $ADDR6_0
	check_err $? "ping -6 -I $E1 $ADDR6_0: $(echo "$OUT" | tail -n 2 | head -n 1)"
	pair_delta
	((DELTA[$E1.tx_packets] >= COUNT && DELTA[$E0.tx_packets] >= COUNT))
	check_err $? "$E1/$E0 sent ${DELTA[$E1.tx_packets]}/${DELTA[$E0.tx_packets]} packets, expected $COUNT each"

	log_test "$name"
}

# What vpair does to source selection is visible, and undone when the
# bypass ends: turned off, or an end moved to another namespace.
bypass_ipv6_srcsel_setting()
{
	local name="bypass: use_oif_addrs_only on both ends while bypassing, default back after"

	onehost_setup vpair v6
	check_err $? "setup failed"
	setup_ns ns1
	check_err $? "setup of a second namespace failed"

	oif_only_is 0
	check_err $? "bypass off: use_oif_addrs_only $VALS on $E0 $E1, expected 0"
	set_bypass on
	oif_only_is 1
	check_err $? "bypass on: use_oif_addrs_only $VALS on $E0 $E1, expected 1"

	# across namespaces vpair is veth: nothing of the bypass remains
	ip -n "$ns0" link set "$E1" netns "$ns1"
	check_err $? "moving $E1 to another namespace failed"
	oif_only_is 0 "$ns1"
	check_err $? "ends apart: use_oif_addrs_only $VALS on $E0 $E1, expected 0"
	ip -n "$ns1" link set "$E1" netns "$ns0"
	check_err $? "moving $E1 back failed"
	oif_only_is 1
	check_err $? "ends together again: use_oif_addrs_only $VALS on $E0 $E1, expected 1"

	# below IPv6's minimum MTU the end loses its IPv6 state; raised
	# again, it gets a new one, with the namespace's defaults
	ipb "$ns0" <<-EOF
		link set $E0 mtu 1200
		link set $E0 mtu 1500
	EOF
	check_err $? "changing $E0's mtu failed"
	oif_only_is 1
	check_err $? "after an mtu below 1280 and back: use_oif_addrs_only $VALS on $E0 $E1, expected 1"

	set_bypass off
	oif_only_is 0
	check_err $? "bypass off again: use_oif_addrs_only $VALS on $E0 $E1, expected 0"

	log_test "$name"
}

require_root
require_cmd ip ping sysctl
require_kind
[ "$KIND" = vpair ] || skip_all "vpair only (KIND=$KIND)"

run_test bypass_ipv6_device_bound
run_test bypass_ipv6_srcsel_setting

exit "$(exit_status)"
