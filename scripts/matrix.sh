#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every Debian kernel vpair supports, one after the other: built with its
# own release's compiler (W=1, then sparse), optionally through DKMS, then
# booted in a VM with its own release's userland running the selftests.
# A kernel that fails is reported by name and the others still run.
#
#   matrix.sh [-s] [-d] [KERNEL...]
#
#   KERNEL   SUITE (its newest kernel, read from the archive now) or
#            SUITE=ABI (pinned, while the archive still has it). Default:
#            $VPAIR_KERNELS, else "bookworm trixie sid experimental".
#   -s       the smoke test (guest-smoke.sh) instead of the whole suite
#            (guest-check.sh)
#   -d       also DKMS: dkms add/build/install in the release's root, and
#            the VM runs the module DKMS installed
#
# The host's own release (bookworm) is built and booted with the host's
# tools, as check.sh does, unless -d asks for its root; the others use
# roots.sh's Debian roots. Results: $VPAIR_CACHE/results/matrix-<date>/
# (one folder per kernel, summary.txt); the last line printed is
# "N passed, N failed, N skipped", counting kernels.

set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)
cd "$repo" || exit 1

smoke=
dkms=
while getopts sd opt; do
	case $opt in
	s) smoke=1 ;;
	d) dkms=1 ;;
	*) sed -n '/^#   matrix.sh/,/^#   -d/p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
# shellcheck disable=SC2206 # a list of words
kernels=(${@:-${VPAIR_KERNELS:-bookworm trixie sid experimental}})

res=$VPAIR_CACHE/results/matrix-$(date +%Y%m%d-%H%M%S)
mkdir -p "$res"
ln -sfn "$res" "$VPAIR_CACHE/results/matrix-latest"
export VPAIR_LOGS=$res/logs
host=$(host_codename)

# Kbuild and sparse warnings look like "file:line:col: warning: text".
warnings()
{
	grep -cE ':[0-9]+(:[0-9]+)?: (warning|error):|^(WARNING|ERROR):' "$1" 2>/dev/null
}

# timed VAR CMD...: run CMD, its seconds in VAR.
timed()
{
	local var=$1 start rc
	shift
	start=$(date +%s)
	"$@"
	rc=$?
	printf -v "$var" '%s' "$(($(date +%s) - start))"
	return $rc
}

# The host-built parts the guest runs: the plugin and the selftests.
if ! make -s plugin >"$res/plugin.log" 2>&1; then
	say "matrix: the plugin does not build (see $res/plugin.log)"
fi
if [ -z "$smoke" ] && ! make -s -C selftests >"$res/selftests.log" 2>&1; then
	say "matrix: the selftests do not build (see $res/selftests.log)"
fi

