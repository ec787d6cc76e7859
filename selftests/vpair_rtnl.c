// SPDX-License-Identifier: GPL-2.0
/*
 * vpair through rtnetlink itself, without ip: a pair created with a
 * nested peer, read back, its options changed from either end, deleted;
 * and wrong input refused with an error and an extack message, leaving
 * nothing created or changed.
 *
 * Every test runs in a network namespace of its own (the harness forks
 * each test and the fixture unshares), so nothing outlives a test.
 *
 * KIND=veth runs the tests that do not need vpair's options against
 * veth, whose peer attribute has the same layout.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include <linux/vpair.h>

#include "kselftest_harness.h"

/* A link message with all its attributes does not fit a page. */
#define RTNL_BUF_SIZE	32768

static const char *kind = "vpair";

struct rtnl {
	struct mnl_socket *sock;
	unsigned int seq;
	/* errno of the last request (0: acknowledged) and its message */
	int error;
	char extack[256];
	char buf[RTNL_BUF_SIZE];
};

/* What RTM_GETLINK tells about a link; -1 where the attribute is absent. */
struct link_info {
	int ifindex;
	int iflink;
	char kind[32];
	int hairpin;
	int bypass;
	/* length of the option attributes as found, to check they are u8 */
	int hairpin_len;
	int bypass_len;
};

static bool kind_is_vpair(void)
{
	return !strcmp(kind, "vpair");
}

static int rtnl_open(struct rtnl *nl)
{
	int one = 1;

	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		return -1;
	/* error messages in the ack, and no copy of the request in it */
	if (mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID)) {
		mnl_socket_close(nl->sock);
		return -1;
	}
	return 0;
}

static void rtnl_close(struct rtnl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
}

static void rtnl_parse_ack(struct rtnl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset = sizeof(*err);
	const struct nlattr *attr;

	nl->error = -err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += mnl_nlmsg_get_payload_len(&err->msg);

	mnl_attr_for_each(attr, nlh, offset) {
		if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG ||
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			continue;
		snprintf(nl->extack, sizeof(nl->extack), "%s",
			 mnl_attr_get_str(attr));
	}
}

/*
 * Send the request built in nl->buf and read until its ack. Replies
 * before the ack go to cb. Returns the request's errno, 0 if acked.
 */
static int rtnl_talk(struct rtnl *nl, mnl_cb_t cb, void *data)
{
	struct nlmsghdr *req = (struct nlmsghdr *)nl->buf;
	unsigned int seq = req->nlmsg_seq;
	unsigned int portid = mnl_socket_get_portid(nl->sock);
	ssize_t len;

	nl->error = EPROTO;
	nl->extack[0] = '\0';
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return nl->error = errno;

	for (;;) {
		const struct nlmsghdr *nlh;

		len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (len < 0)
			return nl->error = errno;

		for (nlh = (struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, (int *)&len)) {
			if (!mnl_nlmsg_portid_ok(nlh, portid) ||
			    !mnl_nlmsg_seq_ok(nlh, seq))
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				rtnl_parse_ack(nl, nlh);
				return nl->error;
			}
			if (cb && cb(nlh, data) < 0)
				return nl->error = EPROTO;
		}
	}
}

/* Start a link request in nl->buf: header, ifinfomsg, the name. */
static struct nlmsghdr *link_request(struct rtnl *nl, int type, int flags,
				     const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

/* IFLA_VPAIR_PEER: an ifinfomsg and the peer's name, nested. */
static void put_peer(struct nlmsghdr *nlh, const char *peer)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IFLA_VPAIR_PEER);
	struct ifinfomsg *ifm;

	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_nest_end(nlh, nest);
}

/* Option values: -1 leaves the attribute out. */
struct link_opts {
	const char *peer;
	int hairpin;
	int bypass;
	/* a peer attribute of only this many bytes, too short for ifinfomsg */
	int short_peer;
	/* hairpin's payload length, when not 1 (a u8 with zero padding) */
	int hairpin_len;
	/* an attribute of this type, unknown to vpair, in IFLA_INFO_DATA */
	int unknown_type;
};

#define NO_OPTS	{ .hairpin = -1, .bypass = -1 }

