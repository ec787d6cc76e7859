// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded rtnetlink fuzzer for vpair: RTM_NEWLINK, RTM_SETLINK,
 * RTM_DELLINK and RTM_GETLINK requests with kind "vpair", made of random
 * and boundary values and lengths, truncated and recursive peer
 * attributes, bad namespace references, duplicate and unknown attributes,
 * interleaved with valid requests.
 *
 * It does not guess which of them the kernel should accept. After each
 * request it reads every link of both namespaces and checks that what
 * exists matches the answer: a refused request changed nothing, an
 * acknowledged one did what it asked and nothing else (a new pair has
 * both ends where the request put them, with the options given; a
 * deleted end took its peer along; changed options show on both ends),
 * and every end has its peer, which points back and reports the same
 * options.
 *
 *   vpair_fuzz [-s SEED] [-n REQUESTS] [-v]
 *
 * or VPAIR_FUZZ_SEED and VPAIR_FUZZ_REQUESTS in the environment. The
 * default of 2000 requests takes about 8 s under TCG (250/s); -v prints
 * each request's answer.
 *
 * The seed is printed; the same seed on the same kernel replays the
 * same requests. A mismatch prints the seed, the request's number and
 * its bytes.
 *
 * Namespaces: the process runs in a fresh one (the observer) and forks
 * the fuzzer, which unshares A, where it sends most requests, and
 * creates B for peers and moved ends (a helper process sits in B so
 * that IFLA_NET_NS_PID can name it). When the fuzzer exits, the
 * observer waits for the kernel to dismantle A and B (RTM_DELNSID):
 * a reference that a refused request leaked on a namespace keeps it
 * alive, and fails the last test.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include <linux/vpair.h>

#include "kselftest.h"

#define BUF_SIZE	32768
#define LINKS_MAX	64
/* the fuzzer steers back towards deleting above this many links */
#define MANY_LINKS	24
/* details of the first mismatches only */
#define MAX_REPORTS	5
#define NS_A		0
#define NS_B		1
/* a namespace reference that names neither A nor B */
#define NS_BAD		-2
/* no namespace attribute */
#define NS_NONE		-1
/* the id each namespace gives the other (RTM_NEWNSID at setup) */
#define OTHER_NSID	1
/* the ids the observer gives A and B */
#define OBS_NSID_A	10
#define OBS_NSID_B	11

static const char * const ns_name[] = { "A", "B" };

/* xorshift64*: the same seed gives the same run wherever it runs */
static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 0x2545f4914f6cdd1dULL) >> 32;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

#define PICK(array)	((array)[below(sizeof(array) / sizeof((array)[0]))])

struct rtnl {
	struct mnl_socket *sock;
	unsigned int seq;
	char buf[BUF_SIZE];
};

static struct rtnl nl[2];
static int ns_fd[2];
/* See vpair_available(). */
static bool create_looks_in_target;
static pid_t helper_pid;
static int devnull_fd;
/* a descriptor number known to be closed */
#define CLOSED_FD	987

static bool verbose;

/* Exit status of the fuzzer process, for the observer's TAP lines. */
enum {
	FUZZ_OK,
	FUZZ_MISMATCH = 1,	/* bits: what failed */
	FUZZ_CLEANUP = 2,
	FUZZ_SKIP = 4,
	FUZZ_ERROR = 8,
};

/* In the fuzzer process: say why and let the observer report it. */
#define die(...) do {				\
		ksft_print_msg(__VA_ARGS__);	\
		fflush(stdout);			\
		_exit(FUZZ_ERROR);		\
	} while (0)

static int rtnl_open(struct rtnl *r, unsigned int groups)
{
	int one = 1;

	r->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!r->sock)
		return -1;
	if (mnl_socket_setsockopt(r->sock, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(r->sock, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    mnl_socket_bind(r->sock, groups, MNL_SOCKET_AUTOPID))
		return -1;
	return 0;
}

/* The extack message of an ack, if any. */
static void ack_extack(const struct nlmsghdr *nlh, char *msg, size_t size)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset = sizeof(*err);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += mnl_nlmsg_get_payload_len(&err->msg);
	mnl_attr_for_each(attr, nlh, offset) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			snprintf(msg, size, "%s", mnl_attr_get_str(attr));
	}
}

/*
 * Send @req and read until its ack (or, for a dump, its end); replies go
 * to @cb. Returns the request's errno, 0 if acknowledged.
 */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *req, mnl_cb_t cb,
		     void *data, char *extack, size_t extack_size)
{
	unsigned int portid = mnl_socket_get_portid(r->sock);
	unsigned int seq = req->nlmsg_seq;
	ssize_t len;

	if (extack)
		extack[0] = '\0';
	if (mnl_socket_sendto(r->sock, req, req->nlmsg_len) < 0)
		return errno;
	for (;;) {
		const struct nlmsghdr *nlh;
		int left;

		len = mnl_socket_recvfrom(r->sock, r->buf, sizeof(r->buf));
		if (len < 0)
			return errno;
		left = len;
		for (nlh = (struct nlmsghdr *)r->buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (!mnl_nlmsg_portid_ok(nlh, portid) ||
			    !mnl_nlmsg_seq_ok(nlh, seq))
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err =
					mnl_nlmsg_get_payload(nlh);

				if (extack)
					ack_extack(nlh, extack, extack_size);
				return -err->error;
			}
			if (cb && cb(nlh, data) < 0)
				return EPROTO;
		}
	}
}

/* ---- what exists: every link of both namespaces ---- */

struct link {
	int ns;
	int ifindex;
	/* for an expected link: a name pattern as the kernel takes it */
	char name[IFNAMSIZ];
	char kind[16];
	/* vpair options (-1: absent) and their payload lengths */
	int opt[2];
	int optlen[2];
	/* where IFLA_LINK points; -1: no IFLA_LINK */
	int peer_ns;
	int peer_ifindex;
	unsigned int mtu, txqlen, ntx, nrx;
	bool up;
};

struct state {
	int n;
	struct link l[LINKS_MAX];
};

static const int opt_type[2] = { IFLA_VPAIR_HAIRPIN, IFLA_VPAIR_LOOPBACK_BYPASS };
static const char * const opt_name[2] = { "hairpin", "loopback_bypass" };

struct dump_ctx {
	struct state *st;
	int ns;
	bool overflow;
};

static void parse_table(const void *start, int len, const struct nlattr **tb,
			int max)
{
	const struct nlattr *a = start;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	/* the kernel's nla_parse: the last one of a type wins */
	while (mnl_attr_ok(a, len)) {
		int type = mnl_attr_get_type(a);

		if (type <= max)
			tb[type] = a;
		len -= MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
}

static void parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			 int max)
{
	parse_table(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
		    tb, max);
}

