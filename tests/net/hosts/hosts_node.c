/* SPDX-License-Identifier: LGPL-2.1-or-later
 * One "host" of the tests across hosts: a process with N ustack stacks on
 * one VNL (vxvde://, vxlan://, tap://, slirp://...), then steps run in
 * order; exit 0 only if every step succeeded.
 *
 *   hosts_node [-n N] [-d] [-m MTU] HOST VNL STEP...
 *
 * Stack i (0 <= i < N) has MAC (and the MTU given: ustack's mtu=) 02:16:HH:00:00:ii, and vde0 up with
 * 198.19.HOST.(i+1)/16; stack 0 also has fd00:16::HOST:1/64. With -d,
 * stack 0 (only one stack then) takes its IPv4 address by DHCP instead
 * ("eth,dhcp" of iothconf) and prints it ("dhcp ADDR").
 * Stack 0 serves, on both families (one dual-stack socket each):
 *   UDP port 7     echo
 *   TCP port 7500  digest: reads until the peer's FIN, answers the SHA-256
 *                  of what it read as 64 hex digits and a newline, closes
 *                  (what "socat TCP-LISTEN:7500,fork EXEC:sha256sum" does)
 * Then it prints "ready" and runs the steps:
 *   ping DST          ICMP(v6) echo from stack 0 (5 tries of 1 s)
 *   udp DST PORT      a datagram to DST's echo, the same text back
 *   tcp DST PORT LEN  LEN pseudo-random bytes to a digest server, then the
 *                     digest it answers must be that of the bytes sent
 *   many PEER         stack i pings 198.19.PEER.(i+1), for every i (ten
 *                     threads; each ping 5 tries of 1 s: bounded)
 *   noerr             no stack counted a receive or transmit error on vde0
 *                     (what libvdeplug reads and filters is no error)
 *   serve SECS        stay alive (serving) SECS seconds, or until SIGTERM */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ioth.h>
#include <iothconf.h>

#include "sha256.h"

#define MAXSTACKS 128
#define ECHO_PORT 7
#define DIGEST_PORT 7500
#define CHUNK 65536

static struct ioth *stacks[MAXSTACKS];
static int nstacks = 1, host, mtu;

static void hex(const uint8_t d[32], char out[65]) {
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static int mksock(const char *dst, int port, struct sockaddr_storage *ss, socklen_t *sl) {
	memset(ss, 0, sizeof(*ss));
	if (strchr(dst, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t) port);
		*sl = sizeof(*s6);
		return inet_pton(AF_INET6, dst, &s6->sin6_addr) == 1 ? AF_INET6 : -1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *) ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t) port);
	*sl = sizeof(*s4);
	return inet_pton(AF_INET, dst, &s4->sin_addr) == 1 ? AF_INET : -1;
}

/* --- servers on stack 0 --- */
static void *udp_echo(void *arg) {
	int fd = (int) (intptr_t) arg;
	uint8_t buf[2048];
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = ioth_recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *) &from, &fl);
		if (n < 0)
			return NULL;
		ioth_sendto(fd, buf, (size_t) n, 0, (struct sockaddr *) &from, fl);
	}
}

static void *digest_conn(void *arg) {
	int fd = (int) (intptr_t) arg;
	uint8_t *buf = malloc(CHUNK);
	struct test_sha256 h;
	test_sha256_init(&h);
	ssize_t n;
	while ((n = ioth_recv(fd, buf, CHUNK, 0)) > 0)
		test_sha256_update(&h, buf, (size_t) n);
	if (n == 0) {
		uint8_t d[32];
		char line[66];
		test_sha256_final(&h, d);
		hex(d, line);
		line[64] = '\n';
		ioth_send(fd, line, 65, MSG_NOSIGNAL);
	}
	free(buf);
	ioth_close(fd);
	return NULL;
}

static void *digest_server(void *arg) {
	int lfd = (int) (intptr_t) arg;
	for (;;) {
		int fd = ioth_accept(lfd, NULL, NULL);
		if (fd < 0)
			return NULL;
		pthread_t t;
		if (pthread_create(&t, NULL, digest_conn, (void *) (intptr_t) fd) == 0)
			pthread_detach(t);
		else
			ioth_close(fd);
	}
}

