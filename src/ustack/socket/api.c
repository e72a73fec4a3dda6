/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE  /* F_SETSIG, F_GETOWN_EX */
#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <net/if.h>
#include <netinet/in.h>
#include <linux/sockios.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sock.h"

/* --- bad user pointers ---
 * Linux copies a call's arguments from the caller's memory and fails with
 * EFAULT where they are not mapped; a library reads them in place, where a
 * bad pointer would crash the program. Before touching them the calls ask
 * process_vm_readv, on this very process, to read one byte of each range
 * (and of every page of the small ones, up to PROBE_MAX bytes in all):
 * one system call, which fails where a byte is not readable instead of
 * faulting. Probed: socket addresses, option values, length words,
 * msghdr, iovec arrays, control buffers, and the first and last byte of
 * each data buffer (a hole in the middle of a buffer is not seen). Memory
 * that is readable but not writable is seen where an ioctl writes its
 * answer (user_writable, below), not where a receiving call writes.
 * Where the call is refused (a seccomp filter) nothing is probed.
 * Two shortcuts keep the system call off the common path: memory on the
 * calling thread's own stack, between the probing frame and the stack's
 * top, is mapped and writable (the frames of the caller: the library's
 * own msghdr and iovec of send and recv, a program's buffers on its
 * stack), so it is not probed; and the probes run before the stack lock
 * is taken, so the call costs nobody else a wait. */
#define PROBE_MAX 64

/* the calling thread's stack, [lo, hi); known: 0 not yet asked, 1 known,
 * -1 unknown (nothing is skipped) */
static __thread uintptr_t stack_lo, stack_hi;
static __thread int stack_known;

static bool on_own_stack(uintptr_t a, uintptr_t last) {
	char here;
	uintptr_t sp = (uintptr_t) &here;
	if (stack_known == 0) {
		pthread_attr_t at;
		void *base;
		size_t size;
		stack_known = -1;
		if (pthread_getattr_np(pthread_self(), &at) == 0) {
			if (pthread_attr_getstack(&at, &base, &size) == 0 && size > 0) {
				stack_lo = (uintptr_t) base;
				stack_hi = stack_lo + size;
				stack_known = 1;
			}
			pthread_attr_destroy(&at);
		}
	}
	/* here on an alternate signal stack (or a sanitizer's fake frame):
	 * the range says nothing */
	return stack_known == 1 && sp >= stack_lo && sp < stack_hi && a >= sp && last >= a &&
			last < stack_hi;
}

struct probe {
	struct iovec r[PROBE_MAX];
	int n;
};

static void probe_byte(struct probe *pr, uintptr_t a) {
	if (pr->n < PROBE_MAX)
		pr->r[pr->n++] = (struct iovec) {.iov_base = (void *) a, .iov_len = 1};
}

/* every page of a small range (argument structures) */
static void probe_range(struct probe *pr, const void *p, size_t len) {
	if (len == 0)
		return;
	uintptr_t a = (uintptr_t) p, last = a + len - 1;
	if (last < a)
		last = UINTPTR_MAX;
	if (on_own_stack(a, last))
		return;
	for (uintptr_t q = a;;) {
		probe_byte(pr, q);
		uintptr_t next = (q | 4095u) + 1;
		if (next == 0 || next > last || pr->n >= PROBE_MAX - 1)
			break;
		q = next;
	}
	if (last != a)
		probe_byte(pr, last);
}

/* the two ends of a data buffer */
static void probe_ends(struct probe *pr, const void *p, size_t len) {
	if (len == 0)
		return;
	uintptr_t a = (uintptr_t) p, last = a + len - 1;
	if (last >= a && on_own_stack(a, last))
		return;
	probe_byte(pr, a);
	if (last != a)
		probe_byte(pr, last < a ? UINTPTR_MAX : last);
}

static bool probe_ok(struct probe *pr) {
	if (pr->n == 0)
		return true;
	char sink[PROBE_MAX];
	struct iovec local = {.iov_base = sink, .iov_len = (size_t) pr->n};
	int e = errno;
	ssize_t r = process_vm_readv(getpid(), &local, 1, pr->r, (unsigned long) pr->n, 0);
	bool ok = r == pr->n || (r < 0 && errno != EFAULT);
	errno = e;
	pr->n = 0;
	return ok;
}

