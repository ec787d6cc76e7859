#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# GRO on the receiving end, as veth has it: off by default on both ends,
# switched on per end with ethtool -K (the end then receives through
# NAPI), and while on it glues the segments of a UDP GSO burst that was
# cut before the pair back into one packet: for a local socket that asks
# for UDP_GRO, and, with rx-udp-gro-forwarding on, for traffic the
# namespace forwards (the kernel's udpgro_fwd.sh case). With GRO off the
# segments arrive one by one. ethtool -S shows veth's per-queue counters,
# and rx_queue_0_xdp_packets counts what went through NAPI.
#
# The sender cuts its bursts itself (tx-udp-segmentation off on vp0), so
# what crosses the pair are ten 1000-byte datagrams; only GRO on the
# receiving end can make them one again. Like veth, the receiving end
# takes a sender's frames through NAPI, where GRO is, only when they may
# be aggregated: the sender has TSO off, or the frames come from a
# socket and the receiver has rx-udp-gro-forwarding (or rx-gro-list) on.
# So the cases turn on both GRO and rx-udp-gro-forwarding. The last case
# tries to abuse that the frames arrive still owned by their sockets: two
# packet sockets send identical frames, which GRO must not glue together.

source "$(dirname "$0")"/lib.sh

GRO_PY=$(dirname "$0")/vpair_gro.py
PKT_PY=$(dirname "$0")/vpair_pkt.py
PORT=7000
SEGS=10
SEG_SIZE=1000

# ipv6_up NS DEV ADDR/LEN: an IPv6 address without DAD, so it is usable
# at once.
ipv6_up()
{
	ip -n "$1" addr add "$3" dev "$2" nodad
}

gro_defaults_toggle()
{
	local name="gro: off by default on both ends, toggled per end by -K"
	local dev ns

	setup_pair
	check_err $? "setup failed"

	for dev in vp0 vp1; do
		ns=$ns0
		[ $dev = vp1 ] && ns=$ns1
		features_get "$ns" $dev
		check_err $? "ethtool -k $dev failed"
		feature_is generic-receive-offload off
		check_err $? "generic-receive-offload is not off on $dev by default"
		feature_is rx-udp-gro-forwarding off
		check_err $? "rx-udp-gro-forwarding is not off on $dev by default"
		[[ $FEATURES != *$'\n'"generic-receive-offload: off [fixed]"* &&
		   $FEATURES != *$'\n'"rx-udp-gro-forwarding: off [fixed]"* ]]
		check_err $? "GRO or rx-udp-gro-forwarding is fixed on $dev"
	done

	nsexec "$ns1" ethtool -K vp1 gro on
	check_err $? "ethtool -K vp1 gro on failed"
	features_get "$ns1" vp1 && feature_is generic-receive-offload on
	check_err $? "vp1 does not say generic-receive-offload: on"
	features_get "$ns0" vp0 && feature_is generic-receive-offload off
	check_err $? "gro on vp1 turned it on on vp0 too"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping with GRO on on vp1"

	nsexec "$ns1" ethtool -K vp1 rx-udp-gro-forwarding on
	check_err $? "ethtool -K vp1 rx-udp-gro-forwarding on failed"
	features_get "$ns1" vp1 && feature_is rx-udp-gro-forwarding on
	check_err $? "vp1 does not say rx-udp-gro-forwarding: on"

	nsexec "$ns1" ethtool -K vp1 gro off rx-udp-gro-forwarding off
	check_err $? "ethtool -K vp1 gro off rx-udp-gro-forwarding off failed"
	features_get "$ns1" vp1 && feature_is generic-receive-offload off &&
		feature_is rx-udp-gro-forwarding off
	check_err $? "vp1 still says GRO or rx-udp-gro-forwarding on"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping after GRO off again on vp1"

	# the sending end too: it receives the replies
	nsexec "$ns0" ethtool -K vp0 gro on
	check_err $? "ethtool -K vp0 gro on failed"
	features_get "$ns0" vp0 && feature_is generic-receive-offload on
	check_err $? "vp0 does not say generic-receive-offload: on"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping with GRO on on vp0"

	log_test "$name"
}

