/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sock.h"

#include "../link/link.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/net_tstamp.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <signal.h>
#include <linux/futex.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "readyfd.h"
#include "../../util/fdtab.h"

/* --- the process-wide fd -> socket table ---
 * A struct fdtab (src/util/fdtab.h): a lookup is two atomic loads, no
 * lock. Writers (create, close) hold the lock of the socket's stack. */
static struct fdtab fdt;

static struct usock *fdt_get(int fd) {
	return (struct usock *) fdtab_get(&fdt, fd);
}

static int fdt_set(int fd, struct usock *sk) {
	int rv = fdtab_set(&fdt, fd, (uintptr_t) sk);
	return rv == -EBADF ? -EMFILE : rv;
}

/* The pages live as long as the process (the table is process-wide);
 * released when the plugin is unloaded so that leak checkers stay quiet. */
__attribute__((destructor)) static void fdt_free(void) {
	fdtab_free(&fdt);
}

int put_int_opt(void *v, socklen_t *len, int val) {
	/* Linux (TCP, IPv6, SOL_SOCKET): the int cut to the caller's length */
	if (len == NULL)
		return -EFAULT;
	if (*len > (socklen_t) sizeof(int))
		*len = sizeof(int);
	if (*len == 0)
		return 0;
	if (v == NULL)
		return -EFAULT;
	memcpy(v, &val, *len);
	return 0;
}

uint64_t sock_deadline(const struct timeval *tv) {
	if (tv->tv_sec == 0 && tv->tv_usec == 0)
		return 0;
	return rt_now() + (uint64_t) tv->tv_sec * 1000000000ull + (uint64_t) tv->tv_usec * 1000ull;
}

/* The waiters that are not the stack's input waiter sleep on the futex
 * word wseq (FUTEX_WAIT): a wake changes it and wakes them all. */
static long futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *ts) {
	return syscall(SYS_futex, w, op | FUTEX_PRIVATE_FLAG, val, ts, NULL, FUTEX_BITSET_MATCH_ANY);
}

void sock_wake(struct usock *sk) {
	struct ustack *s = sk->s;
	sk->wakes++;
	atomic_fetch_add_explicit(&sk->wseq, 1, memory_order_release);
	if (sk->waiters)
		futex(&sk->wseq, FUTEX_WAKE, INT_MAX, NULL);
	/* the waiter that reads the interfaces sleeps in poll, not on wseq
	 * (when it wakes itself, processing input, it is not polling) */
	if (s->input_waiter == sk && s->input_polling) {
		uint64_t one = 1;
		ssize_t r = write(s->wakefd, &one, sizeof(one));
		(void) r;
	}
}

/* --- interruption by signals ---
 * Linux's socket calls (signal(7), "Interruption of system calls"): a
 * blocking call during which a handler runs in the calling thread fails
 * with EINTR, or is restarted when the handler has SA_RESTART; with a
 * timeout set (SO_RCVTIMEO, SO_SNDTIMEO) it fails with EINTR whatever the
 * flags. A waiter on the futex gets exactly that from the kernel itself:
 * FUTEX_WAIT without a timeout is restarted after an SA_RESTART handler,
 * with one it returns EINTR after any handler. The input waiter sleeps in
 * poll, which returns EINTR after any handler and does not say which
 * signal it was: without a timeout the wait goes on when every signal
 * that can reach this thread (not blocked in it) and has a handler has
 * SA_RESTART, else the call fails with EINTR. The synchronous fault
 * signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS) are left out:
 * a thread asleep in poll does not fault, and sanitizers keep handlers
 * there. A program with both kinds of handlers may so see EINTR where Linux
 * restarts (POSIX allows it; such a program must handle EINTR anyway). */
static __thread bool wait_interrupted;

static bool restart_after_handler(void) {
	sigset_t blocked;
	if (pthread_sigmask(SIG_BLOCK, NULL, &blocked) != 0)
		sigemptyset(&blocked);
	for (int sig = 1; sig < NSIG; sig++) {
		switch (sig) {
		case SIGKILL:
		case SIGSTOP:
		case SIGSEGV:
		case SIGBUS:
		case SIGFPE:
		case SIGILL:
		case SIGTRAP:
		case SIGSYS:
			continue;
		}
		if (sigismember(&blocked, sig) == 1)
			continue;
		struct sigaction sa;
		if (sigaction(sig, NULL, &sa) != 0)
			continue;   /* glibc's own signals: EINVAL */
		bool handler = (sa.sa_flags & SA_SIGINFO) ? sa.sa_sigaction != NULL
				: sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN;
		if (handler && !(sa.sa_flags & SA_RESTART))
			return false;
	}
	return true;
}

