/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Raw IPv4 sockets (Linux raw(7)): receive whole datagrams of their
 * protocol, header included, before the protocol itself sees them; send
 * a payload that the stack wraps in a header, or with IP_HDRINCL (always
 * for IPPROTO_RAW) a whole datagram whose total length, checksum, id and
 * zero source the stack fills in. Checksums of the payload (ICMP's) are
 * the application's job, as on Linux. IPv6 raw sockets (RFC 3542) carry
 * the payload only; the stack computes the ICMPv6 checksum. */
#define _GNU_SOURCE /* struct in6_pktinfo */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../net/net.h"
#include "../net/net6.h"
#include "../net/proto.h"
#include "../wire/checksum.h"
#include "../wire/icmp6.h"
#include "../socket/inet_dgram.h"
#include "../socket/sock.h"
#include "raw.h"

static int raw_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	struct inet_dst d;
	int err = inet_parse_own(sk, a, len, &d);
	if (err < 0)
		return err;
	if (d.v6) {
		if (!ip6_addr_is_unspecified(d.a6) && !ip6_is_local(sk->s, d.a6) && !ip6_addr_is_multicast(d.a6))
			return -EADDRNOTAVAIL;
		memcpy(sk->laddr6, d.a6, 16);
		if (ip6_addr_is_linklocal(d.a6) && d.scope)
			sk->bound_if = (int) d.scope;
		return 0;
	}
	if (d.a4 && !ip4_is_local(sk->s, d.a4) && !ipv4_is_multicast(d.a4))
		return -EADDRNOTAVAIL;
	sk->laddr = d.a4;
	return 0;
}

static int raw_connect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	struct inet_dst d;
	int err = inet_dgram_connect_dst(sk, a, len, &d);
	if (err == 0)
		inet_set_peer(sk, &d);
	return err < 0 ? err : 0;
}

/* IPv4: the payload, its checksum the application's (ICMP's too). IPv6:
 * the payload after the IPv6 header (RFC 3542 3); the ICMPv6 checksum
 * always computed by the stack, others at IPV6_CHECKSUM. */
static int raw_check(struct usock *sk, bool v6, size_t len) {
	(void) sk;
	return len > (v6 ? 65535 : 65535 - IPV4W_HLEN) ? -EMSGSIZE : 0;
}

static int raw_build(struct usock *sk, struct inet_dgram_tx *u, struct pbuf *p) {
	if (!u->d->v6)
		return 0;
	size_t len = u->len;
	if (sk->protocol == IPPROTO_ICMPV6) {
		if (len < 4)
			return -EINVAL;
		icmp6_fill_checksum(u->t6.src, u->dst6, p->data, p->len);
	} else if (sk->checksum_off >= 0) {
		if ((size_t) sk->checksum_off + 2 > len)
			return -EINVAL;
		p->data[sk->checksum_off] = p->data[sk->checksum_off + 1] = 0;
		uint16_t c = csum_fold(csum_add(csum_pseudo6(u->t6.src, u->dst6, (uint8_t) sk->protocol,
				(uint32_t) len), p->data, len));
		p->data[sk->checksum_off] = (uint8_t) (c >> 8);
		p->data[sk->checksum_off + 1] = (uint8_t) c;
	}
	return 0;
}

/* IP_PKTINFO / IPV6_PKTINFO and IPV6_HOPLIMIT read (Linux raw_sendmsg:
 * ip_cmsg_send; rawv6_sendmsg: ip6_datagram_send_ctl) */
static const struct inet_dgram_proto raw_dgram = {
	.check = raw_check,
	.build = raw_build,
};

