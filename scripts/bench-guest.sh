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
#               (4 rounds, each kind first in every other one)
#
# Each round measures, one after the other, so that a slow moment of the
# machine (TCG, neighbours) hits every kind alike, in an order that turns
# from round to round:
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
xrounds=4
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
rm -f "$out.progress" "$out.debug"
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
# prints the receiver's rate: bits/s for TCP, packets/s with -u. A run
# that does not finish in time fails, with what the namespaces looked
# like in the log.
iperf()
{
	local nss=$1 nsc=$2 saddr=$3 caddr=$4
	local limit=$((secs + 30)) pid json rc

	shift 4
	timeout $limit ip netns exec "$nss" iperf3 -s -1 -B "$saddr" -p $PORT \
		>/dev/null 2>&1 &
	pid=$!
	# the server listens within a moment; the client retries until then
	for _ in $(seq 50); do
		json=$(timeout $limit ip netns exec "$nsc" iperf3 -c "$saddr" \
			-B "$caddr" -p $PORT -t "$secs" -J "$@" 2>/dev/null)
		rc=$?
		[[ $json == *'"error"'*'connect'* ]] || break
		sleep 0.2
	done
	wait $pid 2>/dev/null
	if [ $rc != 0 ]; then
		{
			echo "bench: iperf3 $saddr <- $caddr $* failed (exit $rc)"
			ip -n "$nsc" -s link
			ip netns exec "$nsc" ss -tni
			[ "$nsc" = $NS_BP ] && ip netns exec $NS_BP ethtool -S vp0
		} >>"$out.debug" 2>&1
		return 1
	fi
	# the receiver's figures: bits/s for TCP, packets/s for UDP
	json=${json//[$' \t\n']/}
	if ! [[ $json =~ \"sum_received\":\{([^}]*)\} ]]; then
		echo "bench: cannot read iperf3's output: ${json:0:300}" >>"$out.debug"
		return 1
	fi
	awk -v obj="${BASH_REMATCH[1]}" -v udp="$(json_has_udp "$@")" '
		BEGIN {
			n = split(obj, kv, ",")
			for (i = 1; i <= n; i++) {
				split(kv[i], f, ":")
				gsub(/"/, "", f[1])
				v[f[1]] = f[2]
			}
			if (udp)
				printf "%.0f\n", (v["packets"] - v["lost_packets"]) / v["seconds"]
			else
				printf "%.0f\n", v["bits_per_second"]
		}'
}

# json_has_udp IPERF3 OPTIONS: 1 for a UDP run.
json_has_udp()
{
	local o

	for o; do
		[ "$o" = -u ] && echo 1 && return
	done
	echo 0
}

median()
{
	printf '%s\n' "$@" | sort -n | awk '
		{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2];
		      else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
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

# sample NAME LABEL IPERF ARGS...: one run of iperf(), its result added
# to the list NAME (a string of numbers); a failed run is logged and
# left out. LAST is the result, or "failed".
declare -A samples
sample()
{
	local list=$1 label=$2 rate

	shift 2
	echo "$(date +%T) round $r: $label" >>"$out.progress"
	if rate=$(iperf "$@"); then
		samples[$list]+="$rate "
		LAST=$rate
	else
		log "round $r: $label run failed, left out (see bench.txt.debug)"
		LAST=failed
	fi
}

# pair_ratio NAME A B: the ratio of this round's A to B (both numbers)
# added to the list NAME. The two runs of a round are next to each other
# in time, so a slow moment of the machine hits both: the median of these
# ratios is steadier than the ratio of the medians.
pair_ratio()
{
	[[ $2 =~ ^[0-9]+$ && $3 =~ ^[0-9]+$ ]] || return 0
	samples[$1]+="$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%d", b ? a * 1000 / b : 0 }') "
}

# ratio_median NAME: the median of the ratios in NAME
ratio_median()
{
	awk -v m="$(show_median "$1")" 'BEGIN { printf "%.3f", m / 1000 }'
}

# show_median LIST: the median of the samples in LIST, 0 without any
show_median()
{
	# word splitting on purpose: the list is numbers
	# shellcheck disable=SC2086
	[ -n "${samples[$1]:-}" ] && median ${samples[$1]} || echo 0
}

# with_pair / without_module: the state a measurement needs. Each change
# is followed by a pause, so that what it set off in the kernel (a
# namespace's cleanup, IPv6's DAD and MLD on new links) is over before
# iperf3 starts, and does not weigh on whichever kind comes next.
with_pair()
{
	if [ ! -d /sys/module/vpair ]; then
		modprobe vpair || die "cannot load vpair"
	fi
	if ! ip -n $NS_BP link show vp0 >/dev/null 2>&1; then
		bypass_pair || die "cannot create the bypass pair"
		sleep 2
	fi
}

without_module()
{
	# the pair goes with the module
	if [ -d /sys/module/vpair ]; then
		modprobe -r vpair || die "cannot unload vpair"
		sleep 2
	fi
}

# measure KIND: one run of KIND (lo, bypass, lopair or lonomod); its
# result in got[KIND].
declare -A got
measure()
{
	case $1 in
	lo)
		with_pair
		sample lo lo $NS_LO $NS_LO 127.0.0.1 127.0.0.1
		;;
	bypass)
		with_pair
		sample bypass bypass $NS_BP $NS_BP 192.0.2.2 192.0.2.1
		;;
	lopair)
		with_pair
		sample lopair lo+pair $NS_BP $NS_BP 127.0.0.1 127.0.0.1
		;;
	lonomod)
		without_module
		sample lonomod lo-nomod $NS_LO $NS_LO 127.0.0.1 127.0.0.1
		;;
	esac
	got[$1]=$LAST
}

