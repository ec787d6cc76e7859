/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vpair: a virtual Ethernet pair whose ends can also carry traffic between
 * two addresses of the same host.
 *
 * Netlink attributes of IFLA_INFO_DATA for IFLA_INFO_KIND "vpair". Shared by
 * the kernel module and the iproute2 link plugin.
 */
#ifndef _UAPI_LINUX_VPAIR_H
#define _UAPI_LINUX_VPAIR_H

enum {
	IFLA_VPAIR_UNSPEC,
	/*
	 * The peer's link request: a struct ifinfomsg followed by IFLA_*
	 * attributes, as in RTM_NEWLINK. Only valid at creation.
	 */
	IFLA_VPAIR_PEER,
	/*
	 * u8, 0 or 1. Pair-wide: a frame that crosses the pair with a source
	 * address local to the receiving namespace is delivered to the local
	 * stack instead of being dropped as a martian.
	 */
	IFLA_VPAIR_HAIRPIN,
	/*
	 * u8, 0 or 1. Pair-wide: locally generated traffic between an
	 * address of one end and an address of the other crosses the pair
	 * instead of being short-circuited through lo. Implies hairpin
	 * delivery for that traffic.
	 */
	IFLA_VPAIR_LOOPBACK_BYPASS,
	__IFLA_VPAIR_MAX
};

#define IFLA_VPAIR_MAX (__IFLA_VPAIR_MAX - 1)

#endif /* _UAPI_LINUX_VPAIR_H */
