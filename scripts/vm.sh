#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a Debian kernel under virtme-ng (TCG) with vpair installed in it, run
# one command there and return that command's exit status.
#
#   vm.sh [-k ABI | -s SUITE] [-m MODULE.ko] [-o RESULTS] [-t SECONDS] [--] COMMAND [ARGS]
#
#   -k ABI       kernel from the cache, the host's root as the guest's
#                (default: kernel.sh fetch bookworm)
#   -s SUITE     the kernel of a Debian root (roots.sh ensure SUITE made
#                it), that root as the guest's: the guest runs that
#                release's userland (ip, tc, tcpdump...)
#   -m FILE      module to install into the guest: a vpair.ko, or the
#                vpair.ko.xz DKMS installed (default: ./vpair.ko if built
#                and no -s; -m none boots without it)
#   -o DIR       results folder, writable from the guest (default: a new
#                one under $VPAIR_CACHE/results); the guest sees it at the same
#                path and as $VPAIR_RESULTS
#   -t SECONDS   give up after this long (default 3600, or $VPAIR_VM_TIMEOUT)
#
# Environment variables named in $VPAIR_VM_ENV are passed into the guest;
# $VPAIR_VM_APPEND is added to the guest kernel's command line;
# $VPAIR_TCG_THREAD is qemu's TCG threading, single (default) or multi;
# $VPAIR_VM_UDEV=none runs the guest without udevd (see below).
#
# The guest sees its root read-only with vng's writable overlays on /etc,
# /usr, /var, /tmp... (writes vanish) and starts in the current directory;
# with -s, the repository (which must hold the current directory) is shared
# read-only at its host path. The module is *installed* there, not loaded,
# so modprobe and the autoload on `ip link add ... type vpair` find it as
# on a lab host:
#  - host's root: the kernel tree is staged with hard links (cp -al), the
#    module goes to lib/modules/<abi>/updates/ and depmod runs; vng takes
#    the modules from next to the image.
#  - a Debian root: vng takes the modules from the root, which stays as it
#    is. The root's own depmod indexes a hard-linked copy of its modules
#    plus the module on the host (seconds; in the guest, under TCG, it
#    takes minutes), and the guest copies the module and those indexes
#    into /lib/modules/<abi>/ in its overlay.
#
# vng's own exit status is not trusted (it says little when the guest
# panics or the init fails): the guest writes its command's status into the
# results folder, and no status there is a failure of its own (125). The
# results folder keeps the guest kernel's console (console.log: the boot,
# and any panic, oops or KASAN report) apart from the command's output
# (vm.log). A VM with no status is reported with its cause: "timed out",
# "killed on the host", or the first telling line of the console (panic,
# oops, BUG, WARNING, a trace) and its last lines; the cause is also in
# no-status.txt.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)

abi=
suite=
module=
results=
tmo=${VPAIR_VM_TIMEOUT:-3600}

while getopts k:s:m:o:t: opt; do
	case $opt in
	k) abi=$OPTARG ;;
	s) suite=$OPTARG ;;
	m) module=$OPTARG ;;
	o) results=$OPTARG ;;
	t) tmo=$OPTARG ;;
	*) sed -n '/^#   vm.sh/,/^#   -t/p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "no command to run in the guest"
[ -z "$abi" ] || [ -z "$suite" ] || die "-k or -s, not both"

command -v vng >/dev/null || die "vng missing: run scripts/deps.sh"

if [ -n "$suite" ]; then
	root=$("$here/roots.sh" path "$suite")
	abi=$("$here/roots.sh" abi "$suite")
	vmlinuz=$("$here/roots.sh" vmlinuz "$suite")
	case $PWD/ in
	"$repo"/*) ;;
	*) die "run from inside the repository ($repo)" ;;
	esac
else
	[ -n "$abi" ] || abi=$("$here/kernel.sh" fetch bookworm)
	tree=$("$here/kernel.sh" tree "$abi") || exit
	vmlinuz=$("$here/kernel.sh" vmlinuz "$abi") || exit
	if [ -z "$module" ] && [ -f vpair.ko ]; then
		module=vpair.ko
	fi
fi

if [ "$module" = none ]; then
	module=
elif [ -n "$module" ]; then
	[ -f "$module" ] || die "no module $module"
	ko_ver=$(modinfo -F vermagic "$module" | cut -d' ' -f1)
	[ "$ko_ver" = "$abi" ] ||
		die "$module is built for ${ko_ver:-?}, the VM runs $abi"
fi
ko=${module##*/}

