/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The socket layer: socket objects with Linux semantics on real fds.
 *
 * Each socket owns a readiness fd (socket/readyfd.h) whose events mirror
 * its state; the events are recomputed (sock_update_events) on state
 * transitions and the fd is changed only when they do. Blocking calls wait in sock_wait: the
 * first waiter of a stack reads the stack's VDE interfaces itself (its
 * frames wake it without the event thread), the others sleep on their
 * socket's futex word; both waits can be interrupted by signals. Either way a wait ends
 * on sock_wake(sk), which every change that may end a wait must call
 * (data, errors, close, shutdown, new timeouts).
 *
 * Descriptors: a socket is made with one (fd); F_DUPFD adds more, each in
 * the fd table, all of them the same open file (the readiness fd), as
 * dup(2) gives. Readiness changes go through ctlfd: fd until the first
 * dup, then a private duplicate, so that the program may close any of its
 * descriptors in any order. The last close releases the socket.
 *
 * Lifetime: the fd table holds one reference, every call in progress one
 * more; the last close drops the table's, the last reference frees. Lookups go
 * through the stack lock (the caller's stack is known: getstackdata), and
 * close removes the entry under the same lock, so a socket is never freed
 * under a caller.
 *
 * Protocol callbacks run with the stack lock held and return -errno. */
#ifndef USTACK_SOCKET_SOCK_H
#define USTACK_SOCKET_SOCK_H
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include "../core/stack.h"

struct usock;

struct proto_ops {
	int (*bind)(struct usock *sk, const struct sockaddr *a, socklen_t len);
	int (*connect)(struct usock *sk, const struct sockaddr *a, socklen_t len);
	/* len: total bytes of msg_iov */
	ssize_t (*sendmsg)(struct usock *sk, const struct msghdr *msg, size_t len, int flags);
	/* optional: stream protocols replace the datagram receive */
	ssize_t (*recvmsg)(struct usock *sk, struct msghdr *msg, int flags);
	/* source address of a queued datagram */
	void (*recvname)(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len);
	/* control messages of a queued datagram */
	void (*recvcmsg)(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap);
	int (*getname)(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer);
	int (*setsockopt)(struct usock *sk, int level, int name, const void *v, socklen_t len);
	int (*getsockopt)(struct usock *sk, int level, int name, void *v, socklen_t *len);
	/* remove from the protocol tables: no more input */
	void (*release)(struct usock *sk);
	/* optional: the last close, before the socket goes (lock held, may
	 * sleep in sock_wait): TCP's SO_LINGER with a time */
	void (*close_wait)(struct usock *sk);
	int (*shutdown)(struct usock *sk, int how);
	/* optional, stream protocols: listen, accept (a new socket made with
	 * sock_new_accepted, lock held), the poll events of the socket's
	 * state, ioctls (-ENOTTY: the generic ones) */
	int (*listen)(struct usock *sk, int backlog);
	int (*accept)(struct usock *sk, struct usock **child);
	uint32_t (*poll)(struct usock *sk);
	int (*ioctl)(struct usock *sk, unsigned long cmd, void *arg);
};

#define SOCK_MAX_MEMBERSHIPS 20   /* Linux igmp_max_memberships */

struct sock_mc {
	uint32_t group;
	int ifindex;
};

struct usock {
	struct usock *next, *prev;  /* all sockets of the stack */
	struct usock *pnext;        /* protocol table chain */
	struct ustack *s;
	int fd;                     /* the descriptor it was made with */
	int ctlfd;                  /* the descriptor readiness changes use */
	int nfds;                   /* the program's descriptors (dups) */
	int rfd_peer;               /* ustack's end of the readiness pair */
	int domain, type, protocol;
	const struct proto_ops *ops;
	int refs;
	bool closing, nonblock, shut_rd, shut_wr, connected, bound;
	/* accept() asks the new socket's peer address: given even when the
	 * connection was reset meanwhile (Linux inet_getname with peer 2) */
	bool accepting;
	int err;                    /* SO_ERROR */
	_Atomic uint32_t wseq;      /* futex word of the waiters: changed by sock_wake */
	int waiters;
	uint64_t wakes;             /* sock_wake calls: ends a wait */
	struct pbuf *rxq, *rxq_tail;
	size_t rxbytes;
	struct pbuf *errq, *errq_tail;  /* IP_RECVERR / IPV6_RECVERR errors */
	size_t errbytes;
	int rcvbuf, sndbuf;
	uint32_t ev;                /* events last given to the readiness fd */
	struct timeval rcvtimeo, sndtimeo;
	/* inet */
	uint32_t laddr, raddr;      /* network order */
	uint16_t lport, rport;      /* network order */
	int bound_if;               /* SO_BINDTODEVICE */
	int ttl, tos, mc_ttl;
	bool mc_loop, pktinfo, recvttl, recvtos, broadcast, reuseaddr, reuseport, hdrincl;
	bool keepalive, recverr, freebind;
	bool zerocopy;              /* SO_ZEROCOPY */
	uint32_t zckey;             /* MSG_ZEROCOPY: the next send call's number */
	uint32_t tsflags;           /* SO_TIMESTAMPING: SOF_TIMESTAMPING_* */
	bool ts_new;                /* set as SO_TIMESTAMPING_NEW */
	uint32_t tskey;             /* SOF_TIMESTAMPING_OPT_ID's counter */
	bool stamp_on;              /* SIOCGSTAMP was asked: arrivals are stamped */
	bool stamp_set;             /* a datagram was received: stamp_ns is its */
	uint64_t stamp_ns;          /* SIOCGSTAMP: arrival (0: unknown, now) */
	int mtu_discover, priority;
	uint32_t mark;                /* SO_MARK */
	struct linger linger;
	int mc_if;
	uint32_t mc_addr;
	struct sock_mc mcs[SOCK_MAX_MEMBERSHIPS];
	int nmcs;
	/* inet6 (AF_INET6 sockets; IPv4-mapped peers use the fields above) */
	uint8_t laddr6[16], raddr6[16];
	bool v6only, recvpktinfo6, recvhoplimit, mc_loop6, raddr_is6, recverr6;
	int mtu_discover6;          /* IPV6_MTU_DISCOVER */
	int hops, mc_hops, mc_if6, tclass6;
	int checksum_off;           /* IPV6_CHECKSUM, -1: none */
	uint32_t icmp6_filter[8];   /* ICMP6_FILTER: a set bit blocks the type */
	struct sock_mc6 {
		uint8_t group[16];
		int ifindex;
	} mcs6[SOCK_MAX_MEMBERSHIPS];
	int nmcs6;
	/* packet */
	int pk_ifindex;
	uint16_t pk_proto;          /* network order */
	/* netlink */
	uint32_t nl_pid, nl_groups;  /* nl_groups: RTNLGRP_* n is bit n-1 */
	bool nl_no_enobufs;         /* NETLINK_NO_ENOBUFS */
	uint64_t rx_drops;          /* Linux sk_drops: full queue, closing */
	bool rxq_ovfl;              /* SO_RXQ_OVFL */
	void *proto;                /* protocol state (TCP: struct tcp_pcb) */
};

/* socket/sock.c */
int sock_create(struct ustack *s, int domain, int type, int protocol);
/* A socket for a connection accepted on parent: same family, type, ops;
 * stack lock held. NULL with *err set (-errno). */
struct usock *sock_new_accepted(struct usock *parent, int *err);
/* Find fd's socket of stack s: returns it locked (stack lock) and
 * referenced, or NULL with errno EBADF/ENOTSOCK. */
struct usock *sock_get(struct ustack *s, int fd);
/* Drop the call's reference and unlock. */
void sock_put(struct usock *sk);
int sock_close(struct ustack *s, int fd);
/* fcntl(F_DUPFD / F_DUPFD_CLOEXEC): another descriptor of sk (lock held);
 * the new fd or -errno */
int sock_dup(struct usock *sk, int fd, int cmd, int min);
/* close in the child of a fork of a socket of an inherited stack (no
 * lock, nothing shared touched); -errno */
int sock_close_inherited(struct ustack *s, int fd);
void sock_update_events(struct usock *sk);
/* a TCP or a UDP socket: AF_INET or AF_INET6, SOCK_STREAM or
 * SOCK_DGRAM, of protocol 0 or the type's own */
static inline bool sock_is_tcp(const struct usock *sk) {
	return (sk->domain == AF_INET || sk->domain == AF_INET6) && sk->type == SOCK_STREAM &&
			(sk->protocol == 0 || sk->protocol == IPPROTO_TCP);
}

static inline bool sock_is_udp(const struct usock *sk) {
	return (sk->domain == AF_INET || sk->domain == AF_INET6) && sk->type == SOCK_DGRAM &&
			(sk->protocol == 0 || sk->protocol == IPPROTO_UDP);
}

/* sk out of a list of sockets chained through pnext (raw, ping, packet) */
static inline void sock_list_del(struct usock **head, struct usock *sk) {
	for (struct usock **pp = head; *pp; pp = &(*pp)->pnext)
		if (*pp == sk) {
			*pp = sk->pnext;
			return;
		}
}

/* The pending error, taken (Linux sock_error): -errno, or 0 */
static inline int sock_take_error(struct usock *sk) {
	int e = sk->err;
	sk->err = 0;
	sock_update_events(sk);
	return -e;
}
/* New data (or a new connection) arrived: when the socket is already
 * readable, a new EPOLLIN edge (Linux wakes its waiters on every
 * arrival, so EPOLLET reports it); call before sock_update_events. */
void sock_rx_edge(struct usock *sk);
/* What a queued datagram costs against SO_RCVBUF. Linux charges skb
 * truesize, the memory held. A datagram in a standard buffer is charged
 * its payload plus a fixed overhead, so many tiny ones also fill the
 * buffer; one that needed a 64 KiB buffer is charged that buffer, or a
 * flood of 2 KB datagrams would hold 28 times what SO_RCVBUF says. Netlink
 * replies are the exception: a dump is built at once (Linux paces it by
 * the reader), so its 16 KiB chunks are charged by content. */
static inline size_t sock_rx_cost(const struct usock *sk, const struct pbuf *p) {
	if (p->cap > PBUF_SMALL_CAP && sk->domain != AF_NETLINK)
		return sizeof(*p) + p->cap;
	return p->len + 256;
}
/* Queue a received datagram (p->data/len, p->m filled); consumes p.
 * Returns 0, or -ENOBUFS when the receive buffer is full (p freed). */
int sock_queue_rx(struct usock *sk, struct pbuf *p);
void sock_set_error(struct usock *sk, int err);
/* Sleep until sock_wake(sk) or the deadline (0: none) passes: -EAGAIN on
 * timeout; 0 may also be spurious (callers re-check their condition).
 * A signal handler that runs in the thread meanwhile either restarts the
 * wait or ends it as Linux's socket calls do (sock.c): it then returns
 * -EAGAIN as at a timeout, and sock_wait_was_interrupted() is true until
 * the next sock_wait_begin(): the protocols keep what they did (bytes
 * already sent or received) and the api layer turns the call's -EAGAIN,
 * or connect's -EINPROGRESS, into -EINTR. */
int sock_wait(struct usock *sk, uint64_t deadline);
void sock_wait_begin(void);
bool sock_wait_was_interrupted(void);
uint64_t sock_deadline(const struct timeval *tv);
void sock_wake(struct usock *sk);
/* Gather the iovec into dst (len bytes). */
void sock_copy_from_iov(uint8_t *dst, const struct msghdr *msg, size_t len);
size_t sock_copy_to_iov(const struct msghdr *msg, const uint8_t *src, size_t len);
/* Append a control message; cap is the caller's msg_controllen, while
 * msg_controllen counts what is used. */
int sock_put_cmsg(struct msghdr *msg, size_t cap, int level, int type, const void *data, size_t len);
/* Close every socket of a stack that is being deleted (none normally). */
int sock_count(struct ustack *s);
void sock_release_all(struct ustack *s);

/* socket/errqueue.c: the error queue (Linux ip_icmp_error, ipv6_icmp_error,
 * ip_recv_error): an ICMP error about a datagram the socket sent, with
 * the quoted data from payload on (the original datagram's, past its
 * transport header), the original destination (port in network order).
 * Bounded by the receive buffer together with the receive queue. Also
 * sets SO_ERROR, as Linux does. */
struct icmp_err;
void sock_queue_err(struct usock *sk, const struct icmp_err *e, const uint8_t *payload, size_t plen,
		uint16_t port);
/* A local error (Linux ip_local_error, SO_EE_ORIGIN_LOCAL): EMSGSIZE
 * with the MTU in ee_info. dst: 4 or 16 bytes as v6. */
void sock_queue_local_err(struct usock *sk, int err, bool v6, const uint8_t *dst, uint16_t port,
		uint32_t info);
/* recvmsg(MSG_ERRQUEUE): never blocks, -EAGAIN when empty */
ssize_t sock_recv_errqueue(struct usock *sk, struct msghdr *msg, int flags);
/* MSG_ZEROCOPY completions (Linux msg_zerocopy): the send calls lo..hi
 * are done with the caller's buffers. Queued as SO_EE_ORIGIN_ZEROCOPY,
 * code SO_EE_CODE_ZEROCOPY_COPIED (ustack always copies), merged into
 * the queue's last entry when that is a completion ending at lo - 1. */
void sock_zc_complete(struct usock *sk, uint32_t lo, uint32_t hi);
/* Whether a send call that succeeded takes a number (sk->zckey, from 0)
 * and a completion: MSG_ZEROCOPY, SO_ZEROCOPY on, data (len > 0); Linux
 * ignores the flag otherwise */
static inline bool sock_zc_call(const struct usock *sk, int flags, size_t len) {
	return sk->zerocopy && (flags & MSG_ZEROCOPY) && len;
}
void sock_errq_flush(struct usock *sk);
/* A transmit timestamp (Linux __skb_tstamp_tx into the error queue,
 * SO_EE_ORIGIN_TIMESTAMPING, ee_errno ENOMSG): tstype SCM_TSTAMP_SCHED,
 * _SND or _ACK in ee_info, key in ee_data (OPT_ID's, else 0), stamped now
 * (CLOCK_REALTIME), with len bytes of data looped back (none under
 * SOF_TIMESTAMPING_OPT_TSONLY). Bounded by the receive buffer. */
void sock_tx_tstamp(struct usock *sk, uint32_t tstype, uint32_t key, const uint8_t *data, size_t len);

/* SCM_TIMESTAMPING for a received datagram, as SO_TIMESTAMPING asks */
void sock_recv_timestamp(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap);
/* SCM_TIMESTAMPING with the software stamp ns (CLOCK_REALTIME) in ts[0] */
void sock_put_stamp(struct usock *sk, uint64_t ns, struct msghdr *msg, size_t cap);
/* Generic options (SOL_SOCKET) and datagram receive. */
int sock_setsockopt_generic(struct usock *sk, int level, int name, const void *v, socklen_t len);
int sock_getsockopt_generic(struct usock *sk, int level, int name, void *v, socklen_t *len);
ssize_t sock_dgram_recvmsg(struct usock *sk, struct msghdr *msg, int flags);
/* IPPROTO_IP options shared by UDP, ping and raw sockets */
int inet_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len);
int inet_getsockopt(struct usock *sk, int level, int name, void *v, socklen_t *len);
void inet_recvcmsg(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap);
/* The IPv4 datagram send path's ancillary data (UDP, raw without
 * IP_HDRINCL): IP_PKTINFO's ipi_ifindex sets *oif, its ipi_spec_dst the
 * source *src (Linux ip_cmsg_send). */