static void put_linkinfo(struct nlmsghdr *nlh, const struct link_opts *o)
{
	struct nlattr *info, *data;

	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	if (o->peer)
		put_peer(nlh, o->peer);
	if (o->short_peer) {
		char junk[sizeof(struct ifinfomsg)] = { 0 };

		mnl_attr_put(nlh, IFLA_VPAIR_PEER, o->short_peer, junk);
	}
	if (o->hairpin >= 0 && o->hairpin_len > 1) {
		unsigned char wide[8] = { o->hairpin };

		mnl_attr_put(nlh, IFLA_VPAIR_HAIRPIN, o->hairpin_len, wide);
	} else if (o->hairpin >= 0) {
		mnl_attr_put_u8(nlh, IFLA_VPAIR_HAIRPIN, o->hairpin);
	}
	if (o->unknown_type)
		mnl_attr_put_u8(nlh, o->unknown_type, 1);
	if (o->bypass >= 0)
		mnl_attr_put_u8(nlh, IFLA_VPAIR_LOOPBACK_BYPASS, o->bypass);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
}

/* RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL: a new pair. */
static int link_create(struct rtnl *nl, const char *name,
		       const struct link_opts *o)
{
	struct nlmsghdr *nlh;

	nlh = link_request(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name);
	put_linkinfo(nlh, o);
	return rtnl_talk(nl, NULL, NULL);
}

/* RTM_NEWLINK on an existing link: the driver's changelink. */
static int link_change(struct rtnl *nl, const char *name,
		       const struct link_opts *o)
{
	struct nlmsghdr *nlh;

	nlh = link_request(nl, RTM_NEWLINK, 0, name);
	put_linkinfo(nlh, o);
	return rtnl_talk(nl, NULL, NULL);
}

static int link_delete(struct rtnl *nl, const char *name)
{
	link_request(nl, RTM_DELLINK, 0, name);
	return rtnl_talk(nl, NULL, NULL);
}

static int parse_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void parse_info_data(const struct nlattr *data, struct link_info *li)
{
	const struct nlattr *tb[IFLA_VPAIR_MAX + 1] = { NULL };
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, data) {
		if (mnl_attr_get_type(attr) <= IFLA_VPAIR_MAX)
			tb[mnl_attr_get_type(attr)] = attr;
	}
	if (tb[IFLA_VPAIR_HAIRPIN]) {
		li->hairpin = mnl_attr_get_u8(tb[IFLA_VPAIR_HAIRPIN]);
		li->hairpin_len = mnl_attr_get_payload_len(tb[IFLA_VPAIR_HAIRPIN]);
	}
	if (tb[IFLA_VPAIR_LOOPBACK_BYPASS]) {
		li->bypass = mnl_attr_get_u8(tb[IFLA_VPAIR_LOOPBACK_BYPASS]);
		li->bypass_len =
			mnl_attr_get_payload_len(tb[IFLA_VPAIR_LOOPBACK_BYPASS]);
	}
}

static int link_info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	const struct nlattr *info[IFLA_INFO_MAX + 1] = { NULL };
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct link_info *li = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;

	li->ifindex = ifm->ifi_index;
	mnl_attr_for_each(attr, nlh, sizeof(*ifm)) {
		if (mnl_attr_get_type(attr) <= IFLA_MAX)
			tb[mnl_attr_get_type(attr)] = attr;
	}
	if (tb[IFLA_LINK])
		li->iflink = mnl_attr_get_u32(tb[IFLA_LINK]);
	if (!tb[IFLA_LINKINFO])
		return MNL_CB_OK;
	if (mnl_attr_parse_nested(tb[IFLA_LINKINFO], parse_attr_cb, info) < 0)
		return MNL_CB_ERROR;
	if (info[IFLA_INFO_KIND])
		snprintf(li->kind, sizeof(li->kind), "%s",
			 mnl_attr_get_str(info[IFLA_INFO_KIND]));
	if (info[IFLA_INFO_DATA])
		parse_info_data(info[IFLA_INFO_DATA], li);
	return MNL_CB_OK;
}

/* RTM_GETLINK by name; returns its errno (ENODEV: no such link). */
static int link_get(struct rtnl *nl, const char *name, struct link_info *li)
{
	memset(li, 0, sizeof(*li));
	li->ifindex = -1;
	li->iflink = -1;
	li->hairpin = -1;
	li->bypass = -1;
	link_request(nl, RTM_GETLINK, 0, name);
	return rtnl_talk(nl, link_info_cb, li);
}

static bool link_exists(struct rtnl *nl, const char *name)
{
	struct link_info li;

	return link_get(nl, name, &li) != ENODEV;
}

