/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A TCP endpoint on ustack for the kernel-peer tests: one stack on a VNL,
 * then either
 *   serve PORT N OUTPREFIX INFILE   accept N connections on [::]:PORT (dual
 *                                   stack), one at a time: what arrives goes
 *                                   to OUTPREFIX.i while INFILE is sent back,
 *                                   then shutdown(SHUT_WR) and EOF awaited
 *   client HOST PORT OUTFILE INFILE the same as a client (HOST v4 or v6)
 * With TCP_PEER_GW4 / TCP_PEER_GW6 set, default routes through those
 * routers. Prints READY when listening, CONNECTED when a connection is up (then,
 * with TCP_PEER_HOLD_MS set, waits that long so a test can look at the
 * peer's side with ss), and after each transfer a line
 *   info opts=ts,sack,wscale retrans=N mss=N pmtu=N ecn=0|1 cc=NAME
 * from TCP_INFO; exit 0 when every transfer finished. With
 * TCP_PEER_STALL_S set, a transfer during which nothing was sent nor
 * received for that many seconds, or (TCP_PEER_DEADLINE_S) that lasts
 * longer than that in all, is a failure: a line "stall ..." with the
 * connection's whole TCP_INFO, then exit 3. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include "../ustest.h"
#include "file_sender.h"

/* the transfer's progress, for the watchdog */
static unsigned long long sent_bytes, rcvd_bytes;
static int watch_fd = -1;

static void print_stall(int fd, const char *why) {
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	ioth_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
	printf("stall (%s): sent %llu rcvd %llu; state %u ca_state %u retransmits %u backoff %u rto %u rtt %u "
			"rttvar %u snd_mss %u rcv_mss %u pmtu %u cwnd %u ssthresh %u unacked %u sacked %u lost %u "
			"retrans %u total_retrans %u last_data_sent %u last_data_recv %u last_ack_recv %u\n", why,
			__atomic_load_n(&sent_bytes, __ATOMIC_RELAXED), __atomic_load_n(&rcvd_bytes, __ATOMIC_RELAXED),
			ti.tcpi_state, ti.tcpi_ca_state, ti.tcpi_retransmits, ti.tcpi_backoff, ti.tcpi_rto, ti.tcpi_rtt,
			ti.tcpi_rttvar, ti.tcpi_snd_mss, ti.tcpi_rcv_mss, ti.tcpi_pmtu, ti.tcpi_snd_cwnd,
			ti.tcpi_snd_ssthresh, ti.tcpi_unacked, ti.tcpi_sacked, ti.tcpi_lost, ti.tcpi_retrans,
			ti.tcpi_total_retrans, ti.tcpi_last_data_sent, ti.tcpi_last_data_recv, ti.tcpi_last_ack_recv);
	fflush(stdout);
}

/* TCP_PEER_STALL_S / TCP_PEER_DEADLINE_S: the transfer in progress
 * (watch_fd) must move and end in time */
static void *watchdog(void *arg) {
	(void) arg;
	const char *e = getenv("TCP_PEER_STALL_S");
	int stall = e ? atoi(e) : 0;
	e = getenv("TCP_PEER_DEADLINE_S");
	int deadline = e ? atoi(e) : 0;
	unsigned long long last = ~0ull;
	int idle = 0, running = 0, fd0 = -1;
	for (;;) {
		sleep(1);
		int fd = __atomic_load_n(&watch_fd, __ATOMIC_ACQUIRE);
		if (fd < 0) {
			idle = running = 0;
			last = ~0ull;
			continue;
		}
		if (fd != fd0) {
			fd0 = fd;
			idle = running = 0;
		}
		running++;
		unsigned long long now = __atomic_load_n(&sent_bytes, __ATOMIC_RELAXED) +
				__atomic_load_n(&rcvd_bytes, __ATOMIC_RELAXED);
		idle = now == last ? idle + 1 : 0;
		last = now;
		if ((stall && idle >= stall) || (deadline && running >= deadline)) {
			print_stall(fd, idle >= stall && stall ? "no progress" : "deadline");
			_exit(3);
		}
	}
	return NULL;
}

static ssize_t peer_send(int fd, const void *buf, size_t len) {
	return ioth_send(fd, buf, len, MSG_NOSIGNAL);
}

static int peer_shut_wr(int fd) {
	return ioth_shutdown(fd, SHUT_WR);
}

static void connected(void) {
	printf("CONNECTED\n");
	fflush(stdout);
	const char *h = getenv("TCP_PEER_HOLD_MS");
	if (h)
		usleep((useconds_t) atoi(h) * 1000);
}

static void print_info(int fd) {
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	if (ioth_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) < 0) {
		perror("TCP_INFO");
		return;
	}
	char cc[16] = "";
	socklen_t cl = sizeof(cc) - 1;
	if (ioth_getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &cl) < 0)
		strcpy(cc, "?");
	printf("info opts=%s%s%s retrans=%u mss=%u pmtu=%u ecn=%d cc=%s\n",
			ti.tcpi_options & TCPI_OPT_TIMESTAMPS ? "ts," : "", ti.tcpi_options & TCPI_OPT_SACK ? "sack," : "",
			ti.tcpi_options & TCPI_OPT_WSCALE ? "wscale" : "", ti.tcpi_total_retrans, ti.tcpi_snd_mss,
			ti.tcpi_pmtu, !!(ti.tcpi_options & TCPI_OPT_ECN), cc);
	fflush(stdout);
}

