/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ICMP "ping sockets" (SOCK_DGRAM, IPPROTO_ICMP), as Linux's ping.c: the
 * application writes an echo request (header and data), the stack sets
 * the identifier to the socket's "port" and the checksum; recv returns
 * the replies with that identifier, ICMP header included. Linux limits
 * them to net.ipv4.ping_group_range; a user-space stack has no one to
 * protect, so every socket may ping. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "../link/link.h"
#include "../net/net.h"
#include "../net/net6.h"
#include "../wire/icmp6.h"
#include "../socket/sock.h"
#include "../wire/icmp4.h"

static void ping_unhash(struct usock *sk) {
	for (struct usock **pp = &sk->s->ping_socks; *pp; pp = &(*pp)->pnext)
		if (*pp == sk) {
			*pp = sk->pnext;
			break;
		}
	sk->bound = false;
}

static bool ident_used(struct usock *sk, uint16_t id, uint32_t addr) {
	for (struct usock *o = sk->s->ping_socks; o; o = o->pnext)
		if (o != sk && o->domain == sk->domain && o->lport == id &&
				(!o->laddr || !addr || o->laddr == addr))
			return true;
	return false;
}

static int ping_autobind(struct usock *sk, uint32_t addr, uint16_t id) {
	struct ustack *s = sk->s;
	if (id == 0) {
		for (int i = 0; i < 65536 && id == 0; i++) {
			uint16_t cand = htons((uint16_t) (stack_random(s) | 1));
			if (!ident_used(sk, cand, addr))
				id = cand;
		}
		if (id == 0)
			return -EAGAIN;
	} else if (ident_used(sk, id, addr))
		return -EADDRINUSE;
	sk->lport = id;
	sk->laddr = addr;
	sk->bound = true;
	sk->pnext = s->ping_socks;
	s->ping_socks = sk;
	return 0;
}

static int ping6_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	struct inet_dst d;
	int err = inet_parse_addr(sk, a, len, &d);
	if (err < 0)
		return err;
	if (!d.v6)
		return -EINVAL;
	if (sk->bound)
		return -EINVAL;
	if (!ip6_addr_is_unspecified(d.a6) && !ip6_is_local(sk->s, d.a6))
		return -EADDRNOTAVAIL;
	memcpy(sk->laddr6, d.a6, 16);
	return ping_autobind(sk, 0, d.port);
}

static int ping_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (sk->domain == AF_INET6)
		return ping6_bind(sk, a, len);
	if (len < (socklen_t) sizeof(struct sockaddr_in))
		return -EINVAL;
	const struct sockaddr_in *sin = (const struct sockaddr_in *) a;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	if (sk->bound)
		return -EINVAL;
	uint32_t addr = sin->sin_addr.s_addr;
	if (addr && !ip4_is_local(sk->s, addr))
		return -EADDRNOTAVAIL;
	return ping_autobind(sk, addr, sin->sin_port);
}

static int ping_connect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (len >= (socklen_t) sizeof(sa_family_t) && a->sa_family == AF_UNSPEC) {
		sk->connected = false;
		sk->raddr = 0;
		memset(sk->raddr6, 0, 16);
		return 0;
	}
	if (sk->domain == AF_INET6) {
		struct inet_dst d;
		int err = inet_parse_addr(sk, a, len, &d);
		if (err < 0)
			return err;
		if (!d.v6)
			return -EINVAL;
		struct ip6_route_res rt;
		err = route6_lookup(sk->s, d.a6, sk->bound_if ? sk->bound_if : (int) d.scope, &rt);
		if (err < 0)
			return err;
		if (!sk->bound && (err = ping_autobind(sk, 0, 0)) < 0)
			return err;
		memcpy(sk->raddr6, d.a6, 16);
		sk->raddr_is6 = true;
		sk->connected = true;
		return 0;
	}
	if (len < (socklen_t) sizeof(struct sockaddr_in))
		return -EINVAL;
	const struct sockaddr_in *sin = (const struct sockaddr_in *) a;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	struct ip4_route_res rt;
	int err = route4_lookup(sk->s, sin->sin_addr.s_addr, sk->bound_if, &rt);
	if (err < 0)
		return err;
	if (!sk->bound && (err = ping_autobind(sk, 0, 0)) < 0)
		return err;
	sk->raddr = sin->sin_addr.s_addr;
	sk->connected = true;
	return 0;
}

