#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A debug kernel for the matrix (KERNELS=debug): KASAN, lockdep and
# PROVE_RCU, kmemleak, UBSAN, DEBUG_NET, the netdev and netns refcount
# trackers, DEBUG_ATOMIC_SLEEP. Debian ships none (its -dbg packages are
# symbols only), so it is built here, once, from Debian's linux-source
# package of $VPAIR_DEBUG_SUITE (default trixie: the newest stable release,
# whose 6.12 is what most lab hosts run, bookworm's 6.12 entry included),
# in that release's root (roots.sh) with that release's compiler.
#
#   debug-kernel.sh ensure    build it unless cached; prints its release
#   debug-kernel.sh cached    prints its release if it is cached, else fails
#   debug-kernel.sh dir       its cache folder (whether built or not)
#   debug-kernel.sh suite     the release it is built from
#
# The config: virtme-ng's own (virtme-configkernel --defconfig, what vng
# needs to boot), then the kernel's kernel/configs/debug.config, the net
# selftests' tools/testing/selftests/net/config, this repository's
# selftests/config and the few lines below, merged by the kernel's
# merge_config.sh; a missing debug option fails the build. Cached in
# $VPAIR_CACHE/debug/<source version>-<hash of those inputs>/ (src/: the
# built tree the module builds against; build.log, build-seconds), the
# image and modules as a kernel tree in $VPAIR_CACHE/kernels/<release>/
# for vm.sh -k. The release names the key (6.12.118-dbg-1a2b3c4d), so two
# configs never share one. Built with `nice -n 19 make -j$(nproc)`.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)

SUITE=${VPAIR_DEBUG_SUITE:-trixie}
CONFIGKERNEL=/usr/lib/python3/dist-packages/virtme/commands/configkernel.py
# What the build needs in the root besides its compiler.
BUILD_PKGS="flex bison bc libelf-dev libssl-dev dwarves cpio kmod python3 rsync"

# Ours, on top of debug.config. No DWARF: it doubles the build's time and
# size, and the reports are read from their symbol+offset lines (kallsyms,
# the module's symbols included). kmemleak scans when asked, after each
# test file (run_tests.sh), not every 10 minutes on its own.
# DEBUG_OBJECTS stays, as debug.config has it.
extra_config()
{
	cat <<-'EOF'
	CONFIG_DEBUG_INFO_NONE=y
	# CONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT is not set
	# CONFIG_DEBUG_INFO_BTF is not set
	# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN is not set
	CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=16000
	CONFIG_KALLSYMS=y
	CONFIG_KALLSYMS_ALL=y
	CONFIG_MODULES=y
	CONFIG_MODULE_UNLOAD=y
	# CONFIG_MODULE_SIG_FORCE is not set
	CONFIG_IPV6=y
	CONFIG_VETH=m
	CONFIG_NET_SCH_NETEM=m
	CONFIG_DEBUG_FS=y
	EOF
}

# Must be on after the merge: the point of this kernel.
REQUIRED="KASAN KASAN_GENERIC PROVE_LOCKING PROVE_RCU DEBUG_KMEMLEAK UBSAN
	DEBUG_NET NET_DEV_REFCNT_TRACKER NET_NS_REFCNT_TRACKER
	DEBUG_ATOMIC_SLEEP DEBUG_FS MODULES IPV6 VETH NET_9P_VIRTIO 9P_FS
	VIRTIO_PCI NET_NS BPF_SYSCALL"

series()
{
	sed -nE 's/^([0-9]+\.[0-9]+).*/\1/p' <<<"$("$here/kernel.sh" newest "$SUITE")"
}

src_version()
{
	suite_apt "$SUITE" apt-cache show --no-all-versions "linux-source-$1" \
		2>/dev/null | sed -n 's/^Version: //p'
}

# Sets mm, ver, key, dir, rel.
locate()
{
	local sum

	mm=$(series)
	[ -n "$mm" ] || die "no kernel series in $SUITE"
	ver=$(src_version "$mm")
	[ -n "$ver" ] || die "no linux-source-$mm in $SUITE"
	sum=$({
		extra_config
		cat "$repo/selftests/config"
		cat "$CONFIGKERNEL" 2>/dev/null
		echo "$REQUIRED"
	} | md5sum | cut -c1-8)
	key=$ver-$sum
	dir=$VPAIR_CACHE/debug/$key
	# 6.12.118-1 -> 6.12.118-dbg-<sum>
	rel=${ver%%-*}
	rel=${rel%%+*}-dbg-$sum
}

is_cached()
{
	[ -f "$dir/.done" ] &&
		[ -f "$VPAIR_CACHE/kernels/$rel/boot/vmlinuz-$rel" ] &&
		[ -f "$VPAIR_CACHE/kernels/$rel/lib/modules/$rel/modules.dep" ]
}

