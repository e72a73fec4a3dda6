/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv4 in: input checks (RFC 1122 3.2.1), local
 * delivery (weak host model, as Linux: any of our addresses on any
 * interface), reassembly, protocol demux. This host does not forward. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "../wire/icmp4.h"
#include "net.h"
#include "net6.h"
#include "proto.h"

static bool ip4_accept(struct netif *ifp, struct ip4_rx *rx) {
	struct ustack *s = ifp->s;
	uint32_t dst = rx->ip.dst;
	if (ipv4_is_multicast(dst)) {
		rx->mcast = true;
		/* 224.0.0.1 all-hosts is joined implicitly (RFC 1112 section 4) */
		return dst == htonl(0xe0000001) || ip4_mc_member(ifp, dst);
	}
	if (ip4_is_bcast_on(ifp, dst)) {
		rx->bcast = true;
		return true;
	}
	if (rx->loop)
		return true;
	/* weak host model (RFC 1122 3.3.4.2), as Linux: any local address; a
	 * 127/8 destination must not arrive from the wire (RFC 1122 3.2.1.3) */
	if (ipv4_is_loopback(dst))
		return false;
	return ip4_addr_owner(s, dst) != NULL;
}

void ip4_deliver(struct ustack *s, struct ip4_rx *rx) {
	const struct net_protos *np = s->protos;
	int raw = np->raw4_input ? np->raw4_input(s, rx) : 0;
	s->mib->ip4.InDelivers++;
	const struct ip4_proto *pr = &np->v4[rx->ip.proto];
	if (pr->input)
		pr->input(s, rx);
	else if (raw == 0) {
		s->mib->ip4.InUnknownProtos++;
		/* RFC 1122 3.2.2.1: protocol unreachable */
		icmp4_send_error(s, rx, 3, 2, 0);
	}
}

/* Linux ip_rcv_options: malformed options draw a parameter problem
 * pointing at the faulty byte; source-routed datagrams are dropped
 * (accept_source_route=0, RFC 1122 3.3.5 leaves it to the host). */
static bool ip4_options_ok(struct ustack *s, struct ip4_rx *rx) {
	if (ipv4_opts_parse(rx->hdr, rx->ip.hdr_len, &rx->opts) < 0) {
		s->mib->ip4.InHdrErrors++;
		rx->ifp->st.rx_errors++;
		icmp4_send_error(s, rx, ICMP4W_PARAMETERPROB, 0, (uint32_t) rx->opts.bad << 24);
		return false;
	}
	if (rx->opts.srr) {
		s->mib->ip4.InAddrErrors++;  /* Linux counts it nowhere; a martian route */
		rx->ifp->st.rx_dropped++;
		return false;
	}
	return true;
}

void ip4_input(struct netif *ifp, const uint8_t *p, size_t len, bool loop) {
	struct ustack *s = ifp->s;
	struct ip4_rx rx = {.ifp = ifp, .loop = loop};
	s->mib->ip4.InReceives++;
	int err = ipv4_parse(p, len, loop ? IPV4W_NOCSUM : 0, &rx.ip);
	if (err < 0) {
		s->mib->ip4.InHdrErrors++;
		ifp->st.rx_errors++;
		if (err == -EBADMSG)
			ifp->st.rx_crc_errors++;
		return;
	}
	/* RFC 1122 3.2.1.3: drop impossible source addresses */
	if (ipv4_is_multicast(rx.ip.src) || (rx.ip.src == 0xffffffffu) ||
			(!loop && ipv4_is_loopback(rx.ip.src))) {
		s->mib->ip4.InAddrErrors++;
		ifp->st.rx_dropped++;
		return;
	}
	rx.hdr = p;
	rx.payload = p + rx.ip.hdr_len;
	rx.plen = rx.ip.total_len - rx.ip.hdr_len;
	if (!ip4_accept(ifp, &rx)) {
		s->mib->ip4.InAddrErrors++;
		ifp->st.rx_dropped++;
		return;
	}
	if (rx.ip.hdr_len > IPV4W_HLEN && !ip4_options_ok(s, &rx))
		return;
	if (rx.ip.mf || rx.ip.frag_off) {
		struct pbuf *whole = ip4_reasm(s, &rx);
		if (whole == NULL)
			return;
		/* rx now points into whole, whose header is the first fragment's */
		if (ipv4_opts_parse(rx.hdr, rx.ip.hdr_len, &rx.opts) < 0)
			memset(&rx.opts, 0, sizeof(rx.opts));
		ip4_deliver(s, &rx);
		pbuf_free(&s->pc, whole);
		return;
	}
	ip4_deliver(s, &rx);
}
