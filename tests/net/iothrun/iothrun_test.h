/* SPDX-License-Identifier: LGPL-2.1-or-later
 * What the test programs run under iothrun (iothrun_calls.c,
 * iothrun_share.c) share: checks that count failures, addresses, and a
 * forked child's output and end. Plain libc: they know nothing of ioth. */
#ifndef IOTHRUN_TEST_H
#define IOTHRUN_TEST_H
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
#define CHECK(c) do { \
	if (!(c)) { \
		fprintf(stderr, "FAIL %s:%d: %s (errno %d %s)\n", __FILE__, __LINE__, #c, errno, strerror(errno)); \
		failures++; \
	} \
} while (0)

/* host (an IPv4 address: else the program ends, status 2) and port */
static inline struct sockaddr_in ipv4(const char *host, int port) {
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		exit(2);
	return a;
}

/* What is written on fd until its writers close it: at most cap - 1 bytes
 * into buf, NUL-terminated; fd is closed. */
static inline size_t read_all(int fd, char *buf, size_t cap) {
	size_t got = 0;
	ssize_t r;
	while (got < cap - 1 && (r = read(fd, buf + got, cap - 1 - got)) > 0)
		got += (size_t) r;
	buf[got] = '\0';
	close(fd);
	return got;
}

/* A pipe and a forked child that writes on it: fork's result; in the
 * child the read end p[0] is closed. */
static inline pid_t fork_writer(int p[2]) {
	CHECK(pipe(p) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		close(p[0]);
	return pid;
}

/* a forked child's end: it must exit with status 0 */
static inline void child_done(pid_t pid) {
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* main's end: the exit status */
static inline int finish(const char *what) {
	if (failures)
		fprintf(stderr, "%s: %d failure(s)\n", what, failures);
	return failures ? 1 : 0;
}
#endif
