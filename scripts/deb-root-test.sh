#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run by `roots.sh debtest` inside a scratch copy of a Debian root (changes
# vanish afterwards), with the packages in /mnt/out:
#
#   deb-root-test.sh ABI PREV VER
#
# What a lab host does with them: apt install of version PREV, upgrade to
# VER, purge. After each step, what a user would look at: dkms status, the
# module modinfo finds for the root's kernel ABI, `ip link help vpair`, the
# man page; after the purge, that no file is left that was not there
# before. TAP on stdout, the commands' output in /mnt/out/debtest.log.

set -u
abi=$1 prev=$2 ver=$3
log=/mnt/out/debtest.log
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
	echo x86_64-linux-gnu)
n=0
failed=0

: >"$log"

# check DESCRIPTION CMD...: one TAP line; CMD's output goes to the log.
check()
{
	desc=$1
	shift
	n=$((n + 1))
	echo "### $n: $desc: $*" >>"$log"
	if "$@" >>"$log" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		failed=$((failed + 1))
	fi
}

pkgs()
{
	echo "/mnt/out/vpair-dkms_$1_all.deb" "/mnt/out/iproute2-vpair_$1_$arch.deb"
}

apt_install()
{
	# shellcheck disable=SC2046 # two file names
	apt-get -q -y install $(pkgs "$1")
}

# dkms status names the version as installed for the root's kernel.
dkms_installed()
{
	out=$(dkms status -m vpair -k "$abi")
	echo "$out"
	echo "$out" | grep -q "^vpair/$1, $abi, .*: installed"
}

# The module the kernel would load, built by DKMS for this version.
module_is()
{
	ko=$(modinfo -k "$abi" -n vpair) || return 1
	echo "$ko"
	case $ko in
	*/updates/dkms/vpair.ko*) ;;
	*) return 1 ;;
	esac
	[ "$(modinfo -k "$abi" -F version vpair)" = "$1" ]
}

only_source_of()
{
	ls -d /usr/src/vpair-* && [ "$(ls -d /usr/src/vpair-*)" = "/usr/src/vpair-$1" ]
}

plugin_answers()
{
	out=$(ip link help vpair 2>&1)
	echo "$out"
	case $out in
	*"loopback_bypass { on | off }"*) ;;
	*) return 1 ;;
	esac
}

# Every path in the root but apt's and dpkg's own state, and the key DKMS
# makes on its first build to sign every module it builds (DKMS's, shared
# by all DKMS packages: it goes with dkms, not with vpair).
files()
{
	find / -xdev \( -path /proc -o -path /dev -o -path /run -o -path /tmp \
		-o -path /mnt -o -path /var/cache -o -path /var/log \
		-o -path /var/lib/apt -o -path /var/lib/dpkg \
		-o -path /var/lib/dkms/mok.key -o -path /var/lib/dkms/mok.pub \) \
		-prune -o -print | sort
}

nothing_left()
{
	files >/tmp/after
	left=$(comm -13 /tmp/before /tmp/after)
	[ -z "$left" ] || { echo "left behind:"; echo "$left"; return 1; }
}

not_installed()
{
	for p in vpair-dkms iproute2-vpair; do
		! dpkg-query -W -f='${db:Status-Abbrev}\n' "$p" 2>/dev/null |
			grep -q '^[ic]'
	done
}

# The roots leave documentation out (mmdebstrap --dpkgopt); the man page
# is part of what is tested, so this copy takes it in.
rm -f /etc/dpkg/dpkg.cfg.d/99mmdebstrap

echo "TAP version 13"
files >/tmp/before

check "install $prev with apt" apt_install "$prev"
check "DKMS built and installed $prev for $abi" dkms_installed "$prev"
check "ip link help vpair answers" plugin_answers
check "man page vpair(4) installed" \
	test -f /usr/share/man/man4/vpair.4.gz

check "upgrade to $ver with apt" apt_install "$ver"
check "DKMS built and installed $ver for $abi" dkms_installed "$ver"
check "$prev is gone from DKMS" sh -c "! dkms status -m vpair -v '$prev' | grep -q ."
check "only /usr/src/vpair-$ver is left" only_source_of "$ver"
check "modinfo finds DKMS's vpair.ko, version $ver" module_is "$ver"
check "plugin in /usr/lib/$multiarch/ip" \
	test -f "/usr/lib/$multiarch/ip/link_vpair.so"
check "ip link help vpair answers after the upgrade" plugin_answers

check "purge with apt" apt-get -q -y purge vpair-dkms iproute2-vpair
check "neither package is known to dpkg" not_installed
check "no vpair in DKMS" sh -c '! dkms status -m vpair | grep -q .'
check "modinfo finds no vpair for $abi" sh -c "! modinfo -k '$abi' vpair"
check "nothing left behind (no module, plugin, /usr/src tree)" nothing_left

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
