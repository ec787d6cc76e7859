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

#include "compat.h"

#define VPAIR_DRV_NAME	"vpair"
#define VPAIR_VERSION	"0.1.0"

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
	bool			hairpin;
	bool			loopback_bypass;
	struct rcu_head		rcu;
};

/* Counters that ip -s link has no column for; shown by ethtool -S. */
struct vpair_pcpu_stats {
	u64_stats_t		tx_dropped_mtu;
	u64_stats_t		tx_dropped_peer_down;
	struct u64_stats_sync	syncp;
};

struct vpair_priv {
	struct vpair_cable		*cable;
	/* Our index in cable->end[]; the peer is at !side. */
	unsigned int			side;
	struct vpair_pcpu_stats __percpu *stats;
};

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

/* device.c */
extern const struct net_device_ops vpair_netdev_ops;
void vpair_setup(struct net_device *dev);
void vpair_update_carrier(struct vpair_cable *cable);
struct vpair_cable *vpair_cable_alloc(void);
void vpair_cable_put(struct vpair_cable *cable);

/* ethtool.c */
extern const struct ethtool_ops vpair_ethtool_ops;

/* netlink.c */
extern struct rtnl_link_ops vpair_link_ops;

#endif /* _VPAIR_H */
