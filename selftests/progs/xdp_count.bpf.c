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
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* linux/icmp.h pulls in libc headers that have no BPF variant. */
#define ICMP_ECHO		8
#define ICMPV6_ECHO_REQUEST	128

enum { COUNT_ALL, COUNT_ICMP_ECHO, COUNT_ICMPV6_ECHO, COUNT_NUM };

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

/* Which echo request counter @ctx's frame belongs to, or -1. */
static int echo_request(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return -1;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		__u8 *type;

		if ((void *)(iph + 1) > end || iph->protocol != IPPROTO_ICMP)
			return -1;
		type = (void *)iph + iph->ihl * 4;
		if ((void *)(type + 1) > end || *type != ICMP_ECHO)
			return -1;
		return COUNT_ICMP_ECHO;
	}

	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);
		__u8 *type = (void *)(ip6h + 1);

		if ((void *)(type + 1) > end ||
		    ip6h->nexthdr != IPPROTO_ICMPV6 ||
		    *type != ICMPV6_ECHO_REQUEST)
			return -1;
		return COUNT_ICMPV6_ECHO;
	}

	return -1;
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
