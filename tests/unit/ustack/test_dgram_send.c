/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The IPv6 datagram send path shared by UDP and raw sockets
 * (socket/inet6.c inet6_tx_init/inet6_tx_cmsg): sendmsg's IPV6_HOPLIMIT
 * and IPV6_PKTINFO ancillary data, as Linux's ip6_datagram_send_ctl. Each
 * datagram goes to ::1 and is received by a socket asking for
 * IPV6_RECVHOPLIMIT, which reports the hop limit it was sent with. UDP
 * used to ignore IPV6_HOPLIMIT (only raw honoured it). */
#define _GNU_SOURCE /* struct in6_pktinfo */
#include "ut_stack.h"

#include <netinet/in.h>

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

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_hoplimit),
		cmocka_unit_test(test_raw_hoplimit),
		cmocka_unit_test(test_udp_pktinfo),
		cmocka_unit_test(test_raw_pktinfo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
