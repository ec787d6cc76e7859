// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: loopback bypass, the sending half of what makes a host's own
 * traffic cross the pair.
 *
 * The stack routes a packet to one of its own addresses through lo, whatever
 * interface holds the address. For a pair with loopback_bypass on and both
 * ends in one namespace, a netfilter hook at the very end of POST_ROUTING
 * takes such packets off lo when the source address belongs to one end and
 * the destination to the other, gives them an Ethernet header and sends them
 * through the source's end. They keep their route for local delivery, so the
 * other end hands them to the stack as lo would (hairpin.c), and tcpdump, tc
 * and XDP on both ends see them.
 *
 * The hooks are registered only in the namespaces that hold such a pair,
 * so no other traffic on the host pays for them.
 *
 * IPv6 needs one more thing, at source selection: see vpair_srcsel_set().
 */
#include <linux/etherdevice.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/addrconf.h>
#include <net/ip6_fib.h>
#include <net/netns/generic.h>
#include <net/route.h>

#include "vpair.h"

struct vpair_net {
	bool hooks_registered;
};

static unsigned int vpair_net_id __read_mostly;

/*
 * Does @dev belong to a pair that bypasses lo right now? Both ends must be
 * in one namespace and the cable must carry frames: with the cable pulled
 * or an end down, the host's own traffic goes through lo as usual.
 */
bool vpair_bypass_active(const struct net_device *dev)
{
	const struct vpair_priv *priv = netdev_priv(dev);
	const struct net_device *peer = vpair_peer_rcu(dev);

	return peer && READ_ONCE(priv->cable->loopback_bypass) &&
	       net_eq(dev_net(dev), dev_net(peer)) && netif_carrier_ok(dev);
}

/*
 * Is @from, the device that holds a packet's source address, an end of a
 * pair that bypasses lo? Asked first, so that the host's other traffic to
 * itself (127.0.0.1 among it) costs one address lookup and no more.
 */
static bool vpair_bypass_from(const struct net_device *from)
{
	return from && vpair_is_end(from) && vpair_bypass_active(from);
}

/*
 * @from holds the source address and @to the destination: if they are the
 * two ends of one bypassing pair, send the packet through @from.
 */
static unsigned int vpair_bypass_steal(struct sk_buff *skb,
				       struct net_device *from,
				       const struct net_device *to,
				       __be16 proto)
{
	struct ethhdr *eth;

	if (!to || vpair_peer_rcu(from) != to)
		return NF_ACCEPT;

	/* lo reserved room for its own Ethernet header; check anyway. */
	if (skb_cow_head(skb, ETH_HLEN))
		return NF_ACCEPT;

	eth = skb_push(skb, ETH_HLEN);
	skb_reset_mac_header(skb);
	ether_addr_copy(eth->h_dest, to->dev_addr);
	ether_addr_copy(eth->h_source, from->dev_addr);
	eth->h_proto = proto;
	skb->dev = from;

	dev_queue_xmit(skb);
	return NF_STOLEN;
}

static unsigned int vpair_bypass_ipv4(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	const struct rtable *rt = skb_rtable(skb);
	const struct iphdr *iph;
	struct net_device *from;

	if (!rt || rt->rt_type != RTN_LOCAL)
		return NF_ACCEPT;

	iph = ip_hdr(skb);
	from = __ip_dev_find(state->net, iph->saddr, false);
	if (!vpair_bypass_from(from))
		return NF_ACCEPT;

	return vpair_bypass_steal(skb, from,
				  __ip_dev_find(state->net, iph->daddr, false),
				  htons(ETH_P_IP));
}

#if IS_ENABLED(CONFIG_IPV6)
static unsigned int vpair_bypass_ipv6(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	const struct dst_entry *dst = skb_dst(skb);
	const struct ipv6hdr *ip6h;
	struct net_device *from;

	if (!dst || !(dst_rt6_info(dst)->rt6i_flags & RTF_LOCAL))
		return NF_ACCEPT;

	ip6h = ipv6_hdr(skb);
	from = ipv6_dev_find(state->net, &ip6h->saddr, NULL);
	if (!vpair_bypass_from(from))
		return NF_ACCEPT;

	return vpair_bypass_steal(skb, from,
				  ipv6_dev_find(state->net, &ip6h->daddr, NULL),
				  htons(ETH_P_IPV6));
}
#endif

/* Last in POST_ROUTING: after NAT, filtering and conntrack confirmation. */
static const struct nf_hook_ops vpair_bypass_ops[] = {
	{
		.hook		= vpair_bypass_ipv4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_LAST,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook		= vpair_bypass_ipv6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_LAST,
	},
#endif
};

#if IS_ENABLED(CONFIG_IPV6)
/*
 * A socket bound to vp0 (ping -6 -I vp0) asks the kernel for a source
 * address towards vp1's address. By default every address of the namespace
 * is a candidate, and RFC 6724's first rule prefers the destination itself:
 * the request would leave vp0 from vp1's address, and the reply, from that
 * address to itself, is one end's own traffic and stays on lo, where the
 * bound socket never sees it. IPv4 takes the source from the outgoing
 * device. For IPv6, use_oif_addrs_only limits the candidates to the
 * outgoing end's addresses (RFC 6724 section 4's recommended set), so that
 * each packet leaves through the end that holds its source. Kept on while
 * the pair bypasses lo; put back to the namespace's default afterwards.
 */
