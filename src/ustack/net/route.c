/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The routing tables of both families (Linux's main tables) and their
 * lookups, one shape for both: the local table (our own addresses and the
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
		for (struct route4 *r = s->routes4; r; r = r->next)
			if (r->gw == 0 && (gw & r->mask) == r->dst && (!oif || r->oif == oif)) {
				c = r;
				break;
			}
		if (c == NULL)
			return -ENETUNREACH;
		if (!oif)
			oif = c->oif;
	} else if (!oif)
		return -ENODEV;
	for (struct route4 *r = s->routes4; r; r = r->next)
		if (r->dst == dst && r->plen == plen && r->metric == metric) {
			if (excl)
				return -EEXIST;
			r->gw = gw;
			r->oif = oif;
			net_notify_route4(s, r, RTM_NEWROUTE);
			return 0;
		}
	struct route4 *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	n->dst = dst;
	n->mask = mask;
	n->plen = plen;
	n->gw = gw;
	n->oif = oif;
	n->metric = metric;
	n->protocol = protocol;
	n->prefsrc = prefsrc;
	n->scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	struct route4 **pp = &s->routes4;
	while (*pp && ((*pp)->plen > plen || ((*pp)->plen == plen && (*pp)->metric <= metric)))
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
	net_notify_route4(s, n, RTM_NEWROUTE);
	return 0;
}

int route4_del(struct ustack *s, uint32_t dst, uint8_t plen, uint32_t gw, int oif, bool match_gw) {
	for (struct route4 **pp = &s->routes4; *pp; pp = &(*pp)->next) {
		struct route4 *r = *pp;
		if (r->dst != dst || r->plen != plen)
			continue;
		if (oif && r->oif != oif)
			continue;
		if (match_gw && gw && r->gw != gw)
			continue;
		*pp = r->next;
		net_notify_route4(s, r, RTM_DELROUTE);
		free(r);
		return 0;
	}
	/* Linux fib_table_delete: no such route */
	return -ESRCH;
}

void route4_flush_if(struct ustack *s, int oif) {
	struct route4 **pp = &s->routes4;
	while (*pp) {
		struct route4 *r = *pp;
		if (r->oif == oif) {
			*pp = r->next;
			net_notify_route4(s, r, RTM_DELROUTE);
			free(r);
		} else
			pp = &r->next;
	}
}

static int lookup_main4(struct ustack *s, uint32_t dst, int oif, struct ip4_route_res *res) {
	for (struct route4 *r = s->routes4; r; r = r->next) {
		if ((dst & r->mask) != r->dst)
			continue;
		if (oif && r->oif != oif)
			continue;
		struct netif *ifp = netif_by_index(s, r->oif);
		if (ifp == NULL || !(ifp->flags & IFF_UP))
			continue;
		res->ifp = ifp;
		res->nexthop = r->gw ? r->gw : dst;
		res->src = r->prefsrc ? r->prefsrc : ip4_addr_pick(ifp, r->gw ? r->gw : dst);
		return 0;
	}
	return -ENETUNREACH;
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
		for (struct route6 *r = s->routes6; r; r = r->next)
			if (!r->has_gw && ip6_prefix_equal(r->dst, gw, r->plen)) {
				c = r;
				break;
			}
		if (c == NULL)
			return -ENETUNREACH;
		oif = c->oif;
	}
	if (!oif)
		return -ENODEV;
	if (metric == 0)
		metric = 1024;  /* Linux's default for IPv6 routes */
	for (struct route6 *r = s->routes6; r; r = r->next)
		if (r->plen == plen && ip6_eq(r->dst, d) && r->metric == metric && r->oif == oif) {
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
	struct route6 *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	memcpy(n->dst, d, 16);
	n->plen = plen;
	if (gw) {
		memcpy(n->gw, gw, 16);
		n->has_gw = true;
	}
	n->oif = oif;
	n->metric = metric;
	n->protocol = protocol;
	struct route6 **pp = &s->routes6;
	while (*pp && ((*pp)->plen > plen || ((*pp)->plen == plen && (*pp)->metric <= metric)))
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
	net_notify_route6(s, n, RTM_NEWROUTE);
	return 0;
}

int route6_del(struct ustack *s, const uint8_t *dst, uint8_t plen, const uint8_t *gw, int oif) {
	for (struct route6 **pp = &s->routes6; *pp; pp = &(*pp)->next) {
		struct route6 *r = *pp;
		if (r->plen != plen || !ip6_eq(r->dst, dst))
			continue;
		if (oif && r->oif != oif)
			continue;
		if (gw && !ip6_addr_is_unspecified(gw) && (!r->has_gw || !ip6_eq(r->gw, gw)))
			continue;
		*pp = r->next;
		net_notify_route6(s, r, RTM_DELROUTE);
		free(r);
		return 0;
	}
	return -ESRCH;
}

void route6_flush_if(struct ustack *s, int oif) {
	struct route6 **pp = &s->routes6;
	while (*pp) {
		struct route6 *r = *pp;
		if (r->oif == oif) {
			*pp = r->next;
			net_notify_route6(s, r, RTM_DELROUTE);
			free(r);
		} else
			pp = &r->next;
	}
}

static int lookup_main6(struct ustack *s, const uint8_t *dst, int oif, struct ip6_route_res *res) {
	for (struct route6 *r = s->routes6; r; r = r->next) {
		if (!ip6_prefix_equal(r->dst, dst, r->plen))
			continue;
		if (oif && r->oif != oif)
			continue;
		struct netif *ifp = netif_by_index(s, r->oif);
		if (ifp == NULL || !(ifp->flags & IFF_UP))
			continue;
		res->ifp = ifp;
		res->plen = r->plen;
		memcpy(res->nexthop, r->has_gw ? r->gw : dst, 16);
		if (!ip6_src_select(ifp, dst, res->src))
			return -EADDRNOTAVAIL;
		return 0;
	}
	return -ENETUNREACH;
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
		if (ifp == NULL && ip6_addr_is_multicast(dst) && ip6_mcast_scope(dst) > 2) {
			for (struct route6 *r = s->routes6; r; r = r->next)
				if (ip6_prefix_equal(r->dst, dst, r->plen)) {
					ifp = netif_by_index(s, r->oif);
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
