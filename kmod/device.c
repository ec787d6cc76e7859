// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: the net_device side: the carrier logic, the ndo callbacks and
 * the setup of a new end. The transmit path is in xmit.c.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/slab.h>

#include "vpair.h"

/*
 * The one place that decides carrier, for both ends at once: on only while
 * both ends are running and the cable is plugged. Called under RTNL.
 */
void vpair_update_carrier(struct vpair_cable *cable)
{
	struct net_device *a = rtnl_dereference(cable->end[0]);
	struct net_device *b = rtnl_dereference(cable->end[1]);
	bool on;

	on = a && b && netif_running(a) && netif_running(b) && cable->plugged;

	if (a)
		on ? netif_carrier_on(a) : netif_carrier_off(a);
	if (b)
		on ? netif_carrier_on(b) : netif_carrier_off(b);
}

static int vpair_open(struct net_device *dev)
{
	struct vpair_priv *priv = netdev_priv(dev);
	int err;

	err = vpair_napi_update(dev, dev->features);
	if (err)
		return err;
	vpair_update_carrier(priv->cable);
	return 0;
}

/* The core has already cleared our running state when it calls this. */
static int vpair_stop(struct net_device *dev)
{
	struct vpair_priv *priv = netdev_priv(dev);

	vpair_update_carrier(priv->cable);
	vpair_napi_stop(dev);
	return 0;
}

/*
 * While the peer has an XDP program we send it no software GSO frames:
 * the core segments them before vpair_xmit(), so the program sees each
 * packet, as on a wire.
 */
static netdev_features_t vpair_fix_features(struct net_device *dev,
					    netdev_features_t features)
{
	struct net_device *peer = vpair_peer_rtnl(dev);

	if (peer && ((struct vpair_priv *)netdev_priv(peer))->xdp_prog)
		features &= ~NETIF_F_GSO_SOFTWARE;
	return features;
}

/* GRO on or off moves the receive path to NAPI or back. */
static int vpair_set_features(struct net_device *dev,
			      netdev_features_t features)
{
	if (!((dev->features ^ features) & NETIF_F_GRO))
		return 0;
	return vpair_napi_update(dev, features);
}

/* "ip link set ... carrier off|on" pulls or replugs the cable. */
static int vpair_change_carrier(struct net_device *dev, bool plugged)
{
	struct vpair_priv *priv = netdev_priv(dev);

	priv->cable->plugged = plugged;
	vpair_update_carrier(priv->cable);
	return 0;
}

static int vpair_get_iflink(const struct net_device *dev)
{
	struct net_device *peer;
	int iflink;

	rcu_read_lock();
	peer = vpair_peer_rcu(dev);
	iflink = peer ? READ_ONCE(peer->ifindex) : 0;
	rcu_read_unlock();

	return iflink;
}

/* Used by bpf_redirect_peer(); called under RCU. */
static struct net_device *vpair_get_peer_dev(struct net_device *dev)
{
	return vpair_peer_rcu(dev);
}

/*
 * What one end sends, its peer receives: the transmit path counts a frame
 * once, in the sender's tx counters (as veth does), and an end's rx
 * counters are its peer's tx ones. A frame the receiving stack drops
 * after that is in the receiver's rx_dropped, which the core keeps.
 */
static void vpair_get_stats64(struct net_device *dev,
			      struct rtnl_link_stats64 *s)
{
	struct rtnl_link_stats64 sent = {};
	struct net_device *peer;

	dev_get_tstats64(dev, s);
	rcu_read_lock();
	peer = vpair_peer_rcu(dev);
	if (peer)
		dev_fetch_sw_netstats(&sent, peer->tstats);
	rcu_read_unlock();
	s->rx_packets += sent.tx_packets;
	s->rx_bytes += sent.tx_bytes;
}

/* Multicast filters have no meaning on a cable that delivers everything. */
static void vpair_set_rx_mode(struct net_device *dev)
{
}

