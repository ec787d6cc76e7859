#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Teardown under traffic: while TCP and a UDP flood run across a pair
# between two namespaces and over a loopback_bypass pair within one, the
# pairs are deleted, a namespace holding ends is deleted, the options are
# toggled hundreds of times, an end moves away and back, the cable is
# pulled and plugged back; at the end the module is unloaded right after
# the senders stop. Every command succeeds (or is refused) without
# hanging, the senders see errors but stay killable, the pairs carry
# traffic again after what they survive, nothing is left, and the kernel
# logs no warning and no "unregister_netdevice: waiting".
#
#   ns0                  ns1                  nsb (loopback_bypass on)
#   +---------------+    +---------------+    +--------------------------+
#   | vp0 192.0.2.1 |====| vp1 192.0.2.2 |    | vb0 198.51.100.1/24      |
#   | TCP client    |    | TCP server    |    |  ||   TCP client, server |
#   | UDP flood     |    | UDP sink      |    | vb1 198.51.100.2/24      |
#   +---------------+    +---------------+    |       UDP flood, sink    |
#                                             +--------------------------+
#
# One traffic process per namespace (python3, started once: a process
# start costs a good part of a second under TCG) reports what each of its
# flows sent, received and the errors it got into a status file twice a
# second.

# shellcheck disable=SC2154 # ns0, nsb... are set by setup_ns
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/lib_onehost.sh

ROUNDS_TOGGLE=${ROUNDS_TOGGLE:-100}
ROUNDS_CARRIER=${ROUNDS_CARRIER:-100}
ROUNDS_MOVE=${ROUNDS_MOVE:-10}

A0=192.0.2.1
A1=192.0.2.2
B0=198.51.100.1
B1=198.51.100.2

# The traffic process: FLOW... are "tcp-server,NAME,ADDR,PORT",
# "tcp-client,NAME,SRC,DST,PORT", "udp-sink,NAME,ADDR,PORT" and
# "udp-flood,NAME,SRC,DST,PORT". Senders go at a set pace (a TCP
# client at most 32 KiB and a flood 20 datagrams of 1000 bytes every
# 10 ms) so the machine keeps time for the commands under test. A client
# whose connection fails connects again; every error is counted.
# STATUS gets one line per flow: "NAME sent=N received=N errors=N
# last=ERRNO".
TRAFFIC_PY='
import errno, os, select, socket, sys, time

TICK = 0.01
status = sys.argv[1]
flows = []
readers = {}
writers = {}


