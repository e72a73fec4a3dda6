/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SIOCGSTAMP/SIOCGSTAMPNS and SIOCATMARK on ustack sockets, as on Linux:
 * the same steps run on a ustack (its loopback) and on the kernel (the
 * kernel plugin, this process's loopback), and both must pass them.
 * SIOCGSTAMP(NS) (socket(7)): ENOENT until a receive call has given a
 * datagram, then that datagram's arrival; a datagram read before the first
 * request has the time of that request. SIOCATMARK (tcp(7)): 0 on a TCP
 * socket with no urgent mark pending, ENOTTY on UDP; TCP has no
 * SIOCGSTAMP stamp (ENOENT). */
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "ustest.h"

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t ts_ns(const struct timespec *ts) {
	return (int64_t) ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int bound(struct ioth *st, int type, struct sockaddr_in *a) {
	int fd = ioth_msocket(st, AF_INET, type, 0);
	REQUIRE(fd >= 0);
	*a = sin4("127.0.0.1", 0);
	socklen_t l = sizeof(*a);
	REQUIRE(ioth_bind(fd, (struct sockaddr *) a, sizeof(*a)) == 0);
	REQUIRE(ioth_getsockname(fd, (struct sockaddr *) a, &l) == 0);
	return fd;
}

/* one datagram from tx to rx (at a), read: the time before the send */
static int64_t datagram(int tx, int rx, const struct sockaddr_in *a) {
	int64_t t = now_ns();
	char b[8];
	CHECK(ioth_sendto(tx, "stamp", 5, 0, (const struct sockaddr *) a, sizeof(*a)) == 5);
	struct pollfd p = {.fd = rx, .events = POLLIN};
	CHECK(poll(&p, 1, 5000) == 1);
	CHECK(ioth_recv(rx, b, sizeof(b), 0) == 5);
	return t;
}

static void run(struct ioth *st, const char *name) {
	printf("%s\n", name);
	struct sockaddr_in ab, ac;
	int a = ioth_msocket(st, AF_INET, SOCK_DGRAM, 0);
	int b = bound(st, SOCK_DGRAM, &ab);
	int c = bound(st, SOCK_DGRAM, &ac);
	REQUIRE(a >= 0);
	struct timeval tv;
	struct timespec ts, ts2;
	int v = -1;
	/* nothing received yet */
	errno = 0;
	CHECK(ioth_ioctl(b, SIOCGSTAMP, &tv) == -1 && errno == ENOENT);
	errno = 0;
	CHECK(ioth_ioctl(b, SIOCGSTAMPNS, &ts) == -1 && errno == ENOENT);
	/* queued but not read: still none */
	CHECK(ioth_sendto(a, "q", 1, 0, (struct sockaddr *) &ab, sizeof(ab)) == 1);
	struct pollfd p = {.fd = b, .events = POLLIN};
	CHECK(poll(&p, 1, 5000) == 1);
	errno = 0;
	CHECK(ioth_ioctl(b, SIOCGSTAMPNS, &ts) == -1 && errno == ENOENT);
	char buf[8];
	CHECK(ioth_recv(b, buf, sizeof(buf), 0) == 1);
	/* a datagram's arrival: between its send and its read */
	int64_t t0 = datagram(a, b, &ab);
	/* the upper bound after the request: Linux turns its receive stamps
	 * on through a static key that a work item may flip late under load,
	 * and a datagram that came before gets the request's time */
	CHECK(ioth_ioctl(b, SIOCGSTAMPNS, &ts) == 0);
	int64_t t1 = now_ns();
	CHECK(ts_ns(&ts) >= t0 && ts_ns(&ts) <= t1);
	CHECK(ioth_ioctl(b, SIOCGSTAMP, &tv) == 0);
	CHECK(tv.tv_sec == ts.tv_sec && tv.tv_usec == ts.tv_nsec / 1000);
	/* the next one's, later */
	usleep(20000);
	int64_t t2 = datagram(a, b, &ab);
	CHECK(ioth_ioctl(b, SIOCGSTAMPNS, &ts2) == 0);
	int64_t t3 = now_ns();
	CHECK(ts_ns(&ts2) >= t2 && ts_ns(&ts2) <= t3 && ts_ns(&ts2) > ts_ns(&ts));
	/* read before any request: a time after the send (the request's, on
	 * Linux when no stamp was taken), and the same one asked again */
	int64_t t4 = datagram(a, c, &ac);
	usleep(20000);
	CHECK(ioth_ioctl(c, SIOCGSTAMPNS, &ts) == 0);
	int64_t t5 = now_ns();
	CHECK(ts_ns(&ts) >= t4 && ts_ns(&ts) <= t5);
	CHECK(ioth_ioctl(c, SIOCGSTAMPNS, &ts2) == 0 && ts_ns(&ts2) == ts_ns(&ts));
	/* SIOCATMARK is TCP's */
	errno = 0;
	CHECK(ioth_ioctl(b, SIOCATMARK, &v) == -1 && errno == ENOTTY);

	/* TCP: no mark pending (0), in every state; no SIOCGSTAMP stamp */
	struct sockaddr_in al;
	int l = bound(st, SOCK_STREAM, &al);
	CHECK(ioth_listen(l, 1) == 0);
	v = -1;
	CHECK(ioth_ioctl(l, SIOCATMARK, &v) == 0 && v == 0);
	int cl = ioth_msocket(st, AF_INET, SOCK_STREAM, 0);
	REQUIRE(cl >= 0);
	CHECK(ioth_connect(cl, (struct sockaddr *) &al, sizeof(al)) == 0);
	int sv = ioth_accept(l, NULL, NULL);
	CHECK(sv >= 0);
	CHECK(ioth_send(cl, "data", 4, 0) == 4);
	p = (struct pollfd) {.fd = sv, .events = POLLIN};
	CHECK(poll(&p, 1, 5000) == 1);
	v = -1;
	CHECK(ioth_ioctl(sv, SIOCATMARK, &v) == 0 && v == 0);
	CHECK(ioth_recv(sv, buf, sizeof(buf), 0) == 4);
	v = -1;
	CHECK(ioth_ioctl(sv, SIOCATMARK, &v) == 0 && v == 0);
	errno = 0;
	CHECK(ioth_ioctl(sv, SIOCGSTAMP, &tv) == -1 && errno == ENOENT);
	ioth_close(sv);
	ioth_close(cl);
	ioth_close(l);
	ioth_close(a);
	ioth_close(b);
	ioth_close(c);
}

int main(void) {
	alarm(30);
	struct ioth *us = ioth_newstack("ustack", NULL);
	REQUIRE(us != NULL);
	int lo = ioth_if_nametoindex(us, "lo");
	REQUIRE(lo > 0 && ioth_linksetupdown(us, (unsigned) lo, 1) == 0);
	run(us, "ustack");
	CHECK(ioth_delstack(us) == 0);
	/* the same steps on Linux: the reference */
	struct ioth *k = ioth_newstack("kernel", NULL);
	REQUIRE(k != NULL);
	run(k, "kernel");
	ioth_delstack(k);
	return ustest_done("test_ustack_ioctl");
}
