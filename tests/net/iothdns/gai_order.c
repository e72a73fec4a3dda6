/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The order of getaddrinfo's results for NAME, glibc's and iothdns' (on the
 * kernel stack of the namespace it runs in, with the same hosts file):
 * prints both lists, one address a line after "glibc:" and "iothdns:",
 * and exits 0 when they are the same, 1 when not.
 *
 * usage: iothdns_gai_order NAME */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <iothdns.h>

static void text(struct addrinfo *res, char *out, size_t size) {
	size_t len = 0;
	out[0] = 0;
	for (struct addrinfo *p = res; p && len < size; p = p->ai_next) {
		char a[INET6_ADDRSTRLEN] = "?";
		if (p->ai_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *) p->ai_addr)->sin_addr, a, sizeof(a));
		else if (p->ai_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *) p->ai_addr)->sin6_addr, a, sizeof(a));
		len += (size_t) snprintf(out + len, size - len, "%s%s", len ? " " : "", a);
	}
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: %s NAME\n", argv[0]);
		return 2;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
	char mine[1024], theirs[1024];
	int rv = getaddrinfo(argv[1], "80", &hints, &res);
	if (rv != 0) {
		printf("glibc: error %s\n", gai_strerror(rv));
		return 1;
	}
	text(res, theirs, sizeof(theirs));
	freeaddrinfo(res);
	struct iothdns *dns = iothdns_init_strcfg(NULL, "nameserver 127.0.0.1#9\noptions timeout:1 attempts:1");
	if (dns == NULL) {
		perror("iothdns_init_strcfg");
		return 1;
	}
	rv = iothdns_getaddrinfo(dns, argv[1], "80", &hints, &res);
	if (rv != 0) {
		printf("iothdns: error %s\n", gai_strerror(rv));
		return 1;
	}
	text(res, mine, sizeof(mine));
	iothdns_freeaddrinfo(res);
	iothdns_fini(dns);
	printf("glibc: %s\niothdns: %s\n", theirs, mine);
	return strcmp(mine, theirs) == 0 ? 0 : 1;
}
