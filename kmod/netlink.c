// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: the rtnetlink side. Validation, creation of both ends, changes of
 * the pair's options, deletion, and what ip -d link show reports.
 */
#include <linux/capability.h>
#include <linux/etherdevice.h>
#include <linux/if_link.h>
#include <linux/vpair.h>
#include <net/rtnetlink.h>

#include "vpair.h"

/*
 * The options are validated strictly: a wrong length is refused, not
 * truncated with a warning in the kernel log. The peer stays as veth has
 * it (a minimum length), since ip marks it nested or not depending on its
 * version. The core parses IFLA_INFO_DATA liberally and skips types it
 * does not know; vpair_validate() refuses them.
 */
static const struct nla_policy vpair_policy[IFLA_VPAIR_MAX + 1] = {
	[IFLA_VPAIR_UNSPEC]		= { .strict_start_type = IFLA_VPAIR_HAIRPIN },
	/* A struct ifinfomsg, then the peer's IFLA_* attributes. */
	[IFLA_VPAIR_PEER]		= { .len = sizeof(struct ifinfomsg) },
	[IFLA_VPAIR_HAIRPIN]		= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_VPAIR_LOOPBACK_BYPASS]	= NLA_POLICY_MAX(NLA_U8, 1),
};

/* Checks the link attributes of one end; the peer's too. */
static int vpair_validate_end(struct nlattr *tb[],
			      struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "vpair: address must be 6 bytes");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "vpair: address must be unicast and not zero");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

/*
 * Called by the core before newlink and changelink, once @data has been
 * parsed: what the liberal parse let through, an attribute type vpair does
 * not know or bytes after the last attribute, is refused here.
 */
static int vpair_validate(struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *info_data = NULL, *nla;
	int rem;

	if (tb[IFLA_LINKINFO])
		info_data = nla_find_nested(tb[IFLA_LINKINFO], IFLA_INFO_DATA);
	if (info_data) {
		nla_for_each_nested(nla, info_data, rem) {
			if (!nla_type(nla) || nla_type(nla) > IFLA_VPAIR_MAX) {
				NL_SET_ERR_MSG_ATTR(extack, nla,
						    "vpair: unknown attribute type");
				return -EINVAL;
			}
		}
		if (rem) {
			NL_SET_ERR_MSG(extack,
				       "vpair: bytes left after the last attribute");
			return -EINVAL;
		}
	}
	return vpair_validate_end(tb, extack);
}

/*
 * The data path needs the route of the host's own packets kept through
 * dev_queue_xmit() while the pair bypasses lo. Whatever else on the
 * device wanted it kept (tc route, flow or bpf classifiers clear the flag
 * themselves) keeps it: vpair gives back only the flags it cleared.
 */
static void vpair_keep_dst(struct net_device *dev, bool keep)
{
	struct vpair_priv *priv = netdev_priv(dev);

	if (keep) {
		priv->dst_release_taken = dev->priv_flags &
			(IFF_XMIT_DST_RELEASE | IFF_XMIT_DST_RELEASE_PERM);
		netif_keep_dst(dev);
	} else {
		dev->priv_flags |= priv->dst_release_taken;
		priv->dst_release_taken = 0;
	}
}

static void vpair_cable_keep_dst(struct vpair_cable *cable, bool keep)
{
	struct net_device *end;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cable->end); i++) {
		end = rtnl_dereference(cable->end[i]);
		if (end)
			vpair_keep_dst(end, keep);
	}
}

/*
 * Options are the cable's: whichever end they are given on, both get them.
 * Applies @data to a linked pair; on failure, the pair is left as it was.
 * The ends keep their routes before the bypass can take a packet, and
 * release them again only once it cannot.
 */
static int vpair_apply_options(struct vpair_cable *cable,
			       struct nlattr *data[],
			       struct netlink_ext_ack *extack)
{
	bool old_hairpin = cable->hairpin, old_bypass = cable->loopback_bypass;
	bool hairpin = old_hairpin, bypass = old_bypass;
	int err;

	if (!data)
		return 0;
	if (data[IFLA_VPAIR_HAIRPIN])
		hairpin = nla_get_u8(data[IFLA_VPAIR_HAIRPIN]);
	if (data[IFLA_VPAIR_LOOPBACK_BYPASS])
		bypass = nla_get_u8(data[IFLA_VPAIR_LOOPBACK_BYPASS]);

	if (bypass && !old_bypass)
		vpair_cable_keep_dst(cable, true);
	WRITE_ONCE(cable->hairpin, hairpin);
	WRITE_ONCE(cable->loopback_bypass, bypass);

