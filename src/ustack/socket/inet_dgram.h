/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The send path every inet datagram socket (UDP, raw, ping) walks, once:
 * the destination, the socket's and sendmsg's choices (source, outgoing
 * interface, hop limit, traffic class: IP_PKTINFO, IP_TTL, IP_TOS,
 * IPV6_PKTINFO, IPV6_HOPLIMIT, IPV6_TCLASS), the
 * route, the port, the datagram, then IP. A protocol gives what differs
 * in a struct inet_dgram_proto: its size limits, its header (and
 * checksum), whether it binds a port first, and a few of its choices. */
#ifndef USTACK_SOCKET_INET_DGRAM_H
#define USTACK_SOCKET_INET_DGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../net/net.h"
#include "../net/net6.h"
#include "sock.h"

/* One datagram on its way out, in its family's fields. */
struct inet_dgram_tx {
	const struct inet_dst *d;     /* where to (d->v6: the family) */
	size_t len;                   /* the payload's length */
	uint32_t dst4, src4;
	int oif4;
	int ttl4, tos4;               /* IP_TTL, IP_TOS ancillary data; -1: the socket's */
	struct ip4_route_res rt4;
	uint8_t dst6[16];
	struct inet6_tx t6;           /* t6.src: the source */
	struct ip6_route_res rt6;
};

struct inet_dgram_proto {
	uint8_t proto;                /* IP protocol; 0: the socket's */
	size_t hlen;                  /* header bytes before the payload */
	bool any_is_local;            /* an unspecified destination is this host */
	bool count_noroute;           /* a failed route counted as OutNoRoutes */
	/* the path MTU refused here (IP_PMTUDISC_DO and beyond, the
	 * interface's MTU from PROBE on), with a local error queued under
	 * IP_RECVERR / IPV6_RECVERR, as Linux's UDP */
	bool pmtu_local;
	/* the size limits: 0 or -errno */
	int (*check)(struct usock *sk, bool v6, size_t len);
	/* the socket's port when it has none, once routed: 0 or -errno; NULL: none */
	int (*bind)(struct usock *sk);
	/* the datagram in p (hlen bytes of header, then the payload), source
	 * and route known: 0, or -errno (p is freed by the caller) */
	int (*build)(struct usock *sk, struct inet_dgram_tx *u, struct pbuf *p);
};

/* One datagram to d: len on success, else -errno. */
ssize_t inet_dgram_send(struct usock *sk, const struct msghdr *msg, size_t len, const struct inet_dst *d,
		const struct inet_dgram_proto *pr);

#endif
