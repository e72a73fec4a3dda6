/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Per-socket bounds. Receive queues under a flood nobody reads: UDP, raw and packet sockets
 * keep what SO_RCVBUF allows, count every drop (the socket's drops,
 * UDP RcvbufErrors) and report them with SO_RXQ_OVFL as Linux does: the
 * drops so far ride with each datagram queued afterwards. Multicast
 * memberships: igmp_max_memberships (20) per socket. IPv6 reassembly:
 * 64 datagrams in progress (4 MiB, ip6frag_high_thresh), oldest evicted. */
#include <linux/if_ether.h>
#include <netpacket/packet.h>

#include "ut_stack.h"
#include "udp/udp.h"
#include "wire/ipv6.h"

#define FLOOD 300

static int sink(struct ustack *s, int domain, int type, int protocol) {
	int fd = api_socket(s, domain, type | SOCK_NONBLOCK, protocol);
	assert_true(fd >= 0);
	if (domain == AF_INET && type == SOCK_DGRAM) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
		assert_int_equal(api_bind(s, fd, (struct sockaddr *) &sin, sizeof(sin)), 0);
	}
	int rcvbuf = 4096, one = 1;
	assert_int_equal(api_setsockopt(s, fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
	assert_int_equal(api_setsockopt(s, fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)), 0);
	int v = 0;
	socklen_t vl = sizeof(v);
	assert_int_equal(api_getsockopt(s, fd, SOL_SOCKET, SO_RXQ_OVFL, &v, &vl), 0);
	assert_int_equal(v, 1);
	return fd;
}

static void inject_udp(struct ustack *s, int i) {
	uint8_t f[256], u[160], payload[100];
	memset(payload, i, sizeof(payload));
	size_t ul = ut_udp(u, "198.18.0.2", "198.18.0.1", 4000, 9, payload, sizeof(payload));
	ut_inject(s, f, ut_ip_frame(f, "198.18.0.2", "198.18.0.1", 17, (uint16_t) i, 0, 0, u, ul));
}

/* The queue of fd is within its buffer and its drops are counted. */
static uint64_t check_bounded(struct ustack *s, int fd) {
	struct usock *sk = sock_get(s, fd);
	assert_non_null(sk);
	assert_true(sk->rcvbuf == 8192);  /* Linux doubles the value asked */
	assert_true(sk->rxbytes <= (size_t) sk->rcvbuf);
	assert_non_null(sk->rxq);
	uint64_t drops = sk->rx_drops;
	sock_put(sk);
	return drops;
}

/* Read the whole queue: returns how many; *ovfl the last SO_RXQ_OVFL seen
 * (0 when none came). */
static int drain(struct ustack *s, int fd, uint32_t *ovfl) {
	int n = 0;
	*ovfl = 0;
	for (;;) {
		uint8_t buf[2048];
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(sizeof(uint32_t)) + 256];
		} cb;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b,
			.msg_controllen = sizeof(cb.b)};
		if (api_recvmsg(s, fd, &msg, MSG_DONTWAIT) < 0) {
			assert_int_equal(errno, EAGAIN);
			return n;
		}
		n++;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
				memcpy(ovfl, CMSG_DATA(c), sizeof(*ovfl));
	}
}

