# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables for the files that source this one
#
# Small library of the vpair selftests, sourced by every shell test.
#
# A test file defines one function per case and runs each through
# run_test. Resources are registered for cleanup (defer) the moment they
# are made, so a case that fails half-way leaves nothing behind, and the
# EXIT trap unwinds whatever is left even when the runner's timeout stops
# the file.
#
# The suite runs under TCG emulation in CI, where starting a process
# costs about a quarter of a second: helpers avoid forks where bash can do
# the job itself, and waits poll a condition instead of sleeping a fixed
# time.

# kselftest exit codes
ksft_pass=0
ksft_fail=1
ksft_xfail=2
ksft_skip=4

# The link type under test. KIND=veth runs the cases veth shares with
# vpair against veth, which shows the cases themselves are right.
KIND=${KIND:-vpair}

# Seconds to wait for a reply or a state change. Generous: TCG is about
# ten times slower than a native run.
PING_TIMEOUT=${PING_TIMEOUT:-5}
WAIT_TIMEOUT=${WAIT_TIMEOUT:-30}
# A ping that must fail waits this long for the reply it must not get.
PING_NEG_TIMEOUT=${PING_NEG_TIMEOUT:-2}

nr_ok=0
nr_fail=0
nr_skip=0

RET=0
retmsg=

