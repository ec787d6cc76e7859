#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# loopback_bypass, device-bound IPv6 ping: "ping -6 -I vp0 2001:db8::2".
# A known limitation, kept in a file of its own so that the run reports
# it as a skip ("known limitation") instead of hiding it among passes;
# the day it works, this file passes.
#
#   one namespace, same topology as vpair_bypass.sh
#   vp0 192.0.2.1/24 2001:db8::1/64 <====> vp1 192.0.2.2/24 2001:db8::2/64
#
# Why it fails: the socket is bound to vp0 but not to an address, so the
# kernel picks the source by RFC 6724, whose rule 1 prefers the
# destination itself when it is a local address. The request leaves vp0
# with source = destination = 2001:db8::2 and crosses the pair, but the
# echo reply goes from vp1's address to vp1's address: traffic of one
# end, which stays on lo, where the socket bound to vp0 never sees it.
# "ping -6 -I 2001:db8::1 2001:db8::2" (source-bound) works, see
# vpair_bypass.sh.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

COUNT=3

bypass_ipv6_device_bound()
{
	local name="bypass: ping -6 -I vp0 2001:db8::2 answered"
	local out src

	# link-local addresses: vp0 must solicit vp1's address first
	onehost_setup vpair v6ll loopback_bypass on && set_bypass off
	check_err $? "setup failed"
	# without the bypass, nothing can come back on vp0
	ping_fails "$ns0" $ADDR6_1 -6 -I "$E0"
	check_err $? "bypass off: ping -6 -I $E0 $ADDR6_1 got a reply"
	if [ "$RET" -ne 0 ]; then
		log_test "$name"
		return
	fi

	set_bypass on
	check_err $? "ip link set $E1 type vpair loopback_bypass on failed"
	pair_snapshot
	out=$(nsexec "$ns0" ping -n -c $COUNT -i 0.1 -W "$PING_TIMEOUT" -6 \
		-I "$E0" $ADDR6_1 2>&1)
	if [[ $out != *" $COUNT received"* ]]; then
		# a skip only for the known cause, seen in ping's header
		# "PING dst(dst) from SRC vp0: ..."
		[[ $out =~ from\ ([0-9a-f:]+)\ $E0 ]]
		src=${BASH_REMATCH[1]}
		if [ "$src" = $ADDR6_1 ]; then
			LIMITATION="known limitation: the kernel picks $src as the source (RFC 6724 rule 1), the reply stays on lo"
			log_test_skip "$name" "$LIMITATION"
			return
		fi
		check_err 1 "no reply, source ${src:-unknown}: $(echo "$out" | tail -n 2 | head -n 1)"
	fi
	crossed_pair $COUNT
	check_err $? "$CROSSED; expected the pair"

	log_test "$name"
}

require_root
require_cmd ip ping sysctl
require_kind
[ "$KIND" = vpair ] || skip_all "vpair only (KIND=$KIND)"

run_test bypass_ipv6_device_bound
# the runner shows the last "SKIP: " line as the reason of a skip
[ -n "$LIMITATION" ] && echo "SKIP: $LIMITATION"

exit "$(exit_status)"
