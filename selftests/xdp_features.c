// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_features IFINDEX [rx-metadata]: print the XDP features a device
 * advertises (NETDEV_A_DEV_XDP_FEATURES of the "netdev" generic netlink
 * family, kernel 6.3 and later), as a number, for vpair_xdp.sh; with
 * rx-metadata, the metadata kfuncs it implements instead
 * (NETDEV_A_DEV_XDP_RX_METADATA_FEATURES, 6.7), for vpair_xdp_meta.sh.
 * Runs in the caller's network namespace.
 *
 * Exit status: 0 printed, 4 the kernel has no "netdev" family (older
 * than 6.3: nothing to check), 1 any other error.
 *
 * The constants are those of <linux/netdev.h>, which the headers of an
 * older release (bookworm's, the build host's) do not have.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#define NETDEV_FAMILY_NAME		"netdev"
#define NETDEV_FAMILY_VERSION		1
#define NETDEV_CMD_DEV_GET		1
#define NETDEV_A_DEV_IFINDEX		1
#define NETDEV_A_DEV_XDP_FEATURES	3
#define NETDEV_A_DEV_XDP_RX_METADATA_FEATURES	5

#define KSFT_SKIP	4

/* Above any attribute type looked at here, of either family. */
#define ATTR_MAX	16

static char buf[32768];

/* One request, its answers through @cb; a negative errno on error. */
static int request(struct mnl_socket *nl, struct nlmsghdr *nlh,
		   mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *genl_msg(uint16_t type, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = time(NULL);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= ATTR_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ATTR_MAX + 1] = {};

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, tb);
	if (tb[CTRL_ATTR_FAMILY_ID])
		*(uint16_t *)data = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return MNL_CB_OK;
}

struct dev_attr {
	uint16_t type;
	/* its value, or -1 when the answer had none */
	int64_t val;
};

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ATTR_MAX + 1] = {};
	struct dev_attr *want = data;
	const struct nlattr *a;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, tb);
	a = tb[want->type];
	if (a && mnl_attr_get_payload_len(a) == sizeof(uint64_t))
		want->val = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	struct dev_attr want = { NETDEV_A_DEV_XDP_FEATURES, -1 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint16_t family = 0;
	int ret;

	if (argc == 3 && !strcmp(argv[2], "rx-metadata")) {
		want.type = NETDEV_A_DEV_XDP_RX_METADATA_FEATURES;
	} else if (argc != 2) {
		fprintf(stderr, "usage: %s IFINDEX [rx-metadata]\n", argv[0]);
		return 1;
	}
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 1;
	}

	nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY_NAME);
	ret = request(nl, nlh, family_cb, &family);
	if (ret == -ENOENT || (!ret && !family)) {
		printf("no \"%s\" generic netlink family (kernel < 6.3)\n",
		       NETDEV_FAMILY_NAME);
		return KSFT_SKIP;
	}
	if (ret) {
		fprintf(stderr, "resolving \"%s\": %s\n", NETDEV_FAMILY_NAME,
			strerror(-ret));
		return 1;
	}

	nlh = genl_msg(family, NETDEV_CMD_DEV_GET, NETDEV_FAMILY_VERSION);
	mnl_attr_put_u32(nlh, NETDEV_A_DEV_IFINDEX, strtoul(argv[1], NULL, 0));
	ret = request(nl, nlh, dev_cb, &want);
	if (!ret && want.val < 0) {
		fprintf(stderr, "no attribute %u in the answer for ifindex %s\n",
			want.type, argv[1]);
		return 1;
	}
	if (ret) {
		fprintf(stderr, "NETDEV_CMD_DEV_GET ifindex %s: %s\n", argv[1],
			strerror(-ret));
		return 1;
	}
	printf("%" PRId64 "\n", want.val);
	mnl_socket_close(nl);
	return 0;
}
