/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP input: segments from IPv4 and IPv6 to their connection, listener or
 * the closed-port answer (tcp_reset.c), then RFC 9293 3.10.7 in order:
 * LISTEN, SYN-SENT, and for synchronized states sequence check, RST,
 * SYN, ACK, data, FIN. Blind-attack defences of RFC 5961 (challenge ACKs
 * for in-window RST and SYN, the ACK range check). TIME_WAIT as Linux,
 * with PAWS: an RST at rcv_nxt ends it, a new SYN above rcv_nxt (or with
 * a newer timestamp) reopens the port. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../net/net.h"
#include "../net/net6.h"
#include "../socket/sock.h"
#include "tcp.h"

/* RFC 5961 7 limits challenge ACKs. As Linux's tcp_send_challenge_ack:
 * first the connection's own limit, one ACK per tcp_invalid_ratelimit
 * (500 ms) for everything sent out of window (counter
 * ACKSkippedChallenge); then the stack's, tcp_challenge_ack_limit per
 * second, a random budget of limit/2 to limit*3/2-1 each second (Linux
 * 6.0 on: off by default, INT_MAX; here the stack option
 * tcp_challenge_ack_limit, 0 by default: no limit). */
static bool oow_rate_limited(struct tcp_pcb *pcb, uint64_t now, uint64_t *skipped) {
	uint32_t ms = (uint32_t) (now / 1000000u);
	if (ms == 0)
		ms = 1;   /* 0: no ACK sent yet */
	if (pcb->last_oow_ack) {
		int32_t elapsed = (int32_t) (ms - pcb->last_oow_ack);
		if (elapsed >= 0 && elapsed < TCP_INVALID_RATELIMIT_MS) {
			(*skipped)++;
			return true;
		}
	}
	pcb->last_oow_ack = ms;
	return false;
}

static void challenge_ack(struct tcp_pcb *pcb) {
	struct tcp_stack *ts = pcb->s->tcp;
	uint64_t now = tcp_clock(pcb->s);
	if (oow_rate_limited(pcb, now, &ts->mib.ACKSkippedChallenge))
		return;
	uint32_t limit = pcb->s->tcp_challenge_ack_limit;
	if (limit) {
		uint64_t sec = now / 1000000000u;
		if (!ts->challenge_sec_set || sec != ts->challenge_sec) {
			uint32_t half = (limit + 1) / 2;
			ts->challenge_sec = sec;
			ts->challenge_sec_set = true;
			ts->challenge_count = half + stack_random(pcb->s) % limit;
		}
		if (ts->challenge_count == 0)
			return;
		ts->challenge_count--;
	}
	ts->mib.ChallengeACKs++;
	tcp_send_ack(pcb);
}

static void take_syn_options(struct tcp_pcb *pcb, const struct tcp_seg *g) {
	bool ws = g->opt_ok && g->opt.has_wscale;
	pcb->ws_ok = ws;
	if (ws) {
		pcb->snd_wscale = g->opt.wscale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : g->opt.wscale;
		pcb->rcv_wscale = tcp_select_wscale(pcb);
	} else {
		pcb->snd_wscale = pcb->rcv_wscale = 0;
	}
	/* RFC 9293 3.7.1: without the option, 536 (IPv4) or 1220 (IPv6) */
	uint16_t peer = pcb->v6 ? 1220 : 536;
	if (g->opt_ok && g->opt.has_mss && g->opt.mss >= 64)
		peer = g->opt.mss;
	pcb->peer_mss = peer;
	pcb->adv_mss = tcp_route_mss(pcb);
	pcb->mss = pcb->adv_mss < peer ? pcb->adv_mss : peer;
	/* RFC 2018 2, RFC 7323 3.2: on when both SYNs carry the option (we
	 * always offer both, as Linux with its defaults) */
	pcb->sack_ok = g->opt_ok && g->opt.sack_perm;
	pcb->ts_ok = g->opt_ok && g->opt.has_ts && pcb->s->tcp_timestamps;
	if (pcb->ts_ok) {
		pcb->ts_recent = g->opt.tsval;
		pcb->ts_recent_at = tcp_clock(pcb->s);
		/* the option takes 12 bytes of every segment (Linux: mss_cache
		 * and advmss 1448 on Ethernet) */
		if (pcb->mss > 64 + TCPOLEN_TS_ALIGNED)
			pcb->mss -= TCPOLEN_TS_ALIGNED;
	}
	tcp_mtup_init(pcb);  /* RFC 4821 (tcp_mtu_probing) */
	tcp_sync_mss(pcb);   /* a path known to be narrower (ICMP, pmtu.c) */
	pcb->last_ack_sent = g->seq + 1;
	pcb->cwnd = TCP_INIT_CWND * (uint32_t) pcb->mss;
}

static void listener_wake(struct tcp_pcb *l) {
	if (l->sk)
		sock_rx_edge(l->sk);   /* each new connection a new EPOLLIN edge */
	tcp_wakeup(l);
}

/* A connection of listener l for the segment g (addresses, ports and
 * what the listener's socket passes on), not yet in any table. */
static struct tcp_pcb *child_new(struct ustack *s, struct tcp_pcb *l, const struct tcp_seg *g) {
	struct tcp_pcb *c = tcp_pcb_new(s);
	if (c == NULL)
		return NULL;
	c->domain = l->domain;
	c->v6 = g->v6;
	if (g->v6) {
		memcpy(c->l6, g->dst6, 16);
		memcpy(c->r6, g->src6, 16);
		if (ip6_addr_is_linklocal(g->src6))
			c->oif = g->ifp->index;
	} else {
		c->l4 = g->dst4;
		c->r4 = g->src4;
	}
	if (!c->oif)
		c->oif = l->oif;
	c->lport = g->dport;
	c->rport = g->sport;
	c->reuse = l->reuse;
	c->reuseport = l->reuseport;
	c->v6only = l->v6only;
	c->nodelay = l->nodelay;
	c->keepalive = l->keepalive;
	c->ka_idle = l->ka_idle;
	c->ka_intvl = l->ka_intvl;
	c->ka_cnt = l->ka_cnt;
	c->user_mss = l->user_mss;
	c->rcvcap = l->rcvcap;
	c->sndcap = l->sndcap;
	c->user_rcvbuf = l->user_rcvbuf;
	c->user_sndbuf = l->user_sndbuf;
	c->linger0 = l->linger0;
	c->notsent_lowat = l->notsent_lowat;
	c->user_timeout = l->user_timeout;
	c->inq = l->inq;
	tcp_cc_set(c, l->cc);
	return c;
}

/* A Fast Open child (RFC 7413 4.2.2): the SYN's data readable and
 * acknowledged by the SYN-ACK, the connection on the accept queue now. */
static void fo_open(struct tcp_pcb *c, const struct tcp_seg *g) {
	struct tcp_pcb *l = c->parent;
	uint32_t n = g->len;
	if (n > c->rcvcap)
		n = c->rcvcap;
	if (n && ring_append(&c->rcvq, g->data, n, c->rcvcap) == 0) {
		c->rcv_nxt += n;
		c->syn_data_acked = true;
		c->last_data_rx = tcp_clock(c->s);
	}
	c->rcv_adv = c->rcv_nxt;
	tcp_synq_unlink(c);
	c->parent = l;
	l->nacc++;
	c->accepted_q = true;
	c->qnext = NULL;
	if (l->accq_tail)
		l->accq_tail->qnext = c;
	else
		l->accq = c;
	l->accq_tail = c;
	listener_wake(l);
}

/* --- SYN cookies (RFC 4987), as Linux's tcp_syncookies=1: only when the
 * SYN queue is full. The ISN carries the state the SYN queue would hold:
 *   bits 31-27  a counter of 64 s periods (a cookie lives 2 of them)
 *   bits 26-24  the MSS, an index in cookie_mss
 *   bits 23-0   a keyed hash of the 4-tuple, the peer's ISN and the counter
 * With timestamps the low 5 bits of our TSval carry the rest (echoed back
 * in TSecr): bits 3-0 the peer's window scale (15: none), bit 4 SACK
 * permitted. Without timestamps the connection has neither (as Linux). */
static const uint16_t cookie_mss[8] = {216, 536, 1200, 1220, 1300, 1360, 1440, 1460};
#define COOKIE_PERIOD_NS (64ull * 1000000000)
#define COOKIE_NO_WS 15

static uint32_t cookie_count(struct ustack *s) {
	return (uint32_t) (tcp_clock(s) / COOKIE_PERIOD_NS) & 31;
}

