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

void tcp_fo_cookie(struct ustack *s, const struct tcp_seg *g, uint8_t out[TFO_COOKIE_LEN]) {
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
	uint64_t h = siphash24(tcp_fo_key(s), m, n);
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
		uint8_t want[TFO_COOKIE_LEN];
		tcp_fo_cookie(s, g, want);
		if (g->opt.fo_len != TFO_COOKIE_LEN || memcmp(g->opt.fo, want, TFO_COOKIE_LEN) != 0) {
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
	if (pcb->state == TCPS_SYN_RECV && pcb->fo_reply) {
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
