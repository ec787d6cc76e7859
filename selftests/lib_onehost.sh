# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the tests in which both ends of a pair sit in one namespace:
# the host talking to itself over the pair (hairpin, loopback_bypass and
# the seed's section 2). Sourced after lib.sh.
#
#   one namespace ($ns0), strict martian filtering (rp_filter 1,
#   accept_local 0, for all devices and for every new one)
#   +---------------------------------------------------------------+
#   |                                                               |
#   |  $E0 192.0.2.1/24  <=========================>  $E1 192.0.2.2/24
#   |      2001:db8::1/64          the pair              2001:db8::2/64
#   |                                                               |
#   |  lo: where the kernel sends traffic to its own addresses      |
#   +---------------------------------------------------------------+
#
# $E0/$E1 are vp0/vp1 for a vpair and ve0/ve1 for a veth, so a failure
# message says which one it was about.

ADDR0=192.0.2.1
ADDR1=192.0.2.2
ADDR6_0=2001:db8::1
ADDR6_1=2001:db8::2

VPAIR_PKT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/vpair_pkt.py

# What the runner counts as the kernel complaining (run_tests.sh).
KLOG_BAD='WARNING:|\<BUG\>|Oops|refcount|unregister_netdevice: waiting'

# strict_martians NS: the strictest settings against packets with a local
# source, for "all" and for the devices made from now on. A new namespace
# copies init_net's IPv4 settings, which may be relaxed: set them.
strict_martians()
{
	nsexec "$1" sysctl -q -w net.ipv4.conf.all.rp_filter=1 \
		net.ipv4.conf.default.rp_filter=1 \
		net.ipv4.conf.all.accept_local=0 \
		net.ipv4.conf.default.accept_local=0
}

# martians_still_strict NS DEV...: rp_filter is still 1 and accept_local
# still 0, for all and for each DEV (the driver must not relax them).
martians_still_strict()
{
	local ns=$1
	local keys=() dev vals

	shift
	for dev in all "$@"; do
		keys+=("net.ipv4.conf.$dev.rp_filter" "net.ipv4.conf.$dev.accept_local")
	done
	vals=$(nsexec "$ns" sysctl -n "${keys[@]}" | tr '\n' ' ')
	[ "$vals" = "$(printf '1 0 %.0s' all "$@")" ]
}

# onehost_setup KIND IPV6 [OPTIONS OF THE LINK...]: a pair of KIND with
# both ends in a new namespace $ns0, addresses on both, both up, carrier
# on; $ONEHOST_BEFORE_PAIR, if set, is run with the namespace before the
# pair is made. IPV6 says how much IPv6 the ends get:
#   v4    none: no IPv6 traffic of their own, for cases that count
#         packets exactly
#   v6    the IPv6 addresses, no link-local: quiet still, but the ends
#         cannot solicit neighbours (the kernel sends NS from a
#         link-local address only)
#   v6ll  the IPv6 addresses and link-local ones: neighbour discovery
#         works, and the ends send their own MLD reports and router
#         solicitations
onehost_setup()
{
	local kind=$1
	local v6=$2
	local addrgen=none

	shift 2
	E0=${kind:0:2}0
	E1=${kind:0:2}1
	[ "$v6" = v6ll ] && addrgen=eui64
	setup_ns ns0 || return
	strict_martians "$ns0" || return
	if [ -n "${ONEHOST_BEFORE_PAIR:-}" ]; then
		"$ONEHOST_BEFORE_PAIR" "$ns0" || return
	fi
	ip -n "$ns0" link add "$E0" type "$kind" "$@" peer name "$E1" || return
	ipb "$ns0" <<-EOF || return
		link set $E0 addrgenmode $addrgen
		link set $E1 addrgenmode $addrgen
		addr add $ADDR0/24 dev $E0
		addr add $ADDR1/24 dev $E1
	EOF
	if [ "$v6" != v4 ]; then
		# nodad: usable at once, no second of DAD to wait under TCG
		ipb "$ns0" <<-EOF || return
			addr add $ADDR6_0/64 dev $E0 nodad
			addr add $ADDR6_1/64 dev $E1 nodad
		EOF
	fi
	ipb "$ns0" <<-EOF || return
		link set $E0 up
		link set $E1 up
	EOF
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" "$E0" &&
		wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" "$E1"
}

# set_bypass on|off: loopback_bypass of the pair, set from $E1 so that
# the cases also show it is a property of the cable, not of one end.
set_bypass()
{
	ip -n "$ns0" link set "$E1" type vpair loopback_bypass "$1"
}

# pair_snapshot: the counters of both ends and of lo, as SNAP[E0.tx_bytes],
# SNAP[lo.rx_packets] ...
declare -A SNAP
pair_snapshot()
{
	local dev key

	SNAP=()
	for dev in "$E0" "$E1" lo; do
		link_stats "$ns0" "$dev" || return 1
		for key in "${!STATS[@]}"; do
			SNAP[$dev.$key]=${STATS[$key]}
		done
	done
}

# pair_delta: what each counter moved since pair_snapshot, as
# DELTA[E0.tx_bytes] ...
declare -A DELTA
pair_delta()
{
	local -A before
	local key

	for key in "${!SNAP[@]}"; do
		before[$key]=${SNAP[$key]}
	done
	pair_snapshot || return 1
	DELTA=()
	for key in "${!SNAP[@]}"; do
		DELTA[$key]=$((SNAP[$key] - before[$key]))
	done
}

