#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the kernel of a Debian root (roots.sh) with that root as the guest's
# root, so the guest runs that release's userland (ip, tc, tcpdump...), run
# one command there and return its exit status. The counterpart of vm.sh
# for the kernels that are not the host's release.
#
#   vm-root.sh -s SUITE [-m MODULE.ko] [-o RESULTS] [-t SECONDS] [--] COMMAND [ARGS]
#
#   -s SUITE     the root (roots.sh ensure SUITE made it)
#   -m FILE      module installed in the guest before COMMAND runs: a
#                vpair.ko, or the vpair.ko.xz DKMS installed (default: none)
#   -o DIR       results folder, writable from the guest at the same path
#                and as $VPAIR_RESULTS (default: a new one under
#                $VPAIR_CACHE/results)
#   -t SECONDS   give up after this long (default 3600, or $VPAIR_VM_TIMEOUT)
#
# The guest sees the root read-only with vng's writable overlays on /etc,
# /usr, /var, /tmp... (writes vanish), the repository read-only and the
# results folder read-write, both at their host paths; it starts in the
# current directory, which must be inside the repository.
#
# vng takes the modules from the root (not from next to the image), and the
# cached root stays as it is: the root's own depmod indexes a hard-linked
# copy of its modules plus the module on the host (seconds; in the guest,
# under TCG, it takes minutes), and the guest copies the module to
# /lib/modules/<abi>/updates/ and those indexes next to it, in its
# overlay. Then modprobe and the autoload on `ip link add ... type vpair`
# find it as on a lab host.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)

suite=
module=
results=
tmo=${VPAIR_VM_TIMEOUT:-3600}

while getopts s:m:o:t: opt; do
	case $opt in
	s) suite=$OPTARG ;;
	m) module=$OPTARG ;;
	o) results=$OPTARG ;;
	t) tmo=$OPTARG ;;
	*) sed -n '/^#   vm-root.sh/,/^#   -t/p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "no command to run in the guest"
[ -n "$suite" ] || die "no suite (-s)"
command -v vng >/dev/null || die "vng missing: run scripts/deps.sh"

root=$("$here/roots.sh" path "$suite")
abi=$("$here/roots.sh" abi "$suite")
vmlinuz=$("$here/roots.sh" vmlinuz "$suite")

case $PWD/ in
"$repo"/*) ;;
*) die "run from inside the repository ($repo)" ;;
esac

if [ "$module" = none ]; then
	module=
elif [ -n "$module" ]; then
	[ -f "$module" ] || die "no module $module"
	ko_ver=$(modinfo -F vermagic "$module" | cut -d' ' -f1)
	[ "$ko_ver" = "$abi" ] ||
		die "$module is built for ${ko_ver:-?}, the $suite root has $abi"
fi

if [ -z "$results" ]; then
	mkdir -p "$VPAIR_CACHE/results"
	results=$(mktemp -d "$VPAIR_CACHE/results/vm-$suite-$(date +%Y%m%d-%H%M%S)-XXXX")
fi
mkdir -p "$results"
results=$(cd "$results" && pwd)
rm -f "$results/.rc"
if [ -n "$module" ]; then
	# vpair.ko, or vpair.ko.xz as DKMS installs it for a kernel whose
	# modules are compressed.
	ko=${module##*/}
	cp "$module" "$results/$ko"
	stage=$(mktemp -d "$root/tmp/vpair-depmod.XXXX")
	mkdir -p "$stage/lib/modules" "$results/.modules"
	cp -al "$root/usr/lib/modules/$abi" "$stage/lib/modules/"
	# Unlinked, not overwritten: they are the root's files.
	rm -f "$stage/lib/modules/$abi"/modules.*
	mkdir -p "$stage/lib/modules/$abi/updates"
	cp "$module" "$stage/lib/modules/$abi/updates/$ko"
	cp -p "$root/usr/lib/modules/$abi"/modules.{order,builtin,builtin.modinfo} \
		"$stage/lib/modules/$abi/" 2>/dev/null || true
	run_logged "depmod-$suite" "$here/roots.sh" exec "$suite" \
		depmod -b "/tmp/${stage##*/}" "$abi" ||
		{ rm -rf "$stage"; die "depmod failed in the $suite root"; }
	rm -f "$results/.modules"/modules.*
	cp "$stage/lib/modules/$abi"/modules.* "$results/.modules/"
	rm -rf "$stage"
fi

# Mount points: the guest's / is read-only and vng mounts the shared
# folders before nothing else could create them. Only the directories
# made here are removed afterwards, and only while empty.
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
cleanup()
{
	local d

	for d in "${made[@]}"; do
		find "$d" -depth -type d -empty -delete 2>/dev/null || true
	done
}
trap cleanup EXIT
mount_point "$repo"
mount_point "$results"

guest=$results/.guest.sh
{
	echo '#!/bin/bash'
	printf 'export VPAIR_RESULTS=%q\n' "$results"
	printf 'export VPAIR_CACHE=%q\n' "$VPAIR_CACHE"
	for v in ${VPAIR_VM_ENV:-}; do
		[ -n "${!v+set}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'
	if [ -n "$module" ]; then
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
	# As in vm.sh: the console goes through a pipe (qemu reopens its
	# stdout), and vng's own status says little; the guest writes its
	# command's. vng refuses a working directory outside the root: it
	# starts in the root's /, and the guest script changes to the
	# repository.
	(cd "$root" && exec timeout -k 30 "$tmo" vng --force-9p --disable-kvm \
		--memory 2G --root "$root" --run "$vmlinuz" \
		--rodir "$repo=$repo" --rwdir "$results=$results" "$@" \
		--exec "bash $guest") </dev/null 2>&1 | tee "$results/vm.log"
	return "${PIPESTATUS[0]}"
}

say "booting $abi (TCG) with the $suite root for: $*"
start=$(date +%s)
set +e
boot
vng_rc=$?
secs=$(($(date +%s) - start))
# Seen once on a busy machine: vng ended within seconds, silently, before
# the kernel could have booted. Once more, verbose, with the first log kept.
if [ ! -s "$results/.rc" ] && [ "$vng_rc" != 124 ] && [ "$secs" -lt 60 ]; then
	mv "$results/vm.log" "$results/vm.log.1"
	say "vng ended after ${secs}s with exit $vng_rc and no result: once more"
	start=$(date +%s)
	boot --verbose
	vng_rc=$?
	secs=$(($(date +%s) - start))
fi
set -e

if [ ! -s "$results/.rc" ]; then
	if [ "$vng_rc" = 124 ]; then
		say "the VM did not finish within ${tmo}s"
	else
		say "the VM gave no exit status (vng exit $vng_rc after ${secs}s)"
	fi
	exit 125
fi
rc=$(cat "$results/.rc")
say "VM done in ${secs}s, guest exit $rc, results in $results"
exit "$rc"
