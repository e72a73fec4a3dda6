/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A caller blocked on a ustack socket reads its stack's VDE interfaces
 * itself (socket/sock.c sock_wait_input) instead of sleeping until the
 * event thread has processed the frame. This checks that the wait keeps
 * every meaning of a blocking call while it does so:
 *  - SO_RCVTIMEO ends it with EAGAIN, close gives EBADF, shutdown 0;
 *  - the rest of the stack is served meanwhile: pings are answered, other
 *    sockets receive (their fds become readable), two callers blocked on
 *    two sockets of one stack both get their datagrams;
 *  - loopback datagrams from another thread wake it;
 *  - what stays queued after the call (MSG_PEEK, a second datagram)
 *    shows on the socket's fd as POLLIN when the call returns. */
#include <pthread.h>
#include <stdatomic.h>

#include "ustest.h"
#include "vdeswitch.h"

static struct ioth *sa, *sb;

static int udp_bound(struct ioth *st, const char *addr, int port) {
	int fd = ioth_msocket(st, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = sin4(addr, port);
	if (fd < 0 || ioth_bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0)
		return -1;
	return fd;
}

static void set_timeout(int fd, long ms) {
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	ioth_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static double now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct blocked {
	int fd, flags;
	ssize_t n;
	int err;
	char buf[256];
	atomic_int done;
};

static void *blocked_recv(void *arg) {
	struct blocked *b = arg;
	b->n = ioth_recv(b->fd, b->buf, sizeof(b->buf), b->flags);
	b->err = errno;
	atomic_store(&b->done, 1);
	return NULL;
}

/* Start a blocked receiver and give it time to be in its wait. */
static void start(pthread_t *t, struct blocked *b, int fd, int flags) {
	*b = (struct blocked) {.fd = fd, .flags = flags, .n = -2};
	pthread_create(t, NULL, blocked_recv, b);
	usleep(100000);
}

static int send_to(struct ioth *st, const char *dst, int port, const char *msg) {
	int fd = ioth_msocket(st, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = sin4(dst, port);
	ssize_t n = ioth_sendto(fd, msg, strlen(msg), 0, (struct sockaddr *) &to, sizeof(to));
	ioth_close(fd);
	return n == (ssize_t) strlen(msg) ? 0 : -1;
}

static void test_timeout(void) {
	int fd = udp_bound(sa, "0.0.0.0", 7100);
	REQUIRE(fd >= 0);
	set_timeout(fd, 200);
	char buf[16];
	double t0 = now_ms();
	CHECK(ioth_recv(fd, buf, sizeof(buf), 0) == -1 && errno == EAGAIN);
	/* the meaning of the option, not a speed: not before the timeout */
	CHECK(now_ms() - t0 >= 190);
	ioth_close(fd);
}

static void test_close_and_shutdown(void) {
	pthread_t t;
	struct blocked b;
	int fd = udp_bound(sa, "0.0.0.0", 7101);
	REQUIRE(fd >= 0);
	set_timeout(fd, 5000);
	start(&t, &b, fd, 0);
	CHECK(ioth_shutdown(fd, SHUT_RD) == -1 && errno == ENOTCONN);
	pthread_join(t, NULL);
	CHECK(b.n == 0);
	ioth_close(fd);

	fd = udp_bound(sa, "0.0.0.0", 7102);
	REQUIRE(fd >= 0);
	set_timeout(fd, 5000);
	start(&t, &b, fd, 0);
	CHECK(ioth_close(fd) == 0);
	pthread_join(t, NULL);
	CHECK(b.n == -1 && b.err == EBADF);
}

/* While one caller waits on a socket of sa, sa still answers pings, and
 * a datagram for another socket of sa makes that socket's fd readable. */
static void test_rest_of_stack_served(void) {
	pthread_t t;
	struct blocked b;
	int fd = udp_bound(sa, "0.0.0.0", 7103);
	int other = udp_bound(sa, "0.0.0.0", 7104);
	REQUIRE(fd >= 0 && other >= 0);
	set_timeout(fd, 10000);
	start(&t, &b, fd, 0);
	CHECK(ustest_ping(sb, "198.18.0.1", 56, 2000) == 0);
	CHECK(send_to(sb, "198.18.0.1", 7104, "other") == 0);
	struct pollfd pfd = {.fd = other, .events = POLLIN};
	CHECK(poll(&pfd, 1, 2000) == 1 && (pfd.revents & POLLIN));
	char buf[16];
	CHECK(ioth_recv(other, buf, sizeof(buf), MSG_DONTWAIT) == 5 && memcmp(buf, "other", 5) == 0);
	CHECK(!atomic_load(&b.done));
	CHECK(send_to(sb, "198.18.0.1", 7103, "mine") == 0);
	pthread_join(t, NULL);
	CHECK(b.n == 4 && memcmp(b.buf, "mine", 4) == 0);
	ioth_close(fd);
	ioth_close(other);
}

static void test_two_waiters(void) {
	pthread_t t1, t2;
	struct blocked b1, b2;
	int f1 = udp_bound(sa, "0.0.0.0", 7105), f2 = udp_bound(sa, "0.0.0.0", 7106);
	REQUIRE(f1 >= 0 && f2 >= 0);
	set_timeout(f1, 10000);
	set_timeout(f2, 10000);
	start(&t1, &b1, f1, 0);
	start(&t2, &b2, f2, 0);
	/* the second first: its waiter is not the one reading the link */
	CHECK(send_to(sb, "198.18.0.1", 7106, "two") == 0);
	pthread_join(t2, NULL);
	CHECK(b2.n == 3 && memcmp(b2.buf, "two", 3) == 0);
	CHECK(send_to(sb, "198.18.0.1", 7105, "one") == 0);
	pthread_join(t1, NULL);
	CHECK(b1.n == 3 && memcmp(b1.buf, "one", 3) == 0);
	ioth_close(f1);
	ioth_close(f2);
}

static void test_loopback_wakes(void) {
	pthread_t t;
	struct blocked b;
	int fd = udp_bound(sa, "0.0.0.0", 7107);
	REQUIRE(fd >= 0);
	set_timeout(fd, 10000);
	start(&t, &b, fd, 0);
	CHECK(send_to(sa, "127.0.0.1", 7107, "lo") == 0);
	pthread_join(t, NULL);
	CHECK(b.n == 2 && memcmp(b.buf, "lo", 2) == 0);
	ioth_close(fd);
}

/* A datagram that a blocked MSG_PEEK saw stays queued: the fd says so. */
static void test_events_after_wait(void) {
	pthread_t t;
	struct blocked b;
	int fd = udp_bound(sa, "0.0.0.0", 7108);
	REQUIRE(fd >= 0);
	set_timeout(fd, 10000);
	start(&t, &b, fd, MSG_PEEK);
	CHECK(send_to(sb, "198.18.0.1", 7108, "peek") == 0);
	pthread_join(t, NULL);
	CHECK(b.n == 4);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN));
	char buf[16];
	CHECK(ioth_recv(fd, buf, sizeof(buf), 0) == 4);
	CHECK(poll(&pfd, 1, 0) == 0);
	ioth_close(fd);
}

int main(void) {
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	sa = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.1", 24);
	sb = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(sa && sb);
	/* ARP both ways before the tests: their datagrams are not queued */
	CHECK(ustest_ping(sb, "198.18.0.1", 56, 3000) == 0);
	CHECK(ustest_ping(sa, "198.18.0.2", 56, 3000) == 0);
	test_timeout();
	test_close_and_shutdown();
	test_rest_of_stack_served();
	test_two_waiters();
	test_loopback_wakes();
	test_events_after_wait();
	CHECK(ioth_delstack(sa) == 0);
	CHECK(ioth_delstack(sb) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_blocking_input");
}
