#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernels under test, one after the other: each built at W=1 with its
# own release's compiler, then sparse and that release's checkpatch.pl
# --strict, optionally DKMS, then booted in a VM running the selftests. A
# kernel that fails is reported by name and the others still run.
# check.sh (`make check`) runs this and makes one report of its results.
#
#   matrix.sh [-s] [-d] [-o DIR] [KERNEL...]
#
#   KERNEL   SUITE (its newest kernel, read from the archive now),
#            SUITE=ABI (pinned, while the archive still has it), an
#            entry bookworm-6.12 or trixie-rt (their own roots), debug
#            (debug-kernel.sh), or all (bookworm bookworm-6.12 trixie
#            trixie-rt sid experimental). Default: $VPAIR_KERNELS, else all.
#   -s       the smoke test (guest-smoke.sh) instead of the whole suite
#            (guest-check.sh)
#   -d       every kernel in its release's Debian root (roots.sh), with
#            the Debian packages: built once per run (deb.sh build, and the
#            older version an upgrade starts from), then per kernel apt
#            install of them in a scratch copy of its root, DKMS building
#            the module there (roots.sh debinstall), and the upgrade and
#            purge test (deb.sh test); the VM runs with what the packages
#            installed (DKMS's module, iproute2-vpair's plugin and man
#            page) and that release's userland. Without -d the host's own
#            release (bookworm) is built and booted with the host's tools,
#            as plain `make check` does.
#   -o DIR   results folder (default: $VPAIR_CACHE/results/matrix-<date>)
#
# With -d, DIR/deb/ holds the packages and build.log; per kernel,
# DIR/<suite>/deb/ holds install.log, what was copied out of the root for
# the VM, upgrade.tap and debtest.log.
# Per kernel, DIR/<suite>/ holds the logs, guest/ (what the VM wrote),
# info (key=value: abi suite gcc ip) and tests.tap: the kernel's tests in
# order, "ok|not ok<TAB>name" a line, "#" lines between. DIR/summary.txt
# has one row per kernel; its last line, printed last, is
# "N passed, N failed, N skipped", counting kernels.

set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)
cd "$repo" || exit 1

# bookworm-6.12: the 6.12 kernel bookworm-security ships beside 6.1;
# trixie-rt: trixie's PREEMPT_RT flavour (see entry_suite in common.sh).
ALL="bookworm bookworm-6.12 trixie trixie-rt sid experimental"

smoke=
dkms=
res=
while getopts sdo: opt; do
	case $opt in
	s) smoke=1 ;;
	d) dkms=1 ;;
	o) res=$OPTARG ;;
	*) sed -n '/^#   matrix.sh/,/^#   -o/p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
# shellcheck disable=SC2206 # a list of words
kernels=(${@:-${VPAIR_KERNELS:-all}})
# shellcheck disable=SC2206
[ "${kernels[*]}" = all ] && kernels=($ALL)

if [ -z "$res" ]; then
	res=$VPAIR_CACHE/results/matrix-$(date +%Y%m%d-%H%M%S)
	ln -sfn "$res" "$VPAIR_CACHE/results/matrix-latest"
fi
mkdir -p "$res"
res=$(cd "$res" && pwd)
export VPAIR_LOGS=$res/logs
host=$(host_codename)
rm -f "$res/summary.tap" "$res/kernels"

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

# result RC NAME: one test of this kernel; RC "skip REASON" skips it.
result()
{
	local rc=$1 name=$2

	case $rc in
	0) echo "ok	$name" ;;
	skip*) echo "ok	$name # SKIP ${rc#skip }" ;;
	*) echo "not ok	$name"; kfail=$((kfail + 1)) ;;
	esac >>"$out/tests.tap"
}

# The test lines of a TAP stream as "ok|not ok<TAB>name", in order; the
# nested output of kselftest's runner is indented or commented, not matched.
tap_lines()
{
	sed -nE 's/^(not ok|ok) [0-9]+ *-? *(.*)$/\1\t\2/p' "$@" 2>/dev/null
}

# The host-built parts the guest runs: the plugin and the selftests (no-ops
# when check.sh has just built them).
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

