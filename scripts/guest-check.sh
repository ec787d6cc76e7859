#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (scripts/vm.sh), from the repository, which is read-only
# there: everything written goes to $VPAIR_RESULTS (the host sees it) or /tmp.
# The module is already installed by the host's staging; the plugin is
# installed here, where a lab host would have it after `make install`.
#
#   guest-check.sh [selftests]  the suite: $VPAIR_RESULTS/selftests.tap (its
#                               TAP output), dmesg.txt, guest-info.txt
#   guest-check.sh demo         examples/demo-bridge.sh (for `make demo`)
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

case ${1:-selftests} in
selftests)
	# The host built everything; make only runs the tests here. Its
	# output is the TAP stream, kept whole for the report.
	make --no-print-directory -C selftests run_tests 2>&1 |
		tee "$res/selftests.tap"
	rc=${PIPESTATUS[0]}
	;;
demo)
	examples/demo-bridge.sh
	rc=$?
	;;
*)
	echo "usage: $0 [selftests|demo]" >&2
	rc=2
	;;
esac

dmesg >"$res/dmesg.txt" 2>&1
exit "$rc"
