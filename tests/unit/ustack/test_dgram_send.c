/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The IPv6 datagram send path shared by UDP and raw sockets
 * (socket/inet6.c inet6_tx_init/inet6_tx_cmsg): sendmsg's IPV6_HOPLIMIT
 * and IPV6_PKTINFO ancillary data, as Linux's ip6_datagram_send_ctl. Each
 * datagram goes to ::1 and is received by a socket asking for
 * IPV6_RECVHOPLIMIT, which reports the hop limit it was sent with. UDP
 * used to ignore IPV6_HOPLIMIT (only raw honoured it). IPv4's IP_PKTINFO
 * source, for UDP and raw (which used to ignore it). Last, UDP's one
 * input path for both families: an IPv6 multicast datagram reaches the
 * connected sockets of its port only when it comes from their peer, as
 * IPv4's and as Linux's (__udp_v6_is_mcast_sock). And the one send path of
 * UDP, raw and ping sockets (socket/inet_dgram.c): toward a group, an
 * unbound socket's source is the IP_MULTICAST_IF address, for all three,
 * as Linux's udp_sendmsg, raw_sendmsg and ping_v4_sendmsg (raw and ping
 * used to take the route's). */
#define _GNU_SOURCE /* struct in6_pktinfo */
#include "ut_stack.h"

#include <netinet/in.h>

#include "wire/ipv6.h"

#define UT_PORT 7000
#define UT_RAW_PROTO 253   /* RFC 3692 experimentation */

static const uint8_t LOOP6[16] = {[15] = 1};

/* a receiver of type (SOCK_DGRAM: UDP on UT_PORT; SOCK_RAW: UT_RAW_PROTO)
 * on ::1 that reports the hop limit of what it receives */
static int receiver(struct ustack *s, int type) {
	int fd = api_socket(s, AF_INET6, type | SOCK_NONBLOCK, type == SOCK_RAW ? UT_RAW_PROTO : 0);
	assert_true(fd >= 0);
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = type == SOCK_RAW ? 0 : htons(UT_PORT)};
	memcpy(&a.sin6_addr, LOOP6, 16);
	assert_int_equal(api_bind(s, fd, (struct sockaddr *) &a, sizeof(a)), 0);
	int on = 1;
	assert_int_equal(api_setsockopt(s, fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)), 0);
	return fd;
}

/* sendmsg of "hop" to ::1 with the ancillary data given (NULL: none);
 * returns what sendmsg returned, errno in *err */
static ssize_t send_with(struct ustack *s, int fd, int type, const void *ctl, size_t ctllen, int *err) {
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = type == SOCK_RAW ? 0 : htons(UT_PORT)};
	memcpy(&to.sin6_addr, LOOP6, 16);
	char data[] = "hop";
	struct iovec iov = {.iov_base = data, .iov_len = 3};
	struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = (void *) ctl, .msg_controllen = ctllen};
	errno = 0;
	ssize_t n = api_sendmsg(s, fd, &m, 0);
	*err = errno;
	return n;
}

static ssize_t send_hoplimit(struct ustack *s, int fd, int type, int hlim, int *err) {
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct cmsghdr *c = (struct cmsghdr *) u.buf;
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_HOPLIMIT;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &hlim, sizeof(hlim));
	return send_with(s, fd, type, u.buf, sizeof(u.buf), err);
}

static ssize_t send_pktinfo(struct ustack *s, int fd, int type, const char *src, int *err) {
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct cmsghdr *c = (struct cmsghdr *) u.buf;
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
	struct in6_pktinfo pi = {0};
	assert_int_equal(inet_pton(AF_INET6, src, &pi.ipi6_addr), 1);
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	return send_with(s, fd, type, u.buf, sizeof(u.buf), err);
}

/* the hop limit reported with the next datagram of fd, -1: none queued,
 * -2: received without the IPV6_HOPLIMIT cmsg */