# The order turns by one each round: no kind is always first after a
# module load or always next to the same neighbour.
kinds=(lo bypass lopair lonomod)
for ((r = 1; r <= rounds; r++)); do
	for ((i = 0; i < ${#kinds[@]}; i++)); do
		measure "${kinds[(i + r - 1) % ${#kinds[@]}]}"
	done
	pair_ratio bypass_lo "${got[bypass]}" "${got[lo]}"
	pair_ratio lopair_lonomod "${got[lopair]}" "${got[lonomod]}"
	log "round $r: lo $(gbit "${got[lo]}"), bypass $(gbit "${got[bypass]}")," \
		"lo+pair $(gbit "${got[lopair]}"), lo-nomod $(gbit "${got[lonomod]}")"
done
with_pair

m_lo=$(show_median lo)
m_bypass=$(show_median bypass)
m_lopair=$(show_median lopair)
m_lonomod=$(show_median lonomod)
log "median: lo $(gbit "$m_lo"), bypass $(gbit "$m_bypass")," \
	"lo+pair $(gbit "$m_lopair"), lo-nomod $(gbit "$m_lonomod")"
log "ratio bypass/lo: $(ratio "$m_bypass" "$m_lo") of the medians," \
	"$(ratio_median bypass_lo) median of the rounds (goal >= 0.9)"
log "ratio lo+pair/lo-nomod: $(ratio "$m_lopair" "$m_lonomod") of the medians," \
	"$(ratio_median lopair_lonomod) median of the rounds (goal >= 0.98)"

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

declare -A tcp_last udp_last
for ((r = 1; r <= xrounds; r++)); do
	line=
	# vpair first in odd rounds, veth first in even ones (see with_pair)
	order="vpair veth"
	((r % 2)) || order="veth vpair"
	for kind in $order; do
		kind_pair $kind || die "cannot create the $kind pair"
		sleep 2
		sample tcp_$kind "$kind TCP" $NS_B $NS_A 192.0.2.2 192.0.2.1
		line+=", $kind TCP $(gbit "$LAST")"
		tcp_last[$kind]=$LAST
		sample udp_$kind "$kind UDP" $NS_B $NS_A 192.0.2.2 192.0.2.1 \
			-u -b 0 -l 64
		line+=" UDP $LAST pkt/s"
		udp_last[$kind]=$LAST
	done
	pair_ratio tcp_ratio "${tcp_last[vpair]}" "${tcp_last[veth]}"
	pair_ratio udp_ratio "${udp_last[vpair]}" "${udp_last[veth]}"
	log "round $r:${line#,}"
done
for kind in vpair veth; do
	log "median netns to netns, $kind: TCP $(gbit "$(show_median tcp_$kind)")," \
		"UDP $(show_median udp_$kind) pkt/s"
done
log "ratio vpair/veth TCP: $(ratio "$(show_median tcp_vpair)" "$(show_median tcp_veth)")" \
	"of the medians, $(ratio_median tcp_ratio) median of the rounds (goal >= 1.0)"
log "ratio vpair/veth UDP pkt/s: $(ratio "$(show_median udp_vpair)" "$(show_median udp_veth)")" \
	"of the medians, $(ratio_median udp_ratio) median of the rounds (goal >= 1.0)"
