/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Reassembly queues shared by IPv4 (frag4.c) and IPv6 (ip6_input.c):
 * datagrams in progress per stack, found by a per-family key, each with
 * one buffer that every piece is copied into at its place, and a sorted,
 * merged list of the byte ranges received (RFC 815's hole list, kept as
 * ranges). The limits of RFC 4963 / Linux: REASM_MAX_DGRAMS in progress
 * (the oldest is evicted for a new one), REASM_MAX_FRAGS ranges each, a
 * timeout per family. Pieces that overlap partially make the datagram bad
 * (Linux since 4.19, RFC 5722); a piece contained in what arrived is a
 * duplicate and dropped alone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

static void reasm_timeout(struct ustack *s, struct utimer *t) {
	struct reasm *q = (struct reasm *) ((char *) t - offsetof(struct reasm, t));
	q->ops->expire(s, q);
	reasm_free(q);
}

void reasm_free(struct reasm *q) {
	struct ustack *s = q->s;
	for (struct reasm **pp = q->ops->list(s); *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	(*q->ops->count(s))--;
	utimer_cancel(s, &q->t);
	if (q->buf) {
		if (q->ops->bytes)
			*q->ops->bytes(s) -= q->buf->cap;
		pbuf_free(&s->pc, q->buf);
	}
	free(q);
}

void reasm_flush(const struct reasm_ops *ops, struct ustack *s) {
	struct reasm **head = ops->list(s);
	while (*head)
		reasm_free(*head);
}

struct reasm *reasm_get(const struct reasm_ops *ops, struct ustack *s, struct netif *ifp,
		const union reasm_key *key) {
	for (struct reasm *q = *ops->list(s); q; q = q->next)
		if (memcmp(&q->key, key, sizeof(*key)) == 0)
			return q;
	if (*ops->count(s) >= REASM_MAX_DGRAMS) {
		/* Linux evicts the oldest queue when over the high threshold */
		struct reasm *oldest = *ops->list(s);
		while (oldest && oldest->next)
			oldest = oldest->next;
		if (oldest == NULL)
			return NULL;
		(*ops->fails(s))++;
		reasm_free(oldest);
	}
	struct reasm *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	q->buf = pbuf_alloc(&s->pc, ops->bufsize, 0);
	if (q->buf == NULL) {
		free(q);
		return NULL;
	}
	q->ops = ops;
	q->s = s;
	q->key = *key;
	q->ifp = ifp;
	utimer_init(&q->t, reasm_timeout);
	utimer_arm_in(s, &q->t, ops->timeout_ns);
	struct reasm **head = ops->list(s);
	q->next = *head;
	*head = q;
	(*ops->count(s))++;
	if (ops->bytes)
		*ops->bytes(s) += q->buf->cap;
	return q;
}

/* Insert [start,end) into the sorted, merged list: 0, 1 for a duplicate
 * (contained in what we have: drop the piece, keep the datagram), -EINVAL
 * for a partial overlap, -ENOBUFS past REASM_MAX_FRAGS pieces. */
static int range_add(struct reasm *q, uint16_t start, uint16_t end) {
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

int reasm_add(struct reasm *q, size_t off, const uint8_t *data, size_t n, bool last) {
	if (last) {
		uint32_t total = (uint32_t) (off + n);
		/* a second, different end, or data already beyond it */
		if ((q->total && q->total != total) || (q->nranges && q->r[q->nranges - 1].end > total))
			return -EINVAL;
		q->total = total;
	} else if (q->total && off + n > q->total)
		return -EINVAL;
	if (n) {
		int r = range_add(q, (uint16_t) off, (uint16_t) (off + n));
		if (r != 0)
			return r;
	}
	memcpy(q->buf->data + q->ops->data_off + off, data, n);
	return 0;
}

void reasm_first(struct reasm *q, const uint8_t *hdr, size_t hlen) {
	q->hlen = hlen;
	memcpy(q->buf->data, hdr, hlen);
}

bool reasm_complete(const struct reasm *q) {
	return q->total && q->hlen && q->nranges == 1 && q->r[0].start == 0 && q->r[0].end == q->total;
}

struct pbuf *reasm_take(struct reasm *q) {
	struct pbuf *whole = q->buf;
	if (q->ops->bytes)
		*q->ops->bytes(q->s) -= whole->cap;
	q->buf = NULL;
	reasm_free(q);
	return whole;
}
