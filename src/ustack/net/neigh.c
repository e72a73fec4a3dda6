/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The neighbour table shared by ARP (arp.c) and NDP (nd6.c): entries per
 * interface and family, the NUD state machine of Linux's neighbour layer,
 * the bounded queue of packets waiting for a resolution and the garbage
 * collection of a full table (Linux's forced collection, net.h). What differs per family (how to solicit, how to report
 * a failure, the timings) comes from a struct neigh_ops.
 *   INCOMPLETE: a solicitation is out, packets wait (up to Linux's
 *     unres_qlen_bytes); max_probes solicitations retrans apart, then the
 *     entry goes and its packets are reported to their senders.
 *   REACHABLE for reachable time after a confirmation, then STALE.
 *   STALE is still used; the first use starts DELAY (5 s, Linux's
 *     delay_first_probe_time), then unicast probes (PROBE); a confirmation
 *     makes the entry REACHABLE again, silence removes it. Unused STALE
 *     entries go after 60 s (gc_stale_time) when the table holds at
 *     least gc_thresh1 entries. */
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/eth.h"
#include "proto.h"
#include "net.h"

#define NEIGH_MAX_PROBES 3
#define NEIGH_DELAY_NS MS(5000)
#define NEIGH_GC_STALE_NS MS(60000)