void sock_wait_begin(void) {
	wait_interrupted = false;
}

bool sock_wait_was_interrupted(void) {
	return wait_interrupted;
}

/* Interfaces a waiting caller reads itself; a stack has lo and one VDE
 * interface per VNL, rarely more. */
#define SOCK_INPUT_MAX 8

/* Wait by reading the stack's interfaces in this thread (link_claim):
 * the frame that makes the socket ready is processed here, so the wait
 * ends without a wake-up by the event thread. 1: not possible now (no VDE
 * interface, another caller already does it, no eventfd): wait on the futex. */
static int sock_wait_input(struct usock *sk, uint64_t deadline) {
	struct ustack *s = sk->s;
	struct pollfd pfd[SOCK_INPUT_MAX + 1];
	if (s->input_waiter || rt_in_event_thread())
		return 1;
	if (s->wakefd < 0)
		s->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wakefd < 0)
		return 1;
	int n = link_claim(s, pfd + 1, SOCK_INPUT_MAX);
	if (n == 0)
		return 1;
	pfd[0] = (struct pollfd) {.fd = s->wakefd, .events = POLLIN};
	s->input_waiter = sk;
	uint64_t wakes = sk->wakes;
	int rc = 0;
	while (sk->wakes == wakes && !sk->closing) {
		int timeout = -1;
		if (deadline) {
			uint64_t t = rt_now();
			if (t >= deadline) {
				rc = -EAGAIN;
				break;
			}
			/* whole milliseconds, rounded up: never wake early and spin */
			timeout = (int) ((deadline - t + 999999) / 1000000);
		}
		link_flush(s);
		link_claim_events(s, pfd + 1, n);
		s->input_polling = true;
		stack_unlock(s);
		int k = poll(pfd, (nfds_t) n + 1, timeout);
		int perr = errno;
		/* poll returns EINTR only after a handler ran (a stop and
		 * continue restarts it in the kernel) */
		bool intr = k < 0 && perr == EINTR && (deadline || !restart_after_handler());
		stack_lock(s);
		s->input_polling = false;
		if (intr) {
			rc = -EINTR;
			break;
		}
		if (k <= 0)
			continue;
		if (pfd[0].revents) {
			uint64_t v;
			ssize_t r = read(s->wakefd, &v, sizeof(v));
			(void) r;
		}
		s->input_running = true;
		link_claimed_input(s, pfd + 1, n);
		s->input_running = false;
	}
	s->input_waiter = NULL;
	link_release(s);
	return rc;
}

/* Sleep on sk's futex word until a wake changes it, the deadline passes
 * or a handler interrupts (see above): 0, -EAGAIN or -EINTR. */
static int sock_wait_futex(struct usock *sk, uint64_t deadline) {
	uint32_t seq = atomic_load_explicit(&sk->wseq, memory_order_acquire);
	struct timespec ts, *tp = NULL;
	if (deadline) {
		/* FUTEX_WAIT_BITSET: an absolute CLOCK_MONOTONIC time, as rt_now */
		ts.tv_sec = (time_t) (deadline / 1000000000ull);
		ts.tv_nsec = (long) (deadline % 1000000000ull);
		tp = &ts;
	}
	sk->waiters++;
	stack_unlock(sk->s);
	long r = futex(&sk->wseq, FUTEX_WAIT_BITSET, seq, tp);
	int e = r < 0 ? errno : 0;
	stack_lock(sk->s);
	sk->waiters--;
	if (e == ETIMEDOUT)
		return -EAGAIN;
	if (e == EINTR)
		return -EINTR;
	return 0;   /* woken, or wseq had changed already (EAGAIN) */
}

