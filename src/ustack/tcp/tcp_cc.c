/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Congestion control: the algorithms a connection may run, chosen per
 * socket with TCP_CONGESTION and per stack with the option cc=, CUBIC
 * (RFC 9438) by default as Linux. Each algorithm lives in tcp_cc_NAME.c
 * and is reached only through its struct tcp_cc_ops. */
#include <string.h>

#include "tcp.h"

static const struct tcp_cc_ops *const algorithms[] = {&tcp_cc_cubic, &tcp_cc_reno};

const struct tcp_cc_ops *tcp_cc_find(const char *name) {
	for (size_t i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++)
		if (strcmp(algorithms[i]->name, name) == 0)
			return algorithms[i];
	return NULL;
}

const struct tcp_cc_ops *tcp_cc_default(struct ustack *s) {
	return s->tcp_cc ? s->tcp_cc : &tcp_cc_cubic;
}

void tcp_cc_set(struct tcp_pcb *pcb, const struct tcp_cc_ops *ops) {
	pcb->cc = ops;
	memset(pcb->cc_priv, 0, sizeof(pcb->cc_priv));
	if (ops->init)
		ops->init(pcb);
}

uint32_t tcp_cc_slow_start(struct tcp_pcb *pcb, uint32_t acked) {
	if (pcb->cwnd >= pcb->ssthresh)
		return acked;
	uint32_t room = pcb->ssthresh - pcb->cwnd;
	uint32_t add = acked < room ? acked : room;
	pcb->cwnd += add;
	return acked - add;
}

void tcp_cc_congestion(struct tcp_pcb *pcb, bool timeout) {
	if (pcb->cc == NULL)
		tcp_cc_set(pcb, tcp_cc_default(pcb->s));
	uint32_t t = pcb->cc->ssthresh(pcb, timeout);
	pcb->ssthresh = t > 2u * pcb->mss ? t : 2u * pcb->mss;
	pcb->bytes_acked = 0;
}

/* Linux's ca_rtt: the time since the most recently sent of the segments
 * this ACK acknowledged left (segments SACKed before do not count; none
 * when one of them was resent, Karn); without one, the echoed timestamp
 * (1 ms ticks, at least one). The segments' send times are those RACK
 * keeps (pcb->tx, SACK connections); without them only the timestamp. */
static int64_t ack_rtt_us(const struct tcp_pcb *pcb, const struct tcp_seg *g, uint64_t now) {
	int64_t rtt = -1;
	bool resent = false, have = false;
	uint64_t last = 0;
	for (uint32_t i = 0; i < pcb->ntx && seq_lt(pcb->tx[i].seq, pcb->snd_una); i++) {
		const struct tcp_txrec *r = &pcb->tx[i];
		if (r->fl & TCP_TXR_SACKED)
			continue;
		if (r->fl & (TCP_TXR_RETRANS | TCP_TXR_EVER))
			resent = true;
		else if (!have || r->at > last) {
			last = r->at;
			have = true;
		}
	}
	if (have && !resent)
		rtt = now > last ? (int64_t) ((now - last) / 1000) : 0;
	if (rtt < 0 && pcb->ts_ok && g && g->opt_ok && g->opt.has_ts && g->opt.tsecr) {
		uint32_t ms = tcp_ts_now((struct tcp_pcb *) pcb) - g->opt.tsecr;
		if (ms < 600000)
			rtt = (int64_t) (ms ? ms : 1) * 1000;
	}
	return rtt;
}

void tcp_cc_acked(struct tcp_pcb *pcb, const struct tcp_seg *g, uint32_t acked, uint64_t now) {
	if (acked == 0 || pcb->cc == NULL || pcb->cc->pkts_acked == NULL)
		return;
	pcb->cc->pkts_acked(pcb, ack_rtt_us(pcb, g, now));
}
