/* SPDX-License-Identifier: GPL-2.0-or-later
 * namedhcp, namedhcp4: what the two servers share (options, the
 * configuration file, stacks, the resolver, names). */
#ifndef NAMEDHCP_COMMON_H
#define NAMEDHCP_COMMON_H
#include <stdint.h>
#include <stdio.h>
#include <ioth.h>
#include <iothdns.h>

enum {O_STACK, O_DNSSTACK, O_IFACE, O_RESOLVCONF, O_NAMESERVER, O_MACADDR, O_DNS,
	O_DNSSEARCH, O_NTP, O_DAEMON, O_PIDFILE, O_VERBOSE, O_N};

struct nd_server {
	const char *prog;
	char *opt[O_N];
	struct ioth *stack, *dnsstack;
	struct iothdns *dns;
	int ifindex;
	uint8_t mac[6];
	int verbose;
};

/* parse the command line and the configuration file (-f), make the stacks
 * and the resolver; exits with a message on error */
void nd_setup(struct nd_server *s, int family, int argc, char *argv[]);
void nd_log(struct nd_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a comma or space separated list of addresses of family: count, at most max */
int nd_addrlist(const char *list, int family, void *out, int max);
/* the DNS wire form of name into out (at most len): length, -1 if invalid */
int nd_name_encode(const char *name, uint8_t *out, size_t len);
/* a DNS wire name (the last label may lack its terminating zero: a partial
 * name, RFC 4704 4) into a dotted name without the final dot; -1 if bad */
int nd_name_decode(const uint8_t *p, size_t len, char *out, size_t outlen);
extern volatile int nd_quit;
void nd_cleanup(struct nd_server *s);
#endif
