/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv6 input (RFC 8200): header checks, local delivery (any of our
 * addresses, as Linux; joined groups), extension headers walked by
 * wire/ip6ext with its verdicts, reassembly (RFC 8200 4.5 with the limits
 * of frag4.c; overlaps drop the datagram, RFC 5722), protocol demux. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/icmp6.h"
#include "../wire/ip6ext.h"
#include "net.h"
#include "net6.h"

#define REASM6_MAX 64
#define REASM6_TIMEOUT_NS MS(60000)  /* RFC 8200 4.5: 60 s */
#define REASM6_MAX_PIECES 128

struct reasm6 {
	struct reasm6 *next;
	struct ustack *s;
	uint8_t src[16], dst[16];
	uint32_t ident;
	struct netif *ifp;
	struct pbuf *buf;          /* unfragmentable part at 0, payload after unfrag_len */
	size_t unfrag_len;         /* 0 until the first piece arrived */
	size_t nh_off;             /* Next Header field to rewrite */
	uint8_t nh;
	uint32_t total;            /* payload bytes, 0 until the last piece */
	int nranges;
	struct {
		uint16_t start, end;
	} r[REASM6_MAX_PIECES];
	struct utimer t;
};

#define UNFRAG_MAX 200         /* unfragmentable part we keep room for */

