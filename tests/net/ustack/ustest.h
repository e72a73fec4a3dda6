/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Helpers shared by the ustack network tests: checks that report the line
 * and errno, and stacks configured through netlink as a user would. */
#ifndef USTEST_H
#define USTEST_H
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ioth.h>

static int ustest_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: %s (errno %d %s)\n", __FILE__, __LINE__, #cond, errno, \
				strerror(errno)); \
		ustest_failures++; \
	} \
} while (0)

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "FATAL %s:%d: %s (errno %d %s)\n", __FILE__, __LINE__, #cond, errno, \
				strerror(errno)); \
		exit(1); \
	} \
} while (0)

static inline uint32_t ip4(const char *s) {
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static inline struct sockaddr_in sin4(const char *addr, int port) {
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	sin.sin_addr.s_addr = ip4(addr);
	return sin;
}

/* A ustack stack on vnl with vde0 up and addr/plen (NULL: no address). */
static inline struct ioth *ustest_stack(const char *opts, const char *vnl, const char *addr, int plen) {
	struct ioth *st = ioth_newstack(opts ? opts : "ustack", vnl);
	if (st == NULL)
		return NULL;
	int idx = ioth_if_nametoindex(st, "vde0");
	if (idx <= 0 || ioth_linksetupdown(st, (unsigned) idx, 1) < 0)
		goto fail;
	if (addr) {
		uint32_t a = ip4(addr);
		if (ioth_ipaddr_add(st, AF_INET, &a, plen, (unsigned) idx) < 0)
			goto fail;
	}
	return st;
fail:;
	int e = errno;
	ioth_delstack(st);
	errno = e;
	return NULL;
}

/* One ping through a ping socket: 0 on a matching reply within ms. */
static inline int ustest_ping(struct ioth *st, const char *dst, size_t payload, int ms) {
	int fd = ioth_msocket(st, AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0)
		return -1;
	static unsigned seqno;  /* shared by threads: atomic */
	uint16_t seq = (uint16_t) __atomic_add_fetch(&seqno, 1, __ATOMIC_RELAXED);
	size_t len = 8 + payload;
	uint8_t *req = calloc(1, len), *rep = malloc(len + 64);
	req[0] = 8;
	req[6] = (uint8_t) (seq >> 8);
	req[7] = (uint8_t) seq;
	for (size_t i = 8; i < len; i++)
		req[i] = (uint8_t) i;
	struct sockaddr_in to = sin4(dst, 0);
	int rc = -1;
	if (ioth_sendto(fd, req, len, 0, (struct sockaddr *) &to, sizeof(to)) != (ssize_t) len)
		goto out;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	while (poll(&pfd, 1, ms) == 1) {
		ssize_t n = ioth_recv(fd, rep, len + 64, 0);
		if (n == (ssize_t) len && rep[0] == 0 && rep[6] == req[6] && rep[7] == req[7] &&
				memcmp(rep + 8, req + 8, payload) == 0) {
			rc = 0;
			break;
		}
	}
	if (rc < 0)
		errno = ETIMEDOUT;
out:;
	int e = errno;
	free(req);
	free(rep);
	ioth_close(fd);
	errno = e;
	return rc;
}

static inline int ustest_done(const char *name) {
	if (ustest_failures) {
		printf("%s: %d failure(s)\n", name, ustest_failures);
		return 1;
	}
	printf("%s: ok\n", name);
	return 0;
}
#endif
