/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv4 reassembly (RFC 791 section 3.2) on the queues of reasm.c, which
 * hold the limits RFC 4963 / Linux apply so that fragments cannot exhaust
 * memory; REASM_TIMEOUT_NS to complete. Each datagram in progress owns one
 * 64 KiB buffer and the payload of every piece is copied straight to its
 * place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/checksum.h"
#include "net.h"

static struct reasm **frag4_list(struct ustack *s) {
	return &s->reasm;
}

static int *frag4_count(struct ustack *s) {
	return &s->nreasm;
}

static uint64_t *frag4_fails(struct ustack *s) {
	return &s->mib->ip4.ReasmFails;
}

static size_t *frag4_bytes(struct ustack *s) {
	return &s->reasm_bytes;
}

static void frag4_expire(struct ustack *s, struct reasm *q) {
	s->mib->ip4.ReasmTimeout++;
	s->mib->ip4.ReasmFails++;
	/* RFC 792 / 1122 3.2.2.4: time exceeded (code 1), only when the first
	 * fragment arrived: the error must quote the start of the datagram */
	if (q->hlen && q->nranges && q->r[0].start == 0) {
		struct ip4_rx rx = {.ifp = q->ifp};
		rx.ip.src = q->key.v4.src;
		rx.ip.dst = q->key.v4.dst;
		rx.ip.proto = q->key.v4.proto;
		rx.ip.hdr_len = (uint16_t) q->hlen;
		rx.hdr = q->buf->data;
		rx.payload = q->buf->data + 60;
		rx.plen = q->r[0].end;
		icmp4_send_error(s, &rx, 11, 1, 0);
	}
}

/* the payload lives after a maximal header slot, moved down at the end */
static const struct reasm_ops frag4_ops = {
	.bufsize = IPV4W_MAXLEN + 60,
	.data_off = 60,
	.timeout_ns = REASM_TIMEOUT_NS,
	.list = frag4_list,
	.count = frag4_count,
	.fails = frag4_fails,
	.bytes = frag4_bytes,
	.expire = frag4_expire,
};

void ip4_reasm_flush(struct ustack *s) {
	reasm_flush(&frag4_ops, s);
}

struct pbuf *ip4_reasm(struct ustack *s, struct ip4_rx *rx) {
	s->mib->ip4.ReasmReqds++;
	size_t off = rx->ip.frag_off, n = rx->plen;
	/* RFC 791: every piece but the last carries a multiple of 8 bytes */
	if ((rx->ip.mf && (n == 0 || (n & 7))) || off + n > IPV4W_MAXLEN - IPV4W_HLEN) {
		s->mib->ip4.ReasmFails++;
		rx->ifp->st.rx_errors++;
		return NULL;
	}
	union reasm_key key;
	memset(&key, 0, sizeof(key));
	key.v4.src = rx->ip.src;
	key.v4.dst = rx->ip.dst;
	key.v4.id = rx->ip.id;
	key.v4.proto = rx->ip.proto;
	struct reasm *q = reasm_get(&frag4_ops, s, rx->ifp, &key);
	if (q == NULL) {
		s->mib->ip4.ReasmFails++;
		rx->ifp->st.rx_dropped++;
		return NULL;
	}
	int r = reasm_add(q, off, rx->payload, n, !rx->ip.mf);
	if (r < 0)
		goto bad;
	if (r > 0) {
		rx->ifp->st.rx_dropped++;
		return NULL;
	}
	if (off == 0)
		reasm_first(q, rx->hdr, rx->ip.hdr_len);
	if (!reasm_complete(q))
		return NULL;
	/* complete: header right before the payload, then hand it over */
	size_t hdr_len = q->hlen;
	uint32_t total = q->total;
	struct pbuf *whole = reasm_take(q);
	uint8_t *payload = whole->data + 60;
	uint8_t *hdr = payload - hdr_len;
	memmove(hdr, whole->data, hdr_len);
	whole->data = hdr;
	whole->len = (uint32_t) (hdr_len + total);
	s->mib->ip4.ReasmOKs++;
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
	s->mib->ip4.ReasmFails++;
	rx->ifp->st.rx_errors++;
	reasm_free(q);
	return NULL;
}
