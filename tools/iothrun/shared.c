/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothrun: one user-space stack for a process and the children it forks.
 *
 * A ustack lives in the process that made it (its event thread, its locks,
 * its memory): a child forked without exec has a copy that nobody runs, and
 * ustack refuses it (EOPNOTSUPP). So the process that made the stack (the
 * owner) serves it to its forked children:
 *
 *  - at fork (pthread_atfork), in the owner: a SOCK_SEQPACKET socketpair, one
 *    end for the child, one for a server thread of the owner; every socket of
 *    the stack the program has gets a duplicate in the owner (ioth_fcntl
 *    F_DUPFD), the child's reference ("ref"): the parent may close its
 *    descriptor, the child's socket lives on;
 *  - in the child each of its ioth descriptors is the one it inherited (the
 *    socket's readiness descriptor, the same open file as the owner's ref: its
 *    poll/epoll readiness is the socket's, set by the owner's stack); every
 *    call on it is a request over the socketpair naming the ref, done by the
 *    server thread on the stack; new sockets (socket, accept) are made by the
 *    server, and their descriptors passed to the child with SCM_RIGHTS;
 *  - the server never blocks for a child on a blocking socket's send/recv/
 *    accept: it answers "would block, wait for POLLIN/POLLOUT" and the child
 *    waits with poll() on its own descriptor, so a signal interrupts the wait
 *    in the child (EINTR), as a blocking call of Linux, or the wait goes on
 *    after a handler installed with SA_RESTART;
 *  - getifaddrs and name resolution (getaddrinfo, getnameinfo) in a child
 *    are requests too: the owner answers with its own list and resolver;
 *    ancillary data of sendmsg/recvmsg goes with the request/answer;
 *  - a child that forks asks the server for a new connection and refs of its
 *    own (FORK); a child that exits (or execs) closes its end, the server
 *    closes its refs (their data still delivered: the lingering close).
 *
 * The owner itself keeps its calls direct (nothing here is on its path but
 * the atfork handler). */
#define _GNU_SOURCE /* struct ucred */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <stddef.h>
#include <sys/stat.h>
#include <dirent.h>
#include <sys/time.h>
#include <unistd.h>

#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <ioth.h>
#include "iothrun_int.h"

#ifndef MSG_CMSG_CLOEXEC
#define MSG_CMSG_CLOEXEC 0x40000000
#endif
#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 02000000
#endif
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK 04000
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif

enum {
	OP_SOCKET = 1, OP_CLOSE, OP_BIND, OP_CONNECT, OP_LISTEN, OP_ACCEPT, OP_GETNAME,
	OP_SETSOCKOPT, OP_GETSOCKOPT, OP_SHUTDOWN, OP_SEND, OP_RECV, OP_IOCTL, OP_FCNTL,
	OP_DUP, OP_FORK, OP_LIST, OP_ADOPT, OP_GETIFADDRS, OP_GETADDRINFO, OP_GETNAMEINFO,
};

/* OP_LIST: a client's refs, for a process that has exec'd to find its
 * descriptors among those it inherited (by inode: the same open file) */
struct listed {
	int32_t ref, stream;
	uint64_t ino;
};

#define AUX 256               /* address, option value, ioctl argument */
#define MAXDATA 65536         /* bytes of data per request */
#define MAXREFS (MAXDATA / 4) /* refs in a FORK */
#define MAXCTL 1024           /* ancillary data of a SEND or a RECV */

struct req {
	int32_t op, ref, a, b, c;
	uint32_t alen, dlen;
};
struct rep {
	int64_t ret;
	int32_t err, flags, wait, timeout_ms;
	uint32_t alen, dlen;
	uint32_t clen;   /* RECV: control data at the end of the data */
};

int iothrun_remote;

/* ------------------------------------------------------------ owner */

struct client {
	int conn;
	int *refs;
	size_t nrefs, cap;
	struct client *next;
	char *buf, *out;   /* its server's request and answer buffers */
};

static pthread_mutex_t clients_lock = PTHREAD_MUTEX_INITIALIZER;
static struct client *clients;
static atomic_int closing, active;
static int user_stack = -1;   /* the stack is a user-space one (ustack) */