	err = vpair_bypass_update(cable);
	if (err) {
		NL_SET_ERR_MSG(extack,
			       "vpair: cannot register the loopback_bypass hook");
		WRITE_ONCE(cable->hairpin, old_hairpin);
		WRITE_ONCE(cable->loopback_bypass, old_bypass);
		if (bypass && !old_bypass)
			vpair_cable_keep_dst(cable, false);
		return err;
	}

	if (!bypass && old_bypass)
		vpair_cable_keep_dst(cable, false);
	vpair_bypass_srcsel_sync(cable);
	return 0;
}

/* Both ends are set up alike; this is what ties one to the cable. */
static void vpair_attach(struct net_device *dev, struct vpair_cable *cable,
			 unsigned int side)
{
	struct vpair_priv *priv = netdev_priv(dev);

	priv->cable = cable;
	priv->side = side;
}

/* The most rtnl_create_link() accepts, and no more than one per CPU. */
static unsigned int vpair_get_num_queues(void)
{
	return min_t(unsigned int, num_possible_cpus(), 4096);
}

/*
 * An end is allocated with vpair_get_num_queues() queues, for ethtool -L
 * to use later, but uses one unless numtxqueues/numrxqueues asked for more.
 */
static int vpair_init_queues(struct net_device *dev, struct nlattr *tb[])
{
	int err;

	if (!tb[IFLA_NUM_TX_QUEUES] && dev->real_num_tx_queues > 1) {
		err = netif_set_real_num_tx_queues(dev, 1);
		if (err)
			return err;
	}
	if (!tb[IFLA_NUM_RX_QUEUES] && dev->real_num_rx_queues > 1)
		return netif_set_real_num_rx_queues(dev, 1);
	return 0;
}

/*
 * GRO costs a NAPI run per frame for nothing unless the receiver wants
 * aggregation: off until ethtool -K turns it on, as on veth. Just after
 * registering, before the end can be brought up.
 */
static void vpair_gro_off(struct net_device *dev)
{
	dev->features &= ~NETIF_F_GRO;
	dev->wanted_features &= ~NETIF_F_GRO;
	netdev_update_features(dev);
}

/*
 * The peer is created and registered first, then @dev, which the core
 * allocated for us. Without a peer attribute, the peer takes @dev's own
 * link attributes (mtu, queues...) but never its name or address.
 */
int vpair_newlink(struct net_device *dev, struct rtnl_newlink_params *params,
		  struct netlink_ext_ack *extack)
{
	struct nlattr *peer_tb[IFLA_MAX + 1], **tb = params->tb;
	struct nlattr **data = params->data, **ptb = tb;
	unsigned char name_assign_type = NET_NAME_ENUM;
	struct ifinfomsg *peer_ifm = NULL;
	char name[IFNAMSIZ] = VPAIR_DRV_NAME "%d";
	struct vpair_cable *cable;
	struct net_device *peer;
	struct net *peer_net;
	int err;

	if (data && data[IFLA_VPAIR_PEER]) {
		peer_ifm = nla_data(data[IFLA_VPAIR_PEER]);
		err = rtnl_nla_parse_ifinfomsg(peer_tb, data[IFLA_VPAIR_PEER],
					       extack);
		if (err < 0)
			return err;
		err = vpair_validate_end(peer_tb, extack);
		if (err < 0)
			return err;
		ptb = peer_tb;
		if (ptb[IFLA_IFNAME]) {
			nla_strscpy(name, ptb[IFLA_IFNAME], IFNAMSIZ);
			name_assign_type = NET_NAME_USER;
		}
	}

	cable = vpair_cable_alloc();
	if (!cable)
		return -ENOMEM;

	peer_net = vpair_peer_net(params, ptb);
	if (IS_ERR(peer_net)) {
		err = PTR_ERR(peer_net);
		goto err_put_cable;
	}

	peer = rtnl_create_link(peer_net, name, name_assign_type,
				&vpair_link_ops, ptb, extack);
	if (IS_ERR(peer)) {
		put_net(peer_net);
		err = PTR_ERR(peer);
		goto err_put_cable;
	}

	if (!peer_ifm || !ptb[IFLA_ADDRESS])
		eth_hw_addr_random(peer);
	if (peer_ifm && peer_ifm->ifi_index)
		peer->ifindex = peer_ifm->ifi_index;
	netif_inherit_tso_max(peer, dev);
	vpair_attach(peer, cable, 1);

	err = register_netdevice(peer);
	put_net(peer_net);
	if (err < 0) {
		free_netdev(peer);
		goto err_put_cable;
	}
	netif_carrier_off(peer);
	vpair_gro_off(peer);

	err = rtnl_configure_link(peer, peer_ifm, 0, NULL);
	if (err < 0)
		goto err_unregister_peer;
	err = vpair_init_queues(peer, ptb);
	if (err < 0)
		goto err_unregister_peer;

