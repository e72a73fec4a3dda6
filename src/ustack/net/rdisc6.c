/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Router discovery for a host (RFC 4861 6.3) and stateless address
 * autoconfiguration (RFC 4862 5.5), as Linux does with accept_ra=1,
 * autoconf=1 and forwarding off:
 *  - once the link-local address of an Ethernet interface is usable, up
 *    to MAX_RTR_SOLICITATIONS router solicitations, the first after a
 *    random delay, then RTR_SOLICITATION_INTERVAL apart; none after a
 *    valid advertisement;
 *  - an advertisement (already checked by ndp_parse/ndp_validate_ip:
 *    hop limit 255, link-local source, code 0, lengths, options) updates
 *    the default router list (a default route, Linux's proto ra and
 *    metric 1024, expiring with the router lifetime, removed at 0), the
 *    on-link prefixes (proto kernel, metric 256, expiring with the valid
 *    lifetime), the SLAAC addresses (EUI-64 of the MAC, valid/preferred
 *    lifetimes, the two-hour rule of 5.5.3 e, deprecated when the
 *    preferred lifetime ends), the link's IPv6 MTU, the default hop
 *    limit, the reachable time and the retransmission timer.
 * One timer per interface runs the lifetimes: it is armed at the earliest
 * deadline of the routes and addresses that RAs gave. */
#include <errno.h>
#include <stdlib.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/ndp.h"
#include "proto.h"
#include "net.h"
#include "net6.h"

#define MAX_RTR_SOLICITATION_DELAY_MS 1000
#define RTR_SOLICITATION_INTERVAL_NS MS(4000)
#define MAX_RTR_SOLICITATIONS 3
#define TWO_HOURS_NS (MS(7200) * 1000ull)
#define RA_ROUTE_METRIC 1024      /* Linux IP6_RT_PRIO_USER */
#define PREFIX_ROUTE_METRIC 256   /* Linux IP6_RT_PRIO_ADDRCONF */
#define IPV6_MIN_MTU 1280

uint64_t ip6_now(struct ustack *s) {
	return s->timers_now ? s->timers_now : rt_now();
}

uint32_t ip6_if_mtu(const struct netif *ifp) {
	return ifp->mtu6 && ifp->mtu6 < ifp->mtu ? ifp->mtu6 : ifp->mtu;
}

uint8_t ip6_if_hlim(const struct netif *ifp) {
	return ifp->hop_limit6 ? ifp->hop_limit6 : 64;
}

/* seconds from now, 0: forever */
static uint64_t deadline(uint64_t now, uint32_t secs) {
	return secs == LIFE_INFINITE ? 0 : now + (uint64_t) secs * MS(1000);
}

static void rd_timers_init(struct netif *ifp);

/* --- solicitations --- */

static bool usable_linklocal(struct netif *ifp, uint8_t *src) {
	for (struct ifaddr6 *a = ifp->addrs6; a; a = a->next)
		if (ip6_addr_is_linklocal(a->addr) && !(a->flags & (IFA6_TENTATIVE | IFA6_DADFAILED))) {
			memcpy(src, a->addr, 16);
			return true;
		}
	return false;
}

static void rs_timer(struct ustack *s, struct utimer *t) {
	struct netif *ifp = (struct netif *) ((char *) t - offsetof(struct netif, rs_timer));
	uint8_t src[16];
	if (ifp->ra_rcvd || !s->accept_ra || !(ifp->flags & IFF_UP) ||
			ifp->rs_sent >= MAX_RTR_SOLICITATIONS || !usable_linklocal(ifp, src))
		return;
	nd6_send_rs(ifp, src);
	if (++ifp->rs_sent < MAX_RTR_SOLICITATIONS)
		utimer_arm_in(s, &ifp->rs_timer, RTR_SOLICITATION_INTERVAL_NS);
}

void rdisc6_start(struct netif *ifp) {
	struct ustack *s = ifp->s;
	if (ifp->type != ARPHRD_ETHER_VALUE || !s->accept_ra || !(ifp->flags & IFF_UP))
		return;
	rd_timers_init(ifp);
	if (utimer_pending(&ifp->rs_timer) || ifp->rs_sent)
		return;
	ifp->ra_rcvd = false;
	/* RFC 4861 6.3.7: a random delay of up to MAX_RTR_SOLICITATION_DELAY */
	utimer_arm_in(s, &ifp->rs_timer, MS(stack_random(s) % MAX_RTR_SOLICITATION_DELAY_MS));
}

void rdisc6_stop(struct netif *ifp) {
	if (!ifp->rd_init)
		return;
	utimer_cancel(ifp->s, &ifp->rs_timer);
	utimer_cancel(ifp->s, &ifp->ra_timer);
	ifp->rs_sent = 0;
	ifp->ra_rcvd = false;
	/* Linux forgets what RAs set when the link goes down (addrconf_ifdown) */
	ifp->hop_limit6 = 0;
	ifp->mtu6 = 0;
	ifp->nd_reachable_ms = ifp->nd_retrans_ms = 0;
}

