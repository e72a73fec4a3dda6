/* SPDX-License-Identifier: LGPL-2.1-or-later
 * CUBIC (RFC 9438), the default as Linux's. In congestion avoidance the
 * window follows, in segments and seconds since the epoch began,
 *   W_cubic(t) = C (t - K)^3 + W_max,   K = cbrt((W_max - cwnd_epoch) / C)
 * (4.2), aiming one RTT ahead and at most 1.5 cwnd (4.4, 4.5), but never
 * below W_est, the window Reno would have with the same losses (4.3);
 * a congestion event multiplies it by beta = 0.7 and, when it comes below
 * the previous W_max, lowers W_max further (fast convergence, 4.7).
 * Slow start is Linux's (tcp_cc.c), left early by HyStart as Linux's
 * CUBIC does by default (below). */
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
	/* HyStart: the smallest RTT seen (us, 0: none); the round trip under
	 * way (round_valid): it began at round_start (ns) and ends when snd_una
	 * passes end_seq; in it, the last ACK of a close train (ns), the
	 * smallest RTT of its first samples and their count; found: slow
	 * start was left, HyStart rests until a timeout */
	uint32_t delay_min, curr_rtt, end_seq;
	uint64_t round_start, last_ack;
	uint8_t sample_cnt;
	bool found, round_valid;
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

/* HyStart (Ha and Rhee, "Taming the elephants", 2008), with the
 * parameters of Linux's CUBIC by default (hystart=1, hystart_detect=3,
 * hystart_low_window=16, hystart_ack_delta_us=2000): in slow start, from
 * a window of 16 segments, a round trip ends slow start (ssthresh = cwnd)
 * when
 *  - ACK train: ACKs each within 2 ms of the previous have kept coming for
 *    longer than half of (the smallest RTT + the ACK delay allowance, at
 *    most 1 ms, that a GSO packet of 64 KiB at the pacing rate would take
 *    four times), since the round trip began; or
 *  - delay: the smallest RTT among the round's samples, counted from the
 *    9th on (the first 8 only gathered), exceeds the smallest RTT seen by
 *    an eighth of it, kept within [4 ms, 16 ms].
 * A round trip begins at an ACK past the previous one's end_seq (snd_max
 * when it began). RTT samples within a second of the start of a CA epoch
 * are not taken (the queue a recovery left); a timeout starts HyStart
 * afresh, smallest RTT forgotten. */
#define HYSTART_LOW_WINDOW 16
#define HYSTART_MIN_SAMPLES 8
#define HYSTART_ACK_DELTA_US 2000
#define HYSTART_DELAY_MIN_US 4000u
#define HYSTART_DELAY_MAX_US 16000u
#define HYSTART_GSO_BYTES 65536.0   /* Linux's GSO size for one packet */

static void hystart_round(struct tcp_pcb *pcb, struct cubic *c, uint64_t now) {
	c->round_start = c->last_ack = now;
	c->end_seq = pcb->snd_max;
	c->curr_rtt = UINT32_MAX;
	c->sample_cnt = 0;
	c->round_valid = true;
}

/* Linux's pacing rate (bytes/s): the window per SRTT, doubled in the first
 * half of slow start, else 1.2 times; 0: no SRTT yet */
static double pacing_rate(const struct tcp_pcb *pcb) {
	if (pcb->srtt == 0)
		return 0;
	uint32_t flight = pcb->snd_max - pcb->snd_una;
	double w = pcb->cwnd > flight ? pcb->cwnd : flight;
	double ratio = pcb->cwnd < pcb->ssthresh / 2 ? 2.0 : 1.2;
	return w * ratio * 1e6 / pcb->srtt;
}

/* the time (us) the ACKs of a GSO burst may be spread over */
static uint32_t hystart_ack_delay(const struct tcp_pcb *pcb) {
	double rate = pacing_rate(pcb);
	if (rate <= 0)
		return 0;
	double d = 4 * HYSTART_GSO_BYTES * 1e6 / rate;
	return d < 1000 ? (uint32_t) d : 1000;
}

static void hystart_found(struct tcp_pcb *pcb, struct cubic *c) {
	c->found = true;
	pcb->ssthresh = pcb->cwnd;
}

static void hystart_update(struct tcp_pcb *pcb, struct cubic *c, uint32_t delay, uint64_t now) {
	if (!c->round_valid || seq_gt(pcb->snd_una, c->end_seq))
		hystart_round(pcb, c, now);
	/* ACK train */
	if (now - c->last_ack <= (uint64_t) HYSTART_ACK_DELTA_US * 1000) {
		c->last_ack = now;
		uint64_t threshold = ((uint64_t) c->delay_min + hystart_ack_delay(pcb)) / 2;
		if (now - c->round_start > threshold * 1000)
			hystart_found(pcb, c);
	}
	/* delay increase */
	if (delay < c->curr_rtt)
		c->curr_rtt = delay;
	if (c->sample_cnt < HYSTART_MIN_SAMPLES) {
		c->sample_cnt++;
	} else {
		uint32_t thresh = c->delay_min / 8;
		if (thresh < HYSTART_DELAY_MIN_US)
			thresh = HYSTART_DELAY_MIN_US;
		else if (thresh > HYSTART_DELAY_MAX_US)
			thresh = HYSTART_DELAY_MAX_US;
		if (c->curr_rtt > c->delay_min + thresh)
			hystart_found(pcb, c);
	}
}

static void cubic_pkts_acked(struct tcp_pcb *pcb, int64_t rtt_us) {
	struct cubic *c = cubic_of(pcb);
	uint64_t now = tcp_clock(pcb->s);
	if (rtt_us < 0)
		return;
	if (c->t_epoch && now - c->t_epoch < 1000000000ull)
		return;
	uint32_t delay = rtt_us == 0 ? 1 : rtt_us > UINT32_MAX ? UINT32_MAX : (uint32_t) rtt_us;
	if (c->delay_min == 0 || delay < c->delay_min)
		c->delay_min = delay;
	if (!c->found && pcb->cwnd < pcb->ssthresh && pcb->mss &&
			pcb->cwnd / pcb->mss >= HYSTART_LOW_WINDOW)
		hystart_update(pcb, c, delay, now);
}

static void cubic_cong_avoid(struct tcp_pcb *pcb, uint32_t acked) {
	struct cubic *c0 = cubic_of(pcb);
	if (pcb->cwnd < pcb->ssthresh && (!c0->round_valid || seq_gt(pcb->snd_una, c0->end_seq)))
		hystart_round(pcb, c0, tcp_clock(pcb->s));
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
	if (timeout) {
		/* Linux CA_Loss: HyStart afresh, a round from now */
		c->delay_min = 0;
		c->found = false;
		hystart_round(pcb, c, tcp_clock(pcb->s));
	}
	return (uint32_t) (pcb->cwnd * CUBIC_BETA);
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.cong_avoid = cubic_cong_avoid,
	.ssthresh = cubic_ssthresh,
	.pkts_acked = cubic_pkts_acked,
};
