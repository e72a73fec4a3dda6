/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Bad user pointers: where Linux's socket calls fail with EFAULT (their
 * copy from the caller's memory fails), ustack's fail with EFAULT too and
 * the program does not crash. Each row is run on a ustack UDP socket and
 * on a kernel one (a plain socket of this process, no traffic) and both
 * must give the same result. Bad pointers: an address in the first page
 * (never mapped) and a page unmapped by the test. The ioctls too, on a
 * UDP socket and on a listening TCP one: where Linux copies the argument
 * in (EFAULT before the request), where it copies it out (the request's
 * own error first: ENOENT, EINVAL), and the socket ioctls no protocol
 * answers (an ifreq read first: EFAULT, not ENOTTY, for NULL). Read-only
 * memory (a PROT_READ page holding an ifreq for "lo") given to the ioctls
 * that write their answer: EFAULT after the request, not a crash. */
#include <stdbool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <sys/syscall.h>

#include "ustest.h"

struct ops {
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	int (*ioctl)(int, unsigned long, void *);
	int (*listen)(int, int);
};

static void *hole;   /* an unmapped page */
static void *ro;     /* a read-only page: an ifreq for "lo", then an ifconf */
#define LOW ((void *) 16)

/* results of one row: return value and errno */
struct res {
	long r;
	int e;
};

#define ROWS 38
static void run(const struct ops *o, int fd, struct res *out) {
	struct sockaddr_in to = sin4("127.0.0.1", 9);
	int v = 1;
	socklen_t l = sizeof(v);
	char buf[16] = "x";
	struct iovec iov = {buf, sizeof(buf)};
	struct iovec badbuf = {hole, 16};
	struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
	struct msghdr mbadiov = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = hole, .msg_iovlen = 1};
	struct msghdr mbadname = {.msg_name = LOW, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
	struct msghdr mbaddata = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &badbuf, .msg_iovlen = 1};
	int i = 0;
#define ROW(expr) do { errno = 0; out[i].r = (long) (expr); out[i].e = out[i].r < 0 ? errno : 0; i++; } while (0)
	ROW(o->bind(fd, LOW, sizeof(to)));
	ROW(o->connect(fd, hole, sizeof(to)));
	ROW(o->sendto(fd, buf, 1, 0, hole, sizeof(to)));
	ROW(o->sendto(fd, LOW, 8, 0, (struct sockaddr *) &to, sizeof(to)));
	ROW(o->sendmsg(fd, hole, 0));
	ROW(o->sendmsg(fd, &mbadiov, 0));
	ROW(o->sendmsg(fd, &mbadname, 0));
	ROW(o->sendmsg(fd, &mbaddata, 0));
	ROW(o->recvmsg(fd, LOW, MSG_DONTWAIT));
	ROW(o->getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, hole));
	ROW(o->setsockopt(fd, SOL_SOCKET, SO_BROADCAST, hole, sizeof(int)));
	ROW(o->getsockname(fd, (struct sockaddr *) &to, LOW));
	ROW(o->writev(fd, hole, 1));
	/* ioctls: in, out, in and out, and the list of SIOCGIFCONF */
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	struct ifconf nobuf = {.ifc_len = 0, .ifc_buf = NULL};
	struct ifconf badbuf4 = {.ifc_len = 4 * (int) sizeof(struct ifreq), .ifc_buf = hole};
	struct ifconf lowbuf4 = {.ifc_len = 4 * (int) sizeof(struct ifreq), .ifc_buf = LOW};
	struct ifconf lowshort = {.ifc_len = (int) sizeof(struct ifreq) - 1, .ifc_buf = LOW};
	ROW(o->ioctl(fd, FIONREAD, NULL));
	ROW(o->ioctl(fd, FIONREAD, hole));
	ROW(o->ioctl(fd, FIONBIO, hole));
	ROW(o->ioctl(fd, SIOCGIFADDR, NULL));
	ROW(o->ioctl(fd, SIOCGIFADDR, hole));
	ROW(o->ioctl(fd, SIOCGIFFLAGS, NULL));
	ROW(o->ioctl(fd, SIOCGIFFLAGS, hole));
	ROW(o->ioctl(fd, SIOCGIFCONF, NULL));
	ROW(o->ioctl(fd, SIOCGIFCONF, hole));
	ROW(o->ioctl(fd, SIOCGIFCONF, &badbuf4));
	ROW(o->ioctl(fd, SIOCGIFCONF, &lowbuf4));
	ROW(o->ioctl(fd, SIOCATMARK, NULL));   /* not UDP's: an ifreq is read */
	ROW(o->ioctl(fd, SIOCGSTAMP, hole));   /* nothing received: ENOENT first */
	ROW(o->ioctl(fd, SIOCGSTAMPNS, NULL));
	/* the good ones: 0 */
	ROW(o->ioctl(fd, SIOCGIFFLAGS, &ifr));
	ROW(o->ioctl(fd, SIOCGIFCONF, &nobuf));
	ROW(o->ioctl(fd, SIOCGIFCONF, &lowshort));   /* room for no entry: none written */
	/* read-only memory to ioctls that write it */
	struct ifconf robuf = {.ifc_len = 4 * (int) sizeof(struct ifreq), .ifc_buf = ro};
	ROW(o->ioctl(fd, FIONREAD, ro));
	ROW(o->ioctl(fd, SIOCGIFADDR, ro));
	ROW(o->ioctl(fd, SIOCGIFFLAGS, ro));
	ROW(o->ioctl(fd, SIOCGIFINDEX, ro));
	ROW(o->ioctl(fd, SIOCGSTAMP, ro));   /* nothing received: ENOENT first */
	ROW(o->ioctl(fd, SIOCGIFCONF, &robuf));
	ROW(o->ioctl(fd, SIOCGIFCONF, (char *) ro + 2048));   /* the ifconf itself read-only */
	ROW(o->sendmsg(fd, &m, 0));   /* a good one after all that */
	(void) l;
	if (i != ROWS)
		abort();
}

