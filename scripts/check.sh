#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: what CI runs, and what a developer runs before sending.
#
#   check.sh [KERNEL...]   (make check KERNELS="...")
#
#   1. install what is missing (deps.sh) and the kselftest headers
#   2. build the plugin and the selftests: each one host-side test; the
#      time budget's own tests (budget-test.sh), one each
#   3. per kernel (matrix.sh): build the module at W=1, sparse, that
#      release's checkpatch --strict, then boot the kernel in a VM with the
#      module installed and run the selftests there (guest-check.sh)
#   4. one report: the host tests, then each kernel's, renumbered, and last
#      "N passed, N failed, N skipped" over all of them
#
# With no KERNEL, the newest kernel of $VPAIR_SUITE (default bookworm, the
# host's release) is built and booted with the host's tools. With KERNELS
# (SUITE, SUITE=ABI pinned, or all: see matrix.sh), every kernel is built in
# a Debian root of its own release, where the Debian packages (built once)
# are installed (DKMS builds the module), upgraded and purged, and booted
# with that root as the guest's userland and what the packages installed;
# test names start with the ABI.
#
# Logs go to a results folder under $VPAIR_CACHE/results (the last run is
# also results/latest); the terminal gets one line per step and the report.
# Exit status: non-zero when any test failed or a VM gave no results.

set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)
cd "$repo" || exit

