/* SPDX-License-Identifier: LGPL-2.1-or-later
 * iothdns_netclient: the client side of libiothdns in the network tests,
 * printing results as text for the test script to compare.
 *
 *   iothdns_netclient [-s STACK -v VNL -4 CIDR -6 CIDR] -c RESOLVCONF
 *                     [-H HOSTS] COMMAND ARGS
 *   iothdns_netclient -g COMMAND ARGS     (glibc's functions, host stack)
 *
 * Commands: a NAME, aaaa NAME (iothdns_lookup_a/aaaa), gai NAME [SERVICE]
 * (getaddrinfo over a matrix of families, socket types and flags),
 * gni ADDR PORT (getnameinfo over a set of flags), time-a NAME (lookup_a
 * with its duration in ms). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <iothdns.h>
#include "netstack.h"

static int glibc;
static struct iothdns *dns;

static int gai(const char *node, const char *serv, const struct addrinfo *hints, struct addrinfo **res) {
	return glibc ? getaddrinfo(node, serv, hints, res) : iothdns_getaddrinfo(dns, node, serv, hints, res);
}

static void freeai(struct addrinfo *res) {
	if (glibc)
		freeaddrinfo(res);
	else
		iothdns_freeaddrinfo(res);
}

static int gni(const struct sockaddr *sa, socklen_t sl, char *h, socklen_t hl, char *s, socklen_t svl, int fl) {
	return glibc ? getnameinfo(sa, sl, h, hl, s, svl, fl) : iothdns_getnameinfo(dns, sa, sl, h, hl, s, svl, fl);
}

static void print_ai(struct addrinfo *res) {
	for (struct addrinfo *p = res; p; p = p->ai_next) {
		char a[INET6_ADDRSTRLEN] = "?";
		int port = 0;
		if (p->ai_family == AF_INET) {
			struct sockaddr_in *s = (void *) p->ai_addr;
			inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
			port = ntohs(s->sin_port);
		} else if (p->ai_family == AF_INET6) {
			struct sockaddr_in6 *s = (void *) p->ai_addr;
			inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
			port = ntohs(s->sin6_port);
		}
		printf(" [%d %d %d %s %d %s]", p->ai_family, p->ai_socktype, p->ai_protocol, a, port,
				p->ai_canonname ? p->ai_canonname : "-");
	}
}

static void cmd_gai(const char *node, const char *serv) {
	static const int fams[] = {AF_UNSPEC, AF_INET, AF_INET6};
	static const int types[] = {0, SOCK_STREAM, SOCK_DGRAM};
	static const int bits[] = {AI_CANONNAME, AI_V4MAPPED, AI_ALL, AI_ADDRCONFIG};
	for (int f = 0; f < 3; f++)
		for (int t = 0; t < 3; t++)
			for (int b = 0; b < 16; b++) {
				struct addrinfo hints = {.ai_family = fams[f], .ai_socktype = types[t]}, *res = NULL;
				for (int i = 0; i < 4; i++)
					if (b & (1 << i))
						hints.ai_flags |= bits[i];
				int rv = gai(node, serv, &hints, &res);
				printf("fam=%d type=%d flags=%#x:", fams[f], types[t], hints.ai_flags);
				if (rv == 0) {
					print_ai(res);
					freeai(res);
				} else
					printf(" error %d", rv);
				putchar('\n');
			}
}

static void cmd_gni(const char *addr, int port) {
	static const int flags[] = {0, NI_NUMERICHOST, NI_NAMEREQD, NI_NUMERICSERV | NI_DGRAM, NI_NOFQDN,
		NI_NAMEREQD | NI_NUMERICSERV};
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (void *) &ss;
		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *) &ss;
		s4->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &s4->sin_addr);
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		char h[NI_MAXHOST] = "", s[NI_MAXSERV] = "";
		int rv = gni((struct sockaddr *) &ss, sl, h, sizeof(h), s, sizeof(s), flags[i]);
		if (rv == 0)
			printf("flags=%#x: %s %s\n", flags[i], h, s);
		else
			printf("flags=%#x: error %d\n", flags[i], rv);
	}
}

static void cmd_lookup(int af, const char *name) {
	uint8_t addrs[16][16];
	int rv = af == AF_INET ? iothdns_lookup_a(dns, name, (void *) addrs, 16) :
		iothdns_lookup_aaaa(dns, name, (void *) addrs, 16);
	if (rv < 0) {
		printf("error %s\n", strerrorname_np(errno));
		return;
	}
	printf("count %d\n", rv);
	for (int i = 0; i < rv && i < 16; i++) {
		char s[INET6_ADDRSTRLEN];
		printf("%s\n", inet_ntop(af, af == AF_INET ? (void *) ((uint8_t *) addrs + 4 * i) : addrs[i],
					s, sizeof(s)));
	}
}

static void cmd_time(const char *name) {
	struct timespec t0, t1;
	struct in_addr a;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rv = iothdns_lookup_a(dns, name, &a, 1);
	int err = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	char s[INET_ADDRSTRLEN] = "-";
	if (rv > 0)
		inet_ntop(AF_INET, &a, s, sizeof(s));
	printf("rv %d %s %s ms %ld\n", rv, rv < 0 ? strerrorname_np(err) : "OK", s, ms);
}

static void usage(void) {
	fprintf(stderr, "usage: iothdns_netclient [-g | -s STACK -v VNL [-4 CIDR] [-6 CIDR] -c RESOLVCONF [-H HOSTS]]"
			" a|aaaa|gai|gni|time-a ARGS\n");
	exit(2);
}

int main(int argc, char *argv[]) {
	const char *stackname = "kernel", *vnl = NULL, *c4 = NULL, *c6 = NULL, *conf = NULL, *hosts = NULL;
	int opt;
	struct ioth *stack = NULL;
	ioth_set_license("LGPL-2.1-or-later");
	while ((opt = getopt(argc, argv, "gs:v:4:6:c:H:")) != -1) {
		switch (opt) {
			case 'g': glibc = 1; break;
			case 's': stackname = optarg; break;
			case 'v': vnl = optarg; break;
			case '4': c4 = optarg; break;
			case '6': c6 = optarg; break;
			case 'c': conf = optarg; break;
			case 'H': hosts = optarg; break;
			default: usage();
		}
	}
	if (optind >= argc)
		usage();
	const char *cmd = argv[optind];
	if (!glibc) {
		if (netstack_open(stackname, vnl, c4, c6, &stack) < 0)
			return 1;
		dns = iothdns_init(stack, (char *) conf);
		if (dns == NULL) {
			perror("iothdns_init");
			return 1;
		}
		if (hosts)
			iothdns_setpath(dns, IOTHDNS_HOSTS, (char *) hosts);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "gai") == 0 && optind + 1 < argc)
		cmd_gai(argv[optind + 1], optind + 2 < argc ? argv[optind + 2] : NULL);
	else if (strcmp(cmd, "gni") == 0 && optind + 2 < argc)
		cmd_gni(argv[optind + 1], atoi(argv[optind + 2]));
	else if (!glibc && strcmp(cmd, "a") == 0 && optind + 1 < argc)
		cmd_lookup(AF_INET, argv[optind + 1]);
	else if (!glibc && strcmp(cmd, "aaaa") == 0 && optind + 1 < argc)
		cmd_lookup(AF_INET6, argv[optind + 1]);
	else if (!glibc && strcmp(cmd, "time-a") == 0 && optind + 1 < argc)
		cmd_time(argv[optind + 1]);
	else
		usage();
	if (dns)
		iothdns_fini(dns);
	netstack_close(stack);
	return 0;
}
