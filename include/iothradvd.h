/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothradvd: an IPv6 router advertisement daemon (RFC 4861) running as a
 * thread of the calling process, on any ioth stack. */
#ifndef IOTHRADVD_H
#define IOTHRADVD_H
#include <stdint.h>
#include <netinet/in.h>
#include <ioth.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the router advertisement says about the link (RFC 4861 4.2).
 * flags: ND_RA_FLAG_MANAGED, ND_RA_FLAG_OTHER, ND_RA_FLAG_HOME_AGENT and the
 * router preference bits (RFC 4191: 0x08 high, 0x18 low), 0x04 proxy (RFC 4389).
 * router_lifetime in seconds (0: not a default router), reachable and
 * retransmit in milliseconds (0: unspecified), mtu: an MTU option when not 0. */
struct iothradata {
	uint8_t curhoplimit;
	uint8_t flags;
	uint16_t router_lifetime;
	uint32_t reachable;
	uint32_t retransmit;
	uint32_t mtu;
};

/* A prefix information option (RFC 4861 4.6.2). flags: ND_OPT_PI_FLAG_ONLINK,
 * ND_OPT_PI_FLAG_AUTO, ND_OPT_PI_FLAG_RADDR. Lifetimes in seconds,
 * 0xffffffff is infinity. */
struct iothraprefix {
	struct in6_addr prefix;
	uint8_t prefixlen;
	uint8_t flags;
	uint32_t valid_time;
	uint32_t preferred_time;
};

struct iothradvd;

/* Start advertising on interface ifindex of stack (NULL: the default stack,
 * or the kernel's). period > 0: an unsolicited advertisement every period
 * seconds (the first at once); 0: answers to router solicitations only.
 * data and pdata are copied. Advertisements leave with hop limit 255 from
 * the interface's link-local address. NULL with errno on error (EINVAL: bad
 * arguments; the errno of socket/setsockopt otherwise). */
struct iothradvd *iothradvd_start(struct ioth *stack, unsigned int ifindex, int period,
		struct iothradata *data, struct iothraprefix *pdata, int npdata);

/* As the original's iothradvd_vdestart: the daemon on a VDE network of its
 * own, with no stack of the caller's. Here it makes a ustack (vdestack if
 * ustack is not there) on vnl with one interface, vde0, sets its MAC to the
 * 6 bytes at macaddr (NULL: the stack's own), brings it up and runs
 * iothradvd_start on it; iothradvd_stop deletes that stack too. NULL with
 * errno (EINVAL: vnl NULL or bad arguments; the stack's errno). */
struct iothradvd *iothradvd_vdestart(char *vnl, void *macaddr, int period,
		struct iothradata *data, struct iothraprefix *pdata, int npdata);

/* Stop the daemon: with a period, a final advertisement with router lifetime
 * 0 (RFC 4861 6.2.5) is sent; then the thread ends and everything is freed. */
void iothradvd_stop(struct iothradvd *radvd);

/* DNS configuration in the advertisements (RFC 8106), from the next one on
 * (not in the original library): a Recursive DNS Server option with
 * nservers (0..IOTHRADVD_MAXDNS) addresses and a DNS Search List option
 * with the names in domains (separated by ',' or white space; NULL or ""
 * for none), both with lifetime seconds (0xffffffff: infinity; 0 tells the
 * hosts to stop using them). nservers 0 and no domains: no DNS options.
 * 0, or -1 with errno EINVAL (a bad name, more than IOTHRADVD_MAXDNS
 * servers, names over 256 bytes in wire format). */
#define IOTHRADVD_MAXDNS 8
int iothradvd_setdns(struct iothradvd *radvd, const struct in6_addr *servers, int nservers,
		const char *domains, uint32_t lifetime);

/* Counters, for tests and monitoring. */
struct iothradvd_stats {
	uint64_t ra_sent;      /* advertisements sent (periodic and answers) */
	uint64_t rs_received;  /* valid solicitations received */
	uint64_t rs_dropped;   /* invalid solicitations (hop limit, code, length, options) */
	uint64_t send_errors;
};
void iothradvd_getstats(struct iothradvd *radvd, struct iothradvd_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