static int start_servers(struct ioth *st) {
	struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
	int ufd = ioth_msocket(st, AF_INET6, SOCK_DGRAM, 0);
	any.sin6_port = htons(ECHO_PORT);
	if (ufd < 0 || ioth_bind(ufd, (struct sockaddr *) &any, sizeof(any)) < 0) {
		perror("udp echo");
		return -1;
	}
	int tfd = ioth_msocket(st, AF_INET6, SOCK_STREAM, 0), one = 1;
	any.sin6_port = htons(DIGEST_PORT);
	ioth_setsockopt(tfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (tfd < 0 || ioth_bind(tfd, (struct sockaddr *) &any, sizeof(any)) < 0 || ioth_listen(tfd, 8) < 0) {
		perror("tcp digest");
		return -1;
	}
	pthread_t t;
	pthread_create(&t, NULL, udp_echo, (void *) (intptr_t) ufd);
	pthread_detach(t);
	pthread_create(&t, NULL, digest_server, (void *) (intptr_t) tfd);
	pthread_detach(t);
	return 0;
}

/* --- steps --- */
static int ping_once(struct ioth *st, const char *dst, int ms) {
	struct sockaddr_storage to;
	socklen_t tl;
	int fam = mksock(dst, 0, &to, &tl);
	if (fam < 0)
		return -1;
	int fd = ioth_msocket(st, fam, SOCK_DGRAM, fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return -1;
	static unsigned seqno;
	uint16_t seq = (uint16_t) __atomic_add_fetch(&seqno, 1, __ATOMIC_RELAXED);
	uint8_t req[64] = {fam == AF_INET ? 8 : 128}, rep[128];
	req[6] = (uint8_t) (seq >> 8);
	req[7] = (uint8_t) seq;
	for (size_t i = 8; i < sizeof(req); i++)
		req[i] = (uint8_t) (i ^ host);
	int rc = -1;
	if (ioth_sendto(fd, req, sizeof(req), 0, (struct sockaddr *) &to, tl) == (ssize_t) sizeof(req)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		while (rc < 0 && poll(&pfd, 1, ms) == 1) {
			ssize_t n = ioth_recv(fd, rep, sizeof(rep), 0);
			if (n == (ssize_t) sizeof(req) && rep[0] == (fam == AF_INET ? 0 : 129) &&
					rep[6] == req[6] && rep[7] == req[7] && memcmp(rep + 8, req + 8, sizeof(req) - 8) == 0)
				rc = 0;
		}
	}
	ioth_close(fd);
	return rc;
}

static int do_ping(struct ioth *st, const char *dst) {
	for (int i = 0; i < 5; i++)
		if (ping_once(st, dst, 1000) == 0)
			return 0;
	fprintf(stderr, "ping %s: no reply\n", dst);
	return -1;
}

static int do_udp(struct ioth *st, const char *dst, int port) {
	struct sockaddr_storage to;
	socklen_t tl;
	int fam = mksock(dst, port, &to, &tl);
	int fd = fam < 0 ? -1 : ioth_msocket(st, fam, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	char msg[64], rep[128];
	int len = snprintf(msg, sizeof(msg), "host %d to %s", host, dst);
	int rc = -1;
	for (int i = 0; i < 5 && rc < 0; i++) {
		ioth_sendto(fd, msg, (size_t) len, 0, (struct sockaddr *) &to, tl);
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		while (rc < 0 && poll(&pfd, 1, 1000) == 1)
			if (ioth_recv(fd, rep, sizeof(rep), 0) == len && memcmp(rep, msg, (size_t) len) == 0)
				rc = 0;
	}
	ioth_close(fd);
	if (rc < 0)
		fprintf(stderr, "udp %s %d: no echo\n", dst, port);
	return rc;
}

static uint64_t rng_next(uint64_t *x) {
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ull;
}

static int do_tcp(struct ioth *st, const char *dst, int port, size_t total) {
	struct sockaddr_storage to;
	socklen_t tl;
	int fam = mksock(dst, port, &to, &tl);
	int fd = fam < 0 ? -1 : ioth_msocket(st, fam, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	/* bounded: a stalled connection fails instead of hanging */
	struct timeval tv = {.tv_sec = 20};
	ioth_setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ioth_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (ioth_connect(fd, (struct sockaddr *) &to, tl) < 0) {
		fprintf(stderr, "tcp %s %d: connect: %s\n", dst, port, strerror(errno));
		ioth_close(fd);
		return -1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint8_t *buf = malloc(CHUNK);
	uint64_t x = 0x9e3779b97f4a7c15ull ^ (uint64_t) host;
	struct test_sha256 h;
	test_sha256_init(&h);
	int rc = 0;
	for (size_t off = 0; off < total && rc == 0;) {
		size_t len = total - off < CHUNK ? total - off : CHUNK;
		for (size_t i = 0; i < len; i += 8) {
			uint64_t v = rng_next(&x);
			memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
		}
		test_sha256_update(&h, buf, len);
		for (size_t done = 0; done < len;) {
			ssize_t n = ioth_send(fd, buf + done, len - done, MSG_NOSIGNAL);
			if (n <= 0) {
				fprintf(stderr, "tcp %s %d: send at %zu: %s\n", dst, port, off + done, strerror(errno));
				rc = -1;
				break;
			}
			done += (size_t) n;
		}
		off += len;
	}
	char want[65], got[80];
	uint8_t d[32];
	test_sha256_final(&h, d);
	hex(d, want);
	size_t gl = 0;
	if (rc == 0) {
		ioth_shutdown(fd, SHUT_WR);
		ssize_t n;
		while (gl < 64 && (n = ioth_recv(fd, got + gl, 64 - gl, 0)) > 0)
			gl += (size_t) n;
		got[gl] = 0;
		if (gl < 64 || memcmp(got, want, 64) != 0) {
			fprintf(stderr, "tcp %s %d: peer's digest '%s' (%s), sent %s\n", dst, port, got,
					gl < 64 ? strerror(errno) : "differs", want);
			rc = -1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc == 0)
		printf("tcp %zu bytes sha256 %s in %.3f s (%.1f Mbit/s)\n", total, want, s,
				(double) total * 8 / s / 1e6);
	free(buf);
	ioth_close(fd);
	return rc;
}

struct many {
	int peer, worker, failed;
	pthread_t t;
};

static void *many_worker(void *arg) {
	struct many *m = arg;
	for (int i = m->worker; i < nstacks; i += 10) {
		char dst[32];
		snprintf(dst, sizeof(dst), "198.19.%d.%d", m->peer, i + 1);
		if (do_ping(stacks[i], dst) < 0)
			m->failed++;
	}
	return NULL;
}

static int do_many(int peer) {
	struct many m[10];
	int failed = 0;
	for (int w = 0; w < 10; w++) {
		m[w] = (struct many) {.peer = peer, .worker = w};
		pthread_create(&m[w].t, NULL, many_worker, &m[w]);
	}
	for (int w = 0; w < 10; w++) {
		pthread_join(m[w].t, NULL);
		failed += m[w].failed;
	}
	if (failed)
		fprintf(stderr, "many: %d of %d stacks had no answer\n", failed, nstacks);
	return failed ? -1 : 0;
}

static volatile sig_atomic_t stop;
static void on_term(int sig) {
	(void) sig;
	stop = 1;
}

static struct ioth *new_stack(int i, const char *vnl, bool dhcp) {
	char opts[96];
	int l = snprintf(opts, sizeof(opts), "ustack,mac=02:16:%02x:00:00:%02x", host, i);
	if (mtu)
		snprintf(opts + l, sizeof(opts) - (size_t) l, ",mtu=%d", mtu);
	struct ioth *st = ioth_newstack(opts, vnl);
	if (!st) {
		fprintf(stderr, "stack %d on %s: %s\n", i, vnl, strerror(errno));
		return NULL;
	}
	int idx = ioth_if_nametoindex(st, "vde0");
	if (idx <= 0 || ioth_linksetupdown(st, (unsigned) idx, 1) < 0)
		goto fail;
	if (dhcp) {
		int rv = ioth_config(st, "eth,dhcp,iface=vde0");
		if (rv < 0 || !(rv & IOTHCONF_DHCP)) {
			fprintf(stderr, "dhcp: rv %d: %s\n", rv, strerror(errno));
			goto fail;
		}
		return st;
	}
	struct in_addr a4 = {htonl((198u << 24) | (19u << 16) | ((unsigned) host << 8) | (unsigned) (i + 1))};
	if (ioth_ipaddr_add(st, AF_INET, &a4, 16, (unsigned) idx) < 0)
		goto fail;
	if (i == 0) {
		char s6[64];
		struct in6_addr a6;
		snprintf(s6, sizeof(s6), "fd00:16::%x:1", host);
		inet_pton(AF_INET6, s6, &a6);
		if (ioth_ipaddr_add(st, AF_INET6, &a6, 64, (unsigned) idx) < 0)
			goto fail;
	}
	return st;
fail:
	fprintf(stderr, "stack %d: configuration: %s\n", i, strerror(errno));
	ioth_delstack(st);
	return NULL;
}

/* vde0's counters, after a failed step: what left and what came */
static void show_counters(struct ioth *st) {
	struct ifaddrs *ifa = NULL, *p;
	if (ioth_getifaddrs(st, &ifa) < 0)
		return;
	for (p = ifa; p; p = p->ifa_next)
		if (p->ifa_addr && p->ifa_addr->sa_family == AF_PACKET && p->ifa_data &&
				strcmp(p->ifa_name, "vde0") == 0) {
			const struct rtnl_link_stats *c = p->ifa_data;
			printf("counters rx %u err %u drop %u tx %u err %u drop %u\n", c->rx_packets, c->rx_errors,
					c->rx_dropped, c->tx_packets, c->tx_errors, c->tx_dropped);
		}
	ioth_freeifaddrs(ifa);
}

static int do_noerr(void) {
	int bad = 0;
	for (int i = 0; i < nstacks; i++) {
		struct ifaddrs *ifa = NULL, *p;
		if (ioth_getifaddrs(stacks[i], &ifa) < 0)
			return -1;
		for (p = ifa; p; p = p->ifa_next)
			if (p->ifa_addr && p->ifa_addr->sa_family == AF_PACKET && p->ifa_data &&
					strcmp(p->ifa_name, "vde0") == 0) {
				const struct rtnl_link_stats *c = p->ifa_data;
				if (c->rx_errors || c->tx_errors) {
					if (bad++ < 5)
						fprintf(stderr, "stack %d: vde0 rx %u packets %u errors, tx %u packets %u errors\n",
								i, c->rx_packets, c->rx_errors, c->tx_packets, c->tx_errors);
				}
			}
		ioth_freeifaddrs(ifa);
	}
	if (bad)
		fprintf(stderr, "noerr: %d of %d stacks counted errors\n", bad, nstacks);
	return bad ? -1 : 0;
}

/* the IPv4 address of vde0 (DHCP), as text */
static void show_addr4(struct ioth *st) {
	struct ifaddrs *ifa = NULL, *p;
	if (ioth_getifaddrs(st, &ifa) < 0)
		return;
	for (p = ifa; p; p = p->ifa_next)
		if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET && strcmp(p->ifa_name, "vde0") == 0) {
			char s[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &((struct sockaddr_in *) p->ifa_addr)->sin_addr, s, sizeof(s));
			printf("dhcp %s\n", s);
		}
	ioth_freeifaddrs(ifa);
}

int main(int argc, char **argv) {
	bool dhcp = false;
	int opt;
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "n:dm:")) != -1) {
		if (opt == 'n')
			nstacks = atoi(optarg);
		else if (opt == 'm')
			mtu = atoi(optarg);
		else if (opt == 'd')
			dhcp = true;
		else
			return 2;
	}
	if (argc - optind < 2 || nstacks < 1 || nstacks > MAXSTACKS || (dhcp && nstacks != 1)) {
		fprintf(stderr, "usage: hosts_node [-n N] [-d] [-m MTU] HOST VNL STEP...\n");
		return 2;
	}
	host = atoi(argv[optind]);
	const char *vnl = argv[optind + 1];
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (int i = 0; i < nstacks; i++)
		if (!(stacks[i] = new_stack(i, vnl, dhcp)))
			return 1;
	if (dhcp)
		show_addr4(stacks[0]);
	if (start_servers(stacks[0]) < 0)
		return 1;
	usleep(1500000);  /* DAD of the IPv6 addresses */
	printf("ready\n");
	int rc = 0;
	for (int i = optind + 2; i < argc && rc == 0 && !stop; i++) {
		const char *cmd = argv[i];
		int left = argc - i - 1;
		if (strcmp(cmd, "ping") == 0 && left >= 1) {
			rc = do_ping(stacks[0], argv[i + 1]);
			i += 1;
		} else if (strcmp(cmd, "udp") == 0 && left >= 2) {
			rc = do_udp(stacks[0], argv[i + 1], atoi(argv[i + 2]));
			i += 2;
		} else if (strcmp(cmd, "tcp") == 0 && left >= 3) {
			rc = do_tcp(stacks[0], argv[i + 1], atoi(argv[i + 2]), strtoul(argv[i + 3], NULL, 0));
			i += 3;
		} else if (strcmp(cmd, "many") == 0 && left >= 1) {
			rc = do_many(atoi(argv[i + 1]));
			i += 1;
		} else if (strcmp(cmd, "noerr") == 0) {
			rc = do_noerr();
		} else if (strcmp(cmd, "serve") == 0 && left >= 1) {
			for (int s = atoi(argv[i + 1]) * 10; s > 0 && !stop; s--)
				usleep(100000);
			i += 1;
		} else {
			fprintf(stderr, "bad step %s\n", cmd);
			return 2;
		}
		if (rc == 0)
			printf("ok %s %s\n", cmd, i < argc ? argv[i] : "");
		else {
			printf("fail %s\n", cmd);
			show_counters(stacks[0]);
		}
	}
	for (int i = 0; i < nstacks; i++)
		ioth_delstack(stacks[i]);
	return rc ? 1 : 0;
}
