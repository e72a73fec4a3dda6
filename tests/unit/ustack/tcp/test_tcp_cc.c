/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Congestion control on the test clock: the algorithms' window against
 * their RFCs (CUBIC, RFC 9438: W_cubic(t), K, beta 0.7, the Reno-friendly
 * region, fast convergence, the epoch after a timeout; NewReno, RFC
 * 5681), and the choice of algorithm: the stack's default, TCP_CONGESTION
 * with Linux's errnos, the stack's option. The reference
 * values are the RFC's closed forms (libm's cbrt), not the stack's code. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/tcp.h>

#include "ut_stack.h"
#include "tcp/tcp.h"

#define SEG 1000u
#define C 0.4
#define BETA 0.7
#define ALPHA (3 * (1 - BETA) / (1 + BETA))

struct sim {
	struct ustack *s;
	struct tcp_pcb *p;
	uint64_t now;   /* ns */
};

static void sim_init(struct sim *m, const struct tcp_cc_ops *cc, uint32_t rtt_us) {
	m->s = ut_stack();
	m->p = tcp_pcb_new(m->s);
	assert_non_null(m->p);
	assert_ptr_equal(m->p->cc, &tcp_cc_cubic);   /* the default, as Linux */
	tcp_cc_set(m->p, cc);
	m->p->mss = SEG;
	m->p->srtt = rtt_us;
	m->now = 1000000000ull;
	m->s->timers_now = m->now;
}

static void sim_free(struct sim *m) {
	m->s->timers_now = 0;
	tcp_pcb_free(m->p);
	ut_stack_free(m->s);
}

static double segs(const struct tcp_pcb *p) {
	return p->cwnd / (double) SEG;
}

/* a congestion event at a window of w segments, then cwnd = ssthresh (as
 * recovery leaves it) */
static void sim_loss(struct sim *m, double w, bool timeout) {
	m->p->cwnd = (uint32_t) (w * SEG);
	tcp_cc_congestion(m->p, timeout);
	m->p->cwnd = timeout ? SEG : m->p->ssthresh;
}

/* one round trip: the whole window acknowledged one segment per ACK,
 * then the clock moves on by the RTT */
static void sim_round(struct sim *m) {
	uint32_t n = m->p->cwnd / SEG;
	for (uint32_t i = 0; i < n; i++)
		m->p->cc->cong_avoid(m->p, SEG);
	m->now += (uint64_t) m->p->srtt * 1000;
	m->s->timers_now = m->now;
}

static double w_cubic(double t, double k, double w_max) {
	return C * pow(t - k, 3) + w_max;
}

/* 4.6: ssthresh = 0.7 cwnd; 4.2: from there the window climbs back to
 * W_max along the concave curve, reaches it at t = K = cbrt((W_max -
 * cwnd_epoch) / C), stays near it, then probes beyond along the convex
 * one, following W_cubic(t) */
static void test_cubic_curve(void **state) {
	(void) state;
	struct sim m;
	sim_init(&m, &tcp_cc_cubic, 100000);   /* RTT 100 ms: the cubic region */
	sim_loss(&m, 100, false);
	assert_int_equal(m.p->ssthresh, 70 * SEG);
	double k = cbrt((100 - 70) / C);   /* 4.2172 s */
	uint64_t t0 = m.now;
	double prev = segs(m.p), prev_step = 1e9;
	int rounds_at_max = 0;
	double reach = -1, beyond = -1;
	while (m.now - t0 < 8000000000ull) {
		sim_round(&m);
		double t = (double) (m.now - t0) / 1e9;   /* the ACKs came at t - RTT */
		double w = segs(m.p);
		double want = w_cubic(t, k, 100);
		if (getenv("CC_TRACE"))
			fprintf(stderr, "t %.2f cwnd %.2f W %.2f\n", t, w, want);
		/* the window follows the curve (it aims one RTT ahead and
		 * closes the distance within a round) */
		assert_true(fabs(w - want) <= 0.03 * want + 1);
		double step = w - prev;
		assert_true(step >= 0);
		if (t > 0.25 && t < k - 0.3) {
			/* concave: the steps shrink towards W_max (after the
			 * first round, which starts flat at W_est) */
			assert_true(step <= prev_step + 0.01);
			assert_true(w < 100);
		}
		if (reach < 0 && w >= 99.99)
			reach = t;
		if (beyond < 0 && w >= 100.05)
			beyond = t;
		if (fabs(w - 100) < 1)
			rounds_at_max++;
		prev_step = step;
		prev = w;
	}
	/* W_max reached at K (within a few round trips: the curve is flat
	 * there), and passed only after K */
	assert_true(fabs(reach - k) <= 0.3);
	assert_true(beyond > k && beyond < k + 0.6);
	/* a plateau around W_max (a Reno line would cross it in one round) */
	assert_true(rounds_at_max >= 8);
	/* convex after K: 8 s after the loss, 0.4 (8 - K)^3 above W_max */
	assert_true(fabs(segs(m.p) - w_cubic(8, k, 100)) <= 3);
	assert_true(segs(m.p) > 120);
	sim_free(&m);
}