build()
{
	local root debs deb start tree

	"$here/roots.sh" ensure "$SUITE" >/dev/null ||
		die "no $SUITE root to build in"
	root=$("$here/roots.sh" path "$SUITE")
	# shellcheck disable=SC2086 # one word per package
	if [ -n "$(pkg_missing_in "$root" $BUILD_PKGS)" ]; then
		say "installing the kernel's build dependencies in the $SUITE root"
		run_logged "root-apt-$SUITE" "$here/roots.sh" exec "$SUITE" \
			apt-get -q update ||
			die "apt-get update failed in the $SUITE root"
		# shellcheck disable=SC2086
		run_logged "root-apt-$SUITE" "$here/roots.sh" exec "$SUITE" \
			apt-get -q -y --no-install-recommends install $BUILD_PKGS ||
			die "cannot install $BUILD_PKGS in the $SUITE root"
	fi

	rm -rf "$dir"
	mkdir -p "$dir"
	debs=$VPAIR_CACHE/apt/$SUITE/archives
	say "downloading linux-source-$mm $ver ($SUITE)"
	rm -f "$debs/linux-source-${mm}"_*.deb
	suite_download "$SUITE" "$debs" "linux-source-$mm" ||
		die "cannot download linux-source-$mm"
	deb=$(ls -1 "$debs/linux-source-${mm}"_*.deb | tail -n 1)
	say "unpacking it into $dir/src"
	mkdir -p "$dir/src"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/linux-source-$mm.tar.xz" |
		tar -xJ -C "$dir/src" --strip-components=1 ||
		die "cannot unpack $deb"
	rm -f "$deb"

	extra_config >"$dir/vpair.config"
	echo "CONFIG_LOCALVERSION=\"${rel#"${ver%%-*}"}\"" >>"$dir/vpair.config"
	cp "$repo/selftests/config" "$dir/selftests.config"
	mkdir -p "$dir/py/virtme/commands"
	cp -r /usr/lib/python3/dist-packages/virtme/. "$dir/py/virtme/"
	echo "$REQUIRED" >"$dir/required"

	say "building $rel in the $SUITE root (nice 19, about 40 minutes; log $dir/build.log)"
	start=$(date +%s)
	"$here/roots.sh" exec-out "$SUITE" "$dir" /bin/sh -ec '
		cd /mnt/out/src
		export LOCALVERSION=
		PYTHONPATH=/mnt/out/py python3 -m virtme.commands.configkernel \
			--defconfig
		scripts/kconfig/merge_config.sh -m .config \
			kernel/configs/debug.config \
			tools/testing/selftests/net/config \
			/mnt/out/selftests.config /mnt/out/vpair.config
		make olddefconfig
		miss=
		for o in $(cat /mnt/out/required); do
			grep -Eq "^CONFIG_$o=(y|m)$" .config || miss="$miss $o"
		done
		if [ -n "$miss" ]; then
			echo "not set after the merge:$miss"
			exit 1
		fi
		gcc --version | head -n 1
		nice -n 19 make -j"$(nproc)" bzImage modules
		rm -rf /mnt/out/tree
		mkdir -p /mnt/out/tree/boot
		make INSTALL_MOD_PATH=/mnt/out/tree modules_install
		cp arch/x86/boot/bzImage "/mnt/out/tree/boot/vmlinuz-$(cat include/config/kernel.release)"
		cp .config "/mnt/out/tree/boot/config-$(cat include/config/kernel.release)"
	' >"$dir/build.log" 2>&1 || {
		tail -n 30 "$dir/build.log" >&2
		die "the debug kernel did not build (see $dir/build.log)"
	}
	echo $(($(date +%s) - start)) >"$dir/build-seconds"
	[ "$(cat "$dir/src/include/config/kernel.release")" = "$rel" ] ||
		die "built $(cat "$dir/src/include/config/kernel.release"), expected $rel"

	# The tree vm.sh -k boots, as kernel.sh lays out Debian's.
	tree=$VPAIR_CACHE/kernels/$rel
	rm -rf "$tree"
	# A fresh machine's CI makes roots only: no kernel tree came before.
	mkdir -p "$VPAIR_CACHE/kernels"
	mv "$dir/tree" "$tree"
	rm -f "$tree/lib/modules/$rel/build" "$tree/lib/modules/$rel/source"
	echo "$SUITE" >"$tree/.vpair-suite"
	run_logged "depmod-$rel" depmod -b "$tree" "$rel" || die "depmod failed for $rel"
	touch "$dir/.done"
	say "debug kernel $rel built in $(cat "$dir/build-seconds")s"
}

# pkg_missing_in ROOT PKG...: those not installed in ROOT.
pkg_missing_in()
{
	local root=$1 p
	shift
	for p in "$@"; do
		dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${db:Status-Abbrev}\n' \
			"$p" 2>/dev/null | grep -q '^ii' || echo "$p"
	done
}

[ $# = 1 ] || { sed -n '/^#   debug-kernel.sh/,/^#$/p' "$0" >&2; exit 2; }
case $1 in
ensure)
	need_root "building a kernel in a root"
	locate
	if ! is_cached; then
		# Two runs at once: the second waits and finds it built.
		mkdir -p "$VPAIR_CACHE/debug"
		exec 9>"$VPAIR_CACHE/debug/.lock"
		flock 9
		is_cached || build
	fi
	echo "$rel"
	;;
cached)
	locate
	is_cached || exit 1
	echo "$rel"
	;;
dir)
	locate
	echo "$dir"
	;;
suite)
	echo "$SUITE"
	;;
*)
	sed -n '/^#   debug-kernel.sh/,/^#$/p' "$0" >&2
	exit 2
	;;
esac
