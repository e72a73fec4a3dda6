/* SPDX-License-Identifier: LGPL-2.1-or-later
 * CUBIC (RFC 9438), the default as Linux's. In congestion avoidance the
 * window follows, in segments and seconds since the epoch began,
 *   W_cubic(t) = C (t - K)^3 + W_max,   K = cbrt((W_max - cwnd_epoch) / C)
 * (4.2), aiming one RTT ahead and at most 1.5 cwnd (4.4, 4.5), but never
 * below W_est, the window Reno would have with the same losses (4.3);
 * a congestion event multiplies it by beta = 0.7 and, when it comes below
 * the previous W_max, lowers W_max further (fast convergence, 4.7).
 * Slow start is Linux's (tcp_cc.c); no HyStart. */
#include "tcp.h"

#define CUBIC_C 0.4
#define CUBIC_BETA 0.7
/* 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta) */
#define CUBIC_ALPHA (3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA))
#define CUBIC_CWND_MAX 1073741824.0   /* bytes: cwnd stays far from 2^32 */

struct cubic {
	double w_max;       /* segments: the window before the last reduction */
	double k;           /* seconds */
	double w_est;       /* segments: the Reno-friendly estimate */
	double cwnd_epoch;  /* segments: cwnd when the epoch began */
	double frac;        /* bytes of growth owed, below one */
	uint64_t t_epoch;   /* ns; 0: no epoch (the next CA ACK starts one) */
	bool after_rto;     /* the epoch that begins follows a timeout (4.8) */
};
_Static_assert(sizeof(struct cubic) <= sizeof(((struct tcp_pcb *) 0)->cc_priv), "cc_priv too small");

static struct cubic *cubic_of(struct tcp_pcb *pcb) {
	return (struct cubic *) pcb->cc_priv;
}

/* the real cube root of x >= 0, by Newton's method from above (it then
 * falls monotonically to the root) */
static double cube_root(double x) {
	if (x <= 0)
		return 0;
	double r = x > 1 ? x : 1;
	for (int i = 0; i < 200; i++) {
		double n = r - (r * r * r - x) / (3 * r * r);
		if (n >= r)
			break;
		r = n;
	}
	return r;
}

/* RFC 9438 eq. 1 */
static double w_cubic(const struct cubic *c, double t) {
	double d = t - c->k;
	return CUBIC_C * d * d * d + c->w_max;
}

static void cubic_cong_avoid(struct tcp_pcb *pcb, uint32_t acked) {
	acked = tcp_cc_slow_start(pcb, acked);
	if (acked == 0 || pcb->cwnd < pcb->ssthresh)
		return;
	struct cubic *c = cubic_of(pcb);
	double mss = pcb->mss;
	double cwnd = pcb->cwnd / mss;
	uint64_t now = tcp_clock(pcb->s);
	if (c->t_epoch == 0) {
		/* 4.2: congestion avoidance begins an epoch. After a timeout
		 * (4.8) and when the window is past W_max (Linux: the origin
		 * moves there), the curve starts flat at the present window. */
		c->t_epoch = now ? now : 1;
		c->cwnd_epoch = cwnd;
		c->w_est = cwnd;
		c->frac = 0;
		if (c->after_rto || cwnd >= c->w_max) {
			c->k = 0;
			c->w_max = cwnd;
		} else {
			c->k = cube_root((c->w_max - cwnd) / CUBIC_C);
		}
		c->after_rto = false;
	}
	double t = (double) (now - c->t_epoch) / 1e9;
	double segs = acked / mss;
	/* 4.3: W_est grows by alpha_cubic segments per window acknowledged,
	 * by one (Reno's) once it reached W_max */
	double alpha = c->w_est >= c->w_max ? 1.0 : CUBIC_ALPHA;
	c->w_est += alpha * segs / cwnd;
	double next;
	if (w_cubic(c, t) < c->w_est) {
		next = c->w_est;   /* the Reno-friendly region */
	} else {
		/* 4.4, 4.5: the target one RTT ahead, within [cwnd, 1.5 cwnd];
		 * (target - cwnd) / cwnd for each segment acknowledged */
		double target = w_cubic(c, t + pcb->srtt / 1e6);
		if (target < cwnd)
			target = cwnd;
		else if (target > 1.5 * cwnd)
			target = 1.5 * cwnd;
		next = cwnd + (target - cwnd) / cwnd * segs;
	}
	if (next <= cwnd)
		return;
	double grow = (next - cwnd) * mss + c->frac;
	if (pcb->cwnd + grow > CUBIC_CWND_MAX)
		grow = CUBIC_CWND_MAX - pcb->cwnd;
	uint32_t whole = (uint32_t) grow;
	c->frac = grow - whole;
	pcb->cwnd += whole;
}

/* 4.6, 4.7 (with cwnd, not the flight: tcp_input.c grows cwnd only when
 * the flight filled it, as 4.6 then asks) */
static uint32_t cubic_ssthresh(struct tcp_pcb *pcb, bool timeout) {
	struct cubic *c = cubic_of(pcb);
	double cwnd = pcb->cwnd / (double) pcb->mss;
	if (cwnd < c->w_max)
		c->w_max = cwnd * (1.0 + CUBIC_BETA) / 2.0;   /* fast convergence */
	else
		c->w_max = cwnd;
	c->t_epoch = 0;
	c->after_rto = timeout;
	return (uint32_t) (pcb->cwnd * CUBIC_BETA);
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.cong_avoid = cubic_cong_avoid,
	.ssthresh = cubic_ssthresh,
};
