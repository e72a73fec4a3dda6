/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SO_TIMESTAMPING as Linux 6.18: the option's values and errors (an int
 * or a struct so_timestamping; unknown flags, OPT_ID_TCP without OPT_ID,
 * OPT_STATS without OPT_TSONLY: EINVAL; BIND_PHC: EOPNOTSUPP; OPT_ID on a
 * TCP socket without a connection: EINVAL; read back through the name it
 * was set with) and the software receive stamp on datagram sockets
 * (SCM_TIMESTAMPING, the stamp in ts[0], before the IP cmsgs; reported
 * with SOF_TIMESTAMPING_SOFTWARE, not under OPT_RX_FILTER without
 * RX_SOFTWARE). On the test link. */
#include <time.h>
#include <linux/net_tstamp.h>

#include "ut_stack.h"

#define TS_OPT_ID_TCP (1 << 16)
#define TS_OPT_RX_FILTER (1 << 17)

static int set_ts(struct ustack *s, int fd, int name, int flags) {
	return api_setsockopt(s, fd, SOL_SOCKET, name, &flags, sizeof(flags));
}

static int get_ts(struct ustack *s, int fd, int name) {
	struct so_timestamping t = {-1, -1};
	socklen_t l = sizeof(t);
	assert_int_equal(api_getsockopt(s, fd, SOL_SOCKET, name, &t, &l), 0);
	assert_int_equal(l, sizeof(t));
	assert_int_equal(t.bind_phc, 0);
	return t.flags;
}

