/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Raw IPv4 sockets (Linux raw(7)): receive whole datagrams of their
 * protocol, header included, before the protocol itself sees them; send
 * a payload that the stack wraps in a header, or with IP_HDRINCL (always
 * for IPPROTO_RAW) a whole datagram whose total length, checksum, id and
 * zero source the stack fills in. Checksums of the payload (ICMP's) are
 * the application's job, as on Linux. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "../link/link.h"
#include "../net/net.h"
#include "../socket/sock.h"

static int raw_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (len < (socklen_t) sizeof(struct sockaddr_in))
		return -EINVAL;
	const struct sockaddr_in *sin = (const struct sockaddr_in *) a;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	uint32_t addr = sin->sin_addr.s_addr;
	if (addr && !ip4_is_local(sk->s, addr) && !ipv4_is_multicast(addr))
		return -EADDRNOTAVAIL;
	sk->laddr = addr;
	return 0;
}

static int raw_connect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (len >= (socklen_t) sizeof(sa_family_t) && a->sa_family == AF_UNSPEC) {
		sk->connected = false;
		sk->raddr = 0;
		return 0;
	}
	if (len < (socklen_t) sizeof(struct sockaddr_in))
		return -EINVAL;
	const struct sockaddr_in *sin = (const struct sockaddr_in *) a;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	sk->raddr = sin->sin_addr.s_addr;
	sk->connected = true;
	return 0;
}

static ssize_t raw_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	struct ustack *s = sk->s;
	uint32_t dst;
	if (msg->msg_name) {
		if (msg->msg_namelen < (socklen_t) sizeof(struct sockaddr_in))
			return -EINVAL;
		const struct sockaddr_in *sin = msg->msg_name;
		if (sin->sin_family != AF_INET)
			return -EAFNOSUPPORT;
		dst = sin->sin_addr.s_addr;
	} else if (sk->connected)
		dst = sk->raddr;
	else
		return -EDESTADDRREQ;
	bool hdrincl = sk->hdrincl || sk->protocol == IPPROTO_RAW;
	if (len > 65535 - (hdrincl ? 0 : 20))
		return -EMSGSIZE;
	struct pbuf *p = pbuf_alloc(&s->pc, len, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	sock_copy_from_iov(p->data, msg, len);
	struct ip4_tx tx = {
		.src = sk->laddr,
		.dst = dst,
		.proto = (uint8_t) sk->protocol,
		.ttl = (uint8_t) (ipv4_is_multicast(dst) ? sk->mc_ttl : (sk->ttl < 0 ? 64 : sk->ttl)),
		.tos = (uint8_t) sk->tos,
		.allow_bcast = sk->broadcast,
		.mc_loop = sk->mc_loop,
	};
	int oif = sk->bound_if ? sk->bound_if : (ipv4_is_multicast(dst) ? sk->mc_if : 0);
	if (hdrincl) {
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
		int err = route4_lookup(s, tx.dst, oif, &rt);
		if (err < 0) {
			pbuf_free(&s->pc, p);
			return err;
		}
		err = ip4_output_route(s, p, &tx, &rt);
		return err < 0 ? err : (ssize_t) len;
	}
	struct ip4_route_res rt;
	int err = route4_lookup(s, dst, oif, &rt);
	if (err < 0) {
		pbuf_free(&s->pc, p);
		return err;
	}
	err = ip4_output_route(s, p, &tx, &rt);
	return err < 0 ? err : (ssize_t) len;
}

int raw4_input(struct ustack *s, struct ip4_rx *rx) {
	int n = 0;
	for (struct usock *sk = s->raw_socks; sk; sk = sk->pnext) {
		if (sk->protocol != rx->ip.proto)
			continue;
		if (sk->laddr && sk->laddr != rx->ip.dst)
			continue;
		if (sk->connected && sk->raddr != rx->ip.src)
			continue;
		if (sk->bound_if && sk->bound_if != rx->ifp->index)
			continue;
		size_t len = rx->ip.hdr_len + rx->plen;
		struct pbuf *p = pbuf_alloc(&s->pc, len, 0);
		if (p == NULL)
			break;
		memcpy(p->data, rx->hdr, rx->ip.hdr_len);
		memcpy(p->data + rx->ip.hdr_len, rx->payload, rx->plen);
		p->m.saddr = rx->ip.src;
		p->m.daddr = rx->ip.dst;
		p->m.ttl = rx->ip.ttl;
		p->m.tos = rx->ip.tos;
		p->m.ifindex = rx->ifp->index;
		if (sock_queue_rx(sk, p) == 0)
			n++;
	}
	return n;
}

static void raw_recvname(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len) {
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = p->m.saddr};
	socklen_t n = *len < (socklen_t) sizeof(sin) ? *len : (socklen_t) sizeof(sin);
	memcpy(a, &sin, n);
	*len = sizeof(sin);
}

static int raw_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer) {
	struct sockaddr_in sin = {.sin_family = AF_INET};
	if (peer) {
		if (!sk->connected)
			return -ENOTCONN;
		sin.sin_addr.s_addr = sk->raddr;
	} else {
		sin.sin_addr.s_addr = sk->laddr;
		/* Linux inet_create: a raw socket's "port" is its protocol */
		sin.sin_port = htons((uint16_t) sk->protocol);
	}
	socklen_t n = *len < (socklen_t) sizeof(sin) ? *len : (socklen_t) sizeof(sin);
	memcpy(a, &sin, n);
	*len = sizeof(sin);
	return 0;
}

static void raw_release(struct usock *sk) {
	for (struct usock **pp = &sk->s->raw_socks; *pp; pp = &(*pp)->pnext)
		if (*pp == sk) {
			*pp = sk->pnext;
			break;
		}
	inet_release_memberships(sk);
}

static const struct proto_ops raw_ops = {
	.bind = raw_bind,
	.connect = raw_connect,
	.sendmsg = raw_sendmsg,
	.recvname = raw_recvname,
	.recvcmsg = inet_recvcmsg,
	.getname = raw_getname,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.release = raw_release,
};

int raw_sock_init(struct usock *sk) {
	sk->ops = &raw_ops;
	sk->hdrincl = sk->protocol == IPPROTO_RAW;
	sk->pnext = sk->s->raw_socks;
	sk->s->raw_socks = sk;
	return 0;
}
