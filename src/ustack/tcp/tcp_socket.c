/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The socket calls of TCP (what socket/ calls through proto_ops), with
 * Linux's semantics and errno: bind (EADDRINUSE, SO_REUSEADDR incl.
 * TIME_WAIT), listen, accept, connect (blocking, EINPROGRESS/EALREADY/
 * EISCONN, the error of a failed attempt), send/recv with MSG_PEEK,
 * MSG_DONTWAIT, MSG_WAITALL, MSG_MORE, shutdown, close (FIN; RST when
 * unread data remains or SO_LINGER 0), options, ioctls and poll events
 * (Linux tcp_poll). ICMP errors (tcp_err) and stack deletion too. */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../net/net.h"
#include "../net/net6.h"
#include "../net/proto.h"
#include "../socket/sock.h"
#include "tcp.h"

#define SOMAXCONN_LINUX 4096
#define TCP_DEF_RCVBUF 131072   /* Linux tcp_rmem[1] */
#define TCP_DEF_SNDBUF 16384    /* Linux tcp_wmem[1] */

static struct tcp_pcb *pcb_of(struct usock *sk) {
	return sk->proto;
}

static bool any6(const uint8_t *a) {
	return ip6_addr_is_unspecified(a);
}

static bool synced(int st) {
	return st != TCPS_CLOSED && st != TCPS_LISTEN && st != TCPS_SYN_SENT && st != TCPS_SYN_RECV;
}

static uint32_t tcp_poll_state(struct usock *sk);

/* Linux's sk_stream_is_writeable with the wake-up's test of
 * TCP_NOTSENT_LOWAT (tcp_stream_memory_free): the free space is at
 * least half of what is queued (a third of the buffer once it is full),
 * and less than half the low-water mark is unsent. A writer blocked on a
 * full buffer is woken, and POLLOUT given, by this rule only (Linux
 * sk_stream_write_space, tcp_poll). */
bool tcp_writeable(const struct tcp_pcb *p) {
	uint32_t space = ring_space(&p->sndq, p->sndcap);
	return space > 0 && space >= p->sndq.len / 2 &&
			(!tcp_lowat(p) || (uint64_t) tcp_notsent(p) * 2 < tcp_lowat(p));
}

/* --- poll: Linux tcp_poll --- */
static uint32_t tcp_poll(struct usock *sk) {
	/* The readiness fd carries IN, OUT, RDHUP and HUP, and once POLLHUP
	 * (or POLLRDHUP) is given it stays (socket/readyfd.h). */
	if (sk->ev & EPOLLHUP)
		return sk->ev;
	return (tcp_poll_state(sk) & (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP)) | (sk->ev & EPOLLRDHUP);
}

static uint32_t tcp_poll_state(struct usock *sk) {
	struct tcp_pcb *p = pcb_of(sk);
	uint32_t ev = 0;
	if (p == NULL)
		return EPOLLHUP | EPOLLOUT;
	if (p->state == TCPS_LISTEN)
		return p->accq ? EPOLLIN | EPOLLRDNORM : 0;
	if (p->fo_defer)
		return EPOLLOUT | EPOLLWRNORM;   /* Fast Open: the first write connects */
	/* a socket never connected: Linux adds POLLHUP, but the readiness
	 * fd cannot take POLLHUP back once given */
	if (p->state == TCPS_CLOSED && !p->was_established && !p->connecting && !sk->err)
		return EPOLLOUT | EPOLLWRNORM;
	bool rd_shut = sk->shut_rd || p->fin_rcvd || p->state == TCPS_CLOSED;
	bool wr_shut = sk->shut_wr || p->state == TCPS_CLOSED;
	if ((rd_shut && wr_shut) || p->state == TCPS_CLOSED)
		ev |= EPOLLHUP;
	if (rd_shut)
		ev |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (p->state != TCPS_SYN_SENT && p->state != TCPS_SYN_RECV) {
		if (p->rcvq.len)
			ev |= EPOLLIN | EPOLLRDNORM;
		if (!wr_shut) {
			/* TCP_NOTSENT_LOWAT as Linux's tcp_poll: also less than
			 * half of it unsent */
			if (tcp_writeable(p))
				ev |= EPOLLOUT | EPOLLWRNORM;
		} else
			ev |= EPOLLOUT | EPOLLWRNORM;
	}
	if (sk->err)
		ev |= EPOLLERR;
	return ev;
}

/* --- options shared with the pcb --- */
static void sync_opts(struct usock *sk, struct tcp_pcb *p) {
	p->reuse = sk->reuseaddr;
	p->reuseport = sk->reuseport;
	p->v6only = sk->v6only;
	p->linger0 = sk->linger.l_onoff && sk->linger.l_linger == 0;
	if (!p->in_conn || p->state == TCPS_LISTEN)
		p->oif = sk->bound_if ? sk->bound_if : p->oif;
	if (p->keepalive != sk->keepalive) {
		p->keepalive = sk->keepalive;
		p->ka_at = 0;
		if (p->keepalive && synced(p->state))
			p->ka_at = tcp_clock(sk->s) + (uint64_t) p->ka_idle * MS(1000);
		tcp_timer_update(p);
	}
	if (p->user_rcvbuf)
		p->rcvcap = (uint32_t) sk->rcvbuf;
	if (p->user_sndbuf)
		p->sndcap = (uint32_t) sk->sndbuf;
}

int tcp_sock_init(struct usock *sk);

/* --- bind --- */
static int tcp_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	struct tcp_pcb *p = pcb_of(sk);
	struct inet_dst d;
	int err;
	if ((err = inet_bind_parse(sk, a, len, &d)) < 0)
		return err;
	if (p == NULL || p->in_bind || p->state != TCPS_CLOSED)
		return -EINVAL;
	sync_opts(sk, p);
	if ((err = inet_bind_check(sk, &d, false, &p->oif)) < 0)
		return err;
	bool v6 = d.v6;
	p->v6 = v6;
	p->l4 = v6 ? 0 : d.a4;
	memcpy(p->l6, v6 ? d.a6 : ip6_any, 16);
	if (d.port == 0)
		err = tcp_autobind(p, false);
	else if (!tcp_port_free(p, d.port))
		err = -EADDRINUSE;
	else {
		p->lport = d.port;
		tcp_bind_hash(p);
		err = 0;
	}
	if (err < 0) {
		p->v6 = sk->domain == AF_INET6;
		p->l4 = 0;
		memset(p->l6, 0, 16);
		return err;
	}
	sk->bound = true;
	return 0;
}

/* --- listen / accept --- */
static int tcp_listen(struct usock *sk, int backlog) {
	struct tcp_pcb *p = pcb_of(sk);
	if (p == NULL || (p->state != TCPS_CLOSED && p->state != TCPS_LISTEN))
		return -EINVAL;
	if ((unsigned) backlog > SOMAXCONN_LINUX)
		backlog = SOMAXCONN_LINUX;
	if (p->state == TCPS_LISTEN) {
		p->backlog = backlog;
		return 0;
	}
	sync_opts(sk, p);
	p->state = TCPS_LISTEN;   /* for the conflict rules: listeners never share */
	int err = 0;
	if (!p->in_bind)
		err = tcp_autobind(p, false);
	else if (!tcp_port_free(p, p->lport))
		err = -EADDRINUSE;
	if (err < 0) {
		p->state = TCPS_CLOSED;
		return err;
	}
	sk->bound = true;
	p->backlog = backlog;
	/* Linux's TFO_SERVER_WO_SOCKOPT1: Fast Open on every listener, its
	 * queue the backlog, unless TCP_FASTOPEN set one */
	uint32_t tfo = sk->s->tcp_fastopen;
	if ((tfo & TFO_SERVER_ENABLE) && (tfo & TFO_SERVER_WO_SOCKOPT1) && p->fo_qlen == 0)
		p->fo_qlen = backlog;
	tcp_listen_hash(p);
	sock_update_events(sk);
	return 0;
}