static ssize_t ping6_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len) {
	struct ustack *s = sk->s;
	struct inet_dst d = {0};
	if (msg->msg_name) {
		int err = inet_parse_addr(sk, msg->msg_name, msg->msg_namelen, &d);
		if (err < 0)
			return err;
		if (!d.v6)
			return -EINVAL;
	} else if (sk->connected)
		memcpy(d.a6, sk->raddr6, 16);
	else
		return -EDESTADDRREQ;
	if (len < ICMP4W_HLEN || len > 65535 - 8)
		return len < ICMP4W_HLEN ? -EINVAL : -EMSGSIZE;
	bool mc = ip6_addr_is_multicast(d.a6);
	int oif = sk->bound_if ? sk->bound_if : (d.scope ? (int) d.scope : (mc ? sk->mc_if6 : 0));
	struct ip6_route_res rt;
	int err = route6_lookup(s, d.a6, oif, &rt);
	if (err < 0)
		return err;
	if (!sk->bound && (err = ping_autobind(sk, 0, 0)) < 0)
		return err;
	struct pbuf *p = pbuf_alloc(&s->pc, len, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	sock_copy_from_iov(p->data, msg, len);
	if (p->data[0] != ICMP6_ECHO_REQUEST || p->data[1] != 0) {
		pbuf_free(&s->pc, p);
		return -EINVAL;
	}
	memcpy(p->data + 4, &sk->lport, 2);
	const uint8_t *src = ip6_addr_is_unspecified(sk->laddr6) ? rt.src : sk->laddr6;
	icmp6_fill_checksum(src, d.a6, p->data, p->len);
	struct ip6_tx tx = {
		.src = src,
		.dst = d.a6,
		.proto = IP6_NH_ICMPV6,
		.hlim = (uint8_t) (mc ? sk->mc_hops : (sk->hops < 0 ? 64 : sk->hops)),
		.hlim_default = !mc && sk->hops < 0,   /* the RA's hop limit */
		.oif = oif,
		.mc_loop = sk->mc_loop6,
	};
	err = ip6_output_route(s, p, &tx, &rt);
	return err < 0 ? err : (ssize_t) len;
}

static ssize_t ping_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	struct ustack *s = sk->s;
	uint32_t dst;
	if (sk->domain == AF_INET6)
		return ping6_sendmsg(sk, msg, len);
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
	/* Linux ping_common_sendmsg: at least a header, an echo request only */
	if (len < ICMP4W_HLEN || len > 65535 - 20)
		return len < ICMP4W_HLEN ? -EINVAL : -EMSGSIZE;
	struct ip4_route_res rt;
	int oif = sk->bound_if ? sk->bound_if : (ipv4_is_multicast(dst) ? sk->mc_if : 0);
	int err = route4_lookup(s, dst, oif, &rt);
	if (err < 0)
		return err;
	if (rt.bcast && !sk->broadcast)
		return -EACCES;
	if (!sk->bound && (err = ping_autobind(sk, 0, 0)) < 0)
		return err;
	struct pbuf *p = pbuf_alloc(&s->pc, len, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	sock_copy_from_iov(p->data, msg, len);
	struct icmp4_repr r = {.type = p->data[0], .code = p->data[1]};
	if (r.type != ICMP4W_ECHO || r.code != 0) {
		pbuf_free(&s->pc, p);
		return -EINVAL;
	}
	r.id = ntohs(sk->lport);
	r.seq = (uint16_t) (p->data[6] << 8 | p->data[7]);
	icmp4_emit(&r, p->data, p->len);
	struct ip4_tx tx = {
		.src = sk->laddr ? sk->laddr : rt.src,
		.dst = dst,
		.proto = IPPROTO_ICMP,
		.ttl = (uint8_t) (ipv4_is_multicast(dst) ? sk->mc_ttl : (sk->ttl < 0 ? 64 : sk->ttl)),
		.tos = (uint8_t) sk->tos,
		.allow_bcast = sk->broadcast,
		.mc_loop = sk->mc_loop,
	};
	tx.df = ip4_want_df(sk->mtu_discover, p->len + IPV4W_HLEN, ip4_route_mtu(&rt));
	err = ip4_output_route(s, p, &tx, &rt);
	s->icmp4.OutMsgs++;
	return err < 0 ? err : (ssize_t) len;
}

void ping4_input(struct ustack *s, struct ip4_rx *rx, const uint8_t *icmp, size_t len) {
	if (len < ICMP4W_HLEN)
		return;
	uint16_t id;
	memcpy(&id, icmp + 4, 2);
	for (struct usock *sk = s->ping_socks; sk; sk = sk->pnext) {
		if (sk->lport != id || sk->domain != AF_INET)
			continue;
		if (sk->laddr && sk->laddr != rx->ip.dst)
			continue;
		if (sk->connected && sk->raddr != rx->ip.src)
			continue;
		if (sk->bound_if && sk->bound_if != rx->ifp->index)
			continue;
		struct pbuf *p = pbuf_alloc(&s->pc, len, 0);
		if (p == NULL)
			return;
		memcpy(p->data, icmp, len);
		p->m.saddr = rx->ip.src;
		p->m.daddr = rx->ip.dst;
		p->m.ttl = rx->ip.ttl;
		p->m.tos = rx->ip.tos;
		p->m.ifindex = rx->ifp->index;
		sock_queue_rx(sk, p);
		return;
	}
}

void ping4_err(struct ustack *s, const struct icmp_err *e) {
	const uint8_t *inner = e->inner;
	size_t hl = (size_t) (inner[0] & 0xf) * 4;
	if (e->len < hl + 8 || inner[hl] != ICMP4W_ECHO)
		return;
	uint16_t id;
	uint32_t dst;
	memcpy(&id, inner + hl + 4, 2);
	memcpy(&dst, inner + 16, 4);
	for (struct usock *sk = s->ping_socks; sk; sk = sk->pnext) {
		if (sk->lport != id || sk->domain != AF_INET)
			continue;
		if (e->err == EMSGSIZE && sk->mtu_discover == IP_PMTUDISC_DONT)
			return;
		/* Linux ping_err: queued with IP_RECVERR (from the ICMP header
		 * on, no port), otherwise only connected sockets hear it */
		if (sk->recverr)
			sock_queue_err(sk, e, inner + hl, e->len - hl, 0);
		else if (sk->connected && sk->raddr == dst)
			sock_set_error(sk, e->err);
		return;
	}
}

void ping6_input(struct ustack *s, struct ip6_rx *rx) {
	if (rx->plen < 8)
		return;
	uint16_t id;
	memcpy(&id, rx->payload + 4, 2);
	for (struct usock *sk = s->ping_socks; sk; sk = sk->pnext) {
		if (sk->lport != id || sk->domain != AF_INET6)
			continue;
		if (!ip6_addr_is_unspecified(sk->laddr6) && !ip6_eq(sk->laddr6, rx->ip.dst))
			continue;
		if (sk->connected && !ip6_eq(sk->raddr6, rx->ip.src))
			continue;
		struct pbuf *p = pbuf_alloc(&s->pc, rx->plen, 0);
		if (p == NULL)
			return;
		memcpy(p->data, rx->payload, rx->plen);
		p->m.v6 = 1;
		memcpy(p->m.saddr6, rx->ip.src, 16);
		memcpy(p->m.daddr6, rx->ip.dst, 16);
		p->m.ttl = rx->ip.hop_limit;
		p->m.ifindex = rx->ifp->index;
		sock_queue_rx(sk, p);
		return;
	}
}

void ping6_err(struct ustack *s, const struct icmp_err *e) {
	const uint8_t *inner = e->inner;
	if (e->len < 40 + 8 || inner[40] != ICMP6_ECHO_REQUEST)
		return;
	uint16_t id;
	memcpy(&id, inner + 44, 2);
	for (struct usock *sk = s->ping_socks; sk; sk = sk->pnext) {
		if (sk->lport != id || sk->domain != AF_INET6)
			continue;
		if (sk->recverr6)
			sock_queue_err(sk, e, inner + 40, e->len - 40, 0);
		else if (sk->connected && ip6_eq(sk->raddr6, inner + 24))
			sock_set_error(sk, e->err);
		return;
	}
}

static void ping_recvname(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len) {
	inet_put_name(sk, p, 0, a, len);
}

static int ping_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer) {
	if (sk->domain == AF_INET6) {
		if (peer && !sk->connected)
			return -ENOTCONN;
		struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = peer ? 0 : sk->lport};
		memcpy(s6.sin6_addr.s6_addr, peer ? sk->raddr6 : sk->laddr6, 16);
		socklen_t n = *len < (socklen_t) sizeof(s6) ? *len : (socklen_t) sizeof(s6);
		memcpy(a, &s6, n);
		*len = sizeof(s6);
		return 0;
	}
	struct sockaddr_in sin = {.sin_family = AF_INET};
	if (peer) {
		if (!sk->connected)
			return -ENOTCONN;
		sin.sin_addr.s_addr = sk->raddr;
	} else {
		sin.sin_addr.s_addr = sk->laddr;
		sin.sin_port = sk->lport;
	}
	socklen_t n = *len < (socklen_t) sizeof(sin) ? *len : (socklen_t) sizeof(sin);
	memcpy(a, &sin, n);
	*len = sizeof(sin);
	return 0;
}