static unsigned int get_u32(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : 0;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct dump_ctx *ctx = data;
	struct link *l;
	int i;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (ctx->st->n == LINKS_MAX) {
		ctx->overflow = true;
		return MNL_CB_OK;
	}
	l = &ctx->st->l[ctx->st->n++];
	memset(l, 0, sizeof(*l));
	l->ns = ctx->ns;
	l->ifindex = ifm->ifi_index;
	l->up = ifm->ifi_flags & IFF_UP;
	l->opt[0] = -1;
	l->opt[1] = -1;
	l->peer_ns = -1;
	l->peer_ifindex = -1;

	parse_table((const char *)ifm + MNL_ALIGN(sizeof(*ifm)),
		    mnl_nlmsg_get_payload_len(nlh) - MNL_ALIGN(sizeof(*ifm)),
		    tb, IFLA_MAX);
	if (tb[IFLA_IFNAME])
		snprintf(l->name, sizeof(l->name), "%s",
			 mnl_attr_get_str(tb[IFLA_IFNAME]));
	l->mtu = get_u32(tb[IFLA_MTU]);
	l->txqlen = get_u32(tb[IFLA_TXQLEN]);
	l->ntx = get_u32(tb[IFLA_NUM_TX_QUEUES]);
	l->nrx = get_u32(tb[IFLA_NUM_RX_QUEUES]);
	if (tb[IFLA_LINK]) {
		l->peer_ifindex = get_u32(tb[IFLA_LINK]);
		l->peer_ns = l->ns;
		if (tb[IFLA_LINK_NETNSID])
			l->peer_ns = (int)get_u32(tb[IFLA_LINK_NETNSID]) ==
				     OTHER_NSID ? !l->ns : NS_BAD;
	}
	if (!tb[IFLA_LINKINFO])
		return MNL_CB_OK;
	parse_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX);
	if (info[IFLA_INFO_KIND])
		snprintf(l->kind, sizeof(l->kind), "%s",
			 mnl_attr_get_str(info[IFLA_INFO_KIND]));
	if (info[IFLA_INFO_DATA]) {
		const struct nlattr *d[IFLA_VPAIR_MAX + 1];

		parse_nested(info[IFLA_INFO_DATA], d, IFLA_VPAIR_MAX);
		for (i = 0; i < 2; i++) {
			if (!d[opt_type[i]])
				continue;
			l->optlen[i] = mnl_attr_get_payload_len(d[opt_type[i]]);
			l->opt[i] = l->optlen[i] ?
				    mnl_attr_get_u8(d[opt_type[i]]) : -1;
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *msg_start(char *buf, int type, int flags,
				  struct rtnl *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++r->seq;
	return nlh;
}

static int read_state(struct state *st)
{
	char buf[256];
	int ns, err;

	st->n = 0;
	for (ns = 0; ns < 2; ns++) {
		struct dump_ctx ctx = { .st = st, .ns = ns };
		struct nlmsghdr *nlh;
		struct ifinfomsg *ifm;

		nlh = msg_start(buf, RTM_GETLINK, NLM_F_DUMP, &nl[ns]);
		ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
		ifm->ifi_family = AF_UNSPEC;
		err = rtnl_talk(&nl[ns], nlh, dump_cb, &ctx, NULL, 0);
		if (err)
			return err;
		if (ctx.overflow)
			return EOVERFLOW;
	}
	return 0;
}

static struct link *find_index(struct state *st, int ns, int ifindex)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (st->l[i].ns == ns && st->l[i].ifindex == ifindex)
			return &st->l[i];
	return NULL;
}

static struct link *find_name(struct state *st, int ns, const char *name)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (st->l[i].ns == ns && !strcmp(st->l[i].name, name))
			return &st->l[i];
	return NULL;
}

static bool is_vpair(const struct link *l)
{
	return !strcmp(l->kind, "vpair");
}

static struct link *peer_of(struct state *st, const struct link *l)
{
	if (l->peer_ns < 0)
		return NULL;
	return find_index(st, l->peer_ns, l->peer_ifindex);
}

static int count_vpair(const struct state *st)
{
	int i, n = 0;

	for (i = 0; i < st->n; i++)
		n += is_vpair(&st->l[i]);
	return n;
}

static void link_str(const struct link *l, char *s, size_t size)
{
	snprintf(s, size,
		 "%s:%d %s kind=%s hairpin=%d/%d bypass=%d/%d peer=%s:%d mtu=%u txqlen=%u q=%u/%u %s",
		 l->ns >= 0 ? ns_name[l->ns] : "?", l->ifindex, l->name,
		 l->kind[0] ? l->kind : "-", l->opt[0], l->optlen[0],
		 l->opt[1], l->optlen[1],
		 l->peer_ns >= 0 ? ns_name[l->peer_ns] :
		 l->peer_ns == NS_BAD ? "?" : "-",
		 l->peer_ifindex, l->mtu, l->txqlen, l->ntx, l->nrx,
		 l->up ? "up" : "down");
}

static void print_state(const char *title, const struct state *st)
{
	char s[256];
	int i;

	ksft_print_msg("  %s:\n", title);
	for (i = 0; i < st->n; i++) {
		link_str(&st->l[i], s, sizeof(s));
		ksft_print_msg("    %s\n", s);
	}
}

/* ---- what a request asks for, as the kernel will parse it ---- */

struct end_view {
	int ifindex;
	unsigned int flags, change;
	const char *name_attr;
	char name[IFNAMSIZ];
	bool has_name;
	bool has_mtu, has_txqlen, has_ntx, has_nrx;
	unsigned int mtu, txqlen, ntx, nrx;
	/* NS_NONE, NS_A, NS_B or NS_BAD */
	int ns;
};

struct req_view {
	struct end_view dev;
	char kind[32];
	bool has_data;
	int opt[2];
	bool has_peer;
	struct end_view peer;
};

/* nla_strscpy(dst, attr, IFNAMSIZ) */
static void attr_name(const struct nlattr *a, char *dst)
{
	const char *s = mnl_attr_get_payload(a);
	int n = mnl_attr_get_payload_len(a), i;

	for (i = 0; i < n && i < IFNAMSIZ - 1 && s[i]; i++)
		dst[i] = s[i];
	dst[i] = '\0';
}

static bool view_u32(const struct nlattr *a, unsigned int *v)
{
	if (!a || mnl_attr_get_payload_len(a) < 4)
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

static int ns_of_pid(unsigned int pid)
{
	if (pid == (unsigned int)getpid())
		return NS_A;
	if (pid == (unsigned int)helper_pid)
		return NS_B;
	return NS_BAD;
}

static int ns_of_fd(unsigned int fd)
{
	if (fd == (unsigned int)ns_fd[NS_A])
		return NS_A;
	if (fd == (unsigned int)ns_fd[NS_B])
		return NS_B;
	return NS_BAD;
}

static void view_end(const struct ifinfomsg *ifm, const void *attrs, int len,
		     struct end_view *v)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	unsigned int x;

	memset(v, 0, sizeof(*v));
	v->ifindex = ifm->ifi_index;
	v->flags = ifm->ifi_flags;
	v->change = ifm->ifi_change;
	parse_table(attrs, len, tb, IFLA_MAX);
	if (tb[IFLA_IFNAME]) {
		v->has_name = true;
		attr_name(tb[IFLA_IFNAME], v->name);
	}
	v->has_mtu = view_u32(tb[IFLA_MTU], &v->mtu);
	v->has_txqlen = view_u32(tb[IFLA_TXQLEN], &v->txqlen);
	v->has_ntx = view_u32(tb[IFLA_NUM_TX_QUEUES], &v->ntx);
	v->has_nrx = view_u32(tb[IFLA_NUM_RX_QUEUES], &v->nrx);
	/* rtnl_link_get_net(): the pid before the fd */
	v->ns = NS_NONE;
	if (tb[IFLA_NET_NS_PID])
		v->ns = view_u32(tb[IFLA_NET_NS_PID], &x) ? ns_of_pid(x) : NS_BAD;
	else if (tb[IFLA_NET_NS_FD])
		v->ns = view_u32(tb[IFLA_NET_NS_FD], &x) ? ns_of_fd(x) : NS_BAD;
}

static void view_request(const struct nlmsghdr *nlh, struct req_view *v)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	const struct nlattr *data[IFLA_VPAIR_MAX + 1];
	int off = MNL_ALIGN(sizeof(*ifm)), i;

	memset(v, 0, sizeof(*v));
	v->opt[0] = -1;
	v->opt[1] = -1;
	view_end(ifm, (const char *)ifm + off,
		 mnl_nlmsg_get_payload_len(nlh) - off, &v->dev);
	parse_table((const char *)ifm + off,
		    mnl_nlmsg_get_payload_len(nlh) - off, tb, IFLA_MAX);
	if (!tb[IFLA_LINKINFO])
		return;
	parse_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX);
	if (info[IFLA_INFO_KIND]) {
		const char *s = mnl_attr_get_payload(info[IFLA_INFO_KIND]);
		int n = mnl_attr_get_payload_len(info[IFLA_INFO_KIND]);

		for (i = 0; i < n && i < (int)sizeof(v->kind) - 1 && s[i]; i++)
			v->kind[i] = s[i];
	}
	if (!info[IFLA_INFO_DATA])
		return;
	v->has_data = true;
	parse_nested(info[IFLA_INFO_DATA], data, IFLA_VPAIR_MAX);
	for (i = 0; i < 2; i++) {
		const struct nlattr *a = data[opt_type[i]];

		if (a && mnl_attr_get_payload_len(a) >= 1)
			v->opt[i] = mnl_attr_get_u8(a);
	}
	if (data[IFLA_VPAIR_PEER] &&
	    mnl_attr_get_payload_len(data[IFLA_VPAIR_PEER]) >=
	    sizeof(struct ifinfomsg)) {
		const struct ifinfomsg *pifm =
			mnl_attr_get_payload(data[IFLA_VPAIR_PEER]);

		v->has_peer = true;
		/* rtnl_nla_parse_ifinfomsg(): attributes right after it */
		view_end(pifm, (const char *)pifm + sizeof(*pifm),
			 mnl_attr_get_payload_len(data[IFLA_VPAIR_PEER]) -
			 sizeof(*pifm), &v->peer);
	}
}

