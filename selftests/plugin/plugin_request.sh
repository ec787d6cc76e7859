#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What "ip link ... type vpair" asks of the kernel, byte by byte, and how
# ip shows the kernel's answer, without the vpair module: ip runs under
# nlcapture.so, which records every rtnetlink request instead of sending it
# and answers as a kernel with one vpair device, vp0, would.
#
#   ip ---(request)---> nlcapture.so ---> $tmp/capture ---> nlexpect.py
#    ^                       |                              (expected bytes
#    +---(faked answer)------+                               built apart)
#
# Environment: IP (the ip binary, default ip), IP_LIB_DIR (the plugin's
# directory, default the tree's iplink-plugin/). Only the netns-by-name case
# needs root. Exit 0 pass, 1 fail, 4 skip.

ksft_skip=4
ret=0

here=$(dirname "$(readlink -f "$0")")
IP=${IP:-ip}
IP_LIB_DIR=${IP_LIB_DIR:-$here/../../iplink-plugin}
shim=$here/nlcapture.so
expect=$here/nlexpect.py
ifindex=7

tmp=
netns=

# shellcheck disable=SC2317 # called by the trap
cleanup()
{
	[ -n "$netns" ] && ip netns del "$netns" 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT

log_test()
{
	local rc=$1
	local name=$2

	if [ "$rc" -eq 0 ]; then
		printf "TEST: %-60s  [ OK ]\n" "$name"
	else
		ret=1
		printf "TEST: %-60s  [FAIL]\n" "$name"
		[ -s "$tmp/why" ] && sed 's/^/    /' "$tmp/why"
	fi
	: > "$tmp/why"
}

log_skip()
{
	printf "TEST: %-60s  [SKIP] %s\n" "$1" "$2"
}

# Runs ip under the shim. Variables NLCAPTURE_* set in front of the call
# shape the device the shim describes.
run_ip()
{
	: > "$tmp/capture"
	LD_PRELOAD=$shim IP_LIB_DIR=$IP_LIB_DIR NLCAPTURE_FILE=$tmp/capture \
		NLCAPTURE_IFNAME=vp0 NLCAPTURE_IFINDEX=$ifindex \
		$IP "$@" > "$tmp/out" 2> "$tmp/err"
}

# check_request NAME EXPECTED IP-ARGS...
#	The RTM_NEWLINK that "ip IP-ARGS" sends is EXPECTED (nlexpect.py
#	builders), byte for byte but nlmsg_seq and nlmsg_pid.
check_request()
{
	local name=$1
	local expected=$2

	shift 2
	if ! run_ip "$@"; then
		{ echo "ip $* failed:"; cat "$tmp/err"; } > "$tmp/why"
		log_test 1 "$name"
		return
	fi
	python3 "$expect" match "$tmp/capture" "$expected" > "$tmp/why" 2>&1
	log_test $? "$name"
}

# check_refused NAME WORD IP-ARGS...
#	"ip IP-ARGS" fails with one line on stderr that names WORD, and sends
#	nothing that would change anything.
check_refused()
{
	local name=$1
	local word=$2
	local changes

	shift 2
	if run_ip "$@"; then
		echo "ip $* succeeded" > "$tmp/why"
		log_test 1 "$name"
		return
	fi
	changes=$(python3 "$expect" changes "$tmp/capture")
	if [ "$(wc -l < "$tmp/err")" -ne 1 ] || ! grep -qF -- "$word" "$tmp/err"; then
		{ echo "wanted one line naming \"$word\", got:"; cat "$tmp/err"; } > "$tmp/why"
		log_test 1 "$name"
	elif [ "$changes" != 0 ]; then
		echo "$changes request(s) sent anyway" > "$tmp/why"
		log_test 1 "$name"
	else
		log_test 0 "$name"
	fi
}

# check_shown NAME TEXT JSON: "ip -d link show vp0" shows TEXT, and
#	"info_data" of "ip -d -j link show vp0" equals the JSON object JSON.
check_shown()
{
	local name=$1
	local text=$2
	local json=$3

	if ! run_ip -d link show vp0; then
		cat "$tmp/err" > "$tmp/why"
		log_test 1 "$name: text"
	elif ! grep -q -- "^    vpair $text\$" "$tmp/out"; then
		{ echo "wanted \"    vpair $text\", got:"; cat "$tmp/out"; } > "$tmp/why"
		log_test 1 "$name: text"
	else
		log_test 0 "$name: text"
	fi

	if ! run_ip -d -j link show vp0; then
		cat "$tmp/err" > "$tmp/why"
		log_test 1 "$name: JSON"
		return
	fi
	python3 -c '
import json, sys
got = json.load(open(sys.argv[1]))[0]["linkinfo"]["info_data"]
want = json.loads(sys.argv[2])
if got != want:
    sys.exit("wanted info_data %s, got %s" % (json.dumps(want), json.dumps(got)))
' "$tmp/out" "$json" > "$tmp/why" 2>&1
	log_test $? "$name: JSON"
}

test_add()
{
	check_request "add with a named peer" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			 vpair(peer(ifinfomsg(), strz(IFLA_IFNAME, 'vp1'))))" \
		link add vp0 type vpair peer name vp1

	# Like veth: a bare word after "peer" is the peer's name.
	check_request "add with a peer named without \"name\"" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			 vpair(peer(ifinfomsg(), strz(IFLA_IFNAME, 'vp1'))))" \
		link add vp0 type vpair peer vp1

	# No words after "type vpair": ip sends no IFLA_INFO_DATA at all.
	check_request "add without options or peer" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'), vpair())" \
		link add vp0 type vpair

	check_request "add, kernel names the peer" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			 vpair(peer(ifinfomsg())))" \
		link add vp0 type vpair peer

	check_request "add, kernel names the peer, peer mtu" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			 vpair(peer(ifinfomsg(), u32(IFLA_MTU, 1400))))" \
		link add vp0 type vpair peer mtu 1400

	check_request "add, kernel names both ends" \
		"newlink(ADD, ifinfomsg(),
			 vpair(peer(ifinfomsg(), strz(IFLA_IFNAME, 'vp1'))))" \
		link add type vpair peer name vp1
}