/* --- lifetimes --- */

static void ra_expire(struct ustack *s, struct utimer *t);

static void rd_timers_init(struct netif *ifp) {
	if (ifp->rd_init)
		return;
	utimer_init(&ifp->rs_timer, rs_timer);
	utimer_init(&ifp->ra_timer, ra_expire);
	ifp->rd_init = true;
}

/* Remove what has expired, deprecate what is no longer preferred, arm
 * the timer at the next deadline. */
static void ra_rearm(struct netif *ifp) {
	struct ustack *s = ifp->s;
	uint64_t now = ip6_now(s), next = UINT64_MAX;
	for (struct rtnode **pp = &s->routes6; *pp;) {
		struct route6 *r = route6_of(*pp);
		if (r->n.oif == ifp->index && r->expires) {
			if (r->expires <= now) {
				route_unlink(s, pp);
				continue;
			}
			if (r->expires < next)
				next = r->expires;
		}
		pp = &r->n.next;
	}
	for (struct ifaddr6 *a = ifp->addrs6, *an; a; a = an) {
		an = a->next;
		if (!a->slaac)
			continue;
		if (a->valid_until && a->valid_until <= now) {
			ip6_addr_del(ifp, a->addr, a->plen);
			continue;
		}
		if (a->pref_until && a->pref_until <= now) {
			if (!(a->flags & IFA6_DEPRECATED)) {
				a->flags |= IFA6_DEPRECATED;
				net_notify_addr6(ifp, a, RTM_NEWADDR);
			}
		}
		else if (a->pref_until && a->pref_until < next)
			next = a->pref_until;
		if (a->valid_until && a->valid_until < next)
			next = a->valid_until;
	}
	if (next == UINT64_MAX)
		utimer_cancel(s, &ifp->ra_timer);
	else
		utimer_arm(s, &ifp->ra_timer, next);
}

static void ra_expire(struct ustack *s, struct utimer *t) {
	(void) s;
	ra_rearm((struct netif *) ((char *) t - offsetof(struct netif, ra_timer)));
}

/* --- advertisements --- */

static struct route6 *find_route(struct ustack *s, const uint8_t *dst, uint8_t plen,
		const uint8_t *gw, int oif, uint32_t metric) {
	for (struct route6 *r = route6_of(s->routes6); r; r = route6_of(r->n.next))
		if (r->n.plen == plen && ip6_eq(r->dst, dst) && r->n.oif == oif && r->n.metric == metric &&
				(gw ? r->has_gw && ip6_eq(r->gw, gw) : !r->has_gw))
			return r;
	return NULL;
}

/* RFC 4861 6.3.4: the default router list as default routes */
static void ra_router(struct netif *ifp, const uint8_t *router, uint16_t lifetime, uint64_t now) {
	struct ustack *s = ifp->s;
	struct route6 *r = find_route(s, ip6_any, 0, router, ifp->index, RA_ROUTE_METRIC);
	if (lifetime == 0) {
		if (r && r->from_ra)
			route6_del(s, ip6_any, 0, router, ifp->index);
		return;
	}
	if (r == NULL) {
		if (route6_add(s, ip6_any, 0, router, ifp->index, RA_ROUTE_METRIC, RTPROT_RA_VALUE, true) < 0)
			return;
		r = find_route(s, ip6_any, 0, router, ifp->index, RA_ROUTE_METRIC);
		if (r == NULL)
			return;
		r->from_ra = true;
	}
	if (r->from_ra)
		r->expires = deadline(now, lifetime);
}

/* RFC 4861 6.3.4: an on-link prefix */
static void ra_onlink(struct netif *ifp, const struct ndp_prefix *pi, uint64_t now) {
	struct ustack *s = ifp->s;
	struct route6 *r = find_route(s, pi->prefix, pi->prefix_len, NULL, ifp->index, PREFIX_ROUTE_METRIC);
	if (pi->valid_lifetime == 0) {
		if (r && r->from_ra)
			route6_del(s, pi->prefix, pi->prefix_len, NULL, ifp->index);
		return;
	}
	if (r == NULL) {
		if (route6_add(s, pi->prefix, pi->prefix_len, NULL, ifp->index, PREFIX_ROUTE_METRIC,
					RTPROT_KERNEL, true) < 0)
			return;
		r = find_route(s, pi->prefix, pi->prefix_len, NULL, ifp->index, PREFIX_ROUTE_METRIC);
		if (r == NULL)
			return;
		r->from_ra = true;
	}
	/* a connected route of a configured address never expires */
	if (r->from_ra)
		r->expires = deadline(now, pi->valid_lifetime);
}

