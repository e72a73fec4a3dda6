/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP Fast Open (RFC 7413), the server side, as Linux's with its
 * net.ipv4.tcp_fastopen bits (stack option tcp_fastopen=):
 *
 * The cookie (RFC 7413 4.1.2) is 8 bytes: SipHash-2-4 under the stack's
 * 16-byte key of the client's address then the server's (4 bytes each
 * for IPv4, 16 for IPv6), least significant byte first. Linux computes
 * the same function of the same key (net.ipv4.tcp_fastopen_key, four
 * 32-bit words, each stored least significant byte first), so a stack
 * given Linux's key issues Linux's cookies.
 *
 * A listener takes Fast Open when the stack has TFO_SERVER_ENABLE and
 * the listener a queue (TCP_FASTOPEN's qlen, or its backlog under
 * TFO_SERVER_WO_SOCKOPT1). For a SYN with a Fast Open option or data,
 * and room in that queue:
 *   - TFO_SERVER_COOKIE_NOT_REQD: the connection opens on the SYN;
 *   - a cookie request (an empty option): the SYN-ACK carries the cookie;
 *   - the right cookie: the connection opens on the SYN;
 *   - a wrong cookie: the SYN-ACK carries the right one.
 * Opening on the SYN: its data is queued for reading, the SYN-ACK
 * acknowledges it, and the connection is on the accept queue at once,
 * still in SYN-RECEIVED (it may send; it counts in the listener's queue
 * until its handshake ends or it is accepted). Otherwise the data is
 * dropped, the SYN-ACK acknowledges the SYN alone and the client sends
 * the data again after the handshake (RFC 7413 4.2.2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "tcp.h"

int tcp_fo_key_parse(const char *str, uint8_t key[16]) {
	uint8_t k[16];
	const char *p = str;
	for (int i = 0; i < 4; i++) {
		char *end;
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
			return -EINVAL;
		unsigned long w = strtoul(p, &end, 16);
		if (end == p || end - p > 8 || (i < 3 ? *end != '-' : *end != 0))
			return -EINVAL;
		for (int b = 0; b < 4; b++)
			k[4 * i + b] = (uint8_t) (w >> (8 * b));
		p = end + 1;
	}
	memcpy(key, k, 16);
	return 0;
}

const uint8_t *tcp_fo_key(struct ustack *s) {
	if (!s->tfo_key_set) {
		if (getrandom(s->tfo_key, sizeof(s->tfo_key), GRND_NONBLOCK) != sizeof(s->tfo_key))
			for (size_t i = 0; i < sizeof(s->tfo_key); i += 4) {
				uint32_t r = stack_random(s);
				memcpy(s->tfo_key + i, &r, 4);
			}
		s->tfo_key_set = true;
	}
	return s->tfo_key;
}

void tcp_fo_cookie(const uint8_t key[16], const struct tcp_seg *g, uint8_t out[TFO_COOKIE_LEN]) {
	uint8_t m[32];
	size_t n;
	if (g->v6) {
		memcpy(m, g->src6, 16);
		memcpy(m + 16, g->dst6, 16);
		n = 32;
	} else {
		memcpy(m, &g->src4, 4);
		memcpy(m + 4, &g->dst4, 4);
		n = 8;
	}
	uint64_t h = siphash24(key, m, n);
	for (int i = 0; i < TFO_COOKIE_LEN; i++)
		out[i] = (uint8_t) (h >> (8 * i));
}

bool tcp_fo_syn(struct tcp_pcb *l, struct tcp_pcb *c, const struct tcp_seg *g) {
	struct ustack *s = l->s;
	uint32_t mode = s->tcp_fastopen;
	bool has_fo = g->opt_ok && g->opt.has_fo;
	c->fo_reply = false;
	if (!(mode & TFO_SERVER_ENABLE) || !(has_fo || g->len) || l->fo_qlen <= 0 ||
			l->fo_pending >= l->fo_qlen)
		return false;
	if (!(mode & TFO_SERVER_COOKIE_NOT_REQD) && !l->fo_no_cookie) {
		if (!has_fo)
			return false;
		/* the listener's key (TCP_FASTOPEN_KEY) or the stack's; a
		 * cookie of the backup key is valid too */
		uint8_t want[TFO_COOKIE_LEN], alt[TFO_COOKIE_LEN];
		tcp_fo_cookie(l->fo_nkeys ? l->fo_key : tcp_fo_key(s), g, want);
		bool ok = g->opt.fo_len == TFO_COOKIE_LEN && memcmp(g->opt.fo, want, TFO_COOKIE_LEN) == 0;
		if (!ok && l->fo_nkeys == 2 && g->opt.fo_len == TFO_COOKIE_LEN) {
			tcp_fo_cookie(l->fo_key + 16, g, alt);
			ok = memcmp(g->opt.fo, alt, TFO_COOKIE_LEN) == 0;
		}
		if (!ok) {
			/* a request or a wrong cookie: the right one in the SYN-ACK */
			c->fo_reply = true;
			c->fo_exp = g->opt.fo_exp;
			c->fo_len = TFO_COOKIE_LEN;
			memcpy(c->fo_cookie, want, TFO_COOKIE_LEN);
			return false;
		}
	}
	c->fo_passive = true;
	c->fo_counted = true;
	l->fo_pending++;
	return true;
}

void tcp_fo_syn_opt(const struct tcp_pcb *pcb, struct tcp_opts *o) {
	if ((pcb->state == TCPS_SYN_RECV && pcb->fo_reply) || (pcb->state == TCPS_SYN_SENT && pcb->fo_req)) {
		o->has_fo = true;
		o->fo_exp = pcb->fo_exp;
		o->fo_len = pcb->fo_len;
		memcpy(o->fo, pcb->fo_cookie, pcb->fo_len);
	}
}

void tcp_fo_child_done(struct tcp_pcb *c) {
	if (c->fo_counted && c->parent)
		c->parent->fo_pending--;
	c->fo_counted = false;
}

void tcp_fo_output(struct tcp_pcb *pcb) {
	/* what was written, after the SYN-ACK, within the peer's window and
	 * the initial window; resent only once the handshake ended */
	uint32_t base = pcb->iss + 1;
	uint32_t win = pcb->snd_wnd < pcb->cwnd ? pcb->snd_wnd : pcb->cwnd;
	uint32_t mss = pcb->mss ? pcb->mss : 536;
	bool sent = false;
	for (;;) {
		uint32_t off = pcb->snd_max - base;
		if (off >= pcb->sndq.len || off >= win)
			break;
		uint32_t len = pcb->sndq.len - off;
		if (len > mss)
			len = mss;
		if (len > win - off)
			len = win - off;
		uint8_t fl = TCP_ACK | (off + len == pcb->sndq.len ? TCP_PSH : 0);
		if (tcp_send_seg(pcb, pcb->snd_max, fl, len, false) < 0)
			break;
		pcb->snd_max += len;
		pcb->snd_nxt = pcb->snd_max;
		sent = true;
	}
	if (sent)
		tcp_timer_update(pcb);
}

/* --- client: the cookie cache, one entry per server address, the
 * oldest replaced (Linux keeps them in its TCP metrics) --- */

static struct tcp_fo_entry *cache_find(struct tcp_pcb *pcb, bool make) {
	struct tcp_stack *ts = pcb->s->tcp;
	uint8_t a[16] = {0};
	if (pcb->v6)
		memcpy(a, pcb->r6, 16);
	else
		memcpy(a, &pcb->r4, 4);
	struct tcp_fo_entry *old = &ts->fo_cache[0];
	for (int i = 0; i < TCP_FO_CACHE; i++) {
		struct tcp_fo_entry *e = &ts->fo_cache[i];
		if (e->used && e->v6 == pcb->v6 && memcmp(e->addr, a, 16) == 0)
			return e;
		if (!e->used || (old->used && e->at < old->at))
			old = e;
	}
	if (!make)
		return NULL;
	memset(old, 0, sizeof(*old));
	old->used = true;
	old->v6 = pcb->v6;
	memcpy(old->addr, a, 16);
	return old;
}

bool tcp_fo_client_start(struct tcp_pcb *pcb) {
	pcb->fo_tried = true;
	pcb->fo_syn_len = 0;
	pcb->fo_fail = 0;
	pcb->fo_exp = false;
	if ((pcb->s->tcp_fastopen & TFO_CLIENT_NO_COOKIE) || pcb->fo_no_cookie) {
		pcb->fo_req = false;
		return true;
	}
	pcb->fo_req = true;
	struct tcp_fo_entry *e = cache_find(pcb, false);
	if (e && e->len) {
		pcb->fo_len = e->len;
		memcpy(pcb->fo_cookie, e->cookie, e->len);
		return true;
	}
	pcb->fo_len = 0;
	pcb->fo_fail = TCP_FO_NO_COOKIE;
	return false;
}

uint32_t tcp_fo_syn_space(struct tcp_pcb *pcb) {
	uint32_t mss = tcp_route_mss(pcb);
	struct tcp_fo_entry *e = cache_find(pcb, false);
	if (e && e->mss && e->mss < mss)
		mss = e->mss;
	return mss > 40 ? mss - 40 : 0;
}

void tcp_fo_synack(struct tcp_pcb *pcb, const struct tcp_seg *g) {
	if (!pcb->fo_tried)
		return;   /* a SYN-ACK's cookie unasked for is ignored (Linux) */
	uint32_t acked = g->ack - (pcb->iss + 1);
	if (pcb->fo_syn_len) {
		if (acked >= pcb->fo_syn_len)
			pcb->syn_data_acked = true;
		else if (!pcb->fo_fail)
			pcb->fo_fail = TCP_FO_DATA_NOT_ACKED;
	}
	struct tcp_fo_entry *e = cache_find(pcb, true);
	e->at = tcp_clock(pcb->s);
	if (g->opt_ok && g->opt.has_mss)
		e->mss = g->opt.mss;
	/* even after our SYN was retransmitted without the option: the
	 * timeout may have been spurious (Linux) */
	if (g->opt_ok && g->opt.has_fo && g->opt.fo_len) {
		e->len = g->opt.fo_len;
		memcpy(e->cookie, g->opt.fo, g->opt.fo_len);
	}
}
