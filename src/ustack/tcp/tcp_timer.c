/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP's timers: what the four deadlines of a connection (retransmission
 * or persist, delayed ACK, keepalive, end of TIME_WAIT/FIN_WAIT2) do when
 * their one stack timer goes off: the dispatch, the retransmission
 * timeout (RFC 6298; the window after it comes from the congestion
 * control, tcp_cc.c), RACK-TLP's probe and reordering timers, persist,
 * keepalive, orphans. Output, input and the socket calls arm the
 * deadlines through tcp_subr.c; only this file acts on them, calling
 * down into output and the connection's life (tcp_pcb.c), never called
 * by them. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "tcp.h"

/* An orphan's retransmission timeout (Linux tcp_write_timeout for a dead
 * socket): reset when there are too many orphans, given up after
 * TCP_ORPHAN_RETRIES; true when pcb was freed. */
static bool orphan_timeout(struct tcp_pcb *pcb) {
	struct tcp_stack *ts = pcb->s->tcp;
	/* a peer that sent ICMP errors weighs double */
	if (tcp_too_many_orphans(pcb->s, pcb->soft_err ? 1 : 0)) {
		/* Linux: "too many orphaned sockets" */
		tcp_send_rst(pcb);
		ts->abort_on_memory++;
		return tcp_done(pcb, 0);
	}
	/* the RTO no longer grows (TCP_RTO_MAX): with errors, no more tries */
	bool alive = tcp_rto_delay_us(pcb) < TCP_RTO_MAX_US;
	int limit = pcb->soft_err && !alive ? 0 : TCP_ORPHAN_RETRIES;
	if (pcb->backoff >= limit) {
		ts->abort_on_timeout++;
		return tcp_done(pcb, ETIMEDOUT);
	}
	return false;
}

/* The retransmission timer (RFC 6298 5.4-5.7): the SYN or SYN-ACK again,
 * a zero window probe (persist), or the oldest data again with the loss
 * window; true when pcb was freed. */
static bool rto_fire(struct tcp_pcb *pcb) {
	switch (pcb->state) {
	case TCPS_SYN_SENT:
	case TCPS_SYN_RECV: {
		/* the SYN (up to TCP_SYNCNT's retries, ending with the last ICMP
		 * error heard) or the SYN-ACK again */
		bool syn = pcb->state == TCPS_SYN_SENT;
		int limit = !syn ? TCP_SYNACK_RETRIES : pcb->syncnt ? pcb->syncnt : TCP_SYN_RETRIES;
		if (pcb->syn_retries >= limit)
			return tcp_done(pcb, syn && pcb->soft_err ? pcb->soft_err : ETIMEDOUT);
		pcb->syn_retries++;
		pcb->backoff++;
		pcb->retrans_total++;
		pcb->s->tcp->mib.RetransSegs++;
		tcp_send_syn(pcb);
		return false;
	}
	default:
		break;
	}
	if (!tcp_can_send_data(pcb->state))
		return false;
	if (pcb->persist) {
		/* zero window probe (RFC 9293 3.8.6.1), backed off like the RTO */
		pcb->persist = false;
		if (pcb->snd_wnd == 0 && pcb->sndq.len && pcb->snd_nxt == pcb->snd_una) {
			tcp_send_probe(pcb);
			if (pcb->backoff < 12)
				pcb->backoff++;
			pcb->persist = true;
			tcp_arm_rtx(pcb);
		} else {
			pcb->force = true;
			tcp_output(pcb);
		}
		return false;
	}
	if (pcb->snd_una == pcb->snd_max) {
		/* nothing in flight: a retry after a local drop */
		tcp_output(pcb);
		return false;
	}
	/* RACK-TLP's timers on the same deadline (tcp_rack.c) */
	if (pcb->rtx_kind == TCP_RTX_TLP) {
		pcb->rtx_kind = TCP_RTX_RTO;
		tcp_tlp_fire(pcb);
		return false;
	}
	if (pcb->rtx_kind == TCP_RTX_REO) {
		pcb->rtx_kind = TCP_RTX_RTO;
		tcp_rack_reo_fire(pcb);
		return false;
	}
	if (pcb->orphan && orphan_timeout(pcb))
		return true;
	/* given up after TCP_RETRIES2 timeouts, or (TCP_USER_TIMEOUT, which
	 * replaces that count as in Linux's retransmits_timed_out) once the
	 * oldest data has waited that long since it was sent */
	uint64_t now = tcp_clock(pcb->s);
	if (pcb->rtx_stamp == 0) {
		uint64_t armed = (uint64_t) tcp_rto_delay_us(pcb) * 1000;
		pcb->rtx_stamp = now > armed ? now - armed : 1;
	}
	if (pcb->user_timeout ? now - pcb->rtx_stamp >= (uint64_t) pcb->user_timeout * MS(1)
			: pcb->backoff >= TCP_RETRIES2)
		return tcp_done(pcb, pcb->soft_err ? pcb->soft_err : ETIMEDOUT);
	/* a path MTU probe lost, a black hole suspected (tcp_output.c) */
	bool resized = tcp_mtup_timeout(pcb, now);
	/* ssthresh from the algorithm (RFC 5681 3.1 eq. 4, RFC 9438 4.8),
	 * then one segment: the loss window. Not again on the timeouts that
	 * follow while the first one's resend is unanswered (Linux
	 * tcp_enter_loss): the window is one segment then. */
	if (!pcb->in_loss || pcb->backoff == 0) {
		pcb->prior_cwnd = pcb->cwnd;
		pcb->prior_ssthresh = pcb->ssthresh;
		tcp_cc_congestion(pcb, true);
		/* the resend goes out now with this TSval or a later one */
		pcb->undo_armed = pcb->ts_ok;
		if (pcb->ts_ok)
			pcb->undo_tsval = tcp_ts_now(pcb);
	}
	pcb->cwnd = pcb->mss;
	/* F-RTO for a timeout out of Open state, or one backing off
	 * (Linux tcp_enter_loss) */
	pcb->frto = !pcb->in_recovery || pcb->backoff > 0;
	pcb->frto_new = false;
	pcb->frto_high = pcb->snd_una;
	/* Linux (tcp_enter_loss), not RFC 6675 5.1's clearing: what the peer
	 * SACKed is not resent, the rest is lost (tcp_rack.c). With send
	 * records for all in flight, the lost segments go again one by one
	 * as cwnd opens, each once per timeout, then new data; else
	 * go-back-N from snd_una, skipping what is SACKed. */
	tcp_loss_enter(pcb, now);
	pcb->loss_sack = !resized && pcb->sack_ok && tcp_tx_complete(pcb);
	if (pcb->loss_sack && pcb->sb == NULL) {
		pcb->sb = calloc(1, sizeof(*pcb->sb));
		if (pcb->sb == NULL)
			pcb->loss_sack = false;
		else
			pcb->sb->high_rxt = pcb->snd_una;
	}
	if (!pcb->loss_sack)
		tcp_sb_clear(pcb);
	pcb->dsack_undo = false;   /* Eifel's undo after a timeout instead */
	pcb->s->tcp->mib.RTOs++;
	pcb->backoff++;
	pcb->rtx_at = 0;
	pcb->xmit_dropped = false;
	if (pcb->loss_sack) {
		uint32_t seq, len;
		if (tcp_sb_next_rxt(pcb, &seq, &len, false))
			tcp_sack_retransmit(pcb, seq, len);
		tcp_output(pcb);
	} else {
		pcb->snd_nxt = pcb->snd_una;
		tcp_output(pcb);
	}
	bool none = pcb->loss_sack ? !(pcb->ntx && (pcb->tx[0].fl & TCP_TXR_RETRANS)) : pcb->snd_nxt == pcb->snd_una;
	if (none && pcb->xmit_dropped) {
		/* Linux tcp_retransmit_timer: a resend that failed for local
		 * congestion is no timeout of the path, no backoff for it */
		pcb->backoff--;
		tcp_arm_resource_retry(pcb);
		tcp_timer_update(pcb);
		return false;
	}
	if (pcb->rtx_at == 0)
		tcp_arm_rtx(pcb);
	return false;
}

