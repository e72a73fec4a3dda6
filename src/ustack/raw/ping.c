/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ICMP "ping sockets" (SOCK_DGRAM, IPPROTO_ICMP), as Linux's ping.c: the
 * application writes an echo request (header and data), the stack sets
 * the identifier to the socket's "port" and the checksum; recv returns
 * the replies with that identifier, ICMP header included. Linux limits
 * them to net.ipv4.ping_group_range; a user-space stack has no one to
 * protect, so every socket may ping. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../net/net.h"
#include "../net/net6.h"
#include "../net/proto.h"
#include "../wire/icmp6.h"
#include "../socket/inet_dgram.h"
#include "../socket/sock.h"
#include "raw.h"
#include "../wire/icmp4.h"

static void ping_unhash(struct usock *sk) {
	sock_list_del(&sk->s->raw->ping_socks, sk);
	sk->bound = false;
}

static bool ident_used(struct usock *sk, uint16_t id, uint32_t addr) {
	for (struct usock *o = sk->s->raw->ping_socks; o; o = o->pnext)
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
	sk->pnext = s->raw->ping_socks;
	s->raw->ping_socks = sk;
	return 0;
}

static int ping_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	struct inet_dst d;
	int err = inet_parse_own(sk, a, len, &d);
	if (err < 0)
		return err;
	if (sk->bound)
		return -EINVAL;
	if (d.v6) {
		if (!ip6_addr_is_unspecified(d.a6) && !ip6_is_local(sk->s, d.a6))
			return -EADDRNOTAVAIL;
		memcpy(sk->laddr6, d.a6, 16);
	} else if (d.a4 && !ip4_is_local(sk->s, d.a4))
		return -EADDRNOTAVAIL;
	return ping_autobind(sk, d.a4, d.port);
}

static int ping_connect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	struct inet_dst d;
	int err = inet_dgram_connect_dst(sk, a, len, &d);
	if (err != 0)
		return err < 0 ? err : 0;
	if (d.v6) {
		struct ip6_route_res rt;
		err = route6_lookup(sk->s, d.a6, sk->bound_if ? sk->bound_if : (int) d.scope, &rt);
	} else {
		struct ip4_route_res rt;
		err = route4_lookup(sk->s, d.a4, sk->bound_if, &rt);
	}
	if (err < 0)
		return err;
	if (!sk->bound && (err = ping_autobind(sk, 0, 0)) < 0)
		return err;
	inet_set_peer(sk, &d);
	return 0;
}

/* Linux ping_common_sendmsg: at least a header, an echo request only */
static int ping_check(struct usock *sk, bool v6, size_t len) {
	(void) sk;
	if (len < ICMP4W_HLEN)
		return -EINVAL;
	return len > (v6 ? 65535 - 8 : 65535 - IPV4W_HLEN) ? -EMSGSIZE : 0;
}

static int ping_port(struct usock *sk) {
	return ping_autobind(sk, 0, 0);
}

/* The echo request the application wrote, with the socket's identifier
 * and the checksum */
static int ping_build(struct usock *sk, struct inet_dgram_tx *u, struct pbuf *p) {
	bool v6 = u->d->v6;
	if (p->data[0] != (v6 ? ICMP6_ECHO_REQUEST : ICMP4W_ECHO) || p->data[1] != 0)
		return -EINVAL;
	if (v6) {
		memcpy(p->data + 4, &sk->lport, 2);
		icmp6_fill_checksum(u->t6.src, u->dst6, p->data, p->len);
		return 0;
	}
	struct icmp4_repr r = {.type = p->data[0], .code = p->data[1]};
	r.id = ntohs(sk->lport);
	r.seq = (uint16_t) (p->data[6] << 8 | p->data[7]);
	icmp4_emit(&r, p->data, p->len);
	sk->s->mib->icmp4.OutMsgs++;
	return 0;
}

/* the socket's choices; no ancillary data is read */
static const struct inet_dgram_proto ping_dgram = {
	.check = ping_check,
	.bind = ping_port,
	.build = ping_build,
};

static ssize_t ping_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	struct inet_dst d;
	int err = inet_msg_dst(sk, msg, &d);
	if (err < 0)
		return err;
	return inet_dgram_send(sk, msg, len, &d, &ping_dgram);
}

void ping4_input(struct ustack *s, struct ip4_rx *rx, const uint8_t *icmp, size_t len) {
	if (len < ICMP4W_HLEN)
		return;
	uint16_t id;
	memcpy(&id, icmp + 4, 2);
	for (struct usock *sk = s->raw->ping_socks; sk; sk = sk->pnext) {
		if (sk->lport != id || sk->domain != AF_INET || !raw_match4(sk, rx))
			continue;
		raw_deliver4(sk, rx, 0, icmp, len);
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
	for (struct usock *sk = s->raw->ping_socks; sk; sk = sk->pnext) {
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
	for (struct usock *sk = s->raw->ping_socks; sk; sk = sk->pnext) {
		/* the device too, as IPv4's (Linux ping_lookup, both families) */
		if (sk->lport != id || sk->domain != AF_INET6 || !raw_match6(sk, rx))
			continue;
		raw_deliver6(sk, rx);
		return;
	}
}

void ping6_err(struct ustack *s, const struct icmp_err *e) {
	const uint8_t *inner = e->inner;
	if (e->len < 40 + 8 || inner[40] != ICMP6_ECHO_REQUEST)
		return;
	uint16_t id;
	memcpy(&id, inner + 44, 2);
	for (struct usock *sk = s->raw->ping_socks; sk; sk = sk->pnext) {
		if (sk->lport != id || sk->domain != AF_INET6)
			continue;
		if (sk->recverr6)
			sock_queue_err(sk, e, inner + 40, e->len - 40, 0);
		else if (sk->connected && ip6_eq(sk->raddr6, inner + 24))
			sock_set_error(sk, e->err);
		return;
	}
}

static int ping_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer) {
	return inet_dgram_getname(sk, a, len, peer, sk->lport);
}

static void ping_release(struct usock *sk) {
	if (sk->bound)
		ping_unhash(sk);
	inet_release_memberships(sk);
}

static const struct proto_ops ping_ops = {
	.bind = ping_bind,
	.connect = ping_connect,
	.sendmsg = ping_sendmsg,
	.recvname = inet_dgram_recvname,
	.getname = ping_getname,
	.release = ping_release,
	INET_DGRAM_OPS,
};

int ping_sock_init(struct usock *sk) {
	sk->ops = &ping_ops;
	return 0;
}

static const struct sock_proto ping_protos[] = {
	{AF_INET, SOCK_DGRAM, IPPROTO_ICMP, ping_sock_init},
	{AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6, ping_sock_init},
};

int ping_register(struct ustack *s) {
	if (raw_stack_make(s) < 0)
		return -ENOMEM;
	s->protos->echo_reply4 = ping4_input;
	s->protos->echo_reply6 = ping6_input;
	ip4_proto_register(s, IPPROTO_ICMP, NULL, ping4_err);
	ip6_proto_register(s, IP6_NH_ICMPV6, NULL, ping6_err);
	return sock_proto_register(s, ping_protos, sizeof(ping_protos) / sizeof(ping_protos[0]));
}
