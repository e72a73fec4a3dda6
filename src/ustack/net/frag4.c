/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv4 reassembly (RFC 791 section 3.2, RFC 815 hole list idea), with the
 * limits RFC 4963 / Linux apply so that fragments cannot exhaust memory:
 * at most REASM_MAX_DGRAMS datagrams in progress per stack, REASM_MAX_FRAGS
 * pieces each, REASM_TIMEOUT_NS to complete. A datagram whose pieces
 * overlap is dropped whole (Linux since 4.19: overlaps are an attack, not
 * a retransmission). Each datagram in progress owns one 64 KiB buffer and
 * the payload of every piece is copied straight to its place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/checksum.h"
#include "net.h"

struct frag_range {
	uint16_t start, end;          /* payload bytes [start, end) */
};

struct reasm4 {
	struct reasm4 *next;
	struct ustack *s;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	struct netif *ifp;
	struct pbuf *buf;             /* header at data, payload after hdrlen */
	uint16_t hdr_len;             /* of the first fragment, 0 until seen */
	uint32_t total;               /* payload length, 0 until the last piece */
	int nranges;
	struct frag_range r[REASM_MAX_FRAGS];
	struct utimer t;
};

static void reasm_unlink(struct ustack *s, struct reasm4 *q) {
	for (struct reasm4 **pp = &s->reasm; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	s->nreasm--;
	utimer_cancel(s, &q->t);
	if (q->buf) {
		s->reasm_bytes -= q->buf->cap;
		pbuf_free(&s->pc, q->buf);
	}
	free(q);
}

static void reasm_timeout(struct ustack *s, struct utimer *t) {
	struct reasm4 *q = (struct reasm4 *) ((char *) t - offsetof(struct reasm4, t));
	s->ip4.ReasmTimeout++;
	s->ip4.ReasmFails++;
	/* RFC 792 / 1122 3.2.2.4: time exceeded (code 1), only when the first
	 * fragment arrived: the error must quote the start of the datagram */
	if (q->hdr_len && q->nranges && q->r[0].start == 0) {
		struct ip4_rx rx = {.ifp = q->ifp};
		rx.ip.src = q->src;
		rx.ip.dst = q->dst;
		rx.ip.proto = q->proto;
		rx.ip.hdr_len = q->hdr_len;
		rx.hdr = q->buf->data;
		rx.payload = q->buf->data + 60;
		rx.plen = q->r[0].end;
		icmp4_send_error(s, &rx, 11, 1, 0);
	}
	reasm_unlink(s, q);
}

void ip4_reasm_flush(struct ustack *s) {
	while (s->reasm)
		reasm_unlink(s, s->reasm);
}

static struct reasm4 *reasm_find(struct ustack *s, const struct ip4_rx *rx) {
	for (struct reasm4 *q = s->reasm; q; q = q->next)
		if (q->id == rx->ip.id && q->src == rx->ip.src && q->dst == rx->ip.dst &&
				q->proto == rx->ip.proto)
			return q;
	if (s->nreasm >= REASM_MAX_DGRAMS) {
		/* Linux evicts the oldest queue when over the high threshold */
		struct reasm4 *oldest = s->reasm;
		while (oldest && oldest->next)
			oldest = oldest->next;
		if (oldest == NULL)
			return NULL;
		s->ip4.ReasmFails++;
		reasm_unlink(s, oldest);
	}
	struct reasm4 *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	q->buf = pbuf_alloc(&s->pc, IPV4W_MAXLEN + 60, 0);
	if (q->buf == NULL) {
		free(q);
		return NULL;
	}
	q->s = s;
	q->src = rx->ip.src;
	q->dst = rx->ip.dst;
	q->id = rx->ip.id;
	q->proto = rx->ip.proto;
	q->ifp = rx->ifp;
	utimer_init(&q->t, reasm_timeout);
	utimer_arm_in(s, &q->t, REASM_TIMEOUT_NS);
	q->next = s->reasm;
	s->reasm = q;
	s->nreasm++;
	s->reasm_bytes += q->buf->cap;
	return q;
}

/* Insert [start,end) into the sorted, merged list: 0, 1 for a duplicate
 * (contained in what we have: drop the piece, keep the datagram), -EINVAL
 * for a partial overlap, -ENOBUFS past REASM_MAX_FRAGS pieces. */
static int range_add(struct reasm4 *q, uint16_t start, uint16_t end) {
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
		if (n == REASM_MAX_FRAGS)
			return -ENOBUFS;
		memmove(&q->r[i + 1], &q->r[i], sizeof(q->r[0]) * (size_t) (n - i));
		q->r[i].start = start;
		q->r[i].end = end;
		q->nranges++;
	}
	return 0;
}

