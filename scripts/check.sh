#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: what CI runs, and what a developer runs before sending.
#
#   1. install what is missing (deps.sh), fetch the newest Debian kernel of
#      $VPAIR_SUITE (default bookworm) and its headers (kernel.sh)
#   2. build the module at W=1 against those headers, the plugin and the
#      selftests; checkpatch --strict and sparse: each one host-side test
#   3. boot that kernel in a VM with the module installed, run the selftests
#      there (guest-check.sh)
#   4. one report: the host tests, then the guest's, renumbered, and last
#      "N passed, N failed, N skipped" over both
#
# Logs go to a results folder under $VPAIR_CACHE/results (the last run is
# also results/latest); the terminal gets one line per step and the report.
# Exit status: non-zero when any test failed or the VM gave no results.

set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)
cd "$repo" || exit

suite=${VPAIR_SUITE:-bookworm}
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

# Kbuild and sparse warnings look like "file:line:col: warning: text".
no_warnings()
{
	! grep -E ':[0-9]+(:[0-9]+)?: (warning|error):|^(WARNING|ERROR):' "$1" \
		>"$1.warnings"
}

fatal=

step deps "$here/deps.sh" || fatal="cannot install the build and test dependencies"

abi=
if [ -z "$fatal" ]; then
	if step kernel "$here/kernel.sh" fetch "$suite"; then
		abi=$(tail -n 1 "$res/kernel.log")
		kdir=$("$here/kernel.sh" kdir "$abi")
		[ -n "$kdir" ] || fatal="no headers for $abi"
	else
		fatal="cannot fetch the $suite kernel"
	fi
fi

ksft=
if [ -z "$fatal" ]; then
	if step ksft "$here/ksft-headers.sh"; then
		ksft=$(tail -n 1 "$res/ksft.log")
	else
		fatal="cannot extract the kselftest headers"
	fi
fi

built=0
if [ -z "$fatal" ]; then
	# From clean, so every warning is seen again, not just those of files
	# that changed since the last build.
	make -s -C "$kdir" M="$repo" clean >/dev/null 2>&1
	step module make KDIR="$kdir" W=1 module
	rc=$?
	no_warnings "$res/module.log"
	host_test $((rc || $?)) "build: vpair.ko for $abi, W=1, no warnings"
	[ $rc = 0 ] && built=1

	make -s -C iplink-plugin clean >/dev/null 2>&1
	step plugin make plugin
	rc=$?
	no_warnings "$res/plugin.log"
	host_test $((rc || $?)) "build: link_vpair.so, no warnings"
	[ $rc = 0 ] || built=0

	if [ -f selftests/Makefile ]; then
		step selftests make -C selftests KSFT_INC="$ksft"
		rc=$?
	else
		echo "selftests/Makefile is missing" >"$res/selftests.log"
		rc=1
	fi
	host_test $rc "build: selftests"

	step checkpatch make checkpatch
	host_test $? "lint: checkpatch.pl --strict on kmod/ and include/"

	step sparse make KDIR="$kdir" sparse
	rc=$?
	no_warnings "$res/sparse.log"
	host_test $((rc || $?)) "lint: sparse (C=2), no warnings"
fi

# The guest suite. Its absence is a failure of its own, with the reason.
guest_tap=$res/guest/selftests.tap
vm_problem=
if [ -n "$fatal" ]; then
	vm_problem="not run: $fatal"
elif [ $built = 0 ]; then
	vm_problem="not run: the module or the plugin did not build"
else
	say "check: booting $abi in a VM for the selftests (log: $res/vm.log)"
	step vm "$here/vm.sh" -k "$abi" -m vpair.ko -o "$res/guest" \
		-- scripts/guest-check.sh
	rc=$?
	if [ $rc = 125 ]; then
		vm_problem="the VM gave no results: $(grep '^vpair:' "$res/vm.log" | tail -n 1)"
	elif [ ! -s "$guest_tap" ]; then
		vm_problem="the guest wrote no TAP output (exit $rc)"
	elif ! grep -Eq '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$guest_tap"; then
		vm_problem="run_tests ended without its summary line (exit $rc): $(tail -n 1 "$guest_tap")"
	elif [ $rc != 0 ] && ! grep -q '^not ok' "$guest_tap"; then
		vm_problem="run_tests exited $rc with no failed test"
	fi
fi

# CI keeps only the console: show there why each failed step failed.
if [ "${CI:-}" = true ]; then
	for log in "$res"/*.log.warnings; do
		[ -s "$log" ] || continue
		echo "--- warnings in ${log##*/}:"
		head -n 40 "$log"
	done
	for name in "${failed_steps[@]}"; do
		echo "--- end of $name.log:"
		tail -n 40 "$res/$name.log"
	done
	if [ -f "$guest_tap" ] && grep -q '^not ok' "$guest_tap"; then
		echo "--- failed guest tests, with the lines before them:"
		grep -B 15 '^not ok' "$guest_tap" | head -n 300
	fi
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
	echo "# host: $(uname -n), kernel built for: ${abi:-none}"
	for t in "${host_tap[@]}"; do
		report "${t%%	*}" "${t#*	}"
	done
	if [ -n "$fatal" ]; then
		report "not ok" "setup: $fatal"
	fi
	if [ -f "$guest_tap" ]; then
		echo "# guest: selftests in a VM running $abi"
		while IFS= read -r line; do
			if [[ $line =~ ^(not\ ok|ok)\ [0-9]+\ *-?\ *(.*)$ ]]; then
				report "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
			fi
		done <"$guest_tap"
	fi
	if [ -n "$vm_problem" ]; then
		report "not ok" "vm: $vm_problem"
	fi
	echo "1..$n"
	echo "# times (s): ${times[*]}"
	echo "# logs: $res"
	echo "$pass passed, $fail failed, $skip skipped"
} >"$res/report.tap"
echo
cat "$res/report.tap"

printf '%s\n' "${times[@]}" >"$res/times.txt"
[ "$fail" = 0 ]
