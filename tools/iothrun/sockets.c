/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothrun: libc's socket calls, interposed. A socket of a network family
 * (AF_INET, AF_INET6, AF_PACKET, AF_NETLINK/NETLINK_ROUTE and
 * NETLINK_SOCK_DIAG) is made on the
 * process's stack with ioth_msocket; every later call on its descriptor
 * goes to the ioth_ function of the same name. Everything else (AF_UNIX,
 * other netlink families, files, pipes) is libc's.
 *
 * Built without _GNU_SOURCE on purpose: glibc then declares the socket calls
 * with plain `struct sockaddr *` (not the transparent unions of GNU mode),
 * the types our definitions have. poll, select and epoll are not touched:
 * an ioth socket is a real descriptor whose readiness is the socket's. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ioth.h>
#include "iothrun_int.h"

/* GNU declarations we may not see without _GNU_SOURCE */
int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);
int dup3(int oldfd, int newfd, int flags);
int close_range(unsigned int first, unsigned int last, int flags);
void closefrom(int lowfd);
int fcntl64(int fd, int cmd, ...);
ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
		struct sockaddr *from, socklen_t *fromlen);
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Is fd an ioth socket, for a call of the program? Not for the libraries'
 * own threads (ustack's event thread, libiothconf's timers...). */
static inline int ours_from(int fd, const void *caller) {
	iothrun_resolve_libc();
	return iothrun_inside == 0 && fdset_get(fd) != 0 && !iothrun_internal_caller(caller);
}
#define ours(fd) ours_from(fd, __builtin_return_address(0))

int iothrun_ours(int fd, const void *caller) {
	return ours_from(fd, caller);
}

/* Families that belong to the network, hence to the stack. */
static int network_family(int domain, int protocol) {
	switch (domain) {
	case AF_INET:
	case AF_INET6:
	case AF_PACKET:
		return 1;
	case AF_NETLINK:
		/* `ip addr` and `ss` see the stack */
		return protocol == NETLINK_ROUTE || protocol == NETLINK_SOCK_DIAG;
	default:
		return 0;
	}
}

/* A new descriptor of the stack: remember it, and whether it is a kernel
 * socket (vdestack, kernel plugins: a dup of it is a working socket). */
static int track(int fd, const char *call) {
	if (fd < 0)
		return fd;
	/* (ustack's descriptors are AF_UNIX sockets: readiness pairs) */
	int domain;
	socklen_t len = sizeof(domain);
	int kernel = libc.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
		domain != AF_UNIX;
	int type = 0;
	len = sizeof(type);
	IOTHRUN_CALL(ioth_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len));
	fdset_set(fd, IOTHRUN_FD_IOTH | (kernel ? IOTHRUN_FD_KERNEL : 0) |
			(type == SOCK_STREAM ? IOTHRUN_FD_STREAM : 0));
	if (iothrun_debug)
		iothrun_log("iothrun: %s -> fd %d on the stack%s", call, fd, kernel ? " (kernel socket)" : "");
	return fd;
}

EXPORT int socket(int domain, int type, int protocol) {
	iothrun_resolve_libc();
	if (iothrun_inside || !network_family(domain, protocol) ||
			iothrun_internal_caller(__builtin_return_address(0)) || !iothrun_ready())
		return libc.socket(domain, type, protocol);
	if (iothrun_remote)
		return iothrun_remote_socket(domain, type, protocol);
	int fd = IOTHRUN_CALL(ioth_msocket(iothrun_stack, domain, type, protocol));
	return track(fd, "socket");
}

static void untrack_close(int fd) {
	if (iothrun_remote_fd(fd)) {
		iothrun_remote_close(fd);
		return;
	}
	fdset_clear(fd);
	IOTHRUN_CALL(ioth_close(fd));
}

