#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian packages of vpair, made with Debian's own tools (dpkg-buildpackage,
# debhelper, dh-dkms) from debian/ in the repository:
#   vpair-dkms      the module's sources and dkms.conf; DKMS builds vpair.ko
#                   on the machine it is installed on, for each kernel
#   iproute2-vpair  the ip plugin link_vpair.so and the man page vpair(4)
#
#   deb.sh build [OUTDIR]         build both (and the source package) from a
#                                 copy of the repository, check them with
#                                 lintian; OUTDIR (default deb/, ignored by
#                                 git) gets the .deb files and lintian.log
#   deb.sh build --version V OUTDIR   the same tree, packaged as version V
#                                 (an older one, to test an upgrade)
#   deb.sh test SUITE [OUTDIR]    in a scratch copy of the SUITE root
#                                 (roots.sh): install an older build, upgrade
#                                 to OUTDIR's, check what DKMS built, purge,
#                                 check nothing is left. TAP on stdout.
#   deb.sh version                the version being packaged
#   deb.sh prev                   the older version an upgrade starts from
#
# The version is debian/changelog's first line, and nowhere else.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/common.sh"

BUILD_PKGS="dpkg-dev debhelper dh-dkms lintian"

usage()
{
	sed -n '/^#   deb.sh/,/^#$/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

version()
{
	head -n 1 "$repo/debian/changelog" | cut -d ' ' -f 2 | tr -d '()'
}

# The repository's files as git knows them (tracked, and new ones not
# ignored), or everything but build products outside a clone.
copy_sources()
{
	local dst=$1

	mkdir -p "$dst"
	if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$repo" ls-files -z --cached --others --exclude-standard |
			(cd "$repo" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
			(cd "$repo" && tar --null -T - -cf -) | tar -xf - -C "$dst"
	else
		(cd "$repo" && tar --exclude=./deb --exclude='*.o' \
			--exclude='*.ko' --exclude='*.so' --exclude='.*.cmd' \
			-cf - .) | tar -xf - -C "$dst"
	fi
	rm -rf "$dst/deb"
}

cmd_build()
{
	local ver='' out t src changes missing rc f

	if [ "${1:-}" = --version ]; then
		[ $# -ge 2 ] || usage
		ver=$2
		shift 2
	fi
	out=${1:-$repo/deb}
	[ -n "$ver" ] || ver=$(version)
	[ -n "$ver" ] || die "no version in debian/changelog"

	# shellcheck disable=SC2086 # one word per package
	missing=$(pkg_missing $BUILD_PKGS)
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086
		apt_install $missing || die "cannot install $missing"
	fi

	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	t=$(mktemp -d /tmp/vpair-deb.XXXX)
	# shellcheck disable=SC2064 # expand now
	trap "rm -rf '$t'" EXIT
	src=$t/vpair-$ver
	copy_sources "$src"
	if [ "$ver" != "$(version)" ]; then
		sed -i "1s/^vpair ([^)]*)/vpair ($ver)/" "$src/debian/changelog"
	fi

	say "dpkg-buildpackage: vpair $ver (log: $VPAIR_LOGS/deb-build.log)"
	run_logged deb-build sh -c "cd '$src' && dpkg-buildpackage -us -uc" ||
		die "dpkg-buildpackage failed"
	changes=$(ls "$t"/vpair_*_"$(dpkg --print-architecture)".changes)

	# Errors fail the build; warnings and the rest are shown.
	say "lintian $(basename "$changes")"
	rc=0
	lintian --fail-on error --info --display-info "$changes" \
		>"$t/lintian.log" 2>&1 || rc=$?
	grep -v '^running with root privileges' "$t/lintian.log" \
		>"$out/lintian.log" || true
	if [ $rc != 0 ]; then
		cat "$out/lintian.log" >&2
		die "lintian reports errors (above)"
	fi
	[ ! -s "$out/lintian.log" ] || sed 's/^/  /' "$out/lintian.log" >&2

	rm -f "$out"/vpair-dkms_"$ver"_*.deb "$out"/iproute2-vpair*_"$ver"_*.deb
	cp "$t"/*.deb "$out/"
	for f in "$t"/*.deb; do
		say "built $out/$(basename "$f")"
	done
}

# The previous version: this tree under a lower version number, which is
# what an upgrade exercises (DKMS removes the old module's sources and
# build, builds the new ones).
prev_version()
{
	echo "$(version)~prev1"
}

cmd_test()
{
	local suite=$1 out=${2:-$repo/deb} ver prev

	ver=$(version)
	out=$(cd "$out" && pwd)
	ls "$out"/vpair-dkms_"$ver"_all.deb "$out"/iproute2-vpair_"$ver"_*.deb \
		>/dev/null 2>&1 || die "no $ver packages in $out (deb.sh build first)"
	prev=$(prev_version)
	ls "$out"/vpair-dkms_"$prev"_all.deb >/dev/null 2>&1 ||
		cmd_build --version "$prev" "$out"
	"$here/roots.sh" debtest "$suite" "$out" "$prev" "$ver"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
build)
	[ $# -le 3 ] || usage
	cmd_build "$@"
	;;
version)
	version
	;;
prev)
	prev_version
	;;
test)
	{ [ $# -ge 1 ] && [ $# -le 2 ]; } || usage
	need_root "testing packages in a root"
	cmd_test "$@"
	;;
*)
	usage
	;;
esac
