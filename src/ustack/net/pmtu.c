/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The path MTU cache (RFC 1191 for IPv4, RFC 8201 for IPv6): per stack,
 * per destination address, filled by ICMP errors that icmp4.c/icmp6.c have
 * checked against the datagram they quote. Linux keeps these as route
 * exceptions that expire after net.ipv4.route.mtu_expires (600 s); here
 * they are a table of PMTU_MAX entries, allocated on first use (a stack
 * that never meets a smaller MTU pays nothing), looked up by every route
 * lookup (a probe of at most 8 entries), expiring lazily. When the probed
 * entries are all in use, the one that expires first is replaced, so a
 * flood of errors cannot grow memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"
#include "net6.h"

struct pmtu_entry {
	uint8_t family;            /* 0: free */
	uint8_t addr[16];
	uint32_t mtu;
	uint64_t expires;
};

static bool same(const struct pmtu_entry *e, int family, const uint8_t *addr) {
	return e->family == family && memcmp(e->addr, addr, family == AF_INET ? 4 : 16) == 0;
}

/* Open addressing with a bounded probe: a lookup reads at most
 * PMTU_PROBE entries, whatever the table holds (it runs on every route
 * lookup once an entry exists). */
#define PMTU_PROBE 8

static unsigned slot0(int family, const uint8_t *addr) {
	/* FNV-1a over the address bytes */
	uint32_t h = 2166136261u;
	for (int i = 0; i < (family == AF_INET ? 4 : 16); i++)
		h = (h ^ addr[i]) * 16777619u;
	return (h ^ (h >> 16)) % PMTU_MAX;
}

uint32_t pmtu_lookup(struct ustack *s, int family, const uint8_t *addr) {
	if (s->npmtu == 0)
		return 0;
	uint64_t now = ip6_now(s);
	unsigned h = slot0(family, addr);
	for (int i = 0; i < PMTU_PROBE; i++) {
		struct pmtu_entry *e = &s->pmtu[(h + (unsigned) i) % PMTU_MAX];
		if (!same(e, family, addr))
			continue;
		if (e->expires <= now) {
			e->family = 0;
			s->npmtu--;
			return 0;
		}
		return e->mtu;
	}
	return 0;
}

void pmtu_learn(struct ustack *s, int family, const uint8_t *addr, uint32_t mtu) {
	if (s->pmtu == NULL) {
		s->pmtu = calloc(PMTU_MAX, sizeof(*s->pmtu));
		if (s->pmtu == NULL)
			return;
	}
	uint64_t now = ip6_now(s);
	unsigned h = slot0(family, addr);
	struct pmtu_entry *slot = NULL;
	for (int i = 0; i < PMTU_PROBE; i++) {
		struct pmtu_entry *e = &s->pmtu[(h + (unsigned) i) % PMTU_MAX];
		if (e->family && e->expires <= now) {
			e->family = 0;
			s->npmtu--;
		}
		if (e->family && same(e, family, addr)) {
			/* RFC 1191 6.3 / RFC 8201 4: never raised by a message; the
			 * timer restarts with each reduction */
			if (mtu < e->mtu) {
				e->mtu = mtu;
				e->expires = now + PMTU_EXPIRES_NS;
			}
			return;
		}
		/* a free slot, else the one that expires first */
		if (slot == NULL || (slot->family && (!e->family || e->expires < slot->expires)))
			slot = e;
	}
	if (slot->family == 0)
		s->npmtu++;
	slot->family = (uint8_t) family;
	memset(slot->addr, 0, 16);
	memcpy(slot->addr, addr, family == AF_INET ? 4 : 16);
	slot->mtu = mtu;
	slot->expires = now + PMTU_EXPIRES_NS;
}

void pmtu_flush(struct ustack *s) {
	free(s->pmtu);
	s->pmtu = NULL;
	s->npmtu = 0;
}

int ip4_dst_mtu(struct ustack *s, uint32_t dst, int oif) {
	struct ip4_route_res rt;
	int err = route4_lookup(s, dst, oif, &rt);
	return err < 0 ? err : (int) rt.mtu;
}

int ip6_dst_mtu(struct ustack *s, const uint8_t *dst, int oif) {
	struct ip6_route_res rt;
	int err = route6_lookup(s, dst, oif, &rt);
	return err < 0 ? err : (int) rt.mtu;
}
