/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv4 multicast membership of an interface and IGMPv3 reports (RFC 3376):
 * a report when the first socket joins a group or the last leaves it, and
 * a current-state report for every group when a query arrives. Reports go
 * to 224.0.0.22 with TTL 1 and the Router Alert option (RFC 3376 4). The
 * all-hosts group 224.0.0.1 is never reported (RFC 3376 5). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/igmp.h"
#include "../link/link.h"
#include "net.h"

#define IGMP_ALL_HOSTS 0xe0000001u
#define IGMP_V3_ROUTERS 0xe0000016u

static void igmp_send(struct netif *ifp, uint8_t rectype, const uint32_t *groups, int n) {
	struct ustack *s = ifp->s;
	if (n == 0 || !(ifp->flags & IFF_UP) || ifp->type == ARPHRD_LOOPBACK_VALUE)
		return;
	size_t len = 8 + (size_t) n * 8;
	struct pbuf *p = pbuf_alloc(&s->pc, len, PBUF_HEADROOM);
	if (p == NULL)
		return;
	if (igmp_emit_v3_report(rectype, groups, n, p->data, len) < 0) {
		pbuf_free(&s->pc, p);
		return;
	}
	static const uint8_t router_alert[4] = {0x94, 0x04, 0, 0}; /* RFC 2113 */
	struct ip4_tx tx = {
		.src = ip4_addr_pick(ifp, 0),
		.dst = htonl(IGMP_V3_ROUTERS),
		.proto = IPPROTO_IGMP,
		.ttl = 1,
		.tos = 0xc0,   /* Linux: internetwork control */
		.oif = ifp->index,
		.opt = router_alert,
		.optlen = 4,
	};
	ip4_output(s, p, &tx);
}

bool ip4_mc_member(struct netif *ifp, uint32_t group) {
	for (struct mcgroup4 *g = ifp->groups; g; g = g->next)
		if (g->group == group)
			return true;
	return false;
}

int ip4_mc_join(struct netif *ifp, uint32_t group) {
	if (!ipv4_is_multicast(group))
		return -EINVAL;
	for (struct mcgroup4 *g = ifp->groups; g; g = g->next)
		if (g->group == group) {
			g->users++;
			return 0;
		}
	struct mcgroup4 *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOBUFS;
	g->group = group;
	g->users = 1;
	g->next = ifp->groups;
	ifp->groups = g;
	if (group != htonl(IGMP_ALL_HOSTS))
		igmp_send(ifp, IGMPW_CHANGE_TO_EXCLUDE, &group, 1);
	return 0;
}

int ip4_mc_leave(struct netif *ifp, uint32_t group) {
	for (struct mcgroup4 **pp = &ifp->groups; *pp; pp = &(*pp)->next) {
		struct mcgroup4 *g = *pp;
		if (g->group != group)
			continue;
		if (--g->users == 0) {
			*pp = g->next;
			free(g);
			if (group != htonl(IGMP_ALL_HOSTS))
				igmp_send(ifp, IGMPW_CHANGE_TO_INCLUDE, &group, 1);
		}
		return 0;
	}
	return -EADDRNOTAVAIL;
}

void ip4_mc_flush_if(struct netif *ifp) {
	while (ifp->groups) {
		struct mcgroup4 *g = ifp->groups;
		ifp->groups = g->next;
		free(g);
	}
}

void igmp_report_all(struct netif *ifp) {
	uint32_t groups[64];
	int n = 0;
	for (struct mcgroup4 *g = ifp->groups; g; g = g->next) {
		if (g->group == htonl(IGMP_ALL_HOSTS))
			continue;
		groups[n++] = g->group;
		if (n == 64) {
			igmp_send(ifp, IGMPW_MODE_IS_EXCLUDE, groups, n);
			n = 0;
		}
	}
	igmp_send(ifp, IGMPW_MODE_IS_EXCLUDE, groups, n);
}

void igmp_input(struct ustack *s, struct ip4_rx *rx) {
	struct igmp_repr r;
	if (igmp_parse(rx->payload, rx->plen, &r) < 0) {
		rx->ifp->st.rx_errors++;
		return;
	}
	if (r.type != IGMPW_QUERY)
		return;
	if (r.group == 0) {
		igmp_report_all(rx->ifp);
	} else if (ip4_mc_member(rx->ifp, r.group)) {
		igmp_send(rx->ifp, IGMPW_MODE_IS_EXCLUDE, &r.group, 1);
	}
}
