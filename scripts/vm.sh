#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a Debian kernel under virtme-ng (TCG) with vpair installed in it, run
# one command there and return that command's exit status.
#
#   vm.sh [-k ABI] [-m MODULE.ko] [-o RESULTS] [-t SECONDS] [--] COMMAND [ARGS]
#
#   -k ABI       kernel from the cache (default: kernel.sh fetch bookworm)
#   -m FILE      module to install into the guest (default: ./vpair.ko if
#                built; -m none boots without it)
#   -o DIR       results folder, writable from the guest (default: a new
#                one under $VPAIR_CACHE/results); the guest sees it at the same
#                path and as $VPAIR_RESULTS
#   -t SECONDS   give up after this long (default 3600, or $VPAIR_VM_TIMEOUT)
#
# Environment variables named in $VPAIR_VM_ENV are passed into the guest.
#
# The guest sees the host's root read-only over 9p and starts in the current
# directory. The module is *installed* there, not loaded: the kernel tree is
# staged with hard links (cp -al), the module goes to
# lib/modules/<abi>/updates/ and depmod runs, so modprobe and the autoload
# on `ip link add ... type vpair` find it as on a lab host.
#
# vng's own exit status is not trusted (it says little when the guest
# panics or the init fails): the guest writes its command's status into the
# results folder, and no status there is a failure of its own (125).

set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

abi=
module=
results=
tmo=${VPAIR_VM_TIMEOUT:-3600}

while getopts k:m:o:t: opt; do
	case $opt in
	k) abi=$OPTARG ;;
	m) module=$OPTARG ;;
	o) results=$OPTARG ;;
	t) tmo=$OPTARG ;;
	*) sed -n '/^#   vm.sh/,/^#   -t/p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "no command to run in the guest"

command -v vng >/dev/null || die "vng missing: run scripts/deps.sh"

[ -n "$abi" ] || abi=$("$here/kernel.sh" fetch bookworm)
tree=$("$here/kernel.sh" tree "$abi") || exit
vmlinuz=$("$here/kernel.sh" vmlinuz "$abi") || exit

if [ -z "$module" ] && [ -f vpair.ko ]; then
	module=vpair.ko
fi
if [ "$module" = none ]; then
	module=
elif [ -n "$module" ]; then
	[ -f "$module" ] || die "no module $module"
	ko_ver=$(modinfo -F vermagic "$module" | cut -d' ' -f1)
	[ "$ko_ver" = "$abi" ] ||
		die "$module is built for ${ko_ver:-?}, the VM runs $abi"
fi

if [ -z "$results" ]; then
	mkdir -p "$VPAIR_CACHE/results"
	results=$(mktemp -d "$VPAIR_CACHE/results/vm-$(date +%Y%m%d-%H%M%S)-XXXX")
fi
mkdir -p "$results"
results=$(cd "$results" && pwd)
rm -f "$results/.rc"

# A private stage per run: two runs (or two developers) never share one.
mkdir -p "$VPAIR_CACHE/stage"
# Stages of runs that were killed (no EXIT trap on SIGKILL) go after a day.
find "$VPAIR_CACHE/stage" -mindepth 1 -maxdepth 1 -mmin +1440 \
	-exec rm -rf {} + 2>/dev/null
stage=$(mktemp -d "$VPAIR_CACHE/stage/$abi.XXXX")
trap 'rm -rf "$stage"' EXIT
cp -al "$tree/." "$stage/"
# cp -al carries the tree's old date over; without this, the stale-stage
# sweep above would delete a running VM's stage.
touch "$stage"
if [ -n "$module" ]; then
	mkdir -p "$stage/lib/modules/$abi/updates"
	cp "$module" "$stage/lib/modules/$abi/updates/"
fi
# The index files are hard links into the cache: unlink them so depmod
# writes this stage's own.
rm -f "$stage/lib/modules/$abi"/modules.*.bin "$stage/lib/modules/$abi/modules.dep"
run_logged depmod-stage depmod -b "$stage" "$abi" || die "depmod failed"
kimg=$stage${vmlinuz#"$tree"}

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
	printf 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'
	printf 'cd %q || exit 125\n' "$PWD"
	printf '%q ' "$@"
	echo
	printf 'echo $? >%q\n' "$results/.rc"
} >"$guest"

say "booting $abi (TCG) for: $*"
start=$(date +%s)
set +e
# --rwdir GUEST=HOST: the short form checks the guest path relative to the
# current directory and refuses anything outside /tmp-like overlays.
# qemu opens /proc/self/fd/1 and /proc/self/fd/2 anew for the guest's
# consoles: on a regular file that truncates it and writes from offset 0 over
# whatever was there (NUL-filled holes in a log). A pipe has no offset, so
# the output always goes through one, and into vm.log.
timeout -k 30 "$tmo" vng --force-9p --disable-kvm --memory 2G \
	--run "$kimg" --rwdir "$results=$results" \
	--exec "bash $guest" </dev/null 2>&1 | tee "$results/vm.log"
vng_rc=${PIPESTATUS[0]}
set -e
secs=$(($(date +%s) - start))

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
