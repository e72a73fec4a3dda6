/* SPDX-License-Identifier: LGPL-2.1-or-later
 * NewReno's window (RFC 5681 3.1; its recovery, RFC 6582, is in
 * tcp_input.c): slow start, then one segment per window acknowledged;
 * on a congestion event half of the flight. */
#include "tcp.h"

static void reno_cong_avoid(struct tcp_pcb *pcb, uint32_t acked) {
	acked = tcp_cc_slow_start(pcb, acked);
	if (acked == 0 || pcb->cwnd < pcb->ssthresh)
		return;
	/* RFC 5681 3.1 eq. 3 by byte counting (RFC 3465 2.1) */
	pcb->bytes_acked += acked;
	if (pcb->bytes_acked >= pcb->cwnd) {
		pcb->bytes_acked -= pcb->cwnd;
		pcb->cwnd += pcb->mss;
	}
}

/* RFC 5681 eq. 4: FlightSize / 2 (at least two segments: tcp_cc.c) */
static uint32_t reno_ssthresh(struct tcp_pcb *pcb, bool timeout) {
	(void) timeout;
	return (pcb->snd_max - pcb->snd_una) / 2;
}

const struct tcp_cc_ops tcp_cc_reno = {
	.name = "reno",
	.cong_avoid = reno_cong_avoid,
	.ssthresh = reno_ssthresh,
};