static int vpair_dev_init(struct net_device *dev)
{
	struct vpair_priv *priv = netdev_priv(dev);

	unsigned int i;

	priv->stats = netdev_alloc_pcpu_stats(struct vpair_pcpu_stats);
	if (!priv->stats)
		return -ENOMEM;

	priv->rq = kvcalloc(dev->num_rx_queues, sizeof(*priv->rq), GFP_KERNEL);
	if (!priv->rq) {
		free_percpu(priv->stats);
		return -ENOMEM;
	}
	for (i = 0; i < dev->num_rx_queues; i++) {
		priv->rq[i].dev = dev;
		u64_stats_init(&priv->rq[i].stats.syncp);
	}

	/*
	 * Taken here and dropped in the destructor: the core calls the
	 * destructor exactly when ndo_init has succeeded, whatever fails
	 * later in register_netdevice() or however the end goes away.
	 */
	refcount_inc(&priv->cable->refcnt);
	return 0;
}

static void vpair_dev_free(struct net_device *dev)
{
	struct vpair_priv *priv = netdev_priv(dev);

	kvfree(priv->rq);
	free_percpu(priv->stats);
	vpair_cable_put(priv->cable);
}

const struct net_device_ops vpair_netdev_ops = {
	.ndo_init		= vpair_dev_init,
	.ndo_open		= vpair_open,
	.ndo_stop		= vpair_stop,
	.ndo_start_xmit		= vpair_xmit,
	.ndo_get_stats64	= vpair_get_stats64,
	.ndo_set_rx_mode	= vpair_set_rx_mode,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_change_carrier	= vpair_change_carrier,
	.ndo_get_iflink		= vpair_get_iflink,
	.ndo_get_peer_dev	= vpair_get_peer_dev,
	.ndo_features_check	= passthru_features_check,
	.ndo_fix_features	= vpair_fix_features,
	.ndo_set_features	= vpair_set_features,
	.ndo_bpf		= vpair_bpf,
	.ndo_xdp_xmit		= vpair_ndo_xdp_xmit,
};

struct vpair_cable *vpair_cable_alloc(void)
{
	struct vpair_cable *cable;

	cable = kzalloc_obj(*cable, GFP_KERNEL);
	if (!cable)
		return NULL;

	refcount_set(&cable->refcnt, 1);
	cable->plugged = true;
	return cable;
}

void vpair_cable_put(struct vpair_cable *cable)
{
	if (refcount_dec_and_test(&cable->refcnt))
		kfree_rcu(cable, rcu);
}

/* What the cable carries untouched: the receiver sees the sender's skb. */
#define VPAIR_FEATURES (NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HW_CSUM | \
			NETIF_F_RXCSUM | NETIF_F_SCTP_CRC | NETIF_F_HIGHDMA | \
			NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL | \
			NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_CTAG_RX | \
			NETIF_F_HW_VLAN_STAG_TX | NETIF_F_HW_VLAN_STAG_RX)

void vpair_setup(struct net_device *dev)
{
	ether_setup(dev);

	dev->netdev_ops = &vpair_netdev_ops;
	dev->ethtool_ops = &vpair_ethtool_ops;
	dev->rtnl_link_ops = &vpair_link_ops;
	vpair_set_xdp_metadata_ops(dev);

	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	/*
	 * netpoll would call the transmit path with interrupts off, where
	 * handing a frame to the peer's backlog is not allowed: refuse
	 * netconsole on an end, and on a bridge or bond above one.
	 */
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE |
			   IFF_DISABLE_NETPOLL;
	vpair_set_lltx(dev);

	dev->features |= VPAIR_FEATURES;
	/* GRO is a choice (ethtool -K ... gro on): off until asked for. */
	dev->hw_features = VPAIR_FEATURES | NETIF_F_GRO | NETIF_F_GRO_UDP_FWD |
			   NETIF_F_GRO_FRAGLIST;
	dev->hw_enc_features = VPAIR_FEATURES;
	dev->mpls_features = NETIF_F_HW_CSUM | NETIF_F_GSO_SOFTWARE;
	dev->vlan_features = dev->features &
			     ~(NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_CTAG_RX |
			       NETIF_F_HW_VLAN_STAG_TX | NETIF_F_HW_VLAN_STAG_RX);

	/* No wire: a GSO frame crosses whole, BIG TCP included. */
	netif_set_tso_max_size(dev, GSO_MAX_SIZE);

	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;

	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	dev->needs_free_netdev = true;
	dev->priv_destructor = vpair_dev_free;
}