# checkpatch.pl differs between releases; the same script's verdict on the
# same files is only computed once per run.
declare -A cp_done
checkpatch()
{
	local cp=$1 log=$2 sum

	sum=$(cat "$cp" "${cp%/*}"/spelling.txt "${cp%/*}"/const_structs.checkpatch |
		md5sum | cut -d' ' -f1)
	if [ -z "${cp_done[$sum]:-}" ]; then
		make -s checkpatch CHECKPATCH="$cp" >"$log" 2>&1
		cp_done[$sum]="$?	$log"
	elif [ "${cp_done[$sum]#*	}" != "$log" ]; then
		echo "the same checkpatch.pl as in ${cp_done[$sum]#*	}:" >"$log"
		cat "${cp_done[$sum]#*	}" >>"$log"
	fi
	return "${cp_done[$sum]%%	*}"
}

# The packages, built once per run when the first kernel of a Debian root
# needs them: this tree's version and the older one the upgrade test starts
# from. debs_rc: empty until tried, then 0 or the log to blame.
debs=$res/deb
debs_rc=
t_debs=0
deb_ver=$("$here/deb.sh" version)
deb_prev=$("$here/deb.sh" prev)
build_debs()
{
	rm -rf "$debs"
	mkdir -p "$debs"
	if "$here/deb.sh" build "$debs" >"$debs/build.log" 2>&1 &&
	   "$here/deb.sh" build --version "$deb_prev" "$debs" \
		>>"$debs/build.log" 2>&1; then
		debs_rc=0
	else
		debs_rc=$debs/build.log
	fi
}

# The packages in the root of kernel $suite: apt install (the VM's module,
# plugin and man page come from there), then the upgrade from $deb_prev and
# the purge, whose TAP lines become this kernel's. Sets dk (the summary's
# column), t_deb, t_upgrade, and pkg (the folder for the guest) when the
# install worked.
deb_tests()
{
	local d=$out/deb arch n_before rc

	arch=$(dpkg --print-architecture)
	mkdir -p "$d"
	if [ -z "$debs_rc" ]; then
		timed t_debs build_debs
		if [ "$debs_rc" = 0 ]; then
			say "matrix: packages $deb_ver and $deb_prev built in ${t_debs}s ($debs)"
		else
			say "matrix: the packages did not build (${t_debs}s, see $debs_rc)"
		fi
	fi
	if [ "$debs_rc" != 0 ]; then
		result 1 "deb: apt install vpair-dkms and iproute2-vpair $deb_ver (the packages did not build: see $debs_rc)"
		result 1 "deb: upgrade from $deb_prev, purge (the packages did not build: see $debs_rc)"
		dk=FAILED
		return
	fi

	timed t_deb "$here/roots.sh" debinstall "$suite" "$debs" "$deb_ver" "$d"
	rc=$?
	result $rc "deb: apt install ./vpair-dkms_${deb_ver}_all.deb ./iproute2-vpair_${deb_ver}_$arch.deb, DKMS builds vpair for $abi$([ $rc = 0 ] || echo " (see $d/install.log)")"
	if [ $rc = 0 ]; then
		dk=ok
		pkg=$d
	else
		dk=FAILED
	fi

	n_before=$kfail
	timed t_upgrade "$here/deb.sh" test "$suite" "$debs" \
		>"$d/upgrade.tap" 2>"$d/upgrade.err"
	rc=$?
	mv "$debs/debtest.log" "$d/debtest.log" 2>/dev/null
	tap_lines "$d/upgrade.tap" |
		sed "s|\t|\tdeb: $deb_prev -> $deb_ver -> purge: |" >>"$out/tests.tap"
	kfail=$((kfail + $(tap_lines "$d/upgrade.tap" | grep -c '^not ok')))
	if ! grep -q '^1\.\.[1-9]' "$d/upgrade.tap" ||
	   { [ $rc != 0 ] && ! grep -q '^not ok' "$d/upgrade.tap"; }; then
		result 1 "deb: the upgrade and purge test ended early, exit $rc (see $d/upgrade.err, $d/debtest.log)"
	fi
	if [ "$kfail" != "$n_before" ] && [ "$dk" = ok ]; then
		dk="$((kfail - n_before)) failed"
	fi
}