/* ---- building requests ---- */

static const unsigned int u8_values[] = { 0, 1, 1, 1, 0, 2, 255, 128 };
static const unsigned int mtu_values[] = {
	0, 1, 67, 68, 576, 1280, 1500, 1500, 9000, 65535, 65536, 0xffffffff,
};

static const unsigned int valid_mtus[] = { 1280, 1500, 9000 };
static const unsigned int queue_values[] = {
	0, 1, 1, 2, 4, 8, 4097, 0x10000, 0xffffffff,
};

static const unsigned int txqlen_values[] = { 0, 1, 500, 1000, 0xffffffff };
static const unsigned int short_lengths[] = { 0, 1, 2, 3 };
static const unsigned int odd_lengths[] = { 0, 2, 3, 4, 5, 7, 8 };

/* Fresh names collide with existing ones often enough on their own. */
static void gen_name(char *name, struct state *st)
{
	static const char * const odd[] = {
		"", ".", "..", "fz/1", "fz 1", "fz:1", "lo", "fz%d", "vpair%d",
		"fz%dx", "fz%d%d",
		"fz3456789abcdef",	/* 15: the longest name */
		"fz3456789abcdef6",	/* 16: one too many */
		"fz3456789abcdef67890",
	};
	unsigned int r = below(100);

	if (r < 70 || !st->n)
		snprintf(name, IFNAMSIZ, "fz%u", below(16));
	else if (r < 85)
		snprintf(name, IFNAMSIZ, "%s", st->l[below(st->n)].name);
	else
		snprintf(name, 24, "%s", PICK(odd));
}

static void put_name(struct nlmsghdr *nlh, int type, const char *name)
{
	unsigned int r = below(100);

	if (r < 85) {
		mnl_attr_put_strz(nlh, type, name);
	} else if (r < 95) {
		/* no terminating NUL */
		mnl_attr_put(nlh, type, strlen(name), name);
	} else {
		/* something after a NUL: the kernel copies up to it */
		char s[40];
		int n = snprintf(s, sizeof(s), "%s", name);

		memcpy(s + n, "\0zz", 3);
		mnl_attr_put(nlh, type, n + 3, s);
	}
}

/* A u32 attribute, now and then with a payload of another length. */
static void put_u32_fuzz(struct nlmsghdr *nlh, int type, unsigned int v)
{
	unsigned char p[8];
	unsigned int i;

	if (chance(92)) {
		mnl_attr_put_u32(nlh, type, v);
		return;
	}
	for (i = 0; i < sizeof(p); i++)
		p[i] = rnd();
	memcpy(p, &v, sizeof(v));
	mnl_attr_put(nlh, type, chance(50) ? PICK(short_lengths) : 8, p);
}

static unsigned int gen_ns_fd(void)
{
	const int fds[] = {
		ns_fd[NS_B], ns_fd[NS_B], ns_fd[NS_A], -1, CLOSED_FD,
		devnull_fd, 0x7fffffff,
		mnl_socket_get_fd(nl[NS_A].sock),
	};

	return PICK(fds);
}

static unsigned int gen_ns_pid(void)
{
	const unsigned int pids[] = {
		helper_pid, helper_pid, getpid(), 0, 0xffffffff,
		/* above PID_MAX_LIMIT: no such process */
		0x3fffffff,
	};

	return PICK(pids);
}

static void put_netns(struct nlmsghdr *nlh)
{
	unsigned int r = below(100);

	if (r < 55) {
		put_u32_fuzz(nlh, IFLA_NET_NS_FD, gen_ns_fd());
	} else if (r < 90) {
		put_u32_fuzz(nlh, IFLA_NET_NS_PID, gen_ns_pid());
	} else {
		/* both: the core refuses that at the top level */
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, gen_ns_fd());
		mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, gen_ns_pid());
	}
}

static void put_junk(struct nlmsghdr *nlh, int type)
{
	unsigned char p[16];
	unsigned int i, len = below(sizeof(p) + 1);

	for (i = 0; i < len; i++)
		p[i] = rnd();
	mnl_attr_put(nlh, type, len, p);
}

/* An attribute type that IFLA_* parsing does not know. */
static int unknown_ifla_type(void)
{
	const int types[] = { IFLA_MAX + 1, IFLA_MAX + 7, 0x3fff, 0x7fff };

	return PICK(types);
}

static void fill_ifinfomsg(struct ifinfomsg *ifm, struct state *st, bool up_ok)
{
	ifm->ifi_family = AF_UNSPEC;
	if (chance(8)) {
		const int idx[] = { -1, 1, 1000 + below(50),
				    st->n ? st->l[below(st->n)].ifindex : 2 };

		ifm->ifi_index = PICK(idx);
	}
	if (up_ok && chance(15)) {
		ifm->ifi_flags = chance(70) ? IFF_UP : 0;
		ifm->ifi_change = chance(70) ? IFF_UP : chance(50) ? 0xffffffff : 0;
	}
}

static void put_info_data(struct nlmsghdr *nlh, struct state *st, int depth,
			  bool peer_ok, bool clean);

/*
 * The attributes of one end (the request's own or a peer's), for a new
 * link. @depth counts nested peers: a peer's IFLA_LINKINFO may again
 * hold a vpair peer, which the core and vpair must ignore.
 */
static void put_end_attrs(struct nlmsghdr *nlh, struct state *st, int depth,
			  bool clean)
{
	char name[32];

	if (chance(clean ? 95 : 80)) {
		if (clean)
			snprintf(name, IFNAMSIZ, "fz%u", below(16));
		else
			gen_name(name, st);
		put_name(nlh, IFLA_IFNAME, name);
		if (!clean && chance(4))
			put_name(nlh, IFLA_IFNAME, "fzdup");
	}
	if (clean && chance(5))
		mnl_attr_put_u32(nlh, IFLA_MTU, PICK(valid_mtus));
	else if (!clean && chance(20))
		put_u32_fuzz(nlh, IFLA_MTU, chance(80) ? PICK(mtu_values) : rnd());
	if (!clean && chance(8))
		put_u32_fuzz(nlh, IFLA_TXQLEN, PICK(txqlen_values));
	if (!clean && chance(10))
		put_u32_fuzz(nlh, IFLA_NUM_TX_QUEUES, PICK(queue_values));
	if (!clean && chance(10))
		put_u32_fuzz(nlh, IFLA_NUM_RX_QUEUES, PICK(queue_values));
	if (!clean && chance(8)) {
		unsigned char mac[8] = { 0x02, 0x00, 0x5e, rnd(), rnd(), rnd() };
		const unsigned int lens[] = { 6, 6, 6, 0, 5, 7, 8 };

		if (chance(20))
			mac[0] = 0x01;	/* multicast */
		else if (chance(10))
			memset(mac, 0, sizeof(mac));
		mnl_attr_put(nlh, IFLA_ADDRESS, PICK(lens), mac);
	}
	if (!clean && chance(15))
		put_netns(nlh);
	if (!clean && chance(3))
		mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 77);
	if (!clean && chance(8))
		put_junk(nlh, unknown_ifla_type());
	if (!clean && depth > 0 && depth < 5 && chance(depth == 1 ? 25 : 60)) {
		/* a peer that asks for a vpair of its own */
		struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);

		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vpair");
		put_info_data(nlh, st, depth + 1, true, false);
		mnl_attr_nest_end(nlh, info);
	}
}