static int tcp_accept(struct usock *sk, struct usock **child) {
	struct tcp_pcb *l = pcb_of(sk);
	uint64_t deadline = sock_deadline(&sk->rcvtimeo);
	for (;;) {
		if (sk->closing)
			return -EBADF;
		l = pcb_of(sk);
		if (l == NULL || l->state != TCPS_LISTEN)
			return -EINVAL;
		if (l->accq)
			break;
		if (sk->nonblock)
			return -EAGAIN;
		if (sock_wait(sk, deadline) == -EAGAIN)
			return -EAGAIN;
	}
	struct tcp_pcb *c = l->accq;
	int err;
	struct usock *n = sock_new_accepted(sk, &err);
	if (n == NULL)
		return err;
	l->accq = c->qnext;
	if (l->accq_tail == c)
		l->accq_tail = NULL;
	l->nacc--;
	tcp_fo_child_done(c);
	c->parent = NULL;
	c->accepted_q = false;
	c->qnext = NULL;
	/* what Linux's accepted sockets inherit */
	n->reuseaddr = sk->reuseaddr;
	n->reuseport = sk->reuseport;
	n->keepalive = sk->keepalive;
	n->zerocopy = sk->zerocopy;   /* a socket flag (Linux sock_copy) */
	n->linger = sk->linger;
	n->rcvbuf = sk->rcvbuf;
	n->sndbuf = sk->sndbuf;
	n->bound_if = sk->bound_if;
	n->ttl = sk->ttl;
	n->tos = sk->tos;
	n->hops = sk->hops;
	n->tclass6 = sk->tclass6;
	n->v6only = sk->v6only;
	n->bound = true;
	n->proto = c;
	c->sk = n;
	if (c->err) {
		n->err = c->err;
		c->err = 0;
	}
	sock_update_events(n);
	sock_update_events(sk);
	*child = n;
	return 0;
}

/* --- connect --- */
static int connect_wait(struct usock *sk) {
	uint64_t deadline = sock_deadline(&sk->sndtimeo);
	for (;;) {
		if (sk->closing)
			return -EBADF;
		struct tcp_pcb *p = pcb_of(sk);
		if (p->state != TCPS_SYN_SENT && p->state != TCPS_SYN_RECV)
			break;
		if (sock_wait(sk, deadline) == -EAGAIN)
			return -EINPROGRESS;
	}
	struct tcp_pcb *p = pcb_of(sk);
	p->connecting = false;
	if (p->state == TCPS_CLOSED) {
		int e = sock_take_error(sk);
		return e ? e : -ECONNABORTED;
	}
	return 0;
}

static void abort_conn(struct tcp_pcb *p) {
	if (synced(p->state) || p->state == TCPS_SYN_RECV)
		tcp_send_rst(p);
	tcp_done(p, 0);
}

/* connect(), or sendmsg's MSG_FASTOPEN (fo_send): with Fast Open (it or
 * TCP_FASTOPEN_CONNECT) and a cookie cached, the SYN waits for the
 * first write (0, p->fo_defer); without one it asks for a cookie. */
static int connect_start(struct usock *sk, const struct sockaddr *a, socklen_t len, bool fo_send);

static int tcp_connect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	return connect_start(sk, a, len, false);
}

static int connect_start(struct usock *sk, const struct sockaddr *a, socklen_t len, bool fo_send) {
	struct tcp_pcb *p = pcb_of(sk);
	struct ustack *s = sk->s;
	if (p == NULL)
		return -EINVAL;
	if (len >= (socklen_t) sizeof(sa_family_t) && a->sa_family == AF_UNSPEC) {
		/* Linux tcp_disconnect */
		if (p->state != TCPS_CLOSED && p->state != TCPS_LISTEN)
			abort_conn(p);
		p->connecting = false;
		sk->shut_rd = sk->shut_wr = false;
		return 0;
	}
	if (p->connecting) {
		if (p->fo_defer)
			return -EISCONN;   /* Linux: a deferred connect is connected */
		if (p->state == TCPS_SYN_SENT || p->state == TCPS_SYN_RECV) {
			if (sk->nonblock)
				return -EALREADY;
			return connect_wait(sk);
		}
		p->connecting = false;
		if (p->state == TCPS_CLOSED) {
			int e = sk->err ? sk->err : ECONNABORTED;
			sk->err = 0;
			return -e;
		}
		return 0;
	}
	if (p->state != TCPS_CLOSED)
		return -EISCONN;
	if (p->was_established)
		return -EISCONN;   /* a closed connection is not reopened (Linux: EISCONN) */
	struct inet_dst d;
	int err = inet_parse_addr(sk, a, len, &d);
	if (err < 0)
		return err;
	sync_opts(sk, p);
	if (d.v6 && sk->domain == AF_INET6 && p->in_bind && !p->v6)
		return -EAFNOSUPPORT;
	if (!d.v6 && sk->domain == AF_INET6 && p->in_bind && p->v6 && !any6(p->l6))
		return -EAFNOSUPPORT;
	if (d.v6) {
		uint8_t dst[16];
		memcpy(dst, d.a6, 16);
		if (any6(dst))
			dst[15] = 1;
		if (ip6_addr_is_multicast(dst))
			return -ENETUNREACH;
		int oif = p->oif ? p->oif : (int) d.scope;
		struct ip6_route_res rt;
		if ((err = route6_lookup(s, dst, oif, &rt)) < 0)
			return err;
		p->v6 = true;
		memcpy(p->r6, dst, 16);
		if (any6(p->l6))
			memcpy(p->l6, rt.src, 16);
		if (ip6_addr_is_linklocal(dst))
			p->oif = rt.ifp->index;
	} else {
		uint32_t dst = d.a4 ? d.a4 : htonl(INADDR_LOOPBACK);
		if (ipv4_is_multicast(dst) || dst == 0xffffffffu)
			return -ENETUNREACH;
		struct ip4_route_res rt;
		if ((err = route4_lookup(s, dst, p->oif, &rt)) < 0)
			return err;
		if (rt.bcast)
			return -ENETUNREACH;
		p->v6 = false;
		p->r4 = dst;
		if (p->l4 == 0)
			p->l4 = rt.src;
	}
	p->rport = d.port;
	if (!p->in_bind && (err = tcp_autobind(p, true)) < 0) {
		p->v6 = sk->domain == AF_INET6;
		p->l4 = p->r4 = 0;
		memset(p->l6, 0, 16);
		memset(p->r6, 0, 16);
		return err;
	}
	sk->bound = true;
	p->rcv_wscale = tcp_select_wscale(p);
	p->adv_mss = tcp_route_mss(p);
	p->mss = p->adv_mss < 536 ? p->adv_mss : 536;
	p->iss = tcp_new_isn(p);
	p->snd_una = p->snd_nxt = p->snd_max = p->iss;
	p->rcv_adv = 0;
	p->state = TCPS_SYN_SENT;
	p->rtt_start = tcp_clock(s);
	p->syn_retries = 0;
	/* ECN asked for (tcp_ecn=1), until the SYN-ACK says (tcp_send_syn) */
	p->ecn_ok = p->s->tcp_ecn == 1;
	p->backoff = 0;
	p->soft_err = 0;
	sk->err = 0;
	tcp_conn_hash(p);
	s->tcp->mib.ActiveOpens++;
	p->connecting = true;
	p->fo_req = p->fo_tried = false;
	p->fo_syn_len = 0;
	if ((fo_send || p->fo_connect) && (s->tcp_fastopen & TFO_CLIENT_ENABLE) && tcp_fo_client_start(p)) {
		/* RFC 7413 3: the SYN goes with the data of the first write */
		p->fo_defer = true;
		sock_update_events(sk);
		return 0;
	}
	tcp_send_syn(p);
	sock_update_events(sk);
	if (fo_send)
		return -EINPROGRESS;   /* the caller waits, or not */
	if (p->state == TCPS_CLOSED) {
		/* failed at once (e.g. loopback RST already processed) */
		return connect_wait(sk);
	}
	if (sk->nonblock)
		return -EINPROGRESS;
	return connect_wait(sk);
}

/* --- send --- */
/* The first write of a Fast Open connection (RFC 7413 3): as much of it
 * as a SYN takes goes in the SYN; the count taken */
