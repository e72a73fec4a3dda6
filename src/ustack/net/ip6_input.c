/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv6 input (RFC 8200): header checks, local delivery (any of our
 * addresses, as Linux; joined groups), extension headers walked by
 * wire/ip6ext with its verdicts, reassembly (RFC 8200 4.5 on the queues
 * of reasm.c; overlaps drop the datagram, RFC 5722), protocol demux. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/icmp6.h"
#include "../wire/ip6ext.h"
#include "net.h"
#include "net6.h"
#include "proto.h"

#define REASM6_TIMEOUT_NS MS(60000)  /* RFC 8200 4.5: 60 s */
#define UNFRAG_MAX 200         /* unfragmentable part we keep room for */

static struct reasm **reasm6_list(struct ustack *s) {
	return &s->reasm6;
}

static int *reasm6_count(struct ustack *s) {
	return &s->nreasm6;
}

static uint64_t *reasm6_fails(struct ustack *s) {
	return &s->mib->ip6.ReasmFails;
}

static void reasm6_expire(struct ustack *s, struct reasm *q) {
	s->mib->ip6.ReasmFails++;
	/* RFC 8200 4.5: time exceeded (reassembly) if the first piece came */
	if (q->hlen && q->nranges && q->r[0].start == 0) {
		struct ip6_rx rx = {.ifp = q->ifp, .pkt = q->buf->data, .pktlen = q->hlen + q->r[0].end};
		memmove(q->buf->data + q->hlen, q->buf->data + UNFRAG_MAX, q->r[0].end);
		ip6_parse(q->buf->data, rx.pktlen, &rx.ip);
		memcpy(rx.ip.src, q->key.v6.src, 16);
		memcpy(rx.ip.dst, q->key.v6.dst, 16);
		icmp6_send_error(s, &rx, ICMP6_TIME_EXCEEDED, ICMP6_TE_REASSEMBLY, 0);
	}
}

static const struct reasm_ops reasm6_ops = {
	.bufsize = UNFRAG_MAX + 65536,
	.data_off = UNFRAG_MAX,
	.timeout_ns = REASM6_TIMEOUT_NS,
	.list = reasm6_list,
	.count = reasm6_count,
	.fails = reasm6_fails,
	.expire = reasm6_expire,
};

void ip6_reasm_flush(struct ustack *s) {
	reasm_flush(&reasm6_ops, s);
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
		s->mib->ip6.ReasmFails++;
		return;
	}
	union reasm_key key;
	memset(&key, 0, sizeof(key));
	memcpy(key.v6.src, rx->ip.src, 16);
	memcpy(key.v6.dst, rx->ip.dst, 16);
	key.v6.ident = res->frag.ident;
	struct reasm *q = reasm_get(&reasm6_ops, s, ifp, &key);
	if (q == NULL)
		return;
	int r = reasm_add(q, fo, p + data_off, n, !res->frag.more);
	if (r < 0)
		goto bad;
	if (r > 0)
		return;
	if (fo == 0) {
		reasm_first(q, p, res->frag_offset);
		q->nh_off = res->frag_nh_offset;
		q->nh = res->frag.next_header;
	}
	if (!reasm_complete(q))
		return;
	/* complete: unfragmentable part, then the payload; Next Header and
	 * Payload Length rewritten (RFC 8200 4.5) */
	uint8_t *d = q->buf->data;
	memmove(d + q->hlen, d + UNFRAG_MAX, q->total);
	d[q->nh_off] = q->nh;
	size_t len = q->hlen + q->total;
	if (len - IP6_HDR_LEN > 65535)
		goto bad;
	d[4] = (uint8_t) ((len - IP6_HDR_LEN) >> 8);
	d[5] = (uint8_t) (len - IP6_HDR_LEN);
	struct pbuf *whole = reasm_take(q);
	s->mib->ip6.ReasmOKs++;
	struct ip6_rx nrx = *rx;
	ip6_process(ifp, whole->data, len, &nrx, depth + 1);
	pbuf_free(&s->pc, whole);
	return;
bad:
	s->mib->ip6.ReasmFails++;
	ifp->st.rx_errors++;
	reasm_free(q);
}

static void ip6_deliver(struct ustack *s, struct ip6_rx *rx, size_t nh_offset) {
	const struct net_protos *np = s->protos;
	int raw = np->raw6_input ? np->raw6_input(s, rx) : 0;
	s->mib->ip6.InDelivers++;
	const struct ip6_proto *pr = &np->v6[rx->proto];
	if (pr->input)
		pr->input(s, rx);
	else if (rx->proto != IP6_NH_NONE && raw == 0) {
		s->mib->ip6.InUnknownProtos++;
		/* RFC 8200 4: parameter problem, unrecognized next header */
		icmp6_send_error(s, rx, ICMP6_PARAM_PROB, 1, (uint32_t) nh_offset);
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
			s->mib->ip6.ReasmFails++;
			return;
		}
		ip6_reasm(ifp, p, tot, &res, rx, depth);
		return;
	case IP6EXT_PARAMPROB:
		rx->proto = 0;
		rx->payload = p + IP6_HDR_LEN;
		rx->plen = tot - IP6_HDR_LEN;
		icmp6_send_error(s, rx, ICMP6_PARAM_PROB, res.icmp_code, res.pointer);
		s->mib->ip6.InHdrErrors++;
		return;
	default:
		s->mib->ip6.InHdrErrors++;
		ifp->st.rx_dropped++;
		return;
	}
}

void ip6_input(struct netif *ifp, const uint8_t *p, size_t len, bool loop, bool ll_mcast) {
	struct ustack *s = ifp->s;
	struct ip6_rx rx = {.ifp = ifp, .loop = loop, .ll_mcast = ll_mcast};
	s->mib->ip6.InReceives++;
	if (ip6_parse(p, len, &rx.ip) < 0) {
		s->mib->ip6.InHdrErrors++;
		ifp->st.rx_errors++;
		return;
	}
	size_t tot = ip6_total_len(p);
	/* RFC 4291 2.7 / 2.5.3: no multicast source; ::1 never from the wire */
	if (ip6_addr_is_multicast(rx.ip.src) || (!loop && (ip6_addr_is_loopback(rx.ip.src) ||
			ip6_addr_is_loopback(rx.ip.dst)))) {
		s->mib->ip6.InAddrErrors++;
		ifp->st.rx_dropped++;
		return;
	}
	if (ip6_addr_is_multicast(rx.ip.dst)) {
		rx.mcast = true;
		if (!ip6_mc_member(ifp, rx.ip.dst)) {
			s->mib->ip6.InAddrErrors++;
			return;
		}
	} else if (!loop) {
		struct ifaddr6 *a = ip6_addr_find(s, rx.ip.dst, NULL);
		if (a == NULL || (a->flags & (IFA6_TENTATIVE | IFA6_DADFAILED))) {
			s->mib->ip6.InAddrErrors++;
			ifp->st.rx_dropped++;
			return;
		}
	}
	ip6_process(ifp, p, tot, &rx, 0);
}