/* 4.3: where Reno would be faster (a short RTT), the window follows
 * W_est: alpha_cubic = 3 (1 - beta) / (1 + beta) segments per round trip
 * while under W_max, one per round trip above it. */
static void test_cubic_reno_friendly(void **state) {
	(void) state;
	struct sim m;
	sim_init(&m, &tcp_cc_cubic, 1000);   /* RTT 1 ms */
	sim_loss(&m, 100, false);
	uint64_t t0 = m.now;
	double k = cbrt((100 - 70) / C);
	for (int r = 1; r <= 100; r++) {
		sim_round(&m);
		double t = (double) (m.now - t0) / 1e9;
		/* W_est(r rounds), from 70: alpha per round up to 100, then 1 */
		double under = (100 - 70) / ALPHA;   /* rounds to reach W_max: 56.7 */
		double est = r <= under ? 70 + ALPHA * r : 100 + (r - under);
		assert_true(fabs(segs(m.p) - est) <= 1.5);
		if (r >= 10)
			assert_true(segs(m.p) > w_cubic(t, k, 100) + 3);   /* not the cubic curve */
	}
	sim_free(&m);
}

/* 4.7: a loss below the previous W_max lowers W_max to cwnd (1 + beta) / 2,
 * so the next climb stops there: at K = cbrt((W_max - 0.7 cwnd) / C) the
 * window is at 0.85 cwnd, not at the old W_max. */
static void test_cubic_fast_convergence(void **state) {
	(void) state;
	struct sim m;
	sim_init(&m, &tcp_cc_cubic, 100000);
	/* windows large enough for the cubic region at this RTT */
	sim_loss(&m, 1000, false);
	for (int r = 0; r < 10; r++)
		sim_round(&m);
	assert_true(segs(m.p) < 990);   /* still below W_max = 1000 */
	double w = 800;
	sim_loss(&m, w, false);
	assert_int_equal(m.p->ssthresh, 560 * SEG);
	double w_max = w * (1 + BETA) / 2;   /* 680 */
	double k = cbrt((w_max - 560) / C);
	uint64_t t0 = m.now;
	while ((double) (m.now - t0) / 1e9 < k)
		sim_round(&m);
	double t = (double) (m.now - t0) / 1e9;
	if (getenv("CC_TRACE"))
		fprintf(stderr, "t %.2f k %.2f cwnd %.2f W %.2f\n", t, k, segs(m.p), w_cubic(t, k, w_max));
	assert_true(fabs(segs(m.p) - w_cubic(t, k, w_max)) <= 2);
	assert_true(segs(m.p) < 700);   /* the old W_max (800) was not the aim */
	/* a loss above W_max sets W_max to cwnd itself */
	sim_loss(&m, 900, false);
	assert_int_equal(m.p->ssthresh, 630 * SEG);
	k = cbrt((900 - 630) / C);
	t0 = m.now;
	while ((double) (m.now - t0) / 1e9 < k)
		sim_round(&m);
	t = (double) (m.now - t0) / 1e9;
	assert_true(fabs(segs(m.p) - w_cubic(t, k, 900)) <= 2);
	assert_true(fabs(segs(m.p) - 900) <= 2);
	sim_free(&m);
}

/* 4.8: after a timeout the first congestion avoidance starts with K = 0
 * and W_max = the window then, and W_est there: so at once Reno's one
 * segment per round trip, the cubic curve flat at first. */
