/* SPDX-License-Identifier: LGPL-2.1-or-later
 * echo_client: a terminal client for echo_server. What you type goes to
 * the server, what the server sends comes to the terminal: one poll(2) on
 * stdin and on the ioth socket, which is a real file descriptor.
 *
 *   echo_client STACK VNL [MYADDR/PREFIX [SERVER [PORT]]]
 *                                      (198.18.0.2/24 -> 198.18.0.1:5000) */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ioth.h>

int main(int argc, char *argv[]) {
	if (argc < 3) {
		fprintf(stderr, "usage: %s STACK VNL [MYADDR/PREFIX [SERVER [PORT]]]\n", argv[0]);
		return 2;
	}
	char myaddr[64];
	snprintf(myaddr, sizeof(myaddr), "%s", argc > 3 ? argv[3] : "198.18.0.2/24");
	const char *server = argc > 4 ? argv[4] : "198.18.0.1";
	int port = argc > 5 ? atoi(argv[5]) : 5000;
	char *slash = strchr(myaddr, '/');
	int prefix = slash ? atoi(slash + 1) : 24;
	if (slash)
		*slash = '\0';
	struct in_addr addr;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (inet_pton(AF_INET, myaddr, &addr) != 1 || inet_pton(AF_INET, server, &to.sin_addr) != 1) {
		fprintf(stderr, "%s: bad address\n", argv[0]);
		return 2;
	}
	struct ioth *stack = ioth_newstack(argv[1], argv[2]);
	if (stack == NULL) {
		perror("ioth_newstack");
		return 1;
	}
	int ifindex = ioth_if_nametoindex(stack, "vde0");
	if (ifindex <= 0 || ioth_linksetupdown(stack, ifindex, 1) < 0 ||
			ioth_ipaddr_add(stack, AF_INET, &addr, prefix, ifindex) < 0) {
		perror("configuring vde0");
		return 1;
	}
	int fd = ioth_msocket(stack, AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || ioth_connect(fd, (struct sockaddr *) &to, sizeof(to)) < 0) {
		perror("connect");
		return 1;
	}
	struct pollfd pfd[] = {{STDIN_FILENO, POLLIN, 0}, {fd, POLLIN, 0}};
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			perror("poll");
			return 1;
		}
		char buf[4096];
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				/* End of input: tell the server, keep reading its answers. */
				ioth_shutdown(fd, SHUT_WR);
				pfd[0].fd = -1;
			} else if (ioth_send(fd, buf, (size_t) n, 0) < 0) {
				perror("send");
				return 1;
			}
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
			if (n <= 0)
				break;
			if (write(STDOUT_FILENO, buf, (size_t) n) < 0)
				return 1;
		}
	}
	ioth_close(fd);
	ioth_delstack(stack);
	return 0;
}
