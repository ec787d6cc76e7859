#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Offloads: SG, checksum and TSO/GSO are on and can be toggled; with TSO
# on, TCP's 64 KB segments cross the pair whole, so the receiving end
# sees frames far above its MTU; with TSO and GSO off the sender cuts
# them to the MTU itself.

source "$(dirname "$0")"/lib.sh

PORT=5201

offload_defaults_toggle()
{
	local name="offload: SG, checksum, TSO, GSO on and toggled by -K"
	local f

	setup_pair
	check_err $? "setup failed"

	features_get "$ns0" vp0
	check_err $? "ethtool -k vp0 failed"
	for f in scatter-gather tx-checksumming tcp-segmentation-offload \
		 generic-segmentation-offload; do
		feature_is $f on
		check_err $? "$f is not on by default"
	done

	nsexec "$ns0" ethtool -K vp0 tso off tx off >/dev/null
	check_err $? "ethtool -K vp0 tso off tx off failed"
	features_get "$ns0" vp0 && feature_is tcp-segmentation-offload off &&
		feature_is tx-checksumming off
	check_err $? "tso or tx checksumming still on"
	# the stack now checksums in software: traffic must still pass
	ping_ok "$ns0" 192.0.2.2 -s 2000
	check_err $? "no ping with tx checksumming off"

	nsexec "$ns0" ethtool -K vp0 tso on tx on >/dev/null
	check_err $? "ethtool -K vp0 tso on tx on failed"
	features_get "$ns0" vp0 && feature_is tcp-segmentation-offload on
	check_err $? "tso not back on"

	log_test "$name"
}

# tcp_stream_max_frame: send 4 MB over TCP from ns0 to ns1 while tcpdump
# on the receiving end vp1 records the frames; the largest frame length
# seen goes to MAX_FRAME.
tcp_stream_max_frame()
{
	local cap=$TMPDIR_TEST/cap.$RANDOM
	local rx=$TMPDIR_TEST/rx.$RANDOM
	local server line len

	MAX_FRAME=0
	ip netns exec "$ns1" socat -u TCP-LISTEN:$PORT,reuseaddr "CREATE:$rx" &
	server=$!
	defer kill $server
	capture_start "$ns1" vp1 "$cap" tcp port $PORT || return 1
	# the listener may still be starting: retry the connection
	# 128 KB writes: the stack may build 64 KB frames from each
	nsexec "$ns0" socat -u -b 131072 FILE:/dev/zero,readbytes=4194304 \
		TCP:192.0.2.2:$PORT,retry=50,interval=0.2 || return 1
	wait $server || return 1
	# tcpdump lags behind under emulation: let it reach the FIN
	wait_until "$WAIT_TIMEOUT" file_has "$cap" "Flags [F"
	capture_stop
	[ "$(stat -c %s "$rx")" = 4194304 ] || return 1

	# tcpdump -e: "... ethertype IPv4 (0x0800), length 65226: ..."
	while read -r line; do
		[[ $line =~ ethertype\ IPv4\ \(0x0800\),\ length\ ([0-9]+): ]] ||
			continue
		len=${BASH_REMATCH[1]}
		((len > MAX_FRAME)) && MAX_FRAME=$len
	done < "$cap"
	return 0
}

offload_gso_crosses_whole()
{
	local name="offload: GSO frames cross unsegmented, not without TSO"
	setup_pair
	check_err $? "setup failed"
	# TCP sizes its GSO frames to about a millisecond of its sending
	# rate, a few KB under emulation: ask for 64 KB frames whatever the
	# speed.
	nsexec "$ns0" sysctl -qw net.ipv4.tcp_min_tso_segs=44
	check_err $? "cannot set tcp_min_tso_segs"
	# and a window that allows them from the first round trip on
	ip -n "$ns0" route add 192.0.2.2/32 dev vp0 initcwnd 64
	check_err $? "cannot add a route with initcwnd 64"

	tcp_stream_max_frame
	check_err $? "TCP stream from ns0 to ns1 failed"
	log_info "largest frame on vp1 with TSO on: $MAX_FRAME"
	# More than half of 64 KB: frames as the sender's stack built them,
	# whatever their exact size (the CI's slower runs saw 55090 bytes).
	((MAX_FRAME > 32768))
	check_err $? "largest frame on vp1 is $MAX_FRAME bytes, expected GSO frames above 32 KB"

	nsexec "$ns0" ethtool -K vp0 tso off gso off >/dev/null
	check_err $? "ethtool -K vp0 tso off gso off failed"
	tcp_stream_max_frame
	check_err $? "TCP stream from ns0 to ns1 without TSO failed"
	log_info "largest frame on vp1 with TSO/GSO off: $MAX_FRAME"
	((MAX_FRAME > 0 && MAX_FRAME <= 1514))
	check_err $? "largest frame on vp1 is $MAX_FRAME bytes without TSO, expected <= 1514"

	log_test "$name"
}

# BIG TCP: the core refuses a gso_max_size above the device's
# tso_max_size, which is 64 KB unless the driver raises it.
offload_big_tcp()
{
	local name="offload: BIG TCP, gso_max_size above 64 KB accepted"
	local size=131072

	setup_pair
	check_err $? "setup failed"

	ip -n "$ns0" link set vp0 gso_max_size $size
	check_err $? "ip link set vp0 gso_max_size $size refused"
	link_json "$ns0" vp0 && json_is gso_max_size $size
	check_err $? "vp0's gso_max_size is ${JSON_VAL:-unknown}, expected $size"
	ping_ok "$ns0" 192.0.2.2
	check_err $? "no ping after raising gso_max_size"

	log_test "$name"
}

require_root
require_cmd ip ethtool tcpdump socat stat
require_kind

run_test offload_defaults_toggle
run_test offload_gso_crosses_whole
run_test offload_big_tcp

exit "$(exit_status)"