int sock_wait(struct usock *sk, uint64_t deadline) {
	int rc = sock_wait_input(sk, deadline);
	if (rc == 1)
		rc = sock_wait_futex(sk, deadline);
	if (rc == -EINTR) {
		/* the protocols end the wait as at a timeout, keeping what they
		 * did; the api turns their EAGAIN / EINPROGRESS into EINTR */
		wait_interrupted = true;
		return -EAGAIN;
	}
	return rc;
}

void sock_update_events(struct usock *sk) {
	uint32_t ev = 0;
	/* What the caller waiting in sock_wait_input processes for its own
	 * socket, it consumes before anyone else could: its call brings the
	 * fd up to date when it ends (sock_put), sparing a set and a clear
	 * per datagram. Changes made by other threads apply at once. */
	if (sk->closing || (sk->s->input_waiter == sk && sk->s->input_running))
		return;
	if (sk->ops && sk->ops->poll) {
		ev = sk->ops->poll(sk);
		goto apply;
	}
	/* a queued error is POLLERR, which the readiness fd cannot carry:
	 * POLLIN makes it seen */
	if (sk->rxq || sk->err || sk->errq || sk->shut_rd)
		ev |= EPOLLIN;
	if (sk->shut_rd)
		ev |= EPOLLRDHUP;
	if (sk->err || sk->errq)
		ev |= EPOLLERR;
	if (sk->shut_rd && sk->shut_wr)
		ev |= EPOLLHUP;
	/* datagram sockets never fill their send buffer: every send goes out */
	ev |= EPOLLOUT;
apply:;
	/* only the bits that change: each costs a syscall (socket/readyfd.h) */
	uint32_t on = ev & ~sk->ev, off = sk->ev & ~ev;
	sk->ev = ev;
	if (on | off)
		readyfd_change(sk->ctlfd, sk->rfd_peer, on, off);
}

void sock_rx_edge(struct usock *sk) {
	if (sk->closing || (sk->s->input_waiter == sk && sk->s->input_running))
		return;
	if (sk->ev & EPOLLIN)
		readyfd_edge(sk->ctlfd, sk->rfd_peer);
}

int sock_queue_rx(struct usock *sk, struct pbuf *p) {
	struct ustack *s = sk->s;
	size_t cost = sock_rx_cost(sk, p);
	if (sk->closing || sk->shut_rd || sk->rxbytes + cost > (size_t) sk->rcvbuf) {
		sk->rx_drops++;
		pbuf_free(&s->pc, p);
		return -ENOBUFS;
	}
	p->next = NULL;
	/* Linux sock_skb_set_dropcount: the drops so far ride with the datagram */
	p->m.drops = sk->rxq_ovfl ? (uint32_t) sk->rx_drops : 0;
	/* SO_TIMESTAMPING's software receive stamp: the arrival (the input
	 * path runs through to here at once); none on netlink (Linux) */
	p->m.rx_ns = 0;
	if ((sk->tsflags & (SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE)) && sk->domain != AF_NETLINK) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		p->m.rx_ns = (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
	}
	if (sk->rxq_tail)
		sk->rxq_tail->next = p;
	else
		sk->rxq = p;
	sk->rxq_tail = p;
	sk->rxbytes += cost;
	if (sk->rxq == p) {
		sock_update_events(sk);
		sock_wake(sk);
	}
	return 0;
}

void sock_set_error(struct usock *sk, int err) {
	sk->err = err;
	sock_update_events(sk);
	sock_wake(sk);
}

void sock_copy_from_iov(uint8_t *dst, const struct msghdr *msg, size_t len) {
	for (size_t i = 0; i < (size_t) msg->msg_iovlen && len; i++) {
		size_t n = msg->msg_iov[i].iov_len < len ? msg->msg_iov[i].iov_len : len;
		if (n)
			memcpy(dst, msg->msg_iov[i].iov_base, n);
		dst += n;
		len -= n;
	}
}

size_t sock_copy_to_iov(const struct msghdr *msg, const uint8_t *src, size_t len) {
	size_t done = 0;
	for (size_t i = 0; i < (size_t) msg->msg_iovlen && done < len; i++) {
		size_t n = msg->msg_iov[i].iov_len < len - done ? msg->msg_iov[i].iov_len : len - done;
		if (n)
			memcpy(msg->msg_iov[i].iov_base, src + done, n);
		done += n;
	}
	return done;
}