/* ------------------------------------------------------------ lingering
 * A user-space stack lives in the process: when the program closes a TCP
 * connection and exits, the data still queued (and the FIN) would die with
 * it, where the kernel would have delivered them; so would a datagram
 * waiting for ARP (vdestack's namespace goes at exit). So a close of a
 * connection that still has something to send becomes a shutdown(SHUT_WR),
 * a close of another socket whose SIOCOUTQ is not zero is postponed;
 * the descriptor is closed for real once the peer has acknowledged all,
 * FIN included (swept at every close), or at exit, where we wait for them
 * (bounded by $IOTHRUN_LINGER seconds). SO_LINGER with a zero time still
 * aborts at once, as on Linux. Last, we wait for the neighbour resolutions
 * in progress: the packets they hold were sent, as far as the program knows. */

static pthread_mutex_t linger_lock = PTHREAD_MUTEX_INITIALIZER;
static int *lingering;
static size_t nlingering, caplingering;

/* Everything sent and acknowledged, FIN included (or nothing to wait for). */
static int drained(int fd) {
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	if ((fdset_get(fd) & IOTHRUN_FD_STREAM) && IOTHRUN_CALL(ioth_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) == 0 && len >= 1)
		return ti.tcpi_state != TCP_ESTABLISHED && ti.tcpi_state != TCP_FIN_WAIT1 &&
			ti.tcpi_state != TCP_CLOSING && ti.tcpi_state != TCP_LAST_ACK &&
			ti.tcpi_state != TCP_CLOSE_WAIT && ti.tcpi_state != TCP_SYN_SENT &&
			ti.tcpi_state != TCP_SYN_RECV;
	int outq = 0;
	if (IOTHRUN_CALL(ioth_ioctl(fd, SIOCOUTQ, &outq)) == 0)
		return outq == 0;
	return 1;
}

/* Should closing fd wait for its data to be delivered? */
static int wants_linger(int fd) {
	struct linger lg = {0};
	socklen_t len = sizeof(lg);
	if (IOTHRUN_CALL(ioth_getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len)) == 0 &&
			lg.l_onoff && lg.l_linger == 0)
		return 0;
	return !drained(fd);
}

static void sweep_locked(void) {
	size_t j = 0;
	for (size_t i = 0; i < nlingering; i++) {
		if (drained(lingering[i]))
			IOTHRUN_CALL(ioth_close(lingering[i]));
		else
			lingering[j++] = lingering[i];
	}
	nlingering = j;
}

/* Turn fd's close into a half close; 0, or -1 if it must be closed now. */
static int linger(int fd) {
	pthread_mutex_lock(&linger_lock);
	sweep_locked();
	if (nlingering == caplingering) {
		size_t cap = caplingering ? 2 * caplingering : 16;
		int *n = realloc(lingering, cap * sizeof(*n));
		if (n == NULL) {
			pthread_mutex_unlock(&linger_lock);
			return -1;
		}
		lingering = n;
		caplingering = cap;
	}
	if (fdset_get(fd) & IOTHRUN_FD_STREAM)
		IOTHRUN_CALL(ioth_shutdown(fd, SHUT_WR));
	lingering[nlingering++] = fd;
	pthread_mutex_unlock(&linger_lock);
	if (iothrun_debug)
		iothrun_log("iothrun: close of fd %d waits for its data to be delivered", fd);
	return 0;
}

static void linger_open(int fd) {
	if (wants_linger(fd) && linger(fd) == 0)
		fdset_clear(fd);
}

static void close_open(int fd) {
	fdset_clear(fd);
	IOTHRUN_CALL(ioth_close(fd));
}

/* Is a neighbour (ARP, NDP) being resolved on the stack? Its queue holds
 * packets already "sent" (datagrams: sendto returned) that would die with
 * the process. Asked through rtnetlink, as `ip neigh` does. */
static int neigh_pending(void) {
	int fd = ioth_msocket(iothrun_stack, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return 0;
	struct timeval tv = {1, 0};
	ioth_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req = {
		.h = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
		.nd = {.ndm_family = AF_UNSPEC},
	};
	int pending = 0;
	if (ioth_send(fd, &req, sizeof(req), 0) != (ssize_t) sizeof(req))
		goto out;
	static __thread char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (int done = 0; !done;) {
		ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n);
				h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (h->nlmsg_type != RTM_NEWNEIGH || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ndmsg)))
				continue;
			struct ndmsg *nd = NLMSG_DATA(h);
			if (nd->ndm_state & NUD_INCOMPLETE)
				pending = 1;
		}
	}