/* IP_HDRINCL (always for IPPROTO_RAW): a whole IPv4 datagram */
static ssize_t raw_send_hdrincl(struct usock *sk, const struct msghdr *msg, size_t len, uint32_t dst) {
	struct ustack *s = sk->s;
	int err;
	if (len > 65535)
		return -EMSGSIZE;
	struct pbuf *p = pbuf_alloc(&s->pc, len, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	sock_copy_from_iov(p->data, msg, len);
	struct ip4_tx tx;
	inet_tx_init(sk, sk->laddr, dst, (uint8_t) sk->protocol, &tx);
	int oif = sk->bound_if ? sk->bound_if : (ipv4_is_multicast(dst) ? sk->mc_if : 0);
	struct ipv4_repr h;
	/* the header is the application's: take its fields, route on its
	 * destination, fix what Linux fixes (raw_send_hdrinc) */
	if (len < IPV4W_HLEN || (p->data[0] >> 4) != 4 || (size_t) (p->data[0] & 0xf) * 4 > len ||
			(p->data[0] & 0xf) < 5) {
		pbuf_free(&s->pc, p);
		return -EINVAL;
	}
	size_t hl = (size_t) (p->data[0] & 0xf) * 4;
	p->data[2] = (uint8_t) (len >> 8);
	p->data[3] = (uint8_t) len;
	if (ipv4_parse(p->data, len, IPV4W_NOCSUM, &h) < 0) {
		pbuf_free(&s->pc, p);
		return -EINVAL;
	}
	tx.src = h.src;
	tx.dst = h.dst;
	tx.proto = h.proto;
	tx.ttl = h.ttl;
	tx.tos = h.tos;
	tx.df = h.df;
	tx.opt = h.optlen ? p->data + IPV4W_HLEN : NULL;
	tx.optlen = h.optlen;
	/* strip the given header: ip4_output rebuilds it with id and checksum */
	uint8_t opt[40];
	if (h.optlen) {
		memcpy(opt, p->data + IPV4W_HLEN, h.optlen);
		tx.opt = opt;
	}
	pbuf_pull(p, hl);
	struct ip4_route_res rt;
	err = route4_lookup(s, tx.dst, oif, &rt);
	if (err < 0) {
		pbuf_free(&s->pc, p);
		return err;
	}
	err = ip4_output_route(s, p, &tx, &rt);
	return err < 0 ? err : (ssize_t) len;
}

static ssize_t raw_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	struct inet_dst d;
	int err = inet_msg_dst(sk, msg, &d);
	if (err < 0)
		return err;
	if (sk->domain == AF_INET && (sk->hdrincl || sk->protocol == IPPROTO_RAW))
		return raw_send_hdrincl(sk, msg, len, d.a4);
	return inet_dgram_send(sk, msg, len, &d, &raw_dgram);
}

bool raw_match4(const struct usock *sk, const struct ip4_rx *rx) {
	return (!sk->laddr || sk->laddr == rx->ip.dst) && (!sk->connected || sk->raddr == rx->ip.src) &&
			(!sk->bound_if || sk->bound_if == rx->ifp->index);
}

bool raw_match6(const struct usock *sk, const struct ip6_rx *rx) {
	return (ip6_addr_is_unspecified(sk->laddr6) || ip6_eq(sk->laddr6, rx->ip.dst)) &&
			(!sk->connected || ip6_eq(sk->raddr6, rx->ip.src)) &&
			(!sk->bound_if || sk->bound_if == rx->ifp->index);
}

int raw_deliver4(struct usock *sk, const struct ip4_rx *rx, size_t hlen, const uint8_t *data,
		size_t len) {
	struct pbuf *p = pbuf_alloc(&sk->s->pc, hlen + len, 0);
	if (p == NULL)
		return -ENOMEM;
	memcpy(p->data, rx->hdr, hlen);
	memcpy(p->data + hlen, data, len);
	ip4_rx_meta(p, rx);
	return sock_queue_rx(sk, p);
}

int raw_deliver6(struct usock *sk, const struct ip6_rx *rx) {
	struct pbuf *p = pbuf_alloc(&sk->s->pc, rx->plen, 0);
	if (p == NULL)
		return -ENOMEM;
	memcpy(p->data, rx->payload, rx->plen);
	ip6_rx_meta(p, rx);
	return sock_queue_rx(sk, p);
}

/* a copy delivered (err 0) counts in *n; false when memory ran out: no
 * more copies for the sockets after it */
static bool raw_counted(int err, int *n) {
	if (err == 0)
		(*n)++;
	return err != -ENOMEM;
}

int raw4_input(struct ustack *s, struct ip4_rx *rx) {
	int n = 0;
	for (struct usock *sk = s->raw->raw_socks; sk; sk = sk->pnext) {
		if (sk->protocol != rx->ip.proto || sk->domain != AF_INET || !raw_match4(sk, rx))
			continue;
		if (!raw_counted(raw_deliver4(sk, rx, rx->ip.hdr_len, rx->payload, rx->plen), &n))
			break;
	}
	return n;
}

int raw6_input(struct ustack *s, struct ip6_rx *rx) {
	int n = 0;
	for (struct usock *sk = s->raw->raw_socks; sk; sk = sk->pnext) {
		if (sk->domain != AF_INET6 || sk->protocol != rx->proto || !raw_match6(sk, rx))
			continue;
		if (rx->proto == IP6_NH_ICMPV6) {
			/* ICMP6_FILTER (RFC 3542 3.2): a set bit blocks the type */
			if (rx->plen < 4)
				continue;
			uint8_t t = rx->payload[0];
			if (sk->icmp6_filter[t >> 5] & (1u << (t & 31)))
				continue;
		}
		if (!raw_counted(raw_deliver6(sk, rx), &n))
			break;
	}
	return n;
}

