/* SPDX-License-Identifier: LGPL-2.1-or-later
 * What the ping and raw sockets share (raw/ping.c, raw/raw.c), and with
 * UDP the IPv4 send path's ancillary data and header fields (inet_tx_cmsg,
 * inet_tx_init). Each socket is of
 * one family, AF_INET or AF_INET6 (no IPv4-mapped addresses, as Linux's
 * ping and raw sockets), so options, names and peers follow the socket's
 * domain. */
#define _GNU_SOURCE /* struct in_pktinfo */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "../net/net.h"
#include "sock.h"

int inet_dgram_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len) {
	return sk->domain == AF_INET6 ? inet6_setsockopt(sk, level, name, v, len)
			: inet_setsockopt(sk, level, name, v, len);
}

int inet_dgram_getsockopt(struct usock *sk, int level, int name, void *v, socklen_t *len) {
	return sk->domain == AF_INET6 ? inet6_getsockopt(sk, level, name, v, len)
			: inet_getsockopt(sk, level, name, v, len);
}

void inet_dgram_recvcmsg(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap) {
	if (sk->domain == AF_INET6)
		inet6_recvcmsg(sk, p, msg, cap);
	else
		inet_recvcmsg(sk, p, msg, cap);
}

void inet_dgram_recvname(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len) {
	inet_put_name(sk, p, 0, a, len);
}

int inet_parse_own(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d) {
	int err = inet_parse_addr(sk, a, len, d);
	if (err < 0)
		return err;
	if (sk->domain == AF_INET6 && !d->v6)
		return -EINVAL;
	return 0;
}

int inet_msg_dst(struct usock *sk, const struct msghdr *msg, struct inet_dst *d) {
	if (msg->msg_name)
		return inet_parse_own(sk, msg->msg_name, msg->msg_namelen, d);
	if (!sk->connected)
		return -EDESTADDRREQ;
	memset(d, 0, sizeof(*d));
	d->v6 = sk->domain == AF_INET6;
	d->a4 = sk->raddr;
	memcpy(d->a6, sk->raddr6, 16);
	return 0;
}

bool inet_dgram_disconnect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (len < (socklen_t) sizeof(sa_family_t) || a->sa_family != AF_UNSPEC)
		return false;
	sk->connected = false;
	sk->raddr = 0;
	memset(sk->raddr6, 0, 16);
	return true;
}

void inet_set_peer(struct usock *sk, const struct inet_dst *d) {
	if (d->v6) {
		memcpy(sk->raddr6, d->a6, 16);
		sk->raddr_is6 = true;
	} else
		sk->raddr = d->a4;
	sk->connected = true;
}

static void put_name(struct sockaddr *a, socklen_t *len, const void *name, socklen_t size) {
	memcpy(a, name, *len < size ? *len : size);
	*len = size;
}

int inet_dgram_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer, uint16_t lport) {
	if (peer && !sk->connected)
		return -ENOTCONN;
	if (sk->domain == AF_INET6) {
		struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = peer ? 0 : lport};
		memcpy(s6.sin6_addr.s6_addr, peer ? sk->raddr6 : sk->laddr6, 16);
		put_name(a, len, &s6, sizeof(s6));
		return 0;
	}
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = peer ? 0 : lport,
		.sin_addr.s_addr = peer ? sk->raddr : sk->laddr};
	put_name(a, len, &sin, sizeof(sin));
	return 0;
}

void inet_tx_cmsg(const struct msghdr *msg, uint32_t *src, int *oif) {
	for (struct cmsghdr *c = msg->msg_control ? CMSG_FIRSTHDR(msg) : NULL; c;
			c = CMSG_NXTHDR((struct msghdr *) msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
				c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			if (pi.ipi_ifindex)
				*oif = pi.ipi_ifindex;
			if (pi.ipi_spec_dst.s_addr)
				*src = pi.ipi_spec_dst.s_addr;
		}
	}
}

void inet_tx_init(const struct usock *sk, uint32_t src, uint32_t dst, uint8_t proto, struct ip4_tx *tx) {
	*tx = (struct ip4_tx){
		.src = src,
		.dst = dst,
		.proto = proto,
		.ttl = (uint8_t) (ipv4_is_multicast(dst) ? sk->mc_ttl : (sk->ttl < 0 ? 64 : sk->ttl)),
		.tos = (uint8_t) sk->tos,
		.allow_bcast = sk->broadcast,
		.mc_loop = sk->mc_loop,
	};
}
