// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: what an XDP program bound to an end may ask about the frame it
 * runs on, through the metadata kfuncs (bpf_xdp_metadata_rx_hash() and
 * friends). A NIC answers from its receive descriptor; the descriptor of
 * vpair is the skb the peer sent, so only a frame that came as an skb
 * has answers. A frame that came as an xdp_frame (a redirect into the
 * end, the peer's XDP_TX) has none: -ENODATA, as for any field the skb
 * does not carry.
 *
 * What it trusts: that the context is the xdp_buff of a struct
 * vpair_xdp_buff. The kernel calls these only for a program loaded bound
 * to a vpair end (BPF_F_XDP_DEV_BOUND_ONLY), and such a program runs only
 * where that end runs it: the core refuses to attach it in generic mode,
 * to test-run it, or to put it in a program map (tail calls, devmap and
 * cpumap programs), and rx_xdp.c runs every program on a vpair_xdp_buff.
 * The skb is the sender's, after __dev_forward_skb() (xmit.c): its hash
 * and VLAN tag are what the peer's stack put there, as a tc program on
 * the end would read them.
 */
#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <net/xdp.h>

#include "vpair.h"

static struct sk_buff *vpair_meta_skb(const struct xdp_md *ctx)
{
	/* The context is the xdp_buff of a struct vpair_xdp_buff. */
	const struct vpair_xdp_buff *vxdp = (const void *)ctx;

	return vxdp->skb;
}

/*
 * A hardware timestamp only, as a NIC gives: a frame forwarded into the
 * pair from a device that stamps its frames keeps it. Without one there
 * is no time to give (veth answers 0 with a zero time instead).
 */
static int vpair_xdp_rx_timestamp(const struct xdp_md *ctx, u64 *timestamp)
{
	struct sk_buff *skb = vpair_meta_skb(ctx);
	ktime_t stamp;

	if (!skb)
		return -ENODATA;
	stamp = skb_hwtstamps(skb)->hwtstamp;
	if (!stamp)
		return -ENODATA;
	*timestamp = ktime_to_ns(stamp);
	return 0;
}

/*
 * The skb's flow hash, computed here if the sender left none: the hash
 * RPS and the stack above would use. Its type says which network layer
 * the frame carries and whether ports went into the hash; the L4
 * protocol is not recorded in the skb, so it is not named.
 */
static int vpair_xdp_rx_hash(const struct xdp_md *ctx, u32 *hash,
			     enum xdp_rss_hash_type *rss_type)
{
	struct sk_buff *skb = vpair_meta_skb(ctx);
	enum xdp_rss_hash_type type = XDP_RSS_TYPE_NONE;

	if (!skb)
		return -ENODATA;
	*hash = skb_get_hash(skb);
	if (skb->protocol == htons(ETH_P_IP))
		type = XDP_RSS_L3_IPV4;
	else if (skb->protocol == htons(ETH_P_IPV6))
		type = XDP_RSS_L3_IPV6;
	if (type && skb->l4_hash)
		type |= XDP_RSS_L4;
	*rss_type = type;
	return 0;
}

/*
 * The VLAN tag the sender's stack left to the device (a VLAN device on
 * the peer: vpair takes tags out of band, as NICs do); a tag inside the
 * frame is in the frame for the program to read.
 */
static int vpair_xdp_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto,
				 u16 *vlan_tci)
{
	struct sk_buff *skb = vpair_meta_skb(ctx);

	if (!skb || !skb_vlan_tag_present(skb))
		return -ENODATA;
	*vlan_tci = skb_vlan_tag_get(skb);
	*vlan_proto = skb->vlan_proto;
	return 0;
}

const struct xdp_metadata_ops vpair_xdp_metadata_ops = {
	.xmo_rx_timestamp	= vpair_xdp_rx_timestamp,
	.xmo_rx_hash		= vpair_xdp_rx_hash,
	.xmo_rx_vlan_tag	= vpair_xdp_rx_vlan_tag,
};
