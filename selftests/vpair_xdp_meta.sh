#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The XDP metadata kfuncs on an end: a program loaded bound to vp1
# (xdp_meta_load, BPF_F_XDP_DEV_BOUND_ONLY) asks bpf_xdp_metadata_rx_hash,
# _rx_timestamp and _rx_vlan_tag about each frame it gets, and keeps the
# answers in a map (progs/xdp_meta.bpf.c) read here with bpftool.
#
#   ns0                                ns1
#   +-------------------+              +----------------------------+
#   | vp0 192.0.2.1/24  | ===========> | vp1 192.0.2.2/24           |
#   |  UDP, ping        |              |  XDP bound to vp1:         |
#   | vp0.100 (VLAN)    |              |  hash, timestamp, VLAN tag |
#   +-------------------+              +----------------------------+
#
# A frame that comes as an skb has the skb's hash and VLAN tag; one that
# comes as an xdp_frame (here: the peer's XDP_TX) has no skb to answer
# from. A device without the kfuncs answers -EOPNOTSUPP to all three.

source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_xdp.sh

META_OBJ=$(dirname "$0")/progs/xdp_meta.bpf.o
META_LOAD=$(dirname "$0")/xdp_meta_load
XDP_FEATURES=$(dirname "$0")/xdp_features

# The map's keys (enum META_* of xdp_meta.bpf.c) and the test's ports.
META_ICMP=0
META_UDP0=1
META_UDP1=2
UDP_SPORT0=40001

# <linux/netdev.h>'s enum netdev_xdp_rx_metadata: timestamp, hash, VLAN tag.
RX_META_ALL=7
# <net/xdp.h>'s enum xdp_rss_hash_type, and errnos.
RSS_L3_IPV4=1
RSS_L4=8
ENODATA=61

# meta_attach NS DEV: the program loaded bound to DEV and attached in
# driver mode, its map pinned; the detach and the unpin are deferred.
meta_attach()
{
	local ns=$1 dev=$2

	META_PIN=$TMPDIR_TEST/bpffs/meta-$dev
	META_ERR=$(nsexec "$ns" "$META_LOAD" "$dev" "$META_OBJ" xdp_meta_prog \
		"$META_PIN" 2>&1) || return 1
	defer rm -f "$META_PIN/xdp_meta"
	defer ip -n "$ns" link set dev "$dev" xdp off
}