static bool user_ok(const void *p, size_t len) {
	struct probe pr = {.n = 0};
	probe_range(&pr, p, len);
	return probe_ok(&pr);
}

/* Memory the call writes (an ioctl's answer, SIOCGIFCONF's list): each
 * probed byte is read and written back as it was, with
 * process_vm_readv/writev, which fail on memory that is not mapped or not
 * writable (read-only: a PROT_READ page, a string constant) instead of
 * faulting. A byte another thread stores between the two is put back as it
 * was: the range is about to be overwritten by the call anyway. Refused
 * (a seccomp filter): not probed. */
static bool user_writable(void *p, size_t len) {
	struct probe pr = {.n = 0};
	probe_range(&pr, p, len);
	if (pr.n == 0)
		return true;
	char keep[PROBE_MAX];
	struct iovec local = {.iov_base = keep, .iov_len = (size_t) pr.n};
	int e = errno;
	ssize_t r = process_vm_readv(getpid(), &local, 1, pr.r, (unsigned long) pr.n, 0);
	if (r == pr.n)
		r = process_vm_writev(getpid(), &local, 1, pr.r, (unsigned long) pr.n, 0);
	bool ok = r == pr.n || (r < 0 && errno != EFAULT);
	errno = e;
	return ok;
}

static int ret(int r) {
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

/* the end of a call on sk: the socket let go, r (-errno) returned */
static int put_ret(struct usock *sk, int r) {
	sock_put(sk);
	return ret(r);
}

/* A blocking call whose wait a signal handler ended (sock_wait): its
 * timeout-like result becomes EINTR; what it did (bytes) stays. */
static ssize_t intr(ssize_t r) {
	if ((r == -EAGAIN || r == -EINPROGRESS) && sock_wait_was_interrupted())
		return -EINTR;
	return r;
}

/* Linux: SOCK_MAX (types 0..10), IPPROTO_MAX (since MPTCP), NPROTO */
#define LINUX_SOCK_MAX 11
#define LINUX_IPPROTO_MAX 263
#define LINUX_SOCK_TYPE_MASK 0xf

int api_socket(struct ustack *s, int domain, int type, int protocol) {
	if (s == NULL)
		return errno = EINVAL, -1;
	/* the checks of the socket call itself (flags, family and type range),
	 * then the family's (protocol range): sock_create does the rest */
	if ((type & ~LINUX_SOCK_TYPE_MASK) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return errno = EINVAL, -1;
	if (domain < 0 || domain >= AF_MAX)
		return errno = EAFNOSUPPORT, -1;
	if ((type & LINUX_SOCK_TYPE_MASK) >= LINUX_SOCK_MAX)
		return errno = EINVAL, -1;
	if ((domain == AF_INET || domain == AF_INET6) && (protocol < 0 || protocol >= LINUX_IPPROTO_MAX))
		return errno = EINVAL, -1;
	return sock_create(s, domain, type, protocol);
}

/* Linux move_addr_to_kernel: a socket address is at most a
 * sockaddr_storage; a NULL one of length 0 is not copied */
static int addr_in(const struct sockaddr **a, socklen_t len, struct sockaddr_storage *none) {
	if ((int) len < 0 || len > (socklen_t) sizeof(struct sockaddr_storage))
		return -EINVAL;
	if (*a == NULL) {
		if (len > 0)
			return -EFAULT;
		memset(none, 0, sizeof(*none));
		*a = (const struct sockaddr *) none;
	}
	else if (!user_ok(*a, len))
		return -EFAULT;
	return 0;
}

int api_close(struct ustack *s, int fd) {
	return sock_close(s, fd);
}

/* bind (conn false) and connect: an address in, the protocol's call */
static int addr_call(struct ustack *s, int fd, const struct sockaddr *a, socklen_t len, bool conn) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	struct sockaddr_storage none;
	int r = addr_in(&a, len, &none);
	int (*op)(struct usock *, const struct sockaddr *, socklen_t) = conn ? sk->ops->connect : sk->ops->bind;
	if (r == 0 && op == NULL)
		r = -EOPNOTSUPP;
	else if (r == 0)
		r = conn ? (int) intr(op(sk, a, len)) : op(sk, a, len);
	if (conn)
		sock_update_events(sk);
	return put_ret(sk, r);
}

int api_bind(struct ustack *s, int fd, const struct sockaddr *a, socklen_t len) {
	return addr_call(s, fd, a, len, false);
}

int api_connect(struct ustack *s, int fd, const struct sockaddr *a, socklen_t len) {
	return addr_call(s, fd, a, len, true);
}

int api_listen(struct ustack *s, int fd, int backlog) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	/* datagram sockets: Linux sock_no_listen */
	int r = sk->ops->listen ? sk->ops->listen(sk, backlog) : -EOPNOTSUPP;
	return put_ret(sk, r);
}