if [ -z "$results" ]; then
	mkdir -p "$VPAIR_CACHE/results"
	results=$(mktemp -d "$VPAIR_CACHE/results/vm-${suite:+$suite-}$(date +%Y%m%d-%H%M%S)-XXXX")
fi
mkdir -p "$results"
results=$(cd "$results" && pwd)
rm -f "$results/.rc"

# The host's root: a private stage per run, so two runs (or two
# developers) never share one.
stage_tree()
{
	mkdir -p "$VPAIR_CACHE/stage"
	# Stages of runs that were killed (no EXIT trap on SIGKILL) go after
	# a day.
	find "$VPAIR_CACHE/stage" -mindepth 1 -maxdepth 1 -mmin +1440 \
		-exec rm -rf {} + 2>/dev/null
	stage=$(mktemp -d "$VPAIR_CACHE/stage/$abi.XXXX")
	cleanup+=("$stage")
	cp -al "$tree/." "$stage/"
	# cp -al carries the tree's old date over; without this, the
	# stale-stage sweep above would delete a running VM's stage.
	touch "$stage"
	if [ -n "$module" ]; then
		mkdir -p "$stage/lib/modules/$abi/updates"
		cp "$module" "$stage/lib/modules/$abi/updates/"
	fi
	# The index files are hard links into the cache: unlink them so
	# depmod writes this stage's own.
	rm -f "$stage/lib/modules/$abi"/modules.*.bin "$stage/lib/modules/$abi/modules.dep"
	run_logged depmod-stage depmod -b "$stage" "$abi" || die "depmod failed"
	vmlinuz=$stage${vmlinuz#"$tree"}
}

# A Debian root: the module and the indexes that know it travel in the
# results folder.
stage_root()
{
	local d

	[ -n "$module" ] || return 0
	cp "$module" "$results/$ko"
	d=$(mktemp -d "$root/tmp/vpair-depmod.XXXX")
	cleanup+=("$d")
	mkdir -p "$d/lib/modules" "$results/.modules"
	cp -al "$root/usr/lib/modules/$abi" "$d/lib/modules/"
	# Unlinked, not overwritten: they are the root's files.
	rm -f "$d/lib/modules/$abi"/modules.*
	mkdir -p "$d/lib/modules/$abi/updates"
	cp "$module" "$d/lib/modules/$abi/updates/$ko"
	cp -p "$root/usr/lib/modules/$abi"/modules.{order,builtin,builtin.modinfo} \
		"$d/lib/modules/$abi/" 2>/dev/null || true
	run_logged "depmod-$suite" "$here/roots.sh" exec "$suite" \
		depmod -b "/tmp/${d##*/}" "$abi" ||
		die "depmod failed in the $suite root"
	rm -f "$results/.modules"/modules.*
	cp "$d/lib/modules/$abi"/modules.* "$results/.modules/"
}

# Mount points in a Debian root: the guest's / is read-only and vng mounts
# the shared folders before anything could create them. Only the
# directories made here are removed afterwards, and only while empty.
made=()
mount_point()
{
	local d=$1 top=$1

	[ -d "$root$d" ] && return 0
	while [ ! -d "$root$(dirname "$top")" ]; do
		top=$(dirname "$top")
	done
	mkdir -p "$root$d"
	made+=("$root$top")
}

cleanup=()
on_exit()
{
	local d

	rm -rf "${cleanup[@]}"
	for d in "${made[@]}"; do
		find "$d" -depth -type d -empty -delete 2>/dev/null || true
	done
}
trap on_exit EXIT

# One guest at a time on the machine: two TCG guests halve each other's
# speed and trip the tests' timeouts. Every caller (make check, bench,
# a developer's run beside them) waits here for the one before it.
# Before anything is made in a shared Debian root: the run before this
# one removes the mount points it made there when it ends, and this
# run's, made while it waited, went with them (seen: a guest whose init
# died on a missing /work/... mount point).
mkdir -p "$VPAIR_CACHE"
exec 8>"$VPAIR_CACHE/vm.lock"
if ! flock -n 8; then
	say "waiting for the VM that is running (lock $VPAIR_CACHE/vm.lock)"
	flock 8
fi

# One host thread runs both vCPUs (VPAIR_TCG_THREAD=multi: one each). With
# a thread each, qemu 7.2's TCG lets a guest CPU run into the int3 that
# another one put on a static branch it was flipping (tc clsact add/del),
# after the flip ended: "Oops: int3" in __dev_queue_xmit, a panic. Seen
# with 6.12, 7.2 and 7.3 guests, with veth alone, within a minute
# (scripts/tcg-int3.sh); not with one thread.
vng_args=(--force-9p --disable-kvm --memory 2G
	  --qemu-opts="-accel tcg,thread=${VPAIR_TCG_THREAD:-single}")
if [ -n "$suite" ]; then
	stage_root
	mount_point "$repo"
	mount_point "$results"
	vng_args+=(--root "$root" --rodir "$repo=$repo")
else
	stage_tree
fi
# VPAIR_VM_UDEV=none: no udevd at all (the debug kernel: matrix.sh sets
# it). virtme-init runs the first systemd-udevd it finds in
# /usr/lib/systemd: the guest gets a copy of the root's folder in which
# that is scripts/vm-udev/systemd-udevd, which names the ports and exits.
# The rest of the folder (libsystemd-shared, which udevadm and
# systemd-tmpfiles link to) is the root's own.
case ${VPAIR_VM_UDEV:-} in
none)
	mkdir -p "$VPAIR_CACHE/stage"
	udevdir=$(mktemp -d "$VPAIR_CACHE/stage/udev.XXXX")
	cleanup+=("$udevdir")
	cp -a "${root:-}/usr/lib/systemd" "$udevdir/" ||
		die "cannot copy ${root:-}/usr/lib/systemd"
	rm -f "$udevdir/systemd/systemd-udevd"
	cp "$repo/scripts/vm-udev/systemd-udevd" "$udevdir/systemd/"
	vng_args+=(--rodir "/usr/lib/systemd=$udevdir/systemd") ;;
