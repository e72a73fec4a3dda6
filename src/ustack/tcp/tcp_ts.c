/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Timestamps (RFC 7323 3-5) for ustack's TCP: TSval is a 1 kHz clock
 * (Linux's rate) plus a per-connection offset (tcp_ts_offset in
 * tcp_subr.c, a keyed hash: RFC 7323 5.4); TS.Recent is stored from
 * segments at or below Last.ACK.sent (4.3) and echoed in TSecr; PAWS (5.3)
 * drops a segment whose TSval went back, unless TS.Recent has been idle
 * for 24 days (5.5). RTTM itself is in tcp_input.c. */
#include "tcp.h"

/* Monotonic per connection: timers run with the time their loop began
 * (tcp_clock gives s->timers_now there), which can be behind the clock a
 * caller's thread read a moment before under the same lock; a TSval that
 * went back by more than a tick would make the peer drop the segment
 * (PAWS), a delayed ACK for instance. */
uint32_t tcp_ts_now(struct tcp_pcb *pcb) {
	uint32_t v = (uint32_t) (tcp_clock(pcb->s) / 1000000) + pcb->ts_off;
	if (pcb->ts_sent && (int32_t) (v - pcb->ts_last) < 0)
		v = pcb->ts_last;
	pcb->ts_last = v;
	pcb->ts_sent = true;
	return v;
}

static bool ts_recent_valid(const struct tcp_pcb *pcb) {
	return pcb->ts_recent_at && tcp_clock(pcb->s) - pcb->ts_recent_at <= TCP_PAWS_IDLE_NS;
}

bool tcp_paws_reject(struct tcp_pcb *pcb, const struct tcp_seg *g) {
	if (!pcb->ts_ok || !g->opt_ok || !g->opt.has_ts || (g->flags & TCP_RST))
		return false;
	if (!ts_recent_valid(pcb))
		return false;
	/* Linux's TCP_PAWS_WINDOW: a TSval one tick behind still passes */
	return (int32_t) (pcb->ts_recent - g->opt.tsval) > 1;
}

void tcp_ts_update_recent(struct tcp_pcb *pcb, const struct tcp_seg *g) {
	if (!pcb->ts_ok || !g->opt_ok || !g->opt.has_ts)
		return;
	if (seq_gt(g->seq, pcb->last_ack_sent))
		return;
	if ((int32_t) (g->opt.tsval - pcb->ts_recent) < 0 && ts_recent_valid(pcb))
		return;
	pcb->ts_recent = g->opt.tsval;
	pcb->ts_recent_at = tcp_clock(pcb->s);
}
