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
