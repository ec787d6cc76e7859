#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian roots of other releases. Debian's header packages pin their
# release's compiler (6.12 needs trixie's gcc-14, 7.x sid's gcc-16), so each
# kernel is built in a root of its own release; the same root is the guest's
# root when that kernel boots, so the tests meet that release's ip, tc and
# tcpdump too.
#
#   roots.sh ensure SUITE [ABI]  the root of SUITE with the kernel ABI
#                                (default: the newest of SUITE) in it; made
#                                once, then only a newer kernel is added.
#                                Prints the ABI.
#   roots.sh rebuild SUITE [ABI] the same, made anew (a root's userland is
#                                never upgraded otherwise)
#   roots.sh path SUITE          the root's directory
#   roots.sh abi SUITE           the kernel the root holds
#   roots.sh vmlinuz SUITE       its image, for vng --run
#   roots.sh exec SUITE CMD...   run CMD in the root, /proc and /dev mounted
#   roots.sh exec-out SUITE DIR CMD...  the same, with the host's DIR
#                                writable at /mnt/out
#   roots.sh build SUITE OUTDIR [KTREE]  build vpair.ko there (W=1, then
#                                sparse C=2) from a fresh copy of the
#                                module's sources: OUTDIR gets vpair.ko,
#                                build.log, sparse.log. KTREE: against the
#                                kernel debug-kernel.sh built in that root
#   roots.sh dkms SUITE OUTDIR   dkms add, build, install of the repository's
#                                dkms.conf in a scratch copy of the root:
#                                OUTDIR gets dkms.log and the module installed
#   roots.sh debtest SUITE DEBDIR PREV VER   the packages of DEBDIR (deb.sh
#                                build) in a scratch copy of the root:
#                                install PREV, upgrade to VER, purge
#                                (scripts/deb-root-test.sh; TAP on stdout,
#                                DEBDIR gets debtest.log)
#   roots.sh debinstall SUITE DEBDIR VER OUTDIR   apt install of DEBDIR's VER
#                                packages in a scratch copy of the root (DKMS
#                                builds the module there); OUTDIR gets
#                                install.log and what the packages installed,
#                                for a VM: the module DKMS built, and
#                                iproute2-vpair's files (iproute2-vpair.tar)
#                                with dpkg's md5sums of them
#   roots.sh list                the roots made
#
# SUITE: trixie, sid or experimental (kernel from experimental, the rest from
# sid); bookworm works too, and so do the entries bookworm-6.12 (bookworm
# with the 6.12 kernel bookworm-security ships) and trixie-rt (trixie with
# its rt-amd64 kernel): a root of their own, made from their suite, so that
# each root holds one kernel and its headers, whose Depends pick the
# compiler (gcc-12 for bookworm's 6.12, gcc-14 for trixie's). Roots live in $VPAIR_CACHE/roots/<suite>, outside
# the repository. The ABI of "the newest kernel" is what kernel.sh reads from
# the suite's meta package, never a name written here.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

ROOTS=$VPAIR_CACHE/roots

# Building: the module, the plugin and the C and BPF selftests (clang,
# libbpf), sparse, DKMS (signs modules with openssl). The guest: what the
# selftests and vng's init call: mount and util-linux are not in the apt
# variant's minimal set, and vng's init needs them; udev as vng's init
# finds it on a full system; man-db, for `man vpair` once the packages are
# in (the roots keep no other man page). A root made before a package was
# named here gets it on its next `ensure`.
PKGS="
	build-essential make sparse dkms openssl libmnl-dev pkg-config
	clang llvm libbpf-dev
	kmod mount util-linux udev procps psmisc iproute2 iputils-ping
	ethtool tcpdump iptables nftables bpftool iperf3 socat python3 jq
	file xz-utils zstd man-db
"

usage()
{
	sed -n '/^#   roots.sh/,/^#$/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

root_dir()
{
	echo "$ROOTS/$1"
}

# The apt sources of the root: experimental's kernel, sid's userland.
root_sources()
{
	case $1 in
	experimental)
		suite_sources sid
		suite_sources experimental
		;;
	*)
		suite_sources "$(entry_suite "$1")"
		;;
	esac
}

