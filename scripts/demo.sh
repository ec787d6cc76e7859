#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: build vpair and show it working with the seed's bridge
# (examples/demo-bridge.sh). Where the running kernel can load modules and
# has its headers, vpair is installed with DKMS and loaded here; elsewhere
# (a CI runner, a container, a kernel without CONFIG_MODULES) Debian's
# kernel boots in a VM with vpair installed and the demo runs there.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cd "$here/.."

"$here/deps.sh"

kver=$(uname -r)
if [ -e /proc/modules ] && [ -d "/lib/modules/$kver/build" ]; then
	say "demo: this kernel ($kver) loads modules: installing vpair with DKMS"
	run_logged demo-build make KDIR="/lib/modules/$kver/build" ||
		die "build failed"
	run_logged demo-dkms make dkms-install KDIR="/lib/modules/$kver/build" ||
		die "dkms install failed"
	modprobe vpair || die "modprobe vpair failed"
	say "demo: vpair $(modinfo -F version vpair 2>/dev/null) loaded"
	exec examples/demo-bridge.sh
fi

say "demo: this kernel ($kver) cannot load modules: the demo runs in a VM"
abi=$("$here/kernel.sh" fetch bookworm)
kdir=$("$here/kernel.sh" kdir "$abi")
say "demo: building vpair for $abi"
run_logged demo-build make KDIR="$kdir" || die "build failed"
# KIND=veth make demo: the same story on veth, for comparison.
export VPAIR_VM_ENV="KIND PINGS"
exec "$here/vm.sh" -k "$abi" -m vpair.ko -- scripts/guest-check.sh demo
