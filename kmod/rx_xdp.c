// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: the XDP program of the receiving end, run by its NAPI poll
 * (rx_ring.c) on each frame the ring brings: skbs from the peer's
 * transmit path, xdp_frames from ndo_xdp_xmit() and the peer's XDP_TX.
 *
 * What it trusts: an skb in the ring went through the peer's transmit
 * path (xmit.c): its Ethernet header is linear, it fits our MTU, and if
 * it carries a route for local delivery, hairpin or the bypass attached
 * it to a frame this host built. Frames came from a program's XDP_TX or
 * redirect and are checked against our MTU by vpair_xdp_xmit().
 */
#include <linux/bpf.h>
#include <linux/bpf_trace.h>
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <net/xdp.h>

#include "vpair.h"

/* Room for the frame in a page after the headroom and the shared info. */
#define VPAIR_XDP_HEAD_ROOM	SKB_WITH_OVERHEAD(PAGE_SIZE - XDP_PACKET_HEADROOM)

static int vpair_xdp_tx(struct vpair_rq *rq, struct xdp_buff *xdp,
			struct vpair_xdp_tx_bq *bq)
{
	struct xdp_frame *frame = xdp_convert_buff_to_frame(xdp);

	if (unlikely(!frame))
		return -EOVERFLOW;
	if (bq->count == ARRAY_SIZE(bq->q))
		vpair_rx_xdp_tx_flush(rq, bq);
	bq->q[bq->count++] = frame;
	return 0;
}

/* XDP_TX: the frames go back out of this end, to the peer. */
void vpair_rx_xdp_tx_flush(struct vpair_rq *rq, struct vpair_xdp_tx_bq *bq)
{
	int sent, i;

	sent = vpair_xdp_xmit(rq->dev, bq->count, bq->q, true, false);
	if (sent < 0)
		sent = 0;
	for (i = sent; i < bq->count; i++)
		xdp_return_frame(bq->q[i]);
	trace_xdp_bulk_tx(rq->dev, sent, bq->count - sent, 0);

	u64_stats_update_begin(&rq->stats.syncp);
	u64_stats_add(&rq->stats.cnt[VPAIR_RQ_XDP_TX], sent);
	u64_stats_add(&rq->stats.cnt[VPAIR_RQ_XDP_TX_ERRORS], bq->count - sent);
	u64_stats_update_end(&rq->stats.syncp);
	bq->count = 0;
}

/* DROP, ABORTED or an action we do not know: count, and say why. */
static void vpair_xdp_dropped(struct vpair_rq *rq, struct bpf_prog *prog,
			      u32 act)
{
	switch (act) {
	case XDP_DROP:
		break;
	default:
		bpf_warn_invalid_xdp_action(rq->dev, prog, act);
		fallthrough;
	case XDP_ABORTED:
		trace_xdp_exception(rq->dev, prog, act);
		vpair_rq_add(rq, VPAIR_RQ_XDP_ABORTED, 1);
	}
	vpair_rq_add(rq, VPAIR_RQ_XDP_DROPS, 1);
}

/*
 * XDP_TX or XDP_REDIRECT of @xdp, whose pages belong to memory model
 * @mem. Returns @act, or XDP_DROP if it failed: then the buffer is
 * given back and the drop counted.
 */
static u32 vpair_xdp_send(struct vpair_rq *rq, struct bpf_prog *prog,
			  struct xdp_buff *xdp, struct vpair_xdp_tx_bq *bq,
			  const struct xdp_mem_info *mem, u32 act)
{
	int err;

	rq->xdp_rxq.mem = *mem;
	if (act == XDP_TX) {
		err = vpair_xdp_tx(rq, xdp, bq);
		if (unlikely(err))
			trace_xdp_exception(rq->dev, prog, act);
	} else {
		/* A failed redirect has its own tracepoint (xdp_redirect_err). */
		err = xdp_do_redirect(rq->dev, xdp, prog);
		if (!err)
			vpair_rq_add(rq, VPAIR_RQ_XDP_REDIRECT, 1);
	}
	if (likely(!err))
		return act;

	xdp_return_buff(xdp);
	vpair_rq_add(rq, VPAIR_RQ_DROPS, 1);
	return XDP_DROP;
}

