/* SPDX-License-Identifier: LGPL-2.1-or-later
 * stack_bench: what two stacks on one VDE switch cost, with every reference
 * measured in the same run.
 *
 *   stack_bench [STACK...]      (default: ustack vdestack)
 *
 * 1. the switch's raw ceiling: two plain libvdeplug endpoints pushing
 *    1514-byte frames through the embedded switch, no stack;
 * 2. per stack: UDP round trip (median, p99) and one-way UDP datagrams
 *    per second between two stacks of that kind on the switch;
 * 3. per stack: stacks per process: create N stacks (link up, an address),
 *    time per stack and resident memory per stack; on `null://` (what a
 *    stack costs by itself) and on the shared switch (where each new stack's
 *    announcements - gratuitous ARP, DAD, MLD - are flooded to every other
 *    stack: that cost grows with the number of stacks on one segment).
 * Every loop is bounded in count and time. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ioth.h>
#include <libvdeplug.h>
#include "vdeswitch.h"

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- raw ceiling */

struct raw_rx {
	VDECONN *conn;
	atomic_long frames;
	atomic_int stop;
};

static void *raw_receiver(void *arg) {
	struct raw_rx *rx = arg;
	char buf[VDE_ETHBUFSIZE];
	struct pollfd pfd = {vde_datafd(rx->conn), POLLIN, 0};
	while (!atomic_load(&rx->stop)) {
		if (poll(&pfd, 1, 100) == 1 && vde_recv(rx->conn, buf, sizeof(buf), 0) > 0)
			atomic_fetch_add(&rx->frames, 1);
	}
	return NULL;
}

static void bench_raw(const char *vnl) {
	VDECONN *tx = vde_open((char *) vnl, "bench-tx", NULL);
	struct raw_rx rx = {.conn = vde_open((char *) vnl, "bench-rx", NULL)};
	if (tx == NULL || rx.conn == NULL) {
		printf("raw ceiling: cannot open endpoints: %s\n", strerror(errno));
		return;
	}
	unsigned char frame[1514] = {0};
	memset(frame, 0xff, 6); /* broadcast: the switch floods it to rx */
	frame[6] = 0x02;
	frame[12] = 0x88;
	frame[13] = 0xb5; /* local experimental ethertype */
	pthread_t t;
	pthread_create(&t, NULL, raw_receiver, &rx);
	usleep(100000);
	/* Pace nothing: push for 2 s or 2M frames; what arrives is the ceiling. */
	double t0 = now(), t1;
	long sent = 0;
	while ((t1 = now()) - t0 < 2.0 && sent < 2000000) {
		if (vde_send(tx, frame, sizeof(frame), 0) > 0)
			sent++;
	}
	usleep(200000);
	atomic_store(&rx.stop, 1);
	pthread_join(t, NULL);
	long got = atomic_load(&rx.frames);
	printf("raw ceiling (2 libvdeplug endpoints, 1514-byte frames): %.2f Gbit/s received "
			"(%ld of %ld frames)\n", got * 1514.0 * 8 / (t1 - t0) / 1e9, got, sent);
	vde_close(tx);
	vde_close(rx.conn);
}

/* ---------------------------------------------------------------- UDP */

struct pair {
	struct ioth *a, *b;
	struct sockaddr_in aa, ba;
};

static int config(struct ioth *st, const char *ip) {
	struct in_addr a;
	inet_pton(AF_INET, ip, &a);
	int ifi = ioth_if_nametoindex(st, "vde0");
	if (ifi <= 0 || ioth_linksetupdown(st, ifi, 1) < 0 || ioth_ipaddr_add(st, AF_INET, &a, 16, ifi) < 0)
		return -1;
	return 0;
}

static int pair_new(struct pair *p, const char *stack, const char *vnl) {
	p->a = ioth_newstack(stack, vnl);
	p->b = ioth_newstack(stack, vnl);
	if (!p->a || !p->b || config(p->a, "198.18.0.1") < 0 || config(p->b, "198.18.0.2") < 0)
		return -1;
	p->aa = (struct sockaddr_in) {.sin_family = AF_INET, .sin_port = htons(7000)};
	p->ba = (struct sockaddr_in) {.sin_family = AF_INET, .sin_port = htons(7001)};
	inet_pton(AF_INET, "198.18.0.1", &p->aa.sin_addr);
	inet_pton(AF_INET, "198.18.0.2", &p->ba.sin_addr);
	return 0;
}

struct echo {
	int fd;
	atomic_int stop;
};

