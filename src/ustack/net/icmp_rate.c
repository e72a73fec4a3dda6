/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ICMP and ICMPv6 error rate limits as Linux's: a global token bucket
 * (icmp_msgs_per_sec 1000, icmp_msgs_burst 50) and, per peer, a bucket
 * that holds six times the peer's interval and pays one interval per
 * error (inet_peer_xrlim_allow: icmp_ratelimit 1000 ms; for ICMPv6 the
 * interval is shortened by the prefix length of the route, 250 ms for a
 * /64). A peer seen for the first time starts with a full bucket.
 * Peers live in a small per-stack table allocated on first use; the
 * least recently used one makes room for a new one (the global bucket
 * still bounds what spoofed sources can draw). */
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "net.h"

#define PEER_BURST 6            /* Linux XRLIM_BURST_FACTOR */
#define GLOBAL_BURST 50
#define GLOBAL_TOKEN_NS MS(1)

struct icmp_peer {
	uint8_t addr[16];
	uint8_t family;
	uint64_t last;              /* ns, last use (0: free slot) */
	uint64_t tokens;            /* ns of credit */
};

static void global_refill(struct ustack *s) {
	uint64_t now = rt_now();
	if (s->icmp_tokens_t == 0) {
		s->icmp_tokens = GLOBAL_BURST;
		s->icmp_tokens_t = now;
	}
	uint64_t add = (now - s->icmp_tokens_t) / GLOBAL_TOKEN_NS;
	if (add) {
		uint64_t t = (uint64_t) s->icmp_tokens + add;
		s->icmp_tokens = (int) (t > GLOBAL_BURST ? GLOBAL_BURST : t);
		s->icmp_tokens_t = now;
	}
}

static bool peer_allow(struct ustack *s, int family, const void *addr, uint64_t interval_ns);

/* Linux icmp_send since 6.11: the global credit is looked at first and
 * spent only when the peer's bucket lets the error go. */
bool icmp_rate_allow(struct ustack *s, int family, const void *peer, uint64_t interval_ns) {
	global_refill(s);
	if (s->icmp_tokens <= 0)
		return false;
	if (interval_ns && !peer_allow(s, family, peer, interval_ns))
		return false;
	s->icmp_tokens--;
	return true;
}

static bool peer_allow(struct ustack *s, int family, const void *addr, uint64_t interval_ns) {
	size_t alen = family == AF_INET ? 4 : 16;
	uint64_t now = rt_now();
	uint64_t cap = PEER_BURST * interval_ns;
	if (s->icmp_peers == NULL) {
		s->icmp_peers = calloc(ICMP_PEERS_MAX, sizeof(*s->icmp_peers));
		if (s->icmp_peers == NULL)
			return true;  /* the global bucket still limits */
	}
	struct icmp_peer *p = NULL, *lru = &s->icmp_peers[0];
	for (int i = 0; i < ICMP_PEERS_MAX; i++) {
		struct icmp_peer *e = &s->icmp_peers[i];
		if (e->last && e->family == family && memcmp(e->addr, addr, alen) == 0) {
			p = e;
			break;
		}
		if (e->last < lru->last)
			lru = e;
	}
	if (p == NULL) {
		p = lru;
		memset(p, 0, sizeof(*p));
		memcpy(p->addr, addr, alen);
		p->family = (uint8_t) family;
		p->tokens = cap;
	} else {
		p->tokens += now - p->last;
		if (p->tokens > cap)
			p->tokens = cap;
	}
	p->last = now ? now : 1;
	if (p->tokens < interval_ns)
		return false;
	p->tokens -= interval_ns;
	return true;
}

void icmp_rate_flush(struct ustack *s) {
	free(s->icmp_peers);
	s->icmp_peers = NULL;
}
