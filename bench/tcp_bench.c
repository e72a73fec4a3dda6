/* SPDX-License-Identifier: LGPL-2.1-or-later
 * tcp_bench: TCP bulk throughput and connection rate, with the references
 * measured in the same run (machines are shared: read the ratios).
 *
 *   tcp_bench [SECONDS]     (default 2 s per figure)
 *   TCP_BENCH_ONLY=lo|rate tcp_bench ...   only ustack over its lo, or
 *                           only ustack's connection rate (for a profiler)
 *
 * 1. bulk, one direction, 64 KiB writes: the host kernel over its own
 *    loopback; two ustack stacks on one embedded VDE switch at MTU 1500
 *    and at MTU 9000 (libvdeplug's switch drops frames above VDE_MAXMTU
 *    9216 + 18 bytes: 64 KiB frames do not cross it); one ustack over its lo; two vdestack stacks on the
 *    same switch (the reference of the switch figures);
 * 2. connect + 100-byte request + 100-byte reply + close, one client
 *    thread, per second: two ustack stacks and two vdestack stacks on the
 *    switch.
 * Every loop is bounded in time; a figure that cannot run (vdestack needs
 * root for its namespaces) is reported as such. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <ioth.h>
#include "vdeswitch.h"

static double secs = 2.0;

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The same code drives the kernel (st == NULL) and ioth stacks. */
static int x_socket(struct ioth *st, int type) {
	return st ? ioth_msocket(st, AF_INET, type, 0) : socket(AF_INET, type, 0);
}
#define X(st, f, ...) ((st) ? ioth_##f(__VA_ARGS__) : f(__VA_ARGS__))

struct sink {
	struct ioth *st;
	int lfd;
	atomic_long bytes;
	int conns;       /* 0: one bulk connection; n: serve n request/reply */
};