static void *udp_echo(void *arg) {
	struct echo *e = arg;
	char buf[2048];
	struct sockaddr_in from;
	while (!atomic_load(&e->stop)) {
		struct pollfd pfd = {e->fd, POLLIN, 0};
		if (poll(&pfd, 1, 100) != 1)
			continue;
		socklen_t len = sizeof(from);
		ssize_t n = ioth_recvfrom(e->fd, buf, sizeof(buf), 0, (struct sockaddr *) &from, &len);
		if (n > 0)
			ioth_sendto(e->fd, buf, (size_t) n, 0, (struct sockaddr *) &from, len);
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b) {
	double x = *(const double *) a, y = *(const double *) b;
	return (x > y) - (x < y);
}

#define RTT_ROUNDS 2000

static void bench_udp(const char *stack, const char *vnl) {
	struct pair p;
	if (pair_new(&p, stack, vnl) < 0) {
		printf("%-9s: cannot create two configured stacks: %s\n", stack, strerror(errno));
		return;
	}
	int fa = ioth_msocket(p.a, AF_INET, SOCK_DGRAM, 0);
	struct echo e = {.fd = ioth_msocket(p.b, AF_INET, SOCK_DGRAM, 0)};
	ioth_bind(fa, (struct sockaddr *) &p.aa, sizeof(p.aa));
	ioth_bind(e.fd, (struct sockaddr *) &p.ba, sizeof(p.ba));
	pthread_t t;
	pthread_create(&t, NULL, udp_echo, &e);
	char msg[64] = "ping", buf[2048];
	static double rtt[RTT_ROUNDS];
	int n = 0, lost = 0;
	double deadline = now() + 10;
	for (int i = 0; i < RTT_ROUNDS + 20 && now() < deadline; i++) {
		double t0 = now();
		ioth_sendto(fa, msg, sizeof(msg), 0, (struct sockaddr *) &p.ba, sizeof(p.ba));
		struct pollfd pfd = {fa, POLLIN, 0};
		if (poll(&pfd, 1, 1000) != 1 || ioth_recv(fa, buf, sizeof(buf), 0) <= 0) {
			lost++;
			continue;
		}
		if (i >= 20) /* the first rounds include ARP */
			rtt[n++] = (now() - t0) * 1e6;
	}
	qsort(rtt, (size_t) n, sizeof(double), cmp_double);
	if (n > 0)
		printf("%-9s: UDP round trip, 64 bytes: median %.1f us, p99 %.1f us (%d rounds, %d lost)\n",
				stack, rtt[n / 2], rtt[n * 99 / 100], n, lost);

	/* One way: a - > b's echo socket is busy echoing: use a fresh port. */
	atomic_store(&e.stop, 1);
	pthread_join(t, NULL);
	int sink = e.fd;
	long got = 0, sent = 0;
	int fl = ioth_fcntl(sink, F_GETFL, 0);
	ioth_fcntl(sink, F_SETFL, fl | O_NONBLOCK);
	double t0 = now(), t1 = t0;
	while ((t1 = now()) - t0 < 2.0 && sent < 2000000) {
		if (ioth_sendto(fa, msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *) &p.ba, sizeof(p.ba)) > 0)
			sent++;
		while (ioth_recv(sink, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			got++;
	}
	double tend = now() + 0.5;
	while (now() < tend)
		if (ioth_recv(sink, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			got++;
	printf("%-9s: UDP one way, 64-byte datagrams, sender and receiver in one thread: %.0f "
			"received/s (%ld of %ld)\n", stack, got / (t1 - t0), got, sent);
	ioth_close(fa);
	ioth_close(e.fd);
	ioth_delstack(p.a);
	ioth_delstack(p.b);
}

/* ---------------------------------------------------------------- many stacks */

static long rss_kib(void) {
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void bench_many(const char *stack, const char *vnl, int count) {
	struct ioth **st = calloc((size_t) count, sizeof(*st));
	long rss0 = rss_kib();
	double t0 = now();
	int made = 0;
	for (; made < count && now() - t0 < 120; made++) {
		st[made] = ioth_newstack(stack, vnl);
		char ip[32];
		snprintf(ip, sizeof(ip), "198.18.%d.%d", 10 + made / 250, 1 + made % 250);
		if (st[made] == NULL || config(st[made], ip) < 0) {
			printf("%-9s: stack %d failed: %s\n", stack, made, strerror(errno));
			if (st[made])
				made++;
			break;
		}
	}
	double t1 = now();
	long rss1 = rss_kib();
	if (made > 0)
		printf("%-9s: %d stacks on %s (link up, address set): %.3f ms and %ld KiB resident per "
				"stack%s\n", stack, made, strncmp(vnl, "null", 4) == 0 ? "null://" : "one switch",
				(t1 - t0) * 1e3 / made, (rss1 - rss0) / made,
				strcmp(stack, "vdestack") == 0 ? " (plus a process and a namespace each, not counted)" : "");
	for (int i = 0; i < made; i++)
		if (st[i])
			ioth_delstack(st[i]);
	free(st);
}

int main(int argc, char *argv[]) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *defaults[] = {"ustack", "vdestack"};
	const char **stacks = argc > 1 ? (const char **) argv + 1 : defaults;
	int nstacks = argc > 1 ? argc - 1 : 2;
	struct vdeswitch *sw = vdeswitch_start(NULL);
	if (sw == NULL) {
		perror("switch");
		return 1;
	}
	bench_raw(vdeswitch_vnl(sw));
	for (int i = 0; i < nstacks; i++)
		bench_udp(stacks[i], vdeswitch_vnl(sw));
	for (int i = 0; i < nstacks; i++) {
		/* vdestack costs a process and a namespace per stack: a sample. */
		if (strcmp(stacks[i], "vdestack") == 0) {
			bench_many(stacks[i], "null://", 50);
			bench_many(stacks[i], vdeswitch_vnl(sw), 50);
			continue;
		}
		bench_many(stacks[i], "null://", 1000);
		bench_many(stacks[i], "null://", 10000);
		bench_many(stacks[i], vdeswitch_vnl(sw), 1000);
	}
	vdeswitch_stop(sw);
	return 0;
}
