#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks of `make bench`, run where vpair is installed (the VM of
# scripts/bench.sh, or a lab host) as root. Not a test: it prints numbers
# and the ratios the SPEC sets goals for, and fails only when it cannot
# measure.
#
#   bench-guest.sh [-r ROUNDS] [-t SECONDS] [-x] [-X ROUNDS] [-k KINDS]
#                  [-m METRICS] [-n]
#
#   -r ROUNDS   repetitions of each measurement (default 5)
#   -t SECONDS  length of one iperf3, UDP GSO or pktgen run (default 4)
#   -x          also vpair vs veth, netns to netns (4 rounds, each kind
#               first in every other one): TCP with GRO off (and TSO
#               on: the defaults) and on (TSO off on the sender), UDP
#               packets/s, GRO-forwarded UDP, XDP_DROP, XDP_TX and
#               XDP_REDIRECT packets/s
#   -X ROUNDS   rounds of -x (default 4)
#   -k KINDS    the link types -x compares (default "vpair veth"); one
#               that cannot be set up for a measurement (no vpair, or a
#               vpair without native XDP) is reported as failed and the
#               others go on
#   -m METRICS  only these measurements of -x (default all of: tcp
#               tcpgro udp udpfwd xdpdrop xdptx xdpredirect): more
#               rounds of the few that matter in the same time
#   -n          no lo/bypass rounds: only -x
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
xkinds="vpair veth"
lorounds=1
metrics="tcp tcpgro udp udpfwd xdpdrop xdptx xdpredirect"
while getopts r:t:xX:k:m:n opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	t) secs=$OPTARG ;;
	x) extra=1 ;;
	X) xrounds=$OPTARG ;;
	k) xkinds=$OPTARG ;;
	m) metrics=$OPTARG ;;
	n) lorounds=0 ;;
	*) sed -n '/^#   bench-guest.sh/,/^#   -n/p' "$0" >&2; exit 2 ;;
	esac
done

for m in $metrics; do
	case $m in
	tcp|tcpgro|udp|udpfwd|xdpdrop|xdptx|xdpredirect) ;;
	*) echo "bench-guest.sh: -m: no measurement $m" >&2; exit 2 ;;
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
NS_LO=vpb-lo NS_BP=vpb-bypass NS_A=vpb-a NS_B=vpb-b NS_C=vpb-c
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

	[ -n "${PG_PID:-}" ] && pktgen_stop
	for ns in $NS_LO $NS_BP $NS_A $NS_B $NS_C; do
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
if [ "$lorounds" = 1 ]; then
	modprobe vpair || die "cannot load vpair"
else
	modprobe vpair 2>/dev/null
fi

if [ "$lorounds" = 1 ]; then
	plan="$rounds lo/bypass rounds of ${secs}s iperf3 runs"
else
	plan="no lo/bypass rounds, ${secs}s runs"
fi
log "bench: kernel $(uname -r), vpair $(modinfo -F version vpair 2>/dev/null)," \
	"$(nproc) CPUs, clock $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)," \
	"$plan"

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

# The lo/bypass rounds (not with -n).
lo_rounds()
{
	# The order turns by one each round: no kind is always first after a
	# module load or always next to the same neighbour.
	kinds=(lo bypass lopair lonomod)
	local i

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
}
[ "$lorounds" = 1 ] && lo_rounds

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

# sample_fn LIST LABEL CMD [ARGS]: as sample, for a CMD that prints its
# rate (a number) itself.
sample_fn()
{
	local list=$1 label=$2 rate

	shift 2
	echo "$(date +%T) round $r: $label" >>"$out.progress"
	if rate=$("$@" 2>>"$out.debug") && [[ $rate =~ ^[0-9]+$ ]]; then
		samples[$list]+="$rate "
		LAST=$rate
	else
		log "round $r: $label run failed, left out (see bench.txt.debug)"
		LAST=failed
	fi
}

XDP_OBJ=$repo/selftests/progs/xdp_bench.bpf.o
GSO_PY=$repo/selftests/vpair_gro.py
PGDIR=/proc/net/pktgen

# xdp_attach NS DEV PROG: program PROG of xdp_bench.bpf.o on DEV, native
# mode only (a driver without it fails the measurement)
xdp_attach()
{
	ip -n "$1" link set dev "$2" xdpdrv obj "$XDP_OBJ" program "$3"
}

