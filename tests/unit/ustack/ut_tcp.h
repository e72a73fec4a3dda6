/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP on the test link (ut_stack.h), for the TCP unit tests: segments
 * from the peer (UT_TCP_PEER to the stack's UT_TCP_ME over IPv4), built
 * with wire/tcp.c, checksummed and injected; the stack's own segments
 * read back from the capture. */
#ifndef UT_TCP_H
#define UT_TCP_H
#include <linux/if_ether.h>

#include "ut_stack.h"
#include "wire/tcp.h"

#define UT_TCP_PEER "198.18.0.2"
#define UT_TCP_ME "198.18.0.1"

/* The peer's MAC, learned by the stack from its ARP request: the
 * stack's segments then leave at once. */
static inline void ut_tcp_learn_peer(struct ustack *s) {
	uint8_t f[64];
	struct eth_repr e = {.type = ETHW_P_ARP};
	memset(e.dst, 0xff, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, f, 14);
	struct arp_repr a = {.op = 1, .spa = inet_addr(UT_TCP_PEER), .tpa = inet_addr(UT_TCP_ME)};
	memcpy(a.sha, UT_PEER_MAC, 6);
	arp_emit(&a, f + 14, 28);
	ut_inject(s, f, 42);
}

/* The segment r from the peer, with a correct checksum, in an IPv4
 * header of TOS tos (its ECN field), injected. */
static inline void ut_tcp_inject(struct ustack *s, const struct tcp_repr *r, uint8_t tos) {
	uint8_t t[1600], f[1700];
	int n = tcp_emit(r, t, sizeof(t));
	assert_true(n > 0);
	uint32_t a = inet_addr(UT_TCP_PEER), b = inet_addr(UT_TCP_ME);
	tcp_fill_checksum4((uint8_t *) &a, (uint8_t *) &b, t, (size_t) n);
	struct eth_repr e = {.type = ETHW_P_IP};
	memcpy(e.dst, UT_MAC, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, f, 14);
	struct ipv4_repr h = {.src = a, .dst = b, .proto = 6, .ttl = 64, .tos = tos, .id = 1,
		.total_len = (uint16_t) (20 + n)};
	ipv4_emit(&h, f + 14, 20);
	memcpy(f + 34, t, (size_t) n);
	ut_inject(s, f, 34 + (size_t) n);
}

/* A segment from the peer: window 65535, options o (NULL: none). */
static inline void ut_tcp_seg(struct ustack *s, uint16_t sport, uint16_t dport, uint32_t seqno,
		uint32_t ackno, uint8_t flags, const void *data, size_t len, const struct tcp_opts *o) {
	struct tcp_repr r = {.sport = sport, .dport = dport, .seq = seqno, .ack = ackno, .flags = flags,
		.window = 65535, .payload = data, .payload_len = len};
	if (o)
		r.opt = *o;
	ut_tcp_inject(s, &r, 0);
}

/* The TCP header of captured frame i (NULL: not TCP over IPv4). */
static inline const uint8_t *ut_tcp_of(int i) {
	const uint8_t *f = ut_cap.frame[i];
	if (ut_cap.len[i] < 54 || (f[12] << 8 | f[13]) != ETH_P_IP || f[23] != 6)
		return NULL;
	return f + 34;
}

/* The last TCP segment the stack sent from capture index from on,
 * parsed into r; false if none. */
static inline bool ut_tcp_last(int from, struct tcp_repr *r) {
	for (int i = ut_cap.n - 1; i >= from; i--)
		if (ut_tcp_of(i))
			return tcp_parse(ut_tcp_of(i), ut_cap.len[i] - 34, r) == 0;
	return false;
}
#endif