static void test_flood_unread_sockets(void **state) {
	struct ustack *s = ut_stack();
	int fu = sink(s, AF_INET, SOCK_DGRAM, 0);
	int fr = sink(s, AF_INET, SOCK_RAW, IPPROTO_UDP);
	int fp = sink(s, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	uint64_t rcvbuf_err0 = s->udp->RcvbufErrors;
	for (int i = 0; i < FLOOD; i++)
		inject_udp(s, i);
	int fds[] = {fu, fr, fp};
	uint64_t drops[3];
	int queued[3];
	for (int k = 0; k < 3; k++) {
		drops[k] = check_bounded(s, fds[k]);
		uint32_t ovfl;
		queued[k] = drain(s, fds[k], &ovfl);
		/* all of these were queued before the first drop */
		assert_int_equal(ovfl, 0);
		assert_true(queued[k] > 0);
		/* every datagram was either queued or counted as dropped */
		assert_int_equal((uint64_t) queued[k] + drops[k], FLOOD);
		assert_true(drops[k] > 0);
	}
	assert_int_equal(s->udp->RcvbufErrors - rcvbuf_err0, drops[0]);
	/* the next datagram carries the drops so far */
	inject_udp(s, FLOOD);
	for (int k = 0; k < 3; k++) {
		uint32_t ovfl;
		assert_int_equal(drain(s, fds[k], &ovfl), 1);
		assert_int_equal(ovfl, (uint32_t) drops[k]);
	}
	/* without the option, no such message */
	int zero = 0;
	assert_int_equal(api_setsockopt(s, fu, SOL_SOCKET, SO_RXQ_OVFL, &zero, sizeof(zero)), 0);
	inject_udp(s, FLOOD + 1);
	uint32_t ovfl;
	assert_int_equal(drain(s, fu, &ovfl), 1);
	assert_int_equal(ovfl, 0);
	for (int k = 0; k < 3; k++)
		api_close(s, fds[k]);
	ut_stack_free(s);
}

/* Datagrams too big for a standard buffer are charged the large buffer
 * that holds them: the memory a queue holds stays near SO_RCVBUF. */
static void test_large_datagrams_charged_by_buffer(void **state) {
	struct ustack *s = ut_stack();
	int fd = ut_udp_socket(s, 9);
	static uint8_t f[2300], u[2300], payload[2100];
	int queued = 0;
	for (int i = 0; i < 50; i++) {
		size_t ul = ut_udp(u, "198.18.0.2", "198.18.0.1", 4000, 9, payload, sizeof(payload));
		ut_inject(s, f, ut_ip_frame(f, "198.18.0.2", "198.18.0.1", 17, (uint16_t) i, 0, 0, u, ul));
	}
	struct usock *sk = sock_get(s, fd);
	assert_non_null(sk);
	for (struct pbuf *p = sk->rxq; p; p = p->next) {
		queued++;
		assert_int_equal(p->len, sizeof(payload));
	}
	assert_true(sk->rxbytes <= (size_t) sk->rcvbuf);
	assert_true(queued > 0);
	/* the buffers held are within the receive buffer */
	assert_true((size_t) queued * PBUF_BIG_CAP <= (size_t) sk->rcvbuf);
	assert_int_equal(sk->rx_drops, 50 - queued);
	sock_put(sk);
	uint8_t buf[4096];
	for (int i = 0; i < queued; i++)
		assert_int_equal(ut_recv(s, fd, buf, sizeof(buf)), (ssize_t) sizeof(payload));
	sk = sock_get(s, fd);
	assert_int_equal(sk->rxbytes, 0);
	sock_put(sk);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_membership_limit(void **state) {
	struct ustack *s = ut_stack();
	int fd = ut_udp_socket(s, 0);
	int fd6 = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	for (int i = 0; i <= SOCK_MAX_MEMBERSHIPS; i++) {
		struct ip_mreqn mr = {.imr_multiaddr.s_addr = htonl(0xe0010100u + (unsigned) i), .imr_ifindex = 2};
		int r = api_setsockopt(s, fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
		struct ipv6_mreq m6 = {.ipv6mr_interface = 2};
		m6.ipv6mr_multiaddr.s6_addr[0] = 0xff;
		m6.ipv6mr_multiaddr.s6_addr[1] = 0x05;
		m6.ipv6mr_multiaddr.s6_addr[15] = (uint8_t) (i + 1);
		int r6 = api_setsockopt(s, fd6, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6, sizeof(m6));
		if (i < SOCK_MAX_MEMBERSHIPS) {
			assert_int_equal(r, 0);
			assert_int_equal(r6, 0);
		} else {
			/* Linux ip_mc_join_group past igmp_max_memberships */
			assert_int_equal(r, -1);
			assert_int_equal(errno, ENOBUFS);
			assert_int_equal(r6, -1);
			assert_int_equal(errno, ENOBUFS);
		}
	}
	/* closing releases them all from the interface */
	api_close(s, fd);
	api_close(s, fd6);
	stack_lock(s);
	assert_false(ip4_mc_member(ut_eth(s), htonl(0xe0010100u)));
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_reasm6_bound(void **state) {
	struct ustack *s = ut_stack();
	static const uint8_t me[16] = {0xfd, [15] = 1}, peer[16] = {0xfd, [15] = 2};
	stack_lock(s);
	assert_int_equal(ip6_addr_add(ut_eth(s), me, 64, IFA6_NODAD, true), 0);
	stack_unlock(s);
	uint64_t fails0 = s->mib->ip6.ReasmFails;
	static uint8_t f[14 + 40 + 8 + 1000];
	for (uint32_t id = 1; id <= 80; id++) {
		struct eth_repr e = {.type = ETHW_P_IPV6};
		memcpy(e.dst, UT_MAC, 6);
		memcpy(e.src, UT_PEER_MAC, 6);
		eth_emit(&e, f, 14);
		struct ip6_repr h = {.next_header = 44, .hop_limit = 64, .payload_len = 8 + 1000};
		memcpy(h.src, peer, 16);
		memcpy(h.dst, me, 16);
		ip6_emit(&h, f + 14, 40);
		/* a first fragment (offset 0, M set) of a UDP datagram that never ends */
		uint8_t *fh = f + 54;
		memset(fh, 0, 8);
		fh[0] = 17;
		fh[3] = 1;
		fh[4] = (uint8_t) (id >> 24);
		fh[5] = (uint8_t) (id >> 16);
		fh[6] = (uint8_t) (id >> 8);
		fh[7] = (uint8_t) id;
		ut_inject(s, f, sizeof(f));
	}
	assert_int_equal(s->nreasm6, 64);
	assert_int_equal(s->mib->ip6.ReasmFails - fails0, 80 - 64);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_unread_sockets),
		cmocka_unit_test(test_large_datagrams_charged_by_buffer),
		cmocka_unit_test(test_membership_limit),
		cmocka_unit_test(test_reasm6_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
