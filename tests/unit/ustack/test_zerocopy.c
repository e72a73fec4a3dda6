/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SO_ZEROCOPY / MSG_ZEROCOPY as Linux (msg_zerocopy): the option (TCP and
 * UDP only, 0 or 1), the send calls numbered from 0 (only those that took
 * data, only with the option on), their completions on the error queue
 * (SO_EE_ORIGIN_ZEROCOPY, SO_EE_CODE_ZEROCOPY_COPIED, ee_info..ee_data the
 * range, consecutive ranges merged), for TCP when the peer acknowledges
 * the data or the connection drops it, for UDP at once. On the test link
 * with the test clock. */
#include <time.h>
#include <linux/errqueue.h>
#include <linux/if_ether.h>
#include <linux/tcp.h>
#include <unistd.h>

#include "ut_stack.h"
#include "ut_tcp.h"
#include "tcp/tcp.h"
#include "wire/tcp.h"

#define PEER UT_TCP_PEER
#define ME UT_TCP_ME

/* a segment from the peer's port 4000 to 80 (ut_tcp.h), an MSS option
 * of 1460 where mss */
static void seg(struct ustack *s, uint32_t seqno, uint32_t ackno, uint8_t flags, bool mss) {
	struct tcp_opts o = {.has_mss = mss, .mss = mss ? 1460 : 0};
	ut_tcp_seg(s, 4000, 80, seqno, ackno, flags, NULL, 0, &o);
}

static ssize_t send_zc(struct ustack *s, int fd, const char *d, size_t n, int flags) {
	struct iovec iov = {.iov_base = (void *) d, .iov_len = n};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	return api_sendmsg(s, fd, &m, flags);
}

/* One entry of the error queue: it must be a completion; its range */
static void errq_zc(struct ustack *s, int fd, int level, int type, uint32_t *lo, uint32_t *hi) {
	char buf[16], ctl[256];
	struct sockaddr_in6 name;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr m = {.msg_name = &name, .msg_namelen = sizeof(name), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl)};
	assert_int_equal(api_recvmsg(s, fd, &m, MSG_ERRQUEUE), 0);
	assert_int_equal(m.msg_flags, MSG_ERRQUEUE);
	assert_int_equal(m.msg_namelen, 0);   /* no address: Linux gives none */
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	assert_non_null(c);
	assert_int_equal(c->cmsg_level, level);
	assert_int_equal(c->cmsg_type, type);
	struct sock_extended_err ee;
	memcpy(&ee, CMSG_DATA(c), sizeof(ee));
	assert_int_equal(ee.ee_errno, 0);
	assert_int_equal(ee.ee_origin, SO_EE_ORIGIN_ZEROCOPY);
	assert_int_equal(ee.ee_code, SO_EE_CODE_ZEROCOPY_COPIED);
	assert_int_equal(ee.ee_type, 0);
	/* the offender: none (zeroes) */
	struct sockaddr_storage off;
	memcpy(&off, (const uint8_t *) CMSG_DATA(c) + sizeof(ee), sizeof(struct sockaddr_in));
	assert_int_equal(off.ss_family, AF_UNSPEC);
	*lo = ee.ee_info;
	*hi = ee.ee_data;
	assert_null(CMSG_NXTHDR(&m, c));
}

static void errq_empty(struct ustack *s, int fd) {
	char buf[4];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	assert_int_equal(api_recvmsg(s, fd, &m, MSG_ERRQUEUE), -1);
	assert_int_equal(errno, EAGAIN);
}

static int get_zc(struct ustack *s, int fd) {
	int v = -1;
	socklen_t l = sizeof(v);
	assert_int_equal(api_getsockopt(s, fd, SOL_SOCKET, SO_ZEROCOPY, &v, &l), 0);
	assert_int_equal(l, sizeof(v));
	return v;
}

