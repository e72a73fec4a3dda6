/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv6 addresses, multicast membership with MLDv2 reports (the routes
 * are route.c's, beside IPv4's). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/icmp6.h"
#include "../wire/mld.h"
#include "proto.h"
#include "net.h"
#include "net6.h"

#define DAD_RETRANS_NS MS(1000)   /* RetransTimer, DupAddrDetectTransmits 1 */

static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
static const uint8_t mld2_routers[16] = {0xff, 0x02, [15] = 0x16};

/* --- multicast and MLDv2 (RFC 3810) --- */

static bool mld_reportable(const uint8_t *g) {
	/* RFC 3810 6: never for ff02::1; nor for scopes 0 and 1 */
	return !ip6_eq(g, all_nodes) && ip6_mcast_scope(g) > 1;
}

static void mld_send(struct netif *ifp, uint8_t type, const uint8_t (*groups)[16], int n) {
	struct ustack *s = ifp->s;
	if (n == 0 || !(ifp->flags & IFF_UP) || ifp->type != ARPHRD_ETHER_VALUE)
		return;
	struct mld_record recs[32];
	int k = 0;
	for (int i = 0; i < n && k < 32; i++) {
		if (!mld_reportable(groups[i]))
			continue;
		memset(&recs[k], 0, sizeof(recs[k]));
		recs[k].type = type;
		memcpy(recs[k].group, groups[i], 16);
		k++;
	}
	if (k == 0)
		return;
	size_t len = mld_report_len(recs, (size_t) k);
	struct pbuf *p = pbuf_alloc(&s->pc, len, PBUF_HEADROOM);
	if (p == NULL)
		return;
	if (mld_report_emit(recs, (size_t) k, p->data, len) < 0) {
		pbuf_free(&s->pc, p);
		return;
	}
	/* RFC 3810 5.2.13: from a link-local address (:: while it is tentative) */
	uint8_t src[16] = {0};
	for (struct ifaddr6 *a = ifp->addrs6; a; a = a->next)
		if (ip6_addr_is_linklocal(a->addr) && !(a->flags & (IFA6_TENTATIVE | IFA6_DADFAILED))) {
			memcpy(src, a->addr, 16);
			break;
		}
	icmp6_fill_checksum(src, mld2_routers, p->data, len);
	struct ip6_tx tx = {.src = src, .dst = mld2_routers, .proto = IP6_NH_ICMPV6, .hlim = 1,
		.oif = ifp->index, .router_alert = true};
	s->mib->icmp6.OutMsgs++;
	ip6_output(s, p, &tx);
}

bool ip6_mc_member(struct netif *ifp, const uint8_t *group) {
	if (ip6_eq(group, all_nodes))
		return true;
	for (struct mcgroup6 *g = ifp->groups6; g; g = g->next)
		if (ip6_eq(g->group, group))
			return true;
	return false;
}

int ip6_mc_join(struct netif *ifp, const uint8_t *group) {
	if (!ip6_addr_is_multicast(group))
		return -EINVAL;
	for (struct mcgroup6 *g = ifp->groups6; g; g = g->next)
		if (ip6_eq(g->group, group)) {
			g->users++;
			return 0;
		}
	struct mcgroup6 *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOBUFS;
	memcpy(g->group, group, 16);
	g->users = 1;
	g->next = ifp->groups6;
	ifp->groups6 = g;
	const uint8_t(*one)[16] = (const uint8_t(*)[16]) g->group;
	mld_send(ifp, MLD2_CHANGE_TO_EXCLUDE, one, 1);
	return 0;
}

int ip6_mc_leave(struct netif *ifp, const uint8_t *group) {
	for (struct mcgroup6 **pp = &ifp->groups6; *pp; pp = &(*pp)->next) {
		struct mcgroup6 *g = *pp;
		if (!ip6_eq(g->group, group))
			continue;
		if (--g->users == 0) {
			uint8_t gr[1][16];
			memcpy(gr[0], g->group, 16);
			*pp = g->next;
			free(g);
			mld_send(ifp, MLD2_CHANGE_TO_INCLUDE, (const uint8_t(*)[16]) gr, 1);
		}
		return 0;
	}
	return -EADDRNOTAVAIL;
}

void mld_report_all(struct netif *ifp) {
	uint8_t gr[32][16];
	int n = 0;
	for (struct mcgroup6 *g = ifp->groups6; g; g = g->next) {
		memcpy(gr[n++], g->group, 16);
		if (n == 32) {
			mld_send(ifp, MLD2_MODE_IS_EXCLUDE, (const uint8_t(*)[16]) gr, n);
			n = 0;
		}
	}
	mld_send(ifp, MLD2_MODE_IS_EXCLUDE, (const uint8_t(*)[16]) gr, n);
}

/* --- addresses --- */

struct ifaddr6 *ip6_addr_find(struct ustack *s, const uint8_t *addr, struct netif **owner) {
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		for (struct ifaddr6 *a = ifp->addrs6; a; a = a->next)
			if (ip6_eq(a->addr, addr)) {
				if (owner)
					*owner = ifp;
				return a;
			}
	return NULL;
}