static int add_ref(struct client *c, int ref) {
	if (c->nrefs == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		int *n = realloc(c->refs, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		c->refs = n;
		c->cap = cap;
	}
	c->refs[c->nrefs++] = ref;
	iothrun_protect(ref, 1);
	return 0;
}

static int drop_ref(struct client *c, int ref) {
	for (size_t i = 0; i < c->nrefs; i++)
		if (c->refs[i] == ref) {
			iothrun_protect(ref, 0);
			c->refs[i] = c->refs[--c->nrefs];
			return 1;
		}
	return 0;
}

static int has_ref(struct client *c, int ref) {
	for (size_t i = 0; i < c->nrefs; i++)
		if (c->refs[i] == ref)
			return 1;
	return 0;
}

/* A reply, with a descriptor to pass (-1: none). */
static void reply(int conn, struct rep *r, const void *aux, const void *data, int fd) {
	struct iovec iov[3] = {
		{.iov_base = r, .iov_len = sizeof(*r)},
		{.iov_base = (void *) aux, .iov_len = AUX},
		{.iov_base = (void *) data, .iov_len = r->dlen},
	};
	static const char zero[AUX];
	if (aux == NULL)
		iov[1].iov_base = (void *) zero;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = r->dlen ? 3 : 2};
	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		m.msg_control = cm.b;
		m.msg_controllen = sizeof(cm.b);
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &fd, sizeof(int));
	}
	while (libc.sendmsg(conn, &m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static int timeout_of(int ref, int name) {
	struct timeval tv = {0, 0};
	socklen_t len = sizeof(tv);
	if (IOTHRUN_CALL(ioth_getsockopt(ref, SOL_SOCKET, name, &tv, &len)) < 0)
		return 0;
	long ms = tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	return ms > 0x7fffffff ? 0x7fffffff : (int) ms;
}

static int blocking(int ref) {
	int fl = IOTHRUN_CALL(ioth_fcntl(ref, F_GETFL, 0));
	return fl >= 0 && !(fl & O_NONBLOCK);
}

static struct client *new_client(int conn);
static int start_server(struct client *c);
void *iothrun_serve(void *);

/* OP_CONNECT of a blocking socket: its O_NONBLOCK is set around the call
 * (one connect at a time: the flag is the socket's, in every process) */
static pthread_mutex_t connect_lock = PTHREAD_MUTEX_INITIALIZER;

/* A new ref of the stack for client c: into the set (closed at the owner's
 * exit with the others) and the client's list. */
static int own(struct client *c, int ref) {
	iothrun_track(ref);
	if (add_ref(c, ref) < 0) {
		iothrun_close_ioth(ref);
		return errno = ENOMEM, -1;
	}
	return ref;
}

/* OP_ADOPT (one server thread at a time: under adopt_lock) */
static pthread_mutex_t adopt_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t adopt_ino;
static int adopt_fd;
static void adopt_match(int fd) {
	struct stat st;
	if (adopt_fd < 0 && !(fdset_get(fd) & IOTHRUN_FD_KERNEL) && fstat(fd, &st) == 0 &&
			(uint64_t) st.st_ino == adopt_ino)
		adopt_fd = fd;
}

/* GETIFADDRS: the owner's ioth_getifaddrs list for a child, each entry a
 * struct ifa_wire then its name (with its NUL), addresses and data. */
struct ifa_wire {
	uint32_t flags;
	uint16_t name, addr, mask, other, data, pad;
};

static size_t sa_size(const struct sockaddr *sa) {
	if (sa == NULL)
		return 0;
	switch (sa->sa_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	case AF_PACKET:
		return sizeof(struct sockaddr_ll);
	default:
		return sizeof(struct sockaddr_storage);
	}
}

/* len bytes of src at p (a length of 0: src may be NULL, not given to
 * memcpy); the place after them */
static char *put_part(char *p, const void *src, size_t len) {
	if (len)
		memcpy(p, src, len);
	return p + len;
}

/* ... and back, in a child: len bytes from *src to *at (the next 8-aligned
 * place after them), both moved on; NULL for none */
#define UP8(x) (((x) + 7) & ~(size_t) 7)
static void *take_part(char **at, const char **src, size_t len) {
	if (len == 0)
		return NULL;
	void *d = memcpy(*at, *src, len);
	*at += UP8(len);
	*src += len;
	return d;
}

/* One entry into out (cap bytes): its size, 0 if it does not fit. */
static size_t ifa_put(char *out, size_t cap, const struct ifaddrs *i) {
	struct ifa_wire w = {
		.flags = i->ifa_flags,
		.name = (uint16_t) (strlen(i->ifa_name) + 1),
		.addr = (uint16_t) sa_size(i->ifa_addr),
		.mask = (uint16_t) sa_size(i->ifa_netmask),
		.other = (uint16_t) sa_size(i->ifa_broadaddr),
		/* ioth_getifaddrs: a link's entry has its counters */
		.data = (uint16_t) (i->ifa_data && i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET ?
				sizeof(struct rtnl_link_stats) : 0),
	};
	size_t need = sizeof(w) + w.name + w.addr + w.mask + w.other + w.data;
	if (need > cap)
		return 0;
	char *p = put_part(out, &w, sizeof(w));
	p = put_part(p, i->ifa_name, w.name);
	p = put_part(p, i->ifa_addr, w.addr);
	p = put_part(p, i->ifa_netmask, w.mask);
	p = put_part(p, i->ifa_broadaddr, w.other);
	put_part(p, i->ifa_data, w.data);
	return need;
}

/* GETADDRINFO: the hints (aux) and the node's and service's lengths with
 * their NULs (0: NULL) before them in the data; the answer's entries, each
 * a struct ai_wire, its address and its canonical name (with its NUL). */
struct gai_wire {
	int32_t flags, family, socktype, protocol, has_hints;
	uint32_t node_len, serv_len;
};
struct ai_wire {
	int32_t flags, family, socktype, protocol;
	uint32_t addrlen, canon;
};

static void serve_one(struct client *c, struct req *q, char *aux, char *data, char *out) {
	struct rep r = {0};
	char raux[AUX];
	memset(raux, 0, sizeof(raux));
	int pass = -1;
	int ref = q->ref;
	long ret = -1;
	errno = 0;
	if (q->op != OP_SOCKET && q->op != OP_FORK && q->op != OP_LIST && q->op != OP_ADOPT &&
			q->op != OP_GETIFADDRS && q->op != OP_GETADDRINFO && q->op != OP_GETNAMEINFO &&
			!has_ref(c, ref)) {
		r.ret = -1;
		r.err = EBADF;
		reply(c->conn, &r, NULL, NULL, -1);
		return;
	}
	socklen_t alen = q->alen > AUX ? AUX : q->alen;
	if (q->op == OP_ACCEPT || q->op == OP_GETNAME)
		alen = AUX;   /* out only */
	switch (q->op) {
	case OP_SOCKET:
		ret = IOTHRUN_CALL(ioth_msocket(iothrun_stack, q->a, q->b | SOCK_CLOEXEC, q->c));
		if (ret >= 0 && (ret = own(c, (int) ret)) >= 0)
			pass = (int) ret;
		break;
	case OP_CLOSE:
		drop_ref(c, ref);
		ret = iothrun_close_ioth(ref);
		break;
	case OP_BIND:
		ret = IOTHRUN_CALL(ioth_bind(ref, (struct sockaddr *) aux, alen));
		break;
	case OP_CONNECT:
		/* a blocking socket's connect is started (or looked at) without
		 * waiting: the child waits for POLLOUT in its own process, where a
		 * signal interrupts it, and asks again */
		if (q->a && blocking(ref)) {
			pthread_mutex_lock(&connect_lock);
			IOTHRUN_CALL(ioth_fcntl(ref, F_SETFL, O_NONBLOCK |
						(IOTHRUN_CALL(ioth_fcntl(ref, F_GETFL, 0)) & ~O_NONBLOCK)));
			ret = IOTHRUN_CALL(ioth_connect(ref, (struct sockaddr *) aux, alen));
			int e = errno;
			IOTHRUN_CALL(ioth_fcntl(ref, F_SETFL,
						IOTHRUN_CALL(ioth_fcntl(ref, F_GETFL, 0)) & ~O_NONBLOCK));
			pthread_mutex_unlock(&connect_lock);
			errno = e;
			if (ret < 0 && (errno == EINPROGRESS || errno == EALREADY)) {
				r.wait = POLLOUT;
				r.timeout_ms = timeout_of(ref, SO_SNDTIMEO);
			}
			break;
		}
		ret = IOTHRUN_CALL(ioth_connect(ref, (struct sockaddr *) aux, alen));
		break;
	case OP_LISTEN:
		ret = IOTHRUN_CALL(ioth_listen(ref, q->a));
		break;
	case OP_ACCEPT: {
		/* a blocking listener: accept only what is there (another process
		 * may take it first: then this one waits in accept, rarely) */
		if (blocking(ref)) {
			struct pollfd p = {.fd = ref, .events = POLLIN};
			if (poll(&p, 1, 0) == 0) {
				errno = EAGAIN;
				r.wait = POLLIN;
				r.timeout_ms = timeout_of(ref, SO_RCVTIMEO);
				break;
			}
		}
		ret = IOTHRUN_CALL(ioth_accept(ref, (struct sockaddr *) raux, &alen));
		if (ret < 0)
			break;
		r.alen = alen;
		if (q->a & SOCK_NONBLOCK)
			IOTHRUN_CALL(ioth_fcntl((int) ret, F_SETFL, O_NONBLOCK));
		if ((ret = own(c, (int) ret)) >= 0)
			pass = (int) ret;
		break;
	}
	case OP_GETNAME:
		ret = q->a ? IOTHRUN_CALL(ioth_getpeername(ref, (struct sockaddr *) raux, &alen))
			: IOTHRUN_CALL(ioth_getsockname(ref, (struct sockaddr *) raux, &alen));
		r.alen = alen;
		break;
	case OP_SETSOCKOPT:
		ret = IOTHRUN_CALL(ioth_setsockopt(ref, q->a, q->b, aux, alen));
		break;
	case OP_GETSOCKOPT:
		ret = IOTHRUN_CALL(ioth_getsockopt(ref, q->a, q->b, raux, &alen));
		r.alen = alen;
		break;
	case OP_SHUTDOWN:
		ret = IOTHRUN_CALL(ioth_shutdown(ref, q->a));
		break;
	case OP_SEND: {
		int wantwait = !(q->a & MSG_DONTWAIT) && blocking(ref);
		/* c: the control data's length, at the end of the data */
		size_t clen = q->c > 0 && (uint32_t) q->c <= q->dlen && q->c <= MAXCTL ? (size_t) q->c : 0;
		union {
			struct cmsghdr h;   /* aligned for the cmsghdrs */
			char b[MAXCTL];
		} ctl;
		if (clen)
			memcpy(ctl.b, data + q->dlen - clen, clen);
		struct iovec iov = {.iov_base = data, .iov_len = q->dlen - clen};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
			.msg_name = alen ? aux : NULL, .msg_namelen = alen,
			.msg_control = clen ? ctl.b : NULL, .msg_controllen = clen};
		ret = IOTHRUN_CALL(ioth_sendmsg(ref, &m, q->a | MSG_DONTWAIT | MSG_NOSIGNAL));
		if (ret < 0 && errno == EAGAIN && wantwait) {
			r.wait = POLLOUT;
			r.timeout_ms = timeout_of(ref, SO_SNDTIMEO);
		}
		break;
	}
	case OP_RECV: {
		int wantwait = !(q->a & MSG_DONTWAIT) && blocking(ref);
		/* c: room for control data, after the data in the answer */
		size_t ccap = q->c > 0 ? ((size_t) q->c > MAXCTL ? MAXCTL : (size_t) q->c) : 0;
		size_t cap = (size_t) q->b > MAXDATA - ccap ? MAXDATA - ccap : (size_t) q->b;
		union {
			struct cmsghdr h;
			char b[MAXCTL];
		} ctl;
		struct iovec iov = {.iov_base = out, .iov_len = cap};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
			.msg_name = alen ? raux : NULL, .msg_namelen = alen,
			.msg_control = ccap ? ctl.b : NULL, .msg_controllen = ccap};
		ret = IOTHRUN_CALL(ioth_recvmsg(ref, &m, (q->a & ~MSG_WAITALL) | MSG_DONTWAIT));
		if (ret < 0 && errno == EAGAIN && wantwait) {
			r.wait = POLLIN;
			r.timeout_ms = timeout_of(ref, SO_RCVTIMEO);
		}
		if (ret >= 0) {
			r.dlen = (uint32_t) ((size_t) ret < cap ? (size_t) ret : cap);
			r.alen = alen ? m.msg_namelen : 0;
			r.flags = m.msg_flags;
			r.clen = ccap ? (uint32_t) (m.msg_controllen < ccap ? m.msg_controllen : ccap) : 0;
			memcpy(out + r.dlen, ctl.b, r.clen);
			r.dlen += r.clen;
		}
		break;
	}
	case OP_IOCTL:
		if ((unsigned long) (uint32_t) q->a == SIOCGIFCONF) {
			/* b: ifc_len, c: a buffer was given (else the length is asked);
			 * the entries come back in the data, ifc_len in flags */
			struct ifconf ifc = {.ifc_len = q->b < 0 ? 0 : (q->b > MAXDATA ? MAXDATA : q->b),
				.ifc_buf = q->c ? out : NULL};
			ret = IOTHRUN_CALL(ioth_ioctl(ref, SIOCGIFCONF, &ifc));
			if (ret >= 0) {
				r.flags = ifc.ifc_len;
				r.dlen = q->c && ifc.ifc_len > 0 ? (uint32_t) ifc.ifc_len : 0;
			}
			break;
		}
		memcpy(raux, aux, alen);
		ret = IOTHRUN_CALL(ioth_ioctl(ref, (unsigned long) (uint32_t) q->a, raux));
		r.alen = alen;
		break;
	case OP_FCNTL:
		ret = IOTHRUN_CALL(ioth_fcntl(ref, q->a, (long) q->b));
		break;
	case OP_DUP:
		ret = iothrun_dup_ioth(ref, F_DUPFD_CLOEXEC, 0);
		if (ret >= 0 && add_ref(c, (int) ret) < 0) {
			iothrun_close_ioth((int) ret);
			ret = -1;
			errno = ENOMEM;
		}
		break;
	case OP_FORK: {
		/* the refs of the forking client, duplicated for its child */
		int sv[2];
		size_t n = q->dlen / sizeof(int32_t);
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
			break;
		struct client *nc = new_client(sv[0]);
		if (nc == NULL) {
			libc.close(sv[0]);
			libc.close(sv[1]);
			errno = ENOMEM;
			break;
		}
		int32_t *in = (int32_t *) (void *) data, *o = (int32_t *) (void *) out;
		for (size_t i = 0; i < n; i++) {
			o[i] = -1;
			if (has_ref(c, in[i])) {
				int d = iothrun_dup_ioth(in[i], F_DUPFD_CLOEXEC, 0);
				if (d >= 0 && add_ref(nc, d) == 0)
					o[i] = d;
				else if (d >= 0)
					iothrun_close_ioth(d);
			}
		}
		r.dlen = (uint32_t) (n * sizeof(int32_t));
		pthread_mutex_lock(&clients_lock);
		nc->next = clients;
		clients = nc;
		pthread_mutex_unlock(&clients_lock);
		extern void *iothrun_serve(void *);
		if (start_server(nc) != 0) {
			pthread_mutex_lock(&clients_lock);
			clients = nc->next;
			pthread_mutex_unlock(&clients_lock);
			for (size_t i = 0; i < nc->nrefs; i++)
				iothrun_close_ioth(nc->refs[i]);
			nc->nrefs = 0;
			libc.close(sv[0]);
			libc.close(sv[1]);
			errno = EAGAIN;
			break;
		}
		ret = 0;
		pass = sv[1];
		break;
	}
	case OP_ADOPT: {
		/* a program spawned without a fork handler (vfork, posix_spawn)
		 * inherited sockets of ours: its candidates' inodes, each found
		 * among the owner's descriptors of the stack and duplicated */
		const char *ino = data;   /* uint64_t each, unaligned */
		int32_t *o = (int32_t *) (void *) out;
		size_t n = q->dlen / sizeof(uint64_t);
		pthread_mutex_lock(&adopt_lock);
		for (size_t i = 0; i < n; i++) {
			memcpy(&adopt_ino, ino + i * sizeof(uint64_t), sizeof(uint64_t));
			adopt_fd = -1;
			fdset_foreach(0, (unsigned int) __INT_MAX__, adopt_match);
			o[i] = -1;
			if (adopt_fd >= 0) {
				int d = iothrun_dup_ioth(adopt_fd, F_DUPFD_CLOEXEC, 0);
				if (d >= 0 && add_ref(c, d) == 0)
					o[i] = d;
				else if (d >= 0)
					iothrun_close_ioth(d);
			}
		}
		pthread_mutex_unlock(&adopt_lock);
		r.dlen = (uint32_t) (n * sizeof(int32_t));
		ret = 0;
		break;
	}
	case OP_LIST: {
		struct listed *l = (struct listed *) (void *) out;
		size_t n = 0;
		for (size_t i = 0; i < c->nrefs && n < MAXDATA / sizeof(*l); i++) {
			struct stat st;
			if (fstat(c->refs[i], &st) != 0)
				continue;
			l[n].ref = c->refs[i];
			l[n].stream = (fdset_get(c->refs[i]) & IOTHRUN_FD_STREAM) != 0;
			l[n].ino = (uint64_t) st.st_ino;
			n++;
		}
		r.dlen = (uint32_t) (n * sizeof(*l));
		ret = (long) n;
		break;
	}
	case OP_GETIFADDRS: {
		struct ifaddrs *ifa;
		size_t len = 0;
		ret = IOTHRUN_CALL(ioth_getifaddrs(iothrun_stack, &ifa));
		if (ret < 0)
			break;
		for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
			size_t k = ifa_put(out + len, MAXDATA - len, i);
			if (k == 0) {
				ret = -1, errno = ENOBUFS;   /* more than a reply holds */
				break;
			}
			len += k;
			ret++;
		}
		IOTHRUN_CALL((ioth_freeifaddrs(ifa), 0));
		r.dlen = ret >= 0 ? (uint32_t) len : 0;
		break;
	}
	case OP_GETADDRINFO: {
		/* the answer is getaddrinfo's code (r.err: errno for EAI_SYSTEM) */
		struct gai_wire h;
		memcpy(&h, aux, sizeof(h));
		const char *node = NULL, *serv = NULL;
		if (h.node_len && h.node_len <= q->dlen && data[h.node_len - 1] == '\0')
			node = data;
		if (h.serv_len && (size_t) h.node_len + h.serv_len <= q->dlen &&
				data[h.node_len + h.serv_len - 1] == '\0')
			serv = data + h.node_len;
		struct addrinfo hints = {.ai_flags = h.flags, .ai_family = h.family,
			.ai_socktype = h.socktype, .ai_protocol = h.protocol}, *res = NULL;
		int g = iothrun_getaddrinfo_here(node, serv, h.has_hints ? &hints : NULL, &res);
		int e = errno;
		size_t len = 0;
		for (struct addrinfo *i = g == 0 ? res : NULL; i; i = i->ai_next) {
			struct ai_wire w = {.flags = i->ai_flags, .family = i->ai_family,
				.socktype = i->ai_socktype, .protocol = i->ai_protocol,
				.addrlen = i->ai_addr ? (uint32_t) i->ai_addrlen : 0,
				.canon = i->ai_canonname ? (uint32_t) strlen(i->ai_canonname) + 1 : 0};
			if (w.addrlen > sizeof(struct sockaddr_storage) ||
					sizeof(w) + w.addrlen + w.canon > MAXDATA - len) {
				g = EAI_MEMORY;   /* more than a reply holds */
				break;
			}
			memcpy(out + len, &w, sizeof(w));
			if (w.addrlen)
				memcpy(out + len + sizeof(w), i->ai_addr, w.addrlen);
			if (w.canon)
				memcpy(out + len + sizeof(w) + w.addrlen, i->ai_canonname, w.canon);
			len += sizeof(w) + w.addrlen + w.canon;
		}
		if (res)
			freeaddrinfo(res);
		r.dlen = g == 0 ? (uint32_t) len : 0;
		ret = g;
		errno = g == EAI_SYSTEM ? e : 0;
		r.ret = ret;
		r.err = errno;
		reply(c->conn, &r, raux, out, -1);
		return;
	}
	case OP_GETNAMEINFO: {
		/* aux: the address (alen); a: flags, b, c: the caller's lengths;
		 * the answer: getnameinfo's code, host and service in the data */
		socklen_t hl = q->b > 0 ? (socklen_t) (q->b < NI_MAXHOST ? q->b : NI_MAXHOST) : 0;
		socklen_t sl = q->c > 0 ? (socklen_t) (q->c < NI_MAXSERV ? q->c : NI_MAXSERV) : 0;
		memset(out, 0, NI_MAXHOST + NI_MAXSERV);
		int g = iothrun_getnameinfo_here((struct sockaddr *) aux, alen, hl ? out : NULL, hl,
				sl ? out + NI_MAXHOST : NULL, sl, q->a);
		r.ret = g;
		r.err = g == EAI_SYSTEM ? errno : 0;
		r.dlen = g == 0 ? NI_MAXHOST + NI_MAXSERV : 0;
		reply(c->conn, &r, raux, out, -1);
		return;
	}
	default:
		errno = EINVAL;
		break;
	}
	r.ret = ret;
	r.err = ret < 0 ? errno : 0;
	reply(c->conn, &r, raux, out, pass);
	if (q->op == OP_FORK && pass >= 0)
		libc.close(pass);
}