int eth_output(struct netif *ifp, struct pbuf *p, const uint8_t *dst, uint16_t type) {
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

/* Every output to an unresolved or cached neighbour scans the list: the
 * comparisons have constant sizes, so the compiler inlines them. */
struct neigh *neigh_lookup(const struct neigh_ops *ops, struct netif *ifp, const void *ip) {
	struct neigh *n = *ops->list(ifp);
	if (ops->alen == 4) {
		uint32_t a;
		memcpy(&a, ip, 4);
		while (n && n->ip != a)
			n = n->next;
	} else
		while (n && __builtin_memcmp(n->ip6, ip, 16) != 0)
			n = n->next;
	return n;
}

static void neigh_unlink(struct neigh *n) {
	for (struct neigh **pp = n->ops->list(n->ifp); *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			return;
		}
}

/* Free n, already out of its list. */
static void neigh_free(struct neigh *n) {
	struct ustack *s = n->ifp->s;
	utimer_cancel(s, &n->t);
	s->neigh_qbytes -= n->qbytes;
	(*n->ops->count(s))--;
	pbuf_free_chain(&s->pc, n->q);
	free(n);
}

static void neigh_destroy(struct neigh *n) {
	neigh_unlink(n);
	net_notify_neigh(n->ifp, n, RTM_DELNEIGH);
	neigh_free(n);
}

/* Take the whole queue of packets waiting for n's resolution. */
static struct pbuf *neigh_take_queue(struct neigh *n) {
	struct pbuf *p = n->q;
	n->ifp->s->neigh_qbytes -= n->qbytes;
	n->q = n->qtail = NULL;
	n->qbytes = 0;
	return p;
}

/* The queued packets could not be sent: tell their senders. */
static void neigh_fail_queue(struct neigh *n) {
	struct ustack *s = n->ifp->s;
	struct pbuf *p = neigh_take_queue(n);
	while (p) {
		struct pbuf *next = p->next;
		n->ops->unreachable(s, p);
		n->ifp->st.tx_dropped++;
		pbuf_free(&s->pc, p);
		p = next;
	}
}

static void neigh_probe(struct neigh *n, bool unicast) {
	n->ops->solicit(n, unicast);
	utimer_arm_in(n->ifp->s, &n->t, n->ops->retrans_ns(n->ifp));
}

static void neigh_timer(struct ustack *s, struct utimer *t) {
	struct neigh *n = (struct neigh *) ((char *) t - offsetof(struct neigh, t));
	switch (n->state) {
	case NUD_INCOMPLETE:
	case NUD_PROBE:
		if (n->probes >= NEIGH_MAX_PROBES) {
			neigh_fail_queue(n);
			neigh_destroy(n);
			return;
		}
		n->probes++;
		neigh_probe(n, n->state == NUD_PROBE);
		return;
	case NUD_DELAY:
		/* no confirmation while delaying: probe the cached address */
		n->state = NUD_PROBE;
		n->probes = 1;
		neigh_probe(n, true);
		return;
	case NUD_REACHABLE:
		n->state = NUD_STALE;
		utimer_arm_in(s, &n->t, NEIGH_GC_STALE_NS);
		net_notify_neigh(n->ifp, n, RTM_NEWNEIGH);
		return;
	default: /* STALE and unused: Linux's periodic collection, which
		 * leaves a table under gc_thresh1 alone */
		if (*n->ops->count(s) < NEIGH_GC_THRESH1) {
			utimer_arm_in(s, &n->t, NEIGH_GC_STALE_NS);
			return;
		}
		neigh_destroy(n);
		return;
	}
}

static uint64_t neigh_now(struct ustack *s) {
	return s->timers_now ? s->timers_now : rt_now();
}

static uint64_t neigh_last_touch(const struct neigh *n) {
	return n->used > n->updated ? n->used : n->updated;
}

/* Failed resolutions: no answer to the first broadcast solicitation, or to
 * a unicast probe of the cached address. */
static bool neigh_dead(const struct neigh *n) {
	return (n->state == NUD_INCOMPLETE && n->probes > 1) || (n->state == NUD_PROBE && n->probes > 1);
}

/* The forced collection (net.h): what may go, in order; -1: stays. */
static int neigh_gc_rank(const struct neigh *n, uint64_t now) {
	if (n->state & (NUD_PERMANENT | NUD_NOARP))
		return -1;
	if (neigh_dead(n))
		return 0;
	uint64_t t = neigh_last_touch(n);
	if (n->state != NUD_INCOMPLETE && now > t && now - t >= NEIGH_GC_INTERVAL_NS)
		return 1;
	return -1;
}

/* Everything was touched recently: the one entry that makes room. */
static int neigh_last_resort_rank(const struct neigh *n) {
	if (n->state == NUD_INCOMPLETE)
		return 0;
	return n->confirmed ? 2 : 1;
}

struct neigh_cand {
	struct neigh *n;
	int rank;
	uint64_t when;
};

static int neigh_cand_cmp(const void *a, const void *b) {
	const struct neigh_cand *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->when < y->when ? -1 : x->when > y->when;
}

/* Linux's neigh_forced_gc: back under gc_thresh2 with what is unused. */
static void neigh_forced_gc(const struct neigh_ops *ops, struct ustack *s, uint64_t now) {
	int count = *ops->count(s);
	int excess = count - (NEIGH_GC_THRESH2 - 1);
	*ops->last_gc(s) = now;
	if (excess <= 0)
		return;
	struct neigh_cand *c = malloc(sizeof(*c) * (size_t) count);
	if (c == NULL)
		return;
	int nc = 0;
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		for (struct neigh *n = *ops->list(ifp); n && nc < count; n = n->next) {
			int r = neigh_gc_rank(n, now);
			if (r >= 0)
				c[nc++] = (struct neigh_cand) {n, r, neigh_last_touch(n)};
		}
	qsort(c, (size_t) nc, sizeof(*c), neigh_cand_cmp);
	for (int i = 0; i < nc && i < excess; i++) {
		/* waiting packets of an evicted entry are dropped, as Linux's */
		if (c[i].n->q && ops->queue_drops)
			(*ops->queue_drops(s))++;
		neigh_destroy(c[i].n);
	}
	free(c);
}

static struct neigh *neigh_victim(const struct neigh_ops *ops, struct ustack *s) {
	struct neigh *victim = NULL;
	int best = 3;
	uint64_t when = 0;
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		for (struct neigh *n = *ops->list(ifp); n; n = n->next) {
			if (n->state & (NUD_PERMANENT | NUD_NOARP))
				continue;
			int r = neigh_last_resort_rank(n);
			uint64_t w = r == 0 ? n->updated : neigh_last_touch(n);
			if (r < best || (r == best && w <= when)) {
				best = r;
				when = w;
				victim = n;
			}
		}
	return victim;
}

struct neigh *neigh_create(const struct neigh_ops *ops, struct netif *ifp, const void *ip) {
	struct ustack *s = ifp->s;
	uint64_t now = neigh_now(s);
	int count = *ops->count(s);
	if (count >= NEIGH_MAX_ENTRIES ||
			(count >= NEIGH_GC_THRESH2 && now - *ops->last_gc(s) >= NEIGH_GC_INTERVAL_NS))
		neigh_forced_gc(ops, s, now);
	if (*ops->count(s) >= NEIGH_MAX_ENTRIES) {
		struct neigh *victim = neigh_victim(ops, s);
		if (victim == NULL)
			return NULL;
		if (victim->q && ops->queue_drops)
			(*ops->queue_drops(s))++;
		neigh_destroy(victim);
	}
	struct neigh *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	(*ops->count(s))++;
	n->ops = ops;
	n->ifp = ifp;
	memcpy(n->ip6, ip, ops->alen);
	n->updated = n->used = now;
	utimer_init(&n->t, neigh_timer);
	struct neigh **head = ops->list(ifp);
	n->next = *head;
	*head = n;
	return n;
}

void neigh_confirm(struct neigh *n) {
	struct ustack *s = n->ifp->s;
	n->state = NUD_REACHABLE;
	n->probes = 0;
	n->confirmed = true;
	n->updated = neigh_now(s);
	utimer_arm_in(s, &n->t, n->ops->reachable_ns(n->ifp));
}

void neigh_update(struct neigh *n, const uint8_t *mac, bool confirmed) {
	struct ustack *s = n->ifp->s;
	bool changed = memcmp(n->mac, mac, 6) != 0;
	uint16_t old = n->state;
	bool admin = (old & (NUD_PERMANENT | NUD_NOARP)) != 0;
	if (admin)
		changed = confirmed = false;  /* set by hand: what arrives does not change it */
	else
		memcpy(n->mac, mac, 6);
	if (admin) {
		/* only the waiting packets go (to the address set by hand) */
	} else if (confirmed) {
		neigh_confirm(n);
	} else if (n->state == NUD_INCOMPLETE || changed) {
		/* RFC 4861 7.2.3: learned from a solicitation: STALE */
		n->state = NUD_STALE;
		n->updated = neigh_now(s);
		n->probes = 0;
		utimer_arm_in(s, &n->t, NEIGH_GC_STALE_NS);
	}
	if (changed || confirmed || old != n->state)
		net_notify_neigh(n->ifp, n, RTM_NEWNEIGH);
	struct pbuf *p = neigh_take_queue(n);
	while (p) {
		struct pbuf *next = p->next;
		p->next = NULL;
		eth_output(n->ifp, p, n->mac, n->ops->ethertype);
		p = next;
	}
}

/* Drop p, a packet that the queue has no room for. */
static void neigh_queue_drop(struct neigh *n, struct pbuf *p) {
	struct ustack *s = n->ifp->s;
	pbuf_free(&s->pc, p);
	if (n->ops->queue_drops)
		(*n->ops->queue_drops(s))++;
	n->ifp->st.tx_dropped++;
}

static bool neigh_queue_full(const struct neigh *n, size_t cost) {
	return n->qbytes + cost > NEIGH_QUEUE_BYTES || n->ifp->s->neigh_qbytes + cost > NEIGH_QUEUE_TOTAL;
}

/* Queue p until n is resolved, within the bounds of net.h. */
static void neigh_enqueue(struct neigh *n, struct pbuf *p) {
	struct ustack *s = n->ifp->s;
	size_t cost = neigh_pbuf_cost(p);
	/* Linux drops the oldest packets of the entry to make room */
	while (n->q && neigh_queue_full(n, cost)) {
		struct pbuf *old = n->q;
		size_t oc = neigh_pbuf_cost(old);
		n->q = old->next;
		n->qbytes -= oc;
		s->neigh_qbytes -= oc;
		neigh_queue_drop(n, old);
	}
	if (n->q == NULL)
		n->qtail = NULL;
	if (neigh_queue_full(n, cost)) {
		/* the stack's bound, with nothing of this entry left to drop */
		neigh_queue_drop(n, p);
		return;
	}
	p->next = NULL;
	if (n->qtail)
		n->qtail->next = p;
	else
		n->q = p;
	n->qtail = p;
	n->qbytes += cost;
	s->neigh_qbytes += cost;
}

int neigh_output(const struct neigh_ops *ops, struct netif *ifp, const void *nexthop,
		struct pbuf *p) {
	struct ustack *s = ifp->s;
	struct neigh *n = neigh_lookup(ops, ifp, nexthop);
	if (n && (n->state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP))) {
		if (n->state == NUD_STALE) {
			/* RFC 4861 7.3.3 (and Linux's ARP): DELAY, then probe */
			n->state = NUD_DELAY;
			utimer_arm_in(s, &n->t, NEIGH_DELAY_NS);
		}
		n->used = neigh_now(s);
		return eth_output(ifp, p, n->mac, ops->ethertype);
	}
	if (n == NULL) {
		n = neigh_create(ops, ifp, nexthop);
		if (n == NULL) {
			pbuf_free(&s->pc, p);
			ifp->st.tx_dropped++;
			return -ENOBUFS;
		}
		n->state = NUD_INCOMPLETE;
		n->probes = 1;
		neigh_probe(n, false);
	}
	neigh_enqueue(n, p);
	return 0;
}

