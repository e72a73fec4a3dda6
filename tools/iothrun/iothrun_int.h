/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothrun internals: the stack of the process, the libc functions
 * underneath the interposed ones, the set of ioth descriptors and the
 * per-thread guard that lets libioth, its plugins and libiothdns reach libc
 * through our own wrappers without coming back to the stack. */
#ifndef IOTHRUN_INT_H
#define IOTHRUN_INT_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#define HIDDEN __attribute__((visibility("hidden")))
#define EXPORT __attribute__((visibility("default")))

struct ioth;
struct iothdns;

/* The process's stack and resolver, made once (iothrun_ready). NULL when
 * IOTHRUN_CONF is not set: every call then goes to libc unchanged. */
HIDDEN extern struct ioth *iothrun_stack;
HIDDEN extern struct iothdns *iothrun_dns;
/* 1 (and the stack made) when the interposition is on. */
HIDDEN int iothrun_ready(void);
/* IOTHRUN_DEBUG: trace what goes to the stack on stderr. */
HIDDEN extern int iothrun_debug;
HIDDEN void iothrun_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Depth of calls into the ioth libraries made by this thread. While it is
 * not zero every wrapper is plain libc: the plugins (kernel, vdestack)
 * implement their calls with the very libc functions we interpose. */
HIDDEN extern __thread int iothrun_inside __attribute__((tls_model("initial-exec")));
#define IOTHRUN_CALL(expr)            \
	({                                \
		iothrun_inside++;             \
		__typeof__(expr) _r = (expr); \
		iothrun_inside--;             \
		_r;                           \
	})

/* Was the caller (a return address) code of the ioth libraries themselves
 * (libioth, plugins, libiothconf, libiothdns, libvdestack, libvdeplug)? A
 * thread of theirs that creates a socket must get a kernel one. */
HIDDEN int iothrun_internal_caller(const void *ret);

/* The set of descriptors that are ioth sockets of the stack. */
#define IOTHRUN_FD_IOTH 1    /* created by ioth_msocket/ioth_accept */
#define IOTHRUN_FD_KERNEL 2  /* ... and a kernel socket (vdestack, kernel plugins) */
#define IOTHRUN_FD_STREAM 4  /* ... of type SOCK_STREAM */
#define IOTHRUN_FD_DUP 8     /* ... that has (had) other descriptors: dup */
HIDDEN int fdset_get(int fd);
HIDDEN void fdset_set(int fd, int kind);
HIDDEN void fdset_clear(int fd);
/* Call fn on every fd of the set in [lo, hi]. */
HIDDEN void fdset_foreach(unsigned int lo, unsigned int hi, void (*fn)(int fd));

/* sockets.c: is fd an ioth socket, for a call made from caller (a return
 * address) of the program? */
HIDDEN int iothrun_ours(int fd, const void *caller);

/* preload.c: fn runs at the end of the process (the stack's maker only),
 * after the shared stack's end and before the stack is deleted: sockets.c
 * closes the sockets there. Set at load time. */
HIDDEN void iothrun_on_exit(void (*fn)(void));

/* shared.c: one stack for a process tree (the owner serves its forked
 * children; docs/iothrun.md "Fork and exec"). iothrun_remote is 1 in a
 * forked child of a ustack's owner: its ioth descriptors are the owner's
 * sockets, reached through the iothrun_remote_ calls. */
HIDDEN extern int iothrun_remote;
static inline int iothrun_remote_fd(int fd) {
	return iothrun_remote && !(fdset_get(fd) & IOTHRUN_FD_KERNEL);
}
HIDDEN void iothrun_shared_init(void);
/* a process exec'd by a forked child joins its stack: 0 if it did */
HIDDEN int iothrun_attach(const char *conf);
/* the owner's door for spawned programs: its name, "" if none */
HIDDEN const char *iothrun_shared_door(void);
HIDDEN void iothrun_shared_fini(void);
/* preload.c: the stack is made (never makes it); this is its owner */
HIDDEN int iothrun_ready_quiet(void);
HIDDEN int iothrun_is_creator(void);
/* sockets.c, for the server: a new descriptor of the stack into the set;
 * the program's close (lingering) and dup of an ioth descriptor */
HIDDEN int iothrun_track(int fd);
/* preload.c: fd is one of the stack's own or the shared stack's (on) or no
 * longer (0): closefrom and close_range (sockets.c) leave it open */
HIDDEN void iothrun_protect(int fd, int on);
HIDDEN int iothrun_protected(int fd);
/* in a child forked by the owner of a ustack: close its copies of the
 * stack's own descriptors (preload.c) and of the stack's ends of the
 * readiness pairs (sockets.c), but keep */