static void test_option(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	int u = api_socket(s, AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(get_ts(s, u, SO_TIMESTAMPING_OLD), 0);
	/* an int buffer gets the flags alone */
	int v = -1;
	socklen_t l = sizeof(v);
	assert_int_equal(set_ts(s, u, SO_TIMESTAMPING_OLD, 0x58), 0);
	assert_int_equal(api_getsockopt(s, u, SOL_SOCKET, SO_TIMESTAMPING_OLD, &v, &l), 0);
	assert_int_equal(l, sizeof(v));
	assert_int_equal(v, 0x58);
	/* set through the old name: the new one reads 0 */
	assert_int_equal(get_ts(s, u, SO_TIMESTAMPING_NEW), 0);
	assert_int_equal(set_ts(s, u, SO_TIMESTAMPING_NEW, 0x18), 0);
	assert_int_equal(get_ts(s, u, SO_TIMESTAMPING_NEW), 0x18);
	assert_int_equal(get_ts(s, u, SO_TIMESTAMPING_OLD), 0x18);
	/* the errors; a failed call changes nothing */
	static const struct {
		int flags, err;
	} bad[] = {
		{1 << 19, EINVAL},
		{1 << 20, EINVAL},
		{TS_OPT_ID_TCP, EINVAL},
		{SOF_TIMESTAMPING_OPT_STATS, EINVAL},
		{SOF_TIMESTAMPING_BIND_PHC, EOPNOTSUPP},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(set_ts(s, u, SO_TIMESTAMPING_OLD, bad[i].flags), -1);
		assert_int_equal(errno, bad[i].err);
		assert_int_equal(get_ts(s, u, SO_TIMESTAMPING_OLD), 0x18);
	}
	/* what Linux 6.18 accepts */
	int good[] = {1 << 18, TS_OPT_RX_FILTER, SOF_TIMESTAMPING_OPT_STATS | SOF_TIMESTAMPING_OPT_TSONLY,
		SOF_TIMESTAMPING_OPT_ID | TS_OPT_ID_TCP};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(set_ts(s, u, SO_TIMESTAMPING_OLD, good[i]), 0);
		assert_int_equal(get_ts(s, u, SO_TIMESTAMPING_OLD), good[i]);
	}
	/* the struct form; a short value */
	struct so_timestamping t = {.flags = SOF_TIMESTAMPING_SOFTWARE};
	assert_int_equal(api_setsockopt(s, u, SOL_SOCKET, SO_TIMESTAMPING_OLD, &t, sizeof(t)), 0);
	assert_int_equal(get_ts(s, u, SO_TIMESTAMPING_OLD), SOF_TIMESTAMPING_SOFTWARE);
	short sh = 1;
	assert_int_equal(api_setsockopt(s, u, SOL_SOCKET, SO_TIMESTAMPING_OLD, &sh, sizeof(sh)), -1);
	assert_int_equal(errno, EINVAL);
	/* TCP: OPT_ID needs a connection; the rest does not */
	int c = api_socket(s, AF_INET, SOCK_STREAM, 0);
	assert_int_equal(set_ts(s, c, SO_TIMESTAMPING_OLD, SOF_TIMESTAMPING_OPT_ID), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(set_ts(s, c, SO_TIMESTAMPING_OLD, SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE), 0);
	assert_int_equal(get_ts(s, c, SO_TIMESTAMPING_OLD), SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE);
	/* any socket takes it (Linux: a socket-level option) */
	int nl = api_socket(s, AF_NETLINK, SOCK_RAW, 0);
	assert_int_equal(set_ts(s, nl, SO_TIMESTAMPING_OLD, 0x58), 0);
	api_close(s, nl);
	api_close(s, c);
	api_close(s, u);
	ut_stack_free(s);
}

static uint64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* one datagram to fd's port 5000 and its receipt: true with *ns when it
 * came with SCM_TIMESTAMPING (first, then IP_PKTINFO) */
static bool rx_stamp(struct ustack *s, int fd, int name, uint64_t *ns) {
	uint8_t u[64], f[128];
	size_t n = ut_udp(u, "198.18.0.2", "198.18.0.1", 4000, 5000, "hi", 2);
	size_t fl = ut_ip_frame(f, "198.18.0.2", "198.18.0.1", 17, 1, 0, 0, u, n);
	ut_inject(s, f, fl);
	char buf[8], ctl[256];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	assert_int_equal(api_recvmsg(s, fd, &m, MSG_DONTWAIT), 2);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	assert_non_null(c);
	bool got = false;
	if (c->cmsg_level == SOL_SOCKET) {
		assert_int_equal(c->cmsg_type, name);
		assert_int_equal(c->cmsg_len, CMSG_LEN(3 * sizeof(struct timespec)));
		struct timespec ts[3];
		memcpy(ts, CMSG_DATA(c), sizeof(ts));
		assert_int_equal(ts[1].tv_sec, 0);
		assert_int_equal(ts[1].tv_nsec, 0);
		assert_int_equal(ts[2].tv_sec, 0);
		assert_int_equal(ts[2].tv_nsec, 0);
		*ns = (uint64_t) ts[0].tv_sec * 1000000000u + (uint64_t) ts[0].tv_nsec;
		got = true;
		c = CMSG_NXTHDR(&m, c);
		assert_non_null(c);
	}
	assert_int_equal(c->cmsg_level, IPPROTO_IP);
	assert_int_equal(c->cmsg_type, IP_PKTINFO);
	assert_null(CMSG_NXTHDR(&m, c));
	return got;
}

static void test_rx_software(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	int u = ut_udp_socket(s, 5000);
	int one = 1;
	assert_int_equal(api_setsockopt(s, u, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)), 0);
	uint64_t ns = 0;
	assert_false(rx_stamp(s, u, SO_TIMESTAMPING_OLD, &ns));
	/* generation and reporting: the arrival time */
	assert_int_equal(set_ts(s, u, SO_TIMESTAMPING_OLD, SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE), 0);
	uint64_t t0 = now_ns();
	assert_true(rx_stamp(s, u, SO_TIMESTAMPING_OLD, &ns));
	uint64_t t1 = now_ns();
	assert_true(ns >= t0 && ns <= t1);
	/* generation alone reports nothing */
	assert_int_equal(set_ts(s, u, SO_TIMESTAMPING_OLD, SOF_TIMESTAMPING_RX_SOFTWARE), 0);
	assert_false(rx_stamp(s, u, SO_TIMESTAMPING_OLD, &ns));
	/* OPT_RX_FILTER: only the stamps the socket asked for */
	assert_int_equal(set_ts(s, u, SO_TIMESTAMPING_OLD, SOF_TIMESTAMPING_SOFTWARE | TS_OPT_RX_FILTER), 0);
	assert_false(rx_stamp(s, u, SO_TIMESTAMPING_OLD, &ns));
	/* set as SO_TIMESTAMPING_NEW: the cmsg has the new type */
	assert_int_equal(set_ts(s, u, SO_TIMESTAMPING_NEW,
			SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE | TS_OPT_RX_FILTER), 0);
	t0 = now_ns();
	assert_true(rx_stamp(s, u, SO_TIMESTAMPING_NEW, &ns));
	t1 = now_ns();
	assert_true(ns >= t0 && ns <= t1);
	api_close(s, u);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_option),
		cmocka_unit_test(test_rx_software),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