/* the SYN-ACK with a cookie for g's SYN, with no state kept */
static void cookie_synack(struct ustack *s, struct tcp_pcb *l, struct tcp_seg *g) {
	struct tcp_pcb *c = child_new(s, l, g);
	if (c == NULL)
		return;
	c->state = TCPS_SYN_RECV;
	c->irs = g->seq;
	c->rcv_nxt = g->seq + 1;
	take_syn_options(c, g);
	uint32_t peer = c->peer_mss;
	int k = 7;
	while (k > 0 && cookie_mss[k] > peer)
		k--;
	uint32_t cnt = cookie_count(s);
	c->iss = (cnt << 27) | ((uint32_t) k << 24) | (tcp_cookie_hash(c, g->seq, cnt) & 0xffffff);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	if (c->ts_ok) {
		uint32_t off = tcp_ts_offset(c);
		uint32_t v = (uint32_t) (tcp_clock(s) / 1000000) + off;
		uint32_t bits = (c->ws_ok ? c->snd_wscale : COOKIE_NO_WS) | (c->sack_ok ? 0x10u : 0);
		/* tcp_ts_now gives ts_last: it is ahead of the clock */
		c->ts_off = off - 32;
		c->ts_last = (v & ~0x1fu) | bits;
		c->ts_sent = true;
	} else {
		c->ws_ok = c->sack_ok = false;
		c->rcv_wscale = 0;
	}
	tcp_send_seg(c, c->iss, TCP_SYN | TCP_ACK, 0, true);
	tcp_pcb_free(c);
	l->cookie_at = tcp_clock(s);
	s->tcp->cookies_sent++;
}

/* An ACK for listener l that no connection takes: a valid cookie makes
 * the connection (in SYN-RECEIVED; the caller gives it the ACK). NULL:
 * none (no recent cookie, or not valid). */
static struct tcp_pcb *cookie_check(struct ustack *s, struct tcp_pcb *l, struct tcp_seg *g) {
	if (l->cookie_at == 0 || tcp_clock(s) - l->cookie_at > 2 * COOKIE_PERIOD_NS)
		return NULL;
	if ((g->flags & (TCP_SYN | TCP_RST | TCP_ACK)) != TCP_ACK)
		return NULL;
	struct tcp_pcb *c = child_new(s, l, g);
	if (c == NULL)
		return NULL;
	uint32_t cookie = g->ack - 1, peer_isn = g->seq - 1;
	uint32_t cnt = cookie >> 27, now = cookie_count(s);
	bool fresh = cnt == now || cnt == ((now - 1) & 31);
	if (!fresh || (tcp_cookie_hash(c, peer_isn, cnt) & 0xffffff) != (cookie & 0xffffff)) {
		s->tcp->cookies_failed++;
		tcp_pcb_free(c);
		return NULL;
	}
	/* the SYN's options as the cookie keeps them */
	struct tcp_seg syn = *g;
	syn.seq = peer_isn;
	syn.opt_ok = true;
	memset(&syn.opt, 0, sizeof(syn.opt));
	syn.opt.has_mss = true;
	syn.opt.mss = cookie_mss[(cookie >> 24) & 7];
	bool ts = g->opt_ok && g->opt.has_ts && g->opt.tsecr;
	if (ts) {
		syn.opt.has_ts = true;
		syn.opt.tsval = g->opt.tsval;
		uint32_t ws = g->opt.tsecr & 0xf;
		if (ws != COOKIE_NO_WS) {
			syn.opt.has_wscale = true;
			syn.opt.wscale = (uint8_t) ws;
		}
		syn.opt.sack_perm = (g->opt.tsecr & 0x10) != 0;
	}
	c->state = TCPS_SYN_RECV;
	c->parent = l;
	c->qnext = l->synq;
	l->synq = c;
	l->nsyn++;
	c->irs = peer_isn;
	c->rcv_nxt = g->seq;
	take_syn_options(c, &syn);
	c->iss = cookie;
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->snd_wnd = c->max_snd_wnd = 0;
	c->snd_wl1 = peer_isn;
	c->snd_wl2 = c->iss;
	if (c->ts_ok) {
		/* TSvals go on from the echoed one, never below it */
		c->ts_off = tcp_ts_offset(c);
		c->ts_last = g->opt.tsecr;
		c->ts_sent = true;
	}
	c->quickack = 16;
	c->last_rx = tcp_clock(s);
	c->rtt_start = c->last_rx;
	tcp_conn_hash(c);
	tcp_bind_hash(c);
	s->tcp->cookies_recv++;
	return c;
}

/* A SYN for a listener: a child in SYN-RECEIVED, answered SYN-ACK.
 * Bounded: the SYN queue and the accept queue (Linux drops the SYN when
 * the accept queue is full); a full SYN queue answers with a SYN cookie.
 * Returns a connection that a cookie made, for the caller to give g to. */
static struct tcp_pcb *listen_input(struct ustack *s, struct tcp_pcb *l, struct tcp_seg *g) {
	struct tcp_stack *ts = s->tcp;
	if (g->flags & TCP_RST)
		return NULL;
	if (g->flags & TCP_ACK) {
		if (!(g->flags & TCP_SYN) && l->nacc <= l->backlog) {
			struct tcp_pcb *c = cookie_check(s, l, g);
			if (c)
				return c;
		} else if (!(g->flags & TCP_SYN) && l->cookie_at) {
			ts->mib.ListenDrops++;   /* the accept queue is full: the peer retries */
			return NULL;
		}
		tcp_reset_answer(s, g);
		return NULL;
	}
	if (!(g->flags & TCP_SYN) || (g->flags & TCP_FIN))
		return NULL;
	int synmax = l->backlog > 128 ? l->backlog : 128;
	if (l->nacc > l->backlog) {
		ts->mib.ListenDrops++;
		return NULL;
	}
	if (l->nsyn >= synmax) {
		cookie_synack(s, l, g);
		return NULL;
	}
	struct tcp_pcb *c = child_new(s, l, g);
	if (c == NULL)
		return NULL;
	c->state = TCPS_SYN_RECV;
	c->parent = l;
	c->qnext = l->synq;
	l->synq = c;
	l->nsyn++;
	c->irs = g->seq;
	c->rcv_nxt = g->seq + 1;
	take_syn_options(c, g);
	/* RFC 3168 6.1.1: an ECN-setup SYN has ECE and CWR (Linux's
	 * tcp_ecn 1 and 2 accept it, 0 does not; SYN cookies do not carry it) */
	c->ecn_ok = s->tcp_ecn != 0 && (g->flags & (TCP_ECE | TCP_CWR)) == (TCP_ECE | TCP_CWR);
	c->iss = tcp_new_isn(c);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_wnd = c->max_snd_wnd = g->wnd;
	c->snd_wl1 = g->seq;
	c->snd_wl2 = c->iss;
	c->quickack = 16;
	c->last_rx = tcp_clock(s);
	c->rtt_start = c->last_rx;
	tcp_conn_hash(c);
	tcp_bind_hash(c);
	/* RFC 7413: a Fast Open SYN's data is taken (tcp_fastopen.c), else
	 * dropped and acknowledged with the SYN alone */
	if (tcp_fo_syn(l, c, g))
		fo_open(c, g);
	tcp_send_syn(c);
	return NULL;
}

static bool data_input(struct tcp_pcb *pcb, struct tcp_seg *g, uint32_t rwnd, uint64_t now);

