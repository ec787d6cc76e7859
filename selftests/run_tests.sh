#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the vpair selftests, as root, where the module is installed (a lab
# host, or the VM of "make check").
#
#   run_tests.sh [TEST...]        default: every test of this directory
#
# Output is TAP version 13, one line per test file as kselftest does,
# with each file's own output (its "TEST: ..." lines) as "#" comments.
# A file that passed fails after all when the kernel logged a warning,
# BUG, oops, refcount error or stuck unregister_netdevice while it ran, or
# on a debug kernel a KASAN, UBSAN, lockdep, RCU or reference-tracker
# report, or a kmemleak scan after it found leaks: the lines are shown in
# its output. One more TAP test checks the whole
# run's log the same way (what a file left behind shows up there). The
# last line counts the results: "N passed, N failed, N skipped".
#
# Environment: KIND=veth runs the cases veth shares with vpair against
# veth; TEST_TIMEOUT is each file's limit in seconds; SKIP_TESTS names
# files this run leaves out (CI spreads its slowest files over its two
# kernels): each is reported as a SKIP that says so, never as a pass.
# TIME_BUDGET (seconds; guest-check.sh sets it from the VM budget matrix.sh
# derives from CI's deadline, less the boot): no file
# starts once the run has used that much, each left out is a SKIP that
# says so, and a file that starts gets no more than what is left of the
# budget plus TIME_GRACE (default 300 s) as its limit, so the run ends
# with its report while the VM's own timeout is still ahead. A file that
# the budget's limit (not its own TEST_TIMEOUT) stops is a SKIP when none
# of its cases had failed by then ("cut short"), a failure otherwise.
# TEST_ORDER=reverse runs the files last to first: CI's second kernel
# does, so that on a machine too slow for either to finish, what one
# kernel had no time for the other ran first.

cd "$(dirname "$0")" || exit 1

TEST_TIMEOUT=${TEST_TIMEOUT:-600}
TIME_BUDGET=${TIME_BUDGET:-}
TIME_GRACE=${TIME_GRACE:-300}
KSFT_SKIP=4

# What counts as the kernel complaining about the run: what any kernel
# says, and what a debug kernel adds (KASAN, UBSAN, lockdep, RCU lockdep,
# kmemleak, the netdev/netns reference trackers).
KLOG_BAD='WARNING:|\<BUG\>|Oops|refcount|unregister_netdevice: waiting'
KLOG_BAD+='|KASAN:|UBSAN:|possible circular locking|possible recursive locking'
KLOG_BAD+='|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN_ON'
KLOG_BAD+='|unreferenced object|new suspected memory leaks|ref_tracker:'

# kmemleak (a debug kernel): scanned after each file, what it found is
# that file's; ~40 s a scan under TCG. Its debugfs file appears only when
# debugfs is mounted.
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ ! -e "$KMEMLEAK" ] && [ -d /sys/kernel/debug ] &&
   grep -qw debugfs /proc/filesystems 2>/dev/null &&
   ! mountpoint -q /sys/kernel/debug 2>/dev/null; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
fi
[ -w "$KMEMLEAK" ] || KMEMLEAK=

passed=0
failed=0
skipped=0
num=0

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=(vpair_*.sh seed_*.sh vpair_rtnl vpair_fuzz plugin/plugin_request.sh)
fi
if [ "${TEST_ORDER:-}" = reverse ]; then
	for ((i = ${#tests[@]} - 1; i >= 0; i--)); do
		reversed+=("${tests[i]}")
	done
	tests=("${reversed[@]}")
fi

tap_result()
{
	local status=$1
	local desc=$2
	local directive=$3

	num=$((num + 1))
	case $status in
	pass) passed=$((passed + 1)); echo "ok $num $desc" ;;
	skip) skipped=$((skipped + 1)); echo "ok $num $desc # SKIP $directive" ;;
	*) failed=$((failed + 1)); echo "not ok $num $desc${directive:+ # $directive}" ;;
	esac
}

