/* SPDX-License-Identifier: LGPL-2.1-or-later
 * RACK-TLP (RFC 8985) for ustack's TCP, as Linux's default loss
 * detection on SACK connections.
 *
 * The sender keeps, for each segment in flight, when it was last sent
 * (pcb->tx, sorted by sequence). RACK: a segment sent before the most
 * recently sent segment that the peer delivered (acknowledged or SACKed)
 * is lost once more than RACK.rtt + reo_wnd passed since it was sent;
 * reo_wnd is a quarter of the smallest RTT (none in recovery, or once
 * DupThresh segments are SACKed, as Linux when no reordering was seen).
 * Until then the retransmission timer waits for it (the REO timer). The
 * lost marks join RFC 6675's IsLost (tcp_sack.c): recovery, pipe and
 * NextSeg use both.
 *
 * TLP: with data in flight and no recovery, a probe timeout of 2 SRTT
 * (plus 200 ms when one segment is in flight, the peer's delayed ACK)
 * stands in front of the RTO; when it fires, one new segment goes, or
 * the last one again, so that a lost tail gets an ACK (with SACK) instead
 * of a timeout. An ACK past the probe that shows no duplicate of it means
 * a loss was repaired by the probe: the window is reduced once. */
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

#define DUPTHRESH 3

void tcp_tx_free(struct tcp_pcb *pcb) {
	free(pcb->tx ? pcb->tx - pcb->txoff : NULL);
	pcb->tx = NULL;
	pcb->ntx = pcb->txcap = pcb->txoff = 0;
	pcb->tx_nsacked = pcb->tx_never = 0;
}

#ifdef USTACK_TX_CHECK
/* (a build for testing this file: the counts and the order, checked
 * after every change) */
#include <stdio.h>
static void tx_check(const struct tcp_pcb *pcb) {
	uint32_t sacked = 0, ever = 0;
	for (uint32_t i = 0; i < pcb->ntx; i++) {
		const struct tcp_txrec *r = &pcb->tx[i];
		sacked += (r->fl & TCP_TXR_SACKED) != 0;
		ever += (r->fl & TCP_TXR_EVER) != 0;
		if (i && (seq_lt(r->seq, pcb->tx[i - 1].end) ||
				(!(r->fl & TCP_TXR_EVER) && !(pcb->tx[i - 1].fl & TCP_TXR_EVER) && r->at <= pcb->tx[i - 1].at))) {
			fprintf(stderr, "tx_check: record %u out of order\n", i);
			abort();
		}
	}
	if (sacked != pcb->tx_nsacked || ever != pcb->tx_never || pcb->txoff + pcb->ntx > pcb->txcap) {
		fprintf(stderr, "tx_check: sacked %u/%u ever %u/%u off %u n %u cap %u\n", sacked, pcb->tx_nsacked,
				ever, pcb->tx_never, pcb->txoff, pcb->ntx, pcb->txcap);
		abort();
	}
}
#else
#define tx_check(pcb) ((void) 0)
#endif

/* The counts a record adds to (or, with -1, takes from) the pcb's. */
static void tx_count(struct tcp_pcb *pcb, const struct tcp_txrec *r, int sign) {
	if (r->fl & TCP_TXR_SACKED)
		pcb->tx_nsacked += (uint32_t) sign;
	if (r->fl & TCP_TXR_EVER)
		pcb->tx_never += (uint32_t) sign;
}

static bool tx_room(struct tcp_pcb *pcb, uint32_t more) {
	if (pcb->txoff + pcb->ntx + more <= pcb->txcap)
		return true;
	if (pcb->ntx + more > TCP_TX_MAX)
		return false;
	struct tcp_txrec *base = pcb->tx ? pcb->tx - pcb->txoff : NULL;
	if (pcb->txoff) {
		/* the records acknowledged at the front make the room */
		memmove(base, pcb->tx, pcb->ntx * sizeof(*base));
		pcb->tx = base;
		pcb->txoff = 0;
		if (pcb->ntx + more <= pcb->txcap)
			return true;
	}
	uint32_t cap = pcb->txcap ? pcb->txcap * 2 : 64;
	while (cap < pcb->ntx + more)
		cap *= 2;
	if (cap > TCP_TX_MAX)
		cap = TCP_TX_MAX;
	struct tcp_txrec *n = realloc(base, cap * sizeof(*n));
	if (n == NULL)
		return false;
	pcb->tx = n;
	pcb->txcap = cap;
	return true;
}