/* The IPv4 header fields a socket sets on what it sends (UDP, ping, raw):
 * the TTL (IP_MULTICAST_TTL to a group, else IP_TTL, 64 unset), IP_TOS,
 * SO_BROADCAST, IP_MULTICAST_LOOP; the rest of *tx zero. */
struct ip4_tx;
void inet_tx_init(const struct usock *sk, uint32_t src, uint32_t dst, uint8_t proto, struct ip4_tx *tx);
void inet_release_memberships(struct usock *sk);
int inet6_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len);
int inet6_getsockopt(struct usock *sk, int level, int name, void *v, socklen_t *len);
void inet6_recvcmsg(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap);
/* The IPv6 datagram send path's choices (UDP, raw): the source, the
 * outgoing interface and the hop limit, from the socket (inet6_tx_init:
 * bound address, SO_BINDTODEVICE, the destination's scope, IPV6_MULTICAST_IF,
 * IPV6_UNICAST_HOPS / IPV6_MULTICAST_HOPS) and then from sendmsg's
 * ancillary data (inet6_tx_cmsg, RFC 3542 6: IPV6_PKTINFO, IPV6_HOPLIMIT),
 * as Linux's ip6_datagram_send_ctl: a source that is not ours (without
 * IP_FREEBIND) or a hop limit outside -1..255 is -EINVAL; -1 is the
 * default. */
