/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A connection's life: its pcb made and freed, its ends (tcp_done,
 * TIME_WAIT), its place on its listener's queues, the orphan count
 * (Linux tcp_check_oom). Above output, SACK, RACK and the timers'
 * arming (tcp_subr.c), which it calls to release what a connection
 * holds; the timer handlers (tcp_timer.c) call it to end connections.
 * The one name it takes from above is tcp_timer_fire, registered as the
 * pcb's timer callback (docs/design.md, "TCP's files"). */
#include <stddef.h>
#include <stdlib.h>

#include "../socket/sock.h"
#include "tcp.h"

/* --- life --- */

struct tcp_pcb *tcp_pcb_new(struct ustack *s) {
	struct tcp_stack *ts = tcp_stack_get(s);
	if (ts == NULL)
		return NULL;
	struct tcp_pcb *pcb = calloc(1, sizeof(*pcb));
	if (pcb == NULL)
		return NULL;
	pcb->s = s;
	pcb->state = TCPS_CLOSED;
	pcb->sndq.spare = pcb->rcvq.spare = &ts->spare;
	utimer_init(&pcb->t, tcp_timer_fire);
	pcb->rto = TCP_RTO_INIT_US;
	pcb->ka_idle = 7200;   /* Linux tcp_keepalive_time, intvl, probes */
	pcb->ka_intvl = 75;
	pcb->ka_cnt = 9;
	pcb->ssthresh = UINT32_MAX;
	tcp_cc_set(pcb, tcp_cc_default(s));
	pcb->sndcap = TCP_AUTO_SNDBUF;
	pcb->rcvcap = s->tcp_rmem_max ? s->tcp_rmem_max : TCP_AUTO_RCVBUF;
	ts->npcbs++;
	return pcb;
}

static void ooo_free(struct tcp_pcb *pcb) {
	while (pcb->ooo) {
		struct tcp_ooo *o = pcb->ooo;
		pcb->ooo = o->next;
		free(o);
	}
	pcb->ooo_tail = NULL;
	pcb->nooo = 0;
	pcb->nrsack = 0;
}

static void chain_remove(struct tcp_pcb **head, struct tcp_pcb **tail, struct tcp_pcb *pcb) {
	struct tcp_pcb *prev = NULL;
	for (struct tcp_pcb *c = *head; c; prev = c, c = c->qnext)
		if (c == pcb) {
			if (prev)
				prev->qnext = c->qnext;
			else
				*head = c->qnext;
			if (tail && *tail == c)
				*tail = prev;
			return;
		}
}

void tcp_synq_unlink(struct tcp_pcb *pcb) {
	struct tcp_pcb *l = pcb->parent;
	chain_remove(&l->synq, NULL, pcb);
	l->nsyn--;
}

static void parent_unlink(struct tcp_pcb *pcb) {
	struct tcp_pcb *l = pcb->parent;
	if (l == NULL)
		return;
	tcp_fo_child_done(pcb);
	if (pcb->accepted_q) {
		chain_remove(&l->accq, &l->accq_tail, pcb);
		l->nacc--;
	} else
		tcp_synq_unlink(pcb);
	pcb->parent = NULL;
	pcb->accepted_q = false;
}

static void eor_free(struct tcp_pcb *pcb) {
	free(pcb->eor);
	pcb->eor = NULL;
	pcb->neor = pcb->eorcap = 0;
}

/* what a connection that ended holds to send and resend: the send queue,
 * its record marks and zero-copy notices, the out-of-order queue, the
 * scoreboard */
static void queues_release(struct tcp_pcb *pcb) {
	ring_free(&pcb->sndq);
	eor_free(pcb);
	tcp_zc_flush(pcb);
	ooo_free(pcb);
	tcp_sb_clear(pcb);
}

void tcp_pcb_free(struct tcp_pcb *pcb) {
	struct ustack *s = pcb->s;
	utimer_cancel(s, &pcb->t);
	tcp_ack_batch_forget(pcb);
	tcp_unhash(pcb);
	parent_unlink(pcb);
	/* a listener's children outlive it only to be freed by the caller */
	for (struct tcp_pcb *c = pcb->synq; c; c = c->qnext)
		c->parent = NULL;
	for (struct tcp_pcb *c = pcb->accq; c; c = c->qnext)
		c->parent = NULL;
	queues_release(pcb);
	ring_free(&pcb->rcvq);
	tcp_tx_free(pcb);
	if (pcb->sk)
		pcb->sk->proto = NULL;
	if (pcb->orphan_counted)
		s->tcp->orphans--;
	s->tcp->npcbs--;
	free(pcb);
}

void tcp_orphan_add(struct tcp_pcb *pcb) {
	if (pcb->orphan_counted || pcb->state == TCPS_TIME_WAIT)
		return;
	pcb->orphan_counted = true;
	pcb->s->tcp->orphans++;
}

bool tcp_too_many_orphans(struct ustack *s, int shift) {
	struct tcp_stack *ts = s->tcp;
	return ((int64_t) ts->orphans << shift) > ts->max_orphans;
}


void tcp_wakeup(struct tcp_pcb *pcb) {
	if (pcb->sk) {
		sock_update_events(pcb->sk);
		sock_wake(pcb->sk);
	}
}

void tcp_set_state(struct tcp_pcb *pcb, int state) {
	pcb->state = state;
	tcp_wakeup(pcb);
}

bool tcp_done(struct tcp_pcb *pcb, int err) {
	pcb->state = TCPS_CLOSED;
	pcb->rtx_at = pcb->dack_at = pcb->ka_at = pcb->end_at = 0;
	utimer_cancel(pcb->s, &pcb->t);
	tcp_conn_unhash(pcb);
	queues_release(pcb);
	if (pcb->sk) {
		if (err)
			pcb->sk->err = err;
		tcp_wakeup(pcb);
		return false;
	}
	if (pcb->parent && pcb->accepted_q) {
		/* established, reset before accept: accept() still returns it */
		pcb->err = err;
		return false;
	}
	tcp_pcb_free(pcb);
	return true;
}

void tcp_enter_timewait(struct tcp_pcb *pcb) {
	pcb->state = TCPS_TIME_WAIT;
	if (pcb->orphan_counted) {
		/* Linux: a timewait socket is no orphan any more */
		pcb->orphan_counted = false;
		pcb->s->tcp->orphans--;
	}
	pcb->rtx_at = pcb->ka_at = pcb->dack_at = 0;
	pcb->end_at = tcp_clock(pcb->s) + TCP_TIMEWAIT_NS;
	queues_release(pcb);
	tcp_timer_update(pcb);
	tcp_wakeup(pcb);
}