static size_t fo_syn_data(struct tcp_pcb *p, const struct msghdr *msg, size_t len) {
	uint32_t n = tcp_fo_syn_space(p);
	if (n > len)
		n = (uint32_t) len;
	if (n > p->sndcap)
		n = p->sndcap;
	if (n && ring_append_iov(&p->sndq, msg, 0, n, p->sndcap) < 0)
		n = 0;
	p->fo_defer = false;
	p->fo_syn_len = n;
	tcp_send_syn(p);
	return n;
}

static ssize_t tcp_send_data(struct usock *sk, const struct msghdr *msg, size_t len, int flags);

/* MSG_ZEROCOPY with SO_ZEROCOPY (without it Linux ignores the flag): a
 * call that queued data gets the next number, completed on the error
 * queue once its data is acknowledged (or dropped with the connection) */
static ssize_t tcp_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	ssize_t r = tcp_send_data(sk, msg, len, flags);
	if (r > 0 && sock_zc_call(sk, flags, len)) {
		uint32_t id = sk->zckey++;
		struct tcp_pcb *p = pcb_of(sk);
		if (p)
			tcp_zc_mark(p, id);
		else
			sock_zc_complete(sk, id, id);
	}
	return r;
}

/* Linux's write_seq: the sequence number after the last byte queued */
static uint32_t write_seq(const struct tcp_pcb *p) {
	return p->snd_una + (tcp_syn_unacked(p) ? 1 : 0) + p->sndq.len;
}

/* --- SO_TIMESTAMPING transmit stamps --- */
#define TX_STAMPS (SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_TX_ACK)

/* The send call's last byte so far is the one stamped (Linux marks the
 * last skb of the call): a new entry, or the call's own moved on (again:
 * more of the same call was queued) */
static void tstamp_mark(struct tcp_pcb *p, bool again) {
	uint32_t todo = p->sk->tsflags & TX_STAMPS;
	uint32_t seq = write_seq(p) - 1;
	if (again && p->ntst && p->tst[p->ntst - 1].todo == todo) {
		p->tst[p->ntst - 1].seq = seq;
		return;
	}
	if (p->ntst == p->tstcap) {
		if (p->ntst >= TCP_TSTAMP_MAX)
			return;   /* too many waiting: this call gets none */
		uint32_t cap = p->tstcap ? p->tstcap * 2 : 4;
		struct tcp_tstamp *n = realloc(p->tst, cap * sizeof(*n));
		if (n == NULL)
			return;
		p->tst = n;
		p->tstcap = cap;
	}
	p->tst[p->ntst++] = (struct tcp_tstamp){.seq = seq, .todo = todo};
}

/* one stamp for the marked byte at seq, with the data of the segment
 * [from, to) that carried it looped back (Linux loops the packet back;
 * here its TCP payload) */
static void tstamp_give(struct tcp_pcb *p, uint32_t tstype, uint32_t seq, uint32_t from, uint32_t to) {
	uint32_t n = to - from;
	uint8_t *buf = (p->sk->tsflags & SOF_TIMESTAMPING_OPT_TSONLY) ? NULL : malloc(n);
	if (buf == NULL)
		n = 0;
	else
		ring_copy_out(&p->sndq, from - p->snd_una, buf, n);
	sock_tx_tstamp(p->sk, tstype, seq - p->sk->tskey, buf, n);
	free(buf);
}

static void tstamp_drop_done(struct tcp_pcb *p) {
	uint32_t k = 0;
	for (uint32_t i = 0; i < p->ntst; i++)
		if (p->tst[i].todo)
			p->tst[k++] = p->tst[i];
	p->ntst = k;
	if (k == 0)
		tcp_tstamp_flush(p);
}

void tcp_tstamp_sent(struct tcp_pcb *p, uint32_t seq, uint32_t len) {
	if (p->sk == NULL)
		return;
	for (uint32_t i = 0; i < p->ntst; i++) {
		struct tcp_tstamp *t = &p->tst[i];
		if (seq_lt(t->seq, seq) || seq_geq(t->seq, seq + len))
			continue;
		if (t->todo & SOF_TIMESTAMPING_TX_SCHED)
			tstamp_give(p, SCM_TSTAMP_SCHED, t->seq, seq, seq + len);
		if (t->todo & SOF_TIMESTAMPING_TX_SOFTWARE)
			tstamp_give(p, SCM_TSTAMP_SND, t->seq, seq, seq + len);
		t->todo &= ~(uint32_t) (SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_TX_SOFTWARE);
	}
	tstamp_drop_done(p);
}

void tcp_tstamp_acked(struct tcp_pcb *p, uint32_t ack) {
	uint32_t mss = p->mss ? p->mss : 536;
	for (uint32_t i = 0; i < p->ntst; i++) {
		struct tcp_tstamp *t = &p->tst[i];
		if (seq_geq(t->seq, ack))
			break;
		if ((t->todo & SOF_TIMESTAMPING_TX_ACK) && p->sk && seq_geq(t->seq, p->snd_una)) {
			uint32_t from = t->seq + 1 - p->snd_una > mss ? t->seq + 1 - mss : p->snd_una;
			tstamp_give(p, SCM_TSTAMP_ACK, t->seq, from, t->seq + 1);
		}
		t->todo = 0;
	}
	tstamp_drop_done(p);
}

void tcp_tstamp_flush(struct tcp_pcb *p) {
	free(p->tst);
	p->tst = NULL;
	p->ntst = p->tstcap = 0;
}

/* Send what a full buffer lets go in the middle of a write (Linux
 * tcp_push_one, __tcp_push_pending_frames): no partial segment, and the
 * queue's end is not pushed yet. */
static void output_mid_write(struct tcp_pcb *p) {
	p->more = p->tail_more = true;
	tcp_output(p);
	p->more = false;
}

/* Append n bytes of msg from off as Linux's tcp_sendmsg fills its buffers
 * of the size goal, with its forced push: a buffer filled while the call
 * goes on (not its last bytes: last) gets PSH at its end when what was
 * written since the last push passes half the peer's largest window, and
 * leaves at once; otherwise a full buffer leaves at once only when it is
 * the first unsent one. At the call's end, its push (not with MSG_MORE,
 * unless forced) is the last push. Returns 0, or -ENOBUFS. */
static int append_bufs(struct tcp_pcb *p, const struct msghdr *msg, size_t off, uint32_t n, bool last, int flags) {
	if (!p->pushed_init) {
		p->pushed_seq = write_seq(p);
		p->pushed_init = true;
	}
	while (n) {
		uint32_t wseq = write_seq(p), goal = tcp_size_goal(p);
		uint32_t start = p->wbuf_seq;
		if (p->wbuf_open && seq_lt(start, p->snd_max))
			start = p->snd_max;
		if (!p->wbuf_open || seq_leq(wseq, p->snd_max) || wseq - start >= goal)
			start = wseq;
		uint32_t k = start + goal - wseq;
		if (k > n)
			k = n;
		if (ring_append_iov(&p->sndq, msg, off, k, p->sndcap) < 0)
			return -ENOBUFS;
		off += k;
		n -= k;
		wseq += k;
		p->wbuf_open = true;
		p->wbuf_seq = start;
		if (wseq - start < goal || (n == 0 && last))
			continue;
		if (seq_gt(wseq, p->pushed_seq + p->max_snd_wnd / 2)) {
			if (p->nfpush == TCP_FPUSH_MARKS) {
				memmove(p->fpush, p->fpush + 1, sizeof(p->fpush[0]) * (TCP_FPUSH_MARKS - 1));
				p->nfpush--;
			}
			p->fpush[p->nfpush++] = wseq;
			p->pushed_seq = wseq;
			output_mid_write(p);
		} else if (start == p->snd_max) {
			output_mid_write(p);
		}
	}
	if (last) {
		uint32_t wseq = write_seq(p);
		if (!(flags & MSG_MORE))
			p->pushed_seq = wseq;
		else if (seq_gt(wseq, p->pushed_seq + p->max_snd_wnd / 2) && p->nfpush < TCP_FPUSH_MARKS) {
			p->fpush[p->nfpush++] = wseq;
			p->pushed_seq = wseq;
		}
	}
	return 0;
}

