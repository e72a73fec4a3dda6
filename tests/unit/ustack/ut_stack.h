/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Unit-test harness for ustack internals: a stack with lo and one Ethernet
 * interface on the capture link (link/capture.c: the frames sent are kept,
 * no VDE), a frame injector, and helpers to build datagrams. Timers run on a clock
 * the test chooses (stack_run_timers). */
#ifndef UT_STACK_H
#define UT_STACK_H
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "net/net.h"
#include "net/net6.h"
#include "socket/api.h"
#include "socket/sock.h"
#include "ustack.h"
#include "wire/arp.h"
#include "wire/checksum.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

#include <cmocka.h>

/* the frames sent on eth0, kept by its capture link (link/capture.c) */
#define UT_MAXFRAMES LINK_CAPTURE_MAX
static struct link_capture ut_cap;

static inline void ut_cap_clear(void) {
	capture_clear(&ut_cap);
}

static const uint8_t UT_MAC[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t UT_PEER_MAC[6] = {0x02, 0, 0, 0, 0, 0x02};

/* lo (index 1, 127.0.0.1/8, ::1) and eth0 (index 2, up, 198.18.0.1/24),
 * through the stack's one lifecycle (ustack.h) */
static inline struct ustack *ut_stack(void) {
	struct ustack *s = ustack_create();
	struct netif *e = capture_netif_new(s, &ut_cap, "eth0", UT_MAC, 1500);
	e->index = 2;
	ustack_attach(s, e);
	stack_lock(s);
	netif_set_up(e, true);
	ip4_addr_add(e, inet_addr("198.18.0.1"), 24, 0, false);
	stack_unlock(s);
	ut_cap_clear();
	return s;
}

static inline struct netif *ut_eth(struct ustack *s) {
	return netif_by_index(s, 2);
}

static inline void ut_stack_free(struct ustack *s) {
	ustack_destroy(s);
	ut_cap_clear();
}

/* Hand a frame to the stack as if received on eth0. */
/* Every entry of a family's neighbour table (AF_INET, AF_INET6), counted
 * on the interfaces' lists; the bytes queued on them summed the same way. */
static inline int ut_count_neigh(struct ustack *s, int family, size_t *qbytes) {
	int n = 0;
	*qbytes = 0;
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		for (struct neigh *e = family == AF_INET ? ifp->neigh : ifp->neigh6; e; e = e->next) {
			n++;
			*qbytes += e->qbytes;
		}
	return n;
}

static inline void ut_inject(struct ustack *s, const uint8_t *frame, size_t len) {
	stack_lock(s);
	capture_input(ut_eth(s), frame, len);
	stack_unlock(s);
}

/* Ethernet + IPv4 header around payload; frag_off in bytes. Returns length. */
static inline size_t ut_ip_frame(uint8_t *buf, const char *src, const char *dst, uint8_t proto,
		uint16_t id, uint16_t frag_off, int mf, const void *payload, size_t plen) {
	struct eth_repr e = {.type = ETHW_P_IP};
	memcpy(e.dst, UT_MAC, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, buf, 14);
	struct ipv4_repr h = {.src = inet_addr(src), .dst = inet_addr(dst), .proto = proto, .ttl = 64,
		.id = id, .frag_off = frag_off, .mf = (uint8_t) mf, .total_len = (uint16_t) (20 + plen)};
	ipv4_emit(&h, buf + 14, 20);
	memcpy(buf + 34, payload, plen);
	return 34 + plen;
}

/* The Ethernet and IPv6 headers (54 bytes) of a datagram from the peer
 * to the stack's MAC: next header nh, hop limit hlim, plen bytes after. */
static inline void ut_ip6_head(uint8_t *buf, const uint8_t *src, const uint8_t *dst, uint8_t nh,
		uint8_t hlim, uint16_t plen) {
	struct eth_repr e = {.type = ETHW_P_IPV6};
	memcpy(e.dst, UT_MAC, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, buf, 14);
	struct ip6_repr h = {.next_header = nh, .hop_limit = hlim, .payload_len = plen};
	memcpy(h.src, src, 16);
	memcpy(h.dst, dst, 16);
	ip6_emit(&h, buf + 14, 40);
}

/* A UDP datagram (header + payload) with a correct checksum. */
static inline size_t ut_udp(uint8_t *buf, const char *src, const char *dst, uint16_t sport,
		uint16_t dport, const void *payload, size_t plen) {
	memcpy(buf + 8, payload, plen);
	struct udp_repr u = {.sport = sport, .dport = dport};
	uint32_t s4 = inet_addr(src), d4 = inet_addr(dst);
	udp_emit(&u, buf, 8 + plen, csum_pseudo4(&s4, &d4, 17, (uint32_t) (8 + plen)), 0);
	return 8 + plen;
}

/* A UDP socket of s bound to port (through the socket API). */
static inline int ut_udp_socket(struct ustack *s, int port) {
	int fd = api_socket(s, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	if (fd >= 0 && api_bind(s, fd, (struct sockaddr *) &sin, sizeof(sin)) < 0) {
		api_close(s, fd);
		return -1;
	}
	return fd;
}

static inline ssize_t ut_recv(struct ustack *s, int fd, void *buf, size_t len) {
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	return api_recvmsg(s, fd, &msg, MSG_DONTWAIT);
}

/* The last captured frame of a given EtherType, or -1. */
static inline int ut_find(uint16_t type, int from) {
	for (int i = from; i < ut_cap.n; i++)
		if (ut_cap.len[i] >= 14 && (ut_cap.frame[i][12] << 8 | ut_cap.frame[i][13]) == type)
			return i;
	return -1;
}
#endif
