/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Selective acknowledgments (RFC 2018, RFC 6675) for ustack's TCP.
 *
 * SACK, receiver: the blocks we report are the runs of the out-of-order
 * queue, the one holding the latest arrival first, then those reported
 * before (RFC 2018 4), at most 4 kept, 3 sent with timestamps.
 *
 * SACK, sender: the scoreboard (tcp.h) is allocated with the first block
 * and freed when everything is acknowledged or on a timeout. IsLost,
 * SetPipe and NextSeg follow RFC 6675 4, counting bytes; recovery itself
 * (entering it, sending by pipe) is in tcp_input.c and tcp_output.c. */
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

#define DUPTHRESH 3

/* --- receiver: the blocks we send --- */

/* RFC 2883 4 (and Linux with tcp_dsack=1): a duplicate is reported in the
 * first block of the next ACKs */
void tcp_dsack_set(struct tcp_pcb *pcb, uint32_t seq, uint32_t end) {
	if (!pcb->sack_ok || !seq_lt(seq, end))
		return;
	pcb->dsack = (struct tcp_sack_block) {seq, end};
	pcb->dsack_pending = true;
	pcb->s->tcp->mib.DSACKOldSent++;
}

/* The run of contiguous out-of-order data that holds seq. */
static void ooo_run(const struct tcp_pcb *pcb, uint32_t seq, uint32_t *left, uint32_t *right) {
	uint32_t l = 0, r = 0;
	bool have = false;
	for (const struct tcp_ooo *o = pcb->ooo; o; o = o->next) {
		uint32_t e = o->seq + o->len;
		if (have && seq_leq(o->seq, r)) {
			if (seq_gt(e, r))
				r = e;
			continue;
		}
		if (have && seq_in(seq, l, r))
			break;
		l = o->seq;
		r = e;
		have = true;
	}
	if (have && seq_in(seq, l, r)) {
		*left = l;
		*right = r;
	}
}

void tcp_rsack_add(struct tcp_pcb *pcb, uint32_t seq, uint32_t end) {
	if (!pcb->sack_ok || seq == end)
		return;
	uint32_t l = seq, r = end;
	ooo_run(pcb, seq, &l, &r);
	struct tcp_sack_block keep[TCP_MAX_SACK];
	int n = 0;
	keep[n++] = (struct tcp_sack_block) {l, r};
	for (int i = 0; i < pcb->nrsack && n < TCP_MAX_SACK; i++) {
		const struct tcp_sack_block *b = &pcb->rsack[i];
		/* overlapping or touching the new run: now part of it */
		if (seq_leq(b->left, r) && seq_geq(b->right, l))
			continue;
		keep[n++] = *b;
	}
	memcpy(pcb->rsack, keep, sizeof(keep[0]) * (size_t) n);
	pcb->nrsack = (uint8_t) n;
}

void tcp_rsack_trim(struct tcp_pcb *pcb) {
	int n = 0;
	for (int i = 0; i < pcb->nrsack; i++) {
		struct tcp_sack_block b = pcb->rsack[i];
		if (seq_leq(b.right, pcb->rcv_nxt))
			continue;
		if (seq_lt(b.left, pcb->rcv_nxt))
			b.left = pcb->rcv_nxt;
		pcb->rsack[n++] = b;
	}
	pcb->nrsack = (uint8_t) n;
}

/* --- sender: the scoreboard --- */

void tcp_sb_clear(struct tcp_pcb *pcb) {
	free(pcb->sb);
	pcb->sb = NULL;
}

/* Merge [l, r) into the sorted, disjoint list; the bytes newly covered. */
static uint32_t sb_insert(struct tcp_scoreboard *sb, uint32_t l, uint32_t r) {
	struct tcp_sack_block out[TCP_SB_MAX + 1];
	int n = 0, i = 0;
	uint32_t had = 0;
	while (i < sb->n && seq_lt(sb->b[i].right, l))
		out[n++] = sb->b[i++];
	uint32_t ml = l, mr = r;
	while (i < sb->n && seq_leq(sb->b[i].left, r)) {
		had += sb->b[i].right - sb->b[i].left;
		if (seq_lt(sb->b[i].left, ml))
			ml = sb->b[i].left;
		if (seq_gt(sb->b[i].right, mr))
			mr = sb->b[i].right;
		i++;
	}
	out[n++] = (struct tcp_sack_block) {ml, mr};
	while (i < sb->n)
		out[n++] = sb->b[i++];
	if (n > TCP_SB_MAX)
		return 0;   /* full: keep what we have, the timer covers the rest */
	memcpy(sb->b, out, sizeof(out[0]) * (size_t) n);
	sb->n = n;
	return (mr - ml) - had;
}

