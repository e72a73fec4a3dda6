/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The socket error queue of IP_RECVERR / IPV6_RECVERR (ip(7), ipv6(7)):
 * each entry is a struct sock_extended_err, the address of the node that
 * sent the error (SO_EE_OFFENDER), the original destination (msg_name)
 * and the quoted data of the datagram the error is about. Read with
 * recvmsg(MSG_ERRQUEUE), which never blocks; POLLERR while not empty.
 * Linux charges the queue to the receive buffer: so does this.
 * MSG_ZEROCOPY completions share the queue (Linux msg_zerocopy): empty
 * entries, no address, ee_info..ee_data the range of send calls done;
 * like Linux they are not bounded by the receive buffer (a run of them
 * merges into one entry, as Linux extends the queue's tail). */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <string.h>

#include "../net/net.h"
#include "sock.h"

#define ERRQ_OVERHEAD 256   /* as the receive queue's per-datagram charge */

static void errq_append(struct usock *sk, struct pbuf *p) {
	p->next = NULL;
	if (sk->errq_tail)
		sk->errq_tail->next = p;
	else
		sk->errq = p;
	sk->errq_tail = p;
	sk->errbytes += p->len + ERRQ_OVERHEAD;
}

static bool errq_room(const struct usock *sk, size_t plen) {
	return !sk->closing && sk->rxbytes + sk->errbytes + plen + ERRQ_OVERHEAD <= (size_t) sk->rcvbuf;
}

void sock_queue_err(struct usock *sk, const struct icmp_err *e, const uint8_t *payload, size_t plen,
		uint16_t port) {
	struct ustack *s = sk->s;
	bool v6 = e->origin == SO_EE_ORIGIN_ICMP6;
	struct pbuf *p = errq_room(sk, plen) ? pbuf_alloc(&s->pc, plen, 0) : NULL;
	if (p) {
		memcpy(p->data, payload, plen);
		p->m.v6 = v6;
		if (v6) {
			memcpy(p->m.daddr6, e->inner + 24, 16);
			memcpy(p->m.saddr6, e->offender, 16);
		} else {
			memcpy(&p->m.daddr, e->inner + 16, 4);
			memcpy(&p->m.saddr, e->offender, 4);
		}
		p->m.sport = port;
		p->m.ee_errno = (uint8_t) e->err;
		p->m.ee_origin = e->origin;
		p->m.ee_type = e->type;
		p->m.ee_code = e->code;
		p->m.ee_info = e->info;
		errq_append(sk, p);
	} else
		sk->rx_drops++;
	/* Linux sets sk_err too (SO_ERROR, the next call's error) */
	sock_set_error(sk, e->err);
}

void sock_queue_local_err(struct usock *sk, int err, bool v6, const uint8_t *dst, uint16_t port,
		uint32_t info) {
	if (!errq_room(sk, 0))
		return;
	struct pbuf *p = pbuf_alloc(&sk->s->pc, 0, 0);
	if (p == NULL)
		return;
	p->m.v6 = v6;
	if (v6)
		memcpy(p->m.daddr6, dst, 16);
	else
		memcpy(&p->m.daddr, dst, 4);
	p->m.sport = port;
	p->m.ee_errno = (uint8_t) err;
	p->m.ee_origin = SO_EE_ORIGIN_LOCAL;
	p->m.ee_info = info;
	errq_append(sk, p);
	/* ip_local_error does not touch sk_err: the call fails by itself */
	sock_update_events(sk);
	sock_wake(sk);
}

void sock_zc_complete(struct usock *sk, uint32_t lo, uint32_t hi) {
	struct pbuf *t = sk->errq_tail;
	if (sk->closing)
		return;
	/* Linux extends the tail while the merged range stays below 2^32 */
	if (t && t->m.ee_origin == SO_EE_ORIGIN_ZEROCOPY && lo == t->m.ee_data + 1 &&
			(uint64_t) (t->m.ee_data - t->m.ee_info) + 1 + (hi - lo) + 1 < (1ull << 32)) {
		t->m.ee_data = hi;
		return;
	}
	struct pbuf *p = pbuf_alloc(&sk->s->pc, 0, 0);
	if (p == NULL) {
		sk->rx_drops++;
		return;
	}
	memset(&p->m, 0, sizeof(p->m));
	p->m.ee_origin = SO_EE_ORIGIN_ZEROCOPY;
	p->m.ee_code = SO_EE_CODE_ZEROCOPY_COPIED;
	p->m.ee_info = lo;
	p->m.ee_data = hi;
	errq_append(sk, p);
	sock_update_events(sk);
	sock_wake(sk);
}

void sock_tx_tstamp(struct usock *sk, uint32_t tstype, uint32_t key, const uint8_t *data, size_t len) {
	if (sk->tsflags & SOF_TIMESTAMPING_OPT_TSONLY)
		len = 0;
	struct pbuf *p = errq_room(sk, len) ? pbuf_alloc(&sk->s->pc, len, 0) : NULL;
	if (p == NULL) {
		sk->rx_drops++;
		return;
	}
	memset(&p->m, 0, sizeof(p->m));
	if (len)
		memcpy(p->data, data, len);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	p->m.rx_ns = (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
	p->m.ee_errno = ENOMSG;
	p->m.ee_origin = SO_EE_ORIGIN_TIMESTAMPING;
	p->m.ee_info = tstype;
	p->m.ee_data = (sk->tsflags & SOF_TIMESTAMPING_OPT_ID) ? key : 0;
	errq_append(sk, p);
	sock_update_events(sk);
	sock_wake(sk);
}

/* an IPv4 address as the socket's family writes it */
static void put_addr(const struct usock *sk, const struct pbuf *p, bool src, uint16_t port, void *out,
		socklen_t *len) {
	if (sk->domain == AF_INET6) {
		struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = port};
		if (p->m.v6)
			memcpy(a.sin6_addr.s6_addr, src ? p->m.saddr6 : p->m.daddr6, 16);
		else {
			a.sin6_addr.s6_addr[10] = a.sin6_addr.s6_addr[11] = 0xff;
			memcpy(a.sin6_addr.s6_addr + 12, src ? &p->m.saddr : &p->m.daddr, 4);
		}
		memcpy(out, &a, sizeof(a));
		*len = sizeof(a);
	} else {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = port};
		a.sin_addr.s_addr = src ? p->m.saddr : p->m.daddr;
		memcpy(out, &a, sizeof(a));
		*len = sizeof(a);
	}
}