static int recv_hoplimit(struct ustack *s, int fd) {
	char data[128];
	union {
		char buf[256];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	if (api_recvmsg(s, fd, &m, MSG_DONTWAIT) < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
			int h;
			memcpy(&h, CMSG_DATA(c), sizeof(h));
			return h;
		}
	return -2;
}

static void check_hoplimit(int type) {
	struct ustack *s = ut_stack();
	int r = receiver(s, type);
	int fd = api_socket(s, AF_INET6, type | SOCK_NONBLOCK, type == SOCK_RAW ? UT_RAW_PROTO : 0);
	assert_true(fd >= 0);
	int err;
	/* no cmsg: the default unicast hop limit (64) */
	assert_int_equal(send_with(s, fd, type, NULL, 0, &err), 3);
	assert_int_equal(recv_hoplimit(s, r), 64);
	/* IPV6_HOPLIMIT overrides it for this datagram */
	assert_int_equal(send_hoplimit(s, fd, type, 7, &err), 3);
	assert_int_equal(recv_hoplimit(s, r), 7);
	assert_int_equal(send_hoplimit(s, fd, type, 0, &err), 3);
	assert_int_equal(recv_hoplimit(s, r), 0);
	/* -1: the default again */
	assert_int_equal(send_hoplimit(s, fd, type, -1, &err), 3);
	assert_int_equal(recv_hoplimit(s, r), 64);
	/* out of range: EINVAL, nothing sent */
	assert_int_equal(send_hoplimit(s, fd, type, 256, &err), -1);
	assert_int_equal(err, EINVAL);
	assert_int_equal(send_hoplimit(s, fd, type, -2, &err), -1);
	assert_int_equal(err, EINVAL);
	assert_int_equal(recv_hoplimit(s, r), -1);
	/* a socket option is overridden the same way */
	int hops = 9;
	assert_int_equal(api_setsockopt(s, fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)), 0);
	assert_int_equal(send_with(s, fd, type, NULL, 0, &err), 3);
	assert_int_equal(recv_hoplimit(s, r), 9);
	assert_int_equal(send_hoplimit(s, fd, type, 3, &err), 3);
	assert_int_equal(recv_hoplimit(s, r), 3);
	api_close(s, fd);
	api_close(s, r);
	ut_stack_free(s);
}

static void test_udp_hoplimit(void **state) {
	(void) state;
	check_hoplimit(SOCK_DGRAM);
}

static void test_raw_hoplimit(void **state) {
	(void) state;
	check_hoplimit(SOCK_RAW);
}

/* IPV6_PKTINFO: our address as the source is taken, another is EINVAL */
static void check_pktinfo(int type) {
	struct ustack *s = ut_stack();
	int r = receiver(s, type);
	int fd = api_socket(s, AF_INET6, type | SOCK_NONBLOCK, type == SOCK_RAW ? UT_RAW_PROTO : 0);
	assert_true(fd >= 0);
	int err;
	assert_int_equal(send_pktinfo(s, fd, type, "::1", &err), 3);
	assert_int_equal(recv_hoplimit(s, r), 64);
	assert_int_equal(send_pktinfo(s, fd, type, "fd00::99", &err), -1);
	assert_int_equal(err, EINVAL);
	assert_int_equal(recv_hoplimit(s, r), -1);
	api_close(s, fd);
	api_close(s, r);
	ut_stack_free(s);
}

static void test_udp_pktinfo(void **state) {
	(void) state;
	check_pktinfo(SOCK_DGRAM);
}

static void test_raw_pktinfo(void **state) {
	(void) state;
	check_pktinfo(SOCK_RAW);
}

/* IPv4: IP_PKTINFO's ipi_spec_dst is the source of what UDP and raw
 * (without IP_HDRINCL) send; the receiver on 127.0.0.1 sees it */
