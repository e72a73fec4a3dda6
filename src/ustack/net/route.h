/* SPDX-License-Identifier: LGPL-2.1-or-later
 * What the routes of both families share: struct rtnode, first member of
 * struct route4 (net.h) and struct route6 (net6.h). route.c keeps both
 * lists (s->routes4, s->routes6: sorted by prefix length, longest first,
 * then metric) with one code: the insertion, the deletion of the first
 * match, the flush of an interface's routes, their notifications. */
#ifndef USTACK_NET_ROUTE_H
#define USTACK_NET_ROUTE_H
#include <stdbool.h>
#include <stdint.h>

struct ustack;

struct rtnode {
	struct rtnode *next;
	uint8_t family;               /* AF_INET (a struct route4), AF_INET6 (a struct route6) */
	uint8_t plen;
	uint8_t protocol;             /* RTPROT_*, as Linux reports */
	int oif;
	uint32_t metric;
};

/* Remove every route of the family through interface oif, each notified
 * (RTM_DELROUTE). */
void route_flush_if(struct ustack *s, int family, int oif);
/* Unlink *pp, notify its removal and free it. */
void route_unlink(struct ustack *s, struct rtnode **pp);
/* Free every route of both families, without notifications (the stack's
 * end). */
void route_free_all(struct ustack *s);

#endif