matrix_args=()
prefix=
if [ $# -gt 0 ]; then
	# shellcheck disable=SC2206 # a list of words
	kernels=($*)
	matrix_args=(-d)
	prefix=1
else
	kernels=("${VPAIR_SUITE:-bookworm}")
fi
res=$VPAIR_CACHE/results/check-$(date +%Y%m%d-%H%M%S)
mkdir -p "$res"
ln -sfn "$res" "$VPAIR_CACHE/results/latest"
export VPAIR_LOGS=$res/logs

host_tap=()	# "ok|not ok<TAB>name" per host-side test
times=()	# "phase=seconds"
failed_steps=()
t0=$(date +%s)

# step NAME CMD...: run CMD with its output in $res/NAME.log, print one line.
step()
{
	local name=$1 start rc
	shift
	start=$(date +%s)
	printf 'vpair: check: %-10s ' "$name" >&2
	"$@" >"$res/$name.log" 2>&1
	rc=$?
	times+=("$name=$(($(date +%s) - start))")
	if [ $rc = 0 ]; then
		echo "ok ($(($(date +%s) - start))s)" >&2
	else
		echo "FAILED (exit $rc, $(($(date +%s) - start))s, see $res/$name.log)" >&2
		failed_steps+=("$name")
	fi
	return $rc
}

host_test()
{
	local ok=$1 name=$2

	if [ "$ok" = 0 ]; then
		host_tap+=("ok	$name")
	else
		host_tap+=("not ok	$name")
	fi
}

# Kbuild and compiler warnings look like "file:line:col: warning: text".
no_warnings()
{
	! grep -E ':[0-9]+(:[0-9]+)?: (warning|error):|^(WARNING|ERROR):' "$1" \
		>"$1.warnings"
}

fatal=

step deps "$here/deps.sh" || fatal="cannot install the build and test dependencies"

ksft=
if [ -z "$fatal" ]; then
	if step ksft "$here/ksft-headers.sh"; then
		ksft=$(tail -n 1 "$res/ksft.log")
	else
		fatal="cannot extract the kselftest headers"
	fi
fi

if [ -z "$fatal" ]; then
	make -s -C iplink-plugin clean >/dev/null 2>&1
	step plugin make plugin
	rc=$?
	no_warnings "$res/plugin.log"
	host_test $((rc || $?)) "build: link_vpair.so, no warnings"
	[ $rc = 0 ] || fatal="the plugin does not build"

	if [ -f selftests/Makefile ]; then
		step selftests make -C selftests KSFT_INC="$ksft"
		rc=$?
	else
		echo "selftests/Makefile is missing" >"$res/selftests.log"
		rc=1
	fi
	host_test $rc "build: selftests"

	# The time budget CI plans with, tried in seconds on the host.
	step budget "$here/budget-test.sh"
	rc=$?
	nb=0
	while IFS= read -r line; do
		if [[ $line =~ ^(not ok|ok)\ [0-9]+\ (.*)$ ]]; then
			host_test "$([ "${BASH_REMATCH[1]}" = ok ]; echo $?)" \
				"${BASH_REMATCH[2]}"
			nb=$((nb + 1))
		fi
	done <"$res/budget.log"
	[ $nb -gt 0 ] || host_test 1 "budget: budget-test.sh ran no test (exit $rc)"
fi

# The kernels. matrix.sh says one line per kernel on the terminal; its
# summary goes to matrix.log.
if [ -z "$fatal" ]; then
	say "check: kernels ${kernels[*]} (their summary: $res/matrix.log)"
	start=$(date +%s)
	"$here/matrix.sh" "${matrix_args[@]}" -o "$res" "${kernels[@]}" \
		>"$res/matrix.log"
	times+=("kernels=$(($(date +%s) - start))")
fi

# CI keeps only the console: show there why each failed step failed.
if [ "${CI:-}" = true ]; then
	for log in "$res"/*.log "$res"/*/build.log "$res"/*/sparse.log; do
		no_warnings "$log" 2>/dev/null && continue
		echo "--- warnings in ${log#"$res"/}:"
		head -n 40 "$log.warnings"
	done
	for log in "$res"/*/checkpatch.log; do
		grep -q '^total: ' "$log" || continue
		echo "--- ${log#"$res"/}:"
		head -n 40 "$log"
	done
	if grep -qs '^vpair: error' "$res/deb/build.log"; then
		echo "--- end of deb/build.log:"
		tail -n 40 "$res/deb/build.log"
	fi
	for log in "$res"/*/deb/install.log; do
		[ -f "$log" ] && ! grep -q '^installed: ' "$log" || continue
		echo "--- end of ${log#"$res"/}:"
		tail -n 40 "$log"
	done
	for tap in "$res"/*/deb/upgrade.tap; do
		[ -f "$tap" ] && grep -q '^not ok' "$tap" || continue
		echo "--- ${tap#"$res"/} (the commands' output: ${tap%/*}/debtest.log):"
		cat "$tap"
		tail -n 40 "${tap%/*}/debtest.log"
	done
	for name in "${failed_steps[@]}"; do
		echo "--- end of $name.log:"
		tail -n 40 "$res/$name.log"
	done
	for tap in "$res"/*/guest/selftests.tap; do
		[ -f "$tap" ] && grep -q '^not ok' "$tap" || continue
		echo "--- failed guest tests in ${tap#"$res"/}, with the lines before them:"
		grep -B 15 '^not ok' "$tap" | head -n 300
	done
fi

# The report.
n=0 pass=0 fail=0 skip=0
report()
{
	local ok=$1 name=$2

	n=$((n + 1))
	if [ "$ok" = "not ok" ]; then
		fail=$((fail + 1))
	elif grep -qi '# *skip' <<<"$name"; then
		skip=$((skip + 1))
	else
		pass=$((pass + 1))
	fi
	echo "$ok $n $name"
}

times+=("total=$(($(date +%s) - t0))")
{
	echo "TAP version 13"
	echo "# host: $(uname -n), kernels: ${kernels[*]}"
	for t in "${host_tap[@]}"; do
		report "${t%%	*}" "${t#*	}"
	done
	if [ -n "$fatal" ]; then
		report "not ok" "setup: $fatal"
	fi
	if [ -z "$fatal" ] && [ ! -s "$res/kernels" ]; then
		report "not ok" "kernels: matrix.sh ran none (see $res/matrix.log)"
	fi
	# matrix.sh lists the suites it ran, "all" expanded.
	while read -r suite; do
		abi=$(sed -n 's/^abi=//p' "$res/$suite/info" 2>/dev/null)
		if [ ! -s "$res/$suite/tests.tap" ]; then
			report "not ok" "$suite: no results (see $res/matrix.log)"
			continue
		fi
		while IFS= read -r line; do
			case $line in
			'#'*) echo "$line" ;;
			*) report "${line%%	*}" "${prefix:+${abi:-$suite}: }${line#*	}" ;;
			esac
		done <"$res/$suite/tests.tap"
	done < <([ -n "$fatal" ] || cat "$res/kernels" 2>/dev/null)
	echo "1..$n"
	if [ -n "$prefix" ] && [ -f "$res/summary.tap" ]; then
		echo "# kernels:"
		sed 's/^/#   /' "$res/summary.tap"
	fi
	echo "# times (s): ${times[*]}"
	echo "# logs: $res"
	echo "$pass passed, $fail failed, $skip skipped"
} >"$res/report.tap"
echo
cat "$res/report.tap"

printf '%s\n' "${times[@]}" >"$res/times.txt"
[ "$fail" = 0 ]
