/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothrun: the calls that move data between an ioth socket and a file
 * or a pipe inside the kernel (sendfile, splice), the batch calls
 * (sendmmsg, recvmmsg) and stdio (fdopen). The kernel cannot do them on a
 * user-space stack's socket: they are emulated here with the interposed
 * send/recv/sendmsg/recvmsg (sockets.c), which reach the stack. Calls on
 * other descriptors are libc's.
 *
 * Built with _GNU_SOURCE (struct mmsghdr, splice, fopencookie); the
 * socket calls with their transparent unions are in sockets.c. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "iothrun_int.h"

#define RA __builtin_return_address(0)
/* Linux MAX_RW_COUNT: a transfer is cut to this */
#define MAX_RW ((size_t) INT_MAX & ~(size_t) 4095)
#define CHUNK 65536
/* <linux/seccomp.h>'s SECCOMP_MODE_FILTER and SECCOMP_SET_MODE_FILTER */
#define SECCOMP_MODE_FILTER_ 2
#define SECCOMP_SET_MODE_FILTER_ 1

/* Can len bytes at p be read? (as the kernel's copy from the user would
 * find: EFAULT). Asked with process_vm_readv on this very process, which
 * fails where the memory is not mapped readable instead of faulting. */
static int iothrun_readable(const void *p, size_t len) {
	char tmp[64];
	if (p == NULL)
		return 0;
	if (len > sizeof(tmp))
		len = sizeof(tmp);
	return iothrun_copy_in(tmp, p, len) == 0;
}

/* --- under a seccomp filter ---
 * A filter may kill the process at a system call it does not allow
 * (sshd's privilege-separated child allows little more than read, write
 * and poll, and kills at any other): process_vm_readv/writev are not
 * made there. The filter is seen where it is set, prctl(PR_SET_SECCOMP)
 * and syscall(SYS_seccomp) (a raw system call is not seen), and one
 * inherited is seen in /proc/self/status ("Seccomp: 2") at the first
 * copy. 1: filtered, 0: not, -1: not asked yet. */
static int filtered = -1;

static void set_filtered(void) {
	__atomic_store_n(&filtered, 1, __ATOMIC_RELAXED);
}

static int is_filtered(void) {
	int f = __atomic_load_n(&filtered, __ATOMIC_RELAXED);
	if (f >= 0)
		return f;
	f = 1;   /* not readable: as filtered (nothing made that might kill) */
	int e = errno;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char b[4096];
		ssize_t n = read(fd, b, sizeof(b) - 1);
		close(fd);
		if (n > 0) {
			b[n] = 0;
			const char *m = strstr(b, "\nSeccomp:");
			f = m && strtol(m + 9, NULL, 10) == 2;
		}
	}
	errno = e;
	int unknown = -1;
	__atomic_compare_exchange_n(&filtered, &unknown, f, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return __atomic_load_n(&filtered, __ATOMIC_RELAXED);
}

/* process_vm_readv/writev on this very process: a copy that fails where
 * the caller's memory is not there (not readable, not writable) instead of
 * faulting; where the calls are refused or would kill (a seccomp filter),
 * memcpy. */
static int vm_copy(void *dst, const void *src, size_t len, int out) {
	if (len == 0)
		return 0;
	if ((out ? dst : src) == NULL)
		return -1;
	if (is_filtered()) {
		memcpy(dst, src, len);
		return 0;
	}
	struct iovec here = {out ? (void *) src : dst, len}, there = {out ? dst : (void *) src, len};
	int e = errno;
	ssize_t r = out ? process_vm_writev(getpid(), &here, 1, &there, 1, 0)
			: process_vm_readv(getpid(), &here, 1, &there, 1, 0);
	if (r < 0 && errno != EFAULT) {
		memcpy(dst, src, len);
		r = (ssize_t) len;
	}
	errno = e;
	return r == (ssize_t) len ? 0 : -1;
}

int iothrun_copy_in(void *dst, const void *user, size_t len) {
	return vm_copy(dst, user, len, 0);
}

int iothrun_copy_out(void *user, const void *src, size_t len) {
	return vm_copy(user, src, len, 1);
}

/* How much of len bytes at p can be written, from p on: one byte of each
 * page read and written back as it was (process_vm_readv/writev), up to
 * the first page that is not mapped writable; len where they cannot be
 * made. At most 64 pages probed (256 KiB and more: the rest taken as
 * writable). A byte another thread stores between the read and the write
 * back is lost: the range is given to a call that writes it. */