/*
 * Run @prog on @xdp, a buffer that is ours to give back (a frame, or a
 * page pool copy), and carry the action out. For XDP_PASS the caller
 * takes the buffer on; after any other action it is gone.
 */
static u32 vpair_xdp_run(struct vpair_rq *rq, struct bpf_prog *prog,
			 struct xdp_buff *xdp, struct vpair_xdp_tx_bq *bq,
			 const struct xdp_mem_info *mem)
{
	u32 act = bpf_prog_run_xdp(prog, xdp);

	switch (act) {
	case XDP_PASS:
		return act;
	case XDP_TX:
	case XDP_REDIRECT:
		return vpair_xdp_send(rq, prog, xdp, bq, mem, act);
	}
	vpair_xdp_dropped(rq, prog, act);
	rq->xdp_rxq.mem = *mem;
	xdp_return_buff(xdp);
	return XDP_DROP;
}

/* An xdp_frame: the program runs on it in place. */
struct xdp_frame *vpair_rx_xdp_frame(struct vpair_rq *rq,
				     struct xdp_frame *frame,
				     struct vpair_xdp_tx_bq *bq, u32 *act)
{
	struct vpair_xdp_buff vxdp;
	struct xdp_mem_info mem;
	struct bpf_prog *prog;

	rcu_read_lock();
	prog = rcu_dereference(rq->xdp_prog);
	if (!prog) {
		rcu_read_unlock();
		return frame;
	}

	xdp_convert_frame_to_buff(frame, &vxdp.xdp);
	vxdp.xdp.rxq = &rq->xdp_rxq;
	vxdp.skb = NULL;
	vpair_frame_mem(frame, &mem);
	*act = vpair_xdp_run(rq, prog, &vxdp.xdp, bq, &mem);
	rcu_read_unlock();

	if (*act != XDP_PASS)
		return NULL;
	if (unlikely(xdp_update_frame_from_buff(&vxdp.xdp, frame))) {
		xdp_return_frame(frame);
		vpair_rq_add(rq, VPAIR_RQ_DROPS, 1);
		return NULL;
	}
	return frame;
}

/*
 * May the program work on @skb's own head? Only if nobody else sees it,
 * it is one linear page fragment with XDP's headroom, and not a page
 * pool's (whose pages go back to their pool, not to us).
 */
static bool vpair_skb_in_place(const struct sk_buff *skb)
{
	return !skb_shared(skb) && !skb_head_is_locked(skb) &&
	       !skb_is_nonlinear(skb) && !skb->pp_recycle &&
	       skb_headroom(skb) >= XDP_PACKET_HEADROOM;
}

/*
 * Copy @skb into pages of the queue's page pool, as an xdp_buff with
 * XDP's headroom: the head in one page, the rest in page frags when the
 * program takes multi-buffer frames.
 */
static int vpair_skb_to_pp(struct vpair_rq *rq, struct sk_buff *skb,
			   struct xdp_buff *xdp, bool frags)
{
	unsigned int len = skb->len, head = min(len, VPAIR_XDP_HEAD_ROOM);
	unsigned int off, size;
	struct page *page;

	if (len > head && !frags)
		return -E2BIG;

	page = page_pool_dev_alloc_pages(rq->page_pool);
	if (!page)
		return -ENOMEM;
	xdp_init_buff(xdp, PAGE_SIZE, &rq->xdp_rxq);
	xdp_prepare_buff(xdp, page_address(page), XDP_PACKET_HEADROOM, head,
			 true);
	xdp_buff_clear_frags_flag(xdp);
	rq->xdp_rxq.mem = rq->pp_mem;
	if (skb_copy_bits(skb, 0, xdp->data, head))
		goto err;

	for (off = head; off < len; off += size) {
		size = min_t(unsigned int, len - off, PAGE_SIZE);
		page = page_pool_dev_alloc_pages(rq->page_pool);
		if (!page)
			goto err;
		if (!vpair_xdp_add_frag(xdp, page, size)) {
			page_pool_put_full_page(rq->page_pool, page, false);
			goto err;
		}
		if (skb_copy_bits(skb, off, page_address(page), size))
			goto err;
	}
	return 0;

err:
	xdp_return_buff(xdp);
	return -ENOMEM;
}