static bool keepalive_fire(struct tcp_pcb *pcb, uint64_t now) {
	pcb->ka_at = 0;
	if (!pcb->keepalive || (pcb->state != TCPS_ESTABLISHED && pcb->state != TCPS_CLOSE_WAIT &&
			pcb->state != TCPS_FIN_WAIT2))
		return false;
	/* only an idle connection is probed (RFC 1122 4.2.3.6) */
	if (pcb->snd_max != pcb->snd_una || pcb->sndq.len) {
		pcb->ka_at = now + (uint64_t) pcb->ka_idle * MS(1000);
		return false;
	}
	uint64_t idle = now - pcb->last_rx;
	if (pcb->ka_probes == 0 && idle < (uint64_t) pcb->ka_idle * MS(1000)) {
		pcb->ka_at = pcb->last_rx + (uint64_t) pcb->ka_idle * MS(1000);
		return false;
	}
	/* Linux tcp_keepalive_timer: with TCP_USER_TIMEOUT, given up once
	 * a probe went unanswered and the silence lasted that long */
	if (pcb->user_timeout ? pcb->ka_probes > 0 && idle >= (uint64_t) pcb->user_timeout * MS(1)
			: pcb->ka_probes >= pcb->ka_cnt) {
		tcp_send_rst(pcb);
		tcp_done(pcb, ETIMEDOUT);
		return true;
	}
	pcb->ka_probes++;
	tcp_send_probe(pcb);
	pcb->ka_at = now + (uint64_t) pcb->ka_intvl * MS(1000);
	return false;
}

void tcp_timer_fire(struct ustack *s, struct utimer *t) {
	struct tcp_pcb *pcb = (struct tcp_pcb *) ((char *) t - offsetof(struct tcp_pcb, t));
	uint64_t now = tcp_clock(s);
	if (pcb->end_at && pcb->end_at <= now) {
		/* TIME_WAIT over (2 MSL, Linux 60 s), or an orphan in FIN_WAIT2
		 * past tcp_fin_timeout */
		pcb->end_at = 0;
		tcp_done(pcb, 0);
		return;
	}
	if (pcb->state == TCPS_CLOSED)
		return;
	if (pcb->dack_at && pcb->dack_at <= now) {
		pcb->dack_at = 0;
		pcb->pingpong = false;   /* a delayed ACK missed (Linux) */
		tcp_send_ack(pcb);
	}
	if (pcb->rtx_at && pcb->rtx_at <= now) {
		pcb->rtx_at = 0;
		if (rto_fire(pcb))
			return;
		if (pcb->state == TCPS_CLOSED)
			return;
	}
	if (pcb->ka_at && pcb->ka_at <= now && keepalive_fire(pcb, now))
		return;
	tcp_timer_update(pcb);
}
