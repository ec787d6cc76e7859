/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpair: private definitions shared by the files of the module.
 */
#ifndef _VPAIR_H
#define _VPAIR_H

#include <linux/netdevice.h>
#include <linux/ptr_ring.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>
#include <net/rtnetlink.h>
#include <net/xdp.h>

struct rtnl_newlink_params;

/*
 * netlink.c's newlink, written against the current interface; compat.h
 * wraps it for kernels that call newlink() with other arguments.
 */
int vpair_newlink(struct net_device *dev, struct rtnl_newlink_params *params,
		  struct netlink_ext_ack *extack);

/* rx_xdp_meta.c: the XDP metadata kfuncs, for kernels that have them. */
extern const struct xdp_metadata_ops vpair_xdp_metadata_ops;

#include "compat.h"

extern const struct net_device_ops vpair_netdev_ops;

#define VPAIR_DRV_NAME	"vpair"
/* VPAIR_VERSION comes from Kbuild, which reads it from debian/changelog. */

/*
 * The cable: what both ends of a pair share. Options set on either end live
 * here, so both ends always report the same value. Each registered end holds
 * a reference, and so does vpair_newlink() while it builds the pair.
 */
struct vpair_cable {
	struct net_device __rcu	*end[2];
	refcount_t		refcnt;
	/* Cleared by "ip link set ... carrier off": the cable is pulled. */
	bool			plugged;
	/* Read locklessly by the data path, written under RTNL. */
	bool			hairpin;
	bool			loopback_bypass;
	struct rcu_head		rcu;
};

/* Counters that ip -s link has no column for; shown by ethtool -S. */
enum vpair_stat {
	/* Frames bigger than the peer's MTU. */
	VPAIR_STAT_TX_DROPPED_MTU,
	/* Frames sent while the peer was down, gone or the cable pulled. */
	VPAIR_STAT_TX_DROPPED_PEER_DOWN,
	/* Frames too short to hold an Ethernet header. */
	VPAIR_STAT_TX_DROPPED_SHORT,
	/* Frames for a full ring of the peer, with no qdisc to hold them. */
	VPAIR_STAT_TX_DROPPED_RING_FULL,
	/* Times a full ring of the peer stopped a tx queue with a qdisc. */
	VPAIR_STAT_TX_RING_FULL,
	/* The host's own packets taken off lo and sent through this end. */
	VPAIR_STAT_TX_BYPASS,
	/* Frames with a local source address delivered by hairpin. */
	VPAIR_STAT_RX_HAIRPIN,
	/* ARP replies sent on behalf of this end's stack, by hairpin. */
	VPAIR_STAT_TX_HAIRPIN_ARP,
	VPAIR_STAT_NUM
};

struct vpair_pcpu_stats {
	u64_stats_t		cnt[VPAIR_STAT_NUM];
	struct u64_stats_sync	syncp;
};

/*
 * Per receive queue counters of the NAPI path, shown by ethtool -S as
 * rx_queue_N_<name>. The last two count ndo_xdp_xmit() and the peer's
 * XDP_TX into this queue; ethtool shows them on the sending end as
 * tx_queue_N_<name>, N being this queue's index.
 */
enum vpair_rq_stat {
	VPAIR_RQ_XDP_PACKETS,	/* frames that went through the ring */
	VPAIR_RQ_XDP_BYTES,
	VPAIR_RQ_XDP_DROPS,	/* XDP_DROP, XDP_ABORTED, unknown actions */
	VPAIR_RQ_XDP_ABORTED,	/* XDP_ABORTED and unknown actions */
	VPAIR_RQ_XDP_TX,
	VPAIR_RQ_XDP_TX_ERRORS,
	VPAIR_RQ_XDP_REDIRECT,
	VPAIR_RQ_DROPS,		/* no memory, failed redirect, bad frame */
	VPAIR_RQ_PEER_XDP_XMIT,
	VPAIR_RQ_PEER_XDP_XMIT_ERRORS,
	VPAIR_RQ_STAT_NUM
};

#define VPAIR_RQ_RX_STATS	VPAIR_RQ_PEER_XDP_XMIT

