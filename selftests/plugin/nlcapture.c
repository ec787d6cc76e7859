// SPDX-License-Identifier: GPL-2.0
/*
 * nlcapture.so: an LD_PRELOAD shim that plays the kernel's rtnetlink side
 * for ip(8), so that what link_vpair.so puts into a request, and how it
 * prints an answer, can be tested on any machine: without the module,
 * without root, without module support at all.
 *
 * ip keeps its real NETLINK_ROUTE sockets (so binding and port ids are the
 * kernel's), but nothing it sends on them reaches the kernel. Each message
 * is appended to $NLCAPTURE_FILE, if set, as one line
 *
 *	request <the message in hex>
 *
 * followed by a line "netns-fd <fd> <inode>" for each descriptor the
 * process holds on a network namespace at that moment, so that a test can
 * tell which namespace an IFLA_NET_NS_FD number stands for.
 *
 * The shim answers as the kernel would for a system with one device:
 *	RTM_GETLINK dump	that device, then NLMSG_DONE
 *	RTM_GETLINK		that device if the name or index is its own,
 *				else -ENODEV
 *	other dumps		NLMSG_DONE
 *	anything else		an ACK if asked for one, else -EOPNOTSUPP
 * The device: $NLCAPTURE_IFNAME ("vp0"), index $NLCAPTURE_IFINDEX (7), kind
 * "vpair", IFLA_INFO_DATA with hairpin $NLCAPTURE_HAIRPIN (1) and
 * loopback_bypass $NLCAPTURE_LOOPBACK_BYPASS (0); "-" leaves one out.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <linux/vpair.h>

#define NLC_MAX_FD	1024
#define NLC_MSG_MAX	4096

/* One datagram the "kernel" has ready for the socket. */
struct nlc_dgram {
	struct nlc_dgram *next;
	size_t len;
	unsigned char data[];
};

static struct nlc_dgram *nlc_rx_queue[NLC_MAX_FD];

/* An answer being built; after a size_t, data is aligned for netlink. */
struct nlc_msg {
	size_t len;
	unsigned char data[NLC_MSG_MAX];
};

static void *nlc_real(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (!fn) {
		fprintf(stderr, "nlcapture: no %s() to pass calls on to\n",
			name);
		abort();
	}
	return fn;
}

static bool nlc_is_rtnl(int fd)
{
	socklen_t len;
	int val;

	len = sizeof(val);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &val, &len) ||
	    val != AF_NETLINK)
		return false;

	len = sizeof(val);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &val, &len) ||
	    val != NETLINK_ROUTE)
		return false;

	/* Never let a request through to the kernel by accident. */
	if (fd >= NLC_MAX_FD) {
		fprintf(stderr, "nlcapture: netlink socket %d, too high\n", fd);
		abort();
	}
	return true;
}

static __u32 nlc_port_id(int fd)
{
	struct sockaddr_nl sa = {};
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return 0;
	return sa.nl_pid;
}

static const char *nlc_env(const char *name, const char *def)
{
	const char *val = getenv(name);

	return val && *val ? val : def;
}

static void *nlc_put(struct nlc_msg *m, const void *data, size_t len)
{
	void *start = m->data + m->len;
	size_t room = NLMSG_ALIGN(len);

	if (m->len + room > sizeof(m->data)) {
		fprintf(stderr, "nlcapture: answer too long\n");
		abort();
	}
	memset(start, 0, room);
	if (data)
		memcpy(start, data, len);
	m->len += room;
	return start;
}