/* An address to be given back in (a, *len): its length and memory
 * checked (0, -EFAULT or -EINVAL, in Linux's order); where optional, a
 * NULL a asks for none. */
static int addr_out_ok(const void *a, const socklen_t *len, bool optional) {
	if (a == NULL && optional)
		return 0;
	if (a == NULL || len == NULL || !user_ok(len, sizeof(*len)))
		return -EFAULT;
	if ((int) *len < 0)
		return -EINVAL;
	return user_ok(a, *len) ? 0 : -EFAULT;
}

int api_accept(struct ustack *s, int fd, struct sockaddr *a, socklen_t *len) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	struct usock *child = NULL;
	int r = addr_out_ok(a, len, true);
	if (r == 0)
		r = sk->ops->accept ? (int) intr(sk->ops->accept(sk, &child)) : -EOPNOTSUPP;
	if (r == 0) {
		r = child->fd;
		if (a) {
			child->accepting = true;
			child->ops->getname(child, a, len, true);
			child->accepting = false;
		}
	}
	return put_ret(sk, r);
}

int api_getname(struct ustack *s, int fd, struct sockaddr *a, socklen_t *len, int peer) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r = addr_out_ok(a, len, false);
	if (r == 0)
		r = sk->ops->getname(sk, a, len, peer);
	return put_ret(sk, r);
}

int api_setsockopt(struct ustack *s, int fd, int level, int name, const void *v, socklen_t len) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	/* Linux __sys_setsockopt: optlen is an int, negative is EINVAL */
	int r = (int) len < 0 ? -EINVAL : v != NULL && !user_ok(v, len) ? -EFAULT : sk->ops->setsockopt ? sk->ops->setsockopt(sk, level, name, v, len)
			: sock_setsockopt_generic(sk, level, name, v, len);
	sock_update_events(sk);
	sock_wake(sk);  /* new timeouts apply to callers already waiting */
	return put_ret(sk, r);
}

int api_getsockopt(struct ustack *s, int fd, int level, int name, void *v, socklen_t *len) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r;
	if (len == NULL || !user_ok(len, sizeof(*len)) || (v == NULL && (int) *len > 0))
		r = -EFAULT;
	else if ((int) *len > 0 && !user_ok(v, (size_t) *len))
		r = -EFAULT;
	else if ((int) *len < 0)
		r = -EINVAL;
	else
		r = sk->ops->getsockopt ? sk->ops->getsockopt(sk, level, name, v, len)
				: sock_getsockopt_generic(sk, level, name, v, len);
	return put_ret(sk, r);
}

int api_shutdown(struct ustack *s, int fd, int how) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r = 0;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		r = -EINVAL;
	else if (sk->ops->shutdown)
		r = sk->ops->shutdown(sk, how);
	else {
		/* Linux inet_shutdown on a datagram socket: applied, and ENOTCONN
		 * when it was not connected; blocked readers wake up either way */
		if (how != SHUT_WR)
			sk->shut_rd = true;
		if (how != SHUT_RD)
			sk->shut_wr = true;
		if (!sk->connected)
			r = -ENOTCONN;
		sock_update_events(sk);
		sock_wake(sk);
	}
	return put_ret(sk, r);
}

/* Linux's socket ioctls (type 0x89) that no protocol answers read a
 * struct ifreq from the caller before they find the request unknown */
#define LINUX_SOCK_IOC_TYPE 0x89

/* SIOCGIFCONF's buffer: its part the list fills, probed before it is
 * written (ifc_len cut to that part, so a list grown meanwhile is not
 * written past it) */
