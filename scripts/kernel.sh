#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian kernels for the VM, straight from the archive.
#
#   kernel.sh fetch [SUITE]   newest kernel of SUITE (default: bookworm):
#                             image unpacked into the cache, depmod run,
#                             headers installed; prints the ABI
#   kernel.sh newest [SUITE]  ask the archive only; prints the ABI. SUITE
#                             may be a matrix entry: bookworm-6.12 (the
#                             linux-image-6.12-amd64 of bookworm), trixie-rt
#                             (linux-image-rt-amd64 of trixie)
#   kernel.sh path ABI        key=value lines: abi suite tree vmlinuz modules kdir
#   kernel.sh vmlinuz|modules|tree|kdir ABI   one of those values
#   kernel.sh list            ABIs in the cache
#   kernel.sh checkpatch SUITE [ABI]  checkpatch.pl of the kernel series
#                             of ABI (default: SUITE's newest), from that
#                             release's linux-source; prints its path
#
# The ABI (6.1.0-56-amd64, 7.3-amd64, ...) is read from the Depends of the
# suite's linux-image-amd64 meta package, so a kernel Debian ships tomorrow is
# picked up with no change here. Everything downloaded lives under
# $VPAIR_CACHE/kernels/<abi> (the tree the VM boots from) and
# $VPAIR_CACHE/apt/<suite> (private lists and .debs).

set -eu
. "$(dirname "$0")/common.sh"

KERNELS=$VPAIR_CACHE/kernels