/* Linux inet_create: a raw socket's "port" is its protocol */
static int raw_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer) {
	return inet_dgram_getname(sk, a, len, peer, htons((uint16_t) sk->protocol));
}

static void raw_release(struct usock *sk) {
	sock_list_del(&sk->s->raw->raw_socks, sk);
	inet_release_memberships(sk);
}

static const struct proto_ops raw_ops = {
	.bind = raw_bind,
	.connect = raw_connect,
	.sendmsg = raw_sendmsg,
	.recvname = inet_dgram_recvname,
	.getname = raw_getname,
	.release = raw_release,
	INET_DGRAM_OPS,
};

int raw_sock_init(struct usock *sk) {
	sk->ops = &raw_ops;
	sk->hdrincl = sk->domain == AF_INET && sk->protocol == IPPROTO_RAW;
	sk->pnext = sk->s->raw->raw_socks;
	sk->s->raw->raw_socks = sk;
	return 0;
}

/* Linux raw_err / rawv6_err: the raw sockets of the quoted datagram's
 * protocol, connected to its destination or not, bound to its source or
 * not; only with IP_RECVERR, or when connected and the error is hard. */
static bool hard_error(const struct icmp_err *e, int pmtudisc) {
	if (e->err == EMSGSIZE)
		return pmtudisc != IP_PMTUDISC_DONT;
	/* icmp_err_convert's fatal ones, parameter problems */
	return e->err == ECONNREFUSED || e->err == ENOPROTOOPT || e->err == EPROTO || e->err == EACCES;
}

void raw4_err(struct ustack *s, const struct icmp_err *e) {
	const uint8_t *inner = e->inner;
	size_t hl = (size_t) (inner[0] & 0xf) * 4;
	uint32_t src, dst;
	memcpy(&src, inner + 12, 4);
	memcpy(&dst, inner + 16, 4);
	for (struct usock *sk = s->raw->raw_socks; sk; sk = sk->pnext) {
		if (sk->domain != AF_INET || sk->protocol != inner[9])
			continue;
		if ((sk->connected && sk->raddr != dst) || (sk->laddr && sk->laddr != src))
			continue;
		if (!sk->recverr && !sk->connected)
			continue;
		bool hdrincl = sk->hdrincl || sk->protocol == IPPROTO_RAW;
		if (sk->recverr)
			sock_queue_err(sk, e, hdrincl ? inner : inner + hl, hdrincl ? e->len : e->len - hl, 0);
		else if (hard_error(e, sk->mtu_discover))
			sock_set_error(sk, e->err);
	}
}

void raw6_err(struct ustack *s, const struct icmp_err *e) {
	const uint8_t *inner = e->inner;
	for (struct usock *sk = s->raw->raw_socks; sk; sk = sk->pnext) {
		if (sk->domain != AF_INET6 || sk->protocol != inner[6])
			continue;
		if ((sk->connected && !ip6_eq(sk->raddr6, inner + 24)) ||
				(!ip6_addr_is_unspecified(sk->laddr6) && !ip6_eq(sk->laddr6, inner + 8)))
			continue;
		if (!sk->recverr6 && !sk->connected)
			continue;
		if (sk->recverr6)
			sock_queue_err(sk, e, inner + 40, e->len - 40, 0);
		else if (e->err == EMSGSIZE ? sk->mtu_discover6 == IPV6_PMTUDISC_DO : hard_error(e, 0))
			sock_set_error(sk, e->err);
	}
}

/* any protocol: sock_create refuses those out of 1..255 */
static const struct sock_proto raw_protos[] = {
	{AF_INET, SOCK_RAW, -1, raw_sock_init},
	{AF_INET6, SOCK_RAW, -1, raw_sock_init},
};

int raw_stack_make(struct ustack *s) {
	if (s->raw == NULL && (s->raw = calloc(1, sizeof(*s->raw))) == NULL)
		return -ENOMEM;
	return 0;
}

int raw_register(struct ustack *s) {
	if (raw_stack_make(s) < 0)
		return -ENOMEM;
	s->protos->raw4_input = raw4_input;
	s->protos->raw6_input = raw6_input;
	s->protos->raw4_err = raw4_err;
	s->protos->raw6_err = raw6_err;
	return sock_proto_register(s, raw_protos, sizeof(raw_protos) / sizeof(raw_protos[0]));
}
