#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks of `make bench`, run where vpair is installed (the VM of
# scripts/bench.sh, or a lab host) as root. Not a test: it prints numbers
# and the ratios the SPEC sets goals for, and fails only when it cannot
# measure.
#
#   bench-guest.sh [-r ROUNDS] [-t SECONDS] [-x]
#
#   -r ROUNDS   repetitions of each measurement (default 5)
#   -t SECONDS  length of one iperf3 run (default 4)
#   -x          also vpair vs veth, netns to netns: TCP and UDP packets/s
#
# Each round measures, one after the other, so that a slow moment of the
# machine (TCG, neighbours) hits every kind alike:
#   lo          iperf3 TCP over 127.0.0.1, vpair loaded, no pair around
#   bypass      iperf3 TCP 192.0.2.1 -> 192.0.2.2 over a pair with
#               loopback_bypass on, both ends in one namespace
#   lo+pair     iperf3 TCP over 127.0.0.1 in that same namespace, where
#               the bypass hooks are registered and see every packet
#   lo-nomod    iperf3 TCP over 127.0.0.1 with vpair unloaded
# and prints the medians and the ratios bypass/lo (goal >= 0.9) and
# lo+pair/lo-nomod (goal >= 0.98). Results also go to $VPAIR_RESULTS
# (bench.txt) when set.

set -u

rounds=5
secs=4
extra=0
while getopts r:t:x opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	t) secs=$OPTARG ;;
	x) extra=1 ;;
	*) sed -n '/^#   bench-guest.sh/,/^#   -x/p' "$0" >&2; exit 2 ;;
	esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
# the plugin from the tree when ip has none installed
if ! ip link help vpair 2>&1 | grep -q loopback_bypass; then
	export IP_LIB_DIR=$repo/iplink-plugin
fi

out=${VPAIR_RESULTS:-/tmp}/bench.txt
: >"$out"
NS_LO=vpb-lo NS_BP=vpb-bypass NS_A=vpb-a NS_B=vpb-b
PORT=5201

log()
{
	echo "$*" | tee -a "$out"
}

die()
{
	log "bench: error: $*"
	exit 1
}

cleanup()
{
	local ns

	for ns in $NS_LO $NS_BP $NS_A $NS_B; do
		ip netns del $ns 2>/dev/null
	done
}
trap cleanup EXIT

ns_new()
{
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" && ip -n "$1" link set lo up
}

# bypass_pair: vp0 192.0.2.1 and vp1 192.0.2.2 in $NS_BP, bypass on.
bypass_pair()
{
	ip -n $NS_BP link add vp0 type vpair loopback_bypass on peer name vp1 &&
	ip -n $NS_BP -batch - <<-EOF
		addr add 192.0.2.1/24 dev vp0
		addr add 192.0.2.2/24 dev vp1
		link set vp0 up
		link set vp1 up
	EOF
}

# iperf NS_SERVER NS_CLIENT SERVER_ADDR CLIENT_ADDR [IPERF3 OPTIONS]:
# prints the receiver's rate: bits/s for TCP, packets/s with -u.
iperf()
{
	local nss=$1 nsc=$2 saddr=$3 caddr=$4
	local pid json rate

	shift 4
	ip netns exec "$nss" iperf3 -s -1 -B "$saddr" -p $PORT >/dev/null 2>&1 &
	pid=$!
	# the server listens within a moment; the client retries until then
	for _ in $(seq 50); do
		json=$(ip netns exec "$nsc" iperf3 -c "$saddr" -B "$caddr" \
			-p $PORT -t "$secs" -J "$@" 2>/dev/null) && break
		sleep 0.2
	done
	wait $pid 2>/dev/null
	rate=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])["end"]
if "sum_received" in d:
    print(int(d["sum_received"]["bits_per_second"]))
else:
    s = d["sum"]
    print(int((s["packets"] - s["lost_packets"]) / s["seconds"]))
' "$json" 2>/dev/null)
	[ -n "$rate" ] || return 1
	echo "$rate"
}

median()
{
	printf '%s\n' "$@" | sort -n | awk '
		{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2];
		      else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }'
}

gbit()
{
	awk -v r="$1" 'BEGIN { printf "%.2f Gbit/s", r / 1e9 }'
}

