/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libioth: stacks, the default stack, sockets and the Berkeley calls.
 *
 * Every call on an fd finds the fd's stack in the fd map, makes that
 * stack's data the thread's current one (what the plugin's getstackdata()
 * returns) and calls the plugin. Calls a plugin does not provide fall back
 * to the more general form: read -> recv -> recvfrom -> recvmsg,
 * write -> send -> sendto -> sendmsg, readv -> recvmsg, writev -> sendmsg,
 * so a plugin may implement only the msg forms. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

__thread void *ioth_current_stackdata;

static void *getstackdata(void) {
	return ioth_current_stackdata;
}

/* The host kernel's stack: libc's calls, no plugin. glibc declares the
 * sockaddr arguments as transparent unions; through void (*)(void) the
 * pointer converts to the plain struct sockaddr * prototype of the ABI. */
#define LIBC(call) ((typeof(native_stack.f.call)) (void (*)(void)) call)
static struct ioth native_stack = {
	.f = {
		.socket = socket,
		.close = close,
		.bind = LIBC(bind),
		.connect = LIBC(connect),
		.listen = listen,
		.accept = LIBC(accept),
		.getsockname = LIBC(getsockname),
		.getpeername = LIBC(getpeername),
		.setsockopt = setsockopt,
		.getsockopt = getsockopt,
		.shutdown = shutdown,
		.ioctl = ioctl,
		.fcntl = fcntl,
		.read = read,
		.readv = readv,
		.recv = recv,
		.recvfrom = LIBC(recvfrom),
		.recvmsg = recvmsg,
		.write = write,
		.writev = writev,
		.send = send,
		.sendto = LIBC(sendto),
		.sendmsg = sendmsg,
	},
};

static _Atomic(struct ioth *) default_stack;

/* ------------------------------------------------------------ delstack hooks */

struct delstack_hook {
	ioth_delstack_hook_t *hook;
	void *arg;
	struct delstack_hook *next;
};
static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct delstack_hook *hooks;

int ioth_add_delstack_hook(ioth_delstack_hook_t *hook, void *arg) {
	if (hook == NULL)
		return errno = EINVAL, -1;
	struct delstack_hook *h = malloc(sizeof(*h));
	if (h == NULL)
		return errno = ENOMEM, -1;
	pthread_mutex_lock(&hooks_lock);
	for (struct delstack_hook *p = hooks; p; p = p->next)
		if (p->hook == hook && p->arg == arg) {
			pthread_mutex_unlock(&hooks_lock);
			free(h);
			return errno = EEXIST, -1;
		}
	*h = (struct delstack_hook) {hook, arg, hooks};
	hooks = h;
	pthread_mutex_unlock(&hooks_lock);
	return 0;
}

int ioth_del_delstack_hook(ioth_delstack_hook_t *hook, void *arg) {
	pthread_mutex_lock(&hooks_lock);
	for (struct delstack_hook **pp = &hooks; *pp; pp = &(*pp)->next)
		if ((*pp)->hook == hook && (*pp)->arg == arg) {
			struct delstack_hook *h = *pp;
			*pp = h->next;
			pthread_mutex_unlock(&hooks_lock);
			free(h);
			return 0;
		}
	pthread_mutex_unlock(&hooks_lock);
	return errno = ENOENT, -1;
}

/* Call the hooks without holding the lock (a hook may wait for a thread
 * that itself registers or removes hooks). Hooks are few: copy them. */
static void run_delstack_hooks(struct ioth *st) {
	pthread_mutex_lock(&hooks_lock);
	size_t n = 0;
	for (struct delstack_hook *p = hooks; p; p = p->next)
		n++;
	struct delstack_hook *copy = n ? malloc(n * sizeof(*copy)) : NULL;
	size_t i = 0;
	for (struct delstack_hook *p = hooks; copy && p; p = p->next)
		copy[i++] = *p;
	pthread_mutex_unlock(&hooks_lock);
	for (size_t k = 0; k < i; k++)
		copy[k].hook(st, copy[k].arg);
	free(copy);
}

__attribute__((destructor)) static void hooks_fini(void) {
	while (hooks) {
		struct delstack_hook *h = hooks;
		hooks = h->next;
		free(h);
	}
}