/*
 * Now and then a nest's length is cut short: its tail is then seen as
 * attributes of the level above.
 */
static void nest_end_fuzz(struct nlmsghdr *nlh, struct nlattr *nest, bool clean)
{
	mnl_attr_nest_end(nlh, nest);
	if (!clean && chance(4) && nest->nla_len > sizeof(*nest))
		nest->nla_len -= 1 + below(nest->nla_len - sizeof(*nest));
}

static void put_peer(struct nlmsghdr *nlh, struct state *st, int depth,
		     bool clean)
{
	struct ifinfomsg *ifm;
	struct nlattr *nest;

	if (!clean && chance(6)) {
		/* shorter than the ifinfomsg it must start with */
		put_junk(nlh, IFLA_VPAIR_PEER | (chance(20) ? NLA_F_NESTED : 0));
		return;
	}
	nest = mnl_attr_nest_start(nlh, IFLA_VPAIR_PEER);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	fill_ifinfomsg(ifm, st, true);
	if (clean)
		ifm->ifi_index = 0;
	put_end_attrs(nlh, st, depth, clean);
	if (clean && chance(40))
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, ns_fd[NS_B]);
	nest_end_fuzz(nlh, nest, clean);
}

static void put_option(struct nlmsghdr *nlh, int type, bool clean)
{
	unsigned char p[8];
	unsigned int i;

	if (clean || chance(75)) {
		mnl_attr_put_u8(nlh, type, clean ? below(2) : PICK(u8_values));
		return;
	}
	for (i = 0; i < sizeof(p); i++)
		p[i] = chance(50) ? 0 : rnd();
	p[0] = chance(80) ? PICK(u8_values) : rnd();
	if (chance(10))
		type |= chance(50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
	mnl_attr_put(nlh, type, PICK(odd_lengths), p);
}

static void put_info_data(struct nlmsghdr *nlh, struct state *st, int depth,
			  bool peer_ok, bool clean)
{
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	unsigned int i, n = clean ? 2 : below(6);

	if (clean && peer_ok)
		put_peer(nlh, st, depth, true);
	for (i = 0; i < n; i++) {
		unsigned int r = below(100);

		if (clean) {
			if (chance(60))
				put_option(nlh, opt_type[i], true);
		} else if (r < 55) {
			put_option(nlh, opt_type[below(2)], false);
		} else if (r < 80 && (peer_ok || chance(15))) {
			put_peer(nlh, st, depth, false);
		} else {
			/* UNSPEC, the first type past the end, far past it */
			const int types[] = { IFLA_VPAIR_UNSPEC, IFLA_VPAIR_MAX + 1,
					      200, 0x7fff };

			put_junk(nlh, PICK(types));
		}
	}
	nest_end_fuzz(nlh, data, clean);
}

/*
 * @slave_ok: IFLA_INFO_SLAVE_DATA may come along. Not beside options for
 * an existing link: the core refuses it (no master) after changelink()
 * has applied the options, and does not undo them (6.1, veth alike).
 */
static void put_linkinfo(struct nlmsghdr *nlh, struct state *st, bool peer_ok,
			 bool data_ok, bool slave_ok, bool clean)
{
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	unsigned int r = below(100);

	if (clean || r < 90)
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vpair");
	else if (r < 94)
		mnl_attr_put(nlh, IFLA_INFO_KIND, 5, "vpair");
	else if (r < 95)
		/* no such kind: the core asks modprobe, keep it rare */
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vpai");
	/* else no kind at all */
	if (data_ok)
		put_info_data(nlh, st, 1, peer_ok, clean);
	if (!clean && chance(5))
		put_junk(nlh, slave_ok && chance(50) ? IFLA_INFO_SLAVE_DATA : 0x100);
	mnl_attr_nest_end(nlh, info);
}

/* ---- the requests and what each acknowledgment promises ---- */

enum req_type { REQ_CREATE, REQ_CHANGE, REQ_SETLINK, REQ_DELLINK,
		REQ_GETLINK, REQ_TYPES };

static const char * const req_name[] = {
	"newlink (create)", "newlink (change)", "setlink", "dellink", "getlink",
};

struct request {
	enum req_type type;
	int sock_ns;
	bool clean;
	/* SETLINK: what it changes, for the report */
	const char *effect;
	struct nlmsghdr *nlh;
};

/* A link to aim at, and the socket to aim from: mostly its own. */
static const struct link *pick_target(struct state *st, struct request *rq,
				      bool vpair_only)
{
	const struct link *cand[LINKS_MAX];
	int i, n = 0;

	for (i = 0; i < st->n; i++)
		if (!vpair_only || is_vpair(&st->l[i]))
			cand[n++] = &st->l[i];
	if (!n)
		return NULL;
	cand[0] = cand[below(n)];
	rq->sock_ns = chance(85) ? cand[0]->ns : !cand[0]->ns;
	return cand[0];
}

/* Name the target by name (or index) in a fresh request. */
static struct nlmsghdr *target_request(char *buf, struct request *rq, int type,
				       const struct link *t, struct state *st)
{
	struct nlmsghdr *nlh = msg_start(buf, type, NLM_F_ACK, &nl[rq->sock_ns]);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	char name[32];

	ifm->ifi_family = AF_UNSPEC;
	if (!t || (!rq->clean && chance(5))) {
		gen_name(name, st);
		put_name(nlh, IFLA_IFNAME, name);
	} else if (chance(25)) {
		ifm->ifi_index = t->ifindex;
	} else {
		put_name(nlh, IFLA_IFNAME, t->name);
	}
	/*
	 * For RTM_NEWLINK on an existing link, do_setlink() acts on
	 * IFLA_TARGET_NETNSID after changelink() has applied the options,
	 * and refuses an unknown id without undoing them (6.1, for veth as
	 * for vpair): not in option changes.
	 */
	if (!rq->clean && rq->type != REQ_CHANGE && chance(4))
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, chance(50) ? 77 : -5);
	if (!rq->clean && chance(8))
		put_junk(nlh, unknown_ifla_type());
	return nlh;
}

static struct link *resolve_target(struct state *st, const struct request *rq,
				   const struct req_view *rv);

static void gen_create(char *buf, struct request *rq, struct state *st)
{
	const int flag_sets[] = {
		NLM_F_CREATE | NLM_F_EXCL, NLM_F_CREATE | NLM_F_EXCL,
		NLM_F_CREATE | NLM_F_EXCL, NLM_F_CREATE,
		NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, NLM_F_CREATE | NLM_F_REPLACE,
	};
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	struct req_view rv;

	rq->sock_ns = chance(80) ? NS_A : NS_B;
	nlh = msg_start(buf, RTM_NEWLINK,
			NLM_F_ACK | (rq->clean ? NLM_F_CREATE | NLM_F_EXCL :
				     PICK(flag_sets)), &nl[rq->sock_ns]);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	fill_ifinfomsg(ifm, st, true);
	if (rq->clean)
		ifm->ifi_index = 0;
	put_end_attrs(nlh, st, 0, rq->clean);
	put_linkinfo(nlh, st, true, rq->clean || chance(95), true, rq->clean);
	rq->nlh = nlh;

	/*
	 * Without NLM_F_EXCL, a request that names an existing link changes
	 * it: options and generic attributes at once, which the core does
	 * not apply atomically (see gen_setlink()). Option changes are
	 * gen_change()'s; this one stays a creation, refused.
	 */
	view_request(nlh, &rv);
	if (resolve_target(st, rq, &rv))
		nlh->nlmsg_flags |= NLM_F_EXCL;
}

/* RTM_NEWLINK on an existing link: options only (see below). */
static void gen_change(char *buf, struct request *rq, struct state *st)
{
	const struct link *t = pick_target(st, rq, chance(95));

	rq->nlh = target_request(buf, rq, RTM_NEWLINK, t, st);
	if (!rq->clean && chance(5)) {
		/* a u32 too short for its type: refused before anything */
		const int types[] = { IFLA_MTU, IFLA_TXQLEN, IFLA_NET_NS_FD };
		unsigned int v = 1500;

		mnl_attr_put(rq->nlh, PICK(types), PICK(short_lengths), &v);
	}
	put_linkinfo(rq->nlh, st, chance(15), true, false, rq->clean);
}

