/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Neighbour discovery (RFC 4861 7): address resolution with neighbour
 * solicitations to the solicited-node group, advertisements in reply, the
 * NUD states of the IPv4 neighbours (arp.c: INCOMPLETE with a queue, 3
 * solicitations 1 s apart, REACHABLE 30 s, STALE, PROBE by unicast), DAD
 * conflicts (RFC 4862 5.4.3, 5.4.4). Failures reach the senders as
 * ICMPv6 address unreachable, as Linux's ndisc_error_report. */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/eth.h"
#include "../wire/icmp6.h"
#include "../wire/ndp.h"
#include "net.h"
#include "net6.h"

/* RFC 4861 10 defaults, replaced by what RAs advertise */
#define ND_RETRANS_NS(ifp) MS((ifp)->nd_retrans_ms ? (ifp)->nd_retrans_ms : 1000)
#define ND_MAX_PROBES 3
#define ND_REACHABLE_NS(ifp) MS((ifp)->nd_reachable_ms ? (ifp)->nd_reachable_ms : 30000)
#define ND_GC_STALE_NS MS(60000)

static int eth_send6(struct netif *ifp, struct pbuf *p, const uint8_t *dst) {
	uint8_t *h = pbuf_push(p, ETHW_HLEN);
	if (h == NULL) {
		pbuf_free(&ifp->s->pc, p);
		ifp->st.tx_dropped++;
		return -ENOBUFS;
	}
	struct eth_repr e = {.type = ETHW_P_IPV6};
	memcpy(e.dst, dst, 6);
	memcpy(e.src, ifp->mac, 6);
	eth_emit(&e, h, ETHW_HLEN);
	return link_xmit(ifp, p);
}