static void test_cubic_after_timeout(void **state) {
	(void) state;
	struct sim m;
	sim_init(&m, &tcp_cc_cubic, 100000);
	sim_loss(&m, 100, true);
	assert_int_equal(m.p->ssthresh, 70 * SEG);
	assert_int_equal(m.p->cwnd, SEG);
	/* slow start back to ssthresh: doubling each round */
	int r = 0;
	while (m.p->cwnd < m.p->ssthresh) {
		uint32_t before = m.p->cwnd;
		sim_round(&m);
		assert_true(m.p->cwnd == 2 * before || m.p->cwnd >= m.p->ssthresh);
		r++;
	}
	assert_int_equal(r, 7);   /* 1 2 4 ... 64 -> 70 */
	double w0 = segs(m.p);
	uint64_t t0 = m.now;
	for (int i = 0; i < 10; i++)
		sim_round(&m);
	double t = (double) (m.now - t0) / 1e9;
	/* W_est: one per round (W_est >= W_max = w0); the curve from w0 */
	assert_true(fabs(segs(m.p) - (w0 + 10)) <= 1.5);
	assert_true(w_cubic(t, 0, w0) < w0 + 1);
	sim_free(&m);
}

/* RFC 5681: NewReno halves the flight and then grows one segment per
 * window acknowledged */
static void test_reno(void **state) {
	(void) state;
	struct sim m;
	sim_init(&m, &tcp_cc_reno, 100000);
	m.p->snd_una = 1000;
	m.p->snd_max = 1000 + 60 * SEG;   /* a flight of 60 */
	m.p->cwnd = 100 * SEG;
	tcp_cc_congestion(m.p, false);
	assert_int_equal(m.p->ssthresh, 30 * SEG);
	m.p->cwnd = m.p->ssthresh;
	for (int r = 1; r <= 20; r++) {
		sim_round(&m);
		assert_int_equal(m.p->cwnd, (30u + (uint32_t) r) * SEG);
	}
	/* never below two segments */
	m.p->snd_max = m.p->snd_una + SEG;
	tcp_cc_congestion(m.p, true);
	assert_int_equal(m.p->ssthresh, 2 * SEG);
	sim_free(&m);
}

/* TCP_CONGESTION as Linux: the name (NUL-padded to 16 bytes, or fewer),
 * an unknown name ENOENT, an empty option EINVAL; the stack's default
 * (option cc=) for new sockets */
static void test_cc_sockopt(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	int fd = api_socket(s, AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	char name[32];
	socklen_t len = sizeof(name);
	memset(name, 'x', sizeof(name));
	assert_int_equal(api_getsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, name, &len), 0);
	assert_int_equal(len, 16);
	assert_string_equal(name, "cubic");
	assert_int_equal(name[15], 0);
	len = 3;
	assert_int_equal(api_getsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, name, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(name, "cub", 3);
	assert_int_equal(api_setsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, "vegas", 5), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(api_setsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 0), -1);
	assert_int_equal(errno, EINVAL);
	/* the name ends at its NUL or at the option's length */
	assert_int_equal(api_setsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, "renoX", 4), 0);
	len = sizeof(name);
	assert_int_equal(api_getsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, name, &len), 0);
	assert_string_equal(name, "reno");
	assert_int_equal(api_setsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, "cubic\0zz", 8), 0);
	len = sizeof(name);
	assert_int_equal(api_getsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, name, &len), 0);
	assert_string_equal(name, "cubic");
	/* TCP_CC_INFO: nothing for CUBIC or Reno, as Linux */
	len = sizeof(name);
	assert_int_equal(api_getsockopt(s, fd, IPPROTO_TCP, TCP_CC_INFO, name, &len), 0);
	assert_int_equal(len, 0);
	api_close(s, fd);
	/* the stack's default (option cc=) */
	s->tcp_cc = tcp_cc_find("reno");
	assert_non_null(s->tcp_cc);
	fd = api_socket(s, AF_INET, SOCK_STREAM, 0);
	len = sizeof(name);
	assert_int_equal(api_getsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, name, &len), 0);
	assert_string_equal(name, "reno");
	api_close(s, fd);
	assert_null(tcp_cc_find("bbr"));
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cubic_curve),
		cmocka_unit_test(test_cubic_reno_friendly),
		cmocka_unit_test(test_cubic_fast_convergence),
		cmocka_unit_test(test_cubic_after_timeout),
		cmocka_unit_test(test_reno),
		cmocka_unit_test(test_cc_sockopt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