int sock_put_cmsg(struct msghdr *msg, size_t cap, int level, int type, const void *data, size_t len) {
	size_t used = msg->msg_controllen;
	if (msg->msg_control == NULL || used + CMSG_SPACE(len) > cap) {
		msg->msg_flags |= MSG_CTRUNC;
		return -ENOBUFS;
	}
	struct cmsghdr *c = (struct cmsghdr *) ((char *) msg->msg_control + used);
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	msg->msg_controllen = used + CMSG_SPACE(len);
	return 0;
}

/* --- creation, lookup, close --- */

/* A socket object with its readiness fd and Linux's defaults; NULL and errno. */
static struct usock *sock_alloc(struct ustack *s, int domain, int type, int protocol, int flags) {
	struct usock *sk = calloc(1, sizeof(*sk));
	if (sk == NULL)
		return errno = ENOMEM, NULL;
	sk->fd = readyfd_open(&sk->rfd_peer, flags & SOCK_CLOEXEC);
	sk->ctlfd = sk->fd;
	sk->nfds = 1;
	if (sk->fd < 0) {
		int e = errno;
		free(sk);
		return errno = e, NULL;
	}
	sk->s = s;
	sk->domain = domain;
	sk->type = type;
	sk->protocol = protocol;
	sk->refs = 1;
	sk->ev = EPOLLOUT;
	sk->nonblock = !!(flags & SOCK_NONBLOCK);
	sk->rcvbuf = 212992;  /* Linux rmem_default */
	sk->sndbuf = 212992;
	sk->ttl = -1;
	sk->mc_ttl = 1;
	sk->mc_loop = true;
	sk->mc_loop6 = true;
	sk->hops = -1;
	sk->mc_hops = 1;
	sk->checksum_off = -1;
	/* Linux ip_no_pmtu_disc=0: path MTU discovery wanted */
	sk->mtu_discover = IP_PMTUDISC_WANT;
	sk->mtu_discover6 = IPV6_PMTUDISC_WANT;
	return sk;
}

static void sock_link(struct ustack *s, struct usock *sk) {
	sk->next = s->socks;
	if (s->socks)
		s->socks->prev = sk;
	s->socks = sk;
	s->nsocks++;
}

struct usock *sock_new_accepted(struct usock *parent, int *err) {
	struct ustack *s = parent->s;
	struct usock *sk = sock_alloc(s, parent->domain, parent->type, parent->protocol, 0);
	if (sk == NULL) {
		*err = -errno;
		return NULL;
	}
	sk->ops = parent->ops;
	*err = fdt_set(sk->fd, sk);
	if (*err < 0) {
		readyfd_close(sk->fd, sk->rfd_peer);
		free(sk);
		return NULL;
	}
	sock_link(s, sk);
	return sk;
}

int sock_proto_register(struct ustack *s, const struct sock_proto *p, size_t n) {
	size_t max = sizeof(s->sock_protos) / sizeof(s->sock_protos[0]);
	if ((size_t) s->nsock_protos + n > max)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		s->sock_protos[s->nsock_protos++] = &p[i];
	return 0;
}

int sock_create(struct ustack *s, int domain, int type, int protocol) {
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int (*init)(struct usock *) = NULL;
	bool family = false, family_type = false;
	for (int i = 0; i < s->nsock_protos && init == NULL; i++) {
		const struct sock_proto *p = s->sock_protos[i];
		if (p->domain != domain)
			continue;
		family = true;
		if (p->type != type)
			continue;
		family_type = true;
		if (p->protocol == -1 || p->protocol == protocol)
			init = p->init;
	}
	if (init == NULL)
		return errno = !family ? EAFNOSUPPORT : !family_type ? ESOCKTNOSUPPORT : EPROTONOSUPPORT, -1;
	if (type == SOCK_RAW && (domain == AF_INET || domain == AF_INET6) && (protocol <= 0 || protocol > 255))
		return errno = EPROTONOSUPPORT, -1;
	struct usock *sk = sock_alloc(s, domain, type, protocol, flags);
	if (sk == NULL)
		return -1;
	stack_lock(s);
	int err = init(sk);
	if (err == 0)
		err = fdt_set(sk->fd, sk);
	if (err < 0) {
		if (sk->ops && sk->ops->release)
			sk->ops->release(sk);
		stack_unlock(s);
		readyfd_close(sk->fd, sk->rfd_peer);
		free(sk);
		return errno = -err, -1;
	}
	sock_link(s, sk);
	stack_unlock(s);
	return sk->fd;
}

