#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# loopback_bypass obeys the host's policy: what the bypass takes off lo
# has been through everything a packet to lo goes through, and nothing
# else is taken.
#
#   one namespace, loopback_bypass on
#   vp0 192.0.2.1 2001:db8::1  <====== the pair ======>  vp1 192.0.2.2 2001:db8::2
#
# - IPsec: with an ESP transport policy between the two addresses, the
#   ping still works and only ESP crosses the pair, never the cleartext;
# - cgroup egress BPF: a program that drops what a cgroup sends to vp1's
#   address drops it with the bypass on as with it off;
# - netfilter: OUTPUT and POSTROUTING rules that drop the flow drop it;
#   conntrack sees the flow confirmed, whether its hooks came before or
#   after the pair's;
# - only what the stack hands to lo: with both ends in a VRF, whose
#   device is the loopback of its domain, nothing is taken.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

CGROUP_OBJ=$(dirname "$0")/progs/cgroup_drop.bpf.o
COUNT=5

bypass_mark()
{
	ethtool_get "$ns0" "$E0" tx_bypass && BYPASS0=$ETHTOOL_VAL
}

# bypass_delta: how far tx_bypass of $E0 moved since bypass_mark, in
# BYPASSED.
bypass_delta()
{
	ethtool_get "$ns0" "$E0" tx_bypass && BYPASSED=$((ETHTOOL_VAL - BYPASS0))
}

# policy_xfrm FAMILY: ESP transport mode between the two addresses. IPv4
# exempts traffic routed through lo from xfrm (lo's disable_xfrm is 1):
# the host opts in by setting it to 0, and then so must the bypass.
policy_xfrm()
{
	local family=$1 plen=32
	local key=0x0123456789abcdef0123456789abcdef01234567
	local cap=$TMPDIR_TEST/xfrm.txt esp clear

	family_addrs "$family"
	[ "$family" = IPv6 ] && plen=128
	onehost_setup vpair v6 loopback_bypass on
	check_err $? "setup failed"
	[ "$family" = IPv4 ] &&
		nsexec "$ns0" sysctl -q -w net.ipv4.conf.lo.disable_xfrm=0
	if ! nsexec "$ns0" ip xfrm state add src "$SRC" dst "$DST" proto esp \
		spi 0x1000 mode transport aead 'rfc4106(gcm(aes))' $key 128 \
		2>"$TMPDIR_TEST/xfrm.err"; then
		# A kernel built without ESP for this family (a minimal
		# debug kernel) says so; anything else is a failure.
		if grep -q "Protocol not supported\|not supported" "$TMPDIR_TEST/xfrm.err"; then
			log_test_skip "bypass policy: $family IPsec transport" \
				"no ESP for $family in this kernel: $(<"$TMPDIR_TEST/xfrm.err")"
			return
		fi
		check_err 1 "ip xfrm state add: $(<"$TMPDIR_TEST/xfrm.err")"
	fi
	ipb "$ns0" <<-EOF
		xfrm state add src $DST dst $SRC proto esp spi 0x1001 mode transport aead 'rfc4106(gcm(aes))' $key 128
		xfrm policy add src $SRC/$plen dst $DST/$plen dir out tmpl src $SRC dst $DST proto esp mode transport
		xfrm policy add src $DST/$plen dst $SRC/$plen dir out tmpl src $DST dst $SRC proto esp mode transport
	EOF
	check_err $? "ip xfrm state/policy add failed"
	capture_start "$ns0" "$E1" "$cap" esp or icmp or icmp6
	check_err $? "tcpdump did not start"

	pair_snapshot
	pings "$ns0" $COUNT "$DST" -I "$SRC"
	check_err $? "ping -I $SRC $DST under IPsec: not all $COUNT answered"
	wait_until "$WAIT_TIMEOUT" eval "[ \$(grep -c ESP '$cap') -ge $((2 * COUNT)) ]"
	capture_stop
	esp=$(grep -c ESP "$cap")
	clear=$(grep -c "ICMP" "$cap")
	# The counters say that every request and every reply crossed the
	# pair and none went by lo; tcpdump on $E1, that what crossed was
	# ESP and never the cleartext. Counting the crossing is the
	# counters' job: a capture under emulation may lose a packet.
	crossed_pair $COUNT && [ "${DELTA[lo.tx_packets]}" = 0 ]
	check_err $? "not all of the ping crossed the pair: $CROSSED"
	[ "$esp" -ge "$COUNT" ] && [ "$clear" = 0 ]
	check_err $? "$E1 saw $esp ESP and $clear cleartext ICMP packets; expected ESP ($((2 * COUNT)) crossed), no ICMP ($CROSSED; tcpdump: $(grep -h "captured\|dropped" "$cap.err" | tr '\n' ' '))"

	log_test "bypass policy: $family IPsec transport: ping works, only ESP crosses the pair"
}

# in_cgroup CGROUP CMD...: CMD run from a process in CGROUP.
in_cgroup()
{
	local cg=$1

	shift
	bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' \
		in_cgroup "$cg" "$@"
}