/* A detached server thread for c: the thread frees c when its process
 * goes, which may be before pthread_create returns (c is not read after). */
static int start_server(struct client *c) {
	pthread_attr_t attr;
	pthread_t t;
	if (pthread_attr_init(&attr) != 0)
		return -1;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int r = pthread_create(&t, &attr, iothrun_serve, c);
	pthread_attr_destroy(&attr);
	return r == 0 ? 0 : -1;
}

/* A client on conn, with its server's buffers: made here, by the thread
 * that makes the client (for a fork, the forking thread before the fork),
 * not by the server thread as it starts. Under AddressSanitizer a thread
 * that allocates while the program forks may hold a lock of the allocator,
 * which the child then inherits held (docs/iothrun.md, Limits); the
 * program's next fork follows a fork's server start at once (nginx's
 * workers, python's children). */
#define SERVE_SIZE (sizeof(struct req) + AUX + MAXDATA)
static struct client *new_client(int conn) {
	struct client *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->buf = malloc(SERVE_SIZE);
	c->out = malloc(MAXDATA);
	if (c->buf == NULL || c->out == NULL) {
		free(c->buf);
		free(c->out);
		free(c);
		return NULL;
	}
	c->conn = conn;
	iothrun_protect(conn, 1);
	return c;
}

/* One thread per client: its calls, in order, until it goes. */
void *iothrun_serve(void *arg) {
	struct client *c = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	size_t size = SERVE_SIZE;
	char *buf = c->buf, *out = c->out;
	while (!atomic_load(&closing)) {
		ssize_t n = libc.recv(c->conn, buf, size, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t) (sizeof(struct req) + AUX))
			break;
		struct req *q = (struct req *) (void *) buf;
		if (q->dlen > (size_t) n - sizeof(struct req) - AUX)
			break;
		atomic_fetch_add(&active, 1);
		if (!atomic_load(&closing))
			serve_one(c, q, buf + sizeof(struct req), buf + sizeof(struct req) + AUX, out);
		atomic_fetch_sub(&active, 1);
	}
	free(buf);
	free(out);
	/* the client is gone (exit, exec, or a failure): its refs are closed */
	pthread_mutex_lock(&clients_lock);
	for (struct client **pp = &clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&clients_lock);
	if (!atomic_load(&closing))
		for (size_t i = 0; i < c->nrefs; i++) {
			iothrun_protect(c->refs[i], 0);
			iothrun_close_ioth(c->refs[i]);
		}
	iothrun_protect(c->conn, 0);
	libc.close(c->conn);
	if (iothrun_debug)
		iothrun_log("iothrun[%d]: a process sharing the stack has gone", (int) getpid());
	free(c->refs);
	free(c);
	return NULL;
}

/* ------------------------------------------------------------ fork */

static pthread_mutex_t fork_lock = PTHREAD_MUTEX_INITIALIZER;
static struct client *forking;   /* owner: the child's client, made in prepare */
static int fork_conn = -1;       /* a client: the child's connection */
static int32_t *fork_refs;       /* a client: the new refs, per fd */
static int *fork_fds;
static size_t nfork, capfork;

static void collect(int fd) {
	if (fdset_get(fd) & IOTHRUN_FD_KERNEL)
		return;
	if (nfork == capfork) {
		size_t cap = capfork ? 2 * capfork : 64;
		int *n = realloc(fork_fds, cap * sizeof(*n));
		int32_t *m = realloc(fork_refs, cap * sizeof(*m));
		if (n)
			fork_fds = n;
		if (m)
			fork_refs = m;
		if (n == NULL || m == NULL)
			return;
		capfork = cap;
	}
	fork_fds[nfork++] = fd;
}

/* Is the owner's stack a user-space one? Its sockets are AF_UNIX readiness
 * pairs then (ustack); a kernel plugin's (vdestack) are kernel sockets that
 * work in a child as they are. */