# udp_burst NS_RX ADDR_RX SRC DST [--gro]: a receiver in NS_RX on
# ADDR_RX, then one burst of $SEGS x $SEG_SIZE from ns0 (SRC to DST).
# What the receiver saw goes to READS, BYTES, MAX_READ and GSO_SIZE.
udp_burst()
{
	local nsrx=$1 addr=$2 src=$3 dst=$4
	local ready=$TMPDIR_TEST/ready.$RANDOM out=$TMPDIR_TEST/recv.$RANDOM
	local pid line

	shift 4
	READS='' BYTES='' MAX_READ='' GSO_SIZE=''
	# the receiver waits for the sender's python to start: on a debug
	# kernel under TCG that took more than recv's default of 10 s
	ip netns exec "$nsrx" "$GRO_PY" recv "$addr" $PORT \
		--bytes $((SEGS * SEG_SIZE)) --timeout "$WAIT_TIMEOUT" \
		--ready "$ready" "$@" >"$out" &
	pid=$!
	defer kill $pid
	wait_until "$WAIT_TIMEOUT" test -e "$ready" || return 1
	nsexec "$ns0" "$GRO_PY" send "$src" "$dst" $PORT --segs $SEGS \
		--size $SEG_SIZE >/dev/null || return 1
	wait $pid
	line=$(<"$out")
	[[ $line =~ ^reads\ ([0-9]+)\ bytes\ ([0-9]+)\ max_read\ ([0-9]+)\ gso_size\ ([0-9]+) ]] ||
		return 1
	READS=${BASH_REMATCH[1]}
	BYTES=${BASH_REMATCH[2]}
	MAX_READ=${BASH_REMATCH[3]}
	GSO_SIZE=${BASH_REMATCH[4]}
	[ "$BYTES" -ge $((SEGS * SEG_SIZE)) ]
}

# A local receiver that asks for UDP_GRO: the socket itself makes the
# stack aggregate for it, rx-udp-gro-forwarding is not needed.
gro_udp_local()
{
	local fam=$1
	local name="gro: UDP GSO burst glued for a UDP_GRO socket ($fam)"
	local src=192.0.2.1 dst=192.0.2.2

	setup_pair
	check_err $? "setup failed"
	if [ "$fam" = IPv6 ]; then
		src=2001:db8:1::1 dst=2001:db8:1::2
		ipv6_up "$ns0" vp0 $src/64 && ipv6_up "$ns1" vp1 $dst/64
		check_err $? "IPv6 addresses failed"
	fi
	nsexec "$ns0" ethtool -K vp0 tx-udp-segmentation off >/dev/null
	check_err $? "ethtool -K vp0 tx-udp-segmentation off failed"
	ping_ok "$ns0" $dst
	check_err $? "no ping to $dst"

	udp_burst "$ns1" $dst $src $dst --gro
	check_err $? "the burst did not arrive with GRO off (${BYTES:-no} bytes)"
	log_info "GRO off: $READS reads, largest $MAX_READ bytes, gso_size $GSO_SIZE"
	[ "$READS" = $SEGS ] && [ "$MAX_READ" = $SEG_SIZE ] && [ "$GSO_SIZE" = 0 ]
	check_err $? "GRO off, yet the receiver got $READS reads of up to $MAX_READ bytes (gso_size $GSO_SIZE), expected $SEGS of $SEG_SIZE"

	nsexec "$ns1" ethtool -K vp1 gro on rx-udp-gro-forwarding on
	check_err $? "ethtool -K vp1 gro on rx-udp-gro-forwarding on failed"
	udp_burst "$ns1" $dst $src $dst --gro
	check_err $? "the burst did not arrive with GRO on (${BYTES:-no} bytes)"
	log_info "GRO on: $READS reads, largest $MAX_READ bytes, gso_size $GSO_SIZE"
	[ "$READS" -lt $SEGS ] && [ "$MAX_READ" -gt $SEG_SIZE ] &&
		[ "$GSO_SIZE" = $SEG_SIZE ]
	check_err $? "GRO on, yet the receiver got $READS reads of up to $MAX_READ bytes (gso_size $GSO_SIZE), expected fewer, bigger ones with gso_size $SEG_SIZE"

	nsexec "$ns1" ethtool -K vp1 gro off
	check_err $? "ethtool -K vp1 gro off failed"
	features_get "$ns1" vp1 && feature_is generic-receive-offload off
	check_err $? "vp1 does not say generic-receive-offload: off"
	udp_burst "$ns1" $dst $src $dst --gro
	check_err $? "the burst did not arrive with GRO off again"
	[ "$READS" = $SEGS ] && [ "$GSO_SIZE" = 0 ]
	check_err $? "GRO off again, yet $READS reads (gso_size $GSO_SIZE), expected $SEGS without gso_size"

	log_test "$name"
}

