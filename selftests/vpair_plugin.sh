#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ip plugin (link_vpair.so) with the module: help, the options in
# ip -d link show (text and JSON) on both ends, changing them with
# "ip link set ... type vpair", and bad input refused with nothing
# changed. plugin/ checks the request bytes without the module.

source "$(dirname "$0")"/lib.sh

plugin_help()
{
	local name="plugin: ip link help vpair"
	local out

	out=$(ip link help vpair 2>&1)
	[[ $out == *"type vpair"* && $out == *hairpin* &&
	   $out == *loopback_bypass* && $out == *peer* ]]
	check_err $? "ip link help vpair does not describe the options: $out"

	log_test "$name"
}

# options_shown NS DEV HAIRPIN BYPASS: ip -d link show (text) and
# ip -d -j link show (JSON) both report these values (on/off).
options_shown()
{
	local ns=$1
	local dev=$2
	local text json_hairpin=false json_bypass=false

	[ "$3" = on ] && json_hairpin=true
	[ "$4" = on ] && json_bypass=true

	text=$(ip -n "$ns" -d link show dev "$dev") || return 1
	[[ $text == *"vpair hairpin $3 loopback_bypass $4"* ]] || return 1

	link_json "$ns" "$dev" || return 1
	[[ $LINK_JSON =~ \"info_kind\":\"vpair\",\"info_data\":\{([^}]*)\} ]] ||
		return 1
	[[ ${BASH_REMATCH[1]} == *"\"hairpin\":$json_hairpin"* &&
	   ${BASH_REMATCH[1]} == *"\"loopback_bypass\":$json_bypass"* ]]
}

plugin_show()
{
	local name="plugin: ip -d link show, text and JSON, on both ends"

	setup_ns ns0 ns1 || return
	ip -n "$ns0" link add vp0 type vpair peer name vp1 netns "$ns1"
	check_err $? "ip link add failed"
	options_shown "$ns0" vp0 off off && options_shown "$ns1" vp1 off off
	check_err $? "defaults not shown as hairpin off loopback_bypass off"

	ip -n "$ns0" link add vp2 type vpair hairpin on peer name vp3
	check_err $? "ip link add with hairpin on failed"
	options_shown "$ns0" vp2 on off && options_shown "$ns0" vp3 on off
	check_err $? "hairpin on at creation not shown on both ends"

	log_test "$name"
}

plugin_set()
{
	local name="plugin: ip link set type vpair changes both ends"

	setup_ns ns0 || return
	ip -n "$ns0" link add vp0 type vpair peer name vp1
	check_err $? "ip link add failed"

	ip -n "$ns0" link set vp0 type vpair loopback_bypass on
	check_err $? "ip link set vp0 type vpair loopback_bypass on failed"
	options_shown "$ns0" vp0 off on && options_shown "$ns0" vp1 off on
	check_err $? "loopback_bypass on not shown on both ends"

	ip -n "$ns0" link set vp1 type vpair hairpin on loopback_bypass off
	check_err $? "ip link set vp1 type vpair hairpin on loopback_bypass off failed"
	options_shown "$ns0" vp0 on off && options_shown "$ns0" vp1 on off
	check_err $? "the change made through vp1 not shown on both ends"

	log_test "$name"
}

plugin_bad_input()
{
	local name="plugin: bad input refused with a message, nothing changed"
	local err

	setup_ns ns0 || return
	ip -n "$ns0" link add vp0 type vpair hairpin on peer name vp1
	check_err $? "ip link add failed"

	err=$(ip -n "$ns0" link set vp0 type vpair hairpin maybe 2>&1)
	check_fail $? "hairpin maybe accepted"
	[ -n "$err" ]
	check_err $? "hairpin maybe refused without a message"
	options_shown "$ns0" vp0 on off && options_shown "$ns0" vp1 on off
	check_err $? "a refused change changed the options"

	err=$(ip -n "$ns0" link add vp2 type vpair loopback_bypass 1x \
		peer name vp3 2>&1)
	check_fail $? "loopback_bypass 1x accepted"
	[ -n "$err" ]
	check_err $? "loopback_bypass 1x refused without a message"
	link_gone "$ns0" vp2 && link_gone "$ns0" vp3
	check_err $? "a refused ip link add left a device behind"

	log_test "$name"
}

require_root
require_cmd ip
[ "$KIND" = vpair ] || skip_all "the vpair plugin (KIND=$KIND)"
require_kind

run_test plugin_help
run_test plugin_show
run_test plugin_set
run_test plugin_bad_input

exit "$(exit_status)"
