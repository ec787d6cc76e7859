// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: the receive ring and the NAPI that empties it.
 *
 * While an end wants NAPI (an XDP program is attached to it, or GRO is on:
 * vpair_napi_wanted()) and is up, each of its receive queues has a ring
 * that the peer's transmit path (skbs) and ndo_xdp_xmit() or the peer's
 * XDP_TX (xdp_frames) fill, and a NAPI instance that empties it: the XDP
 * program runs there (rx_xdp.c), then GRO, then the stack. Otherwise the
 * peer hands its frames straight to the stack, as vpair always did.
 *
 * In the order a frame meets it: queueing and kicking (the sender's
 * side), the poll (the receiver's), then starting and stopping (RTNL).
 */
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/xdp.h>

#include "vpair.h"

/* xdp_frames share the ring with skbs; bit 0 tells them apart. */
#define VPAIR_XDP_FLAG		BIT(0)

static bool vpair_is_xdp_frame(const void *ptr)
{
	return (unsigned long)ptr & VPAIR_XDP_FLAG;
}

static struct xdp_frame *vpair_ptr_to_xdp(void *ptr)
{
	return (void *)((unsigned long)ptr & ~VPAIR_XDP_FLAG);
}

static void *vpair_xdp_to_ptr(struct xdp_frame *frame)
{
	return (void *)((unsigned long)frame | VPAIR_XDP_FLAG);
}

static void vpair_ptr_free(void *ptr)
{
	if (vpair_is_xdp_frame(ptr))
		xdp_return_frame(vpair_ptr_to_xdp(ptr));
	else
		kfree_skb(ptr);
}

/*
 * Receive queue @idx of @dev if it runs NAPI, else NULL. Under RCU: the
 * queue stays usable until the caller leaves its read-side section, since
 * vpair_napi_stop() waits for that before it takes the ring down.
 */
struct vpair_rq *vpair_rx_napi_rq(struct net_device *dev, unsigned int idx)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct vpair_rq *rq;

	if (idx >= READ_ONCE(dev->real_num_rx_queues))
		return NULL;
	rq = &priv->rq[idx];
	return rcu_access_pointer(rq->napi_on) ? rq : NULL;
}

/* 0, or -ENOSPC if the ring is full and @skb is still the caller's. */
int vpair_rx_queue_skb(struct vpair_rq *rq, struct sk_buff *skb)
{
	return ptr_ring_produce(&rq->ring, skb);
}

/* How many of @frames, from the first, went into the ring. */
int vpair_rx_queue_frames(struct vpair_rq *rq, struct xdp_frame **frames,
			  int n)
{
	int i;

	spin_lock(&rq->ring.producer_lock);
	for (i = 0; i < n; i++)
		if (__ptr_ring_produce(&rq->ring, vpair_xdp_to_ptr(frames[i])))
			break;
	spin_unlock(&rq->ring.producer_lock);
	return i;
}

/* Make sure a NAPI run will see what the caller just queued. */
void vpair_rx_kick(struct vpair_rq *rq)
{
	/* The produce before the read; pairs with the poll's smp_store_mb(). */
	smp_mb();
	if (!READ_ONCE(rq->rx_notify_masked) && napi_schedule_prep(&rq->napi)) {
		WRITE_ONCE(rq->rx_notify_masked, true);
		__napi_schedule(&rq->napi);
	}
}

static unsigned int vpair_rq_index(const struct vpair_rq *rq)
{
	const struct vpair_priv *priv = netdev_priv(rq->dev);

	return rq - priv->rq;
}

/* A frame that XDP let pass (or that met no program), to GRO or the stack. */
static void vpair_rx_skb(struct vpair_rq *rq, struct sk_buff *skb)
{
	skb_record_rx_queue(skb, vpair_rq_index(rq));
	/*
	 * A frame with a route for local delivery (hairpin, bypass) is
	 * handed over alone: GRO merges by headers and would not keep it.
	 */
	if (skb_dst(skb) || skb_shared(skb) || skb_unclone(skb, GFP_ATOMIC))
		netif_receive_skb(skb);
	else
		napi_gro_receive(&rq->napi, skb);
}

static void vpair_rx_frame(struct vpair_rq *rq, struct xdp_frame *frame)
{
	struct sk_buff *skb;

	skb = xdp_build_skb_from_frame(frame, rq->dev);
	if (unlikely(!skb)) {
		xdp_return_frame(frame);
		vpair_rq_add(rq, VPAIR_RQ_DROPS, 1);
		return;
	}
	vpair_rx_skb(rq, skb);
}