static int is_user_stack(void) {
	if (user_stack < 0) {
		int fd = IOTHRUN_CALL(ioth_msocket(iothrun_stack, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
		int domain = -1;
		socklen_t len = sizeof(domain);
		if (fd >= 0) {
			libc.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
			IOTHRUN_CALL(ioth_close(fd));
		}
		user_stack = domain == AF_UNIX;
	}
	return user_stack;
}

static struct client *owner_prepare(void) {
	if (!is_user_stack())
		return NULL;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return NULL;
	struct client *c = new_client(sv[0]);
	if (c == NULL) {
		libc.close(sv[0]);
		libc.close(sv[1]);
		return NULL;
	}
	fork_conn = sv[1];
	iothrun_protect(sv[1], 1);
	/* the refs: not those of other clients (they are theirs, not the
	 * program's) */
	nfork = 0;
	fdset_foreach(0, (unsigned int) __INT_MAX__, collect);
	pthread_mutex_lock(&clients_lock);
	for (size_t i = 0; i < nfork; i++) {
		int fd = fork_fds[i], mine = 0;
		for (struct client *o = clients; o && !mine; o = o->next)
			mine = has_ref(o, fd);
		int d = mine ? -1 : iothrun_dup_ioth(fd, F_DUPFD_CLOEXEC, 0);
		if (d >= 0 && add_ref(c, d) < 0) {
			iothrun_close_ioth(d);
			d = -1;
		}
		fork_refs[i] = d;
	}
	pthread_mutex_unlock(&clients_lock);
	return c;
}

static void client_prepare(void) {
	nfork = 0;
	fdset_foreach(0, (unsigned int) __INT_MAX__, collect);
	size_t n = 0;
	static int32_t refs[MAXREFS];
	for (size_t i = 0; i < nfork && n < MAXREFS; i++)
		refs[n++] = iothrun_remote_ref(fork_fds[i]);
	nfork = n;
	int conn = -1;
	if (iothrun_remote_fork(refs, n, fork_refs, &conn) == 0)
		fork_conn = conn;
}

static void prepare(void) {
	pthread_mutex_lock(&fork_lock);
	fork_conn = -1;
	nfork = 0;
	forking = NULL;
	if (!iothrun_ready_quiet())
		return;
	int saved = errno;
	if (iothrun_remote)
		client_prepare();
	else if (iothrun_is_creator())
		forking = owner_prepare();
	errno = saved;
}

static void parent(void) {
	int saved = errno;
	if (forking) {
		libc.close(fork_conn);
		pthread_mutex_lock(&clients_lock);
		forking->next = clients;
		clients = forking;
		pthread_mutex_unlock(&clients_lock);
		if (start_server(forking) != 0) {
			/* the child finds its connection closed: EBADF/ENOTCONN */
			iothrun_log("iothrun: no server thread for a forked child");
		}
	} else if (fork_conn >= 0) {
		libc.close(fork_conn);
	}
	if (fork_conn >= 0)
		iothrun_protect(fork_conn, 0);
	forking = NULL;
	fork_conn = -1;
	pthread_mutex_unlock(&fork_lock);
	errno = saved;
}

static void drop_door(void);

/* in a forked child: the copies of a client's connection and refs */
static void close_client_fds(struct client *c) {
	libc.close(c->conn);
	iothrun_protect(c->conn, 0);
	for (size_t i = 0; i < c->nrefs; i++) {
		iothrun_protect(c->refs[i], 0);
		fdset_clear(c->refs[i]);
		libc.close(c->refs[i]);
	}
}

static void child(void) {
	int saved = errno;
	if (iothrun_remote || forking) {
		if (forking) {
			/* the owner's server ends and refs are not the child's */
			close_client_fds(forking);
			for (struct client *o = clients; o; o = o->next)
				close_client_fds(o);
			clients = NULL;
			pthread_mutex_init(&clients_lock, NULL);
			/* the door is the owner's: a copy here would keep it open after
			 * the owner's exit, and a program spawned then would wait for an
			 * answer from nobody (with none, it cannot join: its own stack) */
			drop_door();
			/* the stack's own descriptors: the owner's going then hangs up
			 * this process's socket descriptors */
			iothrun_close_protected(fork_conn);
			iothrun_close_stack_peers(fork_conn);
		}
		iothrun_remote_child(fork_conn, fork_fds, fork_refs, nfork);
	}
	forking = NULL;
	fork_conn = -1;
	pthread_mutex_init(&fork_lock, NULL);
	errno = saved;
}

/* The owner's door for programs spawned without a fork handler (vfork,
 * posix_spawn: python's subprocess, glibc's system and popen): an abstract
 * AF_UNIX SOCK_SEQPACKET socket, named in $IOTHRUN_SHARED, accepting
 * processes of our own user only. */
static int door = -1;
static char door_name[64];

static void *door_loop(void *arg) {
	(void) arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!atomic_load(&closing)) {
		int c = libc.accept4(door, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		struct ucred cr;
		socklen_t len = sizeof(cr);
		struct client *nc;
		if (libc.getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 || cr.uid != getuid() ||
				(nc = new_client(c)) == NULL) {
			libc.close(c);
			continue;
		}
		pthread_mutex_lock(&clients_lock);
		nc->next = clients;
		clients = nc;
		pthread_mutex_unlock(&clients_lock);
		if (start_server(nc) != 0)
			libc.shutdown(c, SHUT_RDWR);   /* the thread-less client goes */
	}
	return NULL;
}

/* The owner, once its stack is ready: the door, if the stack is a
 * user-space one; its name for iothrun_attach ("" if none). */
const char *iothrun_shared_door(void) {
	if (!is_user_stack())
		return "";
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return "";
	unsigned int rnd = (unsigned int) time(NULL) ^ (unsigned int) getpid() * 2654435761u;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(door_name, sizeof(door_name), "iothrun.%d.%08x", (int) getpid(), rnd);
	memcpy(a.sun_path + 1, door_name, strlen(door_name));
	socklen_t len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(door_name));
	pthread_t t;
	if (libc.bind(fd, (struct sockaddr *) &a, len) < 0 || libc.listen(fd, 16) < 0) {
		libc.close(fd);
		return "";
	}
	door = fd;
	iothrun_protect(fd, 1);
	if (pthread_create(&t, NULL, door_loop, NULL) != 0) {
		iothrun_protect(fd, 0);
		libc.close(fd);
		door = -1;
		return "";
	}
	pthread_detach(t);
	return door_name;
}

static void drop_door(void) {
	if (door >= 0) {
		iothrun_protect(door, 0);
		libc.close(door);
		door = -1;
	}
}

static int door_connect(const char *name) {
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t n = strlen(name);
	if (n == 0 || n + 1 > sizeof(a.sun_path)) {
		libc.close(fd);
		return -1;
	}
	memcpy(a.sun_path + 1, name, n);
	if (libc.connect(fd, (struct sockaddr *) &a, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0) {
		libc.close(fd);
		return -1;
	}
	return fd;
}

void iothrun_shared_init(void) {
	pthread_atfork(prepare, parent, child);
}

/* The owner's end: the servers stop before the stack goes (a child still
 * running loses the stack: its calls fail). Calls in progress are given a
 * second to finish. */
void iothrun_shared_fini(void) {
	atomic_store(&closing, 1);
	if (door >= 0)
		libc.shutdown(door, SHUT_RDWR);
	pthread_mutex_lock(&clients_lock);
	for (struct client *c = clients; c; c = c->next)
		shutdown(c->conn, SHUT_RDWR);
	pthread_mutex_unlock(&clients_lock);
	for (int i = 0; i < 100 && atomic_load(&active) > 0; i++) {
		struct timespec t = {0, 10 * 1000 * 1000};
		nanosleep(&t, NULL);
	}
}

/* ------------------------------------------------------------ a client
 * (a forked child, and its own children): the calls on its ioth
 * descriptors, carried to the owner's server. */

static int conn_fd = -1;
static pthread_mutex_t cl_lock = PTHREAD_MUTEX_INITIALIZER;
static int32_t *map;   /* map[fd]: ref + 1, 0: none */
static size_t mapcap;

static int map_set(int fd, int ref) {
	if (fd < 0)
		return -1;
	if ((size_t) fd >= mapcap) {
		size_t cap = mapcap ? mapcap : 256;
		while (cap <= (size_t) fd)
			cap *= 2;
		int32_t *n = realloc(map, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		memset(n + mapcap, 0, (cap - mapcap) * sizeof(*n));
		map = n;
		mapcap = cap;
	}
	map[fd] = ref + 1;
	return 0;
}

/* under cl_lock */
static int map_get(int fd) {
	return fd >= 0 && (size_t) fd < mapcap ? map[fd] - 1 : -1;
}

int iothrun_remote_ref(int fd) {
	pthread_mutex_lock(&cl_lock);
	int r = map_get(fd);
	pthread_mutex_unlock(&cl_lock);
	return r;
}

/* One request and its reply (under cl_lock). The reply's data goes to rdata
 * (at most rcap bytes), a descriptor passed to *pfd. -1: the server is gone.
 * Plain write and read of one buffer unless a descriptor comes back: a
 * process may run under a seccomp filter that allows only those (sshd's
 * privilege-separated child, which does the network I/O). */
static char *cl_buf;
#define CL_BUF (sizeof(struct rep) + AUX + MAXDATA)

/* A request written on the connection; the owner gone (its end closed),
 * EPIPE without the SIGPIPE that would end this process: SIGPIPE is blocked
 * around the write and, if the write raised it, taken back. (write, not
 * send with MSG_NOSIGNAL: see above.) */
static ssize_t conn_write(const void *buf, size_t len) {
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	int masked = pthread_sigmask(SIG_BLOCK, &pipe_set, &old) == 0;
	ssize_t n;
	while ((n = libc.write(conn_fd, buf, len)) < 0 && errno == EINTR)
		;
	int e = errno;
	if (masked) {
		sigset_t pend;
		if (n < 0 && e == EPIPE && sigismember(&old, SIGPIPE) == 0 && sigpending(&pend) == 0 &&
				sigismember(&pend, SIGPIPE) == 1) {
			struct timespec zero = {0, 0};
			sigtimedwait(&pipe_set, NULL, &zero);
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	errno = e;
	return n;
}

static int call(struct req *q, const void *aux, const void *data, struct rep *r, void *raux,
		void *rdata, size_t rcap, int *pfd, int cloexec) {
	if (cl_buf == NULL && (cl_buf = malloc(CL_BUF > sizeof(*q) + AUX + MAXDATA ? CL_BUF
					: sizeof(*q) + AUX + MAXDATA)) == NULL)
		return errno = ENOMEM, -1;
	memcpy(cl_buf, q, sizeof(*q));
	if (aux)
		memcpy(cl_buf + sizeof(*q), aux, AUX);
	else
		memset(cl_buf + sizeof(*q), 0, AUX);
	/* the data may be the program's (a send's buffer): EFAULT where it is
	 * not there, before anything is asked */
	if (q->dlen && iothrun_copy_in(cl_buf + sizeof(*q) + AUX, data, q->dlen) < 0)
		return errno = EFAULT, -1;
	ssize_t n = conn_write(cl_buf, sizeof(*q) + AUX + q->dlen);
	if (n < 0)
		return errno = ENETDOWN, -1;
	int fd = -1;
	if (pfd) {
		struct iovec riov = {.iov_base = cl_buf, .iov_len = CL_BUF};
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(int))];
		} cm;
		struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1,
			.msg_control = cm.b, .msg_controllen = sizeof(cm.b)};
		while ((n = libc.recvmsg(conn_fd, &rm, cloexec ? MSG_CMSG_CLOEXEC : 0)) < 0 && errno == EINTR)
			;
		if (n >= 0)
			for (struct cmsghdr *h = CMSG_FIRSTHDR(&rm); h; h = CMSG_NXTHDR(&rm, h))
				if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
					memcpy(&fd, CMSG_DATA(h), sizeof(int));
	} else {
		while ((n = libc.read(conn_fd, cl_buf, CL_BUF)) < 0 && errno == EINTR)
			;
	}
	if (n < (ssize_t) (sizeof(*r) + AUX)) {
		if (fd >= 0)
			libc.close(fd);
		return errno = ENETDOWN, -1;
	}
	memcpy(r, cl_buf, sizeof(*r));
	if (raux)
		memcpy(raux, cl_buf + sizeof(*r), AUX);
	size_t got = (size_t) n - sizeof(*r) - AUX;
	if (got > rcap)
		got = rcap;
	/* the data may go to the program's memory (a recv's buffer): EFAULT
	 * where it cannot be written; what was received is lost then, as a
	 * datagram Linux could not copy (a stream's buffer is probed before) */
	if (got && iothrun_copy_out(rdata, cl_buf + sizeof(*r) + AUX, got) < 0) {
		if (fd >= 0)
			libc.close(fd);
		return errno = EFAULT, -1;
	}
	if (pfd)
		*pfd = fd;
	return 0;
}

/* A request on fd's ref: r filled, -1 with errno if fd has none. */
static int call_fd(int fd, struct req *q, const void *aux, const void *data, struct rep *r,
		void *raux, void *rdata, size_t rcap, int *pfd, int cloexec) {
	pthread_mutex_lock(&cl_lock);
	q->ref = map_get(fd);
	int ret;
	if (q->ref < 0 && q->op != OP_SOCKET && q->op != OP_FORK)
		ret = -1, errno = EBADF;
	else
		ret = call(q, aux, data, r, raux, rdata, rcap, pfd, cloexec);
	pthread_mutex_unlock(&cl_lock);
	return ret;
}

static long result(struct rep *r) {
	if (r->ret < 0)
		errno = r->err;
	return (long) r->ret;
}

/* After poll's EINTR (a handler ran): may the blocking call go on, as
 * Linux restarts it for a handler installed with SA_RESTART? poll does not
 * say which signal came, so the call goes on only when no handler of a
 * signal this thread can take lacks SA_RESTART (the rule of ustack's own
 * waits). The signals of faults never reach a wait; glibc's internal ones
 * answer EINVAL to sigaction. */
static int restart_ok(void) {
	sigset_t mask;
	if (pthread_sigmask(SIG_BLOCK, NULL, &mask) != 0)
		sigemptyset(&mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS ||
				sig == SIGFPE || sig == SIGILL || sig == SIGTRAP || sig == SIGSYS)
			continue;
		struct sigaction sa;
		if (sigismember(&mask, sig) == 1 || sigaction(sig, NULL, &sa) != 0)
			continue;
		int caught = (sa.sa_flags & SA_SIGINFO) ? sa.sa_sigaction != NULL
				: (sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);
		if (caught && !(sa.sa_flags & SA_RESTART))
			return 0;
	}
	return 1;
}

/* Wait in this process for the readiness the server asked for: a signal
 * handler that runs ends the wait with EINTR, unless it was installed with
 * SA_RESTART and the socket has no timeout (Linux never restarts a socket
 * call with SO_RCVTIMEO/SO_SNDTIMEO set, signal(7)); the socket's timeout
 * ends it with EAGAIN. */
static int wait_for(int fd, struct rep *r) {
	/* and the connection: the owner gone (it exited), it hangs up and the
	 * wait ends with ENETDOWN (the surest sign: the socket's descriptor hangs
	 * up only when no process holds a copy of the stack's end of its pair) */
	struct pollfd p[2] = {{.fd = fd, .events = (short) r->wait}, {.fd = conn_fd, .events = 0}};
	int n;
	while ((n = poll(p, conn_fd >= 0 ? 2 : 1, r->timeout_ms > 0 ? r->timeout_ms : -1)) < 0 &&
			errno == EINTR && r->timeout_ms <= 0 && restart_ok())
		;
	if (n < 0)
		return -1;
	if (n == 0)
		return errno = EAGAIN, -1;
	if (conn_fd >= 0 && (p[1].revents & (POLLHUP | POLLERR | POLLNVAL)))
		return errno = ENETDOWN, -1;
	return 0;
}

