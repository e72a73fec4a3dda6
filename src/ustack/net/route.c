/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The routing tables of both families (Linux's main tables) and their
 * lookups. The lists are one code (route.h's struct rtnode first in both
 * route structs: insertion, deletion, flush); the checks of an added route
 * and the replace rules are each family's, as Linux's. Lookups, one shape
 * for both: the local table (our own addresses and the
 * loopback range, through lo, as Linux's local table sends them; implicit
 * here and not dumped), then the destinations routed without the table
 * (IPv4's broadcast and multicast with an interface, IPv6's multicast and
 * link-local), then the main table, then the path MTU (path_mtu). A
 * stack holds few routes, so a list scanned for the longest prefix is
 * enough; each list is kept sorted by prefix length (longest first), then
 * metric, so the first match wins. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../link/link.h"
#include "proto.h"
#include "net.h"
#include "net6.h"

/* The last step of both lookups: the interface's MTU, lowered to the
 * path MTU learnt toward dst (pmtu.c) for a unicast route off this host. */
static uint32_t path_mtu(struct ustack *s, int family, const uint8_t *dst, uint32_t ifmtu, bool unicast) {
	if (!unicast)
		return ifmtu;
	uint32_t pm = pmtu_lookup(s, family, dst);
	return pm && pm < ifmtu ? pm : ifmtu;
}

/* --- both families: the lists --- */

static void route_notify(struct ustack *s, const struct rtnode *n, uint16_t type) {
	if (n->family == AF_INET)
		net_notify_route4(s, (const struct route4 *) n, type);
	else
		net_notify_route6(s, (const struct route6 *) n, type);
}

static struct rtnode **route_head(struct ustack *s, int family) {
	return family == AF_INET ? &s->routes4 : &s->routes6;
}

/* A new route of size bytes (a struct route4 or route6, zeroed), its
 * struct rtnode filled; NULL if memory is short. */
static void *route_new(size_t size, int family, uint8_t plen, int oif, uint32_t metric,
		uint8_t protocol) {
	struct rtnode *n = calloc(1, size);
	if (n == NULL)
		return NULL;
	n->family = (uint8_t) family;
	n->plen = plen;
	n->oif = oif;
	n->metric = metric;
	n->protocol = protocol;
	return n;
}

/* Insert n in the list of its family, after the routes of longer prefix
 * and those of the same prefix length and a lower or equal metric; notify. */
static void route_link(struct ustack *s, struct rtnode *n) {
	struct rtnode **pp = route_head(s, n->family);
	while (*pp && ((*pp)->plen > n->plen || ((*pp)->plen == n->plen && (*pp)->metric <= n->metric)))
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
	route_notify(s, n, RTM_NEWROUTE);
}

void route_unlink(struct ustack *s, struct rtnode **pp) {
	struct rtnode *n = *pp;
	*pp = n->next;
	route_notify(s, n, RTM_DELROUTE);
	free(n);
}

/* Delete the first route of the family that match() accepts: 0, or
 * -ESRCH (Linux fib_table_delete, ip6_route_del: no such route). */
static int route_del(struct ustack *s, int family, bool (*match)(const struct rtnode *, const void *),
		const void *key) {
	for (struct rtnode **pp = route_head(s, family); *pp; pp = &(*pp)->next)
		if (match(*pp, key)) {
			route_unlink(s, pp);
			return 0;
		}
	return -ESRCH;
}

void route_flush_if(struct ustack *s, int family, int oif) {
	struct rtnode **pp = route_head(s, family);
	while (*pp) {
		if ((*pp)->oif == oif)
			route_unlink(s, pp);
		else
			pp = &(*pp)->next;
	}
}

void route_free_all(struct ustack *s) {
	for (int i = 0; i < 2; i++) {
		struct rtnode **head = i == 0 ? &s->routes6 : &s->routes4;
		while (*head) {
			struct rtnode *n = *head;
			*head = n->next;
			free(n);
		}
	}
}

/* Does route n cover dst (4 or 16 bytes, network order)? */
static bool route_covers(const struct rtnode *n, const void *dst) {
	if (n->family == AF_INET) {
		const struct route4 *r = (const struct route4 *) n;
		uint32_t d;
		memcpy(&d, dst, 4);
		return (d & r->mask) == r->dst;
	}
	return ip6_prefix_equal(((const struct route6 *) n)->dst, dst, n->plen);
}

/* The main table: the first route of the family (the longest prefix, then
 * the lowest metric) that covers dst, through oif if not 0, whose
 * interface is up (*ifpp). NULL if none. */
static struct rtnode *route_main(struct ustack *s, int family, const void *dst, int oif,
		struct netif **ifpp) {
	for (struct rtnode *n = *route_head(s, family); n; n = n->next) {
		if (!route_covers(n, dst))
			continue;
		if (oif && n->oif != oif)
			continue;
		struct netif *ifp = netif_by_index(s, n->oif);
		if (ifp == NULL || !(ifp->flags & IFF_UP))
			continue;
		*ifpp = ifp;
		return n;
	}
	return NULL;
}

/* --- IPv4 --- */

int route4_add(struct ustack *s, uint32_t dst, uint8_t plen, uint32_t gw, int oif,
		uint32_t metric, uint8_t protocol, uint32_t prefsrc, bool excl) {
	if (plen > 32)
		return -EINVAL;
	uint32_t mask = ipv4_mask(plen);
	/* Linux: "Invalid prefix for given prefix length" */
	if (dst & ~mask)
		return -EINVAL;
	struct netif *ifp = NULL;
	if (oif) {
		ifp = netif_by_index(s, oif);
		if (ifp == NULL)
			return -ENODEV;
	}
	if (gw) {
		/* Linux: the gateway must be on link through a connected route */
		struct route4 *c = NULL;
		for (struct route4 *r = route4_of(s->routes4); r; r = route4_of(r->n.next))
			if (r->gw == 0 && (gw & r->mask) == r->dst && (!oif || r->n.oif == oif)) {
				c = r;
				break;
			}
		if (c == NULL)
			return -ENETUNREACH;
		if (!oif)
			oif = c->n.oif;
	} else if (!oif)
		return -ENODEV;
	for (struct route4 *r = route4_of(s->routes4); r; r = route4_of(r->n.next))
		if (r->dst == dst && r->n.plen == plen && r->n.metric == metric) {
			if (excl)
				return -EEXIST;
			r->gw = gw;
			r->n.oif = oif;
			net_notify_route4(s, r, RTM_NEWROUTE);
			return 0;
		}
	struct route4 *n = route_new(sizeof(*n), AF_INET, plen, oif, metric, protocol);
	if (n == NULL)
		return -ENOMEM;
	n->dst = dst;
	n->mask = mask;
	n->gw = gw;
	n->prefsrc = prefsrc;
	n->scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	route_link(s, &n->n);
	return 0;
}

struct route4_key {
	uint32_t dst, gw;
	uint8_t plen;
	int oif;
	bool match_gw;
};

static bool route4_match(const struct rtnode *n, const void *key) {
	const struct route4 *r = (const struct route4 *) n;
	const struct route4_key *k = key;
	return r->dst == k->dst && n->plen == k->plen && (!k->oif || n->oif == k->oif) &&
			!(k->match_gw && k->gw && r->gw != k->gw);
}

int route4_del(struct ustack *s, uint32_t dst, uint8_t plen, uint32_t gw, int oif, bool match_gw) {
	struct route4_key k = {dst, gw, plen, oif, match_gw};
	return route_del(s, AF_INET, route4_match, &k);
}

static int lookup_main4(struct ustack *s, uint32_t dst, int oif, struct ip4_route_res *res) {
	struct netif *ifp;
	struct route4 *r = route4_of(route_main(s, AF_INET, &dst, oif, &ifp));
	if (r == NULL)
		return -ENETUNREACH;
	res->ifp = ifp;
	res->nexthop = r->gw ? r->gw : dst;
	res->src = r->prefsrc ? r->prefsrc : ip4_addr_pick(ifp, r->gw ? r->gw : dst);
	return 0;
}

static int lookup4(struct ustack *s, uint32_t dst, int oif, struct ip4_route_res *res) {
	*res = (struct ip4_route_res){0};
	struct netif *lo = s->lo;
	/* the local table: our own addresses and 127/8 */
	struct netif *owner = ip4_addr_owner(s, dst);
	if ((owner || ipv4_is_loopback(dst)) && (!oif || oif == lo->index || (owner && owner->index == oif))) {
		if (!(lo->flags & IFF_UP))
			return -ENETUNREACH;
		res->ifp = lo;
		res->nexthop = dst;
		res->src = owner ? dst : ip4_addr_pick(lo, dst);
		res->local = true;
		return 0;
	}
	if (dst == 0xffffffffu) {
		/* limited broadcast: Linux needs an interface (SO_BINDTODEVICE or
		 * IP_MULTICAST_IF) or falls back on the default route's */
		struct netif *ifp = oif ? netif_by_index(s, oif) : NULL;
		if (ifp == NULL) {
			struct ip4_route_res d;
			if (lookup_main4(s, 0, 0, &d) == 0)
				ifp = d.ifp;
			else
				for (struct netif *i = s->ifaces; i; i = i->next)
					if (i != lo && (i->flags & IFF_UP)) {
						ifp = i;
						break;
					}
		}
		if (ifp == NULL || !(ifp->flags & IFF_UP))
			return -ENETUNREACH;
		res->ifp = ifp;
		res->nexthop = dst;
		res->src = ip4_addr_pick(ifp, 0);
		res->bcast = true;
		return 0;
	}
	if (ipv4_is_multicast(dst) && oif) {
		struct netif *ifp = netif_by_index(s, oif);
		if (ifp == NULL || !(ifp->flags & IFF_UP))
			return -ENETUNREACH;
		res->ifp = ifp;
		res->nexthop = dst;
		res->src = ip4_addr_pick(ifp, 0);
		res->mcast = true;
		return 0;
	}
	int err = lookup_main4(s, dst, oif, res);
	if (err && ipv4_is_multicast(dst)) {
		/* no route for the group: the first multicast-capable interface up,
		 * so that a stack with only a connected route can still join */
		for (struct netif *i = s->ifaces; i; i = i->next)
			if (i != lo && (i->flags & IFF_UP) && (i->flags & IFF_MULTICAST)) {
				res->ifp = i;
				res->nexthop = dst;
				res->src = ip4_addr_pick(i, 0);
				err = 0;
				break;
			}
	}
	if (err)
		return err;
	res->mcast = ipv4_is_multicast(dst);
	res->bcast = !res->mcast && ip4_is_bcast_on(res->ifp, dst);
	if (res->mcast || res->bcast)
		res->nexthop = dst;
	return 0;
}

int route4_lookup(struct ustack *s, uint32_t dst, int oif, struct ip4_route_res *res) {
	/* Linux ip_route_output_key_hash_rcu: an interface that is gone
	 * (SO_BINDTODEVICE to a deleted link) is ENODEV */
	if (oif && netif_by_index(s, oif) == NULL) {
		*res = (struct ip4_route_res){0};
		return -ENODEV;
	}
	int err = lookup4(s, dst, oif, res);
	if (err < 0)
		return err;
	res->mtu = path_mtu(s, AF_INET, (const uint8_t *) &dst, res->ifp->mtu,
			!res->local && !res->bcast && !res->mcast);
	return 0;
}

/* --- IPv6 --- */

static void prefix_clear(uint8_t *a, unsigned plen) {
	for (unsigned b = plen; b < 128; b++)
		a[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
}

int route6_add(struct ustack *s, const uint8_t *dst, uint8_t plen, const uint8_t *gw, int oif,
		uint32_t metric, uint8_t protocol, bool excl) {
	if (plen > 128)
		return -EINVAL;
	uint8_t d[16];
	memcpy(d, dst, 16);
	prefix_clear(d, plen);
	if (!ip6_eq(d, dst))
		return -EINVAL;
	if (oif && netif_by_index(s, oif) == NULL)
		return -ENODEV;
	if (gw && ip6_addr_is_unspecified(gw))
		gw = NULL;
	if (gw && !oif) {
		/* the gateway must be on link (Linux: ENETUNREACH otherwise) */
		struct route6 *c = NULL;
		for (struct route6 *r = route6_of(s->routes6); r; r = route6_of(r->n.next))
			if (!r->has_gw && ip6_prefix_equal(r->dst, gw, r->n.plen)) {
				c = r;
				break;
			}
		if (c == NULL)
			return -ENETUNREACH;
		oif = c->n.oif;
	}
	if (!oif)
		return -ENODEV;
	if (metric == 0)
		metric = 1024;  /* Linux's default for IPv6 routes */
	for (struct route6 *r = route6_of(s->routes6); r; r = route6_of(r->n.next))
		if (r->n.plen == plen && ip6_eq(r->dst, d) && r->n.metric == metric && r->n.oif == oif) {
			if (excl)
				return -EEXIST;
			/* NLM_F_REPLACE (ip -6 route replace): the new gateway */
			bool same = gw ? (r->has_gw && ip6_eq(r->gw, gw)) : !r->has_gw;
			if (!same) {
				memset(r->gw, 0, 16);
				if (gw)
					memcpy(r->gw, gw, 16);
				r->has_gw = gw != NULL;
				net_notify_route6(s, r, RTM_NEWROUTE);
			}
			return 0;
		}
	struct route6 *n = route_new(sizeof(*n), AF_INET6, plen, oif, metric, protocol);
	if (n == NULL)
		return -ENOMEM;
	memcpy(n->dst, d, 16);
	if (gw) {
		memcpy(n->gw, gw, 16);
		n->has_gw = true;
	}
	route_link(s, &n->n);
	return 0;
}

struct route6_key {
	const uint8_t *dst, *gw;
	uint8_t plen;
	int oif;
};

static bool route6_match(const struct rtnode *n, const void *key) {
	const struct route6 *r = (const struct route6 *) n;
	const struct route6_key *k = key;
	return n->plen == k->plen && ip6_eq(r->dst, k->dst) && (!k->oif || n->oif == k->oif) &&
			!(k->gw && !ip6_addr_is_unspecified(k->gw) && (!r->has_gw || !ip6_eq(r->gw, k->gw)));
}

int route6_del(struct ustack *s, const uint8_t *dst, uint8_t plen, const uint8_t *gw, int oif) {
	struct route6_key k = {dst, gw, plen, oif};
	return route_del(s, AF_INET6, route6_match, &k);
}

static int lookup_main6(struct ustack *s, const uint8_t *dst, int oif, struct ip6_route_res *res) {
	struct netif *ifp;
	struct route6 *r = route6_of(route_main(s, AF_INET6, dst, oif, &ifp));
	if (r == NULL)
		return -ENETUNREACH;
	res->ifp = ifp;
	res->plen = r->n.plen;
	memcpy(res->nexthop, r->has_gw ? r->gw : dst, 16);
	if (!ip6_src_select(ifp, dst, res->src))
		return -EADDRNOTAVAIL;
	return 0;
}

static int lookup6(struct ustack *s, const uint8_t *dst, int oif, struct ip6_route_res *res) {
	memset(res, 0, sizeof(*res));
	struct netif *owner = NULL;
	struct ifaddr6 *a = ip6_addr_find(s, dst, &owner);
	if ((a && !(a->flags & IFA6_DADFAILED)) || ip6_addr_is_loopback(dst)) {
		if (s->lo == NULL || !(s->lo->flags & IFF_UP))
			return -ENETUNREACH;
		res->ifp = s->lo;
		memcpy(res->nexthop, dst, 16);
		memcpy(res->src, dst, 16);
		res->local = true;
		res->plen = 128;
		return 0;
	}
	if (ip6_addr_is_multicast(dst) || ip6_addr_is_linklocal(dst)) {
		struct netif *ifp = oif ? netif_by_index(s, oif) : NULL;
		/* an interface that does not exist (a stale scope id or
		 * IPV6_MULTICAST_IF): no route, as Linux's, not another link */
		if (oif && ifp == NULL)
			return -ENETUNREACH;
		if (ifp == NULL && ip6_addr_is_multicast(dst) && ip6_mcast_scope(dst) > 2) {
			for (struct route6 *r = route6_of(s->routes6); r; r = route6_of(r->n.next))
				if (ip6_prefix_equal(r->dst, dst, r->n.plen)) {
					ifp = netif_by_index(s, r->n.oif);
					break;
				}
		}
		if (ifp == NULL)
			for (struct netif *i = s->ifaces; i; i = i->next)
				if (i != s->lo && (i->flags & IFF_UP)) {
					ifp = i;
					break;
				}
		if (ifp == NULL || !(ifp->flags & IFF_UP))
			return -ENETUNREACH;
		res->ifp = ifp;
		memcpy(res->nexthop, dst, 16);
		res->mcast = ip6_addr_is_multicast(dst);
		res->plen = res->mcast ? 8 : 64;   /* Linux's ff00::/8 and fe80::/64 routes */
		if (!ip6_src_select(ifp, dst, res->src))
			memset(res->src, 0, 16);
		return 0;
	}
	return lookup_main6(s, dst, oif, res);
}

int route6_lookup(struct ustack *s, const uint8_t *dst, int oif, struct ip6_route_res *res) {
	int err = lookup6(s, dst, oif, res);
	if (err < 0)
		return err;
	res->mtu = path_mtu(s, AF_INET6, dst, ip6_if_mtu(res->ifp), !res->local && !res->mcast);
	return 0;
}
