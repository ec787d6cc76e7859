// SPDX-License-Identifier: GPL-2.0
/*
 * tc ingress program of vpair_redirect_peer.sh, attached to the two
 * host-side ends. A frame entering one of them is handed with
 * bpf_redirect_peer() to the peer of the other one, i.e. straight into
 * the namespace behind it, without crossing the host's stack.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/*
 * The test creates the host-side ends with these ifindexes
 * (ip link add NAME index N); keep them equal to LEFT_IFINDEX and
 * RIGHT_IFINDEX in vpair_redirect_peer.sh.
 */
#define LEFT_IFINDEX	11
#define RIGHT_IFINDEX	12

SEC("tc")
int redirect_to_other_side(struct __sk_buff *skb)
{
	switch (skb->ingress_ifindex) {
	case LEFT_IFINDEX:
		return bpf_redirect_peer(RIGHT_IFINDEX, 0);
	case RIGHT_IFINDEX:
		return bpf_redirect_peer(LEFT_IFINDEX, 0);
	default:
		return TC_ACT_OK;
	}
}

char _license[] SEC("license") = "GPL";