/* send in while receiving into out; 0 when both directions completed */
static int transfer(int fd, const char *out, const char *in) {
	connected();
	__atomic_store_n(&sent_bytes, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&rcvd_bytes, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&watch_fd, fd, __ATOMIC_RELEASE);
	struct file_job j = {.fd = fd, .in = in, .send = peer_send, .shut_wr = peer_shut_wr, .chunk = 65536,
		.sent = &sent_bytes};
	pthread_t t;
	pthread_create(&t, NULL, file_sender, &j);
	int f = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int rc = f < 0 ? -1 : 0;
	char buf[65536];
	for (;;) {
		ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			perror("recv");
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		__atomic_add_fetch(&rcvd_bytes, (unsigned long long) n, __ATOMIC_RELAXED);
		if (f >= 0 && write(f, buf, (size_t) n) != n)
			rc = -1;
	}
	if (f >= 0)
		close(f);
	pthread_join(t, NULL);
	__atomic_store_n(&watch_fd, -1, __ATOMIC_RELEASE);
	print_info(fd);
	return rc == 0 && j.rc == 0 ? 0 : -1;
}

/* Our data may still be in flight when the peer's EOF arrives (a lossy
 * link): before the stack is deleted, wait until all is acknowledged and
 * our FIN too (what SO_LINGER would do), up to 60 s. */
static void drain(int fd) {
	for (int i = 0; i < 6000; i++) {
		int outq = 0;
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);
		if (ioth_ioctl(fd, SIOCOUTQ, &outq) < 0 || ioth_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) < 0)
			return;
		if (outq == 0 && ti.tcpi_state != TCP_FIN_WAIT1 && ti.tcpi_state != TCP_LAST_ACK &&
				ti.tcpi_state != TCP_CLOSING)
			return;
		usleep(10000);
	}
	fprintf(stderr, "data still unacknowledged after 60 s\n");
}