/* ------------------------------------------------------------ stacks */

static struct ioth *newstack_named(const char *name, const char *options, const char *vnlv[]) {
	size_t namelen = strlen(name);
	struct ioth *st = calloc(1, sizeof(*st) + namelen + 1);
	if (st == NULL)
		return errno = ENOMEM, NULL;
	memcpy(st->name, name, namelen + 1);
	if (namelen == 0) {
		st->f = native_stack.f;
		return st;
	}
	if (ioth_plugin_load(st, name) < 0)
		goto err;
	st->f.getstackdata = getstackdata;
	static const char *novnl[] = {NULL};
	errno = 0;
	st->stackdata = st->f.newstack(vnlv ? vnlv : novnl, options, &st->f);
	if (st->stackdata == NULL) {
		if (errno == 0)
			errno = EINVAL; /* a plugin that failed without saying why */
		int err = errno;
		ioth_newstack_explain(name, vnlv, err);
		ioth_plugin_unload(st);
		errno = err;
		goto err;
	}
	return st;
err:
	free(st);
	return NULL;
}

struct ioth *ioth_newstackv(const char *stack, const char *vnlv[]) {
	if (stack == NULL)
		return newstack_named("", "", vnlv);
	const char *comma = strchr(stack, ',');
	if (comma == NULL)
		return newstack_named(stack, "", vnlv);
	size_t len = (size_t) (comma - stack);
	char name[len + 1];
	memcpy(name, stack, len);
	name[len] = '\0';
	return newstack_named(name, comma + 1, vnlv);
}

struct ioth *ioth_newstack(const char *stack, const char *vnl) {
	const char *vnlv[] = {vnl, NULL};
	return ioth_newstackv(stack, vnlv);
}

struct ioth *ioth_newstackl(const char *stack, const char *vnl, ...) {
	va_list ap;
	int n = 0;
	if (vnl) {
		va_start(ap, vnl);
		for (n = 1; va_arg(ap, const char *) != NULL; n++)
			;
		va_end(ap);
	}
	const char *vnlv[n + 1];
	if (vnl) {
		vnlv[0] = vnl;
		va_start(ap, vnl);
		for (int i = 1; i < n; i++)
			vnlv[i] = va_arg(ap, const char *);
		va_end(ap);
	}
	vnlv[n] = NULL;
	return ioth_newstackv(stack, vnlv);
}

int ioth_delstack(struct ioth *st) {
	if (st == NULL || st == &native_stack)
		return errno = EINVAL, -1;
	run_delstack_hooks(st);
	if (atomic_load(&st->count) > 0)
		return errno = EBUSY, -1;
	if (st->f.delstack) {
		ioth_current_stackdata = st->stackdata;
		if (st->f.delstack(st->stackdata) != 0)
			return -1;
	}
	struct ioth *expected = st;
	atomic_compare_exchange_strong(&default_stack, &expected, NULL);
	ioth_plugin_unload(st);
	free(st);
	return 0;
}

void ioth_set_defstack(struct ioth *st) {
	atomic_store(&default_stack, st);
}

/* Never NULL, as in the original: the kernel's stack is a descriptor too, so
 * a program may save it (before changing the default) and open kernel
 * sockets on it later. */
struct ioth *ioth_get_defstack(void) {
	struct ioth *st = atomic_load(&default_stack);
	return st ? st : &native_stack;
}

/* ------------------------------------------------------------ sockets */

static int register_fd(struct ioth *st, int fd) {
	if (ioth_fdmap_set(fd, st) < 0) {
		int err = errno;
		ioth_current_stackdata = st->stackdata;
		if (st->f.close)
			st->f.close(fd);
		return errno = err, -1;
	}
	atomic_fetch_add(&st->count, 1);
	return fd;
}

int ioth_msocket(struct ioth *st, int domain, int type, int protocol) {
	if (st == NULL)
		st = atomic_load(&default_stack);
	if (st == NULL)
		st = &native_stack;
	if (st->f.socket == NULL)
		return errno = ENOSYS, -1;
	ioth_current_stackdata = st->stackdata;
	int fd = st->f.socket(domain, type, protocol);
	if (fd < 0)
		return -1;
	return register_fd(st, fd);
}