# The per-queue counters of ethtool -S, named as veth names them: they
# exist, and rx_queue_0_xdp_packets counts what the end took through
# NAPI (GRO and rx-udp-gro-forwarding on), nothing while GRO is off.
gro_queue_stats()
{
	local name="gro: ethtool -S per-queue counters count NAPI's packets"
	local n before

	setup_pair
	check_err $? "setup failed"
	nsexec "$ns0" ethtool -K vp0 tx-udp-segmentation off >/dev/null
	check_err $? "ethtool -K vp0 tx-udp-segmentation off failed"

	nsout "$ns1" ethtool -S vp1
	check_err $? "ethtool -S vp1 failed"
	for n in rx_queue_0_xdp_packets rx_queue_0_xdp_bytes rx_queue_0_drops \
		 rx_queue_0_xdp_redirect rx_queue_0_xdp_drops rx_queue_0_xdp_tx \
		 rx_queue_0_xdp_tx_errors tx_queue_0_xdp_xmit \
		 tx_queue_0_xdp_xmit_errors; do
		[[ $OUT =~ [[:space:]]$n:\ [0-9]+ ]]
		check_err $? "ethtool -S vp1 has no $n"
	done

	ethtool_get "$ns1" vp1 rx_queue_0_xdp_packets
	before=$ETHTOOL_VAL
	udp_burst "$ns1" 192.0.2.2 192.0.2.1 192.0.2.2
	check_err $? "the burst did not arrive with GRO off"
	ethtool_get "$ns1" vp1 rx_queue_0_xdp_packets
	log_info "GRO off: rx_queue_0_xdp_packets went from $before to $ETHTOOL_VAL"
	[ -n "$before" ] && [ "$ETHTOOL_VAL" = "$before" ]
	check_err $? "rx_queue_0_xdp_packets moved from ${before:-?} to ${ETHTOOL_VAL:-?} with GRO off"

	nsexec "$ns1" ethtool -K vp1 gro on rx-udp-gro-forwarding on
	check_err $? "ethtool -K vp1 gro on rx-udp-gro-forwarding on failed"
	ethtool_get "$ns1" vp1 rx_queue_0_xdp_packets
	before=$ETHTOOL_VAL
	udp_burst "$ns1" 192.0.2.2 192.0.2.1 192.0.2.2
	check_err $? "the burst did not arrive with GRO on"
	ethtool_get "$ns1" vp1 rx_queue_0_xdp_packets
	log_info "GRO on: rx_queue_0_xdp_packets went from $before to $ETHTOOL_VAL"
	[ -n "$before" ] && [ -n "$ETHTOOL_VAL" ] &&
		((ETHTOOL_VAL - before >= SEGS))
	check_err $? "rx_queue_0_xdp_packets went from ${before:-?} to ${ETHTOOL_VAL:-?} with GRO on, expected $SEGS more"

	log_test "$name"
}

