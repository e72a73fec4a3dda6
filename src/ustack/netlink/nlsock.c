/* SPDX-License-Identifier: LGPL-2.1-or-later
 * AF_NETLINK sockets, NETLINK_ROUTE and NETLINK_SOCK_DIAG: addressing (port ids as Linux
 * assigns them: the process id first, then unique values), and the
 * request path into the rtnetlink server. Multicast groups (RTNLGRP_*,
 * joined with bind's nl_groups or NETLINK_ADD_MEMBERSHIP) get the
 * notifications of rtnl.c. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <unistd.h>

#include "../net/proto.h"
#include "../socket/sock.h"
#include "rtnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static bool pid_used(struct usock *sk, uint32_t pid) {
	for (struct usock *o = sk->s->socks; o; o = o->next)
		if (o != sk && o->domain == AF_NETLINK && o->bound && o->nl_pid == pid)
			return true;
	return false;
}

static void nl_autobind(struct usock *sk) {
	if (sk->bound)
		return;
	uint32_t pid = (uint32_t) getpid();
	while (pid_used(sk, pid))
		pid = 0x80000000u | sk->s->nl_next_pid++;
	sk->nl_pid = pid;
	sk->bound = true;
}

static int nl_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (len < (socklen_t) sizeof(struct sockaddr_nl))
		return -EINVAL;
	const struct sockaddr_nl *nl = (const struct sockaddr_nl *) a;
	if (nl->nl_family != AF_NETLINK)
		return -EINVAL;
	if (sk->bound) {
		/* Linux: rebinding to another port id is refused */
		if (nl->nl_pid && nl->nl_pid != sk->nl_pid)
			return -EINVAL;
	} else if (nl->nl_pid) {
		if (pid_used(sk, nl->nl_pid))
			return -EADDRINUSE;
		sk->nl_pid = nl->nl_pid;
		sk->bound = true;
	} else
		nl_autobind(sk);
	sk->nl_groups = nl->nl_groups;
	sk->s->nl_listen |= nl->nl_groups;
	return 0;
}

static int nl_connect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (len < (socklen_t) sizeof(sa_family_t))
		return -EINVAL;
	if (a->sa_family == AF_UNSPEC) {
		sk->connected = false;
		return 0;
	}
	if (len < (socklen_t) sizeof(struct sockaddr_nl) || a->sa_family != AF_NETLINK)
		return -EINVAL;
	nl_autobind(sk);
	sk->connected = true;
	return 0;
}

static ssize_t nl_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	struct ustack *s = sk->s;
	if (msg->msg_name) {
		const struct sockaddr_nl *nl = msg->msg_name;
		if (msg->msg_namelen < (socklen_t) sizeof(*nl) || nl->nl_family != AF_NETLINK)
			return -EINVAL;
		if (nl->nl_pid != 0)
			return -ECONNREFUSED;  /* only the "kernel" (this stack) listens */
	}
	if (len > 65536)
		return -EMSGSIZE;
	nl_autobind(sk);
	struct pbuf *p = pbuf_alloc(&s->pc, len, 0);
	if (p == NULL)
		return -ENOBUFS;
	sock_copy_from_iov(p->data, msg, len);
	int err = sk->protocol == NETLINK_SOCK_DIAG ? diag_input(sk, p->data, len)
			: rtnl_input(sk, p->data, len);
	pbuf_free(&s->pc, p);
	if (err == -ENOBUFS)
		sock_set_error(sk, ENOBUFS);
	return (ssize_t) len;
}

static void nl_recvname(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len) {
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	socklen_t n = *len < (socklen_t) sizeof(nl) ? *len : (socklen_t) sizeof(nl);
	memcpy(a, &nl, n);
	*len = sizeof(nl);
}

static int nl_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer) {
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	if (!peer) {
		nl.nl_pid = sk->nl_pid;
		nl.nl_groups = sk->nl_groups;
	}
	socklen_t n = *len < (socklen_t) sizeof(nl) ? *len : (socklen_t) sizeof(nl);
	memcpy(a, &nl, n);
	*len = sizeof(nl);
	return 0;
}

static int nl_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len) {
	if (level != SOL_NETLINK)
		return sock_setsockopt_generic(sk, level, name, v, len);
	int val;
	int err = int_opt(v, len, &val);
	if (err < 0)
		return err;
	switch (name) {
	case NETLINK_ADD_MEMBERSHIP:
	case NETLINK_DROP_MEMBERSHIP:
		/* Linux: groups up to the family's count (RTNLGRP_MAX) */
		if (val <= 0 || (unsigned) val > RTNLGRP_MAX)
			return -EINVAL;
		if (val > 32)
			return 0;   /* groups with no notifications here */
		nl_autobind(sk);
		if (name == NETLINK_ADD_MEMBERSHIP) {
			sk->nl_groups |= 1u << (val - 1);
			sk->s->nl_listen |= 1u << (val - 1);
		} else
			sk->nl_groups &= ~(1u << (val - 1));
		return 0;
	case NETLINK_NO_ENOBUFS:
		sk->nl_no_enobufs = val != 0;
		return 0;
	case NETLINK_PKTINFO:
	case NETLINK_BROADCAST_ERROR:
	case NETLINK_LISTEN_ALL_NSID:
	case NETLINK_CAP_ACK:
	case NETLINK_EXT_ACK:
	case NETLINK_GET_STRICT_CHK:
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int nl_shutdown(struct usock *sk, int how) {
	return -EOPNOTSUPP;  /* Linux sock_no_shutdown */
}

static const struct proto_ops nl_ops = {
	.bind = nl_bind,
	.connect = nl_connect,
	.sendmsg = nl_sendmsg,
	.recvname = nl_recvname,
	.getname = nl_getname,
	.setsockopt = nl_setsockopt,
	.getsockopt = sock_getsockopt_generic,
	.shutdown = nl_shutdown,
};

int netlink_sock_init(struct usock *sk) {
	sk->ops = &nl_ops;
	return 0;
}

static const struct sock_proto netlink_socks[] = {
	{AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, netlink_sock_init},
	{AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE, netlink_sock_init},
	{AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG, netlink_sock_init},
	{AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG, netlink_sock_init},
};

int netlink_register(struct ustack *s) {
	s->protos->notify = rtnl_notify;
	return sock_proto_register(s, netlink_socks, sizeof(netlink_socks) / sizeof(netlink_socks[0]));
}
