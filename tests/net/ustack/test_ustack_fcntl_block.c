/* SPDX-License-Identifier: LGPL-2.1-or-later
 * No socket call blocks a stack: a program that turns a ustack socket back
 * to blocking, with ioth_fcntl or with fcntl on the real descriptor (the
 * common "non-blocking connect with a timeout, then blocking sends"),
 * then fills its send queue, must neither hang itself nor its stack, nor
 * other stacks of the process. (The readiness fd of a socket was made
 * blocking by such an fcntl, and the next readiness change blocked in
 * read() with the stack lock held.) Every wait is bounded: a hang fails
 * the test through the watchdog instead of hanging it. */
#include <fcntl.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <linux/sockios.h>

#include "ustest.h"
#include "vdeswitch.h"

#define TOTAL (8u << 20)

static void watchdog(int sig) {
	(void) sig;
	static const char msg[] = "FAIL: watchdog: a call hung (a blocked stack)\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);
	(void) r;
	_exit(1);
}

struct reader {
	int fd;
	size_t got;
};

static void *reader(void *arg) {
	struct reader *r = arg;
	static char buf[65536];
	for (;;) {
		ssize_t n = ioth_recv(r->fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		r->got += (size_t) n;
	}
	return NULL;
}

/* Another stack of the process keeps working while the first is busy. */
static void *other_stack(void *arg) {
	struct ioth *c = arg;
	for (int i = 0; i < 50; i++) {
		int fd = ioth_msocket(c, AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || ioth_close(fd) < 0)
			return (void *) 1;
		usleep(2000);
	}
	return NULL;
}

static void run(struct ioth *a, struct ioth *b, struct ioth *c, int port, bool real_fcntl) {
	int lfd = ioth_msocket(b, AF_INET, SOCK_STREAM, 0);
	REQUIRE(lfd >= 0);
	struct sockaddr_in ba = sin4("0.0.0.0", port);
	REQUIRE(ioth_bind(lfd, (struct sockaddr *) &ba, sizeof(ba)) == 0);
	REQUIRE(ioth_listen(lfd, 4) == 0);

	int fd = ioth_msocket(a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	REQUIRE(fd >= 0);
	struct sockaddr_in to = sin4("198.18.0.2", port);
	CHECK(ioth_connect(fd, (struct sockaddr *) &to, sizeof(to)) == -1 && errno == EINPROGRESS);
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	CHECK(poll(&pfd, 1, 5000) == 1);
	int err = -1;
	socklen_t elen = sizeof(err);
	CHECK(ioth_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0);
	/* back to blocking */
	if (real_fcntl) {
		int fl = fcntl(fd, F_GETFL);
		CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0);
		/* the stack does not see a plain fcntl: tell it too, as libioth's
		 * users do, after the real descriptor already changed */
	}
	int fl = ioth_fcntl(fd, F_GETFL, 0);
	CHECK(fl >= 0 && (fl & O_NONBLOCK));
	CHECK(ioth_fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0);
	CHECK((ioth_fcntl(fd, F_GETFL, 0) & O_NONBLOCK) == 0);

	int afd = ioth_accept(lfd, NULL, NULL);
	REQUIRE(afd >= 0);
	/* the sender fills its queue before anyone reads */
	static char chunk[65536];
	memset(chunk, 'x', sizeof(chunk));
	int outq = 0;
	size_t sent = 0;
	pthread_t tr, to_;
	struct reader r = {.fd = afd};
	/* a small head start without a reader: the send queue fills */
	int sb = 65536;
	CHECK(ioth_setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof(sb)) == 0);
	CHECK(ioth_send(fd, chunk, 4096, MSG_DONTWAIT) == 4096);
	sent += 4096;
	CHECK(pthread_create(&to_, NULL, other_stack, c) == 0);
	CHECK(pthread_create(&tr, NULL, reader, &r) == 0);
	while (sent < TOTAL) {
		ssize_t n = ioth_send(fd, chunk, sizeof(chunk), 0);
		if (n <= 0) {
			CHECK(n > 0);
			break;
		}
		sent += (size_t) n;
	}
	CHECK(ioth_ioctl(fd, SIOCOUTQ, &outq) == 0);
	CHECK(ioth_shutdown(fd, SHUT_WR) == 0);
	pthread_join(tr, NULL);
	void *orc;
	pthread_join(to_, &orc);
	CHECK(orc == NULL);
	CHECK(r.got == sent);
	/* the readiness fd still tells the truth: nothing to read, writable */
	pfd = (struct pollfd) {.fd = fd, .events = POLLIN | POLLOUT};
	CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLOUT));
	ioth_close(afd);
	ioth_close(fd);
	ioth_close(lfd);
}

int main(void) {
	signal(SIGALRM, watchdog);
	alarm(30);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	struct ioth *a = ustest_stack("ustack", vdeswitch_vnl(sw), "198.18.0.1", 24);
	struct ioth *b = ustest_stack("ustack", vdeswitch_vnl(sw), "198.18.0.2", 24);
	struct ioth *c = ustest_stack("ustack", vdeswitch_vnl(sw), "198.18.0.3", 24);
	REQUIRE(a && b && c);
	run(a, b, c, 7001, false);
	run(a, b, c, 7002, true);
	CHECK(ioth_delstack(a) == 0);
	CHECK(ioth_delstack(b) == 0);
	CHECK(ioth_delstack(c) == 0);
	vdeswitch_stop(sw);
	alarm(0);
	if (ustest_failures)
		fprintf(stderr, "%d failures\n", ustest_failures);
	else
		printf("ok\n");
	return ustest_failures ? 1 : 0;
}
