// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: loopback bypass, the sending half of what makes a host's own
 * traffic cross the pair.
 *
 * The stack routes a packet to one of its own addresses through lo, whatever
 * interface holds the address. For a pair with loopback_bypass on and both
 * ends in one namespace, a netfilter hook on that namespace's lo, at its
 * egress (the last step before loopback_xmit()), takes such packets when
 * the source address belongs to one end and the destination to the other,
 * and sends them through the source's end instead. They keep their route
 * for local delivery, so the other end hands them to the stack as lo would
 * (hairpin.c), and tcpdump, tc and XDP on both ends see them.
 *
 * What it trusts, and why it is safe: a packet reaches lo's egress only
 * after everything the host applies to its own traffic to itself: xfrm
 * (a packet still to be transformed never gets here: its cleartext goes
 * into the xfrm bundle, and only the ESP packet that comes out of it is
 * routed to lo), netfilter OUTPUT and POSTROUTING with conntrack's
 * confirmation, cgroup egress BPF (ip_finish_output()), and the neighbour
 * layer. The hook only takes packets that the host built
 * (vpair_built_here()) and that carry the stack's route for local
 * delivery; a frame redirected to lo from elsewhere keeps going to lo.
 * Traffic to local addresses that the stack sends to another device (an
 * l3mdev such as a VRF is the loopback of its domain) never passes here.
 *
 * The hook is registered in a namespace when a pair first bypasses lo
 * there, so no other namespace's traffic pays for it, and stays until that
 * namespace's lo goes away or the module is unloaded. Registering and
 * unregistering a hook flips static keys, i.e. patches kernel text on
 * every CPU; turning the option on and off, which the root of any user
 * namespace may do in its own namespace, must not do that each time.
 * While no pair of the namespace bypasses lo, the hook returns at its
 * first test.
 *
 * IPv6 needs one more thing, at source selection: see vpair_srcsel_set().
 */
#include <linux/etherdevice.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <net/addrconf.h>
#include <net/ip6_fib.h>
#include <net/netns/generic.h>
#include <net/route.h>

#include "vpair.h"

struct vpair_net {
	/* On this namespace's lo, while @hooked. */
	struct nf_hook_ops	hook;
	/* Under RTNL. */
	bool			hooked;
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

/* The ends that hold an IPv4 packet's source and destination addresses. */
static struct net_device *vpair_bypass_ends_ipv4(struct net *net,
						 const struct sk_buff *skb,
						 struct net_device **to)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct net_device *from;

	from = __ip_dev_find(net, iph->saddr, false);
	if (!vpair_bypass_from(from))
		return NULL;
	*to = __ip_dev_find(net, iph->daddr, false);
	return from;
}

#if IS_ENABLED(CONFIG_IPV6)
static struct net_device *vpair_bypass_ends_ipv6(struct net *net,
						 const struct sk_buff *skb,
						 struct net_device **to)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct net_device *from;

	from = ipv6_dev_find(net, &ip6h->saddr, NULL);
	if (!vpair_bypass_from(from))
		return NULL;
	*to = ipv6_dev_find(net, &ip6h->daddr, NULL);
	return from;
}
#endif

/*
 * lo's egress hook: the packet has its Ethernet header (lo's, all zero)
 * and is about to be handed to loopback_xmit(). If its source is on one
 * end of a bypassing pair and its destination on the other, it leaves
 * through the source's end instead, with the ends' addresses in its
 * header. Whatever vp0's qdisc, tc or the peer then does with it is theirs.
 */