ssize_t sock_recv_errqueue(struct usock *sk, struct msghdr *msg, int flags) {
	struct pbuf *p = sk->errq;
	size_t cap = msg->msg_control ? msg->msg_controllen : 0;
	(void) flags;
	if (p == NULL)
		return -EAGAIN;
	size_t n = sock_copy_to_iov(msg, p->data, p->len);
	msg->msg_flags = MSG_ERRQUEUE | (n < p->len ? MSG_TRUNC : 0);
	/* entries without a port (completions, stamps) give no address */
	bool zc = p->m.ee_origin == SO_EE_ORIGIN_ZEROCOPY || p->m.ee_origin == SO_EE_ORIGIN_TIMESTAMPING;
	if (zc)
		msg->msg_namelen = 0;   /* Linux: an entry without a port gives no address */
	else if (msg->msg_name) {
		union {
			struct sockaddr_in6 s6;
			struct sockaddr_in s4;
		} a;
		socklen_t al;
		put_addr(sk, p, false, p->m.sport, &a, &al);
		memcpy(msg->msg_name, &a, msg->msg_namelen < al ? msg->msg_namelen : al);
		msg->msg_namelen = al;
	}
	msg->msg_controllen = 0;
	if (p->m.ee_origin == SO_EE_ORIGIN_TIMESTAMPING && (sk->tsflags & SOF_TIMESTAMPING_SOFTWARE)) {
		/* the software stamp, before the error (Linux ip_recv_error) */
		sock_put_stamp(sk, p->m.rx_ns, msg, cap);
	}
	struct {
		struct sock_extended_err ee;
		struct sockaddr_in6 offender;   /* SO_EE_OFFENDER: room for either family */
	} c;
	memset(&c, 0, sizeof(c));
	c.ee.ee_errno = p->m.ee_errno;
	c.ee.ee_origin = p->m.ee_origin;
	c.ee.ee_type = p->m.ee_type;
	c.ee.ee_code = p->m.ee_code;
	c.ee.ee_info = p->m.ee_info;
	c.ee.ee_data = p->m.ee_data;
	socklen_t ol = sk->domain == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	/* a local error has no offender: AF_UNSPEC, zeroes (Linux) */
	if (p->m.ee_origin != SO_EE_ORIGIN_LOCAL && !zc)
		put_addr(sk, p, true, 0, &c.offender, &ol);
	if (sk->domain == AF_INET6)
		sock_put_cmsg(msg, cap, SOL_IPV6, IPV6_RECVERR, &c, sizeof(c.ee) + sizeof(struct sockaddr_in6));
	else
		sock_put_cmsg(msg, cap, SOL_IP, IP_RECVERR, &c, sizeof(c.ee) + sizeof(struct sockaddr_in));
	/* Linux sock_dequeue_err_skb: SO_ERROR becomes the next ICMP error's */
	sk->errq = p->next;
	if (sk->errq == NULL)
		sk->errq_tail = NULL;
	sk->errbytes -= p->len + ERRQ_OVERHEAD;
	struct pbuf *q = sk->errq;
	bool icmp_next = q && (q->m.ee_origin == SO_EE_ORIGIN_ICMP || q->m.ee_origin == SO_EE_ORIGIN_ICMP6);
	if (icmp_next)
		sk->err = q->m.ee_errno;
	else if (p->m.ee_origin == SO_EE_ORIGIN_ICMP || p->m.ee_origin == SO_EE_ORIGIN_ICMP6)
		sk->err = 0;
	pbuf_free(&sk->s->pc, p);
	sock_update_events(sk);
	return (ssize_t) n;
}

void sock_errq_flush(struct usock *sk) {
	pbuf_free_chain(&sk->s->pc, sk->errq);
	sk->errq = sk->errq_tail = NULL;
	sk->errbytes = 0;
}