static struct rtattr *nlc_put_attr(struct nlc_msg *m, int type,
				   const void *data, size_t len)
{
	struct rtattr *rta = nlc_put(m, NULL, RTA_LENGTH(len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (data)
		memcpy(RTA_DATA(rta), data, len);
	return rta;
}

static void nlc_nest_end(struct nlc_msg *m, struct rtattr *nest)
{
	nest->rta_len = m->data + m->len - (unsigned char *)nest;
}

static struct nlmsghdr *nlc_put_header(struct nlc_msg *m,
				       const struct nlmsghdr *req, int fd,
				       __u16 type, __u16 flags)
{
	struct nlmsghdr *nlh = nlc_put(m, NULL, sizeof(*nlh));

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = nlc_port_id(fd);
	return nlh;
}

static void nlc_queue(int fd, struct nlc_msg *m)
{
	struct nlc_dgram **tail = &nlc_rx_queue[fd];
	struct nlc_dgram *d = malloc(sizeof(*d) + m->len);

	if (!d)
		abort();
	((struct nlmsghdr *)m->data)->nlmsg_len = m->len;
	d->next = NULL;
	d->len = m->len;
	memcpy(d->data, m->data, m->len);
	while (*tail)
		tail = &(*tail)->next;
	*tail = d;
}

static void nlc_queue_error(int fd, const struct nlmsghdr *req, int error)
{
	struct nlc_msg m = {};
	struct nlmsgerr *err;

	/* Like a socket with NETLINK_CAP_ACK: the request's header only. */
	nlc_put_header(&m, req, fd, NLMSG_ERROR, error ? NLM_F_CAPPED : 0);
	err = nlc_put(&m, NULL, sizeof(*err));
	err->error = error;
	err->msg = *req;
	nlc_queue(fd, &m);
}

static void nlc_queue_done(int fd, const struct nlmsghdr *req)
{
	struct nlc_msg m = {};
	int status = 0;

	nlc_put_header(&m, req, fd, NLMSG_DONE, NLM_F_MULTI);
	nlc_put(&m, &status, sizeof(status));
	nlc_queue(fd, &m);
}

static void nlc_put_switch(struct nlc_msg *m, int type, const char *env,
			   const char *def)
{
	const char *val = nlc_env(env, def);
	__u8 on = strcmp(val, "0") != 0;

	if (strcmp(val, "-") != 0)
		nlc_put_attr(m, type, &on, sizeof(on));
}

static void nlc_queue_link(int fd, const struct nlmsghdr *req, __u16 flags)
{
	const char *name = nlc_env("NLCAPTURE_IFNAME", "vp0");
	struct ifinfomsg ifm = {
		.ifi_family	= AF_UNSPEC,
		.ifi_type	= ARPHRD_ETHER,
		.ifi_index	= atoi(nlc_env("NLCAPTURE_IFINDEX", "7")),
		.ifi_flags	= IFF_BROADCAST | IFF_MULTICAST,
	};
	static const unsigned char addr[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x07 };
	static const unsigned char brd[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	struct rtattr *linkinfo, *data;
	__u32 mtu = 1500, txqlen = 1000;
	struct nlc_msg m = {};

	nlc_put_header(&m, req, fd, RTM_NEWLINK, flags);
	nlc_put(&m, &ifm, sizeof(ifm));
	nlc_put_attr(&m, IFLA_IFNAME, name, strlen(name) + 1);
	nlc_put_attr(&m, IFLA_MTU, &mtu, sizeof(mtu));
	/* Without these, ip asks ioctl()s about a device that is not there. */
	nlc_put_attr(&m, IFLA_TXQLEN, &txqlen, sizeof(txqlen));
	nlc_put_attr(&m, IFLA_ADDRESS, addr, sizeof(addr));
	nlc_put_attr(&m, IFLA_BROADCAST, brd, sizeof(brd));
	linkinfo = nlc_put_attr(&m, IFLA_LINKINFO, NULL, 0);
	nlc_put_attr(&m, IFLA_INFO_KIND, "vpair", sizeof("vpair"));
	data = nlc_put_attr(&m, IFLA_INFO_DATA, NULL, 0);
	nlc_put_switch(&m, IFLA_VPAIR_HAIRPIN, "NLCAPTURE_HAIRPIN", "1");
	nlc_put_switch(&m, IFLA_VPAIR_LOOPBACK_BYPASS,
		       "NLCAPTURE_LOOPBACK_BYPASS", "0");
	nlc_nest_end(&m, data);
	nlc_nest_end(&m, linkinfo);
	nlc_queue(fd, &m);
}

/* Does a RTM_GETLINK ask for the one device there is? */
static bool nlc_is_our_link(const struct nlmsghdr *req)
{
	const char *name = nlc_env("NLCAPTURE_IFNAME", "vp0");
	const struct ifinfomsg *ifm = NLMSG_DATA(req);
	const struct rtattr *rta;
	int len;

	len = req->nlmsg_len - NLMSG_LENGTH(sizeof(*ifm));
	if (len < 0)
		return false;

	rta = (const void *)ifm + NLMSG_ALIGN(sizeof(*ifm));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != IFLA_IFNAME &&
		    rta->rta_type != IFLA_ALT_IFNAME)
			continue;
		return strncmp(RTA_DATA(rta), name, RTA_PAYLOAD(rta)) == 0 &&
		       RTA_PAYLOAD(rta) >= strlen(name);
	}
	return ifm->ifi_index &&
	       ifm->ifi_index == atoi(nlc_env("NLCAPTURE_IFINDEX", "7"));
}

static void nlc_answer(int fd, const struct nlmsghdr *req)
{
	bool get = req->nlmsg_type >= RTM_BASE && (req->nlmsg_type & 3) == 2;

	if (get && (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
		if (req->nlmsg_type == RTM_GETLINK)
			nlc_queue_link(fd, req, NLM_F_MULTI);
		nlc_queue_done(fd, req);
	} else if (req->nlmsg_type == RTM_GETLINK) {
		if (!nlc_is_our_link(req)) {
			nlc_queue_error(fd, req, -ENODEV);
			return;
		}
		nlc_queue_link(fd, req, 0);
		if (req->nlmsg_flags & NLM_F_ACK)
			nlc_queue_error(fd, req, 0);
	} else {
		nlc_queue_error(fd, req,
				req->nlmsg_flags & NLM_F_ACK ? 0 : -EOPNOTSUPP);
	}
}

/*
 * A descriptor on a namespace lives on nsfs, like /proc/self/ns/net; its
 * inode number names the namespace, whichever path it was opened by.
 */
static void nlc_record_netns_fds(int out)
{
	struct stat nsfs, st;
	struct dirent *de;
	DIR *dir;
	int fd;

	if (stat("/proc/self/ns/net", &nsfs))
		return;
	dir = opendir("/proc/self/fd");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(dir) || fstat(fd, &st) ||
		    st.st_dev != nsfs.st_dev ||
		    ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
			continue;
		dprintf(out, "netns-fd %d %lu\n", fd,
			(unsigned long)st.st_ino);
	}
	closedir(dir);
}

static void nlc_record(const struct nlmsghdr *nlh)
{
	const char *file = getenv("NLCAPTURE_FILE");
	const unsigned char *p = (const void *)nlh;
	__u32 i;
	int out;

	if (!file)
		return;
	out = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (out < 0) {
		perror("nlcapture: NLCAPTURE_FILE");
		abort();
	}
	dprintf(out, "request ");
	for (i = 0; i < nlh->nlmsg_len; i++)
		dprintf(out, "%02x", p[i]);
	dprintf(out, "\n");
	nlc_record_netns_fds(out);
	close(out);
}

static ssize_t nlc_send(int fd, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = len;

	/* A datagram may carry several requests (ip -batch does that). */
	for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
		nlc_record(nlh);
		nlc_answer(fd, nlh);
	}
	return len;
}

