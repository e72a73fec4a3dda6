/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The VNL matrix: one TCP connection between two ustack stacks of this
 * process joined by a VNL of libvdeplug, 32 MiB each way at once in
 * 64 KiB writes, every byte checked by SHA-256 (sender's digest against
 * receiver's).
 *
 *   test_vnl_tcp KIND MTU
 *
 * KIND: vde     a Debian vde_switch started here (its pid killed at exit)
 *       switch  libvdeplug's embedded switch (the first stack is the switch)
 *       hub     libvdeplug's embedded hub (likewise)
 *       ptp     libvdeplug's point-to-point link, no switch
 *       udp     two UDP endpoints on 127.0.0.1
 *       tap     one stack on a tap device, the Linux kernel of a network
 *               namespace of its own as the peer (needs root)
 * The transfer is bounded: no byte for STALL_S seconds, or the whole of
 * it past TOTAL_S, fails the test with both ends' TCP_INFO and the
 * interfaces' counters; it never hangs. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../ustack/ustest.h"
#include "sha256.h"

#define LEN (32u << 20)
#define CHUNK 65536
#define STALL_S 10
#define STR_(x) #x
#define STR(x) STR_(x)
#define TOTAL_S 100
#define PORT 7400
#define TAPNAME "vnltap0"

/* One end of the connection: a ustack socket, or a kernel one (kernel). */
struct end {
	const char *name;
	struct ioth *st;        /* NULL: the kernel */
	int fd;
	unsigned seed;          /* of what this end sends */
	atomic_ulong sent, rcvd;
	struct test_sha256 tx, rx;
	uint8_t txd[32], rxd[32];
	int tx_rc, rx_rc;
	pthread_t tt, rt;
};

#define X(e, f, ...) ((e)->st ? ioth_##f(__VA_ARGS__) : f(__VA_ARGS__))

static uint64_t rng_next(uint64_t *x) {
	/* xorshift64*: bytes that no framing bug reproduces by chance */
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ull;
}

static void *sender(void *arg) {
	struct end *e = arg;
	static __thread uint8_t buf[CHUNK];
	uint64_t x = 0x9e3779b97f4a7c15ull ^ e->seed;
	test_sha256_init(&e->tx);
	e->tx_rc = 0;
	for (uint32_t off = 0; off < LEN; off += CHUNK) {
		for (size_t i = 0; i < CHUNK; i += 8) {
			uint64_t v = rng_next(&x);
			memcpy(buf + i, &v, 8);
		}
		test_sha256_update(&e->tx, buf, CHUNK);
		size_t done = 0;
		while (done < CHUNK) {
			ssize_t n = X(e, send, e->fd, buf + done, CHUNK - done, MSG_NOSIGNAL);
			if (n <= 0) {
				fprintf(stderr, "%s: send: %s\n", e->name, strerror(errno));
				e->tx_rc = -1;
				return NULL;
			}
			done += (size_t) n;
			atomic_fetch_add(&e->sent, (unsigned long) n);
		}
	}
	test_sha256_final(&e->tx, e->txd);
	X(e, shutdown, e->fd, SHUT_WR);
	return NULL;
}

static void *receiver(void *arg) {
	struct end *e = arg;
	static __thread uint8_t buf[CHUNK];
	test_sha256_init(&e->rx);
	e->rx_rc = 0;
	for (;;) {
		ssize_t n = X(e, recv, e->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			fprintf(stderr, "%s: recv: %s\n", e->name, strerror(errno));
			e->rx_rc = -1;
			return NULL;
		}
		if (n == 0)
			break;
		test_sha256_update(&e->rx, buf, (size_t) n);
		atomic_fetch_add(&e->rcvd, (unsigned long) n);
	}
	test_sha256_final(&e->rx, e->rxd);
	return NULL;
}

static void print_tcp_info(struct end *e) {
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (X(e, getsockopt, e->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) < 0) {
		fprintf(stderr, "  %s: TCP_INFO: %s\n", e->name, strerror(errno));
		return;
	}
	fprintf(stderr, "  %s: sent %lu rcvd %lu  state %u ca_state %u retransmits %u backoff %u "
			"rto %u us ato %u us snd_mss %u rcv_mss %u\n"
			"    unacked %u sacked %u lost %u retrans %u fackets %u total_retrans %u "
			"cwnd %u ssthresh %u rtt %u/%u us\n"
			"    snd_wscale %u rcv_wscale %u rcv_space %u rcv_ssthresh %u "
			"last_data_sent %u ms last_data_recv %u ms last_ack_recv %u ms\n",
			e->name, atomic_load(&e->sent), atomic_load(&e->rcvd), ti.tcpi_state, ti.tcpi_ca_state,
			ti.tcpi_retransmits, ti.tcpi_backoff, ti.tcpi_rto, ti.tcpi_ato, ti.tcpi_snd_mss,
			ti.tcpi_rcv_mss, ti.tcpi_unacked, ti.tcpi_sacked, ti.tcpi_lost, ti.tcpi_retrans,
			ti.tcpi_fackets, ti.tcpi_total_retrans, ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh,
			ti.tcpi_rtt, ti.tcpi_rttvar, ti.tcpi_snd_wscale, ti.tcpi_rcv_wscale, ti.tcpi_rcv_space,
			ti.tcpi_rcv_ssthresh, ti.tcpi_last_data_sent, ti.tcpi_last_data_recv,
			ti.tcpi_last_ack_recv);
	int q = -1, r = -1;
	X(e, ioctl, e->fd, SIOCOUTQ, &q);
	X(e, ioctl, e->fd, FIONREAD, &r);
	fprintf(stderr, "    SIOCOUTQ %d FIONREAD %d\n", q, r);
}

static void print_counters(const char *who, struct ioth *st, const char *ifname) {
	struct ifaddrs *ifa = NULL;
	if ((st ? ioth_getifaddrs(st, &ifa) : getifaddrs(&ifa)) < 0) {
		fprintf(stderr, "  %s: getifaddrs: %s\n", who, strerror(errno));
		return;
	}
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
		if (strcmp(p->ifa_name, ifname) || !p->ifa_addr || p->ifa_addr->sa_family != AF_PACKET ||
				!p->ifa_data)
			continue;
		const struct rtnl_link_stats *s = p->ifa_data;
		fprintf(stderr, "  %s %s: rx %u pkts %u bytes %u err %u drop | tx %u pkts %u bytes %u err %u drop\n",
				who, ifname, s->rx_packets, s->rx_bytes, s->rx_errors, s->rx_dropped,
				s->tx_packets, s->tx_bytes, s->tx_errors, s->tx_dropped);
	}
	if (st)
		ioth_freeifaddrs(ifa);
	else
		freeifaddrs(ifa);
}