struct pbuf *ip4_reasm(struct ustack *s, struct ip4_rx *rx) {
	s->ip4.ReasmReqds++;
	size_t off = rx->ip.frag_off, n = rx->plen;
	/* RFC 791: every piece but the last carries a multiple of 8 bytes */
	if ((rx->ip.mf && (n == 0 || (n & 7))) || off + n > IPV4W_MAXLEN - IPV4W_HLEN) {
		s->ip4.ReasmFails++;
		rx->ifp->st.rx_errors++;
		return NULL;
	}
	struct reasm4 *q = reasm_find(s, rx);
	if (q == NULL) {
		s->ip4.ReasmFails++;
		rx->ifp->st.rx_dropped++;
		return NULL;
	}
	if (!rx->ip.mf) {
		uint32_t total = (uint32_t) (off + n);
		/* a second, different end, or data already beyond it */
		if ((q->total && q->total != total) ||
				(q->nranges && q->r[q->nranges - 1].end > total))
			goto bad;
		q->total = total;
	} else if (q->total && off + n > q->total)
		goto bad;
	if (n) {
		int r = range_add(q, (uint16_t) off, (uint16_t) (off + n));
		if (r < 0)
			goto bad;
		if (r > 0) {
			rx->ifp->st.rx_dropped++;
			return NULL;
		}
	}
	if (off == 0) {
		q->hdr_len = rx->ip.hdr_len;
		memcpy(q->buf->data, rx->hdr, rx->ip.hdr_len);
	}
	/* the payload lives after a maximal header slot, moved down at the end */
	memcpy(q->buf->data + 60 + off, rx->payload, n);
	if (!(q->total && q->hdr_len && q->nranges == 1 && q->r[0].start == 0 &&
				q->r[0].end == q->total))
		return NULL;
	/* complete: header right before the payload, then hand it over */
	struct pbuf *whole = q->buf;
	uint8_t *payload = whole->data + 60;
	uint8_t *hdr = payload - q->hdr_len;
	memmove(hdr, whole->data, q->hdr_len);
	whole->data = hdr;
	whole->len = (uint32_t) (q->hdr_len + q->total);
	s->reasm_bytes -= whole->cap;
	q->buf = NULL;
	reasm_unlink(s, q);
	s->ip4.ReasmOKs++;
	/* rewrite the header as a whole datagram, for raw sockets */
	uint16_t tl = (uint16_t) whole->len;
	hdr[2] = (uint8_t) (tl >> 8);
	hdr[3] = (uint8_t) tl;
	hdr[6] = hdr[7] = 0;
	hdr[10] = hdr[11] = 0;
	uint16_t c = csum_buf(hdr, (size_t) (payload - hdr));
	hdr[10] = (uint8_t) (c >> 8);
	hdr[11] = (uint8_t) c;
	rx->ip.total_len = tl;
	rx->ip.frag_off = 0;
	rx->ip.mf = 0;
	rx->ip.hdr_len = (uint16_t) (payload - hdr);
	rx->hdr = hdr;
	rx->payload = payload;
	rx->plen = (size_t) (tl - rx->ip.hdr_len);
	return whole;
bad:
	s->ip4.ReasmFails++;
	rx->ifp->st.rx_errors++;
	reasm_unlink(s, q);
	return NULL;
}