static unsigned int vpair_bypass_hook(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct net_device *from = NULL, *to = NULL;
	struct ethhdr *eth;

	if (!vpair_built_here(skb) || !vpair_has_local_dst(skb))
		return NF_ACCEPT;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		from = vpair_bypass_ends_ipv4(state->net, skb, &to);
		break;
#if IS_ENABLED(CONFIG_IPV6)
	case htons(ETH_P_IPV6):
		from = vpair_bypass_ends_ipv6(state->net, skb, &to);
		break;
#endif
	}
	if (!from || !to || vpair_peer_rcu(from) != to)
		return NF_ACCEPT;

	/* The header is the packet's own, unless a clone shares it. */
	if (skb_mac_header_len(skb) != ETH_HLEN || skb_cow_head(skb, 0))
		return NF_ACCEPT;

	eth = eth_hdr(skb);
	ether_addr_copy(eth->h_dest, to->dev_addr);
	ether_addr_copy(eth->h_source, from->dev_addr);
	skb->dev = from;

	dev_queue_xmit(skb);
	return NF_STOLEN;
}

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

/* The first pair of @net that bypasses lo registers the hook on its lo. */
static int vpair_net_hook(struct net *net)
{
	struct vpair_net *vn = net_generic(net, vpair_net_id);
	int err;

	if (vn->hooked)
		return 0;

	vn->hook = (struct nf_hook_ops) {
		.hook		= vpair_bypass_hook,
		.pf		= NFPROTO_NETDEV,
		.hooknum	= NF_NETDEV_EGRESS,
		/* After any nftables egress chain of lo. */
		.priority	= INT_MAX,
		.dev		= net->loopback_dev,
	};
	err = nf_register_net_hook(net, &vn->hook);
	if (!err)
		vn->hooked = true;
	return err;
}

/* Before lo goes (the end of @net), or the module does. Under RTNL. */
static void vpair_net_unhook(struct net *net)
{
	struct vpair_net *vn = net_generic(net, vpair_net_id);

	if (!vn->hooked)
		return;
	nf_unregister_net_hook(net, &vn->hook);
	vn->hooked = false;
}

/*
 * Makes sure the namespace whose lo @cable bypasses now, if any, has the
 * hook. Called under RTNL when the option changes and when an end is
 * registered (new, or moved in): constant time, however many devices the
 * namespace holds. An end going away needs nothing: the hook stays.
 */
int vpair_bypass_update(struct vpair_cable *cable)
{
	struct net_device *a = rtnl_dereference(cable->end[0]);
	struct net_device *b = rtnl_dereference(cable->end[1]);

	ASSERT_RTNL();

	if (!cable->loopback_bypass || !a || !b ||
	    !net_eq(dev_net(a), dev_net(b)) || !check_net(dev_net(a)))
		return 0;
	return vpair_net_hook(dev_net(a));
}

/*
 * An end that changes namespace is unregistered from one and registered in
 * the other; either may start or end its pair's bypass. addrconf, which
 * runs before us, creates an end's inet6_dev at registration, or later
 * when the end is brought up or its MTU grows to IPv6's minimum.
 */
static int vpair_bypass_netdev_event(struct notifier_block *nb,
				     unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vpair_priv *priv;

	/* A namespace's lo is the last of its devices to go. */
	if (event == NETDEV_UNREGISTER && dev == dev_net(dev)->loopback_dev) {
		vpair_net_unhook(dev_net(dev));
		return NOTIFY_DONE;
	}
	if (!vpair_is_end(dev))
		return NOTIFY_DONE;

	priv = netdev_priv(dev);
	switch (event) {
	case NETDEV_REGISTER:
		/* A new inet6_dev, whatever this end had before a move. */
		priv->srcsel_held = false;
		vpair_bypass_srcsel_sync(priv->cable);
		return notifier_from_errno(vpair_bypass_update(priv->cable));
	case NETDEV_UNREGISTER:
	case NETDEV_UP:
	case NETDEV_CHANGEMTU:
		vpair_bypass_srcsel_sync(priv->cable);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block vpair_bypass_notifier = {
	.notifier_call	= vpair_bypass_netdev_event,
	/* after addrconf's, which makes the inet6_dev */
	.priority	= ADDRCONF_NOTIFY_PRIORITY - 1,
};

/*
 * Runs for every namespace when the module goes, with lo still there; a
 * dismantled namespace lost its hook with its lo already.
 */
static void __net_exit vpair_net_exit(struct net *net)
{
	rtnl_lock();
	vpair_net_unhook(net);
	rtnl_unlock();
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
