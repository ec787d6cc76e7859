#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# User namespaces: an unprivileged user may do with vpair what veth lets
# it do, inside namespaces of its own and nothing outside them; and a
# bypass pair in one namespace never touches another namespace's
# traffic, even with the same addresses.
#
#   init netns (root)            nobody's user ns, mapped to root there
#   +------------------+         +-----------------------------------+
#   | fd 7: this netns |         | its own netns: vpu0 <-> vpu1      |
#   | nsx (root's)     |  <-X--  | a second netns of its own (pid)   |
#   | fd 8: nsx        |         |   peer/move there: allowed        |
#   | INIT_PID (sleep  |         | peer/move to fd 7, fd 8, INIT_PID:|
#   |  of nobody's ns) |         |   EPERM                           |
#   +------------------+         +-----------------------------------+
#
# The unprivileged side is a bash script run by nobody (setpriv) in a new
# user and network namespace (unshare --user --map-root-user --net).
# Each step prints "STEP: ok" or the last words of the error ("STEP:
# Operation not permitted"); the case compares that with what it
# expects, and for vpair also shows where veth answers otherwise.

# shellcheck disable=SC2154 # nsx, nsa... are set by setup_ns
source "$(dirname "$0")"/lib.sh

NOBODY=65534

# What the unprivileged script starts with: K is the link type, step
# runs one command and prints how it went.
read -r -d '' USER_LIB <<'EOF'
K=$1
step()
{
	local n=$1 r

	shift
	if r=$("$@" 2>&1); then
		echo "$n: ok"
	else
		r=${r##*$'\n'}
		echo "$n: ${r##*: }"
	fi
}
ip link set lo up
EOF
USER_LIB+=$'\n'

# as_user KIND SCRIPT: SCRIPT run as nobody in a new user+net namespace,
# fd 7 the initial netns, fd 8 nsx, INIT_PID a process of the new user
# namespace left in the initial netns; what it printed in OUT.
#
# Why INIT_PID and not pid 1: iproute2 6.1 sends "netns PID" as
# IFLA_NET_NS_PID, newer iproute2 opens /proc/PID/ns/net and sends the
# fd, and a process may open that only for processes of its own user
# namespace (pid 1's gets ip's own refusal, and the kernel is never
# asked). A process of its user namespace still in the initial netns
# makes both iproute2s ask the kernel, which must say no.
as_user()
{
	OUT=$(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		unshare --user --map-root-user bash -c '
			sleep 600 &
			INIT_PID=$! unshare --net bash -c "$1" bash "$2"
			r=$?
			kill $!
			exit $r' bash "$USER_LIB$2" "$1" 2>&1 \
		7</proc/1/ns/net 8<"/run/netns/$nsx")
}

# compare_user SCRIPT EXPECTED [veth]: run SCRIPT for $KIND; it must
# print EXPECTED. With "veth" and KIND vpair, SCRIPT also runs for veth,
# and where veth answers otherwise is shown.
compare_user()
{
	local script=$1
	local expected=$2
	local got

	as_user "$KIND" "$script"
	got=$OUT
	if [ "$got" != "$expected" ]; then
		check_err 1 "$KIND answered otherwise than expected"
		diff <(echo "$expected") <(echo "$got") |
			sed -n -e 's/^< /INFO:   expected /p' -e 's/^> /INFO:   got      /p'
	fi
	[ "$KIND" = vpair ] && [ "$3" = veth ] || return 0
	as_user veth "$script"
	if [ "$OUT" != "$got" ]; then
		log_info "veth answers otherwise than vpair:"
		diff <(echo "$got") <(echo "$OUT") |
			sed -n -e 's/^< /INFO:   vpair /p' -e 's/^> /INFO:   veth  /p'
	fi
}

############################################################################
# Cases

# In its own namespaces: create (with and without a peer name), set
# link attributes, put the peer in (and move an end to) a second netns
# of its own user namespace, delete.
userns_own()
{
	local name="userns: unprivileged $KIND inside its own user+net namespaces"

	setup_ns nsx || return
	compare_user '
step add ip link add vpu0 type $K peer name vpu1
step add-noname ip link add vpu2 type $K
step show-peer ip link show vpu1
step set ip link set vpu0 mtu 1400 address 02:00:00:00:00:01 up
step set-peer ip link set vpu1 up
# a second network namespace of this user namespace, known by a pid
unshare --net sleep 60 &
pid=$!
while [ /proc/$pid/ns/net -ef /proc/$$/ns/net ]; do sleep 0.1; done
step peer-own-netns ip link add vpu4 type $K peer name vpu5 netns $pid
step move-own-netns ip link set vpu1 netns $pid
step moved nsenter --net=/proc/$pid/ns/net ip link show vpu1
step del ip link del vpu0
kill $pid
' 'add: ok
add-noname: ok
show-peer: ok
set: ok
set-peer: ok
peer-own-netns: ok
move-own-netns: ok
moved: ok
del: ok' veth

	log_test "$name"
}

# Outside them: the peer in, or an end moved to, the initial netns (by
# INIT_PID, or an fd of it) or a netns of root's: refused, and nothing
# made. Stricter than veth on Debian's 6.1: there veth takes the peer's
# netns without checking CAP_NET_ADMIN over it (veth_newlink calls
# rtnl_link_get_net), so "peer ... netns PID" makes the peer in the
# initial netns; moving an end (do_setlink) is refused for both.
userns_outside()
{
	local name="userns: unprivileged $KIND peer/end into a netns not its own: EPERM"
	local eperm="Operation not permitted"

	setup_ns nsx || return
	# were a peer made where it must not be
	defer ip link del vpu1
	defer ip -n "$nsx" link del vpu1
	compare_user '
step peer-pid ip link add vpu0 type $K peer name vpu1 netns $INIT_PID
step peer-init-fd ip link add vpu0 type $K peer name vpu1 netns /proc/self/fd/7
step peer-nsx-fd ip link add vpu0 type $K peer name vpu1 netns /proc/self/fd/8
step none-made ip link show vpu0
step add ip link add vpu0 type $K peer name vpu1
step move-pid ip link set vpu1 netns $INIT_PID
step move-init-fd ip link set vpu1 netns /proc/self/fd/7
step move-nsx-fd ip link set vpu1 netns /proc/self/fd/8
step still-here ip link show vpu1
' "peer-pid: $eperm
peer-init-fd: $eperm
peer-nsx-fd: $eperm
none-made: Device \"vpu0\" does not exist.
add: ok
move-pid: $eperm
move-init-fd: $eperm
move-nsx-fd: $eperm
still-here: ok" veth
	link_gone "$nsx" vpu1 && ! ip link show dev vpu1 >/dev/null 2>&1
	check_err $? "a device of the unprivileged user's is in the initial netns or in nsx"

	log_test "$name"
}

# The pair's options in its own namespace: hairpin, loopback_bypass,
# and the bypass working there.
userns_options()
{
	local name="userns: unprivileged user sets vpair options in its own netns, bypass works"

	setup_ns nsx || return
	compare_user '
step add ip link add vpu0 type vpair peer name vpu1
step hairpin ip link set vpu0 type vpair hairpin on
step bypass ip link set vpu1 type vpair loopback_bypass on
step addrs ip -batch - <<EOF
addr add 192.0.2.1/24 dev vpu0
addr add 192.0.2.2/24 dev vpu1
link set vpu0 up
link set vpu1 up
EOF
step ping ping -q -n -c 3 -W 5 -I 192.0.2.1 192.0.2.2
step crossed-pair bash -c "ethtool -S vpu0 | grep -q \"tx_bypass: [1-9]\""
step off ip link set vpu0 type vpair hairpin off loopback_bypass off
step show bash -c "ip -d link show vpu1 | grep -q \"hairpin off loopback_bypass off\""
' 'add: ok
hairpin: ok
bypass: ok
addrs: ok
ping: ok
crossed-pair: ok
off: ok
show: ok'

	log_test "$name"
}

# iso_pair NS BYPASS: vp0 192.0.2.1/24 and vp1 192.0.2.2/24 in NS, no
# IPv6 of their own (its chatter would move the counters), up.
iso_pair()
{
	local ns=$1

	ip -n "$ns" link add vp0 type vpair loopback_bypass "$2" peer name vp1 || return
	ipb "$ns" <<-EOF || return
		link set vp0 addrgenmode none
		link set vp1 addrgenmode none
		addr add 192.0.2.1/24 dev vp0
		addr add 192.0.2.2/24 dev vp1
		link set vp0 up
		link set vp1 up
	EOF
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns" vp0
}

# snap NS: tx_packets of vp0, vp1 and lo of NS in SNAP_NS[...].
declare -A SNAP_NS
snap()
{
	local dev

	for dev in vp0 vp1 lo; do
		link_stats "$1" $dev || return 1
		SNAP_NS[$1.$dev]=${STATS[tx_packets]}
	done
}

# moved NS DEV: how far DEV's tx_packets moved since snap, in MOVED.
moved()
{
	link_stats "$1" "$2" && MOVED=$((STATS[tx_packets] - SNAP_NS[$1.$2]))
}

PINGS=20

# Two namespaces with the same addresses, loopback_bypass on in one:
# pinged at the same time, each namespace's traffic goes its own way.
userns_bypass_isolated()
{
	local name="userns: bypass in one netns leaves another's traffic (same addresses) on lo"
	local pa pb

	setup_ns nsa nsb || return
	iso_pair "$nsa" on && iso_pair "$nsb" off
	check_err $? "setup failed"
	snap "$nsa" && snap "$nsb"

	nsexec "$nsb" ping -q -n -c $PINGS -i 0.05 -W 5 -I 192.0.2.1 192.0.2.2 >/dev/null 2>&1 &
	pb=$!
	nsexec "$nsa" ping -q -n -c $PINGS -i 0.05 -W 5 -I 192.0.2.1 192.0.2.2 >/dev/null 2>&1 &
	pa=$!
	wait $pa
	check_err $? "ping in the bypass netns: not all answered"
	wait $pb
	check_err $? "ping in the other netns: not all answered"

	moved "$nsb" vp0 && ((MOVED == 0)) && moved "$nsb" vp1 && ((MOVED == 0))
	check_err $? "the other netns' pair sent $MOVED packets"
	ethtool_get "$nsb" vp0 tx_bypass && ((ETHTOOL_VAL == 0))
	check_err $? "the other netns' pair: tx_bypass $ETHTOOL_VAL"
	moved "$nsb" lo && ((MOVED >= 2 * PINGS))
	check_err $? "the other netns' lo sent $MOVED packets, expected >= $((2 * PINGS))"
	moved "$nsa" vp0 && ((MOVED >= PINGS)) && moved "$nsa" vp1 && ((MOVED >= PINGS))
	check_err $? "the bypass pair sent $MOVED packets, expected >= $PINGS each way"
	ethtool_stat_ge "$nsa" vp0 tx_bypass $PINGS
	check_err $? "the bypass pair: tx_bypass $ETHTOOL_VAL, expected >= $PINGS"
	moved "$nsa" lo && ((MOVED < PINGS))
	check_err $? "the bypass netns' lo sent $MOVED packets"

	log_test "$name"
}

# The same with the bypass pair in an unprivileged user's netns, next to
# root's namespace with the same addresses.
userns_bypass_isolated_unpriv()
{
	local name="userns: an unprivileged user's bypass leaves root's netns (same addresses) on lo"
	local pb

	setup_ns nsx nsb || return
	iso_pair "$nsb" off
	check_err $? "setup failed"
	snap "$nsb"

	# long enough to run all the while the user's pair bypasses
	nsexec "$nsb" ping -q -n -c 100 -i 0.1 -W 5 -I 192.0.2.1 192.0.2.2 >/dev/null 2>&1 &
	pb=$!
	defer kill $pb
	compare_user '
ip -batch - <<EOF
link add vp0 type vpair loopback_bypass on peer name vp1
link set vp0 addrgenmode none
link set vp1 addrgenmode none
addr add 192.0.2.1/24 dev vp0
addr add 192.0.2.2/24 dev vp1
link set vp0 up
link set vp1 up
EOF
step ping ping -q -n -c 20 -i 0.1 -W 5 -I 192.0.2.1 192.0.2.2
step crossed-pair bash -c "ethtool -S vp0 | grep -q \"tx_bypass: [1-9][0-9]\""
' 'ping: ok
crossed-pair: ok'
	kill -0 $pb 2>/dev/null
	check_err $? "root's ping ended before the user's (too fast a machine for this check)"
	moved "$nsb" vp0 && ((MOVED == 0)) && moved "$nsb" vp1 && ((MOVED == 0))
	check_err $? "root's pair sent $MOVED packets"
	ethtool_get "$nsb" vp0 tx_bypass && ((ETHTOOL_VAL == 0))
	check_err $? "root's pair: tx_bypass $ETHTOOL_VAL"
	moved "$nsb" lo && ((MOVED >= 2))
	check_err $? "root's lo sent $MOVED packets: its ping did not run"

	log_test "$name"
}

require_root
require_cmd ip setpriv unshare nsenter ping ethtool diff
require_kind
# veth is the reference: both must be there
[ -d /sys/module/veth ] || modprobe -q veth || skip_all "no veth"

# Debian's switch for unprivileged user namespaces, on for the file
if [ -w /proc/sys/kernel/unprivileged_userns_clone ]; then
	defer sysctl -q -w "kernel.unprivileged_userns_clone=$(</proc/sys/kernel/unprivileged_userns_clone)"
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
fi
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
	unshare --user --map-root-user --net true ||
	skip_all "an unprivileged user cannot make a user namespace here"
# the plugin must be readable by nobody, wherever it is
if [ -n "$IP_LIB_DIR" ]; then
	mkdir -p "$TMPDIR_TEST/ip" && cp "$IP_LIB_DIR/link_vpair.so" "$TMPDIR_TEST/ip/" &&
		chmod 755 "$TMPDIR_TEST" "$TMPDIR_TEST/ip" || exit $ksft_fail
	export IP_LIB_DIR=$TMPDIR_TEST/ip
fi

run_test userns_own
run_test userns_outside
if [ "$KIND" = vpair ]; then
	run_test userns_options
	run_test userns_bypass_isolated
	run_test userns_bypass_isolated_unpriv
else
	log_test_skip "userns: options and bypass isolation" "vpair only (KIND=$KIND)"
fi

exit "$(exit_status)"
