/* SPDX-License-Identifier: LGPL-2.1-or-later
 * CUBIC (RFC 9438) as Linux's tcp_cubic, the default as Linux's. Counted
 * as Linux counts it, in whole segments and ACKed segments:
 *  - congestion avoidance moves cwnd up by one segment each time cnt
 *    segments were acknowledged (cnt >= 2: at most 1.5 cwnd a round trip);
 *  - cnt follows the cubic curve W(t) = W_max + C (t - K)^3, C = 410/1024
 *    (0.4 in segments and seconds), K = cbrt((W_max - cwnd) / C) from the
 *    start of the epoch (the first CA ACK after a reduction; at once at
 *    W_max when cwnd is there already), t one smallest RTT ahead:
 *    cnt = cwnd / (W(t) - cwnd), 100 cwnd when the curve is not above;
 *    with W_max unknown (none yet, or forgotten at a timeout) at most 20
 *    (5% a round trip);
 *  - the Reno-friendly estimate (4.3) starts at cwnd with the epoch and
 *    gains a segment each time more than cwnd * 15 / 8 segments were
 *    acknowledged (alpha = 8/15 a round trip, Linux's beta_scale, whether
 *    below W_max or above); when it is above cwnd, cnt is at most cwnd /
 *    (estimate - cwnd);
 *  - cnt and the estimate are brought up to date at most once in 1/32 s
 *    while cwnd does not change (ACKs in between only count);
 *  - a congestion event: ssthresh = cwnd * 717 / 1024 (beta 0.7); W_max =
 *    cwnd, or cwnd * (1 + 0.7) / 2 below the previous W_max (fast
 *    convergence, 4.7); a new epoch at the next CA ACK. A timeout then
 *    forgets all of it, W_max too (Linux resets CUBIC on CA_Loss).
 * Slow start is Linux's (tcp_cc.c), left early by HyStart as Linux's
 * CUBIC does by default (below). After a pause with nothing in flight
 * the epoch moves on by the pause (cubic_tx_start). */
#include "tcp.h"

#define CUBIC_C (410.0 / 1024.0)
#define CUBIC_BETA_1024 717u
#define CUBIC_BETA_SCALE 15u          /* 8 (1024 + 717) / 3 / (1024 - 717) */
#define CUBIC_MAX_CNT_UNKNOWN 20u     /* W_max unknown: 5% a round trip */
#define CUBIC_UPDATE_NS (1000000000ull / 32)
#define CUBIC_CWND_MAX 1073741824u    /* bytes: cwnd stays far from 2^32 */

