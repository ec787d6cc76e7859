// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup egress program of vpair_bypass_policy.sh: the host's policy
 * "this cgroup may not send to 192.0.2.2 or 2001:db8::2". Everything else
 * passes. A cgroup_skb program sees the packet from its network header.
 */
#include <linux/bpf.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD

SEC("cgroup_skb/egress")
int drop_to_vp1(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = data;

		if ((void *)(iph + 1) > end)
			return 1;
		/* 192.0.2.2 */
		return iph->daddr != bpf_htonl(0xc0000202);
	}
	if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = data;

		if ((void *)(ip6h + 1) > end)
			return 1;
		/* 2001:db8::2 */
		return !(ip6h->daddr.s6_addr32[0] == bpf_htonl(0x20010db8) &&
			 !ip6h->daddr.s6_addr32[1] && !ip6h->daddr.s6_addr32[2] &&
			 ip6h->daddr.s6_addr32[3] == bpf_htonl(2));
	}
	return 1;
}

char _license[] SEC("license") = "GPL";