struct vpair_rq_stats {
	u64_stats_t		cnt[VPAIR_RQ_STAT_NUM];
	struct u64_stats_sync	syncp;
};

/*
 * One receive queue of an end. Its NAPI instance and ring exist only
 * while the end is up and wants them (an XDP program attached, or GRO
 * on: vpair_napi_wanted()); the sender's transmit path and
 * ndo_xdp_xmit() see that by @napi being set.
 */
struct vpair_rq {
	struct napi_struct	napi;
	struct net_device	*dev;
	/* Set while NAPI runs; read under RCU by the peer's senders. */
	struct napi_struct __rcu *napi_on;
	struct bpf_prog __rcu	*xdp_prog;
	/* skbs from the peer's ndo_start_xmit, xdp_frames tagged. */
	struct ptr_ring		ring;
	/* A NAPI run is scheduled or running: senders need not kick. */
	bool			rx_notify_masked;
	struct xdp_rxq_info	xdp_rxq;
	/* Pages for frames XDP needs to own, and their memory model. */
	struct page_pool	*page_pool;
	struct xdp_mem_info	pp_mem;
	struct vpair_rq_stats	stats;
} ____cacheline_aligned_in_smp;

struct vpair_priv {
	struct vpair_cable		*cable;
	/* dev->num_rx_queues of them, allocated with the end. */
	struct vpair_rq			*rq;
	/* The XDP program attached to this end, under RTNL. */
	struct bpf_prog			*xdp_prog;
	/* How many receive queues run NAPI (0: none), under RTNL. */
	unsigned int			napi_queues;
	/* Our index in cable->end[]; the peer is at !side. */
	unsigned int			side;
	struct vpair_pcpu_stats __percpu *stats;
	/* bypass.c set IPv6's use_oif_addrs_only on this end. */
	bool				srcsel_held;
	/*
	 * The IFF_XMIT_DST_RELEASE* flags this end had when loopback_bypass
	 * went on and vpair cleared them: given back, and only they, when it
	 * goes off. Under RTNL.
	 */
	unsigned long long		dst_release_taken;
};

/* Only from the transmit path, where bottom halves are off. */
static inline void vpair_count(struct net_device *dev, enum vpair_stat stat)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct vpair_pcpu_stats *stats = this_cpu_ptr(priv->stats);

	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(&stats->cnt[stat]);
	u64_stats_update_end(&stats->syncp);
}

static inline bool vpair_is_end(const struct net_device *dev)
{
	return dev->netdev_ops == &vpair_netdev_ops;
}

static inline struct net_device *vpair_peer_rcu(const struct net_device *dev)
{
	const struct vpair_priv *priv = netdev_priv(dev);

	return rcu_dereference(priv->cable->end[!priv->side]);
}

static inline struct net_device *vpair_peer_rtnl(const struct net_device *dev)
{
	const struct vpair_priv *priv = netdev_priv(dev);

	return rtnl_dereference(priv->cable->end[!priv->side]);
}

/*
 * Hairpin delivery applies to frames that cross within one namespace, when
 * either option is on: loopback_bypass implies it.
 */
static inline bool vpair_hairpin_on(const struct vpair_cable *cable,
				    const struct net_device *dev,
				    const struct net_device *peer)
{
	return (READ_ONCE(cable->hairpin) || READ_ONCE(cable->loopback_bypass)) &&
	       net_eq(dev_net(dev), dev_net(peer));
}

/*
 * Was @skb built on this host, rather than received by one of its devices?
 * The core sets skb_iif when any device receives a frame, and copies keep
 * it: a frame that came in from a wire, a tunnel, a veth or a vpair peer
 * and was then bridged, forwarded or redirected into a vpair end has it
 * set. What the host's own stack sends, and what a packet socket, pktgen
 * or the loopback bypass writes into an end, has it zero. Hairpin delivery
 * and its ARP answers trust only such frames: anyone else's frame with a
 * local source address is a martian, as on any other interface.
 */
static inline bool vpair_built_here(const struct sk_buff *skb)
{
	return !skb->skb_iif;
}