static void test_option(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	int one = 1, two = 2, neg = -1;
	int t = api_socket(s, AF_INET, SOCK_STREAM, 0);
	assert_int_equal(get_zc(s, t), 0);
	assert_int_equal(api_setsockopt(s, t, SOL_SOCKET, SO_ZEROCOPY, &two, sizeof(two)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(api_setsockopt(s, t, SOL_SOCKET, SO_ZEROCOPY, &neg, sizeof(neg)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(api_setsockopt(s, t, SOL_SOCKET, SO_ZEROCOPY, &one, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(api_setsockopt(s, t, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)), 0);
	assert_int_equal(get_zc(s, t), 1);
	int u6 = api_socket(s, AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
	assert_int_equal(api_setsockopt(s, u6, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)), 0);
	assert_int_equal(get_zc(s, u6), 1);
	/* any other socket: EOPNOTSUPP (Linux), the option readable */
	int others[] = {api_socket(s, AF_INET, SOCK_RAW, IPPROTO_ICMP),
		api_socket(s, AF_INET, SOCK_DGRAM, IPPROTO_ICMP), api_socket(s, AF_NETLINK, SOCK_RAW, 0)};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		assert_true(others[i] >= 0);
		assert_int_equal(api_setsockopt(s, others[i], SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)), -1);
		assert_int_equal(errno, EOPNOTSUPP);
		assert_int_equal(get_zc(s, others[i]), 0);
		api_close(s, others[i]);
	}
	api_close(s, t);
	api_close(s, u6);
	ut_stack_free(s);
}

static void test_tcp(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};
	int one = 1, zero = 0;
	/* set on the listener, inherited as Linux's socket flags are */
	assert_int_equal(api_setsockopt(s, l, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)), 0);
	assert_int_equal(api_bind(s, l, (struct sockaddr *) &a, sizeof(a)), 0);
	assert_int_equal(api_listen(s, l, 4), 0);
	int from = ut_cap.n;
	seg(s, 1000, 0, TCP_SYN, true);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	uint32_t una = r.seq + 1;
	seg(s, 1001, una, TCP_ACK, false);
	int c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	assert_int_equal(get_zc(s, c), 1);
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	/* two calls (numbers 0 and 1): nothing before the ACK */
	assert_int_equal(send_zc(s, c, "abc", 3, MSG_ZEROCOPY), 3);
	assert_int_equal(send_zc(s, c, "defg", 4, MSG_ZEROCOPY), 4);
	/* an empty call takes no number, as in Linux */
	assert_int_equal(send_zc(s, c, "", 0, MSG_ZEROCOPY), 0);
	errq_empty(s, c);
	/* one ACK for both: one completion, 0..1 */
	seg(s, 1001, una + 7, TCP_ACK, false);
	uint32_t lo, hi;
	errq_zc(s, c, SOL_IP, IP_RECVERR, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 1);
	errq_empty(s, c);
	una += 7;
	/* a partial ACK completes the first call only */
	assert_int_equal(send_zc(s, c, "x", 1, MSG_ZEROCOPY), 1);
	assert_int_equal(send_zc(s, c, "yz", 2, MSG_ZEROCOPY), 2);
	seg(s, 1001, una + 1, TCP_ACK, false);
	errq_zc(s, c, SOL_IP, IP_RECVERR, &lo, &hi);
	assert_int_equal(lo, 2);
	assert_int_equal(hi, 2);
	errq_empty(s, c);
	seg(s, 1001, una + 3, TCP_ACK, false);
	errq_zc(s, c, SOL_IP, IP_RECVERR, &lo, &hi);
	assert_int_equal(lo, 3);
	assert_int_equal(hi, 3);
	una += 3;
	/* without the option the flag is ignored: no number, no completion */
	assert_int_equal(api_setsockopt(s, c, SOL_SOCKET, SO_ZEROCOPY, &zero, sizeof(zero)), 0);
	assert_int_equal(send_zc(s, c, "q", 1, MSG_ZEROCOPY), 1);
	seg(s, 1001, una + 1, TCP_ACK, false);
	errq_empty(s, c);
	una += 1;
	/* and no completion for a call without the flag */
	assert_int_equal(api_setsockopt(s, c, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)), 0);
	assert_int_equal(send_zc(s, c, "r", 1, 0), 1);
	seg(s, 1001, una + 1, TCP_ACK, false);
	errq_empty(s, c);
	una += 1;
	/* a reset drops the queue: its calls complete (Linux frees the skbs) */
	assert_int_equal(send_zc(s, c, "st", 2, MSG_ZEROCOPY), 2);
	errq_empty(s, c);
	seg(s, 1001, 0, TCP_RST, false);
	errq_zc(s, c, SOL_IP, IP_RECVERR, &lo, &hi);
	assert_int_equal(lo, 4);
	assert_int_equal(hi, 4);
	/* the connection's error stays for the next call */
	int e = 0;
	socklen_t el = sizeof(e);
	assert_int_equal(api_getsockopt(s, c, SOL_SOCKET, SO_ERROR, &e, &el), 0);
	assert_int_equal(e, ECONNRESET);
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

static void test_udp(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int one = 1;
	int u = api_socket(s, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = inet_addr(PEER)};
	assert_int_equal(api_connect(s, u, (struct sockaddr *) &to, sizeof(to)), 0);
	/* before the option: ignored */
	assert_int_equal(send_zc(s, u, "a", 1, MSG_ZEROCOPY), 1);
	errq_empty(s, u);
	assert_int_equal(api_setsockopt(s, u, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)), 0);
	/* sent, copied: each completes at once, the run merged */
	int from = ut_cap.n;
	assert_int_equal(send_zc(s, u, "b", 1, MSG_ZEROCOPY), 1);
	assert_int_equal(send_zc(s, u, "cd", 2, MSG_ZEROCOPY), 2);
	assert_int_equal(send_zc(s, u, "ef", 2, MSG_ZEROCOPY), 2);
	assert_int_equal(ut_cap.n - from, 3);
	/* a completion alone does not make SO_ERROR */
	int e = -1;
	socklen_t el = sizeof(e);
	assert_int_equal(api_getsockopt(s, u, SOL_SOCKET, SO_ERROR, &e, &el), 0);
	assert_int_equal(e, 0);
	uint32_t lo, hi;
	errq_zc(s, u, SOL_IP, IP_RECVERR, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 2);
	errq_empty(s, u);
	/* a failed call takes no number */
	struct sockaddr_in bad = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = inet_addr("198.19.9.9")};
	struct iovec iov = {.iov_base = "g", .iov_len = 1};
	struct msghdr m = {.msg_name = &bad, .msg_namelen = sizeof(bad), .msg_iov = &iov, .msg_iovlen = 1};
	assert_int_equal(api_sendmsg(s, u, &m, MSG_ZEROCOPY), -1);
	assert_int_equal(errno, ENETUNREACH);
	assert_int_equal(send_zc(s, u, "h", 1, MSG_ZEROCOPY), 1);
	errq_zc(s, u, SOL_IP, IP_RECVERR, &lo, &hi);
	assert_int_equal(lo, 3);
	assert_int_equal(hi, 3);
	api_close(s, u);
	/* an IPv6 socket reads it as IPV6_RECVERR (to a v4-mapped peer) */
	int u6 = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_int_equal(api_setsockopt(s, u6, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)), 0);
	struct sockaddr_in6 to6 = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
	to6.sin6_addr.s6_addr[10] = to6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(to6.sin6_addr.s6_addr + 12, &to.sin_addr, 4);
	struct msghdr m6 = {.msg_name = &to6, .msg_namelen = sizeof(to6), .msg_iov = &iov, .msg_iovlen = 1};
	assert_int_equal(api_sendmsg(s, u6, &m6, MSG_ZEROCOPY), 1);
	errq_zc(s, u6, SOL_IPV6, IPV6_RECVERR, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 0);
	api_close(s, u6);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_option),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_udp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