usage()
{
	sed -n '/^#   kernel.sh/,/^#$/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# Depends of PKG in SUITE, one package name a line.
pkg_depends()
{
	suite_apt "$1" apt-cache show --no-all-versions "$2" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',|' '\n\n' |
		sed 's/^ *//; s/ .*//' | grep -v '^$'
}

# newest_abi SUITE|ENTRY: bookworm-6.12 reads linux-image-6.12-amd64 of
# bookworm, trixie-rt linux-image-rt-amd64 of trixie (see entry_meta).
newest_abi()
{
	local suite flavour meta abi

	suite=$(entry_suite "$1")
	flavour=$(entry_flavour "$1")
	meta=$(entry_meta "$1")
	suite_update "$suite" || die "cannot read the $suite archive"
	abi=$(pkg_depends "$suite" "$meta" |
		sed -n "s/^linux-image-\\(.*-$flavour\\)\$/\\1/p" | head -n 1)
	[ -n "$abi" ] || die "no $meta in $suite"
	echo "$abi"
}

# Packages whose files make up ABI's image and modules. Until 7.x the image
# package holds everything; sid and experimental split it into
# linux-binary-<abi> (vmlinuz) and linux-modules-<abi>, pulled in by
# linux-image-<abi>.
image_packages()
{
	local suite=$1 abi=$2 re

	echo "linux-image-$abi"
	re=$(printf '%s' "$abi" | sed 's/[.+]/\\&/g')
	pkg_depends "$suite" "linux-image-$abi" |
		grep -E "^linux-(binary|modules)-$re\$" || true
}

tree_vmlinuz()
{
	local t=$KERNELS/$1 f

	for f in "$t/boot/vmlinuz-$1" "$t/usr/lib/modules/$1/vmlinuz" \
		 "$t/lib/modules/$1/vmlinuz"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

tree_ready()
{
	tree_vmlinuz "$1" >/dev/null &&
		[ -f "$KERNELS/$1/lib/modules/$1/modules.dep" ]
}

unpack_kernel()
{
	local suite=$1 abi=$2 debs=$VPAIR_CACHE/apt/$1/archives tmp pkg deb

	tree_ready "$abi" && return 0

	for pkg in $(image_packages "$suite" "$abi"); do
		if ! compgen -G "$debs/${pkg}_*.deb" >/dev/null; then
			say "downloading $pkg ($suite)"
			suite_download "$suite" "$debs" "$pkg" ||
				die "cannot download $pkg"
		fi
	done

	say "unpacking $abi into $KERNELS/$abi"
	tmp=$KERNELS/.$abi.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for pkg in $(image_packages "$suite" "$abi"); do
		deb=$(ls -1 "$debs/${pkg}"_*.deb | sort -V | tail -n 1)
		dpkg-deb -x "$deb" "$tmp"
	done
	# usr-merged packages put modules under usr/lib only; depmod -b and
	# vng both look for <root>/lib/modules.
	[ -e "$tmp/lib" ] || ln -s usr/lib "$tmp/lib"
	# Split packages lack modules.order and friends: depmod warns, harmlessly.
	run_logged "depmod-$abi" depmod -b "$tmp" "$abi" || die "depmod failed for $abi"
	echo "$suite" >"$tmp/.vpair-suite"
	rm -rf "${KERNELS:?}/$abi"
	mv "$tmp" "$KERNELS/$abi"
	tree_ready "$abi" || die "no vmlinuz or modules in the $abi packages"
}

tree_suite()
{
	cat "$KERNELS/$1/.vpair-suite" 2>/dev/null || host_codename
}

# The headers a module is built against. The host's own release installs
# them with the system's apt; another release's headers pin that release's
# compiler, so they belong in a Debian root of that release (not yet here).
headers_kdir()
{
	local d=/usr/src/linux-headers-$1

	[ -f "$d/Makefile" ] && echo "$d"
	return 0
}

ensure_headers()
{
	local suite=$1 abi=$2

	[ -n "$(headers_kdir "$abi")" ] && return 0
	if [ "$suite" = "$(host_codename)" ]; then
		apt_install "linux-headers-$abi" ||
			die "cannot install linux-headers-$abi"
		[ -n "$(headers_kdir "$abi")" ] ||
			die "linux-headers-$abi installed no /usr/src/linux-headers-$abi"
	else
		say "headers for $abi ($suite) need a $suite root: not done here"
	fi
}

cmd_fetch()
{
	local suite=${1:-bookworm} abi

	abi=$(newest_abi "$suite")
	suite=$(entry_suite "$suite")
	mkdir -p "$KERNELS"
	unpack_kernel "$suite" "$abi"
	ensure_headers "$suite" "$abi"
	echo "$abi"
}

cmd_path()
{
	local abi=$1

	tree_ready "$abi" || die "$abi is not in $KERNELS (kernel.sh fetch)"
	echo "abi=$abi"
	echo "suite=$(tree_suite "$abi")"
	echo "tree=$KERNELS/$abi"
	echo "vmlinuz=$(tree_vmlinuz "$abi")"
	echo "modules=$KERNELS/$abi/lib/modules/$abi"
	echo "kdir=$(headers_kdir "$abi")"
}

cmd_one()
{
	local key=$1 abi=$2

	cmd_path "$abi" | sed -n "s/^$key=//p"
}

# checkpatch.pl changes with the kernel (7.x knows kzalloc_obj, 6.8 added
# ethtool_puts): each release's code is held to its own. The script and
# its two data files come from linux-source-<major.minor>: the host's
# tarball when it is that series, else the release's .deb, streamed and
# then deleted. Extracted once per package version, next to the kselftest
# headers.
cmd_checkpatch()
{
	local suite=$1 abi=${2:-} mm pkg ver dir debs deb m members=

	[ -n "$abi" ] || abi=$(newest_abi "$suite")
	suite=$(entry_suite "$suite")
	mm=$(sed -nE 's/^([0-9]+\.[0-9]+).*/\1/p' <<<"$abi")
	[ -n "$mm" ] || die "no kernel series in '$abi'"
	pkg=linux-source-$mm
	if [ -f "/usr/src/$pkg.tar.xz" ]; then
		exec "$(dirname "$0")/ksft-headers.sh" checkpatch
	fi
	suite_update "$suite" || die "cannot read the $suite archive"
	ver=$(suite_apt "$suite" apt-cache show --no-all-versions "$pkg" \
		2>/dev/null | sed -n 's/^Version: //p')
	[ -n "$ver" ] || die "no $pkg in $suite"
	dir=$VPAIR_CACHE/ksft/${pkg}_$ver
	if [ ! -f "$dir/.done" ]; then
		debs=$VPAIR_CACHE/apt/$suite/archives
		say "downloading $pkg $ver ($suite) for its checkpatch.pl"
		rm -f "$debs/${pkg}"_*.deb
		suite_download "$suite" "$debs" "$pkg" || die "cannot download $pkg"
		deb=$(ls -1 "$debs/${pkg}"_*.deb | tail -n 1)
		for m in checkpatch.pl spelling.txt const_structs.checkpatch; do
			members="$members $pkg/scripts/$m"
		done
		rm -rf "$dir"
		mkdir -p "$dir"
		# shellcheck disable=SC2086 # one word per member
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/$pkg.tar.xz" |
			tar -xJ -C "$dir" --strip-components=1 $members ||
			die "cannot extract checkpatch.pl from $deb"
		rm -f "$deb"
		touch "$dir/.done"
	fi
	echo "$dir/scripts/checkpatch.pl"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
fetch)
	cmd_fetch "$@"
	;;
newest)
	newest_abi "${1:-bookworm}"
	;;
path)
	[ $# = 1 ] || usage
	cmd_path "$1"
	;;
vmlinuz|modules|tree|kdir|suite)
	[ $# = 1 ] || usage
	cmd_one "$cmd" "$1"
	;;
checkpatch)
	{ [ $# -ge 1 ] && [ $# -le 2 ]; } || usage
	cmd_checkpatch "$@"
	;;
list)
	for d in "$KERNELS"/*/; do
		d=$(basename "$d")
		tree_ready "$d" && echo "$d"
	done
	true
	;;
*)
	usage
	;;
esac
