/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Packet buffers: one contiguous block with headroom in front of the data,
 * so each layer prepends its header in place on the way down. Buffers come
 * from a per-stack cache of two size classes (a standard frame and a 64 KiB
 * frame for loopback, large MTUs and reassembly), so the data path does not
 * call malloc once the cache is warm. Not thread-safe: the cache belongs to
 * a stack and is used under its lock. */
#ifndef USTACK_CORE_PBUF_H
#define USTACK_CORE_PBUF_H
#include <stddef.h>
#include <stdint.h>

/* Ethernet (14) + IPv4/IPv6 headers with options (60) + TCP with options (60),
 * rounded up. */
#define PBUF_HEADROOM 160
#define PBUF_SMALL_CAP 2048
#define PBUF_BIG_CAP (65536 + 256)
#define PBUF_CACHE_SMALL 16
#define PBUF_CACHE_BIG 1

/* What a socket queue keeps about a received datagram, besides the bytes. */
struct pbuf_meta {
	uint32_t saddr, daddr;   /* IPv4, network order */
	uint16_t sport;          /* network order; for packet sockets: protocol */
	uint8_t ttl, tos;
	int ifindex;
	uint8_t pkttype, halen, hatype_lo;
	uint8_t haddr[8];
	uint32_t origlen;        /* length before truncation (packet sockets) */
	uint32_t drops;          /* the socket's drops when queued (SO_RXQ_OVFL) */
	uint8_t v6;              /* the IPv6 addresses below are the ones */
	uint8_t saddr6[16], daddr6[16];
	/* an error queued for MSG_ERRQUEUE: saddr(6) the offender, daddr(6)
	 * and sport the original destination */
	uint8_t ee_errno, ee_origin, ee_type, ee_code;
	uint32_t ee_info;
	uint32_t ee_data;        /* MSG_ZEROCOPY: the last call of the range */
	uint64_t rx_ns;          /* SO_TIMESTAMPING: arrival, CLOCK_REALTIME ns (0: none) */
};

struct pbuf {
	struct pbuf *next;
	uint8_t *data;
	uint32_t len;
	uint32_t cap;
	struct pbuf_meta m;
	uint8_t buf[];
};

struct pbuf_cache {
	struct pbuf *small, *big;
	unsigned nsmall, nbig;
};

/* A buffer with len bytes of data after headroom bytes. NULL on ENOMEM or
 * when len + headroom exceeds the big class (-> caller reports EMSGSIZE). */
struct pbuf *pbuf_alloc(struct pbuf_cache *c, size_t len, size_t headroom);
void pbuf_free(struct pbuf_cache *c, struct pbuf *p);
void pbuf_free_chain(struct pbuf_cache *c, struct pbuf *p);
void pbuf_cache_clear(struct pbuf_cache *c);

static inline size_t pbuf_headroom(const struct pbuf *p) {
	return (size_t) (p->data - p->buf);
}
/* Extend the data n bytes to the front; NULL when the headroom is short. */
static inline uint8_t *pbuf_push(struct pbuf *p, size_t n) {
	if (pbuf_headroom(p) < n)
		return NULL;
	p->data -= n;
	p->len += (uint32_t) n;
	return p->data;
}
static inline void pbuf_pull(struct pbuf *p, size_t n) {
	if (n > p->len)
		n = p->len;
	p->data += n;
	p->len -= (uint32_t) n;
}
#endif
