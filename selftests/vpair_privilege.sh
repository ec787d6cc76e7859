#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The pair's options act on both ends, so in both namespaces: changing
# them needs CAP_NET_ADMIN over both. The root of a container (a user
# namespace with its own network namespace) that holds one end of a pair
# whose other end is the host's cannot change the host end's behaviour;
# the host can; and the container keeps what veth gives it over its own
# end.
#
#   ns0 (host's user namespace)         container: user+net namespace of
#   vp0  <=========================>   vp1  an unprivileged user (nobody)

source "$(dirname "$0")"/lib.sh

# container_start: a user+net namespace made by an unprivileged user,
# kept alive by a sleeping process CPID.
container_start()
{
	local self

	self=$(readlink /proc/self/ns/net)
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user --net sleep 600 &
	CPID=$!
	defer kill "$CPID"
	wait_until "$WAIT_TIMEOUT" eval \
		'[ "$(readlink /proc/$CPID/ns/net 2>/dev/null)" != "$self" ] &&
		 [ -n "$(readlink /proc/$CPID/ns/user 2>/dev/null)" ]'
}

# in_container CMD...: CMD as the container's root.
in_container()
{
	nsenter -t "$CPID" -U -n -- "$@"
}

# option_of NS DEV OPTION: the option as ip -d -j shows it, in JSON_VAL.
option_of()
{
	link_json "$1" "$2" && json_get "$3"
}

privilege_setup()
{
	setup_ns ns0 || return
	container_start || return
	ip -n "$ns0" link add vp0 type vpair peer name vp1 netns "$CPID"
}

privilege_container_cannot()
{
	local opt=$1

	privilege_setup
	check_err $? "set-up failed"
	in_container ip link set vp1 type vpair "$opt" on >"$TMPDIR_TEST/err" 2>&1
	check_fail $? "the container's root set $opt on for both ends"
	grep -q "not permitted\|CAP_NET_ADMIN" "$TMPDIR_TEST/err"
	check_err $? "no clear error: $(<"$TMPDIR_TEST/err")"
	option_of "$ns0" vp0 "$opt"
	[ "$JSON_VAL" = false ]
	check_err $? "the host end vp0 now reports $opt ${JSON_VAL:-?}"

	log_test "privilege: a container's root cannot turn $opt on for the host's end"
}

privilege_host_can()
{
	privilege_setup
	check_err $? "set-up failed"
	ip -n "$ns0" link set vp0 type vpair hairpin on
	check_err $? "the host could not set hairpin on"
	option_of "$ns0" vp0 hairpin
	[ "$JSON_VAL" = true ]
	check_err $? "vp0 reports hairpin ${JSON_VAL:-?}"
	JSON_VAL=
	LINK_JSON=$(in_container ip -d -j link show vp1)
	json_get hairpin
	[ "$JSON_VAL" = true ]
	check_err $? "the container's vp1 reports hairpin ${JSON_VAL:-?}"

	log_test "privilege: the host, admin of both namespaces, sets the options of both ends"
}

# What veth lets a container do with its own end, vpair lets it too.
privilege_container_own_end()
{
	privilege_setup
	check_err $? "set-up failed"
	in_container ip link set vp1 mtu 1400 up
	check_err $? "the container cannot set its own end's MTU and state"
	in_container ip link set vp1 type vpair
	check_err $? "an empty 'type vpair' change was refused"

	log_test "privilege: the container still manages its own end"
}

require_root
require_cmd setpriv unshare nsenter
require_kind
[ "$KIND" = vpair ] || skip_all "vpair only (KIND=$KIND)"
[ "$(sysctl -n kernel.unprivileged_userns_clone 2>/dev/null || echo 1)" = 1 ] ||
	skip_all "unprivileged user namespaces are disabled"

run_test privilege_container_cannot hairpin
run_test privilege_container_cannot loopback_bypass
run_test privilege_host_can
run_test privilege_container_own_end

exit "$(exit_status)"
