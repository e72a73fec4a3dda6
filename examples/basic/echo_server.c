/* SPDX-License-Identifier: LGPL-2.1-or-later
 * echo_server: a TCP echo server on a stack of its own, a thread per
 * connection.
 *
 *   echo_server STACK VNL [MYADDR/PREFIX [PORT]]     (198.18.0.1/24, port 5000) */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ioth.h>

static void *serve(void *arg) {
	int fd = (int) (intptr_t) arg;
	char buf[4096];
	ssize_t n;
	printf("connection %d opened\n", fd);
	while ((n = ioth_recv(fd, buf, sizeof(buf), 0)) > 0) {
		printf("connection %d: echo %zd bytes\n", fd, n);
		for (ssize_t off = 0; off < n;) {
			ssize_t w = ioth_send(fd, buf + off, (size_t) (n - off), 0);
			if (w <= 0)
				goto out;
			off += w;
		}
	}
out:
	printf("connection %d closed\n", fd);
	ioth_close(fd);
	return NULL;
}

int main(int argc, char *argv[]) {
	if (argc < 3) {
		fprintf(stderr, "usage: %s STACK VNL [MYADDR/PREFIX [PORT]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	char myaddr[64];
	snprintf(myaddr, sizeof(myaddr), "%s", argc > 3 ? argv[3] : "198.18.0.1/24");
	int port = argc > 4 ? atoi(argv[4]) : 5000;
	char *slash = strchr(myaddr, '/');
	int prefix = slash ? atoi(slash + 1) : 24;
	if (slash)
		*slash = '\0';
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (inet_pton(AF_INET, myaddr, &me.sin_addr) != 1) {
		fprintf(stderr, "%s: bad address %s\n", argv[0], myaddr);
		return 2;
	}
	struct ioth *stack = ioth_newstack(argv[1], argv[2]);
	if (stack == NULL) {
		perror("ioth_newstack");
		return 1;
	}
	int ifindex = ioth_if_nametoindex(stack, "vde0");
	if (ifindex <= 0 || ioth_linksetupdown(stack, ifindex, 1) < 0 ||
			ioth_ipaddr_add(stack, AF_INET, &me.sin_addr, prefix, ifindex) < 0) {
		perror("configuring vde0");
		return 1;
	}
	int lfd = ioth_msocket(stack, AF_INET, SOCK_STREAM, 0);
	int one = 1;
	ioth_setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || ioth_bind(lfd, (struct sockaddr *) &me, sizeof(me)) < 0 ||
			ioth_listen(lfd, 16) < 0) {
		perror("socket/bind/listen");
		return 1;
	}
	printf("echo server on %s:%d\n", myaddr, port);
	for (;;) {
		int fd = ioth_accept(lfd, NULL, NULL);
		if (fd < 0) {
			perror("ioth_accept");
			return 1;
		}
		pthread_t t;
		if (pthread_create(&t, NULL, serve, (void *) (intptr_t) fd) != 0) {
			ioth_close(fd);
			continue;
		}
		pthread_detach(t);
	}
}