# fwd_setup FAMILY: ns0 -- vp0/vp1 -- ns1 (forwarding) -- vq0/vq1 -- ns2.
# The sender in ns0 sends to ns2 through ns1; a tc filter on vp1's
# ingress, after GRO, counts the burst's bytes there. Sets SRC, DST
# (ns2's address), PROTO (tc's name of the family) and HDR (the IP and
# UDP headers' length).
fwd_setup()
{
	setup_ns ns2 || return
	setup_pair || return
	# shellcheck disable=SC2154 # ns2 is set by setup_ns
	link_add "$ns1" vq0 vq1 netns "$ns2" || return
	if [ "$1" = IPv6 ]; then
		SRC=2001:db8:1::1 DST=2001:db8:2::2 PROTO=ipv6 HDR=48
		ipv6_up "$ns0" vp0 $SRC/64 && ipv6_up "$ns1" vp1 2001:db8:1::2/64 &&
		ipv6_up "$ns1" vq0 2001:db8:2::1/64 && ipv6_up "$ns2" vq1 $DST/64 &&
		ip -n "$ns1" link set vq0 up && ip -n "$ns2" link set vq1 up &&
		ip -n "$ns0" route add 2001:db8:2::/64 via 2001:db8:1::2 &&
		ip -n "$ns2" route add 2001:db8:1::/64 via 2001:db8:2::1 &&
		nsexec "$ns1" sysctl -qw net.ipv6.conf.all.forwarding=1 || return
	else
		SRC=192.0.2.1 DST=198.51.100.2 PROTO=ip HDR=28
		ip -n "$ns1" addr add 198.51.100.1/24 dev vq0 &&
		ip -n "$ns2" addr add $DST/24 dev vq1 &&
		ip -n "$ns1" link set vq0 up && ip -n "$ns2" link set vq1 up &&
		ip -n "$ns0" route add 198.51.100.0/24 via 192.0.2.2 &&
		ip -n "$ns2" route add 192.0.2.0/24 via 198.51.100.1 &&
		nsexec "$ns1" sysctl -qw net.ipv4.ip_forward=1 || return
	fi
	nsexec "$ns0" ethtool -K vp0 tx-udp-segmentation off >/dev/null &&
	tc -n "$ns1" qdisc add dev vp1 clsact &&
	tc -n "$ns1" filter add dev vp1 ingress protocol $PROTO pref 1 \
		flower ip_proto udp dst_port $PORT action pass || return
	# the neighbours on the way, resolved before anything is counted
	wait_until "$WAIT_TIMEOUT" ping_ok "$ns0" $DST
}

# vp1_udp_count: the packets and bytes the filter on vp1 counted, in
# FWD_PKTS and FWD_BYTES.
vp1_udp_count()
{
	local out

	out=$(tc -n "$ns1" -s filter show dev vp1 ingress) &&
		[[ $out =~ Sent\ ([0-9]+)\ bytes\ ([0-9]+)\ pkt ]] || return 1
	FWD_BYTES=${BASH_REMATCH[1]}
	FWD_PKTS=${BASH_REMATCH[2]}
}

# fwd_burst: one burst from ns0 to a plain receiver in ns2; the bytes
# the filter on vp1 counted for it in PKT_BYTES, the packets in PKTS. tc
# counts a GSO packet as its segments; the packets vp1 really saw are
# told by the headers in the bytes: each brings its own IP and UDP
# header, to the same payload.
fwd_burst()
{
	local p0 b0

	PKTS='' PKT_BYTES=''
	vp1_udp_count || return 1
	p0=$FWD_PKTS b0=$FWD_BYTES
	udp_burst "$ns2" $DST $SRC $DST || return 1
	vp1_udp_count || return 1
	PKT_BYTES=$((FWD_BYTES - b0))
	# what tc counts as packets: the segments, glued or not
	[ $((FWD_PKTS - p0)) = $SEGS ] || return 1
	PKTS=$(((PKT_BYTES - SEGS * SEG_SIZE) / HDR))
}

