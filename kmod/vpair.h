/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpair: private definitions shared by the files of the module.
 */
#ifndef _VPAIR_H
#define _VPAIR_H

#include <linux/netdevice.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>
#include <net/rtnetlink.h>

struct rtnl_newlink_params;

/*
 * netlink.c's newlink, written against the current interface; compat.h
 * wraps it for kernels that call newlink() with other arguments.
 */
int vpair_newlink(struct net_device *dev, struct rtnl_newlink_params *params,
		  struct netlink_ext_ack *extack);

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

struct vpair_priv {
	struct vpair_cable		*cable;
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

/* xmit.c */
netdev_tx_t vpair_xmit(struct sk_buff *skb, struct net_device *dev);

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
void vpair_hairpin_route(struct sk_buff *skb, struct net_device *peer);
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
