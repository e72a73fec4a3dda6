/* SPDX-License-Identifier: LGPL-2.1-or-later
 * netio.c: waiting and complete reads/writes with a deadline on ioth
 * sockets, shared by the client (resolver.c) and the server (server.c).
 * Sockets are real fds (ioth.h), so poll(2) works on them. */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include "iothdns_int.h"

int64_t dns_now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll one fd until events or the deadline: 1 ready, 0 timeout, -errno */
int dns_wait_fd(int fd, short events, int64_t deadline) {
	for (;;) {
		int64_t left = deadline - dns_now_ms();
		if (left < 0)
			left = 0;
		struct pollfd pfd = {fd, events, 0};
		int rv = poll(&pfd, 1, (int) left);
		if (rv > 0)
			return 1;
		if (rv == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int dns_write_all(int fd, const uint8_t *buf, size_t len, int64_t deadline) {
	while (len > 0) {
		if (dns_wait_fd(fd, POLLOUT, deadline) <= 0)
			return -1;
		ssize_t n = ioth_send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* 1 all read, 0 EOF before anything was read, -1 error/timeout/short */
int dns_read_all(int fd, uint8_t *buf, size_t len, int64_t deadline) {
	size_t got = 0;
	while (got < len) {
		if (dns_wait_fd(fd, POLLIN, deadline) <= 0)
			return -1;
		ssize_t n = ioth_recv(fd, buf + got, len - got, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return got == 0 ? 0 : -1;
		got += n;
	}
	return 1;
}

