#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Churn: many pairs created and deleted, then namespaces that hold ends
# destroyed, and nothing left behind: no device in any namespace, the
# module's reference count and the kernel's unreclaimable memory back
# where they were.
#
#   same netns     ns0: vpa0 <-> vpb0 ... vpa999 <-> vpb999
#   peer elsewhere ns0: vpa0 ... vpa999  <->  ns1: vpb0 ... vpb999
#   options        the two mixed, all up, hairpin and loopback_bypass
#                  turned on and off on some of them
#   netns del      ends in two namespaces, pairs within each and across,
#                  gone with "ip netns del" of one, then of the other
#
# Memory is /proc/meminfo's SUnreclaim + Percpu, where net devices live,
# after dropping the caches: B before the pairs, P with all of them, A
# after. A case fails when A - B is more than a quarter of P - B: a leak
# of what each pair holds fails, noise does not.
#
# Each batch of commands is one "ip -batch" (a process start costs a good
# part of a second under TCG). The time to create and to delete the first
# and the second half of the pairs is printed, not asserted: bookkeeping
# that walks every device of the namespace on each change shows up as a
# second half slower than the first when creating, and the other way
# round when deleting.

source "$(dirname "$0")"/lib.sh

NR_PAIRS=${NR_PAIRS:-1000}
HALF=$((NR_PAIRS / 2))

############################################################################
# What exists, everywhere

# vpair_links_count NS: the number of $KIND devices in NS ("" for the
# namespace the test runs in) in NR_LINKS.
vpair_links_count()
{
	local out line

	if [ -n "$1" ]; then
		out=$(ip -n "$1" -o link show type "$KIND") || return 1
	else
		out=$(ip -o link show type "$KIND") || return 1
	fi
	NR_LINKS=0
	while read -r line; do
		[[ $line =~ ^[0-9]+: ]] && NR_LINKS=$((NR_LINKS + 1))
	done <<<"$out"
	return 0
}

# links_count_is NS N: for wait_until.
links_count_is()
{
	vpair_links_count "$1" && [ "$NR_LINKS" -eq "$2" ]
}

module_refcnt()
{
	REFCNT=-
	[ -r "/sys/module/$KIND/refcnt" ] && REFCNT=$(<"/sys/module/$KIND/refcnt")
}

############################################################################
# Memory

# mem_now: SUnreclaim + Percpu of /proc/meminfo, in kB, in MEM.
mem_now()
{
	local line sunreclaim=0 percpu=0

	while read -r line; do
		case $line in
		SUnreclaim:*) line=${line#*:}; sunreclaim=${line% kB} ;;
		Percpu:*) line=${line#*:}; percpu=${line% kB} ;;
		esac
	done </proc/meminfo
	MEM=$((sunreclaim + percpu))
}