out:
	ioth_close(fd);
	return pending;
}

/* The end of the process (preload.c's destructor calls it through
 * iothrun_on_exit): TCP connections still sending are given up to
 * $IOTHRUN_LINGER seconds (default 10) to deliver what they hold, then
 * every socket of the stack is closed. */
static void sockets_at_exit(void) {
	/* sockets left open by the program count as closed now */
	fdset_foreach(0, (unsigned int) __INT_MAX__, linger_open);
	const char *env = getenv("IOTHRUN_LINGER");
	double secs = env && *env ? atof(env) : 10.0;
	struct timespec now, end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t) secs;
	end.tv_nsec += (long) ((secs - (double) (time_t) secs) * 1e9);
	for (;;) {
		pthread_mutex_lock(&linger_lock);
		sweep_locked();
		size_t left = nlingering;
		pthread_mutex_unlock(&linger_lock);
		if (left == 0)
			left = (size_t) IOTHRUN_CALL(neigh_pending());
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (left == 0 || now.tv_sec > end.tv_sec ||
				(now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		struct timespec tick = {0, 10 * 1000 * 1000};
		nanosleep(&tick, NULL);
	}
	pthread_mutex_lock(&linger_lock);
	for (size_t i = 0; i < nlingering; i++)
		IOTHRUN_CALL(ioth_close(lingering[i]));
	nlingering = 0;
	pthread_mutex_unlock(&linger_lock);
	fdset_foreach(0, (unsigned int) __INT_MAX__, close_open);
}

/* Does another descriptor of the program refer to fd's socket (a dup)?
 * Only descriptors that took part in a dup are compared, by inode. */
static __thread struct {
	dev_t dev;
	ino_t ino;
	int self, found;
} same;

static void same_socket(int fd) {
	struct stat st;
	if (fd != same.self && (fdset_get(fd) & IOTHRUN_FD_DUP) && fstat(fd, &st) == 0 &&
			st.st_dev == same.dev && st.st_ino == same.ino)
		same.found = 1;
}

static int other_descriptor(int fd) {
	struct stat st;
	if (!(fdset_get(fd) & IOTHRUN_FD_DUP) || fstat(fd, &st) != 0)
		return 0;
	same.dev = st.st_dev;
	same.ino = st.st_ino;
	same.self = fd;
	same.found = 0;
	fdset_foreach(0, (unsigned int) __INT_MAX__, same_socket);
	return same.found;
}

/* close(2) of an ioth descriptor: the socket's last one may linger to
 * deliver its data; closing one of several (dup) only drops it. */
static int close_ioth(int fd) {
	if (iothrun_remote_fd(fd))
		return iothrun_remote_close(fd);
	if (!other_descriptor(fd) && wants_linger(fd) && linger(fd) == 0) {
		fdset_clear(fd);
		return 0;
	}
	/* out of the set first: once closed, the number may be reused */
	fdset_clear(fd);
	int r = IOTHRUN_CALL(ioth_close(fd));
	if (r < 0 && errno == EBADF)   /* libioth did not know it: the kernel's */
		return libc.close(fd);
	return r;
}

EXPORT int close(int fd) {
	if (!ours(fd))
		return libc.close(fd);
	return close_ioth(fd);
}

EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_bind(fd, addr, len) :
			IOTHRUN_CALL(ioth_bind(fd, addr, len));
	return libc.bind(fd, addr, len);
}

EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_connect(fd, addr, len) :
			IOTHRUN_CALL(ioth_connect(fd, addr, len));
	return libc.connect(fd, addr, len);
}

EXPORT int listen(int fd, int backlog) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_listen(fd, backlog) :
			IOTHRUN_CALL(ioth_listen(fd, backlog));
	return libc.listen(fd, backlog);
}

