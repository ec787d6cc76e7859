// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs of the XDP benchmarks (scripts/bench-guest.sh) and of
 * vpair_backpressure.sh: each counts the frames it sees in its own map
 * "xdp_bench_cnt" (key 0), then acts on them.
 *
 *   xdp_drop      XDP_DROP
 *   xdp_pass      XDP_PASS
 *   xdp_tx        swap the Ethernet addresses, XDP_TX (back out of the
 *                 end it came in on)
 *   xdp_redirect  bpf_redirect_map() to the device in slot 0 of the
 *                 devmap "xdp_bench_tx" (set with bpftool map update)
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} xdp_bench_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xdp_bench_tx SEC(".maps");

static void count(void)
{
	__u32 key = 0;
	__u64 *val = bpf_map_lookup_elem(&xdp_bench_cnt, &key);

	if (val)
		__sync_fetch_and_add(val, 1);
}

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	count();
	return XDP_DROP;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	count();
	return XDP_PASS;
}

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	count();
	return XDP_TX;
}

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	count();
	return bpf_redirect_map(&xdp_bench_tx, 0, 0);
}

char _license[] SEC("license") = "GPL";
