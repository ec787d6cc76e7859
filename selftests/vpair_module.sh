#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module: unloading it removes every pair in every namespace, and
# "ip link add ... type vpair" loads it again by itself. The file leaves
# the module loaded for the tests that follow.

source "$(dirname "$0")"/lib.sh

module_unload_removes_all()
{
	local name="module: modprobe -r removes the pairs of every netns"

	setup_ns ns0 ns1 ns2 || return
	# one pair inside a netns, one across two, one made from the other side
	link_add "$ns0" vp0 vp1 &&
		link_add "$ns1" vp2 vp3 netns "$ns2" &&
		link_add "$ns2" vp4 vp5 netns "$ns0"
	check_err $? "ip link add failed"

	modprobe -r "$KIND"
	check_err $? "modprobe -r $KIND failed"
	[ ! -d "/sys/module/$KIND" ]
	check_err $? "/sys/module/$KIND still there"
	link_gone "$ns0" vp0 && link_gone "$ns0" vp1 &&
		link_gone "$ns1" vp2 && link_gone "$ns2" vp3 &&
		link_gone "$ns2" vp4 && link_gone "$ns0" vp5
	check_err $? "a $KIND device survived modprobe -r"

	log_test "$name"
}

module_autoload()
{
	local name="module: ip link add ... type $KIND loads the module"

	setup_ns ns0 || return
	[ -d "/sys/module/$KIND" ] && modprobe -r "$KIND"
	[ ! -d "/sys/module/$KIND" ]
	check_err $? "$KIND still loaded before the autoload check"

	link_add "$ns0" vp0 vp1
	check_err $? "ip link add type $KIND with the module unloaded failed"
	[ -d "/sys/module/$KIND" ]
	check_err $? "/sys/module/$KIND missing after ip link add"
	link_exists "$ns0" vp1
	check_err $? "the autoloaded module made no peer"

	log_test "$name"
}

require_root
require_cmd ip modprobe
require_kind
# built into the kernel, or loaded from a path modprobe does not know
modprobe -n -q -r "$KIND" 2>/dev/null ||
	skip_all "$KIND cannot be unloaded with modprobe -r"

# Whatever happens, leave the module loaded for the next tests.
defer modprobe -q "$KIND"

run_test module_unload_removes_all
run_test module_autoload

exit "$(exit_status)"
