/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Neighbour discovery (RFC 4861 7): address resolution with neighbour
 * solicitations to the solicited-node group, advertisements in reply, the
 * IPv6 hooks of the neighbour table (neigh.c: the NUD states shared with
 * ARP; 3 solicitations 1 s apart, REACHABLE 30 s, or what RAs set), DAD
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
#define ND_REACHABLE_NS(ifp) MS((ifp)->nd_reachable_ms ? (ifp)->nd_reachable_ms : 30000)

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

static void nd_solicit(struct neigh *n, bool unicast) {
	struct netif *ifp = n->ifp;
	uint8_t src[16] = {0}, dst[16];
	if (!ip6_src_select(ifp, n->ip6, src))
		return;  /* no usable address yet */
	if (unicast)
		memcpy(dst, n->ip6, 16);
	else
		ip6_addr_solicited_node(dst, n->ip6);
	nd6_send_ns(ifp, src, dst, n->ip6, true);
}

static void nd_unreachable(struct ustack *s, const struct pbuf *p) {
	if (p->len >= IP6_HDR_LEN)
		icmp6_deliver_error(s, ICMP6_DST_UNREACH, ICMP6_DU_ADDR, 0, NULL, p->data, p->len);
}

static struct neigh **nd_list(struct netif *ifp) {
	return &ifp->neigh6;
}

static int *nd_count(struct ustack *s) {
	return &s->nneigh6;
}

static uint64_t *nd_last_gc(struct ustack *s) {
	return &s->neigh_gc6;
}

static uint64_t nd_retrans_ns(const struct netif *ifp) {
	return ND_RETRANS_NS(ifp);
}

static uint64_t nd_reachable_ns(const struct netif *ifp) {
	return ND_REACHABLE_NS(ifp);
}

static const struct neigh_ops nd_ops;
const struct neigh_ops *neigh6_ops(void) {
	return &nd_ops;
}

static const struct neigh_ops nd_ops = {
	.alen = 16,
	.ethertype = ETHW_P_IPV6,
	.list = nd_list,
	.count = nd_count,
	.last_gc = nd_last_gc,
	.retrans_ns = nd_retrans_ns,
	.reachable_ns = nd_reachable_ns,
	.solicit = nd_solicit,
	.unreachable = nd_unreachable,
};

struct neigh *neigh6_lookup(struct netif *ifp, const uint8_t *ip) {
	return neigh_lookup(&nd_ops, ifp, ip);
}

/* The entry of ip, made when missing (NULL if the table has no room). */
static struct neigh *nd_neigh_get(struct netif *ifp, const uint8_t *ip) {
	struct neigh *n = neigh6_lookup(ifp, ip);
	return n ? n : neigh_create(&nd_ops, ifp, ip);
}

void nd6_neigh_learn(struct netif *ifp, const uint8_t *ip, const uint8_t *mac, bool router) {
	struct neigh *n = nd_neigh_get(ifp, ip);
	if (n == NULL)
		return;
	neigh_update(n, mac, false);
	n->router = router;
}

int neigh6_output(struct netif *ifp, const uint8_t *nexthop, struct pbuf *p) {
	if (ifp->type == ARPHRD_LOOPBACK_VALUE)
		return link_xmit(ifp, p);
	if (ip6_addr_is_multicast(nexthop)) {
		uint8_t mac[6];
		ip6_mcast_mac(mac, nexthop);
		return eth_output(ifp, p, mac, ETHW_P_IPV6);
	}
	return neigh_output(&nd_ops, ifp, nexthop, p);
}

void neigh6_flush_if(struct netif *ifp) {
	neigh_flush_if(&nd_ops, ifp);
}

void nd6_input(struct ustack *s, struct ip6_rx *rx) {
	struct netif *ifp = rx->ifp;
	struct ndp_repr r;
	if (ifp->type != ARPHRD_ETHER_VALUE)
		return;
	if (ndp_parse(rx->payload, rx->plen, &r) < 0 ||
			ndp_validate_ip(&r, rx->ip.src, rx->ip.dst, rx->ip.hop_limit) < 0) {
		s->mib->icmp6.InErrors++;
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
			struct neigh *n = nd_neigh_get(ifp, rx->ip.src);
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
		struct neigh *n = neigh6_lookup(ifp, r.u.nsna.target);
		if (n == NULL)
			return;  /* RFC 4861 7.2.5: unsolicited for unknown: ignored */
		if (!r.has_tlla) {
			if (n->state == NUD_INCOMPLETE)
				return;
			if (r.u.nsna.flags & NDP_NA_SOLICITED)
				neigh_confirm(n);
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
