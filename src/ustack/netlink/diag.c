/* SPDX-License-Identifier: LGPL-2.1-or-later
 * NETLINK_SOCK_DIAG (Linux sock_diag(7), inet_diag) behind AF_NETLINK
 * sockets of that protocol, for ss(8): SOCK_DIAG_BY_FAMILY dumps of the
 * stack's TCP and UDP sockets of AF_INET or AF_INET6, those whose state
 * is in idiag_states, as struct inet_diag_msg (addresses, ports, state,
 * receive and send queues: for a listener the accept queue and the
 * backlog, as Linux) with INET_DIAG_SHUTDOWN, and on request (idiag_ext)
 * INET_DIAG_INFO (struct tcp_info, from the socket's own TCP_INFO) and
 * INET_DIAG_CONG. UDP sockets are TCPS_CLOSED unless connected
 * (TCPS_ESTABLISHED), as Linux reports them. The bytecode filter of the
 * request is not run (ss filters what it gets); sockets of other
 * protocols or families make an empty dump. Connections in a
 * listener's queues (not accepted yet) are listed, without tcp_info;
 * TIME_WAIT and orphaned connections (closed by the program) are not. Requests for one socket
 * (no NLM_F_DUMP) get EOPNOTSUPP. Stack lock held. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "../socket/sock.h"
#include "../tcp/tcp.h"
#include "nlout.h"
#include "rtnl.h"

static void addr_of(struct usock *sk, bool peer, struct inet_diag_sockid *id) {
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (sk->ops->getname == NULL || sk->ops->getname(sk, (struct sockaddr *) &ss, &len, peer) < 0)
		return;
	__be16 port = 0;
	__be32 *where = peer ? id->idiag_dst : id->idiag_src;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *) &ss;
		port = in->sin_port;
		memcpy(where, &in->sin_addr, 4);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) &ss;
		port = in6->sin6_port;
		memcpy(where, &in6->sin6_addr, 16);
		if (!peer)
			id->idiag_if = in6->sin6_scope_id;
	}
	if (peer)
		id->idiag_dport = port;
	else
		id->idiag_sport = port;
}

static void fill_sock(struct nl_out *o, struct usock *sk, int state, const struct inet_diag_req_v2 *req,
		uint32_t seq) {
	struct nlb b;
	nlb_begin(&b, o, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, seq);
	struct inet_diag_msg m = {
		.idiag_family = (uint8_t) sk->domain,
		.idiag_state = (uint8_t) state,
		.idiag_uid = (uint32_t) getuid(),
		/* no inode: ustack sockets are not the kernel's (ss -p finds
		 * no process for them) */
		.idiag_inode = 0,
	};
	uintptr_t cookie = (uintptr_t) sk;
	m.id.idiag_cookie[0] = (uint32_t) cookie;
	m.id.idiag_cookie[1] = (uint32_t) ((uint64_t) cookie >> 32);
	addr_of(sk, false, &m.id);
	if (state != TCPS_LISTEN && state != TCPS_CLOSED)
		addr_of(sk, true, &m.id);
	if (sock_is_tcp(sk)) {
		struct tcp_pcb *p = sk->proto;
		if (state == TCPS_LISTEN) {
			m.idiag_rqueue = p ? (uint32_t) p->nacc : 0;
			m.idiag_wqueue = p ? (uint32_t) p->backlog : 0;
		} else if (sk->ops->ioctl) {
			int n = 0;
			if (sk->ops->ioctl(sk, SIOCINQ, &n) == 0)
				m.idiag_rqueue = (uint32_t) n;
			if (sk->ops->ioctl(sk, SIOCOUTQ, &n) == 0)
				m.idiag_wqueue = (uint32_t) n;
		}
	} else {
		m.idiag_rqueue = (uint32_t) sk->rxbytes;
	}
	nlb_put(&b, &m, sizeof(m));
	uint8_t shut = (uint8_t) ((sk->shut_rd ? 1 : 0) | (sk->shut_wr ? 2 : 0));
	nla_u8(&b, INET_DIAG_SHUTDOWN, shut);
	if (sock_is_tcp(sk)) {
		if (req->idiag_ext & (1 << (INET_DIAG_INFO - 1))) {
			/* the socket's own TCP_INFO (tcp/), as getsockopt gives it */
			struct tcp_info ti;
			socklen_t tl = sizeof(ti);
			memset(&ti, 0, sizeof(ti));
			if (sk->ops->getsockopt(sk, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
				nla_put(&b, INET_DIAG_INFO, &ti, tl);
		}
		if (req->idiag_ext & (1 << (INET_DIAG_CONG - 1))) {
			char cong[16] = "";
			socklen_t cl = sizeof(cong) - 1;
			if (sk->ops->getsockopt(sk, IPPROTO_TCP, TCP_CONGESTION, cong, &cl) == 0)
				nla_put(&b, INET_DIAG_CONG, cong, strlen(cong) + 1);
		}
	}
	nlb_end(&b, o);
}

/* A connection not accepted yet (a listener's queues: SYN_RECV, or
 * ESTABLISHED waiting for accept): Linux lists them too. No usock, so no
 * INET_DIAG_INFO. */
static void fill_child(struct nl_out *o, const struct usock *l, const struct tcp_pcb *c, uint32_t seq) {
	struct nlb b;
	nlb_begin(&b, o, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, seq);
	struct inet_diag_msg m = {
		.idiag_family = (uint8_t) l->domain,
		.idiag_state = (uint8_t) c->state,
		.idiag_uid = (uint32_t) getuid(),
		.idiag_rqueue = c->rcvq.len,
		.idiag_wqueue = c->sndq.len,
	};
	uintptr_t cookie = (uintptr_t) c;
	m.id.idiag_cookie[0] = (uint32_t) cookie;
	m.id.idiag_cookie[1] = (uint32_t) ((uint64_t) cookie >> 32);
	m.id.idiag_sport = c->lport;
	m.id.idiag_dport = c->rport;
	if (c->v6) {
		memcpy(m.id.idiag_src, c->l6, 16);
		memcpy(m.id.idiag_dst, c->r6, 16);
	} else if (l->domain == AF_INET6) {
		/* IPv4 on an AF_INET6 listener: v4-mapped, as getsockname shows */
		uint8_t *s = (uint8_t *) m.id.idiag_src, *d = (uint8_t *) m.id.idiag_dst;
		s[10] = s[11] = d[10] = d[11] = 0xff;
		memcpy(s + 12, &c->l4, 4);
		memcpy(d + 12, &c->r4, 4);
	} else {
		memcpy(m.id.idiag_src, &c->l4, 4);
		memcpy(m.id.idiag_dst, &c->r4, 4);
	}
	nlb_put(&b, &m, sizeof(m));
	nla_u8(&b, INET_DIAG_SHUTDOWN, 0);
	nlb_end(&b, o);
}

/* The state ss sees: TCP's own, UDP's CLOSE or ESTABLISHED. */
static int sock_state(struct usock *sk) {
	if (sock_is_tcp(sk)) {
		struct tcp_pcb *p = sk->proto;
		return p ? p->state : TCPS_CLOSED;
	}
	return sk->connected ? TCPS_ESTABLISHED : TCPS_CLOSED;
}

/* SOCK_DIAG_BY_FAMILY, as a dump only: 1 (answered, no ACK) or an error */
static int diag_request(struct nl_out *o, const struct nlmsghdr *h) {
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return -EOPNOTSUPP;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_req_v2)))
		return -EINVAL;
	const struct inet_diag_req_v2 *req = NLMSG_DATA(h);
	if (!(h->nlmsg_flags & NLM_F_DUMP))
		return -EOPNOTSUPP;
	int family = req->sdiag_family, proto = req->sdiag_protocol;
	if (family == AF_INET || family == AF_INET6) {
		for (struct usock *sk = o->sk->s->socks; sk; sk = sk->next) {
			if (sk->domain != family || sk->closing)
				continue;
			bool tcp = sock_is_tcp(sk), udp = sock_is_udp(sk);
			if (!((proto == IPPROTO_TCP && tcp) || (proto == IPPROTO_UDP && udp)))
				continue;
			int state = sock_state(sk);
			if (state <= 0 || state > 31 || !(req->idiag_states & (1u << state)))
				continue;
			fill_sock(o, sk, state, req, h->nlmsg_seq);
		}
		/* the listeners' connections not accepted yet */
		for (struct usock *sk = o->sk->s->socks; sk; sk = sk->next) {
			if (sk->domain != family || sk->closing || proto != IPPROTO_TCP || !sock_is_tcp(sk) ||
					sock_state(sk) != TCPS_LISTEN)
				continue;
			const struct tcp_pcb *lp = sk->proto;
			const struct tcp_pcb *queues[2] = {lp->synq, lp->accq};
			for (int q = 0; q < 2; q++)
				for (const struct tcp_pcb *c = queues[q]; c; c = c->qnext)
					if (c->state > 0 && c->state < 32 && (req->idiag_states & (1u << c->state)))
						fill_child(o, sk, c, h->nlmsg_seq);
		}
	}
	nl_done(o, h);
	return 1;
}

int diag_input(struct usock *sk, const uint8_t *buf, size_t len) {
	return nl_batch(sk, buf, len, diag_request);
}
