/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of ip(8)'s plugin interface that link_vpair.so uses.
 *
 * ip(8) dlopen()s "<libdir>/link_<kind>.so" and looks up the symbol
 * "<kind>_link_util". Distributions ship no iproute2 development headers,
 * so this file declares what the plugin needs, written against iproute2's
 * own declarations and checked against the dynamic symbol table of the ip
 * binaries the project supports (nm -D /usr/sbin/ip):
 *
 *	struct link_util	unchanged since iproute2 4.20
 *	iplink_parse()		ip/ip_common.h
 *	addattr*()		include/libnetlink.h
 *	duparg(),
 *	incomplete_command()	include/utils.h
 *	print_color_on_off()	include/json_print.h, include/color.h
 *
 * ip(8) is linked with -export-dynamic, so these functions resolve against
 * the running binary when the plugin is loaded. Use nothing that a
 * supported ip(8) does not export: print_color_bool_opt() (6.15+) and
 * get_hex() (6.1 only) are examples of what not to call.
 */
#ifndef _VPAIR_IPROUTE2_H
#define _VPAIR_IPROUTE2_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* Kernel-style names for the two attributes the declarations use. */
#define __always_unused __attribute__((unused))
#define __noreturn __attribute__((noreturn))

struct link_util {
	struct link_util *next;
	const char *id;
	int maxattr;
	int (*parse_opt)(struct link_util *lu, int argc, char **argv,
			 struct nlmsghdr *n);
	void (*print_opt)(struct link_util *lu, FILE *f, struct rtattr *tb[]);
	void (*print_xstats)(struct link_util *lu, FILE *f,
			     struct rtattr *xstats);
	void (*print_help)(struct link_util *lu, int argc, char **argv,
			   FILE *f);
	int (*parse_ifla_xstats)(struct link_util *lu, int argc, char **argv);
	int (*print_ifla_xstats)(struct nlmsghdr *n, void *arg);
};

/*
 * The request parse_opt() fills in is ip's struct iplink_req: the netlink
 * header, the ifinfomsg, then 1024 bytes for attributes. Its layout stays
 * private to ip; the plugin only needs its size as the bound it passes to
 * addattr*(), and 1024 stays on the safe side of it.
 */
struct iplink_req;
#define IPLINK_REQ_MAXLEN	1024

/*
 * Parses the generic "ip link" words (name, mtu, address, netns, up ...)
 * into @req, the ifinfomsg at its head included. Returns how many words it
 * consumed, stopping after "type KIND" (then *@type is set), or a negative
 * value after printing an error.
 */
int iplink_parse(int argc, char **argv, struct iplink_req *req, char **type);

int addattr8(struct nlmsghdr *n, int maxlen, int type, __u8 data);
struct rtattr *addattr_nest(struct nlmsghdr *n, int maxlen, int type);
int addattr_nest_end(struct nlmsghdr *n, struct rtattr *nest);

/* These print a one-line "Error: ..." message and exit(-1). */
void incomplete_command(void) __noreturn;
void duparg(const char *key, const char *arg) __noreturn;

/* Steps to an option's value; a missing value ends ip with a message. */
#define NEXT_ARG()						\
	do {							\
		argc--;						\
		argv++;						\
		if (argc <= 0)					\
			incomplete_command();			\
	} while (0)

/*
 * ip prints text and JSON with the same calls: in text mode the value goes
 * through the printf format, in JSON mode it becomes the member @key of the
 * object ip has opened ("info_data" for print_opt()).
 */
enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = 4,
};

/* Only "no colour" is used: the seventh member of ip's enum, since 4.20. */
enum color_attr {
	COLOR_NONE = 6,
};

/* "on"/"off" through @fmt in text, a JSON boolean in JSON. */
int print_color_on_off(enum output_type t, enum color_attr color,
		       const char *key, const char *fmt, bool value);

static inline int print_on_off(enum output_type t, const char *key,
			       const char *fmt, bool value)
{
	return print_color_on_off(t, COLOR_NONE, key, fmt, value);
}

#endif /* _VPAIR_IPROUTE2_H */