struct report {
	struct end *a, *b;
	struct ioth *A, *B;
	atomic_int done;
};

static void *report(void *arg) {
	struct report *r = arg;
	print_tcp_info(r->a);
	print_tcp_info(r->b);
	print_counters("A", r->A, "vde0");
	print_counters(r->B ? "B" : "kernel", r->B, r->B ? "vde0" : TAPNAME);
	fflush(stderr);
	atomic_store(&r->done, 1);
	return NULL;
}

/* --- the VNLs --- */
static char dir[128];
static pid_t switch_pid = -1;

static void cleanup(void) {
	if (switch_pid > 0) {
		kill(switch_pid, SIGTERM);
		waitpid(switch_pid, NULL, 0);
		switch_pid = -1;
	}
	if (dir[0]) {
		char cmd[200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
}

static const char *find_vde_switch(void) {
	static const char *where[] = {"/usr/bin/vde_switch", "/usr/local/bin/vde_switch", "/usr/sbin/vde_switch"};
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

/* Debian's vde_switch in the foreground; its console reads a pipe that
 * stays open (and silent) until it is killed. */
static void start_vde_switch(const char *path) {
	const char *bin = find_vde_switch();
	if (bin == NULL) {
		printf("SKIP: needs vde_switch (Debian package vde2, scripts/install-deps)\n");
		exit(77);
	}
	int in[2];
	REQUIRE(pipe(in) == 0);
	switch_pid = fork();
	REQUIRE(switch_pid >= 0);
	if (switch_pid == 0) {
		dup2(in[0], 0);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execl(bin, "vde_switch", "-s", path, "-n", "8", (char *) NULL);
		_exit(127);
	}
	close(in[0]);   /* in[1] stays open for the switch's life */
	char ctl[256];
	snprintf(ctl, sizeof(ctl), "%s/ctl", path);
	for (int i = 0; i < 100 && access(ctl, F_OK) < 0; i++)
		usleep(50000);
	REQUIRE(access(ctl, F_OK) == 0);
}

static void ifreq_set(int s, unsigned long req, struct ifreq *ifr, const char *what) {
	if (ioctl(s, req, ifr) < 0) {
		fprintf(stderr, "FATAL: %s on %s: %s\n", what, ifr->ifr_name, strerror(errno));
		exit(1);
	}
}

/* The kernel's side of the tap: address, MTU, up. */
static void kernel_tap_up(int mtu) {
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	REQUIRE(s >= 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TAPNAME);
	ifr.ifr_mtu = mtu;
	ifreq_set(s, SIOCSIFMTU, &ifr, "SIOCSIFMTU");
	struct sockaddr_in a = sin4("198.18.0.2", 0);
	memcpy(&ifr.ifr_addr, &a, sizeof(a));
	ifreq_set(s, SIOCSIFADDR, &ifr, "SIOCSIFADDR");
	a = sin4("255.255.255.0", 0);
	memcpy(&ifr.ifr_netmask, &a, sizeof(a));
	ifreq_set(s, SIOCSIFNETMASK, &ifr, "SIOCSIFNETMASK");
	ifreq_set(s, SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	ifreq_set(s, SIOCSIFFLAGS, &ifr, "SIOCSIFFLAGS");
	close(s);
}

static int udp_base;

static void udp_vnls(char *a, char *b, size_t size) {
	snprintf(a, size, "udp://127.0.0.1:%d->127.0.0.1:%d", udp_base, udp_base + 1);
	snprintf(b, size, "udp://127.0.0.1:%d->127.0.0.1:%d", udp_base + 1, udp_base);
}

int main(int argc, char *argv[]) {
	if (argc != 3) {
		fprintf(stderr, "usage: %s vde|switch|hub|ptp|udp|tap MTU\n", argv[0]);
		return 2;
	}
	const char *kind = argv[1];
	int mtu = atoi(argv[2]);
	signal(SIGPIPE, SIG_IGN);
	/* the self-test of the digest (FIPS 180-4's "abc" example) */
	{
		struct test_sha256 c;
		uint8_t d[32];
		char hex[65];
		test_sha256_init(&c);
		test_sha256_update(&c, "abc", 3);
		test_sha256_final(&c, d);
		test_sha256_hex(d, hex);
		REQUIRE(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
	}
	char opts[64];
	snprintf(opts, sizeof(opts), "ustack,mtu=%d", mtu);
	char vnla[256], vnlb[256];
	bool kernel_peer = false;
	snprintf(dir, sizeof(dir), "/tmp/ioth-vnl-%d", (int) getpid());
	atexit(cleanup);
	if (strcmp(kind, "tap") == 0) {
		if (unshare(CLONE_NEWNET) < 0) {
			printf("SKIP: tap:// needs root: the kernel peer lives in a network namespace of "
					"this test (unshare: %s)\n", strerror(errno));
			return 77;
		}
		dir[0] = 0;
		kernel_peer = true;
		snprintf(vnla, sizeof(vnla), "tap://%s", TAPNAME);
	} else if (strcmp(kind, "udp") == 0) {
		dir[0] = 0;
		/* two ports of our own, from the pid (a busy one fails vde_open:
		 * the stacks are made again on the next pair, 5 tries) */
		udp_base = 20000 + (int) (getpid() % 10000) * 2;
		udp_vnls(vnla, vnlb, sizeof(vnla));
	} else {
		REQUIRE(mkdir(dir, 0700) == 0);
		char path[200];
		snprintf(path, sizeof(path), "%s/net", dir);
		if (strcmp(kind, "vde") == 0) {
			start_vde_switch(path);
			snprintf(vnla, sizeof(vnla), "vde://%s", path);
			snprintf(vnlb, sizeof(vnlb), "vde://%s", path);
		} else if (strcmp(kind, "switch") == 0 || strcmp(kind, "hub") == 0) {
			/* the first opener becomes the switch (hub), the second joins it */
			snprintf(vnla, sizeof(vnla), "%s://%s", kind, path);
			snprintf(vnlb, sizeof(vnlb), "vde://%s", path);
		} else if (strcmp(kind, "ptp") == 0) {
			snprintf(vnla, sizeof(vnla), "ptp://%s", path);
			snprintf(vnlb, sizeof(vnlb), "ptp://%s", path);
		} else {
			fprintf(stderr, "unknown VNL kind %s\n", kind);
			return 2;
		}
	}

	struct ioth *A = ustest_stack(opts, vnla, "198.18.0.1", 24);
	for (int tries = 1; udp_base && tries < 5; tries++) {
		struct ioth *b = A ? ustest_stack(opts, vnlb, "198.18.0.2", 24) : NULL;
		if (b) {
			ioth_delstack(b);   /* both ports free: made again below */
			break;
		}
		if (A)
			ioth_delstack(A);
		udp_base += 2002;
		udp_vnls(vnla, vnlb, sizeof(vnla));
		A = ustest_stack(opts, vnla, "198.18.0.1", 24);
	}
	if (A == NULL)
		fprintf(stderr, "FATAL: stack on %s: %s\n", vnla, strerror(errno));
	REQUIRE(A != NULL);
	struct ioth *B = NULL;
	if (kernel_peer)
		kernel_tap_up(mtu);
	else {
		B = ustest_stack(opts, vnlb, "198.18.0.2", 24);
		if (B == NULL)
			fprintf(stderr, "FATAL: stack on %s: %s\n", vnlb, strerror(errno));
		REQUIRE(B != NULL);
	}
	printf("%s (%s <-> %s), MTU %d, %u MiB each way\n", kind, vnla, kernel_peer ? "the kernel" : vnlb,
			mtu, LEN >> 20);

	/* B listens (the kernel on the tap's side), A connects */
	struct end ea = {.name = "A (ustack)", .st = A, .seed = 1};
	struct end eb = {.name = kernel_peer ? "B (kernel)" : "B (ustack)", .st = B, .seed = 2};
	struct sockaddr_in bsa = sin4("198.18.0.2", PORT);
	int l = B ? ioth_msocket(B, AF_INET, SOCK_STREAM, 0) : socket(AF_INET, SOCK_STREAM, 0);
	REQUIRE(l >= 0);
	REQUIRE(X(&eb, bind, l, (struct sockaddr *) &bsa, sizeof(bsa)) == 0);
	REQUIRE(X(&eb, listen, l, 1) == 0);
	ea.fd = ioth_msocket(A, AF_INET, SOCK_STREAM, 0);
	REQUIRE(ea.fd >= 0);
	REQUIRE(ioth_connect(ea.fd, (struct sockaddr *) &bsa, sizeof(bsa)) == 0);
	eb.fd = X(&eb, accept, l, NULL, NULL);
	REQUIRE(eb.fd >= 0);
	X(&eb, close, l);

	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct end *ends[2] = {&ea, &eb};
	for (int i = 0; i < 2; i++) {
		pthread_create(&ends[i]->rt, NULL, receiver, ends[i]);
		pthread_create(&ends[i]->tt, NULL, sender, ends[i]);
	}
	unsigned long last = 0;
	double last_t = 0, el = 0;
	const char *why = NULL;
	for (;;) {
		usleep(100000);
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (double) (t.tv_sec - t0.tv_sec) + (double) (t.tv_nsec - t0.tv_nsec) / 1e9;
		unsigned long got = atomic_load(&ea.rcvd) + atomic_load(&eb.rcvd);
		if (got == 2ul * LEN || ea.rx_rc || eb.rx_rc || ea.tx_rc || eb.tx_rc)
			break;
		if (got != last) {
			last = got;
			last_t = el;
		} else if (el - last_t > STALL_S) {
			why = "stalled: no byte arrived for " STR(STALL_S) " s";
			break;
		}
		if (el > TOTAL_S) {
			why = "too slow: not done in the time limit";
			break;
		}
	}
	if (why) {
		fprintf(stderr, "FAIL: %s, MTU %d: %s after %.1f s\n", kind, mtu, why, el);
		fflush(stderr);
		/* the report reads the stacks, which take their locks: a stack
		 * that deadlocked holding one would hang it, so it has 5 s */
		struct report r = {.a = &ea, .b = &eb, .A = A, .B = B};
		pthread_t rt;
		pthread_create(&rt, NULL, report, &r);
		for (int i = 0; i < 50 && !atomic_load(&r.done); i++)
			usleep(100000);
		if (!atomic_load(&r.done))
			fprintf(stderr, "  (no report within 5 s: a stack's lock is held for good, a deadlock)\n");
		fflush(stderr);
		/* the threads still wait on the connection: leave them */
		cleanup();
		_exit(1);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(ends[i]->tt, NULL);
		pthread_join(ends[i]->rt, NULL);
	}
	CHECK(ea.tx_rc == 0 && eb.tx_rc == 0 && ea.rx_rc == 0 && eb.rx_rc == 0);
	CHECK(atomic_load(&ea.rcvd) == LEN && atomic_load(&eb.rcvd) == LEN);
	char h1[65], h2[65];
	test_sha256_hex(ea.txd, h1);
	test_sha256_hex(eb.rxd, h2);
	printf("A -> B: sent %s\n        rcvd %s\n", h1, h2);
	CHECK(strcmp(h1, h2) == 0);
	test_sha256_hex(eb.txd, h1);
	test_sha256_hex(ea.rxd, h2);
	printf("B -> A: sent %s\n        rcvd %s\n", h1, h2);
	CHECK(strcmp(h1, h2) == 0);
	printf("%.1f s for 2 x %u MiB\n", el, LEN >> 20);
	for (int i = 0; i < 2; i++) {
		/* the MSS says which MTU the connection really used */
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);
		if (X(ends[i], getsockopt, ends[i]->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
			printf("%s: snd_mss %u, total_retrans %u\n", ends[i]->name, ti.tcpi_snd_mss,
					ti.tcpi_total_retrans);
	}
	if (ustest_failures) {
		print_tcp_info(&ea);
		print_tcp_info(&eb);
	}
	ioth_close(ea.fd);
	X(&eb, close, eb.fd);
	ioth_delstack(A);
	if (B)
		ioth_delstack(B);
	char name[64];
	snprintf(name, sizeof(name), "test_vnl_tcp %s %d", kind, mtu);
	return ustest_done(name);
}
