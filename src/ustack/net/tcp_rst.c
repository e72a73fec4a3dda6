/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Until TCP exists every port is closed: answer each segment the way
 * RFC 9293 3.10.7.1 ("CLOSED") and Linux do, with a reset. The header is
 * read here with its own bounds checks; when wire/tcp lands this uses it. */
#include <netinet/in.h>
#include <string.h>

#include "../wire/checksum.h"
#include "net.h"
#include "net6.h"
#include "../wire/ipv6.h"
#include "../wire/be.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* The reset answering segment t (plen bytes, header of doff), checksum
 * still zero; NULL without memory. */
static struct pbuf *rst_build(struct ustack *s, const uint8_t *t, size_t plen, size_t doff) {
	uint8_t fl = t[13];
	uint32_t seq = be32_get(t + 4), ack = be32_get(t + 8);
	uint32_t seglen = (uint32_t) (plen - doff) + !!(fl & TH_SYN) + !!(fl & TH_FIN);
	struct pbuf *p = pbuf_alloc(&s->pc, 20, PBUF_HEADROOM);
	if (p == NULL)
		return NULL;
	uint8_t *h = p->data;
	memset(h, 0, 20);
	memcpy(h, t + 2, 2);      /* ports swapped */
	memcpy(h + 2, t, 2);
	if (fl & TH_ACK) {
		/* <SEQ=SEG.ACK><CTL=RST> */
		be32_put(h + 4, ack);
		h[13] = TH_RST;
	} else {
		/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
		be32_put(h + 8, seq + seglen);
		h[13] = TH_RST | TH_ACK;
	}
	h[12] = 5 << 4;
	return p;
}

/* pseudo: the sum of the pseudo-header, reply's addresses, length 20 */
static void rst_set_csum(struct pbuf *p, uint32_t pseudo) {
	uint16_t c = csum_fold(csum_add(pseudo, p->data, 20));
	p->data[16] = (uint8_t) (c >> 8);
	p->data[17] = (uint8_t) c;
}

void tcp4_input_closed(struct ustack *s, struct ip4_rx *rx) {
	const uint8_t *t = rx->payload;
	if (rx->plen < 20)
		return;
	size_t doff = (size_t) (t[12] >> 4) * 4;
	if (doff < 20 || doff > rx->plen)
		return;
	if (!rx->loop && csum_fold(csum_add(csum_pseudo4(&rx->ip.src, &rx->ip.dst, IPPROTO_TCP,
					(uint32_t) rx->plen), t, rx->plen)) != 0)
		return;
	/* never answer a reset; never a broadcast or multicast (RFC 1122 4.2.3.10) */
	if ((t[13] & TH_RST) || rx->bcast || rx->mcast)
		return;
	struct pbuf *p = rst_build(s, t, rx->plen, doff);
	if (p == NULL)
		return;
	rst_set_csum(p, csum_pseudo4(&rx->ip.dst, &rx->ip.src, IPPROTO_TCP, 20));
	struct ip4_tx tx = {.src = rx->ip.dst, .dst = rx->ip.src, .proto = IPPROTO_TCP, .ttl = 64, .df = true};
	s->tcp_OutRsts++;
	ip4_output(s, p, &tx);
}

/* The same answer over IPv6 (the checksum is mandatory there). */
void tcp6_input_closed(struct ustack *s, struct ip6_rx *rx) {
	const uint8_t *t = rx->payload;
	if (rx->plen < 20 || rx->mcast)
		return;
	size_t doff = (size_t) (t[12] >> 4) * 4;
	if (doff < 20 || doff > rx->plen)
		return;
	if (csum_fold(csum_add(csum_pseudo6(rx->ip.src, rx->ip.dst, IP6_NH_TCP, (uint32_t) rx->plen), t,
				rx->plen)) != 0)
		return;
	if (t[13] & TH_RST)
		return;
	struct pbuf *p = rst_build(s, t, rx->plen, doff);
	if (p == NULL)
		return;
	rst_set_csum(p, csum_pseudo6(rx->ip.dst, rx->ip.src, IP6_NH_TCP, 20));
	struct ip6_tx tx = {.src = rx->ip.dst, .dst = rx->ip.src, .proto = IP6_NH_TCP, .hlim = 64,
		.oif = ip6_addr_is_linklocal(rx->ip.src) ? rx->ifp->index : 0};
	s->tcp_OutRsts++;
	ip6_output(s, p, &tx);
}