FIXTURE(rtnl) {
	struct rtnl nl;
};

FIXTURE_SETUP(rtnl)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET))
		TH_LOG("unshare(CLONE_NEWNET): %s", strerror(errno));
	ASSERT_EQ(0, rtnl_open(&self->nl))
		TH_LOG("cannot open an rtnetlink socket: %s", strerror(errno));
}

FIXTURE_TEARDOWN(rtnl)
{
	rtnl_close(&self->nl);
}

/* Both ends report these options, as u8 attributes. */
static void expect_options(struct __test_metadata *_metadata, struct rtnl *nl,
			   int hairpin, int bypass)
{
	static const char * const ends[] = { "vpt0", "vpt1" };
	struct link_info li;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, link_get(nl, ends[i], &li));
		EXPECT_EQ(hairpin, li.hairpin)
			TH_LOG("%s reports hairpin %d", ends[i], li.hairpin);
		EXPECT_EQ(bypass, li.bypass)
			TH_LOG("%s reports loopback_bypass %d", ends[i], li.bypass);
		EXPECT_EQ(1, li.hairpin_len);
		EXPECT_EQ(1, li.bypass_len);
	}
}

/* The request failed with an errno and a message, and created nothing. */
static void expect_refused(struct __test_metadata *_metadata, struct rtnl *nl,
			   int err, const char *what)
{
	EXPECT_NE(0, err) TH_LOG("%s accepted", what);
	EXPECT_NE('\0', nl->extack[0])
		TH_LOG("%s refused (%s) without an extack message", what,
		       strerror(err));
	if (nl->extack[0])
		TH_LOG("%s: %s (%s)", what, strerror(err), nl->extack);
}

TEST_F(rtnl, create_query)
{
	struct link_opts o = NO_OPTS;
	struct link_info a, b;

	o.peer = "vpt1";
	ASSERT_EQ(0, link_create(&self->nl, "vpt0", &o))
		TH_LOG("create: %s %s", strerror(self->nl.error), self->nl.extack);

	ASSERT_EQ(0, link_get(&self->nl, "vpt0", &a));
	ASSERT_EQ(0, link_get(&self->nl, "vpt1", &b));
	EXPECT_STREQ(kind, a.kind);
	EXPECT_STREQ(kind, b.kind);
	EXPECT_EQ(b.ifindex, a.iflink) TH_LOG("vpt0's IFLA_LINK is not vpt1");
	EXPECT_EQ(a.ifindex, b.iflink) TH_LOG("vpt1's IFLA_LINK is not vpt0");

	if (kind_is_vpair())
		expect_options(_metadata, &self->nl, 0, 0);
}

TEST_F(rtnl, create_with_options)
{
	struct link_opts o = NO_OPTS;

	if (!kind_is_vpair())
		SKIP(return, "vpair options (KIND=%s)", kind);

	o.peer = "vpt1";
	o.hairpin = 1;
	ASSERT_EQ(0, link_create(&self->nl, "vpt0", &o))
		TH_LOG("create: %s %s", strerror(self->nl.error), self->nl.extack);
	expect_options(_metadata, &self->nl, 1, 0);
}

TEST_F(rtnl, changelink_options)
{
	struct link_opts o = NO_OPTS;

	if (!kind_is_vpair())
		SKIP(return, "vpair options (KIND=%s)", kind);

	o.peer = "vpt1";
	ASSERT_EQ(0, link_create(&self->nl, "vpt0", &o));

	/* pair-wide: set on one end, both report it */
	o = (struct link_opts)NO_OPTS;
	o.hairpin = 1;
	ASSERT_EQ(0, link_change(&self->nl, "vpt0", &o))
		TH_LOG("hairpin 1: %s %s", strerror(self->nl.error), self->nl.extack);
	expect_options(_metadata, &self->nl, 1, 0);

	o = (struct link_opts)NO_OPTS;
	o.bypass = 1;
	ASSERT_EQ(0, link_change(&self->nl, "vpt1", &o))
		TH_LOG("loopback_bypass 1: %s %s", strerror(self->nl.error),
		       self->nl.extack);
	expect_options(_metadata, &self->nl, 1, 1);

	o = (struct link_opts)NO_OPTS;
	o.hairpin = 0;
	o.bypass = 0;
	ASSERT_EQ(0, link_change(&self->nl, "vpt1", &o));
	expect_options(_metadata, &self->nl, 0, 0);
}