int ioth_socket(int domain, int type, int protocol) {
	return ioth_msocket(NULL, domain, type, protocol);
}

/* The stack of fd, made current for the plugin; NULL (errno EBADF) if fd is
 * not an ioth socket. */
static inline struct ioth *fd_stack(int fd) {
	struct ioth *st = ioth_fdmap_get(fd);
	if (st == NULL) {
		errno = EBADF;
		return NULL;
	}
	ioth_current_stackdata = st->stackdata;
	return st;
}

int ioth_close(int fd) {
	/* Unmap before closing: once the plugin closes it, the number may be
	 * handed to a new socket by another thread (see fdmap.c). */
	struct ioth *st = ioth_fdmap_take(fd);
	if (st == NULL)
		return errno = EBADF, -1;
	ioth_current_stackdata = st->stackdata;
	int ret = st->f.close ? st->f.close(fd) : (errno = ENOSYS, -1);
	if (ret < 0 && errno == ENOSYS) {
		ioth_fdmap_set(fd, st); /* nothing was closed */
		return -1;
	}
	/* Like close(2): the descriptor is gone even if close reports an error. */
	atomic_fetch_sub(&st->count, 1);
	return ret;
}

int ioth_accept(int fd, struct sockaddr *addr, socklen_t *addrlen) {
	struct ioth *st = fd_stack(fd);
	if (st == NULL)
		return -1;
	if (st->f.accept == NULL)
		return errno = ENOSYS, -1;
	int newfd = st->f.accept(fd, addr, addrlen);
	if (newfd < 0)
		return -1;
	return register_fd(st, newfd);
}

/* Plain forwarding: the plugin must provide the call. */
#define FORWARD(call, ...)                                  \
	struct ioth *st = fd_stack(fd);                         \
	if (st == NULL)                                         \
		return -1;                                          \
	if (st->f.call == NULL)                                 \
		return errno = ENOSYS, -1;                          \
	return st->f.call(fd, __VA_ARGS__)

int ioth_bind(int fd, const struct sockaddr *addr, socklen_t addrlen) {
	FORWARD(bind, addr, addrlen);
}
int ioth_connect(int fd, const struct sockaddr *addr, socklen_t addrlen) {
	FORWARD(connect, addr, addrlen);
}
int ioth_listen(int fd, int backlog) {
	FORWARD(listen, backlog);
}
int ioth_getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen) {
	FORWARD(getsockname, addr, addrlen);
}
int ioth_getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen) {
	FORWARD(getpeername, addr, addrlen);
}
int ioth_setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen) {
	FORWARD(setsockopt, level, optname, optval, optlen);
}
int ioth_getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen) {
	FORWARD(getsockopt, level, optname, optval, optlen);
}
int ioth_shutdown(int fd, int how) {
	FORWARD(shutdown, how);
}
int ioth_ioctl(int fd, unsigned long cmd, void *argp) {
	FORWARD(ioctl, cmd, argp);
}
int ioth_fcntl(int fd, int cmd, long val) {
	struct ioth *st = fd_stack(fd);
	if (st == NULL)
		return -1;
	if (st->f.fcntl == NULL)
		return errno = ENOSYS, -1;
	int r = st->f.fcntl(fd, cmd, val);
	/* a duplicate is a descriptor of the same stack, as the kernel's */
	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		return register_fd(st, r);
	return r;
}

/* ------------------------------------------------------------ data path */

static ssize_t do_recvmsg(struct ioth *st, int fd, struct msghdr *msg, int flags) {
	if (st->f.recvmsg == NULL)
		return errno = ENOSYS, -1;
	return st->f.recvmsg(fd, msg, flags);
}