static void check_pktinfo4(int type) {
	struct ustack *s = ut_stack();
	int proto = type == SOCK_RAW ? UT_RAW_PROTO : 0;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = type == SOCK_RAW ? 0 : htons(UT_PORT),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int r = api_socket(s, AF_INET, type | SOCK_NONBLOCK, proto);
	assert_true(r >= 0);
	assert_int_equal(api_bind(s, r, (struct sockaddr *) &to, sizeof(to)), 0);
	int fd = api_socket(s, AF_INET, type | SOCK_NONBLOCK, proto);
	assert_true(fd >= 0);
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct cmsghdr *c = (struct cmsghdr *) u.buf;
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	struct in_pktinfo pi = {.ipi_spec_dst.s_addr = inet_addr("127.0.0.5")};
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	char data[] = "src";
	struct iovec iov = {.iov_base = data, .iov_len = 3};
	struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	assert_int_equal(api_sendmsg(s, fd, &m, 0), 3);
	char buf[128];
	struct sockaddr_in from;
	struct iovec riov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr rm = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &riov, .msg_iovlen = 1};
	assert_true(api_recvmsg(s, r, &rm, MSG_DONTWAIT) > 0);
	assert_int_equal(from.sin_addr.s_addr, inet_addr("127.0.0.5"));
	api_close(s, fd);
	api_close(s, r);
	ut_stack_free(s);
}

static void test_udp_pktinfo4(void **state) {
	(void) state;
	check_pktinfo4(SOCK_DGRAM);
}

static void test_raw_pktinfo4(void **state) {
	(void) state;
	check_pktinfo4(SOCK_RAW);
}

/* The source of a datagram sent to 224.1.2.3 by a socket of type/proto
 * whose IP_MULTICAST_IF is 198.18.0.7, eth0's second address (its first,
 * 198.18.0.1, is the route's). */
static void check_mc_source(int type, int proto) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	assert_int_equal(ip4_addr_add(ut_eth(s), inet_addr("198.18.0.7"), 24, 0, false), 0);
	stack_unlock(s);
	ut_cap_clear();
	int fd = api_socket(s, AF_INET, type | SOCK_NONBLOCK, proto);
	assert_true(fd >= 0);
	struct in_addr mc = {.s_addr = inet_addr("198.18.0.7")};
	assert_int_equal(api_setsockopt(s, fd, IPPROTO_IP, IP_MULTICAST_IF, &mc, sizeof(mc)), 0);
	/* an echo request: what a ping socket must be given, and a payload
	 * like any other for raw and UDP */
	uint8_t echo[16] = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'm', 'c'};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(type == SOCK_RAW ? 0 : 9999),
		.sin_addr.s_addr = inet_addr("224.1.2.3")};
	assert_int_equal(api_sendto(s, fd, echo, sizeof(echo), 0, (struct sockaddr *) &to, sizeof(to)),
			(ssize_t) sizeof(echo));
	int i = ut_find(ETHW_P_IP, 0);
	assert_true(i >= 0);
	struct ipv4_repr h;
	assert_true(ipv4_parse(ut_cap.frame[i] + 14, (size_t) ut_cap.len[i] - 14, 0, &h) >= 0);
	assert_int_equal(h.dst, inet_addr("224.1.2.3"));
	assert_int_equal(h.src, inet_addr("198.18.0.7"));
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_udp_mc_source(void **state) {
	(void) state;
	check_mc_source(SOCK_DGRAM, 0);
}

static void test_raw_mc_source(void **state) {
	(void) state;
	check_mc_source(SOCK_RAW, IPPROTO_ICMP);
}

static void test_ping_mc_source(void **state) {
	(void) state;
	check_mc_source(SOCK_DGRAM, IPPROTO_ICMP);
}