command -v iperf3 >/dev/null || die "iperf3 not found"
ns_new $NS_LO || die "cannot make namespaces"
ns_new $NS_BP || die "cannot make namespaces"
modprobe vpair || die "cannot load vpair"

log "bench: kernel $(uname -r), vpair $(modinfo -F version vpair 2>/dev/null)," \
	"$(nproc) CPUs, $rounds rounds of ${secs}s iperf3 runs"

declare -a lo bypass lopair lonomod
for ((r = 1; r <= rounds; r++)); do
	bypass_pair || die "cannot create the bypass pair"
	lo+=("$(iperf $NS_LO $NS_LO 127.0.0.1 127.0.0.1)") || die "lo run failed"
	bypass+=("$(iperf $NS_BP $NS_BP 192.0.2.2 192.0.2.1)") ||
		die "bypass run failed"
	lopair+=("$(iperf $NS_BP $NS_BP 127.0.0.1 127.0.0.1)") ||
		die "lo+pair run failed"
	# the pair goes with the module
	modprobe -r vpair || die "cannot unload vpair"
	lonomod+=("$(iperf $NS_LO $NS_LO 127.0.0.1 127.0.0.1)") ||
		die "lo-nomod run failed"
	modprobe vpair || die "cannot load vpair"
	log "round $r: lo $(gbit "${lo[-1]}"), bypass $(gbit "${bypass[-1]}")," \
		"lo+pair $(gbit "${lopair[-1]}"), lo-nomod $(gbit "${lonomod[-1]}")"
done

m_lo=$(median "${lo[@]}")
m_bypass=$(median "${bypass[@]}")
m_lopair=$(median "${lopair[@]}")
m_lonomod=$(median "${lonomod[@]}")
log "median: lo $(gbit "$m_lo"), bypass $(gbit "$m_bypass")," \
	"lo+pair $(gbit "$m_lopair"), lo-nomod $(gbit "$m_lonomod")"
log "ratio bypass/lo: $(ratio "$m_bypass" "$m_lo") (goal >= 0.9)"
log "ratio lo+pair/lo-nomod: $(ratio "$m_lopair" "$m_lonomod") (goal >= 0.98)"

[ "$extra" = 1 ] || exit 0

# netns to netns: $NS_A holds x0 192.0.2.1, $NS_B x1 192.0.2.2
kind_pair()
{
	ns_new $NS_A && ns_new $NS_B &&
	ip -n $NS_A link add x0 type "$1" peer name x1 netns $NS_B &&
	ip -n $NS_A addr add 192.0.2.1/24 dev x0 &&
	ip -n $NS_B addr add 192.0.2.2/24 dev x1 &&
	ip -n $NS_A link set x0 up && ip -n $NS_B link set x1 up
}

declare -A tcp udp
for ((r = 1; r <= rounds; r++)); do
	line="round $r:"
	for kind in vpair veth; do
		kind_pair $kind || die "cannot create the $kind pair"
		t=$(iperf $NS_B $NS_A 192.0.2.2 192.0.2.1) ||
			die "$kind TCP run failed"
		u=$(iperf $NS_B $NS_A 192.0.2.2 192.0.2.1 -u -b 0 -l 64) ||
			die "$kind UDP run failed"
		tcp[$kind]+="$t "
		udp[$kind]+="$u "
		line+=" $kind TCP $(gbit "$t") UDP $u pkt/s,"
	done
	log "${line%,}"
done
for kind in vpair veth; do
	# word splitting on purpose: the lists are numbers
	# shellcheck disable=SC2086
	tcp[$kind]=$(median ${tcp[$kind]})
	# shellcheck disable=SC2086
	udp[$kind]=$(median ${udp[$kind]})
	log "median netns to netns, $kind: TCP $(gbit "${tcp[$kind]}"), UDP ${udp[$kind]} pkt/s"
done
log "ratio vpair/veth TCP: $(ratio "${tcp[vpair]}" "${tcp[veth]}") (goal >= 1.0)"
log "ratio vpair/veth UDP pkt/s: $(ratio "${udp[vpair]}" "${udp[veth]}") (goal >= 1.0)"