struct inet6_tx {
	uint8_t src[16];
	int oif;
	int hlim;
	bool hlim_default;            /* the interface's (an RA's) hop limit */
	int tclass;                   /* IPV6_TCLASS: the socket's, or sendmsg's */
};
void inet6_tx_init(struct usock *sk, const uint8_t *dst, uint32_t scope, struct inet6_tx *t);
int inet6_tx_cmsg(struct usock *sk, const struct msghdr *msg, struct inet6_tx *t);
/* the address of a received datagram as the socket's family sees it */
void inet_put_name(struct usock *sk, const struct pbuf *p, uint16_t port, struct sockaddr *a, socklen_t *len);
/* a sockaddr given by the user, as IPv4 (v4 or v4-mapped) or IPv6 */
struct inet_dst {
	bool v6;
	uint32_t a4;
	uint8_t a6[16];
	uint16_t port;
	uint32_t scope;
};
int inet_parse_addr(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d);
/* bind's address, for TCP and UDP: parsed into d (-EINVAL for an
 * IPv4-mapped one on a V6ONLY socket), then, once the socket's state is
 * checked, checked (Linux inet_bind, __inet6_bind): the stack's own (an
 * IPv6 one past DAD) unless IP_FREEBIND, or an IPv4 multicast or
 * broadcast one; IPv6 multicast only where mcast6 (UDP; TCP: -EINVAL).
 * A link-local address's interface in *oif (its scope id must be it). */