static void *bulk_sink(void *arg) {
	struct sink *k = arg;
	int fd = X(k->st, accept, k->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	static __thread char buf[1 << 16];
	ssize_t n;
	while ((n = X(k->st, recv, fd, buf, sizeof(buf), 0)) > 0)
		atomic_fetch_add(&k->bytes, n);
	X(k->st, close, fd);
	return NULL;
}

static int listen_on(struct ioth *st, const char *addr, int port) {
	int l = x_socket(st, SOCK_STREAM);
	int one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	inet_pton(AF_INET, addr, &a.sin_addr);
	X(st, setsockopt, l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || X(st, bind, l, (struct sockaddr *) &a, sizeof(a)) < 0 || X(st, listen, l, 64) < 0)
		return -1;
	return l;
}

static int connect_to(struct ioth *st, const char *addr, int port) {
	int fd = x_socket(st, SOCK_STREAM);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	inet_pton(AF_INET, addr, &a.sin_addr);
	if (fd < 0 || X(st, connect, fd, (struct sockaddr *) &a, sizeof(a)) < 0) {
		if (fd >= 0)
			X(st, close, fd);
		return -1;
	}
	return fd;
}

/* Gbit/s from client stack c to server stack s (may be the same). */
static double bulk(struct ioth *c, struct ioth *s, const char *addr, int port) {
	struct sink k = {.st = s};
	k.lfd = listen_on(s, addr, port);
	if (k.lfd < 0)
		return -1;
	pthread_t t;
	pthread_create(&t, NULL, bulk_sink, &k);
	int fd = connect_to(c, addr, port);
	if (fd < 0) {
		X(s, close, k.lfd);
		pthread_cancel(t);
		pthread_join(t, NULL);
		return -1;
	}
	static char buf[1 << 16];
	memset(buf, 'x', sizeof(buf));
	/* warm up (slow start), then measure what the receiver got */
	double t0 = now();
	while (now() - t0 < 0.2)
		X(c, send, fd, buf, sizeof(buf), MSG_NOSIGNAL);
	long b0 = atomic_load(&k.bytes);
	t0 = now();
	double t1;
	while ((t1 = now()) - t0 < secs)
		if (X(c, send, fd, buf, sizeof(buf), MSG_NOSIGNAL) < 0)
			break;
	long b1 = atomic_load(&k.bytes);
	X(c, close, fd);
	pthread_join(t, NULL);
	X(s, close, k.lfd);
	return (b1 - b0) * 8.0 / (t1 - t0) / 1e9;
}

struct rr_server {
	struct ioth *st;
	int lfd;
	atomic_int stop;
};

static void *rr_serve(void *arg) {
	struct rr_server *r = arg;
	char buf[128];
	while (!atomic_load(&r->stop)) {
		struct pollfd pfd = {r->lfd, POLLIN, 0};
		if (poll(&pfd, 1, 100) != 1)
			continue;
		int fd = X(r->st, accept, r->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		size_t got = 0;
		ssize_t n;
		while (got < 100 && (n = X(r->st, recv, fd, buf, sizeof(buf), 0)) > 0)
			got += (size_t) n;
		memset(buf, 'r', 100);
		X(r->st, send, fd, buf, 100, MSG_NOSIGNAL);
		X(r->st, close, fd);
	}
	return NULL;
}

/* connect + request + reply + close per second */
static double conn_rate(struct ioth *c, struct ioth *s, const char *addr, int port) {
	struct rr_server r = {.st = s};
	r.lfd = listen_on(s, addr, port);
	if (r.lfd < 0)
		return -1;
	pthread_t t;
	pthread_create(&t, NULL, rr_serve, &r);
	char buf[128];
	memset(buf, 'q', sizeof(buf));
	long done = 0;
	double t0 = now(), t1;
	while ((t1 = now()) - t0 < secs && done < 200000) {
		int fd = connect_to(c, addr, port);
		if (fd < 0)
			break;
		X(c, send, fd, buf, 100, MSG_NOSIGNAL);
		size_t got = 0;
		ssize_t n;
		while ((n = X(c, recv, fd, buf, sizeof(buf), 0)) > 0)
			got += (size_t) n;
		X(c, close, fd);
		if (got == 100)
			done++;
	}
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	X(s, close, r.lfd);
	return done / (t1 - t0);
}

static struct ioth *stack_on(const char *kind, const char *vnl, const char *ip) {
	struct ioth *st = ioth_newstack(kind, vnl);
	if (st == NULL)
		return NULL;
	struct in_addr a;
	inet_pton(AF_INET, ip, &a);
	int ifi = ioth_if_nametoindex(st, "vde0");
	if (ifi <= 0 || ioth_linksetupdown(st, ifi, 1) < 0 || ioth_ipaddr_add(st, AF_INET, &a, 24, ifi) < 0) {
		ioth_delstack(st);
		return NULL;
	}
	return st;
}

struct pair {
	const char *name, *kind;
	struct ioth *a, *b;
	double bulk, rate;
};

static void report(const char *what, double v, double ref, const char *refname, const char *unit) {
	if (v < 0) {
		printf("%-52s  not measured\n", what);
		return;
	}
	if (ref > 0)
		printf("%-52s %9.2f %s  (%.2fx %s)\n", what, v, unit, v / ref, refname);
	else
		printf("%-52s %9.2f %s\n", what, v, unit);
}

int main(int argc, char *argv[]) {
	if (argc > 1)
		secs = atof(argv[1]) > 0 ? atof(argv[1]) : secs;
	signal(SIGPIPE, SIG_IGN);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	if (sw == NULL) {
		perror("switch");
		return 1;
	}
	const char *vnl = vdeswitch_vnl(sw);
	const char *only = getenv("TCP_BENCH_ONLY");
	if (only && strcmp(only, "lo") == 0) {
		struct ioth *st = ioth_newstack("ustack", NULL);
		report("ustack lo (one stack)", st ? bulk(st, st, "127.0.0.1", 7001) : -1, 0, "", "Gbit/s");
		if (st)
			ioth_delstack(st);
		vdeswitch_stop(sw);
		return 0;
	}
	if (only && strcmp(only, "rate") == 0) {
		struct ioth *a = stack_on("ustack", vnl, "198.18.0.1");
		struct ioth *b = a ? stack_on("ustack", vnl, "198.18.0.2") : NULL;
		if (b) {
			usleep(300000);
			report("ustack connections", conn_rate(a, b, "198.18.0.2", 7003), 0, "", "per s");
		}
		if (a)
			ioth_delstack(a);
		if (b)
			ioth_delstack(b);
		vdeswitch_stop(sw);
		return 0;
	}
	struct pair pairs[] = {
		{.name = "ustack, MTU 1500", .kind = "ustack"},
		{.name = "ustack, MTU 9000", .kind = "ustack,mtu=9000"},
		{.name = "vdestack", .kind = "vdestack"},
	};
	int np = sizeof(pairs) / sizeof(pairs[0]);
	double klo = bulk(NULL, NULL, "127.0.0.1", 47001);
	struct ioth *lo = ioth_newstack("ustack", NULL);
	double ulo = lo ? bulk(lo, lo, "127.0.0.1", 7001) : -1;
	for (int i = 0; i < np; i++) {
		pairs[i].bulk = pairs[i].rate = -1;
		/* one pair at a time on the switch */
		pairs[i].a = stack_on(pairs[i].kind, vnl, "198.18.0.1");
		pairs[i].b = pairs[i].a ? stack_on(pairs[i].kind, vnl, "198.18.0.2") : NULL;
		if (pairs[i].a && pairs[i].b) {
			usleep(300000);
			pairs[i].bulk = bulk(pairs[i].a, pairs[i].b, "198.18.0.2", 7002);
			if (i != 1)
				pairs[i].rate = conn_rate(pairs[i].a, pairs[i].b, "198.18.0.2", 7003);
		} else
			printf("(%s: cannot create two stacks: %s)\n", pairs[i].kind, strerror(errno));
		if (pairs[i].a)
			ioth_delstack(pairs[i].a);
		if (pairs[i].b)
			ioth_delstack(pairs[i].b);
	}
	double vde = pairs[2].bulk;
	printf("TCP bulk, one connection, 64 KiB writes, %.0f s each:\n", secs);
	report("  kernel loopback (host)", klo, 0, "", "Gbit/s");
	report("  ustack lo (one stack)", ulo, klo, "kernel loopback", "Gbit/s");
	report("  two ustack stacks on one switch, MTU 1500", pairs[0].bulk, vde, "vdestack", "Gbit/s");
	report("  two ustack stacks on one switch, MTU 9000", pairs[1].bulk, klo, "kernel loopback", "Gbit/s");
	report("  two vdestack stacks on one switch (MTU 1500)", vde, 0, "", "Gbit/s");
	printf("connect + 100-byte request + 100-byte reply + close, one client:\n");
	report("  two ustack stacks on one switch", pairs[0].rate, pairs[2].rate, "vdestack", "per s");
	report("  two vdestack stacks on one switch", pairs[2].rate, 0, "", "per s");
	if (lo)
		ioth_delstack(lo);
	vdeswitch_stop(sw);
	return 0;
}