/*
 * What the skb the program passed keeps of the one the peer sent: what
 * __dev_forward_skb() left of it, the VLAN tag the peer's VLAN device
 * left out of the frame (the program saw it only through the kfunc), and
 * for the host's own packet taken off lo its conntrack entry, as lo keeps
 * it (the route is looked up again).
 */
static void vpair_copy_meta(struct sk_buff *to, const struct sk_buff *from)
{
	to->mark = from->mark;
	to->priority = from->priority;
	skb_copy_hash(to, from);
	if (skb_vlan_tag_present(from))
		__vlan_hwaccel_put_tag(to, from->vlan_proto,
				       skb_vlan_tag_get(from));
	__nf_copy(to, from, true);
}

/*
 * Run @prog on @skb's own head, linear: @skb is at its MAC header. On
 * XDP_PASS, @skb is made what the program left (its start, its end, its
 * metadata) and returned for the stack. Otherwise it is gone.
 *
 * @generic: the head is not a page fragment we may lend as a frame (a
 * frame too big for one page, for a program without frags support): as
 * in generic XDP, XDP_TX sends the skb itself back out, marked received
 * here (skb_iif) so that hairpin does not take it for one the host
 * built; XDP_REDIRECT fails, counted and traced.
 */
static struct sk_buff *vpair_xdp_skb_head(struct vpair_rq *rq,
					  struct bpf_prog *prog,
					  struct sk_buff *skb,
					  struct vpair_xdp_tx_bq *bq,
					  bool generic, u32 *act)
{
	struct xdp_mem_info shared = { .type = MEM_TYPE_PAGE_SHARED };
	struct vpair_xdp_buff vxdp;
	struct xdp_buff *xdp = &vxdp.xdp;
	void *orig_data;
	int off;

	vxdp.skb = skb;

	xdp_init_buff(xdp, skb_end_pointer(skb) - skb->head +
		      SKB_DATA_ALIGN(sizeof(struct skb_shared_info)),
		      &rq->xdp_rxq);
	xdp_prepare_buff(xdp, skb->head, skb_headroom(skb), skb_headlen(skb),
			 true);
	xdp_buff_clear_frags_flag(xdp);
	orig_data = xdp->data;

	*act = bpf_prog_run_xdp(prog, xdp);
	if (!generic && (*act == XDP_TX || *act == XDP_REDIRECT)) {
		/*
		 * The frame keeps the head's page and the skb goes; the
		 * frame is given back as a shared page (put_page()).
		 */
		get_page(virt_to_page(xdp->data));
		consume_skb(skb);
		*act = vpair_xdp_send(rq, prog, xdp, bq, &shared, *act);
		return NULL;
	}
	if (*act != XDP_PASS && *act != XDP_TX && *act != XDP_REDIRECT) {
		vpair_xdp_dropped(rq, prog, *act);
		kfree_skb_reason(skb, SKB_DROP_REASON_XDP);
		return NULL;
	}

	/* The program may have moved the start and the end. */
	off = orig_data - xdp->data;
	if (off > 0)
		__skb_push(skb, off);
	else if (off < 0)
		__skb_pull(skb, -off);
	/* A linear skb: its length is what lies between them now. */
	skb->len = xdp->data_end - xdp->data;
	skb_set_tail_pointer(skb, skb->len);
	if (xdp->data_meta < xdp->data)
		skb_metadata_set(skb, xdp->data - xdp->data_meta);

	switch (*act) {
	case XDP_TX:
		skb->dev = rq->dev;
		skb->skb_iif = rq->dev->ifindex;
		skb_dst_drop(skb);
		dev_queue_xmit(skb);
		vpair_rq_add(rq, VPAIR_RQ_XDP_TX, 1);
		return NULL;
	case XDP_REDIRECT:
		/*
		 * Only an xdp_frame can be redirected, and a frame of this
		 * size is a multi-buffer one, which this program did not
		 * ask for (the core's generic redirect of an skb is not
		 * open to modules).
		 */
		trace_xdp_exception(rq->dev, prog, *act);
		kfree_skb_reason(skb, SKB_DROP_REASON_XDP);
		vpair_rq_add(rq, VPAIR_RQ_DROPS, 1);
		*act = XDP_DROP;
		return NULL;
	}
	skb->protocol = eth_type_trans(skb, rq->dev);
	return skb;
}

/*
 * Run @prog on a page pool copy of @skb, which then goes. Returns the skb
 * built from what the program passed, or NULL.
 */