bool ip6_is_local(struct ustack *s, const uint8_t *addr) {
	struct ifaddr6 *a = ip6_addr_find(s, addr, NULL);
	return a && !(a->flags & (IFA6_TENTATIVE | IFA6_DADFAILED));
}

static unsigned common_prefix(const uint8_t *a, const uint8_t *b) {
	unsigned n = 0;
	for (int i = 0; i < 16; i++) {
		uint8_t x = a[i] ^ b[i];
		if (x == 0) {
			n += 8;
			continue;
		}
		while (!(x & 0x80)) {
			n++;
			x <<= 1;
		}
		break;
	}
	return n;
}

bool ip6_src_select(struct netif *ifp, const uint8_t *dst, uint8_t *src) {
	bool want_ll = ip6_addr_is_linklocal(dst) ||
			(ip6_addr_is_multicast(dst) && ip6_mcast_scope(dst) <= 2);
	struct ifaddr6 *best = NULL;
	int best_score = -1;
	for (struct ifaddr6 *a = ifp->addrs6; a; a = a->next) {
		if (a->flags & (IFA6_TENTATIVE | IFA6_DADFAILED))
			continue;
		bool ll = ip6_addr_is_linklocal(a->addr);
		/* RFC 6724 rule 2 (appropriate scope), rule 3 (avoid deprecated),
		 * then rule 8 (longest match) */
		int score = (ll == want_ll ? 1000 : 0) + (a->flags & IFA6_DEPRECATED ? 0 : 500) +
				(int) common_prefix(a->addr, dst);
		if (score > best_score) {
			best = a;
			best_score = score;
		}
	}
	if (best == NULL)
		return false;
	memcpy(src, best->addr, 16);
	return true;
}

static void dad_done(struct ustack *s, struct utimer *t) {
	struct ifaddr6 *a = (struct ifaddr6 *) ((char *) t - offsetof(struct ifaddr6, dad));
	struct netif *ifp = a->ifp;
	if (!(a->flags & IFA6_TENTATIVE))
		return;
	if (a->dad_sent < 1) {
		uint8_t sn[16];
		ip6_addr_solicited_node(sn, a->addr);
		/* RFC 4862 5.4.2: from ::, to the solicited-node group, no SLLA */
		nd6_send_ns(ifp, ip6_any, sn, a->addr, false);
		a->dad_sent++;
		utimer_arm_in(s, &a->dad, DAD_RETRANS_NS);
		return;
	}
	/* no answer: the address is ours (RFC 4862 5.4.5); its solicited-node
	 * group was reported when joined */
	a->flags &= (uint8_t) ~IFA6_TENTATIVE;
	net_notify_addr6(ifp, a, RTM_NEWADDR);
	if (ip6_addr_is_linklocal(a->addr))
		rdisc6_start(ifp);
}