void neigh_flush_if(const struct neigh_ops *ops, struct netif *ifp) {
	struct neigh **head = ops->list(ifp);
	while (*head) {
		struct neigh *n = *head;
		*head = n->next;
		net_notify_neigh(ifp, n, RTM_DELNEIGH);
		neigh_free(n);
	}
}

/* Is a packet of the stack waiting for a neighbour to be resolved? */
bool neigh_stack_pending(struct ustack *s) {
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next) {
		for (struct neigh *n = ifp->neigh; n; n = n->next)
			if (n->q)
				return true;
		for (struct neigh *n = ifp->neigh6; n; n = n->next)
			if (n->q)
				return true;
	}
	return false;
}

/* --- entries set by hand (ip neigh) --- */

const struct neigh_ops *neigh4_ops(void);
const struct neigh_ops *neigh6_ops(void);

const struct neigh_ops *neigh_family_ops(int family) {
	return family == AF_INET ? neigh4_ops() : family == AF_INET6 ? neigh6_ops() : NULL;
}

int neigh_admin_set(const struct neigh_ops *ops, struct netif *ifp, const void *ip, const uint8_t *mac,
		uint16_t state, bool create, bool excl) {
	struct ustack *s = ifp->s;
	struct neigh *n = neigh_lookup(ops, ifp, ip);
	if (n && excl)
		return -EEXIST;
	if (n == NULL) {
		if (!create)
			return -ENOENT;
		if ((n = neigh_create(ops, ifp, ip)) == NULL)
			return -ENOBUFS;
	}
	utimer_cancel(s, &n->t);
	memcpy(n->mac, mac, 6);
	n->state = state;
	n->probes = 0;
	n->updated = n->used = neigh_now(s);
	if (state == NUD_REACHABLE) {
		n->confirmed = true;
		utimer_arm_in(s, &n->t, ops->reachable_ns(ifp));
	} else if (state == NUD_STALE)
		utimer_arm_in(s, &n->t, NEIGH_GC_STALE_NS);
	net_notify_neigh(ifp, n, RTM_NEWNEIGH);
	/* what waited for the resolution goes now */
	struct pbuf *p = neigh_take_queue(n);
	while (p) {
		struct pbuf *next = p->next;
		p->next = NULL;
		eth_output(ifp, p, n->mac, ops->ethertype);
		p = next;
	}
	return 0;
}

int neigh_admin_del(const struct neigh_ops *ops, struct netif *ifp, const void *ip) {
	struct neigh *n = neigh_lookup(ops, ifp, ip);
	if (n == NULL)
		return -ENOENT;
	neigh_fail_queue(n);
	neigh_destroy(n);
	return 0;
}
