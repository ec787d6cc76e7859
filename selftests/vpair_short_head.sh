#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Odd skbs into an end, from where an unprivileged user can send them: in
# its own user and network namespace, an L3 tun device with a virtio-net
# header writes packets whose first byte only is in the linear part and
# that have no Ethernet header at all; tc mirred redirects them from the
# tun's ingress into vp0. The end must pull what it needs (the receiving
# end's eth_type_trans() reads an Ethernet header linearly) instead of
# crashing the kernel.
#
#   user+net namespace of nobody:
#   tun "tunh" ingress --tc mirred egress--> vp0 ====> vp1 (MTU 9000)

source "$(dirname "$0")"/lib.sh

VPAIR_SOCK=$(cd "$(dirname "$0")" && pwd)/vpair_sock.py
COUNT=20

# short_head_tun SIZE: COUNT packets of SIZE bytes from the tun into vp0;
# the tx counter of vp0 (and vp0's tx_dropped_short for frames too short
# for an Ethernet header) in TX and SHORT.
short_head_tun()
{
	local size=$1 script

	modprobe -q tun && modprobe -q sch_ingress && modprobe -q cls_matchall &&
		modprobe -q act_mirred
	check_err $? "cannot load tun and the tc modules"
	# shellcheck disable=SC2016 # expanded by the inner shell
	# addrgenmode none: no IPv6 of the ends' own, so the counters count
	# the tun's frames only
	script='ip link add vp0 mtu 9000 type vpair peer name vp1 mtu 9000 &&
		ip link set vp0 addrgenmode none && ip link set vp1 addrgenmode none &&
		ip link set vp0 up && ip link set vp1 up &&
		"$1" tun-headless tunh "$2" 198.51.100.2 --size "$3" --setup "ip link set tunh up &&
			tc qdisc add dev tunh ingress &&
			tc filter add dev tunh ingress matchall action mirred egress redirect dev vp0" &&
		ip -j -s link show dev vp0 && ethtool -S vp0'
	OUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user --net \
		bash -c "$script" short_head "$VPAIR_SOCK" $COUNT "$size" 2>&1)
	check_err $? "in the user namespace: $OUT"
	TX=- SHORT=-
	[[ $OUT =~ \"tx\":\{\"bytes\":[0-9]+,\"packets\":([0-9]+) ]] &&
		TX=${BASH_REMATCH[1]}
	[[ $OUT =~ tx_dropped_short:\ ([0-9]+) ]] && SHORT=${BASH_REMATCH[1]}
}

short_head_paged()
{
	short_head_tun 6000
	[ "$TX" = $COUNT ]
	check_err $? "vp0 sent $TX of the $COUNT headless frames: $OUT"
	log_test "short head: headless paged skbs from a tun, redirected into vp0 by an unprivileged user"
}

short_head_runt()
{
	short_head_tun 10
	[ "$SHORT" = $COUNT ] && [ "$TX" = 0 ]
	check_err $? "vp0 sent $TX and dropped $SHORT as too short of $COUNT 10-byte frames: $OUT"
	log_test "short head: frames shorter than an Ethernet header are dropped and counted"
}

require_root
require_cmd python3 setpriv unshare tc
require_kind
[ -c /dev/net/tun ] || modprobe -q tun || skip_all "no tun device"
[ "$(sysctl -n kernel.unprivileged_userns_clone 2>/dev/null || echo 1)" = 1 ] ||
	skip_all "unprivileged user namespaces are disabled"

run_test short_head_paged
run_test short_head_runt

exit "$(exit_status)"
