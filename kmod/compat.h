/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpair: every difference between the kernels vpair builds on, and nothing
 * else. The rest of the module is written against the newest kernel API;
 * dropping an old kernel means deleting lines here.
 *
 * The VPAIR_HAVE_* macros come from feature tests of the kernel headers in
 * Kbuild, since Debian backports features into its older kernels.
 */
#ifndef _VPAIR_COMPAT_H
#define _VPAIR_COMPAT_H

#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/route.h>
#include <net/rtnetlink.h>
#include <linux/etherdevice.h>
#include <linux/skbuff.h>
#include <net/xdp.h>

/* 6.6 split page_pool.h into page_pool/types.h and page_pool/helpers.h. */
#ifdef VPAIR_HAVE_PP_HELPERS
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif

/* 6.12 replaced the NETIF_F_LLTX feature bit with dev->lltx. */
static inline void vpair_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

#ifndef kzalloc_obj
/* Typed allocation, newer than 6.12: one zeroed object of @P's type. */
#define kzalloc_obj(P, gfp)	kzalloc(sizeof(P), gfp)
#endif

#ifndef VPAIR_HAVE_ETHTOOL_PUTS
/* 6.8 added ethtool_puts() for a string that needs no format. */
static inline void ethtool_puts(u8 **data, const char *str)
{
	strscpy_pad(*data, str, ETH_GSTRING_LEN);
	*data += ETH_GSTRING_LEN;
}
#endif

#ifndef dst_rtable
/* 6.11 added a typed accessor from a dst_entry to its rtable. */
#define dst_rtable(_ptr) container_of_const(_ptr, struct rtable, dst)
#endif

#ifndef VPAIR_HAVE_NEWLINK_PARAMS
/*
 * 6.14 passes newlink() its arguments in a struct and resolves the peer's
 * namespace in the core. Before that, the driver gets the source namespace
 * and resolves the peer's namespace itself from the peer's attributes.
 */
struct rtnl_newlink_params {
	struct net *src_net;
	struct nlattr **tb;
	struct nlattr **data;
};

/* What rtnl_link_ops.newlink is before 6.14: a wrapper. */
static inline int vpair_newlink_compat(struct net *src_net,
				       struct net_device *dev,
				       struct nlattr *tb[],
				       struct nlattr *data[],
				       struct netlink_ext_ack *extack)
{
	struct rtnl_newlink_params params = {
		.src_net = src_net,
		.tb = tb,
		.data = data,
	};

	return vpair_newlink(dev, &params, extack);
}

#define VPAIR_NEWLINK_OP	vpair_newlink_compat

/*
 * Returns a reference the caller puts, or an ERR_PTR. 6.13 moved this into
 * the core, which also refuses a peer namespace the sender may not admin;
 * the same check here keeps the answer alike on every kernel.
 */
static inline struct net *
vpair_peer_net(struct rtnl_newlink_params *params, struct nlattr **peer_tb)
{
	struct net *net = rtnl_link_get_net(params->src_net, peer_tb);

	if (!IS_ERR(net) &&
	    (peer_tb[IFLA_NET_NS_PID] || peer_tb[IFLA_NET_NS_FD]) &&
	    !ns_capable(net->user_ns, CAP_NET_ADMIN)) {
		put_net(net);
		return ERR_PTR(-EPERM);
	}
	return net;
}
#else
#define VPAIR_NEWLINK_OP	vpair_newlink

/* The core holds the peer's namespace; take our own reference to put. */
static inline struct net *
vpair_peer_net(struct rtnl_newlink_params *params, struct nlattr **peer_tb)
{
	return get_net(rtnl_newlink_peer_net(params));
}
#endif

/*
 * A page pool for one receive queue. 6.5 lets a pool recycle straight
 * from its NAPI; 6.8 shows it to netlink's page-pool-get with the device
 * and queue it serves.
 */
static inline struct page_pool *
vpair_page_pool_create(struct net_device *dev, struct napi_struct *napi,
		       unsigned int queue, unsigned int size)
{
	struct page_pool_params pp = {
		.order = 0,
		.pool_size = size,
		.nid = NUMA_NO_NODE,
		.dev = &dev->dev,
	};

#ifdef VPAIR_HAVE_PP_NAPI
	pp.napi = napi;
#endif
#ifdef VPAIR_HAVE_PP_NETDEV
	pp.netdev = dev;
	pp.queue_idx = queue;
#endif
	return page_pool_create(&pp);
}

/*
 * The memory model of a frame's pages, for the frame XDP_TX or a redirect
 * makes of it again. 6.14 keeps only the model's type in the frame; the
 * page itself names its pool.
 */
