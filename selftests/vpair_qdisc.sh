#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transmit path: no qdisc by default (noqueue) and lockless xmit, like
# veth; a qdisc the user adds still gets the traffic.

source "$(dirname "$0")"/lib.sh

# qdisc_is KIND: vp0's root qdisc in ns0 is KIND; tc -s output in QDISC.
qdisc_is()
{
	QDISC=$(tc -n "$ns0" -s qdisc show dev vp0) &&
		[[ $QDISC == "qdisc $1 "* ]]
}

qdisc_noqueue_lockless()
{
	local name="qdisc: noqueue by default, lockless xmit"

	setup_pair
	check_err $? "setup failed"

	qdisc_is noqueue
	check_err $? "tc qdisc show dev vp0 does not say noqueue"
	link_line "$ns1" vp1 && [[ $LINK_LINE == *" qdisc noqueue "* ]]
	check_err $? "ip link show vp1 does not say qdisc noqueue"
	features_get "$ns0" vp0
	check_err $? "ethtool -k vp0 failed"
	# From 6.12 lockless xmit is dev->lltx, no longer a feature bit that
	# ethtool can show; where the kernel still lists it, it must be on.
	if [[ $FEATURES == *$'\n'"tx-lockless:"* ]]; then
		feature_is tx-lockless "on [fixed]"
		check_err $? "ethtool -k vp0 does not say tx-lockless: on [fixed]"
	else
		log_info "this kernel does not show tx-lockless in ethtool -k"
	fi
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping"

	log_test "$name"
}

qdisc_user_added()
{
	local name="qdisc: an added qdisc carries the traffic, removal restores noqueue"
	local count=5

	setup_pair
	check_err $? "setup failed"

	tc -n "$ns0" qdisc add dev vp0 root handle 1: pfifo
	check_err $? "tc qdisc add pfifo failed"
	nsout "$ns0" ping -q -n -c $count -i 0.05 -W "$PING_TIMEOUT" 192.0.2.2
	[[ $OUT == *" $count received"* ]]
	check_err $? "not all of $count pings answered through pfifo"
	qdisc_is pfifo && [[ $QDISC =~ Sent\ [0-9]+\ bytes\ ([0-9]+)\ pkt ]] &&
		((BASH_REMATCH[1] >= count))
	check_err $? "pfifo on vp0 did not count $count packets"

	tc -n "$ns0" qdisc del dev vp0 root
	check_err $? "tc qdisc del failed"
	qdisc_is noqueue
	check_err $? "noqueue not back after deleting the qdisc"

	log_test "$name"
}

require_root
require_cmd ip tc ethtool ping
require_kind

run_test qdisc_noqueue_lockless
run_test qdisc_user_added

exit "$(exit_status)"
