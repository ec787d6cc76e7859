#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing vpair needs on a Debian bookworm machine.
# Idempotent: when everything is there it costs one dpkg-query per package and
# prints nothing. virtme-ng comes from trixie (bookworm has none): its .deb is
# Architecture: all and its dependencies resolve on bookworm, so we fetch it
# through a private apt configuration and let the system's apt install it.

set -eu
. "$(dirname "$0")/common.sh"

# Build: the module (headers, gcc), the plugin (libmnl, pkg-config), the C and
# BPF selftests (clang, llvm, libbpf), lint (sparse; checkpatch.pl is perl and
# comes from linux-source with ksft-headers.sh).
# VM: qemu (TCG), udev (without it vng garbles the guest's output and exit
# status), mmdebstrap for the per-release roots of later kernels, dkms.
# Guest tools: the guest runs the host's userland over 9p, so whatever a
# test calls must be installed here. Recommends are not installed: each
# package needed is named (openssl: dkms signs modules with it; mount:
# mmdebstrap's roots).
PKGS="
	build-essential linux-headers-amd64 linux-source-6.1 libmnl-dev
	pkg-config clang llvm libbpf-dev sparse perl xz-utils
	qemu-system-x86 udev mmdebstrap mount dkms openssl kmod
	busybox-static file
	python3 python3-argcomplete python3-requests python3-pkg-resources
	iproute2 iputils-ping ethtool tcpdump iptables iperf3 socat procps
	psmisc jq util-linux bpftool
"

# shellcheck disable=SC2086 # one word per package
missing=$(pkg_missing $PKGS)
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	apt_install $missing
fi

if [ -n "$(pkg_missing virtme-ng)" ]; then
	need_root "installing virtme-ng"
	suite_update trixie
	dir=$(suite_dir trixie)/archives
	if ! compgen -G "$dir/virtme-ng_*_all.deb" >/dev/null; then
		say "downloading virtme-ng from trixie"
		suite_download trixie "$dir" virtme-ng
	fi
	deb=$(ls -1 "$dir"/virtme-ng_*_all.deb | sort -V | tail -n 1)
	# A local .deb: the system's apt resolves its dependencies on bookworm.
	apt_install "$deb"
fi

command -v vng >/dev/null || die "vng not found after installing virtme-ng"