/*
 * One change of the generic kind per request: the core applies them one
 * after the other and does not undo the first when the second fails, so
 * a refused request with two of them may have changed something. A
 * request with options (IFLA_INFO_DATA) carries none of them for the
 * same reason (the core runs changelink before do_setlink).
 */
static void gen_setlink(char *buf, struct request *rq, struct state *st)
{
	const struct link *t = pick_target(st, rq, chance(90));
	bool by_newlink = chance(20);
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	char name[32];

	nlh = target_request(buf, rq, by_newlink ? RTM_NEWLINK : RTM_SETLINK,
			     t, st);
	ifm = mnl_nlmsg_get_payload(nlh);
	switch (below(5)) {
	case 0:
		rq->effect = "name";
		/* renaming needs the index: the name finds the link */
		if (t && chance(85))
			ifm->ifi_index = t->ifindex;
		gen_name(name, st);
		put_name(nlh, IFLA_IFNAME, name);
		break;
	case 1:
		rq->effect = "mtu";
		put_u32_fuzz(nlh, IFLA_MTU, chance(80) ? PICK(mtu_values) : rnd());
		break;
	case 2:
		rq->effect = "txqlen";
		put_u32_fuzz(nlh, IFLA_TXQLEN, PICK(txqlen_values));
		break;
	case 3:
		rq->effect = "up/down";
		ifm->ifi_flags = chance(60) ? IFF_UP : 0;
		ifm->ifi_change = IFF_UP;
		break;
	default:
		rq->effect = "netns";
		if (rq->clean)
			mnl_attr_put_u32(nlh, IFLA_NET_NS_FD,
					 ns_fd[t ? !t->ns : NS_B]);
		else
			put_netns(nlh);
		break;
	}
	/* RTM_SETLINK ignores IFLA_LINKINFO; RTM_NEWLINK gets a kind only */
	if (by_newlink)
		put_linkinfo(nlh, st, false, false, true, rq->clean);
	else if (!rq->clean && chance(20))
		put_linkinfo(nlh, st, true, true, true, false);
	rq->nlh = nlh;
}

static void gen_dellink(char *buf, struct request *rq, struct state *st)
{
	const struct link *t = pick_target(st, rq, rq->clean || chance(90));

	rq->nlh = target_request(buf, rq, RTM_DELLINK, t, st);
	if (!rq->clean && chance(15))
		put_linkinfo(rq->nlh, st, true, true, true, false);
}

static void gen_getlink(char *buf, struct request *rq, struct state *st)
{
	const struct link *t = pick_target(st, rq, chance(80));

	rq->nlh = target_request(buf, rq, RTM_GETLINK, t, st);
	if (chance(20))
		put_linkinfo(rq->nlh, st, true, true, true, false);
	if (chance(10))
		mnl_attr_put_u32(rq->nlh, IFLA_EXT_MASK, rnd());
}

static void gen_request(char *buf, struct request *rq, struct state *st)
{
	int links = count_vpair(st);
	unsigned int r = below(100);

	memset(rq, 0, sizeof(*rq));
	/* a valid request now and then keeps pairs around to work on */
	rq->clean = chance(25);
	if (links < 2 || r < 30)
		rq->type = REQ_CREATE;
	else if (links > MANY_LINKS || r < 45)
		rq->type = REQ_DELLINK;
	else if (r < 70)
		rq->type = REQ_CHANGE;
	else if (r < 88)
		rq->type = REQ_SETLINK;
	else
		rq->type = REQ_GETLINK;
	if (links > MANY_LINKS)
		rq->clean = true;

	switch (rq->type) {
	case REQ_CREATE:
		gen_create(buf, rq, st);
		break;
	case REQ_CHANGE:
		gen_change(buf, rq, st);
		break;
	case REQ_SETLINK:
		gen_setlink(buf, rq, st);
		break;
	case REQ_DELLINK:
		gen_dellink(buf, rq, st);
		break;
	default:
		gen_getlink(buf, rq, st);
		break;
	}
}

/* ---- the oracle ---- */

struct verdict {
	char why[512];
};