build_on_host()
{
	local kdir=$1 out=$2 b rc=0

	b=$(mktemp -d /tmp/vpair-build.XXXX)
	cp -r Kbuild kmod include "$b/"
	rm -f "$b"/kmod/*.o "$b"/kmod/.*.cmd
	make -C "$kdir" M="$b" W=1 modules >"$out/build.log" 2>&1 || rc=1
	if [ $rc = 0 ]; then
		cp "$b/vpair.ko" "$out/"
		make -C "$kdir" M="$b" W=1 C=2 modules >"$out/sparse.log" 2>&1 ||
			rc=2
	fi
	rm -rf "$b"
	return $rc
}

n=0 pass=0 fail=0
rows=()
for k in "${kernels[@]}"; do
	suite=${k%%=*}
	pin=
	[ "$k" != "$suite" ] && pin=${k#*=}
	out=$res/$suite
	mkdir -p "$out"
	n=$((n + 1))
	t_root=0 t_build=0 t_dkms=0 t_vm=0
	abi='?' build=- sparse=- dk=- tests=- problem=
	ko=$out/vpair.ko
	use_root=1
	[ "$suite" = "$host" ] && [ -z "$dkms" ] && use_root=

	say "matrix: $k"
	if [ -n "$use_root" ]; then
		if timed t_root "$here/roots.sh" ensure "$suite" $pin \
			>"$out/root.log" 2>&1; then
			abi=$(tail -n 1 "$out/root.log")
		else
			problem="no $suite root (see $out/root.log)"
		fi
	else
		if timed t_root "$here/kernel.sh" fetch "$suite" \
			>"$out/root.log" 2>&1; then
			abi=$(tail -n 1 "$out/root.log")
			[ -z "$pin" ] || [ "$pin" = "$abi" ] ||
				problem="$pin pinned, the archive has $abi"
		else
			problem="cannot fetch the $suite kernel (see $out/root.log)"
		fi
	fi

	if [ -z "$problem" ]; then
		if [ -n "$use_root" ]; then
			timed t_build "$here/roots.sh" build "$suite" "$out"
		else
			timed t_build build_on_host "$("$here/kernel.sh" kdir "$abi")" "$out"
		fi
		rc=$?
		build="$(warnings "$out/build.log") warnings"
		sparse="$(warnings "$out/sparse.log") warnings"
		if [ $rc = 1 ]; then
			build=FAILED
			problem="the module does not build (see $out/build.log)"
		elif [ $rc = 2 ]; then
			sparse=FAILED
		fi
		[ "$build" = "0 warnings" ] && [ "$sparse" = "0 warnings" ] ||
			problem=${problem:-"build: $build, sparse: $sparse"}
	fi

	if [ -z "$problem" ] && [ -n "$dkms" ]; then
		if timed t_dkms "$here/roots.sh" dkms "$suite" "$out/dkms"; then
			dk=ok
			ko=$(ls "$out"/dkms/vpair.ko* | head -n 1)
		else
			dk=FAILED
			problem="DKMS failed (see $out/dkms/dkms.log)"
		fi
	fi

	if [ -z "$problem" ] || [[ $problem == build:* ]]; then
		if [ -n "$smoke" ]; then
			cmd=(scripts/guest-smoke.sh)
			tap=$out/guest/smoke.tap
		else
			cmd=(scripts/guest-check.sh)
			tap=$out/guest/selftests.tap
		fi
		if [ -n "$use_root" ]; then
			timed t_vm "$here/vm-root.sh" -s "$suite" -m "$ko" \
				-o "$out/guest" -- "${cmd[@]}" >"$out/vm.log" 2>&1
		else
			timed t_vm "$here/vm.sh" -k "$abi" -m "$ko" \
				-o "$out/guest" -- "${cmd[@]}" >"$out/vm.log" 2>&1
		fi
		rc=$?
		tests=$(grep -Eo '[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' \
			"$tap" 2>/dev/null | tail -n 1)
		if [ $rc = 125 ] || [ -z "$tests" ]; then
			tests="no results"
			problem=${problem:-"the VM gave no results (see $out/vm.log)"}
		elif [ $rc != 0 ]; then
			problem=${problem:-"tests failed: $tests"}
		fi
	fi

	if [ -z "$problem" ]; then
		pass=$((pass + 1))
		echo "ok $n $suite $abi"
	else
		fail=$((fail + 1))
		echo "not ok $n $suite $abi # $problem"
	fi >>"$res/summary.tap"
	rows+=("$(printf '%-22s %-12s %-12s %-12s %-6s %-34s %s' "$abi" "$suite" \
		"$build" "$sparse" "$dk" "$tests" \
		"$t_root/$t_build/$t_dkms/$t_vm")")
	say "matrix: $k: ${problem:-ok} (root ${t_root}s, build ${t_build}s, dkms ${t_dkms}s, vm ${t_vm}s)"
done

{
	echo "# vpair kernel matrix, $(date -u +%Y-%m-%d), $([ -n "$smoke" ] && echo smoke test || echo selftests)"
	printf '# %-22s %-12s %-12s %-12s %-6s %-34s %s\n' kernel suite build sparse dkms tests \
		"seconds root/build/dkms/vm"
	for r in "${rows[@]}"; do
		echo "# $r"
	done
	echo "1..$n"
	cat "$res/summary.tap"
	echo "# results: $res"
	echo "$pass passed, $fail failed, 0 skipped"
} >"$res/summary.txt"
cat "$res/summary.txt"
[ "$fail" = 0 ]
