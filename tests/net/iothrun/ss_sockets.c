/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A preloaded helper for test_iothrun_ss.sh: before ss's main runs, it
 * makes sockets with plain libc calls, which libiothrun (a dependency of
 * this library, hence initialised first) puts on the process's stack:
 *  - a TCP listener on port 9001 (backlog 7), a connection to it over
 *    the loopback, accepted, with 5 bytes sent and not read, and another
 *    one from port 9002 with 3 bytes, not accepted;
 *  - a TCP connection to SS_SOCKETS_PEER (ADDR:PORT), when given;
 *  - a UDP socket bound to port 9003.
 * So `ss` in that process sees a listening and established sockets of
 * its own stack. Failures are printed on stderr (the test checks ss).
 * Nothing is done without IOTHRUN_CONF (in iothrun itself). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void fail(const char *what) {
	perror(what);
}

__attribute__((constructor)) static void make_sockets(void) {
	/* iothrun itself is started with this library preloaded too: there
	 * (no IOTHRUN_CONF yet) the calls would be the host's */
	if (getenv("IOTHRUN_CONF") == NULL)
		return;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9001)};
	int on = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (l < 0 || bind(l, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(l, 7) < 0)
		return fail("ss_sockets: listen");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (c < 0 || connect(c, (struct sockaddr *) &a, sizeof(a)) < 0)
		return fail("ss_sockets: connect to the listener");
	int s = accept(l, NULL, NULL);
	if (s < 0)
		return fail("ss_sockets: accept");
	if (send(c, "ciao\n", 5, 0) != 5)
		fail("ss_sockets: send");
	/* a second connection to port 9001, from port 9002, left in the
	 * listener's accept queue with 3 bytes */
	int c2 = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in b2 = {.sin_family = AF_INET, .sin_port = htons(9002)};
	b2.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (c2 < 0 || bind(c2, (struct sockaddr *) &b2, sizeof(b2)) < 0 ||
			connect(c2, (struct sockaddr *) &a, sizeof(a)) < 0 || send(c2, "abc", 3, 0) != 3)
		fail("ss_sockets: a connection not accepted");
	const char *peer = getenv("SS_SOCKETS_PEER");
	if (peer) {
		char host[64];
		snprintf(host, sizeof(host), "%s", peer);
		char *colon = strrchr(host, ':');
		if (colon) {
			*colon = 0;
			struct sockaddr_in p = {.sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(colon + 1))};
			int e = socket(AF_INET, SOCK_STREAM, 0);
			if (e < 0 || inet_pton(AF_INET, host, &p.sin_addr) != 1 ||
					connect(e, (struct sockaddr *) &p, sizeof(p)) < 0)
				fail("ss_sockets: connect to the peer");
		}
	}
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ua = {.sin_family = AF_INET, .sin_port = htons(9003)};
	if (u < 0 || bind(u, (struct sockaddr *) &ua, sizeof(ua)) < 0)
		fail("ss_sockets: udp");
	/* let the loopback deliver the 5 bytes before ss looks */
	usleep(100000);
}
