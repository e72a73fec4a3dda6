/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A forked child never harms its parent's stack. After fork() the child
 * shares the parent's epoll instance and frame descriptors but has no
 * event thread: its calls on the inherited stack fail with EOPNOTSUPP and
 * touch nothing (a blocking recv, a delstack, a send on an inherited TCP
 * connection), its close of an inherited socket closes only its own
 * descriptor, and a stack it makes itself works. The parent's stack keeps
 * receiving datagrams and its connection stays byte-exact throughout.
 * Every wait is bounded; a child that hangs is killed and fails the test. */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "ustest.h"
#include "vdeswitch.h"

static struct ioth *a, *b;
static int ua, ub, ta, tb, lfd;   /* UDP a -> b, TCP a <-> b, b listening */

/* Run fn in a child; wait at most ms. Returns the child's exit status, or
 * -1 if it had to be killed. */
static int in_child(int (*fn)(void), int ms) {
	fflush(NULL);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		alarm(10);
		int rc = fn();
		if (rc)
			fprintf(stderr, "child: step %d failed (errno %d %s)\n", rc, errno, strerror(errno));
		_exit(rc);
	}
	int st = 0;
	for (int t = 0; t < ms; t += 10) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* the parent's stack b still receives: n datagrams a -> b */
static int parent_receives(int n) {
	struct sockaddr_in to = sin4("198.18.0.2", 6000);
	int got = 0;
	char buf[64];
	for (int i = 0; i < n; i++) {
		CHECK(ioth_sendto(ua, "dgram", 5, 0, (struct sockaddr *) &to, sizeof(to)) == 5);
		struct pollfd pfd = {.fd = ub, .events = POLLIN};
		if (poll(&pfd, 1, 1000) == 1 && ioth_recv(ub, buf, sizeof(buf), MSG_DONTWAIT) == 5)
			got++;
	}
	return got;
}

static int child_blocking_recv(void) {
	char buf[64];
	/* the parent's blocking recv reads the stack's frames itself: in a
	 * child it would take the parent's interfaces out of the shared epoll */
	if (ioth_recv(ub, buf, sizeof(buf), 0) != -1 || errno != EOPNOTSUPP)
		return 2;
	return 0;
}

static int child_send_tcp(void) {
	if (ioth_send(ta, "INJECTED", 8, 0) != -1 || errno != EOPNOTSUPP)
		return 2;
	int fd = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	if (fd != -1 || errno != EOPNOTSUPP)
		return 3;
	return 0;
}

static int child_close_and_delstack(void) {
	/* the child's own descriptors go; the parent's sockets stay */
	if (ioth_close(ub) != 0 || ioth_close(tb) != 0 || ioth_close(lfd) != 0)
		return 2;
	if (fcntl(ub, F_GETFD) != -1 || errno != EBADF)
		return 3;
	if (ioth_delstack(b) != 0)
		return 4;
	return 0;
}

static int child_own_stack(void) {
	/* the child's runtime starts afresh with a stack of its own */
	extern const char *child_vnl;
	struct ioth *c = ustest_stack("ustack", child_vnl, "198.18.0.3", 24);
	if (c == NULL)
		return 2;
	int fd = ioth_msocket(c, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = sin4("198.18.0.2", 6001);
	for (int i = 0; i < 5; i++)
		if (ioth_sendto(fd, "child", 5, 0, (struct sockaddr *) &to, sizeof(to)) != 5)
			return 3;
	ioth_close(fd);
	/* a child's stack sends what it was given before it goes (bounded) */
	usleep(200000);
	if (ioth_delstack(c) != 0)
		return 4;
	return 0;
}

const char *child_vnl;

static void tcp_exact(void) {
	static const char msg[] = "parent-data-0123456789";
	CHECK(ioth_send(ta, msg, sizeof(msg), 0) == (ssize_t) sizeof(msg));
	char buf[256];
	size_t got = 0;
	while (got < sizeof(msg)) {
		struct pollfd pfd = {.fd = tb, .events = POLLIN};
		if (poll(&pfd, 1, 2000) != 1)
			break;
		ssize_t n = ioth_recv(tb, buf + got, sizeof(buf) - got, MSG_DONTWAIT);
		if (n <= 0)
			break;
		got += (size_t) n;
	}
	CHECK(got == sizeof(msg) && memcmp(buf, msg, sizeof(msg)) == 0);
}

int main(void) {
	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	child_vnl = vdeswitch_vnl(sw);
	a = ustest_stack("ustack", vdeswitch_vnl(sw), "198.18.0.1", 24);
	b = ustest_stack("ustack", vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(a && b);
	ua = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	ub = ioth_msocket(b, AF_INET, SOCK_DGRAM, 0);
	REQUIRE(ua >= 0 && ub >= 0);
	struct sockaddr_in ba = sin4("0.0.0.0", 6000);
	REQUIRE(ioth_bind(ub, (struct sockaddr *) &ba, sizeof(ba)) == 0);
	lfd = ioth_msocket(b, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in la = sin4("0.0.0.0", 7000);
	REQUIRE(ioth_bind(lfd, (struct sockaddr *) &la, sizeof(la)) == 0 && ioth_listen(lfd, 2) == 0);
	ta = ioth_msocket(a, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in tc = sin4("198.18.0.2", 7000);
	REQUIRE(ioth_connect(ta, (struct sockaddr *) &tc, sizeof(tc)) == 0);
	tb = ioth_accept(lfd, NULL, NULL);
	REQUIRE(tb >= 0);
	CHECK(parent_receives(3) == 3);

	CHECK(in_child(child_blocking_recv, 2000) == 0);
	CHECK(parent_receives(10) == 10);
	tcp_exact();

	CHECK(in_child(child_send_tcp, 2000) == 0);
	tcp_exact();
	CHECK(parent_receives(10) == 10);

	CHECK(in_child(child_close_and_delstack, 2000) == 0);
	CHECK(parent_receives(10) == 10);
	tcp_exact();

	int u2 = ioth_msocket(b, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in b2 = sin4("0.0.0.0", 6001);
	REQUIRE(u2 >= 0 && ioth_bind(u2, (struct sockaddr *) &b2, sizeof(b2)) == 0);
	CHECK(in_child(child_own_stack, 8000) == 0);
	int fromchild = 0;
	char buf[64];
	struct pollfd pfd = {.fd = u2, .events = POLLIN};
	while (poll(&pfd, 1, 500) == 1 && ioth_recv(u2, buf, sizeof(buf), MSG_DONTWAIT) == 5)
		fromchild++;
	CHECK(fromchild >= 1);
	CHECK(parent_receives(10) == 10);
	tcp_exact();

	ioth_close(u2);
	ioth_close(ta);
	ioth_close(tb);
	ioth_close(lfd);
	ioth_close(ua);
	ioth_close(ub);
	CHECK(ioth_delstack(a) == 0);
	CHECK(ioth_delstack(b) == 0);
	vdeswitch_stop(sw);
	if (ustest_failures)
		fprintf(stderr, "%d failures\n", ustest_failures);
	else
		printf("ok\n");
	return ustest_failures ? 1 : 0;
}
