#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: the cost of vpair, measured in one VM run with the module
# installed (scripts/bench-guest.sh inside it). Numbers, not a test: the
# exit status says only whether the measurement ran.
#
#   bench.sh [-k ABI] [-m MODULE.ko] [-- BENCH-GUEST OPTIONS]
#
#   -k ABI      the kernel to boot (default: the newest of $VPAIR_SUITE,
#               bookworm unless set, as `make check` does)
#   -m FILE     the module to install (default: build ./vpair.ko for ABI)
#
# bench-guest.sh options (-r ROUNDS, -t SECONDS, -x, -X ROUNDS, -k KINDS,
# -n) follow "--". The default, 7 rounds of 4 s runs plus 4 rounds of
# vpair vs veth netns to netns (-x: TCP with GRO off and on, UDP, GRO-
# forwarded UDP, XDP_DROP, XDP_TX, XDP_REDIRECT), took 787 s of VM under
# TCG on 2026-12-01 (6.1): about 4 minutes for the lo/bypass rounds, 8
# for -x, a minute per kind and round. `-- -n -x -X 1 -t 3 -k veth`
# measures veth alone in one round, in under a minute after the boot.
# The numbers go to the terminal and to bench.txt in the results folder.
#
# Under TCG every packet is emulated: absolute rates are far below a real
# machine's, and only the ratios, measured side by side, mean something.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cd "$here/.."

abi=
module=
while getopts k:m: opt; do
	case $opt in
	k) abi=$OPTARG ;;
	m) module=$OPTARG ;;
	*) sed -n '/^#   bench.sh/,/^#   -m/p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- -r 7 -t 4 -x

"$here/deps.sh"
[ -n "$abi" ] || abi=$("$here/kernel.sh" fetch "${VPAIR_SUITE:-bookworm}")

if [ -z "$module" ]; then
	kdir=$("$here/kernel.sh" kdir "$abi")
	[ -n "$kdir" ] || die "no headers for $abi"
	say "bench: building vpair and the plugin for $abi"
	run_logged bench-build make KDIR="$kdir" || die "build failed"
	module=vpair.ko
elif [ ! -e iplink-plugin/link_vpair.so ]; then
	# the guest's ip needs it to make a pair (-m skipped the build)
	run_logged bench-plugin make -C iplink-plugin || die "plugin build failed"
fi

# the XDP programs of -x (the guest sees this tree read-only)
run_logged bench-bpf make -C selftests progs/xdp_bench.bpf.o ||
	say "bench: cannot build selftests/progs/xdp_bench.bpf.o: the XDP runs will fail"

mkdir -p "$VPAIR_CACHE/results"
res=$VPAIR_CACHE/results/bench-$(date +%Y%m%d-%H%M%S)
say "bench: booting $abi; results in $res"
rc=0
# The guest's clock: under TCG its kernel finds the two vCPUs' TSCs out
# of step and falls back to the HPET, whose every read is an emulated
# MMIO access: in a profile of 64-byte UDP, read_hpet() took 24 % and 63
# % of the samples in two runs of the same kind (2026-12-02), so the
# clock, not the device, set the rates and their noise. The TSC is read
# without leaving the translated code; tsc=reliable skips the check
# that rejected it. Both kinds run on the same clock.
export VPAIR_VM_APPEND="${VPAIR_VM_APPEND:+$VPAIR_VM_APPEND }tsc=reliable clocksource=tsc"
# The console goes to vm.log there (vm.sh keeps it), not to the terminal.
"$here/vm.sh" -k "$abi" -m "$module" -o "$res" -t 2400 -- \
	scripts/bench-guest.sh "$@" >/dev/null || rc=$?
if [ -s "$res/bench.txt" ]; then
	cat "$res/bench.txt"
else
	say "bench: no results; the end of $res/vm.log:"
	tail -n 20 "$res/vm.log" >&2
fi
exit "$rc"