# run_one TEST: runs it with its output as TAP comments.
run_one()
{
	local test=$1
	local desc="selftests: vpair: $test"
	local log rc reason t0 limit=$TEST_TIMEOUT used

	echo "# $desc"
	if [[ " ${SKIP_TESTS:-} " == *" $test "* ]]; then
		tap_result skip "$desc" "left out of this run (SKIP_TESTS)"
		return
	fi
	if [ -n "$TIME_BUDGET" ]; then
		used=$((SECONDS - start))
		if ((used >= TIME_BUDGET)); then
			tap_result skip "$desc" "not started: the run's time budget of $TIME_BUDGET s is spent ($used s)"
			return
		fi
		((TIME_BUDGET - used + TIME_GRACE < limit)) &&
			limit=$((TIME_BUDGET - used + TIME_GRACE))
	fi
	if [ ! -x "$test" ]; then
		echo "# $test is missing or not executable (make -C selftests)"
		tap_result fail "$desc"
		return
	fi

	log=$(mktemp /tmp/vpair-run.XXXXXX)
	file_marker=
	if [ -n "$marker" ]; then
		file_marker="$marker-$num"
		echo "<6>$file_marker" 2>/dev/null >/dev/kmsg || file_marker=
	fi
	t0=$SECONDS
	# timeout's own timeout: a test that ignores TERM is killed later
	timeout -k 30 "$limit" "./$test" 2>&1 </dev/null |
		tee "$log" | sed -u -e 's/^/# /'
	rc=${PIPESTATUS[0]}
	echo "# $test: $((SECONDS - t0)) s"
	# shell tests say "SKIP: why", kselftest.h says "1..0 # SKIP why"
	reason=$(sed -n -e 's/^SKIP: //p' -e 's/^1\.\.0 # SKIP //p' "$log" |
		tail -n 1)
	# Stopped by the budget, not by its own limit: what it had done
	# by then decides (lib.sh's "[FAIL]", kselftest.h's "not ok").
	if { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && ((limit < TEST_TIMEOUT)); then
		if grep -qE '\[FAIL\]$|^not ok ' "$log"; then
			reason=
		else
			rc=$KSFT_SKIP
			reason="cut short after $limit s: the run's time budget of $TIME_BUDGET s ran out, no case had failed ($(grep -c '\[ OK \]$' "$log") passed)"
		fi
	fi
	rm -f "$log"

	if [ -n "$KMEMLEAK" ] && ! kmemleak_check; then
		[ "$rc" = "$KSFT_SKIP" ] || [ "$rc" = 0 ] && rc=1
	fi

	if [ "$rc" != 1 ] && [ -n "$file_marker" ] && klog_bad "$file_marker"; then
		echo "# the kernel logged while $test ran:"
		klog_since "$file_marker" | grep -E -B 2 -A 20 "$KLOG_BAD" |
			head -n 60 | sed -e 's/^/# /'
		rc=1
	fi

	case $rc in
	0) tap_result pass "$desc" ;;
	"$KSFT_SKIP") tap_result skip "$desc" "$reason" ;;
	124 | 137) tap_result fail "$desc" "TIMEOUT $limit seconds" ;;
	*) tap_result fail "$desc" "exit=$rc" ;;
	esac
}

# kmemleak_check: scan, show and forget what kmemleak holds; false when it
# reported anything. An object must be unreferenced for 5 s before kmemleak
# reports it: one leaked in a file's last seconds shows up after the next.
kmemleak_check()
{
	local t0=$SECONDS leaks

	echo scan >"$KMEMLEAK" 2>/dev/null
	leaks=$(cat "$KMEMLEAK" 2>/dev/null)
	echo clear >"$KMEMLEAK" 2>/dev/null
	echo "# kmemleak scan: $((SECONDS - t0)) s"
	[ -z "$leaks" ] && return 0
	echo "# kmemleak reported $(grep -c '^unreferenced object' <<<"$leaks") unreferenced objects:"
	head -n 80 <<<"$leaks" | sed -e 's/^/# /'
	return 1
}

# klog_since MARKER: the kernel log from the line that holds MARKER on.
klog_since()
{
	dmesg | sed -n -e "/$1\$/,\$p"
}

# klog_bad MARKER: true when the log since MARKER shows a complaint.
klog_bad()
{
	klog_since "$1" | grep -qE "$KLOG_BAD"
}

check_kernel_log()
{
	local desc="selftests: vpair: kernel log"

	echo "# $desc"
	if [ -z "$marker" ]; then
		tap_result skip "$desc" "cannot write to /dev/kmsg"
		return
	fi
	if klog_bad "$marker"; then
		echo "# the kernel logged during the run:"
		klog_since "$marker" | sed -e 's/^/# /'
		tap_result fail "$desc"
	else
		tap_result pass "$desc"
	fi
}

marker="vpair-selftests-start-$$-$RANDOM"
echo "<6>$marker" 2>/dev/null >/dev/kmsg || marker=

echo "TAP version 13"
echo "1..$((${#tests[@]} + 1))"
[ -z "$TIME_BUDGET" ] || echo "# time budget: $TIME_BUDGET s (files start until it is spent)"
if [ -n "$KMEMLEAK" ]; then
	# What booting left behind is nobody's test.
	echo scan >"$KMEMLEAK" 2>/dev/null
	echo "# kmemleak before the tests: $(grep -c '^unreferenced object' "$KMEMLEAK" 2>/dev/null) objects (not counted)"
	echo clear >"$KMEMLEAK" 2>/dev/null
fi
start=$SECONDS
for test in "${tests[@]}"; do
	run_one "$test"
done
check_kernel_log
echo "# run time: $((SECONDS - start)) s"

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
