// SPDX-License-Identifier: GPL-2.0
/*
 * XDP program of vpair_xdp_meta.sh, loaded bound to the end it runs on
 * (xdp_meta_load): asks the metadata kfuncs what the device knows of each
 * frame and keeps the last answers, per kind of frame, in the map
 * "xdp_meta". Every frame passes on.
 *
 *   key 0: ICMP echo requests (IPv4)
 *   key 1: UDP datagrams to port 9 from port 40001
 *   key 2: UDP datagrams to port 9 from port 40002
 *
 * The answers are 0 or a negative errno; a kfunc the device does not
 * implement answers -EOPNOTSUPP.
 */
#include <linux/udp.h>

#include "echo_request.h"

/* <net/xdp.h>'s, which has no uapi copy. */
enum xdp_rss_hash_type {
	XDP_RSS_TYPE_NONE = 0,
};

extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx,
					 __u64 *timestamp) __ksym;
extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
				    enum xdp_rss_hash_type *rss_type) __ksym;
extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx,
					__be16 *vlan_proto,
					__u16 *vlan_tci) __ksym;

#define UDP_DPORT	9
#define UDP_SPORT0	40001

enum { META_ICMP, META_UDP0, META_UDP1, META_NUM };

struct meta_seen {
	__u64 frames;
	__s32 hash_err;
	__u32 hash;
	__u32 rss_type;
	/* frames whose hash differed from the one before */
	__u32 hash_changes;
	__s32 ts_err;
	__u32 pad;
	__u64 timestamp;
	__s32 vlan_err;
	/* host order */
	__u32 vlan_proto;
	__u32 vlan_tci;
	__u32 pad2;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, META_NUM);
	__type(key, __u32);
	__type(value, struct meta_seen);
} xdp_meta SEC(".maps");

/* META_UDP0 or META_UDP1 for a datagram of the test, else -1. */
static __always_inline int udp_key(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *udph;
	__u16 sport;

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    iph->protocol != IPPROTO_UDP || iph->ihl != 5)
		return -1;
	udph = (void *)(iph + 1);
	if ((void *)(udph + 1) > end || udph->dest != bpf_htons(UDP_DPORT))
		return -1;
	sport = bpf_ntohs(udph->source);
	if (sport != UDP_SPORT0 && sport != UDP_SPORT0 + 1)
		return -1;
	return META_UDP0 + sport - UDP_SPORT0;
}

SEC("xdp")
int xdp_meta_prog(struct xdp_md *ctx)
{
	enum xdp_rss_hash_type rss_type = XDP_RSS_TYPE_NONE;
	__u16 vlan_tci = 0;
	__be16 vlan_proto = 0;
	struct meta_seen *seen;
	__u64 stamp = 0;
	__u32 hash = 0;
	__u32 key;
	int k;

	k = echo_request(ctx) == ECHO_IPV4 ? META_ICMP : udp_key(ctx);
	if (k < 0)
		return XDP_PASS;
	key = k;
	seen = bpf_map_lookup_elem(&xdp_meta, &key);
	if (!seen)
		return XDP_PASS;

	seen->hash_err = bpf_xdp_metadata_rx_hash(ctx, &hash, &rss_type);
	if (seen->frames && hash != seen->hash)
		seen->hash_changes++;
	seen->hash = hash;
	seen->rss_type = rss_type;
	seen->ts_err = bpf_xdp_metadata_rx_timestamp(ctx, &stamp);
	seen->timestamp = stamp;
	seen->vlan_err = bpf_xdp_metadata_rx_vlan_tag(ctx, &vlan_proto,
						      &vlan_tci);
	seen->vlan_proto = bpf_ntohs(vlan_proto);
	seen->vlan_tci = vlan_tci;
	seen->frames++;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