static int ioth_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
	if (iothrun_remote_fd(fd))
		return iothrun_remote_accept(fd, addr, len, flags);
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return errno = EINVAL, -1;
	int nfd = IOTHRUN_CALL(ioth_accept(fd, addr, len));
	if (nfd < 0)
		return -1;
	/* as Linux: the new socket has only the flags asked here */
	if (flags & SOCK_NONBLOCK)
		IOTHRUN_CALL(ioth_fcntl(nfd, F_SETFL, O_NONBLOCK));
	if (flags & SOCK_CLOEXEC)
		IOTHRUN_CALL(ioth_fcntl(nfd, F_SETFD, FD_CLOEXEC));
	return track(nfd, "accept");
}

EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len) {
	if (ours(fd))
		return ioth_accept4(fd, addr, len, 0);
	return libc.accept(fd, addr, len);
}

EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
	if (ours(fd))
		return ioth_accept4(fd, addr, len, flags);
	return libc.accept4(fd, addr, len, flags);
}

EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_getname(fd, addr, len, 0) :
			IOTHRUN_CALL(ioth_getsockname(fd, addr, len));
	return libc.getsockname(fd, addr, len);
}

EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *len) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_getname(fd, addr, len, 1) :
			IOTHRUN_CALL(ioth_getpeername(fd, addr, len));
	return libc.getpeername(fd, addr, len);
}

EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_setsockopt(fd, level, name, val, len) :
			IOTHRUN_CALL(ioth_setsockopt(fd, level, name, val, len));
	return libc.setsockopt(fd, level, name, val, len);
}

EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_getsockopt(fd, level, name, val, len) :
			IOTHRUN_CALL(ioth_getsockopt(fd, level, name, val, len));
	return libc.getsockopt(fd, level, name, val, len);
}

EXPORT int shutdown(int fd, int how) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_shutdown(fd, how) :
			IOTHRUN_CALL(ioth_shutdown(fd, how));
	return libc.shutdown(fd, how);
}

/* ------------------------------------------------------------ data */

EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_sendto(fd, buf, len, flags, NULL, 0) :
			IOTHRUN_CALL(ioth_send(fd, buf, len, flags));
	return libc.send(fd, buf, len, flags);
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *to, socklen_t tolen) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_sendto(fd, buf, len, flags, to, tolen) :
			IOTHRUN_CALL(ioth_sendto(fd, buf, len, flags, to, tolen));
	return libc.sendto(fd, buf, len, flags, to, tolen);
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_sendmsg(fd, msg, flags) :
			IOTHRUN_CALL(ioth_sendmsg(fd, msg, flags));
	return libc.sendmsg(fd, msg, flags);
}

EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_recvfrom(fd, buf, len, flags, NULL, NULL) :
			IOTHRUN_CALL(ioth_recv(fd, buf, len, flags));
	return libc.recv(fd, buf, len, flags);
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		struct sockaddr *from, socklen_t *fromlen) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_recvfrom(fd, buf, len, flags, from, fromlen) :
			IOTHRUN_CALL(ioth_recvfrom(fd, buf, len, flags, from, fromlen));
	return libc.recvfrom(fd, buf, len, flags, from, fromlen);
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_recvmsg(fd, msg, flags) :
			IOTHRUN_CALL(ioth_recvmsg(fd, msg, flags));
	return libc.recvmsg(fd, msg, flags);
}

EXPORT ssize_t read(int fd, void *buf, size_t len) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_recvfrom(fd, buf, len, 0, NULL, NULL) :
			IOTHRUN_CALL(ioth_read(fd, buf, len));
	return libc.read(fd, buf, len);
}

EXPORT ssize_t write(int fd, const void *buf, size_t len) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_sendto(fd, buf, len, 0, NULL, 0) :
			IOTHRUN_CALL(ioth_write(fd, buf, len));
	return libc.write(fd, buf, len);
}