TEST_F(rtnl, delete)
{
	struct link_opts o = NO_OPTS;

	o.peer = "vpt1";
	ASSERT_EQ(0, link_create(&self->nl, "vpt0", &o));
	ASSERT_EQ(0, link_delete(&self->nl, "vpt1"));
	EXPECT_FALSE(link_exists(&self->nl, "vpt1"));
	EXPECT_FALSE(link_exists(&self->nl, "vpt0"))
		TH_LOG("deleting vpt1 left vpt0");
}

TEST_F(rtnl, refuse_value_2_at_create)
{
	struct link_opts o = NO_OPTS;
	int err;

	if (!kind_is_vpair())
		SKIP(return, "vpair options (KIND=%s)", kind);

	o.peer = "vpt1";
	o.hairpin = 2;
	err = link_create(&self->nl, "vpt0", &o);
	expect_refused(_metadata, &self->nl, err, "hairpin 2");
	EXPECT_FALSE(link_exists(&self->nl, "vpt0"));
	EXPECT_FALSE(link_exists(&self->nl, "vpt1"));

	o.hairpin = -1;
	o.bypass = 2;
	err = link_create(&self->nl, "vpt0", &o);
	expect_refused(_metadata, &self->nl, err, "loopback_bypass 2");
	EXPECT_FALSE(link_exists(&self->nl, "vpt0"));
	EXPECT_FALSE(link_exists(&self->nl, "vpt1"));
}

TEST_F(rtnl, refuse_value_2_at_change)
{
	struct link_opts o = NO_OPTS;
	int err;

	if (!kind_is_vpair())
		SKIP(return, "vpair options (KIND=%s)", kind);

	o.peer = "vpt1";
	o.hairpin = 1;
	ASSERT_EQ(0, link_create(&self->nl, "vpt0", &o));

	o = (struct link_opts)NO_OPTS;
	o.hairpin = 2;
	err = link_change(&self->nl, "vpt0", &o);
	expect_refused(_metadata, &self->nl, err, "hairpin 2");

	o = (struct link_opts)NO_OPTS;
	o.bypass = 2;
	err = link_change(&self->nl, "vpt1", &o);
	expect_refused(_metadata, &self->nl, err, "loopback_bypass 2");

	expect_options(_metadata, &self->nl, 1, 0);
}

/* Strict parsing of IFLA_INFO_DATA: what vpair does not know is refused. */
TEST_F(rtnl, refuse_unknown_attribute)
{
	struct link_opts o = NO_OPTS;
	int err;

	if (!kind_is_vpair())
		SKIP(return, "vpair's attributes (KIND=%s)", kind);

	o.peer = "vpt1";
	o.unknown_type = 200;
	err = link_create(&self->nl, "vpt0", &o);
	expect_refused(_metadata, &self->nl, err, "attribute type 200 at creation");
	EXPECT_FALSE(link_exists(&self->nl, "vpt0"));
	EXPECT_FALSE(link_exists(&self->nl, "vpt1"));
	if (!err)
		link_delete(&self->nl, "vpt0");

	o = (struct link_opts)NO_OPTS;
	o.peer = "vpt1";
	ASSERT_EQ(0, link_create(&self->nl, "vpt0", &o));
	o = (struct link_opts)NO_OPTS;
	o.hairpin = 1;
	o.unknown_type = 200;
	err = link_change(&self->nl, "vpt0", &o);
	expect_refused(_metadata, &self->nl, err, "attribute type 200 in a change");
	/* refused as a whole: the hairpin beside it is not applied */
	expect_options(_metadata, &self->nl, 0, 0);
}