static ssize_t tcp_send_data(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	uint64_t deadline = sock_deadline(&sk->sndtimeo);
	bool nb = sk->nonblock || (flags & MSG_DONTWAIT);
	size_t done = 0;
	bool waited = false;   /* asleep on a full buffer: on until writeable */
	bool stamped = false;  /* this call's last byte is marked for stamps */
	struct tcp_pcb *p0 = pcb_of(sk);
	if (p0 && (flags & MSG_FASTOPEN) && p0->state == TCPS_CLOSED) {
		/* RFC 7413: connect and send (Linux: EOPNOTSUPP when the client
		 * side is off or the address is AF_UNSPEC) */
		const struct sockaddr *a = msg->msg_name;
		if (!(sk->s->tcp_fastopen & TFO_CLIENT_ENABLE) ||
				(a && msg->msg_namelen >= sizeof(sa_family_t) && a->sa_family == AF_UNSPEC))
			return -EOPNOTSUPP;
		if (a == NULL)
			return -EINVAL;   /* Linux tcp_v4_connect: no address */
		int err = connect_start(sk, a, msg->msg_namelen, true);
		if (err == -EINPROGRESS) {
			/* a cookie requested: the data after the handshake; a
			 * blocking call waits for it (Linux: its error, if any) */
			if (nb)
				return err;
			p0->fo_writer = len > 0;
			err = connect_wait(sk);
			if ((p0 = pcb_of(sk)) != NULL)
				p0->fo_writer = false;
			if (err < 0)
				return err;
		} else if (err < 0) {
			return err;
		}
	}
	if (p0 && p0->fo_defer) {
		/* the connection's SYN leaves now, with what it carries; a
		 * blocking call waits for the handshake, and a failed one is
		 * its error, whatever the SYN carried (Linux) */
		done = fo_syn_data(p0, msg, len);
		if (nb)
			return done ? (ssize_t) done : -EINPROGRESS;
		p0->fo_writer = done < len;
		int err = connect_wait(sk);
		if ((p0 = pcb_of(sk)) != NULL)
			p0->fo_writer = false;
		if (err < 0)
			return err;
		if (done == len)
			return (ssize_t) done;
	}
	for (;;) {
		if (sk->closing)
			return done ? (ssize_t) done : -EBADF;
		struct tcp_pcb *p = pcb_of(sk);
		if (p == NULL)
			return -EPIPE;
		if (sk->err) {
			if (done)
				return (ssize_t) done;
			return sock_take_error(sk);
		}
		if (sk->shut_wr)
			return done ? (ssize_t) done : -EPIPE;
		/* a Fast Open child writes before its handshake ends (as Linux;
		 * here the data leaves when it has ended) */
		bool fo_early = p->state == TCPS_SYN_RECV && p->fo_passive;
		if ((p->state == TCPS_SYN_SENT || p->state == TCPS_SYN_RECV) && !fo_early) {
			if (nb)
				return -EAGAIN;
			if (sock_wait(sk, deadline) == -EAGAIN)
				return -EAGAIN;
			continue;
		}
		if (p->state != TCPS_ESTABLISHED && p->state != TCPS_CLOSE_WAIT && !fo_early)
			return done ? (ssize_t) done : -EPIPE;
		if (done == len && len)
			return (ssize_t) done;
		uint32_t space = ring_space(&p->sndq, p->sndcap);
		if ((flags & MSG_EOR) && p->neor >= TCP_EOR_MAX)
			space = 0;   /* records bound as Linux's skbs bound them: wait for ACKs */
		if (tcp_lowat(p) && space) {
			/* TCP_NOTSENT_LOWAT as Linux's send path applies it: the
			 * unsent bytes are in buffers of the size goal; the last
			 * one is filled up, and a new one is begun only while
			 * less than the mark is unsent */
			uint32_t ns = tcp_notsent(p), goal = tcp_size_goal(p);
			uint32_t room = ns ? goal - ((ns - 1) % goal + 1) : 0;
			if (room == 0 && ns < tcp_lowat(p))
				room = goal;
			if (room < space)
				space = room;
		}
		if (waited && !tcp_writeable(p))
			space = 0;   /* not woken yet (Linux sk_stream_write_space) */
		if (space && done < len) {
			waited = false;
			uint32_t n = len - done < space ? (uint32_t) (len - done) : space;
			if (append_bufs(p, msg, done, n, done + n == len, flags) < 0)
				return done ? (ssize_t) done : -ENOBUFS;
			done += n;
			/* MSG_MORE holds back only this call's push (Linux
			 * tcp_push with TCP_NAGLE_CORK); its data gets no PSH */
			p->more = (flags & MSG_MORE) && done == len;
			p->tail_more = p->more;
			if (sk->tsflags & TX_STAMPS) {
				tstamp_mark(p, stamped);
				stamped = true;
			}
			if ((flags & MSG_EOR) && done == len) {
				tcp_eor_mark(p);
				p->wbuf_open = false;   /* Linux appends nothing to an EOR skb */
			}
			tcp_chrono_start(p, TCP_CHRONO_BUSY);
			tcp_output(p);
			p->more = false;
			if (p->ack_saved_at) {
				/* data after the SYN-ACK's held ACK: within the ACK
				 * timeout, the connection is interactive (Linux
				 * tcp_event_data_sent) */
				if (tcp_clock(p->s) - p->ack_saved_at < TCP_ATO_MIN_NS && tcp_notsent(p) < n)
					p->pingpong = true;
				p->ack_saved_at = 0;
			}
			continue;
		}
		if (len == 0) {
			return 0;
		}
		sock_update_events(sk);
		if (done)
			p->pushed_seq = write_seq(p);   /* Linux: tcp_push before it waits */
		p->nospace = true;   /* the send buffer is full */
		tcp_sndbuf_check(p);
		if (nb)
			return done ? (ssize_t) done : -EAGAIN;
		p->writer_waiting = true;
		int w = sock_wait(sk, deadline);
		p = pcb_of(sk);
		if (p == NULL)
			return done ? (ssize_t) done : -EPIPE;
		p->writer_waiting = false;
		waited = true;
		tcp_output(p);   /* what the ACKs opened while we slept */
		if (w == -EAGAIN)
			return done ? (ssize_t) done : -EAGAIN;
	}
}

/* --- receive --- */
static void ring_to_iov(const struct tcp_ring *r, const struct msghdr *msg, size_t skip, uint32_t n) {
	uint32_t off = 0;
	for (size_t i = 0; i < (size_t) msg->msg_iovlen && off < n; i++) {
		size_t l = msg->msg_iov[i].iov_len;
		if (skip >= l) {
			skip -= l;
			continue;
		}
		size_t take = l - skip;
		if (take > n - off)
			take = n - off;
		ring_copy_out(r, off, (uint8_t *) msg->msg_iov[i].iov_base + skip, (uint32_t) take);
		off += (uint32_t) take;
		skip = 0;
	}
}

/* After the application read: announce the opened window as Linux
 * (tcp_cleanup_rbuf) does, only when what the peer may still send has
 * fallen to half the largest window or less and the window now is at
 * least twice that (and grew by a segment at least, RFC 9293 3.8.6.2.2);
 * otherwise the next ACK carries it. */
static void window_update(struct tcp_pcb *p) {
	if (!synced(p->state) || p->fin_rcvd)
		return;
	uint32_t adv = seq_gt(p->rcv_adv, p->rcv_nxt) ? p->rcv_adv - p->rcv_nxt : 0;
	uint32_t now = tcp_rcv_window(p);
	uint32_t clamp = (uint32_t) 65535 << p->rcv_wscale;
	if (p->rcvcap < clamp)
		clamp = p->rcvcap;
	uint32_t step = p->mss < clamp / 2 ? p->mss : clamp / 2;
	if ((uint64_t) adv * 2 <= clamp && (uint64_t) now >= (uint64_t) adv * 2 && now - adv >= step && now > adv)
		tcp_send_ack(p);
}