/* A record boundary at seq (a resend may cover part of a segment). */
static void tx_split(struct tcp_pcb *pcb, uint32_t seq) {
	for (uint32_t i = 0; i < pcb->ntx; i++) {
		struct tcp_txrec *r = &pcb->tx[i];
		if (!seq_lt(r->seq, seq) || !seq_lt(seq, r->end))
			continue;
		if (!tx_room(pcb, 1))
			return;
		r = &pcb->tx[i];
		memmove(r + 1, r, (pcb->ntx - i) * sizeof(*r));
		pcb->ntx++;
		tx_count(pcb, r, 1);
		r[0].end = seq;
		r[1].seq = seq;
		return;
	}
}

/* [seq, end) left now (end counts a FIN): new data gets a record, a
 * resend renews the time of those it covers. */
void tcp_tx_sent(struct tcp_pcb *pcb, uint32_t seq, uint32_t end, uint64_t now) {
	if (!pcb->sack_ok || !seq_lt(seq, end))
		return;
	/* RACK's "sent after" (RFC 8985 6.2) breaks a tie of send times by
	 * sequence: right for new data, wrong for a resend that went after
	 * new data in the same batch, which would look sent before it and
	 * lost again as soon as the new data is SACKed */
	if (now <= pcb->tx_last_at)
		now = pcb->tx_last_at + 1;
	pcb->tx_last_at = now;
	uint32_t last = pcb->ntx ? pcb->tx[pcb->ntx - 1].end : seq;
	if (pcb->ntx && seq_lt(seq, last)) {
		tx_split(pcb, seq);
		tx_split(pcb, end);
		for (uint32_t i = 0; i < pcb->ntx; i++) {
			struct tcp_txrec *r = &pcb->tx[i];
			if (seq_geq(r->seq, seq) && seq_leq(r->end, end)) {
				r->at = now;
				r->tsval = pcb->ts_last;
				if (!(r->fl & TCP_TXR_EVER))
					pcb->tx_never++;
				/* still lost until delivered, as Linux's lost_out */
				r->fl |= TCP_TXR_RETRANS | TCP_TXR_EVER;
			}
		}
		if (!seq_gt(end, last)) {
			tx_check(pcb);
			return;
		}
		seq = last;
	}
	if (!tx_room(pcb, 1))
		return;
	uint8_t fl = 0;
	if (seq_lt(seq, pcb->snd_max)) {
		/* a resend of data that had no record (a Fast Open SYN's) */
		fl = TCP_TXR_RETRANS | TCP_TXR_EVER;
		pcb->tx_never++;
	}
	pcb->tx[pcb->ntx++] = (struct tcp_txrec) {seq, end, now, fl, pcb->ts_last};
	tx_check(pcb);
}

/* RFC 8985 6.2 step 2 (RACK_update) for one delivered segment; tsecr:
 * the ACK's TSecr, 0 without. */
static void rack_update(struct tcp_pcb *pcb, const struct tcp_txrec *r, uint64_t now, uint32_t tsecr) {
	uint32_t rtt = now > r->at ? (uint32_t) ((now - r->at) / 1000) : 0;
	/* the ambiguity of retransmissions (RFC 8985 6.2 step 2): a resend
	 * delivered sooner than any RTT could be, or acknowledged by an ACK
	 * whose TSecr is older than the resend's TSval, was delivered by an
	 * earlier transmission: its send time says nothing. (Without the
	 * timestamp test, a queue of a few ms makes an earlier copy's
	 * delivery look like the resend's, and everything sent before the
	 * resend is declared lost.) */
	if ((r->fl & TCP_TXR_EVER) && pcb->min_rtt && rtt < pcb->min_rtt)
		return;
	if ((r->fl & TCP_TXR_EVER) && pcb->ts_ok && tsecr && (int32_t) (tsecr - r->tsval) < 0)
		return;
	/* RACK.rtt: the RTT of the last segment taken, as Linux's (its
	 * most recent RTT, in the order tcp_rack_ack walks), while the send
	 * time only moves forward */
	pcb->rack_rtt = rtt;
	pcb->rack_advanced = true;
	if (!pcb->rack_valid || r->at > pcb->rack_xmit ||
			(r->at == pcb->rack_xmit && seq_gt(r->end, pcb->rack_end))) {
		pcb->rack_xmit = r->at;
		pcb->rack_end = r->end;
		pcb->rack_valid = true;
	}
}