/* The peer's queue of our index may have stopped on our full ring. */
static void vpair_rx_wake_sender(struct vpair_rq *rq)
{
	unsigned int idx = vpair_rq_index(rq);
	struct net_device *peer;
	struct netdev_queue *txq;

	rcu_read_lock();
	peer = vpair_peer_rcu(rq->dev);
	if (peer && idx < READ_ONCE(peer->real_num_tx_queues)) {
		txq = netdev_get_tx_queue(peer, idx);
		/* Our consumes before the read; pairs with the sender's stop. */
		smp_mb();
		if (netif_tx_queue_stopped(txq)) {
			txq_trans_cond_update(txq);
			netif_tx_wake_queue(txq);
		}
	}
	rcu_read_unlock();
}

static int vpair_poll(struct napi_struct *napi, int budget)
{
	struct vpair_rq *rq = container_of(napi, struct vpair_rq, napi);
	struct vpair_xdp_tx_bq bq = { .count = 0 };
	bool redirected = false;
	u64 bytes = 0;
	int done = 0;

	xdp_set_return_frame_no_direct();
	while (done < budget) {
		void *ptr = __ptr_ring_consume(&rq->ring);
		u32 act = XDP_PASS;

		if (!ptr)
			break;
		done++;

		if (vpair_is_xdp_frame(ptr)) {
			struct xdp_frame *frame = vpair_ptr_to_xdp(ptr);

			bytes += xdp_get_frame_len(frame);
			frame = vpair_rx_xdp_frame(rq, frame, &bq, &act);
			if (frame)
				vpair_rx_frame(rq, frame);
		} else {
			struct sk_buff *skb = ptr;

			/* The frame as it left the peer, Ethernet header too. */
			bytes += skb->len + skb->data - skb_mac_header(skb);
			/*
			 * A frame of this host still belongs to its sender's
			 * socket. GRO compares no owners: it would glue two
			 * sockets' frames and give all of it back to the
			 * first socket's send buffer (an underflow there,
			 * the second's share never returned). Give up the
			 * ownership here, or, for sock_wfree (UDP's and
			 * packet sockets': kept so that the send buffer
			 * still holds back a sender the ring is slow for),
			 * have GRO keep each owner's frames apart (slow_gro).
			 */
			skb_prepare_for_gro(skb);
			skb = vpair_rx_xdp_skb(rq, skb, &bq, &act);
			if (skb)
				vpair_rx_skb(rq, skb);
		}
		if (act == XDP_REDIRECT)
			redirected = true;
	}

	if (redirected)
		xdp_do_flush();
	if (bq.count)
		vpair_rx_xdp_tx_flush(rq, &bq);
	xdp_clear_return_frame_no_direct();

	u64_stats_update_begin(&rq->stats.syncp);
	u64_stats_add(&rq->stats.cnt[VPAIR_RQ_XDP_PACKETS], done);
	u64_stats_add(&rq->stats.cnt[VPAIR_RQ_XDP_BYTES], bytes);
	u64_stats_update_end(&rq->stats.syncp);

	if (done < budget && napi_complete_done(napi, done)) {
		/* Unmask before looking at the ring; pairs with the kick. */
		smp_store_mb(rq->rx_notify_masked, false);
		if (unlikely(!__ptr_ring_empty(&rq->ring)) &&
		    napi_schedule_prep(napi)) {
			WRITE_ONCE(rq->rx_notify_masked, true);
			__napi_schedule(napi);
		}
	}

	vpair_rx_wake_sender(rq);
	return done;
}

/*
 * NAPI runs while the end is up and an XDP program or GRO asks for it;
 * @features is what dev->features is or is about to become.
 */
bool vpair_napi_wanted(const struct net_device *dev,
		       netdev_features_t features)
{
	const struct vpair_priv *priv = netdev_priv(dev);

	return netif_running(dev) &&
	       (priv->xdp_prog || (features & NETIF_F_GRO));
}