/* a UDP datagram from src:sport to ff02::1:dport received on eth0 */
static void inject_mc6(struct ustack *s, const char *src, uint16_t sport, uint16_t dport) {
	uint8_t frame[128];
	static const uint8_t mc_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
	struct eth_repr e = {.type = ETHW_P_IPV6};
	memcpy(e.dst, mc_mac, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, frame, 14);
	struct ip6_repr h = {.next_header = 17, .hop_limit = 1, .payload_len = 8 + 2};
	assert_int_equal(inet_pton(AF_INET6, src, h.src), 1);
	assert_int_equal(inet_pton(AF_INET6, "ff02::1", h.dst), 1);
	assert_true(ip6_emit(&h, frame + 14, 40) >= 0);
	memcpy(frame + 14 + 40 + 8, "mc", 2);
	struct udp_repr u = {.sport = sport, .dport = dport};
	udp_emit(&u, frame + 54, 10, csum_pseudo6(h.src, h.dst, 17, 10), 0);
	ut_inject(s, frame, 54 + 10);
}

static int udp6_on(struct ustack *s, uint16_t port, const char *peer, uint16_t pport) {
	int fd = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	int on = 1;
	assert_int_equal(api_setsockopt(s, fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)), 0);
	/* bound to the group: connect keeps that local address (a wildcard
	 * would become the source address, and take no multicast) */
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_scope_id = 2};
	assert_int_equal(inet_pton(AF_INET6, "ff02::1", &a.sin6_addr), 1);
	assert_int_equal(api_bind(s, fd, (struct sockaddr *) &a, sizeof(a)), 0);
	if (peer) {
		struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(pport)};
		assert_int_equal(inet_pton(AF_INET6, peer, &to.sin6_addr), 1);
		assert_int_equal(api_connect(s, fd, (struct sockaddr *) &to, sizeof(to)), 0);
	}
	return fd;
}

/* the test stack with fd00::1/64 on eth0 as well */
static struct ustack *stack_with_fd00(void) {
	struct ustack *s = ut_stack();
	uint8_t a6[16];
	assert_int_equal(inet_pton(AF_INET6, "fd00::1", a6), 1);
	stack_lock(s);
	assert_int_equal(ip6_addr_add(ut_eth(s), a6, 64, IFA6_NODAD, false), 0);
	stack_unlock(s);
	return s;
}

static void test_udp6_multicast_connected(void **state) {
	(void) state;
	struct ustack *s = stack_with_fd00();
	int any = udp6_on(s, 7001, NULL, 0);
	int conn = udp6_on(s, 7001, "fd00::2", 9999);
	char buf[16];
	/* from another host: the unconnected socket only */
	inject_mc6(s, "fd00::3", 5000, 7001);
	assert_int_equal(ut_recv(s, any, buf, sizeof(buf)), 2);
	assert_int_equal(ut_recv(s, conn, buf, sizeof(buf)), -1);
	/* from the connected socket's peer: both */
	inject_mc6(s, "fd00::2", 9999, 7001);
	assert_int_equal(ut_recv(s, any, buf, sizeof(buf)), 2);
	assert_int_equal(ut_recv(s, conn, buf, sizeof(buf)), 2);
	api_close(s, any);
	api_close(s, conn);
	ut_stack_free(s);
}

/* sendmsg's IP_TTL and IP_TOS (IPv4), IPV6_HOPLIMIT and IPV6_TCLASS
 * (IPv6) set that datagram's header, for UDP, raw and ping sockets alike,
 * as Linux's ip_cmsg_send / ip6_datagram_send_ctl (ping sockets used to
 * read no ancillary data at all). Sent to a group on eth0, where the
 * capture link keeps the frame. */
