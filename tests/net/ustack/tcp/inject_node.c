/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The ustack end of test_tcp_inject.sh: one stack on a VNL, built from
 * ustack's layers as the plugin builds it (the test reads the stack's TCP
 * counters, which no socket call shows), serving two connections on PORT:
 *   1. the transfer: what arrives goes to OUTFILE while INFILE is sent back
 *      at about 1.6 MB/s (16 KiB every 10 ms, so that the attacker has
 *      seconds to aim at it), then shutdown(SHUT_WR) and EOF awaited;
 *   2. the sanity check: an idle connection, read until it fails.
 * Every 5 ms the current connection's receive state goes to STATUSFILE
 * (written whole, then renamed) as
 *   conn=N state=S rcv_nxt=R rwnd=W snd_una=U snd_nxt=X max_snd_wnd=M
 * (S: 1 established, as Linux's TCP_ESTABLISHED), for the attacker, who
 * knows the 4-tuple but not the sequence numbers. Prints READY, then
 *   transfer ok|failed
 *   counters challenge=N skipped=N skippedseq=N estabresets=N
 *   second: ERRNO-NAME
 * and exits 0 when the transfer completed both ways. ADDR is IPv4 or
 * IPv6 (then the listener is an AF_INET6 socket). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/runtime.h"
#include "link/link.h"
#include "net/net.h"
#include "net/net6.h"
#include "socket/api.h"
#include "socket/sock.h"
#include "tcp/tcp.h"
#include "ustack.h"

#include "file_sender.h"

static struct ustack *S;
static const char *status_path;
static int cur_fd = -1, cur_conn;
static volatile int stop_status;

static void write_status(void) {
	int fd = __atomic_load_n(&cur_fd, __ATOMIC_ACQUIRE);
	char line[256];
	int n = 0;
	struct usock *sk = NULL;
	struct tcp_pcb *p = NULL;
	if (fd >= 0) {
		sk = sock_get(S, fd);
		if (sk == NULL)
			return;
		p = sk->proto;
	}
	if (fd < 0)   /* between connections: the last one is over */
		n = snprintf(line, sizeof(line), "conn=%d state=0 rcv_nxt=0 rwnd=0 snd_una=0 snd_nxt=0 max_snd_wnd=0\n",
				__atomic_load_n(&cur_conn, __ATOMIC_RELAXED));
	else if (p)
		n = snprintf(line, sizeof(line),
				"conn=%d state=%d rcv_nxt=%u rwnd=%u snd_una=%u snd_nxt=%u max_snd_wnd=%u\n",
				__atomic_load_n(&cur_conn, __ATOMIC_RELAXED),
				p->state == TCPS_ESTABLISHED ? 1 : 0, p->rcv_nxt, tcp_rcv_window(p), p->snd_una,
				p->snd_nxt, p->max_snd_wnd);
	if (sk)
		sock_put(sk);
	if (n <= 0)
		return;
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s.tmp", status_path);
	FILE *f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fputs(line, f);
	fclose(f);
	rename(tmp, status_path);
}

static void *status_loop(void *arg) {
	(void) arg;
	while (!stop_status) {
		write_status();
		usleep(5000);
	}
	return NULL;
}

/* the counters the test script reads, a line of their own */
static void print_counters(void) {
	stack_lock(S);
	printf("counters challenge=%llu skipped=%llu skippedseq=%llu estabresets=%llu\n",
			(unsigned long long) S->tcp->mib.ChallengeACKs, (unsigned long long) S->tcp->mib.ACKSkippedChallenge,
			(unsigned long long) S->tcp->mib.ACKSkippedSeq, (unsigned long long) S->tcp->mib.EstabResets);
	stack_unlock(S);
	fflush(stdout);
}

static ssize_t us_send(int fd, const void *buf, size_t len) {
	return api_sendto(S, fd, buf, len, MSG_NOSIGNAL, NULL, 0);
}

static int us_shut_wr(int fd) {
	return api_shutdown(S, fd, SHUT_WR);
}

static ssize_t recv_some(int fd, void *buf, size_t len) {
	struct iovec v = {buf, len};
	return api_readv(S, fd, &v, 1);
}

static int accept_one(int l, int conn) {
	int c = api_accept(S, l, NULL, NULL);
	if (c < 0) {
		perror("accept");
		exit(1);
	}
	__atomic_store_n(&cur_conn, conn, __ATOMIC_RELAXED);
	__atomic_store_n(&cur_fd, c, __ATOMIC_RELEASE);
	return c;
}

int main(int argc, char *argv[]) {
	signal(SIGPIPE, SIG_IGN);
	if (argc != 8) {
		fprintf(stderr, "usage: %s VNL MAC ADDR/PLEN PORT INFILE OUTFILE STATUSFILE\n", argv[0]);
		return 2;
	}
	status_path = argv[7];
	uint8_t mac[6];
	if (sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
		return 2;
	char addr[64];
	snprintf(addr, sizeof(addr), "%s", argv[3]);
	char *slash = strchr(addr, '/');
	if (slash == NULL)
		return 2;
	*slash = 0;
	struct in_addr a4;
	struct in6_addr a6;
	int family = AF_INET;
	if (inet_pton(AF_INET, addr, &a4) != 1) {
		if (inet_pton(AF_INET6, addr, &a6) != 1)
			return 2;
		family = AF_INET6;
	}
	if (rt_get() < 0) {
		fprintf(stderr, "no runtime\n");
		return 1;
	}
	S = ustack_create();
	S->vde_links = true;
	struct netif *ifp = vde_netif_open(S, argv[1], mac, 1500);
	if (ifp == NULL) {
		perror("vde_netif_open");
		return 1;
	}
	ustack_attach(S, ifp);
	snprintf(ifp->name, sizeof(ifp->name), "vde0");
	if (link_start(ifp) < 0) {
		fprintf(stderr, "link_start failed\n");
		return 1;
	}
	stack_lock(S);
	netif_set_up(ifp, true);
	int err = family == AF_INET ? ip4_addr_add(ifp, a4.s_addr, (uint8_t) atoi(slash + 1), 0, false)
			: ip6_addr_add(ifp, a6.s6_addr, (uint8_t) atoi(slash + 1), IFA6_NODAD, false);
	stack_unlock(S);
	if (err < 0) {
		fprintf(stderr, "address %s: %s\n", argv[3], strerror(-err));
		return 1;
	}
	int l = api_socket(S, family, SOCK_STREAM, 0);
	uint16_t port = htons((uint16_t) atoi(argv[4]));
	struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = port};
	struct sockaddr_in6 b6 = {.sin6_family = AF_INET6, .sin6_port = port};
	struct sockaddr *ba = family == AF_INET ? (struct sockaddr *) &b : (struct sockaddr *) &b6;
	socklen_t blen = family == AF_INET ? sizeof(b) : sizeof(b6);
	if (l < 0 || api_bind(S, l, ba, blen) < 0 || api_listen(S, l, 8) < 0) {
		perror("listen");
		return 1;
	}
	pthread_t st;
	pthread_create(&st, NULL, status_loop, NULL);
	printf("READY\n");
	fflush(stdout);

	/* 1. the transfer */
	int c = accept_one(l, 1);
	/* 16 KiB every 10 ms: the transfer lasts while the attacker injects */
	struct file_job j = {.fd = c, .in = argv[5], .send = us_send, .shut_wr = us_shut_wr, .chunk = 16384,
		.pause_us = 10000};
	pthread_t t;
	pthread_create(&t, NULL, file_sender, &j);
	int out = open(argv[6], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int rc = out < 0 ? -1 : 0;
	char buf[65536];
	for (;;) {
		ssize_t n = recv_some(c, buf, sizeof(buf));
		if (n < 0) {
			perror("recv");
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		if (out >= 0 && write(out, buf, (size_t) n) != n)
			rc = -1;
	}
	if (out >= 0)
		close(out);
	pthread_join(t, NULL);
	if (j.rc < 0)
		rc = -1;
	__atomic_store_n(&cur_fd, -1, __ATOMIC_RELEASE);   /* the attacker stops */
	/* everything we sent acknowledged before the counters are read */
	for (int i = 0; i < 1000; i++) {
		int outq = 0;
		if (api_ioctl(S, c, SIOCOUTQ, &outq) < 0 || outq == 0)
			break;
		usleep(10000);
	}
	printf("transfer %s\n", rc == 0 ? "ok" : "failed");
	print_counters();
	api_close(S, c);

	/* 2. an idle connection, until the attacker's RST at rcv_nxt */
	c = accept_one(l, 2);
	ssize_t n;
	while ((n = recv_some(c, buf, sizeof(buf))) > 0)
		;
	int e = errno;
	printf("second: %s\n", n == 0 ? "EOF" : e == ECONNRESET ? "ECONNRESET" : strerror(e));
	print_counters();
	__atomic_store_n(&cur_fd, -1, __ATOMIC_RELEASE);
	stop_status = 1;
	pthread_join(st, NULL);
	api_close(S, c);
	api_close(S, l);
	usleep(300000);
	ustack_destroy(S);
	rt_put();
	return rc == 0 ? 0 : 1;
}
