#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: build vpair and show it working: the seed's bridge
# (examples/demo-bridge.sh, which veth does as well), then the seed's
# section 2 (examples/demo-bypass.sh): the host's device-bound ping that
# veth leaves unanswered, answered over a vpair with loopback_bypass on,
# seen by tcpdump and XDP on its ends. Where the running kernel can load
# modules and has its headers, vpair is installed with DKMS and loaded
# here; elsewhere (a CI runner, a container, a kernel without
# CONFIG_MODULES) Debian's kernel boots in a VM with vpair installed and
# the demo runs there.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cd "$here/.."

say "demo: checking the packages it needs (scripts/deps.sh)"
"$here/deps.sh"

# The XDP program of the bypass demo, built with the selftests' rule.
say "demo: building the XDP counter (selftests/progs/xdp_count.bpf.o)"
run_logged demo-build make -C selftests progs/xdp_count.bpf.o ||
	die "cannot build the XDP program"

kver=$(uname -r)
if [ -e /proc/modules ] && [ -d "/lib/modules/$kver/build" ]; then
	say "demo: this kernel ($kver) loads modules: installing vpair with DKMS"
	run_logged demo-build make KDIR="/lib/modules/$kver/build" ||
		die "build failed"
	run_logged demo-dkms make dkms-install KDIR="/lib/modules/$kver/build" ||
		die "dkms install failed"
	modprobe vpair || die "modprobe vpair failed"
	say "demo: vpair $(modinfo -F version vpair 2>/dev/null) loaded"
	rc=0
	examples/demo-bridge.sh || rc=1
	examples/demo-bypass.sh || rc=1
	exit $rc
fi

say "demo: this kernel ($kver) cannot load modules: the demo runs in a VM"
say "demo: the newest bookworm kernel (cached after the first run)"
abi=$("$here/kernel.sh" fetch bookworm)
kdir=$("$here/kernel.sh" kdir "$abi")
say "demo: building vpair and the ip plugin for $abi"
run_logged demo-build make KDIR="$kdir" || die "build failed"
# KIND=veth make demo: the bridge story on veth, for comparison.
export VPAIR_VM_ENV="KIND PINGS"
say "demo: booting $abi in a VM (TCG, no KVM: the boot takes a while; about a minute in all)"
exec "$here/vm.sh" -k "$abi" -m vpair.ko -- scripts/guest-check.sh demo
