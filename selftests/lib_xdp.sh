# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables for the files that source this one
#
# Helpers of the native XDP tests (vpair_xdp*.sh), sourced after lib.sh:
# attaching progs/xdp_act.bpf.o with ip(8), choosing its action and
# reading what it counted with bpftool, the per-queue XDP counters of
# ethtool -S, and the xdp:xdp_exception tracepoint.
#
#   ip link set DEV xdpdrv obj xdp_act.bpf.o sec xdp      (or xdp.frags)
#   bpftool map update id <xdp_act_cfg> key 0 ... value <ACT_*>
#   ping ...
#   bpftool map lookup id <xdp_act_cnt> key 1 ...          echo requests
#
# Every load of the object by ip makes new maps, so each attached
# program has its own: they are found from the program the device
# reports, never by name or pin.

XDP_OBJ=$(dirname "$0")/progs/xdp_act.bpf.o

# The actions of xdp_act.bpf.c (its enum ACT_*).
ACT_PASS=0
ACT_DROP=1
ACT_TX=2
ACT_ABORTED=3
ACT_REDIRECT_MAP=4
ACT_REDIRECT=5
ACT_CPUMAP=6
ACT_XSK=7

# Its counters (enum CNT_*).
CNT_ALL=0
CNT_ICMP_ECHO=1
CNT_ICMPV6_ECHO=2
CNT_ABOVE_PAGE=3
CNT_MAX_LEN=4

# Echo requests a case sends, and the pause between them.
COUNT=${COUNT:-10}

require_xdp()
{
	require_cmd bpftool ethtool
	[ -e "$XDP_OBJ" ] || skip_all "$XDP_OBJ not built (make -C selftests)"
}

# xdp_attach NS DEV MODE SECTION: ip link set DEV MODE obj ... sec
# SECTION (MODE: xdp, xdpdrv, xdpgeneric); the detach is deferred. The
# error ip printed is in XDP_ERR.
xdp_attach()
{
	local ns=$1 dev=$2 mode=$3 sec=$4

	XDP_ERR=$(ip -n "$ns" link set dev "$dev" "$mode" obj "$XDP_OBJ" \
		sec "$sec" 2>&1) || return 1
	defer ip -n "$ns" link set dev "$dev" "$mode" off
}

# xdp_detach NS DEV: no program left in any mode.
xdp_detach()
{
	ip -n "$1" link set dev "$2" xdp off
}