/* RFC 9293 3.10.7.3 */
static void syn_sent_input(struct tcp_pcb *pcb, struct tcp_seg *g) {
	struct ustack *s = pcb->s;
	if (g->flags & TCP_ACK) {
		if (seq_leq(g->ack, pcb->iss) || seq_gt(g->ack, pcb->snd_max)) {
			tcp_reset_answer(s, g);
			return;
		}
	}
	if (g->flags & TCP_RST) {
		if (g->flags & TCP_ACK) {
			s->tcp->mib.AttemptFails++;
			tcp_done(pcb, ECONNREFUSED);
		}
		return;
	}
	if (!(g->flags & TCP_SYN))
		return;
	pcb->irs = g->seq;
	pcb->rcv_nxt = g->seq + 1;
	pcb->rcv_adv = pcb->rcv_nxt;
	take_syn_options(pcb, g);
	uint64_t now = tcp_clock(s);
	pcb->last_rx = now;
	/* our ECN-setup SYN answered by an ECN-setup SYN-ACK: ECE without
	 * CWR (RFC 3168 6.1.1); a SYN of a simultaneous open must have both */
	pcb->ecn_ok = pcb->ecn_ok && (g->flags & TCP_ECE) &&
			((g->flags & TCP_ACK) ? !(g->flags & TCP_CWR) : (g->flags & TCP_CWR) != 0);
	if (g->flags & TCP_ACK) {
		/* Fast Open: the SYN's data the SYN-ACK acknowledged leaves the
		 * queue; the rest is sent again now */
		tcp_fo_synack(pcb, g);
		uint32_t data_acked = g->ack - (pcb->iss + 1);
		if (data_acked)
			ring_drop(&pcb->sndq, data_acked);
		pcb->snd_una = g->ack;
		pcb->delivered_segs++;   /* the SYN, with what data of it was acknowledged (Linux) */
		if (seq_lt(pcb->snd_nxt, g->ack) || g->ack != pcb->snd_max)
			pcb->snd_nxt = g->ack;
		pcb->snd_wnd = pcb->max_snd_wnd = g->wnd;
		pcb->snd_wl1 = g->seq;
		pcb->snd_wl2 = g->ack;
		if (pcb->syn_retries == 0)
			tcp_rtt_sample(pcb, (uint32_t) ((now - pcb->rtt_start) / 1000));
		pcb->backoff = 0;
		pcb->rtx_at = 0;
		pcb->quickack = 16;
		pcb->state = TCPS_ESTABLISHED;
		pcb->was_established = true;
		pcb->last_data_rx = pcb->last_data_tx = pcb->last_ack_rx = now;
		if (pcb->keepalive)
			pcb->ka_at = now + (uint64_t) pcb->ka_idle * MS(1000);
		/* Fast Open data the SYN-ACK did not acknowledge goes again at
		 * once and acknowledges the SYN-ACK itself (Linux) */
		uint64_t out0 = s->tcp->mib.OutSegs;
		if (g->len) {
			/* RFC 9293 3.10.7.3: text in the SYN-ACK goes on at the
			 * sixth step (a Fast Open server answers with data) */
			struct tcp_seg d = *g;
			d.seq = g->seq + 1;
			d.flags = (uint8_t) (g->flags & ~TCP_SYN);
			data_input(pcb, &d, tcp_rcv_window(pcb), now);   /* a socket's: not freed */
		}
		if (pcb->sndq.len)
			tcp_output(pcb);
		if (s->tcp->mib.OutSegs == out0 && pcb->fo_writer && !pcb->ack_now) {
			/* a writer's data will carry the ACK (Linux) */
			pcb->dack_at = now + TCP_DELACK_MAX_NS;
			pcb->ack_saved_at = now;
		} else if (s->tcp->mib.OutSegs == out0) {
			tcp_send_ack(pcb);
		}
		tcp_timer_update(pcb);
		tcp_wakeup(pcb);
		return;
	}
	/* simultaneous open (RFC 9293 3.5, figure 8) */
	pcb->snd_wnd = pcb->max_snd_wnd = g->wnd;
	pcb->snd_wl1 = g->seq;
	pcb->quickack = 16;   /* the first data is acknowledged at once (Linux) */
	pcb->state = TCPS_SYN_RECV;
	pcb->syn_retries = 0;
	pcb->backoff = 0;
	tcp_send_syn(pcb);
}

/* TIME-WAIT as Linux's tcp_timewait_state_process. Returns false when
 * the pcb is gone and the segment may open a new connection on a
 * listener. PAWS (RFC 7323 5.3, which Linux applies here too) rejects an
 * old TSval: counted, answered with an ACK, and such a SYN reopens
 * nothing. At exactly rcv_nxt a reset ends TIME-WAIT (tcp_rfc1337 = 0)
 * and a bare ACK restarts it silently; a reset elsewhere is ignored; any
 * other segment restarts it (when it has ACK, or failed PAWS) and gets an
 * ACK, except a SYN above rcv_nxt or with a newer TSval (RFC 6191), which
 * may start a new incarnation of the 4-tuple. */
static bool timewait_input(struct tcp_pcb *pcb, struct tcp_seg *g) {
	uint8_t fl = g->flags;
	uint64_t now = tcp_clock(pcb->s);
	bool paws = tcp_paws_reject(pcb, g);
	if (!paws && g->seq == pcb->rcv_nxt && ((g->len == 0 && !(fl & (TCP_SYN | TCP_FIN))) || (fl & TCP_RST))) {
		if (fl & TCP_RST) {
			tcp_done(pcb, 0);
			return true;
		}
		pcb->end_at = now + TCP_TIMEWAIT_NS;
		tcp_timer_update(pcb);
		return true;
	}
	bool newer_ts = pcb->ts_ok && g->opt_ok && g->opt.has_ts && pcb->ts_recent_at &&
			(int32_t) (pcb->ts_recent - g->opt.tsval) < 0;
	if ((fl & (TCP_SYN | TCP_RST | TCP_ACK)) == TCP_SYN && !paws &&
			(seq_gt(g->seq, pcb->rcv_nxt) || newer_ts) && pcb->sk == NULL) {
		tcp_pcb_free(pcb);
		return false;
	}
	if (paws)
		pcb->s->tcp->mib.PAWSEstab++;
	if (!(fl & TCP_RST)) {
		if (paws || (fl & TCP_ACK))
			pcb->end_at = now + TCP_TIMEWAIT_NS;
		tcp_send_ack(pcb);
	}
	tcp_timer_update(pcb);
	return true;
}

static void ooo_insert(struct tcp_pcb *pcb, uint32_t seq, const uint8_t *data, uint32_t len, bool fin) {
	struct tcp_ooo **pp = &pcb->ooo;
	/* usually the segment goes after the last one held */
	if (pcb->ooo_tail && seq_gt(seq, pcb->ooo_tail->seq))
		pp = &pcb->ooo_tail->next;
	while (*pp && seq_lt((*pp)->seq, seq))
		pp = &(*pp)->next;
	/* already held: a duplicate */
	if (*pp && (*pp)->seq == seq && (*pp)->len >= len && ((*pp)->fin || !fin))
		return;
	if (pcb->nooo >= TCP_OOO_MAX) {
		pcb->s->tcp->mib.OfoDrops++;
		return;
	}
	struct tcp_ooo *o = malloc(sizeof(*o) + len);
	if (o == NULL)
		return;
	o->seq = seq;
	o->len = len;
	o->fin = fin;
	memcpy(o->data, data, len);
	o->next = *pp;
	*pp = o;
	if (o->next == NULL)
		pcb->ooo_tail = o;
	pcb->nooo++;
}

/* Move what became contiguous; true when a FIN came in order with it. */
static bool ooo_drain(struct tcp_pcb *pcb) {
	bool fin = false;
	while (pcb->ooo && seq_leq(pcb->ooo->seq, pcb->rcv_nxt)) {
		struct tcp_ooo *o = pcb->ooo;
		uint32_t end = o->seq + o->len;
		if (seq_gt(end, pcb->rcv_nxt)) {
			uint32_t skip = pcb->rcv_nxt - o->seq;
			if (ring_append(&pcb->rcvq, o->data + skip, o->len - skip, pcb->rcvcap) == 0)
				pcb->rcv_nxt = end;
		}
		if (o->fin && pcb->rcv_nxt == end)
			fin = true;
		pcb->ooo = o->next;
		if (pcb->ooo == NULL)
			pcb->ooo_tail = NULL;
		pcb->nooo--;
		free(o);
		if (fin)
			break;
	}
	return fin;
}

static void establish_child(struct tcp_pcb *pcb) {
	struct tcp_pcb *l = pcb->parent;
	pcb->state = TCPS_ESTABLISHED;
	pcb->was_established = true;
	pcb->last_data_rx = pcb->last_data_tx = pcb->last_ack_rx = tcp_clock(pcb->s);
	pcb->s->tcp->mib.PassiveOpens++;
	if (pcb->keepalive)
		pcb->ka_at = tcp_clock(pcb->s) + (uint64_t) pcb->ka_idle * MS(1000);
	tcp_fo_child_done(pcb);
	if (l == NULL || pcb->accepted_q) {
		/* accepted already, or queued for accept (Fast Open) */
		tcp_wakeup(pcb);
		return;
	}
	tcp_synq_unlink(pcb);
	l->nacc++;
	pcb->accepted_q = true;
	pcb->qnext = NULL;
	if (l->accq_tail)
		l->accq_tail->qnext = pcb;
	else
		l->accq = pcb;
	l->accq_tail = pcb;
	listener_wake(l);
}