static ssize_t do_recvfrom(struct ioth *st, int fd, void *buf, size_t len, int flags,
		struct sockaddr *from, socklen_t *fromlen) {
	if (st->f.recvfrom)
		return st->f.recvfrom(fd, buf, len, flags, from, fromlen);
	struct iovec iov = {buf, len};
	struct msghdr msg = {
		.msg_name = from,
		.msg_namelen = fromlen ? *fromlen : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n = do_recvmsg(st, fd, &msg, flags);
	if (n >= 0 && fromlen)
		*fromlen = msg.msg_namelen;
	return n;
}

static ssize_t do_recv(struct ioth *st, int fd, void *buf, size_t len, int flags) {
	if (st->f.recv)
		return st->f.recv(fd, buf, len, flags);
	return do_recvfrom(st, fd, buf, len, flags, NULL, NULL);
}

static ssize_t do_sendmsg(struct ioth *st, int fd, const struct msghdr *msg, int flags) {
	if (st->f.sendmsg == NULL)
		return errno = ENOSYS, -1;
	return st->f.sendmsg(fd, msg, flags);
}

static ssize_t do_sendto(struct ioth *st, int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *to, socklen_t tolen) {
	if (st->f.sendto)
		return st->f.sendto(fd, buf, len, flags, to, tolen);
	struct iovec iov = {(void *) buf, len};
	struct msghdr msg = {
		.msg_name = (void *) to,
		.msg_namelen = to ? tolen : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	return do_sendmsg(st, fd, &msg, flags);
}

static ssize_t do_send(struct ioth *st, int fd, const void *buf, size_t len, int flags) {
	if (st->f.send)
		return st->f.send(fd, buf, len, flags);
	return do_sendto(st, fd, buf, len, flags, NULL, 0);
}

#define DISPATCH(fn, ...)               \
	struct ioth *st = fd_stack(fd);     \
	if (st == NULL)                     \
		return -1;                      \
	return fn(st, fd, __VA_ARGS__)

ssize_t ioth_read(int fd, void *buf, size_t len) {
	struct ioth *st = fd_stack(fd);
	if (st == NULL)
		return -1;
	if (st->f.read)
		return st->f.read(fd, buf, len);
	return do_recv(st, fd, buf, len, 0);
}

ssize_t ioth_readv(int fd, const struct iovec *iov, int iovcnt) {
	struct ioth *st = fd_stack(fd);
	if (st == NULL)
		return -1;
	if (st->f.readv)
		return st->f.readv(fd, iov, iovcnt);
	if (iovcnt < 0)
		return errno = EINVAL, -1;
	struct msghdr msg = {.msg_iov = (struct iovec *) iov, .msg_iovlen = (size_t) iovcnt};
	return do_recvmsg(st, fd, &msg, 0);
}

ssize_t ioth_recv(int fd, void *buf, size_t len, int flags) {
	DISPATCH(do_recv, buf, len, flags);
}

ssize_t ioth_recvfrom(int fd, void *buf, size_t len, int flags,
		struct sockaddr *from, socklen_t *fromlen) {
	DISPATCH(do_recvfrom, buf, len, flags, from, fromlen);
}

ssize_t ioth_recvmsg(int fd, struct msghdr *msg, int flags) {
	DISPATCH(do_recvmsg, msg, flags);
}

ssize_t ioth_write(int fd, const void *buf, size_t len) {
	struct ioth *st = fd_stack(fd);
	if (st == NULL)
		return -1;
	if (st->f.write)
		return st->f.write(fd, buf, len);
	return do_send(st, fd, buf, len, 0);
}

ssize_t ioth_writev(int fd, const struct iovec *iov, int iovcnt) {
	struct ioth *st = fd_stack(fd);
	if (st == NULL)
		return -1;
	if (st->f.writev)
		return st->f.writev(fd, iov, iovcnt);
	if (iovcnt < 0)
		return errno = EINVAL, -1;
	struct msghdr msg = {.msg_iov = (struct iovec *) iov, .msg_iovlen = (size_t) iovcnt};
	return do_sendmsg(st, fd, &msg, 0);
}

ssize_t ioth_send(int fd, const void *buf, size_t len, int flags) {
	DISPATCH(do_send, buf, len, flags);
}

ssize_t ioth_sendto(int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *to, socklen_t tolen) {
	DISPATCH(do_sendto, buf, len, flags, to, tolen);
}

ssize_t ioth_sendmsg(int fd, const struct msghdr *msg, int flags) {
	DISPATCH(do_sendmsg, msg, flags);
}
