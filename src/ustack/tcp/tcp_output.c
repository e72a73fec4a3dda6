/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP output: segments built in place in one buffer (header, then the
 * bytes copied once from the send ring), what the windows allow sent
 * (RFC 9293 3.8.6, Nagle RFC 1122 4.2.3.4, initial window 10 as Linux,
 * congestion window RFC 5681), retransmission timeout (RFC 6298) with
 * go-back-N from snd_una, zero-window probes, the delayed ACK (RFC 1122
 * 4.2.3.2, Linux's 40 ms with quick ACKs at the start). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../net/net.h"
#include "../net/net6.h"
#include "../socket/sock.h"
#include "tcp.h"

static bool is_lo(const struct netif *ifp) {
	return ifp->type == ARPHRD_LOOPBACK_VALUE;
}

/* MSS from the interface of the route (RFC 9293 3.7.1, RFC 6691): its MTU
 * less the IP and TCP headers, the IP datagram at most 64 KiB. */
uint16_t tcp_route_mss(struct tcp_pcb *pcb) {
	uint32_t mtu = 1500;
	if (pcb->v6) {
		struct ip6_route_res rt;
		if (route6_lookup(pcb->s, pcb->r6, pcb->oif, &rt) == 0)
			mtu = rt.ifp->mtu;
		if (mtu > 65535 + 40)
			mtu = 65535 + 40;
		mtu = mtu > 60 ? mtu - 60 : 0;   /* lo may be set below 60 */
	} else {
		struct ip4_route_res rt;
		if (route4_lookup(pcb->s, pcb->r4, pcb->oif, &rt) == 0)
			mtu = rt.ifp->mtu;
		if (mtu > 65535)
			mtu = 65535;
		mtu = mtu > 40 ? mtu - 40 : 0;
	}
	if (pcb->user_mss && pcb->user_mss < mtu)
		mtu = pcb->user_mss;
	return (uint16_t) (mtu < 88 ? 88 : mtu);
}

/* The payload of the largest segment the path takes: its MTU as the route
 * lookup gives it (the interface's, or lower as ICMP taught the cache of
 * net/pmtu.c) less the headers and our options; 0 without a route. */
static uint32_t path_mss(struct tcp_pcb *pcb) {
	int mtu = pcb->v6 ? ip6_dst_mtu(pcb->s, pcb->r6, pcb->oif) : ip4_dst_mtu(pcb->s, pcb->r4, pcb->oif);
	uint32_t hdr = (pcb->v6 ? 60 : 40) + (pcb->ts_ok ? TCPOLEN_TS_ALIGNED : 0);
	return mtu > 0 && (uint32_t) mtu > hdr + 64 ? (uint32_t) mtu - hdr : mtu > 0 ? 64 : 0;
}

/* Headers a segment carries besides its MSS: IP, TCP and the timestamp
 * option (as Linux converts between MSS and MTU: no SACK blocks) */
static uint32_t seg_hdr(const struct tcp_pcb *pcb) {
	return (pcb->v6 ? 60u : 40u) + (pcb->ts_ok ? TCPOLEN_TS_ALIGNED : 0u);
}

static uint32_t mtu_to_mss(const struct tcp_pcb *pcb, uint32_t mtu) {
	uint32_t hdr = seg_hdr(pcb);
	return mtu > hdr + TCP_MIN_SND_MSS ? mtu - hdr : TCP_MIN_SND_MSS;
}

uint32_t tcp_path_mtu(struct tcp_pcb *pcb) {
	int mtu = pcb->v6 ? ip6_dst_mtu(pcb->s, pcb->r6, pcb->oif) : ip4_dst_mtu(pcb->s, pcb->r4, pcb->oif);
	return mtu > 0 ? (uint32_t) mtu : (uint32_t) pcb->adv_mss + (pcb->v6 ? 60u : 40u);
}

void tcp_sync_mss(struct tcp_pcb *pcb) {
	uint32_t m = path_mss(pcb);
	if (m && m < pcb->mss)
		pcb->mss = (uint16_t) m;
	if (pcb->mtup_high > tcp_path_mtu(pcb))
		pcb->mtup_high = (uint16_t) tcp_path_mtu(pcb);
	/* the probing search holds the MSS to what is known to pass */
	if (pcb->mtup_on && mtu_to_mss(pcb, pcb->mtup_low) < pcb->mss)
		pcb->mss = (uint16_t) mtu_to_mss(pcb, pcb->mtup_low);
}

/* Linux's CA_Loss entered: by a timeout (tcp_timer.c) or a path MTU
 * that shrank (tcp_simple_retransmit below) */
void tcp_loss_enter(struct tcp_pcb *pcb, uint64_t now) {
	pcb->in_recovery = false;
	pcb->sack_recovery = false;
	pcb->in_loss = true;
	pcb->frto_hold = false;
	tcp_rack_on_rto(pcb, now);
	pcb->dupacks = 0;
	pcb->recover = pcb->snd_max;
	pcb->rtt_timing = false;
}

/* Linux tcp_simple_retransmit: what is in flight goes again at the
 * present size, now, as after a timeout but with cwnd kept (the loss was
 * of the segments' size, not congestion): ssthresh at least 3/4 of cwnd;
 * go-back-N (the send records and SACK blocks are of the old size). */
void tcp_simple_retransmit(struct tcp_pcb *pcb) {
	if (!pcb->in_loss) {
		uint32_t q = pcb->cwnd / 4 * 3;
		if (pcb->ssthresh == UINT32_MAX || pcb->ssthresh < q)
			pcb->ssthresh = q;
	}
	pcb->frto = false;
	pcb->loss_sack = false;
	tcp_sb_clear(pcb);
	tcp_loss_enter(pcb, tcp_clock(pcb->s));
	pcb->snd_nxt = pcb->snd_una;
	tcp_output(pcb);
	if (pcb->rtx_at == 0)
		tcp_arm_rtx(pcb);
	tcp_timer_update(pcb);
}

bool tcp_pmtu_reduced(struct tcp_pcb *pcb) {
	uint32_t m = path_mss(pcb);
	if (pcb->mtup_high > tcp_path_mtu(pcb))
		pcb->mtup_high = (uint16_t) tcp_path_mtu(pcb);
	if (m == 0 || m >= pcb->mss)
		return false;
	pcb->mss = (uint16_t) m;
	pcb->s->tcp->mib.PMTUReductions++;
	if (pcb->snd_una == pcb->snd_max || !tcp_can_send_data(pcb->state))
		return true;
	tcp_simple_retransmit(pcb);
	return true;
}

/* RFC 4821 (packetization-layer path MTU discovery) as Linux's
 * tcp_mtu_probing. Sizes are of IP packets (MTUs). The search is the
 * range [mtup_low, mtup_high]: low passes, high is the most the path
 * may take (the peer's MSS or the route's MTU). While it runs the MSS is
 * held to low; a probe, one segment of the size halfway, goes when the
 * connection is in order, with enough data queued behind it to tell its
 * loss by SACK or duplicate ACKs; acknowledged, it becomes low and the
 * MSS grows; lost, high falls below it. The search ends when the range
 * is narrower than tcp_probe_threshold (8 bytes) and begins again after
 * tcp_probe_interval (600 s). With tcp_mtu_probing=1 it starts only when
 * a black hole is suspected: the oldest data unanswered for as long as
 * tcp_retries1 timeouts take; the MSS falls to tcp_base_mss then, and
 * to half of low on each later timeout (tcp_mtu_probe_floor at least). */

/* the MSS the connection would have without the search: the smaller of
 * ours and the peer's, less the timestamp option */
static uint32_t mss_clamp(const struct tcp_pcb *pcb) {
	uint32_t m = pcb->adv_mss < pcb->peer_mss ? pcb->adv_mss : pcb->peer_mss;
	if (pcb->ts_ok && m > 64 + TCPOLEN_TS_ALIGNED)
		m -= TCPOLEN_TS_ALIGNED;
	return m;
}

/* the top of a new search: the peer's MSS (or TCP_MAXSEG's) as a packet
 * (no options, as Linux), at most the path's MTU */
static uint32_t search_top(struct tcp_pcb *pcb) {
	uint32_t m = pcb->peer_mss;
	if (pcb->user_mss && pcb->user_mss < m)
		m = pcb->user_mss;
	uint32_t top = m + (pcb->v6 ? 60u : 40u);
	uint32_t path = tcp_path_mtu(pcb);
	return top < path ? top : path;
}

static uint32_t base_mss(const struct tcp_pcb *pcb) {
	return pcb->s->tcp_base_mss ? pcb->s->tcp_base_mss : TCP_BASE_MSS;
}

void tcp_mtup_init(struct tcp_pcb *pcb) {
	pcb->mtup_on = pcb->s->tcp_mtu_probing >= 2;
	pcb->mtup_high = (uint16_t) search_top(pcb);
	pcb->mtup_low = (uint16_t) (base_mss(pcb) + seg_hdr(pcb));
	pcb->mtup_probe = 0;
	pcb->mtup_at = tcp_clock(pcb->s);
}

/* the MSS again from its bounds (it may grow) */
static void mss_resync(struct tcp_pcb *pcb) {
	uint32_t m = mss_clamp(pcb);
	uint32_t p = path_mss(pcb);
	if (p && p < m)
		m = p;
	if (pcb->mtup_on && mtu_to_mss(pcb, pcb->mtup_low) < m)
		m = mtu_to_mss(pcb, pcb->mtup_low);
	pcb->mss = (uint16_t) m;
}

static void mtup_failed(struct tcp_pcb *pcb) {
	pcb->mtup_high = (uint16_t) (pcb->mtup_probe - 1);
	pcb->mtup_probe = 0;
	pcb->s->tcp->mib.MTUPFail++;
}

bool tcp_mtup_timeout(struct tcp_pcb *pcb, uint64_t now) {
	bool resized = false;
	if (pcb->mtup_probe && seq_lt(pcb->snd_una, pcb->mtup_end)) {
		/* the probe unanswered (RFC 4821 7.6.2); when data before
		 * it is missing too or some of it was resent, no verdict */
		if (pcb->snd_una == pcb->mtup_seq && !pcb->mtup_rxt)
			mtup_failed(pcb);
		pcb->mtup_probe = 0;
		resized = true;
	}
	if (!pcb->s->tcp_mtu_probing || pcb->backoff == 0 || pcb->rtx_stamp == 0)
		return resized;
	/* Linux tcp_write_timeout: past tcp_retries1 (its time computed
	 * from TCP_RTO_MIN as retransmits_timed_out does) */
	uint64_t limit = (uint64_t) TCP_RTO_MIN_US * 1000 * ((2u << TCP_RETRIES1) - 1);
	if (now - pcb->rtx_stamp < limit)
		return resized;
	uint16_t old = pcb->mss;
	if (pcb->mtup_low == 0)
		tcp_mtup_init(pcb);   /* (every connection has it from its handshake) */
	if (!pcb->mtup_on) {
		pcb->mtup_on = true;
		pcb->mtup_at = now;
	} else {
		uint32_t m = mtu_to_mss(pcb, pcb->mtup_low) / 2;
		if (m > base_mss(pcb))
			m = base_mss(pcb);
		if (m < TCP_MTU_PROBE_FLOOR)
			m = TCP_MTU_PROBE_FLOOR;
		if (m < TCP_MIN_SND_MSS)
			m = TCP_MIN_SND_MSS;
		pcb->mtup_low = (uint16_t) (m + seg_hdr(pcb));
	}
	tcp_sync_mss(pcb);
	return resized || pcb->mss != old;
}

void tcp_mtup_ack(struct tcp_pcb *pcb) {
	if (!pcb->mtup_probe || seq_lt(pcb->snd_una, pcb->mtup_end))
		return;
	if (pcb->mtup_rxt) {
		pcb->mtup_probe = 0;   /* the resend was acknowledged, not it */
		return;
	}
	/* cwnd in segments scaled by the old packet size over the new, as
	 * Linux's tcp_mtup_probe_success; ssthresh at least 3/4 of it */
	uint32_t old = pcb->mss ? pcb->mss : 1;
	uint64_t segs = (uint64_t) (pcb->cwnd / old) * (old + seg_hdr(pcb)) / pcb->mtup_probe;
	if (!pcb->in_cwr && !pcb->in_recovery) {
		uint32_t q = pcb->cwnd / 4 * 3;
		if (pcb->ssthresh < q)
			pcb->ssthresh = q;
	}
	pcb->mtup_low = pcb->mtup_probe;
	pcb->mtup_probe = 0;
	mss_resync(pcb);
	pcb->cwnd = (uint32_t) (segs ? segs : 1) * pcb->mss;
	pcb->s->tcp->mib.MTUPSuccess++;
}

bool tcp_mtup_lost(struct tcp_pcb *pcb) {
	if (!pcb->mtup_probe || pcb->snd_una != pcb->mtup_seq || pcb->mtup_rxt || pcb->in_recovery ||
			pcb->in_loss || pcb->in_cwr)
		return false;
	mtup_failed(pcb);
	pcb->cwnd += pcb->mss;   /* the segment the probe took back */
	tcp_simple_retransmit(pcb);
	return true;
}

uint32_t tcp_rcv_window(struct tcp_pcb *pcb) {
	uint32_t free = pcb->rcvcap > pcb->rcvq.len ? pcb->rcvcap - pcb->rcvq.len : 0;
	/* never move the right edge back (RFC 9293 3.8.6.2.2) */
	if (seq_gt(pcb->rcv_adv, pcb->rcv_nxt) && pcb->rcv_adv - pcb->rcv_nxt > free)
		free = pcb->rcv_adv - pcb->rcv_nxt;
	uint32_t max = (uint32_t) 65535 << pcb->rcv_wscale;
	return free > max ? max : free;
}

uint8_t tcp_select_wscale(const struct tcp_pcb *pcb) {
	uint32_t space = pcb->user_rcvbuf ? pcb->rcvcap / 2 : pcb->rcvcap;
	int w = 0;
	while (w < 31 && (space >> (w + 1)) != 0)
		w++;   /* floor(log2(space)) */
	w -= 15;
	return (uint8_t) (w < 0 ? 0 : w > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : w);
}

/* Payload per segment now: the MSS less the SACK blocks we would send
 * (Linux tcp_current_mss), so a data segment with them still fits. */
uint32_t tcp_cur_mss(const struct tcp_pcb *pcb) {
	uint32_t mss = pcb->mss;
	if (pcb->sack_ok && pcb->nrsack) {
		int max = pcb->ts_ok ? 3 : 4;
		int n = pcb->nrsack < max ? pcb->nrsack : max;
		uint32_t o = 4u + 8u * (uint32_t) n;
		mss = mss > o + 64 ? mss - o : 64;
	}
	return mss;
}

static void seg_sent(struct tcp_pcb *pcb, uint8_t flags, uint32_t adv) {
	struct tcp_stack *ts = pcb->s->tcp;
	ts->mib.OutSegs++;
	if (flags & TCP_ACK) {
		pcb->segs_unacked = 0;
		pcb->ack_now = false;
		pcb->dack_at = 0;
		pcb->last_ack_sent = pcb->rcv_nxt;
		if ((flags & TCP_SYN) || seq_gt(pcb->rcv_nxt + adv, pcb->rcv_adv))
			pcb->rcv_adv = pcb->rcv_nxt + adv;
	}
}

/* The interface dropped the frame (its transmit queue was full, the
 * link having no room for a while: link_xmit counts it and reports
 * success, as Linux does for a qdisc drop). Linux's TCP sees its own drops (NET_XMIT_DROP) and treats them
 * as local congestion, not loss: what was not sent is not counted as
 * sent, a timeout is not backed off for it, and here an ACK that did not
 * leave (a window update!) is tried again by the delayed-ACK timer. */
static void local_drop(struct tcp_pcb *pcb, uint8_t flags) {
	pcb->xmit_dropped = true;
	pcb->s->tcp->mib.LocalDrops++;
	if ((flags & TCP_ACK) && !(flags & (TCP_RST | TCP_SYN)) && pcb->dack_at == 0) {
		pcb->dack_at = tcp_clock(pcb->s) + TCP_DELACK_NS;
		tcp_timer_update(pcb);
	}
}

/* Build and send one segment; len bytes from the send ring at seq.
 * -ENOBUFS: dropped at our interface (local_drop). */
int tcp_send_seg(struct tcp_pcb *pcb, uint32_t seq, uint8_t flags, uint32_t len, bool with_opts) {
	struct ustack *s = pcb->s;
	struct tcp_opts o = {0};
	bool offer = pcb->state == TCPS_SYN_SENT;
	/* ECN (RFC 3168 6.1.4, 6.1.5; Linux tcp_ecn_send): new data is ECT(0)
	 * and carries a queued CWR; ACKs and resends are not ECT; ECE while
	 * we echo a CE mark */
	uint8_t ect = 0;
	if (pcb->ecn_ok && !(flags & (TCP_SYN | TCP_RST))) {
		if (len && !seq_lt(seq, pcb->snd_max)) {
			ect = 2;
			if (pcb->queue_cwr) {
				flags |= TCP_CWR;
				pcb->queue_cwr = false;
			}
		}
		if (pcb->ece_demand)
			flags |= TCP_ECE;
	}
	if (with_opts) {
		/* Linux's SYN: MSS, SACK_PERM, TS, NOP, WS (the codec's layout);
		 * a SYN-ACK answers with what the SYN offered */
		o.has_mss = true;
		o.mss = pcb->adv_mss;
		if (pcb->ws_ok || offer) {
			o.has_wscale = true;
			o.wscale = pcb->rcv_wscale;
		}
		o.sack_perm = pcb->sack_ok || offer;
		if (flags & TCP_SYN)
			tcp_fo_syn_opt(pcb, &o);   /* RFC 7413 */
	}
	if (pcb->ts_ok || (with_opts && offer && s->tcp_timestamps)) {
		/* RFC 7323 3.2: on every segment once agreed; TSecr 0 in our SYN */
		o.has_ts = true;
		o.tsval = tcp_ts_now(pcb);
		o.tsecr = pcb->ts_ok ? pcb->ts_recent : 0;
	}
	if (pcb->sack_ok && (pcb->nrsack || pcb->dsack_pending) && (flags & TCP_ACK) &&
			!(flags & (TCP_SYN | TCP_RST))) {
		/* RFC 2018 3: what fits in 40 bytes (3 blocks beside timestamps),
		 * and no more than the segment's MSS leaves (tcp_cur_mss) */
		uint32_t room = (uint32_t) pcb->mss + (pcb->ts_ok ? TCPOLEN_TS_ALIGNED : 0);
		uint32_t used = (uint32_t) tcp_opts_len(&o) + len;
		room = used < room ? room - used : 0;
		int max = pcb->ts_ok ? 3 : 4;
		/* a D-SACK first (RFC 2883 4), then the newest blocks */
		struct tcp_sack_block all[TCP_MAX_SACK + 1];
		int k = 0;
		if (pcb->dsack_pending)
			all[k++] = pcb->dsack;
		for (int i = 0; i < pcb->nrsack; i++)
			all[k++] = pcb->rsack[i];
		int n = k < max ? k : max;
		while (n > 0 && 4u + 8u * (uint32_t) n > room)
			n--;
		o.nsack = (uint8_t) n;
		memcpy(o.sack, all, sizeof(o.sack[0]) * (size_t) n);
	}
	size_t olen = tcp_opts_len(&o);
	size_t hlen = TCP_HDR_LEN + olen;
	struct pbuf *p = pbuf_alloc(&s->pc, hlen + len, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	uint8_t *h = p->data;
	if (len) {
		/* the queue starts at snd_una, or after our SYN while it is not
		 * acknowledged; a SYN's data follows it (Fast Open) */
		uint32_t base = pcb->snd_una + (tcp_syn_unacked(pcb) ? 1 : 0);
		uint32_t dseq = seq + ((flags & TCP_SYN) ? 1 : 0);
		ring_copy_out(&pcb->sndq, dseq - base, h + hlen, len);
		if (pcb->snd_una == pcb->snd_max && pcb->cc && pcb->cc->tx_start)
			pcb->cc->tx_start(pcb);
		pcb->last_data_tx = tcp_clock(s);
		if (pcb->sack_recovery)
			pcb->prr_out += len;
	}
	uint32_t wnd = tcp_rcv_window(pcb);
	/* RFC 7323 2.2: the window of a SYN is never scaled */
	uint32_t wfield = (flags & TCP_SYN) ? (wnd > 65535 ? 65535 : wnd) : wnd >> pcb->rcv_wscale;
	/* the codec writes header and options before the data, in place */
	struct tcp_repr r = {.sport = ntohs(pcb->lport), .dport = ntohs(pcb->rport), .seq = seq,
		.ack = (flags & TCP_ACK) ? pcb->rcv_nxt : 0, .flags = flags, .window = (uint16_t) wfield,
		.opt = o, .payload = len ? h + hlen : NULL, .payload_len = len};
	if (tcp_emit(&r, h, p->len) < 0) {
		pbuf_free(&s->pc, p);
		return -EINVAL;
	}
	int err;
	int ttl = pcb->sk && pcb->sk->ttl >= 0 ? pcb->sk->ttl : 64;
	if (pcb->v6) {
		struct ip6_route_res rt;
		err = route6_lookup(s, pcb->r6, pcb->oif, &rt);
		if (err < 0) {
			pbuf_free(&s->pc, p);
			return err;
		}
		if (!is_lo(rt.ifp))
			tcp_fill_checksum6(pcb->l6, pcb->r6, h, p->len);
		int hl = pcb->sk && pcb->sk->hops >= 0 ? pcb->sk->hops : 64;
		struct ip6_tx tx = {.src = pcb->l6, .dst = pcb->r6, .proto = IPPROTO_TCP, .hlim = (uint8_t) hl,
			.tclass = (uint8_t) (((pcb->sk ? pcb->sk->tclass6 : 0) & ~3) | ect), .oif = pcb->oif};
		seg_sent(pcb, flags, (flags & TCP_SYN) ? wfield : wfield << pcb->rcv_wscale);
		uint64_t drops = rt.ifp->st.tx_errors;
		err = ip6_output_route(s, p, &tx, &rt);
		if (err == 0 && rt.ifp->st.tx_errors != drops)
			err = -ENOBUFS;
	} else {
		struct ip4_route_res rt;
		err = route4_lookup(s, pcb->r4, pcb->oif, &rt);
		if (err < 0) {
			pbuf_free(&s->pc, p);
			return err;
		}
		/* lo skips checksums (DESIGN.md 3): the receiver knows it came on lo */
		if (!is_lo(rt.ifp))
			tcp_fill_checksum4((const uint8_t *) &pcb->l4, (const uint8_t *) &pcb->r4, h, p->len);
		struct ip4_tx tx = {.src = pcb->l4, .dst = pcb->r4, .proto = IPPROTO_TCP, .ttl = (uint8_t) ttl,
			.tos = (uint8_t) (((pcb->sk ? pcb->sk->tos : 0) & ~3) | ect), .df = true};
		seg_sent(pcb, flags, (flags & TCP_SYN) ? wfield : wfield << pcb->rcv_wscale);
		uint64_t drops = rt.ifp->st.tx_errors;
		err = ip4_output_route(s, p, &tx, &rt);
		if (err == 0 && rt.ifp->st.tx_errors != drops)
			err = -ENOBUFS;
	}
	if (pcb->mtup_probe && len && seq_lt(seq, pcb->snd_max) && seq_lt(seq, pcb->mtup_end) &&
			seq_gt(seq + len, pcb->mtup_seq))
		pcb->mtup_rxt = true;   /* the probe's data again: it proves nothing now */
	if (err == -ENOBUFS)
		local_drop(pcb, flags);
	else if (err == 0 && !(flags & (TCP_SYN | TCP_RST)) && (len || (flags & TCP_FIN)))
		tcp_tx_sent(pcb, seq, seq + len + !!(flags & TCP_FIN), tcp_clock(s));
	return err;
}

/* RFC 6298 2.2-2.3, with Linux's floor of 200 ms on the variance term. */
void tcp_rtt_sample(struct tcp_pcb *pcb, uint32_t us) {
	if (us == 0)
		us = 1;
	if (pcb->min_rtt == 0 || us < pcb->min_rtt)
		pcb->min_rtt = us;   /* RACK's reordering window (tcp_rack.c) */
	if (pcb->srtt == 0) {
		pcb->srtt = us;
		pcb->rttvar = us / 2;
	} else {
		uint32_t d = pcb->srtt > us ? pcb->srtt - us : us - pcb->srtt;
		pcb->rttvar = (3 * pcb->rttvar + d) / 4;
		pcb->srtt = (7 * pcb->srtt + us) / 8;
	}
	uint32_t var = 4 * pcb->rttvar;
	if (var < TCP_RTO_MIN_US)
		var = TCP_RTO_MIN_US;
	uint64_t rto = (uint64_t) pcb->srtt + var;
	pcb->rto = rto > TCP_RTO_MAX_US ? TCP_RTO_MAX_US : (uint32_t) rto;
}

static void psh_note(struct tcp_pcb *pcb, uint32_t end);

void tcp_send_syn(struct tcp_pcb *pcb) {
	uint32_t off = tcp_ts_offset(pcb);
	if (off != pcb->ts_off)
		pcb->ts_sent = false;   /* a new connection on this pcb */
	pcb->ts_off = off;
	uint8_t fl = TCP_SYN | (pcb->state == TCPS_SYN_RECV ? TCP_ACK : 0);
	if (pcb->state == TCPS_SYN_RECV && pcb->ecn_ok)
		fl |= TCP_ECE;   /* RFC 3168 6.1.1: an ECN-setup SYN-ACK */
	/* an ECN-setup SYN (stack option tcp_ecn=1); sent again without
	 * ECE and CWR (RFC 3168 6.1.1: a middlebox may drop it; Linux's
	 * tcp_ecn_fallback) */
	if (pcb->state == TCPS_SYN_SENT && pcb->ecn_ok && pcb->syn_retries == 0)
		fl |= TCP_ECE | TCP_CWR;
	/* Fast Open (RFC 7413): the option and data in the first SYN only;
	 * after a timeout the SYN goes without them and the data after the
	 * handshake, unless the SYN-ACK acknowledges it: it stays in flight
	 * (Linux keeps it in its retransmission queue) */
	uint32_t dlen = 0;
	if (pcb->state == TCPS_SYN_SENT && pcb->snd_max == pcb->iss) {
		dlen = pcb->fo_syn_len;
	} else if (pcb->state == TCPS_SYN_SENT && (pcb->fo_syn_len || pcb->fo_req)) {
		if (pcb->fo_syn_len)
			pcb->fo_fail = TCP_FO_SYN_RETRANSMITTED;
		pcb->fo_syn_len = 0;
		pcb->fo_req = false;
		pcb->snd_nxt = pcb->iss + 1;
	}
	tcp_send_seg(pcb, pcb->iss, fl, dlen, true);
	if (dlen)
		psh_note(pcb, pcb->iss + 1 + dlen);   /* Linux marks a SYN's data pushed */
	if (pcb->snd_max == pcb->iss)
		pcb->snd_max = pcb->snd_nxt = pcb->iss + 1 + dlen;
	tcp_arm_rtx(pcb);
	tcp_timer_update(pcb);
}

/* The sequence number of a segment without data (Linux
 * tcp_acceptable_seq): snd_max, not snd_nxt, since after a timeout
 * snd_nxt walks back over what is resent and an ACK below the peer's
 * rcv_nxt is dropped there unread; but never past the right edge of the
 * peer's window: when that window closed with our data beyond it in
 * flight (dropped there for lack of room), an ACK at snd_max is outside
 * the zero window and dropped too, its acknowledgment never read, and
 * both ends wait on each other (the stall of test_ustack_tcp's 8 MiB
 * transfers, docs/ustack.md). */
uint32_t tcp_acceptable_seq(const struct tcp_pcb *pcb) {
	uint32_t edge = pcb->snd_una + pcb->snd_wnd;
	return seq_leq(pcb->snd_max, edge) ? pcb->snd_max : edge;
}

void tcp_send_ack(struct tcp_pcb *pcb) {
	if (pcb->state == TCPS_CLOSED || pcb->state == TCPS_LISTEN || pcb->state == TCPS_SYN_SENT)
		return;
	tcp_send_seg(pcb, tcp_acceptable_seq(pcb), TCP_ACK, 0, false);
}

void tcp_send_rst(struct tcp_pcb *pcb) {
	pcb->s->tcp->mib.OutRsts++;
	tcp_send_seg(pcb, tcp_acceptable_seq(pcb), TCP_RST | TCP_ACK, 0, false);
}

void tcp_send_probe(struct tcp_pcb *pcb) {
	tcp_send_seg(pcb, pcb->snd_una - 1, TCP_ACK, 0, false);
}

/* Receive offload (stack option gro=1): while a batch of frames read at
 * once from a VNL runs, the ACK that in-order data asks for waits for the
 * batch's end, and one ACK covers all the batch brought, as Linux's ACK
 * of a GRO packet does. An ACK asked for at once (out of order, CE, CWR)
 * is not held. */
static bool ack_batch_add(struct tcp_pcb *pcb) {
	struct ustack *s = pcb->s;
	struct tcp_stack *ts = s->tcp;
	if (!s->gro || !s->rx_batch || pcb->ack_now)
		return false;
	if (pcb->ack_batched)
		return true;
	if (ts->nack_batch == TCP_ACK_BATCH)
		return false;
	ts->ack_batch[ts->nack_batch++] = pcb;
	pcb->ack_batched = true;
	return true;
}

void tcp_ack_batch_end(struct ustack *s) {
	struct tcp_stack *ts = s->tcp;
	if (ts == NULL)
		return;
	/* (an ACK sent meanwhile, with data, cleared segs_unacked) */
	for (int i = 0; i < ts->nack_batch; i++) {
		struct tcp_pcb *pcb = ts->ack_batch[i];
		pcb->ack_batched = false;
		if (pcb->segs_unacked == 0)
			continue;
		if (pcb->quickack > 0)
			pcb->quickack--;
		tcp_send_ack(pcb);
	}
	ts->nack_batch = 0;
}

void tcp_ack_batch_forget(struct tcp_pcb *pcb) {
	struct tcp_stack *ts = pcb->s->tcp;
	if (!pcb->ack_batched)
		return;
	for (int i = 0; i < ts->nack_batch; i++)
		if (ts->ack_batch[i] == pcb) {
			ts->ack_batch[i] = ts->ack_batch[--ts->nack_batch];
			break;
		}
	pcb->ack_batched = false;
}

void tcp_ack_later(struct tcp_pcb *pcb) {
	pcb->segs_unacked++;
	if (pcb->ack_now || (pcb->quickack > 0 && !pcb->pingpong) || pcb->segs_unacked >= 2) {
		if (ack_batch_add(pcb))
			return;
		if (pcb->quickack > 0)
			pcb->quickack--;
		tcp_send_ack(pcb);
		return;
	}
	if (pcb->dack_at == 0) {
		pcb->dack_at = tcp_clock(pcb->s) + TCP_DELACK_NS;
		tcp_timer_update(pcb);
	}
}

/* A new segment ending at end went with PSH. */
static void psh_note(struct tcp_pcb *pcb, uint32_t end) {
	if (pcb->npsh == TCP_PSH_MARKS) {
		memmove(pcb->psh_mark, pcb->psh_mark + 1, sizeof(pcb->psh_mark[0]) * (TCP_PSH_MARKS - 1));
		pcb->npsh--;
	}
	pcb->psh_mark[pcb->npsh++] = end;
}

/* A forced push mark (tcp_sendmsg's forced_push) in (seq, seq + len]: the
 * new segment [seq, seq + len) ends the buffer that Linux marked PSH. */
static bool fpush_hit(const struct tcp_pcb *pcb, uint32_t seq, uint32_t len) {
	for (uint8_t i = 0; i < pcb->nfpush; i++)
		if (seq_gt(pcb->fpush[i], seq) && seq_leq(pcb->fpush[i], seq + len))
			return true;
	return false;
}

/* New data up to end went: the forced marks up to it are spent. */
static void fpush_drop(struct tcp_pcb *pcb, uint32_t end) {
	uint8_t k = 0;
	for (uint8_t i = 0; i < pcb->nfpush; i++)
		if (seq_gt(pcb->fpush[i], end))
			pcb->fpush[k++] = pcb->fpush[i];
	pcb->nfpush = k;
}

/* A GSO packet of more than one segment, [seq, end), went. */
static void gso_note(struct tcp_pcb *pcb, uint32_t seq, uint32_t end) {
	if (pcb->ngso == TCP_GSO_MARKS) {
		memmove(pcb->gso, pcb->gso + 1, sizeof(pcb->gso[0]) * (TCP_GSO_MARKS - 1));
		pcb->ngso--;
	}
	pcb->gso[pcb->ngso++] = (struct tcp_gso_mark) {seq, end};
}

/* A resend of [seq, seq + len) ends a multi-segment GSO packet sent
 * before, and what is left of that packet to resend (Linux resends the
 * packet as kept in its retransmission queue: cut at snd_una and at
 * SACKed data) is more than one segment: it goes as a GSO packet again,
 * with PSH on its last segment. */
static bool gso_resend_end(struct tcp_pcb *pcb, uint32_t seq, uint32_t len, uint32_t run) {
	int k = 0;
	for (int i = 0; i < pcb->ngso; i++)
		if (seq_gt(pcb->gso[i].end, pcb->snd_una))
			pcb->gso[k++] = pcb->gso[i];
	pcb->ngso = (uint8_t) k;
	for (int i = 0; i < k; i++) {
		if (pcb->gso[i].end != seq + len)
			continue;
		uint32_t from = seq_gt(pcb->gso[i].seq, pcb->snd_una) ? pcb->gso[i].seq : pcb->snd_una;
		const struct tcp_sack_block *b;
		while ((b = tcp_sb_block_from(pcb, from)) != NULL && seq_lt(b->left, seq))
			from = b->right;
		if (seq_gt(run, from))
			from = run;
		return seq_lt(from, seq) && seq + len - from > (uint32_t) tcp_cur_mss(pcb);
	}
	return false;
}

/* PSH for a resend of [seq, seq + len): the data was pushed when first
 * sent (a PSH mark in (seq, seq + len]), it ends a multi-segment GSO
 * packet resent as one, or it reaches the end of what was queued (the
 * first sending of it did, so it had PSH). */
static uint8_t psh_resend(struct tcp_pcb *pcb, uint32_t seq, uint32_t len) {
	if (len == 0)
		return 0;
	/* run: where the resends of this output call that this one
	 * continues begin */
	uint32_t run = seq;
	if (pcb->rxt_run) {
		if (pcb->rxt_run_end == seq)
			run = pcb->rxt_run_seq;
		pcb->rxt_run_seq = run;
		pcb->rxt_run_end = seq + len;
	}
	int k = 0;
	for (int i = 0; i < pcb->npsh; i++)
		if (seq_gt(pcb->psh_mark[i], pcb->snd_una))
			pcb->psh_mark[k++] = pcb->psh_mark[i];
	pcb->npsh = (uint8_t) k;
	for (int i = 0; i < k; i++)
		if (seq_gt(pcb->psh_mark[i], seq) && seq_leq(pcb->psh_mark[i], seq + len))
			return TCP_PSH;
	if (gso_resend_end(pcb, seq, len, run))
		return TCP_PSH;
	for (uint32_t i = 0; i < pcb->neor; i++)
		if (pcb->eor[i] == seq + len)
			return TCP_PSH;   /* a record's end went with PSH */
	return seq + len == pcb->snd_una + pcb->sndq.len ? TCP_PSH : 0;
}

int tcp_eor_mark(struct tcp_pcb *pcb) {
	uint32_t end = pcb->snd_una + pcb->sndq.len;
	if (pcb->neor && pcb->eor[pcb->neor - 1] == end)
		return 0;
	if (pcb->neor == pcb->eorcap) {
		if (pcb->eorcap >= TCP_EOR_MAX)
			return -ENOBUFS;
		uint32_t cap = pcb->eorcap ? pcb->eorcap * 2 : 8;
		uint32_t *n = realloc(pcb->eor, cap * sizeof(*n));
		if (n == NULL)
			return -ENOBUFS;
		pcb->eor = n;
		pcb->eorcap = cap;
	}
	pcb->eor[pcb->neor++] = end;
	return 0;
}

void tcp_eor_ack(struct tcp_pcb *pcb) {
	uint32_t k = 0;
	while (k < pcb->neor && seq_leq(pcb->eor[k], pcb->snd_una))
		k++;
	if (k == 0)
		return;
	pcb->neor -= k;
	memmove(pcb->eor, pcb->eor + k, pcb->neor * sizeof(*pcb->eor));
	if (pcb->neor == 0) {
		free(pcb->eor);
		pcb->eor = NULL;
		pcb->eorcap = 0;
	}
}

static void zc_notify(struct tcp_pcb *pcb, uint32_t k) {
	/* consecutive ranges go as one completion (Linux merges the tail) */
	for (uint32_t i = 0; i < k; i++)
		if (pcb->sk)
			sock_zc_complete(pcb->sk, pcb->zc[i].lo, pcb->zc[i].hi);
	pcb->nzc -= k;
	memmove(pcb->zc, pcb->zc + k, pcb->nzc * sizeof(*pcb->zc));
	if (pcb->nzc == 0) {
		free(pcb->zc);
		pcb->zc = NULL;
		pcb->zccap = 0;
	}
}

void tcp_zc_mark(struct tcp_pcb *pcb, uint32_t id) {
	uint32_t end = pcb->snd_una + pcb->sndq.len;
	if (seq_leq(end, pcb->snd_una) && pcb->nzc == 0) {
		if (pcb->sk)
			sock_zc_complete(pcb->sk, id, id);   /* already acknowledged */
		return;
	}
	struct tcp_zc *last = pcb->nzc ? &pcb->zc[pcb->nzc - 1] : NULL;
	if (last && (last->end == end || pcb->nzc >= TCP_ZC_MAX) && last->hi + 1 == id) {
		/* nothing new since the last call, or too many waiting: the
		 * call completes with the previous one (Linux: one uarg) */
		last->end = end;
		last->hi = id;
		return;
	}
	if (pcb->nzc == pcb->zccap) {
		uint32_t cap = pcb->zccap ? pcb->zccap * 2 : 8;
		struct tcp_zc *n = realloc(pcb->zc, cap * sizeof(*n));
		if (n == NULL) {
			if (pcb->sk)
				sock_zc_complete(pcb->sk, id, id);
			return;
		}
		pcb->zc = n;
		pcb->zccap = cap;
	}
	pcb->zc[pcb->nzc++] = (struct tcp_zc){.end = end, .lo = id, .hi = id};
}

void tcp_zc_ack(struct tcp_pcb *pcb) {
	uint32_t k = 0;
	while (k < pcb->nzc && seq_leq(pcb->zc[k].end, pcb->snd_una))
		k++;
	if (k)
		zc_notify(pcb, k);
}

void tcp_zc_flush(struct tcp_pcb *pcb) {
	if (pcb->nzc)
		zc_notify(pcb, pcb->nzc);
	tcp_tstamp_flush(pcb);   /* the send queue's stamps go with it too */
}

/* len cut at the first record end above seq (MSG_EOR); *at_end: the
 * segment ends on one */
static uint32_t eor_clip(const struct tcp_pcb *pcb, uint32_t seq, uint32_t len, bool *at_end) {
	if (at_end)
		*at_end = false;
	for (uint32_t i = 0; i < pcb->neor; i++) {
		uint32_t e = pcb->eor[i];
		if (seq_leq(e, seq))
			continue;
		if (seq_leq(e, seq + len)) {
			len = e - seq;
			if (at_end)
				*at_end = true;
		}
		break;
	}
	return len;
}

/* The first unacknowledged segment again (fast retransmit, NewReno's
 * partial ACKs). */
void tcp_retransmit_head(struct tcp_pcb *pcb) {
	uint32_t mss = tcp_cur_mss(pcb);
	uint32_t len = eor_clip(pcb, pcb->snd_una, pcb->sndq.len < mss ? pcb->sndq.len : mss, NULL);
	uint8_t fl = TCP_ACK;
	if (pcb->fin_queued && pcb->snd_una + len == pcb->fin_seq && seq_gt(pcb->snd_max, pcb->fin_seq))
		fl |= TCP_FIN;
	if (len == 0 && !(fl & TCP_FIN))
		return;
	pcb->rtt_timing = false;  /* Karn's algorithm */
	pcb->head_rxt_pending = tcp_send_seg(pcb, pcb->snd_una, fl | psh_resend(pcb, pcb->snd_una, len), len, false) == -ENOBUFS;
	if (pcb->head_rxt_pending)
		return;
	pcb->s->tcp->mib.RetransSegs++;
	pcb->retrans_total++;
	if (pcb->in_recovery)
		pcb->undo_retrans++;
}

/* One segment of data not sent before (or resent after a timeout, going
 * back from snd_una), within win bytes in flight from snd_una. Returns
 * false when nothing may go now. */
static bool output_one(struct tcp_pcb *pcb, uint32_t win) {
	uint32_t mss = pcb->mtup_len ? pcb->mtup_len : tcp_cur_mss(pcb);
	uint32_t flight = pcb->snd_nxt - pcb->snd_una;
	const struct tcp_sack_block *sacked = NULL;
	if (pcb->sb && seq_lt(pcb->snd_nxt, pcb->snd_max)) {
		/* going back after a timeout: what the peer SACKed since (the
		 * scoreboard was cleared at the timeout) is not sent again, nor
		 * counted in flight */
		sacked = tcp_sb_block_from(pcb, pcb->snd_nxt);
		if (sacked && seq_leq(sacked->left, pcb->snd_nxt)) {
			pcb->snd_nxt = seq_lt(sacked->right, pcb->snd_max) ? sacked->right : pcb->snd_max;
			sacked = tcp_sb_block_from(pcb, pcb->snd_nxt);
		}
		flight = pcb->snd_nxt - pcb->snd_una - tcp_sb_sacked_below(pcb, pcb->snd_nxt);
	}
	uint32_t off = pcb->snd_nxt - pcb->snd_una;
	uint32_t queued = pcb->sndq.len;
	uint32_t avail = off < queued ? queued - off : 0;
	uint32_t usable = win > flight ? win - flight : 0;
	uint32_t len = avail < mss ? avail : mss;
	if (sacked && seq_lt(sacked->left, pcb->snd_nxt + len))
		len = sacked->left - pcb->snd_nxt;
	bool at_eor;
	len = eor_clip(pcb, pcb->snd_nxt, len, &at_eor);
	bool fin_now = pcb->fin_queued && seq_leq(pcb->snd_nxt, pcb->fin_seq) && off + len == queued;
	if (len > usable) {
		len = usable;
		fin_now = false;
		/* sender silly window avoidance (RFC 9293 3.8.6.2.1), unless
		 * the persist timer forces what fits */
		if (len < mss && len < pcb->max_snd_wnd / 2 && !pcb->force)
			len = 0;
		at_eor = false;
	}
	if (len == 0 && !fin_now)
		return false;
	if (len && len < mss && !fin_now && len == avail) {
		/* Nagle (RFC 1122 4.2.3.4), MSG_MORE / TCP_CORK; the probe
		 * timer (force) ends a cork (Linux: the 200 ms ceiling) */
		if (!pcb->force && !pcb->push_now && (pcb->cork || pcb->more))
			return false;
		if (!pcb->force && !pcb->push_now && !pcb->nodelay && flight > 0 && pcb->snd_sml_ok &&
				seq_gt(pcb->snd_sml, pcb->snd_una) && seq_leq(pcb->snd_sml, pcb->snd_max))
			return false;
	}
	if (len == 0 && fin_now && seq_lt(pcb->snd_nxt, pcb->snd_max) && pcb->snd_nxt != pcb->fin_seq)
		return false;
	uint8_t fl = TCP_ACK;
	uint32_t seq = pcb->snd_nxt;
	bool resend = seq_lt(seq, pcb->snd_max);
	bool pushed = false;
	if (resend)
		fl |= psh_resend(pcb, seq, len);
	else if (len) {
		/* the end of the queue (not written with MSG_MORE), of a
		 * record; a probe: the data was pushed */
		pushed = (len == avail && !pcb->tail_more) || at_eor || pcb->force ||
			(pcb->nfpush && fpush_hit(pcb, seq, len));
		if (!pcb->gso_open || seq_geq(seq, pcb->gso_end) || seq_lt(seq, pcb->gso_seq)) {
			/* a new GSO packet (Linux tcp_write_xmit): at most
			 * tcp_min_tso_segs segments (TCP_GSO_SEGS), half of cwnd (at least one
			 * segment), what the windows let go, what is queued */
			uint32_t half = pcb->cwnd / mss / 2 * mss;
			uint32_t n = (pcb->s->tcp_min_tso_segs ? pcb->s->tcp_min_tso_segs : TCP_GSO_SEGS) * mss;
			if (half < mss)
				half = mss;
			if (n > half)
				n = half;
			uint32_t inflight = pcb->sb ? tcp_sb_pipe(pcb) : flight;
			uint32_t room = pcb->cwnd > inflight ? pcb->cwnd - inflight : 0;
			if (n > usable)
				n = usable;
			if (n > room)
				n = room;
			if (n > avail)
				n = avail;
			if (n < len)
				n = len;
			pcb->gso_open = true;
			pcb->gso_seq = seq;
			pcb->gso_end = seq + n;
			pcb->gso_multi = n > mss;
		}
		if (pushed || (pcb->gso_multi && seq_geq(seq + len, pcb->gso_end)))
			fl |= TCP_PSH;
	}
	if (fin_now)
		fl |= TCP_FIN;
	if (seq_lt(seq, pcb->snd_max)) {
		pcb->s->tcp->mib.RetransSegs++;
		pcb->retrans_total++;
		if (pcb->in_loss && seq_gt(seq + len, pcb->frto_high))
			pcb->frto_high = seq + len;   /* F-RTO: resent since the timeout */
	}
	int err = tcp_send_seg(pcb, seq, fl, len, false);
	if (err == -ENOBUFS) {
		/* not sent: the next ACK, or the timer if nothing is in
		 * flight, tries again (Linux tcp_write_xmit stops there) */
		if (seq_lt(seq, pcb->snd_max)) {
			pcb->s->tcp->mib.RetransSegs--;
			pcb->retrans_total--;
		}
		if (pcb->rtx_at == 0)
			tcp_arm_resource_retry(pcb);
		return false;
	}
	if (err < 0 && len == 0)
		return false;
	if (pushed)
		psh_note(pcb, seq + len);
	if (!resend && pcb->nfpush)
		fpush_drop(pcb, seq + len);
	if (!resend && len && pcb->ntst)
		tcp_tstamp_sent(pcb, seq, len);
	if (!resend && len && len < mss) {
		pcb->snd_sml = seq + len;   /* Minshall (Linux tcp_minshall_update) */
		pcb->snd_sml_ok = true;
	}
	if (!resend && len && pcb->gso_open && seq_geq(seq + len, pcb->gso_end)) {
		if (pcb->gso_multi)
			gso_note(pcb, pcb->gso_seq, seq + len);
		pcb->gso_open = false;
	}
	pcb->snd_nxt += len + (fin_now ? 1 : 0);
	if (seq_gt(pcb->snd_nxt, pcb->snd_max)) {
		pcb->snd_max = pcb->snd_nxt;
		if (!pcb->rtt_timing) {
			pcb->rtt_timing = true;
			pcb->rtt_seq = pcb->snd_nxt;
			pcb->rtt_start = tcp_clock(pcb->s);
		}
	}
	if (pcb->rtx_at == 0 || pcb->persist) {
		pcb->persist = false;
		tcp_arm_rtx(pcb);
	}
	return !fin_now;
}

/* Resend [seq, seq + len) of a hole (RFC 6675 NextSeg rules 1 and 3), at
 * most one segment; the FIN with it when the hole reaches it. */
bool tcp_sack_retransmit(struct tcp_pcb *pcb, uint32_t seq, uint32_t len) {
	uint32_t mss = tcp_cur_mss(pcb);
	uint32_t data_end = pcb->snd_una + pcb->sndq.len;
	if (len > mss)
		len = mss;
	if (seq_gt(seq + len, data_end))
		len = seq_lt(seq, data_end) ? data_end - seq : 0;
	len = eor_clip(pcb, seq, len, NULL);
	uint8_t fl = TCP_ACK;
	if (pcb->fin_queued && seq + len == pcb->fin_seq && seq_gt(pcb->snd_max, pcb->fin_seq))
		fl |= TCP_FIN;
	else if (len == 0) {
		if (seq_gt(seq + 1, pcb->sb->high_rxt))
			pcb->sb->high_rxt = seq + 1;   /* nothing there to send */
		return true;
	}
	if (tcp_send_seg(pcb, seq, fl | psh_resend(pcb, seq, len), len, false) == -ENOBUFS) {
		if (pcb->rtx_at == 0)
			tcp_arm_resource_retry(pcb);
		return false;   /* HighRxt stays: the hole is tried again */
	}
	pcb->s->tcp->mib.RetransSegs++;
	pcb->s->tcp->mib.SACKRetrans++;
	pcb->retrans_total++;
	if (pcb->in_recovery)
		pcb->undo_retrans++;
	if (pcb->in_loss && seq_gt(seq + len, pcb->frto_high))
		pcb->frto_high = seq + len;   /* F-RTO: resent since the timeout */
	pcb->rtt_timing = false;   /* Karn */
	uint32_t end = seq + len + ((fl & TCP_FIN) ? 1 : 0);
	if (seq_gt(end, pcb->sb->high_rxt))
		pcb->sb->high_rxt = end;
	if (seq == pcb->snd_una) {
		pcb->sb->una_marked = true;
		pcb->sb->una_mark = pcb->snd_max;
		pcb->sb->una_mark_seq = seq;
	}
	if (pcb->rtx_at == 0)
		tcp_arm_rtx(pcb);
	return true;
}

/* The loss probe's new segment: one, within the peer's window but not
 * cwnd (Linux tcp_write_xmit with push_one 2). */
bool tcp_output_probe_new(struct tcp_pcb *pcb) {
	if (pcb->snd_nxt != pcb->snd_max)
		return false;
	uint32_t max0 = pcb->snd_max;
	/* one segment (Linux: a cwnd quota of one) */
	pcb->gso_open = true;
	pcb->gso_multi = false;
	pcb->gso_seq = pcb->snd_nxt;
	pcb->gso_end = pcb->snd_nxt + tcp_cur_mss(pcb);
	output_one(pcb, pcb->snd_wnd);
	pcb->gso_open = false;
	return pcb->snd_max != max0;
}

/* The loss probe's resend: the last segment sent, at most one MSS. */
bool tcp_resend_tail(struct tcp_pcb *pcb) {
	uint32_t mss = tcp_cur_mss(pcb);
	uint32_t end = pcb->snd_max, seq;
	bool fin = pcb->fin_queued && pcb->fin_seq + 1 == end;
	uint32_t data_end = fin ? end - 1 : end;
	if (pcb->ntx && seq_gt(pcb->tx[pcb->ntx - 1].end, pcb->tx[pcb->ntx - 1].seq) &&
			pcb->tx[pcb->ntx - 1].end == end)
		seq = pcb->tx[pcb->ntx - 1].seq;
	else
		seq = data_end - (data_end - pcb->snd_una < mss ? data_end - pcb->snd_una : mss);
	if (seq_lt(seq, pcb->snd_una))
		seq = pcb->snd_una;
	if (seq_lt(data_end, seq))
		seq = data_end;
	uint32_t len = data_end - seq;
	if (len > mss) {
		seq = data_end - mss;
		len = mss;
	}
	if (len == 0 && !fin)
		return false;
	uint8_t fl = TCP_ACK | (fin ? TCP_FIN : 0);
	if (tcp_send_seg(pcb, seq, fl | psh_resend(pcb, seq, len), len, false) < 0)
		return false;
	pcb->s->tcp->mib.RetransSegs++;
	pcb->retrans_total++;
	pcb->rtt_timing = false;   /* Karn */
	return true;
}

/* RFC 6675 5 (C): while cwnd - pipe >= 1 SMSS, NextSeg: a lost hole, else
 * new data, else (rule 3) an unSACKed hole not yet deemed lost. The same
 * after a timeout (loss_sack), where F-RTO may hold the resends back for
 * one ACK (frto_hold: new data only). */
static void sack_output(struct tcp_pcb *pcb, int budget) {
	bool rxt = !pcb->frto_hold;
	for (; budget > 0 && pcb->sb; budget--) {
		uint32_t pipe = tcp_sb_pipe(pcb);
		if (pipe >= pcb->cwnd || pcb->cwnd - pipe < pcb->mss)
			break;
		uint32_t seq, len;
		if (rxt && tcp_sb_next_rxt(pcb, &seq, &len, false)) {
			if (!tcp_sack_retransmit(pcb, seq, len))
				break;
			continue;
		}
		if (output_one(pcb, pcb->snd_wnd))
			continue;
		if (pcb->xmit_dropped)
			break;
		if (rxt && !pcb->in_loss && tcp_sb_next_rxt(pcb, &seq, &len, true)) {
			if (!tcp_sack_retransmit(pcb, seq, len))
				break;
			continue;
		}
		break;
	}
}

/* After sending (Linux tcp_cwnd_validate): was the flight limited by
 * cwnd (no room for one more full segment)? Kept for a round trip: the
 * largest flight and whether cwnd limited it, renewed once snd_una
 * passes the mark or when cwnd limits again. */
static void cwnd_validate(struct tcp_pcb *pcb, bool sent) {
	uint32_t flight = pcb->sb ? tcp_sb_pipe(pcb) : pcb->snd_nxt - pcb->snd_una;
	/* receive-window limited (Linux tcp_write_xmit): data waits, cwnd
	 * has room, and the next segment does not fit in the peer's window */
	uint32_t end = pcb->snd_una + pcb->sndq.len;
	uint32_t avail = seq_lt(pcb->snd_nxt, end) ? end - pcb->snd_nxt : 0;
	uint32_t next = avail < pcb->mss ? avail : pcb->mss;
	if (avail && flight < pcb->cwnd && seq_gt(pcb->snd_nxt + next, pcb->snd_una + pcb->snd_wnd))
		tcp_chrono_start(pcb, TCP_CHRONO_RWND);
	else
		tcp_chrono_stop(pcb, TCP_CHRONO_RWND);
	bool limited = flight >= pcb->cwnd || pcb->cwnd - flight < pcb->mss;
	if (!sent && !limited)
		return;
	if (seq_geq(pcb->snd_una, pcb->cwnd_usage_seq) || limited ||
			(!pcb->cwnd_limited && flight > pcb->max_flight)) {
		pcb->cwnd_limited = limited;
		pcb->max_flight = flight;
		pcb->cwnd_usage_seq = pcb->snd_nxt;
	}
	tcp_sndbuf_check(pcb);
}

void tcp_sndbuf_check(struct tcp_pcb *pcb) {
	if (pcb->nospace && !tcp_is_cwnd_limited(pcb) && !seq_lt(pcb->snd_nxt, pcb->snd_una + pcb->sndq.len) &&
			(pcb->state == TCPS_ESTABLISHED || pcb->state == TCPS_CLOSE_WAIT))
		tcp_chrono_start(pcb, TCP_CHRONO_SNDBUF);
}

/* Slow start after idle (RFC 5681 4.1, Linux tcp_cwnd_restart, on unless
 * the stack option tcp_slow_start_after_idle=0): new data about to go
 * with nothing in flight, none sent for more than an RTO: cwnd halves
 * for every RTO of the idle time, down to the restart window (the
 * initial window, or cwnd if smaller); ssthresh keeps at least 3/4 of
 * the old cwnd. Checked when data may go (the peer's window is open),
 * so a zero window's probes leave cwnd as it is. */
static void cwnd_restart_check(struct tcp_pcb *pcb) {
	if (pcb->s->tcp_no_ssai || pcb->snd_una != pcb->snd_max || pcb->sndq.len == 0 ||
			pcb->snd_wnd == 0 || pcb->last_data_tx == 0 || pcb->in_recovery || pcb->in_loss)
		return;
	uint64_t now = tcp_clock(pcb->s);
	uint64_t rto = (uint64_t) pcb->rto * 1000;
	if (rto == 0 || now - pcb->last_data_tx <= rto)
		return;
	uint32_t restart = TCP_INIT_CWND * (uint32_t) pcb->mss;
	if (restart > pcb->cwnd)
		restart = pcb->cwnd;
	uint32_t three4 = pcb->cwnd / 4 * 3;
	if (pcb->ssthresh < three4)
		pcb->ssthresh = three4;
	uint64_t idle = now - pcb->last_data_tx;
	uint32_t cwnd = pcb->cwnd;
	while (idle > rto && cwnd > restart) {
		idle -= rto;
		cwnd >>= 1;
	}
	pcb->cwnd = cwnd > restart ? cwnd : restart;
}

/* The path MTU probe (RFC 4821 7.4, as Linux's tcp_mtu_probe): one new
 * segment of the size halfway through the search, sent when the
 * connection is in order (no recovery, nothing SACKed, no SACK blocks of
 * ours), cwnd at least 11 segments with room for two, and enough data
 * queued and allowed by the peer's window to follow it by the
 * reordering degree plus one segments (its loss is then told apart
 * from reordering). It takes one segment of cwnd while in flight.
 * 1: sent; 0: wait for ACKs (send nothing now); -1: no probe, send as
 * usual. */
static int mtu_probe(struct tcp_pcb *pcb) {
	uint32_t mss = pcb->mss;
	if (!pcb->mtup_on || pcb->mtup_probe || mss == 0 || pcb->in_recovery || pcb->in_loss || pcb->in_cwr ||
			pcb->dupacks || (pcb->sb && pcb->sb->n) || pcb->nrsack || pcb->dsack_pending ||
			pcb->cwnd / mss < 11 || pcb->snd_nxt != pcb->snd_max)
		return -1;
	uint32_t size = mtu_to_mss(pcb, ((uint32_t) pcb->mtup_low + pcb->mtup_high) / 2);
	if (size > mtu_to_mss(pcb, pcb->mtup_high) ||
			(int) pcb->mtup_high - (int) pcb->mtup_low < TCP_PROBE_THRESHOLD) {
		/* the search is over: again after tcp_probe_interval, from
		 * the present size up */
		uint64_t now = tcp_clock(pcb->s);
		if (now - pcb->mtup_at >= TCP_PROBE_INTERVAL_NS) {
			pcb->mtup_high = (uint16_t) search_top(pcb);
			pcb->mtup_low = (uint16_t) (mss + seg_hdr(pcb));
			pcb->mtup_at = now;
		}
		return -1;
	}
	uint32_t reord = pcb->reordering ? pcb->reordering : 3;
	uint32_t need = size + (reord + 1) * mss;
	if (tcp_notsent(pcb) < need || pcb->snd_wnd < need)
		return -1;
	if (seq_gt(pcb->snd_nxt + need, pcb->snd_una + pcb->snd_wnd))
		return 0;
	uint32_t inflight = (pcb->snd_nxt - pcb->snd_una + mss - 1) / mss;
	if (inflight + 2 > pcb->cwnd / mss)
		return inflight ? 0 : -1;
	if (eor_clip(pcb, pcb->snd_nxt, size, NULL) < size)
		return -1;   /* a record ends inside (MSG_EOR) */
	uint32_t max0 = pcb->snd_max;
	pcb->gso_open = true;
	pcb->gso_multi = false;
	pcb->gso_seq = pcb->snd_nxt;
	pcb->gso_end = pcb->snd_nxt + size;
	pcb->mtup_len = (uint16_t) size;
	output_one(pcb, pcb->snd_wnd);
	pcb->mtup_len = 0;
	pcb->gso_open = false;
	if (pcb->snd_max == max0)
		return -1;
	pcb->mtup_probe = (uint16_t) (pcb->snd_max - max0 + seg_hdr(pcb));
	pcb->mtup_seq = max0;
	pcb->mtup_end = pcb->snd_max;
	pcb->mtup_rxt = false;
	pcb->cwnd -= mss;
	return 1;
}

void tcp_output(struct tcp_pcb *pcb) {
	if (pcb->state == TCPS_SYN_RECV && pcb->fo_passive) {
		tcp_fo_output(pcb);   /* before the handshake ends (RFC 7413) */
		return;
	}
	if (!tcp_can_send_data(pcb->state))
		return;
	/* As Linux, what the windows allow goes at once, from any thread: a
	 * frame the interface drops (its transmit queue is full) ends the
	 * burst and is retried (output_one, local_drop); a burst cut short at
	 * a fixed count would leave the rest to the retransmission timer after
	 * a stretch ACK. */
	int budget = 1 << 30;
	if (rt_in_event_thread() && pcb->writer_waiting && pcb->sk) {
		/* a writer blocked in send does it in its own thread: tcp_wakeup
		 * wakes it */
		sock_wake(pcb->sk);
		return;
	}
	pcb->xmit_dropped = false;
	cwnd_restart_check(pcb);
	pcb->gso_open = false;   /* a GSO packet goes whole in one call */
	pcb->rxt_run = true;
	pcb->rxt_run_seq = pcb->rxt_run_end = pcb->snd_una - 1;
	uint64_t segs0 = pcb->s->tcp->mib.OutSegs;
	uint32_t max0 = pcb->snd_max;
	if (pcb->head_rxt_pending && pcb->in_recovery && !pcb->sack_recovery)
		tcp_retransmit_head(pcb);
	if ((pcb->sack_recovery || (pcb->in_loss && pcb->loss_sack)) && pcb->sb) {
		sack_output(pcb, budget);
		pcb->frto_hold = false;
	} else if (mtu_probe(pcb) != 0) {
		uint32_t cw = pcb->cwnd;
		/* limited transmit (RFC 3042): each of the first two duplicate
		 * ACKs lets one new segment go beyond cwnd (Linux: a segment
		 * that left the network is not in flight) */
		if (!pcb->in_recovery && !pcb->in_loss && pcb->dupacks > 0 && pcb->dupacks < 3 &&
				pcb->snd_nxt == pcb->snd_max)
			cw += (uint32_t) pcb->dupacks * pcb->mss;
		uint32_t win = pcb->snd_wnd < cw ? pcb->snd_wnd : cw;
		for (; budget > 0; budget--)
			if (!output_one(pcb, win))
				break;
	}
	cwnd_validate(pcb, pcb->s->tcp->mib.OutSegs != segs0);
	/* new data went: the loss probe stands before the RTO (Linux
	 * tcp_write_xmit) */
	if (seq_gt(pcb->snd_max, max0))
		tcp_tlp_schedule(pcb);
	pcb->force = false;
	pcb->rxt_run = false;
	/* data waits on a closed (or too small) window with nothing in
	 * flight: the persist timer probes it (RFC 9293 3.8.6.1) */
	/* the same for data held by MSG_MORE, TCP_CORK or the sender's silly
	 * window avoidance: the probe timer sends it (Linux
	 * tcp_check_probe_timer: the RTO, at least 200 ms) */
	if (pcb->snd_nxt == pcb->snd_una && pcb->sndq.len && pcb->rtx_at == 0 &&
			seq_lt(pcb->snd_nxt, pcb->snd_una + pcb->sndq.len)) {
		pcb->persist = true;
		tcp_arm_rtx(pcb);
	}
	tcp_timer_update(pcb);
}