static ssize_t recv_loop(struct usock *sk, struct msghdr *msg, int flags, size_t total, uint64_t deadline, bool nb);

static ssize_t tcp_recvmsg(struct usock *sk, struct msghdr *msg, int flags) {
	uint64_t deadline = sock_deadline(&sk->rcvtimeo);
	bool nb = sk->nonblock || (flags & MSG_DONTWAIT);
	size_t total = 0;
	for (size_t i = 0; i < (size_t) msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	msg->msg_flags = 0;
	msg->msg_namelen = 0;
	size_t ccap = msg->msg_controllen;
	msg->msg_controllen = 0;
	ssize_t r = recv_loop(sk, msg, flags, total, deadline, nb);
	struct tcp_pcb *p = pcb_of(sk);
	if (r >= 0 && p && p->inq && msg->msg_control) {
		/* TCP_INQ (Linux tcp_inq_hint): what is left to read, 1 when
		 * nothing is but the peer closed */
		int inq = (int) p->rcvq.len;
		if (inq == 0 && p->fin_rcvd)
			inq = 1;
		sock_put_cmsg(msg, ccap, IPPROTO_TCP, TCP_CM_INQ, &inq, sizeof(inq));
	}
	return r;
}

static ssize_t recv_loop(struct usock *sk, struct msghdr *msg, int flags, size_t total, uint64_t deadline, bool nb) {
	size_t done = 0;
	for (;;) {
		if (sk->closing)
			return done ? (ssize_t) done : -EBADF;
		struct tcp_pcb *p = pcb_of(sk);
		if (p == NULL || p->state == TCPS_LISTEN)
			return -ENOTCONN;
		if (total == 0 && p->rcvq.len)
			return 0;
		if (p->rcvq.len && !(flags & MSG_PEEK && done)) {
			uint32_t n = p->rcvq.len < total - done ? p->rcvq.len : (uint32_t) (total - done);
			ring_to_iov(&p->rcvq, msg, done, n);
			done += n;
			if (!(flags & MSG_PEEK)) {
				ring_drop(&p->rcvq, n);
				window_update(p);
				sock_update_events(sk);
			}
			if (done == total || !(flags & MSG_WAITALL) || (flags & MSG_PEEK))
				return (ssize_t) done;
			continue;
		}
		if (done && !(flags & MSG_WAITALL))
			return (ssize_t) done;
		if (sk->err) {
			if (done)
				return (ssize_t) done;
			return sock_take_error(sk);
		}
		if (p->fin_rcvd || sk->shut_rd)
			return (ssize_t) done;
		if (p->state == TCPS_CLOSED)
			return p->was_established ? (ssize_t) done : -ENOTCONN;
		if (nb)
			return done ? (ssize_t) done : -EAGAIN;
		/* Linux: asked for 0 bytes, a blocking call waits once (for data,
		 * an event or the timeout) and returns 0 */
		if (total == 0) {
			sock_wait(sk, deadline);
			return 0;
		}
		if (sock_wait(sk, deadline) == -EAGAIN)
			return done ? (ssize_t) done : -EAGAIN;
	}
}

/* --- shutdown and close --- */
static void queue_fin(struct tcp_pcb *p) {
	if (p->fin_queued)
		return;
	switch (p->state) {
	case TCPS_ESTABLISHED:
	case TCPS_SYN_RECV:
		p->state = TCPS_FIN_WAIT1;
		break;
	case TCPS_CLOSE_WAIT:
		p->state = TCPS_LAST_ACK;
		break;
	default:
		return;
	}
	p->fin_queued = true;
	p->fin_seq = p->snd_una + p->sndq.len;
	p->cork = false;
	tcp_output(p);
}

static void listener_stop(struct tcp_pcb *l) {
	while (l->synq) {
		struct tcp_pcb *c = l->synq;
		tcp_pcb_free(c);
	}
	while (l->accq) {
		struct tcp_pcb *c = l->accq;
		if (c->state != TCPS_CLOSED)
			tcp_send_rst(c);
		tcp_pcb_free(c);
	}
}

static int tcp_shutdown(struct usock *sk, int how) {
	struct tcp_pcb *p = pcb_of(sk);
	int r = 0;
	if (p == NULL)
		return -ENOTCONN;
	if (p->state == TCPS_LISTEN) {
		if (how != SHUT_WR) {
			/* Linux: a listener shut for reading stops listening */
			listener_stop(p);
			p->state = TCPS_CLOSED;
			tcp_pcb_free(p);
			sk->proto = p = tcp_pcb_new(sk->s);
			if (p) {
				p->sk = sk;
				p->domain = sk->domain;
				p->v6 = sk->domain == AF_INET6;
				sync_opts(sk, p);
			}
		}
		sock_wake(sk);
		sock_update_events(sk);
		return 0;
	}
	if (p->state == TCPS_SYN_SENT) {
		/* Linux inet_shutdown, any how: the opening is dropped (tcp_disconnect),
		 * a waiting connect gets ECONNRESET, the socket may connect again */
		tcp_done(p, ECONNRESET);
		p->connecting = false;
		sock_wake(sk);
		sock_update_events(sk);
		return 0;
	}
	if (p->state == TCPS_CLOSED)
		r = -ENOTCONN;
	if (how != SHUT_WR)
		sk->shut_rd = true;
	if (how != SHUT_RD) {
		sk->shut_wr = true;
		queue_fin(p);
	}
	sock_wake(sk);
	sock_update_events(sk);
	return r;
}

/* SO_LINGER with a time (Linux tcp_close, sk_stream_wait_close): close
 * sends the FIN, then waits, even on a non-blocking socket, until the FIN
 * and the data before it are acknowledged, the connection ends, or the
 * time passes; after it the connection goes on as an orphan, as Linux's
 * (no reset). Unread data or a zero linger reset instead (tcp_release). */
static void tcp_close_wait(struct usock *sk) {
	struct tcp_pcb *p = pcb_of(sk);
	if (p == NULL || !sk->linger.l_onoff || sk->linger.l_linger <= 0 || p->rcvq.len)
		return;
	queue_fin(p);
	uint64_t deadline = rt_now() + (uint64_t) sk->linger.l_linger * 1000000000ull;
	while ((p = pcb_of(sk)) != NULL && !sk->closing &&
			(p->state == TCPS_FIN_WAIT1 || p->state == TCPS_CLOSING || p->state == TCPS_LAST_ACK))
		if (sock_wait(sk, deadline) == -EAGAIN)
			break;
}

static void tcp_release(struct usock *sk) {
	struct tcp_pcb *p = pcb_of(sk);
	if (p == NULL)
		return;
	sk->proto = NULL;
	p->sk = NULL;
	switch (p->state) {
	case TCPS_LISTEN:
		listener_stop(p);
		tcp_pcb_free(p);
		return;
	case TCPS_CLOSED:
	case TCPS_SYN_SENT:
		tcp_pcb_free(p);
		return;
	default:
		break;
	}
	/* RFC 9293 3.10.4 and Linux: unread data or SO_LINGER 0 abort */
	if (p->rcvq.len || p->linger0) {
		tcp_send_rst(p);
		tcp_done(p, 0);
		return;
	}
	p->orphan = true;
	ring_free(&p->rcvq);
	if (p->state == TCPS_TIME_WAIT)
		return;
	tcp_orphan_add(p);
	if (p->state == TCPS_FIN_WAIT2) {
		p->end_at = tcp_clock(p->s) + TCP_FIN_TIMEOUT_NS;
		tcp_timer_update(p);
		return;
	}
	queue_fin(p);
	if (p->state != TCPS_CLOSED && p->state != TCPS_TIME_WAIT && tcp_too_many_orphans(p->s, 0)) {
		/* Linux tcp_close: "too many orphaned sockets", reset */
		p->s->tcp->abort_on_memory++;
		tcp_send_rst(p);
		tcp_done(p, 0);
	}
}

/* --- names --- */
static void put_addr(struct usock *sk, bool v6, uint32_t a4, const uint8_t *a6, uint16_t port, int scope,
		struct sockaddr *a, socklen_t *len) {
	if (sk->domain == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = port, .sin_addr.s_addr = a4};
		socklen_t n = *len < (socklen_t) sizeof(sin) ? *len : (socklen_t) sizeof(sin);
		memcpy(a, &sin, n);
		*len = sizeof(sin);
		return;
	}
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = port};
	if (v6) {
		memcpy(s6.sin6_addr.s6_addr, a6, 16);
		if (ip6_addr_is_linklocal(a6))
			s6.sin6_scope_id = (uint32_t) scope;
	} else {
		s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(s6.sin6_addr.s6_addr + 12, &a4, 4);
	}
	socklen_t n = *len < (socklen_t) sizeof(s6) ? *len : (socklen_t) sizeof(s6);
	memcpy(a, &s6, n);
	*len = sizeof(s6);
}