gro_udp_forward()
{
	local fam=$1
	local name="gro: forwarded UDP glued with rx-udp-gro-forwarding ($fam)"
	local glued ref

	fwd_setup "$fam"
	check_err $? "forwarding setup failed"
	[ "$RET" = 0 ] || { log_test "$name"; return; }

	fwd_burst
	check_err $? "the forwarded burst did not arrive with GRO off (${BYTES:-no} bytes)"
	log_info "GRO off: vp1 saw $PKTS packets, $PKT_BYTES bytes"
	[ "$PKTS" = $SEGS ]
	check_err $? "GRO off, yet vp1 saw $PKTS packets of the burst, expected $SEGS"

	nsexec "$ns1" ethtool -K vp1 gro on
	check_err $? "ethtool -K vp1 gro on failed"
	fwd_burst
	check_err $? "the forwarded burst did not arrive with GRO on"
	log_info "GRO on, rx-udp-gro-forwarding off: vp1 saw $PKTS packets"
	[ "$PKTS" = $SEGS ]
	check_err $? "rx-udp-gro-forwarding off, yet vp1 saw $PKTS packets, expected $SEGS"

	nsexec "$ns1" ethtool -K vp1 rx-udp-gro-forwarding on
	check_err $? "ethtool -K vp1 rx-udp-gro-forwarding on failed"
	fwd_burst
	check_err $? "the forwarded burst did not arrive whole with GRO forwarding (${BYTES:-no} bytes in $READS reads)"
	log_info "rx-udp-gro-forwarding on: vp1 saw $PKTS packets, $PKT_BYTES bytes; ns2 read $READS datagrams"
	glued=$PKTS
	# the receiver did not ask for GRO: it still reads the segments
	[ "$READS" = $SEGS ] && [ "$MAX_READ" = $SEG_SIZE ]
	check_err $? "ns2 read $READS datagrams of up to $MAX_READ bytes, expected $SEGS of $SEG_SIZE"

	nsexec "$ns1" ethtool -K vp1 gro off
	check_err $? "ethtool -K vp1 gro off failed"
	fwd_burst
	check_err $? "the forwarded burst did not arrive with GRO off again"
	[ "$PKTS" = $SEGS ]
	check_err $? "GRO off again, yet vp1 saw $PKTS packets, expected $SEGS"

	if [[ $glued =~ ^[0-9]+$ ]] && ((glued >= 1 && glued < SEGS)); then
		log_test "$name"
		return
	fi
	# Not glued. Some kernels' GRO does not glue forwarded UDP at all
	# (7.3-rc7: not for veth either, whether through GRO, an XDP
	# program or rx-gro-list): then there is nothing to hold the
	# driver to. What veth does on this kernel tells.
	ref=$glued
	if [ "$RET" = 0 ] && [ "$KIND" != veth ]; then
		ref=
		KIND=veth fwd_setup "$fam" &&
			nsexec "$ns1" ethtool -K vp1 gro on rx-udp-gro-forwarding on &&
			fwd_burst && ref=$PKTS
		log_info "veth on this kernel: vp1 saw ${ref:-?} packets of the burst"
	fi
	if [ "$RET" = 0 ] && ! [[ $ref =~ ^[0-9]+$ && $ref -lt $SEGS ]]; then
		log_test_skip "$name" "the GRO of $(uname -r) does not glue forwarded UDP, veth's neither (${ref:-?} packets)"
		return
	fi
	check_err 1 "rx-udp-gro-forwarding on, yet vp1 saw $glued packets, expected fewer than $SEGS (veth: $ref)"
	log_test "$name"
}