# xdp_map NS DEV NAME: the id of map NAME of DEV's XDP program in MAP_ID
xdp_map()
{
	local json prog id

	MAP_ID=
	json=$(ip -n "$1" -j link show dev "$2") || return 1
	[[ $json =~ \"prog\":\{\"id\":([0-9]+) ]] || return 1
	prog=${BASH_REMATCH[1]}
	json=$(bpftool -j prog show id "$prog") || return 1
	[[ $json =~ \"map_ids\":\[([0-9,]+)\] ]] || return 1
	for id in ${BASH_REMATCH[1]//,/ }; do
		json=$(bpftool -j map show id "$id") || continue
		if [[ $json == *"\"name\":\"$3\""* ]]; then
			MAP_ID=$id
			return 0
		fi
	done
	return 1
}

# xdp_counted NS DEV: the frames DEV's XDP program counted so far
xdp_counted()
{
	local json

	xdp_map "$1" "$2" xdp_bench_cnt || return 1
	json=$(bpftool -j map lookup id "$MAP_ID" key 0 0 0 0) || return 1
	# the first plain number: the value as BTF formats it
	[[ $json =~ \"value\":([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

# pg NS FILE CMD: one pktgen command
pg()
{
	ip netns exec "$1" bash -c "echo '$3' > $PGDIR/$2"
}

# pktgen_start NS DEV DSTMAC: pktgen on CPU 0 floods DEV with 60-byte
# (64 on the wire) UDP frames to DSTMAC, until pktgen_stop; the flood
# runs from PG_T0 to PG_T1.
pktgen_start()
{
	pg "$1" kpktgend_0 rem_device_all &&
	pg "$1" kpktgend_0 "add_device $2" &&
	pg "$1" "$2" "count 0" && pg "$1" "$2" "delay 0" &&
	pg "$1" "$2" "pkt_size 60" && pg "$1" "$2" "dst 198.51.100.9" &&
	pg "$1" "$2" "dst_mac $3" || return 1
	PG_NS=$1
	PG_T0=$(date +%s.%N)
	ip netns exec "$1" bash -c "echo start > $PGDIR/pgctrl" &
	PG_PID=$!
}

pktgen_stop()
{
	pg "$PG_NS" pgctrl stop
	wait "$PG_PID" 2>/dev/null
	PG_T1=$(date +%s.%N)
	pg "$PG_NS" kpktgend_0 rem_device_all
	PG_PID=
}

mac_of()
{
	local json

	json=$(ip -n "$1" -j link show dev "$2") &&
		[[ $json =~ \"address\":\"([0-9a-f:]+)\" ]] &&
		echo "${BASH_REMATCH[1]}"
}

# redirect_target KIND: y0 in $NS_B, y1 in $NS_C, a pair of KIND, y1
# counting and dropping what y0 sends it
redirect_target()
{
	ns_new $NS_C &&
	ip -n $NS_B link add y0 type "$1" peer name y1 netns $NS_C &&
	ip -n $NS_B link set y0 up && ip -n $NS_C link set y1 up &&
	xdp_attach $NS_C y1 xdp_drop
}

# xdp_off: no XDP program left on x0 and x1, no redirect target
xdp_off()
{
	ip -n $NS_A link set dev x0 xdpdrv off 2>/dev/null
	ip -n $NS_B link set dev x1 xdpdrv off 2>/dev/null
	ip netns del $NS_C 2>/dev/null
}

# xdp_rate KIND MODE: pktgen floods x0 in $NS_A for $secs s while x1 in
# $NS_B runs xdp_drop, xdp_tx or xdp_redirect (MODE drop, tx, redirect);
# prints the frames per second counted where they end: x1 for DROP, x0
# (back from x1, dropped by XDP there: veth transmits XDP frames only to
# a peer that runs XDP) for TX, y1 (the devmap's target y0's peer) for
# REDIRECT.
xdp_rate()
{
	local kind=$1 mode=$2 cns cdev c0 c1 t0 t1 mac idx json rc=0

	case $mode in
	drop)
		xdp_attach $NS_B x1 xdp_drop || return 1
		cns=$NS_B cdev=x1
		;;
	tx)
		xdp_attach $NS_A x0 xdp_drop && xdp_attach $NS_B x1 xdp_tx ||
			return 1
		cns=$NS_A cdev=x0
		;;
	redirect)
		redirect_target "$kind" && xdp_attach $NS_B x1 xdp_redirect &&
			xdp_map $NS_B x1 xdp_bench_tx || return 1
		json=$(ip -n $NS_B -j link show dev y0) &&
			[[ $json =~ \"ifindex\":([0-9]+) ]] || return 1
		idx=${BASH_REMATCH[1]}
		# the devmap's value: y0's ifindex, a little-endian u32
		# in y0's namespace: the kernel looks the ifindex up there
		ip netns exec $NS_B bpftool map update id "$MAP_ID" \
			key 0 0 0 0 value \
			$((idx & 255)) $((idx >> 8 & 255)) $((idx >> 16 & 255)) \
			$((idx >> 24)) || return 1
		cns=$NS_C cdev=y1
		;;
	esac
	mac=$(mac_of $NS_B x1) && c0=$(xdp_counted $cns $cdev) || return 1
	pktgen_start $NS_A x0 "$mac" || return 1
	sleep "$secs"
	pktgen_stop
	t0=$PG_T0 t1=$PG_T1
	c1=$(xdp_counted $cns $cdev) || rc=1
	[ $rc = 0 ] || return 1
	awk -v n=$((c1 - c0)) -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.0f\n", n / (t1 - t0) }'
}

# udp_fwd_rate KIND: $NS_B forwards from x1 to y0 (a second pair of
# KIND, y1 in $NS_C), x1 with GRO and rx-udp-gro-forwarding on; the
# sender in $NS_A sends UDP GSO bursts of 10 x 1000 bytes for $secs s,
# cut before the pair (tx-udp-segmentation off on x0), so GRO on x1
# glues them again. A tc filter drops them on y1's ingress and counts
# their bytes; prints the forwarded bits per second.
udp_fwd_rate()
{
	local kind=$1 out b0 b1

	ns_new $NS_C &&
	ip -n $NS_B link add y0 type "$kind" peer name y1 netns $NS_C &&
	ip -n $NS_B addr add 198.51.100.1/24 dev y0 &&
	ip -n $NS_C addr add 198.51.100.2/24 dev y1 &&
	ip -n $NS_B link set y0 up && ip -n $NS_C link set y1 up &&
	ip -n $NS_A route add 198.51.100.0/24 via 192.0.2.2 &&
	ip netns exec $NS_B sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec $NS_A ethtool -K x0 tx-udp-segmentation off >/dev/null &&
	ip netns exec $NS_B ethtool -K x1 gro on rx-udp-gro-forwarding on &&
	tc -n $NS_C qdisc add dev y1 clsact &&
	tc -n $NS_C filter add dev y1 ingress protocol ip pref 1 flower \
		ip_proto udp dst_port 7000 action drop || return 1
	# the neighbours, resolved before the count starts
	ip netns exec $NS_A ping -q -c 1 -W 5 198.51.100.2 >/dev/null 2>&1
	ip netns exec $NS_B ping -q -c 1 -W 5 198.51.100.2 >/dev/null 2>&1
	out=$(tc -n $NS_C -s filter show dev y1 ingress) &&
		[[ $out =~ Sent\ ([0-9]+)\ bytes ]] || return 1
	b0=${BASH_REMATCH[1]}
	ip netns exec $NS_A "$GSO_PY" send 192.0.2.1 198.51.100.2 7000 \
		--segs 10 --size 1000 --seconds "$secs" >/dev/null || return 1
	out=$(tc -n $NS_C -s filter show dev y1 ingress) &&
		[[ $out =~ Sent\ ([0-9]+)\ bytes ]] || return 1
	b1=${BASH_REMATCH[1]}
	ip netns del $NS_C
	awk -v b=$((b1 - b0)) -v t="$secs" 'BEGIN { printf "%.0f\n", b * 8 / t }'
}

# tcp_gro on|off: the sender x0 without TSO (with TSO, veth does not
# take TCP through NAPI, and there is nothing for GRO to glue), GRO on
# both ends; off: back to the defaults
tcp_gro()
{
	local tso=off

	[ "$1" = off ] && tso=on
	ip netns exec $NS_A ethtool -K x0 tso $tso gro "$1" &&
		ip netns exec $NS_B ethtool -K x1 gro "$1"
}

# wanted METRIC: -m asked for it (all are, without -m)
wanted()
{
	[[ " $metrics " == *" $1 "* ]]
}

# fmt METRIC VALUE: VALUE as the METRIC's unit shows it
fmt()
{
	case $1 in
	tcp*|udpfwd) [[ $2 =~ ^[0-9]+$ ]] && gbit "$2" || echo "$2" ;;
	*) echo "$2 pkt/s" ;;
	esac
}

# ratio_or_na A B: A/B, or n/a when either is missing
ratio_or_na()
{
	[[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]] && [ "$1" != 0 ] && [ "$2" != 0 ] ||
		{ echo n/a; return; }
	ratio "$1" "$2"
}

modprobe pktgen 2>/dev/null || log "bench: no pktgen: the XDP runs will fail"
declare -A label=([tcp]="TCP, GRO off" [tcpgro]="TCP, TSO off, GRO on" \
	[udp]="UDP pkt/s (64-byte datagrams)" \
	[udpfwd]="GRO-forwarded UDP (10 x 1000-byte GSO bursts)" \
	[xdpdrop]="XDP_DROP pkt/s (64-byte frames)" \
	[xdptx]="XDP_TX pkt/s (64-byte frames)" \
	[xdpredirect]="XDP_REDIRECT pkt/s (64-byte frames, devmap)")
declare -A last
log "bench: netns to netns, $xrounds rounds of: $xkinds"
for ((r = 1; r <= xrounds; r++)); do
	line=
	# the first kind first in odd rounds, the last first in even ones
	# (see with_pair)
	order=$xkinds
	((r % 2)) || order=$(printf '%s\n' $xkinds | tac | tr '\n' ' ')
	for kind in $order; do
		for m in $metrics; do
			last[$m,$kind]=failed
		done
		if ! kind_pair "$kind"; then
			log "round $r: cannot create a $kind pair, left out"
			continue
		fi
		sleep 2
		if wanted tcp; then
			sample tcp_$kind "$kind TCP" $NS_B $NS_A 192.0.2.2 192.0.2.1
			last[tcp,$kind]=$LAST
		fi
		if wanted udp; then
			sample udp_$kind "$kind UDP" $NS_B $NS_A 192.0.2.2 \
				192.0.2.1 -u -b 0 -l 64
			last[udp,$kind]=$LAST
		fi
		if wanted tcpgro && ! tcp_gro on; then
			log "round $r: $kind: cannot turn GRO on, TCP GRO left out"
		elif wanted tcpgro; then
			sample tcpgro_$kind "$kind TCP GRO" $NS_B $NS_A \
				192.0.2.2 192.0.2.1
			last[tcpgro,$kind]=$LAST
			tcp_gro off
		fi
		for m in drop tx redirect; do
			wanted xdp$m || continue
			sample_fn xdp${m}_$kind "$kind XDP_${m^^}" xdp_rate "$kind" $m
			last[xdp$m,$kind]=$LAST
			xdp_off
		done
		if wanted udpfwd; then
			sample_fn udpfwd_$kind "$kind UDP GRO forwarding" \
				udp_fwd_rate "$kind"
			last[udpfwd,$kind]=$LAST
		fi
		line+="; $kind:"
		for m in $metrics; do
			line+=" $m $(fmt $m "${last[$m,$kind]}"),"
		done
		line=${line%,}
	done
	for m in $metrics; do
		pair_ratio ${m}_ratio "${last[$m,vpair]:-}" "${last[$m,veth]:-}"
	done
	log "round $r: ${line#; }"
done
for kind in $xkinds; do
	line=
	for m in $metrics; do
		line+=", $m $(fmt $m "$(show_median ${m}_$kind)")"
	done
	log "median netns to netns, $kind: ${line#, }"
done
for m in $metrics; do
	if [ -n "${samples[${m}_ratio]:-}" ]; then
		per_round=$(ratio_median ${m}_ratio)
	else
		per_round=n/a
	fi
	log "ratio vpair/veth ${label[$m]}:" \
		"$(ratio_or_na "$(show_median ${m}_vpair)" "$(show_median ${m}_veth)") of the medians," \
		"$per_round median of the rounds (goal >= 1.0)"
done