EXPORT ssize_t readv(int fd, const struct iovec *iov, int iovcnt) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_readv(fd, iov, iovcnt) :
			IOTHRUN_CALL(ioth_readv(fd, iov, iovcnt));
	return libc.readv(fd, iov, iovcnt);
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
	if (ours(fd))
		return iothrun_remote_fd(fd) ? iothrun_remote_writev(fd, iov, iovcnt) :
			IOTHRUN_CALL(ioth_writev(fd, iov, iovcnt));
	return libc.writev(fd, iov, iovcnt);
}

/* _FORTIFY_SOURCE turns read/recv/recvfrom with a known buffer size into
 * these; an overflow still ends in libc's own check (it aborts). */
EXPORT ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen) {
	if (ours(fd) && len <= buflen)
		return iothrun_remote_fd(fd) ? iothrun_remote_recvfrom(fd, buf, len, 0, NULL, NULL) :
			IOTHRUN_CALL(ioth_read(fd, buf, len));
	return libc.read_chk(fd, buf, len, buflen);
}

EXPORT ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags) {
	if (ours(fd) && len <= buflen)
		return iothrun_remote_fd(fd) ? iothrun_remote_recvfrom(fd, buf, len, flags, NULL, NULL) :
			IOTHRUN_CALL(ioth_recv(fd, buf, len, flags));
	return libc.recv_chk(fd, buf, len, buflen, flags);
}

EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
		struct sockaddr *from, socklen_t *fromlen) {
	if (ours(fd) && len <= buflen)
		return iothrun_remote_fd(fd) ? iothrun_remote_recvfrom(fd, buf, len, flags, from, fromlen) :
			IOTHRUN_CALL(ioth_recvfrom(fd, buf, len, flags, from, fromlen));
	return libc.recvfrom_chk(fd, buf, len, buflen, flags, from, fromlen);
}

/* ------------------------------------------------------------ control */

EXPORT int ioctl(int fd, unsigned long request, ...) {
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	/* FIOCLEX, FIONCLEX (no argument): the descriptor's own flag, this
	 * process's descriptor, as the kernel's VFS answers them for any file */
	if (ours(fd) && request != FIOCLEX && request != FIONCLEX)
		return iothrun_remote_fd(fd) ? iothrun_remote_ioctl(fd, request, arg) :
			IOTHRUN_CALL(ioth_ioctl(fd, request, arg));
	return libc.ioctl(fd, request, arg);
}

/* A duplicate of an ioth socket: libioth's fcntl(F_DUPFD) gives another
 * descriptor of the same socket (ustack: counted, released by the last
 * close; kernel plugins: the kernel's dup), known to libioth; it joins the
 * set with the original's kind, both marked as duplicated. */
static int dup_ioth(int fd, int cmd, int min) {
	if (iothrun_remote_fd(fd))
		return iothrun_remote_dup(fd, cmd, min);
	int nfd = IOTHRUN_CALL(ioth_fcntl(fd, cmd, min));
	if (nfd < 0)
		return -1;
	int kind = fdset_get(fd) | IOTHRUN_FD_DUP;
	fdset_set(fd, kind);
	fdset_set(nfd, kind);
	if (iothrun_debug)
		iothrun_log("iothrun: fd %d -> fd %d, a duplicate on the stack", fd, nfd);
	return nfd;
}

/* dup2/dup3 of an ioth socket onto newfd: close newfd as the kernel does,
 * then F_DUPFD with newfd as the minimum, which must give newfd itself.
 * Unlike the kernel's dup2 this is not atomic: another thread that makes
 * a descriptor in between may take the number; then the duplicate made
 * (a higher one) is closed and the call fails with EBUSY, which Linux's
 * dup2 also returns in a race with open (dup2(2)). newfd is closed then. */
static int dup_onto(int oldfd, int newfd, int cloexec) {
	if (newfd < 0)
		return errno = EBADF, -1;
	if (ours(newfd))
		close_ioth(newfd);
	else
		libc.close(newfd);
	int nfd = dup_ioth(oldfd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, newfd);
	if (nfd < 0 || nfd == newfd)
		return nfd;
	fdset_clear(nfd);
	IOTHRUN_CALL(ioth_close(nfd));
	if (iothrun_debug)
		iothrun_log("iothrun: dup2 of fd %d onto %d lost a race for the number", oldfd, newfd);
	return errno = EBUSY, -1;
}

