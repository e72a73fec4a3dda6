/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The IPv4 routing table (Linux's main table) and the lookup. Local
 * addresses and 127/8 go through lo, as Linux's local table sends them;
 * that table is implicit here and not dumped. A stack holds few routes, so
 * a list scanned for the longest prefix is enough; the list is kept sorted
 * by prefix length (longest first), then metric, so the first match wins. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "../link/link.h"
#include "proto.h"
#include "net.h"

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

static int lookup_main(struct ustack *s, uint32_t dst, int oif, struct ip4_route_res *res) {
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

static int lookup(struct ustack *s, uint32_t dst, int oif, struct ip4_route_res *res) {
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
			if (lookup_main(s, 0, 0, &d) == 0)
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
	int err = lookup_main(s, dst, oif, res);
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
	int err = lookup(s, dst, oif, res);
	if (err < 0)
		return err;
	res->mtu = res->ifp->mtu;
	if (!res->local && !res->bcast && !res->mcast) {
		uint32_t pm = pmtu_lookup(s, AF_INET, (const uint8_t *) &dst);
		if (pm && pm < res->mtu)
			res->mtu = pm;
	}
	return 0;
}
