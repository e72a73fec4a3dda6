/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Path MTU discovery and error queues on the test link: an ICMP
 * "fragmentation needed" quoting a datagram of ours lowers the path MTU
 * (IP_MTU, fragments at it, DF only on what fits, EMSGSIZE with
 * IP_PMTUDISC_DO and its local error), bogus ones (quoting another
 * source, or a datagram that fit) change nothing, entries expire after 10
 * minutes and the cache stays bounded; IP_RECVERR queues the error with
 * struct sock_extended_err, the offender and the quoted payload, POLLERR
 * and SO_ERROR follow it, the queue is bounded by the receive buffer;
 * ICMPv6 packet too big the same with IPV6_RECVERR, clamped to 1280. */
#include <time.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include "ut_stack.h"
#include "wire/icmp4.h"
#include "wire/icmp6.h"

static uint32_t A(const char *s) {
	return inet_addr(s);
}

/* an ICMP error from `from` to 198.18.0.1 quoting a UDP datagram
 * src:5000 -> dst:7 of total length tot, with 8 payload bytes */
static size_t icmp_frag_needed(uint8_t *f, const char *from, const char *qsrc, const char *qdst,
		uint16_t tot, uint16_t mtu) {
	uint8_t q[64];
	struct ipv4_repr ih = {.src = A(qsrc), .dst = A(qdst), .proto = 17, .ttl = 64, .df = 1, .total_len = tot};
	ipv4_emit(&ih, q, 20);
	q[20] = 5000 >> 8, q[21] = 5000 & 0xff, q[22] = 0, q[23] = 7;
	q[24] = (uint8_t) ((tot - 20) >> 8), q[25] = (uint8_t) (tot - 20), q[26] = q[27] = 0;
	memcpy(q + 28, "ABCDEFGH", 8);
	uint8_t icmp[8 + 36];
	memcpy(icmp + 8, q, 36);
	struct icmp4_repr r = {.type = 3, .code = 4, .rest = {0, 0, (uint8_t) (mtu >> 8), (uint8_t) mtu}};
	icmp4_emit(&r, icmp, sizeof(icmp));
	return ut_ip_frame(f, from, "198.18.0.1", 1, 77, 0, 0, icmp, sizeof(icmp));
}

static void arp_reply(struct ustack *s, const char *ip) {
	uint8_t f[64];
	struct eth_repr e = {.type = ETHW_P_ARP};
	memcpy(e.dst, UT_MAC, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, f, 14);
	struct arp_repr a = {.op = ARPW_REPLY, .spa = A(ip), .tpa = A("198.18.0.1")};
	memcpy(a.sha, UT_PEER_MAC, 6);
	memcpy(a.tha, UT_MAC, 6);
	arp_emit(&a, f + 14, 28);
	ut_inject(s, f, 42);
}

static int connected_udp(struct ustack *s, const char *dst) {
	int fd = ut_udp_socket(s, 5000);
	assert_true(fd >= 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(7), .sin_addr.s_addr = A(dst)};
	assert_int_equal(api_connect(s, fd, (struct sockaddr *) &to, sizeof(to)), 0);
	return fd;
}

static int getint(struct ustack *s, int fd, int level, int name) {
	int v = -1;
	socklen_t l = sizeof(v);
	if (api_getsockopt(s, fd, level, name, &v, &l) < 0)
		return -errno;
	return v;
}

static void setint(struct ustack *s, int fd, int level, int name, int v) {
	assert_int_equal(api_setsockopt(s, fd, level, name, &v, sizeof(v)), 0);
}

