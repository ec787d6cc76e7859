#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netpoll (netconsole) calls a device's transmit path with interrupts off,
# which a pair's transmit path cannot take: the end says so, and
# netconsole on it, or on a bridge above it, is refused with a message
# instead of running into a warning. netconsole only works in the initial
# namespace: this file makes its pair there, and deletes it.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

# netconsole_refused DEV: netconsole on DEV is refused: netpoll says that
# a device (DEV, or for a bridge its port) does not support polling, and
# the target stays off. 6.1 then fails the module load; newer kernels
# load netconsole with that target not enabled, and say so.
netconsole_refused()
{
	local dev=$1 loaded= log

	klog_mark
	modprobe netconsole "netconsole=@/$dev,@192.0.2.2/" 2>/dev/null && loaded=1
	log=$(dmesg | sed -n -e "/$KLOG_MARK/,\$p")
	[ -n "$loaded" ] && modprobe -r netconsole
	[[ $log == *"doesn't support polling"* ]] || return 1
	[ -z "$loaded" ] || [[ $log == *"Not enabling netconsole"* ]]
}

netpoll_setup()
{
	modprobe -q -r netconsole
	[ ! -d /sys/module/netconsole ] || return 1
	ip link add vpnc0 type "$KIND" peer name vpnc1 || return
	defer ip link del vpnc0
	ip addr add 192.0.2.1/24 dev vpnc0 && ip link set vpnc0 up &&
		ip link set vpnc1 up
}

netpoll_end()
{
	netpoll_setup
	check_err $? "set-up failed (netconsole loaded and busy?)"
	netconsole_refused vpnc0
	check_err $? "netconsole on vpnc0 was not refused with 'doesn't support polling'"
	log_test "netpoll: netconsole on an end is refused"
}

netpoll_bridge()
{
	netpoll_setup
	check_err $? "set-up failed (netconsole loaded and busy?)"
	ip addr flush dev vpnc0
	ip link add brnc type bridge && defer ip link del brnc &&
		ip link set vpnc0 master brnc && ip addr add 192.0.2.1/24 dev brnc &&
		ip link set brnc up
	check_err $? "bridge set-up failed"
	netconsole_refused brnc
	check_err $? "netconsole on a bridge with a vpair port was not refused"
	log_test "netpoll: netconsole on a bridge above an end is refused"
}

require_root
require_kind
[ "$KIND" = vpair ] || skip_all "vpair only (KIND=$KIND)"
modinfo netconsole >/dev/null 2>&1 || skip_all "no netconsole module"
grep -qs '/netconsole.ko' "/lib/modules/$(uname -r)/modules.builtin" &&
	skip_all "netconsole is built in: it cannot be loaded with a target here"

run_test netpoll_end
run_test netpoll_bridge

exit "$(exit_status)"