static void on_fin(struct tcp_pcb *pcb) {
	pcb->fin_rcvd = true;
	pcb->rcv_nxt++;
	pcb->ack_now = true;
	bool fin_acked = pcb->fin_queued && seq_gt(pcb->snd_una, pcb->fin_seq);
	switch (pcb->state) {
	case TCPS_SYN_RECV:
	case TCPS_ESTABLISHED:
		pcb->state = TCPS_CLOSE_WAIT;
		break;
	case TCPS_FIN_WAIT1:
		if (fin_acked) {
			tcp_send_ack(pcb);
			tcp_enter_timewait(pcb);
			return;
		}
		pcb->state = TCPS_CLOSING;  /* simultaneous close */
		break;
	case TCPS_FIN_WAIT2:
		tcp_send_ack(pcb);
		tcp_enter_timewait(pcb);
		return;
	default:
		break;
	}
	tcp_send_ack(pcb);
	tcp_wakeup(pcb);
}

/* acked: how far snd_una moved; delivered: the bytes that reached the
 * peer with this ACK, not counting again what was SACKed before (Linux's
 * acked_sacked: slow start after a timeout grows by what the resends
 * delivered, not by the whole window they filled in) */
static void ack_cc(struct tcp_pcb *pcb, uint32_t acked, uint32_t delivered) {
	uint32_t mss = pcb->mss;
	if (pcb->sack_recovery) {
		/* RFC 6675 5: a partial ACK only lowers pipe (tcp_output sends
		 * by it); past RecoveryPoint recovery ends, cwnd = ssthresh */
		if (seq_geq(pcb->snd_una, pcb->recover)) {
			pcb->cwnd = pcb->ssthresh;
			pcb->in_recovery = pcb->sack_recovery = false;
			pcb->dupacks = 0;
			tcp_sb_ack(pcb);
		} else if (pcb->sb && seq_lt(pcb->snd_una, pcb->sb->high_rxt) &&
				!(pcb->sb->una_marked && pcb->sb->una_mark_seq == pcb->snd_una) &&
				!tcp_tx_complete(pcb)) {
			/* the next hole was resent already: watch it from now on
			 * (what is sent from here on, SACKed first, says it was
			 * lost again). Only without send records for all in
			 * flight: with them RACK judges each resend by its own
			 * send time (tcp_rack.c), where HighRxt, above holes not
			 * yet resent, would call a resend lost before it went. */
			pcb->sb->una_marked = true;
			pcb->sb->una_mark_seq = pcb->snd_una;
			pcb->sb->una_mark = pcb->snd_max;
		}
		return;
	}
	if (pcb->in_recovery) {
		if (seq_geq(pcb->snd_una, pcb->recover)) {
			/* full ACK: leave fast recovery (RFC 6582 3.2 step 3) */
			uint32_t flight = pcb->snd_max - pcb->snd_una;
			pcb->cwnd = pcb->ssthresh < flight + mss ? pcb->ssthresh : flight + mss;
			if (pcb->cwnd < mss)
				pcb->cwnd = mss;
			pcb->in_recovery = false;
			pcb->dupacks = 0;
		} else {
			/* partial ACK: the next hole now, deflate (step 4) */
			tcp_retransmit_head(pcb);
			pcb->cwnd = pcb->cwnd > acked ? pcb->cwnd - acked : 0;
			pcb->cwnd += mss;
		}
		return;
	}
	pcb->dupacks = 0;
	/* reducing for an ECN echo (Linux CA_CWR): no growth until the data
	 * sent before the reduction is acknowledged */
	if (pcb->in_cwr) {
		if (seq_lt(pcb->snd_una, pcb->cwr_seq))
			return;
		pcb->in_cwr = false;
	}
	/* Linux tcp_is_cwnd_limited: an application-limited flight does not
	 * grow cwnd (RFC 7661's concern), except that slow start may reach
	 * twice the largest flight */
	if (!tcp_is_cwnd_limited(pcb))
		return;
	/* slow start, then the algorithm's growth (tcp_cc_*.c) */
	if (delivered)
		pcb->cc->cong_avoid(pcb, delivered);
}

/* What an undo gives back (Linux tcp_enter_recovery: prior_cwnd, and
 * tcp_current_ssthresh as prior_ssthresh), and the D-SACK count from 0. */
static void undo_init(struct tcp_pcb *pcb) {
	uint32_t mss = pcb->mss ? pcb->mss : 1;
	uint32_t cw = pcb->cwnd / mss;
	uint32_t cur = ((cw >> 1) + (cw >> 2)) * mss;
	pcb->prior_cwnd = pcb->cwnd;
	pcb->prior_ssthresh = pcb->in_cwr || pcb->ssthresh > cur ? pcb->ssthresh : cur;
	pcb->dsack_undo = true;
	pcb->undo_seq = pcb->snd_una;
	pcb->undo_retrans = 0;
}

/* RFC 6675 5: loss recovery with the scoreboard; tcp_output then sends
 * by pipe (NextSeg). */
static void enter_sack_recovery(struct tcp_pcb *pcb) {
	uint32_t mss = pcb->mss;
	undo_init(pcb);
	tcp_cc_congestion(pcb, false);
	pcb->prr_fs = pcb->cwnd > mss ? pcb->cwnd : mss;
	pcb->prr_delivered = pcb->prr_out = 0;
	pcb->cwnd = pcb->ssthresh;
	pcb->recover = pcb->snd_max;
	pcb->recover_valid = true;
	pcb->in_recovery = pcb->sack_recovery = true;
	pcb->sb->high_rxt = pcb->snd_una;
	pcb->tlp_out = false;   /* Linux tcp_init_cwnd_reduction */
	pcb->s->tcp->mib.SACKRecovery++;
}

static void prr_ack(struct tcp_pcb *pcb, int64_t delivered, bool advanced);

/* RACK's reordering timer fired (RFC 8985 6.3, Linux
 * tcp_rack_reo_timeout): what is lost now starts recovery and goes. */
void tcp_rack_reo_fire(struct tcp_pcb *pcb) {
	uint64_t now = tcp_clock(pcb->s);
	bool marked;
	pcb->s->tcp->mib.RACKReoTimeouts++;
	uint64_t reo = tcp_rack_detect(pcb, now, &marked, true);
	if (marked && pcb->sb && !pcb->in_recovery && !pcb->in_loss &&
			tcp_sb_is_lost(pcb, pcb->snd_una)) {
		if (tcp_mtup_lost(pcb))
			return;   /* a lost path MTU probe (tcp_output.c) */
		enter_sack_recovery(pcb);
		prr_ack(pcb, 0, false);
	} else if (marked && pcb->sack_recovery && pcb->sb)
		prr_ack(pcb, 0, false);
	tcp_rack_rearm_rto(pcb);
	if (reo)
		tcp_rack_arm_reo(pcb, reo);
	tcp_output(pcb);
}

/* PRR (RFC 6937, with the slow start reduction bound as Linux's
 * tcp_cwnd_reduction): on each ACK in SACK recovery, cwnd = pipe + what may
 * go now, so the flight shrinks to ssthresh in proportion to what the peer
 * received (instead of RFC 6675's silence until pipe falls under cwnd,
 * then a burst), and the fast retransmit always goes. */
static void prr_ack(struct tcp_pcb *pcb, int64_t delivered, bool advanced) {
	uint32_t mss = pcb->mss;
	if (delivered > 0)
		pcb->prr_delivered += (uint32_t) delivered;
	uint32_t pipe = tcp_sb_pipe(pcb);
	int64_t sndcnt;
	if (pipe > pcb->ssthresh) {
		uint64_t want = ((uint64_t) pcb->prr_delivered * pcb->ssthresh + pcb->prr_fs - 1) / pcb->prr_fs;
		want = (want + mss - 1) / mss * mss;   /* whole segments, as Linux counts */
		sndcnt = (int64_t) want - pcb->prr_out;
	} else {
		int64_t limit = (int64_t) pcb->prr_delivered - pcb->prr_out;
		if (limit < delivered)
			limit = delivered;
		if (advanced)
			limit += mss;
		sndcnt = (int64_t) pcb->ssthresh - pipe;
		if (sndcnt > limit)
			sndcnt = limit;
	}
	if (sndcnt < 0)
		sndcnt = 0;
	if (pcb->prr_out == 0 && sndcnt < mss)
		sndcnt = mss;
	pcb->cwnd = pipe + (uint32_t) sndcnt;
}

