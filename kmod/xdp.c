// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: XDP setup (ndo_bpf), frames sent into an end (ndo_xdp_xmit and
 * XDP_TX), and what an end tells the core about both (xdp_features).
 *
 * Where vpair differs from veth: a frame sent into an end always reaches
 * the peer, with or without a program or GRO there. While the peer runs
 * NAPI the frame goes through its ring; otherwise it is made an skb and
 * handed to the peer's stack at once, as the plain transmit path does.
 * So an end is always a redirect target, and xdp_features says so.
 */
#include <linux/bpf.h>
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <net/xdp.h>

#include "vpair.h"

/*
 * Frames for a peer whose queue @idx runs no NAPI: made skbs and handed
 * to its stack now. Returns how many, from the first, were taken.
 */
static int vpair_xdp_to_stack(struct net_device *peer, unsigned int idx,
			      struct xdp_frame **frames, int n)
{
	struct sk_buff *skb;
	int i;

	for (i = 0; i < n; i++) {
		skb = xdp_build_skb_from_frame(frames[i], peer);
		if (unlikely(!skb))
			break;
		skb_record_rx_queue(skb, idx);
		netif_rx(skb);
	}
	return i;
}

/*
 * Send @frames out of @dev: into the receive queue of the peer that this
 * CPU picks. Frames longer than the peer's MTU allows end the run.
 * Returns how many, from the first, were taken; the caller frees the
 * rest. @ndo: called as ndo_xdp_xmit(), counted in the peer's queue as
 * what our tx queue of that index sent.
 */
int vpair_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		   bool flush, bool ndo)
{
	struct net_device *peer;
	unsigned int idx, max_len;
	struct vpair_priv *ppriv;
	struct vpair_rq *rq;
	int i, fit, sent = -ENXIO;

	rcu_read_lock();
	peer = vpair_peer_rcu(dev);
	if (unlikely(!peer || !netif_carrier_ok(dev)))
		goto out;

	ppriv = netdev_priv(peer);
	idx = smp_processor_id() % READ_ONCE(peer->real_num_rx_queues);
	rq = &ppriv->rq[idx];

	max_len = READ_ONCE(peer->mtu) + peer->hard_header_len + VLAN_HLEN;
	for (fit = 0; fit < n; fit++)
		if (unlikely(xdp_get_frame_len(frames[fit]) > max_len))
			break;

	if (rcu_access_pointer(rq->napi_on)) {
		sent = vpair_rx_queue_frames(rq, frames, fit);
		if (flush && sent)
			vpair_rx_kick(rq);
	} else {
		sent = vpair_xdp_to_stack(peer, idx, frames, fit);
	}

	/* The peer's rx counters read ours (vpair_get_stats64()). */
	for (i = 0; i < sent; i++)
		dev_sw_netstats_tx_add(dev, 1, xdp_get_frame_len(frames[i]));
	if (ndo) {
		u64_stats_update_begin(&rq->stats.syncp);
		u64_stats_add(&rq->stats.cnt[VPAIR_RQ_PEER_XDP_XMIT], sent);
		u64_stats_add(&rq->stats.cnt[VPAIR_RQ_PEER_XDP_XMIT_ERRORS],
			      n - sent);
		u64_stats_update_end(&rq->stats.syncp);
	}
out:
	rcu_read_unlock();
	return sent;
}

/*
 * ndo_xdp_xmit: a program elsewhere redirected @frames to @dev (a devmap,
 * bpf_redirect()). The caller frees what we do not take, and reports it
 * (the xdp:xdp_devmap_xmit tracepoint); we count it in the peer's queue.
 */
int vpair_ndo_xdp_xmit(struct net_device *dev, int n,
		       struct xdp_frame **frames, u32 flags)
{
	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;

	return vpair_xdp_xmit(dev, n, frames, flags & XDP_XMIT_FLUSH, true);
}