# The base suite mmdebstrap installs from.
base_suite()
{
	case $1 in
	experimental) echo sid ;;
	*) entry_suite "$1" ;;
	esac
}

# What the root records about itself, one key=value a line.
meta_get()
{
	sed -n "s/^$2=//p" "$(root_dir "$1")/etc/vpair-root" 2>/dev/null | tail -n 1
}

root_ready()
{
	[ -f "$(root_dir "$1")/etc/vpair-root" ]
}

# root_exec [--scratch] [--bind HOSTDIR] [--out HOSTDIR] DIR CMD...: CMD in
# the root at DIR, in a mount namespace of its own so nothing stays mounted
# when it ends, however it ends. objtool reads /proc; apt and the compilers want /dev;
# apt wants the host's resolver. --scratch: on an overlay whose changes
# vanish (a tmpfs), for what must not change the cached root (DKMS).
# --bind HOSTDIR: read-only at /mnt/vpair; --out HOSTDIR: writable at
# /mnt/out (the mount points stay in the root, empty).
root_exec()
{
	local scratch='' bind='' out='' t rc=0

	while :; do
		case $1 in
		--scratch) scratch=1; shift ;;
		--bind) bind=$2; shift 2 ;;
		--out) out=$2; shift 2 ;;
		*) break ;;
		esac
	done
	t=$(mktemp -d /tmp/vpair-root.XXXX)
	unshare --mount --propagation private -- /bin/sh -ec '
		t=$1 scratch=$2 bind=$3 out=$4 r=$5
		shift 5
		if [ -n "$scratch" ]; then
			mount -t tmpfs tmpfs "$t"
			mkdir "$t/upper" "$t/work" "$t/root"
			mount -t overlay overlay \
				-o "lowerdir=$r,upperdir=$t/upper,workdir=$t/work" \
				"$t/root"
			r=$t/root
		fi
		if [ -n "$bind" ]; then
			mkdir -p "$r/mnt/vpair"
			mount --bind "$bind" "$r/mnt/vpair"
			mount -o remount,bind,ro "$r/mnt/vpair"
		fi
		if [ -n "$out" ]; then
			mkdir -p "$r/mnt/out"
			mount --bind "$out" "$r/mnt/out"
		fi
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs tmpfs "$r/run"
		if [ -f /etc/resolv.conf ]; then
			touch "$r/etc/resolv.conf" 2>/dev/null || true
			mount --bind /etc/resolv.conf "$r/etc/resolv.conf" ||
				true
		fi
		exec chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$t" "$scratch" "$bind" "$out" "$@" || rc=$?
	rmdir "$t"
	return $rc
}

create_root()
{
	local suite=$1 abi=$2 dir tmp start src sources=()

	dir=$(root_dir "$suite")
	tmp=$ROOTS/.$suite.tmp
	rm -rf "$tmp"
	mkdir -p "$ROOTS"
	while IFS= read -r src; do
		sources+=("$src")
	done < <(root_sources "$suite")

	# Called on its own (debug-kernel.sh ensure) on a machine where
	# make check never ran, mmdebstrap may not be there yet.
	command -v mmdebstrap >/dev/null || "$here/deps.sh"
	say "creating the $suite root in $dir (mmdebstrap, minutes)"
	start=$(date +%s)
	# The kernel is installed by apt like any package (sid splits it into
	# linux-binary and linux-modules; the headers' Makefile includes the
	# -common half by absolute path), but nothing boots from the root's
	# /boot: vng boots the image itself, so no initramfs is made.
	# Documentation is left out. The lists stay, for adding a kernel later.
	# shellcheck disable=SC2086 # one word per package
	run_logged "mmdebstrap-$suite" mmdebstrap --variant=apt \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--aptopt='Acquire::Languages "none"' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs' \
		--essential-hook='ln -s /bin/true "$1/usr/sbin/update-initramfs"' \
		--include="$(echo $PKGS | tr ' ' ,)" \
		--include="$(kernel_pkgs "$suite" "$abi" | tr '\n' ,)" \
		--skip=cleanup/apt/lists \
		"$(base_suite "$suite")" "$tmp" "${sources[@]}" ||
		die "mmdebstrap failed for $suite"

	{
		echo "suite=$suite"
		echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "mmdebstrap_seconds=$(($(date +%s) - start))"
	} >"$tmp/etc/vpair-root.new"
	add_kernel "$tmp" "$suite" "$abi"
	mv "$tmp/etc/vpair-root.new" "$tmp/etc/vpair-root"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	say "$suite root ready in $(($(date +%s) - start))s: $(du -sh "$dir" | cut -f1)"
}

