// SPDX-License-Identifier: GPL-2.0
/*
 * link_vpair.so: "ip link ... type vpair" for ip(8), which loads it from
 * $IP_LIB_DIR or its library directory (/usr/lib/<multiarch>/ip on Debian).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/vpair.h>

#include "iproute2.h"

static void vpair_explain(FILE *f)
{
	fprintf(f,
		"Usage: ip link add [ NAME ] type vpair [ OPTIONS ]\n"
		"                   [ peer [ name NAME ] [ LINK_OPTIONS ] ]\n"
		"       ip link set DEVICE type vpair [ OPTIONS ]\n"
		"\n"
		"OPTIONS := [ hairpin { on | off } ] [ loopback_bypass { on | off } ]\n"
		"\n"
		"hairpin on          a frame this host sent into one end, from one of its\n"
		"                    own addresses, is delivered on the other end instead\n"
		"                    of being dropped as a martian\n"
		"loopback_bypass on  the host's traffic from an address of one end to an\n"
		"                    address of the other crosses the pair instead of lo\n"
		"\n"
		"Both options belong to the pair: set on either end, they apply to both.\n"
		"They default to off, come before \"peer\", and act only while both ends\n"
		"are in one network namespace. Everything after \"peer\" describes the\n"
		"peer device, with the LINK_OPTIONS of \"ip link add\" (mtu, address,\n"
		"netns, numtxqueues, ...; see \"ip link help\"). Without a peer name the\n"
		"kernel chooses one. More in vpair(4).\n");
}

/* Strict on purpose: "o" or "1" would be guesses, not answers. */
static int vpair_parse_switch(const char *key, const char *arg, __u8 *val)
{
	if (strcmp(arg, "on") == 0) {
		*val = 1;
	} else if (strcmp(arg, "off") == 0) {
		*val = 0;
	} else {
		fprintf(stderr,
			"Error: argument of \"%s\" must be \"on\" or \"off\", not \"%s\".\n",
			key, arg);
		return -1;
	}
	return 0;
}

static bool vpair_is_option(const char *word)
{
	return strcmp(word, "hairpin") == 0 ||
	       strcmp(word, "loopback_bypass") == 0;
}

/*
 * iplink_parse() would take a misplaced "hairpin on" for a device name and
 * some garbage, and say only the latter. Name the actual mistake instead.
 */
static int vpair_check_peer_args(int argc, char **argv)
{
	int i;

	for (i = 0; i + 1 < argc; i++) {
		if (!vpair_is_option(argv[i]) ||
		    (strcmp(argv[i + 1], "on") != 0 &&
		     strcmp(argv[i + 1], "off") != 0))
			continue;
		fprintf(stderr,
			"Error: \"%s\" is an option of the pair, it goes before \"peer\".\n",
			argv[i]);
		return -1;
	}
	return 0;
}

/*
 * Everything after "peer" describes the peer as "ip link add" describes a
 * device, so iplink_parse() does the work. It writes the peer's index and
 * flags into the request's own ifinfomsg, though: the device's are set
 * aside meanwhile, and the peer's moved into the ifinfomsg that heads
 * IFLA_VPAIR_PEER.
 */
static int vpair_parse_peer(int argc, char **argv, struct nlmsghdr *n)
{
	struct ifinfomsg *ifm = NLMSG_DATA(n);
	struct ifinfomsg dev_ifm = *ifm;
	struct ifinfomsg *peer_ifm;
	struct rtattr *peer;
	char *type = NULL;
	int used;

	if (vpair_check_peer_args(argc, argv))
		return -1;

	peer = addattr_nest(n, IPLINK_REQ_MAXLEN, IFLA_VPAIR_PEER);
	if (NLMSG_ALIGN(n->nlmsg_len) + sizeof(*peer_ifm) > IPLINK_REQ_MAXLEN) {
		fprintf(stderr, "Error: vpair: the request is too long.\n");
		return -1;
	}
	peer_ifm = (void *)n + NLMSG_ALIGN(n->nlmsg_len);
	memset(peer_ifm, 0, sizeof(*peer_ifm));
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + sizeof(*peer_ifm);

	ifm->ifi_index = 0;
	ifm->ifi_flags = 0;
	ifm->ifi_change = 0;
	used = iplink_parse(argc, argv, (struct iplink_req *)n, &type);
	peer_ifm->ifi_index = ifm->ifi_index;
	peer_ifm->ifi_flags = ifm->ifi_flags;
	peer_ifm->ifi_change = ifm->ifi_change;
	*ifm = dev_ifm;
	if (used < 0)
		return used;

	if (type) {
		fprintf(stderr,
			"Error: the peer of a vpair is a vpair, \"type %s\" is not a peer option.\n",
			type);
		return -1;
	}

	addattr_nest_end(n, peer);
	return 0;
}

