#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Queues: numtxqueues/numrxqueues chosen per end at creation, shown in
# sysfs and by ethtool -l; ethtool -L changes how many are in use.

source "$(dirname "$0")"/lib.sh

# sysfs_queues NS DEV: "TX RX" in GOT, the queues the device has in
# sysfs.
sysfs_queues()
{
	local q tx=0 rx=0

	GOT=
	nsout "$1" ls "/sys/class/net/$2/queues" || return 1
	for q in $OUT; do
		case $q in
		tx-*) tx=$((tx + 1)) ;;
		rx-*) rx=$((rx + 1)) ;;
		esac
	done
	GOT="$tx $rx"
}

# channels NS DEV: "MAXTX MAXRX TX RX" in GOT, from ethtool -l.
channels()
{
	local line sect
	local -A tx rx

	GOT=
	nsout "$1" ethtool -l "$2" || return 1
	while read -r line; do
		case $line in
		"Pre-set maximums:") sect=max ;;
		"Current hardware settings:") sect=cur ;;
		TX:*) tx[$sect]=${line##*[[:space:]]} ;;
		RX:*) rx[$sect]=${line##*[[:space:]]} ;;
		esac
	done <<< "$OUT"
	GOT="${tx[max]} ${rx[max]} ${tx[cur]} ${rx[cur]}"
}

queues_at_creation()
{
	local name="queues: numtxqueues/numrxqueues per end at creation"

	setup_ns ns0 ns1 || return
	ip -n "$ns0" link add vp0 numtxqueues 4 numrxqueues 3 type "$KIND" \
		peer name vp1 netns "$ns1" numtxqueues 2 numrxqueues 5
	check_err $? "ip link add with queue counts failed"

	sysfs_queues "$ns0" vp0
	[ "$GOT" = "4 3" ]
	check_err $? "vp0 has tx/rx queues '$GOT' in sysfs, expected '4 3'"
	sysfs_queues "$ns1" vp1
	[ "$GOT" = "2 5" ]
	check_err $? "vp1 has tx/rx queues '$GOT' in sysfs, expected '2 5'"

	channels "$ns0" vp0
	[ "$GOT" = "4 3 4 3" ]
	check_err $? "ethtool -l vp0 says max/current tx rx '$GOT', expected '4 3 4 3'"

	log_test "$name"
}

queues_set_channels()
{
	local name="queues: ethtool -L changes the active queues"

	setup_ns ns0 ns1 || return
	ip -n "$ns0" link add vp0 numtxqueues 4 numrxqueues 4 type "$KIND" \
		peer name vp1 netns "$ns1" numtxqueues 4 numrxqueues 4
	check_err $? "ip link add with queue counts failed"
	ends_up

	nsexec "$ns0" ethtool -L vp0 tx 2 rx 1
	check_err $? "ethtool -L vp0 tx 2 rx 1 failed"
	channels "$ns0" vp0
	[ "$GOT" = "4 4 2 1" ]
	check_err $? "ethtool -l vp0 says '$GOT', expected '4 4 2 1'"
	sysfs_queues "$ns0" vp0
	[ "$GOT" = "2 1" ]
	check_err $? "vp0 has tx/rx queues '$GOT' in sysfs, expected '2 1'"

	nsexec "$ns0" ethtool -L vp0 tx 5 2>/dev/null
	check_fail $? "ethtool -L vp0 tx 5 accepted beyond the 4 queues"
	channels "$ns0" vp0
	[ "$GOT" = "4 4 2 1" ]
	check_err $? "a refused ethtool -L changed the channels to '$GOT'"

	wait_until "$WAIT_TIMEOUT" link_operstate "$ns0" vp0 UP
	check_err $? "vp0 not UP after ethtool -L"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping after ethtool -L"

	log_test "$name"
}

# Created without counts, an end uses one queue each way but can be given
# one per CPU later with ethtool -L, as veth allows.
queues_default_maximum()
{
	local name="queues: without counts, one in use and ethtool -L up to one per CPU"
	local cpus possible

	# "0-N" (or "0"): the possible CPUs, as num_possible_cpus() counts
	possible=$(</sys/devices/system/cpu/possible)
	cpus=$((${possible##*-} + 1))
	setup_pair
	check_err $? "set-up failed"

	channels "$ns0" vp0
	[ "$GOT" = "$cpus $cpus 1 1" ]
	check_err $? "ethtool -l vp0 says '$GOT', expected '$cpus $cpus 1 1'"
	sysfs_queues "$ns0" vp0
	[ "$GOT" = "1 1" ]
	check_err $? "vp0 has tx/rx queues '$GOT' in sysfs, expected '1 1'"

	nsexec "$ns0" ethtool -L vp0 tx "$cpus" rx "$cpus"
	check_err $? "ethtool -L vp0 tx $cpus rx $cpus failed"
	sysfs_queues "$ns0" vp0
	[ "$GOT" = "$cpus $cpus" ]
	check_err $? "after ethtool -L, vp0 has tx/rx queues '$GOT' in sysfs"
	nsexec "$ns0" ethtool -L vp0 tx $((cpus + 1)) 2>/dev/null
	check_fail $? "ethtool -L vp0 tx $((cpus + 1)) accepted beyond one per CPU"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping after ethtool -L"

	log_test "$name"
}

require_root
require_cmd ip ethtool ping
require_kind

run_test queues_at_creation
run_test queues_set_channels
run_test queues_default_maximum

exit "$(exit_status)"