static bool rec_sacked(const struct tcp_pcb *pcb, const struct tcp_txrec *r) {
	const struct tcp_sack_block *b = tcp_sb_block_from(pcb, r->seq);
	return b && seq_leq(b->left, r->seq) && seq_geq(b->right, r->end);
}

/* After an ACK updated snd_una and the scoreboard: the delivered segments
 * leave (acknowledged) or are marked SACKed, and update RACK. */
/* A segment never resent delivered below the highest SACKed one: the
 * network reordered (Linux tcp_check_sack_reordering); fack: the end of
 * the highest SACKed before this ACK. */
static void reorder_check(struct tcp_pcb *pcb, const struct tcp_txrec *r, uint32_t fack, bool have) {
	if (!have || (r->fl & TCP_TXR_EVER) || !seq_lt(r->seq, fack) || !pcb->mss)
		return;
	uint32_t metric = fack - r->seq;
	uint32_t cur = pcb->reordering ? pcb->reordering : DUPTHRESH;
	if (metric > cur * (uint32_t) pcb->mss) {
		uint32_t segs = (metric + pcb->mss - 1) / pcb->mss;
		pcb->reordering = (uint16_t) (segs > 300 ? 300 : segs);   /* Linux tcp_max_reordering */
	}
	pcb->reord_seen = true;
}

/* The first record that ends after seq (a binary search: the records
 * are sorted and disjoint). */
