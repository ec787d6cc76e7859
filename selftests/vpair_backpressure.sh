#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Backpressure, as veth has it from Linux 6.16: while the receiving end
# takes its frames through NAPI (GRO on, or an XDP program attached) and
# its ring is full, the sending end stops its tx queue, so a qdisc on it
# holds the frames instead of the driver dropping them; the receiver
# wakes the queue as it drains the ring. A queue may never stay stopped
# for good: not after the flood, and not when the receiving end changes
# under a full ring (deleted, GRO turned off, XDP program detached,
# channels changed). Afterwards the qdisc's backlog drains, pings are
# answered, and the kernel log is clean (run_tests.sh checks it).
#
# The flood is pktgen in queue_xmit mode (through vp0's pfifo) on CPU 0.
# The ring fills for sure because vp1's NAPI runs in a thread
# (/sys/class/net/vp1/threaded) that is pinned to that same CPU at
# SCHED_IDLE: it gets the CPU only in the moments pktgen leaves it.
# Proof that it filled: the driver refused frames (the qdisc counts
# requeues, or holds a backlog) or, without backpressure, dropped them.
#
# veth before 6.16 drops instead of stopping: under KIND=veth on such a
# kernel the cases check only that the ring filled and that traffic
# flows again.

source "$(dirname "$0")"/lib.sh

XDP_OBJ=$(dirname "$0")/progs/xdp_count.bpf.o
PGDIR=/proc/net/pktgen
# the NAPI thread gets CPU 0 only when pktgen leaves it
FLOOD_CPU=0

# Does the link type under test stop its queue instead of dropping?
backpressure_expected()
{
	local maj min

	[ "$KIND" != veth ] && return 0
	IFS=. read -r maj min _ <<<"$(uname -r)"
	((maj > 6 || (maj == 6 && min >= 16)))
}

# pg NS FILE CMD: one pktgen command in NS, checked for its "Result: OK".
pg()
{
	local ns=$1 file=$2

	shift 2
	nsexec "$ns" bash -c "echo '$*' > $PGDIR/$file" || return 1
	[ "$file" = pgctrl ] && return 0
	nsout "$ns" cat "$PGDIR/$file" && [[ $OUT == *"Result: OK"* ]]
}

# flood_start [DST [COUNT]]: pktgen floods vp0 in ns0 with 60-byte UDP
# frames from vp0's address to vp1's MAC and DST (default: an address
# nobody has, which ns1 drops after its route lookup), through vp0's
# qdisc, until flood_stop or COUNT frames (default 0: no end).
flood_start()
{
	local dst=${1:-192.0.2.99} count=${2:-0} mac

	link_json "$ns1" vp1 && json_get address || return 1
	mac=$JSON_VAL
	pg "$ns0" kpktgend_$FLOOD_CPU rem_device_all &&
		pg "$ns0" kpktgend_$FLOOD_CPU add_device vp0 || return 1
	defer pg "$ns0" kpktgend_$FLOOD_CPU rem_device_all
	pg "$ns0" vp0 xmit_mode queue_xmit &&
		pg "$ns0" vp0 count "$count" &&
		pg "$ns0" vp0 delay 0 &&
		pg "$ns0" vp0 pkt_size 60 &&
		pg "$ns0" vp0 dst "$dst" &&
		pg "$ns0" vp0 dst_mac "$mac" &&
		pg "$ns0" vp0 udp_src_min 1000 &&
		pg "$ns0" vp0 udp_src_max 1999 &&
		pg "$ns0" vp0 flag UDPSRC_RND || return 1
	ip netns exec "$ns0" bash -c "echo start > $PGDIR/pgctrl" &
	FLOOD_PID=$!
	defer flood_stop
}

flood_stop()
{
	[ -n "$FLOOD_PID" ] || return 0
	nsexec "$ns0" bash -c "echo stop > $PGDIR/pgctrl" 2>/dev/null
	wait "$FLOOD_PID" 2>/dev/null
	FLOOD_PID=
}

