#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reproduce, in a guest and without vpair, the crash that made vm.sh run
# TCG with one thread: a static branch in the transmit path flipped over
# and over (each "tc qdisc add/del ... clsact" switches egress_needed_key)
# while both CPUs flood ping over a veth pair.
#
#   VPAIR_TCG_THREAD=multi scripts/vm.sh -s experimental -m none -- \
#           scripts/tcg-int3.sh [SECONDS]
#
# With a thread per vCPU, 6.12, 7.2 and 7.3 guests die within a minute
# ("Oops: int3" in __dev_queue_xmit, the VM ends without a status). With
# one thread it runs to the end and says how many flips it made.

secs=${1:-300}

if lsmod | grep -qw vpair; then
	echo "vpair is loaded: boot with -m none to leave it out" >&2
	exit 1
fi

ip netns add tcg-a && ip netns add tcg-b || exit 1
trap 'kill $(jobs -p) 2>/dev/null; ip netns del tcg-a; ip netns del tcg-b; ip link del tcg-d0' EXIT
ip link add tcg-va netns tcg-a type veth peer name tcg-vb netns tcg-b || exit 1
ip -n tcg-a addr add 192.0.2.1/24 dev tcg-va
ip -n tcg-b addr add 192.0.2.2/24 dev tcg-vb
ip -n tcg-a link set tcg-va up
ip -n tcg-b link set tcg-vb up
ip link add tcg-d0 type dummy && ip link set tcg-d0 up || exit 1
sleep 2

for cpu in 0 1; do
	taskset -c $cpu ip netns exec tcg-a ping -q -f 192.0.2.2 >/dev/null 2>&1 &
	taskset -c $cpu ip netns exec tcg-b ping -q -f 192.0.2.1 >/dev/null 2>&1 &
done

flips=0
end=$((SECONDS + secs))
while ((SECONDS < end)); do
	tc qdisc add dev tcg-d0 clsact && tc qdisc del dev tcg-d0 clsact || exit 1
	flips=$((flips + 2))
done
echo "$flips flips of egress_needed_key in ${secs}s under traffic, the kernel is alive"