int inet_bind_parse(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d);
int inet_bind_check(struct usock *sk, const struct inet_dst *d, bool mcast6, int *oif);
/* Shapes shared by the datagram sockets of both families (ping, raw):
 * options and ancillary data of the socket's family */
/* The calls every inet datagram socket (UDP, raw, ping) shares, in its
 * proto_ops: the options and the received datagrams' cmsgs, by family */
#define INET_DGRAM_OPS \
	.recvcmsg = inet_dgram_recvcmsg, \
	.setsockopt = inet_dgram_setsockopt, \
	.getsockopt = inet_dgram_getsockopt
int inet_dgram_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len);
int inet_dgram_getsockopt(struct usock *sk, int level, int name, void *v, socklen_t *len);
void inet_dgram_recvcmsg(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap);
/* a sender's address without a port */
void inet_dgram_recvname(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len);
/* an address of the socket's own family (an AF_INET6 socket refuses
 * IPv4-mapped ones: -EINVAL) */
int inet_parse_own(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d);
/* sendmsg's destination: msg_name, else the peer (-EDESTADDRREQ) */
int inet_msg_dst(struct usock *sk, const struct msghdr *msg, struct inet_dst *d);
/* connect's address (ping, raw): 1 when it is AF_UNSPEC and the peer is
 * forgotten, else 0 with d parsed (inet_parse_own) or -errno */
