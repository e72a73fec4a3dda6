/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Bad user pointers: where Linux's socket calls fail with EFAULT (their
 * copy from the caller's memory fails), ustack's fail with EFAULT too and
 * the program does not crash. Each row is run on a ustack UDP socket and
 * on a kernel one (a plain socket of this process, no traffic) and both
 * must give the same result. Bad pointers: an address in the first page
 * (never mapped) and a page unmapped by the test. */
#include <stdbool.h>
#include <sys/mman.h>
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
};

static void *hole;   /* an unmapped page */
#define LOW ((void *) 16)

/* results of one row: return value and errno */
struct res {
	long r;
	int e;
};

#define ROWS 14
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
	ROW(o->sendmsg(fd, &m, 0));   /* a good one after all that */
	(void) l;
	if (i != ROWS)
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

int main(void) {
	alarm(30);
	/* a page that stays reserved and inaccessible: an unmapped one may be
	 * mapped again by the stack's own allocations (ASan's, dlopen's) */
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(hole != MAP_FAILED);
	struct ioth *st = ioth_newstack("ustack", NULL);
	REQUIRE(st != NULL);
	int lo = ioth_if_nametoindex(st, "lo");
	REQUIRE(lo > 0 && ioth_linksetupdown(st, (unsigned) lo, 1) == 0);
	struct ops u = {ioth_bind, ioth_connect, ioth_sendto, ioth_sendmsg, ioth_recvmsg, ioth_getsockopt,
		ioth_setsockopt, ioth_getsockname, ioth_readv, ioth_writev};
	struct ops k = {k_bind, k_connect, k_sendto, k_sendmsg, k_recvmsg, k_getsockopt, k_setsockopt,
		k_getsockname, k_readv, k_writev};
	struct res ru[ROWS], rk[ROWS];
	int fu = ioth_msocket(st, AF_INET, SOCK_DGRAM, 0);
	int fk = socket(AF_INET, SOCK_DGRAM, 0);
	REQUIRE(fu >= 0 && fk >= 0);
	run(&u, fu, ru);
	run(&k, fk, rk);
	int efaults = 0;
	for (int i = 0; i < ROWS; i++) {
		if (ru[i].r != rk[i].r || ru[i].e != rk[i].e) {
			fprintf(stderr, "FAIL row %d: ustack %ld (%s), kernel %ld (%s)\n", i, ru[i].r, strerror(ru[i].e),
					rk[i].r, strerror(rk[i].e));
			ustest_failures++;
		}
		efaults += rk[i].e == EFAULT;
	}
	/* the table means something: the kernel gave EFAULT in most rows */
	CHECK(efaults >= ROWS - 2);
	ioth_close(fu);
	close(fk);
	CHECK(ioth_delstack(st) == 0);
	return ustest_done("test_ustack_efault");
}