static void dupack(struct tcp_pcb *pcb) {
	uint32_t mss = pcb->mss;
	pcb->dupacks++;
	if (pcb->sack_recovery)
		return;
	if (pcb->in_recovery) {
		pcb->cwnd += mss;  /* inflate (RFC 5681 3.2 step 4) */
		return;
	}
	if (pcb->dupacks < 3)
		return;
	if (pcb->sb) {
		/* not for data sent before a timeout (RFC 6582 4.1, Linux's
		 * CA_Loss): that is being resent already */
		if (!pcb->in_loss && !tcp_mtup_lost(pcb))
			enter_sack_recovery(pcb);
		return;
	}
	if (pcb->dupacks != 3 || tcp_mtup_lost(pcb))
		return;
	/* no SACK (not permitted, or no block came): NewReno */
	pcb->s->tcp->mib.RenoRecovery++;
	/* RFC 6582 3.2 step 2 would wait for the ACK to pass "recover"
	 * after a timeout; a resent segment lost again then costs another
	 * timeout. Without SACK we take the risk of a needless halving. */
	undo_init(pcb);
	tcp_cc_congestion(pcb, false);
	pcb->recover = pcb->snd_max;
	pcb->recover_valid = true;
	pcb->in_recovery = true;
	tcp_retransmit_head(pcb);
	pcb->cwnd = pcb->ssthresh + 3u * mss;
}

/* RFC 9293 3.10.7.4 steps 1-4 (with PAWS, RFC 7323 5.3, and RFC 5961):
 * false when the segment goes no further (answered, dropped, or the
 * connection is over). */
static bool seg_check(struct tcp_pcb *pcb, struct tcp_seg *g, uint32_t rwnd, uint64_t now) {
	struct ustack *s = pcb->s;
	uint8_t fl = g->flags;
	uint32_t seq = g->seq;
	uint32_t seglen = g->len + !!(fl & TCP_SYN) + !!(fl & TCP_FIN);
	/* 0. PAWS (RFC 7323 5.3 R1): an old TSval, a duplicate ACK as Linux */
	if (tcp_paws_reject(pcb, g)) {
		s->tcp->mib.PAWSEstab++;
		tcp_send_ack(pcb);
		return false;
	}
	/* 0b. a retransmitted SYN in SYN-RECEIVED (its sequence number is
	 * below the window) gets the SYN-ACK again, as Linux's tcp_check_req */
	if (pcb->state == TCPS_SYN_RECV && (fl & (TCP_SYN | TCP_RST | TCP_ACK)) == TCP_SYN &&
			seq == pcb->irs) {
		tcp_send_syn(pcb);
		return false;
	}
	/* 1. sequence number (RFC 9293 3.10.7.4). A segment without data
	 * is also taken at the right edge of the window and down to the
	 * rcv_nxt of our last ACK, as Linux's tcp_sequence does: a peer's
	 * ACK sent at the edge of a closed window must be read ("special
	 * allowance should be made to accept valid ACKs") */
	bool edge_ok = seglen == 0 && !(fl & TCP_RST) && seq_geq(seq, pcb->last_ack_sent) &&
			seq_leq(seq, pcb->rcv_nxt + rwnd);
	if (!edge_ok && !tcp_seg_acceptable(seq, seglen, pcb->rcv_nxt, rwnd)) {
		/* a SYN out of the window too: a challenge (Linux's
		 * tcp_validate_incoming, RFC 5961 4.2) */
		if ((fl & TCP_SYN) && !(fl & TCP_RST) && pcb->state != TCPS_SYN_RECV) {
			challenge_ack(pcb);
			return false;
		}
		if (!(fl & TCP_RST)) {
			/* without data, at most one such ACK per 500 ms (Linux's
			 * tcp_oow_rate_limited: an ACK loop, or an attacker's
			 * probe, gets no stream of answers) */
			if (seglen == 0 && oow_rate_limited(pcb, now, &s->tcp->mib.ACKSkippedSeq))
				return false;
			/* a duplicate (Linux tcp_send_dupack): reported as a
			 * D-SACK of what lies below rcv_nxt */
			if (seglen && seq_lt(seq, pcb->rcv_nxt))
				tcp_dsack_set(pcb, seq, seq_lt(seq + seglen, pcb->rcv_nxt) ? seq + seglen : pcb->rcv_nxt);
			tcp_send_ack(pcb);
		}
		return false;
	}
	/* RFC 7323 4.3 R3 */
	tcp_ts_update_recent(pcb, g);
	pcb->last_rx = now;
	pcb->ka_probes = 0;
	/* 2. RST: RFC 5961 3.2, exactly rcv_nxt resets, else a challenge */
	if (fl & TCP_RST) {
		if (seq != pcb->rcv_nxt) {
			challenge_ack(pcb);
			return false;
		}
		switch (pcb->state) {
		case TCPS_SYN_RECV:
			if (pcb->fo_passive) {
				/* a Fast Open connection (on the accept queue or
				 * accepted): reset as an established one (Linux); its
				 * data stays readable */
				s->tcp->mib.EstabResets++;
				tcp_done(pcb, ECONNRESET);
				return false;
			}
			tcp_done(pcb, pcb->parent ? 0 : ECONNREFUSED);
			return false;
		case TCPS_CLOSE_WAIT:
			s->tcp->mib.EstabResets++;
			tcp_done(pcb, EPIPE);   /* Linux tcp_reset */
			return false;
		case TCPS_CLOSING:
		case TCPS_LAST_ACK:
			tcp_done(pcb, 0);
			return false;
		default:
			s->tcp->mib.EstabResets++;
			tcp_done(pcb, ECONNRESET);
			return false;
		}
	}
	/* 3. SYN in a synchronized state: RFC 5961 4.2 challenge ACK. An
	 * embryonic connection of a listener is reset instead, as Linux's
	 * tcp_check_req does (RFC 9293 3.10.7.4 before RFC 5961) */
	if (fl & TCP_SYN) {
		if (pcb->state == TCPS_SYN_RECV && pcb->parent) {
			tcp_reset_answer(s, g);
			tcp_done(pcb, 0);
			return false;
		}
		challenge_ack(pcb);
		return false;
	}
	/* 4. no ACK, no business */
	if (!(fl & TCP_ACK))
		return false;
	return true;
}

/* The first ACK of new data after a timeout: Eifel detection (RFC 3522)
 * by its TSecr. Spurious: the window before the timeout comes back
 * (Linux tcp_undo_cwnd_reduction: the larger of each), loss recovery
 * ends and nothing more is resent (snd_nxt back at snd_max). */
static void loss_undo(struct tcp_pcb *pcb, const struct tcp_seg *g) {
	pcb->undo_armed = false;
	if (!pcb->in_loss || !g->opt_ok || !g->opt.has_ts || !g->opt.tsecr ||
			(int32_t) (g->opt.tsecr - pcb->undo_tsval) >= 0)
		return;
	if (pcb->cwnd < pcb->prior_cwnd)
		pcb->cwnd = pcb->prior_cwnd;
	if (pcb->ssthresh < pcb->prior_ssthresh)
		pcb->ssthresh = pcb->prior_ssthresh;
	pcb->in_loss = false;
	pcb->snd_nxt = pcb->snd_max;
	tcp_rack_unmark_lost(pcb);
	pcb->reo_undo = true;   /* not a recovery RACK's reo_wnd counts */
	pcb->s->tcp->mib.LossUndo++;
}

/* RFC 2883's D-SACK: the first block at or below the ACK, or inside the
 * second (RFC 2883 4) */
static bool has_dsack(const struct tcp_seg *g) {
	if (!g->opt_ok || g->opt.nsack == 0)
		return false;
	const struct tcp_sack_block *b = g->opt.sack;
	return seq_leq(b[0].right, g->ack) ||
			(g->opt.nsack > 1 && seq_geq(b[0].left, b[1].left) && seq_leq(b[0].right, b[1].right));
}

/* Linux tcp_check_dsack and tcp_try_undo_dsack: a D-SACK below the
 * snd_una before this ACK and above the start of recovery is a resend
 * that was not needed; once every resend of the recovery came back so,
 * the reduction is undone and recovery ends. */
