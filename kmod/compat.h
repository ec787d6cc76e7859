/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpair: every difference between the kernels vpair builds on, and nothing
 * else. The rest of the module is written against the newest kernel API;
 * dropping an old kernel means deleting lines here.
 *
 * The VPAIR_HAVE_* macros come from feature tests of the kernel headers in
 * Kbuild, since Debian backports features into its older kernels.
 */
#ifndef _VPAIR_COMPAT_H
#define _VPAIR_COMPAT_H

#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/route.h>
#include <net/rtnetlink.h>

/* 6.12 replaced the NETIF_F_LLTX feature bit with dev->lltx. */
static inline void vpair_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

#ifndef kzalloc_obj
/* Typed allocation, newer than 6.12: one zeroed object of @P's type. */
#define kzalloc_obj(P, gfp)	kzalloc(sizeof(P), gfp)
#endif

#ifndef VPAIR_HAVE_ETHTOOL_PUTS
/* 6.8 added ethtool_puts() for a string that needs no format. */
static inline void ethtool_puts(u8 **data, const char *str)
{
	strscpy_pad(*data, str, ETH_GSTRING_LEN);
	*data += ETH_GSTRING_LEN;
}
#endif

#ifndef dst_rtable
/* 6.11 added a typed accessor from a dst_entry to its rtable. */
#define dst_rtable(_ptr) container_of_const(_ptr, struct rtable, dst)
#endif

#ifndef VPAIR_HAVE_NEWLINK_PARAMS
/*
 * 6.14 passes newlink() its arguments in a struct and resolves the peer's
 * namespace in the core. Before that, the driver gets the source namespace
 * and resolves the peer's namespace itself from the peer's attributes.
 */
struct rtnl_newlink_params {
	struct net *src_net;
	struct nlattr **tb;
	struct nlattr **data;
};

/* What rtnl_link_ops.newlink is before 6.14: a wrapper. */
static inline int vpair_newlink_compat(struct net *src_net,
				       struct net_device *dev,
				       struct nlattr *tb[],
				       struct nlattr *data[],
				       struct netlink_ext_ack *extack)
{
	struct rtnl_newlink_params params = {
		.src_net = src_net,
		.tb = tb,
		.data = data,
	};

	return vpair_newlink(dev, &params, extack);
}

#define VPAIR_NEWLINK_OP	vpair_newlink_compat

/*
 * Returns a reference the caller puts, or an ERR_PTR. 6.13 moved this into
 * the core, which also refuses a peer namespace the sender may not admin;
 * the same check here keeps the answer alike on every kernel.
 */
static inline struct net *
vpair_peer_net(struct rtnl_newlink_params *params, struct nlattr **peer_tb)
{
	struct net *net = rtnl_link_get_net(params->src_net, peer_tb);

	if (!IS_ERR(net) &&
	    (peer_tb[IFLA_NET_NS_PID] || peer_tb[IFLA_NET_NS_FD]) &&
	    !ns_capable(net->user_ns, CAP_NET_ADMIN)) {
		put_net(net);
		return ERR_PTR(-EPERM);
	}
	return net;
}
#else
#define VPAIR_NEWLINK_OP	vpair_newlink

/* The core holds the peer's namespace; take our own reference to put. */
static inline struct net *
vpair_peer_net(struct rtnl_newlink_params *params, struct nlattr **peer_tb)
{
	return get_net(rtnl_newlink_peer_net(params));
}
#endif

#endif /* _VPAIR_COMPAT_H */
