#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Carrier: an end has carrier only while both ends are up, and
# "ip link set vp0 carrier off" pulls the cable out of both ends until
# "carrier on" plugs it back (veth has no such switch).

source "$(dirname "$0")"/lib.sh

# setup_pair_down: vp0 192.0.2.1 in ns0, vp1 192.0.2.2 in ns1, both down.
setup_pair_down()
{
	setup_ns ns0 ns1 || return
	link_add "$ns0" vp0 vp1 netns "$ns1" || return
	ip -n "$ns0" addr add 192.0.2.1/24 dev vp0 &&
		ip -n "$ns1" addr add 192.0.2.2/24 dev vp1
}

carrier_needs_both_ends_up()
{
	local name="carrier: only while both ends are up"

	setup_pair_down
	check_err $? "setup failed"

	ip -n "$ns0" link set vp0 up
	wait_until "$WAIT_TIMEOUT" link_no_carrier "$ns0" vp0
	check_err $? "vp0 up, vp1 down: vp0 has carrier (operstate $OPERSTATE)"

	ip -n "$ns1" link set vp1 up
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" vp0
	check_err $? "both ends up: vp0 has no carrier (operstate $OPERSTATE)"
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns1" vp1
	check_err $? "both ends up: vp1 has no carrier (operstate $OPERSTATE)"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping with both ends up"

	ip -n "$ns0" link set vp0 down
	wait_until "$WAIT_TIMEOUT" link_no_carrier "$ns1" vp1
	check_err $? "vp0 down: vp1 has carrier (operstate $OPERSTATE)"

	log_test "$name"
}

# sysfs_carrier NS DEV VALUE: /sys/class/net/DEV/carrier says VALUE.
sysfs_carrier()
{
	nsout "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null &&
		[ "$OUT" = "$3" ]
}

carrier_off_on()
{
	local name="carrier: 'carrier off' pulls the cable for both ends"
	local end

	is_vpair "$name" || return
	setup_pair_down
	check_err $? "setup failed"
	ip -n "$ns0" link set vp0 up && ip -n "$ns1" link set vp1 up
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" vp0
	check_err $? "both ends up: vp0 has no carrier"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping before pulling the cable"

	ip -n "$ns0" link set vp0 carrier off
	check_err $? "ip link set vp0 carrier off refused"
	for end in "$ns0 vp0" "$ns1 vp1"; do
		set -- $end
		wait_until "$WAIT_TIMEOUT" link_no_carrier "$1" "$2"
		check_err $? "carrier off: $2 has carrier (operstate $OPERSTATE)"
		sysfs_carrier "$1" "$2" 0
		check_err $? "carrier off: /sys/class/net/$2/carrier is not 0"
	done
	ping_fails "$ns0" 192.0.2.2
	check_err $? "ping crosses a pulled cable"

	# An unplugged cable stays unplugged whatever the ends do.
	ip -n "$ns1" link set vp1 down && ip -n "$ns1" link set vp1 up
	bsleep 1
	link_no_carrier "$ns1" vp1 && link_no_carrier "$ns0" vp0
	check_err $? "carrier came back after vp1 down/up, without carrier on"

	ip -n "$ns0" link set vp0 carrier on
	check_err $? "ip link set vp0 carrier on refused"
	for end in "$ns0 vp0" "$ns1 vp1"; do
		set -- $end
		wait_until "$WAIT_TIMEOUT" link_has_carrier "$1" "$2"
		check_err $? "carrier on: $2 has no carrier (operstate $OPERSTATE)"
		sysfs_carrier "$1" "$2" 1
		check_err $? "carrier on: /sys/class/net/$2/carrier is not 1"
	done
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping after carrier on"

	log_test "$name"
}

require_root
require_cmd ip ping
require_kind

run_test carrier_needs_both_ends_up
run_test carrier_off_on

exit "$(exit_status)"