# bp_setup MODE: ns0/ns1 with vp0/vp1, 2 queues each, pfifo on vp0,
# vp1 in NAPI mode through MODE (gro: GRO on, with TSO off on vp0; xdp:
# an XDP program), its NAPI slowed down.
bp_setup()
{
	setup_ns ns0 ns1 || return
	ip -n "$ns0" link add vp0 numtxqueues 2 numrxqueues 2 type "$KIND" \
		peer name vp1 numtxqueues 2 numrxqueues 2 netns "$ns1" || return
	ends_up || return
	tc -n "$ns0" qdisc replace dev vp0 root pfifo || return
	case $1 in
	gro)
		# veth takes a frame through NAPI only when GRO may
		# aggregate it: pktgen's, not from a socket, only while
		# the sender has TSO off
		nsexec "$ns0" ethtool -K vp0 tso off &&
			nsexec "$ns1" ethtool -K vp1 gro on || return
		;;
	xdp)
		ip -n "$ns1" link set dev vp1 xdpdrv obj "$XDP_OBJ" sec xdp ||
			return
		;;
	esac
	if ! napi_slow "$ns1" vp1 $FLOOD_CPU; then
		log_info "no NAPI thread to slow down on vp1: the ring may not fill"
	fi
	ping_ok "$ns0" 192.0.2.2
}

