/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Resets for segments that no connection takes (RFC 9293 3.10.7.1, the
 * CLOSED state, and 3.10.7.2 for a listener's bad ACK), as Linux answers
 * them: <SEQ=SEG.ACK><CTL=RST> to a segment with ACK, else
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; never to a reset, nor to a
 * broadcast or multicast (RFC 1122 4.2.3.10). Built with the codec
 * (wire/tcp.c) on the addresses of the arrival; the resets of live
 * connections are tcp_send_rst (tcp_output.c). */
#include <netinet/in.h>

#include "../net/net.h"
#include "../net/net6.h"
#include "../wire/ipv6.h"
#include "tcp.h"

/* The reset answering seg (its header checked: tcp_check), checksum
 * still zero; NULL without memory. */
static struct pbuf *rst_build(struct ustack *s, const uint8_t *seg, size_t plen) {
	uint8_t fl = tcp_flags(seg);
	uint32_t seglen = (uint32_t) (plen - tcp_hdr_len(seg)) + !!(fl & TCP_SYN) + !!(fl & TCP_FIN);
	struct tcp_repr r = {.sport = tcp_dport(seg), .dport = tcp_sport(seg)};
	if (fl & TCP_ACK) {
		r.seq = tcp_ack(seg);
		r.flags = TCP_RST;
	} else {
		r.ack = tcp_seq(seg) + seglen;
		r.flags = TCP_RST | TCP_ACK;
	}
	struct pbuf *p = pbuf_alloc(&s->pc, TCP_HDR_LEN, PBUF_HEADROOM);
	if (p == NULL)
		return NULL;
	if (tcp_emit(&r, p->data, p->len) < 0) {
		pbuf_free(&s->pc, p);
		return NULL;
	}
	return p;
}

void tcp4_input_closed(struct ustack *s, struct ip4_rx *rx) {
	const uint8_t *t = rx->payload;
	if (tcp_check(t, rx->plen) < 0)
		return;
	const uint8_t *src = (const uint8_t *) &rx->ip.src, *dst = (const uint8_t *) &rx->ip.dst;
	if (!rx->loop && tcp_csum4(src, dst, t, rx->plen) != 0)
		return;
	if ((tcp_flags(t) & TCP_RST) || rx->bcast || rx->mcast)
		return;
	struct pbuf *p = rst_build(s, t, rx->plen);
	if (p == NULL)
		return;
	tcp_fill_checksum4(dst, src, p->data, p->len);
	struct ip4_tx tx = {.src = rx->ip.dst, .dst = rx->ip.src, .proto = IPPROTO_TCP, .ttl = 64, .df = true};
	if (s->tcp)
		s->tcp->mib.OutRsts++;
	ip4_output(s, p, &tx);
}

/* The same over IPv6 (the checksum is mandatory there, also on lo). */
void tcp6_input_closed(struct ustack *s, struct ip6_rx *rx) {
	const uint8_t *t = rx->payload;
	if (rx->mcast || tcp_check(t, rx->plen) < 0)
		return;
	if (tcp_csum6(rx->ip.src, rx->ip.dst, t, rx->plen) != 0)
		return;
	if (tcp_flags(t) & TCP_RST)
		return;
	struct pbuf *p = rst_build(s, t, rx->plen);
	if (p == NULL)
		return;
	tcp_fill_checksum6(rx->ip.dst, rx->ip.src, p->data, p->len);
	struct ip6_tx tx = {.src = rx->ip.dst, .dst = rx->ip.src, .proto = IP6_NH_TCP, .hlim = 64,
		.oif = ip6_addr_is_linklocal(rx->ip.src) ? rx->ifp->index : 0};
	if (s->tcp)
		s->tcp->mib.OutRsts++;
	ip6_output(s, p, &tx);
}

void tcp_reset_answer(struct ustack *s, const struct tcp_seg *g) {
	if (g->flags & TCP_RST)
		return;
	if (g->v6)
		tcp6_input_closed(s, g->rx6);
	else
		tcp4_input_closed(s, g->rx4);
}
