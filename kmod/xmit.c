// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: the transmit path. A frame sent into one end is handed to the
 * other end as if it had arrived on a wire.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "vpair.h"

static void vpair_drop(struct sk_buff *skb, struct net_device *dev,
		       enum vpair_stat stat, enum skb_drop_reason reason)
{
	vpair_count(dev, stat);
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb_reason(skb, reason);
}

/*
 * Runs without a qdisc and without the tx lock (lltx), on any CPU at once.
 *
 * What it trusts: nothing about the frame but what it checks. Any frame
 * may arrive here: the stack's own, a packet socket's, one bridged or
 * redirected from another device (tc mirred from an L3 tunnel leaves no
 * Ethernet header at all, and a paged skb may have an empty linear part).
 * The host's own packets that the bypass took off lo (bypass.c) and
 * frames built on this host with a local source (hairpin.c) get local
 * delivery on the peer; only frames vpair_built_here() says were never
 * received by this host qualify.
 */
netdev_tx_t vpair_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct vpair_arp_request arp;
	bool hairpin, answer_arp = false;
	struct net_device *peer;
	unsigned int len;

	rcu_read_lock();
	peer = vpair_peer_rcu(dev);
	/*
	 * Carrier is on only while both ends are up and the cable is
	 * plugged: a frame sent otherwise has nobody to receive it.
	 */
	if (unlikely(!peer || !netif_carrier_ok(dev))) {
		vpair_drop(skb, dev, VPAIR_STAT_TX_DROPPED_PEER_DOWN,
			   SKB_DROP_REASON_DEV_READY);
		goto out;
	}
	/* The receiving end's eth_type_trans() pulls the header linearly. */
	if (unlikely(!pskb_may_pull(skb, ETH_HLEN))) {
		vpair_drop(skb, dev, VPAIR_STAT_TX_DROPPED_SHORT,
			   SKB_DROP_REASON_PKT_TOO_SMALL);
		goto out;
	}

	skb_tx_timestamp(skb);
	len = skb->len;
	hairpin = vpair_hairpin_on(priv->cable, dev, peer) &&
		  vpair_built_here(skb);

	if (hairpin && vpair_has_local_dst(skb)) {
		/* The host's own packet, taken off lo by the bypass. */
		vpair_deliver_local(skb, peer);
		vpair_count(dev, VPAIR_STAT_TX_BYPASS);
	} else {
		if (hairpin)
			answer_arp = vpair_hairpin_arp_request(skb, peer, &arp);
		/*
		 * __dev_forward_skb() orphans zerocopy frags, scrubs what
		 * belonged to the sender (the route among it), checks the
		 * frame against the peer's MTU (GSO frames are let through
		 * and stay whole), and counts an oversize frame in the peer's
		 * rx_dropped and frees it.
		 */
		if (unlikely(__dev_forward_skb(peer, skb) != NET_RX_SUCCESS)) {
			vpair_count(dev, VPAIR_STAT_TX_DROPPED_MTU);
			dev_core_stats_tx_dropped_inc(dev);
			goto out;
		}
		if (hairpin)
			vpair_hairpin_route(skb, peer);
	}

	dev_sw_netstats_tx_add(dev, 1, len);
	dev_sw_netstats_rx_add(peer, len);
	/* A drop in the backlog is counted by the core against the peer. */
	__netif_rx(skb);

	if (answer_arp)
		vpair_hairpin_arp_reply(peer, &arp);
out:
	rcu_read_unlock();
	return NETDEV_TX_OK;
}