static bool fail(struct verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool fail(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
	return false;
}

/* @pat as a name request: "fz%d" is any "fz<digits>" */
static bool name_matches(const char *pat, const char *name)
{
	const char *pct = strchr(pat, '%');
	size_t pre;

	if (!pct)
		return !strcmp(pat, name);
	pre = pct - pat;
	if (pct[1] != 'd' || strncmp(pat, name, pre) || !isdigit(name[pre]))
		return false;
	name += pre;
	while (isdigit(*name))
		name++;
	return !strcmp(pct + 2, name);
}

static bool link_equal(const struct link *want, const struct link *got)
{
	return want->ns == got->ns &&
	       (want->ifindex < 0 || want->ifindex == got->ifindex) &&
	       name_matches(want->name, got->name) &&
	       !strcmp(want->kind, got->kind) &&
	       want->opt[0] == got->opt[0] && want->opt[1] == got->opt[1] &&
	       want->optlen[0] == got->optlen[0] &&
	       want->optlen[1] == got->optlen[1] &&
	       want->peer_ns == got->peer_ns &&
	       (want->peer_ifindex < 0 || want->peer_ifindex == got->peer_ifindex) &&
	       want->mtu == got->mtu && want->txqlen == got->txqlen &&
	       want->ntx == got->ntx && want->nrx == got->nrx &&
	       want->up == got->up;
}

/*
 * @want and @got hold the same links. An expected link with ifindex -1
 * (an end moved to another namespace) is matched by name, and its peer
 * then must point at the index it got.
 */
static bool states_match(struct state *want, struct state *got,
			 struct verdict *v)
{
	char a[256], b[256];
	bool used[LINKS_MAX] = { false };
	int i, j;

	if (want->n != got->n)
		return fail(v, "%d links, expected %d", got->n, want->n);
	for (i = 0; i < want->n; i++) {
		struct link *w = &want->l[i], *g = NULL;

		for (j = 0; j < got->n; j++) {
			if (used[j] || got->l[j].ns != w->ns)
				continue;
			if (w->ifindex >= 0 ? got->l[j].ifindex == w->ifindex :
			    name_matches(w->name, got->l[j].name)) {
				g = &got->l[j];
				break;
			}
		}
		link_str(w, a, sizeof(a));
		if (!g)
			return fail(v, "missing: %s", a);
		used[j] = true;
		if (w->ifindex < 0) {
			/* its peer's IFLA_LINK must follow it */
			for (j = 0; j < want->n; j++)
				if (want->l[j].peer_ifindex == -2 &&
				    want->l[j].ns == w->peer_ns)
					want->l[j].peer_ifindex = g->ifindex;
			w->ifindex = g->ifindex;
		}
	}
	memset(used, 0, sizeof(used));
	for (i = 0; i < want->n; i++) {
		struct link *w = &want->l[i];
		struct link *g = find_index(got, w->ns, w->ifindex);

		link_str(w, a, sizeof(a));
		link_str(g, b, sizeof(b));
		if (!link_equal(w, g))
			return fail(v, "expected %s, found %s", a, b);
	}
	return true;
}

/* What holds whatever the request was: pairs are whole and agree. */
static bool pairs_whole(struct state *st, struct verdict *v)
{
	char a[256];
	int i, k;

	for (i = 0; i < st->n; i++) {
		struct link *l = &st->l[i], *p;

		if (!is_vpair(l))
			continue;
		link_str(l, a, sizeof(a));
		p = peer_of(st, l);
		if (!p)
			return fail(v, "an end without its peer: %s", a);
		if (!is_vpair(p) || p->peer_ns != l->ns ||
		    p->peer_ifindex != l->ifindex)
			return fail(v, "the peer does not point back: %s", a);
		for (k = 0; k < 2; k++) {
			if (l->optlen[k] != 1)
				return fail(v, "%s is not a u8: %s", opt_name[k], a);
			if (l->opt[k] != p->opt[k])
				return fail(v, "the ends disagree on %s: %s",
					    opt_name[k], a);
		}
	}
	return true;
}

static int resolve_ns(int ns, int dflt)
{
	return ns == NS_NONE ? dflt : ns;
}

/*
 * The link the core will act on: by index if given, else by name, in
 * the requester's namespace; for RTM_NEWLINK with NLM_F_CREATE and
 * NLM_F_EXCL, on kernels that do so (create_looks_in_target), in the
 * namespace the new link is to go to.
 */
static struct link *resolve_target(struct state *st, const struct request *rq,
				   const struct req_view *rv)
{
	const unsigned int excl = NLM_F_CREATE | NLM_F_EXCL;
	int ns = rq->sock_ns;

	if (create_looks_in_target && rq->nlh->nlmsg_type == RTM_NEWLINK &&
	    (rq->nlh->nlmsg_flags & excl) == excl) {
		ns = resolve_ns(rv->dev.ns, rq->sock_ns);
		if (ns == NS_BAD)
			return NULL;
	}
	if (rv->dev.ifindex > 0)
		return find_index(st, ns, rv->dev.ifindex);
	if (rv->dev.has_name)
		return find_name(st, ns, rv->dev.name);
	return NULL;
}

/* The up flag after rtnl_dev_combine_flags() */
static bool combined_up(const struct end_view *e, bool was_up)
{
	if (!e->flags && !e->change)
		return was_up;
	if (!e->change)
		return e->flags & IFF_UP;
	return (e->change & IFF_UP) ? (e->flags & IFF_UP) : was_up;
}

/*
 * A new end as the request describes it; what the request leaves to
 * the kernel (index, default mtu, queue counts) is taken from @got.
 */
static void expected_end(struct link *w, const struct end_view *e, bool named,
			 int ns, const struct req_view *rv, const struct link *got)
{
	*w = *got;
	w->ns = ns;
	snprintf(w->name, sizeof(w->name), "%s",
		 named && e->has_name ? e->name : "vpair%d");
	if (e && e->ifindex > 0)
		w->ifindex = e->ifindex;
	snprintf(w->kind, sizeof(w->kind), "vpair");
	w->opt[0] = rv->opt[0] >= 0 ? rv->opt[0] : 0;
	w->opt[1] = rv->opt[1] >= 0 ? rv->opt[1] : 0;
	w->optlen[0] = 1;
	w->optlen[1] = 1;
	if (e->has_mtu)
		w->mtu = e->mtu;
	if (e->has_txqlen)
		w->txqlen = e->txqlen;
	if (e->has_ntx)
		w->ntx = e->ntx;
	if (e->has_nrx)
		w->nrx = e->nrx;
	w->up = combined_up(e, false);
}

static bool check_create(struct state *before, struct state *after,
			 const struct request *rq, const struct req_view *rv,
			 struct verdict *v)
{
	const struct end_view *pe = rv->has_peer ? &rv->peer : &rv->dev;
	int dev_ns = resolve_ns(rv->dev.ns, rq->sock_ns);
	int peer_ns = rv->has_peer ? resolve_ns(rv->peer.ns, rq->sock_ns) : dev_ns;
	struct link *fresh[2], want[2];
	char a[256], b[256];
	int i, n = 0, k;

	for (i = 0; i < before->n; i++) {
		struct link *g = find_index(after, before->l[i].ns,
					    before->l[i].ifindex);

		link_str(&before->l[i], a, sizeof(a));
		if (!g)
			return fail(v, "a new pair took %s away", a);
		if (!link_equal(&before->l[i], g)) {
			link_str(g, b, sizeof(b));
			return fail(v, "a new pair changed %s into %s", a, b);
		}
	}
	for (i = 0; i < after->n; i++)
		if (!find_index(before, after->l[i].ns, after->l[i].ifindex)) {
			if (n == 2)
				return fail(v, "more than two new links");
			fresh[n++] = &after->l[i];
		}
	if (n != 2)
		return fail(v, "%d new links, expected a pair", n);
	if (dev_ns == NS_BAD || peer_ns == NS_BAD)
		return fail(v, "acknowledged with a bad namespace reference");

	/* either new link may be the request's own end */
	for (k = 0; k < 2; k++) {
		expected_end(&want[0], &rv->dev, true, dev_ns, rv, fresh[k]);
		/*
		 * without a peer attribute the peer gets the request's own
		 * attributes, but never its name or index
		 */
		expected_end(&want[1], pe, rv->has_peer, peer_ns, rv, fresh[!k]);
		if (!rv->has_peer) {
			want[1].ifindex = fresh[!k]->ifindex;
			want[1].up = false;
		}
		want[0].peer_ns = peer_ns;
		want[0].peer_ifindex = fresh[!k]->ifindex;
		want[1].peer_ns = dev_ns;
		want[1].peer_ifindex = fresh[k]->ifindex;
		if (link_equal(&want[0], fresh[k]) &&
		    link_equal(&want[1], fresh[!k]))
			return true;
	}
	/* report against the pairing by namespace and name */
	k = fresh[0]->ns == dev_ns && name_matches(want[0].name, fresh[0]->name) ?
	    0 : 1;
	expected_end(&want[0], &rv->dev, true, dev_ns, rv, fresh[k]);
	link_str(&want[0], a, sizeof(a));
	link_str(fresh[k], b, sizeof(b));
	if (!link_equal(&want[0], fresh[k]))
		return fail(v, "new end: expected %s, found %s", a, b);
	expected_end(&want[1], pe, rv->has_peer, peer_ns, rv, fresh[!k]);
	link_str(&want[1], a, sizeof(a));
	link_str(fresh[!k], b, sizeof(b));
	return fail(v, "new peer: expected %s, found %s", a, b);
}

static void remove_link(struct state *st, struct link *l)
{
	int i = l - st->l;

	memmove(&st->l[i], &st->l[i + 1], (st->n - i - 1) * sizeof(*l));
	st->n--;
}

/*
 * do_setlink()'s effects that the fuzzer uses, in its order: the
 * namespace, the mtu, the name (only when the index found the link),
 * txqlen, the flags.
 */
static void apply_setlink(struct state *want, struct link *t,
			  const struct req_view *rv)
{
	const struct end_view *e = &rv->dev;
	struct link *p = peer_of(want, t);

	if (e->ns >= 0 && e->ns != t->ns) {
		/* the core closes a device it moves */
		t->ns = e->ns;
		t->ifindex = -1;
		t->up = false;
		if (p) {
			p->peer_ns = t->ns;
			p->peer_ifindex = -2;
		}
		if (e->ifindex > 0 && e->name[0])
			snprintf(t->name, sizeof(t->name), "%s", e->name);
	}
	if (e->has_mtu)
		t->mtu = e->mtu;
	if (e->ifindex > 0 && e->name[0])
		snprintf(t->name, sizeof(t->name), "%s", e->name);
	if (e->has_txqlen)
		t->txqlen = e->txqlen;
	t->up = combined_up(e, t->up);
}

static bool check_acked(struct state *before, struct state *after,
			const struct request *rq, const struct req_view *rv,
			struct verdict *v)
{
	struct state want = *before;
	struct link *t, *p;
	int k;

	if (rq->type == REQ_GETLINK)
		return states_match(&want, after, v);

	t = resolve_target(&want, rq, rv);
	if (rq->type == REQ_DELLINK) {
		struct verdict unused;

		if (!t)
			return fail(v, "acknowledged, but names no link");
		/*
		 * Not a vpair: besides lo, what a new namespace holds is a
		 * tunnel module's fallback device (tunl0, ip_vti0, sit0...,
		 * on a kernel with those built in, as the debug kernel has
		 * them). Their dellink acknowledges and keeps the device
		 * (ip_tunnel_dellink() skips the fallback). Other kinds'
		 * deletes are not this fuzzer's to judge: gone or kept.
		 */
		if (strcmp(t->kind, "vpair")) {
			struct state kept = *before;

			if (states_match(&kept, after, &unused))
				return true;
		}
		p = peer_of(&want, t);
		if (p && p < t) {
			remove_link(&want, t);
			remove_link(&want, p);
		} else {
			if (p)
				remove_link(&want, p);
			remove_link(&want, t);
		}
		return states_match(&want, after, v);
	}
	if (rv->dev.ns == NS_BAD && t)
		return fail(v, "acknowledged with a bad namespace reference");
	if (rq->type == REQ_SETLINK) {
		if (!t)
			return fail(v, "acknowledged, but names no link");
		apply_setlink(&want, t, rv);
		return states_match(&want, after, v);
	}

	/* RTM_NEWLINK: the core decides between create and change */
	if (!t && !(rq->nlh->nlmsg_flags & NLM_F_CREATE))
		return fail(v, "acknowledged, but names no link and asks no NLM_F_CREATE");
	if (!t)
		return check_create(before, after, rq, rv, v);
	if (rq->nlh->nlmsg_flags & (NLM_F_EXCL | NLM_F_REPLACE))
		return fail(v, "acknowledged with NLM_F_EXCL or NLM_F_REPLACE on existing %s",
			    t->name);
	if (rv->has_data && !strcmp(rv->kind, "vpair")) {
		p = peer_of(&want, t);
		for (k = 0; k < 2; k++) {
			if (rv->opt[k] < 0)
				continue;
			t->opt[k] = rv->opt[k];
			if (p)
				p->opt[k] = rv->opt[k];
		}
	}
	apply_setlink(&want, t, rv);
	return states_match(&want, after, v);
}

static void hexdump(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	char line[80];
	size_t i, n;

	for (i = 0; i < len; i += 16) {
		n = 0;
		for (size_t j = i; j < len && j < i + 16; j++)
			n += snprintf(line + n, sizeof(line) - n, "%02x ", p[j]);
		ksft_print_msg("    %04zx: %s\n", i, line);
	}
}

/* ---- the run ---- */

struct counts {
	unsigned int sent, acked, refused, mismatches;
	unsigned int by_type[REQ_TYPES][2];
	unsigned int by_errno[256];
};

static bool fuzz(unsigned int seed, unsigned int requests, struct counts *c)
{
	static char buf[BUF_SIZE];
	struct state before, after;
	struct request rq;
	struct req_view rv;
	char extack[256];
	struct verdict v;
	unsigned int i;
	int err;

	rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed << 1 | 1);
	if (read_state(&before))
		die("cannot read the links: %s\n", strerror(errno));

	for (i = 1; i <= requests; i++) {
		gen_request(buf, &rq, &before);
		view_request(rq.nlh, &rv);
		err = rtnl_talk(&nl[rq.sock_ns], rq.nlh, NULL, NULL, extack,
				sizeof(extack));
		c->sent++;
		c->by_type[rq.type][!!err]++;
		if (err) {
			c->refused++;
			c->by_errno[err < 256 ? err : 0]++;
		} else {
			c->acked++;
		}
		if (verbose)
			ksft_print_msg("%u: %s%s%s from %s: %s%s%s\n", i,
				       req_name[rq.type],
				       rq.effect ? " " : "",
				       rq.effect ? rq.effect : "",
				       ns_name[rq.sock_ns],
				       err ? strerror(err) : "ok",
				       extack[0] ? ": " : "", extack);

		if (read_state(&after))
			die("request %u: cannot read the links: %s\n", i,
			    strerror(errno));
		if (!pairs_whole(&after, &v) ||
		    !(err ? states_match(&before, &after, &v) :
		      check_acked(&before, &after, &rq, &rv, &v))) {
			c->mismatches++;
			if (c->mismatches <= MAX_REPORTS) {
				ksft_print_msg("MISMATCH seed %u request %u: %s %s%s from %s, %s%s%s%s: %s\n",
					       seed, i, req_name[rq.type],
					       rq.effect ? rq.effect : "",
					       rq.clean ? " (valid)" : "",
					       ns_name[rq.sock_ns],
					       err ? "refused: " : "acknowledged",
					       err ? strerror(err) : "",
					       extack[0] ? ", " : "", extack,
					       v.why);
				print_state("before", &before);
				print_state("after", &after);
				ksft_print_msg("  the request (%u bytes):\n",
					       rq.nlh->nlmsg_len);
				hexdump(rq.nlh, rq.nlh->nlmsg_len);
			}
		}
		before = after;
	}
	return !c->mismatches;
}