class Flow:
    def __init__(self, spec):
        f = spec.split(",")
        self.kind, self.name = f[0], f[1]
        self.sent = self.received = self.errors = 0
        self.last = "-"
        self.sock = None
        self.retry = 0
        self.conns = []
        if self.kind in ("tcp-server", "udp-sink"):
            self.addr = (f[2], int(f[3]))
            stype = socket.SOCK_STREAM if self.kind == "tcp-server" \
                else socket.SOCK_DGRAM
            self.sock = socket.socket(socket.AF_INET, stype)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(self.addr)
            if stype == socket.SOCK_STREAM:
                self.sock.listen(8)
            self.sock.setblocking(False)
            readers[self.sock] = self
        else:
            self.src, self.dst = f[2], (f[3], int(f[4]))
            if self.kind == "udp-flood":
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self.sock.bind((self.src, 0))
                self.sock.setblocking(False)
        self.connected = False

    def error(self, e):
        self.errors += 1
        self.last = errno.errorcode.get(e.errno, str(e.errno)) \
            if isinstance(e, OSError) and e.errno else str(e)

    def drop_client(self, e):
        self.error(e)
        readers.pop(self.sock, None)
        writers.pop(self.sock, None)
        self.sock.close()
        self.sock = None
        self.connected = False
        self.retry = time.monotonic() + 0.5

    def connect(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock = s
        try:
            s.bind((self.src, 0))
            s.setblocking(False)
            rc = s.connect_ex(self.dst)
            if rc not in (0, errno.EINPROGRESS):
                raise OSError(rc, os.strerror(rc))
        except OSError as e:
            self.drop_client(e)
            return
        writers[s] = self

    def readable(self, s):
        try:
            if s is self.sock and self.kind == "tcp-server":
                c, _ = s.accept()
                c.setblocking(False)
                self.conns.append(c)
                readers[c] = self
                return
            while True:
                data = s.recv(65536)
                if not data:
                    break
                self.received += len(data)
        except BlockingIOError:
            return
        except OSError as e:
            if self.kind == "tcp-client":
                self.drop_client(e)
                return
            self.error(e)
        if self.kind == "tcp-client":
            self.drop_client(OSError(0, "closed by the server"))
        elif self.kind == "tcp-server":
            readers.pop(s, None)
            s.close()

    def writable(self, s):
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        writers.pop(s, None)
        if err:
            self.drop_client(OSError(err, os.strerror(err)))
            return
        self.connected = True
        readers[s] = self

    def tick(self, now):
        if self.kind == "udp-flood":
            for _ in range(20):
                try:
                    self.sent += self.sock.sendto(PAYLOAD, self.dst)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError as e:
                    if e.errno == errno.ENOBUFS:
                        break
                    self.error(e)
                    break
        elif self.kind == "tcp-client":
            if self.sock is None and now >= self.retry:
                self.connect()
            elif self.connected:
                try:
                    self.sent += self.sock.send(CHUNK)
                except BlockingIOError:
                    pass
                except OSError as e:
                    self.drop_client(e)


PAYLOAD = b"u" * 1000
CHUNK = b"t" * 32768

for spec in sys.argv[2:]:
    flows.append(Flow(spec))


def report():
    with open(status + ".tmp", "w") as f:
        for fl in flows:
            f.write("%s sent=%d received=%d errors=%d last=%s\n" %
                    (fl.name, fl.sent, fl.received, fl.errors, fl.last))
    os.replace(status + ".tmp", status)


next_tick = next_report = time.monotonic()
while True:
    now = time.monotonic()
    r, w, _ = select.select(list(readers), list(writers), [],
                            max(0, min(next_tick, next_report) - now))
    for s in r:
        if s in readers:
            readers[s].readable(s)
    for s in w:
        if s in writers:
            writers[s].writable(s)
    now = time.monotonic()
    if now >= next_tick:
        for fl in flows:
            fl.tick(now)
        next_tick = now + TICK
    if now >= next_report:
        report()
        next_report = now + 0.5
'

############################################################################
# Set-up and traffic

# teardown_setup: ns0, ns1, nsb and ns2 (where ends move to); the pair
# across (vp0 in ns0, vp1 in ns1), the pair within nsb (vb0, vb1,
# loopback_bypass on) and a witness pair (vw0 in nsb, vw1 in ns0) whose
# end in ns0 shows when nsb has been dismantled. All up, carrier on.
teardown_setup()
{
	local bypass=

	[ "$KIND" = vpair ] && bypass="loopback_bypass on"
	setup_ns ns0 ns1 nsb ns2 || return
	link_add "$ns0" vp0 vp1 netns "$ns1" || return
	# shellcheck disable=SC2086 # no option, or two words
	ip -n "$nsb" link add vb0 type "$KIND" $bypass peer name vb1 || return
	link_add "$nsb" vw0 vw1 netns "$ns0" || return
	ipb "$ns0" <<-EOF || return
		addr add $A0/24 dev vp0
		link set vp0 up
		link set vw1 up
	EOF
	ipb "$ns1" <<-EOF || return
		addr add $A1/24 dev vp1
		link set vp1 up
	EOF
	ipb "$nsb" <<-EOF || return
		addr add $B0/24 dev vb0
		addr add $B1/24 dev vb1
		link set vb0 up
		link set vb1 up
		link set vw0 up
	EOF
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" vp0 &&
		wait_until "$WAIT_TIMEOUT" link_has_carrier "$nsb" vb0
}

# traffic_start: the three traffic processes; returns once every flow
# carries data (and, for vpair, the bypass pair's crosses it).
traffic_start()
{
	# nothing of the case before may pass for this one's traffic
	rm -f "$TMPDIR_TEST"/st[01b] "$TMPDIR_TEST"/err[01b]
	ip netns exec "$ns1" python3 -c "$TRAFFIC_PY" "$TMPDIR_TEST/st1" \
		"tcp-server,tcp,$A1,5201" "udp-sink,udp,$A1,5202" \
		>"$TMPDIR_TEST/err1" 2>&1 &
	P1=$!
	defer kill -9 "$P1"
	ip netns exec "$nsb" python3 -c "$TRAFFIC_PY" "$TMPDIR_TEST/stb" \
		"tcp-server,tcp,$B1,5201" "udp-sink,udp,$B1,5202" \
		"tcp-client,tcpc,$B0,$B1,5201" "udp-flood,udpc,$B0,$B1,5202" \
		>"$TMPDIR_TEST/errb" 2>&1 &
	PB=$!
	defer kill -9 "$PB"
	ip netns exec "$ns0" python3 -c "$TRAFFIC_PY" "$TMPDIR_TEST/st0" \
		"tcp-client,tcpc,$A0,$A1,5201" "udp-flood,udpc,$A0,$A1,5202" \
		>"$TMPDIR_TEST/err0" 2>&1 &
	P0=$!
	defer kill -9 "$P0"
	wait_until "$WAIT_TIMEOUT" traffic_flows || return
	[ "$KIND" = vpair ] || return 0
	wait_until "$WAIT_TIMEOUT" ethtool_stat_ge "$nsb" vb0 tx_bypass 200
}

# flow_get FILE NAME: that flow's line of a status file, in FLOW_SENT,
# FLOW_RECEIVED, FLOW_ERRORS and FLOW_LAST.
flow_get()
{
	local line

	FLOW_SENT='' FLOW_RECEIVED='' FLOW_ERRORS='' FLOW_LAST=''
	[ -r "$1" ] || return 1
	while read -r line; do
		if [[ $line =~ ^$2\ sent=([0-9]+)\ received=([0-9]+)\ errors=([0-9]+)\ last=(.*) ]]; then
			FLOW_SENT=${BASH_REMATCH[1]}
			FLOW_RECEIVED=${BASH_REMATCH[2]}
			FLOW_ERRORS=${BASH_REMATCH[3]}
			FLOW_LAST=${BASH_REMATCH[4]}
			return 0
		fi
	done <"$1"
	return 1
}

# received FILE NAME: what that flow has received, in RECEIVED.
received()
{
	flow_get "$1" "$2" && RECEIVED=$FLOW_RECEIVED
}

# traffic_flows: each receiving flow has received something.
traffic_flows()
{
	received "$TMPDIR_TEST/st1" tcp && ((RECEIVED > 0)) &&
		received "$TMPDIR_TEST/st1" udp && ((RECEIVED > 0)) &&
		received "$TMPDIR_TEST/stb" tcp && ((RECEIVED > 0)) &&
		received "$TMPDIR_TEST/stb" udp && ((RECEIVED > 0))
}

# rx_snapshot: what the receivers got so far, in RX0[...].
declare -A RX0
rx_snapshot()
{
	local f

	RX0=()
	for f in st1:tcp st1:udp stb:tcp stb:udp; do
		received "$TMPDIR_TEST/${f%:*}" "${f#*:}" || return 1
		RX0[$f]=$RECEIVED
	done
}

# rx_moved FLOW...: each of these flows ("st1:udp") received more since
# rx_snapshot.
rx_moved()
{
	local f

	for f; do
		received "$TMPDIR_TEST/${f%:*}" "${f#*:}" && ((RECEIVED > ${RX0[$f]})) ||
			return 1
	done
}

# errors_snapshot: the floods' error counts so far, in ERR0[...];
# sender_erred FILE NAME: that flow (st0:udpc) counted more errors since.
declare -A ERR0
errors_snapshot()
{
	local f

	ERR0=()
	for f in st0:udpc stb:udpc; do
		flow_get "$TMPDIR_TEST/${f%:*}" "${f#*:}" || return 1
		ERR0[$f]=$FLOW_ERRORS
	done
}

sender_erred()
{
	flow_get "$TMPDIR_TEST/${1%:*}" "${1#*:}" && ((FLOW_ERRORS > ${ERR0[$1]}))
}

# flows_info: the senders' view, for the log.
flows_info()
{
	local f n

	for f in st0:tcpc st0:udpc st1:tcp st1:udp stb:tcpc stb:udpc stb:tcp stb:udp; do
		n=${f#*:}
		flow_get "$TMPDIR_TEST/${f%:*}" "$n" || continue
		log_info "${f%:*} $n: sent $FLOW_SENT received $FLOW_RECEIVED errors $FLOW_ERRORS (last $FLOW_LAST)"
	done
}

# gone PID: the process has ended (and was reaped).
gone()
{
	! kill -0 "$1" 2>/dev/null
}

# traffic_stop PID...: SIGTERM, then each process must be gone within
# 10 s: a sender stuck in the kernel is a hang.
traffic_stop()
{
	local pid rc=0

	for pid; do
		kill "$pid" 2>/dev/null
	done
	for pid; do
		if ! wait_until 10 gone "$pid"; then
			log_info "traffic process $pid still there 10 s after SIGTERM"
			rc=1
		fi
		wait "$pid" 2>/dev/null
	done
	return $rc
}

# ip_to SECONDS ARGS...: ip that must not hang.
ip_to()
{
	local t=$1

	shift
	timeout "$t" ip "$@"
}

# klog_waiting: the kernel said "unregister_netdevice: waiting" since
# MARK.
klog_waiting()
{
	dmesg | sed -n -e "/$1/,\$p" | grep -q "unregister_netdevice: waiting"
}

# case_end: what every case checks last: the senders stop when told,
# and the kernel logged nothing bad since the case began. What a traffic
# process said on stderr is shown.
case_end()
{
	local f

	flows_info
	for f in err0 err1 errb; do
		[ -s "$TMPDIR_TEST/$f" ] && log_info "$f: $(<"$TMPDIR_TEST/$f")"
	done
	traffic_stop "$P0" "$P1" "$PB"
	check_err $? "a traffic process did not end within 10 s of SIGTERM"
	klog_clean
	check_err $? "the kernel logged: $KLOG_BAD_LINES"
}

############################################################################
# Cases

teardown_delete_pair()
{
	local name="teardown: delete both pairs under TCP and UDP flood"

	teardown_setup
	check_err $? "setup failed"
	traffic_start
	check_err $? "traffic did not start"
	klog_mark
	errors_snapshot

	ip_to 60 -n "$ns0" link del vp0
	check_err $? "ip link del vp0 failed or hung"
	ip_to 60 -n "$nsb" link del vb1
	check_err $? "ip link del vb1 failed or hung"
	link_gone "$ns1" vp1 && link_gone "$nsb" vb0
	check_err $? "an end survived the deletion of its peer"
	# the floods' source addresses went with the ends
	wait_until 10 sender_erred st0:udpc &&
		wait_until 10 sender_erred stb:udpc
	check_err $? "a flood saw no error after its pair went away"

	case_end
	log_test "$name"
}

# The namespace's own processes are killed (they hold it) and at once
# "ip netns del": it is dismantled while the other side's flood still
# comes in (ns1), and while the killed processes' sockets are torn down
# (nsb).
teardown_delete_netns()
{
	local name="teardown: delete a netns holding an end under traffic"

	teardown_setup
	check_err $? "setup failed"
	traffic_start
	check_err $? "traffic did not start"
	klog_mark
	errors_snapshot

	kill -9 "$P1"
	wait "$P1" 2>/dev/null
	ip_to 60 netns del "$ns1"
	check_err $? "ip netns del ns1 failed or hung"
	wait_until "$WAIT_TIMEOUT" link_gone "$ns0" vp0
	check_err $? "vp0 still in ns0 $WAIT_TIMEOUT s after its peer's netns went"
	wait_until 10 sender_erred st0:udpc
	check_err $? "the flood into the deleted netns saw no error (errors $FLOW_ERRORS, ${ERR0[st0:udpc]} before, sent $FLOW_SENT)"

	kill -9 "$PB"
	wait "$PB" 2>/dev/null
	ip_to 60 netns del "$nsb"
	check_err $? "ip netns del nsb failed or hung"
	wait_until "$WAIT_TIMEOUT" link_gone "$ns0" vw1
	check_err $? "nsb not dismantled within $WAIT_TIMEOUT s (vw1 still in ns0)"

	case_end
	log_test "$name"
}

# toggle_cmds DEV N: N times each option off/on and on/off, from DEV, in
# CMDS, ending as it started (hairpin off, loopback_bypass on for the
# bypass pair).
toggle_cmds()
{
	local dev=$1 i

	CMDS=
	for ((i = 0; i < $2; i++)); do
		CMDS+="link set $dev type vpair loopback_bypass off"$'\n'
		CMDS+="link set $dev type vpair hairpin on"$'\n'
		CMDS+="link set $dev type vpair loopback_bypass on hairpin off"$'\n'
		CMDS+="link set $dev type vpair hairpin on loopback_bypass off"$'\n'
		CMDS+="link set $dev type vpair hairpin off loopback_bypass on"$'\n'
	done
}

teardown_toggle()
{
	local name="teardown: toggle hairpin and loopback_bypass ${ROUNDS_TOGGLE}x5 times under traffic"

	teardown_setup
	check_err $? "setup failed"
	traffic_start
	check_err $? "traffic did not start"
	klog_mark
	errors_snapshot

	toggle_cmds vb1 "$ROUNDS_TOGGLE"
	ip_to 300 -n "$nsb" -batch - <<<"$CMDS"
	check_err $? "toggling the options of the bypass pair failed or hung"
	toggle_cmds vp0 "$ROUNDS_TOGGLE"
	ip_to 300 -n "$ns0" -batch - <<<"$CMDS"
	check_err $? "toggling the options of the pair across failed or hung"
	link_json "$nsb" vb0 && json_is loopback_bypass true && json_is hairpin false
	check_err $? "the bypass pair's options are not what was set last"

	# both pairs carry the traffic again, the bypass pair's over the pair
	rx_snapshot
	wait_until "$WAIT_TIMEOUT" rx_moved st1:udp stb:udp
	check_err $? "the UDP traffic did not go on after the toggling"
	ethtool_get "$nsb" vb0 tx_bypass
	wait_until "$WAIT_TIMEOUT" ethtool_stat_ge "$nsb" vb0 tx_bypass $((ETHTOOL_VAL + 100))
	check_err $? "the bypass pair does not carry its traffic after the toggling"

	case_end
	log_test "$name"
}

# An end goes to ns2 and comes back, ROUNDS_MOVE times: vp1 (the pair
# across) and vb1 (the bypass pair, which stops and starts bypassing).
teardown_move()
{
	local name="teardown: move an end to another netns and back ${ROUNDS_MOVE} times under traffic"
	local i rc=0

	teardown_setup
	check_err $? "setup failed"
	traffic_start
	check_err $? "traffic did not start"
	klog_mark
	errors_snapshot

	for ((i = 0; i < ROUNDS_MOVE && rc == 0; i++)); do
		ip_to 60 -n "$ns1" link set vp1 netns "$ns2" &&
			ip_to 60 -n "$nsb" link set vb1 netns "$ns2" &&
			ip_to 60 -n "$ns2" -batch - <<-EOF &&
				link set vp1 netns $ns1
				link set vb1 netns $nsb
			EOF
			ip_to 60 -n "$ns1" -batch - <<-EOF &&
				addr add $A1/24 dev vp1
				link set vp1 up
			EOF
			ip_to 60 -n "$nsb" -batch - <<-EOF
				addr add $B1/24 dev vb1
				link set vb1 up
			EOF
		rc=$?
	done
	check_err $rc "round $i of the moves failed or hung"

	rx_snapshot
	wait_until "$WAIT_TIMEOUT" rx_moved st1:udp stb:udp
	check_err $? "the UDP traffic did not go on once the ends were back (received $RECEIVED; before ${RX0[st1:udp]} across, ${RX0[stb:udp]} bypass)"
	if [ "$KIND" = vpair ]; then
		ethtool_get "$nsb" vb0 tx_bypass
		wait_until "$WAIT_TIMEOUT" ethtool_stat_ge "$nsb" vb0 tx_bypass $((ETHTOOL_VAL + 100))
		check_err $? "the bypass pair does not carry its traffic once vb1 is back"
	fi

	case_end
	log_test "$name"
}

teardown_carrier()
{
	local name="teardown: pull the cable and plug it back ${ROUNDS_CARRIER} times under traffic"
	local i cmds0='' cmdsb=''

	teardown_setup
	check_err $? "setup failed"
	traffic_start
	check_err $? "traffic did not start"
	klog_mark
	errors_snapshot

	for ((i = 0; i < ROUNDS_CARRIER; i++)); do
		cmds0+="link set vp0 carrier off"$'\n'"link set vp0 carrier on"$'\n'
		cmdsb+="link set vb1 carrier off"$'\n'"link set vb1 carrier on"$'\n'
	done
	ip_to 300 -n "$ns0" -batch - <<<"$cmds0"
	check_err $? "pulling vp0's cable failed or hung"
	ip_to 300 -n "$nsb" -batch - <<<"$cmdsb"
	check_err $? "pulling vb1's cable failed or hung"
	wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns0" vp0 &&
		wait_until "$WAIT_TIMEOUT" link_has_carrier "$ns1" vp1 &&
		wait_until "$WAIT_TIMEOUT" link_has_carrier "$nsb" vb0 &&
		wait_until "$WAIT_TIMEOUT" link_has_carrier "$nsb" vb1
	check_err $? "no carrier after the cable was plugged back"

	rx_snapshot
	wait_until "$WAIT_TIMEOUT" rx_moved st1:udp stb:udp
	check_err $? "the UDP traffic did not go on with the cable back"
	ethtool_get "$nsb" vb0 tx_bypass
	wait_until "$WAIT_TIMEOUT" ethtool_stat_ge "$nsb" vb0 tx_bypass $((ETHTOOL_VAL + 100))
	check_err $? "the bypass pair does not carry its traffic with the cable back"

	case_end
	log_test "$name"
}

# only_ours: what exists is what existed before the file plus this
# case's six ends: the cases before left nothing behind.
only_ours()
{
	local ours

	all_links
	ours="$ns0 vp0"$'\n'"$ns0 vw1"$'\n'"$ns1 vp1"$'\n'"$nsb vb0"$'\n'"$nsb vb1"$'\n'"$nsb vw0"$'\n'
	[ "$(sort <<<"$ALL_LINKS")" = "$(sort <<<"$LINKS_BEFORE$ours")" ]
}

# Last: the senders stop, and at once the module goes, pairs and all.
teardown_rmmod()
{
	local name="teardown: modprobe -r right after the senders stop, nothing left"

	teardown_setup
	check_err $? "setup failed"
	traffic_start
	check_err $? "traffic did not start"

	klog_mark
	flows_info
	traffic_stop "$P0" "$P1" "$PB"
	check_err $? "a traffic process did not end within 10 s of SIGTERM"
	wait_until "$WAIT_TIMEOUT" only_ours
	check_err $? "$KIND devices left by the cases before: $ALL_LINKS"
	timeout 120 modprobe -r "$KIND"
	check_err $? "modprobe -r $KIND failed or hung"
	[ ! -d "/sys/module/$KIND" ]
	check_err $? "/sys/module/$KIND still there"
	link_gone "$ns0" vp0 && link_gone "$ns1" vp1 && link_gone "$nsb" vb0
	check_err $? "a pair survived modprobe -r"
	! klog_waiting "$FILE_MARK"
	check_err $? "unregister_netdevice waited for a device during the file"
	modprobe "$KIND"
	check_err $? "modprobe $KIND failed after the unload"
	klog_clean
	check_err $? "the kernel logged: $KLOG_BAD_LINES"

	log_test "$name"
}

require_root
require_cmd ip python3 ethtool timeout modprobe
require_kind
modprobe -n -q -r "$KIND" 2>/dev/null ||
	skip_all "$KIND cannot be unloaded with modprobe -r"
# whatever happens, the module is loaded for the tests after this
defer modprobe -q "$KIND"

klog_mark
FILE_MARK=$KLOG_MARK
all_links
LINKS_BEFORE=$ALL_LINKS

run_test teardown_delete_pair
run_test teardown_delete_netns
if is_vpair "teardown: toggle hairpin and loopback_bypass under traffic"; then
	run_test teardown_toggle
fi
run_test teardown_move
if is_vpair "teardown: pull the cable under traffic"; then
	run_test teardown_carrier
fi
run_test teardown_rmmod

exit "$(exit_status)"
