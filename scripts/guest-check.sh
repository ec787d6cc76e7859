#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (scripts/vm.sh), from the repository, which is read-only
# there: everything written goes to $VPAIR_RESULTS (the host sees it) or /tmp.
# The module is already installed by the host's staging (or by DKMS); the
# plugin is installed here, where a lab host would have it after
# `make install`. With $VPAIR_PACKAGE (matrix.sh -d: a folder holding what
# the packages installed in the root, roots.sh debinstall), the plugin and
# the man page are iproute2-vpair's files instead, unpacked onto / (the
# guest's overlays), and the suite runs with them, not with the tree's.
#
#   guest-check.sh [selftests]  the suite ($VPAIR_TESTS: those files of
#                               it): $VPAIR_RESULTS/selftests.tap (its
#                               TAP output), dmesg.txt, guest-info.txt, and
#                               module.tap: the installed module autoloads
#                               and, with $VPAIR_PACKAGE, package.tap: the
#                               package's plugin and man page answer
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

# What the packages installed, as a user finds it: iproute2-vpair's files
# on /, checked against dpkg's md5sums; `ip link help vpair` answers from
# the plugin the package put in ip's library directory (LD_DEBUG names the
# file ip loaded); man finds and shows vpair(4); the module modprobe finds
# is DKMS's build of vpair-dkms's version. One TAP line each.
package_check()
{
	local pkg=$1 ver out page n=0 failed=0

	ver=$(cat "$pkg/version" 2>/dev/null)
	tap()
	{
		n=$((n + 1))
		if [ "$1" = 0 ]; then
			echo "ok $n $2"
		else
			[ -z "${3:-}" ] || sed 's/^/# /' <<<"$3" | head -n 20
			echo "not ok $n $2"
			failed=$((failed + 1))
		fi
	}
	echo "TAP version 13"
	echo "1..4"

	out=$( { tar -xf "$pkg/iproute2-vpair.tar" -C / &&
		cd / && md5sum -c "$pkg/iproute2-vpair.md5sums"; } 2>&1)
	tap $? "package: iproute2-vpair $ver's files on /, as dpkg's md5sums list them" \
		"$out"

	# Not the tree's copy: none was put there, IP_LIB_DIR is unset, and
	# the file ip loaded (LD_DEBUG's "calling init" line: loaded, not
	# only tried, as its "file=" line says even of a missing file) is
	# the one the md5sums name.
	out=$(env -u IP_LIB_DIR LD_DEBUG=files ip link help vpair 2>&1)
	[[ $out == *"calling init: $ipdir/link_vpair.so"* &&
	   $out == *"loopback_bypass { on | off }"* ]] &&
		(cd / && grep " ${ipdir#/}/link_vpair.so\$" "$pkg/iproute2-vpair.md5sums" |
			md5sum -c --quiet)
	tap $? "package: ip link help vpair answers from iproute2-vpair's $ipdir/link_vpair.so" \
		"$(grep -E 'link_vpair|^[^ ]' <<<"$out")"
	if cmp -s "$ipdir/link_vpair.so" iplink-plugin/link_vpair.so; then
		echo "# the package's link_vpair.so is byte for byte the tree's build"
	fi

	if command -v man >/dev/null; then
		page=$(man -w vpair 2>&1)
		[ "$page" = /usr/share/man/man4/vpair.4.gz ] &&
			grep -q ' usr/share/man/man4/vpair.4.gz$' "$pkg/iproute2-vpair.md5sums" &&
			MANWIDTH=80 man -P cat vpair 2>/dev/null | grep -q loopback_bypass
		tap $? "package: man -w vpair finds iproute2-vpair's vpair(4), man vpair shows it" \
			"man -w vpair: $page"
	else
		page=/usr/share/man/man4/vpair.4.gz
		zcat "$page" 2>/dev/null | grep -q '^\.TH VPAIR 4'
		tap $? "package: iproute2-vpair's vpair(4) is $page (no man-db in this root)"
	fi

	out=$(modinfo -F version vpair 2>&1)
	[ -n "$ver" ] && [ "$out" = "$ver" ]
	tap $? "package: the vpair modprobe finds is DKMS's build of vpair-dkms $ver" \
		"modinfo -F version vpair: $out"
	echo "# $((n - failed)) passed, $failed failed"
}

if [ -n "${VPAIR_PACKAGE:-}" ]; then
	package_check "$VPAIR_PACKAGE" | tee "$res/package.tap"
	# The whole suite (plugin/'s request tests too) with the package's.
	export IP_LIB_DIR=$ipdir
elif [ -f iplink-plugin/link_vpair.so ]; then
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
	# VPAIR_VM_BUDGET (matrix.sh, from CI's deadline): seconds from the
	# VM's start after which the suite starts no more files. The boot
	# has spent part of it: the kernel's uptime (under TCG the guest's
	# clock keeps the host's pace) is taken off for run_tests.sh.
	if [ -n "${VPAIR_VM_BUDGET:-}" ]; then
		up=$(cut -d. -f1 /proc/uptime)
		TIME_BUDGET=$((VPAIR_VM_BUDGET - up))
		((TIME_BUDGET > 0)) || TIME_BUDGET=0
		export TIME_BUDGET
		echo "# the VM's budget: $VPAIR_VM_BUDGET s, $up s of it gone on the boot" |
			tee -a "$res/guest-info.txt"
	fi
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
