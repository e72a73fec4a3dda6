/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A node of the "configured by name alone" story: a ustack stack on VNL,
 * configured only by iothconf with CONFIG (e.g. eth,rd,dhcp6,fqdn=NAME);
 * then it finds PEER by name through the DNS server DHCP told it
 * (ioth_resolvconf + libiothdns) and exchanges a line over TCP port 7000:
 *   story_node VNL CONFIG FAMILY(6|4) listen PEER    accept one connection,
 *        check that it comes from PEER's address, answer "hello PEER"
 *   story_node VNL CONFIG FAMILY connect PEER NAME   send "NAME", expect
 *        "hello NAME"
 * Prints "addr ADDR", "peer ADDR", "got LINE"; exit 0 on success. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <ioth.h>
#include <iothconf.h>
#include <iothdns.h>

static int die(const char *what) {
	printf("error %s: %s\n", what, strerror(errno));
	return 1;
}

static int readline(int fd, char *buf, size_t len, int ms) {
	size_t n = 0;
	while (n + 1 < len) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, ms) <= 0)
			return -1;
		ssize_t k = ioth_read(fd, buf + n, 1);
		if (k <= 0)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return 0;
}

int main(int argc, char *argv[]) {
	if (argc < 6)
		return fprintf(stderr, "usage: story_node VNL CONFIG 6|4 listen|connect PEER [NAME]\n"), 2;
	int af = strcmp(argv[3], "4") == 0 ? AF_INET : AF_INET6;
	int listening = strcmp(argv[4], "listen") == 0;
	const char *peer = argv[5];
	setvbuf(stdout, NULL, _IOLBF, 0);
	char *sc;
	if (asprintf(&sc, "stack=ustack,vnl=%s", argv[1]) < 0)
		return 1;
	struct ioth *st = ioth_newstackc(sc);
	free(sc);
	if (st == NULL)
		return die("newstackc");
	int rv = ioth_config(st, argv[2]);
	printf("config rv=%d\n", rv);
	struct ifaddrs *ifa;
	if (ioth_getifaddrs(st, &ifa) == 0) {
		for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
			char a[INET6_ADDRSTRLEN];
			if (p->ifa_addr && p->ifa_addr->sa_family == af && strcmp(p->ifa_name, "lo") != 0) {
				void *x = af == AF_INET ? (void *) &((struct sockaddr_in *) p->ifa_addr)->sin_addr :
					(void *) &((struct sockaddr_in6 *) p->ifa_addr)->sin6_addr;
				if (af == AF_INET6 && IN6_IS_ADDR_LINKLOCAL((struct in6_addr *) x))
					continue;
				printf("addr %s\n", inet_ntop(af, x, a, sizeof(a)));
			}
		}
		ioth_freeifaddrs(ifa);
	}
	char *rc = ioth_resolvconf(st, NULL);
	if (rc == NULL)
		return die("resolvconf");
	printf("resolvconf %s", rc);
	struct iothdns *dns = iothdns_init_strcfg(st, rc);
	if (dns == NULL)
		return die("iothdns_init");
	uint8_t peeraddr[16];
	/* a new IPv6 address is tentative for about a second (DAD): until then
	 * the query leaves from the link-local address, which the name server
	 * may refuse; try again for a few seconds */
	int n = -1;
	for (int i = 0; i < 10 && n <= 0; i++) {
		if (i > 0) {
			struct timespec ts = {0, 500000000};
			nanosleep(&ts, NULL);
		}
		n = af == AF_INET ? iothdns_lookup_a(dns, peer, (struct in_addr *) peeraddr, 1) :
			iothdns_lookup_aaaa(dns, peer, (struct in6_addr *) peeraddr, 1);
	}
	if (n <= 0)
		return die("lookup of the peer");
	char pa[INET6_ADDRSTRLEN];
	printf("peer %s\n", inet_ntop(af, peeraddr, pa, sizeof(pa)));
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	if (af == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *) &ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(7000);
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *) &ss;
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(7000);
		sl = sizeof(*s);
	}
	int fd = ioth_msocket(st, af, SOCK_STREAM, 0);
	char line[256];
	if (listening) {
		int one = 1;
		ioth_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ioth_bind(fd, (struct sockaddr *) &ss, sl) < 0 || ioth_listen(fd, 1) < 0)
			return die("listen");
		printf("listening\n");
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 30000) <= 0)
			return die("no connection");
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		int c = ioth_accept(fd, (struct sockaddr *) &from, &fl);
		if (c < 0)
			return die("accept");
		const void *fa = af == AF_INET ? (void *) &((struct sockaddr_in *) &from)->sin_addr :
			(void *) &((struct sockaddr_in6 *) &from)->sin6_addr;
		char fs[INET6_ADDRSTRLEN];
		printf("from %s\n", inet_ntop(af, fa, fs, sizeof(fs)));
		if (memcmp(fa, peeraddr, af == AF_INET ? 4 : 16) != 0) {
			printf("error the connection is not from %s\n", peer);
			return 1;
		}
		if (readline(c, line, sizeof(line), 10000) < 0)
			return die("read");
		printf("got %s\n", line);
		char reply[300];
		int k = snprintf(reply, sizeof(reply), "hello %s\n", line);
		ioth_write(c, reply, k);
		ioth_shutdown(c, SHUT_WR);
		readline(c, line, sizeof(line), 2000);
		ioth_close(c);
	} else {
		if (argc < 7)
			return 2;
		memcpy(af == AF_INET ? (void *) &((struct sockaddr_in *) &ss)->sin_addr :
				(void *) &((struct sockaddr_in6 *) &ss)->sin6_addr, peeraddr, af == AF_INET ? 4 : 16);
		int ok = -1;
		for (int i = 0; i < 20 && ok < 0; i++) {   /* the peer may not listen yet */
			ok = ioth_connect(fd, (struct sockaddr *) &ss, sl);
			if (ok < 0) {
				ioth_close(fd);
				fd = ioth_msocket(st, af, SOCK_STREAM, 0);
				struct timespec ts = {0, 500000000};
				nanosleep(&ts, NULL);
			}
		}
		if (ok < 0)
			return die("connect");
		char msg[300];
		int k = snprintf(msg, sizeof(msg), "%s\n", argv[6]);
		ioth_write(fd, msg, k);
		if (readline(fd, line, sizeof(line), 10000) < 0)
			return die("read");
		printf("got %s\n", line);
		char want[300];
		snprintf(want, sizeof(want), "hello %s", argv[6]);
		if (strcmp(line, want) != 0)
			return 1;
	}
	ioth_close(fd);
	iothdns_fini(dns);
	free(rc);
	ioth_delstack(st);
	return 0;
}