bool tcp_sb_update(struct tcp_pcb *pcb, const struct tcp_opts *o) {
	if (!pcb->sack_ok || o->nsack == 0)
		return false;
	uint32_t fresh = 0;
	for (int i = 0; i < o->nsack && i < TCP_MAX_SACK; i++) {
		uint32_t l = o->sack[i].left, r = o->sack[i].right;
		/* RFC 2018 / 2883: a block at or below snd_una (a D-SACK) or past
		 * what we sent says nothing about the holes */
		if (!seq_lt(l, r) || seq_leq(l, pcb->snd_una) || seq_gt(r, pcb->snd_max))
			continue;
		if (!tcp_tx_sack_align(pcb, &l, &r))
			continue;
		if (pcb->sb == NULL) {
			pcb->sb = calloc(1, sizeof(*pcb->sb));
			if (pcb->sb == NULL)
				return false;
			pcb->sb->high_rxt = pcb->snd_una;
		}
		fresh += sb_insert(pcb->sb, l, r);
	}
	return fresh != 0;
}

void tcp_sb_ack(struct tcp_pcb *pcb) {
	struct tcp_scoreboard *sb = pcb->sb;
	if (sb == NULL)
		return;
	int n = 0;
	for (int i = 0; i < sb->n; i++) {
		struct tcp_sack_block b = sb->b[i];
		if (seq_leq(b.right, pcb->snd_una))
			continue;
		if (seq_lt(b.left, pcb->snd_una))
			b.left = pcb->snd_una;
		sb->b[n++] = b;
	}
	sb->n = n;
	if (seq_lt(sb->high_rxt, pcb->snd_una))
		sb->high_rxt = pcb->snd_una;
	/* recovery keeps its HighRxt until it ends, the state after a
	 * timeout its resends */
	if (n == 0 && !pcb->sack_recovery && !(pcb->in_loss && pcb->loss_sack))
		tcp_sb_clear(pcb);
}

bool tcp_sb_sacked(const struct tcp_pcb *pcb, uint32_t seq) {
	const struct tcp_scoreboard *sb = pcb->sb;
	for (int i = 0; sb && i < sb->n; i++)
		if (seq_in(seq, sb->b[i].left, sb->b[i].right))
			return true;
	return false;
}

/* RFC 6675 4 IsLost: DupThresh discontiguous SACKed ranges, or more than
 * (DupThresh - 1) * SMSS bytes SACKed, above seq */
bool tcp_sb_is_lost(const struct tcp_pcb *pcb, uint32_t seq) {
	const struct tcp_scoreboard *sb = pcb->sb;
	if (sb == NULL)
		return false;
	if (tcp_rack_is_lost(pcb, seq))
		return true;   /* RACK (tcp_rack.c) */
	uint32_t bytes = 0;
	int blocks = 0;
	for (int i = sb->n - 1; i >= 0 && seq_gt(sb->b[i].right, seq); i--) {
		uint32_t l = seq_gt(sb->b[i].left, seq) ? sb->b[i].left : seq + 1;
		bytes += sb->b[i].right - l;
		blocks++;
	}
	return blocks >= DUPTHRESH || bytes > (DUPTHRESH - 1) * (uint32_t) pcb->mss;
}

/* RFC 6675 4 SetPipe, by holes: each unSACKed byte counts once unless it
 * is lost, and once more if it was resent in this recovery. */
static uint32_t hole_pipe(const struct tcp_pcb *pcb, uint32_t a, uint32_t e) {
	if (!seq_lt(a, e))
		return 0;
	uint32_t n = tcp_sb_is_lost(pcb, a) ? 0 : e - a;
	uint32_t hr = pcb->sb->high_rxt;
	if (seq_gt(hr, a))
		n += (seq_lt(hr, e) ? hr : e) - a;
	return n;
}

/* A send record: SACKed, or lost (RACK's mark, or IsLost) */
static bool rec_sacked(const struct tcp_pcb *pcb, const struct tcp_txrec *r) {
	return (r->fl & TCP_TXR_SACKED) || tcp_sb_sacked(pcb, r->seq);
}

static bool rec_lost(const struct tcp_pcb *pcb, const struct tcp_txrec *r) {
	return (r->fl & TCP_TXR_LOST) || tcp_sb_is_lost(pcb, r->seq);
}

