/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the selftests' XDP programs: is a frame an ICMP or ICMPv6 echo
 * request? The answer doubles as the key of its counter in their maps.
 */
#ifndef _VPAIR_ECHO_REQUEST_H
#define _VPAIR_ECHO_REQUEST_H

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

enum { ECHO_IPV4 = 1, ECHO_IPV6 = 2 };

/* ECHO_IPV4 or ECHO_IPV6 for an echo request in @ctx's frame, else -1. */
static __always_inline int echo_request(struct xdp_md *ctx)
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
		return ECHO_IPV4;
	}

	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);
		__u8 *type = (void *)(ip6h + 1);

		if ((void *)(type + 1) > end ||
		    ip6h->nexthdr != IPPROTO_ICMPV6 ||
		    *type != ICMPV6_ECHO_REQUEST)
			return -1;
		return ECHO_IPV6;
	}

	return -1;
}

#endif /* _VPAIR_ECHO_REQUEST_H */