static int ifconf_buf_ok(struct usock *sk, struct ifconf *ifc) {
	if (ifc->ifc_buf == NULL || ifc->ifc_len <= 0)
		return 0;
	struct ifconf need = {.ifc_len = 0, .ifc_buf = NULL};
	sock_ioctl(sk, SIOCGIFCONF, &need);
	int use = ifc->ifc_len - ifc->ifc_len % (int) sizeof(struct ifreq);
	if (use > need.ifc_len)
		use = need.ifc_len;
	if (use > 0 && !user_writable(ifc->ifc_buf, (size_t) use))
		return -EFAULT;
	ifc->ifc_len = use;
	return 0;
}

int api_ioctl(struct ustack *s, int fd, unsigned long cmd, void *arg) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	/* the request works on a copy of its argument, as Linux's copy from
	 * and to the caller: EFAULT before it where the argument it reads is
	 * not there, after it where the one it writes is not */
	union {
		int i;
		struct ifreq ifr;
		struct ifconf ifc;
		long long ll[2];
		char b[64];
	} k;
	memset(&k, 0, sizeof(k));
	size_t size;
	int dir = sock_ioctl_arg(cmd, &size);
	bool bad = dir != SOCK_IOCTL_NONE && (arg == NULL || !user_ok(arg, size));
	int r;
	if (bad && (dir & SOCK_IOCTL_IN))
		r = -EFAULT;
	else {
		if (dir & SOCK_IOCTL_IN)
			memcpy(&k, arg, size);
		r = cmd == SIOCGIFCONF ? ifconf_buf_ok(sk, &k.ifc) : 0;
		if (r == 0)
			r = sk->ops->ioctl ? sk->ops->ioctl(sk, cmd, &k) : -ENOTTY;
		if (r == -ENOTTY)
			r = sock_ioctl(sk, cmd, &k);
		if (r >= 0 && (dir & SOCK_IOCTL_OUT)) {
			if (bad || !user_writable(arg, size))
				r = -EFAULT;
			else
				memcpy(arg, &k, size);
		}
	}
	if (r == -ENOTTY && ((cmd >> 8) & 0xff) == LINUX_SOCK_IOC_TYPE &&
			(arg == NULL || !user_ok(arg, sizeof(struct ifreq))))
		r = -EFAULT;
	return put_ret(sk, r);
}

int api_fcntl(struct ustack *s, int fd, int cmd, long arg) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r;
	switch (cmd) {
	case F_GETFL:
		r = O_RDWR | (sk->nonblock ? O_NONBLOCK : 0);
		break;
	case F_SETFL:
		sk->nonblock = !!(arg & O_NONBLOCK);
		/* the real fd follows, for programs that read it directly */
		r = fcntl(fd, F_SETFL, (int) arg);
		r = r < 0 ? -errno : 0;
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		/* another descriptor of the same socket, as the kernel's dup */
		r = arg < 0 || arg > INT_MAX ? -EINVAL : sock_dup(sk, fd, cmd, (int) arg);
		break;
	case F_GETFD:
	case F_SETFD:
	case F_GETOWN:
	case F_SETOWN:
	case F_GETSIG:
	case F_SETSIG:
		/* flags, owner and signal belong to the file: the real fd keeps them */
		r = fcntl(fd, cmd, (int) arg);
		if (r < 0)
			r = -errno;
		break;
	case F_GETOWN_EX:
	case F_SETOWN_EX:
		r = fcntl(fd, cmd, (void *) arg);
		if (r < 0)
			r = -errno;
		break;
	default:
		r = -EINVAL;
		break;
	}
	return put_ret(sk, r);
}

/* Linux UIO_MAXIOV: more vectors are EMSGSIZE for sendmsg/recvmsg (the
 * msghdr check), EINVAL for readv/writev (the iovec import) */
#define LINUX_UIO_MAXIOV 1024

static int iov_total(const struct msghdr *msg, size_t *total) {
	size_t t = 0;
	if (msg == NULL)
		return -EFAULT;
	if (msg->msg_iovlen > LINUX_UIO_MAXIOV)
		return -EMSGSIZE;
	if (msg->msg_iovlen && msg->msg_iov == NULL)
		return -EFAULT;
	for (size_t i = 0; i < (size_t) msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_len > SSIZE_MAX - t)
			return -EINVAL;
		if (msg->msg_iov[i].iov_len && msg->msg_iov[i].iov_base == NULL)
			return -EFAULT;
		t += msg->msg_iov[i].iov_len;
	}
	*total = t;
	return 0;
}

