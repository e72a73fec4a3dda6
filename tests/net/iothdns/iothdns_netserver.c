/* SPDX-License-Identifier: LGPL-2.1-or-later
 * iothdns_netserver: a small DNS server built on the server functions of
 * libiothdns, on any stack, for the network tests (dig asks it, dnsmasq
 * forwards to it).
 *
 *   iothdns_netserver [-s STACK -v VNL -4 CIDR -6 CIDR] [-p PORT] [-t SECONDS]
 *
 * Zone: www.srv.test A 198.18.0.53 and AAAA fd00::53; big.srv.test 40
 * TXT records (over 1232 bytes: truncated over UDP); fail.test and names
 * below it SERVFAIL; everything else NXDOMAIN. Exits after SECONDS
 * (default 60) or on SIGTERM. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <iothdns.h>
#include "netstack.h"

static volatile sig_atomic_t done;

static void on_term(int sig) {
	(void) sig;
	done = 1;
}

static int ends_with(const char *name, const char *suffix) {
	size_t n = strlen(name), s = strlen(suffix);
	return n == s ? strcasecmp(name, suffix) == 0 :
		n > s && name[n - s - 1] == '.' && strcasecmp(name + n - s, suffix) == 0;
}

static struct iothdns_pkt *zone(struct iothdns_header *h, void *arg) {
	(void) arg;
	struct iothdns_header r = *h;
	uint16_t base = IOTHDNS_RESPONSE | IOTHDNS_AA | (h->flags & IOTHDNS_RD);
	struct iothdns_pkt *p;
	if (ends_with(h->qname, "fail.test")) {
		r.flags = base | IOTHDNS_RCODE_EFAIL;
		return iothdns_put_header(&r);
	}
	if (strcasecmp(h->qname, "www.srv.test") == 0) {
		r.flags = base;
		p = iothdns_put_header(&r);
		if (h->qtype == IOTHDNS_TYPE_A || h->qtype == IOTHDNS_TYPE_ANY) {
			uint8_t a[4] = {198, 18, 0, 53};
			struct iothdns_rr rr = {h->qname, IOTHDNS_TYPE_A, IOTHDNS_CLASS_IN, 300, 0};
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_a(p, a);
		}
		if (h->qtype == IOTHDNS_TYPE_AAAA || h->qtype == IOTHDNS_TYPE_ANY) {
			struct in6_addr a6;
			inet_pton(AF_INET6, "fd00::53", &a6);
			struct iothdns_rr rr = {h->qname, IOTHDNS_TYPE_AAAA, IOTHDNS_CLASS_IN, 300, 0};
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_aaaa(p, &a6);
		}
		return p;
	}
	if (strcasecmp(h->qname, "big.srv.test") == 0) {
		r.flags = base;
		p = iothdns_put_header(&r);
		if (h->qtype == IOTHDNS_TYPE_TXT)
			for (int i = 0; i < 40; i++) {
				char s[64];
				snprintf(s, sizeof(s), "line %02d of a reply that does not fit in 1232 bytes", i);
				struct iothdns_rr rr = {h->qname, IOTHDNS_TYPE_TXT, IOTHDNS_CLASS_IN, 300, 0};
				iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
				iothdns_put_string(p, s);
			}
		return p;
	}
	r.flags = base | IOTHDNS_RCODE_ENOENT;
	return iothdns_put_header(&r);
}

static int open_socket(struct ioth *stack, int af, int type, int port) {
	int fd = ioth_msocket(stack, af, type, 0);
	int one = 1;
	if (fd < 0)
		return -1;
	ioth_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (af == AF_INET6) {
		ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
		if (ioth_bind(fd, (struct sockaddr *) &sin6, sizeof(sin6)) < 0)
			goto err;
	} else {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
		if (ioth_bind(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0)
			goto err;
	}
	if (type == SOCK_STREAM && ioth_listen(fd, 16) < 0)
		goto err;
	return fd;
err:
	fprintf(stderr, "iothdns_netserver: bind/listen %s port %d: %s\n",
			af == AF_INET ? "IPv4" : "IPv6", port, strerror(errno));
	ioth_close(fd);
	return -1;
}

int main(int argc, char *argv[]) {
	const char *stackname = "kernel", *vnl = NULL, *c4 = NULL, *c6 = NULL;
	int port = 53, seconds = 60, opt;
	struct ioth *stack;
	ioth_set_license("LGPL-2.1-or-later");
	while ((opt = getopt(argc, argv, "s:v:4:6:p:t:")) != -1) {
		switch (opt) {
			case 's': stackname = optarg; break;
			case 'v': vnl = optarg; break;
			case '4': c4 = optarg; break;
			case '6': c6 = optarg; break;
			case 'p': port = atoi(optarg); break;
			case 't': seconds = atoi(optarg); break;
			default:
				fprintf(stderr, "usage: iothdns_netserver [-s STACK -v VNL -4 CIDR -6 CIDR] [-p PORT] [-t SECONDS]\n");
				return 2;
		}
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (netstack_open(stackname, vnl, c4, c6, &stack) < 0)
		return 1;
	int fds[4] = {
		open_socket(stack, AF_INET, SOCK_DGRAM, port), open_socket(stack, AF_INET, SOCK_STREAM, port),
		open_socket(stack, AF_INET6, SOCK_DGRAM, port), open_socket(stack, AF_INET6, SOCK_STREAM, port),
	};
	if (fds[0] < 0 || fds[1] < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	time_t end = time(NULL) + seconds;
	while (!done && time(NULL) < end) {
		struct pollfd pfd[4];
		int n = 0;
		for (int i = 0; i < 4; i++)
			pfd[n++] = (struct pollfd) {fds[i], POLLIN, 0};
		if (poll(pfd, n, 200) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (i % 2 == 0)
				iothdns_udp_process_request(pfd[i].fd, zone, NULL);
			else {
				int conn = ioth_accept(pfd[i].fd, NULL, NULL);
				if (conn < 0)
					continue;
				while (iothdns_tcp_process_request(conn, zone, NULL) > 0)
					;
				ioth_close(conn);
			}
		}
	}
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			ioth_close(fds[i]);
	netstack_close(stack);
	return 0;
}