static void dsack_undo(struct tcp_pcb *pcb, const struct tcp_seg *g, uint32_t una0) {
	if (!pcb->dsack_undo || !has_dsack(g))
		return;
	const struct tcp_sack_block *b = &g->opt.sack[0];
	uint32_t mss = pcb->mss ? pcb->mss : 1;
	if (pcb->undo_retrans > 0 && seq_leq(b->right, una0) && seq_gt(b->right, pcb->undo_seq) &&
			seq_lt(b->left, b->right)) {
		int segs = (int) ((b->right - b->left + mss - 1) / mss);
		pcb->undo_retrans = pcb->undo_retrans > segs ? pcb->undo_retrans - segs : 0;
		if (pcb->undo_retrans == 0) {
			if (pcb->cwnd < pcb->prior_cwnd)
				pcb->cwnd = pcb->prior_cwnd;
			if (pcb->ssthresh < pcb->prior_ssthresh)
				pcb->ssthresh = pcb->prior_ssthresh;
			/* RACK's reo_wnd: a recovery ended so is not counted (one
			 * that ended before was), and one is given back (Linux
			 * tcp_try_undo_dsack) */
			if (pcb->in_recovery)
				pcb->reo_undo = true;
			pcb->in_recovery = pcb->sack_recovery = false;
			pcb->dupacks = 0;
			pcb->dsack_undo = false;
			if (pcb->reo_persist < 16)
				pcb->reo_persist++;
			pcb->s->tcp->mib.DSACKUndo++;
		}
	}
}

/* F-RTO (RFC 5682 3.1, SACK variant 2.2; Linux tcp_process_loss with
 * tcp_frto=2) on an ACK after a timeout: data sent before the timeout and
 * never resent arriving (acknowledged or SACKed) shows the timeout was
 * spurious: the window comes back and nothing more is resent. Else the
 * first ACK of the resend lets new data go instead of more resends (step
 * 2b); a duplicate or SACK after it shows a real loss: go-back-N (3a). */
static void frto_ack(struct tcp_pcb *pcb, bool advanced, bool sacked, bool dup) {
	if (!pcb->in_loss || !pcb->frto)
		return;
	/* with send records: a segment never resent, newly delivered (the
	 * SACKs from before the timeout prove nothing) */
	bool orig = pcb->loss_sack ? pcb->rack_orig : advanced && seq_gt(pcb->snd_una, pcb->frto_high);
	for (int i = 0; !pcb->loss_sack && !orig && sacked && pcb->sb && i < pcb->sb->n; i++)
		orig = seq_gt(pcb->sb->b[i].right, pcb->frto_high) && seq_lt(pcb->sb->b[i].left, pcb->recover);
	if (orig) {
		if (pcb->cwnd < pcb->prior_cwnd)
			pcb->cwnd = pcb->prior_cwnd;
		if (pcb->ssthresh < pcb->prior_ssthresh)
			pcb->ssthresh = pcb->prior_ssthresh;
		pcb->in_loss = pcb->frto = false;
		pcb->undo_armed = false;
		pcb->snd_nxt = pcb->snd_max;
		tcp_rack_unmark_lost(pcb);
		pcb->s->tcp->mib.SpuriousRTOs++;
		return;
	}
	if (pcb->frto_new) {
		if (sacked || dup) {
			pcb->frto = false;   /* 3a: the loss was real */
			if (!pcb->loss_sack)
				pcb->snd_nxt = pcb->snd_una;
		}
		return;
	}
	if (!advanced)
		return;
	/* 2b: new data, as much as cwnd allows, in the peer's window */
	uint32_t save = pcb->snd_nxt, max0 = pcb->snd_max;
	uint32_t n = pcb->mss ? pcb->cwnd / pcb->mss : 1;
	pcb->snd_nxt = pcb->snd_max;
	for (uint32_t k = 0; k < (n ? n : 1); k++)
		if (!tcp_output_probe_new(pcb))
			break;
	if (pcb->snd_max == max0) {
		pcb->snd_nxt = save;
		pcb->frto = false;   /* nothing new to send: conventional recovery */
		return;
	}
	pcb->frto_new = true;
	pcb->frto_hold = true;
}

/* The ACK moved snd_una: the acknowledged bytes leave the send queue, an
 * RTT sample (RFC 6298, RTTM RFC 7323 4), the congestion window grows,
 * the retransmission timer restarts; true when it SACKed new data. */
static bool ack_advance(struct tcp_pcb *pcb, struct tcp_seg *g, uint64_t now) {
	bool sacked = false;
	if (pcb->undo_armed)
		loss_undo(pcb, g);
	uint32_t acked = g->ack - pcb->snd_una;
	uint32_t was_sacked = pcb->sb ? tcp_sb_sacked_below(pcb, g->ack) : 0;
	uint32_t sacked_all = pcb->sb ? tcp_sb_sacked_below(pcb, pcb->snd_max) : 0;
	uint32_t data_acked = acked < pcb->sndq.len ? acked : pcb->sndq.len;
	if (pcb->ntst)
		tcp_tstamp_acked(pcb, g->ack);
	ring_drop(&pcb->sndq, data_acked);
	if (seq_lt(pcb->snd_nxt, g->ack))
		pcb->snd_nxt = g->ack;
	/* 4 GiB acknowledged in all: the 32-bit count wrapped (RFC 5961 5.2's bound) */
	if (pcb->snd_una != pcb->iss && g->ack - (pcb->iss + 1) < pcb->snd_una - (pcb->iss + 1))
		pcb->acked_wrapped = true;
	pcb->snd_una = g->ack;
	tcp_sb_ack(pcb);
	tcp_eor_ack(pcb);
	tcp_zc_ack(pcb);
	tcp_mtup_ack(pcb);
	if (g->opt_ok)
		sacked = tcp_sb_update(pcb, &g->opt);
	uint32_t delivered = acked - (was_sacked < acked ? was_sacked : acked);
	if (pcb->sb) {
		uint32_t now_sacked = tcp_sb_sacked_below(pcb, pcb->snd_max);
		if (now_sacked > sacked_all - was_sacked)
			delivered += now_sacked - (sacked_all - was_sacked);
	}
	if (delivered) {
		uint32_t mss = pcb->mss ? pcb->mss : 536;
		pcb->delivered_segs += (delivered + mss - 1) / mss;
	}
	if (pcb->rtt_timing && seq_geq(g->ack, pcb->rtt_seq)) {
		pcb->rtt_timing = false;
		tcp_rtt_sample(pcb, (uint32_t) ((now - pcb->rtt_start) / 1000));
	} else if (!pcb->rtt_timing && pcb->ts_ok && g->opt_ok && g->opt.has_ts && g->opt.tsecr) {
		/* RTTM (RFC 7323 4): no timed segment (Karn after a resend),
		 * the echoed TSval measures it; 1 ms ticks, at least one, as
		 * Linux's tcp_ack_update_rtt */
		uint32_t ms = tcp_ts_now(pcb) - g->opt.tsecr;
		if (ms < 600000)
			tcp_rtt_sample(pcb, (ms ? ms : 1) * 1000u);
	}
	pcb->backoff = 0;
	pcb->rtx_stamp = 0;
	tcp_cc_acked(pcb, g, acked, now);
	ack_cc(pcb, acked, delivered);
	if (pcb->snd_una == pcb->snd_max) {
		pcb->rtx_at = 0;
		pcb->persist = false;
	} else
		tcp_arm_rtx(pcb);
	tcp_chrono_stop(pcb, TCP_CHRONO_BUSY);   /* none once all is acknowledged */
	if (pcb->nospace && tcp_writeable(pcb)) {
		/* the writer is told of room (Linux tcp_check_space) */
		pcb->nospace = false;
		tcp_chrono_stop(pcb, TCP_CHRONO_SNDBUF);
	}
	if (pcb->sk)
		tcp_wakeup(pcb);   /* room in the send buffer */
	return sacked;
}

/* RFC 6675 5 and RFC 6937 after an ACK: recovery begins when the
 * scoreboard says the first segment is lost, a resend lost again goes
 * again, PRR sets what may be sent. */
static void ack_recovery(struct tcp_pcb *pcb, bool sacked, bool advanced, uint32_t una0, uint32_t sacked0,
		bool rack_lost) {
	/* RFC 6675 5: recovery also starts when the scoreboard says the first
	 * segment is lost, before three duplicates; RFC 8985: or RACK does */
	if (pcb->in_loss && seq_geq(pcb->snd_una, pcb->recover))
		pcb->in_loss = false;
	if ((sacked || rack_lost) && !pcb->in_recovery && !pcb->in_loss && pcb->sb && tcp_sb_is_lost(pcb, pcb->snd_una)) {
		/* a lost path MTU probe is no congestion (tcp_output.c) */
		if (tcp_mtup_lost(pcb))
			return;
		enter_sack_recovery(pcb);
	} else if (sacked && pcb->sack_recovery && !tcp_tx_complete(pcb) && tcp_sb_head_rxt_lost(pcb)) {
		/* the resend at snd_una was lost as well: again, without
		 * waiting for the timer */
		pcb->s->tcp->mib.SACKLostRetrans++;
		tcp_sack_retransmit(pcb, pcb->snd_una, pcb->mss);
	}
	if (pcb->sack_recovery && pcb->sb) {
		/* RFC 6937 DeliveredData: the change in snd_una and in SACKed bytes */
		int64_t d = (int64_t) (uint32_t) (pcb->snd_una - una0) +
				(int64_t) tcp_sb_sacked_below(pcb, pcb->snd_max) - (int64_t) sacked0;
		prr_ack(pcb, d, advanced);
	}
}

