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
# BUG, oops, refcount error or stuck unregister_netdevice while it ran:
# the lines are shown in its output. One more TAP test checks the whole
# run's log the same way (what a file left behind shows up there). The
# last line counts the results: "N passed, N failed, N skipped".
#
# Environment: KIND=veth runs the cases veth shares with vpair against
# veth; TEST_TIMEOUT is each file's limit in seconds.

cd "$(dirname "$0")" || exit 1

TEST_TIMEOUT=${TEST_TIMEOUT:-600}
KSFT_SKIP=4

# What counts as the kernel complaining about the run.
KLOG_BAD='WARNING:|\<BUG\>|Oops|refcount|unregister_netdevice: waiting'

passed=0
failed=0
skipped=0
num=0

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=(vpair_*.sh seed_*.sh vpair_rtnl vpair_fuzz plugin/plugin_request.sh)
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
	local log rc reason t0

	echo "# $desc"
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
	timeout -k 30 "$TEST_TIMEOUT" "./$test" 2>&1 </dev/null |
		tee "$log" | sed -u -e 's/^/# /'
	rc=${PIPESTATUS[0]}
	echo "# $test: $((SECONDS - t0)) s"
	# shell tests say "SKIP: why", kselftest.h says "1..0 # SKIP why"
	reason=$(sed -n -e 's/^SKIP: //p' -e 's/^1\.\.0 # SKIP //p' "$log" |
		tail -n 1)
	rm -f "$log"

	if [ "$rc" != 1 ] && [ -n "$file_marker" ] && klog_bad "$file_marker"; then
		echo "# the kernel logged while $test ran:"
		klog_since "$file_marker" | grep -E -B 2 -A 20 "$KLOG_BAD" |
			head -n 60 | sed -e 's/^/# /'
		rc=1
	fi

	case $rc in
	0) tap_result pass "$desc" ;;
	"$KSFT_SKIP") tap_result skip "$desc" "$reason" ;;
	124 | 137) tap_result fail "$desc" "TIMEOUT $TEST_TIMEOUT seconds" ;;
	*) tap_result fail "$desc" "exit=$rc" ;;
	esac
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
start=$SECONDS
for test in "${tests[@]}"; do
	run_one "$test"
done
check_kernel_log
echo "# run time: $((SECONDS - start)) s"

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