static int vpair_rq_start(struct net_device *dev, struct vpair_rq *rq,
			  unsigned int idx)
{
	struct vpair_priv *priv = netdev_priv(dev);
	int err;

	err = ptr_ring_init(&rq->ring, VPAIR_RING_SIZE, GFP_KERNEL);
	if (err)
		return err;

	rq->page_pool = vpair_page_pool_create(dev, &rq->napi, idx,
					       VPAIR_RING_SIZE);
	if (IS_ERR(rq->page_pool)) {
		err = PTR_ERR(rq->page_pool);
		goto err_ring;
	}

	netif_napi_add(dev, &rq->napi, vpair_poll);
	napi_enable(&rq->napi);

	err = xdp_rxq_info_reg(&rq->xdp_rxq, dev, idx, rq->napi.napi_id);
	if (err)
		goto err_napi;
	err = xdp_rxq_info_reg_mem_model(&rq->xdp_rxq, MEM_TYPE_PAGE_POOL,
					 rq->page_pool);
	if (err)
		goto err_rxq;
	rq->pp_mem = rq->xdp_rxq.mem;

	rcu_assign_pointer(rq->xdp_prog, priv->xdp_prog);
	rcu_assign_pointer(rq->napi_on, &rq->napi);
	return 0;

err_rxq:
	xdp_rxq_info_unreg(&rq->xdp_rxq);
err_napi:
	napi_disable(&rq->napi);
	netif_napi_del(&rq->napi);
	page_pool_destroy(rq->page_pool);
	rq->page_pool = NULL;
err_ring:
	ptr_ring_cleanup(&rq->ring, NULL);
	return err;
}

/* Senders are gone (vpair_napi_stop() waited for them). */
static void vpair_rq_stop(struct vpair_rq *rq)
{
	void *ptr;

	napi_disable(&rq->napi);
	while ((ptr = __ptr_ring_consume(&rq->ring)))
		vpair_ptr_free(ptr);

	/* XDP_TX and redirect lent the model out; unregister the pool's. */
	rq->xdp_rxq.mem = rq->pp_mem;
	xdp_rxq_info_unreg(&rq->xdp_rxq);
	netif_napi_del(&rq->napi);
	page_pool_destroy(rq->page_pool);
	rq->page_pool = NULL;
	ptr_ring_cleanup(&rq->ring, NULL);
	RCU_INIT_POINTER(rq->xdp_prog, NULL);
	rq->rx_notify_masked = false;
}

/* Under RTNL; @dev is up. */
int vpair_napi_start(struct net_device *dev)
{
	struct vpair_priv *priv = netdev_priv(dev);
	unsigned int i, n = dev->real_num_rx_queues;
	int err;

	for (i = 0; i < n; i++) {
		err = vpair_rq_start(dev, &priv->rq[i], i);
		if (err)
			goto undo;
	}
	priv->napi_queues = n;
	return 0;

undo:
	priv->napi_queues = i;
	vpair_napi_stop(dev);
	return err;
}

/*
 * Under RTNL. After it, the peer hands frames to our stack directly again;
 * whatever the ring held is freed, and a peer queue that stopped on the
 * full ring is woken, since no NAPI run is left to do it.
 */
void vpair_napi_stop(struct net_device *dev)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct net_device *peer;
	unsigned int i;

	if (!priv->napi_queues)
		return;

	for (i = 0; i < priv->napi_queues; i++)
		RCU_INIT_POINTER(priv->rq[i].napi_on, NULL);
	/* Senders that saw NAPI on are done queueing and kicking. */
	synchronize_net();
	for (i = 0; i < priv->napi_queues; i++)
		vpair_rq_stop(&priv->rq[i]);
	priv->napi_queues = 0;

	peer = vpair_peer_rtnl(dev);
	if (peer)
		netif_tx_wake_all_queues(peer);
}

/*
 * Bring NAPI in line with what the end wants, after its XDP program, its
 * features (@features: the new ones) or its state changed. Under RTNL.
 */
int vpair_napi_update(struct net_device *dev, netdev_features_t features)
{
	struct vpair_priv *priv = netdev_priv(dev);
	bool want = vpair_napi_wanted(dev, features);
	unsigned int i;

	if (want && !priv->napi_queues)
		return vpair_napi_start(dev);
	if (!want && priv->napi_queues) {
		vpair_napi_stop(dev);
		return 0;
	}
	/* Running on: a program replaced or removed under GRO. */
	for (i = 0; i < priv->napi_queues; i++)
		rcu_assign_pointer(priv->rq[i].xdp_prog, priv->xdp_prog);
	return 0;
}
