/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ARP (RFC 826) and the IPv4 neighbour cache of an interface, with the
 * states and timings of Linux's neighbour layer (simplified: no DELAY):
 *   INCOMPLETE: a request is out, packets wait (up to Linux's
 *     unres_qlen_bytes); 3 requests 1 s apart (mcast_solicit), then FAILED:
 *     the waiting packets are dropped and reported to their sockets as
 *     host unreachable, as Linux's arp_error_report does.
 *   REACHABLE for 30 s (base_reachable_time) after a reply, then STALE.
 *   STALE is still used; the first use starts DELAY (5 s, Linux's
 *     delay_first_probe_time), then unicast probes (PROBE, 3 tries); a
 *     reply makes the entry REACHABLE again, silence removes it. Unused
 *     STALE entries go after 60 s (gc_stale_time). */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/arp.h"
#include "../wire/eth.h"
#include "net.h"

#define ARP_RETRANS_NS MS(1000)
#define ARP_MAX_PROBES 3
#define ARP_REACHABLE_NS MS(30000)
#define ARP_GC_STALE_NS MS(60000)

static int eth_push_send(struct netif *ifp, struct pbuf *p, const uint8_t *dst, uint16_t type) {
	uint8_t *h = pbuf_push(p, ETHW_HLEN);
	if (h == NULL) {
		pbuf_free(&ifp->s->pc, p);
		ifp->st.tx_dropped++;
		return -ENOBUFS;
	}
	struct eth_repr e = {.type = type};
	memcpy(e.dst, dst, 6);
	memcpy(e.src, ifp->mac, 6);
	eth_emit(&e, h, ETHW_HLEN);
	return link_xmit(ifp, p);
}

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
		s->arp.OutRequests++;
	else
		s->arp.OutReplies++;
	eth_push_send(ifp, p, ethdst, ETHW_P_ARP);
}

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void arp_solicit(struct neigh4 *n, bool unicast) {
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

static void neigh_free(struct netif *ifp, struct neigh4 *n) {
	utimer_cancel(ifp->s, &n->t);
	ifp->s->neigh_qbytes -= n->qbytes;
	ifp->s->nneigh4--;
	pbuf_free_chain(&ifp->s->pc, n->q);
	free(n);
}

/* Take the whole queue of packets waiting for n's resolution. */
static struct pbuf *neigh_take_queue(struct ustack *s, struct neigh4 *n) {
	struct pbuf *p = n->q;
	s->neigh_qbytes -= n->qbytes;
	n->q = n->qtail = NULL;
	n->qbytes = 0;
	return p;
}

static void neigh_unlink(struct netif *ifp, struct neigh4 *n) {
	for (struct neigh4 **pp = &ifp->neigh; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			return;
		}
}

/* The queued packets could not be sent: tell their senders. */
static void neigh_fail_queue(struct ustack *s, struct neigh4 *n) {
	struct pbuf *p = neigh_take_queue(s, n);
	while (p) {
		struct pbuf *next = p->next;
		s->arp.Failed++;
		/* only the first fragment carries the ports the error needs */
		if (p->len >= IPV4W_HLEN && ((p->data[6] & 0x1f) | p->data[7]) == 0)
			icmp4_deliver_error(s, 3 /* unreach */, 1 /* host */, 0, 0, p->data, p->len);
		n->ifp->st.tx_dropped++;
		pbuf_free(&s->pc, p);
		p = next;
	}
}

static void neigh_timer(struct ustack *s, struct utimer *t) {
	struct neigh4 *n = (struct neigh4 *) ((char *) t - offsetof(struct neigh4, t));
	struct netif *ifp = n->ifp;
	switch (n->state) {
	case NUD_INCOMPLETE:
	case NUD_PROBE:
		if (n->probes >= ARP_MAX_PROBES) {
			neigh_fail_queue(s, n);
			neigh_unlink(ifp, n);
			neigh_free(ifp, n);
			return;
		}
		n->probes++;
		arp_solicit(n, n->state == NUD_PROBE);
		utimer_arm_in(s, &n->t, ARP_RETRANS_NS);
		return;
	case NUD_DELAY:
		/* no confirmation while delaying: probe the cached address */
		n->state = NUD_PROBE;
		n->probes = 1;
		arp_solicit(n, true);
		utimer_arm_in(s, &n->t, ARP_RETRANS_NS);
		return;
	case NUD_REACHABLE:
		n->state = NUD_STALE;
		utimer_arm_in(s, &n->t, ARP_GC_STALE_NS);
		return;
	default: /* STALE and unused */
		neigh_unlink(ifp, n);
		neigh_free(ifp, n);
		return;
	}
}

struct neigh4 *neigh4_lookup(struct netif *ifp, uint32_t ip) {
	for (struct neigh4 *n = ifp->neigh; n; n = n->next)
		if (n->ip == ip)
			return n;
	return NULL;
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

static struct neigh4 *neigh_victim(struct ustack *s) {
	struct neigh4 *victim = NULL;
	int best = 3;
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		for (struct neigh4 *n = ifp->neigh; n; n = n->next) {
			int r = neigh_evict_rank(n->state);
			if (r >= 0 && r <= best) {
				best = r;
				victim = n;
			}
		}
	return victim;
}

static struct neigh4 *neigh_create(struct netif *ifp, uint32_t ip) {
	struct ustack *s = ifp->s;
	if (s->nneigh4 >= NEIGH_MAX_ENTRIES) {
		struct neigh4 *victim = neigh_victim(s);
		if (victim == NULL)
			return NULL;  /* Linux: "neighbour table overflow" */
		neigh_unlink(victim->ifp, victim);
		neigh_free(victim->ifp, victim);
	}
	struct neigh4 *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	s->nneigh4++;
	n->ifp = ifp;
	n->ip = ip;
	utimer_init(&n->t, neigh_timer);
	n->next = ifp->neigh;
	ifp->neigh = n;
	return n;
}

static void neigh_flush_queue(struct neigh4 *n) {
	struct pbuf *p = neigh_take_queue(n->ifp->s, n);
	while (p) {
		struct pbuf *next = p->next;
		p->next = NULL;
		eth_push_send(n->ifp, p, n->mac, ETHW_P_IP);
		p = next;
	}
}

static void neigh_confirm(struct neigh4 *n, const uint8_t *mac) {
	memcpy(n->mac, mac, 6);
	n->state = NUD_REACHABLE;
	n->probes = 0;
	utimer_arm_in(n->ifp->s, &n->t, ARP_REACHABLE_NS);
	neigh_flush_queue(n);
}

int neigh4_output(struct netif *ifp, uint32_t nexthop, struct pbuf *p) {
	struct ustack *s = ifp->s;
	uint8_t mac[6];
	if (ifp->type == ARPHRD_LOOPBACK_VALUE)
		return link_xmit(ifp, p);
	if (ipv4_is_multicast(nexthop)) {
		eth_mcast_from_ip4(nexthop, mac);
		return eth_push_send(ifp, p, mac, ETHW_P_IP);
	}
	if (ip4_is_bcast_on(ifp, nexthop))
		return eth_push_send(ifp, p, bcast_mac, ETHW_P_IP);
	struct neigh4 *n = neigh4_lookup(ifp, nexthop);
	if (n && (n->state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE))) {
		if (n->state == NUD_STALE) {
			/* RFC 4861 7.3.3 (and Linux's ARP): DELAY, then probe */
			n->state = NUD_DELAY;
			utimer_arm_in(s, &n->t, MS(5000));
		}
		return eth_push_send(ifp, p, n->mac, ETHW_P_IP);
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
		arp_solicit(n, false);
		utimer_arm_in(s, &n->t, ARP_RETRANS_NS);
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
		s->arp.QueueDrops++;
		ifp->st.tx_dropped++;
	}
	if (n->q == NULL)
		n->qtail = NULL;
	if (n->qbytes + cost > NEIGH_QUEUE_BYTES || s->neigh_qbytes + cost > NEIGH_QUEUE_TOTAL) {
		/* the stack's bound, with nothing of this entry left to drop */
		pbuf_free(&s->pc, p);
		s->arp.QueueDrops++;
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

void neigh4_flush_if(struct netif *ifp) {
	while (ifp->neigh) {
		struct neigh4 *n = ifp->neigh;
		ifp->neigh = n->next;
		neigh_free(ifp, n);
	}
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
		s->arp.Bad++;
		ifp->st.rx_dropped++;
		return;
	}
	if (a.op == ARPW_REQUEST)
		s->arp.InRequests++;
	else
		s->arp.InReplies++;
	/* RFC 826 "packet reception": ignore our own frames looped by the
	 * switch and nonsense sender addresses */
	if (memcmp(a.sha, ifp->mac, 6) == 0 || eth_is_multicast(a.sha)) {
		ifp->st.rx_dropped++;
		return;
	}
	bool for_us = addr_on(ifp, a.tpa);
	if (a.spa != 0) {
		struct neigh4 *n = neigh4_lookup(ifp, a.spa);
		/* merge: update an existing entry; create one only when we are the
		 * target (Linux arp_accept=0 ignores unsolicited announcements) */
		if (n == NULL && for_us)
			n = neigh_create(ifp, a.spa);
		if (n) {
			bool changed = memcmp(n->mac, a.sha, 6) != 0;
			if (n->state == NUD_INCOMPLETE || n->state == NUD_PROBE || n->state == NUD_DELAY ||
					a.op == ARPW_REPLY || changed ||
					for_us)
				neigh_confirm(n, a.sha);
		}
	}
	if (a.op == ARPW_REQUEST && for_us) {
		/* RFC 5227 probes (spa 0) are answered too, so the prober sees the
		 * address is taken */
		arp_send(ifp, ARPW_REPLY, a.tpa, a.sha, a.spa, a.sha);
	}
}