static void addr_start(struct netif *ifp, struct ifaddr6 *a) {
	struct ustack *s = ifp->s;
	uint8_t sn[16];
	ip6_addr_solicited_node(sn, a->addr);
	ip6_mc_join(ifp, sn);
	if (ifp->type == ARPHRD_ETHER_VALUE && !(a->flags & IFA6_NODAD)) {
		a->flags |= IFA6_TENTATIVE;
		a->dad_sent = 0;
		/* RFC 4862 5.4.2: a random delay before the first probe; short */
		utimer_arm_in(s, &a->dad, MS(1 + stack_random(s) % 50));
	} else {
		a->flags &= (uint8_t) ~IFA6_TENTATIVE;
		if (ip6_addr_is_linklocal(a->addr))
			rdisc6_start(ifp);
	}
	/* Linux: the address (tentative while DAD runs), then its route */
	net_notify_addr6(ifp, a, RTM_NEWADDR);
	/* SLAAC addresses have no prefix route of their own: the on-link
	 * prefix of the RA is the route (Linux) */
	if (!a->slaac && !ip6_addr_is_linklocal(a->addr) && a->plen < 128 &&
			ifp->type == ARPHRD_ETHER_VALUE) {
		uint8_t pfx[16];
		memcpy(pfx, a->addr, 16);
		for (int b = a->plen; b < 128; b++)
			pfx[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
		route6_add(s, pfx, a->plen, NULL, ifp->index, 256, RTPROT_KERNEL, false);
	}
}

static int addr_add(struct netif *ifp, const uint8_t *addr, uint8_t plen, uint8_t flags, bool excl,
		bool slaac) {
	if (plen > 128 || ip6_addr_is_multicast(addr) || ip6_addr_is_unspecified(addr))
		return -EINVAL;
	for (struct ifaddr6 *a = ifp->addrs6; a; a = a->next)
		if (ip6_eq(a->addr, addr))
			return excl ? -EEXIST : 0;
	struct ifaddr6 *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	a->ifp = ifp;
	memcpy(a->addr, addr, 16);
	a->plen = plen;
	a->slaac = slaac;
	/* an autoconfigured address is not permanent: "dynamic" for ip(8) */
	a->flags = (uint8_t) ((flags & IFA6_NODAD) | (slaac ? 0 : IFA6_PERMANENT));
	a->cstamp = a->tstamp = rt_now();
	utimer_init(&a->dad, dad_done);
	struct ifaddr6 **pp = &ifp->addrs6;
	while (*pp)
		pp = &(*pp)->next;
	*pp = a;
	if (ifp->flags & IFF_UP)
		addr_start(ifp, a);
	else
		net_notify_addr6(ifp, a, RTM_NEWADDR);
	return 0;
}

int ip6_addr_add(struct netif *ifp, const uint8_t *addr, uint8_t plen, uint8_t flags, bool excl) {
	return addr_add(ifp, addr, plen, flags, excl, false);
}

int ip6_addr_add_auto(struct netif *ifp, const uint8_t *addr, uint8_t plen) {
	return addr_add(ifp, addr, plen, 0, true, true);
}

static void addr_free(struct netif *ifp, struct ifaddr6 *a, bool leave) {
	utimer_cancel(ifp->s, &a->dad);
	if (leave) {
		uint8_t sn[16];
		ip6_addr_solicited_node(sn, a->addr);
		ip6_mc_leave(ifp, sn);
	}
	free(a);
}

int ip6_addr_del(struct netif *ifp, const uint8_t *addr, uint8_t plen) {
	for (struct ifaddr6 **pp = &ifp->addrs6; *pp; pp = &(*pp)->next) {
		struct ifaddr6 *a = *pp;
		if (!ip6_eq(a->addr, addr))
			continue;
		*pp = a->next;
		net_notify_addr6(ifp, a, RTM_DELADDR);
		if (!a->slaac && !ip6_addr_is_linklocal(addr) && a->plen < 128) {
			uint8_t pfx[16];
			memcpy(pfx, a->addr, 16);
			for (int b = a->plen; b < 128; b++)
				pfx[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
			route6_del(ifp->s, pfx, a->plen, NULL, ifp->index);
		}
		addr_free(ifp, a, (ifp->flags & IFF_UP) != 0);
		return 0;
	}
	(void) plen;
	return -EADDRNOTAVAIL;
}

void ip6_addr_dad_conflict(struct netif *ifp, const uint8_t *target) {
	for (struct ifaddr6 *a = ifp->addrs6; a; a = a->next)
		if (ip6_eq(a->addr, target) && (a->flags & IFA6_TENTATIVE)) {
			/* RFC 4862 5.4.5: duplicate; Linux keeps it marked dadfailed */
			a->flags = (uint8_t) ((a->flags & ~IFA6_TENTATIVE) | IFA6_DADFAILED);
			utimer_cancel(ifp->s, &a->dad);
			ifp->s->mib->icmp6.DadFailed++;
			net_notify_addr6(ifp, a, RTM_NEWADDR);
		}
}

void ip6_link_up(struct netif *ifp) {
	if (ifp->type == ARPHRD_ETHER_VALUE) {
		/* RFC 4862 5.3: a link-local address (EUI-64 from the MAC) */
		uint8_t ll[16];
		ip6_addr_linklocal_eui64(ll, ifp->mac);
		if (ip6_addr_find(ifp->s, ll, NULL) == NULL)
			ip6_addr_add(ifp, ll, 64, 0, false);
		uint8_t fe80[16] = {0xfe, 0x80};
		route6_add(ifp->s, fe80, 64, NULL, ifp->index, 256, RTPROT_KERNEL, false);
	}
	for (struct ifaddr6 *a = ifp->addrs6; a; a = a->next)
		if (!ip6_addr_is_linklocal(a->addr) || !(a->flags & IFA6_TENTATIVE) || !utimer_pending(&a->dad))
			addr_start(ifp, a);
}

void ip6_link_down(struct netif *ifp) {
	rdisc6_stop(ifp);
	/* Linux drops the addresses that are not permanent (addrconf_ifdown) */
	for (struct ifaddr6 *a = ifp->addrs6, *an; a; a = an) {
		an = a->next;
		if (a->slaac) {
			uint8_t sn[16];
			ip6_addr_solicited_node(sn, a->addr);
			ip6_mc_leave(ifp, sn);
			ip6_addr_del(ifp, a->addr, a->plen);
		}
	}
	route_flush_if(ifp->s, AF_INET6, ifp->index);
	neigh6_flush_if(ifp);
	for (struct ifaddr6 *a = ifp->addrs6; a; a = a->next) {
		utimer_cancel(ifp->s, &a->dad);
		uint8_t sn[16];
		ip6_addr_solicited_node(sn, a->addr);
		ip6_mc_leave(ifp, sn);
	}
}

void ip6_flush_if(struct netif *ifp) {
	rdisc6_stop(ifp);
	neigh6_flush_if(ifp);
	while (ifp->addrs6) {
		struct ifaddr6 *a = ifp->addrs6;
		ifp->addrs6 = a->next;
		addr_free(ifp, a, false);
	}
	while (ifp->groups6) {
		struct mcgroup6 *g = ifp->groups6;
		ifp->groups6 = g->next;
		free(g);
	}
}