static int do_fcntl(int (*real)(int, int, ...), int fd, int cmd, void *arg, const void *caller) {
	if (!ours_from(fd, caller))
		return real(fd, cmd, arg);
	if (iothrun_remote_fd(fd) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC)
		return iothrun_remote_fcntl(fd, cmd, (long) arg);
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int) (long) arg < 0)
			return errno = EINVAL, -1;
		return dup_ioth(fd, cmd, (int) (long) arg);
	case F_SETFL:
	case F_SETFD:
		/* int arguments: do not carry the register's upper half along */
		return IOTHRUN_CALL(ioth_fcntl(fd, cmd, (int) (long) arg));
	default:
		return IOTHRUN_CALL(ioth_fcntl(fd, cmd, (long) arg));
	}
}

EXPORT int fcntl(int fd, int cmd, ...) {
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	iothrun_resolve_libc();
	return do_fcntl(libc.fcntl, fd, cmd, arg, __builtin_return_address(0));
}

EXPORT int fcntl64(int fd, int cmd, ...) {
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	iothrun_resolve_libc();
	return do_fcntl(libc.fcntl64, fd, cmd, arg, __builtin_return_address(0));
}

EXPORT int dup(int fd) {
	if (ours(fd))
		return dup_ioth(fd, F_DUPFD, 0);
	return libc.dup(fd);
}

/* dup2/dup3 close newfd silently: an ioth socket there is closed first. */
EXPORT int dup2(int oldfd, int newfd) {
	if (ours(oldfd))
		return oldfd == newfd ? newfd : dup_onto(oldfd, newfd, 0);
	if (oldfd != newfd && ours(newfd) && fcntl(oldfd, F_GETFD) >= 0)
		untrack_close(newfd);
	return libc.dup2(oldfd, newfd);
}

EXPORT int dup3(int oldfd, int newfd, int flags) {
	if (ours(oldfd)) {
		if (oldfd == newfd || (flags & ~O_CLOEXEC))
			return errno = EINVAL, -1;
		return dup_onto(oldfd, newfd, flags & O_CLOEXEC);
	}
	if (oldfd != newfd && ours(newfd) && fcntl(oldfd, F_GETFD) >= 0)
		untrack_close(newfd);
	return libc.dup3(oldfd, newfd, flags);
}

/* ------------------------------------------------------------ closefrom
 * ssh, sshd and other daemons close every descriptor above stderr at start
 * (closefrom(3), close_range): that would take the stack's own descriptors
 * (its event loop, its VDE connection, the other ends of the sockets'
 * readiness pairs) and the shared stack's connections with them. Those are
 * not the program's: they stay open (the set of them is preload.c's,
 * iothrun_protect); the program's descriptors in the range are closed (its
 * ioth sockets by our close). */

/* The other end of a ustack socket's readiness pair (socket/readyfd.c): an
 * AF_UNIX stream socket, non-blocking, close-on-exec, with the smallest
 * send buffer, that is not one of the program's ioth descriptors. */