HIDDEN void iothrun_close_protected(int keep);
HIDDEN void iothrun_close_stack_peers(int keep);
HIDDEN int iothrun_close_ioth(int fd);
HIDDEN int iothrun_dup_ioth(int fd, int cmd, int min);
HIDDEN int iothrun_remote_ref(int fd);
HIDDEN int iothrun_remote_fork(const int32_t *refs, size_t n, int32_t *out, int *pconn);
HIDDEN void iothrun_remote_child(int conn, const int *fds, const int32_t *refs, size_t n);
HIDDEN int iothrun_remote_socket(int domain, int type, int protocol);
struct ifaddrs;
HIDDEN int iothrun_remote_getifaddrs(struct ifaddrs **ifap);
struct addrinfo;
HIDDEN int iothrun_remote_getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res);
HIDDEN int iothrun_remote_getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host,
		socklen_t hostlen, char *serv, socklen_t servlen, int flags);
/* names.c: the owner's resolution, for its forked children's requests */
HIDDEN int iothrun_getaddrinfo_here(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res);
HIDDEN int iothrun_getnameinfo_here(const struct sockaddr *addr, socklen_t addrlen, char *host,
		socklen_t hostlen, char *serv, socklen_t servlen, int flags);
HIDDEN int iothrun_remote_close(int fd);
HIDDEN int iothrun_remote_bind(int fd, const struct sockaddr *addr, socklen_t len);
HIDDEN int iothrun_remote_connect(int fd, const struct sockaddr *addr, socklen_t len);
HIDDEN int iothrun_remote_listen(int fd, int backlog);
HIDDEN int iothrun_remote_shutdown(int fd, int how);
HIDDEN int iothrun_remote_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags);
HIDDEN int iothrun_remote_getname(int fd, struct sockaddr *addr, socklen_t *len, int peer);
HIDDEN int iothrun_remote_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
HIDDEN int iothrun_remote_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
HIDDEN int iothrun_remote_ioctl(int fd, unsigned long req, void *arg);
HIDDEN int iothrun_remote_dup(int fd, int cmd, int min);
HIDDEN int iothrun_remote_fcntl(int fd, int cmd, long arg);
HIDDEN ssize_t iothrun_remote_sendto(int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *to, socklen_t tolen);
HIDDEN ssize_t iothrun_remote_sendmsg(int fd, const struct msghdr *msg, int flags);
HIDDEN ssize_t iothrun_remote_writev(int fd, const struct iovec *iov, int iovcnt);
HIDDEN ssize_t iothrun_remote_recvfrom(int fd, void *buf, size_t len, int flags,
		struct sockaddr *from, socklen_t *fromlen);
HIDDEN ssize_t iothrun_remote_recvmsg(int fd, struct msghdr *msg, int flags);
HIDDEN ssize_t iothrun_remote_readv(int fd, const struct iovec *iov, int iovcnt);

/* streams.c: copies from and to the program's memory that fail (-1) where
 * it is not there, as the kernel's copies give EFAULT, instead of faulting */
HIDDEN int iothrun_copy_in(void *dst, const void *user, size_t len);
HIDDEN int iothrun_copy_out(void *user, const void *src, size_t len);
/* the part of len bytes at p, from p on, that the program can write
 * (page-wise; len where it cannot be probed) */
HIDDEN size_t iothrun_writable(void *p, size_t len);

/* asanfork.c: in an AddressSanitizer build, libasan's locks taken around
 * fork (registered before the other fork handlers); nothing otherwise */
HIDDEN void iothrun_asan_fork_init(void);

/* The libc functions under ours, resolved with dlsym(RTLD_NEXT). */
struct libc_fns {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*shutdown)(int, int);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	int (*close)(int);
	int (*ioctl)(int, unsigned long, ...);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*close_range)(unsigned int, unsigned int, int);
	void (*closefrom)(int);
	ssize_t (*read_chk)(int, void *, size_t, size_t);
	ssize_t (*recv_chk)(int, void *, size_t, size_t, int);
	ssize_t (*recvfrom_chk)(int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *);
	int (*getaddrinfo)(const char *, const char *, const void *, void *);
	int (*getnameinfo)(const struct sockaddr *, socklen_t, char *, socklen_t, char *,
			socklen_t, int);
	void *(*gethostbyname)(const char *);
	void *(*gethostbyname2)(const char *, int);
	int (*gethostbyname_r)(const char *, void *, char *, size_t, void **, int *);
	int (*gethostbyname2_r)(const char *, int, void *, char *, size_t, void **, int *);
	int (*getifaddrs)(void *);
	void (*freeifaddrs)(void *);
	unsigned int (*if_nametoindex)(const char *);
	char *(*if_indextoname)(unsigned int, char *);
	void *(*if_nameindex)(void);
};
HIDDEN extern struct libc_fns libc;
/* Fill `libc` (idempotent, safe from any thread and before constructors). */
HIDDEN void iothrun_resolve_libc(void);

#endif
