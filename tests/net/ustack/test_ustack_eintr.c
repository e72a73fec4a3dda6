/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Signals and blocking calls on ustack, as Linux's socket calls behave
 * (signal(7), "Interruption of system calls"): alarm's SIGALRM handler,
 * run in the blocked thread, makes recv / accept / connect / send on a
 * full queue fail with EINTR when installed without SA_RESTART, and lets
 * them go on (and complete) with SA_RESTART; with SO_RCVTIMEO set, EINTR
 * even with SA_RESTART; SO_RCVTIMEO alone gives EAGAIN. Both kinds of
 * wait are covered: the first waiter of a stack (it reads the stack's
 * interfaces itself, in poll) and a second one while another thread is
 * that first waiter (it sleeps on its socket's futex).
 *
 * Every thread but the main one blocks SIGALRM, so the process's alarm
 * reaches the thread in the call (ustack's own thread blocks every signal). */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/time.h>

#include "ustest.h"
#include "vdeswitch.h"

/* read by the helper threads too: an atomic (lock-free, so signal-safe) */
static _Atomic int handled;
static struct ioth *A, *B;

static void on_alarm(int sig) {
	(void) sig;
	handled++;
}

static void handler(bool restart) {
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0};
	sigemptyset(&sa.sa_mask);
	REQUIRE(sigaction(SIGALRM, &sa, NULL) == 0);
	handled = 0;
}

static void block_alarm(void) {
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &m, NULL);
}