/* RFC 4862 5.5.3 */
static void ra_autoconf(struct netif *ifp, const struct ndp_prefix *pi, uint64_t now) {
	/* d: the interface identifier is 64 bits (EUI-64): only /64 prefixes */
	if (pi->prefix_len != 64)
		return;
	uint8_t addr[16];
	ip6_addr_linklocal_eui64(addr, ifp->mac);
	memcpy(addr, pi->prefix, 8);
	struct ifaddr6 *a = NULL;
	for (struct ifaddr6 *x = ifp->addrs6; x; x = x->next)
		if (ip6_eq(x->addr, addr))
			a = x;
	if (a == NULL) {
		if (pi->valid_lifetime == 0)
			return;
		/* another interface holding it: leave it there */
		if (ip6_addr_find(ifp->s, addr, NULL))
			return;
		if (ip6_addr_add_auto(ifp, addr, 64) < 0)
			return;
		for (struct ifaddr6 *x = ifp->addrs6; x; x = x->next)
			if (ip6_eq(x->addr, addr))
				a = x;
		if (a == NULL)
			return;
		a->valid_until = deadline(now, pi->valid_lifetime);
	} else if (a->slaac) {
		/* e: the two-hour rule against a spoofed short lifetime */
		uint64_t remaining = a->valid_until ? (a->valid_until > now ? a->valid_until - now : 0) : UINT64_MAX;
		uint64_t offered = pi->valid_lifetime == LIFE_INFINITE ? UINT64_MAX
				: (uint64_t) pi->valid_lifetime * MS(1000);
		if (offered > TWO_HOURS_NS || offered > remaining)
			a->valid_until = deadline(now, pi->valid_lifetime);
		else if (remaining > TWO_HOURS_NS)
			a->valid_until = now + TWO_HOURS_NS;
		/* else: remaining <= 2 hours, the offer is ignored */
	} else
		return;  /* configured by hand: not ours to change */
	a->pref_until = pi->preferred_lifetime == 0 ? now : deadline(now, pi->preferred_lifetime);
	if (pi->preferred_lifetime == 0)
		a->flags |= IFA6_DEPRECATED;
	else
		a->flags &= (uint8_t) ~IFA6_DEPRECATED;
	a->tstamp = now;
}

void rdisc6_ra_input(struct netif *ifp, const struct ip6_rx *rx, const struct ndp_repr *r) {
	struct ustack *s = ifp->s;
	if (!s->accept_ra || ifp->type != ARPHRD_ETHER_VALUE)
		return;
	rd_timers_init(ifp);
	uint64_t now = ip6_now(s);
	/* RFC 4861 6.3.7: a valid advertisement ends the solicitations */
	ifp->ra_rcvd = true;
	utimer_cancel(s, &ifp->rs_timer);
	if (r->u.ra.cur_hop_limit)
		ifp->hop_limit6 = r->u.ra.cur_hop_limit;
	if (r->u.ra.reachable_time)
		ifp->nd_reachable_ms = r->u.ra.reachable_time;
	if (r->u.ra.retrans_timer)
		ifp->nd_retrans_ms = r->u.ra.retrans_timer;
	if (r->has_slla)
		nd6_neigh_learn(ifp, rx->ip.src, r->slla, true);
	/* Linux: MTU options outside [1280, device MTU] are ignored */
	if (r->has_mtu && r->mtu >= IPV6_MIN_MTU && r->mtu <= ifp->mtu)
		ifp->mtu6 = r->mtu;
	ra_router(ifp, rx->ip.src, r->u.ra.router_lifetime, now);
	struct ndp_opt_iter it;
	struct ndp_opt o;
	ndp_opt_iter_init(&it, r->opts, r->opts_len);
	while (ndp_opt_next(&it, &o) > 0) {
		struct ndp_prefix pi;
		if (o.type != NDP_OPT_PREFIX || ndp_opt_prefix(&o, &pi) < 0)
			continue;
		/* 6.3.4 / 5.5.3 a, c: not link-local, preferred <= valid */
		if (ip6_addr_is_linklocal(pi.prefix) || ip6_addr_is_multicast(pi.prefix) ||
				pi.prefix_len > 128 || pi.preferred_lifetime > pi.valid_lifetime)
			continue;
		uint8_t pfx[16];
		memcpy(pfx, pi.prefix, 16);
		for (unsigned b = pi.prefix_len; b < 128; b++)
			pfx[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
		memcpy(pi.prefix, pfx, 16);
		if (pi.flags & NDP_PREFIX_ONLINK)
			ra_onlink(ifp, &pi, now);
		if ((pi.flags & NDP_PREFIX_AUTO) && s->autoconf)
			ra_autoconf(ifp, &pi, now);
	}
	ra_rearm(ifp);
}
