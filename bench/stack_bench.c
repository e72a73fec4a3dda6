/* SPDX-License-Identifier: LGPL-2.1-or-later
 * stack_bench: what two stacks on one VDE switch cost, with every reference
 * measured in the same run.
 *
 *   stack_bench [-u] [STACK...]   (default: ustack vdestack; the last one is
 *                                  the reference of the ratios; -u: only 1 and 2)
 *
 * 1. the switch's raw ceiling: two plain libvdeplug endpoints pushing
 *    1514-byte frames through the embedded switch, no stack;
 * 2. per stack: UDP round trip (median, p99), waiting with poll+recv and
 *    with a blocking recv, in blocks interleaved between the stacks, and
 *    one-way UDP datagrams per second between two stacks of that kind on
 *    the switch;
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

/* Pairs live on the switch at the same time: pair n uses 198.18.n.1 and .2 */
static int pair_new(struct pair *p, const char *stack, const char *vnl, int n) {
	char ipa[32], ipb[32];
	snprintf(ipa, sizeof(ipa), "198.18.%d.1", n);
	snprintf(ipb, sizeof(ipb), "198.18.%d.2", n);
	p->a = ioth_newstack(stack, vnl);
	p->b = ioth_newstack(stack, vnl);
	if (!p->a || !p->b || config(p->a, ipa) < 0 || config(p->b, ipb) < 0)
		return -1;
	p->aa = (struct sockaddr_in) {.sin_family = AF_INET, .sin_port = htons(7000)};
	p->ba = (struct sockaddr_in) {.sin_family = AF_INET, .sin_port = htons(7001)};
	inet_pton(AF_INET, ipa, &p->aa.sin_addr);
	inet_pton(AF_INET, ipb, &p->ba.sin_addr);
	return 0;
}

/* The echo side: one thread per measured block. Two ways to wait, both
 * common in programs: poll() on the fd then recv (the readiness path:
 * the fd's events), or a blocking recv (the blocking path: the socket's
 * wait). Each block uses one of them on both sides. */
struct echo {
	int fd;
	int blocking;
	atomic_int stop;
};