# crossed_pair MIN: since pair_snapshot, both ends sent and received at
# least MIN packets each way ($E0 tx/rx, $E1 rx/tx). Sets CROSSED to a
# description for messages.
crossed_pair()
{
	local min=$1

	pair_delta || return 1
	CROSSED="$E0 tx/rx ${DELTA[$E0.tx_packets]}/${DELTA[$E0.rx_packets]}, $E1 rx/tx ${DELTA[$E1.rx_packets]}/${DELTA[$E1.tx_packets]}, lo ${DELTA[lo.tx_packets]} packets"
	((DELTA[$E0.tx_packets] >= min && DELTA[$E0.rx_packets] >= min &&
	  DELTA[$E1.rx_packets] >= min && DELTA[$E1.tx_packets] >= min))
}

# pings NS COUNT DST [PING OPTIONS...]: COUNT echo requests, all answered.
pings()
{
	local ns=$1
	local count=$2
	local dst=$3

	shift 3
	nsexec "$ns" ping -q -n -c "$count" -i 0.1 -W "$PING_TIMEOUT" "$@" \
		"$dst" 2>/dev/null | grep -q " $count received"
}

# mac_of NS DEV
mac_of()
{
	link_json "$1" "$2" && json_get address && echo "$JSON_VAL"
}

# pcap_count FILE FILTER...: how many packets of the capture FILE match.
pcap_count()
{
	local file=$1

	shift
	tcpdump -nn -r "$file" "$@" 2>/dev/null | wc -l
}

# pcap_at_least MIN FILE FILTER...: the capture FILE, still being
# written, holds at least MIN matching packets. tcpdump may lag behind
# the traffic, and stopping it loses what it has not read yet: wait with
# this before capture_stop.
pcap_at_least()
{
	local min=$1

	shift
	[ "$(pcap_count "$@")" -ge "$min" ]
}

# klog_mark: remember where the kernel log is now; klog_clean: nothing
# the runner would call a complaint was logged since.
klog_mark()
{
	KLOG_MARK="vpair-selftest-$$-$RANDOM"
	echo "<6>$KLOG_MARK" >/dev/kmsg
}

klog_clean()
{
	KLOG_BAD_LINES=$(dmesg | sed -n -e "/$KLOG_MARK/,\$p" |
		grep -E "$KLOG_BAD")
	[ -z "$KLOG_BAD_LINES" ]
}

############################################################################
# loopback_bypass cases (vpair_bypass*.sh)

MiB=$((1 << 20))
TCP_PORT=5201

# bypass_setup VARIANT IPV6: "on" and "off" are a vpair made with
# loopback_bypass on ("off" then turns it off from vp1, at run time),
# "veth" a veth pair.
bypass_setup()
{
	case $1 in
	on)
		onehost_setup vpair "$2" loopback_bypass on
		;;
	off)
		onehost_setup vpair "$2" loopback_bypass on && set_bypass off
		;;
	veth)
		onehost_setup veth "$2"
		;;
	esac
}

# variant_name VARIANT TEXT: the case's name, with the ends named as the
# variant names them.
variant_name()
{
	local text="bypass $1: $2"

	[ "$1" = veth ] && text=${text//vp/ve}
	echo "$text"
}

# family_addrs FAMILY: SRC and DST, vp0's and vp1's addresses.
family_addrs()
{
	if [ "$1" = IPv6 ]; then
		SRC=$ADDR6_0 DST=$ADDR6_1
	else
		SRC=$ADDR0 DST=$ADDR1
	fi
}

# through_lo MIN: since pair_snapshot, lo carried at least MIN packets
# and the pair (almost) nothing: fewer than MIN packets, allowing for
# the ends' own IPv6 chatter.
through_lo()
{
	local min=$1

	pair_delta || return 1
	CROSSED="$E0 tx ${DELTA[$E0.tx_packets]}, $E1 tx ${DELTA[$E1.tx_packets]}, lo ${DELTA[lo.tx_packets]} packets"
	((DELTA[lo.tx_packets] >= min && DELTA[$E0.tx_packets] < min &&
	  DELTA[$E1.tx_packets] < min))
}

# tcp_transfer SRC DST BYTES [SENDER OPTIONS...]: BYTES over TCP from SRC
# to DST (in the background with the sender's options, e.g. a pause);
# tcp_transfer_wait then checks they arrived intact.
tcp_transfer()
{
	local src=$1
	local dst=$2
	local bytes=$3

	shift 3
	nsexec "$ns0" "$VPAIR_PKT" tcp-recv "$dst" $TCP_PORT \
		>"$TMPDIR_TEST/recv.txt" 2>&1 &
	TCP_RECV_PID=$!
	defer kill "$TCP_RECV_PID"
	nsexec "$ns0" "$VPAIR_PKT" tcp-send "$src" "$dst" $TCP_PORT "$bytes" "$@" \
		>"$TMPDIR_TEST/send.txt" 2>&1 &
	TCP_SEND_PID=$!
	defer kill "$TCP_SEND_PID"
}

# A transfer that stalls fails after TCP_TIMEOUT seconds, not at the
# runner's timeout.
TCP_TIMEOUT=${TCP_TIMEOUT:-180}

tcp_transfer_wait()
{
	local sent received rc

	if ! wait_until "$TCP_TIMEOUT" eval '! kill -0 "$TCP_SEND_PID" 2>/dev/null'; then
		TRANSFER="not finished after ${TCP_TIMEOUT}s: $(<"$TMPDIR_TEST/send.txt")"
		return 1
	fi
	wait "$TCP_SEND_PID" && wait "$TCP_RECV_PID"
	rc=$?
	sent=$(<"$TMPDIR_TEST/send.txt")
	received=$(<"$TMPDIR_TEST/recv.txt")
	TRANSFER="sent: ${sent:-nothing}, received: ${received:-nothing}"
	[ $rc = 0 ] && [ -n "$sent" ] && [ "$sent" = "$received" ]
}