static uint32_t tx_find(const struct tcp_pcb *pcb, uint32_t seq) {
	uint32_t lo = 0, hi = pcb->ntx;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (seq_gt(pcb->tx[mid].end, seq))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void tcp_rack_ack(struct tcp_pcb *pcb, uint64_t now, uint32_t tsecr) {
	uint32_t drop = 0, fack = 0;
	bool have = false;
	pcb->rack_orig = false;
	pcb->rack_advanced = false;
	/* the highest SACKed: the last one in sequence order */
	for (uint32_t i = pcb->ntx; pcb->tx_nsacked && i-- > 0;)
		if (pcb->tx[i].fl & TCP_TXR_SACKED) {
			fack = pcb->tx[i].end;
			have = true;
			break;
		}
	/* the newly SACKed first, then the acknowledged, each in sequence
	 * order (Linux: SACK tagging, then tcp_clean_rtx_queue): RACK.rtt
	 * is the last one's. Only records inside the scoreboard's span can
	 * be SACKed. */
	if (pcb->sb && pcb->sb->n) {
		uint32_t top = pcb->sb->b[pcb->sb->n - 1].right;
		for (uint32_t i = tx_find(pcb, pcb->sb->b[0].left); i < pcb->ntx && seq_lt(pcb->tx[i].seq, top); i++) {
			struct tcp_txrec *r = &pcb->tx[i];
			if (seq_leq(r->end, pcb->snd_una) || (r->fl & TCP_TXR_SACKED) || !rec_sacked(pcb, r))
				continue;
			r->fl = (uint8_t) ((r->fl | TCP_TXR_SACKED) & ~(TCP_TXR_LOST | TCP_TXR_RETRANS));
			pcb->tx_nsacked++;
			if (!(r->fl & TCP_TXR_EVER))
				pcb->rack_orig = true;
			reorder_check(pcb, r, fack, have);
			rack_update(pcb, r, now, tsecr);
		}
	}
	while (drop < pcb->ntx && seq_leq(pcb->tx[drop].end, pcb->snd_una)) {
		if (!(pcb->tx[drop].fl & TCP_TXR_SACKED)) {
			if (!(pcb->tx[drop].fl & TCP_TXR_EVER))
				pcb->rack_orig = true;
			reorder_check(pcb, &pcb->tx[drop], fack, have);
			rack_update(pcb, &pcb->tx[drop], now, tsecr);
		}
		tx_count(pcb, &pcb->tx[drop], -1);
		drop++;
	}
	if (drop) {
		/* from the front: no move (tx_room compacts when it must) */
		pcb->ntx -= drop;
		pcb->tx += drop;
		pcb->txoff += drop;
	}
	if (pcb->ntx && seq_lt(pcb->tx[0].seq, pcb->snd_una))
		pcb->tx[0].seq = pcb->snd_una;
	if (pcb->ntx == 0)
		tcp_tx_free(pcb);
	tx_check(pcb);
}

/* RFC 8985 6.2 step 4, as Linux's tcp_rack_update_reo_wnd, on each ACK
 * before its losses are looked for (dsack: it carries a D-SACK; rec0:
 * recovery, fast or after a timeout, was on before the ACK). A
 * D-SACK says a resend was not needed, often RACK's reordering window
 * too short: it grows by a quarter of min_rtt, once a round trip (the
 * D-SACKs of the same burst of resends count once): as Linux, a D-SACK
 * counts when the most recently sent segment delivered so far
 * (RACK.xmit_ts) went after the last growth (RFC 8985 waits for snd_una
 * to pass the snd_nxt of then, longer on a path that keeps reordering,
 * where holes hold snd_una back). It stays so for 16
 * recoveries; the 16th recovery that ends without another D-SACK brings
 * it back to one quarter. A recovery undone is not one of them
 * (tcp_input.c's undos set reo_undo; D-SACKs that undo one give one
 * back, as Linux's tcp_try_undo_dsack). */
void tcp_rack_reo_update(struct tcp_pcb *pcb, uint64_t now, bool dsack, bool rec0) {
	/* a recovery ended (by this ACK so far, or later in the last one),
	 * not undone: one of the 16 (Linux tcp_try_undo_recovery) */
	bool rec = pcb->in_recovery || pcb->in_loss;
	if ((rec0 || pcb->reo_was_rec) && !rec) {
		if (!pcb->reo_undo && pcb->reo_persist && --pcb->reo_persist == 0)
			pcb->reo_mult = 1;
		pcb->reo_undo = false;
	}
	pcb->reo_was_rec = rec;
	if (!dsack || (pcb->reo_at && !(pcb->rack_valid && pcb->rack_xmit > pcb->reo_at)))
		return;
	uint32_t m = pcb->reo_mult ? pcb->reo_mult : 1;
	pcb->reo_mult = (uint8_t) (m < 255 ? m + 1 : 255);
	pcb->reo_persist = 16;
	pcb->reo_at = now ? now : 1;
}

/* Linux tcp_rack_reo_wnd: until reordering is seen, none in recovery or
 * after a timeout, nor once as many segments as the reordering degree
 * are SACKed; else min_rtt / 4 times reo_mult, at most SRTT (us). */
static uint32_t reo_wnd(const struct tcp_pcb *pcb) {
	if (!pcb->reord_seen) {
		if (pcb->in_recovery || pcb->in_loss)
			return 0;
		if (pcb->tx_nsacked >= (pcb->reordering ? pcb->reordering : DUPTHRESH))
			return 0;
	}
	uint64_t w = (uint64_t) (pcb->min_rtt / 4) * (pcb->reo_mult ? pcb->reo_mult : 1);
	return pcb->srtt && w > pcb->srtt ? pcb->srtt : (uint32_t) w;
}

/* RFC 8985 6.2 step 5 (RACK_detect_loss): marks the lost segments; how
 * long (ns) until the next one may be, 0 if none waits; *marked: some
 * segment newly marked. A resend is judged by when it was sent, as any
 * segment: sent before the most recent delivery by more than RACK.rtt +
 * reo_wnd, it was lost too (RFC 8985 6.2, Linux tcp_rack_detect_loss),
 * and is resent again without waiting for the RTO. */
uint64_t tcp_rack_detect(struct tcp_pcb *pcb, uint64_t now, bool *marked, bool mark) {
	*marked = false;
	if (!pcb->rack_valid)
		return 0;
	uint64_t wait = (uint64_t) pcb->rack_rtt * 1000 + (uint64_t) reo_wnd(pcb) * 1000;
	uint64_t timeout = 0;
	for (uint32_t i = 0; i < pcb->ntx; i++) {
		struct tcp_txrec *r = &pcb->tx[i];
		if ((r->fl & TCP_TXR_SACKED) || (r->fl & (TCP_TXR_LOST | TCP_TXR_RETRANS)) == TCP_TXR_LOST)
			continue;   /* delivered, or lost and waiting for its resend */
		if (!(r->at < pcb->rack_xmit || (r->at == pcb->rack_xmit && seq_lt(r->end, pcb->rack_end)))) {
			/* sent after the last delivery: so is every record after
			 * it in sequence (send times rise with sequence, records
			 * never resent being sent in order), unless one was resent */
			if (pcb->tx_never == 0 && !(r->fl & TCP_TXR_EVER))
				break;
			continue;
		}
		uint64_t due = r->at + wait;
		if (due <= now && !mark) {
			timeout = timeout ? timeout : 1;   /* the REO timer, at once */
		} else if (due <= now) {
			if (r->fl & TCP_TXR_RETRANS)
				pcb->s->tcp->mib.SACKLostRetrans++;
			r->fl = (uint8_t) ((r->fl | TCP_TXR_LOST) & ~TCP_TXR_RETRANS);
			*marked = true;
		} else if (due - now > timeout)
			timeout = due - now;
	}
	return timeout;
}

/* A SACK block as Linux applies it: to whole segments only (a segment
 * partly SACKed is not, tcp_sacktag_walk); false when none is whole.
 * Without send records the block stays as it came. */
bool tcp_tx_sack_align(const struct tcp_pcb *pcb, uint32_t *l, uint32_t *r) {
	if (pcb->ntx == 0 || seq_lt(*l, pcb->tx[0].seq) || seq_gt(*r, pcb->tx[pcb->ntx - 1].end))
		return true;
	uint32_t nl = 0, nr = 0;
	bool have = false;
	for (uint32_t i = 0; i < pcb->ntx; i++) {
		const struct tcp_txrec *t = &pcb->tx[i];
		if (seq_lt(t->seq, *l))
			continue;
		if (seq_gt(t->end, *r))
			break;
		if (!have)
			nl = t->seq;
		nr = t->end;
		have = true;
	}
	if (!have)
		return false;
	*l = nl;
	*r = nr;
	return true;
}

/* (the records are sorted and disjoint: a binary search) */
bool tcp_rack_is_lost(const struct tcp_pcb *pcb, uint32_t seq) {
	uint32_t lo = 0, hi = pcb->ntx;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct tcp_txrec *r = &pcb->tx[mid];
		if (seq_lt(seq, r->seq))
			hi = mid;
		else if (!seq_lt(seq, r->end))
			lo = mid + 1;
		else
			return (r->fl & TCP_TXR_LOST) != 0;
	}
	return false;
}