test_peer_options()
{
	# iplink_parse() adds the name last, whatever its place on the line.
	check_request "peer mtu, address, numtxqueues, numrxqueues" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			 vpair(peer(ifinfomsg(),
				    u32(IFLA_MTU, 9000),
				    lladdr(IFLA_ADDRESS, '02:00:00:00:00:02'),
				    u32(IFLA_NUM_TX_QUEUES, 4),
				    u32(IFLA_NUM_RX_QUEUES, 2),
				    strz(IFLA_IFNAME, 'vp1'))))" \
		link add vp0 type vpair peer name vp1 mtu 9000 \
			address 02:00:00:00:00:02 numtxqueues 4 numrxqueues 2

	# The ifinfomsg of each end gets its own index and flags.
	check_request "device up, peer index" \
		"newlink(ADD, ifinfomsg(flags=IFF_UP, change=IFF_UP),
			 strz(IFLA_IFNAME, 'vp0'),
			 vpair(peer(ifinfomsg(index=77),
				    strz(IFLA_IFNAME, 'vp1'))))" \
		link add vp0 up type vpair peer name vp1 index 77

	check_request "device index, peer up" \
		"newlink(ADD, ifinfomsg(index=76), strz(IFLA_IFNAME, 'vp0'),
			 vpair(peer(ifinfomsg(flags=IFF_UP, change=IFF_UP),
				    strz(IFLA_IFNAME, 'vp1'))))" \
		link add vp0 index 76 type vpair peer name vp1 up

	# ip 6.12 and later open /proc/PID/ns/net and send a descriptor.
	local pid=$$
	local inode

	inode=$(stat -L -c %i "/proc/$pid/ns/net")
	check_request "peer netns by pid" \
		"any_of(
		   newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			   vpair(peer(ifinfomsg(), u32(IFLA_NET_NS_PID, $pid),
				      strz(IFLA_IFNAME, 'vp1')))),
		   newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			   vpair(peer(ifinfomsg(), netns_fd($inode),
				      strz(IFLA_IFNAME, 'vp1')))))" \
		link add vp0 type vpair peer name vp1 netns "$pid"

	netns=vpair-plugin-$$
	if ! ip netns add "$netns" 2>/dev/null; then
		netns=
		log_skip "peer netns by name" "cannot create a netns"
		return
	fi
	inode=$(stat -L -c %i "/run/netns/$netns")
	check_request "peer netns by name" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			 vpair(peer(ifinfomsg(), netns_fd($inode),
				    strz(IFLA_IFNAME, 'vp1'))))" \
		link add vp0 type vpair peer name vp1 netns "$netns"
}