static void ping_release(struct usock *sk) {
	if (sk->bound)
		ping_unhash(sk);
	inet_release_memberships(sk);
}

static void ping_recvcmsg(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap) {
	if (sk->domain == AF_INET6)
		inet6_recvcmsg(sk, p, msg, cap);
	else
		inet_recvcmsg(sk, p, msg, cap);
}

static int ping_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len) {
	return sk->domain == AF_INET6 ? inet6_setsockopt(sk, level, name, v, len)
			: inet_setsockopt(sk, level, name, v, len);
}

static int ping_getsockopt(struct usock *sk, int level, int name, void *v, socklen_t *len) {
	return sk->domain == AF_INET6 ? inet6_getsockopt(sk, level, name, v, len)
			: inet_getsockopt(sk, level, name, v, len);
}

static const struct proto_ops ping_ops = {
	.bind = ping_bind,
	.connect = ping_connect,
	.sendmsg = ping_sendmsg,
	.recvname = ping_recvname,
	.recvcmsg = ping_recvcmsg,
	.getname = ping_getname,
	.setsockopt = ping_setsockopt,
	.getsockopt = ping_getsockopt,
	.release = ping_release,
};

int ping_sock_init(struct usock *sk) {
	sk->ops = &ping_ops;
	return 0;
}