policy_cgroup_bpf()
{
	local family=$1 cgroot=$TMPDIR_TEST/cgroup2 cg pin=/sys/fs/bpf/vpair_cgroup_drop

	family_addrs "$family"
	onehost_setup vpair v6 loopback_bypass on
	check_err $? "setup failed"
	mkdir -p "$cgroot" && mount -t cgroup2 none "$cgroot"
	check_err $? "cannot mount cgroup2"
	defer umount "$cgroot"
	cg=$cgroot/vpair-policy
	mkdir "$cg"
	defer rmdir "$cg"
	[ -d /sys/fs/bpf ] && { mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; }
	bpftool prog load "$CGROUP_OBJ" "$pin" type cgroup/skb
	check_err $? "bpftool prog load failed"
	defer rm -f "$pin"
	bpftool cgroup attach "$cg" egress pinned "$pin"
	check_err $? "bpftool cgroup attach failed"
	defer bpftool cgroup detach "$cg" egress pinned "$pin"
	bypass_mark

	! in_cgroup "$cg" ip netns exec "$ns0" ping -q -n -c 2 -W 2 -I "$SRC" "$DST" >/dev/null 2>&1
	check_err $? "a ping from the cgroup to $DST was answered: the program should drop it"
	in_cgroup "$cgroot" ip netns exec "$ns0" ping -q -n -c 1 -W "$PING_TIMEOUT" -I "$SRC" "$DST" >/dev/null 2>&1
	check_err $? "a ping from outside the cgroup was not answered"
	bypass_delta
	[ "$BYPASSED" -ge 1 ]
	check_err $? "the ping from outside the cgroup did not cross the pair"

	log_test "bypass policy: $family cgroup egress BPF drops what it drops on lo"
}

# policy_nf_drop CHAIN: an iptables rule in CHAIN drops the echo requests
# to vp1's address; with the bypass on they are dropped as on lo.
policy_nf_drop()
{
	local chain=$1 table=filter

	[ "$chain" = POSTROUTING ] && table=mangle
	onehost_setup vpair v4 loopback_bypass on
	check_err $? "setup failed"
	nsexec "$ns0" iptables -t $table -A "$chain" -d $ADDR1 -p icmp \
		--icmp-type echo-request -j DROP
	check_err $? "iptables -t $table -A $chain failed"
	bypass_mark

	ping_fails "$ns0" $ADDR1 -I $ADDR0
	check_err $? "ping got a reply despite the DROP in $chain"
	bypass_delta
	[ "$BYPASSED" = 0 ]
	check_err $? "$BYPASSED dropped packets crossed the pair"
	nsexec "$ns0" iptables -t $table -D "$chain" -d $ADDR1 -p icmp \
		--icmp-type echo-request -j DROP
	ping_ok "$ns0" $ADDR1 -I $ADDR0
	check_err $? "ping not answered once the rule is gone"

	log_test "bypass policy: an iptables DROP in $chain still drops"
}

# conntrack_confirmed NS: /proc/net/nf_conntrack lists the TCP flow
# between the two addresses as ASSURED (confirmed, replies seen).
conntrack_confirmed()
{
	local ct

	ct=$(ip netns exec "$1" cat /proc/net/nf_conntrack 2>/dev/null)
	[[ $ct == *"src=$ADDR0 dst=$ADDR1 "*"dport=$TCP_PORT "*ASSURED* ]]
}

# conntrack_on NS: an iptables rule that needs conntrack, which
# registers conntrack's hooks in NS.
conntrack_on()
{
	nsexec "$1" iptables -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
}

# policy_conntrack ORDER: conntrack's hooks are registered in the
# namespace "before" the pair exists, or "after" its bypass is on.
policy_conntrack()
{
	local order=$1

	if [ "$order" = before ]; then
		ONEHOST_BEFORE_PAIR=conntrack_on onehost_setup vpair v4 loopback_bypass on
		check_err $? "setup with conntrack failed"
	else
		onehost_setup vpair v4 loopback_bypass on
		check_err $? "setup failed"
		conntrack_on "$ns0"
		check_err $? "iptables conntrack rule failed"
	fi
	bypass_mark

	tcp_transfer $ADDR0 $ADDR1 $MiB
	tcp_transfer_wait
	check_err $? "TCP transfer: $TRANSFER"
	conntrack_confirmed "$ns0"
	check_err $? "conntrack lists no ASSURED entry for $ADDR0 -> $ADDR1:$TCP_PORT"
	bypass_delta
	[ "$BYPASSED" -ge 10 ]
	check_err $? "the transfer did not cross the pair ($BYPASSED packets)"

	log_test "bypass policy: conntrack confirms the bypassed flow (hooks $order the pair)"
}

policy_vrf()
{
	onehost_setup vpair v4 loopback_bypass on
	check_err $? "setup failed"
	ipb "$ns0" <<-EOF
		link add vrf-vp type vrf table 10
		link set vrf-vp up
		link set $E0 master vrf-vp
		link set $E1 master vrf-vp
	EOF
	check_err $? "VRF set-up failed"
	bypass_mark

	nsexec "$ns0" ip vrf exec vrf-vp ping -q -n -c 2 -W "$PING_TIMEOUT" \
		-I $ADDR0 $ADDR1 >/dev/null 2>&1
	check_err $? "ping inside the VRF not answered"
	bypass_delta
	[ "$BYPASSED" = 0 ]
	check_err $? "$BYPASSED packets the stack sent to the VRF device were taken"

	log_test "bypass policy: traffic the stack hands to a VRF, not lo, is not taken"
}

require_root
require_cmd iptables ethtool tcpdump
require_kind
[ "$KIND" = vpair ] || skip_all "vpair only (KIND=$KIND)"

run_test policy_xfrm IPv4
run_test policy_xfrm IPv6
if ! command -v bpftool >/dev/null; then
	log_test_skip "bypass policy: cgroup egress BPF" "bpftool not found"
elif [ ! -e "$CGROUP_OBJ" ]; then
	log_test_skip "bypass policy: cgroup egress BPF" "$CGROUP_OBJ not built"
else
	run_test policy_cgroup_bpf IPv4
	run_test policy_cgroup_bpf IPv6
fi
run_test policy_nf_drop OUTPUT
run_test policy_nf_drop POSTROUTING
run_test policy_conntrack after
run_test policy_conntrack before
run_test policy_vrf

exit "$(exit_status)"