size_t iothrun_writable(void *p, size_t len) {
	enum { PAGES = 64 };
	if (len == 0 || is_filtered())
		return len;
	if (p == NULL)
		return 0;
	struct iovec r[PAGES];
	uintptr_t a = (uintptr_t) p, end = a + len < a ? UINTPTR_MAX : a + len;
	int n = 0;
	for (uintptr_t q = a; q < end && n < PAGES; q = (q | 4095u) + 1) {
		r[n++] = (struct iovec) {.iov_base = (void *) q, .iov_len = 1};
		if ((q | 4095u) == UINTPTR_MAX)
			break;
	}
	char keep[PAGES];
	struct iovec here = {keep, (size_t) n};
	int e = errno;
	ssize_t got = process_vm_readv(getpid(), &here, 1, r, (unsigned long) n, 0);
	if (got > 0) {
		here.iov_len = (size_t) got;
		got = process_vm_writev(getpid(), &here, 1, r, (unsigned long) got, 0);
	}
	int refused = got < 0 && errno != EFAULT;
	errno = e;
	if (refused || got == n)
		return len;
	if (got <= 0)
		return 0;
	/* the first page not writable starts at r[got] */
	return (uintptr_t) r[got].iov_base - a;
}

static void *next(const char *name) {
	iothrun_resolve_libc();
	return dlsym(RTLD_NEXT, name);
}

/* --- sendfile: a file to a socket of the stack --- */

/* Read count bytes of in (at *pos, or at its file position) and send them
 * on out. What was read but not sent goes back (the file position, or
 * *pos), as the kernel never takes more than it sent. */
static ssize_t file_to_socket(int out, int in, off_t *pos, size_t count) {
	if (count > MAX_RW)
		count = MAX_RW;
	char *buf = malloc(CHUNK);
	if (buf == NULL)
		return errno = ENOMEM, -1;
	size_t done = 0;
	int err = 0;
	while (done < count) {
		size_t want = count - done < CHUNK ? count - done : CHUNK;
		ssize_t n = pos ? pread(in, buf, want, *pos) : read(in, buf, want);
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		size_t sent = 0;
		while (sent < (size_t) n) {
			ssize_t w = send(out, buf + sent, (size_t) n - sent, 0);
			if (w < 0) {
				err = errno;
				break;
			}
			sent += (size_t) w;
		}
		done += sent;
		if (pos)
			*pos += (off_t) sent;
		else if (sent < (size_t) n)
			lseek(in, -(off_t) ((size_t) n - sent), SEEK_CUR);
		if (err)
			break;
	}
	free(buf);
	if (done == 0 && err)
		return errno = err, -1;
	return (ssize_t) done;
}

static ssize_t do_sendfile(ssize_t (*real)(int, int, off_t *, size_t), int out, int in, off_t *offset,
		size_t count, const void *caller) {
	if (iothrun_ours(in, caller))
		return errno = EINVAL, -1;   /* Linux: a socket is no sendfile source */
	if (!iothrun_ours(out, caller))
		return real(out, in, offset, count);
	if (fcntl(in, F_GETFL) < 0)
		return -1;   /* EBADF */
	if (offset == NULL)
		return file_to_socket(out, in, NULL, count);
	off_t pos;
	if (!iothrun_readable(offset, sizeof(*offset)))
		return errno = EFAULT, -1;
	pos = *offset;
	if (pos < 0)
		return errno = EINVAL, -1;
	ssize_t r = file_to_socket(out, in, &pos, count);
	*offset = pos;
	return r;
}

EXPORT ssize_t sendfile(int out, int in, off_t *offset, size_t count) {
	static ssize_t (*real)(int, int, off_t *, size_t);
	if (real == NULL)
		real = (ssize_t (*)(int, int, off_t *, size_t)) next("sendfile");
	return do_sendfile(real, out, in, offset, count, RA);
}

EXPORT ssize_t sendfile64(int out, int in, off64_t *offset, size_t count) {
	static ssize_t (*real)(int, int, off_t *, size_t);
	if (real == NULL)
		real = (ssize_t (*)(int, int, off_t *, size_t)) next("sendfile64");
	_Static_assert(sizeof(off64_t) == sizeof(off_t), "64-bit file offsets");
	return do_sendfile(real, out, in, (off_t *) offset, count, RA);
}

/* --- splice: a pipe to a socket of the stack, or the reverse --- */

static int is_pipe(int fd) {
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -1;
	return S_ISFIFO(st.st_mode);
}

/* Room left in a pipe (its size less what it holds). */
static size_t pipe_room(int fd) {
	int size = fcntl(fd, F_GETPIPE_SZ), held = 0;
	if (size <= 0 || ioctl(fd, FIONREAD, &held) < 0 || held >= size)
		return size > 0 ? 0 : CHUNK;
	return (size_t) (size - held);
}