# VPAIR_DEADLINE (seconds since the epoch; .ci/run sets it from CI's 90
# minutes): the matrix plans against it instead of being cut off by it.
# Each stock kernel's VM gets at most an even share of what is left, over
# it and the stock kernels after it (the debug kernel, when listed, runs
# on what they leave); the guest's tests start files until that share
# less VPAIR_VM_SLACK (default 420 s: a file running past the budget,
# run_tests.sh's TIME_GRACE of 300 s, and the checks after the suite)
# has gone since the VM started (VPAIR_VM_BUDGET, guest-check.sh), so a
# slow machine ends with SKIPs that say so rather than a VM killed
# without its report. A kernel whose turn comes with less than
# VPAIR_VM_SLACK plus 300 s left, or the debug kernel with less than its
# VM timeout, is a SKIP.
deadline=${VPAIR_DEADLINE:-}
vm_slack=${VPAIR_VM_SLACK:-420}

# time_left: seconds until the deadline.
time_left()
{
	echo $((deadline - $(date +%s)))
}

# stock_after I: how many stock kernels the list has after its entry I.
stock_after()
{
	local j c=0

	for ((j = $1 + 1; j < ${#kernels[@]}; j++)); do
		[ "${kernels[j]%%=*}" = debug ] || c=$((c + 1))
	done
	echo $c
}

n=0 pass=0 fail=0 skip=0
rows=()
for ki in "${!kernels[@]}"; do
	k=${kernels[ki]}
	suite=${k%%=*}
	pin=
	[ "$k" != "$suite" ] && pin=${k#*=}
	out=$res/$suite
	rm -rf "$out"
	mkdir -p "$out"
	echo "$suite" >>"$res/kernels"
	n=$((n + 1))
	kfail=0
	t_root=0 t_build=0 t_deb=0 t_upgrade=0 t_vm=0
	pkg=
	abi='?' build=- sparse=- cpatch=- dk=- tests=- problem=
	ko=$out/vpair.ko
	use_root=1
	[ "$suite" = "$host" ] && [ -z "$dkms" ] && use_root=
	debug=
	[ "$suite" = debug ] && debug=1 && use_root=
	kskip=

	say "matrix: $k"
	# The debug kernel: built once (about 40 minutes), then cached;
	# VPAIR_DEBUG=cached (CI) runs it only when it is cached.
	if [ -n "$debug" ] && [ "${VPAIR_DEBUG:-}" = cached ] &&
	   ! "$here/debug-kernel.sh" cached >"$out/root.log" 2>&1; then
		kskip="the debug kernel is not cached (make check KERNELS=debug builds it)"
	elif [ -n "$deadline" ]; then
		left=$(time_left)
		if [ -n "$debug" ]; then
			need=${VPAIR_DEBUG_VM_TIMEOUT:-14400}
		else
			need=$((vm_slack + 300))
		fi
		((left >= need)) ||
			kskip="the run's deadline is ${left}s away, this kernel needs ${need}s (VPAIR_DEADLINE)"
	fi
	if [ -n "$kskip" ]; then
		: # nothing to set up
	elif [ -n "$debug" ]; then
		dsuite=$("$here/debug-kernel.sh" suite)
		if timed t_root "$here/debug-kernel.sh" ensure \
			>>"$out/root.log" 2>&1; then
			abi=$(tail -n 1 "$out/root.log")
			{
				echo "abi=$abi"
				echo "suite=debug"
				sed -n '/^gcc=/p' "$("$here/roots.sh" path "$dsuite")/etc/vpair-root"
				echo "ip=$(ip -V)"
				echo "tools=the host's"
			} >"$out/info"
		else
			problem="no debug kernel (see $out/root.log)"
		fi
	elif [ -n "$use_root" ]; then
		if timed t_root "$here/roots.sh" ensure "$suite" ${pin:+"$pin"} \
			>"$out/root.log" 2>&1; then
			abi=$(tail -n 1 "$out/root.log")
			sed -n '/^\(abi\|suite\|gcc\|ip\)=/p' \
				"$("$here/roots.sh" path "$suite")/etc/vpair-root" \
				>"$out/info"
		else
			problem="no $suite root (see $out/root.log)"
		fi
	else
		if timed t_root "$here/kernel.sh" fetch "$suite" \
			>"$out/root.log" 2>&1; then
			abi=$(tail -n 1 "$out/root.log")
			[ -z "$pin" ] || [ "$pin" = "$abi" ] ||
				problem="$pin pinned, the archive has $abi"
			{
				echo "abi=$abi"
				echo "suite=$suite"
				echo "gcc=$(gcc -dumpfullversion)"
				echo "ip=$(ip -V)"
				echo "tools=the host's"
			} >"$out/info"
		else
			problem="cannot fetch the $suite kernel (see $out/root.log)"
		fi
	fi
	if [ -n "$kskip" ]; then
		result "skip $kskip" "setup: $([ -n "$debug" ] && echo "debug kernel" || echo "kernel $suite")"
		problem=$kskip
	elif [ -n "$problem" ]; then
		result 1 "setup: $problem"
	else
		echo "# kernel $abi ($suite$([ -z "$use_root" ] && echo ", host's tools")): gcc $(sed -n 's/^gcc=//p' "$out/info"), $(sed -n 's/^ip=ip utility, //p' "$out/info")" \
			>>"$out/tests.tap"
	fi

	if [ -z "$problem" ]; then
		if [ -n "$debug" ]; then
			timed t_build "$here/roots.sh" build "$dsuite" "$out" \
				"$("$here/debug-kernel.sh" dir)"
		elif [ -n "$use_root" ]; then
			timed t_build "$here/roots.sh" build "$suite" "$out"
		else
			timed t_build build_on_host "$("$here/kernel.sh" kdir "$abi")" "$out"
		fi
		rc=$?
		build="$(warnings "$out/build.log") warnings"
		sparse="$(warnings "$out/sparse.log") warnings"
		[ $rc = 1 ] && build=FAILED
		[ $rc = 2 ] && sparse=FAILED
		result "$([ "$build" = "0 warnings" ]; echo $?)" \
			"build: vpair.ko for $abi, W=1, no warnings"
		if [ $rc = 1 ]; then
			sparse=-
			result "skip the module does not build" "lint: sparse (C=2), no warnings"
			problem="the module does not build (see $out/build.log)"
		else
			result "$([ "$sparse" = "0 warnings" ]; echo $?)" \
				"lint: sparse (C=2), no warnings"
		fi

		if [ -n "$debug" ]; then
			cp=$("$here/kernel.sh" checkpatch "$dsuite" "$abi" 2>"$out/checkpatch.log")
		elif [ -n "$use_root" ]; then
			cp=$("$here/kernel.sh" checkpatch "$suite" "$abi" 2>"$out/checkpatch.log")
		else
			cp=$("$here/ksft-headers.sh" checkpatch 2>"$out/checkpatch.log")
		fi
		src=${cp%/scripts/checkpatch.pl}
		src=${src##*/}
		if [ -n "$cp" ] && checkpatch "$cp" "$out/checkpatch.log"; then
			cpatch=ok
		else
			cpatch=FAILED
		fi
		result "$([ $cpatch = ok ]; echo $?)" \
			"lint: checkpatch.pl --strict of ${src:-?} on kmod/ and include/"
	fi

	# The packages replace `roots.sh dkms` here: vpair-dkms's postinst
	# runs dkms add, build and install with the same dkms.conf and
	# sources, as a lab host does. When they fail, the VM still runs,
	# with the module built in the root and the tree's plugin, so that
	# the suite's verdict is not lost to a packaging bug.
	if [ -z "$problem" ] && [ -n "$dkms" ] && [ -n "$debug" ]; then
		result "skip a kernel built here has no Debian headers package" \
			"deb: packages and DKMS for $abi"
	elif [ -z "$problem" ] && [ -n "$dkms" ]; then
		deb_tests
		if [ -n "$pkg" ]; then
			ko=$(ls "$pkg"/vpair.ko* | head -n 1)
		else
			echo "# the VM runs the module built in the root and the tree's plugin: the packages did not install" \
				>>"$out/tests.tap"
		fi
	fi

	# The VM runs unless there is no module to run: lint findings are
	# reported, and the tests still tell whether the kernel works.
	if [ -z "$problem" ]; then
		if [ -n "$smoke" ]; then
			cmd=(scripts/guest-smoke.sh)
			taps=("$out/guest/smoke.tap")
		else
			cmd=(scripts/guest-check.sh)
			taps=("$out/guest/module.tap" "$out/guest/selftests.tap")
			[ -n "$pkg" ] && taps=("$out/guest/package.tap" "${taps[@]}")
		fi
		if [ -n "$use_root" ]; then
			vm=(-s "$suite")
		else
			vm=(-k "$abi")
		fi
		vmenv=(env)
		passenv=${VPAIR_VM_ENV:-}
		# What the packages installed, in the results folder the
		# guest sees; guest-check.sh unpacks it onto the guest's /.
		if [ -n "$pkg" ] && [ -z "$smoke" ]; then
			rm -rf "$out/guest/package"
			mkdir -p "$out/guest/package"
			cp "$pkg"/iproute2-vpair.* "$pkg/version" "$out/guest/package/"
			vmenv+=(VPAIR_PACKAGE="$out/guest/package")
			passenv+=" VPAIR_PACKAGE"
		fi
		# PREEMPT_RT under TCG makes and removes links slowly:
		# vpair_churn.sh's 1000-pair cases ran past the 600 s a file
		# gets elsewhere (617 s alone, 2026-12-02). A file gets
		# twice that there, or VPAIR_RT_TEST_TIMEOUT.
		case $suite in
		*-rt)
			vmenv+=(TEST_TIMEOUT="${VPAIR_RT_TEST_TIMEOUT:-1200}")
			passenv+=" TEST_TIMEOUT"
			;;
		esac
		# VPAIR_SKIP_TESTS_<suite> (a '-' in the suite's name as
		# '_'): test files this kernel's run leaves out, each
		# reported as a SKIP (run_tests.sh's SKIP_TESTS).
		skipvar=VPAIR_SKIP_TESTS_${suite//-/_}
		if [ -n "${!skipvar:-}" ]; then
			vmenv+=(SKIP_TESTS="${!skipvar}")
			passenv+=" SKIP_TESTS"
		fi
		# VPAIR_TEST_ORDER_<suite>=reverse: its files last to first.
		ordervar=VPAIR_TEST_ORDER_${suite//-/_}
		if [ -n "${!ordervar:-}" ]; then
			vmenv+=(TEST_ORDER="${!ordervar}")
			passenv+=" TEST_ORDER"
		fi
		if [ -n "$debug" ]; then
			# 15-50x slower than a stock kernel under TCG, a
			# kmemleak scan of ~40 s after each file.
			# VPAIR_DEBUG_TESTS: only those test files. No udevd
			# (vm.sh): with all its rules, and on a loaded host
			# even with one, coldplug outlasted `udevadm settle`
			# and the boot failed.
			tmo=${VPAIR_DEBUG_VM_TIMEOUT:-14400}
			vmenv=(env VPAIR_VM_UDEV=none
				TEST_TIMEOUT="${VPAIR_DEBUG_TEST_TIMEOUT:-3600}"
				VPAIR_TESTS="${VPAIR_DEBUG_TESTS:-}")
			passenv="${VPAIR_VM_ENV:-} TEST_TIMEOUT VPAIR_TESTS"
		else
			tmo=${VPAIR_VM_TIMEOUT:-3600}
		fi
		# The deadline's share (see above), and the tests' budget:
		# guest-check.sh takes the boot's time off it.
		if [ -n "$deadline" ]; then
			left=$(($(time_left) - 60))
			[ -n "$debug" ] || left=$((left / (1 + $(stock_after "$ki"))))
			((left < tmo)) && tmo=$left
			vmenv+=(VPAIR_VM_BUDGET=$((tmo - vm_slack)))
			passenv+=" VPAIR_VM_BUDGET"
			say "matrix: $k: the VM gets ${tmo}s, its tests start until $((tmo - vm_slack))s (VPAIR_DEADLINE)"
		fi
		vmenv+=(VPAIR_VM_ENV="$passenv" VPAIR_VM_TIMEOUT="$tmo")
		timed t_vm "${vmenv[@]}" "$here/vm.sh" "${vm[@]}" -m "$ko" -o "$out/guest" \
			-- "${cmd[@]}" >"$out/vm.log" 2>&1
		rc=$?
		echo "# guest: $(basename "${cmd[0]}") in a VM running $abi" >>"$out/tests.tap"
		tap_lines "${taps[@]}" >>"$out/tests.tap"
		tests=$(tap_lines "${taps[@]}" | awk -F'\t' '
			$1 != "ok" { f++; next }
			tolower($2) ~ /# *skip/ { s++; next }
			{ p++ }
			END { printf "%d passed, %d failed, %d skipped", p, f, s }')
		kfail=$((kfail + $(tap_lines "${taps[@]}" | grep -c '^not ok')))
		# The last line of the tests' own: make adds one of its own
		# ("make: *** ... Error 1") when a test failed.
		last=$(grep -Ev '^make(\[[0-9]+\])?: ' "${taps[-1]}" 2>/dev/null | tail -n 1)
		# The guest's exit status and its TAP must tell the same story.
		vm_problem=
		if [ $rc = 125 ]; then
			vm_problem="the VM gave no exit status: $(cat "$out/guest/no-status.txt" 2>/dev/null ||
				grep '^vpair: error' "$out/vm.log" | tail -n 1)"
		elif [ ! -s "${taps[-1]}" ]; then
			vm_problem="the guest wrote no TAP output (exit $rc)"
		elif ! grep -Eq '^#? *[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<<"$last"; then
			vm_problem="the tests ended without their summary line (exit $rc): $last"
		elif [ $rc != 0 ] && ! grep -q '^not ok' "${taps[@]}"; then
			vm_problem="the guest exited $rc with no failed test"
		fi
		if [ -z "$vm_problem" ] && [ -n "$pkg" ] && [ -z "$smoke" ] &&
		   ! tap_lines "$out/guest/package.tap" | grep -q .; then
			vm_problem="the guest wrote no package test lines (guest/package.tap)"
		fi
		if [ -n "$vm_problem" ]; then
			result 1 "vm: $vm_problem"
			# The kernel's last words (vm.sh picked them from
			# guest/console.log), for the report.
			[ $rc = 125 ] && grep '^vpair:   ' "$out/vm.log" |
				sed 's/^vpair:   /# console: /' >>"$out/tests.tap"
			tests="$tests, no summary"
		fi
	fi

	if [ -n "$kskip" ]; then
		skip=$((skip + 1))
		echo "ok $n $suite # SKIP $kskip"
	elif [ "$kfail" = 0 ] && [ -z "$problem" ]; then
		pass=$((pass + 1))
		echo "ok $n $suite $abi"
	else
		fail=$((fail + 1))
		problem=${problem:-"$kfail failed (build $build, sparse $sparse, checkpatch $cpatch, deb $dk; tests $tests)"}
		echo "not ok $n $suite $abi # $problem"
	fi >>"$res/summary.tap"
	rows+=("$(printf '%-22s %-12s %-7s %-16s %-12s %-12s %-6s %-8s %-34s %s' \
		"$abi" "$suite" "$(sed -n 's/^gcc=//p' "$out/info" 2>/dev/null)" \
		"$(sed -n 's/^ip=ip utility, iproute2-\([^,]*\).*/\1/p' "$out/info" 2>/dev/null)" \
		"$build" "$sparse" "$cpatch" "$dk" "$tests" \
		"$t_root/$t_build/$t_deb/$t_upgrade/$t_vm")")
	say "matrix: $k: ${problem:-ok} (root ${t_root}s, build ${t_build}s, deb install ${t_deb}s, upgrade/purge ${t_upgrade}s, vm ${t_vm}s)"
done

{
	echo "# vpair kernel matrix, $(date -u +%Y-%m-%d), $([ -n "$smoke" ] && echo smoke test || echo selftests)"
	printf '# %-22s %-12s %-7s %-16s %-12s %-12s %-6s %-8s %-34s %s\n' kernel suite gcc ip \
		build sparse cpatch deb tests "seconds root/build/deb/upgrade/vm"
	for r in "${rows[@]}"; do
		echo "# $r"
	done
	if [ -n "$debs_rc" ]; then
		echo "# packages $deb_ver and $deb_prev: $([ "$debs_rc" = 0 ] && echo built || echo FAILED) in ${t_debs}s ($([ "$debs_rc" = 0 ] && echo "$debs" || echo "see $debs_rc"))"
	fi
	echo "1..$n"
	cat "$res/summary.tap"
	echo "# results: $res"
	echo "$pass passed, $fail failed, $skip skipped"
} >"$res/summary.txt"
cat "$res/summary.txt"
[ "$fail" = 0 ]
