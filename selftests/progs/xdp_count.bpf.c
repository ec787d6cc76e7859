// SPDX-License-Identifier: GPL-2.0
/*
 * XDP program of vpair_bypass.sh: counts what reaches the end it is
 * attached to, so the test sees the host's own traffic where a user's
 * XDP program would see it. Every frame passes on.
 *
 * The counters, read back with bpftool from the map "xdp_count":
 *   key 0: every frame
 *   key 1: IPv4 ICMP echo requests
 *   key 2: IPv6 ICMPv6 echo requests
 */
#include "echo_request.h"

enum {
	COUNT_ALL,
	COUNT_ICMP_ECHO = ECHO_IPV4,
	COUNT_ICMPV6_ECHO = ECHO_IPV6,
	COUNT_NUM
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, COUNT_NUM);
	__type(key, __u32);
	__type(value, __u64);
} xdp_count SEC(".maps");

static void count(__u32 key)
{
	__u64 *val = bpf_map_lookup_elem(&xdp_count, &key);

	if (val)
		__sync_fetch_and_add(val, 1);
}

SEC("xdp")
int xdp_count_prog(struct xdp_md *ctx)
{
	int key = echo_request(ctx);

	count(COUNT_ALL);
	if (key >= 0)
		count(key);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
