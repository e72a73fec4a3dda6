/* SPDX-License-Identifier: LGPL-2.1-or-later
 * shared_bench: the cost of a socket call on a ustack under iothrun, in the
 * process that owns the stack (direct calls) and in a child it forked (the
 * shared stack: each call a request to the owner's server thread). Run it
 * under iothrun (bench/shared_bench.sh does, on a VDE switch of its own):
 *
 *   iothrun 'stack=ustack,vnl=vde:///tmp/sw,eth,ip=198.18.0.5/24' shared_bench [N]
 *
 * Per process, N times each: getsockopt(SO_RCVBUF); recv on an empty
 * non-blocking UDP socket (EAGAIN); a 64-byte datagram sent to itself on
 * the loopback and received (sendto + recv). Prints ns per call. Not a
 * test: it asserts nothing. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double) t.tv_sec * 1e9 + (double) t.tv_nsec;
}

static int run(const char *who, int fd, struct sockaddr_in *self, long n) {
	char buf[64] = {0};
	int v;
	socklen_t len;
	double t0 = now();
	for (long i = 0; i < n; i++) {
		len = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) < 0)
			return perror("getsockopt"), -1;
	}
	double t1 = now();
	for (long i = 0; i < n; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0 || errno != EAGAIN)
			return perror("recv"), -1;
	double t2 = now();
	for (long i = 0; i < n; i++) {
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *) self, sizeof(*self)) != sizeof(buf))
			return perror("sendto"), -1;
		if (recv(fd, buf, sizeof(buf), 0) != sizeof(buf))
			return perror("recv"), -1;
	}
	double t3 = now();
	printf("%-22s getsockopt %7.0f ns   recv (EAGAIN) %7.0f ns   sendto+recv 64 B %7.0f ns\n",
			who, (t1 - t0) / (double) n, (t2 - t1) / (double) n, (t3 - t2) / (double) n);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 20000;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in self = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t len = sizeof(self);
	if (fd < 0 || bind(fd, (struct sockaddr *) &self, sizeof(self)) < 0 ||
			getsockname(fd, (struct sockaddr *) &self, &len) < 0)
		return perror("socket"), 1;
	if (run("owner (direct)", fd, &self, n) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(run("forked child (shared)", fd, &self, n) < 0 ? 1 : 0);
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