# Frames of two sockets that are alike to the byte: GRO on the receiving
# end may glue one socket's frames, never one socket's to the other's.
# The glued packet goes back to the first socket's send buffer when it is
# consumed, so the first would be given back more than it sent
# (refcount_t underflow) and the second never get its share back. Frames
# come through the ring still owned by their sockets; veth and vpair mark
# them for GRO (skb_prepare_for_gro()), which then keeps owners apart.
# Two UDP sockets on one address did not show it on 6.1: GRO kept their
# datagrams apart as two flows (their skbs' flow hashes differ, it
# seems). Two packet sockets (any namespace's root may open them) send
# frames with no hash, and what they like: here UDP datagrams with DF set
# and one IP ID, which GRO glues in any order. vp1's NAPI thread waits
# at SCHED_IDLE on the senders' CPU, so that the frames, sent in turns,
# meet in one NAPI run. Checked as a user sees it: each socket's send
# queue (TIOCOUTQ) back to 0 with the sockets still open, everything
# delivered, glued, and no refcount warning in the kernel log.
gro_two_owners()
{
	local name="gro: frames of two sockets, alike to the byte, never glued together"
	local ready=$TMPDIR_TEST/ready.$RANDOM out=$TMPDIR_TEST/recv.$RANDOM
	local count=100 cpu=0 warn0 warn pid line senders smac dmac

	setup_pair
	check_err $? "setup failed"
	nsexec "$ns1" ethtool -K vp1 gro on rx-udp-gro-forwarding on
	check_err $? "ethtool -K vp1 gro on rx-udp-gro-forwarding on failed"
	napi_slow "$ns1" vp1 $cpu
	check_err $? "no NAPI thread to slow down on vp1"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping to 192.0.2.2"
	link_json "$ns0" vp0 && json_get address && smac=$JSON_VAL &&
		link_json "$ns1" vp1 && json_get address && dmac=$JSON_VAL
	check_err $? "no MAC addresses of vp0 and vp1"
	[ "$RET" = 0 ] || { log_test "$name"; return; }

	warn0=$(dmesg | grep -c 'refcount_t')
	ip netns exec "$ns1" "$GRO_PY" recv 192.0.2.2 $PORT --gro \
		--bytes $((2 * count * SEG_SIZE)) --timeout "$WAIT_TIMEOUT" \
		--ready "$ready" >"$out" &
	pid=$!
	defer kill $pid
	wait_until "$WAIT_TIMEOUT" test -e "$ready"
	check_err $? "the receiver did not start"
	nsout "$ns0" taskset -c $cpu "$PKT_PY" twosend vp0 "$smac" "$dmac" \
		192.0.2.1 192.0.2.2 --count $count --size $SEG_SIZE --port $PORT \
		--timeout "$WAIT_TIMEOUT"
	check_err $? "the senders' send queues did not go back to 0 (${OUT:-no answer}: bytes still counted, socket A, socket B)"
	senders=$OUT
	wait $pid
	check_err $? "not all of the $((2 * count)) datagrams arrived"
	line=$(<"$out")
	log_info "senders: $senders; receiver: $line"
	[[ $line =~ ^reads\ ([0-9]+)\ .*gso_size\ ([0-9]+) ]] &&
		((BASH_REMATCH[1] < 2 * count)) && ((BASH_REMATCH[2] == SEG_SIZE))
	check_err $? "GRO glued nothing ($line): the case shows nothing"
	warn=$(dmesg | grep -c 'refcount_t')
	((warn == warn0))
	check_err $? "the kernel warned about a refcount_t ($((warn - warn0)) lines): $(dmesg | grep 'refcount_t' | tail -1)"
	log_test "$name"
}

require_root
require_cmd ip ethtool tc python3 ping taskset chrt
require_kind

run_test gro_defaults_toggle
run_test gro_udp_local IPv4
run_test gro_udp_local IPv6
run_test gro_queue_stats
run_test gro_udp_forward IPv4
run_test gro_udp_forward IPv6
run_test gro_two_owners

exit "$(exit_status)"