int main(int argc, char *argv[]) {
	signal(SIGPIPE, SIG_IGN);
	if (getenv("TCP_PEER_STALL_S") || getenv("TCP_PEER_DEADLINE_S")) {
		pthread_t w;
		pthread_create(&w, NULL, watchdog, NULL);
		pthread_detach(w);
	}
	if (argc < 6) {
		fprintf(stderr, "usage: %s STACK VNL ADDR/PLEN ADDR6/PLEN serve|client ...\n", argv[0]);
		return 2;
	}
	char addr[64];
	snprintf(addr, sizeof(addr), "%s", argv[3]);
	char *slash = strchr(addr, '/');
	REQUIRE(slash);
	*slash = 0;
	struct ioth *st = ustest_stack(argv[1], argv[2], addr, atoi(slash + 1));
	REQUIRE(st);
	char a6[64];
	snprintf(a6, sizeof(a6), "%s", argv[4]);
	slash = strchr(a6, '/');
	REQUIRE(slash);
	*slash = 0;
	uint8_t b6[16];
	REQUIRE(inet_pton(AF_INET6, a6, b6) == 1);
	REQUIRE(ioth_ipaddr_add(st, AF_INET6, b6, atoi(slash + 1), (unsigned) ioth_if_nametoindex(st, "vde0")) == 0);
	const char *gw = getenv("TCP_PEER_GW4");
	if (gw) {
		struct in_addr g;
		REQUIRE(inet_pton(AF_INET, gw, &g) == 1);
		REQUIRE(ioth_iproute_add(st, AF_INET, NULL, 0, &g, 0) == 0);
	}
	usleep(1200000);   /* DAD */
	gw = getenv("TCP_PEER_GW6");
	if (gw) {
		uint8_t g6[16];
		REQUIRE(inet_pton(AF_INET6, gw, g6) == 1);
		REQUIRE(ioth_iproute_add(st, AF_INET6, NULL, 0, g6, 0) == 0);
	}
	int rc = 0;
	if (strcmp(argv[5], "serve") == 0 && argc >= 10) {
		int l = ioth_msocket(st, AF_INET6, SOCK_STREAM, 0);
		struct sockaddr_in6 b = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t) atoi(argv[6]))};
		REQUIRE(ioth_bind(l, (struct sockaddr *) &b, sizeof(b)) == 0);
		REQUIRE(ioth_listen(l, 8) == 0);
		printf("READY\n");
		fflush(stdout);
		int n = atoi(argv[7]);
		for (int i = 0; i < n; i++) {
			int c = ioth_accept(l, NULL, NULL);
			REQUIRE(c >= 0);
			char out[512];
			snprintf(out, sizeof(out), "%s.%d", argv[8], i);
			if (transfer(c, out, argv[9]) < 0)
				rc = 1;
			drain(c);
			ioth_close(c);
			printf("done %d\n", i);
			fflush(stdout);
		}
		ioth_close(l);
	} else if (strcmp(argv[5], "client") == 0 && argc >= 10) {
		int v6 = strchr(argv[6], ':') != NULL;
		int c = -1, r = -1;
		/* Through 5% loss each way all three neighbour solicitations (or
		 * their answers) may be lost, and the connect fails with
		 * EHOSTUNREACH, as on Linux: a client tries again, twice. */
		for (int tries = 0; tries < 3; tries++) {
			if (c >= 0)
				ioth_close(c);
			c = ioth_msocket(st, v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
			if (v6) {
				struct sockaddr_in6 d = {.sin6_family = AF_INET6,
					.sin6_port = htons((uint16_t) atoi(argv[7]))};
				inet_pton(AF_INET6, argv[6], &d.sin6_addr);
				r = ioth_connect(c, (struct sockaddr *) &d, sizeof(d));
			} else {
				struct sockaddr_in d = sin4(argv[6], atoi(argv[7]));
				r = ioth_connect(c, (struct sockaddr *) &d, sizeof(d));
			}
			if (r == 0 || errno != EHOSTUNREACH)
				break;
			fprintf(stderr, "connect: %s, again\n", strerror(errno));
		}
		if (r < 0) {
			perror("connect");
			return 1;
		}
		rc = transfer(c, argv[8], argv[9]) < 0;
		drain(c);
		ioth_close(c);
		printf("done\n");
	} else {
		fprintf(stderr, "bad mode\n");
		return 2;
	}
	/* let the last FIN/ACK exchange finish before the stack goes */
	usleep(300000);
	ioth_delstack(st);
	return rc;
}