/* A retransmission timeout, as Linux's (tcp_timeout_mark_lost): what
 * the peer SACKed stays SACKed, unless it reneged (the scoreboard starts
 * at snd_una: the peer dropped what it had SACKed, all is forgotten);
 * every other segment is lost, its resend no longer in flight, except
 * one sent too recently for RACK to call it lost (never the first); the
 * probe is over. */
void tcp_rack_on_rto(struct tcp_pcb *pcb, uint64_t now) {
	bool reneged = pcb->sb && pcb->sb->n && pcb->sb->b[0].left == pcb->snd_una;
	if (reneged)
		tcp_sb_clear(pcb);
	uint64_t wait = (uint64_t) pcb->rack_rtt * 1000 + (uint64_t) reo_wnd(pcb) * 1000;
	for (uint32_t i = 0; i < pcb->ntx; i++) {
		struct tcp_txrec *r = &pcb->tx[i];
		if ((reneged || pcb->sb == NULL) && (r->fl & TCP_TXR_SACKED)) {
			r->fl &= (uint8_t) ~TCP_TXR_SACKED;
			pcb->tx_nsacked--;
		}
		if (r->fl & TCP_TXR_SACKED)
			continue;
		if (i > 0 && pcb->rack_valid && r->at + wait > now)
			continue;
		r->fl = (uint8_t) ((r->fl | TCP_TXR_LOST) & ~TCP_TXR_RETRANS);
	}
	pcb->tlp_out = false;
	tx_check(pcb);
}

/* An undo (the loss was not real): nothing is lost any more (Linux
 * tcp_undo_cwnd_reduction with unmark_loss). */
void tcp_rack_unmark_lost(struct tcp_pcb *pcb) {
	for (uint32_t i = 0; i < pcb->ntx; i++)
		pcb->tx[i].fl &= (uint8_t) ~TCP_TXR_LOST;
}

bool tcp_tx_complete(const struct tcp_pcb *pcb) {
	if (!pcb->sack_ok || pcb->ntx == 0 || pcb->tx[0].seq != pcb->snd_una ||
			pcb->tx[pcb->ntx - 1].end != pcb->snd_max)
		return false;
	for (uint32_t i = 1; i < pcb->ntx; i++)
		if (pcb->tx[i].seq != pcb->tx[i - 1].end)
			return false;
	return true;
}

/* The RTO that a probe or REO timer replaces: when it would fire. */
static uint64_t rto_deadline(struct tcp_pcb *pcb, uint64_t now) {
	if (pcb->rtx_kind == TCP_RTX_RTO && pcb->rtx_at)
		return pcb->rtx_at;
	if (pcb->rtx_kind != TCP_RTX_RTO && pcb->tlp_rto_at)
		return pcb->tlp_rto_at;
	tcp_arm_rtx(pcb);
	return pcb->rtx_at ? pcb->rtx_at : now;
}