struct cubic {
	/* congestion avoidance, in segments: W_max (0: unknown), the curve's
	 * origin and K (s), the epoch's start (ns, 0: none) and the last
	 * update of cnt (cwnd then, and when); the Reno-friendly estimate and
	 * the ACKed segments it has not counted; the segments ACKed towards
	 * the next increase, and the bytes short of a segment */
	uint32_t last_max, origin, cnt, last_cwnd, tcp_cwnd, ack_cnt, cwnd_cnt, acked_frac;
	double k;
	uint64_t t_epoch, last_time;
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

/* cnt for this ACK (cwnd in segments, acked: segments it acknowledged) */
static void cubic_update(struct tcp_pcb *pcb, struct cubic *c, uint32_t cwnd, uint32_t acked) {
	uint64_t now = tcp_clock(pcb->s);
	if (now == 0)
		now = 1;
	c->ack_cnt += acked;
	if (c->last_cwnd == cwnd && now - c->last_time <= CUBIC_UPDATE_NS)
		return;
	if (c->t_epoch == 0 || now - c->last_time >= 1000000) {   /* the curve: once a ms at most */
		c->last_cwnd = cwnd;
		c->last_time = now;
		if (c->t_epoch == 0) {
			c->t_epoch = now;
			c->ack_cnt = acked;
			c->tcp_cwnd = cwnd;
			if (c->last_max <= cwnd) {
				c->k = 0;
				c->origin = cwnd;
			} else {
				c->k = cube_root((c->last_max - cwnd) / CUBIC_C);
				c->origin = c->last_max;
			}
		}
		double t = (double) (now - c->t_epoch) / 1e9 + c->delay_min / 1e6;
		double off = t < c->k ? c->k - t : t - c->k;
		double d = CUBIC_C * off * off * off;
		uint32_t delta = d < CUBIC_CWND_MAX ? (uint32_t) d : CUBIC_CWND_MAX;   /* segments, far beyond any cwnd */
		uint32_t target = t < c->k ? c->origin - (delta < c->origin ? delta : c->origin) : c->origin + delta;
		c->cnt = target > cwnd ? cwnd / (target - cwnd) : (uint32_t) ((uint64_t) 100 * cwnd > UINT32_MAX ? UINT32_MAX : 100 * (uint64_t) cwnd);
		if (c->last_max == 0 && c->cnt > CUBIC_MAX_CNT_UNKNOWN)
			c->cnt = CUBIC_MAX_CNT_UNKNOWN;
	}
	/* the Reno-friendly estimate */
	uint32_t per = (uint32_t) ((uint64_t) cwnd * CUBIC_BETA_SCALE / 8);
	if (per == 0)
		per = 1;
	while (c->ack_cnt > per) {
		c->ack_cnt -= per;
		c->tcp_cwnd++;
	}
	if (c->tcp_cwnd > cwnd) {
		uint32_t most = cwnd / (c->tcp_cwnd - cwnd);
		if (c->cnt > most)
			c->cnt = most;
	}
	if (c->cnt < 2)
		c->cnt = 2;
}

static void cubic_cong_avoid(struct tcp_pcb *pcb, uint32_t acked) {
	struct cubic *c = cubic_of(pcb);
	if (pcb->cwnd < pcb->ssthresh && (!c->round_valid || seq_gt(pcb->snd_una, c->end_seq)))
		hystart_round(pcb, c, tcp_clock(pcb->s));
	acked = tcp_cc_slow_start(pcb, acked);
	if (acked == 0 || pcb->cwnd < pcb->ssthresh || pcb->mss == 0)
		return;
	uint32_t mss = pcb->mss;
	uint32_t bytes = c->acked_frac + acked;
	uint32_t segs = bytes / mss;
	c->acked_frac = bytes % mss;
	if (segs == 0)
		return;
	uint32_t cwnd = pcb->cwnd / mss;
	if (cwnd == 0)
		cwnd = 1;
	cubic_update(pcb, c, cwnd, segs);
	if (c->cnt < 2)
		c->cnt = 2;
	/* one segment each cnt ACKed (Linux tcp_cong_avoid_ai) */
	uint32_t grow = 0;
	if (c->cwnd_cnt >= c->cnt) {
		c->cwnd_cnt = 0;
		grow++;
	}
	c->cwnd_cnt += segs;
	if (c->cwnd_cnt >= c->cnt) {
		uint32_t d = c->cwnd_cnt / c->cnt;
		c->cwnd_cnt -= d * c->cnt;
		grow += d;
	}
	uint32_t most = CUBIC_CWND_MAX / mss;
	if ((uint64_t) cwnd + grow > most)
		grow = cwnd < most ? most - cwnd : 0;
	pcb->cwnd += grow * mss;
}

/* 4.6, 4.7 (with cwnd, not the flight: tcp_input.c grows cwnd only when
 * the flight filled it, as 4.6 then asks) */
static uint32_t cubic_ssthresh(struct tcp_pcb *pcb, bool timeout) {
	struct cubic *c = cubic_of(pcb);
	uint32_t mss = pcb->mss ? pcb->mss : 1;
	uint32_t cwnd = pcb->cwnd / mss;
	c->t_epoch = 0;
	if (cwnd < c->last_max)
		c->last_max = (uint32_t) ((uint64_t) cwnd * (1024 + CUBIC_BETA_1024) / 2048);   /* fast convergence */
	else
		c->last_max = cwnd;
	uint32_t ssthresh = (uint32_t) ((uint64_t) cwnd * CUBIC_BETA_1024 / 1024 * mss);
	if (timeout) {
		/* Linux CA_Loss: CUBIC afresh (W_max forgotten), HyStart too,
		 * a round from now */
		c->last_max = c->last_cwnd = 0;
		c->last_time = 0;
		c->cwnd_cnt = c->acked_frac = 0;
		c->delay_min = 0;
		c->found = false;
		hystart_round(pcb, c, tcp_clock(pcb->s));
	}
	return ssthresh;
}

/* Sending again after a pause with nothing in flight: the epoch moves on
 * by the time since data was last sent (at most to now), so that the
 * window follows the curve from where it was, not from where the clock
 * went meanwhile (Linux CA_EVENT_TX_START). */
static void cubic_tx_start(struct tcp_pcb *pcb) {
	struct cubic *c = cubic_of(pcb);
	uint64_t now = tcp_clock(pcb->s);
	if (c->t_epoch == 0 || pcb->last_data_tx == 0 || now <= pcb->last_data_tx)
		return;
	c->t_epoch += now - pcb->last_data_tx;
	if (c->t_epoch > now)
		c->t_epoch = now;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.cong_avoid = cubic_cong_avoid,
	.ssthresh = cubic_ssthresh,
	.pkts_acked = cubic_pkts_acked,
	.tx_start = cubic_tx_start,
};
