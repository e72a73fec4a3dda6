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

/* Stop the daemon: with a period, a final advertisement with router lifetime
 * 0 (RFC 4861 6.2.5) is sent; then the thread ends and everything is freed. */
void iothradvd_stop(struct iothradvd *radvd);

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