static void reasm6_free(struct ustack *s, struct reasm6 *q) {
	for (struct reasm6 **pp = &s->reasm6; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	s->nreasm6--;
	utimer_cancel(s, &q->t);
	if (q->buf)
		pbuf_free(&s->pc, q->buf);
	free(q);
}

void ip6_reasm_flush(struct ustack *s) {
	while (s->reasm6)
		reasm6_free(s, s->reasm6);
}

static void reasm6_timeout(struct ustack *s, struct utimer *t) {
	struct reasm6 *q = (struct reasm6 *) ((char *) t - offsetof(struct reasm6, t));
	s->ip6.ReasmFails++;
	/* RFC 8200 4.5: time exceeded (reassembly) if the first piece came */
	if (q->unfrag_len && q->nranges && q->r[0].start == 0) {
		struct ip6_rx rx = {.ifp = q->ifp, .pkt = q->buf->data,
			.pktlen = q->unfrag_len + q->r[0].end};
		memmove(q->buf->data + q->unfrag_len, q->buf->data + UNFRAG_MAX, q->r[0].end);
		{
			ip6_parse(q->buf->data, rx.pktlen, &rx.ip);
			memcpy(rx.ip.src, q->src, 16);
			memcpy(rx.ip.dst, q->dst, 16);
			icmp6_send_error(s, &rx, ICMP6_TIME_EXCEEDED, ICMP6_TE_REASSEMBLY, 0);
		}
	}
	reasm6_free(s, q);
}

static int range_add(struct reasm6 *q, uint16_t start, uint16_t end) {
	int i = 0, n = q->nranges;
	while (i < n && q->r[i].start <= start)
		i++;
	if (i > 0 && q->r[i - 1].start <= start && q->r[i - 1].end >= end)
		return 1;
	if ((i > 0 && q->r[i - 1].end > start) || (i < n && q->r[i].start < end))
		return -EINVAL;
	bool prev = i > 0 && q->r[i - 1].end == start;
	bool next = i < n && q->r[i].start == end;
	if (prev && next) {
		q->r[i - 1].end = q->r[i].end;
		memmove(&q->r[i], &q->r[i + 1], sizeof(q->r[0]) * (size_t) (n - i - 1));
		q->nranges--;
	} else if (prev)
		q->r[i - 1].end = end;
	else if (next)
		q->r[i].start = start;
	else {
		if (n == REASM6_MAX_PIECES)
			return -ENOBUFS;
		memmove(&q->r[i + 1], &q->r[i], sizeof(q->r[0]) * (size_t) (n - i));
		q->r[i].start = start;
		q->r[i].end = end;
		q->nranges++;
	}
	return 0;
}

static void ip6_process(struct netif *ifp, const uint8_t *p, size_t tot, struct ip6_rx *rx, int depth);

/* A fragment (res describes it): returns when incomplete; delivers the
 * rebuilt packet when complete. */
static void ip6_reasm(struct netif *ifp, const uint8_t *p, size_t tot, const struct ip6ext_result *res,
		struct ip6_rx *rx, int depth) {
	struct ustack *s = ifp->s;
	size_t fo = res->frag.offset;
	size_t data_off = res->frag_offset + IP6_FRAG_HDR_LEN;
	size_t n = tot - data_off;
	if (res->frag_offset > UNFRAG_MAX || fo + n > 65535) {
		s->ip6.ReasmFails++;
		return;
	}
	struct reasm6 *q = NULL;
	for (struct reasm6 *x = s->reasm6; x; x = x->next)
		if (x->ident == res->frag.ident && ip6_eq(x->src, rx->ip.src) && ip6_eq(x->dst, rx->ip.dst))
			q = x;
	if (q == NULL) {
		if (s->nreasm6 >= REASM6_MAX) {
			struct reasm6 *old = s->reasm6;
			while (old && old->next)
				old = old->next;
			s->ip6.ReasmFails++;
			reasm6_free(s, old);
		}
		q = calloc(1, sizeof(*q));
		if (q == NULL)
			return;
		q->buf = pbuf_alloc(&s->pc, UNFRAG_MAX + 65536, 0);
		if (q->buf == NULL) {
			free(q);
			return;
		}
		q->s = s;
		memcpy(q->src, rx->ip.src, 16);
		memcpy(q->dst, rx->ip.dst, 16);
		q->ident = res->frag.ident;
		q->ifp = ifp;
		utimer_init(&q->t, reasm6_timeout);
		utimer_arm_in(s, &q->t, REASM6_TIMEOUT_NS);
		q->next = s->reasm6;
		s->reasm6 = q;
		s->nreasm6++;
	}
	if (!res->frag.more) {
		uint32_t total = (uint32_t) (fo + n);
		if ((q->total && q->total != total) || (q->nranges && q->r[q->nranges - 1].end > total))
			goto bad;
		q->total = total;
	} else if (q->total && fo + n > q->total)
		goto bad;
	if (n) {
		int r = range_add(q, (uint16_t) fo, (uint16_t) (fo + n));
		if (r < 0)
			goto bad;
		if (r > 0)
			return;
	}
	if (fo == 0) {
		q->unfrag_len = res->frag_offset;
		q->nh_off = res->frag_nh_offset;
		q->nh = res->frag.next_header;
		memcpy(q->buf->data, p, res->frag_offset);
	}
	memcpy(q->buf->data + UNFRAG_MAX + fo, p + data_off, n);
	if (!(q->total && q->unfrag_len && q->nranges == 1 && q->r[0].start == 0 && q->r[0].end == q->total))
		return;
	/* complete: unfragmentable part, then the payload; Next Header and
	 * Payload Length rewritten (RFC 8200 4.5) */
	uint8_t *d = q->buf->data;
	memmove(d + q->unfrag_len, d + UNFRAG_MAX, q->total);
	d[q->nh_off] = q->nh;
	size_t len = q->unfrag_len + q->total;
	if (len - IP6_HDR_LEN > 65535)
		goto bad;
	d[4] = (uint8_t) ((len - IP6_HDR_LEN) >> 8);
	d[5] = (uint8_t) (len - IP6_HDR_LEN);
	struct pbuf *whole = q->buf;
	q->buf = NULL;
	reasm6_free(s, q);
	s->ip6.ReasmOKs++;
	struct ip6_rx nrx = *rx;
	ip6_process(ifp, whole->data, len, &nrx, depth + 1);
	pbuf_free(&s->pc, whole);
	return;
bad:
	s->ip6.ReasmFails++;
	ifp->st.rx_errors++;
	reasm6_free(s, q);
}

static void ip6_deliver(struct ustack *s, struct ip6_rx *rx, size_t nh_offset) {
	int raw = raw6_input(s, rx);
	s->ip6.InDelivers++;
	switch (rx->proto) {
	case IP6_NH_ICMPV6:
		icmp6_input(s, rx);
		break;
	case IP6_NH_UDP:
		udp6_input(s, rx);
		break;
	case IP6_NH_TCP:
		tcp6_input(s, rx);
		break;
	case IP6_NH_NONE:
		break;
	default:
		if (raw == 0) {
			s->ip6.InUnknownProtos++;
			/* RFC 8200 4: parameter problem, unrecognized next header */
			icmp6_send_error(s, rx, ICMP6_PARAM_PROB, 1, (uint32_t) nh_offset);
		}
		break;
	}
}

static void ip6_process(struct netif *ifp, const uint8_t *p, size_t tot, struct ip6_rx *rx, int depth) {
	struct ustack *s = ifp->s;
	struct ip6ext_result res;
	rx->pkt = p;
	rx->pktlen = tot;
	switch (ip6ext_walk(p, tot, &res)) {
	case IP6EXT_UPPER:
		rx->proto = res.proto;
		rx->payload = p + res.offset;
		rx->plen = tot - res.offset;
		ip6_deliver(s, rx, res.nh_offset);
		return;
	case IP6EXT_FRAGMENT:
		if (depth > 0) {
			s->ip6.ReasmFails++;
			return;
		}
		ip6_reasm(ifp, p, tot, &res, rx, depth);
		return;
	case IP6EXT_PARAMPROB:
		rx->proto = 0;
		rx->payload = p + IP6_HDR_LEN;
		rx->plen = tot - IP6_HDR_LEN;
		icmp6_send_error(s, rx, ICMP6_PARAM_PROB, res.icmp_code, res.pointer);
		s->ip6.InHdrErrors++;
		return;
	default:
		s->ip6.InHdrErrors++;
		ifp->st.rx_dropped++;
		return;
	}
}

void ip6_input(struct netif *ifp, const uint8_t *p, size_t len, bool loop, bool ll_mcast) {
	struct ustack *s = ifp->s;
	struct ip6_rx rx = {.ifp = ifp, .loop = loop, .ll_mcast = ll_mcast};
	s->ip6.InReceives++;
	if (ip6_parse(p, len, &rx.ip) < 0) {
		s->ip6.InHdrErrors++;
		ifp->st.rx_errors++;
		return;
	}
	size_t tot = ip6_total_len(p);
	/* RFC 4291 2.7 / 2.5.3: no multicast source; ::1 never from the wire */
	if (ip6_addr_is_multicast(rx.ip.src) || (!loop && (ip6_addr_is_loopback(rx.ip.src) ||
			ip6_addr_is_loopback(rx.ip.dst)))) {
		s->ip6.InAddrErrors++;
		ifp->st.rx_dropped++;
		return;
	}
	if (ip6_addr_is_multicast(rx.ip.dst)) {
		rx.mcast = true;
		if (!ip6_mc_member(ifp, rx.ip.dst)) {
			s->ip6.InAddrErrors++;
			return;
		}
	} else if (!loop) {
		struct ifaddr6 *a = ip6_addr_find(s, rx.ip.dst, NULL);
		if (a == NULL || (a->flags & (IFA6_TENTATIVE | IFA6_DADFAILED))) {
			s->ip6.InAddrErrors++;
			ifp->st.rx_dropped++;
			return;
		}
	}
	ip6_process(ifp, p, tot, &rx, 0);
}
