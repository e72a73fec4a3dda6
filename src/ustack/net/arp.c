/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ARP (RFC 826) and the IPv4 hooks of the neighbour table (neigh.c, with
 * the states and timings of Linux's neighbour layer): 3 requests 1 s apart
 * (mcast_solicit), REACHABLE for 30 s (base_reachable_time). A failed
 * resolution reports its waiting packets to their sockets as host
 * unreachable, as Linux's arp_error_report does. */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/arp.h"
#include "../wire/eth.h"
#include "net.h"

#define ARP_RETRANS_NS MS(1000)
#define ARP_REACHABLE_NS MS(30000)

static void arp_send(struct netif *ifp, uint16_t op, uint32_t spa, const uint8_t *tha,
		uint32_t tpa, const uint8_t *ethdst) {
	struct ustack *s = ifp->s;
	struct pbuf *p = pbuf_alloc(&s->pc, ARPW_LEN, PBUF_HEADROOM);
	if (p == NULL)
		return;
	struct arp_repr a = {.op = op, .spa = spa, .tpa = tpa};
	memcpy(a.sha, ifp->mac, 6);
	if (tha)
		memcpy(a.tha, tha, 6);
	arp_emit(&a, p->data, p->len);
	if (op == ARPW_REQUEST)
		s->mib->arp.OutRequests++;
	else
		s->mib->arp.OutReplies++;
	eth_output(ifp, p, ethdst, ETHW_P_ARP);
}

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void arp_solicit(struct neigh *n, bool unicast) {
	struct netif *ifp = n->ifp;
	uint32_t src = ip4_addr_pick(ifp, n->ip);
	arp_send(ifp, ARPW_REQUEST, src, NULL, n->ip, unicast ? n->mac : bcast_mac);
}

void arp_announce(struct netif *ifp, uint32_t addr) {
	if (ifp->type != ARPHRD_ETHER_VALUE || !(ifp->flags & IFF_UP))
		return;
	/* gratuitous ARP: a request for our own address (RFC 5227 section 3) */
	arp_send(ifp, ARPW_REQUEST, addr, NULL, addr, bcast_mac);
}

/* The queued packets could not be sent: tell their senders. */
static void arp_unreachable(struct ustack *s, const struct pbuf *p) {
	s->mib->arp.Failed++;
	/* only the first fragment carries the ports the error needs */
	if (p->len >= IPV4W_HLEN && ((p->data[6] & 0x1f) | p->data[7]) == 0)
		icmp4_deliver_error(s, 3 /* unreach */, 1 /* host */, 0, 0, p->data, p->len);
}

static struct neigh **arp_list(struct netif *ifp) {
	return &ifp->neigh;
}

static int *arp_count(struct ustack *s) {
	return &s->nneigh4;
}

static uint64_t *arp_last_gc(struct ustack *s) {
	return &s->neigh_gc4;
}

static uint64_t *arp_queue_drops(struct ustack *s) {
	return &s->mib->arp.QueueDrops;
}

static uint64_t arp_retrans_ns(const struct netif *ifp) {
	(void) ifp;
	return ARP_RETRANS_NS;
}

static uint64_t arp_reachable_ns(const struct netif *ifp) {
	(void) ifp;
	return ARP_REACHABLE_NS;
}

static const struct neigh_ops arp_ops;
const struct neigh_ops *neigh4_ops(void) {
	return &arp_ops;
}

static const struct neigh_ops arp_ops = {
	.alen = 4,
	.ethertype = ETHW_P_IP,
	.list = arp_list,
	.count = arp_count,
	.last_gc = arp_last_gc,
	.queue_drops = arp_queue_drops,
	.retrans_ns = arp_retrans_ns,
	.reachable_ns = arp_reachable_ns,
	.solicit = arp_solicit,
	.unreachable = arp_unreachable,
};

struct neigh *neigh4_lookup(struct netif *ifp, uint32_t ip) {
	return neigh_lookup(&arp_ops, ifp, &ip);
}

int neigh4_output(struct netif *ifp, uint32_t nexthop, struct pbuf *p) {
	if (ifp->type == ARPHRD_LOOPBACK_VALUE)
		return link_xmit(ifp, p);
	if (ipv4_is_multicast(nexthop)) {
		uint8_t mac[6];
		eth_mcast_from_ip4(nexthop, mac);
		return eth_output(ifp, p, mac, ETHW_P_IP);
	}
	if (ip4_is_bcast_on(ifp, nexthop))
		return eth_output(ifp, p, bcast_mac, ETHW_P_IP);
	return neigh_output(&arp_ops, ifp, &nexthop, p);
}

void neigh4_flush_if(struct netif *ifp) {
	neigh_flush_if(&arp_ops, ifp);
}

static bool addr_on(struct netif *ifp, uint32_t ip) {
	for (struct ifaddr4 *a = ifp->addrs; a; a = a->next)
		if (a->addr == ip)
			return true;
	return false;
}

void arp_input(struct netif *ifp, const uint8_t *p, size_t len) {
	struct ustack *s = ifp->s;
	struct arp_repr a;
	if (arp_parse(p, len, &a) < 0) {
		s->mib->arp.Bad++;
		ifp->st.rx_dropped++;
		return;
	}
	if (a.op == ARPW_REQUEST)
		s->mib->arp.InRequests++;
	else
		s->mib->arp.InReplies++;
	/* RFC 826 "packet reception": ignore our own frames looped by the
	 * switch and nonsense sender addresses */
	if (memcmp(a.sha, ifp->mac, 6) == 0 || eth_is_multicast(a.sha)) {
		ifp->st.rx_dropped++;
		return;
	}
	bool for_us = addr_on(ifp, a.tpa);
	if (a.spa != 0) {
		struct neigh *n = neigh4_lookup(ifp, a.spa);
		/* merge: update an existing entry; create one only when we are the
		 * target (Linux arp_accept=0 ignores unsolicited announcements) */
		if (n == NULL && for_us)
			n = neigh_create(&arp_ops, ifp, &a.spa);
		if (n) {
			bool changed = memcmp(n->mac, a.sha, 6) != 0;
			if (n->state == NUD_INCOMPLETE || n->state == NUD_PROBE || n->state == NUD_DELAY ||
					a.op == ARPW_REPLY || changed ||
					for_us)
				neigh_update(n, a.sha, true);
		}
	}
	if (a.op == ARPW_REQUEST && for_us) {
		/* RFC 5227 probes (spa 0) are answered too, so the prober sees the
		 * address is taken */
		arp_send(ifp, ARPW_REPLY, a.tpa, a.sha, a.spa, a.sha);
	}
}