static void *udp_echo(void *arg) {
	struct echo *e = arg;
	char buf[2048];
	struct sockaddr_in from;
	while (!atomic_load(&e->stop)) {
		if (!e->blocking) {
			struct pollfd pfd = {e->fd, POLLIN, 0};
			if (poll(&pfd, 1, 100) != 1)
				continue;
		}
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

/* Rounds are interleaved: every block of BLOCK round trips is measured for
 * each stack in turn, BLOCKS times, so that the load of the machine (other
 * programs) falls on every stack alike. */
#define BLOCK 100
#define BLOCKS 20
#define MODES 2

struct udp_run {
	const char *stack;
	struct pair p;
	int fa, fb;
	int ok;
	double rtt[MODES][BLOCK * BLOCKS];
	int n[MODES], lost[MODES];
	double block_median[MODES][BLOCKS];
};

static int udp_setup(struct udp_run *r, const char *stack, const char *vnl, int n) {
	r->stack = stack;
	r->fa = r->fb = -1;
	if (pair_new(&r->p, stack, vnl, n) < 0) {
		printf("%-9s: cannot create two configured stacks: %s\n", stack, strerror(errno));
		return -1;
	}
	r->fa = ioth_msocket(r->p.a, AF_INET, SOCK_DGRAM, 0);
	r->fb = ioth_msocket(r->p.b, AF_INET, SOCK_DGRAM, 0);
	struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
	if (r->fa < 0 || r->fb < 0 ||
			ioth_bind(r->fa, (struct sockaddr *) &r->p.aa, sizeof(r->p.aa)) < 0 ||
			ioth_bind(r->fb, (struct sockaddr *) &r->p.ba, sizeof(r->p.ba)) < 0 ||
			ioth_setsockopt(r->fa, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
			ioth_setsockopt(r->fb, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		printf("%-9s: cannot set up the sockets: %s\n", stack, strerror(errno));
		return -1;
	}
	r->ok = 1;
	return 0;
}

static double median_of(double *v, int n) {
	qsort(v, (size_t) n, sizeof(double), cmp_double);
	return n ? v[n / 2] : 0;
}

/* One block of round trips; warm: rounds not recorded (ARP, caches). */
static void udp_block(struct udp_run *r, int mode, int block, int warm) {
	int first = r->n[mode];
	struct echo e = {.fd = r->fb, .blocking = mode};
	pthread_t t;
	pthread_create(&t, NULL, udp_echo, &e);
	char msg[64] = "ping", buf[2048];
	double deadline = now() + 5;
	for (int i = 0; i < warm + BLOCK && now() < deadline; i++) {
		double t0 = now();
		ioth_sendto(r->fa, msg, sizeof(msg), 0, (struct sockaddr *) &r->p.ba, sizeof(r->p.ba));
		if (!mode) {
			struct pollfd pfd = {r->fa, POLLIN, 0};
			if (poll(&pfd, 1, 100) != 1) {
				r->lost[mode]++;
				continue;
			}
		}
		if (ioth_recv(r->fa, buf, sizeof(buf), 0) <= 0) {
			r->lost[mode]++;
			continue;
		}
		if (i >= warm)
			r->rtt[mode][r->n[mode]++] = (now() - t0) * 1e6;
	}
	double tmp[BLOCK];
	int k = r->n[mode] - first;
	memcpy(tmp, &r->rtt[mode][first], sizeof(double) * (size_t) k);
	r->block_median[mode][block] = median_of(tmp, k);
	atomic_store(&e.stop, 1);
	/* wake the echo thread now (else it waits its 100 ms timeout) */
	ioth_sendto(r->fa, msg, sizeof(msg), 0, (struct sockaddr *) &r->p.ba, sizeof(r->p.ba));
	pthread_join(t, NULL);
	usleep(1000);
	/* a late reply of this block must not be taken for one of the next */
	while (ioth_recv(r->fa, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void udp_oneway(struct udp_run *r) {
	char msg[64] = "ping", buf[2048];
	long got = 0, sent = 0;
	int sink = r->fb;
	int fl = ioth_fcntl(sink, F_GETFL, 0);
	ioth_fcntl(sink, F_SETFL, fl | O_NONBLOCK);
	double t0 = now(), t1 = t0;
	while ((t1 = now()) - t0 < 2.0 && sent < 2000000) {
		if (ioth_sendto(r->fa, msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *) &r->p.ba, sizeof(r->p.ba)) > 0)
			sent++;
		while (ioth_recv(sink, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			got++;
	}
	double tend = now() + 0.5;
	while (now() < tend)
		if (ioth_recv(sink, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			got++;
	printf("%-9s: UDP one way, 64-byte datagrams, sender and receiver in one thread: %.0f "
			"received/s (%ld of %ld)\n", r->stack, got / (t1 - t0), got, sent);
}

static double median(struct udp_run *r, int mode) {
	return r->n[mode] ? r->rtt[mode][r->n[mode] / 2] : 0;
}

static void bench_udp(const char **stacks, int nstacks, const char *vnl) {
	static const char *mode_name[MODES] = {"poll+recv", "blocking recv"};
	struct udp_run *runs = calloc((size_t) nstacks, sizeof(*runs));
	if (runs == NULL)
		return;
	for (int i = 0; i < nstacks; i++)
		udp_setup(&runs[i], stacks[i], vnl, i);
	for (int b = 0; b < BLOCKS; b++)
		for (int mode = 0; mode < MODES; mode++)
			for (int i = 0; i < nstacks; i++)
				if (runs[i].ok)
					udp_block(&runs[i], mode, b, b == 0 ? 20 : 0);
	for (int mode = 0; mode < MODES; mode++)
		for (int i = 0; i < nstacks; i++)
			qsort(runs[i].rtt[mode], (size_t) runs[i].n[mode], sizeof(double), cmp_double);
	for (int mode = 0; mode < MODES; mode++)
		for (int i = 0; i < nstacks; i++) {
			struct udp_run *r = &runs[i];
			if (!r->ok || r->n[mode] == 0)
				continue;
			struct udp_run *ref = &runs[nstacks - 1];
			char ratio[128] = "";
			if (i != nstacks - 1 && ref->ok && ref->n[mode]) {
				/* and block by block: the load of the machine changes
				 * over seconds, a block and its reference share it */
				double br[BLOCKS];
				for (int b = 0; b < BLOCKS; b++)
					br[b] = ref->block_median[mode][b] > 0 ?
							r->block_median[mode][b] / ref->block_median[mode][b] : 0;
				double bmed = median_of(br, BLOCKS);
				snprintf(ratio, sizeof(ratio), ", %.2fx %s; per block %.2fx (%.2f-%.2f)",
						median(r, mode) / median(ref, mode), ref->stack, bmed, br[0], br[BLOCKS - 1]);
			}
			printf("%-9s: UDP round trip, 64 bytes, %s: median %.1f us, p99 %.1f us (%d rounds, %d lost%s)\n",
					r->stack, mode_name[mode], median(r, mode),
					r->rtt[mode][r->n[mode] * 99 / 100], r->n[mode], r->lost[mode], ratio);
		}
	for (int i = 0; i < nstacks; i++) {
		struct udp_run *r = &runs[i];
		if (r->ok)
			udp_oneway(r);
		if (r->fa >= 0)
			ioth_close(r->fa);
		if (r->fb >= 0)
			ioth_close(r->fb);
		if (r->p.a)
			ioth_delstack(r->p.a);
		if (r->p.b)
			ioth_delstack(r->p.b);
	}
	free(runs);
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
	/* -u: the switch's ceiling and the UDP figures only */
	int udp_only = argc > 1 && strcmp(argv[1], "-u") == 0;
	argc -= udp_only;
	argv += udp_only;
	const char **stacks = argc > 1 ? (const char **) argv + 1 : defaults;
	int nstacks = argc > 1 ? argc - 1 : 2;
	struct vdeswitch *sw = vdeswitch_start(NULL);
	if (sw == NULL) {
		perror("switch");
		return 1;
	}
	bench_raw(vdeswitch_vnl(sw));
	bench_udp(stacks, nstacks, vdeswitch_vnl(sw));
	for (int i = 0; i < nstacks && !udp_only; i++) {
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
