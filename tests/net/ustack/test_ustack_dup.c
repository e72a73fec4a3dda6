/* SPDX-License-Identifier: LGPL-2.1-or-later
 * fcntl(F_DUPFD) of a ustack socket, as the kernel's dup: a second
 * descriptor of the same socket (data sent on one is one stream, readiness
 * shows on both), the connection closed only by the last close, whichever
 * descriptor goes first; libioth knows the new descriptor's stack. */
#include <fcntl.h>
#include <stdbool.h>

#include "ustest.h"
#include "vdeswitch.h"

static int readn(int fd, char *buf, size_t n) {
	size_t got = 0;
	while (got < n) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 3000) != 1)
			return -1;
		ssize_t r = ioth_recv(fd, buf + got, n - got, MSG_DONTWAIT);
		if (r <= 0)
			return (int) got;
		got += (size_t) r;
	}
	return (int) got;
}

static void pair(struct ioth *a, struct ioth *b, int port, int *c, int *s) {
	int l = ioth_msocket(b, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in la = sin4("0.0.0.0", port);
	REQUIRE(l >= 0 && ioth_bind(l, (struct sockaddr *) &la, sizeof(la)) == 0 && ioth_listen(l, 1) == 0);
	*c = ioth_msocket(a, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = sin4("198.18.0.2", port);
	REQUIRE(*c >= 0 && ioth_connect(*c, (struct sockaddr *) &to, sizeof(to)) == 0);
	*s = ioth_accept(l, NULL, NULL);
	REQUIRE(*s >= 0);
	ioth_close(l);
}

static void run(struct ioth *a, struct ioth *b, int port, bool close_first_first) {
	int c, s;
	pair(a, b, port, &c, &s);
	int d = ioth_fcntl(c, F_DUPFD_CLOEXEC, 0);
	CHECK(d >= 0 && d != c);
	CHECK((fcntl(d, F_GETFD) & FD_CLOEXEC) != 0);
	CHECK((fcntl(c, F_GETFD) & FD_CLOEXEC) == 0);
	/* one stream through both descriptors */
	CHECK(ioth_send(c, "one-", 4, 0) == 4);
	CHECK(ioth_send(d, "two", 3, 0) == 3);
	char buf[64] = "";
	CHECK(readn(s, buf, 7) == 7 && memcmp(buf, "one-two", 7) == 0);
	/* readiness of the socket on both */
	CHECK(ioth_send(s, "back", 4, 0) == 4);
	struct pollfd pfd[2] = {{.fd = c, .events = POLLIN}, {.fd = d, .events = POLLIN}};
	CHECK(poll(pfd, 2, 3000) == 2);
	/* options are the socket's */
	int v = 1, got = 0;
	socklen_t l = sizeof(got);
	CHECK(ioth_setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0);
	CHECK(ioth_getsockopt(d, SOL_SOCKET, SO_KEEPALIVE, &got, &l) == 0 && got == 1);
	int first = close_first_first ? c : d, second = close_first_first ? d : c;
	CHECK(ioth_close(first) == 0);
	/* still connected: no EOF at the peer, data flows both ways */
	CHECK(readn(second, buf, 4) == 4 && memcmp(buf, "back", 4) == 0);
	CHECK(ioth_recv(s, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	CHECK(ioth_send(second, "three", 5, 0) == 5);
	CHECK(readn(s, buf, 5) == 5 && memcmp(buf, "three", 5) == 0);
	CHECK(ioth_close(first) == -1 && errno == EBADF);
	/* the last close ends the connection: EOF at the peer */
	CHECK(ioth_close(second) == 0);
	struct pollfd ps = {.fd = s, .events = POLLIN};
	CHECK(poll(&ps, 1, 3000) == 1 && ioth_recv(s, buf, sizeof(buf), MSG_DONTWAIT) == 0);
	ioth_close(s);
}

int main(void) {
	alarm(60);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	struct ioth *a = ustest_stack("ustack", vdeswitch_vnl(sw), "198.18.0.1", 24);
	struct ioth *b = ustest_stack("ustack", vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(a && b);
	run(a, b, 7100, true);
	run(a, b, 7101, false);
	/* a UDP socket and F_DUPFD's minimum */
	int u = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	int du = ioth_fcntl(u, F_DUPFD, 200);
	CHECK(du >= 200);
	CHECK(ioth_close(u) == 0 && ioth_close(du) == 0);
	CHECK(ioth_delstack(a) == 0);
	CHECK(ioth_delstack(b) == 0);
	vdeswitch_stop(sw);
	if (ustest_failures)
		fprintf(stderr, "%d failures\n", ustest_failures);
	else
		printf("ok\n");
	return ustest_failures ? 1 : 0;
}