EXPORT ssize_t splice(int in, loff_t *off_in, int out, loff_t *off_out, size_t len, unsigned int flags) {
	static ssize_t (*real)(int, loff_t *, int, loff_t *, size_t, unsigned int);
	if (real == NULL)
		real = (ssize_t (*)(int, loff_t *, int, loff_t *, size_t, unsigned int)) next("splice");
	const void *caller = RA;
	int in_ours = iothrun_ours(in, caller), out_ours = iothrun_ours(out, caller);
	if (!in_ours && !out_ours)
		return real(in, off_in, out, off_out, len, flags);
	/* Linux: one side must be a pipe; neither a pipe nor a socket seeks */
	int p = is_pipe(in_ours ? out : in);
	if (p < 0)
		return -1;
	if (!p || (in_ours && out_ours))
		return errno = EINVAL, -1;
	if (off_in || off_out)
		return errno = ESPIPE, -1;
	if (len == 0)
		return 0;
	if (len > CHUNK)
		len = CHUNK;
	char buf[CHUNK];
	if (out_ours) {
		/* the pipe's bytes are taken when read: all of them are sent,
		 * blocking if need be (even on a non-blocking socket) */
		if (flags & SPLICE_F_NONBLOCK) {
			struct pollfd pfd = {.fd = in, .events = POLLIN};
			if (poll(&pfd, 1, 0) == 0)
				return errno = EAGAIN, -1;
		}
		ssize_t n = read(in, buf, len);
		if (n <= 0)
			return n;
		size_t sent = 0;
		while (sent < (size_t) n) {
			int more = (flags & SPLICE_F_MORE) ? MSG_MORE : 0;
			ssize_t w = send(out, buf + sent, (size_t) n - sent, more);
			if (w < 0 && errno == EAGAIN) {
				struct pollfd pfd = {.fd = out, .events = POLLOUT};
				poll(&pfd, 1, -1);
				continue;
			}
			if (w < 0)
				return sent ? (ssize_t) sent : -1;
			sent += (size_t) w;
		}
		return (ssize_t) sent;
	}
	/* socket to pipe: no more than the pipe can take now, so that what is
	 * received is never lost */
	size_t room = pipe_room(out);
	if (room == 0) {
		if (flags & SPLICE_F_NONBLOCK)
			return errno = EAGAIN, -1;
		struct pollfd pfd = {.fd = out, .events = POLLOUT};
		poll(&pfd, 1, -1);
		room = pipe_room(out);
		if (room == 0)
			room = 1;
	}
	if (len > room)
		len = room;
	ssize_t n = recv(in, buf, len, (flags & SPLICE_F_NONBLOCK) ? MSG_DONTWAIT : 0);
	if (n <= 0)
		return n;
	size_t put = 0;
	while (put < (size_t) n) {
		ssize_t w = write(out, buf + put, (size_t) n - put);
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = out, .events = POLLOUT};
			poll(&pfd, 1, -1);
			continue;
		}
		if (w < 0)
			return put ? (ssize_t) put : -1;
		put += (size_t) w;
	}
	return (ssize_t) put;
}

/* --- sendmmsg, recvmmsg: one sendmsg / recvmsg per message --- */

/* Linux UIO_MAXIOV: vlen is cut to it */
#define MMSG_MAX 1024

EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags) {
	static int (*real)(int, struct mmsghdr *, unsigned int, int);
	if (real == NULL)
		real = (int (*)(int, struct mmsghdr *, unsigned int, int)) next("sendmmsg");
	if (!iothrun_ours(fd, RA))
		return real(fd, vec, vlen, flags);
	if (vlen > MMSG_MAX)
		vlen = MMSG_MAX;
	unsigned int i;
	for (i = 0; i < vlen; i++) {
		if (!iothrun_readable(&vec[i], sizeof(vec[i])))
			return i ? (int) i : (errno = EFAULT, -1);
		ssize_t n = sendmsg(fd, &vec[i].msg_hdr, flags);
		if (n < 0)
			return i ? (int) i : -1;   /* the datagrams sent, as Linux */
		vec[i].msg_len = (unsigned int) n;
	}
	return (int) i;
}

static int64_t now_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t) t.tv_sec * 1000000000 + t.tv_nsec;
}

EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout) {
	static int (*real)(int, struct mmsghdr *, unsigned int, int, struct timespec *);
	if (real == NULL)
		real = (int (*)(int, struct mmsghdr *, unsigned int, int, struct timespec *)) next("recvmmsg");
	if (!iothrun_ours(fd, RA))
		return real(fd, vec, vlen, flags, timeout);
	int64_t end = 0;
	if (timeout) {
		if (!iothrun_readable(timeout, sizeof(*timeout)))
			return errno = EFAULT, -1;
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L)
			return errno = EINVAL, -1;
		end = now_ns() + (int64_t) timeout->tv_sec * 1000000000 + timeout->tv_nsec;
	}
	if (vlen > MMSG_MAX)
		vlen = MMSG_MAX;
	unsigned int i;
	int f = flags & ~MSG_WAITFORONE;
	for (i = 0; i < vlen; i++) {
		if (!iothrun_readable(&vec[i], sizeof(vec[i])))
			return i ? (int) i : (errno = EFAULT, -1);
		ssize_t n = recvmsg(fd, &vec[i].msg_hdr, f);
		if (n < 0)
			break;
		vec[i].msg_len = (unsigned int) n;
		/* MSG_WAITFORONE: only the first one is waited for */
		if (flags & MSG_WAITFORONE)
			f |= MSG_DONTWAIT;
		/* as Linux, the timeout is looked at after each datagram */
		if (timeout && now_ns() >= end) {
			i++;
			break;
		}
	}
	if (timeout) {
		int64_t left = end - now_ns();
		if (left < 0)
			left = 0;
		timeout->tv_sec = (time_t) (left / 1000000000);
		timeout->tv_nsec = (long) (left % 1000000000);
	}
	if (i == 0)
		return -1;   /* the first recvmsg's errno */
	return (int) i;
}

/* --- syscall(2): the batch calls made through libc's syscall() ---
 * libuv (hence BIND's dig, and node) sends with syscall(SYS_sendmmsg, ...),
 * not with libc's sendmmsg: on a ustack socket the kernel took the
 * datagrams into the readiness pair (dig sent nothing and timed out).
 * syscall() is a libc function like the others: on an ioth descriptor
 * sendmmsg and recvmmsg are ours; any other call is passed on unchanged.
 * (A raw `syscall` instruction, as Go's runtime makes, stays out of
 * reach.) */
EXPORT long syscall(long nr, ...) {
	static long (*real)(long, ...);
	va_list ap;
	va_start(ap, nr);
	long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_seccomp && a[0] == SECCOMP_SET_MODE_FILTER_)
		set_filtered();
	if ((nr == SYS_sendmmsg || nr == SYS_recvmmsg) && iothrun_ours((int) a[0], RA)) {
		if (nr == SYS_sendmmsg)
			return sendmmsg((int) a[0], (struct mmsghdr *) a[1], (unsigned int) a[2], (int) a[3]);
		return recvmmsg((int) a[0], (struct mmsghdr *) a[1], (unsigned int) a[2], (int) a[3],
				(struct timespec *) a[4]);
	}
	if (real == NULL)
		real = (long (*)(long, ...)) next("syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* a seccomp filter set by the program: see is_filtered */
EXPORT int prctl(int option, ...) {
	static int (*real)(int, ...);
	va_list ap;
	va_start(ap, option);
	unsigned long a[4];
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_SECCOMP && a[0] == SECCOMP_MODE_FILTER_)
		set_filtered();
	if (real == NULL)
		real = (int (*)(int, ...)) next("prctl");
	return real(option, a[0], a[1], a[2], a[3]);
}

/* --- fdopen: stdio on a socket of the stack ---
 * glibc's stdio reads and writes with its internal calls, which no
 * preload sees: a FILE made by fdopen would read the readiness pair under
 * the socket. A stream of ours (fopencookie) goes through read/write/close
 * instead, and fileno() gives the descriptor. A stream is read or written,
 * not both: "r+"/"w+" streams need seeks between the two, which a socket
 * has not (as with the kernel's sockets, open two streams, e.g. on a dup). */

static ssize_t ck_read(void *c, char *buf, size_t n) {
	ssize_t r;
	do
		r = read((int) (intptr_t) c, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

static ssize_t ck_write(void *c, const char *buf, size_t n) {
	size_t done = 0;
	while (done < n) {
		ssize_t w = write((int) (intptr_t) c, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return done ? (ssize_t) done : -1;
		done += (size_t) w;
	}
	return (ssize_t) done;
}

static int ck_close(void *c) {
	return close((int) (intptr_t) c);
}

EXPORT FILE *fdopen(int fd, const char *mode) {
	static FILE *(*real)(int, const char *);
	if (real == NULL)
		real = (FILE * (*) (int, const char *)) next("fdopen");
	if (!iothrun_ours(fd, RA))
		return real(fd, mode);
	if (fcntl(fd, F_GETFL) < 0)
		return NULL;
	cookie_io_functions_t fns = {.read = ck_read, .write = ck_write, .close = ck_close};
	FILE *f = fopencookie((void *) (intptr_t) fd, mode, fns);
	if (f)
		f->_fileno = fd;
	return f;
}
