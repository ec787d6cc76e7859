#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (scripts/vm.sh), from the repository, which is read-only
# there: everything written goes to $VPAIR_RESULTS (the host sees it) or /tmp.
# The module is already installed by the host's staging (or by DKMS); the
# plugin is installed here, where a lab host would have it after
# `make install`.
#
#   guest-check.sh [selftests]  the suite ($VPAIR_TESTS: those files of
#                               it): $VPAIR_RESULTS/selftests.tap (its
#                               TAP output), dmesg.txt, guest-info.txt, and
#                               module.tap: the installed module autoloads
#   guest-check.sh demo         examples/demo-bridge.sh, then
#                               examples/demo-bypass.sh (for `make demo`)
#
# Exits with the status of what it ran.

set -u
res=${VPAIR_RESULTS:-/tmp/vpair-results}
mkdir -p "$res"

multiarch=$(gcc -print-multiarch 2>/dev/null)
ipdir=/usr/lib/${multiarch:-x86_64-linux-gnu}/ip

{
	echo "kernel: $(uname -r)"
	echo "ip: $(ip -V)"
	echo "module: $(modinfo -n vpair 2>&1)"
	modinfo -F srcversion vpair 2>/dev/null | sed 's/^/srcversion: /'
} >"$res/guest-info.txt"

if [ -f iplink-plugin/link_vpair.so ]; then
	mkdir -p "$ipdir"
	cp iplink-plugin/link_vpair.so "$ipdir/"
else
	echo "# guest-check: iplink-plugin/link_vpair.so not built" >&2
fi

# The installed module, not one the suite loads by path, must come up by
# itself when a user first asks for the link type: one TAP line of its
# own, with where modprobe found it (updates/dkms/ when DKMS put it there).
autoload_check()
{
	local name="module: the installed vpair autoloads on ip link add ... type vpair"
	local ns=vpair-autoload err=

	modprobe -q -r vpair 2>/dev/null
	if [ -d /sys/module/vpair ]; then
		err="vpair is loaded and cannot be unloaded"
	elif ! ip netns add "$ns"; then
		err="ip netns add failed"
	else
		if ! ip -n "$ns" link add vp0 type vpair peer name vp1; then
			err="ip link add vp0 type vpair failed"
		elif [ ! -d /sys/module/vpair ]; then
			err="the link exists, yet no vpair module is loaded"
		elif [ "$(cat /sys/module/vpair/srcversion 2>/dev/null)" != \
		       "$(modinfo -F srcversion vpair 2>/dev/null)" ]; then
			err="the loaded vpair is not the installed one"
		elif ! ip -n "$ns" link show vp1 >/dev/null; then
			err="no peer vp1"
		fi
		ip netns del "$ns"
	fi
	echo "TAP version 13"
	echo "1..1"
	if [ -z "$err" ]; then
		echo "ok 1 $name ($(modinfo -n vpair))"
	else
		echo "# $err"
		echo "not ok 1 $name"
	fi
}

case ${1:-selftests} in
selftests)
	autoload_check | tee "$res/module.tap"
	# The host built everything; make only runs the tests here. Its
	# output is the TAP stream, kept whole for the report.
	# VPAIR_TESTS (passed in through VPAIR_VM_ENV) runs those files only.
	if [ -n "${VPAIR_TESTS:-}" ]; then
		# shellcheck disable=SC2086 # a list of files
		selftests/run_tests.sh $VPAIR_TESTS 2>&1 | tee "$res/selftests.tap"
	else
		make --no-print-directory -C selftests run_tests 2>&1 |
			tee "$res/selftests.tap"
	fi
	rc=${PIPESTATUS[0]}
	;;
demo)
	# The seed's bridge (veth does it too), then what only vpair does.
	examples/demo-bridge.sh
	rc=$?
	examples/demo-bypass.sh || rc=1
	;;
*)
	echo "usage: $0 [selftests|demo]" >&2
	rc=2
	;;
esac

dmesg >"$res/dmesg.txt" 2>&1
exit "$rc"