/* Every vpair end deleted, each taking its peer along. */
static bool delete_all(struct verdict *v)
{
	static char buf[256];
	struct state st;
	int i, err;

	if (read_state(&st))
		return fail(v, "cannot read the links");
	for (i = 0; i < st.n; i++) {
		struct link *l = &st.l[i];
		struct nlmsghdr *nlh;
		struct ifinfomsg *ifm;

		if (!is_vpair(l))
			continue;
		nlh = msg_start(buf, RTM_DELLINK, NLM_F_ACK, &nl[l->ns]);
		ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
		ifm->ifi_family = AF_UNSPEC;
		ifm->ifi_index = l->ifindex;
		err = rtnl_talk(&nl[l->ns], nlh, NULL, NULL, NULL, 0);
		/* the peer of an end deleted before is gone already */
		if (err && err != ENODEV)
			return fail(v, "deleting %s: %s", l->name, strerror(err));
	}
	if (read_state(&st))
		return fail(v, "cannot read the links");
	if (count_vpair(&st))
		return fail(v, "%d vpair links left", count_vpair(&st));
	return true;
}

static int set_nsid(struct rtnl *r, int attr, unsigned int ref, int id)
{
	char buf[256];
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWNSID, NLM_F_ACK, r);
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, attr, ref);
	mnl_attr_put_u32(nlh, NETNSA_NSID, id);
	return rtnl_talk(r, nlh, NULL, NULL, NULL, 0);
}

/*
 * In the fuzzer process: A (its own namespace) and B (held by a file
 * descriptor and by a helper process), a socket in each, and each
 * namespace's id for the other so that IFLA_LINK_NETNSID can be read.
 */
static void setup_namespaces(int ready_fd)
{
	int pipefd[2], inb[2];
	int err;
	char c;

	if (unshare(CLONE_NEWNET))
		die("unshare: %s\n", strerror(errno));
	ns_fd[NS_A] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (unshare(CLONE_NEWNET))
		die("unshare: %s\n", strerror(errno));
	ns_fd[NS_B] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns_fd[NS_A] < 0 || ns_fd[NS_B] < 0 || rtnl_open(&nl[NS_B], 0))
		die("namespace B: %s\n", strerror(errno));
	if (setns(ns_fd[NS_A], CLONE_NEWNET) || rtnl_open(&nl[NS_A], 0))
		die("namespace A: %s\n", strerror(errno));

	/*
	 * The helper sits in B until the fuzzer closes the pipe. It is
	 * born in A: the observer names B by its pid, so the fuzzer waits
	 * until the helper says it is in B (a byte on inb).
	 */
	fflush(stdout);
	if (pipe(pipefd) || pipe(inb))
		die("pipe: %s\n", strerror(errno));
	helper_pid = fork();
	if (helper_pid < 0)
		die("fork: %s\n", strerror(errno));
	if (!helper_pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pipefd[1]);
		close(inb[0]);
		if (setns(ns_fd[NS_B], CLONE_NEWNET) || write(inb[1], "b", 1) != 1)
			_exit(1);
		close(inb[1]);
		close(ready_fd);
		while (read(pipefd[0], &c, 1) > 0)
			;
		_exit(0);
	}
	/* the write end stays open until the fuzzer exits */
	close(pipefd[0]);
	close(inb[1]);
	if (read(inb[0], &c, 1) != 1)
		die("the helper did not get into namespace B\n");
	close(inb[0]);

	err = set_nsid(&nl[NS_A], NETNSA_FD, ns_fd[NS_B], OTHER_NSID);
	if (!err)
		err = set_nsid(&nl[NS_B], NETNSA_FD, ns_fd[NS_A], OTHER_NSID);
	if (err)
		die("RTM_NEWNSID: %s\n", strerror(err));

	devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(CLOSED_FD);
}

