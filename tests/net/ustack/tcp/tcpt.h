/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Helpers of the TCP tests: addresses of both families, patterned data,
 * whole reads and writes. */
#ifndef TCPT_H
#define TCPT_H
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>

#include "../ustest.h"

union tsa {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static inline socklen_t tsa_make(union tsa *u, int family, const char *addr, int port) {
	memset(u, 0, sizeof(*u));
	if (family == AF_INET) {
		u->in.sin_family = AF_INET;
		u->in.sin_port = htons((uint16_t) port);
		REQUIRE(inet_pton(AF_INET, addr, &u->in.sin_addr) == 1);
		return sizeof(u->in);
	}
	u->in6.sin6_family = AF_INET6;
	u->in6.sin6_port = htons((uint16_t) port);
	REQUIRE(inet_pton(AF_INET6, addr, &u->in6.sin6_addr) == 1);
	return sizeof(u->in6);
}

static inline uint8_t pattern(uint64_t i, unsigned seed) {
	return (uint8_t) ((i * 2654435761u) >> 13 ^ seed ^ (i >> 11));
}

/* write all of len patterned bytes in chunks; 0 or -1 */
static inline int write_pattern(int fd, size_t len, unsigned seed) {
	uint8_t buf[16384];
	size_t off = 0;
	while (off < len) {
		size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		n = n > 1000 ? n - (off % 977) : n;   /* odd sizes */
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i, seed);
		ssize_t w = ioth_send(fd, buf, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		off += (size_t) w;
	}
	return 0;
}

/* read until EOF; the count of bytes, -1 on error or a wrong byte */
static inline ssize_t read_pattern(int fd, unsigned seed) {
	uint8_t buf[20000];
	size_t off = 0;
	for (;;) {
		ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -1;
		if (n == 0)
			return (ssize_t) off;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pattern(off + (size_t) i, seed)) {
				fprintf(stderr, "bad byte at %zu\n", off + (size_t) i);
				return -1;
			}
		off += (size_t) n;
	}
}
#endif