int iothrun_remote_socket(int domain, int type, int protocol) {
	struct req q = {.op = OP_SOCKET, .a = domain, .b = type & ~SOCK_CLOEXEC, .c = protocol};
	struct rep r;
	int fd = -1;
	if (call_fd(-1, &q, NULL, NULL, &r, NULL, NULL, 0, &fd, type & SOCK_CLOEXEC) < 0)
		return -1;
	if (r.ret < 0 || fd < 0) {
		if (fd >= 0)
			libc.close(fd);
		return r.ret < 0 ? (int) result(&r) : (errno = EIO, -1);
	}
	pthread_mutex_lock(&cl_lock);
	int ok = map_set(fd, (int) r.ret);
	pthread_mutex_unlock(&cl_lock);
	if (ok < 0) {
		struct req c = {.op = OP_CLOSE, .ref = (int) r.ret};
		pthread_mutex_lock(&cl_lock);
		call(&c, NULL, NULL, &r, NULL, NULL, 0, NULL, 0);
		pthread_mutex_unlock(&cl_lock);
		libc.close(fd);
		return errno = ENOMEM, -1;
	}
	fdset_set(fd, IOTHRUN_FD_IOTH | ((type & 0xf) == SOCK_STREAM ? IOTHRUN_FD_STREAM : 0));
	if (iothrun_debug)
		iothrun_log("iothrun[%d]: socket -> fd %d on the shared stack", (int) getpid(), fd);
	return fd;
}

int iothrun_remote_close(int fd) {
	struct req q = {.op = OP_CLOSE};
	struct rep r;
	fdset_clear(fd);
	pthread_mutex_lock(&cl_lock);
	q.ref = map_get(fd);
	if (q.ref >= 0) {
		map[fd] = 0;
		call(&q, NULL, NULL, &r, NULL, NULL, 0, NULL, 0);
	}
	pthread_mutex_unlock(&cl_lock);
	return libc.close(fd);
}

/* An address or option value of len bytes into aux (zeroed after it), as
 * the kernel copies it: EINVAL when it does not fit, EFAULT when it is
 * not there (NULL, unmapped) */
static int arg_in(char *aux, const void *arg, socklen_t len) {
	if (len > AUX)
		return errno = EINVAL, -1;
	memset(aux, 0, AUX);
	if (len && iothrun_copy_in(aux, arg, len) < 0)
		return errno = EFAULT, -1;
	return 0;
}

static int addr_call(int op, int fd, const struct sockaddr *addr, socklen_t len) {
	char aux[AUX];
	if (arg_in(aux, addr, len) < 0)
		return -1;
	struct req q = {.op = op, .alen = len};
	struct rep r;
	if (call_fd(fd, &q, aux, NULL, &r, NULL, NULL, 0, NULL, 0) < 0)
		return -1;
	return (int) result(&r);
}

int iothrun_remote_bind(int fd, const struct sockaddr *addr, socklen_t len) {
	return addr_call(OP_BIND, fd, addr, len);
}

/* connect in a child: a blocking socket's connect waits here (poll on the
 * descriptor for POLLOUT) as Linux's does in the kernel: a signal handler
 * without SA_RESTART ends it with EINTR, the connection going on (a later
 * connect: EALREADY if non-blocking, else it waits again; once done, 0 then
 * EISCONN, as Linux); with SA_RESTART it goes on; SO_SNDTIMEO ends it with
 * EINPROGRESS (the first call) or EALREADY (a later one). */
int iothrun_remote_connect(int fd, const struct sockaddr *addr, socklen_t len) {
	char aux[AUX];
	if (arg_in(aux, addr, len) < 0)
		return -1;
	int first = 0;   /* the errno of the first answer that waits */
	for (;;) {
		struct req q = {.op = OP_CONNECT, .a = 1, .alen = len};
		struct rep r;
		if (call_fd(fd, &q, aux, NULL, &r, NULL, NULL, 0, NULL, 0) < 0)
			return -1;
		if (r.ret >= 0 || !r.wait)
			return (int) result(&r);
		if (first == 0)
			first = r.err;
		if (wait_for(fd, &r) < 0) {
			if (errno == EAGAIN)
				errno = first;   /* SO_SNDTIMEO: EINPROGRESS or EALREADY */
			return -1;
		}
	}
}

static int int_call(int op, int fd, int a, int b) {
	struct req q = {.op = op, .a = a, .b = b};
	struct rep r;
	if (call_fd(fd, &q, NULL, NULL, &r, NULL, NULL, 0, NULL, 0) < 0)
		return -1;
	return (int) result(&r);
}

int iothrun_remote_listen(int fd, int backlog) {
	return int_call(OP_LISTEN, fd, backlog, 0);
}

int iothrun_remote_shutdown(int fd, int how) {
	return int_call(OP_SHUTDOWN, fd, how, 0);
}

static void give_addr(const char *aux, uint32_t alen, struct sockaddr *addr, socklen_t *len) {
	if (addr && len) {
		memcpy(addr, aux, alen < *len ? alen : *len);
		*len = alen;
	}
}

int iothrun_remote_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return errno = EINVAL, -1;
	for (;;) {
		struct req q = {.op = OP_ACCEPT, .a = flags};
		struct rep r;
		char aux[AUX];
		int nfd = -1;
		if (call_fd(fd, &q, NULL, NULL, &r, aux, NULL, 0, &nfd, flags & SOCK_CLOEXEC) < 0)
			return -1;
		if (r.ret >= 0 && nfd >= 0) {
			pthread_mutex_lock(&cl_lock);
			map_set(nfd, (int) r.ret);
			pthread_mutex_unlock(&cl_lock);
			fdset_set(nfd, IOTHRUN_FD_IOTH | IOTHRUN_FD_STREAM);
			give_addr(aux, r.alen, addr, len);
			return nfd;
		}
		if (r.ret < 0 && r.err == EAGAIN && r.wait) {
			if (wait_for(fd, &r) < 0)
				return -1;
			continue;
		}
		return r.ret < 0 ? (int) result(&r) : (errno = EIO, -1);
	}
}

int iothrun_remote_getname(int fd, struct sockaddr *addr, socklen_t *len, int peer) {
	struct req q = {.op = OP_GETNAME, .a = peer};
	struct rep r;
	char aux[AUX];
	if (call_fd(fd, &q, NULL, NULL, &r, aux, NULL, 0, NULL, 0) < 0)
		return -1;
	if (r.ret < 0)
		return (int) result(&r);
	if (addr == NULL || len == NULL)
		return errno = EFAULT, -1;
	give_addr(aux, r.alen, addr, len);
	return 0;
}

int iothrun_remote_setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
	char aux[AUX];
	if (arg_in(aux, val, len) < 0)
		return -1;
	struct req q = {.op = OP_SETSOCKOPT, .a = level, .b = name, .alen = len};
	struct rep r;
	if (call_fd(fd, &q, aux, NULL, &r, NULL, NULL, 0, NULL, 0) < 0)
		return -1;
	return (int) result(&r);
}

int iothrun_remote_getsockopt(int fd, int level, int name, void *val, socklen_t *len) {
	if (val == NULL || len == NULL)
		return errno = EFAULT, -1;
	struct req q = {.op = OP_GETSOCKOPT, .a = level, .b = name,
		.alen = *len > AUX ? AUX : *len};
	struct rep r;
	char aux[AUX];
	if (call_fd(fd, &q, NULL, NULL, &r, aux, NULL, 0, NULL, 0) < 0)
		return -1;
	if (r.ret < 0)
		return (int) result(&r);
	memcpy(val, aux, r.alen < *len ? r.alen : *len);
	*len = r.alen;
	return (int) r.ret;
}

/* The size of an ioctl's argument carried to the owner (in and out): the
 * socket ioctls ustack answers and those of the same shapes (an int, a
 * struct ifreq without pointers in it, a struct timeval/timespec); -1: any
 * other (ustack's answer to them is ENOTTY, given here without carrying an
 * argument whose shape is unknown). SIOCGIFCONF is apart. */
static int ioctl_size(unsigned long req) {
	switch (req) {
	case FIONREAD:   /* SIOCINQ */
	case FIONBIO:
	case SIOCOUTQ:
	case SIOCATMARK:
	case SIOCOUTQNSD:
		return sizeof(int);
	case SIOCGSTAMP_OLD:
		return sizeof(struct timeval);
	case SIOCGSTAMPNS_OLD:
		return sizeof(struct timespec);
	case SIOCGIFNAME:
	case SIOCGIFINDEX:
	case SIOCGIFFLAGS:
	case SIOCSIFFLAGS:
	case SIOCGIFMTU:
	case SIOCSIFMTU:
	case SIOCGIFHWADDR:
	case SIOCSIFHWADDR:
	case SIOCGIFADDR:
	case SIOCSIFADDR:
	case SIOCGIFNETMASK:
	case SIOCSIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCSIFBRDADDR:
	case SIOCGIFDSTADDR:
	case SIOCSIFDSTADDR:
	case SIOCGIFMETRIC:
	case SIOCSIFMETRIC:
	case SIOCGIFTXQLEN:
	case SIOCSIFTXQLEN:
	case SIOCGIFMAP:
	case SIOCSIFMAP:
	case SIOCSIFNAME:
	case SIOCADDMULTI:
	case SIOCDELMULTI:
		return sizeof(struct ifreq);
	default:
		return -1;
	}
}

/* The requests whose argument Linux only writes (after the request: its
 * own error, ENOENT or EINVAL, comes before an EFAULT); the others' is
 * read first. */
static int ioctl_out_only(unsigned long req) {
	switch (req) {
	case FIONREAD:
	case SIOCOUTQ:
	case SIOCATMARK:
	case SIOCOUTQNSD:
	case SIOCGSTAMP_OLD:
	case SIOCGSTAMPNS_OLD:
		return 1;
	default:
		return 0;
	}
}

/* Linux's socket ioctls (type 0x89) that no protocol answers read a
 * struct ifreq before they are found unknown: EFAULT, not ENOTTY, when it
 * is not there */
static int ioctl_unknown(unsigned long req, void *arg) {
	struct ifreq ifr;
	if (((req >> 8) & 0xff) == 0x89 && iothrun_copy_in(&ifr, arg, sizeof(ifr)) < 0)
		return errno = EFAULT, -1;
	return errno = ENOTTY, -1;
}

/* SIOCGIFCONF in a child: the owner's list into the caller's buffer (at most
 * 64 KiB of it: over 1600 entries), or its length when ifc_buf is NULL. */
static int remote_ifconf(int fd, void *arg) {
	struct ifconf ifc;
	if (iothrun_copy_in(&ifc, arg, sizeof(ifc)) < 0)
		return errno = EFAULT, -1;
	int len = ifc.ifc_len < 0 ? 0 : ifc.ifc_len;
	size_t cap = ifc.ifc_buf ? ((size_t) len > MAXDATA ? MAXDATA : (size_t) len) : 0;
	struct req q = {.op = OP_IOCTL, .a = (int32_t) (uint32_t) SIOCGIFCONF, .b = (int32_t) cap,
		.c = ifc.ifc_buf != NULL};
	struct rep r;
	char *list = cap ? malloc(cap) : NULL;
	if (cap && list == NULL)
		return errno = ENOMEM, -1;
	int ret = call_fd(fd, &q, NULL, NULL, &r, NULL, list, cap, NULL, 0);
	if (ret == 0 && r.ret < 0)
		ret = (int) result(&r);
	else if (ret == 0) {
		/* the entries, then the length: EFAULT where they do not fit in
		 * the caller's memory, as Linux's copies */
		size_t got = ifc.ifc_buf && r.flags > 0 ? (size_t) r.flags : 0;
		ifc.ifc_len = r.flags;
		if (got > cap || iothrun_copy_out(ifc.ifc_buf, list, got) < 0 ||
				iothrun_copy_out(arg, &ifc, sizeof(ifc)) < 0)
			ret = -1, errno = EFAULT;
		else
			ret = (int) r.ret;
	}
	free(list);
	return ret;
}