static void check_ttl_tos_cmsg(int type, int proto, bool v6) {
	struct ustack *s = stack_with_fd00();
	ut_cap_clear();
	int fd = api_socket(s, v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK, proto);
	assert_true(fd >= 0);
	/* an echo request (what a ping socket must be given) */
	uint8_t echo[16] = {v6 ? 128 : 8, 0, 0, 0, 0x12, 0x34, 0, 1, 't', 't'};
	struct iovec iov = {.iov_base = echo, .iov_len = sizeof(echo)};
	struct sockaddr_in to4 = {.sin_family = AF_INET, .sin_port = htons(type == SOCK_RAW ? 0 : 9999),
		.sin_addr.s_addr = inet_addr("224.1.2.3")};
	struct sockaddr_in6 to6 = {.sin6_family = AF_INET6, .sin6_port = htons(type == SOCK_RAW ? 0 : 9999),
		.sin6_scope_id = 2};
	assert_int_equal(inet_pton(AF_INET6, "ff02::1", &to6.sin6_addr), 1);
	union {
		char buf[2 * CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr m = {.msg_name = v6 ? (void *) &to6 : (void *) &to4,
		.msg_namelen = v6 ? sizeof(to6) : sizeof(to4), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	int vals[2] = {7, 0x28};
	int types[2] = {v6 ? IPV6_HOPLIMIT : IP_TTL, v6 ? IPV6_TCLASS : IP_TOS};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	for (int k = 0; k < 2; k++, c = CMSG_NXTHDR(&m, c)) {
		c->cmsg_level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
		c->cmsg_type = types[k];
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &vals[k], sizeof(int));
	}
	assert_int_equal(api_sendmsg(s, fd, &m, 0), (ssize_t) sizeof(echo));
	int i = ut_find(v6 ? ETHW_P_IPV6 : ETHW_P_IP, 0);
	assert_true(i >= 0);
	const uint8_t *ip = ut_cap.frame[i] + 14;
	if (v6) {
		assert_int_equal(ip[7], 7);                                   /* hop limit */
		assert_int_equal(((ip[0] & 0x0f) << 4) | (ip[1] >> 4), 0x28); /* traffic class */
	} else {
		struct ipv4_repr h;
		assert_true(ipv4_parse(ip, (size_t) ut_cap.len[i] - 14, 0, &h) >= 0);
		assert_int_equal(h.ttl, 7);
		assert_int_equal(h.tos, 0x28);
	}
	/* the next datagram, without ancillary data: the socket's own */
	ut_cap_clear();
	m.msg_control = NULL;
	m.msg_controllen = 0;
	assert_int_equal(api_sendmsg(s, fd, &m, 0), (ssize_t) sizeof(echo));
	i = ut_find(v6 ? ETHW_P_IPV6 : ETHW_P_IP, 0);
	assert_true(i >= 0);
	ip = ut_cap.frame[i] + 14;
	assert_int_equal(v6 ? ip[7] : ip[8], 1);   /* a group's default: 1 */
	assert_int_equal(v6 ? ((ip[0] & 0x0f) << 4) | (ip[1] >> 4) : ip[1], 0);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_udp_ttl_tos_cmsg(void **state) {
	(void) state;
	check_ttl_tos_cmsg(SOCK_DGRAM, 0, false);
	check_ttl_tos_cmsg(SOCK_DGRAM, 0, true);
}

static void test_raw_ttl_tos_cmsg(void **state) {
	(void) state;
	check_ttl_tos_cmsg(SOCK_RAW, IPPROTO_ICMP, false);
	check_ttl_tos_cmsg(SOCK_RAW, IPPROTO_ICMPV6, true);
}

static void test_ping_ttl_tos_cmsg(void **state) {
	(void) state;
	check_ttl_tos_cmsg(SOCK_DGRAM, IPPROTO_ICMP, false);
	check_ttl_tos_cmsg(SOCK_DGRAM, IPPROTO_ICMPV6, true);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_hoplimit),
		cmocka_unit_test(test_raw_hoplimit),
		cmocka_unit_test(test_udp_pktinfo),
		cmocka_unit_test(test_raw_pktinfo),
		cmocka_unit_test(test_udp_pktinfo4),
		cmocka_unit_test(test_raw_pktinfo4),
		cmocka_unit_test(test_udp6_multicast_connected),
		cmocka_unit_test(test_udp_mc_source),
		cmocka_unit_test(test_raw_mc_source),
		cmocka_unit_test(test_ping_mc_source),
		cmocka_unit_test(test_udp_ttl_tos_cmsg),
		cmocka_unit_test(test_raw_ttl_tos_cmsg),
		cmocka_unit_test(test_ping_ttl_tos_cmsg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