static inline void vpair_rq_add(struct vpair_rq *rq, enum vpair_rq_stat stat,
				u64 val)
{
	u64_stats_update_begin(&rq->stats.syncp);
	u64_stats_add(&rq->stats.cnt[stat], val);
	u64_stats_update_end(&rq->stats.syncp);
}

/* xmit.c */
netdev_tx_t vpair_xmit(struct sk_buff *skb, struct net_device *dev);

/* rx_ring.c: the ring between the ends and the NAPI that empties it */
#define VPAIR_RING_SIZE		256
#define VPAIR_NAPI_BATCH	16

bool vpair_napi_wanted(const struct net_device *dev,
		       netdev_features_t features);
int vpair_napi_start(struct net_device *dev);
void vpair_napi_stop(struct net_device *dev);
int vpair_napi_update(struct net_device *dev, netdev_features_t features);
void vpair_rx_kick(struct vpair_rq *rq);
int vpair_rx_queue_skb(struct vpair_rq *rq, struct sk_buff *skb);
int vpair_rx_queue_frames(struct vpair_rq *rq, struct xdp_frame **frames,
			  int n);
struct vpair_rq *vpair_rx_napi_rq(struct net_device *dev, unsigned int idx);

/* rx_xdp.c: XDP on the receiving end */

/*
 * The buffer a program runs on, and the skb it was made from while that
 * skb is alive (NULL for an xdp_frame): rx_xdp_meta.c answers the
 * program's metadata kfuncs from it.
 */
struct vpair_xdp_buff {
	struct xdp_buff		xdp;
	struct sk_buff		*skb;
};

struct vpair_xdp_tx_bq {
	struct xdp_frame	*q[VPAIR_NAPI_BATCH];
	unsigned int		count;
};

struct sk_buff *vpair_rx_xdp_skb(struct vpair_rq *rq, struct sk_buff *skb,
				 struct vpair_xdp_tx_bq *bq, u32 *act);
struct xdp_frame *vpair_rx_xdp_frame(struct vpair_rq *rq,
				     struct xdp_frame *frame,
				     struct vpair_xdp_tx_bq *bq, u32 *act);
void vpair_rx_xdp_tx_flush(struct vpair_rq *rq, struct vpair_xdp_tx_bq *bq);

/* xdp.c: XDP setup, and frames sent into an end */
int vpair_bpf(struct net_device *dev, struct netdev_bpf *bpf);
int vpair_ndo_xdp_xmit(struct net_device *dev, int n,
		       struct xdp_frame **frames, u32 flags);
int vpair_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		   bool flush, bool ndo);
void vpair_xdp_update_features(struct net_device *dev);
int vpair_xdp_check_channels(struct net_device *dev, unsigned int rx,
			     unsigned int tx);

/* device.c */
void vpair_setup(struct net_device *dev);
void vpair_update_carrier(struct vpair_cable *cable);
struct vpair_cable *vpair_cable_alloc(void);
void vpair_cable_put(struct vpair_cable *cable);

/* hairpin.c */
struct vpair_arp_request {
	__be32	sip;
	__be32	tip;
	u8	sha[ETH_ALEN];
};

bool vpair_has_local_dst(const struct sk_buff *skb);
void vpair_deliver_local(struct sk_buff *skb, struct net_device *peer);
bool vpair_hairpin_route(struct sk_buff *skb, struct net_device *peer);
bool vpair_hairpin_arp_request(struct sk_buff *skb, struct net_device *peer,
			       struct vpair_arp_request *req);
void vpair_hairpin_arp_reply(struct net_device *peer,
			     const struct vpair_arp_request *req);

/* bypass.c */
bool vpair_bypass_active(const struct net_device *dev);
int vpair_bypass_update(struct vpair_cable *cable);
void vpair_bypass_srcsel_sync(struct vpair_cable *cable);
int vpair_bypass_init(void);
void vpair_bypass_exit(void);

/* ethtool.c */
extern const struct ethtool_ops vpair_ethtool_ops;

/* netlink.c */
extern struct rtnl_link_ops vpair_link_ops;

#endif /* _VPAIR_H */