# The packages of kernel ABI: its image (with its modules) and headers.
# initramfs-tools is named so that apt does not pick dracut for sid's
# "dracut | initramfs-tools"; its update-initramfs is diverted anyway.
kernel_pkgs()
{
	local suite=$1 abi=$2 rel=

	[ "$suite" = experimental ] && rel=/experimental
	echo "linux-image-$abi$rel"
	echo "linux-headers-$abi$rel"
	echo initramfs-tools
}

# The image vng boots: /boot in 6.x packages, next to the modules in sid's
# linux-binary.
root_vmlinuz()
{
	local dir=$1 abi=$2 f

	for f in "$dir/boot/vmlinuz-$abi" "$dir/usr/lib/modules/$abi/vmlinuz"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# Install kernel ABI in the root at DIR (if it is not there yet) and
# purge the one it replaces: a root holds the newest kernel of its suite.
add_kernel()
{
	local dir=$1 suite=$2 abi=$3 meta=$1/etc/vpair-root.new old

	[ -f "$meta" ] || cp "$dir/etc/vpair-root" "$meta"

	if [ ! -f "$dir/usr/src/linux-headers-$abi/Makefile" ] ||
	   ! root_vmlinuz "$dir" "$abi" >/dev/null; then
		say "installing the $abi kernel and headers in the $suite root"
		run_logged "root-apt-$suite" root_exec "$dir" apt-get -q update ||
			die "apt-get update failed in the $suite root"
		# shellcheck disable=SC2046 # one word per package
		run_logged "root-apt-$suite" root_exec "$dir" apt-get -q -y \
			install $(kernel_pkgs "$suite" "$abi") ||
			die "cannot install the $abi kernel in the $suite root"
	fi
	root_vmlinuz "$dir" "$abi" >/dev/null ||
		die "no vmlinuz for $abi in the $suite root"
	[ -f "$dir/usr/src/linux-headers-$abi/Makefile" ] ||
		die "no headers for $abi in the $suite root"
	[ -f "$dir/usr/lib/modules/$abi/modules.dep" ] ||
		run_logged "depmod-root-$suite" root_exec "$dir" depmod -a "$abi" ||
		die "depmod failed in the $suite root"

	old=$(sed -n 's/^abi=//p' "$meta" | tail -n 1)
	if [ -n "$old" ] && [ "$old" != "$abi" ]; then
		say "removing $old from the $suite root"
		run_logged "root-apt-$suite" root_exec "$dir" apt-get -q -y \
			purge "linux-image-$old" "linux-headers-$old" || true
		run_logged "root-apt-$suite" root_exec "$dir" apt-get -q -y \
			autoremove --purge || true
		run_logged "root-apt-$suite" root_exec "$dir" apt-get -q clean ||
			true
	fi
	sed -i '/^\(abi\|gcc\|ip\)=/d' "$meta"
	{
		echo "abi=$abi"
		echo "gcc=$(root_exec "$dir" gcc -dumpfullversion 2>/dev/null)"
		echo "ip=$(root_exec "$dir" ip -V 2>/dev/null)"
	} >>"$meta"
}

# The packages of PKGS a root made before they were named there lacks,
# installed from the root's own lists (they match its userland), after an
# update only if that fails. Nothing is upgraded on purpose; a failure is
# said and the root is used as it is.
add_missing()
{
	local suite=$1 dir missing

	dir=$(root_dir "$suite")
	# shellcheck disable=SC2086 # one word per package
	missing=$(dpkg-query --admindir="$dir/var/lib/dpkg" \
		-W -f='${db:Status-Abbrev} ${Package}\n' $PKGS 2>/dev/null |
		awk '$1 == "ii" { print $2 }' | sort |
		comm -13 - <(printf '%s\n' $PKGS | sort) | tr '\n' ' ' | sed 's/ $//')
	[ -n "${missing// /}" ] || return 0
	say "adding $missing to the $suite root"
	# shellcheck disable=SC2086
	if run_logged "root-apt-$suite" root_exec "$dir" apt-get -q -y \
		install $missing ||
	   { run_logged "root-apt-$suite" root_exec "$dir" apt-get -q update &&
	     run_logged "root-apt-$suite" root_exec "$dir" apt-get -q -y \
		install $missing; }; then
		run_logged "root-apt-$suite" root_exec "$dir" apt-get -q clean ||
			true
	else
		say "cannot add $missing to the $suite root; going on without"
	fi
}

cmd_ensure()
{
	local force=
	[ "$1" = --fresh ] && { force=1; shift; }
	local suite=$1 abi=${2:-} dir

	need_root "making a Debian root"
	dir=$(root_dir "$suite")
	# Two runs at once wait for each other instead of both making it.
	mkdir -p "$ROOTS"
	exec 9>"$ROOTS/.$suite.lock"
	flock 9
	[ -n "$abi" ] || abi=$("$here/kernel.sh" newest "$suite")
	[ -n "$abi" ] || die "no kernel found in $suite"

	if [ -n "$force" ] || ! root_ready "$suite"; then
		create_root "$suite" "$abi"
	elif [ "$(meta_get "$suite" abi)" != "$abi" ]; then
		add_kernel "$dir" "$suite" "$abi"
		mv "$dir/etc/vpair-root.new" "$dir/etc/vpair-root"
	fi
	add_missing "$suite"
	echo "$abi"
}

# How to ask kbuild for sparse on every file. Newer kbuild (7.2 and 7.3
# here, not 6.12) first runs scripts/checker-valid.sh, which Debian's header
# packages do not ship: the missing script reads as "sparse not available" and C=2 quietly
# checks nothing. The script's test is done here instead (sparse must take
# __typeof_unqual__), and KBUILD_CHECKSRC, given on the command line,
# overrides kbuild's fallback to 0.
sparse_switch()
{
	local dir=$1 kdir=$2 common t

	common=$(sed -n 's|^include \(/usr/src/.*\)/Makefile$|\1|p' "$dir$kdir/Makefile")
	if ! grep -qs checker-valid.sh "$dir${common:-$kdir}/Makefile" ||
	   [ -e "$dir${common:-$kdir}/scripts/checker-valid.sh" ]; then
		echo C=2
		return
	fi
	t=$(mktemp "$dir/tmp/sparse-check.XXXX.c")
	printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' >"$t"
	if root_exec "$dir" sparse "/tmp/${t##*/}" 2>&1 | grep -q error; then
		say "sparse of this root cannot check $kdir: too old"
		echo C=2
	else
		echo KBUILD_CHECKSRC=2
	fi
	rm -f "$t"
}

# Building from a fresh copy: the repository stays clean, and every warning
# is seen on every build, not only those of files that changed.
# With KTREE (a kernel built in this root: debug-kernel.sh), against that
# tree, which the root sees at /mnt/out/src, where it was built.
cmd_build()
{
	local suite=$1 out=$2 ktree=${3:-} dir abi kdir b rc=0 repo sw
	local ex=()

	root_ready "$suite" || die "no $suite root (roots.sh ensure $suite)"
	dir=$(root_dir "$suite")
	abi=$(meta_get "$suite" abi)
	kdir=/usr/src/linux-headers-$abi
	if [ -n "$ktree" ]; then
		[ -f "$ktree/src/include/config/kernel.release" ] ||
			die "no kernel built in $ktree"
		abi=$(cat "$ktree/src/include/config/kernel.release")
		kdir=/mnt/out/src
		ex=(--out "$ktree")
	fi
	repo=$(cd "$here/.." && pwd)
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	rm -f "$out/vpair.ko" "$out/build.log" "$out/sparse.log"

	b=$(mktemp -d "$dir/tmp/vpair-build.XXXX")
	# shellcheck disable=SC2064 # expand now: the trap outlives $b
	trap "rm -rf '$b'" EXIT
	cp -r "$repo/Kbuild" "$repo/kmod" "$repo/include" "$b/"
	rm -f "$b"/kmod/*.o "$b"/kmod/.*.cmd
	b=/tmp/${b##*/}

	root_exec "${ex[@]}" "$dir" make -C "$kdir" M="$b" W=1 modules \
		>"$out/build.log" 2>&1 || rc=1
	if [ $rc = 0 ]; then
		cp "$dir$b/vpair.ko" "$out/"
		# C=2: sparse on every file again; the objects are up to date.
		# A whole kernel tree has its checker-valid.sh.
		if [ -n "$ktree" ]; then
			sw=C=2
		else
			sw=$(sparse_switch "$dir" "$kdir")
		fi
		root_exec "${ex[@]}" "$dir" make -C "$kdir" M="$b" W=1 "$sw" modules \
			>"$out/sparse.log.new" 2>&1 || rc=2
		# The known complaint of sparse_switch's case, and only that.
		grep -v -e 'scripts/checker-valid.sh: No such file or directory$' \
			-e 'C=2 specified, but sparse is not available or not up to date$' \
			"$out/sparse.log.new" >"$out/sparse.log" || true
		rm -f "$out/sparse.log.new"
	fi
	echo "$abi" >"$out/abi"
	return $rc
}