static void snd_window_update(struct tcp_pcb *pcb, const struct tcp_seg *g, uint32_t wnd, bool advanced) {
	uint32_t seq = g->seq;
	/* window update (RFC 9293 3.10.7.4, SND.WL1/WL2), and as Linux's
	 * tcp_may_update_window from any ACK that moves snd_una: the window
	 * is relative to the ACK that carries it, and a new snd_una with an
	 * older window puts the right edge past the peer's (a resent segment
	 * of the peer, below SND.WL1, acknowledging our data while its window
	 * closed: we then sent beyond it) */
	if (advanced || seq_lt(pcb->snd_wl1, seq) || (pcb->snd_wl1 == seq && seq_leq(pcb->snd_wl2, g->ack))) {
		pcb->snd_wnd = wnd;
		pcb->snd_wl1 = seq;
		pcb->snd_wl2 = g->ack;
		if (wnd > pcb->max_snd_wnd)
			pcb->max_snd_wnd = wnd;
		if (wnd && pcb->persist) {
			pcb->persist = false;
			pcb->rtx_at = 0;
			pcb->backoff = 0;
		}
	}
}

/* RFC 3168 6.1.2, as Linux's tcp_enter_cwr: the peer saw congestion
 * (ECE): the congestion control's reduction once per window of data,
 * not during loss recovery, and CWR on the next new data. Linux lowers
 * cwnd to ssthresh step by step (PRR); here at once. */
static void ecn_echo(struct tcp_pcb *pcb) {
	if (pcb->in_recovery || pcb->in_loss || (pcb->in_cwr && seq_lt(pcb->snd_una, pcb->cwr_seq)))
		return;
	tcp_cc_congestion(pcb, false);
	if (pcb->cwnd > pcb->ssthresh)
		pcb->cwnd = pcb->ssthresh;
	pcb->in_cwr = true;
	pcb->cwr_seq = pcb->snd_max;
	pcb->queue_cwr = true;
}

/* Our FIN acknowledged: FIN-WAIT-1, CLOSING and LAST-ACK move on (RFC
 * 9293 3.10.7.4 step 5); false when the connection is over. */
static bool ack_fin(struct tcp_pcb *pcb, uint64_t now) {
	bool fin_acked = pcb->fin_queued && seq_gt(pcb->snd_una, pcb->fin_seq);
	switch (pcb->state) {
	case TCPS_FIN_WAIT1:
		if (fin_acked) {
			pcb->state = TCPS_FIN_WAIT2;
			if (pcb->orphan)
				pcb->end_at = now + TCP_FIN_TIMEOUT_NS;
			tcp_wakeup(pcb);
		}
		break;
	case TCPS_CLOSING:
		if (fin_acked) {
			tcp_enter_timewait(pcb);
			return false;
		}
		break;
	case TCPS_LAST_ACK:
		if (fin_acked) {
			tcp_done(pcb, 0);
			return false;
		}
		break;
	default:
		break;
	}
	return true;
}

/* Step 5, the ACK: the send queue, RTT, congestion control, loss
 * recovery (RFC 5681, 6675, 6937), the send window, and the states that
 * our FIN's acknowledgment moves. false when the segment goes no further. */
static bool ack_input(struct tcp_pcb *pcb, struct tcp_seg *g, uint64_t now) {
	struct ustack *s = pcb->s;
	uint8_t fl = g->flags;
	uint32_t seq = g->seq, len = g->len;
	/* 5. ACK */
	if (pcb->state == TCPS_SYN_RECV) {
		if (!(seq_gt(g->ack, pcb->snd_una) && seq_leq(g->ack, pcb->snd_max))) {
			tcp_reset_answer(s, g);
			return false;
		}
		if (pcb->syn_retries == 0)
			tcp_rtt_sample(pcb, (uint32_t) ((now - pcb->rtt_start) / 1000));
		/* the SYN's acknowledgment; data a Fast Open child sent before
		 * is acknowledged below as any */
		pcb->snd_una = pcb->iss + 1;
		pcb->delivered_segs++;   /* the SYN-ACK (Linux) */
		pcb->snd_wnd = g->wnd << pcb->snd_wscale;
		pcb->max_snd_wnd = pcb->snd_wnd;
		pcb->snd_wl1 = seq;
		pcb->snd_wl2 = g->ack;
		pcb->backoff = 0;
		pcb->rtx_at = 0;
		establish_child(pcb);
		if (pcb->snd_una != pcb->snd_max)
			tcp_arm_rtx(pcb);   /* Fast Open data in flight */
	}
	if (seq_gt(g->ack, pcb->snd_max)) {
		tcp_send_ack(pcb);
		return false;
	}
	/* RFC 5961 5.2: too old an ACK is a blind attempt. The bound is
	 * the largest window the peer offered, or what it acknowledged in
	 * all if less (Linux: no ACK of bytes never sent) */
	uint32_t old_bound = pcb->max_snd_wnd;
	uint32_t acked_all = pcb->snd_una - (pcb->iss + 1);
	if (!pcb->acked_wrapped && acked_all < old_bound)
		old_bound = acked_all;
	if (seq_lt(g->ack, pcb->snd_una - old_bound)) {
		challenge_ack(pcb);
		return false;
	}
	pcb->last_ack_rx = now;
	uint32_t wnd = g->wnd << pcb->snd_wscale;
	uint32_t una0 = pcb->snd_una;
	bool rec0 = pcb->in_recovery || pcb->in_loss;
	uint32_t sacked0 = pcb->sb ? tcp_sb_sacked_below(pcb, pcb->snd_max) : 0;
	bool advanced = seq_gt(g->ack, pcb->snd_una);
	bool sacked = false;
	if (advanced) {
		sacked = ack_advance(pcb, g, now);
	} else if (g->ack == pcb->snd_una && pcb->snd_una != pcb->snd_max) {
		if (g->opt_ok)
			sacked = tcp_sb_update(pcb, &g->opt);
		/* RFC 5681 2 duplicate ACK; RFC 6675 2: or one that SACKs new data */
		if ((len == 0 && !(fl & (TCP_SYN | TCP_FIN)) && wnd == pcb->snd_wnd) || sacked)
			dupack(pcb);
	} else if (seq_lt(g->ack, pcb->snd_una) && g->opt_ok) {
		/* an ACK below snd_una (reordered): its SACK blocks still count,
		 * for the scoreboard, RACK and PRR (Linux tcp_ack's old ACK) */
		sacked = tcp_sb_update(pcb, &g->opt);
	}
	if (pcb->ecn_ok && (fl & TCP_ECE))
		ecn_echo(pcb);
	/* RACK (RFC 8985 6.2): the delivered segments, then the lost */
	bool rack_lost = false;
	uint64_t reo = 0;
	if (pcb->sack_ok) {
		tcp_rack_ack(pcb, now, g->opt_ok && g->opt.has_ts ? g->opt.tsecr : 0);
		tcp_rack_reo_update(pcb, now, has_dsack(g), rec0);
		/* losses are looked for when RACK moved (Linux tcp_rack_mark_lost);
		 * otherwise only the REO timer's deadline */
		reo = tcp_rack_detect(pcb, now, &rack_lost, pcb->rack_advanced);
		tcp_tlp_ack(pcb, g->ack, has_dsack(g), advanced, sacked);
	}
	dsack_undo(pcb, g, una0);
	frto_ack(pcb, advanced, sacked, !advanced && g->ack == pcb->snd_una && len == 0 && wnd == pcb->snd_wnd);
	ack_recovery(pcb, sacked, advanced, una0, sacked0, rack_lost);
	/* the timer: RACK's reordering wait, else the loss probe after an
	 * ACK that moved snd_una (Linux tcp_set_xmit_timer) */
	if (pcb->sack_ok && pcb->snd_una != pcb->snd_max && !pcb->persist) {
		if (reo) {
			/* an ACK that did not move RACK leaves a waiting REO timer be */
			if (pcb->rack_advanced || pcb->rtx_kind != TCP_RTX_REO)
				tcp_rack_arm_reo(pcb, reo);
		} else if (advanced)
			tcp_tlp_schedule(pcb);
	}
	snd_window_update(pcb, g, wnd, advanced);
	return ack_fin(pcb, now);
}

