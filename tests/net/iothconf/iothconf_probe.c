/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Test driver for libiothconf on real networks. Commands run in order:
 *   new STACK VNL       ioth_newstack
 *   newc STRING         ioth_newstackc (prints "newc ok" or "newc fail ERRNO")
 *   config STRING       ioth_config: "config rv=N errno=NAME ms=T"
 *   show                links, addresses, routes (showstack.c)
 *   resolv              "resolv NULL errno=N" or the text between
 *                       "resolv begin" and "resolv end" (ioth_resolvconf's
 *                       config from $PROBE_RESOLV, e.g. "iface=tap0")
 *   watch SECS PERIOD   print "tick T" + addresses and routes every PERIOD s
 *   sleep SECS          (the script pings us meanwhile)
 *   udp ADDR PORT MSG   send MSG from a UDP socket of the stack
 *   del                 ioth_delstack: "del rv=N errno=NAME"
 * Log lines of the library are printed as "log LEVEL MESSAGE".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ioth.h>
#include <iothconf.h>
#include "showstack.h"

static long ms_since(const struct timespec *t0) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void on_log(struct ioth *stack, int level, const char *msg, void *arg) {
	(void) stack;
	(void) arg;
	printf("log %d %s\n", level, msg);
	fflush(stdout);
}

static const char *ename(int e) {
	static char buf[32];
	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case ENODEV: return "ENODEV";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EBUSY: return "EBUSY";
	case ECANCELED: return "ECANCELED";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	}
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

static int udp_send(struct ioth *stack, const char *addr, int port, const char *msg) {
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	struct sockaddr_in *s4 = (void *) &ss;
	struct sockaddr_in6 *s6 = (void *) &ss;
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
	} else
		return -1;
	int fd = ioth_msocket(stack, ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	ssize_t n = ioth_sendto(fd, msg, strlen(msg), 0, (struct sockaddr *) &ss, sl);
	ioth_close(fd);
	return n < 0 ? -1 : 0;
}

int main(int argc, char *argv[]) {
	struct ioth *stack = NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	iothconf_set_log(on_log, NULL);
	for (int i = 1; i < argc; i++) {
		const char *cmd = argv[i];
#define ARG() (i + 1 < argc ? argv[++i] : (fprintf(stderr, "%s: missing argument\n", cmd), exit(2), ""))
		if (strcmp(cmd, "new") == 0) {
			const char *s = ARG(), *v = ARG();
			stack = ioth_newstack(s, v);
			if (!stack) {
				printf("new fail %s\n", ename(errno));
				return 1;
			}
			printf("new ok\n");
		} else if (strcmp(cmd, "newc") == 0) {
			const char *s = ARG();
			struct timespec t0;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			stack = ioth_newstackc(s);
			printf("newc %s %s ms=%ld\n", stack ? "ok" : "fail", stack ? "0" : ename(errno), ms_since(&t0));
			if (!stack)
				return 1;
		} else if (strcmp(cmd, "config") == 0) {
			const char *s = ARG();
			struct timespec t0;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			errno = 0;
			int rv = ioth_config(stack, s);
			printf("config rv=%d errno=%s ms=%ld\n", rv, ename(errno), ms_since(&t0));
		} else if (strcmp(cmd, "show") == 0) {
			show_links_addrs(stack, stdout);
			show_routes(stack, stdout);
			printf("show end\n");
		} else if (strcmp(cmd, "resolv") == 0) {
			errno = 0;
			char *rc = ioth_resolvconf(stack, getenv("PROBE_RESOLV"));
			if (rc) {
				printf("resolv begin\n%sresolv end\n", rc);
				free(rc);
			} else
				printf("resolv NULL errno=%s\n", ename(errno));
		} else if (strcmp(cmd, "watch") == 0) {
			int secs = atoi(ARG()), period = atoi(ARG());
			for (int t = 0; t <= secs; t += period) {
				printf("tick %d\n", t);
				show_links_addrs(stack, stdout);
				show_routes(stack, stdout);
				if (t + period <= secs)
					sleep(period);
			}
		} else if (strcmp(cmd, "sleep") == 0) {
			printf("ready\n");
			sleep(atoi(ARG()));
		} else if (strcmp(cmd, "udp") == 0) {
			const char *a = ARG(), *p = ARG(), *m = ARG();
			printf("udp %s\n", udp_send(stack, a, atoi(p), m) == 0 ? "ok" : ename(errno));
		} else if (strcmp(cmd, "del") == 0) {
			struct timespec t0;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			int rv = ioth_delstack(stack);
			printf("del rv=%d errno=%s ms=%ld\n", rv, rv ? ename(errno) : "0", ms_since(&t0));
			stack = NULL;
		} else {
			fprintf(stderr, "unknown command %s\n", cmd);
			return 2;
		}
	}
	if (stack)
		ioth_delstack(stack);
	return 0;
}