static int tcp_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer) {
	struct tcp_pcb *p = pcb_of(sk);
	if (p == NULL)
		return -EINVAL;
	if (peer) {
		if ((p->state == TCPS_CLOSED && !sk->accepting) || p->state == TCPS_LISTEN || p->state == TCPS_SYN_SENT)
			return -ENOTCONN;
		put_addr(sk, p->v6, p->r4, p->r6, p->rport, p->oif, a, len);
		return 0;
	}
	put_addr(sk, p->v6, p->l4, p->l6, p->lport, p->oif, a, len);
	return 0;
}

/* --- options --- */
static int tcp_opt_int(int level, int name, const void *v, socklen_t len, int *val) {
	(void) level;
	(void) name;
	if (v == NULL)
		return -EFAULT;
	if (len < (socklen_t) sizeof(int))
		return -EINVAL;
	memcpy(val, v, sizeof(int));
	return 0;
}

static int tcp_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len) {
	struct tcp_pcb *p = pcb_of(sk);
	if (level == SOL_SOCKET && (name == SO_TIMESTAMPING_OLD || name == SO_TIMESTAMPING_NEW) &&
			v && len >= (socklen_t) sizeof(int)) {
		/* Linux: SOF_TIMESTAMPING_OPT_ID needs a connection, whose
		 * counter then starts at snd_una (OPT_ID_TCP: the write end) */
		int f;
		memcpy(&f, v, sizeof(f));
		if ((f & SOF_TIMESTAMPING_OPT_ID) && !(sk->tsflags & SOF_TIMESTAMPING_OPT_ID)) {
			if (p == NULL || p->state == TCPS_CLOSED || p->state == TCPS_LISTEN)
				return -EINVAL;
			int r = sock_setsockopt_generic(sk, level, name, v, len);
			if (r == 0)
				sk->tskey = (f & (1 << 16)) ? p->snd_una + p->sndq.len : p->snd_una;
			return r;
		}
	}
	if (level != IPPROTO_TCP) {
		int r = sk->domain == AF_INET6 ? inet6_setsockopt(sk, level, name, v, len)
				: inet_setsockopt(sk, level, name, v, len);
		if (r == 0 && p) {
			if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_RCVBUFFORCE))
				p->user_rcvbuf = true;
			if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_SNDBUFFORCE))
				p->user_sndbuf = true;
			sync_opts(sk, p);
			if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_SNDBUFFORCE))
				sock_update_events(sk);
		}
		return r;
	}
	if (p == NULL)
		return -EINVAL;
	if (name == TCP_CONGESTION) {
		/* Linux: the name is the first bytes up to a NUL, at most 15;
		 * an empty option is EINVAL, an unknown name ENOENT. The new
		 * algorithm starts afresh from the present cwnd and ssthresh
		 * (tcp_reinit_congestion_control). */
		char n[TCP_CA_NAME_MAX] = "";
		if ((int) len < 1)
			return -EINVAL;
		if (v == NULL)
			return -EFAULT;
		memcpy(n, v, len < TCP_CA_NAME_MAX - 1 ? (size_t) len : TCP_CA_NAME_MAX - 1);
		const struct tcp_cc_ops *cc = tcp_cc_find(n);
		if (cc == NULL)
			return -ENOENT;
		if (cc != p->cc)
			tcp_cc_set(p, cc);
		return 0;
	}
	if (name == TCP_FASTOPEN_KEY) {
		/* RFC 7413 4.1.2: the key of this listener's cookies, 16 bytes,
		 * or 32 with a backup key (Linux) */
		if (len != 16 && len != 32)
			return -EINVAL;
		if (v == NULL)
			return -EFAULT;
		memcpy(p->fo_key, v, len);
		p->fo_nkeys = (uint8_t) (len / 16);
		return 0;
	}
	int val, err = tcp_opt_int(level, name, v, len, &val);
	if (err < 0)
		return err;
	switch (name) {
	case TCP_NODELAY:
		/* tcp(7): setting it flushes what is queued, even when
		 * TCP_CORK is set (which stays set) */
		p->nodelay = val != 0;
		if (p->nodelay) {
			p->push_now = true;
			tcp_output(p);
			p->push_now = false;
		}
		return 0;
	case TCP_CORK:
		p->cork = val != 0;
		if (!p->cork)
			tcp_output(p);
		return 0;
	case TCP_MAXSEG:
		if (val && (val < 88 || val > 32767))
			return -EINVAL;
		p->user_mss = (uint16_t) val;
		return 0;
	case TCP_KEEPIDLE:
		if (val < 1 || val > 32767)
			return -EINVAL;
		p->ka_idle = val;
		if (p->keepalive && synced(p->state)) {
			p->ka_at = p->last_rx + (uint64_t) val * MS(1000);
			tcp_timer_update(p);
		}
		return 0;
	case TCP_KEEPINTVL:
		if (val < 1 || val > 32767)
			return -EINVAL;
		p->ka_intvl = val;
		return 0;
	case TCP_KEEPCNT:
		if (val < 1 || val > 127)
			return -EINVAL;
		p->ka_cnt = val;
		return 0;
	case TCP_SYNCNT:
		if (val < 1 || val > 127)
			return -EINVAL;
		p->syncnt = val;
		return 0;
	case TCP_QUICKACK:
		if (val)
			p->quickack = 16;
		return 0;
	case TCP_NOTSENT_LOWAT:
		/* Linux takes any value (an unsigned limit) and wakes writers */
		p->notsent_lowat = (uint32_t) val;
		sock_update_events(sk);
		return 0;
	case TCP_USER_TIMEOUT:
		if (val < 0)
			return -EINVAL;
		p->user_timeout = (uint32_t) val;
		return 0;
	case TCP_INQ:
		if (val < 0 || val > 1)
			return -EINVAL;
		p->inq = val != 0;
		return 0;
	case TCP_FASTOPEN:
		/* RFC 7413 server: the queue of connections opened on a cookie
		 * and not yet established (Linux: on a closed or listening
		 * socket, at most somaxconn) */
		if (val < 0 || (p->state != TCPS_CLOSED && p->state != TCPS_LISTEN))
			return -EINVAL;
		p->fo_qlen = val > SOMAXCONN_LINUX ? SOMAXCONN_LINUX : val;
		return 0;
	case TCP_FASTOPEN_CONNECT:
		if (val < 0 || val > 1)
			return -EINVAL;
		if (!(sk->s->tcp_fastopen & TFO_CLIENT_ENABLE))
			return -EOPNOTSUPP;
		if (p->state != TCPS_CLOSED)
			return -EINVAL;
		p->fo_connect = val != 0;
		return 0;
	case TCP_FASTOPEN_NO_COOKIE:
		if (val < 0 || val > 1)
			return -EINVAL;
		p->fo_no_cookie = val != 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int tcp_info_get(struct tcp_pcb *p, void *v, socklen_t *len) {
	struct tcp_info ti;
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_state = (uint8_t) p->state;
	ti.tcpi_retransmits = (uint8_t) p->backoff;
	ti.tcpi_backoff = (uint8_t) p->backoff;
	/* unanswered zero window (persist) or keepalive probes */
	ti.tcpi_probes = (uint8_t) (p->persist ? p->backoff : p->ka_probes);
	ti.tcpi_snd_wnd = p->snd_wnd;
	uint32_t flight = p->snd_max - p->snd_una;
	ti.tcpi_notsent_bytes = p->sndq.len > flight ? p->sndq.len - flight : 0;
	if (p->ws_ok) {
		ti.tcpi_options |= TCPI_OPT_WSCALE;
		ti.tcpi_snd_wscale = p->snd_wscale & 0xf;
		ti.tcpi_rcv_wscale = p->rcv_wscale & 0xf;
	}
	if (p->ts_ok)
		ti.tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (p->sack_ok)
		ti.tcpi_options |= TCPI_OPT_SACK;
	if (p->ecn_ok)
		ti.tcpi_options |= TCPI_OPT_ECN;
	if (p->syn_data_acked)
		ti.tcpi_options |= TCPI_OPT_SYN_DATA;
	ti.tcpi_fastopen_client_fail = p->fo_fail & 3;
	ti.tcpi_rto = p->srtt ? p->rto : TCP_RTO_INIT_US;
	ti.tcpi_ato = 40000;
	ti.tcpi_snd_mss = p->mss;
	/* Linux takes the timestamp option off advmss once it is agreed */
	uint32_t advmss = p->adv_mss - (p->ts_ok && p->adv_mss > TCPOLEN_TS_ALIGNED ? TCPOLEN_TS_ALIGNED : 0);
	ti.tcpi_rcv_mss = advmss;
	ti.tcpi_unacked = p->mss ? (p->snd_max - p->snd_una + p->mss - 1) / p->mss : 0;
	/* Linux's pmtu cookie: the path's MTU (the route's, with what ICMP
	 * taught; probing, RFC 4821, changes the MSS only) */
	ti.tcpi_pmtu = p->state == TCPS_LISTEN || p->state == TCPS_CLOSED ? p->adv_mss + (p->v6 ? 60u : 40u) :
			tcp_path_mtu(p);
	ti.tcpi_rtt = p->srtt;
	ti.tcpi_rttvar = p->rttvar;
	ti.tcpi_snd_ssthresh = p->ssthresh == UINT32_MAX || !p->mss ? 0x7fffffff : p->ssthresh / p->mss;
	ti.tcpi_snd_cwnd = p->mss ? p->cwnd / p->mss : 0;
	ti.tcpi_advmss = advmss;
	if (p->sb && p->mss)
		for (int i = 0; i < p->sb->n; i++)
			ti.tcpi_sacked += (p->sb->b[i].right - p->sb->b[i].left + p->mss - 1) / p->mss;
	ti.tcpi_reordering = p->reordering ? p->reordering : 3;
	for (uint32_t i = 0; i < p->ntx; i++) {
		/* marked lost (RACK), as Linux's lost_out; resent and out, not
		 * SACKed, as its retrans_out */
		ti.tcpi_lost += (p->tx[i].fl & TCP_TXR_LOST) != 0;
		ti.tcpi_retrans += (p->tx[i].fl & (TCP_TXR_RETRANS | TCP_TXR_SACKED)) == TCP_TXR_RETRANS;
	}
	/* Linux's states: Loss (a timeout's recovery), Recovery, CWR, and
	 * Disorder while SACKed, lost or resent segments are outstanding
	 * (tcp_try_to_open) */
	bool resent = false;
	for (uint32_t i = 0; i < p->ntx && !resent; i++)
		resent = (p->tx[i].fl & TCP_TXR_RETRANS) != 0;
	ti.tcpi_ca_state = p->in_loss || p->backoff ? 4 : p->in_recovery ? 3 : p->in_cwr ? 2 :
			(ti.tcpi_sacked || ti.tcpi_lost || resent) ? 1 : 0;
	ti.tcpi_rcv_space = p->rcvcap;
	ti.tcpi_total_retrans = (uint32_t) p->retrans_total;
	ti.tcpi_delivered = p->delivered_segs;
	/* milliseconds since (Linux: jiffies to ms; 0 before the handshake) */
	uint64_t now = tcp_clock(p->s);
	if (p->last_data_tx)
		ti.tcpi_last_data_sent = (uint32_t) ((now - p->last_data_tx) / 1000000);
	if (p->last_data_rx)
		ti.tcpi_last_data_recv = (uint32_t) ((now - p->last_data_rx) / 1000000);
	if (p->last_ack_rx)
		ti.tcpi_last_ack_recv = (uint32_t) ((now - p->last_ack_rx) / 1000000);
	/* Linux tcp_get_info_chrono_stats: busy time is the three together */
	uint64_t ch[3];
	memcpy(ch, p->chrono_ns, sizeof(ch));
	if (p->chrono_type != TCP_CHRONO_NONE)
		ch[p->chrono_type - 1] += now - p->chrono_start;
	ti.tcpi_busy_time = (ch[0] + ch[1] + ch[2]) / 1000;
	ti.tcpi_rwnd_limited = ch[1] / 1000;
	ti.tcpi_sndbuf_limited = ch[2] / 1000;
	socklen_t n = *len < (socklen_t) sizeof(ti) ? *len : (socklen_t) sizeof(ti);
	memcpy(v, &ti, n);
	*len = n;
	return 0;
}

static int tcp_getsockopt(struct usock *sk, int level, int name, void *v, socklen_t *len) {
	struct tcp_pcb *p = pcb_of(sk);
	if (level == SOL_SOCKET) {
		if (name == SO_ACCEPTCONN)
			return put_int_opt(v, len, p && p->state == TCPS_LISTEN);
		if (name == SO_PROTOCOL)
			return put_int_opt(v, len, IPPROTO_TCP);
	}
	if (level != IPPROTO_TCP)
		return sk->domain == AF_INET6 ? inet6_getsockopt(sk, level, name, v, len)
				: inet_getsockopt(sk, level, name, v, len);
	if (p == NULL)
		return -EINVAL;
	if ((int) *len < 0)
		return -EINVAL;
	switch (name) {
	case TCP_NODELAY:
		return put_int_opt(v, len, p->nodelay);
	case TCP_CORK:
		return put_int_opt(v, len, p->cork);
	case TCP_MAXSEG:
		return put_int_opt(v, len, synced(p->state) ? p->mss : (p->user_mss ? p->user_mss : 536));
	case TCP_KEEPIDLE:
		return put_int_opt(v, len, p->ka_idle);
	case TCP_KEEPINTVL:
		return put_int_opt(v, len, p->ka_intvl);
	case TCP_KEEPCNT:
		return put_int_opt(v, len, p->ka_cnt);
	case TCP_SYNCNT:
		return put_int_opt(v, len, p->syncnt ? p->syncnt : TCP_SYN_RETRIES);
	case TCP_QUICKACK:
		return put_int_opt(v, len, p->quickack > 0);
	case TCP_NOTSENT_LOWAT:
		return put_int_opt(v, len, (int) p->notsent_lowat);
	case TCP_USER_TIMEOUT:
		return put_int_opt(v, len, (int) p->user_timeout);
	case TCP_INQ:
		return put_int_opt(v, len, p->inq);
	case TCP_FASTOPEN:
		return put_int_opt(v, len, p->fo_qlen);
	case TCP_FASTOPEN_CONNECT:
		return put_int_opt(v, len, p->fo_connect);
	case TCP_FASTOPEN_NO_COOKIE:
		return put_int_opt(v, len, p->fo_no_cookie);
	case TCP_FASTOPEN_KEY: {
		/* the listener's keys, else the stack's */
		socklen_t n = p->fo_nkeys ? 16 * (socklen_t) p->fo_nkeys : 16;
		if (*len < n)
			n = *len;
		memcpy(v, p->fo_nkeys ? p->fo_key : tcp_fo_key(sk->s), (size_t) n);
		*len = n;
		return 0;
	}
	case TCP_INFO:
		return tcp_info_get(p, v, len);
	case TCP_CONGESTION: {
		/* Linux copies TCP_CA_NAME_MAX bytes, NUL-padded, or fewer */
		char name_[TCP_CA_NAME_MAX] = "";
		strncpy(name_, p->cc->name, sizeof(name_) - 1);
		socklen_t n = *len < (socklen_t) sizeof(name_) ? *len : (socklen_t) sizeof(name_);
		memcpy(v, name_, n);
		*len = n;
		return 0;
	}
	case TCP_CC_INFO:
		/* Linux fills it only for algorithms with a get_info (Vegas,
		 * DCTCP, BBR); CUBIC and Reno give zero bytes */
		*len = 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int tcp_ioctl(struct usock *sk, unsigned long cmd, void *arg) {
	struct tcp_pcb *p = pcb_of(sk);
	int n;
	switch (cmd) {
	case SIOCINQ:   /* == FIONREAD */
		if (p == NULL || p->state == TCPS_LISTEN)
			return -EINVAL;
		n = (int) p->rcvq.len;
		break;
	case SIOCOUTQ:
		if (p == NULL || p->state == TCPS_LISTEN)
			return -EINVAL;
		n = (int) p->sndq.len;
		break;
	case SIOCOUTQNSD:
		if (p == NULL || p->state == TCPS_LISTEN)
			return -EINVAL;
		n = (int) (p->sndq.len - (p->snd_nxt - p->snd_una < p->sndq.len ? p->snd_nxt - p->snd_una : p->sndq.len));
		break;
	case SIOCATMARK:
		/* at the urgent mark? ustack keeps no urgent data (the urgent
		 * pointer is not followed: the bytes come inline), so no mark is
		 * ever pending: 0, Linux's answer then, in every state */
		n = 0;
		break;
	default:
		return -ENOTTY;
	}
	memcpy(arg, &n, sizeof(n));
	return 0;
}

static const struct proto_ops tcp_ops = {
	.bind = tcp_bind,
	.connect = tcp_connect,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.getname = tcp_getname,
	.setsockopt = tcp_setsockopt,
	.getsockopt = tcp_getsockopt,
	.release = tcp_release,
	.close_wait = tcp_close_wait,
	.shutdown = tcp_shutdown,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.poll = tcp_poll,
	.ioctl = tcp_ioctl,
};

int tcp_sock_init(struct usock *sk) {
	struct tcp_pcb *p = tcp_pcb_new(sk->s);
	if (p == NULL)
		return -ENOBUFS;
	sk->ops = &tcp_ops;
	sk->proto = p;
	p->sk = sk;
	p->domain = sk->domain;
	p->v6 = sk->domain == AF_INET6;
	sk->rcvbuf = TCP_DEF_RCVBUF;
	sk->sndbuf = TCP_DEF_SNDBUF;
	sock_update_events(sk);
	return 0;
}

/* --- ICMP errors (Linux tcp_v4_err / tcp_v6_err) --- */
void tcp_err(struct ustack *s, bool v6, int err, uint32_t mtu, const uint8_t *inner, size_t len) {
	if (s->tcp == NULL)
		return;
	struct tcp_seg g = {.v6 = v6};
	const uint8_t *th;
	if (v6) {
		if (len < 40 + 8)
			return;
		g.dst6 = inner + 8;   /* our address, the quoted source */
		g.src6 = inner + 24;
		th = inner + 40;
	} else {
		size_t hl = (size_t) (inner[0] & 0xf) * 4;
		if (len < hl + 8)
			return;
		memcpy(&g.dst4, inner + 12, 4);
		memcpy(&g.src4, inner + 16, 4);
		th = inner + hl;
	}
	memcpy(&g.dport, th, 2);
	memcpy(&g.sport, th + 2, 2);
	struct tcp_pcb *p = tcp_lookup(s, &g);
	if (p == NULL)
		return;
	uint32_t seq = (uint32_t) th[4] << 24 | (uint32_t) th[5] << 16 | (uint32_t) th[6] << 8 | th[7];
	/* RFC 5927 4.1: only about data in flight */
	if (!seq_in(seq, p->snd_una, p->snd_max + 1))
		return;
	if (err == EMSGSIZE) {
		/* the path's MTU, learnt here and not by the IP layer: only
		 * once the quoted segment proved to be one of ours in flight
		 * (RFC 5927 4.1); then the segments shrink to it (Linux
		 * tcp_v4_mtu_reduced). Not an error of the connection. */
		uint32_t tot = v6 ? 40u + (uint32_t) (inner[4] << 8 | inner[5]) : (uint32_t) (inner[2] << 8 | inner[3]);
		if ((!v6 && mtu < 68) || tot <= mtu || p->state == TCPS_LISTEN ||
				p->state == TCPS_CLOSED || p->state == TCPS_TIME_WAIT)
			return;
		if (v6)
			pmtu_learn(s, AF_INET6, inner + 24, mtu < 1280 ? 1280 : mtu);
		else
			pmtu_learn(s, AF_INET, inner + 16, mtu < PMTU_MIN4 ? PMTU_MIN4 : mtu);
		tcp_pmtu_reduced(p);
		return;
	}
	if (p->state == TCPS_SYN_SENT || (p->state == TCPS_SYN_RECV && p->sk)) {
		s->tcp->mib.AttemptFails++;
		tcp_done(p, err);
		return;
	}
	/* established: a soft error, reported on timeout (or with IP_RECVERR) */
	p->soft_err = err;
	if (p->sk && p->sk->recverr)
		sock_set_error(p->sk, err);
}

void tcp4_err(struct ustack *s, const struct icmp_err *e) {
	tcp_err(s, false, e->err, e->info, e->inner, e->len);
}

void tcp6_err(struct ustack *s, const struct icmp_err *e) {
	tcp_err(s, true, e->err, e->info, e->inner, e->len);
}

/* TCP's registration with the layers below (ustack_create) */
static const struct sock_proto tcp_socks[] = {
	{AF_INET, SOCK_STREAM, 0, tcp_sock_init},
	{AF_INET, SOCK_STREAM, IPPROTO_TCP, tcp_sock_init},
	{AF_INET6, SOCK_STREAM, 0, tcp_sock_init},
	{AF_INET6, SOCK_STREAM, IPPROTO_TCP, tcp_sock_init},
};

int tcp_register(struct ustack *s) {
	s->tcp_fastopen = TFO_CLIENT_ENABLE;   /* Linux's default net.ipv4.tcp_fastopen */
	s->tcp_timestamps = true;
	s->tcp_ecn = 2;   /* Linux's default net.ipv4.tcp_ecn: accepted, not asked */
	/* the ACKs a receive batch held (gro=1) go at its end; the per-stack
	 * state is made with the first pcb, tcp_ack_batch_end waits for it */
	s->rx_batch_end = tcp_ack_batch_end;
	ip4_proto_register(s, IPPROTO_TCP, tcp4_input, tcp4_err);
	ip6_proto_register(s, IP6_NH_TCP, tcp6_input, tcp6_err);
	return sock_proto_register(s, tcp_socks, sizeof(tcp_socks) / sizeof(tcp_socks[0]));
}

/* Does a closed connection still have data or its FIN not acknowledged? */
bool tcp_stack_pending(struct ustack *s) {
	struct tcp_stack *ts = s->tcp;
	if (ts == NULL)
		return false;
	for (int i = 0; i < TCP_CONN_HASH; i++)
		for (struct tcp_pcb *p = ts->conn[i]; p; p = p->hnext)
			if (p->sk == NULL && (p->state == TCPS_FIN_WAIT1 || p->state == TCPS_CLOSING ||
					p->state == TCPS_LAST_ACK))
				return true;
	return false;
}

void tcp_flush_stack(struct ustack *s) {
	struct tcp_stack *ts = s->tcp;
	if (ts == NULL)
		return;
	for (int i = 0; i < TCP_PORT_HASH; i++) {
		while (ts->listen[i])
			tcp_pcb_free(ts->listen[i]);
		while (ts->bind[i])
			tcp_pcb_free(ts->bind[i]);
	}
	for (int i = 0; i < TCP_CONN_HASH; i++)
		while (ts->conn[i])
			tcp_pcb_free(ts->conn[i]);
	utimer_cancel(s, &ts->spare.t);
	tcp_spare_clear(&ts->spare);
	free(ts);
	s->tcp = NULL;
}
