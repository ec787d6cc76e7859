#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The few kernel files the project uses at build time and never copies:
# kselftest_harness.h and kselftest.h for the C selftests, checkpatch.pl and
# its data files for lint. They come from Debian's linux-source tarball
# (no smaller package has them), extracted once into the cache.
#
#   ksft-headers.sh            print the directory holding the two headers
#   ksft-headers.sh checkpatch print the path of checkpatch.pl
#
# stdout carries only the path (selftests/Makefile takes it with $(shell)).

set -eu
. "$(dirname "$0")/common.sh"

MEMBERS="
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
"

newest_tarball()
{
	ls -1 /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1
}

tarball=$(newest_tarball)
if [ -z "$tarball" ]; then
	# linux-source follows the newest kernel source of the release; older
	# releases only have the versioned package.
	apt_install linux-source || apt_install linux-source-6.1 ||
		die "cannot install linux-source"
	tarball=$(newest_tarball)
	[ -n "$tarball" ] || die "linux-source installed no /usr/src/linux-source-*.tar.xz"
fi

top=$(basename "$tarball" .tar.xz)
# The package version tells an updated tarball of the same series apart.
ver=$(dpkg-query -W -f='${Version}' "$top" 2>/dev/null || true)
dir=$VPAIR_CACHE/ksft/$top${ver:+_$ver}

if [ ! -f "$dir/.done" ]; then
	say "extracting kselftest headers and checkpatch from $tarball"
	rm -rf "$dir"
	mkdir -p "$dir"
	members=
	for m in $MEMBERS; do
		members="$members $top/$m"
	done
	# shellcheck disable=SC2086 # one word per member
	tar -xJf "$tarball" -C "$dir" --strip-components=1 $members ||
		die "cannot extract$members from $tarball"
	touch "$dir/.done"
fi

case ${1:-headers} in
headers)
	echo "$dir/tools/testing/selftests"
	;;
checkpatch)
	echo "$dir/scripts/checkpatch.pl"
	;;
*)
	die "usage: $0 [headers|checkpatch]"
	;;
esac