# qdisc_state: vp0's root qdisc's backlog (packets) in QLEN, its requeues in REQUEUES.
qdisc_state()
{
	local json

	QLEN='' REQUEUES=''
	json=$(tc -n "$ns0" -s -j qdisc show dev vp0 root) || return 1
	[[ $json =~ \"requeues\":([0-9]+) ]] && REQUEUES=${BASH_REMATCH[1]}
	[[ $json =~ \"qlen\":([0-9]+) ]] && QLEN=${BASH_REMATCH[1]}
	[ -n "$QLEN" ] && [ -n "$REQUEUES" ]
}

# driver_drops: what the pair itself dropped (vp0's tx, vp1's rx) in
# DRIVER_DROPS.
driver_drops()
{
	local tx

	link_stats "$ns0" vp0 || return 1
	tx=${STATS[tx_dropped]}
	link_stats "$ns1" vp1 || return 1
	DRIVER_DROPS=$((tx + STATS[rx_dropped]))
}

# ring_full: the driver refused frames: the queue stopped (the qdisc
# holds frames or counts requeues) or the driver dropped them. FULL_BY
# says which.
ring_full()
{
	FULL_BY=
	qdisc_state && driver_drops || return 1
	if ((QLEN > 0 || REQUEUES > 0)); then
		FULL_BY=stopped
	elif ((DRIVER_DROPS > 0)); then
		FULL_BY=dropped
	fi
	[ -n "$FULL_BY" ]
}

# flood_until_full: start the flood and wait until the ring is full;
# checks the driver stopped the queue rather than dropping where that is
# expected. Returns 1 only when the flood itself failed.
flood_until_full()
{
	flood_start
	check_err $? "pktgen failed to start on vp0"
	[ "$RET" = 0 ] || return 1
	if ! wait_until "$WAIT_TIMEOUT" ring_full; then
		log_info "the ring was not seen full within $WAIT_TIMEOUT s: only the recovery is checked"
		return 0
	fi
	log_info "ring full: queue $FULL_BY (qdisc backlog $QLEN, requeues $REQUEUES, driver drops $DRIVER_DROPS)"
	if backpressure_expected; then
		[ "$FULL_BY" = stopped ] && [ "$DRIVER_DROPS" = 0 ]
		check_err $? "a full ring made the driver drop ($DRIVER_DROPS) instead of stopping vp0's queue"
	else
		log_info "$KIND on $(uname -r) drops on a full ring, no backpressure to check"
	fi
	return 0
}

qdisc_empty()
{
	qdisc_state && [ "$QLEN" = 0 ]
}

# flows_again: after the flood, vp0's qdisc empties (no queue left
# stopped) and pings are answered through it.
flows_again()
{
	flood_stop
	wait_until "$WAIT_TIMEOUT" qdisc_empty
	check_err $? "vp0's qdisc still holds ${QLEN:-?} frames after the flood: a tx queue stayed stopped"
	nsout "$ns0" ping -q -n -c 10 -i 0.1 -W "$PING_TIMEOUT" 192.0.2.2
	[[ $OUT == *" 10 received"* ]]
	check_err $? "not all of 10 pings answered after the flood"
	qdisc_empty
	check_err $? "vp0's qdisc holds ${QLEN:-?} frames after the pings"
}

bp_flood_stop()
{
	local name="backpressure: full ring stops the queue, it restarts after"

	bp_setup gro
	check_err $? "setup failed"
	flood_until_full || { log_test "$name"; return; }
	bsleep 2
	flows_again
	log_test "$name"
}

bp_gro_off()
{
	local name="backpressure: GRO off on the receiver with a full ring"

	bp_setup gro
	check_err $? "setup failed"
	flood_until_full || { log_test "$name"; return; }
	nsexec "$ns1" ethtool -K vp1 gro off
	check_err $? "ethtool -K vp1 gro off failed under the flood"
	features_get "$ns1" vp1 && feature_is generic-receive-offload off
	check_err $? "vp1 does not say generic-receive-offload: off"
	flows_again
	log_test "$name"
}

bp_xdp_detach()
{
	local name="backpressure: XDP detached from the receiver with a full ring"

	bp_setup xdp
	check_err $? "setup with XDP on vp1 failed"
	flood_until_full || { log_test "$name"; return; }
	ip -n "$ns1" link set dev vp1 xdpdrv off
	check_err $? "detaching XDP from vp1 failed under the flood"
	link_json "$ns1" vp1 && [[ $LINK_JSON != *'"xdp":'* ]]
	check_err $? "vp1 still shows an XDP program"
	flows_again
	log_test "$name"
}

bp_channels()
{
	local name="backpressure: receiver's rx channels changed with a full ring"
	local rx

	bp_setup gro
	check_err $? "setup failed"
	nsout "$ns1" ethtool -l vp1
	check_err $? "ethtool -l vp1 failed"
	# the current RX count is the last "RX:" line
	[[ $OUT =~ Current.*RX:[[:space:]]+([0-9]+) ]] && rx=${BASH_REMATCH[1]}
	rx=$((${rx:-1} == 1 ? 2 : 1))
	flood_until_full || { log_test "$name"; return; }
	nsexec "$ns1" ethtool -L vp1 rx $rx
	check_err $? "ethtool -L vp1 rx $rx failed under the flood"
	nsout "$ns1" ethtool -l vp1
	[[ $OUT =~ Current.*RX:[[:space:]]+([0-9]+) ]] && [ "${BASH_REMATCH[1]}" = $rx ]
	check_err $? "ethtool -l vp1 does not show $rx rx channels"
	flows_again
	# and back, now that nothing is full
	nsexec "$ns1" ethtool -L vp1 rx $((rx == 1 ? 2 : 1)) &&
		ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping after changing the channels back"
	log_test "$name"
}

bp_delete_peer()
{
	local name="backpressure: receiver deleted with a full ring"

	bp_setup gro
	check_err $? "setup failed"
	flood_until_full || { log_test "$name"; return; }
	ip -n "$ns1" link del vp1
	check_err $? "ip link del vp1 failed under the flood"
	wait_until "$WAIT_TIMEOUT" link_gone "$ns0" vp0
	check_err $? "vp0 still there after deleting vp1"
	flood_stop
	# the same names again: nothing of the old pair holds on to them
	link_add "$ns0" vp0 vp1 netns "$ns1" && ends_up &&
		tc -n "$ns0" qdisc replace dev vp0 root pfifo
	check_err $? "cannot make a new pair after the deletion"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping over the new pair"
	log_test "$name"
}

# ring_refused: vp0's transmit path found vp1's ring full at least once.
ring_refused()
{
	ethtool_get "$ns0" vp0 tx_ring_full && ((ETHTOOL_VAL > 0))
}

# flood_done: pktgen's thread has sent its count, and the stack freed the
# last of its frames.
flood_done()
{
	! kill -0 "$FLOOD_PID" 2>/dev/null
}

# pktgen_state: what pktgen says of vp0 (sent, errors), on one line.
pktgen_state()
{
	nsout "$ns0" cat "$PGDIR/vp0" &&
		grep -E 'pkts-sofar|errors|Result' <<<"$OUT" | tr -s ' \n' ' '
}

# The ring fills with hairpin frames: vp0 and vp1 in one namespace, hairpin
# on, pktgen's frames from vp0's address to vp1's, an XDP program on vp1
# (hairpin frames skip GRO, so only XDP puts them on the ring). Each frame
# the qdisc sends again must take the path it would have taken the first
# time and be counted once: rx_hairpin moves by what vp0 sent, tx_bypass
# (the host's own packets off lo; loopback_bypass is off) not at all.
# The pfifo holds all of pktgen's frames: what a full qdisc refuses,
# pktgen sends again. Once the ring has filled, vp1's NAPI thread gets
# its speed back: pktgen, done with its count, spins on CPU 0 until the
# stack has freed its last frame, which a thread at SCHED_IDLE on that
# CPU gets almost no time for (on a debug kernel under TCG the case then
# ran for more than 18 minutes).
bp_hairpin_once()
{
	local name="backpressure: hairpin frames the qdisc sends again are counted once"
	local tx0 hp0 bp0 tx hp bp full

	is_vpair "$name" || return 0
	setup_ns ns0 || return
	ns1=$ns0
	ip -n "$ns0" link add vp0 type "$KIND" hairpin on peer name vp1 &&
		nsexec "$ns0" sysctl -qw net.ipv6.conf.vp0.disable_ipv6=1 \
			net.ipv6.conf.vp1.disable_ipv6=1 &&
		ends_up &&
		tc -n "$ns0" qdisc replace dev vp0 root pfifo limit 10000 &&
		ip -n "$ns0" link set dev vp1 xdpdrv obj "$XDP_OBJ" sec xdp
	check_err $? "setup of a hairpin pair with XDP on vp1 failed"
	napi_slow "$ns0" vp1 $FLOOD_CPU
	check_err $? "no NAPI thread to slow down on vp1"
	[ "$RET" = 0 ] || { log_test "$name"; return; }

	link_stats "$ns0" vp0 && tx0=${STATS[tx_packets]} &&
		ethtool_get "$ns0" vp1 rx_hairpin && hp0=$ETHTOOL_VAL &&
		ethtool_get "$ns0" vp0 tx_bypass && bp0=$ETHTOOL_VAL
	check_err $? "cannot read vp0's and vp1's counters"

	flood_start 192.0.2.2 5000
	check_err $? "pktgen failed to start on vp0"
	[ "$RET" = 0 ] || { log_test "$name"; return; }
	wait_until "$WAIT_TIMEOUT" ring_refused
	check_err $? "vp0's tx_ring_full did not move within $WAIT_TIMEOUT s of the flood"
	napi_release
	check_err $? "cannot give vp1's NAPI thread its speed back"
	wait_until "$WAIT_TIMEOUT" flood_done
	check_err $? "pktgen has not finished its 5000 frames after $WAIT_TIMEOUT s: $(pktgen_state)"
	flood_stop
	wait_until "$WAIT_TIMEOUT" qdisc_empty
	check_err $? "vp0's qdisc still holds ${QLEN:-?} frames after the flood"

	link_stats "$ns0" vp0 && tx=$((STATS[tx_packets] - tx0)) &&
		ethtool_get "$ns0" vp1 rx_hairpin && hp=$((ETHTOOL_VAL - hp0)) &&
		ethtool_get "$ns0" vp0 tx_bypass && bp=$((ETHTOOL_VAL - bp0)) &&
		ethtool_get "$ns0" vp0 tx_ring_full && full=$ETHTOOL_VAL
	check_err $? "cannot read vp0's and vp1's counters"
	log_info "vp0 sent $tx, ring full $full times; vp1 rx_hairpin +$hp, vp0 tx_bypass +$bp"
	((full > 0))
	check_err $? "the ring never filled: no frame was sent again"
	((hp == tx))
	check_err $? "vp1 counted $hp hairpin frames for the $tx vp0 sent"
	((bp == 0))
	check_err $? "$bp frames took the bypass's branch, with loopback_bypass off"
	log_test "$name"
}

require_root
require_cmd ip ethtool tc ping taskset chrt
require_kind
modprobe -q pktgen 2>/dev/null
[ -d $PGDIR ] || skip_all "no pktgen (CONFIG_NET_PKTGEN)"
[ "$(nproc)" -ge 2 ] || skip_all "needs 2 CPUs: pktgen takes one"

run_test bp_flood_stop
run_test bp_gro_off
if [ -e "$XDP_OBJ" ]; then
	run_test bp_xdp_detach
else
	log_test_skip "backpressure: XDP detached from the receiver with a full ring" \
		"$XDP_OBJ not built (make -C selftests)"
fi
run_test bp_channels
run_test bp_delete_peer
if [ -e "$XDP_OBJ" ]; then
	run_test bp_hairpin_once
else
	log_test_skip "backpressure: hairpin frames the qdisc sends again are counted once" \
		"$XDP_OBJ not built (make -C selftests)"
fi

exit "$(exit_status)"