test_switches()
{
	check_request "add hairpin on" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			 vpair(u8(IFLA_VPAIR_HAIRPIN, 1),
			       peer(ifinfomsg(), strz(IFLA_IFNAME, 'vp1'))))" \
		link add vp0 type vpair hairpin on peer name vp1

	check_request "add loopback_bypass on, hairpin off" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			 vpair(u8(IFLA_VPAIR_LOOPBACK_BYPASS, 1),
			       u8(IFLA_VPAIR_HAIRPIN, 0),
			       peer(ifinfomsg(), strz(IFLA_IFNAME, 'vp1'))))" \
		link add vp0 type vpair loopback_bypass on hairpin off \
			peer name vp1

	check_request "add hairpin off, no peer" \
		"newlink(ADD, ifinfomsg(), strz(IFLA_IFNAME, 'vp0'),
			 vpair(u8(IFLA_VPAIR_HAIRPIN, 0)))" \
		link add vp0 type vpair hairpin off

	# ip looks vp0 up first (the shim says index $ifindex).
	check_request "set hairpin on" \
		"newlink(SET, ifinfomsg(index=$ifindex),
			 vpair(u8(IFLA_VPAIR_HAIRPIN, 1)))" \
		link set vp0 type vpair hairpin on

	check_request "set loopback_bypass on" \
		"newlink(SET, ifinfomsg(index=$ifindex),
			 vpair(u8(IFLA_VPAIR_LOOPBACK_BYPASS, 1)))" \
		link set vp0 type vpair loopback_bypass on

	check_request "set hairpin off, loopback_bypass off" \
		"newlink(SET, ifinfomsg(index=$ifindex),
			 vpair(u8(IFLA_VPAIR_HAIRPIN, 0),
			       u8(IFLA_VPAIR_LOOPBACK_BYPASS, 0)))" \
		link set vp0 type vpair hairpin off loopback_bypass off
}

test_refused()
{
	check_refused "refuse hairpin maybe" maybe \
		link add vp0 type vpair hairpin maybe peer name vp1
	check_refused "refuse loopback_bypass 1" loopback_bypass \
		link add vp0 type vpair loopback_bypass 1
	check_refused "refuse hairpin without a value" "not complete" \
		link add vp0 type vpair hairpin
	check_refused "refuse hairpin twice" hairpin \
		link add vp0 type vpair hairpin on hairpin off
	check_refused "refuse loopback_bypass twice" loopback_bypass \
		link set vp0 type vpair loopback_bypass on loopback_bypass on
	check_refused "refuse an unknown option" frobnicate \
		link add vp0 type vpair frobnicate on
	check_refused "refuse set hairpin maybe" maybe \
		link set vp0 type vpair hairpin maybe
	check_refused "refuse peer at set" peer \
		link set vp0 type vpair peer name vp1
	check_refused "refuse a type for the peer" type \
		link add vp0 type vpair peer name vp1 type veth
	# Everything after "peer" is the peer's: vpair options come first.
	check_refused "refuse vpair options after peer" hairpin \
		link add vp0 type vpair peer name vp1 hairpin on
}

test_help()
{
	if ! run_ip link help vpair; then
		cat "$tmp/err" > "$tmp/why"
		log_test 1 "help"
		return
	fi
	for word in "hairpin { on | off }" "loopback_bypass { on | off }" \
		    "peer [ name NAME ]" "ip link set DEVICE type vpair"; do
		if ! grep -qF -- "$word" "$tmp/out"; then
			{ echo "no \"$word\" in:"; cat "$tmp/out"; } > "$tmp/why"
			log_test 1 "help"
			return
		fi
	done
	log_test 0 "help"
}

test_show()
{
	check_shown "show hairpin on" \
		"hairpin on loopback_bypass off " \
		'{"hairpin": true, "loopback_bypass": false}'
	NLCAPTURE_HAIRPIN=0 NLCAPTURE_LOOPBACK_BYPASS=1 \
		check_shown "show loopback_bypass on" \
		"hairpin off loopback_bypass on " \
		'{"hairpin": false, "loopback_bypass": true}'
	NLCAPTURE_LOOPBACK_BYPASS=- check_shown "show only what the kernel sent" \
		"hairpin on " '{"hairpin": true}'
}

if ! command -v python3 > /dev/null; then
	echo "SKIP: python3 is needed to build the expected requests"
	exit $ksft_skip
fi
if [ ! -e "$shim" ]; then
	echo "SKIP: $shim not built (make -C $here)"
	exit $ksft_skip
fi
if [ ! -e "$IP_LIB_DIR/link_vpair.so" ]; then
	echo "SKIP: no link_vpair.so in $IP_LIB_DIR (make -C iplink-plugin)"
	exit $ksft_skip
fi

tmp=$(mktemp -d) || exit 1

test_add
test_peer_options
test_switches
test_refused
test_help
test_show

exit $ret
