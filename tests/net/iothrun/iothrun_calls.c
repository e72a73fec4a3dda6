/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A program of plain libc calls, run under iothrun by test_iothrun_calls.sh
 * against peers in a namespace: the calls the kernel would serve on its
 * own sockets and iothrun must emulate on a stack's (dup and friends,
 * fdopen, sendfile, splice, sendmmsg/recvmmsg, EFAULT). It knows nothing
 * of ioth. Exit status 0 when every check passed.
 *
 *   iothrun_calls dup HOST PORT        peer: sends "hello\n", then saves what it gets
 *   iothrun_calls sendfile HOST PORT FILE
 *   iothrun_calls splice HOST PORT FILE
 *   iothrun_calls mmsg HOST PORT       peer: echoes 3 datagrams */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "iothrun_test.h"

static struct sockaddr_in peer(const char *host, const char *port) {
	return ipv4(host, atoi(port));
}

static int tcp(const char *host, const char *port) {
	struct sockaddr_in a = peer(host, port);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *) &a, sizeof(a)) < 0) {
		perror("connect");
		exit(1);
	}
	return s;
}

static int cloexec(int fd) {
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

static void put(int fd, const char *s) {
	CHECK(write(fd, s, strlen(s)) == (ssize_t) strlen(s));
}

/* every kind of duplicate writes on one stream; closes in any order; the
 * last close (fclose of a stdio stream) ends it. A line read through a
 * stdio stream too. */
static void cmd_dup(const char *host, const char *port) {
	int s = tcp(host, port);
	int d = dup(s);
	CHECK(d >= 0 && d != s);
	/* dup2 onto a descriptor in use (a UDP socket of the stack): closed first */
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(u >= 0);
	CHECK(dup2(s, u) == u);
	int t2 = dup2(s, 100);
	CHECK(t2 == 100 && !cloexec(100));
	CHECK(dup2(s, s) == s);
	CHECK(dup3(s, 101, O_CLOEXEC) == 101 && cloexec(101));
	CHECK(dup3(s, s, 0) == -1 && errno == EINVAL);
	int f = fcntl(s, F_DUPFD_CLOEXEC, 200);
	CHECK(f >= 200 && cloexec(f));
	int type = 0;
	socklen_t tl = sizeof(type);
	CHECK(getsockopt(u, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM);
	/* a line from the peer, read with stdio on a duplicate */
	FILE *in = fdopen(dup(s), "r");
	CHECK(in != NULL);
	char line[64] = "";
	CHECK(in && fgets(line, sizeof(line), in) != NULL && strcmp(line, "hello\n") == 0);
	CHECK(in && fileno(in) >= 0);
	if (in)
		fclose(in);
	put(s, "a");
	put(d, "b");
	put(u, "c");
	put(100, "d");
	put(101, "e");
	put(f, "f");
	/* close all but one, in no particular order: the stream stays */
	CHECK(close(s) == 0);
	put(d, "g");
	CHECK(close(100) == 0 && close(u) == 0 && close(d) == 0 && close(101) == 0);
	FILE *out = fdopen(f, "w");
	CHECK(out != NULL);
	if (out) {
		fprintf(out, "-stdio\n");
		CHECK(fclose(out) == 0);   /* the last descriptor: the peer gets EOF */
	}
}

static void cmd_sendfile(const char *host, const char *port, const char *file) {
	int s = tcp(host, port);
	int fd = open(file, O_RDONLY);
	struct stat st;
	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	off_t half = st.st_size / 2, off = 0;
	/* the first half with an offset: the file position does not move */
	while (off < half) {
		ssize_t n = sendfile(s, fd, &off, (size_t) (half - off));
		CHECK(n > 0);
		if (n <= 0)
			break;
	}
	CHECK(off == half && lseek(fd, 0, SEEK_CUR) == 0);
	/* the rest from the file position */
	CHECK(lseek(fd, half, SEEK_SET) == half);
	off_t left = st.st_size - half;
	while (left > 0) {
		ssize_t n = sendfile(s, fd, NULL, (size_t) left);
		CHECK(n > 0);
		if (n <= 0)
			break;
		left -= n;
	}
	CHECK(lseek(fd, 0, SEEK_CUR) == st.st_size);
	/* a socket is no source; a bad offset pointer is EFAULT */
	CHECK(sendfile(fd, s, NULL, 10) == -1 && errno == EINVAL);
	CHECK(sendfile(s, fd, (off_t *) 16, 10) == -1 && errno == EFAULT);
	close(fd);
	close(s);
}

/* file -> pipe (the kernel's splice), pipe -> socket (iothrun's) */
static void cmd_splice(const char *host, const char *port, const char *file) {
	int s = tcp(host, port);
	int fd = open(file, O_RDONLY);
	int p[2];
	CHECK(fd >= 0 && pipe(p) == 0);
	for (;;) {
		ssize_t n = splice(fd, NULL, p[1], NULL, 65536, 0);
		CHECK(n >= 0);
		if (n <= 0)
			break;
		while (n > 0) {
			ssize_t m = splice(p[0], NULL, s, NULL, (size_t) n, 0);
			CHECK(m > 0);
			if (m <= 0)
				exit(1);
			n -= m;
		}
	}
	/* offsets on a socket or a pipe: ESPIPE; no pipe at all: EINVAL */
	loff_t o = 0;
	CHECK(splice(p[0], NULL, s, &o, 10, 0) == -1 && errno == ESPIPE);
	CHECK(splice(fd, NULL, s, NULL, 10, 0) == -1 && errno == EINVAL);
	close(fd);
	close(s);
}

static void cmd_mmsg(const char *host, const char *port) {
	struct sockaddr_in a = peer(host, port);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(u >= 0 && connect(u, (struct sockaddr *) &a, sizeof(a)) == 0);
	const char *words[3] = {"one", "two!", "three"};
	struct iovec iov[3];
	struct mmsghdr mv[3];
	memset(mv, 0, sizeof(mv));
	for (int i = 0; i < 3; i++) {
		iov[i] = (struct iovec) {(void *) words[i], strlen(words[i])};
		mv[i].msg_hdr.msg_iov = &iov[i];
		mv[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK(sendmmsg(u, mv, 3, 0) == 3);
	for (int i = 0; i < 3; i++)
		CHECK(mv[i].msg_len == strlen(words[i]));
	/* bad pointers: the vector, an iovec array */
	CHECK(sendmmsg(u, (struct mmsghdr *) 16, 1, 0) == -1 && errno == EFAULT);
	struct mmsghdr bad = {.msg_hdr = {.msg_iov = (struct iovec *) 16, .msg_iovlen = 1}};
	CHECK(recvmmsg(u, &bad, 1, MSG_DONTWAIT, NULL) == -1 && errno == EFAULT);
	/* the echoes: up to 3 per call, the first one waited for */
	char bufs[3][32];
	int got = 0;
	char seen[3][32];
	for (int tries = 0; got < 3 && tries < 50; tries++) {
		struct pollfd pfd = {.fd = u, .events = POLLIN};
		if (poll(&pfd, 1, 200) != 1)
			continue;
		struct iovec riov[3];
		struct mmsghdr rv[3];
		memset(rv, 0, sizeof(rv));
		for (int i = 0; i < 3; i++) {
			riov[i] = (struct iovec) {bufs[i], sizeof(bufs[i]) - 1};
			rv[i].msg_hdr.msg_iov = &riov[i];
			rv[i].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(u, rv, 3, MSG_WAITFORONE, NULL);
		CHECK(n >= 1);
		for (int i = 0; i < n && got < 3; i++) {
			bufs[i][rv[i].msg_len] = 0;
			strcpy(seen[got++], bufs[i]);
		}
	}
	CHECK(got == 3);
	for (int i = 0; i < got; i++)
		CHECK(strcmp(seen[i], words[i]) == 0);
	close(u);
}

int main(int argc, char **argv) {
	alarm(50);
	if (argc >= 4 && strcmp(argv[1], "dup") == 0)
		cmd_dup(argv[2], argv[3]);
	else if (argc >= 5 && strcmp(argv[1], "sendfile") == 0)
		cmd_sendfile(argv[2], argv[3], argv[4]);
	else if (argc >= 5 && strcmp(argv[1], "splice") == 0)
		cmd_splice(argv[2], argv[3], argv[4]);
	else if (argc >= 4 && strcmp(argv[1], "mmsg") == 0)
		cmd_mmsg(argv[2], argv[3]);
	else {
		fprintf(stderr, "usage: iothrun_calls dup|sendfile|splice|mmsg HOST PORT [FILE]\n");
		return 2;
	}
	return finish(argv[1]);
}