# meta_read KEY: the answers kept for KEY, as M[frames], M[hash_err] ...
declare -A M
meta_read()
{
	local out f i=0 vals
	local fields=(frames hash_err hash rss_type hash_changes ts_err
		      vlan_err vlan_proto vlan_tci)

	M=()
	out=$(bpftool -j map lookup pinned "$META_PIN/xdp_meta" key "$1" 0 0 0 |
	      jq -r '.formatted.value | [.frames, .hash_err, .hash, .rss_type,
		     .hash_changes, .ts_err, .vlan_err, .vlan_proto,
		     .vlan_tci] | map(tostring) | join(" ")') || return 1
	read -ra vals <<<"$out"
	[ ${#vals[@]} -eq ${#fields[@]} ] || return 1
	for f in "${fields[@]}"; do
		M[$f]=${vals[i]}
		i=$((i + 1))
	done
}

# meta_str: M as one line, for failure messages.
meta_str()
{
	local f s=

	for f in frames hash_err hash rss_type hash_changes ts_err vlan_err \
		 vlan_proto vlan_tci; do
		s+="$f=${M[$f]:-?} "
	done
	echo "$s"
}

# udp_send NS DST SPORT N: N datagrams to DST port 9 from port SPORT.
udp_send()
{
	local i

	for ((i = 0; i < $4; i++)); do
		echo x | nsexec "$1" socat -u - \
			"UDP4-SENDTO:$2:9,sourceport=$3,reuseaddr" || return 1
	done
}

# What netlink says the device implements, as a program's author looks
# it up (ynl: netdev dev-get, xdp-rx-metadata-features).
meta_features()
{
	local name="metadata kfuncs: netdev's xdp-rx-metadata-features lists all three"
	local dev ns out

	setup_pair
	check_err $? "setup failed"
	for dev in vp0 vp1; do
		ns=$ns0
		[ $dev = vp1 ] && ns=$ns1
		link_ifindex "$ns" $dev
		out=$(nsexec "$ns" "$XDP_FEATURES" "$IFINDEX" rx-metadata 2>&1)
		[ "$out" = $RX_META_ALL ]
		check_err $? "$dev: xdp-rx-metadata-features $out, expected $RX_META_ALL"
	done

	log_test "$name"
}

meta_hash()
{
	local name="metadata kfuncs: rx_hash of a flow is its own, typed L3/L4"
	local h0

	setup_pair
	check_err $? "setup failed"
	meta_attach "$ns1" vp1
	check_err $? "loading bound to vp1 failed: $META_ERR"

	udp_send "$ns0" 192.0.2.2 $UDP_SPORT0 $COUNT &&
		udp_send "$ns0" 192.0.2.2 $((UDP_SPORT0 + 1)) $COUNT
	check_err $? "sending the datagrams failed"

	meta_read $META_UDP0
	check_err $? "reading the program's map failed"
	[ "${M[frames]}" = "$COUNT" ] && [ "${M[hash_err]}" = 0 ] &&
		[ "${M[hash]}" != 0 ] && [ "${M[hash_changes]}" = 0 ] &&
		[ "${M[rss_type]}" = $((RSS_L3_IPV4 | RSS_L4)) ]
	check_err $? "port $UDP_SPORT0: expected $COUNT frames, one hash, type L3_IPV4|L4: $(meta_str)"
	# no hardware clock, no VLAN tag on these
	[ "${M[ts_err]}" = -$ENODATA ] && [ "${M[vlan_err]}" = -$ENODATA ]
	check_err $? "port $UDP_SPORT0: expected -ENODATA for timestamp and VLAN: $(meta_str)"
	h0=${M[hash]}

	meta_read $META_UDP1
	check_err $? "reading the program's map failed"
	[ "${M[frames]}" = "$COUNT" ] && [ "${M[hash_err]}" = 0 ] &&
		[ "${M[hash_changes]}" = 0 ] && [ "${M[hash]}" != "$h0" ]
	check_err $? "port $((UDP_SPORT0 + 1)): expected $COUNT frames, one hash other than port $UDP_SPORT0's ($h0): $(meta_str)"

	# ICMP has no ports: an L3 hash
	ping_n "$ns0" $COUNT 192.0.2.2
	check_err $? "ping with the program attached: $PING_RECEIVED of $COUNT answered"
	meta_read $META_ICMP
	check_err $? "reading the program's map failed"
	[ "${M[frames]}" = "$COUNT" ] && [ "${M[hash_err]}" = 0 ] &&
		[ "${M[rss_type]}" = $RSS_L3_IPV4 ]
	check_err $? "echo requests: expected $COUNT frames, type L3_IPV4: $(meta_str)"

	log_test "$name"
}

# vlan_up NS DEV ADDR: DEV.100, VLAN 100 on DEV, with ADDR/24, up.
vlan_up()
{
	ipb "$1" <<-EOF
		link add link $2 name $2.100 type vlan id 100
		addr add $3/24 dev $2.100
		link set $2.100 up
	EOF
}

meta_vlan()
{
	local name="metadata kfuncs: rx_vlan_tag gives the tag, the frame keeps it"

	setup_pair
	check_err $? "setup failed"
	vlan_up "$ns0" vp0 198.51.100.1 && vlan_up "$ns1" vp1 198.51.100.2
	check_err $? "adding the VLAN devices failed"
	meta_attach "$ns1" vp1
	check_err $? "loading bound to vp1 failed: $META_ERR"

	# XDP_PASS must hand the stack the frame with its tag
	ping_n "$ns0" $COUNT 198.51.100.2
	check_err $? "ping over VLAN 100 through XDP_PASS: $PING_RECEIVED of $COUNT answered"

	meta_read $META_ICMP
	check_err $? "reading the program's map failed"
	[ "${M[frames]}" = "$COUNT" ] && [ "${M[vlan_err]}" = 0 ] &&
		[ $((M[vlan_tci] & 0xfff)) = 100 ] &&
		[ "${M[vlan_proto]}" = $((0x8100)) ]
	check_err $? "echo requests on VLAN 100: expected $COUNT frames with tag 100, 802.1Q: $(meta_str)"

	log_test "$name"
}

meta_no_skb()
{
	local name="metadata kfuncs: a frame sent back by the peer's XDP_TX has none"

	setup_pair
	check_err $? "setup failed"
	xdp_attach "$ns0" vp0 xdpdrv xdp && xdp_act "$ns0" vp0 $ACT_TX
	check_err $? "XDP_TX on vp0 failed: ${XDP_ERR:-}"
	meta_attach "$ns1" vp1
	check_err $? "loading bound to vp1 failed: $META_ERR"

	# vp0 bounces vp1's echo requests: they come back as xdp_frames
	ping_n "$ns1" $COUNT 192.0.2.1
	meta_read $META_ICMP
	check_err $? "reading the program's map failed"
	[ "${M[frames]}" = "$COUNT" ] && [ "${M[hash_err]}" = -$ENODATA ] &&
		[ "${M[ts_err]}" = -$ENODATA ] &&
		[ "${M[vlan_err]}" = -$ENODATA ]
	check_err $? "bounced echo requests: expected $COUNT frames, -ENODATA from all three: $(meta_str)"

	log_test "$name"
}

require_kind
require_xdp
require_cmd jq socat
[ -x "$META_LOAD" ] && [ -e "$META_OBJ" ] && [ -x "$XDP_FEATURES" ] ||
	skip_all "xdp_meta_load, xdp_features or progs/xdp_meta.bpf.o not built (make -C selftests)"
is_vpair "metadata kfuncs" || exit "$(exit_status)"
grep -qw bpf_xdp_metadata_rx_vlan_tag /proc/kallsyms ||
	skip_all "kernel without the XDP metadata kfuncs of 6.8"
# libbpf resolves the kfuncs through the kernel's BTF (the debug kernel
# of scripts/debug-kernel.sh is built without it).
[ -e /sys/kernel/btf/vmlinux ] ||
	skip_all "kernel without BTF (CONFIG_DEBUG_INFO_BTF): no program calling kfuncs loads"

mkdir -p "$TMPDIR_TEST/bpffs" && mount -t bpf bpf "$TMPDIR_TEST/bpffs" ||
	skip_all "cannot mount a bpffs"
defer umount "$TMPDIR_TEST/bpffs"

run_test meta_features
run_test meta_hash
run_test meta_vlan
run_test meta_no_skb

exit "$(exit_status)"
