// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: a virtual Ethernet pair whose ends can also carry the traffic
 * between two addresses of the same host.
 *
 * Module entry points. The pieces live in: xmit.c (the transmit path),
 * rx_ring.c (the ring between the ends and the NAPI poll that empties
 * it, GRO), rx_xdp.c (the receiving end's XDP program), rx_xdp_meta.c
 * (the metadata kfuncs), xdp.c (attaching programs, ndo_xdp_xmit),
 * device.c (carrier, ndo callbacks, setup), ethtool.c, netlink.c
 * (rtnl_link_ops), bypass.c (taking the host's own traffic off lo),
 * hairpin.c (delivering it on the other end), compat.h (kernel version
 * differences).
 */
#include <linux/module.h>
#include <net/rtnetlink.h>

#include "vpair.h"

static int __init vpair_init(void)
{
	int err;

	err = vpair_bypass_init();
	if (err)
		return err;

	err = rtnl_link_register(&vpair_link_ops);
	if (err)
		vpair_bypass_exit();
	return err;
}

/* Unregistering the link type deletes every pair, in every namespace. */
static void __exit vpair_exit(void)
{
	rtnl_link_unregister(&vpair_link_ops);
	vpair_bypass_exit();
}

module_init(vpair_init);
module_exit(vpair_exit);

MODULE_DESCRIPTION("Virtual Ethernet pair that can carry a host's own traffic");
MODULE_LICENSE("GPL");
MODULE_VERSION(VPAIR_VERSION);
MODULE_ALIAS_RTNL_LINK(VPAIR_DRV_NAME);