/*
 * What the core may tell users about @dev: it runs programs natively
 * (with frags), redirects, and takes redirected frames, multi-buffer
 * ones unless the peer's program, which would see them first, was not
 * written for frags. Under RTNL.
 */
void vpair_xdp_update_features(struct net_device *dev)
{
	struct net_device *peer = vpair_peer_rtnl(dev);
	const struct vpair_priv *ppriv;
	bool sg = true;

	if (peer) {
		ppriv = netdev_priv(peer);
		sg = !ppriv->xdp_prog || ppriv->xdp_prog->aux->xdp_has_frags;
	}
	vpair_set_xdp_features(dev, sg);
}

/*
 * While @dev has a program, each of the peer's tx queues has a receive
 * queue of ours of the same index, so each sender's frames meet the
 * program in one queue, as veth requires. @rx and @tx: the counts @dev
 * is about to have. Under RTNL.
 */
int vpair_xdp_check_channels(struct net_device *dev, unsigned int rx,
			     unsigned int tx)
{
	const struct vpair_priv *priv = netdev_priv(dev), *ppriv;
	struct net_device *peer = vpair_peer_rtnl(dev);

	if (!peer)
		return 0;
	ppriv = netdev_priv(peer);
	if (priv->xdp_prog && rx < peer->real_num_tx_queues)
		return -EINVAL;
	if (ppriv->xdp_prog && tx > peer->real_num_rx_queues)
		return -EINVAL;
	return 0;
}

/* The largest MTU the peer may have for frames @prog sees whole. */
static unsigned int vpair_xdp_max_mtu(const struct net_device *peer,
				      const struct bpf_prog *prog)
{
	unsigned int mtu = SKB_WITH_OVERHEAD(PAGE_SIZE - XDP_PACKET_HEADROOM) -
			   peer->hard_header_len;

	if (prog->aux->xdp_has_frags)
		mtu += PAGE_SIZE * MAX_SKB_FRAGS;
	return min_t(unsigned int, mtu, ETH_MAX_MTU);
}

static int vpair_xdp_set(struct net_device *dev, struct bpf_prog *prog,
			 struct netlink_ext_ack *extack)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct net_device *peer = vpair_peer_rtnl(dev);
	struct bpf_prog *old = priv->xdp_prog;
	int err;

	if (prog && peer) {
		if (peer->mtu > vpair_xdp_max_mtu(peer, prog)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "Peer MTU is too large for this XDP program (multi-buffer programs, xdp.frags, take larger frames)");
			return -ERANGE;
		}
		if (dev->real_num_rx_queues < peer->real_num_tx_queues) {
			NL_SET_ERR_MSG_MOD(extack,
					   "XDP needs as many rx queues as the peer has tx queues");
			return -ENOSPC;
		}
	}

	priv->xdp_prog = prog;
	err = vpair_napi_update(dev, dev->features);
	if (err) {
		priv->xdp_prog = old;
		vpair_napi_update(dev, dev->features);
		NL_SET_ERR_MSG_MOD(extack, "No memory for the receive rings");
		return err;
	}
	if (old)
		bpf_prog_put(old);

	/*
	 * The peer sends us no GSO frames while we have a program (the
	 * core segments them before its transmit path), and no frames
	 * larger than the program can take.
	 */
	if (peer) {
		if (prog) {
			peer->hw_features &= ~NETIF_F_GSO_SOFTWARE;
			peer->max_mtu = vpair_xdp_max_mtu(peer, prog);
		} else {
			peer->hw_features |= NETIF_F_GSO_SOFTWARE;
			peer->max_mtu = ETH_MAX_MTU;
		}
		netdev_update_features(peer);
		vpair_xdp_update_features(peer);
	}
	return 0;
}

int vpair_bpf(struct net_device *dev, struct netdev_bpf *bpf)
{
	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return vpair_xdp_set(dev, bpf->prog, bpf->extack);
	default:
		return -EINVAL;
	}
}