int iothrun_remote_ioctl(int fd, unsigned long req, void *arg) {
	if (req == SIOCGIFCONF)
		return remote_ifconf(fd, arg);
	int size = ioctl_size(req);
	if (size < 0)
		return ioctl_unknown(req, arg);
	/* a copy of the argument, as the kernel's: read first (EFAULT before
	 * the request), written back after it (EFAULT after) */
	char aux[AUX] = {0};
	int out_only = ioctl_out_only(req);
	if (!out_only && iothrun_copy_in(aux, arg, (size_t) size) < 0)
		return errno = EFAULT, -1;
	struct req q = {.op = OP_IOCTL, .a = (int32_t) (uint32_t) req, .alen = (uint32_t) size};
	struct rep r;
	char raux[AUX];
	if (call_fd(fd, &q, aux, NULL, &r, raux, NULL, 0, NULL, 0) < 0)
		return -1;
	if (r.ret >= 0 && iothrun_copy_out(arg, raux, (size_t) size) < 0)
		return errno = EFAULT, -1;
	if (r.ret < 0 && r.err == ENOTTY)
		return ioctl_unknown(req, arg);
	return (int) result(&r);
}

int iothrun_remote_dup(int fd, int cmd, int min) {
	int nfd = libc.fcntl(fd, cmd, min);
	if (nfd < 0)
		return -1;
	struct req q = {.op = OP_DUP};
	struct rep r;
	if (call_fd(fd, &q, NULL, NULL, &r, NULL, NULL, 0, NULL, 0) < 0 || r.ret < 0) {
		int err = errno;
		if (r.ret < 0)
			err = r.err;
		libc.close(nfd);
		return errno = err, -1;
	}
	pthread_mutex_lock(&cl_lock);
	map_set(nfd, (int) r.ret);
	pthread_mutex_unlock(&cl_lock);
	fdset_set(nfd, fdset_get(fd));
	return nfd;
}

int iothrun_remote_fcntl(int fd, int cmd, long arg) {
	switch (cmd) {
	case F_GETFD:
	case F_SETFD:
		/* a descriptor's own flag: this process's descriptor */
		return libc.fcntl(fd, cmd, arg);
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return iothrun_remote_dup(fd, cmd, (int) arg);
	default:
		return int_call(OP_FCNTL, fd, cmd, (int) arg);
	}
}

/* A send with ctl (clen bytes of ancillary data) going with the first
 * request, after its data. */
static ssize_t send_ctl(int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *to, socklen_t tolen, const void *ctl, size_t clen) {
	int stream = fdset_get(fd) & IOTHRUN_FD_STREAM;
	if (tolen > AUX)
		return errno = EINVAL, -1;
	if (clen > MAXCTL)
		return errno = ENOBUFS, -1;   /* Linux: above optmem_max */
	if (!stream && len > MAXDATA - clen)
		return errno = EMSGSIZE, -1;
	char aux[AUX] = {0};
	if (to && tolen && iothrun_copy_in(aux, to, tolen) < 0)
		return errno = EFAULT, -1;
	char *tmp = NULL;
	if (clen && (tmp = malloc(MAXDATA)) == NULL)
		return errno = ENOMEM, -1;
	size_t done = 0;
	ssize_t ret;
	for (;;) {
		size_t cl = done == 0 ? clen : 0;
		size_t n = len - done > MAXDATA - cl ? MAXDATA - cl : len - done;
		const char *d = (const char *) buf + done;
		if (cl) {
			if (iothrun_copy_in(tmp, d, n) < 0 || iothrun_copy_in(tmp + n, ctl, cl) < 0) {
				errno = EFAULT;
				ret = -1;
				break;
			}
			d = tmp;
		}
		struct req q = {.op = OP_SEND, .a = flags, .c = (int32_t) cl, .alen = to ? tolen : 0,
			.dlen = (uint32_t) (n + cl)};
		struct rep r;
		if (call_fd(fd, &q, aux, d, &r, NULL, NULL, 0, NULL, 0) < 0) {
			ret = done ? (ssize_t) done : -1;
			break;
		}
		if (r.ret >= 0) {
			done += (size_t) r.ret;
			if (!stream || done >= len) {
				ret = (ssize_t) done;
				break;
			}
			continue;
		}
		if (r.err == EAGAIN && r.wait) {
			if (wait_for(fd, &r) < 0) {
				ret = done ? (ssize_t) done : -1;
				break;
			}
			continue;
		}
		if (done) {
			ret = (ssize_t) done;
			break;
		}
		if (r.err == EPIPE && !(flags & MSG_NOSIGNAL))
			raise(SIGPIPE);
		errno = r.err;
		ret = -1;
		break;
	}
	if (tmp) {
		int e = errno;
		free(tmp);
		errno = e;
	}
	return ret;
}

ssize_t iothrun_remote_sendto(int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *to, socklen_t tolen) {
	return send_ctl(fd, buf, len, flags, to, tolen, NULL, 0);
}

/* A msghdr and its iovec array copied from the program (Linux's
 * copy_msghdr_from_user): EFAULT where they are not there, EMSGSIZE for
 * more than UIO_MAXIOV entries; *iov to be freed. The total length in
 * *len (-1 with EINVAL when it overflows ssize_t, as Linux). */
static int msg_in(const struct msghdr *umsg, struct msghdr *msg, struct iovec **iov, size_t *len) {
	*iov = NULL;
	if (umsg == NULL || iothrun_copy_in(msg, umsg, sizeof(*msg)) < 0)
		return errno = EFAULT, -1;
	if (msg->msg_iovlen > UIO_MAXIOV)
		return errno = EMSGSIZE, -1;
	if (msg->msg_iovlen) {
		*iov = malloc(msg->msg_iovlen * sizeof(**iov));
		if (*iov == NULL)
			return errno = ENOMEM, -1;
		if (iothrun_copy_in(*iov, msg->msg_iov, msg->msg_iovlen * sizeof(**iov)) < 0) {
			free(*iov);
			*iov = NULL;
			return errno = EFAULT, -1;
		}
	}
	msg->msg_iov = *iov;
	*len = 0;
	for (size_t i = 0; i < msg->msg_iovlen; i++) {
		if ((*iov)[i].iov_len > (size_t) SSIZE_MAX - *len) {
			free(*iov);
			*iov = NULL;
			return errno = EINVAL, -1;
		}
		*len += (*iov)[i].iov_len;
	}
	return 0;
}

ssize_t iothrun_remote_sendmsg(int fd, const struct msghdr *umsg, int flags) {
	struct msghdr m;
	struct iovec *iov;
	size_t len;
	if (msg_in(umsg, &m, &iov, &len) < 0)
		return -1;
	const struct msghdr *msg = &m;
	const void *ctl = msg->msg_controllen ? msg->msg_control : NULL;
	size_t clen = ctl ? msg->msg_controllen : 0;
	ssize_t r;
	if (msg->msg_iovlen == 1) {
		r = send_ctl(fd, msg->msg_iov[0].iov_base, len, flags,
				msg->msg_name, msg->msg_namelen, ctl, clen);
		free(iov);
		return r;
	}
	char *b = malloc(len ? len : 1);
	if (b == NULL) {
		free(iov);
		return errno = ENOMEM, -1;
	}
	/* gathered here, each part copied as the kernel does: a part that is
	 * not there ends the data (a stream sends what came before it, as
	 * Linux's copy stops at the fault; a datagram is EFAULT) */
	size_t off = 0;
	int bad = 0;
	for (size_t i = 0; i < msg->msg_iovlen && !bad; i++) {
		if (iothrun_copy_in(b + off, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len) < 0)
			bad = 1;
		else
			off += msg->msg_iov[i].iov_len;
	}
	if (bad && (off == 0 || !(fdset_get(fd) & IOTHRUN_FD_STREAM)))
		r = -1, errno = EFAULT;
	else
		r = send_ctl(fd, b, off, flags, msg->msg_name, msg->msg_namelen, ctl, clen);
	free(b);
	free(iov);
	return r;
}

ssize_t iothrun_remote_writev(int fd, const struct iovec *iov, int iovcnt) {
	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return errno = EINVAL, -1;
	struct msghdr m = {.msg_iov = (struct iovec *) iov, .msg_iovlen = (size_t) iovcnt};
	return iothrun_remote_sendmsg(fd, &m, 0);
}

/* One receive into buf (at most MAXDATA), waiting as a blocking socket does;
 * with ctl, its ancillary data (*clen: ctl's room, then its length). buf,
 * name and ctl are the program's: written with copies that fail (EFAULT).
 * A datagram that cannot be written is lost with EFAULT, as Linux's. A
 * stream's buffer is probed before (iothrun_writable): when only its first
 * `room` bytes can be written, a peek of room + 1 bytes says whether the
 * data fits; if it does not, those bytes are written and the call is
 * EFAULT, the data left in the socket, as Linux's tcp_recvmsg does with
 * the segment it cannot copy whole. */
static ssize_t recv_one(int fd, void *buf, size_t len, int flags, void *name, socklen_t *namelen,
		int *oflags, void *ctl, size_t *clen) {
	size_t ccap = ctl && clen ? (*clen > MAXCTL ? MAXCTL : *clen) : 0;
	size_t cap = len > MAXDATA - ccap ? MAXDATA - ccap : len;
	size_t room = cap;
	if ((fdset_get(fd) & IOTHRUN_FD_STREAM) && cap && !(flags & MSG_TRUNC))
		room = iothrun_writable(buf, cap);
	char *tmp = NULL;
	if ((ccap || room < cap) && (tmp = malloc(cap + ccap + 1)) == NULL)
		return errno = ENOMEM, -1;
	for (;;) {
		int peek = room < cap;
		struct req q = {.op = OP_RECV, .a = peek ? flags | MSG_PEEK : flags,
			.b = (int32_t) (peek ? room + 1 : cap), .c = peek ? 0 : (int32_t) ccap,
			.alen = name && namelen && !peek ? (*namelen > AUX ? AUX : *namelen) : 0};
		struct rep r;
		char aux[AUX];
		if (call_fd(fd, &q, NULL, NULL, &r, aux, tmp ? tmp : buf, peek ? room + 1 : cap + ccap,
					NULL, 0) < 0) {
			int e = errno;
			free(tmp);
			return errno = e, -1;
		}
		if (peek && r.ret > (ssize_t) room) {
			iothrun_copy_out(buf, tmp, room);
			free(tmp);
			return errno = EFAULT, -1;
		}
		if (peek && r.ret >= 0) {
			/* it fits: taken for real, no more than that room */
			cap = room;
			continue;
		}
		int bad = 0;
		if (r.ret >= 0 && tmp) {
			size_t cl = r.clen <= r.dlen && r.clen <= ccap ? r.clen : 0;
			size_t dl = r.dlen - cl;
			if (dl && cap && iothrun_copy_out(buf, tmp, dl < cap ? dl : cap) < 0)
				bad = 1;
			if (clen) {
				if (iothrun_copy_out(ctl, tmp + dl, cl) < 0)
					bad = 1;
				*clen = cl;
			}
			free(tmp);
			tmp = NULL;
		} else if (r.ret >= 0 && clen) {
			*clen = 0;
		}
		if (r.ret >= 0) {
			if (name && namelen) {
				if (iothrun_copy_out(name, aux, r.alen < *namelen ? r.alen : *namelen) < 0)
					bad = 1;
				*namelen = r.alen;
			}
			if (oflags)
				*oflags = r.flags;
			if (bad)
				return errno = EFAULT, -1;
			return (ssize_t) r.ret;
		}
		if (r.err == EAGAIN && r.wait) {
			if (wait_for(fd, &r) < 0) {
				int e = errno;
				free(tmp);
				return errno = e, -1;
			}
			continue;
		}
		free(tmp);
		return errno = r.err, -1;
	}
}