# mem_settle: MEM once the freeing in flight (RCU callbacks, netns
# cleanup, per-CPU chunk balancing) has had its time: caches dropped and
# empty slabs given back, until two readings a second apart agree within
# 256 kB, 8 readings at most.
mem_settle()
{
	local prev=-1 i f

	for ((i = 0; i < 8; i++)); do
		echo 3 >/proc/sys/vm/drop_caches
		for f in /sys/kernel/slab/*/shrink; do
			echo 1 >"$f"
		done 2>/dev/null
		bsleep 1
		mem_now
		((prev >= 0 && MEM - prev < 256 && prev - MEM < 256)) && return
		prev=$MEM
	done
}

# mem_check B P A: fail when more than a quarter of what the pairs took
# stayed taken.
mem_check()
{
	local b=$1 p=$2 a=$3

	log_info "memory (SUnreclaim+Percpu): before $b kB, with the pairs $p kB, after $a kB"
	((p > b))
	check_err $? "the pairs took no memory ($b kB before, $p kB with them): nothing measured"
	((a - b <= (p - b) / 4))
	check_err $? "$((a - b)) kB of the $((p - b)) kB the pairs took not given back"
}

############################################################################
# Timing

# usec: microseconds since the epoch in USEC, without a fork.
usec()
{
	USEC=${EPOCHREALTIME/./}
}

# timed_batch NS WHAT < COMMANDS: ip -n NS -batch -, its time printed.
timed_batch()
{
	local ns=$1
	local what=$2
	local t0 rc

	usec
	t0=$USEC
	ip -n "$ns" -batch -
	rc=$?
	usec
	log_info "$what: $(((USEC - t0) / 1000)) ms"
	return $rc
}

# add_cmds FROM TO [OPTIONS...]: "link add" lines for pairs FROM..TO-1
# (vpaN, peer vpbN) in CMDS; OPTIONS go after "peer name vpbN".
add_cmds()
{
	local from=$1 to=$2 i opts

	shift 2
	opts=$*
	CMDS=
	for ((i = from; i < to; i++)); do
		CMDS+="link add vpa$i type $KIND$PAIR_OPTS peer name vpb$i${opts:+ $opts}"$'\n'
	done
}

# del_cmds FROM TO: "link del" lines for pairs FROM..TO-1, in CMDS.
del_cmds()
{
	local i

	CMDS=
	for ((i = $1; i < $2; i++)); do
		CMDS+="link del vpa$i"$'\n'
	done
}

############################################################################
# Cases

# churn NAME NS0 NS1: NR_PAIRS pairs, vpaN in NS0 and vpbN in NS1 (the
# same namespace or not), created and deleted half by half with the
# times printed; then nothing is left and the memory came back.
churn()
{
	local what=$1
	local ns_a=$2
	local ns_b=$3
	local peer_opts=() b p a refcnt

	[ "$ns_a" != "$ns_b" ] && peer_opts=(netns "$ns_b")
	module_refcnt
	refcnt=$REFCNT
	mem_settle
	b=$MEM

	add_cmds 0 $HALF "${peer_opts[@]}"
	timed_batch "$ns_a" "$what: create pairs 1-$HALF" <<<"$CMDS"
	check_err $? "creating the first $HALF pairs failed"
	add_cmds $HALF $NR_PAIRS "${peer_opts[@]}"
	timed_batch "$ns_a" "$what: create pairs $((HALF + 1))-$NR_PAIRS" <<<"$CMDS"
	check_err $? "creating the last $((NR_PAIRS - HALF)) pairs failed"
	if [ "$ns_a" = "$ns_b" ]; then
		links_count_is "$ns_a" $((2 * NR_PAIRS))
	else
		links_count_is "$ns_a" $NR_PAIRS && links_count_is "$ns_b" $NR_PAIRS
	fi
	check_err $? "not all $NR_PAIRS pairs are there"
	mem_settle
	p=$MEM

	del_cmds 0 $HALF
	timed_batch "$ns_a" "$what: delete pairs 1-$HALF" <<<"$CMDS"
	check_err $? "deleting the first $HALF pairs failed"
	del_cmds $HALF $NR_PAIRS
	timed_batch "$ns_a" "$what: delete pairs $((HALF + 1))-$NR_PAIRS" <<<"$CMDS"
	check_err $? "deleting the last $((NR_PAIRS - HALF)) pairs failed"

	links_count_is "$ns_a" 0 && links_count_is "$ns_b" 0 && links_count_is "" "$INIT_LINKS"
	check_err $? "$NR_LINKS $KIND devices left after deleting every pair"
	module_refcnt
	[ "$REFCNT" = "$refcnt" ]
	check_err $? "module refcnt $REFCNT, was $refcnt"
	mem_settle
	a=$MEM
	mem_check "$b" "$p" "$a"
}

churn_same_netns()
{
	local variant=$1
	local name="churn: $NR_PAIRS pairs in one netns"

	[ "$variant" = bypass ] && name+=", loopback_bypass on"
	name+=", created and deleted, nothing left"
	setup_ns ns0 || return
	PAIR_OPTS=
	[ "$variant" = bypass ] && PAIR_OPTS=" loopback_bypass on"
	churn "one netns${PAIR_OPTS:+,$PAIR_OPTS}" "$ns0" "$ns0"
	log_test "$name"
}

churn_peer_netns()
{
	local name="churn: $NR_PAIRS pairs, peer in another netns, nothing left"

	setup_ns ns0 ns1 || return
	PAIR_OPTS=
	churn "peer in another netns" "$ns0" "$ns1"
	log_test "$name"
}

# Half the pairs within ns0, half across to ns1, every end up; hairpin
# and loopback_bypass on for some, then off again for some of those, so
# the namespaces' hooks come and go; then all deleted.
churn_options()
{
	local name="churn: $NR_PAIRS pairs up, options toggled, deleted, nothing left"
	local b p a i refcnt cmds0='' cmds1=''

	setup_ns ns0 ns1 || return
	module_refcnt
	refcnt=$REFCNT
	mem_settle
	b=$MEM

	PAIR_OPTS=
	add_cmds 0 $HALF
	cmds0=$CMDS
	add_cmds $HALF $NR_PAIRS netns "$ns1"
	cmds0+=$CMDS
	for ((i = 0; i < NR_PAIRS; i++)); do
		cmds0+="link set vpa$i up"$'\n'
		if ((i < HALF)); then
			cmds0+="link set vpb$i up"$'\n'
		else
			cmds1+="link set vpb$i up"$'\n'
		fi
	done
	timed_batch "$ns0" "options: create $NR_PAIRS pairs, set ends up (ns0)" <<<"$cmds0"
	check_err $? "creating the pairs failed"
	timed_batch "$ns1" "options: set ends up (ns1)" <<<"$cmds1"
	check_err $? "setting the ends in $ns1 up failed"

	# every 3rd pair hairpin on, every 4th loopback_bypass on (from
	# either end); then every 6th and every 8th off again
	cmds0=
	for ((i = 0; i < NR_PAIRS; i++)); do
		((i % 3 == 0)) && cmds0+="link set vpa$i type vpair hairpin on"$'\n'
		((i % 4 == 0)) && cmds0+="link set vpa$i type vpair loopback_bypass on"$'\n'
		((i % 4 == 2 && i < HALF)) &&
			cmds0+="link set vpb$i type vpair loopback_bypass on hairpin on"$'\n'
	done
	for ((i = 0; i < NR_PAIRS; i++)); do
		((i % 6 == 0)) && cmds0+="link set vpa$i type vpair hairpin off"$'\n'
		((i % 8 == 0)) && cmds0+="link set vpa$i type vpair loopback_bypass off"$'\n'
	done
	timed_batch "$ns0" "options: toggle hairpin and loopback_bypass" <<<"$cmds0"
	check_err $? "setting the options failed"
	link_json "$ns0" vpa4 && json_is loopback_bypass true &&
		link_json "$ns0" vpa8 && json_is loopback_bypass false &&
		link_json "$ns0" vpb3 && json_is hairpin true &&
		link_json "$ns0" vpb6 && json_is hairpin false
	check_err $? "the options are not what was set"
	links_count_is "$ns0" $((NR_PAIRS + HALF)) && links_count_is "$ns1" $((NR_PAIRS - HALF))
	check_err $? "not all $NR_PAIRS pairs are there"
	mem_settle
	p=$MEM

	# deleted from either end
	cmds0=
	cmds1=
	for ((i = 0; i < NR_PAIRS; i++)); do
		if ((i % 2)); then
			cmds0+="link del vpa$i"$'\n'
		elif ((i < HALF)); then
			cmds0+="link del vpb$i"$'\n'
		else
			cmds1+="link del vpb$i"$'\n'
		fi
	done
	timed_batch "$ns1" "options: delete the even pairs across through ns1" <<<"$cmds1"
	check_err $? "deleting pairs through $ns1 failed"
	timed_batch "$ns0" "options: delete the others through ns0" <<<"$cmds0"
	check_err $? "deleting pairs through $ns0 failed"

	links_count_is "$ns0" 0 && links_count_is "$ns1" 0 && links_count_is "" "$INIT_LINKS"
	check_err $? "$NR_LINKS $KIND devices left after deleting every pair"
	module_refcnt
	[ "$REFCNT" = "$refcnt" ]
	check_err $? "module refcnt $REFCNT, was $refcnt"
	mem_settle
	a=$MEM
	mem_check "$b" "$p" "$a"

	log_test "$name"
}

# Ends in two namespaces: pairs within ns0, within ns1, from ns0 to ns1
# and from ns1 to ns0, up, some with the options on. "ip netns del" of
# ns0 takes its own pairs and those across; ns1 keeps its own until it
# goes too.
churn_netns_del()
{
	local name="churn: ip netns del with ends inside, ends in two netns, nothing left"
	local q=$((NR_PAIRS / 4)) b p a i refcnt t0 cmds0='' cmds1='' ups0='' ups1=''

	module_refcnt
	refcnt=$REFCNT
	mem_settle
	b=$MEM
	setup_ns ns0 ns1 || return

	for ((i = 0; i < q; i++)); do
		cmds0+="link add vpa$i type $KIND peer name vpb$i"$'\n'
		cmds1+="link add vqa$i type $KIND peer name vqb$i"$'\n'
		cmds0+="link add vxa$i type $KIND peer name vxb$i netns $ns1"$'\n'
		cmds1+="link add vya$i type $KIND peer name vyb$i netns $ns0"$'\n'
	done
	if [ "$KIND" = vpair ]; then
		for ((i = 0; i < q; i += 2)); do
			cmds0+="link set vpa$i type vpair loopback_bypass on hairpin on"$'\n'
			cmds1+="link set vqa$i type vpair loopback_bypass on"$'\n'
			cmds0+="link set vxa$i type vpair loopback_bypass on"$'\n'
		done
	fi
	for ((i = 0; i < q; i++)); do
		ups0+="link set vpa$i up"$'\n'"link set vpb$i up"$'\n'
		ups0+="link set vxa$i up"$'\n'"link set vyb$i up"$'\n'
		ups1+="link set vqa$i up"$'\n'"link set vqb$i up"$'\n'
		ups1+="link set vya$i up"$'\n'"link set vxb$i up"$'\n'
	done
	# ns0's pairs first, then ns1's, whose batch also sets up ns1's ends,
	# then ns0's ends
	timed_batch "$ns0" "netns del: create $((2 * q)) pairs from ns0" <<<"$cmds0"
	check_err $? "creating the pairs from $ns0 failed"
	timed_batch "$ns1" "netns del: create $((2 * q)) pairs from ns1, ends in ns1 up" <<<"$cmds1$ups1"
	check_err $? "creating the pairs from $ns1 failed"
	timed_batch "$ns0" "netns del: ends in ns0 up" <<<"$ups0"
	check_err $? "setting the ends in $ns0 up failed"
	links_count_is "$ns0" $((4 * q)) && links_count_is "$ns1" $((4 * q))
	check_err $? "not all $((4 * q)) pairs are there"
	mem_settle
	p=$MEM

	usec
	t0=$USEC
	ip netns del "$ns0"
	check_err $? "ip netns del $ns0 failed"
	# what went with ns0: the pairs across; ns1 keeps its own
	wait_until "$WAIT_TIMEOUT" links_count_is "$ns1" $((2 * q))
	check_err $? "$ns1 holds $NR_LINKS $KIND devices after ip netns del $ns0, expected $((2 * q))"
	usec
	log_info "netns del: ns0 and the ends across gone in $(((USEC - t0) / 1000)) ms"
	link_gone "$ns1" vxb0 && link_gone "$ns1" vya0 && link_exists "$ns1" vqb0
	check_err $? "$ns1 lost the wrong devices"

	ip netns del "$ns1"
	check_err $? "ip netns del $ns1 failed"
	links_count_is "" "$INIT_LINKS"
	check_err $? "$NR_LINKS $KIND devices left in the test's namespace"
	module_refcnt
	[ "$REFCNT" = "$refcnt" ]
	check_err $? "module refcnt $REFCNT, was $refcnt"
	# the namespaces are dismantled in the background: mem_settle waits
	# until the memory stops moving
	mem_settle
	a=$MEM
	mem_check "$b" "$p" "$a"

	log_test "$name"
}

# Last: nothing of the file's is left in any namespace.
churn_all_gone()
{
	local name="churn: no $KIND device left in any namespace"

	all_links
	[ "$ALL_LINKS" = "$LINKS_BEFORE" ]
	check_err $? "left: $(comm -13 <(echo -n "$LINKS_BEFORE" | sort) <(echo -n "$ALL_LINKS" | sort) | tr '\n' ' ')"

	log_test "$name"
}

require_root
require_cmd ip
require_kind
[ -r /proc/meminfo ] || skip_all "no /proc/meminfo"

all_links
LINKS_BEFORE=$ALL_LINKS
vpair_links_count "" || exit $ksft_fail
INIT_LINKS=$NR_LINKS

if [ "$KIND" = vpair ]; then
	run_test churn_same_netns bypass
else
	log_test_skip "churn: $NR_PAIRS pairs in one netns, loopback_bypass on" \
		"vpair only (KIND=$KIND)"
fi
run_test churn_same_netns plain
run_test churn_peer_netns
if is_vpair "churn: $NR_PAIRS pairs up, options toggled"; then
	run_test churn_options
fi
run_test churn_netns_del
run_test churn_all_gone

exit "$(exit_status)"