/* RTM_NEWLINK of a vpair named "fzprobe" from A, into @ns_ref if >= 0. */
static int probe_create(int ns_ref)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWLINK,
					 NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
					 &nl[NS_A]);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	struct nlattr *info;

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "fzprobe");
	if (ns_ref >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, ns_ref);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vpair");
	mnl_attr_nest_end(nlh, info);
	return rtnl_talk(&nl[NS_A], nlh, NULL, NULL, NULL, 0);
}

static void probe_delete(int ns)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, RTM_DELLINK, NLM_F_ACK, &nl[ns]);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "fzprobe");
	rtnl_talk(&nl[ns], nlh, NULL, NULL, NULL, 0);
}

/*
 * Can A create a vpair at all? And where does the core look for an
 * existing link of a creation's name: 6.1 looks in the requester's
 * namespace; 7.3 ("rtnetlink: Lookup device in target netns when
 * creating link") in the one the new link goes to, when the request has
 * NLM_F_CREATE and NLM_F_EXCL. The core's choice, not vpair's, and not
 * one a version number tells (stable trees take such changes): asked once
 * here (a "fzprobe" in A, then the same name created into B), so that
 * the model follows the kernel it runs on.
 */
static bool vpair_available(void)
{
	int err = probe_create(-1);

	if (err)
		return err != EOPNOTSUPP;
	err = probe_create(ns_fd[NS_B]);
	create_looks_in_target = !err;
	if (!err)
		probe_delete(NS_B);
	probe_delete(NS_A);
	ksft_print_msg("a creation with NLM_F_EXCL looks for its name in %s\n",
		       create_looks_in_target ? "the target namespace" :
		       "the requester's namespace");
	return true;
}

static int fuzzer(unsigned int seed, unsigned int requests, int ready_fd,
		  int go_fd)
{
	struct counts c = { 0 };
	struct timespec t0, t1;
	struct verdict v;
	bool ok;
	char go;
	int i;

	setup_namespaces(ready_fd);
	{
		pid_t pids[2] = { getpid(), helper_pid };

		if (write(ready_fd, pids, sizeof(pids)) != sizeof(pids) ||
		    read(go_fd, &go, 1) != 1)
			return FUZZ_ERROR;
	}
	if (!vpair_available()) {
		ksft_print_msg("link type vpair not available\n");
		return FUZZ_SKIP;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = fuzz(seed, requests, &c);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	{
		double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

		ksft_print_msg("seed %u: %u requests in %.1f s (%.0f/s): %u acknowledged, %u refused, %u mismatches\n",
			       seed, c.sent, s, s > 0 ? c.sent / s : 0.0,
			       c.acked, c.refused, c.mismatches);
	}
	for (i = 0; i < REQ_TYPES; i++)
		ksft_print_msg("  %-17s %5u acknowledged %5u refused\n",
			       req_name[i], c.by_type[i][0], c.by_type[i][1]);
	for (i = 0; i < 256; i++)
		if (c.by_errno[i])
			ksft_print_msg("  refused with %-3d %-28s %5u\n", i,
				       i ? strerror(i) : "(other)", c.by_errno[i]);
	if (!ok)
		ksft_print_msg("replay: VPAIR_FUZZ_SEED=%u ./vpair_fuzz -n %u\n",
			       seed, requests);
	if (!delete_all(&v)) {
		ksft_print_msg("cleanup: %s\n", v.why);
		return (ok ? 0 : FUZZ_MISMATCH) | FUZZ_CLEANUP;
	}
	return ok ? FUZZ_OK : FUZZ_MISMATCH;
}

/* RTM_DELNSID of both observer ids: A and B are being dismantled. */
static bool wait_namespaces_gone(struct rtnl *obs, int seconds)
{
	bool gone[2] = { false, false };
	time_t end = time(NULL) + seconds;

	while (!(gone[0] && gone[1]) && time(NULL) < end) {
		struct pollfd pfd = { .fd = mnl_socket_get_fd(obs->sock),
				      .events = POLLIN };
		const struct nlmsghdr *nlh;
		int len;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		len = mnl_socket_recvfrom(obs->sock, obs->buf, sizeof(obs->buf));
		if (len < 0)
			return false;
		for (nlh = (struct nlmsghdr *)obs->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlattr *tb[NETNSA_MAX + 1];
			int id;

			if (nlh->nlmsg_type != RTM_DELNSID)
				continue;
			parse_table((const char *)mnl_nlmsg_get_payload(nlh) +
				    MNL_ALIGN(sizeof(struct rtgenmsg)),
				    mnl_nlmsg_get_payload_len(nlh) -
				    MNL_ALIGN(sizeof(struct rtgenmsg)),
				    tb, NETNSA_MAX);
			id = get_u32(tb[NETNSA_NSID]);
			if (id == OBS_NSID_A || id == OBS_NSID_B)
				gone[id - OBS_NSID_A] = true;
		}
	}
	return gone[0] && gone[1];
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s SEED] [-n REQUESTS] [-v]\n"
		"  or VPAIR_FUZZ_SEED, VPAIR_FUZZ_REQUESTS; seed default: from the clock\n",
		prog);
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	unsigned int seed, requests = 2000;
	int ready[2], go[2], opt, status, err;
	static struct rtnl obs;
	pid_t pids[2], child;
	bool gone;

	seed = time(NULL) ^ getpid();
	if (getenv("VPAIR_FUZZ_REQUESTS") && *getenv("VPAIR_FUZZ_REQUESTS"))
		requests = strtoul(getenv("VPAIR_FUZZ_REQUESTS"), NULL, 0);
	if (getenv("VPAIR_FUZZ_SEED") && *getenv("VPAIR_FUZZ_SEED"))
		seed = strtoul(getenv("VPAIR_FUZZ_SEED"), NULL, 0);
	while ((opt = getopt(argc, argv, "s:n:v")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			requests = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}

	/* two processes write: whole lines, in order */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	ksft_print_msg("seed %u, %u requests (replay: VPAIR_FUZZ_SEED=%u or -s %u)\n",
		       seed, requests, seed, seed);
	/* the observer: a namespace of its own, told when A and B die */
	if (unshare(CLONE_NEWNET))
		ksft_exit_skip("unshare(CLONE_NEWNET): %s (run as root)\n",
			       strerror(errno));
	if (rtnl_open(&obs, 1 << (RTNLGRP_NSID - 1)))
		ksft_exit_fail_msg("rtnetlink: %s\n", strerror(errno));
	if (pipe(ready) || pipe(go))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	fflush(stdout);
	child = fork();
	if (child < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (!child) {
		close(ready[0]);
		close(go[1]);
		mnl_socket_close(obs.sock);
		status = fuzzer(seed, requests, ready[1], go[0]);
		fflush(stdout);
		_exit(status);
	}
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], pids, sizeof(pids)) != sizeof(pids)) {
		waitpid(child, &status, 0);
		ksft_exit_fail_msg("the fuzzer could not set up its namespaces\n");
	}
	err = set_nsid(&obs, NETNSA_PID, pids[0], OBS_NSID_A);
	if (!err)
		err = set_nsid(&obs, NETNSA_PID, pids[1], OBS_NSID_B);
	if (err)
		ksft_exit_fail_msg("RTM_NEWNSID in the observer: %s\n",
				   strerror(err));
	if (write(go[1], "g", 1) != 1)
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	close(go[1]);
	waitpid(child, &status, 0);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : FUZZ_ERROR;
	if (status == FUZZ_SKIP)
		ksft_exit_skip("link type vpair not available\n");

	ksft_set_plan(3);
	ksft_test_result(!(status & (FUZZ_ERROR | FUZZ_MISMATCH)),
			 "fuzz: what exists matches every answer (seed %u)\n",
			 seed);
	ksft_test_result(!(status & (FUZZ_ERROR | FUZZ_CLEANUP)),
			 "cleanup: every pair deleted\n");
	gone = wait_namespaces_gone(&obs, 60);
	ksft_test_result(gone, "namespaces dismantled at exit\n");
	ksft_finished();
}