ssize_t iothrun_remote_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		socklen_t *fromlen) {
	int stream = fdset_get(fd) & IOTHRUN_FD_STREAM;
	/* the address's length is read after the receive, as Linux's
	 * move_addr_to_user does (the data taken: EFAULT, EINVAL) */
	socklen_t nl = sizeof(struct sockaddr_storage);
	int badlen = 0;
	if (from && fromlen) {
		if (iothrun_copy_in(&nl, fromlen, sizeof(nl)) < 0)
			badlen = EFAULT, nl = 0;
		else if ((int) nl < 0)
			badlen = EINVAL, nl = 0;
	}
	socklen_t *pnl = from && fromlen ? &nl : NULL;
	ssize_t n = recv_one(fd, buf, len, flags, from, pnl, NULL, NULL, NULL);
	if (n >= 0 && badlen)
		return errno = badlen, -1;
	if (n >= 0 && pnl && iothrun_copy_out(fromlen, &nl, sizeof(nl)) < 0)
		return errno = EFAULT, -1;
	if (n <= 0 || !stream || !(flags & MSG_WAITALL) || (flags & MSG_PEEK))
		return n;
	size_t done = (size_t) n;
	while (done < len) {
		n = recv_one(fd, (char *) buf + done, len - done, flags, NULL, NULL, NULL, NULL, NULL);
		if (n <= 0)
			break;
		done += (size_t) n;
	}
	return (ssize_t) done;
}

ssize_t iothrun_remote_recvmsg(int fd, struct msghdr *umsg, int flags) {
	struct msghdr m, *msg = &m;
	struct iovec *iov;
	size_t len;
	if (msg_in(umsg, &m, &iov, &len) < 0)
		return -1;
	socklen_t nl = msg->msg_name ? msg->msg_namelen : 0;
	int of = 0;
	ssize_t n;
	void *ctl = msg->msg_control && msg->msg_controllen ? msg->msg_control : NULL;
	size_t clen = ctl ? msg->msg_controllen : 0;
	if (msg->msg_iovlen == 1) {
		n = recv_one(fd, msg->msg_iov[0].iov_base, len, flags, msg->msg_name, &nl, &of, ctl, &clen);
	} else {
		size_t cap = len > MAXDATA ? MAXDATA : len;
		/* a stream takes no more than the parts can hold, up to the
		 * first that cannot be written */
		if (fdset_get(fd) & IOTHRUN_FD_STREAM) {
			size_t room = 0;
			for (size_t i = 0; i < msg->msg_iovlen && room < cap; i++) {
				size_t w = iothrun_writable(msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
				room += w;
				if (w < msg->msg_iov[i].iov_len)
					break;
			}
			if (room < cap)
				cap = room;
		}
		char *b = malloc(cap ? cap : 1);
		if (b == NULL) {
			free(iov);
			return errno = ENOMEM, -1;
		}
		const struct iovec *first = msg->msg_iov;
		while (first->iov_len == 0 && first < msg->msg_iov + msg->msg_iovlen - 1)
			first++;
		if (cap == 0 && len > 0)
			/* no part can be written: on the first one, recv_one's
			 * probe finds it so (EFAULT if there is data) */
			n = recv_one(fd, first->iov_base, first->iov_len, flags, msg->msg_name, &nl, &of,
					ctl, &clen);
		else
			n = recv_one(fd, b, cap, flags, msg->msg_name, &nl, &of, ctl, &clen);
		size_t left = n > 0 ? ((size_t) n < cap ? (size_t) n : cap) : 0, off = 0;
		for (size_t i = 0; i < msg->msg_iovlen && left; i++) {
			size_t k = msg->msg_iov[i].iov_len < left ? msg->msg_iov[i].iov_len : left;
			if (iothrun_copy_out(msg->msg_iov[i].iov_base, b + off, k) < 0) {
				n = -1, errno = EFAULT;
				break;
			}
			off += k;
			left -= k;
		}
		free(b);
	}
	free(iov);
	if (n >= 0) {
		/* the fields Linux writes back */
		if (msg->msg_name && iothrun_copy_out(&umsg->msg_namelen, &nl, sizeof(nl)) < 0)
			return errno = EFAULT, -1;
		/* what the owner's recvmsg gave */
		if (iothrun_copy_out(&umsg->msg_controllen, &clen, sizeof(clen)) < 0 ||
				iothrun_copy_out(&umsg->msg_flags, &of, sizeof(of)) < 0)
			return errno = EFAULT, -1;
	}
	return n;
}

ssize_t iothrun_remote_readv(int fd, const struct iovec *iov, int iovcnt) {
	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return errno = EINVAL, -1;
	struct msghdr m = {.msg_iov = (struct iovec *) iov, .msg_iovlen = (size_t) iovcnt};
	return iothrun_remote_recvmsg(fd, &m, 0);
}

/* getifaddrs in a child: the owner's list, rebuilt here as
 * ioth_freeifaddrs frees it (one allocation per entry, the struct ifaddrs
 * first). */
int iothrun_remote_getifaddrs(struct ifaddrs **ifap) {
	if (ifap == NULL)
		return errno = EFAULT, -1;
	char *buf = malloc(MAXDATA);
	if (buf == NULL)
		return errno = ENOMEM, -1;
	struct req q = {.op = OP_GETIFADDRS, .ref = -1};
	struct rep r;
	pthread_mutex_lock(&cl_lock);
	int ret = call(&q, NULL, NULL, &r, NULL, buf, MAXDATA, NULL, 0);
	pthread_mutex_unlock(&cl_lock);
	if (ret < 0 || (ret = (int) result(&r)) < 0) {
		free(buf);
		return -1;
	}
	struct ifaddrs *head = NULL, **tail = &head;
	size_t off = 0, len = r.dlen > MAXDATA ? MAXDATA : r.dlen;
	for (int64_t e = 0; e < r.ret; e++) {
		struct ifa_wire w;
		if (len - off < sizeof(w))
			goto bad;
		memcpy(&w, buf + off, sizeof(w));
		const char *p = buf + off + sizeof(w);
		size_t body = (size_t) w.name + w.addr + w.mask + w.other + w.data;
		if (len - off - sizeof(w) < body || w.name == 0 || p[w.name - 1] != '\0')
			goto bad;
		/* the struct, then the sockaddrs and data (8-aligned), the name */
		size_t sz = UP8(sizeof(struct ifaddrs)) + UP8(w.addr) + UP8(w.mask) + UP8(w.other) +
			UP8(w.data) + w.name;
		char *n = calloc(1, sz);
		if (n == NULL) {
			ioth_freeifaddrs(head);
			free(buf);
			return errno = ENOMEM, -1;
		}
		struct ifaddrs *i = (struct ifaddrs *) (void *) n;
		char *at = n + UP8(sizeof(struct ifaddrs));
		const char *name = p;
		p += w.name;
		i->ifa_flags = w.flags;
		i->ifa_addr = take_part(&at, &p, w.addr);
		i->ifa_netmask = take_part(&at, &p, w.mask);
		i->ifa_broadaddr = take_part(&at, &p, w.other);
		i->ifa_data = take_part(&at, &p, w.data);
		i->ifa_name = memcpy(at, name, w.name);
		*tail = i;
		tail = &i->ifa_next;
		off += sizeof(w) + body;
	}
	free(buf);
	*ifap = head;
	return 0;
bad:
	ioth_freeifaddrs(head);
	free(buf);
	return errno = EPROTO, -1;
}

/* getaddrinfo in a child: the owner resolves (over the stack), the list is
 * rebuilt here as glibc's freeaddrinfo frees it (one block per entry with
 * its address, ai_canonname apart). */
int iothrun_remote_getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res) {
	struct gai_wire h = {0};
	size_t nl = node ? strlen(node) + 1 : 0, sl = service ? strlen(service) + 1 : 0;
	if (res == NULL) {
		errno = EFAULT;
		return EAI_SYSTEM;
	}
	if (nl + sl > MAXDATA || nl > UINT16_MAX || sl > UINT16_MAX)
		return EAI_OVERFLOW;
	if (hints) {
		h.has_hints = 1;
		h.flags = hints->ai_flags;
		h.family = hints->ai_family;
		h.socktype = hints->ai_socktype;
		h.protocol = hints->ai_protocol;
	}
	h.node_len = (uint32_t) nl;
	h.serv_len = (uint32_t) sl;
	char aux[AUX] = {0};
	memcpy(aux, &h, sizeof(h));
	char *buf = malloc(MAXDATA);
	if (buf == NULL)
		return EAI_MEMORY;
	if (nl)
		memcpy(buf, node, nl);
	if (sl)
		memcpy(buf + nl, service, sl);
	struct req q = {.op = OP_GETADDRINFO, .ref = -1, .alen = sizeof(h), .dlen = (uint32_t) (nl + sl)};
	struct rep r;
	pthread_mutex_lock(&cl_lock);
	int ret = call(&q, aux, buf, &r, NULL, buf, MAXDATA, NULL, 0);
	pthread_mutex_unlock(&cl_lock);
	if (ret < 0) {
		free(buf);
		return EAI_SYSTEM;   /* errno: the connection's */
	}
	if (r.ret != 0) {
		free(buf);
		if (r.ret == EAI_SYSTEM)
			errno = r.err;
		return (int) r.ret;
	}
	struct addrinfo *head = NULL, **tail = &head;
	size_t off = 0, len = r.dlen > MAXDATA ? MAXDATA : r.dlen;
	while (len - off >= sizeof(struct ai_wire)) {
		struct ai_wire w;
		memcpy(&w, buf + off, sizeof(w));
		const char *p = buf + off + sizeof(w);
		if (w.addrlen > sizeof(struct sockaddr_storage) || len - off - sizeof(w) < (size_t) w.addrlen + w.canon ||
				(w.canon && p[w.addrlen + w.canon - 1] != '\0'))
			break;
		struct addrinfo *ai = calloc(1, sizeof(*ai) + w.addrlen);
		char *canon = w.canon ? strdup(p + w.addrlen) : NULL;
		if (ai == NULL || (w.canon && canon == NULL)) {
			free(ai);
			free(canon);
			freeaddrinfo(head);
			free(buf);
			return EAI_MEMORY;
		}
		ai->ai_flags = w.flags;
		ai->ai_family = w.family;
		ai->ai_socktype = w.socktype;
		ai->ai_protocol = w.protocol;
		ai->ai_addrlen = w.addrlen;
		if (w.addrlen)
			ai->ai_addr = memcpy(ai + 1, p, w.addrlen);
		ai->ai_canonname = canon;
		*tail = ai;
		tail = &ai->ai_next;
		off += sizeof(w) + w.addrlen + w.canon;
	}
	free(buf);
	if (head == NULL)
		return EAI_FAIL;   /* an answer of no entry: not from getaddrinfo */
	*res = head;
	return 0;
}