/* SetPipe by the send records, segment by segment (as Linux's
 * packets_out - sacked_out - lost_out + retrans_out): a hole whose first
 * segment is lost is not lost whole (the segments of it sent after the
 * last one delivered are in flight), and a resend counts while it is in
 * flight, not because it lies below HighRxt. */
static uint32_t rec_pipe(const struct tcp_pcb *pcb) {
	uint32_t pipe = 0;
	for (uint32_t i = 0; i < pcb->ntx; i++) {
		const struct tcp_txrec *r = &pcb->tx[i];
		if (rec_sacked(pcb, r))
			continue;
		uint32_t len = r->end - r->seq;
		if (!rec_lost(pcb, r))
			pipe += len;
		if (r->fl & TCP_TXR_RETRANS)
			pipe += len;
	}
	return pipe;
}

uint32_t tcp_sb_pipe(const struct tcp_pcb *pcb) {
	const struct tcp_scoreboard *sb = pcb->sb;
	if (sb == NULL)
		return pcb->snd_max - pcb->snd_una;
	if (tcp_tx_complete(pcb))
		return rec_pipe(pcb);
	uint32_t pipe = 0, a = pcb->snd_una;
	for (int i = 0; i < sb->n; i++) {
		pipe += hole_pipe(pcb, a, sb->b[i].left);
		a = sb->b[i].right;
	}
	return pipe + hole_pipe(pcb, a, pcb->snd_max);
}

/* NextSeg (RFC 6675 4): rule 1, the first lost unSACKed bytes above
 * HighRxt; with rule3, the first unSACKed bytes above HighRxt below the
 * highest SACKed byte even if not yet lost. Holes above the last block are
 * not candidates (nothing says they are missing). */
bool tcp_sb_next_rxt(const struct tcp_pcb *pcb, uint32_t *seq, uint32_t *len, bool rule3) {
	const struct tcp_scoreboard *sb = pcb->sb;
	if (sb == NULL)
		return false;
	if (tcp_tx_complete(pcb)) {
		/* by the send records: the first lost segment whose resend is
		 * not in flight (never resent, or the resend lost too); rule 3:
		 * the first one not SACKed nor resent below the highest SACKed */
		for (uint32_t i = 0; i < pcb->ntx; i++) {
			const struct tcp_txrec *r = &pcb->tx[i];
			if ((r->fl & TCP_TXR_RETRANS) || rec_sacked(pcb, r))
				continue;
			if (rule3 ? sb->n && seq_lt(r->seq, sb->b[sb->n - 1].left) : rec_lost(pcb, r)) {
				*seq = r->seq;
				*len = r->end - r->seq;
				return true;
			}
		}
		return false;
	}
	uint32_t a = pcb->snd_una;
	for (int i = 0; i < sb->n; i++) {
		uint32_t e = sb->b[i].left;
		uint32_t start = seq_gt(sb->high_rxt, a) ? sb->high_rxt : a;
		if (seq_lt(start, e) && (rule3 || tcp_sb_is_lost(pcb, start))) {
			*seq = start;
			*len = e - start;
			return true;
		}
		a = sb->b[i].right;
	}
	return false;
}

uint32_t tcp_sb_sacked_below(const struct tcp_pcb *pcb, uint32_t seq) {
	const struct tcp_scoreboard *sb = pcb->sb;
	uint32_t n = 0;
	for (int i = 0; sb && i < sb->n && seq_lt(sb->b[i].left, seq); i++)
		n += (seq_lt(sb->b[i].right, seq) ? sb->b[i].right : seq) - sb->b[i].left;
	return n;
}

const struct tcp_sack_block *tcp_sb_block_from(const struct tcp_pcb *pcb, uint32_t seq) {
	const struct tcp_scoreboard *sb = pcb->sb;
	for (int i = 0; sb && i < sb->n; i++)
		if (seq_gt(sb->b[i].right, seq))
			return &sb->b[i];
	return NULL;
}

bool tcp_sb_head_rxt_lost(const struct tcp_pcb *pcb) {
	const struct tcp_scoreboard *sb = pcb->sb;
	if (sb == NULL || sb->n == 0 || !sb->una_marked || sb->una_mark_seq != pcb->snd_una)
		return false;
	/* as IsLost: more than DupThresh - 1 segments sent after the resend
	 * arrived (SACKed) before it */
	uint32_t above = 0;
	for (int i = sb->n - 1; i >= 0 && seq_gt(sb->b[i].right, sb->una_mark); i--)
		above += sb->b[i].right - (seq_gt(sb->b[i].left, sb->una_mark) ? sb->b[i].left : sb->una_mark);
	return above > (DUPTHRESH - 1) * (uint32_t) pcb->mss;
}