# What a user does with the repository's dkms.conf, on a scratch copy of
# the root: the sources into /usr/src/vpair-<version> (without objects of
# another build), dkms add, build and install for the root's kernel. The
# module DKMS installed is copied out, for a VM to load.
cmd_dkms()
{
	local suite=$1 out=$2 dir abi repo

	root_ready "$suite" || die "no $suite root (roots.sh ensure $suite)"
	dir=$(root_dir "$suite")
	abi=$(meta_get "$suite" abi)
	repo=$(cd "$here/.." && pwd)
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	rm -f "$out"/vpair.ko*

	root_exec --scratch --bind "$repo" --out "$out" "$dir" /bin/sh -ec '
		abi=$1
		ver=$(sed -n "1s/^vpair (\([^)]*\)).*/\1/p" \
			/mnt/vpair/debian/changelog)
		src=/usr/src/vpair-$ver
		mkdir -p "$src"
		cp -r /mnt/vpair/dkms.conf /mnt/vpair/Kbuild /mnt/vpair/kmod \
			/mnt/vpair/include "$src/"
		sed -i "s/#MODULE_VERSION#/$ver/" "$src/dkms.conf"
		rm -f "$src"/kmod/*.o "$src"/kmod/.*.cmd
		dkms --version
		dkms add -m vpair -v "$ver"
		dkms build -m vpair -v "$ver" -k "$abi"
		dkms install -m vpair -v "$ver" -k "$abi"
		dkms status -m vpair
		ko=$(modinfo -k "$abi" -n vpair)
		echo "installed: $ko"
		cp "$ko" /mnt/out/
	' sh "$abi" >"$out/dkms.log" 2>&1
}

# The packages as a lab host installs them, on a scratch copy of the root:
# apt install of the two .deb files, DKMS builds and installs the module
# for the root's kernel. The roots leave documentation out (mmdebstrap
# --dpkgopt); the man page is part of the package, so this copy takes it
# in. Copied out for a VM: the module DKMS installed, the regular files
# dpkg -L lists for iproute2-vpair (the plugin, the man page, its docs) as
# a tarball for the guest's /, dpkg's md5sums of them, the version.
cmd_debinstall()
{
	local suite=$1 debs=$2 ver=$3 out=$4 dir

	root_ready "$suite" || die "no $suite root (roots.sh ensure $suite)"
	dir=$(root_dir "$suite")
	debs=$(cd "$debs" && pwd)
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	rm -f "$out"/vpair.ko* "$out"/iproute2-vpair.* "$out/version"
	root_exec --scratch --bind "$debs" --out "$out" "$dir" /bin/sh -ec '
		abi=$1 ver=$2
		arch=$(dpkg --print-architecture)
		rm -f /etc/dpkg/dpkg.cfg.d/99mmdebstrap
		dkms --version
		set -x
		apt-get -q -y install "/mnt/vpair/vpair-dkms_${ver}_all.deb" \
			"/mnt/vpair/iproute2-vpair_${ver}_$arch.deb"
		dkms status -m vpair
		dkms status -m vpair -v "$ver" -k "$abi" | grep -q ": installed"
		ko=$(modinfo -k "$abi" -n vpair)
		case $ko in
		*/updates/dkms/vpair.ko*) ;;
		*) echo "modinfo finds $ko, not DKMS'"'"'s"; exit 1 ;;
		esac
		[ "$(modinfo -k "$abi" -F version vpair)" = "$ver" ]
		cp "$ko" /mnt/out/
		set +x
		dpkg -L iproute2-vpair | while read -r f; do
			[ -f "$f" ] && [ ! -L "$f" ] && echo "${f#/}"
		done >/tmp/iproute2-vpair.files
		tar -C / -cf /mnt/out/iproute2-vpair.tar -T /tmp/iproute2-vpair.files
		tar -tvf /mnt/out/iproute2-vpair.tar
		cp "$(dpkg-query --control-path iproute2-vpair md5sums)" \
			/mnt/out/iproute2-vpair.md5sums
		echo "$ver" >/mnt/out/version
		echo "installed: $ko"
	' sh "$(meta_get "$suite" abi)" "$ver" >"$out/install.log" 2>&1
}