/* getnameinfo in a child: asked of the owner (over the stack). */
int iothrun_remote_getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host,
		socklen_t hostlen, char *serv, socklen_t servlen, int flags) {
	if (addr == NULL || addrlen > AUX)
		return EAI_FAMILY;
	char aux[AUX] = {0};
	memcpy(aux, addr, addrlen);
	struct req q = {.op = OP_GETNAMEINFO, .ref = -1, .a = flags, .alen = addrlen,
		.b = host ? (int32_t) hostlen : 0, .c = serv ? (int32_t) servlen : 0};
	struct rep r;
	char out[NI_MAXHOST + NI_MAXSERV];
	pthread_mutex_lock(&cl_lock);
	int ret = call(&q, aux, NULL, &r, NULL, out, sizeof(out), NULL, 0);
	pthread_mutex_unlock(&cl_lock);
	if (ret < 0)
		return EAI_SYSTEM;
	if (r.ret != 0) {
		if (r.ret == EAI_SYSTEM)
			errno = r.err;
		return (int) r.ret;
	}
	out[NI_MAXHOST - 1] = out[sizeof(out) - 1] = '\0';
	if (host && hostlen)
		memcpy(host, out, strlen(out) + 1);   /* it fit: the owner had hostlen */
	if (serv && servlen)
		memcpy(serv, out + NI_MAXHOST, strlen(out + NI_MAXHOST) + 1);
	return 0;
}

/* FORK: refs for a child of this client. */
int iothrun_remote_fork(const int32_t *refs, size_t n, int32_t *out, int *pconn) {
	struct req q = {.op = OP_FORK, .dlen = (uint32_t) (n * sizeof(int32_t))};
	struct rep r;
	int fd = -1;
	pthread_mutex_lock(&cl_lock);
	int ret = call(&q, NULL, n ? refs : NULL, &r, NULL, out, n * sizeof(int32_t), &fd, 1);
	pthread_mutex_unlock(&cl_lock);
	if (ret < 0 || r.ret < 0 || fd < 0) {
		if (fd >= 0)
			libc.close(fd);
		return -1;
	}
	*pconn = fd;
	return 0;
}

void iothrun_remote_child(int conn, const int *fds, const int32_t *refs, size_t n) {
	pthread_mutex_init(&cl_lock, NULL);
	if (conn_fd >= 0) {
		iothrun_protect(conn_fd, 0);
		libc.close(conn_fd);
	}
	conn_fd = conn;
	iothrun_protect(conn, 1);
	if (mapcap)
		memset(map, 0, mapcap * sizeof(*map));
	for (size_t i = 0; i < n; i++)
		if (refs[i] >= 0)
			map_set(fds[i], refs[i]);
	/* an exec'd program finds its stack through it (iothrun_attach) */
	if (conn >= 0)
		libc.fcntl(conn, F_SETFD, 0);
	/* the parent's resolver is on the parent's stack object */
	iothrun_dns = NULL;
	iothrun_remote = 1;
	if (iothrun_debug)
		iothrun_log("iothrun[%d]: a forked child on its parent's stack (%zu sockets)",
				(int) getpid(), n);
}

/* ------------------------------------------------------------ exec
 * A forked child's connection survives exec (not close-on-exec): a program
 * it executes with the same IOTHRUN_CONF finds it (an AF_UNIX
 * SOCK_SEQPACKET socket made by the owner, $IOTHRUN_SHARED "PID CONF") and
 * joins the owner's stack instead of making a new one; the ioth sockets it
 * inherited are found by their inode. */

static int owner_conn(pid_t owner) {
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	int self = dirfd(d), found = -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && found < 0) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || e->d_name[0] == 0 || fd == self)
			continue;
		int v = 0;
		socklen_t len = sizeof(v);
		if (libc.getsockopt((int) fd, SOL_SOCKET, SO_TYPE, &v, &len) != 0 || v != SOCK_SEQPACKET)
			continue;
		struct ucred cr;
		len = sizeof(cr);
		if (libc.getsockopt((int) fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.pid == owner)
			found = (int) fd;
	}
	closedir(d);
	return found;
}

/* No connection inherited (spawned by vfork or posix_spawn): through the
 * owner's door, our inherited sockets found by inode among the owner's. */
static int attach_door(const char *name, long owner) {
	int conn = door_connect(name);
	if (conn < 0)
		return -1;
	conn_fd = conn;
	libc.fcntl(conn, F_SETFD, 0);
	iothrun_protect(conn, 1);
	/* the candidates: AF_UNIX stream sockets (a ustack socket's descriptor) */
	enum { MAXC = MAXDATA / sizeof(uint64_t) };
	static int cfd[MAXC];
	static uint64_t cino[MAXC];
	static int32_t refs[MAXC];
	size_t n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		int self = dirfd(d);
		struct dirent *e;
		while ((e = readdir(d)) != NULL && n < MAXC) {
			char *e2;
			long fd = strtol(e->d_name, &e2, 10);
			struct stat st;
			int v = 0;
			socklen_t len = sizeof(v);
			if (*e2 || e->d_name[0] == 0 || fd == self || fd == conn || fstat((int) fd, &st) != 0 ||
					!S_ISSOCK(st.st_mode) ||
					libc.getsockopt((int) fd, SOL_SOCKET, SO_DOMAIN, &v, &len) != 0 || v != AF_UNIX)
				continue;
			len = sizeof(v);
			if (libc.getsockopt((int) fd, SOL_SOCKET, SO_TYPE, &v, &len) != 0 || v != SOCK_STREAM)
				continue;
			cfd[n] = (int) fd;
			cino[n] = (uint64_t) st.st_ino;
			n++;
		}
		closedir(d);
	}
	struct req q = {.op = OP_ADOPT, .dlen = (uint32_t) (n * sizeof(uint64_t))};
	struct rep r;
	if (call(&q, NULL, n ? cino : NULL, &r, NULL, refs, n * sizeof(int32_t), NULL, 0) < 0 || r.ret < 0) {
		iothrun_protect(conn, 0);
		libc.close(conn);
		conn_fd = -1;
		return -1;
	}
	size_t adopted = 0;
	for (size_t i = 0; i < n; i++)
		if (refs[i] >= 0) {
			map_set(cfd[i], refs[i]);
			int stream = 0, v = 0;
			socklen_t len = sizeof(v);
			struct req g = {.op = OP_GETSOCKOPT, .ref = refs[i], .a = SOL_SOCKET, .b = SO_TYPE,
				.alen = sizeof(int)};
			struct rep gr;
			char aux[AUX];
			if (call(&g, NULL, NULL, &gr, aux, NULL, 0, NULL, 0) == 0 && gr.ret == 0) {
				memcpy(&v, aux, sizeof(v));
				stream = v == SOCK_STREAM;
			}
			(void) len;
			fdset_set(cfd[i], IOTHRUN_FD_IOTH | (stream ? IOTHRUN_FD_STREAM : 0));
			adopted++;
		}
	user_stack = 1;
	iothrun_remote = 1;
	if (iothrun_debug)
		iothrun_log("iothrun[%d]: joined the stack of process %ld (spawned; %zu sockets)",
				(int) getpid(), owner, adopted);
	return 0;
}

int iothrun_attach(const char *conf) {
	const char *sh = getenv("IOTHRUN_SHARED");
	if (sh == NULL)
		return -1;
	char *end, name[64];
	long owner = strtol(sh, &end, 10);
	if (*end != ' ' || owner <= 0 || owner == (long) getpid())
		return -1;
	const char *sp = strchr(end + 1, ' ');
	if (sp == NULL || (size_t) (sp - end - 1) >= sizeof(name) || strcmp(sp + 1, conf) != 0)
		return -1;
	memcpy(name, end + 1, (size_t) (sp - end - 1));
	name[sp - end - 1] = 0;
	int conn = owner_conn((pid_t) owner);
	if (conn < 0)
		return strcmp(name, "-") ? attach_door(name, owner) : -1;
	conn_fd = conn;
	iothrun_protect(conn, 1);
	struct req q = {.op = OP_LIST};
	struct rep r;
	int32_t *in = NULL, *out = NULL;
	int own_conn = -1;
	struct listed *l = malloc(MAXDATA);
	if (l == NULL || call(&q, NULL, NULL, &r, NULL, l, MAXDATA, NULL, 0) < 0 || r.ret < 0)
		goto fail;
	size_t n = r.dlen / sizeof(*l);
	/* a connection of our own, with references of our own: the inherited
	 * one may still be our parent's (posix_spawn, vfork: no fork handler
	 * ran), and two processes cannot share one. Our parent's, if it still
	 * lives, stays its own. */
	in = malloc((n + 1) * sizeof(int32_t));
	out = malloc((n + 1) * sizeof(int32_t));
	if (in == NULL || out == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		in[i] = l[i].ref;
	struct req f = {.op = OP_FORK, .dlen = (uint32_t) (n * sizeof(int32_t))};
	if (call(&f, NULL, n ? in : NULL, &r, NULL, out, n * sizeof(int32_t), &own_conn, 1) < 0 ||
			r.ret < 0 || own_conn < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		l[i].ref = out[i];
	free(in);
	free(out);
	iothrun_protect(conn, 0);
	libc.close(conn);
	conn = conn_fd = own_conn;
	libc.fcntl(conn, F_SETFD, 0);
	iothrun_protect(conn, 1);
	char *used = calloc(n + 1, 1);
	DIR *d = opendir("/proc/self/fd");
	if (d && used) {
		int self = dirfd(d);
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			char *e2;
			long fd = strtol(e->d_name, &e2, 10);
			struct stat st;
			if (*e2 || e->d_name[0] == 0 || fd == self || fd == conn || fstat((int) fd, &st) != 0 ||
					!S_ISSOCK(st.st_mode))
				continue;
			for (size_t i = 0; i < n; i++)
				if (!used[i] && l[i].ref >= 0 && l[i].ino == (uint64_t) st.st_ino) {
					used[i] = 1;
					map_set((int) fd, l[i].ref);
					fdset_set((int) fd, IOTHRUN_FD_IOTH | (l[i].stream ? IOTHRUN_FD_STREAM : 0));
					break;
				}
		}
	}
	if (d)
		closedir(d);
	/* the refs of descriptors closed at exec */
	for (size_t i = 0; i < n; i++)
		if ((used == NULL || !used[i]) && l[i].ref >= 0) {
			struct req c = {.op = OP_CLOSE, .ref = l[i].ref};
			call(&c, NULL, NULL, &r, NULL, NULL, 0, NULL, 0);
		}
	free(used);
	free(l);
	user_stack = 1;
	iothrun_remote = 1;
	if (iothrun_debug)
		iothrun_log("iothrun[%d]: joined the stack of process %ld", (int) getpid(), owner);
	return 0;
fail:
	if (own_conn >= 0)
		libc.close(own_conn);
	free(in);
	free(out);
	free(l);
	iothrun_protect(conn, 0);
	conn_fd = -1;
	return -1;
}