static int nd_send(struct netif *ifp, const struct ndp_repr *r, const uint8_t *src, const uint8_t *dst) {
	struct ustack *s = ifp->s;
	uint8_t tmp[128];
	int n = ndp_emit(r, tmp, sizeof(tmp));
	if (n < 0)
		return n;
	struct pbuf *p = pbuf_alloc(&s->pc, (size_t) n, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	memcpy(p->data, tmp, (size_t) n);
	return icmp6_send(s, ifp, src, dst, 255, p);
}

void nd6_send_ns(struct netif *ifp, const uint8_t *src, const uint8_t *dst, const uint8_t *target,
		bool slla) {
	struct ndp_repr r = {.type = ICMP6_ND_NEIGHBOR_SOLICIT};
	memcpy(r.u.nsna.target, target, 16);
	/* RFC 4861 4.3: no SLLA from the unspecified address */
	if (slla && !ip6_addr_is_unspecified(src)) {
		r.has_slla = true;
		memcpy(r.slla, ifp->mac, 6);
	}
	nd_send(ifp, &r, src, dst);
}

void nd6_send_rs(struct netif *ifp, const uint8_t *src) {
	static const uint8_t all_routers[16] = {0xff, 0x02, [15] = 2};
	struct ndp_repr r = {.type = ICMP6_ND_ROUTER_SOLICIT};
	/* RFC 4861 4.1: the SLLA only from a specified source */
	if (!ip6_addr_is_unspecified(src)) {
		r.has_slla = true;
		memcpy(r.slla, ifp->mac, 6);
	}
	nd_send(ifp, &r, src, all_routers);
}

static void nd_solicit(struct neigh6 *n, bool unicast) {
	struct netif *ifp = n->ifp;
	uint8_t src[16] = {0}, dst[16];
	if (!ip6_src_select(ifp, n->ip, src))
		return;  /* no usable address yet */
	if (unicast)
		memcpy(dst, n->ip, 16);
	else
		ip6_addr_solicited_node(dst, n->ip);
	nd6_send_ns(ifp, src, dst, n->ip, true);
}

struct neigh6 *neigh6_lookup(struct netif *ifp, const uint8_t *ip) {
	for (struct neigh6 *n = ifp->neigh6; n; n = n->next)
		if (ip6_eq(n->ip, ip))
			return n;
	return NULL;
}

static void neigh_unlink(struct netif *ifp, struct neigh6 *n) {
	for (struct neigh6 **pp = &ifp->neigh6; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			return;
		}
}

static void neigh_free(struct netif *ifp, struct neigh6 *n) {
	utimer_cancel(ifp->s, &n->t);
	ifp->s->neigh_qbytes -= n->qbytes;
	ifp->s->nneigh6--;
	pbuf_free_chain(&ifp->s->pc, n->q);
	free(n);
}

/* Take the whole queue of packets waiting for n's resolution. */
static struct pbuf *neigh_take_queue(struct ustack *s, struct neigh6 *n) {
	struct pbuf *p = n->q;
	s->neigh_qbytes -= n->qbytes;
	n->q = n->qtail = NULL;
	n->qbytes = 0;
	return p;
}

static void neigh_fail_queue(struct ustack *s, struct neigh6 *n) {
	struct pbuf *p = neigh_take_queue(s, n);
	while (p) {
		struct pbuf *next = p->next;
		if (p->len >= IP6_HDR_LEN)
			icmp6_deliver_error(s, ICMP6_DST_UNREACH, ICMP6_DU_ADDR, 0, NULL, p->data, p->len);
		n->ifp->st.tx_dropped++;
		pbuf_free(&s->pc, p);
		p = next;
	}
}

static void neigh_timer(struct ustack *s, struct utimer *t) {
	struct neigh6 *n = (struct neigh6 *) ((char *) t - offsetof(struct neigh6, t));
	struct netif *ifp = n->ifp;
	switch (n->state) {
	case NUD_INCOMPLETE:
	case NUD_PROBE:
		if (n->probes >= ND_MAX_PROBES) {
			neigh_fail_queue(s, n);
			neigh_unlink(ifp, n);
			neigh_free(ifp, n);
			return;
		}
		n->probes++;
		nd_solicit(n, n->state == NUD_PROBE);
		utimer_arm_in(s, &n->t, ND_RETRANS_NS(ifp));
		return;
	case NUD_DELAY:
		/* no confirmation while delaying: probe the cached address */
		n->state = NUD_PROBE;
		n->probes = 1;
		nd_solicit(n, true);
		utimer_arm_in(s, &n->t, ND_RETRANS_NS(ifp));
		return;
	case NUD_REACHABLE:
		n->state = NUD_STALE;
		utimer_arm_in(s, &n->t, ND_GC_STALE_NS);
		return;
	default:
		neigh_unlink(ifp, n);
		neigh_free(ifp, n);
		return;
	}
}

/* The entry a full table gives up (net.h): an unused STALE one, else one
 * being verified (DELAY, PROBE: likely learned from a stranger and never
 * confirmed), else a REACHABLE one; never one being resolved. The oldest
 * of its kind: lists are newest first. */
static int neigh_evict_rank(uint16_t state) {
	if (state == NUD_INCOMPLETE)
		return -1;
	if (state == NUD_STALE)
		return 0;
	return state & (NUD_DELAY | NUD_PROBE) ? 1 : 2;
}

static struct neigh6 *neigh_victim(struct ustack *s) {
	struct neigh6 *victim = NULL;
	int best = 3;
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		for (struct neigh6 *n = ifp->neigh6; n; n = n->next) {
			int r = neigh_evict_rank(n->state);
			if (r >= 0 && r <= best) {
				best = r;
				victim = n;
			}
		}
	return victim;
}

static struct neigh6 *neigh_create(struct netif *ifp, const uint8_t *ip) {
	struct ustack *s = ifp->s;
	if (s->nneigh6 >= NEIGH_MAX_ENTRIES) {
		struct neigh6 *victim = neigh_victim(s);
		if (victim == NULL)
			return NULL;  /* Linux: "neighbour table overflow" */
		neigh_unlink(victim->ifp, victim);
		neigh_free(victim->ifp, victim);
	}
	struct neigh6 *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	s->nneigh6++;
	n->ifp = ifp;
	memcpy(n->ip, ip, 16);
	utimer_init(&n->t, neigh_timer);
	n->next = ifp->neigh6;
	ifp->neigh6 = n;
	return n;
}

static void neigh_update(struct neigh6 *n, const uint8_t *mac, bool confirmed) {
	bool changed = memcmp(n->mac, mac, 6) != 0;
	memcpy(n->mac, mac, 6);
	if (confirmed) {
		n->state = NUD_REACHABLE;
		n->probes = 0;
		utimer_arm_in(n->ifp->s, &n->t, ND_REACHABLE_NS(n->ifp));
	} else if (n->state == NUD_INCOMPLETE || changed) {
		/* RFC 4861 7.2.3: learned from a solicitation: STALE */
		n->state = NUD_STALE;
		n->probes = 0;
		utimer_arm_in(n->ifp->s, &n->t, ND_GC_STALE_NS);
	}
	struct pbuf *p = neigh_take_queue(n->ifp->s, n);
	while (p) {
		struct pbuf *next = p->next;
		p->next = NULL;
		eth_send6(n->ifp, p, n->mac);
		p = next;
	}
}

void nd6_neigh_learn(struct netif *ifp, const uint8_t *ip, const uint8_t *mac, bool router) {
	struct neigh6 *n = neigh6_lookup(ifp, ip);
	if (n == NULL)
		n = neigh_create(ifp, ip);
	if (n == NULL)
		return;
	neigh_update(n, mac, false);
	n->router = router;
}

int neigh6_output(struct netif *ifp, const uint8_t *nexthop, struct pbuf *p) {
	struct ustack *s = ifp->s;
	if (ifp->type == ARPHRD_LOOPBACK_VALUE)
		return link_xmit(ifp, p);
	if (ip6_addr_is_multicast(nexthop)) {
		uint8_t mac[6];
		ip6_mcast_mac(mac, nexthop);
		return eth_send6(ifp, p, mac);
	}
	struct neigh6 *n = neigh6_lookup(ifp, nexthop);
	if (n && (n->state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE))) {
		if (n->state == NUD_STALE) {
			/* RFC 4861 7.3.3 (and Linux's ARP): DELAY, then probe */
			n->state = NUD_DELAY;
			utimer_arm_in(s, &n->t, MS(5000));
		}
		return eth_send6(ifp, p, n->mac);
	}
	if (n == NULL) {
		n = neigh_create(ifp, nexthop);
		if (n == NULL) {
			pbuf_free(&s->pc, p);
			ifp->st.tx_dropped++;
			return -ENOBUFS;
		}
		n->state = NUD_INCOMPLETE;
		n->probes = 1;
		nd_solicit(n, false);
		utimer_arm_in(s, &n->t, ND_RETRANS_NS(ifp));
	}
	size_t cost = neigh_pbuf_cost(p);
	/* Linux drops the oldest packets of the entry to make room */
	while (n->q && (n->qbytes + cost > NEIGH_QUEUE_BYTES ||
			s->neigh_qbytes + cost > NEIGH_QUEUE_TOTAL)) {
		struct pbuf *old = n->q;
		size_t oc = neigh_pbuf_cost(old);
		n->q = old->next;
		n->qbytes -= oc;
		s->neigh_qbytes -= oc;
		pbuf_free(&s->pc, old);
		ifp->st.tx_dropped++;
	}
	if (n->q == NULL)
		n->qtail = NULL;
	if (n->qbytes + cost > NEIGH_QUEUE_BYTES || s->neigh_qbytes + cost > NEIGH_QUEUE_TOTAL) {
		/* the stack's bound, with nothing of this entry left to drop */
		pbuf_free(&s->pc, p);
		ifp->st.tx_dropped++;
		return 0;
	}
	p->next = NULL;
	if (n->qtail)
		n->qtail->next = p;
	else
		n->q = p;
	n->qtail = p;
	n->qbytes += cost;
	s->neigh_qbytes += cost;
	return 0;
}