# A lab host's life with the packages, on a scratch copy of the root: the
# cached root stays as it was.
cmd_debtest()
{
	local suite=$1 debs=$2 prev=$3 ver=$4 dir repo

	root_ready "$suite" || die "no $suite root (roots.sh ensure $suite)"
	dir=$(root_dir "$suite")
	repo=$(cd "$here/.." && pwd)
	debs=$(cd "$debs" && pwd)
	root_exec --scratch --bind "$repo" --out "$debs" "$dir" \
		/bin/sh /mnt/vpair/scripts/deb-root-test.sh \
		"$(meta_get "$suite" abi)" "$prev" "$ver"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
ensure)
	{ [ $# -ge 1 ] && [ $# -le 2 ]; } || usage
	cmd_ensure "$@"
	;;
rebuild)
	{ [ $# -ge 1 ] && [ $# -le 2 ]; } || usage
	cmd_ensure --fresh "$@"
	;;
path)
	[ $# = 1 ] || usage
	root_ready "$1" || die "no $1 root (roots.sh ensure $1)"
	root_dir "$1"
	;;
abi)
	[ $# = 1 ] || usage
	root_ready "$1" || die "no $1 root (roots.sh ensure $1)"
	meta_get "$1" abi
	;;
vmlinuz)
	[ $# = 1 ] || usage
	root_ready "$1" || die "no $1 root (roots.sh ensure $1)"
	root_vmlinuz "$(root_dir "$1")" "$(meta_get "$1" abi)"
	;;
exec)
	[ $# -ge 2 ] || usage
	root_ready "$1" || die "no $1 root (roots.sh ensure $1)"
	need_root "entering a root"
	dir=$(root_dir "$1")
	shift
	root_exec "$dir" "$@"
	;;
exec-out)
	[ $# -ge 3 ] || usage
	root_ready "$1" || die "no $1 root (roots.sh ensure $1)"
	need_root "entering a root"
	dir=$(root_dir "$1")
	[ -d "$2" ] || die "no folder $2"
	out=$(cd "$2" && pwd)
	shift 2
	root_exec --out "$out" "$dir" "$@"
	;;
build)
	{ [ $# = 2 ] || [ $# = 3 ]; } || usage
	need_root "building in a root"
	cmd_build "$@"
	;;
dkms)
	[ $# = 2 ] || usage
	need_root "DKMS in a root"
	cmd_dkms "$@"
	;;
debinstall)
	[ $# = 4 ] || usage
	need_root "installing packages in a root"
	cmd_debinstall "$@"
	;;
debtest)
	[ $# = 4 ] || usage
	need_root "testing packages in a root"
	cmd_debtest "$@"
	;;
list)
	for d in "$ROOTS"/*/; do
		[ -d "$d" ] || continue
		d=$(basename "$d")
		root_ready "$d" && echo "$d $(meta_get "$d" abi)"
	done
	true
	;;
*)
	usage
	;;
esac