/* Linux copy_msghdr_from_user: a negative msg_namelen is EINVAL, a longer
 * one than a sockaddr_storage is cut to it */
static int msg_in(const struct msghdr *msg, struct msghdr *m, bool own) {
	if (msg == NULL || (!own && !user_ok(msg, sizeof(*msg))))
		return -EFAULT;
	*m = *msg;
	if ((int) m->msg_namelen < 0)
		return -EINVAL;
	if (m->msg_namelen > (socklen_t) sizeof(struct sockaddr_storage))
		m->msg_namelen = sizeof(struct sockaddr_storage);
	return 0;
}

/* The memory a msghdr points to (after msg_in): the iovec array, the
 * address, the control buffer, then the data buffers. */
static int msg_mem_ok(const struct msghdr *m) {
	struct probe pr = {.n = 0};
	if (m->msg_iovlen && m->msg_iovlen <= LINUX_UIO_MAXIOV)
		probe_range(&pr, m->msg_iov, m->msg_iovlen * sizeof(struct iovec));
	/* the iovec array needs no probe (on the caller's stack): its
	 * buffers go in the same system call */
	bool iov_known = pr.n == 0;
	if (m->msg_name)
		probe_range(&pr, m->msg_name, m->msg_namelen);
	if (m->msg_control && m->msg_controllen < 131072)
		probe_range(&pr, m->msg_control, m->msg_controllen);
	if (!iov_known && !probe_ok(&pr))
		return -EFAULT;
	for (size_t i = 0; i < (size_t) m->msg_iovlen && i < LINUX_UIO_MAXIOV; i++)
		if (m->msg_iov[i].iov_base)
			probe_ends(&pr, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
	return probe_ok(&pr) ? 0 : -EFAULT;
}

/* The message of a recvmsg or sendmsg copied into m and its buffers
 * checked (*r: 0 or -errno, checked before the lock is taken), then the
 * socket (NULL: a bad descriptor, which comes first, as in Linux). */
static struct usock *msg_sock(struct ustack *s, int fd, const struct msghdr *msg, bool own,
		struct msghdr *m, size_t *total, ssize_t *r) {
	*r = msg_in(msg, m, own);
	if (*r == 0)
		*r = msg_mem_ok(m);
	if (*r == 0)
		*r = iov_total(m, total);
	return sock_get(s, fd);
}

/* own: msg is the library's (recv, read...), not the caller's */
static ssize_t recvmsg_in(struct ustack *s, int fd, struct msghdr *msg, int flags, bool own) {
	size_t total;
	struct msghdr m;
	ssize_t r;
	struct usock *sk = msg_sock(s, fd, msg, own, &m, &total, &r);
	if (sk == NULL)
		return -1;
	/* MSG_OOB: UDP ignores it; TCP has no urgent data to give (EINVAL),
	 * AF_PACKET refuses the flag (EINVAL), the others EOPNOTSUPP */
	if (r == 0 && (flags & MSG_OOB) && !(flags & MSG_ERRQUEUE) && !sock_is_udp(sk))
		r = sk->type == SOCK_STREAM || sk->domain == AF_PACKET ? -EINVAL : -EOPNOTSUPP;
	if (r == 0) {
		r = (flags & MSG_ERRQUEUE) ? sock_recv_errqueue(sk, &m, flags)
				: intr(sk->ops->recvmsg ? sk->ops->recvmsg(sk, &m, flags) : sock_dgram_recvmsg(sk, &m, flags));
		/* what the call gives back */
		msg->msg_namelen = m.msg_namelen;
		msg->msg_controllen = m.msg_controllen;
		msg->msg_flags = m.msg_flags;
	}
	sock_put(sk);
	if (r < 0) {
		errno = (int) -r;
		return -1;
	}
	return r;
}

ssize_t api_recvmsg(struct ustack *s, int fd, struct msghdr *msg, int flags) {
	return recvmsg_in(s, fd, msg, flags, false);
}

static ssize_t sendmsg_in(struct ustack *s, int fd, const struct msghdr *msg, int flags, bool own);

ssize_t api_sendmsg(struct ustack *s, int fd, const struct msghdr *msg, int flags) {
	return sendmsg_in(s, fd, msg, flags, false);
}

/* read and readv: a call with nothing to read returns 0 (Linux
 * sock_read_iter), before the protocol is asked */
ssize_t api_readv(struct ustack *s, int fd, const struct iovec *iov, int iovcnt) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	sock_put(sk);
	if (iovcnt < 0 || iovcnt > LINUX_UIO_MAXIOV)
		return errno = EINVAL, -1;
	if (iovcnt > 0 && (iov == NULL || !user_ok(iov, (size_t) iovcnt * sizeof(*iov))))
		return errno = EFAULT, -1;
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (total == 0)
		return 0;
	struct msghdr msg = {.msg_iov = (struct iovec *) iov, .msg_iovlen = (size_t) iovcnt};
	return recvmsg_in(s, fd, &msg, 0, true);
}