static void vpair_srcsel_set(struct net_device *dev, bool on)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct inet6_dev *idev = __in6_dev_get(dev);
	int val;

	/* No IPv6 on this end (yet): addrconf makes the inet6_dev later. */
	if (!idev)
		return;

	if (!on && !priv->srcsel_held)
		return;

	val = on ? 1 :
	      READ_ONCE(dev_net(dev)->ipv6.devconf_dflt->use_oif_addrs_only);
	WRITE_ONCE(idev->cnf.use_oif_addrs_only, val);
	priv->srcsel_held = on;
}
#else
static void vpair_srcsel_set(struct net_device *dev, bool on)
{
}
#endif

/*
 * Sets source selection on both ends of @cable to match its bypass. Called
 * under RTNL when the options change, and when an end appears, moves, goes
 * away or gets the inet6_dev addrconf creates.
 */
void vpair_bypass_srcsel_sync(struct vpair_cable *cable)
{
	struct net_device *a = rtnl_dereference(cable->end[0]);
	struct net_device *b = rtnl_dereference(cable->end[1]);
	bool on;

	ASSERT_RTNL();

	on = a && b && READ_ONCE(cable->loopback_bypass) &&
	     net_eq(dev_net(a), dev_net(b));
	if (a)
		vpair_srcsel_set(a, on);
	if (b)
		vpair_srcsel_set(b, on);
}

/* Is there a pair in @net whose ends may bypass lo? Called under RTNL. */
static bool vpair_bypass_wanted(struct net *net)
{
	const struct net_device *dev;
	const struct vpair_priv *priv;

	for_each_netdev(net, dev) {
		if (!vpair_is_end(dev))
			continue;
		priv = netdev_priv(dev);
		if (READ_ONCE(priv->cable->loopback_bypass) &&
		    rtnl_dereference(priv->cable->end[!priv->side]) &&
		    net_eq(dev_net(vpair_peer_rtnl(dev)), net))
			return true;
	}
	return false;
}

/*
 * Registers or unregisters the hooks of @net to match its pairs. Called
 * under RTNL whenever a pair appears, changes options, moves or goes away.
 * A namespace being dismantled has lost its hooks already (vpair_net_exit).
 */
int vpair_bypass_sync(struct net *net)
{
	struct vpair_net *vn = net_generic(net, vpair_net_id);
	bool want;
	int err;

	ASSERT_RTNL();

	want = check_net(net) && vpair_bypass_wanted(net);
	if (want == vn->hooks_registered)
		return 0;

	if (want) {
		err = nf_register_net_hooks(net, vpair_bypass_ops,
					    ARRAY_SIZE(vpair_bypass_ops));
		if (err)
			return err;
	} else {
		nf_unregister_net_hooks(net, vpair_bypass_ops,
					ARRAY_SIZE(vpair_bypass_ops));
	}
	vn->hooks_registered = want;
	return 0;
}

/*
 * An end that changes namespace is unregistered from one and registered in
 * the other; either may start or end a pair's bypass, in the end's
 * namespace and in its peer's. addrconf, which runs before us, creates an
 * end's inet6_dev at registration, or later when the end is brought up or
 * its MTU grows to IPv6's minimum.
 */
static int vpair_bypass_netdev_event(struct notifier_block *nb,
				     unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vpair_priv *priv;
	struct net_device *peer;
	int err;

	if (!vpair_is_end(dev))
		return NOTIFY_DONE;

	priv = netdev_priv(dev);
	switch (event) {
	case NETDEV_REGISTER:
		/* A new inet6_dev, whatever this end had before a move. */
		priv->srcsel_held = false;
		break;
	case NETDEV_UP:
	case NETDEV_CHANGEMTU:
		vpair_bypass_srcsel_sync(priv->cable);
		return NOTIFY_DONE;
	case NETDEV_UNREGISTER:
		break;
	default:
		return NOTIFY_DONE;
	}

	vpair_bypass_srcsel_sync(priv->cable);
	err = vpair_bypass_sync(dev_net(dev));
	peer = vpair_peer_rtnl(dev);
	if (!err && peer && !net_eq(dev_net(peer), dev_net(dev)))
		err = vpair_bypass_sync(dev_net(peer));
	return notifier_from_errno(err);
}

static struct notifier_block vpair_bypass_notifier = {
	.notifier_call	= vpair_bypass_netdev_event,
	/* after addrconf's, which makes the inet6_dev */
	.priority	= ADDRCONF_NOTIFY_PRIORITY - 1,
};

static void __net_exit vpair_net_exit(struct net *net)
{
	struct vpair_net *vn = net_generic(net, vpair_net_id);

	if (vn->hooks_registered)
		nf_unregister_net_hooks(net, vpair_bypass_ops,
					ARRAY_SIZE(vpair_bypass_ops));
	vn->hooks_registered = false;
}

static struct pernet_operations vpair_net_ops = {
	.exit	= vpair_net_exit,
	.id	= &vpair_net_id,
	.size	= sizeof(struct vpair_net),
};

int vpair_bypass_init(void)
{
	int err;

	err = register_pernet_subsys(&vpair_net_ops);
	if (err)
		return err;

	err = register_netdevice_notifier(&vpair_bypass_notifier);
	if (err)
		unregister_pernet_subsys(&vpair_net_ops);
	return err;
}

void vpair_bypass_exit(void)
{
	unregister_netdevice_notifier(&vpair_bypass_notifier);
	unregister_pernet_subsys(&vpair_net_ops);
}
