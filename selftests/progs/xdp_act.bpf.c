// SPDX-License-Identifier: GPL-2.0
/*
 * XDP program of vpair_xdp*.sh: one program for every action, so that
 * one object loaded with ip(8) serves each case. The test picks the
 * action at run time by writing the map "xdp_act_cfg" with bpftool; until
 * it does, every frame passes. The action applies to ICMP and ICMPv6
 * echo requests only: ARP and neighbour discovery always pass, so the
 * sender can resolve the receiver and each echo request of a ping is a
 * frame the action was taken on.
 *
 * Two sections, the same code: "xdp" (a program without multi-buffer
 * support) and "xdp.frags" (one that takes frames spread over several
 * buffers, e.g. above one page with MTU 9000).
 *
 * The maps, read and written with bpftool by the test:
 *   xdp_act_cfg (array of u32)
 *     key 0: the action, ACT_* below (0: XDP_PASS)
 *     key 1: the ifindex of ACT_REDIRECT (bpf_redirect())
 *   xdp_act_devmap  key 0: the device of ACT_REDIRECT_MAP
 *   xdp_act_cpumap  key 0: the CPU of ACT_CPUMAP (value: queue size)
 *   xdp_act_xsks    key N: the AF_XDP socket of rx queue N (ACT_XSK)
 *   xdp_act_cnt (array of u64)
 *     key 0: every frame
 *     key 1: IPv4 ICMP echo requests
 *     key 2: IPv6 ICMPv6 echo requests
 *     key 3: frames longer than one page (4096 bytes, all buffers)
 *     key 4: the longest frame seen, in bytes
 */
#include "echo_request.h"

/* Keep in step with the ACT_* of vpair_xdp*.sh. */
enum {
	ACT_PASS,
	ACT_DROP,
	ACT_TX,
	ACT_ABORTED,
	ACT_REDIRECT_MAP,
	ACT_REDIRECT,
	ACT_CPUMAP,
	ACT_XSK,
};

enum { CFG_ACT, CFG_IFINDEX, CFG_NUM };
enum {
	CNT_ALL,
	CNT_ICMP_ECHO = ECHO_IPV4,
	CNT_ICMPV6_ECHO = ECHO_IPV6,
	CNT_ABOVE_PAGE,
	CNT_MAX_LEN,
	CNT_NUM
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CFG_NUM);
	__type(key, __u32);
	__type(value, __u32);
} xdp_act_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CNT_NUM);
	__type(key, __u32);
	__type(value, __u64);
} xdp_act_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xdp_act_devmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xdp_act_cpumap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} xdp_act_xsks SEC(".maps");

#define PAGE_BYTES	4096

static __always_inline void count(__u32 key)
{
	__u64 *val = bpf_map_lookup_elem(&xdp_act_cnt, &key);

	if (val)
		__sync_fetch_and_add(val, 1);
}

static __always_inline __u32 cfg(__u32 key)
{
	__u32 *val = bpf_map_lookup_elem(&xdp_act_cfg, &key);

	return val ? *val : 0;
}

static __always_inline void count_len(struct xdp_md *ctx)
{
	__u64 len = bpf_xdp_get_buff_len(ctx);
	__u32 key = CNT_MAX_LEN;
	__u64 *max;

	if (len > PAGE_BYTES)
		count(CNT_ABOVE_PAGE);
	max = bpf_map_lookup_elem(&xdp_act_cnt, &key);
	if (max && *max < len)
		*max = len;
}

static __always_inline int act(struct xdp_md *ctx)
{
	int key = echo_request(ctx);

	count(CNT_ALL);
	count_len(ctx);
	if (key < 0)
		return XDP_PASS;
	count(key);

	switch (cfg(CFG_ACT)) {
	case ACT_DROP:
		return XDP_DROP;
	case ACT_TX:
		return XDP_TX;
	case ACT_ABORTED:
		return XDP_ABORTED;
	case ACT_REDIRECT_MAP:
		return bpf_redirect_map(&xdp_act_devmap, 0, 0);
	case ACT_REDIRECT:
		return bpf_redirect(cfg(CFG_IFINDEX), 0);
	case ACT_CPUMAP:
		return bpf_redirect_map(&xdp_act_cpumap, 0, 0);
	case ACT_XSK:
		return bpf_redirect_map(&xdp_act_xsks, ctx->rx_queue_index, 0);
	default:
		return XDP_PASS;
	}
}

SEC("xdp")
int xdp_act(struct xdp_md *ctx)
{
	return act(ctx);
}

SEC("xdp.frags")
int xdp_act_frags(struct xdp_md *ctx)
{
	return act(ctx);
}

char _license[] SEC("license") = "GPL";