static inline void vpair_frame_mem(const struct xdp_frame *frame,
				   struct xdp_mem_info *mem)
{
#ifdef VPAIR_HAVE_FRAME_MEM_TYPE
	*mem = (struct xdp_mem_info){ .type = frame->mem_type };
#else
	*mem = frame->mem;
#endif
}

/*
 * Append a whole page, @size bytes of it used, to @xdp's frags. 6.13
 * added xdp_buff_add_frag(); before it, the shared info is filled in by
 * hand, the frag with 6.6's skb_frag_fill_page_desc() or, before that,
 * field by field.
 */
static inline bool vpair_xdp_add_frag(struct xdp_buff *xdp, struct page *page,
				      unsigned int size)
{
#ifdef VPAIR_HAVE_XDP_BUFF_ADD_FRAG
	return xdp_buff_add_frag(xdp, page_to_netmem(page), 0, size, PAGE_SIZE);
#else
	struct skb_shared_info *sinfo = xdp_get_shared_info_from_buff(xdp);
	skb_frag_t *frag;

	if (!xdp_buff_has_frags(xdp)) {
		sinfo->nr_frags = 0;
		sinfo->xdp_frags_size = 0;
		xdp_buff_set_frags_flag(xdp);
	}
	if (sinfo->nr_frags == MAX_SKB_FRAGS)
		return false;

	frag = &sinfo->frags[sinfo->nr_frags++];
#ifdef VPAIR_HAVE_SKB_FRAG_FILL_PAGE_DESC
	/* 6.6 */
	skb_frag_fill_page_desc(frag, page, 0, size);
#else
	__skb_frag_set_page(frag, page);
	skb_frag_off_set(frag, 0);
	skb_frag_size_set(frag, size);
#endif
	sinfo->xdp_frags_size += size;
	if (page_is_pfmemalloc(page))
		xdp_buff_set_frag_pfmemalloc(xdp);
	return true;
#endif
}

/*
 * The skb for a buffer a program passed, its pages from the page pool of
 * the buffer's rxq, through eth_type_trans(), with its metadata. 6.14
 * added xdp_build_skb_from_buff(); before it, built here the same way.
 */
static inline struct sk_buff *vpair_xdp_build_skb(struct xdp_buff *xdp)
{
#ifdef VPAIR_HAVE_XDP_BUILD_SKB_FROM_BUFF
	return xdp_build_skb_from_buff(xdp);
#else
	struct skb_shared_info *sinfo = xdp_get_shared_info_from_buff(xdp);
	unsigned int nr_frags = 0, frags_size = 0;
	struct sk_buff *skb;

	/* Read before napi_build_skb() clears the shared info's head. */
	if (xdp_buff_has_frags(xdp)) {
		nr_frags = sinfo->nr_frags;
		frags_size = sinfo->xdp_frags_size;
	}

	skb = napi_build_skb(xdp->data_hard_start, xdp->frame_sz);
	if (!skb)
		return NULL;
	skb_mark_for_recycle(skb);
	skb_reserve(skb, xdp->data - xdp->data_hard_start);
	__skb_put(skb, xdp->data_end - xdp->data);
	if (xdp->data_meta < xdp->data)
		skb_metadata_set(skb, xdp->data - xdp->data_meta);
	if (nr_frags)
		xdp_update_skb_shared_info(skb, nr_frags, frags_size,
					   nr_frags * PAGE_SIZE,
					   xdp_buff_is_frag_pfmemalloc(xdp));
	skb_record_rx_queue(skb, xdp->rxq->queue_index);
	skb->protocol = eth_type_trans(skb, xdp->rxq->dev);
	return skb;
#endif
}

/*
 * xdp_features, 6.3: what an end can do for XDP, as netlink reports it.
 * @sg: redirected multi-buffer frames are taken too.
 */
static inline void vpair_set_xdp_features(struct net_device *dev, bool sg)
{
#ifdef VPAIR_HAVE_XDP_FEATURES
	xdp_features_t val = NETDEV_XDP_ACT_BASIC | NETDEV_XDP_ACT_REDIRECT |
			     NETDEV_XDP_ACT_RX_SG | NETDEV_XDP_ACT_NDO_XMIT;

	if (sg)
		val |= NETDEV_XDP_ACT_NDO_XMIT_SG;
	xdp_set_features_flag(dev, val);
#endif
}

/*
 * The XDP metadata kfuncs (6.3; their current form, with the hash's type
 * and the VLAN tag, 6.8): rx_xdp_meta.c answers them, built only where
 * the kernel has them.
 */
static inline void vpair_set_xdp_metadata_ops(struct net_device *dev)
{
#ifdef VPAIR_HAVE_XDP_METADATA_OPS
	dev->xdp_metadata_ops = &vpair_xdp_metadata_ops;
#endif
}

#endif /* _VPAIR_COMPAT_H */
