/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ioth_delstack lets what the program sent go out first: a datagram sent
 * just before the deletion (still waiting for ARP) reaches its receiver,
 * and so do the data and FIN of a TCP connection closed just before it;
 * IOTH_DELSTACK_LINGER bounds the wait. The sender is a stack of the kind
 * under test, the receiver a ustack stack on the same embedded switch.
 *
 * usage: test_libioth_delstack vdestack|ustack */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ioth.h>
#include "vdeswitch.h"

#include "check.h"

#define TCP_BYTES (256 * 1024)

static struct ioth *stack_on(const char *kind, const char *vnl, uint32_t addr) {
	struct ioth *st = ioth_newstack(kind, vnl);
	if (st == NULL)
		return NULL;
	int ifindex = ioth_if_nametoindex(st, "vde0");
	uint32_t a = htonl(addr);
	if (ifindex <= 0 || ioth_linksetupdown(st, ifindex, 1) < 0 ||
			ioth_ipaddr_add(st, AF_INET, &a, 24, ifindex) < 0) {
		ioth_delstack(st);
		return NULL;
	}
	return st;
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port) {
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(addr)};
	return sin;
}

static double now_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

struct reader {
	int lfd;
	size_t got;
	int eof;
};

/* Accept one connection and read it to its end (10 s at most). */
static void *read_all(void *arg) {
	struct reader *r = arg;
	struct pollfd pfd = {r->lfd, POLLIN, 0};
	if (poll(&pfd, 1, 10000) != 1)
		return NULL;
	int fd = ioth_accept(r->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	static char buf[16384];
	double end = now_s() + 10;
	while (now_s() < end) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 500) != 1)
			continue;
		ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			r->eof = n == 0;
			break;
		}
		r->got += (size_t) n;
	}
	ioth_close(fd);
	return NULL;
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: %s vdestack|ustack\n", argv[0]);
		return 2;
	}
	const char *kind = argv[1];
	unsetenv("IOTH_DELSTACK_LINGER");
	struct vdeswitch *sw = vdeswitch_start(NULL);
	if (sw == NULL) {
		printf("cannot start a switch: %s\n", strerror(errno));
		return 1;
	}
	const char *vnl = vdeswitch_vnl(sw);
	struct ioth *rx = stack_on("ustack", vnl, 0xc6120c02);
	CHECK(rx != NULL, "receiver (ustack) on %s, 198.18.12.2/24", vnl);
	if (rx == NULL)
		return 1;

	/* 1. a datagram sent, then the stack deleted at once: it still arrives
	 * (the ARP request for its destination is not answered yet) */
	int ufd = ioth_msocket(rx, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in at = sin_of(0xc6120c02, 7200);
	CHECK(ufd >= 0 && ioth_bind(ufd, (struct sockaddr *) &at, sizeof(at)) == 0,
			"receiver bound to 198.18.12.2:7200");
	struct ioth *tx = stack_on(kind, vnl, 0xc6120c01);
	CHECK(tx != NULL, "sender (%s), 198.18.12.1/24", kind);
	if (tx) {
		int fd = ioth_msocket(tx, AF_INET, SOCK_DGRAM, 0);
		CHECK(ioth_sendto(fd, "ciao\n", 5, 0, (struct sockaddr *) &at, sizeof(at)) == 5,
				"sendto 198.18.12.2:7200");
		ioth_close(fd);
		CHECK(ioth_delstack(tx) == 0, "delstack right after the sendto");
		struct pollfd pfd = {ufd, POLLIN, 0};
		char buf[16];
		CHECK(poll(&pfd, 1, 5000) == 1 && ioth_recv(ufd, buf, sizeof(buf), 0) == 5 &&
				memcmp(buf, "ciao\n", 5) == 0,
				"the datagram sent before delstack was delivered");
	}

	/* 2. a TCP connection: data written, closed, the stack deleted at once:
	 * every byte and the FIN arrive */
	int lfd = ioth_msocket(rx, AF_INET, SOCK_STREAM, 0);
	CHECK(lfd >= 0 && ioth_bind(lfd, (struct sockaddr *) &at, sizeof(at)) == 0 &&
			ioth_listen(lfd, 1) == 0, "receiver listens on 198.18.12.2:7200");
	struct reader r = {lfd, 0, 0};
	pthread_t th;
	pthread_create(&th, NULL, read_all, &r);
	tx = stack_on(kind, vnl, 0xc6120c03);
	CHECK(tx != NULL, "sender (%s), 198.18.12.3/24", kind);
	if (tx) {
		int fd = ioth_msocket(tx, AF_INET, SOCK_STREAM, 0);
		CHECK(ioth_connect(fd, (struct sockaddr *) &at, sizeof(at)) == 0, "connected");
		static char data[TCP_BYTES];
		memset(data, 'x', sizeof(data));
		size_t sent = 0;
		while (sent < sizeof(data)) {
			ssize_t n = ioth_send(fd, data + sent, sizeof(data) - sent, 0);
			if (n <= 0)
				break;
			sent += (size_t) n;
		}
		CHECK(sent == sizeof(data), "%zu bytes written", sent);
		ioth_close(fd);
		CHECK(ioth_delstack(tx) == 0, "delstack right after the close");
	}
	pthread_join(th, NULL);
	CHECK(r.got == TCP_BYTES && r.eof, "the receiver got %zu of %d bytes, then %s", r.got,
			TCP_BYTES, r.eof ? "the end" : "no end");

	/* 3. the bound: a datagram for an address nobody has (ARP gives up
	 * after 3 s) with IOTH_DELSTACK_LINGER=0.5: delstack waits no more */
	setenv("IOTH_DELSTACK_LINGER", "0.5", 1);
	tx = stack_on(kind, vnl, 0xc6120c04);
	CHECK(tx != NULL, "sender (%s), 198.18.12.4/24", kind);
	if (tx) {
		int fd = ioth_msocket(tx, AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in nobody = sin_of(0xc6120c63, 7200);
		ioth_sendto(fd, "lost", 4, 0, (struct sockaddr *) &nobody, sizeof(nobody));
		ioth_close(fd);
		double t0 = now_s();
		CHECK(ioth_delstack(tx) == 0, "delstack with a resolution that cannot end");
		double t = now_s() - t0;
		/* more than the bound would be the resolution's own 3 s */
		CHECK(t < 2.5, "IOTH_DELSTACK_LINGER=0.5 bounded the wait (%.2f s)", t);
	}
	unsetenv("IOTH_DELSTACK_LINGER");

	ioth_close(ufd);
	ioth_close(lfd);
	CHECK(ioth_delstack(rx) == 0, "delstack receiver");
	vdeswitch_stop(sw);
	printf("%s: %d failures\n", argv[0], failures);
	return failures ? 1 : 0;
}
