#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The route of a packet (its dst) and what a vpair end does with it:
# loopback_bypass needs it kept through the end's queue, and so do tc's
# route, flow and bpf classifiers, which ask the device for it
# themselves. Changing the pair's options must never take it from them,
# and turning the bypass on keeps it before the first packet.
#
#   ns0: vp0 192.0.2.1, htb root qdisc, "route to realm 10" -> class 1:10
#        203.0.113.0/24 dev vp0 realm 10            ns1: vp1 192.0.2.2

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

COUNT=4
DST_REALM=203.0.113.5

# class_packets NS DEV CLASSID: packets sent through that class, in PKTS.
class_packets()
{
	nsout "$1" tc -s class show dev "$2" classid "$3" &&
		[[ $OUT =~ Sent\ [0-9]+\ bytes\ ([0-9]+)\ pkt ]] &&
		PKTS=${BASH_REMATCH[1]}
}

route_classifier_setup()
{
	setup_pair || return
	ipb "$ns0" <<-EOF || return
		route add 203.0.113.0/24 dev vp0 realm 10
		neigh add $DST_REALM lladdr 02:00:00:00:00:02 dev vp0
	EOF
	nsexec "$ns0" tc qdisc add dev vp0 root handle 1: htb default 20 &&
		nsexec "$ns0" tc class add dev vp0 parent 1: classid 1:10 htb rate 100mbit &&
		nsexec "$ns0" tc class add dev vp0 parent 1: classid 1:20 htb rate 100mbit &&
		nsexec "$ns0" tc filter add dev vp0 parent 1: protocol ip prio 1 \
			route to 10 classid 1:10
}

# keep_dst_route_classifier CHANGES...: each of CHANGES is a "type vpair"
# option change of vp0; afterwards the route classifier still sees the
# packets' routes.
keep_dst_route_classifier()
{
	local before change

	route_classifier_setup
	check_err $? "tc route classifier set-up failed"
	for change in "$@"; do
		nsexec "$ns0" ip link set vp0 type vpair $change
		check_err $? "ip link set vp0 type vpair $change failed"
	done
	class_packets "$ns0" vp0 1:10
	before=$PKTS
	nsexec "$ns0" ping -q -n -c $COUNT -i 0.1 -W 1 $DST_REALM >/dev/null 2>&1
	class_packets "$ns0" vp0 1:10
	[ "$((PKTS - before))" -ge $COUNT ]
	check_err $? "class 1:10 (realm 10) got $((PKTS - before)) of $COUNT packets after: $*"

	log_test "keep_dst: tc route classifier works after: $*"
}

# The very first ping after loopback_bypass on is answered: the end keeps
# routes before the bypass takes anything.
keep_dst_first_ping()
{
	local family=$1

	family_addrs "$family"
	onehost_setup vpair v6
	check_err $? "setup failed"
	nsexec "$ns0" ip link set "$E1" type vpair loopback_bypass on
	check_err $? "loopback_bypass on failed"
	nsexec "$ns0" ping -q -n -c 1 -W "$PING_TIMEOUT" -I "$E0" "$DST" >/dev/null 2>&1
	check_err $? "the first ping -I $E0 $DST after loopback_bypass on got no reply"

	log_test "keep_dst: $family the first ping after loopback_bypass on is answered"
}

require_root
require_cmd tc ping
require_kind
[ "$KIND" = vpair ] || skip_all "vpair only (KIND=$KIND)"

run_test keep_dst_route_classifier "hairpin on"
run_test keep_dst_route_classifier "hairpin on" "hairpin off"
run_test keep_dst_route_classifier "loopback_bypass on" "loopback_bypass off"
run_test keep_dst_route_classifier "loopback_bypass off"
run_test keep_dst_first_ping IPv4
run_test keep_dst_first_ping IPv6

exit "$(exit_status)"