ssize_t api_writev(struct ustack *s, int fd, const struct iovec *iov, int iovcnt) {
	if (iovcnt < 0 || iovcnt > LINUX_UIO_MAXIOV) {
		struct usock *sk = sock_get(s, fd);
		if (sk == NULL)
			return -1;
		sock_put(sk);
		return errno = EINVAL, -1;
	}
	struct msghdr msg = {.msg_iov = (struct iovec *) iov, .msg_iovlen = (size_t) iovcnt};
	return sendmsg_in(s, fd, &msg, 0, true);
}

ssize_t api_sendto(struct ustack *s, int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
		socklen_t tolen) {
	struct iovec iov = {.iov_base = (void *) buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_name = (void *) to,
		.msg_namelen = to ? tolen : 0};
	if (to && ((int) tolen < 0 || tolen > (socklen_t) sizeof(struct sockaddr_storage))) {
		/* sendto copies the address whole (move_addr_to_kernel) */
		struct usock *sk = sock_get(s, fd);
		if (sk == NULL)
			return -1;
		sock_put(sk);
		return errno = EINVAL, -1;
	}
	return sendmsg_in(s, fd, &msg, flags, true);
}

/* --- sendmsg's control messages, checked as Linux does --- */

/* net.core.optmem_max (Linux 6 default): a larger control buffer cannot be
 * copied into the kernel (ENOBUFS) */
#define OPTMEM_MAX 131072
/* Linux <linux/in.h>, <linux/in6.h> values glibc's headers lack */
#ifndef IP_PROTOCOL
#define IP_PROTOCOL 52
#endif
#ifndef IPV6_FLOWINFO
#define IPV6_FLOWINFO 11
#endif

/* an int control message's value, in [min, max]: 0 or -EINVAL */
static int cmsg_int(const struct cmsghdr *c, int min, int max) {
	int v;
	if (c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EINVAL;
	memcpy(&v, CMSG_DATA(c), sizeof(int));
	return v < min || v > max ? -EINVAL : 0;
}

/* SOL_SOCKET (Linux __sock_cmsg_send) */
static int cmsg_sol(const struct cmsghdr *c) {
	switch (c->cmsg_type) {
	case SO_MARK:
	case SO_PRIORITY:
	case SO_TIMESTAMPING_OLD:
		return c->cmsg_len == CMSG_LEN(sizeof(uint32_t)) ? 0 : -EINVAL;
	case SCM_TXTIME:
		return c->cmsg_len == CMSG_LEN(sizeof(uint64_t)) ? 0 : -EINVAL;
	case SCM_RIGHTS:
	case SCM_CREDENTIALS:
		return 0;  /* ignored by non-unix sockets */
	default:
		return -EINVAL;
	}
}

/* IPPROTO_IP on an AF_INET datagram socket (Linux ip_cmsg_send) */
static int cmsg_ip(const struct cmsghdr *c) {
	switch (c->cmsg_type) {
	case IP_RETOPTS:
		return c->cmsg_len - CMSG_LEN(0) <= 40 ? 0 : -EINVAL;
	case IP_PKTINFO:
		return c->cmsg_len == CMSG_LEN(sizeof(struct in_pktinfo)) ? 0 : -EINVAL;
	case IP_TTL:
	case IP_PROTOCOL:
		return cmsg_int(c, 1, 255);
	case IP_TOS:
		if (c->cmsg_len == CMSG_LEN(sizeof(uint8_t)))
			return 0;
		return cmsg_int(c, 0, 255);
	default:
		return -EINVAL;
	}
}

/* IPPROTO_IPV6 on an AF_INET6 datagram socket (Linux ip6_datagram_send_ctl) */
static int cmsg_ip6(const struct cmsghdr *c) {
	switch (c->cmsg_type) {
	case IPV6_PKTINFO:
		return c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo)) ? 0 : -EINVAL;
	case IPV6_HOPLIMIT:
	case IPV6_TCLASS:
		return cmsg_int(c, -1, 255);
	case IPV6_DONTFRAG:
		return cmsg_int(c, INT_MIN, INT_MAX);
	case IPV6_FLOWINFO:
	case IPV6_HOPOPTS:
	case IPV6_DSTOPTS:
	case IPV6_RTHDRDSTOPTS:
	case IPV6_RTHDR:
	case IPV6_2292HOPOPTS:
	case IPV6_2292DSTOPTS:
	case IPV6_2292RTHDR:
	case IPV6_2292PKTOPTIONS:
		return 0;  /* not used by ustack; their contents are not checked */
	default:
		return -EINVAL;
	}
}