int inet_dgram_connect_dst(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d);
/* connect: d becomes the peer */
void inet_set_peer(struct usock *sk, const struct inet_dst *d);
/* getsockname/getpeername: local address with lport, or the peer's (-ENOTCONN) */
int inet_dgram_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer, uint16_t lport);
/* ioctl.c: a request on the stack's copy of its argument; how that
 * argument is copied from and to the caller (SOCK_IOCTL_*, its size) */
int sock_ioctl(struct usock *sk, unsigned long cmd, void *arg);
#define SOCK_IOCTL_NONE 0
#define SOCK_IOCTL_IN 1
#define SOCK_IOCTL_OUT 2
int sock_ioctl_arg(unsigned long cmd, size_t *size);
/* a receive call gave p: its arrival is SIOCGSTAMP's answer */
void sock_stamp_received(struct usock *sk, const struct pbuf *p);

/* A socket constructor for a family and type (FreeBSD's protosw), that a
 * protocol registers with the socket layer: protocol -1 takes any
 * protocol. sock_create looks the three up; a family nobody registered is
 * EAFNOSUPPORT, a type nobody registered for it ESOCKTNOSUPPORT, a protocol
 * EPROTONOSUPPORT (Linux's errnos). */
struct sock_proto {
	int domain, type, protocol;
	int (*init)(struct usock *sk);
};
/* the n entries of p (static); 0, or -ENOSPC when the stack's table is full */
int sock_proto_register(struct ustack *s, const struct sock_proto *p, size_t n);
/* Each protocol's registration with the layers below (its table slots,
 * hooks and socket constructors), called by ustack_create; 0 or -errno. */