static int readiness_peer(int fd) {
	int v = 0;
	socklen_t len = sizeof(v);
	if (fdset_get(fd) || libc.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) != 0 || v != AF_UNIX)
		return 0;
	len = sizeof(v);
	if (libc.getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) != 0 || v != SOCK_STREAM)
		return 0;
	len = sizeof(v);
	if (libc.getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len) != 0 || v > 2 * 4608)
		return 0;
	return (libc.fcntl(fd, F_GETFL) & O_NONBLOCK) && (libc.fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

/* A child forked by the owner of a ustack: its copies of the stack's ends
 * of the readiness pairs are closed (nothing in the child uses them: the
 * owner's stack sets the readiness), so that when the owner goes, its ends
 * being the last ones, the child's descriptors hang up (POLLHUP): a child
 * waiting in its own poll/epoll is woken, and finds ENETDOWN at its next
 * call. No allocation (a forked child of a threaded process: the
 * allocator's locks may be held): the directory is read with getdents64
 * into the stack, the descriptors closed after each read. */
void iothrun_close_stack_peers(int keep) {
	struct ent {   /* linux_dirent64 */
		uint64_t ino;
		int64_t off;
		unsigned short reclen;
		unsigned char type;
		char name[];
	};
	int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	enum { MAXF = 512 };
	for (int pass = 0; pass < 64; pass++) {
		union {
			uint64_t align;
			char b[4096];
		} u;
		int found[MAXF], nfound = 0;
		long n;
		while (nfound < MAXF && (n = syscall(SYS_getdents64, dfd, u.b, sizeof(u.b))) > 0)
			for (long off = 0; off < n && nfound < MAXF;) {
				struct ent *d = (struct ent *) (void *) (u.b + off);
				off += d->reclen;
				char *end;
				long fd = strtol(d->name, &end, 10);
				if (*end || d->name[0] == '\0' || fd == dfd || fd == keep || fd > __INT_MAX__)
					continue;
				if (!iothrun_protected((int) fd) && readiness_peer((int) fd))
					found[nfound++] = (int) fd;
			}
		for (int i = 0; i < nfound; i++)
			libc.close(found[i]);
		if (nfound < MAXF)
			break;
		lseek(dfd, 0, SEEK_SET);   /* the list was full: read it again */
	}
	libc.close(dfd);
}

static int keep_open(int fd) {
	return iothrun_protected(fd) || readiness_peer(fd);
}

/* Close (or mark close-on-exec) the descriptors in [lo, hi] but ours;
 * -1 if /proc/self/fd cannot be read. */
static int close_some(unsigned int lo, unsigned int hi, int cloexec) {
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	int self = dirfd(d), n = 0, cap = 0, *fds = NULL;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || e->d_name[0] == 0 || fd == self || fd < (long) lo || fd > (long) hi)
			continue;
		if (n == cap) {
			int *p = realloc(fds, (size_t) (cap = cap ? 2 * cap : 64) * sizeof(int));
			if (p == NULL)
				break;
			fds = p;
		}
		fds[n++] = (int) fd;
	}
	closedir(d);
	for (int i = 0; i < n; i++) {
		int fd = fds[i];
		if (keep_open(fd))
			continue;
		if (cloexec)
			libc.fcntl(fd, F_SETFD, libc.fcntl(fd, F_GETFD) | FD_CLOEXEC);
		else if (fdset_get(fd))
			untrack_close(fd);
		else
			libc.close(fd);
	}
	free(fds);
	return 0;
}

EXPORT int close_range(unsigned int first, unsigned int last, int flags) {
	iothrun_resolve_libc();
	if (iothrun_inside == 0 && iothrun_ready_quiet() && first <= last &&
			!(flags & ~CLOSE_RANGE_CLOEXEC) &&
			close_some(first, last, flags & CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (iothrun_inside == 0 && !(flags & CLOSE_RANGE_CLOEXEC) && first <= last)
		fdset_foreach(first, last, untrack_close);
	return libc.close_range(first, last, flags);
}

EXPORT void closefrom(int lowfd) {
	iothrun_resolve_libc();
	if (iothrun_inside == 0 && iothrun_ready_quiet() && lowfd >= 0 &&
			close_some((unsigned int) lowfd, (unsigned int) __INT_MAX__, 0) == 0)
		return;
	if (iothrun_inside == 0 && lowfd >= 0)
		fdset_foreach((unsigned int) lowfd, (unsigned int) __INT_MAX__, untrack_close);
	libc.closefrom(lowfd);
}

/* for the stack's server (shared.c) */
int iothrun_track(int fd) {
	return track(fd, "shared");
}

int iothrun_close_ioth(int fd) {
	return close_ioth(fd);
}

int iothrun_dup_ioth(int fd, int cmd, int min) {
	return dup_ioth(fd, cmd, min);
}

__attribute__((constructor)) static void sockets_init(void) {
	iothrun_on_exit(sockets_at_exit);
}