/* A u8 option with a wider payload is refused, not read from its first byte. */
TEST_F(rtnl, refuse_wrong_length)
{
	static const int lens[] = { 2, 4 };
	struct link_opts o = NO_OPTS;
	char what[64];
	unsigned int i;
	int err;

	if (!kind_is_vpair())
		SKIP(return, "vpair options (KIND=%s)", kind);

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		o = (struct link_opts)NO_OPTS;
		o.peer = "vpt1";
		o.hairpin = 1;
		o.hairpin_len = lens[i];
		snprintf(what, sizeof(what), "a %d-byte hairpin at creation",
			 lens[i]);
		err = link_create(&self->nl, "vpt0", &o);
		expect_refused(_metadata, &self->nl, err, what);
		EXPECT_FALSE(link_exists(&self->nl, "vpt0"));
		EXPECT_FALSE(link_exists(&self->nl, "vpt1"));
		if (!err)
			link_delete(&self->nl, "vpt0");
	}

	o = (struct link_opts)NO_OPTS;
	o.peer = "vpt1";
	ASSERT_EQ(0, link_create(&self->nl, "vpt0", &o));
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		o = (struct link_opts)NO_OPTS;
		o.hairpin = 1;
		o.hairpin_len = lens[i];
		snprintf(what, sizeof(what), "a %d-byte hairpin in a change",
			 lens[i]);
		err = link_change(&self->nl, "vpt1", &o);
		expect_refused(_metadata, &self->nl, err, what);
		expect_options(_metadata, &self->nl, 0, 0);
	}
}

TEST_F(rtnl, refuse_short_peer)
{
	struct link_opts o = NO_OPTS;
	int err;

	o.short_peer = 4;
	err = link_create(&self->nl, "vpt0", &o);
	expect_refused(_metadata, &self->nl, err, "a 4-byte peer attribute");
	EXPECT_FALSE(link_exists(&self->nl, "vpt0"));
}

TEST_F(rtnl, refuse_peer_in_changelink)
{
	struct link_opts o = NO_OPTS;
	int err;

	if (!kind_is_vpair())
		SKIP(return, "vpair's changelink (KIND=%s)", kind);

	o.peer = "vpt1";
	o.bypass = 1;
	ASSERT_EQ(0, link_create(&self->nl, "vpt0", &o));

	o = (struct link_opts)NO_OPTS;
	o.peer = "vpt2";
	o.hairpin = 1;
	err = link_change(&self->nl, "vpt0", &o);
	expect_refused(_metadata, &self->nl, err, "a peer in changelink");
	EXPECT_FALSE(link_exists(&self->nl, "vpt2"));
	/* the request is refused as a whole: hairpin stays off */
	expect_options(_metadata, &self->nl, 0, 1);
}

TEST_F(rtnl, refuse_duplicate_name)
{
	struct link_opts o = NO_OPTS;
	int err;

	o.peer = "vpt1";
	ASSERT_EQ(0, link_create(&self->nl, "vpt0", &o));

	/* the first end's name is taken */
	o.peer = "vpt2";
	err = link_create(&self->nl, "vpt0", &o);
	EXPECT_EQ(EEXIST, err);
	EXPECT_FALSE(link_exists(&self->nl, "vpt2"))
		TH_LOG("the refused pair left its peer vpt2");

	/* the peer's name is taken: the first end must not stay behind */
	o.peer = "vpt1";
	err = link_create(&self->nl, "vpt2", &o);
	EXPECT_EQ(EEXIST, err);
	EXPECT_FALSE(link_exists(&self->nl, "vpt2"))
		TH_LOG("the refused pair left its first end vpt2");

	/* both ends asking for the same name */
	o.peer = "vpt3";
	err = link_create(&self->nl, "vpt3", &o);
	EXPECT_EQ(EEXIST, err);
	EXPECT_FALSE(link_exists(&self->nl, "vpt3"));

	/* and the existing pair is untouched */
	EXPECT_TRUE(link_exists(&self->nl, "vpt0"));
	EXPECT_TRUE(link_exists(&self->nl, "vpt1"));
}

/* Skip the whole file where the link type cannot be created at all. */
static bool kind_available(void)
{
	struct link_opts o = NO_OPTS;
	struct rtnl *nl;
	bool ok;

	nl = calloc(1, sizeof(*nl));
	if (!nl || rtnl_open(nl)) {
		free(nl);
		return false;
	}
	o.peer = "vpt1";
	ok = link_create(nl, "vpt0", &o) != EOPNOTSUPP;
	link_delete(nl, "vpt0");
	rtnl_close(nl);
	free(nl);
	return ok;
}

int main(int argc, char **argv)
{
	if (getenv("KIND") && *getenv("KIND"))
		kind = getenv("KIND");

	/* probe in a namespace of our own: the tests inherit and unshare it */
	if (unshare(CLONE_NEWNET))
		ksft_exit_skip("unshare(CLONE_NEWNET): %s (run as root)\n",
			       strerror(errno));
	if (!kind_available())
		ksft_exit_skip("link type %s not available\n", kind);

	return test_harness_run(argc, argv);
}