/* Steps 7 and 8: data in order to the receive queue, out of order to the
 * out-of-order queue (SACK blocks), the FIN. rwnd: the window before the
 * segment. false when the segment goes no further. */
static bool data_input(struct tcp_pcb *pcb, struct tcp_seg *g, uint32_t rwnd, uint64_t now) {
	uint8_t fl = g->flags;
	uint32_t seq = g->seq, len = g->len;
	const uint8_t *data = g->data;
	/* RFC 3168 6.1.3 (Linux tcp_ecn_accept_cwr, __tcp_ecn_check_ce):
	 * CWR ends our echo; a CE mark on data starts it, acknowledged at once */
	if (pcb->ecn_ok) {
		if (fl & TCP_CWR) {
			pcb->ece_demand = false;
			if (len)
				pcb->ack_now = true;
		}
		if (len && g->ecn == 3 && !pcb->ece_demand) {
			pcb->ece_demand = true;
			pcb->ack_now = true;
		}
	}
	/* 7. data */
	if (len)
		pcb->dsack_pending = false;   /* reported until new data (Linux) */
	bool fin = (fl & TCP_FIN) != 0;
	bool can_rx = pcb->state == TCPS_ESTABLISHED || pcb->state == TCPS_FIN_WAIT1 ||
			pcb->state == TCPS_FIN_WAIT2;
	if (len && can_rx) {
		bool rd_gone = pcb->orphan || (pcb->sk && pcb->sk->shut_rd &&
				(pcb->state == TCPS_FIN_WAIT1 || pcb->state == TCPS_FIN_WAIT2));
		if (rd_gone && seq_gt(seq + len, pcb->rcv_nxt)) {
			/* new data that nobody will read (closed, or shut down
			 * both ways): the connection is reset (RFC 1122 4.2.2.13,
			 * Linux's TCPAbortOnData), the reset made as the answer
			 * to this segment, as Linux's */
			tcp_reset_answer(pcb->s, g);
			tcp_done(pcb, ECONNRESET);
			return false;
		}
		if (seq_lt(seq, pcb->rcv_nxt)) {
			/* its head arrived before: a D-SACK for it (RFC 2883) */
			tcp_dsack_set(pcb, seq, pcb->rcv_nxt);
			uint32_t skip = pcb->rcv_nxt - seq;
			data += skip;
			len -= skip;
			seq = pcb->rcv_nxt;
		}
		uint32_t room = rwnd - (seq - pcb->rcv_nxt);
		if (len > room) {
			len = room;
			fin = false;
		}
		pcb->last_data_rx = now;
		if (seq == pcb->rcv_nxt) {
			bool had_ooo = pcb->ooo != NULL;
			if (len && ring_append(&pcb->rcvq, data, len, pcb->rcvcap) < 0) {
				tcp_output(pcb);
				return false;
			}
			pcb->rcv_nxt += len;
			if (had_ooo) {
				if (ooo_drain(pcb))
					fin = true;
				tcp_rsack_trim(pcb);
				pcb->ack_now = true;
			}
			if (!fin)
				tcp_ack_later(pcb);
			if (pcb->sk && (len || had_ooo))
				sock_rx_edge(pcb->sk);   /* new data: a new EPOLLIN edge */
			tcp_wakeup(pcb);
		} else {
			if (len) {
				ooo_insert(pcb, seq, data, len, fin);
				tcp_rsack_add(pcb, seq, seq + len);
			}
			tcp_send_ack(pcb);   /* a duplicate ACK at once (RFC 5681 4.2) */
			tcp_output(pcb);
			return false;
		}
	} else if (fin && can_rx && seq != pcb->rcv_nxt) {
		/* a FIN beyond a hole waits with the data */
		ooo_insert(pcb, seq, data, 0, true);
		tcp_send_ack(pcb);
		return false;
	}
	/* 8. FIN */
	if (fin && (can_rx || pcb->state == TCPS_SYN_RECV) && !pcb->fin_rcvd) {
		on_fin(pcb);
		if (pcb->state == TCPS_TIME_WAIT)
			return false;
	}
	return true;
}

static void established_input(struct tcp_pcb *pcb, struct tcp_seg *g) {
	uint64_t now = tcp_clock(pcb->s);
	uint32_t rwnd = tcp_rcv_window(pcb);
	uint32_t una = pcb->snd_una;
	if (!seg_check(pcb, g, rwnd, now) || !ack_input(pcb, g, now) || !data_input(pcb, g, rwnd, now))
		return;
	tcp_output(pcb);
	/* TCP_NOTSENT_LOWAT: what the ACK let go counts for writability
	 * (Linux tcp_check_space after tcp_data_snd_check) */
	if (tcp_lowat(pcb) && pcb->snd_una != una)
		tcp_wakeup(pcb);
	tcp_timer_update(pcb);
}

void tcp_input(struct ustack *s, struct tcp_seg *g) {
	struct tcp_stack *ts = s->tcp;
	ts->mib.InSegs++;
	struct tcp_pcb *pcb = tcp_lookup(s, g);
	if (pcb && pcb->state == TCPS_TIME_WAIT) {
		if (timewait_input(pcb, g))
			return;
		pcb = NULL;
	}
	if (pcb == NULL || pcb->state == TCPS_CLOSED) {
		struct tcp_pcb *l = tcp_lookup_listener(s, g);
		if (l == NULL) {
			tcp_reset_answer(s, g);
			return;
		}
		pcb = listen_input(s, l, g);
		if (pcb == NULL)
			return;
	}
	if (pcb->state == TCPS_SYN_SENT) {
		syn_sent_input(pcb, g);
		return;
	}
	established_input(pcb, g);
}

static void seg_fill(struct tcp_seg *g, const uint8_t *t, size_t len) {
	memcpy(&g->sport, t, 2);   /* ports kept in network order */
	memcpy(&g->dport, t + 2, 2);
	g->seq = tcp_seq(t);
	g->ack = tcp_ack(t);
	g->flags = tcp_flags(t);
	g->wnd = tcp_window(t);
	size_t hl = tcp_hdr_len(t);
	g->data = t + hl;
	g->len = (uint32_t) (len - hl);
	/* a malformed option area is ignored, as Linux does, not the segment */
	g->opt_ok = tcp_opts_parse(t + TCP_HDR_LEN, hl - TCP_HDR_LEN, &g->opt) == 0;
}

void tcp4_input(struct ustack *s, struct ip4_rx *rx) {
	if (s->tcp == NULL) {
		tcp4_input_closed(s, rx);
		return;
	}
	const uint8_t *t = rx->payload;
	if (tcp_check(t, rx->plen) < 0) {
		s->tcp->mib.InErrs++;
		return;
	}
	if (!rx->loop && tcp_csum4((const uint8_t *) &rx->ip.src, (const uint8_t *) &rx->ip.dst, t, rx->plen)) {
		s->tcp->mib.InCsumErrors++;
		s->tcp->mib.InErrs++;
		return;
	}
	/* RFC 1122 4.2.3.10: nothing to or from broadcast or multicast */
	if (rx->bcast || rx->mcast)
		return;
	struct tcp_seg g = {.v6 = false, .loop = rx->loop, .src4 = rx->ip.src, .dst4 = rx->ip.dst,
		.ifp = rx->ifp, .rx4 = rx, .ecn = rx->ip.tos & 3};
	seg_fill(&g, t, rx->plen);
	tcp_input(s, &g);
}

void tcp6_input(struct ustack *s, struct ip6_rx *rx) {
	if (s->tcp == NULL) {
		tcp6_input_closed(s, rx);
		return;
	}
	const uint8_t *t = rx->payload;
	if (tcp_check(t, rx->plen) < 0) {
		s->tcp->mib.InErrs++;
		return;
	}
	if (!rx->loop && tcp_csum6(rx->ip.src, rx->ip.dst, t, rx->plen)) {
		s->tcp->mib.InCsumErrors++;
		s->tcp->mib.InErrs++;
		return;
	}
	if (rx->mcast)
		return;
	struct tcp_seg g = {.v6 = true, .loop = rx->loop, .src6 = rx->ip.src, .dst6 = rx->ip.dst,
		.ifp = rx->ifp, .rx6 = rx, .ecn = rx->ip.tclass & 3};
	seg_fill(&g, t, rx->plen);
	tcp_input(s, &g);
}