# The ip link plugin: installed in Debian's ip lib dir, or taken from the
# build tree when the tests run from a checkout that has not been
# installed.
__selftests_dir=${BASH_SOURCE[0]%/*}
[ "$__selftests_dir" = "${BASH_SOURCE[0]}" ] && __selftests_dir=.
__selftests_dir=$(cd "$__selftests_dir" && pwd)
__ip_lib_dir=/usr/lib/$HOSTTYPE-linux-gnu/ip
if [ -z "$IP_LIB_DIR" ] && [ ! -e "$__ip_lib_dir/link_vpair.so" ] &&
   [ -e "$__selftests_dir/../iplink-plugin/link_vpair.so" ]; then
	export IP_LIB_DIR=$__selftests_dir/../iplink-plugin
fi

############################################################################
# Cleanup

__deferred=()

# defer CMD [ARGS...]: run CMD when the current case (or the file) ends,
# in reverse order of registration.
defer()
{
	__deferred+=("$(printf '%q ' "$@")")
}

__run_deferred_to()
{
	local mark=$1
	local i

	for ((i = ${#__deferred[@]} - 1; i >= mark; i--)); do
		eval "${__deferred[i]}" >/dev/null 2>&1
		unset '__deferred[i]'
	done
}

__exit_trap()
{
	__run_deferred_to 0
}

trap __exit_trap EXIT
# Make a stop by the runner's timeout run the EXIT trap too.
trap 'exit $ksft_fail' INT TERM HUP

############################################################################
# Results

# check_err RC MSG: the case fails when RC is not 0.
check_err()
{
	local rc=$1
	local msg=$2

	if [ "$RET" -eq 0 ] && [ "$rc" -ne 0 ]; then
		RET=$rc
		retmsg=$msg
	fi
}

# check_fail RC MSG: the case fails when RC is 0 (something that must not
# work worked).
check_fail()
{
	local rc=$1
	local msg=$2

	if [ "$RET" -eq 0 ] && [ "$rc" -eq 0 ]; then
		RET=1
		retmsg=$msg
	fi
}

# log_test NAME: report the checks made since the last log_test.
log_test()
{
	local name=$1

	if [ "$RET" -ne 0 ]; then
		nr_fail=$((nr_fail + 1))
		printf "TEST: %-64s [FAIL]\n" "$name"
		[ -n "$retmsg" ] && printf "\t%s\n" "$retmsg"
	else
		nr_ok=$((nr_ok + 1))
		printf "TEST: %-64s [ OK ]\n" "$name"
	fi
	RET=0
	retmsg=
}

log_test_skip()
{
	local name=$1
	local why=$2

	nr_skip=$((nr_skip + 1))
	printf "TEST: %-64s [SKIP]\n" "$name"
	[ -n "$why" ] && printf "\t%s\n" "$why"
	RET=0
	retmsg=
}

log_info()
{
	echo "INFO: $*"
}

# run_test FUNC [ARGS...]: run one case; what it deferred is cleaned up
# when it returns.
run_test()
{
	local mark=${#__deferred[@]}

	RET=0
	retmsg=
	"$@"
	__run_deferred_to "$mark"
}

# The file's exit code: fail if any case failed, skip if all skipped.
exit_status()
{
	if [ $nr_fail -gt 0 ]; then
		echo $ksft_fail
	elif [ $nr_ok -eq 0 ] && [ $nr_skip -gt 0 ]; then
		echo $ksft_skip
	else
		echo $ksft_pass
	fi
}

skip_all()
{
	echo "SKIP: $*"
	exit $ksft_skip
}

############################################################################
# Requirements

require_root()
{
	[ "$EUID" -eq 0 ] || skip_all "must run as root"
}

require_cmd()
{
	local cmd

	for cmd; do
		command -v "$cmd" >/dev/null || skip_all "$cmd not found"
	done
}

# The module of the link type under test is loaded, or loadable.
require_kind()
{
	[ -d "/sys/module/$KIND" ] || modprobe -q "$KIND" ||
		skip_all "link type $KIND not available"
	if [ "$KIND" = vpair ] &&
	   [ ! -e "${IP_LIB_DIR:-$__ip_lib_dir}/link_vpair.so" ]; then
		skip_all "ip has no vpair plugin (link_vpair.so)"
	fi
}

# is_vpair NAME: for a case that only vpair passes; logs a skip under
# another KIND.
is_vpair()
{
	[ "$KIND" = vpair ] && return 0
	log_test_skip "$1" "vpair only (KIND=$KIND)"
	return 1
}

############################################################################
# Forks: under emulation each costs a good part of a second. $(cmd) of a
# simple command forks once; of a shell function, once more for every
# command the function runs; a pipe forks per stage. Hence output is
# parsed with bash itself, and helpers hand results back in variables.

############################################################################
# Waiting without fork: read times out on a pipe nobody writes to.

exec {__sleep_fd}<> <(:)

bsleep()
{
	read -r -t "$1" -u "$__sleep_fd" || :
}

# wait_until TIMEOUT CMD [ARGS...]: poll CMD until it succeeds; fails
# after TIMEOUT seconds.
wait_until()
{
	local deadline=$((SECONDS + $1))

	shift
	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		bsleep 0.2
	done
}

############################################################################
# Namespaces

# setup_ns VAR...: make a fresh network namespace for each VAR, with lo
# up, store its unique name in VAR and register its deletion.
setup_ns()
{
	# odd local names: the caller's VAR may be "ns" or "name"
	local __setup_ns_var __setup_ns_name

	for __setup_ns_var; do
		__setup_ns_name="vpt-$__setup_ns_var-$$-$RANDOM"
		until ip netns add "$__setup_ns_name" 2>/dev/null; do
			__setup_ns_name="vpt-$__setup_ns_var-$$-$RANDOM"
		done
		defer ip netns del "$__setup_ns_name"
		ip -n "$__setup_ns_name" link set lo up || return 1
		printf -v "$__setup_ns_var" %s "$__setup_ns_name"
	done
}

# nsexec NS CMD [ARGS...]
nsexec()
{
	local ns=$1

	shift
	ip netns exec "$ns" "$@"
}

# nsout NS CMD [ARGS...]: CMD's output in OUT, its exit status returned.
nsout()
{
	local ns=$1

	shift
	OUT=$(ip netns exec "$ns" "$@")
}

# ipb NS < COMMANDS: several ip commands in one process (ip -batch).
ipb()
{
	ip -n "$1" -batch -
}

############################################################################
# Links

# link_add NS NAME PEER [OPTIONS OF THE PEER...]: a pair of $KIND in NS;
# the peer's options may move it elsewhere (netns NS2).
link_add()
{
	local ns=$1
	local name=$2
	local peer=$3

	shift 3
	ip -n "$ns" link add "$name" type "$KIND" peer name "$peer" "$@"
}

# ends_up: vp0 192.0.2.1/24 in $ns0 and vp1 192.0.2.2/24 in $ns1, both
# up: the two-namespace set-up most cases start from.
ends_up()
{
	ipb "$ns0" <<-EOF || return
		addr add 192.0.2.1/24 dev vp0
		link set vp0 up
	EOF
	ipb "$ns1" <<-EOF
		addr add 192.0.2.2/24 dev vp1
		link set vp1 up
	EOF
}

# setup_pair [OPTIONS OF THE PEER...]: new namespaces ns0 and ns1, a pair
# with vp0 in ns0 and vp1 in ns1, addressed and up (ends_up).
setup_pair()
{
	setup_ns ns0 ns1 || return
	link_add "$ns0" vp0 vp1 netns "$ns1" "$@" || return
	ends_up
}

# all_links: every $KIND device of every named namespace and of the
# test's own, one "NETNS DEVICE" a line, in ALL_LINKS.
all_links()
{
	local out line ns=init

	out=$(ip -o link show type "$KIND"; ip -all netns exec ip -o link show type "$KIND")
	ALL_LINKS=
	while read -r line; do
		if [[ $line =~ ^netns:\ (.*) ]]; then
			ns=${BASH_REMATCH[1]}
		elif [[ $line =~ ^[0-9]+:\ ([^:@]+) ]]; then
			ALL_LINKS+="$ns ${BASH_REMATCH[1]}"$'\n'
		fi
	done <<<"$out"
}

# link_json NS DEV: the device's details (ip -d -j) in LINK_JSON.
link_json()
{
	LINK_JSON=$(ip -n "$1" -d -j link show dev "$2" 2>/dev/null)
	[ -n "$LINK_JSON" ]
}

# json_get KEY: the first value of KEY in LINK_JSON (a number, a string
# or true/false) in JSON_VAL.
json_get()
{
	JSON_VAL=
	[[ $LINK_JSON =~ \"$1\":(\"([^\"]*)\"|([^,}\"]*)) ]] || return 1
	JSON_VAL=${BASH_REMATCH[2]}${BASH_REMATCH[3]}
}

# json_is KEY VALUE: the first value of KEY in LINK_JSON is VALUE.
json_is()
{
	json_get "$1" && [ "$JSON_VAL" = "$2" ]
}

# link_line NS DEV: the device as "ip -o link show" tells it, in LINK_LINE
# (e.g. "5: vp0@if4: <...> ... link-netns ns1").
link_line()
{
	LINK_LINE=$(ip -n "$1" -o link show dev "$2")
}

link_exists()
{
	ip -n "$1" link show dev "$2" >/dev/null 2>&1
}

link_gone()
{
	! link_exists "$@"
}

# link_operstate NS DEV EXPECTED: for wait_until; operstate and carrier
# follow admin changes through linkwatch, i.e. a little later.
link_operstate()
{
	OPERSTATE=
	link_json "$1" "$2" && json_get operstate && OPERSTATE=$JSON_VAL &&
		[ "$OPERSTATE" = "$3" ]
}

# link_has_carrier NS DEV: the device is up and has carrier, operstate
# UP.
link_has_carrier()
{
	link_operstate "$1" "$2" UP && [[ $LINK_JSON == *'"LOWER_UP"'* ]]
}

# link_no_carrier NS DEV: the device is up without carrier. Its operstate
# is LOWERLAYERDOWN, or DOWN when by chance its ifindex equals the peer's
# (the kernel then takes it for a device without a lower one).
link_no_carrier()
{
	link_json "$1" "$2" && json_get operstate && OPERSTATE=$JSON_VAL &&
		[[ $LINK_JSON == *'"NO-CARRIER"'* && $LINK_JSON == *'"UP"'* ]] &&
		[[ $OPERSTATE == LOWERLAYERDOWN || $OPERSTATE == DOWN ]]
}

# link_ifindex NS DEV: the device's ifindex in IFINDEX.
link_ifindex()
{
	IFINDEX=
	link_json "$1" "$2" && json_get ifindex && IFINDEX=$JSON_VAL
}

############################################################################
# Counters

# features_get NS DEV: ethtool -k of DEV in FEATURES.
features_get()
{
	nsout "$1" ethtool -k "$2" && FEATURES=$'\n'$OUT
}

# feature_is NAME VALUE: FEATURES says "NAME: VALUE", maybe followed by
# more ("on [fixed]" is on).
feature_is()
{
	[[ $FEATURES$'\n' == *$'\n'"$1: $2"[[:space:]]* ]]
}

# link_stats NS DEV: the device's counters (ip -s) in STATS[rx_packets],
# STATS[tx_dropped] ...
declare -A STATS
link_stats()
{
	local json dir

	json=$(ip -n "$1" -j -s link show dev "$2") || return 1
	STATS=()
	for dir in rx tx; do
		[[ $json =~ \"$dir\":\{\"bytes\":([0-9]+),\"packets\":([0-9]+),\"errors\":([0-9]+),\"dropped\":([0-9]+) ]] ||
			return 1
		STATS[${dir}_bytes]=${BASH_REMATCH[1]}
		STATS[${dir}_packets]=${BASH_REMATCH[2]}
		STATS[${dir}_errors]=${BASH_REMATCH[3]}
		STATS[${dir}_dropped]=${BASH_REMATCH[4]}
	done
}

# ethtool_get NS DEV NAME: one counter of ethtool -S in ETHTOOL_VAL.
ethtool_get()
{
	ETHTOOL_VAL=
	nsout "$1" ethtool -S "$2" &&
		[[ $OUT =~ [[:space:]]$3:\ ([0-9]+) ]] &&
		ETHTOOL_VAL=${BASH_REMATCH[1]}
}

# ethtool_stat NS DEV NAME: the same, printed.
ethtool_stat()
{
	ethtool_get "$@" && echo "$ETHTOOL_VAL"
}

# ethtool_stat_ge NS DEV NAME MIN: that counter exists and is >= MIN.
ethtool_stat_ge()
{
	ethtool_get "$1" "$2" "$3" && [ "$ETHTOOL_VAL" -ge "$4" ]
}

############################################################################
# NAPI

# napi_slow NS DEV CPU: DEV's NAPI into threads, pinned to CPU at
# SCHED_IDLE, so that they get that CPU only in the moments the tasks
# there leave it; their pids in NAPI_PIDS. Fails when the device has no
# NAPI thread to show.
napi_slow()
{
	local ns=$1 dev=$2 cpu=$3 comm pid f

	NAPI_PIDS=
	nsexec "$ns" bash -c "echo 1 > /sys/class/net/$dev/threaded" || return 1
	for f in /proc/[0-9]*/comm; do
		read -r comm <"$f" 2>/dev/null || continue
		[[ $comm == napi/$dev-* ]] || continue
		pid=${f#/proc/}
		pid=${pid%/comm}
		taskset -p $((1 << cpu)) "$pid" >/dev/null &&
			chrt -i -p 0 "$pid" || return 1
		NAPI_PIDS+=" $pid"
	done
	[ -n "$NAPI_PIDS" ]
}

# napi_release: the threads napi_slow slowed down back to SCHED_OTHER on
# any CPU, so that they drain the ring at full speed.
napi_release()
{
	local pid

	for pid in $NAPI_PIDS; do
		taskset -p "$(printf '%x' $(((1 << $(nproc)) - 1)))" "$pid" >/dev/null &&
			chrt -o -p 0 "$pid" || return 1
	done
}

############################################################################
# Traffic

# ping_ok NS DST [PING OPTIONS...]: one echo request gets its reply.
ping_ok()
{
	local ns=$1
	local dst=$2

	shift 2
	nsexec "$ns" ping -q -n -c 1 -W "$PING_TIMEOUT" "$@" "$dst" >/dev/null 2>&1
}

# ping_fails NS DST [PING OPTIONS...]: no reply within PING_NEG_TIMEOUT.
ping_fails()
{
	local ns=$1
	local dst=$2

	shift 2
	! nsexec "$ns" ping -q -n -c 1 -W "$PING_NEG_TIMEOUT" "$@" "$dst" \
		>/dev/null 2>&1
}

# file_has FILE TEXT: FILE contains TEXT.
file_has()
{
	local content

	[ -r "$1" ] && content=$(<"$1") && [[ $content == *"$2"* ]]
}

# capture_start NS DEV FILE [FILTER...]: tcpdump -e text output into
# FILE while the case runs; returns once tcpdump listens. Stop it with
# capture_stop before reading FILE, once FILE shows the last packet
# expected: under emulation tcpdump lags behind the traffic.
capture_start()
{
	local ns=$1
	local dev=$2
	local file=$3

	shift 3
	# not through nsexec: $! must be tcpdump itself, not a subshell
	# --immediate-mode: each packet reaches the file as it is captured;
	# otherwise a capture stopped once a count is reached can lose the
	# packets still waiting in the kernel's ring.
	ip netns exec "$ns" tcpdump --immediate-mode -l -nn -e -s 128 \
		-i "$dev" "$@" \
		>"$file" 2>"$file.err" &
	CAPTURE_PID=$!
	defer kill "$CAPTURE_PID"
	wait_until "$WAIT_TIMEOUT" file_has "$file.err" "listening on"
}

capture_stop()
{
	kill "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
}

# A scratch directory for the file, removed at exit.
TMPDIR_TEST=$(mktemp -d /tmp/vpair-selftest.XXXXXX)
defer rm -rf "$TMPDIR_TEST"