static ssize_t nlc_recv(int fd, const struct iovec *iov, size_t iovlen,
			int flags, void *from, socklen_t *fromlen,
			int *msg_flags)
{
	struct nlc_dgram *d = nlc_rx_queue[fd];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t copied = 0, i, n;
	ssize_t ret;

	if (!d) {
		/* The kernel would make ip wait forever: better to fail. */
		if (!(flags & MSG_DONTWAIT))
			fprintf(stderr,
				"nlcapture: ip waits for an answer the shim has not made\n");
		errno = flags & MSG_DONTWAIT ? EAGAIN : ENOMSG;
		return -1;
	}

	for (i = 0; i < iovlen && copied < d->len; i++) {
		n = d->len - copied;
		if (n > iov[i].iov_len)
			n = iov[i].iov_len;
		memcpy(iov[i].iov_base, d->data + copied, n);
		copied += n;
	}
	if (msg_flags)
		*msg_flags = copied < d->len ? MSG_TRUNC : 0;
	if (from && fromlen) {
		memcpy(from, &kernel,
		       *fromlen < sizeof(kernel) ? *fromlen : sizeof(kernel));
		*fromlen = sizeof(kernel);
	}

	ret = flags & MSG_TRUNC ? (ssize_t)d->len : (ssize_t)copied;
	if (!(flags & MSG_PEEK)) {
		nlc_rx_queue[fd] = d->next;
		free(d);
	}
	return ret;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	unsigned char *buf;
	size_t len = 0, i;
	ssize_t ret;

	if (!nlc_is_rtnl(fd)) {
		if (!real)
			real = nlc_real("sendmsg");
		return real(fd, msg, flags);
	}

	for (i = 0; i < msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	buf = malloc(len ? len : 1);
	if (!buf) {
		errno = ENOBUFS;
		return -1;
	}
	for (len = 0, i = 0; i < msg->msg_iovlen; i++) {
		memcpy(buf + len, msg->msg_iov[i].iov_base,
		       msg->msg_iov[i].iov_len);
		len += msg->msg_iov[i].iov_len;
	}
	ret = nlc_send(fd, buf, len);
	free(buf);
	return ret;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	static ssize_t (*real)(int, const void *, size_t, int,
			       const struct sockaddr *, socklen_t);

	if (!nlc_is_rtnl(fd)) {
		if (!real)
			real = nlc_real("sendto");
		return real(fd, buf, len, flags, to, tolen);
	}
	return nlc_send(fd, buf, len);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);

	if (!nlc_is_rtnl(fd)) {
		if (!real)
			real = nlc_real("recvmsg");
		return real(fd, msg, flags);
	}
	msg->msg_controllen = 0;
	return nlc_recv(fd, msg->msg_iov, msg->msg_iovlen, flags,
			msg->msg_name, &msg->msg_namelen, &msg->msg_flags);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *from, socklen_t *fromlen)
{
	static ssize_t (*real)(int, void *, size_t, int, struct sockaddr *,
			       socklen_t *);
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	if (!nlc_is_rtnl(fd)) {
		if (!real)
			real = nlc_real("recvfrom");
		return real(fd, buf, len, flags, from, fromlen);
	}
	return nlc_recv(fd, &iov, 1, flags, from, fromlen, NULL);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}