static int cmsg_check(const struct usock *sk, const struct msghdr *msg) {
	size_t n = msg->msg_controllen;
	if (n == 0)
		return 0;
	if (n > INT_MAX || n >= OPTMEM_MAX)
		return -ENOBUFS;
	if (msg->msg_control == NULL)
		return -EFAULT;
	bool inet_dgram = (sk->domain == AF_INET || sk->domain == AF_INET6) && sk->type != SOCK_STREAM;
	const uint8_t *base = msg->msg_control;
	for (size_t off = 0; n - off >= sizeof(struct cmsghdr);) {
		struct cmsghdr c;
		memcpy(&c, base + off, sizeof(c));
		if (c.cmsg_len < sizeof(struct cmsghdr) || c.cmsg_len > n - off)
			return -EINVAL;
		const struct cmsghdr *cp = (const struct cmsghdr *) (base + off);
		int r = 0;
		if (c.cmsg_level == SOL_SOCKET)
			r = cmsg_sol(cp);
		else if (inet_dgram && sk->domain == AF_INET && c.cmsg_level == IPPROTO_IP)
			r = cmsg_ip(cp);
		else if (inet_dgram && sk->domain == AF_INET6 && c.cmsg_level == IPPROTO_IPV6)
			r = cmsg_ip6(cp);
		/* other levels are not the socket's: skipped */
		if (r < 0)
			return r;
		size_t step = CMSG_ALIGN(c.cmsg_len);
		if (step > n - off)
			break;
		off += step;
	}
	return 0;
}

static ssize_t sendmsg_in(struct ustack *s, int fd, const struct msghdr *msg, int flags, bool own) {
	size_t total;
	struct msghdr m;
	ssize_t r;
	struct usock *sk = msg_sock(s, fd, msg, own, &m, &total, &r);
	if (sk == NULL)
		return -1;
	bool stream = sk->type == SOCK_STREAM;
	if (r == 0)
		r = cmsg_check(sk, &m);
	if (r == 0 && (flags & MSG_OOB))
		r = -EOPNOTSUPP;
	else if (r == 0 && stream)
		r = intr(sk->ops->sendmsg(sk, &m, total, flags));  /* errors and EPIPE its own */
	else if (r == 0 && sk->shut_wr)
		r = -EPIPE;
	else if (r == 0 && sk->err) {
		/* a pending asynchronous error (ICMP) is reported by the next call */
		r = sock_take_error(sk);
	}
	if (r == 0 && !stream) {
		r = intr(sk->ops->sendmsg(sk, &m, total, flags));
		/* MSG_ZEROCOPY (UDP): the datagram left, copied: done at once */
		if (r > 0 && sock_zc_call(sk, flags, total)) {
			uint32_t id = sk->zckey++;
			sock_zc_complete(sk, id, id);
		}
	}
	sock_put(sk);
	/* Linux: EPIPE on a stream raises SIGPIPE in the caller's thread,
	 * unless MSG_NOSIGNAL; raised without the stack lock */
	if (r == -EPIPE && stream && !(flags & MSG_NOSIGNAL))
		raise(SIGPIPE);
	if (r < 0) {
		errno = (int) -r;
		return -1;
	}
	return r;
}