'') ;;
*) die "VPAIR_VM_UDEV=$VPAIR_VM_UDEV: none or unset" ;;
esac

# The command travels as a script in the results folder: no quoting through
# the kernel command line, and the status comes back the same way.
guest=$results/.guest.sh
{
	echo '#!/bin/bash'
	printf 'export VPAIR_RESULTS=%q\n' "$results"
	printf 'export VPAIR_CACHE=%q\n' "$VPAIR_CACHE"
	# The guest does not inherit the host's environment: pass what is
	# named in VPAIR_VM_ENV (e.g. "KSFT_INC V").
	for v in ${VPAIR_VM_ENV:-}; do
		[ -n "${!v+set}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	# The command's stderr joins its stdout: vng's stderr carries the
	# kernel's console.
	echo 'exec 2>&1'
	printf 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'
	if [ -n "$suite" ] && [ -n "$module" ]; then
		# In the guest's overlay of /usr: gone when the VM is.
		echo 'd=/lib/modules/$(uname -r)'
		printf 'mkdir -p "$d/updates" && cp "$VPAIR_RESULTS/%s" "$d/updates/" &&\n' "$ko"
		echo '	cp "$VPAIR_RESULTS"/.modules/modules.* "$d/" || exit 125'
	fi
	printf 'cd %q || exit 125\n' "$PWD"
	printf '%q ' "$@"
	echo
	printf 'echo $? >%q\n' "$results/.rc"
} >"$guest"

boot()
{
	# --rwdir GUEST=HOST: the short form checks the guest path relative
	# to the current directory and refuses anything outside /tmp-like
	# overlays. With --root, vng refuses a working directory outside the
	# root: it starts in the root's /, and the guest script changes
	# directory. qemu opens /proc/self/fd/1 and /proc/self/fd/2 anew for
	# the guest's consoles: on a regular file that truncates it and
	# writes from offset 0 over whatever was there (NUL-filled holes in a
	# log). A pipe has no offset, so the output always goes through
	# pipes: the command's (stdout, its stderr joined to it by the guest
	# script) into vm.log, the kernel's console (--verbose puts it on
	# vng's stderr, with vng's and qemu's own messages) into console.log.
	local log=$1 console=$2

	# Inside the braces fd 3 is tee's pipe: vng's stdout goes there, its
	# stderr through cat; the braces end when cat has written all of it.
	{
		(cd "${root:-.}" && exec timeout -k 30 "$tmo" vng "${vng_args[@]}" \
			--verbose --run "$vmlinuz" --rwdir "$results=$results" \
			${VPAIR_VM_APPEND:+--append "$VPAIR_VM_APPEND"} \
			--exec "bash $guest") </dev/null 2>&1 >&3 3>&- |
			cat >"$console"
		echo "${PIPESTATUS[0]}" >"$results/.vng-rc"
	} 3>&1 | tee "$log"
	return "$(cat "$results/.vng-rc")"
}

# Why a VM ended without a status, from how vng ended and what the kernel
# said last: one line for the report, the console's telling lines after it.
why_no_status()
{
	local rc=$1 secs=$2 console=$3 bad

	if [ "$rc" = 124 ]; then
		echo "timed out after ${secs}s (limit ${tmo}s, -t)"
	elif [ "$rc" -gt 128 ] && [ "$rc" != 255 ]; then
		echo "killed on the host by signal $((rc - 128)) after ${secs}s (vng exit $rc)"
	else
		bad=$(grep -a -E "$CONSOLE_BAD" "$console" 2>/dev/null | head -n 1 |
			sed 's/^\[ *[0-9.]*\] //')
		if [ -n "$bad" ]; then
			echo "the guest kernel died after ${secs}s: $bad"
		elif grep -aq 'reboot: Power down' "$console" 2>/dev/null; then
			echo "the guest powered off after ${secs}s without a status (vng exit $rc)"
		else
			echo "vng exit $rc after ${secs}s; the console ends: $(grep -a -v '^$' "$console" 2>/dev/null | tail -n 1)"
		fi
	fi
}

# What a dying kernel prints first.
CONSOLE_BAD='Kernel panic|\<BUG:|Oops|general protection fault|WARNING:|KASAN:|UBSAN:|Call Trace|cannot find script I/O ports|Out of memory|soft lockup|hung_task|blocked for more than'

say "booting $abi (TCG)${suite:+ with the $suite root} for: $*"
start=$(date +%s)
set +e
boot "$results/vm.log" "$results/console.log"
vng_rc=$?
secs=$(($(date +%s) - start))
# Booted once more, with the first logs kept, when the command never
# started: vng ended within seconds, silently, before the kernel could
# have booted (seen once on a busy machine); or virtme-init found no
# virtio-serial ports for the command's I/O, because udev's coldplug
# outlasted `udevadm settle`'s 120 s and the ports' links came after
# virtme-init looked (the debug kernel under TCG, 2026-12-02: settle
# gave up after 125 s; the run before had the links in time). Any other
# kernel that died (its console says so) is not booted twice.
never_started()
{
	local console=$results/console.log

	[ ! -s "$results/.rc" ] && [ "$vng_rc" != 124 ] || return
	grep -aq 'cannot find script I/O ports' "$console" ||
		{ [ "$secs" -lt 60 ] && ! grep -aqE "$CONSOLE_BAD" "$console"; }
}
if never_started; then
	mv "$results/vm.log" "$results/vm.log.1"
	mv "$results/console.log" "$results/console.log.1"
	say "vng ended after ${secs}s with exit $vng_rc and no result: $(why_no_status "$vng_rc" "$secs" "$results/console.log.1"); once more"
	start=$(date +%s)
	boot "$results/vm.log" "$results/console.log"
	vng_rc=$?
	secs=$(($(date +%s) - start))
fi
set -e

if [ ! -s "$results/.rc" ]; then
	why=$(why_no_status "$vng_rc" "$secs" "$results/console.log")
	echo "$why" >"$results/no-status.txt"
	say "the VM gave no exit status: $why"
	say "the last kernel messages ($results/console.log):"
	{
		grep -a -E -A 12 "$CONSOLE_BAD" "$results/console.log" | head -n 40
		echo "..."
		grep -a -v '^$' "$results/console.log" | tail -n 15
	} 2>/dev/null | sed 's/^/vpair:   /' >&2
	exit 125
fi
rc=$(cat "$results/.rc")
say "VM done in ${secs}s, guest exit $rc, results in $results (console: console.log)"
exit "$rc"
