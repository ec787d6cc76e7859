// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: hairpin delivery, the receiving half of what makes a host's own
 * traffic cross the pair.
 *
 * A frame that crosses the pair inside one namespace with a source address
 * of that namespace is a martian to the receiving stack: the input route
 * lookup rejects a local source (unless accept_local, and strict rp_filter
 * rejects it even then), and ARP requests from a local sender get no
 * answer for the same reason. Instead of relaxing those checks for the
 * whole host, vpair hands such frames to the stack the way lo does: with
 * the route for local delivery already attached, so no input route lookup
 * runs. Every other interface keeps its martian protection.
 *
 * All of this runs in the sender's transmit path, only for pairs with
 * hairpin or loopback_bypass on and both ends in the same namespace, and
 * only for frames built on this host (vpair_built_here()): a frame
 * bridged or forwarded into the pair is never the host's own.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <net/arp.h>
#include <net/ip6_fib.h>
#include <net/route.h>

#include "vpair.h"

/*
 * Does @skb carry a route for local delivery? The stack gives one to a
 * packet it sends to one of its own addresses, and the bypass keeps it
 * when it takes the packet off lo. Only asked of frames that
 * vpair_built_here() vouches for: a route attached to a frame that came in
 * from elsewhere (br_netfilter gives bridged frames one) proves nothing.
 */
bool vpair_has_local_dst(const struct sk_buff *skb)
{
	const struct dst_entry *dst = skb_dst(skb);

	if (!dst || dst_xfrm(dst))
		return false;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return dst->ops->family == AF_INET &&
		       dst_rtable(dst)->rt_type == RTN_LOCAL;
#if IS_ENABLED(CONFIG_IPV6)
	case htons(ETH_P_IPV6):
		return dst->ops->family == AF_INET6 &&
		       (dst_rt6_info(dst)->rt6i_flags & RTF_LOCAL);
#endif
	}
	return false;
}

/*
 * The route for local delivery of an IPv4 packet from @saddr to @daddr,
 * as an output lookup returns it. NULL if the destination is not local.
 */
static struct rtable *vpair_local_route(struct net *net, __be32 saddr,
					__be32 daddr)
{
	struct flowi4 fl4 = {
		.daddr = daddr,
		.saddr = saddr,
	};
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return NULL;
	if (rt->rt_type != RTN_LOCAL) {
		ip_rt_put(rt);
		return NULL;
	}
	return rt;
}

/*
 * What loopback_xmit() does, on the peer: the packet keeps its route for
 * local delivery, so the receiving stack delivers it without looking the
 * source up, and it gets the receiver's timestamp, not the sender's
 * (SO_TXTIME, EDT pacing). The receiving socket sees the peer as the
 * input device: eth_type_trans() makes it skb->dev, the core records it
 * in skb_iif, and the route's rt_iif (IPv4) or idev (IPv6) is already the
 * device that holds the destination address, bound sender or not.
 */
void vpair_deliver_local(struct sk_buff *skb, struct net_device *peer)
{
	skb_orphan(skb);
	skb_clear_tstamp(skb);
	skb_dst_force(skb);
	skb->protocol = eth_type_trans(skb, peer);
	vpair_count(peer, VPAIR_STAT_RX_HAIRPIN);
}

/*
 * An IPv4 frame built on this host from a local source to a local
 * destination (e.g. written into one end with a packet socket) gets the
 * route for local delivery that an output lookup returns. IPv6 needs no
 * help: its input path has no check against local sources. Returns
 * whether it attached a route; @skb has been through eth_type_trans().
 */
bool vpair_hairpin_route(struct sk_buff *skb, struct net_device *peer)
{
	struct net *net = dev_net(peer);
	const struct iphdr *iph;
	struct rtable *rt;

	if (skb->protocol != htons(ETH_P_IP) ||
	    !pskb_may_pull(skb, sizeof(*iph)))
		return false;

	/* 127/8 never comes from a wire, hairpin or not. */
	iph = (const struct iphdr *)skb->data;
	if (ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr) ||
	    ipv4_is_loopback(iph->daddr) || ipv4_is_loopback(iph->saddr) ||
	    !__ip_dev_find(net, iph->saddr, false))
		return false;

	rt = vpair_local_route(net, iph->saddr, iph->daddr);
	if (!rt)
		return false;

	skb_dst_set(skb, &rt->dst);
	return true;
}

/*
 * Is @skb an ARP request from a local address for an address of @peer?
 * Its fields are copied to @req, since the frame itself goes on to the
 * peer (tcpdump there sees it) before the answer is sent.
 */
bool vpair_hairpin_arp_request(struct sk_buff *skb, struct net_device *peer,
			       struct vpair_arp_request *req)
{
	struct net *net = dev_net(peer);
	const struct arphdr *arp;
	const u8 *p;

	if (skb->protocol != htons(ETH_P_ARP) ||
	    !pskb_may_pull(skb, ETH_HLEN + arp_hdr_len(peer)))
		return false;

	arp = (const struct arphdr *)(skb->data + ETH_HLEN);
	if (arp->ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4 ||
	    arp->ar_op != htons(ARPOP_REQUEST))
		return false;

	/* Sender hardware and IP address, target hardware and IP address. */
	p = (const u8 *)(arp + 1);
	ether_addr_copy(req->sha, p);
	memcpy(&req->sip, p + ETH_ALEN, sizeof(req->sip));
	memcpy(&req->tip, p + 2 * ETH_ALEN + sizeof(req->sip),
	       sizeof(req->tip));

	return is_valid_ether_addr(req->sha) &&
	       __ip_dev_find(net, req->tip, false) == peer &&
	       __ip_dev_find(net, req->sip, false);
}

/* The reply the peer's stack would give, sent through the peer. */
void vpair_hairpin_arp_reply(struct net_device *peer,
			     const struct vpair_arp_request *req)
{
	arp_send(ARPOP_REPLY, ETH_P_ARP, req->sip, peer, req->tip, req->sha,
		 peer->dev_addr, req->sha);
	vpair_count(peer, VPAIR_STAT_TX_HAIRPIN_ARP);
}