static struct sk_buff *vpair_xdp_skb_copy(struct vpair_rq *rq,
					  struct bpf_prog *prog,
					  struct sk_buff *skb,
					  struct vpair_xdp_tx_bq *bq, u32 *act)
{
	struct vpair_xdp_buff vxdp;
	struct xdp_buff *xdp = &vxdp.xdp;
	struct sk_buff *nskb = NULL;

	vxdp.skb = skb;

	if (vpair_skb_to_pp(rq, skb, xdp, prog->aux->xdp_has_frags)) {
		vpair_rq_add(rq, VPAIR_RQ_DROPS, 1);
		*act = XDP_DROP;
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NULL;
	}

	*act = vpair_xdp_run(rq, prog, xdp, bq, &rq->pp_mem);
	if (*act == XDP_PASS) {
		/* Through eth_type_trans(), with its metadata. */
		nskb = vpair_xdp_build_skb(xdp);
		if (nskb) {
			vpair_copy_meta(nskb, skb);
		} else {
			xdp_return_buff(xdp);
			vpair_rq_add(rq, VPAIR_RQ_DROPS, 1);
			*act = XDP_DROP;
		}
	}
	consume_skb(skb);
	return nskb;
}

/*
 * An skb from the peer's transmit path: the program runs on its own head
 * where it may, else on a page pool copy; a frame larger than one page,
 * for a program that takes single buffers only (the host's own TCP over
 * the bypass is sized by lo's MTU), is made linear and run on as generic
 * XDP would. Returns the skb for the stack (the same or a copy, after
 * XDP_PASS) or NULL.
 *
 * A frame that carried a route for local delivery (the host's own, by
 * hairpin or the bypass) loses it when the program passes it: the
 * program may have rewritten its addresses, and the route was looked up
 * for the old ones. hairpin.c looks the route up again for what the
 * frame says now, and only if its source is still an address of ours.
 */
struct sk_buff *vpair_rx_xdp_skb(struct vpair_rq *rq, struct sk_buff *skb,
				 struct vpair_xdp_tx_bq *bq, u32 *act)
{
	struct bpf_prog *prog;
	bool local;

	rcu_read_lock();
	prog = rcu_dereference(rq->xdp_prog);
	if (!prog) {
		rcu_read_unlock();
		return skb;
	}

	/*
	 * No GSO frame gets here: while we have a program, the peer has
	 * no software GSO, so the core segments before its transmit path.
	 */
	if (unlikely(skb_is_gso(skb))) {
		vpair_rq_add(rq, VPAIR_RQ_DROPS, 1);
		*act = XDP_DROP;
		kfree_skb_reason(skb, SKB_DROP_REASON_XDP);
		skb = NULL;
		goto out;
	}

	/*
	 * The host's own packets come with the L4 checksum left to the
	 * device (CHECKSUM_PARTIAL): fill it in, so the program sees the
	 * packet as a wire would carry it, and a copy, a frame or a
	 * redirect elsewhere carries a valid one.
	 */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		vpair_rq_add(rq, VPAIR_RQ_DROPS, 1);
		*act = XDP_DROP;
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		skb = NULL;
		goto out;
	}

	local = skb_dst(skb);
	/* Give back what eth_type_trans() pulled: XDP sees the frame. */
	__skb_push(skb, skb->data - skb_mac_header(skb));

	if (vpair_skb_in_place(skb)) {
		skb = vpair_xdp_skb_head(rq, prog, skb, bq, false, act);
	} else if (skb->len > VPAIR_XDP_HEAD_ROOM &&
		   !prog->aux->xdp_has_frags) {
		if (skb_linearize(skb) ||
		    (skb_cloned(skb) && pskb_expand_head(skb, 0, 0, GFP_ATOMIC))) {
			vpair_rq_add(rq, VPAIR_RQ_DROPS, 1);
			*act = XDP_DROP;
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			skb = NULL;
			goto out;
		}
		skb = vpair_xdp_skb_head(rq, prog, skb, bq, true, act);
	} else {
		skb = vpair_xdp_skb_copy(rq, prog, skb, bq, act);
	}

	if (skb && local) {
		skb_dst_drop(skb);
		vpair_hairpin_route(skb, rq->dev);
	}
out:
	rcu_read_unlock();
	return skb;
}