int udp_register(struct ustack *s);
int ping_register(struct ustack *s);
int raw_register(struct ustack *s);
int packet_register(struct ustack *s);
int netlink_register(struct ustack *s);
int tcp_register(struct ustack *s);
/* The ephemeral ports of UDP and TCP (RFC 6056 section 2.1): Linux's
 * default ip_local_port_range, defined here only. Each protocol keeps its
 * own search cursor, started at a random point of the range
 * (inet_port_seed); inet_port_next returns the port at the cursor (host
 * order) and moves it on, wrapping around: a caller tries at most
 * INET_PORT_COUNT of them. */
#define INET_PORT_LO 32768
#define INET_PORT_HI 60999
#define INET_PORT_COUNT (INET_PORT_HI - INET_PORT_LO + 1)
uint16_t inet_port_seed(struct ustack *s);
uint16_t inet_port_next(uint16_t *cursor);
/* protocol constructors: fill sk->ops and tables; -errno */
int udp_sock_init(struct usock *sk);
int ping_sock_init(struct usock *sk);
int raw_sock_init(struct usock *sk);
int packet_sock_init(struct usock *sk);
int netlink_sock_init(struct usock *sk);
int tcp_sock_init(struct usock *sk);
/* tcp/: free every connection of a stack being deleted (lock held) */
void tcp_flush_stack(struct ustack *s);

static inline int int_opt(const void *v, socklen_t len, int *out) {
	if (v == NULL)
		return -EFAULT;
	if (len >= (socklen_t) sizeof(int)) {
		*out = *(const int *) v;
		return 0;
	}
	if (len >= 1) {
		*out = *(const unsigned char *) v;
		return 0;
	}
	return -EINVAL;
}
int put_int_opt(void *v, socklen_t *len, int val);
/* Options whose value is one field of the socket (socket/sockopt.c):
 * set a flag without a check (false: not such an option); read any
 * (1, in *val; 0: not such an option; -EFAULT, -EINVAL: a bad *len,
 * whatever the option, as Linux's getsockopts check it first). */
/* sk joins (join) or leaves group (4 or 16 bytes, as v6) on ifp, for
 * IP_ADD/DROP_MEMBERSHIP and IPV6_JOIN/LEAVE_GROUP: 0, -EADDRINUSE (a
 * member already), -EADDRNOTAVAIL (not a member), -ENOBUFS (too many) */
int sock_mc_change(struct usock *sk, struct netif *ifp, bool v6, const void *group, bool join);
bool sock_opt_set_flag(struct usock *sk, int level, int name, int val);
/* An int option's value into *val (whole: no shorter than an int, as
 * SOL_SOCKET and IPv6 want; else one byte will do, as IPv4), set when
 * the option is a plain flag: <0 an error, 1 set, 0 *val to be used. */
int sock_opt_set_int(struct usock *sk, int level, int name, const void *v, socklen_t len,
		bool whole, int *val);
int sock_opt_get_plain(const struct usock *sk, int level, int name, const socklen_t *len, int *val);
#endif