	if (!tb[IFLA_ADDRESS])
		eth_hw_addr_random(dev);
	vpair_attach(dev, cable, 0);

	err = register_netdevice(dev);
	if (err < 0)
		goto err_unregister_peer;
	netif_carrier_off(dev);
	vpair_gro_off(dev);

	rcu_assign_pointer(cable->end[0], dev);
	rcu_assign_pointer(cable->end[1], peer);
	vpair_xdp_update_features(dev);
	vpair_xdp_update_features(peer);

	err = vpair_init_queues(dev, tb);
	if (err < 0)
		goto err_unregister_dev;
	err = vpair_apply_options(cable, data, extack);
	if (err < 0)
		goto err_unregister_dev;

	/* Each registered end holds its own reference by now. */
	vpair_cable_put(cable);
	return 0;

err_unregister_dev:
	/* The core's free_netdev() copes with a device being unregistered. */
	RCU_INIT_POINTER(cable->end[0], NULL);
	RCU_INIT_POINTER(cable->end[1], NULL);
	unregister_netdevice(dev);
err_unregister_peer:
	unregister_netdevice(peer);
err_put_cable:
	vpair_cable_put(cable);
	return err;
}

static int vpair_changelink(struct net_device *dev, struct nlattr *tb[],
			    struct nlattr *data[],
			    struct netlink_ext_ack *extack)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct net_device *peer = vpair_peer_rtnl(dev);

	if (!data)
		return 0;
	if (data[IFLA_VPAIR_PEER]) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_VPAIR_PEER],
				    "vpair: the peer can only be given when the pair is created");
		return -EOPNOTSUPP;
	}
	/*
	 * The options act on both ends, and so in both namespaces: the core
	 * checked CAP_NET_ADMIN over this end's, the peer's is ours to check.
	 * This runs in the context of the task that sent the request.
	 */
	if ((data[IFLA_VPAIR_HAIRPIN] || data[IFLA_VPAIR_LOOPBACK_BYPASS]) &&
	    peer && !net_eq(dev_net(peer), dev_net(dev)) &&
	    !ns_capable(dev_net(peer)->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(extack,
			       "vpair: the options act on both ends: changing them needs CAP_NET_ADMIN over the peer's namespace too");
		return -EPERM;
	}

	return vpair_apply_options(priv->cable, data, extack);
}

/*
 * Deleting either end deletes the pair. The core also comes here for each
 * end when a namespace is dismantled or the module is unloaded; the end
 * seen second finds the cable already cut.
 */
static void vpair_dellink(struct net_device *dev, struct list_head *head)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct vpair_cable *cable = priv->cable;
	struct net_device *peer = vpair_peer_rtnl(dev);

	RCU_INIT_POINTER(cable->end[0], NULL);
	RCU_INIT_POINTER(cable->end[1], NULL);

	unregister_netdevice_queue(dev, head);
	if (peer)
		unregister_netdevice_queue(peer, head);
}

static size_t vpair_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u8)) +	/* IFLA_VPAIR_HAIRPIN */
	       nla_total_size(sizeof(u8));	/* IFLA_VPAIR_LOOPBACK_BYPASS */
}

static int vpair_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct vpair_priv *priv = netdev_priv(dev);
	const struct vpair_cable *cable = priv->cable;

	if (nla_put_u8(skb, IFLA_VPAIR_HAIRPIN, READ_ONCE(cable->hairpin)) ||
	    nla_put_u8(skb, IFLA_VPAIR_LOOPBACK_BYPASS,
		       READ_ONCE(cable->loopback_bypass)))
		return -EMSGSIZE;
	return 0;
}

/* Lets ip link show print link-netns when the peer is elsewhere. */
static struct net *vpair_get_link_net(const struct net_device *dev)
{
	struct net_device *peer = vpair_peer_rtnl(dev);

	return peer ? dev_net(peer) : dev_net(dev);
}

struct rtnl_link_ops vpair_link_ops = {
	.kind		= VPAIR_DRV_NAME,
	.priv_size	= sizeof(struct vpair_priv),
	.setup		= vpair_setup,
	.validate	= vpair_validate,
	.newlink	= VPAIR_NEWLINK_OP,
	.changelink	= vpair_changelink,
	.dellink	= vpair_dellink,
	.get_size	= vpair_get_size,
	.fill_info	= vpair_fill_info,
	.get_link_net	= vpair_get_link_net,
	.get_num_tx_queues = vpair_get_num_queues,
	.get_num_rx_queues = vpair_get_num_queues,
	.policy		= vpair_policy,
	.maxtype	= IFLA_VPAIR_MAX,
#ifdef VPAIR_HAVE_PEER_TYPE
	.peer_type	= IFLA_VPAIR_PEER,
#endif
};