static void sleep_ms(int ms) {
	struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A connected TCP pair: c on A, s on B. */
static void pair(int port, int *c, int *s) {
	int l = ioth_msocket(B, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in la = sin4("0.0.0.0", port);
	REQUIRE(l >= 0 && ioth_bind(l, (struct sockaddr *) &la, sizeof(la)) == 0 && ioth_listen(l, 1) == 0);
	*c = ioth_msocket(A, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = sin4("198.18.0.2", port);
	REQUIRE(*c >= 0 && ioth_connect(*c, (struct sockaddr *) &to, sizeof(to)) == 0);
	*s = ioth_accept(l, NULL, NULL);
	REQUIRE(*s >= 0);
	ioth_close(l);
}

/* --- a helper thread: after the handler has run, do something that ends
 * the main thread's wait (send a byte, connect) --- */
struct later {
	int fd;
	int port;   /* connect to 198.18.0.1:port from B, else send on fd */
	pthread_t t;
};

static void *later_run(void *arg) {
	struct later *l = arg;
	block_alarm();
	for (int i = 0; i < 500 && handled == 0; i++)
		sleep_ms(10);
	sleep_ms(200);   /* the main thread is back in its wait, or failed */
	if (l->port) {
		int c = ioth_msocket(B, AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in to = sin4("198.18.0.1", l->port);
		if (c >= 0 && ioth_connect(c, (struct sockaddr *) &to, sizeof(to)) == 0)
			l->fd = c;
	} else
		ioth_send(l->fd, "x", 1, 0);
	return NULL;
}

static void later_start(struct later *l) {
	REQUIRE(pthread_create(&l->t, NULL, later_run, l) == 0);
}

/* --- recv --- */
static void recv_cases(int c, int s, const char *path) {
	char buf[8];
	/* no SA_RESTART: EINTR */
	handler(false);
	alarm(1);
	errno = 0;
	ssize_t r = ioth_recv(c, buf, sizeof(buf), 0);
	fprintf(stderr, "%s: recv, handler without SA_RESTART: %zd (%s)\n", path, r, strerror(errno));
	CHECK(r == -1 && errno == EINTR && handled == 1);
	/* SA_RESTART: the call goes on and gets the byte sent after the handler */
	handler(true);
	struct later l = {.fd = s};
	later_start(&l);
	alarm(1);
	r = ioth_recv(c, buf, sizeof(buf), 0);
	fprintf(stderr, "%s: recv, handler with SA_RESTART: %zd\n", path, r);
	CHECK(r == 1 && buf[0] == 'x' && handled == 1);
	pthread_join(l.t, NULL);
	/* SA_RESTART and a receive timeout: EINTR (Linux sock_intr_errno) */
	struct timeval tv = {5, 0};
	CHECK(ioth_setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	handler(true);
	alarm(1);
	errno = 0;
	r = ioth_recv(c, buf, sizeof(buf), 0);
	CHECK(r == -1 && errno == EINTR && handled == 1);
	/* the timeout alone: EAGAIN */
	tv = (struct timeval) {0, 300000};
	CHECK(ioth_setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	errno = 0;
	r = ioth_recv(c, buf, sizeof(buf), 0);
	CHECK(r == -1 && errno == EAGAIN && handled == 1);
	tv = (struct timeval) {0, 0};
	CHECK(ioth_setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
}

/* a thread that waits on its own socket of stack A first: the stack's
 * input waiter, so that the main thread's wait is the other kind */
struct first {
	int fd;
	ssize_t r;
	pthread_t t;
};

static void *first_run(void *arg) {
	struct first *f = arg;
	block_alarm();
	char b;
	f->r = ioth_recv(f->fd, &b, 1, 0);
	return NULL;
}

int main(void) {
	/* every thread made from here on (switch, stacks) blocks SIGALRM */
	sigset_t m, old;
	sigemptyset(&m);
	sigaddset(&m, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &m, &old);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	A = ustest_stack("ustack", vdeswitch_vnl(sw), "198.18.0.1", 24);
	B = ustest_stack("ustack", vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(A && B);
	int c, s;
	pair(7200, &c, &s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	/* the first waiter of its stack (poll on the interfaces) */
	recv_cases(c, s, "first waiter");

	/* a second waiter: another thread waits on A first */
	int c2, s2;
	pair(7201, &c2, &s2);
	struct first f = {.fd = c2};
	REQUIRE(pthread_create(&f.t, NULL, first_run, &f) == 0);
	sleep_ms(300);
	recv_cases(c, s, "second waiter");
	CHECK(ioth_send(s2, "y", 1, 0) == 1);
	pthread_join(f.t, NULL);
	CHECK(f.r == 1);
	ioth_close(c2);
	ioth_close(s2);

	/* accept: EINTR without SA_RESTART, completed with it */
	int l = ioth_msocket(A, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in la = sin4("0.0.0.0", 7202);
	REQUIRE(l >= 0 && ioth_bind(l, (struct sockaddr *) &la, sizeof(la)) == 0 && ioth_listen(l, 4) == 0);
	handler(false);
	alarm(1);
	errno = 0;
	CHECK(ioth_accept(l, NULL, NULL) == -1 && errno == EINTR && handled == 1);
	handler(true);
	struct later lc = {.fd = -1, .port = 7202};
	later_start(&lc);
	alarm(1);
	int a = ioth_accept(l, NULL, NULL);
	CHECK(a >= 0 && handled == 1);
	pthread_join(lc.t, NULL);
	CHECK(lc.fd >= 0);
	ioth_close(a);
	ioth_close(lc.fd);
	ioth_close(l);

	/* send on a full queue: the peer does not read. A call that queued
	 * some bytes returns their count, one that queued none fails. The
	 * timer repeats (every 200 ms after the first second): a slow run (TSan's, on a loaded
	 * machine) may still be filling the queue when the first signal
	 * comes, and a signal before the wait interrupts nothing (as on
	 * Linux); the next one comes while the call waits */
	handler(false);
	size_t big = 16u << 20;
	char *data = calloc(1, big);
	REQUIRE(data != NULL);
	struct itimerval every = {.it_interval = {0, 200000}, .it_value = {1, 0}}, off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &every, NULL);
	ssize_t r = ioth_send(c, data, big, 0);
	CHECK(r > 0 && (size_t) r < big && handled >= 1);
	/* until the queues are full (the peer's window may still take some):
	 * each call is interrupted, with a count while it still queued some */
	int calls = 1;
	do {
		int before = handled;
		errno = 0;
		r = ioth_send(c, data, big, 0);
		calls++;
		CHECK(handled > before && (r == -1 ? errno == EINTR : r > 0 && (size_t) r < big));
	} while (r > 0 && calls < 50);
	CHECK(r == -1 && errno == EINTR);
	setitimer(ITIMER_REAL, &off, NULL);
	free(data);

	/* connect to an address nobody has (no ARP reply): EINTR */
	int k = ioth_msocket(A, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in nobody = sin4("198.18.0.99", 7203);
	handler(false);
	alarm(1);
	errno = 0;
	CHECK(ioth_connect(k, (struct sockaddr *) &nobody, sizeof(nobody)) == -1 && errno == EINTR &&
			handled == 1);
	/* the attempt goes on, as Linux's: a non-blocking retry is EALREADY */
	int fl = ioth_fcntl(k, F_GETFL, 0);
	CHECK(ioth_fcntl(k, F_SETFL, fl | O_NONBLOCK) == 0);
	errno = 0;
	CHECK(ioth_connect(k, (struct sockaddr *) &nobody, sizeof(nobody)) == -1 && errno == EALREADY);
	ioth_close(k);

	ioth_close(c);
	ioth_close(s);
	CHECK(ioth_delstack(A) == 0);
	CHECK(ioth_delstack(B) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_eintr");
}