struct usock *sock_get(struct ustack *s, int fd) {
	sock_wait_begin();   /* every call starts uninterrupted */
	if (s == NULL) {
		errno = EBADF;
		return NULL;
	}
	stack_lock(s);
	struct usock *sk = fdt_get(fd);
	if (sk == NULL || sk->s != s || sk->closing) {
		stack_unlock(s);
		errno = EBADF;
		return NULL;
	}
	sk->refs++;
	return sk;
}

static void sock_free(struct usock *sk) {
	struct ustack *s = sk->s;
	pbuf_free_chain(&s->pc, sk->rxq);
	sock_errq_flush(sk);
	free(sk);
}

void sock_put(struct usock *sk) {
	struct ustack *s = sk->s;
	sock_update_events(sk);
	bool last = --sk->refs == 0;
	if (last)
		sock_free(sk);
	stack_unlock(s);
}

/* Unhook a socket from everything; the caller holds the stack lock. fd:
 * the program's last descriptor of it. */
static void sock_detach(struct usock *sk, int fd) {
	struct ustack *s = sk->s;
	sk->closing = true;
	fdt_set(fd, NULL);
	if (sk->ops->release)
		sk->ops->release(sk);
	if (sk->prev)
		sk->prev->next = sk->next;
	else
		s->socks = sk->next;
	if (sk->next)
		sk->next->prev = sk->prev;
	s->nsocks--;
	/* blocked callers in other threads return EBADF */
	sock_wake(sk);
	if (sk->ctlfd != fd)
		readyfd_close_one(sk->ctlfd);
	readyfd_close(fd, sk->rfd_peer);
}

int sock_dup(struct usock *sk, int fd, int cmd, int min) {
	if (sk->ctlfd == sk->fd && sk->nfds == 1) {
		/* ustack's own descriptor first: fd may be closed before the dup */
		int own = readyfd_dup(fd, F_DUPFD_CLOEXEC, 0);
		if (own < 0)
			return own;
		sk->ctlfd = own;
	}
	int nfd = readyfd_dup(fd, cmd, min);
	if (nfd < 0)
		return nfd;
	int err = fdt_set(nfd, sk);
	if (err < 0) {
		readyfd_close_one(nfd);
		return err;
	}
	sk->nfds++;
	return nfd;
}

int sock_close(struct ustack *s, int fd) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	if (sk->nfds > 1) {
		/* another descriptor still holds the socket, as close(2) of a dup */
		sk->nfds--;
		fdt_set(fd, NULL);
		readyfd_close_one(fd);
		sock_put(sk);
		return 0;
	}
	if (sk->ops->close_wait) {
		sk->ops->close_wait(sk);
		if (sk->closing || fdt_get(fd) != sk) {
			/* another thread closed it meanwhile */
			sock_put(sk);
			return 0;
		}
	}
	sock_detach(sk, fd);
	sk->refs--;  /* the table's reference */
	sock_put(sk);
	return 0;
}

/* A child's close of an inherited socket: its own descriptor only; the
 * socket, its stack and the parent's descriptors are untouched (the
 * child's copy of ustack's end stays open until exec or exit: closing it
 * here could close a number reused since). */
int sock_close_inherited(struct ustack *s, int fd) {
	struct usock *sk = fdt_get(fd);
	if (sk == NULL || sk->s != s)
		return -EBADF;
	fdt_set(fd, NULL);
	readyfd_close_one(fd);
	return 0;
}

int sock_count(struct ustack *s) {
	stack_lock(s);
	int n = s->nsocks;
	stack_unlock(s);
	return n;
}

void sock_release_all(struct ustack *s) {
	stack_lock(s);
	while (s->socks) {
		struct usock *sk = s->socks;
		sock_detach(sk, sk->fd);
		if (--sk->refs == 0)
			sock_free(sk);
	}
	stack_unlock(s);
}