void neigh6_flush_if(struct netif *ifp) {
	while (ifp->neigh6) {
		struct neigh6 *n = ifp->neigh6;
		ifp->neigh6 = n->next;
		neigh_free(ifp, n);
	}
}

void nd6_input(struct ustack *s, struct ip6_rx *rx) {
	struct netif *ifp = rx->ifp;
	struct ndp_repr r;
	if (ifp->type != ARPHRD_ETHER_VALUE)
		return;
	if (ndp_parse(rx->payload, rx->plen, &r) < 0 ||
			ndp_validate_ip(&r, rx->ip.src, rx->ip.dst, rx->ip.hop_limit) < 0) {
		s->icmp6.InErrors++;
		ifp->st.rx_dropped++;
		return;
	}
	if (r.type == ICMP6_ND_NEIGHBOR_SOLICIT) {
		struct ifaddr6 *a = NULL;
		for (struct ifaddr6 *x = ifp->addrs6; x; x = x->next)
			if (ip6_eq(x->addr, r.u.nsna.target))
				a = x;
		if (a == NULL || (a->flags & IFA6_DADFAILED))
			return;
		bool dad = ip6_addr_is_unspecified(rx->ip.src);
		if (a->flags & IFA6_TENTATIVE) {
			/* RFC 4862 5.4.3: another node probes the same address */
			if (dad && !rx->loop)
				ip6_addr_dad_conflict(ifp, a->addr);
			return;
		}
		if (!dad && r.has_slla) {
			struct neigh6 *n = neigh6_lookup(ifp, rx->ip.src);
			if (n == NULL)
				n = neigh_create(ifp, rx->ip.src);
			if (n)
				neigh_update(n, r.slla, false);
		}
		/* RFC 4861 7.2.4: answer, to the solicitor or to all nodes (DAD).
		 * As Linux (ndisc_recv_ns): the target's link-layer address and
		 * the override flag only when the solicitation was multicast; a
		 * unicast one (NUD) already knows our address */
		bool inc = dad || ip6_addr_is_multicast(rx->ip.dst);
		struct ndp_repr na = {.type = ICMP6_ND_NEIGHBOR_ADVERT, .has_tlla = inc};
		memcpy(na.u.nsna.target, a->addr, 16);
		memcpy(na.tlla, ifp->mac, 6);
		na.u.nsna.flags = (inc ? NDP_NA_OVERRIDE : 0) | (dad ? 0 : NDP_NA_SOLICITED);
		static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
		nd_send(ifp, &na, a->addr, dad ? all_nodes : rx->ip.src);
		return;
	}
	if (r.type == ICMP6_ND_NEIGHBOR_ADVERT) {
		/* an advertisement for one of our tentative addresses: duplicate */
		for (struct ifaddr6 *x = ifp->addrs6; x; x = x->next)
			if (ip6_eq(x->addr, r.u.nsna.target)) {
				if ((x->flags & IFA6_TENTATIVE) && !rx->loop)
					ip6_addr_dad_conflict(ifp, x->addr);
				return;
			}
		struct neigh6 *n = neigh6_lookup(ifp, r.u.nsna.target);
		if (n == NULL)
			return;  /* RFC 4861 7.2.5: unsolicited for unknown: ignored */
		if (!r.has_tlla) {
			if (n->state == NUD_INCOMPLETE)
				return;
			if (r.u.nsna.flags & NDP_NA_SOLICITED) {
				n->state = NUD_REACHABLE;
				utimer_arm_in(s, &n->t, ND_REACHABLE_NS(ifp));
			}
			return;
		}
		bool override = (r.u.nsna.flags & NDP_NA_OVERRIDE) || n->state == NUD_INCOMPLETE;
		if (!override && memcmp(n->mac, r.tlla, 6) != 0) {
			if (n->state == NUD_REACHABLE)
				n->state = NUD_STALE;
			return;
		}
		n->router = (r.u.nsna.flags & NDP_NA_ROUTER) != 0;
		neigh_update(n, r.tlla, (r.u.nsna.flags & NDP_NA_SOLICITED) != 0);
		return;
	}
	if (r.type == ICMP6_ND_ROUTER_ADVERT) {
		if (!rx->loop)
			rdisc6_ra_input(ifp, rx, &r);
		return;
	}
	/* router solicitations: a host does not route (RFC 4861 6.2.6);
	 * redirects are ignored (not done) */
}
