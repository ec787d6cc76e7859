#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of the time budget that keeps CI inside its 90 minutes
# (VPAIR_DEADLINE, matrix.sh; TIME_BUDGET, selftests/run_tests.sh): what
# a slow machine would show, in seconds and without a VM. TAP on stdout.
#
#   budget-test.sh
#
# run_tests.sh runs as nobody in a scratch folder of stand-in test files,
# so it writes nothing to the host's kernel log; matrix.sh is given a
# deadline too close for a kernel, so it neither fetches nor boots one.

set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

n=0
failed=0
tap()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
		[ -z "${3:-}" ] || sed 's/^/# /' <<<"$3" | head -n 30
	fi
}

tmp=$(mktemp -d /tmp/vpair-budget.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp "$repo/selftests/run_tests.sh" "$tmp/"
# stand-ins: one quick file, one that outlasts the budget with its cases
# passing so far, one that outlasts it after a failed case
cat >"$tmp/quick.sh" <<'EOF'
#!/bin/bash
printf 'TEST: %-20s [ OK ]\n' quick
EOF
cp "$tmp/quick.sh" "$tmp/quick2.sh"
cat >"$tmp/slow.sh" <<'EOF'
#!/bin/bash
printf 'TEST: %-20s [ OK ]\n' first
sleep 60
printf 'TEST: %-20s [ OK ]\n' second
EOF
cat >"$tmp/slow_fail.sh" <<'EOF'
#!/bin/bash
printf 'TEST: %-20s [FAIL]\n' first
sleep 60
EOF
chmod 755 "$tmp"/*.sh

# run_tests BUDGET GRACE FILE...: run_tests.sh's output as nobody in OUT
run_tests()
{
	local budget=$1 grace=$2
	shift 2
	OUT=$(cd "$tmp" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		env TIME_BUDGET="$budget" TIME_GRACE="$grace" ./run_tests.sh "$@" 2>&1)
}

echo "TAP version 13"
echo "1..6"

run_tests 2 2 quick.sh slow.sh quick.sh
grep -q '^ok 1 selftests: vpair: quick.sh$' <<<"$OUT" &&
	grep -Eq "^ok 2 selftests: vpair: slow.sh # SKIP cut short after [0-9]+ s: the run's time budget of 2 s ran out, no case had failed \(1 passed\)$" <<<"$OUT"
tap $? "budget: a file the budget stops, its cases passing so far, is a SKIP that says so" "$OUT"
grep -Eq "^ok 3 selftests: vpair: quick.sh # SKIP not started: the run's time budget of 2 s is spent" <<<"$OUT" &&
	grep -q '^1 passed, 0 failed, 3 skipped$' <<<"$OUT"
tap $? "budget: no file starts once the budget is spent; each is a SKIP, none a pass" "$OUT"

run_tests 2 2 slow_fail.sh
grep -Eq '^not ok 1 selftests: vpair: slow_fail.sh # TIMEOUT [0-9]+ seconds$' <<<"$OUT" &&
	grep -q '^0 passed, 1 failed, 1 skipped$' <<<"$OUT"
tap $? "budget: a file the budget stops after a failed case fails" "$OUT"

run_tests "" 2 quick.sh
grep -q '^ok 1 selftests: vpair: quick.sh$' <<<"$OUT" && ! grep -q 'budget' <<<"$OUT"
tap $? "budget: without TIME_BUDGET run_tests.sh has none" "$OUT"

OUT=$(cd "$tmp" && setpriv --reuid=65534 --regid=65534 --clear-groups \
	env TEST_ORDER=reverse ./run_tests.sh quick.sh quick2.sh 2>&1 |
	grep '^# selftests: vpair: ' | tr '\n' ' ')
[ "$OUT" = "# selftests: vpair: quick2.sh # selftests: vpair: quick.sh # selftests: vpair: kernel log " ]
tap $? "order: TEST_ORDER=reverse runs the files last to first" "$OUT"

# A deadline 100 s away: too close for any kernel (VPAIR_VM_SLACK + 300).
mkdir -p "$tmp/matrix"
OUT=$(VPAIR_CACHE=$tmp/cache VPAIR_DEADLINE=$(($(date +%s) + 100)) \
	timeout 120 "$here/matrix.sh" -s -o "$tmp/matrix" bookworm 2>&1)
grep -Eq "^ok 1 bookworm # SKIP the run's deadline is [0-9]+s away, this kernel needs 720s" <<<"$OUT" &&
	grep -q '^0 passed, 0 failed, 1 skipped$' <<<"$OUT" &&
	[ ! -e "$tmp/matrix/bookworm/guest" ] && [ ! -s "$tmp/matrix/bookworm/root.log" ]
tap $? "deadline: a kernel whose turn comes too late is a SKIP that says so, nothing fetched or booted" "$OUT"

echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
