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

static ssize_t k_sendto(int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l) {
	return sendto(fd, b, n, f, a, l);
}

int main(void) {
	alarm(30);
	hole = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(hole != MAP_FAILED && munmap(hole, 4096) == 0);
	struct ioth *st = ioth_newstack("ustack", NULL);
	REQUIRE(st != NULL);
	int lo = ioth_if_nametoindex(st, "lo");
	REQUIRE(lo > 0 && ioth_linksetupdown(st, (unsigned) lo, 1) == 0);
	struct ops u = {ioth_bind, ioth_connect, ioth_sendto, ioth_sendmsg, ioth_recvmsg, ioth_getsockopt,
		ioth_setsockopt, ioth_getsockname, ioth_readv, ioth_writev};
	struct ops k = {bind, connect, k_sendto, sendmsg, recvmsg, getsockopt, setsockopt, getsockname, readv,
		writev};
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
