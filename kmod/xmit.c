// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: the transmit path. A frame sent into one end is handed to the
 * other end as if it had arrived on a wire.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/sch_generic.h>

#include "vpair.h"

static void vpair_drop(struct sk_buff *skb, struct net_device *dev,
		       enum vpair_stat stat, enum skb_drop_reason reason)
{
	vpair_count(dev, stat);
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb_reason(skb, reason);
}

/*
 * Is @skb worth the NAPI path of a receiving end that has GRO on and no
 * XDP program? A frame the sender could have sent as one TSO frame gains
 * nothing from GRO, unless it is the host's own UDP and the receiver
 * aggregates UDP (GRO forwarding or fraglist). Hairpin frames, which get
 * (or, from the bypass, keep) a route for local delivery, skip GRO, and
 * so the ring: GRO would not keep their route.
 */
static bool vpair_gro_worth(const struct net_device *dev,
			    const struct net_device *peer,
			    const struct sk_buff *skb, bool hairpin)
{
	if (hairpin)
		return false;
	return !(dev->features & NETIF_F_ALL_TSO) ||
	       (skb->destructor == sock_wfree &&
		peer->features & (NETIF_F_GRO_FRAGLIST | NETIF_F_GRO_UDP_FWD));
}

/*
 * Has this queue a qdisc that can hold a frame we give back? Not the
 * default one, noqueue, which has no enqueue; the core calls us with BH
 * off, inside its RCU section.
 */
static bool vpair_txq_can_requeue(struct netdev_queue *txq)
{
	return rcu_dereference_bh(txq->qdisc)->enqueue;
}

/*
 * The receiving end's ring is full, and @skb is still as the stack gave it
 * to us: nothing counted, forwarded or routed yet. With a qdisc on this
 * queue, stop the queue and give the frame back (the qdisc keeps it and
 * sends it again as it is): the receiver's NAPI wakes the queue once it
 * has made room, and vpair_napi_stop() wakes it if that NAPI goes away
 * first. Without a qdisc there is nobody to hold the frame: it is dropped
 * and counted.
 */
static netdev_tx_t vpair_ring_full(struct sk_buff *skb, struct net_device *dev,
				   struct vpair_rq *rq)
{
	struct netdev_queue *txq;

	txq = netdev_get_tx_queue(dev, skb_get_queue_mapping(skb));
	if (!vpair_txq_can_requeue(txq)) {
		vpair_drop(skb, dev, VPAIR_STAT_TX_DROPPED_RING_FULL,
			   SKB_DROP_REASON_FULL_RING);
		return NETDEV_TX_OK;
	}

	netif_tx_stop_queue(txq);
	vpair_count(dev, VPAIR_STAT_TX_RING_FULL);
	/*
	 * The consumer may have emptied the ring and finished its run
	 * between our look at the full ring and the stop, and would then
	 * not see the stopped queue: look again after the stop is visible.
	 */
	smp_mb__after_atomic();
	if (!__ptr_ring_full(&rq->ring))
		netif_tx_wake_queue(txq);
	vpair_rx_kick(rq);
	return NETDEV_TX_BUSY;
}

/*
 * Runs without the tx lock (lltx), on any CPU at once; with a qdisc only
 * if the user added one.
 *
 * What it trusts: nothing about the frame but what it checks. Any frame
 * may arrive here: the stack's own, a packet socket's, one bridged or
 * redirected from another device (tc mirred from an L3 tunnel leaves no
 * Ethernet header at all, and a paged skb may have an empty linear part).
 * The host's own packets that the bypass took off lo (bypass.c) and
 * frames built on this host with a local source (hairpin.c) get local
 * delivery on the peer; only frames vpair_built_here() says were never
 * received by this host qualify.
 *
 * The frame reaches the peer's stack at once (__netif_rx(), today's path
 * and veth's without NAPI), or through the ring of the peer's receive
 * queue of the same index, while that queue runs NAPI (rx_ring.c).
 */
netdev_tx_t vpair_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct vpair_arp_request arp;
	bool hairpin, answer_arp = false;
	netdev_tx_t ret = NETDEV_TX_OK;
	struct net_device *peer;
	struct vpair_rq *rq;
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

	hairpin = vpair_hairpin_on(priv->cable, dev, peer) &&
		  vpair_built_here(skb);

	rq = vpair_rx_napi_rq(peer, skb_get_queue_mapping(skb));
	if (rq && !rcu_access_pointer(rq->xdp_prog) &&
	    !vpair_gro_worth(dev, peer, skb, hairpin))
		rq = NULL;
	/*
	 * A full ring is found before the frame is changed, so that a frame
	 * the qdisc sends again takes the same path and is counted once. A
	 * lockless look: another producer may still fill the ring before
	 * our produce below, which then drops and counts the frame.
	 */
	if (rq && unlikely(__ptr_ring_full(&rq->ring))) {
		ret = vpair_ring_full(skb, dev, rq);
		goto out;
	}

	skb_tx_timestamp(skb);
	len = skb->len;
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
		if (hairpin && vpair_hairpin_route(skb, peer))
			vpair_count(peer, VPAIR_STAT_RX_HAIRPIN);
	}

	if (rq) {
		if (unlikely(vpair_rx_queue_skb(rq, skb))) {
			vpair_drop(skb, dev, VPAIR_STAT_TX_DROPPED_RING_FULL,
				   SKB_DROP_REASON_FULL_RING);
			goto out;
		}
		vpair_rx_kick(rq);
	} else {
		/* A drop in the backlog is counted by the core against the peer. */
		__netif_rx(skb);
	}
	/* The peer's rx counters read ours (vpair_get_stats64()). */
	dev_sw_netstats_tx_add(dev, 1, len);

	if (answer_arp)
		vpair_hairpin_arp_reply(peer, &arp);
out:
	rcu_read_unlock();
	return ret;
}
