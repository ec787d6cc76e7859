#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed's section 2, replayed: a pair in one namespace, an address on
# each end, and the host pinging one end's address from the other end.
# First on veth, as the blog post did: the device-bound ping gets no reply
# (the request is a martian on arrival, and the reply would go through lo
# anyway). Then on vpair with loopback_bypass on, strict rp_filter left on,
# no sysctl, rule or route changed: the ping is answered, tcpdump sees the
# requests arrive on vp1 and the replies on vp0, and an XDP program on vp1
# counts the host's own echo requests.
#
#     netns vpair-demo (one namespace, like the seed's host)
#   +-------------------------------------------------------------+
#   |   vp0 192.0.2.3/24  ========= vpair =========  vp1 192.0.2.2/24 |
#   |   ping -I vp0 192.0.2.2 -->              requests arrive here, |
#   |   replies arrive here <--                XDP counts them       |
#   +-------------------------------------------------------------+
#
# Run as root where vpair is installed, or let `make demo` run it in a VM.
# XDP_OBJ is selftests/progs/xdp_count.bpf.o (make -C selftests builds it);
# without it, or without bpftool, the XDP step is left out and says so.
# It works in a namespace of its own, refuses one that exists, and removes
# it when it ends.

set -u
PINGS=${PINGS:-3}
NS=vpair-demo
XDP_OBJ=${XDP_OBJ:-$(cd "$(dirname "$0")/.." && pwd)/selftests/progs/xdp_count.bpf.o}