/* Back to the RTO that the probe or REO timer stood in front of (Linux
 * tcp_rearm_rto: what is left of it). */
void tcp_rack_rearm_rto(struct tcp_pcb *pcb) {
	uint64_t now = tcp_clock(pcb->s);
	uint64_t at = pcb->tlp_rto_at;
	pcb->rtx_kind = TCP_RTX_RTO;
	pcb->tlp_rto_at = 0;
	if (pcb->snd_una == pcb->snd_max) {
		pcb->rtx_at = 0;
		return;
	}
	if (at > now)
		pcb->rtx_at = at;
	else
		tcp_arm_rtx(pcb);
}

void tcp_rack_arm_reo(struct tcp_pcb *pcb, uint64_t timeout) {
	uint64_t now = tcp_clock(pcb->s);
	uint64_t rto = rto_deadline(pcb, now);
	pcb->tlp_rto_at = rto;
	/* Linux adds TCP_TIMEOUT_MIN (2 jiffies): a segment due now is
	 * judged when the timer fires, an ACK arriving meanwhile first */
	pcb->rtx_at = now + timeout + MS(2);
	pcb->rtx_kind = TCP_RTX_REO;
}

/* Linux tcp_schedule_loss_probe (RFC 8985 7.2). */
void tcp_tlp_schedule(struct tcp_pcb *pcb) {
	if (!pcb->sack_ok || pcb->persist || pcb->snd_una == pcb->snd_max || pcb->in_recovery ||
			pcb->in_loss || pcb->rtx_kind == TCP_RTX_REO || !tcp_can_send_data(pcb->state))
		return;
	uint64_t now = tcp_clock(pcb->s);
	uint64_t pto;
	if (pcb->srtt) {
		pto = 2ull * pcb->srtt * 1000;
		bool one = pcb->ntx ? pcb->ntx == 1 : pcb->snd_max - pcb->snd_una <= pcb->mss;
		pto += one ? (uint64_t) TCP_RTO_MIN_US * 1000 : MS(2);
	} else
		pto = MS(1000);
	uint64_t rto = rto_deadline(pcb, now);
	pcb->tlp_rto_at = rto;
	pcb->rtx_at = now + pto < rto ? now + pto : rto;
	pcb->rtx_kind = TCP_RTX_TLP;
}

/* The probe timeout (RFC 8985 7.3, Linux tcp_send_loss_probe). */
void tcp_tlp_fire(struct tcp_pcb *pcb) {
	if (!pcb->tlp_out && !pcb->in_recovery && !pcb->in_loss) {
		uint32_t max0 = pcb->snd_max;
		bool resent = false;
		if (!tcp_output_probe_new(pcb) || pcb->snd_max == max0)
			resent = tcp_resend_tail(pcb);
		if (pcb->snd_max != max0 || resent) {
			pcb->tlp_out = true;
			pcb->tlp_retrans = resent;
			pcb->tlp_high_seq = pcb->snd_max;
			pcb->s->tcp->mib.TLPProbes++;
			/* a probe went: the RTO starts again from now (Linux) */
			pcb->tlp_rto_at = 0;
			tcp_arm_rtx(pcb);
			return;
		}
	}
	tcp_rack_rearm_rto(pcb);
}

/* Linux tcp_process_tlp_ack (RFC 8985 7.4): after the probe, was there a
 * loss? dsack: the ACK carries a D-SACK; advanced: snd_una moved;
 * sacked: it SACKed new data. */
void tcp_tlp_ack(struct tcp_pcb *pcb, uint32_t ack, bool dsack, bool advanced, bool sacked) {
	if (!pcb->tlp_out || seq_lt(ack, pcb->tlp_high_seq))
		return;
	if (!pcb->tlp_retrans || dsack) {
		pcb->tlp_out = false;   /* new data probed, or original and probe both arrived */
		return;
	}
	if (seq_gt(ack, pcb->tlp_high_seq)) {
		/* the probe repaired a loss: one reduction (Linux: CWR, ended at once) */
		pcb->tlp_out = false;
		tcp_cc_congestion(pcb, false);
		if (pcb->cwnd > pcb->ssthresh)
			pcb->cwnd = pcb->ssthresh;
		pcb->s->tcp->mib.TLPRecovery++;
		return;
	}
	if (!advanced && !sacked)
		pcb->tlp_out = false;   /* a pure duplicate: both arrived */
}