/* a listening TCP socket: the request's own error comes before the copy
 * out (EINVAL, ENOENT), the copy's before an answer (EFAULT) */
#define TROWS 8
static void run_tcp(const struct ops *o, int fd, struct res *out) {
	struct sockaddr_in a = sin4("127.0.0.1", 0);
	int v = -1;
	int i = 0;
	ROW(o->bind(fd, (struct sockaddr *) &a, sizeof(a)));
	ROW(o->listen(fd, 1));
	ROW(o->ioctl(fd, FIONREAD, NULL));
	ROW(o->ioctl(fd, SIOCATMARK, NULL));
	ROW(o->ioctl(fd, SIOCATMARK, &v) == 0 ? v : -2);   /* no urgent mark: 0 */
	ROW(o->ioctl(fd, SIOCGSTAMP, hole));
	ROW(o->ioctl(fd, FIONREAD, ro));      /* a listener: EINVAL first */
	ROW(o->ioctl(fd, SIOCATMARK, ro));
	if (i != TROWS)
		abort();
}

/* The kernel's answers, by raw syscalls: the sanitizers' interceptors of
 * the libc calls read the arguments themselves and crash on bad ones. */
static int k_bind(int fd, const struct sockaddr *a, socklen_t l) {
	return (int) syscall(SYS_bind, fd, a, l);
}
static int k_connect(int fd, const struct sockaddr *a, socklen_t l) {
	return (int) syscall(SYS_connect, fd, a, l);
}
static ssize_t k_sendto(int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l) {
	return syscall(SYS_sendto, fd, b, n, f, a, l);
}
static ssize_t k_sendmsg(int fd, const struct msghdr *m, int f) {
	return syscall(SYS_sendmsg, fd, m, f);
}
static ssize_t k_recvmsg(int fd, struct msghdr *m, int f) {
	return syscall(SYS_recvmsg, fd, m, f);
}
static int k_getsockopt(int fd, int lv, int n, void *v, socklen_t *l) {
	return (int) syscall(SYS_getsockopt, fd, lv, n, v, l);
}
static int k_setsockopt(int fd, int lv, int n, const void *v, socklen_t l) {
	return (int) syscall(SYS_setsockopt, fd, lv, n, v, l);
}
static int k_getsockname(int fd, struct sockaddr *a, socklen_t *l) {
	return (int) syscall(SYS_getsockname, fd, a, l);
}
static ssize_t k_readv(int fd, const struct iovec *v, int n) {
	return syscall(SYS_readv, fd, v, n);
}
static ssize_t k_writev(int fd, const struct iovec *v, int n) {
	return syscall(SYS_writev, fd, v, n);
}
static int k_ioctl(int fd, unsigned long req, void *arg) {
	return (int) syscall(SYS_ioctl, fd, req, arg);
}
static int k_listen(int fd, int backlog) {
	return (int) syscall(SYS_listen, fd, backlog);
}