static int vpair_parse_opt(struct link_util *lu __always_unused, int argc,
			   char **argv, struct nlmsghdr *n)
{
	bool seen_hairpin = false, seen_bypass = false;
	__u8 val;

	while (argc > 0 && strcmp(*argv, "peer") != 0) {
		if (strcmp(*argv, "hairpin") == 0) {
			NEXT_ARG();
			if (seen_hairpin)
				duparg("hairpin", *argv);
			seen_hairpin = true;
			if (vpair_parse_switch("hairpin", *argv, &val) ||
			    addattr8(n, IPLINK_REQ_MAXLEN,
				     IFLA_VPAIR_HAIRPIN, val))
				return -1;
		} else if (strcmp(*argv, "loopback_bypass") == 0) {
			NEXT_ARG();
			if (seen_bypass)
				duparg("loopback_bypass", *argv);
			seen_bypass = true;
			if (vpair_parse_switch("loopback_bypass", *argv, &val) ||
			    addattr8(n, IPLINK_REQ_MAXLEN,
				     IFLA_VPAIR_LOOPBACK_BYPASS, val))
				return -1;
		} else {
			if (strcmp(*argv, "help") == 0)
				vpair_explain(stderr);
			else
				fprintf(stderr,
					"Error: unknown vpair option \"%s\", try \"ip link help vpair\".\n",
					*argv);
			return -1;
		}
		argc--;
		argv++;
	}
	if (argc == 0)
		return 0;

	/* The kernel takes a peer only when it creates the pair. */
	if (!(n->nlmsg_flags & NLM_F_CREATE)) {
		fprintf(stderr,
			"Error: \"peer\" is only valid with \"ip link add\".\n");
		return -1;
	}
	return vpair_parse_peer(argc - 1, argv + 1, n);
}

/* ip does not check attribute lengths before handing them over. */
static bool vpair_attr_is_u8(const struct rtattr *rta)
{
	return rta && RTA_PAYLOAD(rta) >= sizeof(__u8);
}

static void vpair_print_opt(struct link_util *lu __always_unused,
			    FILE *f __always_unused, struct rtattr *tb[])
{
	if (!tb)
		return;

	if (vpair_attr_is_u8(tb[IFLA_VPAIR_HAIRPIN]))
		print_on_off(PRINT_ANY, "hairpin", "hairpin %s ",
			     *(__u8 *)RTA_DATA(tb[IFLA_VPAIR_HAIRPIN]));
	if (vpair_attr_is_u8(tb[IFLA_VPAIR_LOOPBACK_BYPASS]))
		print_on_off(PRINT_ANY, "loopback_bypass",
			     "loopback_bypass %s ",
			     *(__u8 *)RTA_DATA(tb[IFLA_VPAIR_LOOPBACK_BYPASS]));
}

static void vpair_print_help(struct link_util *lu __always_unused,
			     int argc __always_unused,
			     char **argv __always_unused, FILE *f)
{
	vpair_explain(f);
}

struct link_util vpair_link_util = {
	.id		= "vpair",
	.maxattr	= IFLA_VPAIR_MAX,
	.parse_opt	= vpair_parse_opt,
	.print_opt	= vpair_print_opt,
	.print_help	= vpair_print_help,
};