# xdp_prog_id NS DEV: the id of DEV's program in XDP_PROG, its attach
# mode (ip -j: 1 native, 2 generic, 3 offload) in XDP_MODE.
xdp_prog_id()
{
	local json

	XDP_PROG=
	XDP_MODE=
	json=$(ip -n "$1" -j link show dev "$2") || return 1
	[[ $json =~ \"xdp\":\{\"mode\":([0-9]+) ]] && XDP_MODE=${BASH_REMATCH[1]}
	[[ $json =~ \"prog\":\{\"id\":([0-9]+) ]] || return 1
	XDP_PROG=${BASH_REMATCH[1]}
}

# xdp_maps NS DEV: the ids of the maps of DEV's program, by name:
# XDP_MAP[xdp_act_cfg], XDP_MAP[xdp_act_cnt] ...; the maps are then
# written from NS (XDP_NS), where a devmap looks up the ifindexes it is
# given.
declare -A XDP_MAP
xdp_maps()
{
	local json id ids

	XDP_MAP=()
	XDP_NS=$1
	xdp_prog_id "$1" "$2" || return 1
	json=$(bpftool -j prog show id "$XDP_PROG") || return 1
	[[ $json =~ \"map_ids\":\[([0-9,]+)\] ]] || return 1
	ids=${BASH_REMATCH[1]}
	json=$(bpftool -j map show) || return 1
	for id in ${ids//,/ }; do
		# {"id":N,"type":"...","name":"xdp_act_cfg",...}
		[[ $json =~ \{\"id\":$id,\"type\":\"[a-z_]+\",\"name\":\"([a-z_]+)\" ]] ||
			return 1
		XDP_MAP[${BASH_REMATCH[1]}]=$id
	done
	[ -n "${XDP_MAP[xdp_act_cnt]}" ] && [ -n "${XDP_MAP[xdp_act_cfg]}" ]
}

# u32_bytes N: N as the four bytes of a little-endian u32, for bpftool.
u32_bytes()
{
	local n=$1

	U32_BYTES="$((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255))"
}

# xdp_map_set NAME KEY VALUE: a u32 KEY of the map NAME of the program
# that xdp_maps looked up gets the u32 VALUE.
xdp_map_set()
{
	local key

	u32_bytes "$2"
	key=$U32_BYTES
	u32_bytes "$3"
	# shellcheck disable=SC2086 # the bytes are separate words
	nsexec "$XDP_NS" bpftool map update id "${XDP_MAP[$1]}" key $key value $U32_BYTES
}

# xdp_act NS DEV ACT: DEV's program takes action ACT (ACT_*) on the echo
# requests from now on; its maps are in XDP_MAP.
xdp_act()
{
	xdp_maps "$1" "$2" && xdp_map_set xdp_act_cfg 0 "$3"
}

# xdp_cnt KEY: counter KEY (CNT_*) of the program xdp_maps looked up, in
# XDP_CNT. Read from bpftool's raw bytes (little-endian), which are there
# with and without BTF.
xdp_cnt()
{
	local json bytes i val=0

	XDP_CNT=
	u32_bytes "$1"
	# shellcheck disable=SC2086
	json=$(bpftool -j map lookup id "${XDP_MAP[xdp_act_cnt]}" key $U32_BYTES) ||
		return 1
	[[ $json =~ \"value\":\[([^]]*)\] ]] || return 1
	read -r -a bytes <<<"${BASH_REMATCH[1]//[\",]/ }"
	for ((i = ${#bytes[@]} - 1; i >= 0; i--)); do
		val=$((val * 256 + bytes[i]))
	done
	XDP_CNT=$val
}

# xdp_cnt_of NS DEV KEY: counter KEY of DEV's program.
xdp_cnt_of()
{
	xdp_maps "$1" "$2" && xdp_cnt "$3"
}

# ping_n NS COUNT DST [PING OPTIONS...]: COUNT echo requests, one every
# 0.1 s; how many were answered in PING_RECEIVED. True when all were.
ping_n()
{
	local ns=$1 count=$2 dst=$3 out

	shift 3
	out=$(nsexec "$ns" ping -n -c "$count" -i 0.1 -W "$PING_NEG_TIMEOUT" \
		"$@" "$dst" 2>/dev/null)
	PING_RECEIVED=0
	[[ $out =~ \ ([0-9]+)\ received ]] && PING_RECEIVED=${BASH_REMATCH[1]}
	[ "$PING_RECEIVED" = "$count" ]
}

# eth_read NS DEV: every counter of ethtool -S DEV, as ETHN[name].
declare -A ETHN ETH0 ETHD
eth_read()
{
	local line

	ETHN=()
	nsout "$1" ethtool -S "$2" || return 1
	while read -r line; do
		[[ $line =~ ^([a-z0-9_]+):\ ([0-9]+)$ ]] &&
			ETHN[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	done <<<"$OUT"
}

# eth_snap NS DEV: DEV's counters as ETH0[DEV.name], for eth_delta;
# several devices can be snapshotted at once.
eth_snap()
{
	local key

	eth_read "$1" "$2" || return 1
	for key in "${!ETHN[@]}"; do
		ETH0[$2.$key]=${ETHN[$key]}
	done
}

# eth_delta NS DEV: what each counter of DEV moved since eth_snap, as
# ETHD[name]; a counter that was not there before counts from 0.
eth_delta()
{
	local key

	eth_read "$1" "$2" || return 1
	ETHD=()
	for key in "${!ETHN[@]}"; do
		ETHD[$key]=$((ETHN[$key] - ${ETH0[$2.$key]:-0}))
	done
}

# eth_moved NAME MIN: ethtool -S had counter NAME and it moved by at least
# MIN since eth_snap (eth_delta first); ETH_MSG says what it did.
eth_moved()
{
	if [ -z "${ETHD[$1]+set}" ]; then
		ETH_MSG="ethtool -S has no $1"
		return 1
	fi
	ETH_MSG="$1 moved by ${ETHD[$1]}, expected >= $2"
	[ "${ETHD[$1]}" -ge "$2" ]
}

# eth_still NAME: counter NAME exists and did not move.
eth_still()
{
	if [ -z "${ETHD[$1]+set}" ]; then
		ETH_MSG="ethtool -S has no $1"
		return 1
	fi
	ETH_MSG="$1 moved by ${ETHD[$1]}, expected 0"
	[ "${ETHD[$1]}" = 0 ]
}

# stats_snap NS DEV / stats_delta NS DEV: ip -s counters, and what they
# moved since, as SD[rx_packets] ...
declare -A S0 SD
stats_snap()
{
	local key

	link_stats "$1" "$2" || return 1
	S0=()
	for key in "${!STATS[@]}"; do
		S0[$key]=${STATS[$key]}
	done
}

stats_delta()
{
	local key

	link_stats "$1" "$2" || return 1
	SD=()
	for key in "${!STATS[@]}"; do
		SD[$key]=$((STATS[$key] - ${S0[$key]:-0}))
	done
}

############################################################################
# The xdp:xdp_exception tracepoint, in a tracing instance of the test's
# own: its buffer and its enabled events are nobody else's.

TRACEFS=

# trace_start: the tracepoint is on in a new instance ($TRACE_DIR).
trace_start()
{
	local d

	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -d "$d/instances" ] && TRACEFS=$d && break
	done
	if [ -z "$TRACEFS" ]; then
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null &&
			TRACEFS=/sys/kernel/tracing
	fi
	[ -n "$TRACEFS" ] || return 1
	TRACE_DIR=$TRACEFS/instances/vpair-xdp-$$-$RANDOM
	mkdir "$TRACE_DIR" || return 1
	defer rmdir "$TRACE_DIR"
	echo 1 >"$TRACE_DIR/events/xdp/xdp_exception/enable" || return 1
	defer eval "echo 0 >$TRACE_DIR/events/xdp/xdp_exception/enable"
}

# trace_exceptions IFINDEX ACTION: how many xdp_exception events the
# instance recorded for that device and action, in TRACE_HITS.
trace_exceptions()
{
	local line

	TRACE_HITS=0
	while read -r line; do
		[[ $line == *"xdp_exception:"*"action=$2 ifindex=$1" ]] &&
			TRACE_HITS=$((TRACE_HITS + 1))
	done <"$TRACE_DIR/trace"
}

# channels_of NS DEV: the queues in use, "TX RX", in GOT (ethtool -l).
channels_of()
{
	local line cur='' tx='' rx=''

	GOT=
	nsout "$1" ethtool -l "$2" || return 1
	while read -r line; do
		case $line in
		"Current hardware settings:") cur=1 ;;
		TX:*) [ -n "$cur" ] && tx=${line##*[[:space:]]} ;;
		RX:*) [ -n "$cur" ] && rx=${line##*[[:space:]]} ;;
		esac
	done <<<"$OUT"
	GOT="$tx $rx"
}