/* rows of ustack and kernel that differ: failures; the number of EFAULT
 * rows of the kernel */
static int compare(const char *what, const struct res *ru, const struct res *rk, int n) {
	int efaults = 0;
	for (int i = 0; i < n; i++) {
		if (ru[i].r != rk[i].r || ru[i].e != rk[i].e) {
			fprintf(stderr, "FAIL %s row %d: ustack %ld (%s), kernel %ld (%s)\n", what, i, ru[i].r,
					strerror(ru[i].e), rk[i].r, strerror(rk[i].e));
			ustest_failures++;
		}
		efaults += rk[i].e == EFAULT;
	}
	return efaults;
}

/* The rows of fn on a ustack socket and on a kernel one of a type,
 * compared; the kernel's results in rk, its number of EFAULT rows back */
static int both(struct ioth *st, const struct ops *u, const struct ops *k, const char *what, int type,
		void (*fn)(const struct ops *, int, struct res *), struct res *rk, int n) {
	struct res ru[ROWS > TROWS ? ROWS : TROWS];
	int fu = ioth_msocket(st, AF_INET, type, 0);
	int fk = socket(AF_INET, type, 0);
	REQUIRE(fu >= 0 && fk >= 0);
	fn(u, fu, ru);
	fn(k, fk, rk);
	ioth_close(fu);
	close(fk);
	return compare(what, ru, rk, n);
}

int main(void) {
	alarm(30);
	/* a page that stays reserved and inaccessible: an unmapped one may be
	 * mapped again by the stack's own allocations (ASan's, dlopen's) */
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(hole != MAP_FAILED);
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(ro != MAP_FAILED);
	struct ifreq *rifr = ro;
	snprintf(rifr->ifr_name, sizeof(rifr->ifr_name), "lo");
	static struct ifreq rolist[4];   /* the list of the read-only ifconf */
	struct ifconf roifc = {.ifc_len = (int) sizeof(rolist), .ifc_buf = (char *) rolist};
	memcpy((char *) ro + 2048, &roifc, sizeof(roifc));
	REQUIRE(mprotect(ro, 4096, PROT_READ) == 0);
	struct ioth *st = ioth_newstack("ustack", NULL);
	REQUIRE(st != NULL);
	int lo = ioth_if_nametoindex(st, "lo");
	REQUIRE(lo > 0 && ioth_linksetupdown(st, (unsigned) lo, 1) == 0);
	struct ops u = {ioth_bind, ioth_connect, ioth_sendto, ioth_sendmsg, ioth_recvmsg, ioth_getsockopt,
		ioth_setsockopt, ioth_getsockname, ioth_readv, ioth_writev, ioth_ioctl, ioth_listen};
	struct ops k = {k_bind, k_connect, k_sendto, k_sendmsg, k_recvmsg, k_getsockopt, k_setsockopt,
		k_getsockname, k_readv, k_writev, k_ioctl, k_listen};
	struct res rk[ROWS], tk[TROWS];
	int efaults = both(st, &u, &k, "udp", SOCK_DGRAM, run, rk, ROWS);
	/* the table means something: the kernel gave EFAULT in all rows but
	 * the four good ones and the three ENOENT (and SIOCGIFCONF into an
	 * unmapped or read-only buffer, if the kernel had no IPv4 address to
	 * write, and SIOCGIFADDR then) */
	CHECK(efaults >= ROWS - 10);
	both(st, &u, &k, "tcp", SOCK_STREAM, run_tcp, tk, TROWS);
	CHECK(tk[2].e == EINVAL && tk[3].e == EFAULT && tk[4].r == 0 && tk[5].e == ENOENT &&
			tk[6].e == EINVAL);
	CHECK(ioth_delstack(st) == 0);
	return ustest_done("test_ustack_efault");
}