static ssize_t send_len(struct ustack *s, int fd, size_t len) {
	static uint8_t buf[4000];
	struct iovec iov = {buf, len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = api_sendmsg(s, fd, &m, 0);
	return n < 0 ? -errno : n;
}

static struct usock *sk_of(struct ustack *s, int fd) {
	for (struct usock *sk = s->socks; sk; sk = sk->next)
		if (sk->fd == fd)
			return sk;
	return NULL;
}

/* the IPv4 frames captured since `from`: count, DF and largest total */
static int ip_frames(int from, int *df, int *maxlen) {
	int n = 0;
	*df = 0;
	*maxlen = 0;
	for (int i = from; i < ut_cap.n; i++) {
		const uint8_t *f = ut_cap.frame[i];
		if (ut_cap.len[i] < 34 || f[12] != 8 || f[13] != 0 || f[23] != 17)
			continue;
		n++;
		if (f[20] & 0x40)
			(*df)++;
		int tot = f[16] << 8 | f[17];
		if (tot > *maxlen)
			*maxlen = tot;
	}
	return n;
}

static void test_frag_needed_lowers_pmtu(void **state) {
	struct ustack *s = ut_stack();
	arp_reply(s, "198.18.0.9");
	int fd = connected_udp(s, "198.18.0.9");
	assert_int_equal(getint(s, fd, IPPROTO_IP, IP_MTU_DISCOVER), IP_PMTUDISC_WANT);
	assert_int_equal(getint(s, fd, IPPROTO_IP, IP_MTU), 1500);
	setint(s, fd, IPPROTO_IP, IP_RECVERR, 1);
	/* before: 1400 bytes go out whole with DF (they fit) */
	ut_cap_clear();
	assert_int_equal(send_len(s, fd, 1400), 1400);
	int df, maxlen;
	assert_int_equal(ip_frames(0, &df, &maxlen), 1);
	assert_int_equal(df, 1);
	uint8_t f[128];
	ut_inject(s, f, icmp_frag_needed(f, "198.18.0.254", "198.18.0.1", "198.18.0.9", 1428, 1200));
	assert_int_equal(getint(s, fd, IPPROTO_IP, IP_MTU), 1200);
	stack_lock(s);
	uint32_t d = A("198.18.0.9");
	assert_int_equal(pmtu_lookup(s, AF_INET, (uint8_t *) &d), 1200);
	assert_int_equal(ip4_dst_mtu(s, d, 0), 1200);
	struct usock *sk = sk_of(s, fd);
	assert_true(sk->ev & EPOLLERR);
	stack_unlock(s);
	/* the error queue: the quoted payload, the destination, the ICMP */
	uint8_t data[64], cbuf[256];
	struct sockaddr_in name;
	struct iovec iov = {data, sizeof(data)};
	struct msghdr m = {.msg_name = &name, .msg_namelen = sizeof(name), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	assert_int_equal(getint(s, fd, SOL_SOCKET, SO_ERROR), EMSGSIZE);
	assert_int_equal(api_recvmsg(s, fd, &m, MSG_ERRQUEUE), 8);
	assert_memory_equal(data, "ABCDEFGH", 8);
	assert_true(m.msg_flags & MSG_ERRQUEUE);
	assert_int_equal(name.sin_addr.s_addr, A("198.18.0.9"));
	assert_int_equal(ntohs(name.sin_port), 7);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	assert_non_null(c);
	assert_int_equal(c->cmsg_level, SOL_IP);
	assert_int_equal(c->cmsg_type, IP_RECVERR);
	struct sock_extended_err *ee = (struct sock_extended_err *) CMSG_DATA(c);
	assert_int_equal(ee->ee_errno, EMSGSIZE);
	assert_int_equal(ee->ee_origin, SO_EE_ORIGIN_ICMP);
	assert_int_equal(ee->ee_type, 3);
	assert_int_equal(ee->ee_code, 4);
	assert_int_equal(ee->ee_info, 1200);
	struct sockaddr_in *off = (struct sockaddr_in *) SO_EE_OFFENDER(ee);
	assert_int_equal(off->sin_family, AF_INET);
	assert_int_equal(off->sin_addr.s_addr, A("198.18.0.254"));
	/* read: queue empty, SO_ERROR cleared, no POLLERR, EAGAIN */
	m.msg_controllen = sizeof(cbuf);
	assert_int_equal(api_recvmsg(s, fd, &m, MSG_ERRQUEUE), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(getint(s, fd, SOL_SOCKET, SO_ERROR), 0);
	stack_lock(s);
	assert_false(sk_of(s, fd)->ev & EPOLLERR);
	stack_unlock(s);
	/* now 1400 bytes go in fragments of at most 1200, without DF */
	ut_cap_clear();
	assert_int_equal(send_len(s, fd, 1400), 1400);
	assert_int_equal(ip_frames(0, &df, &maxlen), 2);
	assert_int_equal(df, 0);
	assert_true(maxlen <= 1200);
	/* with IP_PMTUDISC_DO: EMSGSIZE and a local error with the MTU */
	setint(s, fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO);
	assert_int_equal(send_len(s, fd, 1400), -EMSGSIZE);
	m.msg_controllen = sizeof(cbuf);
	assert_int_equal(api_recvmsg(s, fd, &m, MSG_ERRQUEUE), 0);
	ee = (struct sock_extended_err *) CMSG_DATA(CMSG_FIRSTHDR(&m));
	assert_int_equal(ee->ee_origin, SO_EE_ORIGIN_LOCAL);
	assert_int_equal(ee->ee_errno, EMSGSIZE);
	assert_int_equal(ee->ee_info, 1200);
	/* 10 minutes later the entry has expired */
	stack_lock(s);
	s->timers_now = rt_now() + PMTU_EXPIRES_NS + MS(1000);
	assert_int_equal(pmtu_lookup(s, AF_INET, (uint8_t *) &d), 0);
	s->timers_now = 0;
	stack_unlock(s);
	assert_int_equal(getint(s, fd, IPPROTO_IP, IP_MTU), 1500);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_bogus_frag_needed(void **state) {
	struct ustack *s = ut_stack();
	int fd = connected_udp(s, "198.18.0.9");
	uint8_t f[128];
	/* quoting a datagram that is not ours */
	ut_inject(s, f, icmp_frag_needed(f, "198.18.0.254", "198.18.0.77", "198.18.0.9", 1428, 1200));
	/* quoting one that was not larger than the MTU reported */
	ut_inject(s, f, icmp_frag_needed(f, "198.18.0.254", "198.18.0.1", "198.18.0.9", 1000, 1200));
	assert_int_equal(getint(s, fd, IPPROTO_IP, IP_MTU), 1500);
	/* below Linux's min_pmtu: 552 */
	ut_inject(s, f, icmp_frag_needed(f, "198.18.0.254", "198.18.0.1", "198.18.0.9", 1428, 300));
	assert_int_equal(getint(s, fd, IPPROTO_IP, IP_MTU), 552);
	/* never raised by a later message */
	ut_inject(s, f, icmp_frag_needed(f, "198.18.0.254", "198.18.0.1", "198.18.0.9", 1428, 1400));
	assert_int_equal(getint(s, fd, IPPROTO_IP, IP_MTU), 552);
	/* unconnected: ENOTCONN */
	int u = ut_udp_socket(s, 5001);
	assert_int_equal(getint(s, u, IPPROTO_IP, IP_MTU), -ENOTCONN);
	api_close(s, u);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_cache_bounded(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	for (uint32_t i = 0; i < 4 * PMTU_MAX; i++) {
		uint32_t d = htonl(0xc6130000u + i);
		pmtu_learn(s, AF_INET, (uint8_t *) &d, 1000);
	}
	assert_true(s->npmtu > PMTU_MAX / 2 && s->npmtu <= PMTU_MAX);
	uint32_t last = htonl(0xc6130000u + 4 * PMTU_MAX - 1);
	assert_int_equal(pmtu_lookup(s, AF_INET, (uint8_t *) &last), 1000);
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_errqueue_bounded(void **state) {
	struct ustack *s = ut_stack();
	int fd = connected_udp(s, "198.18.0.9");
	setint(s, fd, IPPROTO_IP, IP_RECVERR, 1);
	setint(s, fd, SOL_SOCKET, SO_RCVBUF, 4096);
	uint8_t f[128];
	for (int i = 0; i < 200; i++)
		ut_inject(s, f, icmp_frag_needed(f, "198.18.0.254", "198.18.0.1", "198.18.0.9", 1428, 1200));
	stack_lock(s);
	struct usock *sk = sk_of(s, fd);
	int n = 0;
	for (struct pbuf *p = sk->errq; p; p = p->next)
		n++;
	assert_true(n > 0 && n < 200);
	assert_true(sk->errbytes <= (size_t) sk->rcvbuf);
	stack_unlock(s);
	/* turning IP_RECVERR off purges it */
	setint(s, fd, IPPROTO_IP, IP_RECVERR, 0);
	stack_lock(s);
	assert_null(sk_of(s, fd)->errq);
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

static const uint8_t A6[16] = {0xfd, 0, [15] = 1}, P6[16] = {0xfd, 0, [15] = 9},
		R6[16] = {0xfd, 0, [15] = 0xfe};

static size_t ptb_frame(uint8_t *f, const uint8_t *qsrc, uint16_t qplen, uint32_t mtu) {
	struct eth_repr e = {.type = ETHW_P_IPV6};
	memcpy(e.dst, UT_MAC, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, f, 14);
	uint8_t *icmp = f + 54;
	memset(icmp, 0, 8);
	icmp[0] = ICMP6_PACKET_TOO_BIG;
	icmp[4] = (uint8_t) (mtu >> 24), icmp[5] = (uint8_t) (mtu >> 16), icmp[6] = (uint8_t) (mtu >> 8),
	icmp[7] = (uint8_t) mtu;
	struct ip6_repr q = {.next_header = 17, .hop_limit = 64, .payload_len = qplen};
	memcpy(q.src, qsrc, 16);
	memcpy(q.dst, P6, 16);
	ip6_emit(&q, icmp + 8, 40);
	uint8_t *u = icmp + 48;
	u[0] = 5002 >> 8, u[1] = 5002 & 0xff, u[2] = 0, u[3] = 7, u[4] = (uint8_t) (qplen >> 8),
	u[5] = (uint8_t) qplen, u[6] = u[7] = 0;
	memcpy(u + 8, "ipv6data", 8);
	size_t ilen = 8 + 40 + 16;
	icmp6_fill_checksum(R6, A6, icmp, ilen);
	struct ip6_repr h = {.next_header = 58, .hop_limit = 64, .payload_len = (uint16_t) ilen};
	memcpy(h.src, R6, 16);
	memcpy(h.dst, A6, 16);
	ip6_emit(&h, f + 14, 40);
	return 54 + ilen;
}

static void test_packet_too_big(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	ip6_link_up(ut_eth(s));
	assert_int_equal(ip6_addr_add(ut_eth(s), A6, 64, IFA6_NODAD, true), 0);
	stack_unlock(s);
	int fd = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in6 b = {.sin6_family = AF_INET6, .sin6_port = htons(5002)};
	memcpy(b.sin6_addr.s6_addr, A6, 16);
	assert_int_equal(api_bind(s, fd, (struct sockaddr *) &b, sizeof(b)), 0);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(7)};
	memcpy(to.sin6_addr.s6_addr, P6, 16);
	assert_int_equal(api_connect(s, fd, (struct sockaddr *) &to, sizeof(to)), 0);
	assert_int_equal(getint(s, fd, IPPROTO_IPV6, IPV6_MTU), 1500);
	setint(s, fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
	uint8_t f[256];
	/* not ours: ignored */
	ut_inject(s, f, ptb_frame(f, P6, 1400, 1300));
	assert_int_equal(getint(s, fd, IPPROTO_IPV6, IPV6_MTU), 1500);
	ut_inject(s, f, ptb_frame(f, A6, 1400, 1300));
	assert_int_equal(getint(s, fd, IPPROTO_IPV6, IPV6_MTU), 1300);
	uint8_t data[64], cbuf[256];
	struct sockaddr_in6 name;
	struct iovec iov = {data, sizeof(data)};
	struct msghdr m = {.msg_name = &name, .msg_namelen = sizeof(name), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	assert_int_equal(api_recvmsg(s, fd, &m, MSG_ERRQUEUE), 8);
	assert_memory_equal(data, "ipv6data", 8);
	assert_memory_equal(name.sin6_addr.s6_addr, P6, 16);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	assert_int_equal(c->cmsg_level, SOL_IPV6);
	assert_int_equal(c->cmsg_type, IPV6_RECVERR);
	struct sock_extended_err *ee = (struct sock_extended_err *) CMSG_DATA(c);
	assert_int_equal(ee->ee_origin, SO_EE_ORIGIN_ICMP6);
	assert_int_equal(ee->ee_errno, EMSGSIZE);
	assert_int_equal(ee->ee_type, ICMP6_PACKET_TOO_BIG);
	assert_int_equal(ee->ee_info, 1300);
	struct sockaddr_in6 *off = (struct sockaddr_in6 *) SO_EE_OFFENDER(ee);
	assert_int_equal(off->sin6_family, AF_INET6);
	assert_memory_equal(off->sin6_addr.s6_addr, R6, 16);
	/* below the IPv6 minimum: 1280 */
	ut_inject(s, f, ptb_frame(f, A6, 1400, 600));
	assert_int_equal(getint(s, fd, IPPROTO_IPV6, IPV6_MTU), 1280);
	/* the pending error is reported once (a send would return it too) */
	assert_int_equal(getint(s, fd, SOL_SOCKET, SO_ERROR), EMSGSIZE);
	assert_int_equal(getint(s, fd, SOL_SOCKET, SO_ERROR), 0);
	/* 1400 bytes now leave as fragments of at most 1280 */
	stack_lock(s);
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 2};
	nd6_neigh_learn(ut_eth(s), P6, mac, false);
	stack_unlock(s);
	ut_cap_clear();
	assert_int_equal(send_len(s, fd, 1400), 1400);
	int frags = 0;
	for (int i = 0; i < ut_cap.n; i++)
		if (ut_cap.len[i] > 54 && ut_cap.frame[i][12] == 0x86 && ut_cap.frame[i][20] == 44) {
			frags++;
			assert_true(ut_cap.len[i] - 14 <= 1280);
		}
	assert_int_equal(frags, 2);
	/* IPV6_MTU_DISCOVER DO: EMSGSIZE */
	setint(s, fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO);
	assert_int_equal(send_len(s, fd, 1400), -EMSGSIZE);
	api_close(s, fd);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frag_needed_lowers_pmtu),
		cmocka_unit_test(test_bogus_frag_needed),
		cmocka_unit_test(test_cache_bounded),
		cmocka_unit_test(test_errqueue_bounded),
		cmocka_unit_test(test_packet_too_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