tmp=$(mktemp -d /tmp/vpair-demo.XXXX)
pids=()
cleanup()
{
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "${made_ns:-}" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

run()
{
	echo "# $*"
	"$@"
}

nsrun()
{
	echo "# $*"
	ip netns exec "$NS" "$@"
}

title()
{
	printf '\n=== %s ===\n' "$*"
}

fail()
{
	echo "demo: $*" >&2
	exit 1
}

# pair KIND DEV0 DEV1 [OPTIONS]: the seed's two addresses on a new pair.
pair()
{
	local kind=$1 d0=$2 d1=$3
	shift 3

	run ip -n "$NS" link add "$d0" type "$kind" "$@" peer name "$d1" ||
		fail "cannot create a $kind pair"
	run ip -n "$NS" addr add 192.0.2.3/24 dev "$d0"
	run ip -n "$NS" addr add 192.0.2.2/24 dev "$d1"
	run ip -n "$NS" link set "$d0" up
	run ip -n "$NS" link set "$d1" up
}

# received OUTPUT: the replies a ping's summary line counts.
received()
{
	sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$1"
}

# capture DEV NAME: tcpdump of the ICMP frames arriving on DEV (-Q in),
# started and listening before this returns.
capture()
{
	local i

	ip netns exec "$NS" timeout 20 tcpdump --immediate-mode -l -n -Q in -i "$1" \
		-c "$PINGS" icmp >"$tmp/$2.txt" 2>"$tmp/$2.err" &
	pids+=($!)
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$tmp/$2.err" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "tcpdump on $1 did not start: $(cat "$tmp/$2.err")"
}

# xdp_requests DEV: IPv4 echo requests counted by the XDP program on DEV
# (key 1 of its map, as selftests/vpair_bypass.sh reads it).
xdp_requests()
{
	local json prog map

	json=$(ip -n "$NS" -j link show dev "$1")
	[[ $json =~ \"prog\":\{\"id\":([0-9]+) ]] || return 1
	prog=${BASH_REMATCH[1]}
	json=$(bpftool -j prog show id "$prog") || return 1
	[[ $json =~ \"map_ids\":\[([0-9]+) ]] || return 1
	map=${BASH_REMATCH[1]}
	json=$(bpftool -j map lookup id "$map" key 1 0 0 0) || return 1
	[[ $json =~ \"value\":([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

[ "$(id -u)" = 0 ] || fail "run as root"
[ -e "/run/netns/$NS" ] && fail "netns $NS exists already; not touching it"
run ip netns add "$NS" || fail "cannot create netns $NS"
made_ns=1
run ip -n "$NS" link set lo up
# The strictest reverse-path check, as the seed's host had it at first.
nsrun sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1

title "the seed's section 2.1 on veth: the host pings veth1's address from veth0"
pair veth veth0 veth1
nsrun ip route get 192.0.2.2 from 192.0.2.3
out=$(nsrun ping -c 1 -W 1 -I veth0 192.0.2.2 2>&1)
echo "$out"
veth_rx=$(received "$out")
if [ "${veth_rx:-0}" = 0 ]; then
	echo "-> no reply: the request arrives on veth1 with a source address of"
	echo "   this host (a martian), and a reply would go back through lo."
fi
run ip -n "$NS" link del veth0

title "the same with vpair, loopback_bypass on (rp_filter still 1)"
pair vpair vp0 vp1 loopback_bypass on
nsrun ip -d link show vp0 | sed -n '1p;/vpair/p'

xdp=
if [ ! -f "$XDP_OBJ" ]; then
	echo "(no $XDP_OBJ: the XDP step is left out; make -C selftests builds it)"
elif ! command -v bpftool >/dev/null; then
	echo "(no bpftool: the XDP step is left out)"
elif run ip -n "$NS" link set dev vp1 xdpgeneric obj "$XDP_OBJ" sec xdp; then
	xdp=1
else
	echo "(XDP could not be attached to vp1: the XDP step is left out)"
fi

echo "starting tcpdump on both ends (frames arriving only, -Q in)..."
capture vp1 requests
capture vp0 replies

out=$(nsrun ping -c "$PINGS" -i 0.2 -W 2 -I vp0 192.0.2.2 2>&1)
echo "$out"
vpair_rx=$(received "$out")
vpair_rx=${vpair_rx:-0}

echo "waiting for tcpdump to print what it saw..."
wait "${pids[@]}" 2>/dev/null
pids=()
n_req=$(grep -c 'ICMP echo request' "$tmp/requests.txt")
n_rep=$(grep -c 'ICMP echo reply' "$tmp/replies.txt")

title "tcpdump -Q in -i vp1: the requests arrive on vp1"
cat "$tmp/requests.txt"
title "tcpdump -Q in -i vp0: the replies arrive on vp0"
cat "$tmp/replies.txt"

if [ -n "$xdp" ]; then
	title "the XDP program on vp1 (selftests/progs/xdp_count.bpf.c)"
	n_xdp=$(xdp_requests vp1) || n_xdp=
	echo "IPv4 echo requests it saw: ${n_xdp:-unreadable}"
fi

title "what vpair did, and what the kernel's routing says"
for dev in vp0 vp1; do
	echo "$dev: $(ip netns exec "$NS" ethtool -S "$dev" |
		sed -n 's/^ *\(tx_bypass\|rx_hairpin\): \([0-9]*\)/\1 \2/p' | paste -sd ' ')"
done
nsrun ip route get 192.0.2.2 from 192.0.2.3
echo "-> still 'local ... dev lo': no route changed. The device-bound request"
echo "   leaves vp0 as it did on veth, and vpair delivers it on vp1 instead of"
echo "   dropping it as a martian (vp1's rx_hairpin). The reply is routed to lo:"
echo "   vpair takes it off lo at the end of POST_ROUTING, sends it through vp1"
echo "   (vp1's tx_bypass) and delivers it on vp0 (vp0's rx_hairpin)."

ok=1
[ "$vpair_rx" = "$PINGS" ] && [ "$n_req" = "$PINGS" ] &&
	[ "$n_rep" = "$PINGS" ] || ok=
[ -z "$xdp" ] || [ "${n_xdp:-}" = "$PINGS" ] || ok=

if [ "${veth_rx:-0}" = 0 ]; then
	what="on veth the host's device-bound ping got no reply"
else
	what="on veth the host's device-bound ping got $veth_rx reply (unexpected here)"
fi
what="$what; on vpair with loopback_bypass on it got $vpair_rx of $PINGS"
what="$what: tcpdump saw $n_req requests arrive on vp1 and $n_rep replies on vp0"
if [ -n "$xdp" ]; then
	what="$what, and XDP on vp1 counted ${n_xdp:-no} of the host's own echo requests"
fi
echo
if [ -n "$ok" ]; then
	echo "demo (bypass): $what."
	exit 0
fi
echo "demo (bypass): FAILED: $what (expected $PINGS each)."
exit 1
