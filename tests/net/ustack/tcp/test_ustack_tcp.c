/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP between two ustack stacks on an embedded VDE switch, and inside one
 * stack over lo: connect/accept on IPv4, IPv6 and dual stack, MBs both
 * ways with content checks, half-close, RST on close with unread data
 * and with SO_LINGER 0, refused and unreachable connects, ETIMEDOUT after
 * the SYN retries, non-blocking connect and accept with poll, bind rules
 * (EADDRINUSE, SO_REUSEADDR with TIME_WAIT), MSG_PEEK/WAITALL, EPIPE,
 * close and shutdown from another thread, many connections at once; the
 * congestion control chosen per stack (cc=) and per socket. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <linux/sockios.h>

#include "tcpt.h"
#include "vdeswitch.h"

static struct ioth *A, *B;

/* poll until all of want are there (the eventfd emulation of vpoll may
 * show a change of several events in steps), 10 s at most (loaded
 * machines). Bounded by time, not by rounds: when part of the events is
 * already there poll returns at once. */
static int poll_for(struct pollfd *pfd, short want) {
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (poll(pfd, 1, 10) == 1) {
			if ((pfd->revents & want) == want)
				return 1;
			usleep(1000);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 10);
	return 0;
}

static int listener(struct ioth *st, int family, const char *addr, int port, int backlog) {
	int fd = ioth_msocket(st, family, SOCK_STREAM, 0);
	REQUIRE(fd >= 0);
	union tsa u;
	socklen_t l = tsa_make(&u, family, addr, port);
	REQUIRE(ioth_bind(fd, &u.sa, l) == 0);
	REQUIRE(ioth_listen(fd, backlog) == 0);
	return fd;
}

static int connect_to(struct ioth *st, int family, const char *addr, int port) {
	int fd = ioth_msocket(st, family, SOCK_STREAM, 0);
	REQUIRE(fd >= 0);
	union tsa u;
	socklen_t l = tsa_make(&u, family, addr, port);
	if (ioth_connect(fd, &u.sa, l) < 0) {
		int e = errno;
		ioth_close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void test_basic(int family, const char *saddr, const char *caddr, int port) {
	int l = listener(B, family, family == AF_INET ? "0.0.0.0" : "::", port, 8);
	int c = connect_to(A, family, saddr, port);
	REQUIRE(c >= 0);
	union tsa peer;
	socklen_t pl = sizeof(peer);
	int s = ioth_accept(l, &peer.sa, &pl);
	REQUIRE(s >= 0);
	union tsa me, other;
	socklen_t ml = sizeof(me), ol = sizeof(other);
	CHECK(ioth_getsockname(c, &me.sa, &ml) == 0);
	CHECK(ioth_getpeername(s, &other.sa, &ol) == 0);
	CHECK(ml == ol && memcmp(&me, &other, ml) == 0);   /* the client seen from both ends */
	CHECK(peer.sa.sa_family == family && memcmp(&peer, &me, ml) == 0);
	char txt[64];
	if (family == AF_INET)
		inet_ntop(AF_INET, &peer.in.sin_addr, txt, sizeof(txt));
	else
		inet_ntop(AF_INET6, &peer.in6.sin6_addr, txt, sizeof(txt));
	CHECK(strcmp(txt, caddr) == 0);
	int st = 0;
	socklen_t sl = sizeof(st);
	CHECK(ioth_getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &st, &sl) == 0 && st == 1);
	CHECK(ioth_getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &st, &sl) == 0 && st == IPPROTO_TCP);
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	CHECK(ioth_getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 && ti.tcpi_state == TCP_ESTABLISHED);
	/* timestamps take 12 bytes of each segment (Linux: 1448 on Ethernet) */
	CHECK(ti.tcpi_snd_mss == (family == AF_INET ? 1448 : 1428));
	CHECK((ti.tcpi_options & (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE)) ==
			(TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE));
	int mss = 0;
	sl = sizeof(mss);
	CHECK(ioth_getsockopt(s, IPPROTO_TCP, TCP_MAXSEG, &mss, &sl) == 0 && mss == (family == AF_INET ? 1448 : 1428));

	CHECK(ioth_send(c, "hello world", 11, 0) == 11);
	char buf[64] = "";
	struct pollfd pfd = {.fd = s, .events = POLLIN};
	CHECK(poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLIN));
	CHECK(ioth_recv(s, buf, 5, MSG_PEEK) == 5 && memcmp(buf, "hello", 5) == 0);
	int avail = 0;
	CHECK(ioth_ioctl(s, FIONREAD, &avail) == 0 && avail == 11);
	CHECK(ioth_recv(s, buf, 11, MSG_WAITALL) == 11 && memcmp(buf, "hello world", 11) == 0);
	CHECK(ioth_recv(s, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	/* writev / readv with MSG_WAITALL across segments */
	struct iovec iov[3] = {{"ab", 2}, {"cde", 3}, {"f", 1}};
	CHECK(ioth_writev(s, iov, 3) == 6);
	char x[2], y[4];
	struct iovec riov[2] = {{x, 2}, {y, 4}};
	CHECK(ioth_readv(c, riov, 2) >= 1);
	ioth_close(c);
	ioth_close(s);
	ioth_close(l);
}

struct bulk {
	int fd;
	size_t len;
	unsigned seed;
	int rc;
};

static void *bulk_writer(void *arg) {
	struct bulk *b = arg;
	b->rc = write_pattern(b->fd, b->len, b->seed);
	ioth_shutdown(b->fd, SHUT_WR);
	return NULL;
}

/* A transfer that takes long prints TCP_INFO snapshots of both ends every
 * 5 s after the first 15, so that a slow run in CI shows whether it waits
 * on timeouts (backoff, ca_state 4), a closed window (probes, nothing
 * unacknowledged but data queued) or nothing at all. */
struct watch {
	int fd[2];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
};

static void snapshot(const char *name, int fd, double t) {
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	int outq = -1, inq = -1;
	if (ioth_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) < 0)
		return;
	ioth_ioctl(fd, SIOCOUTQ, &outq);
	ioth_ioctl(fd, FIONREAD, &inq);
	fprintf(stderr,
			"  %5.1fs %s: state %u ca_state %u backoff %u probes %u rto %u rtt %u cwnd %u ssthresh %u "
			"unacked %u retrans %u outq %d inq %d\n",
			t, name, ti.tcpi_state, ti.tcpi_ca_state, ti.tcpi_backoff, ti.tcpi_probes, ti.tcpi_rto,
			ti.tcpi_rtt, ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh, ti.tcpi_unacked, ti.tcpi_total_retrans,
			outq, inq);
}

static void *watchdog(void *arg) {
	struct watch *w = arg;
	struct timespec t0, dl;
	clock_gettime(CLOCK_REALTIME, &t0);
	dl = t0;
	dl.tv_sec += 15;
	pthread_mutex_lock(&w->mu);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->cv, &w->mu, &dl) == ETIMEDOUT && !w->done) {
			double t = (double) (dl.tv_sec - t0.tv_sec);
			snapshot("client", w->fd[0], t);
			snapshot("server", w->fd[1], t);
			dl.tv_sec += 5;
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* len bytes each way at the same time, checked, then both closes */
static void bulk_both_ways(int c, int s, size_t len) {
	pthread_t t1, t2, tw;
	struct bulk w1 = {c, len, 1, -1}, w2 = {s, len, 2, -1};
	struct watch w = {.fd = {c, s}, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	pthread_create(&tw, NULL, watchdog, &w);
	pthread_create(&t1, NULL, bulk_writer, &w1);
	pthread_create(&t2, NULL, bulk_writer, &w2);
	ssize_t got_s = read_pattern(s, 1);
	ssize_t got_c = read_pattern(c, 2);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	pthread_mutex_lock(&w.mu);
	w.done = true;
	pthread_cond_signal(&w.cv);
	pthread_mutex_unlock(&w.mu);
	pthread_join(tw, NULL);
	CHECK(w1.rc == 0 && w2.rc == 0);
	CHECK(got_s == (ssize_t) len);
	CHECK(got_c == (ssize_t) len);
}

static void test_bulk(int family, const char *saddr, size_t len, int port) {
	int l = listener(B, family, saddr, port, 8);
	int c = connect_to(A, family, saddr, port);
	REQUIRE(c >= 0);
	int s = ioth_accept(l, NULL, NULL);
	REQUIRE(s >= 0);
	bulk_both_ways(c, s, len);
	ioth_close(c);
	ioth_close(s);
	ioth_close(l);
}

/* two stacks with jumbo frames on the switch (libvdeplug's switch carries
 * frames up to VDE_MAXMTU 9216 + 18 bytes) */
static void test_jumbo(const char *vnl) {
	struct ioth *c = ustest_stack("ustack,mtu=9000", vnl, "198.18.0.11", 24);
	struct ioth *s = ustest_stack("ustack,mtu=9000", vnl, "198.18.0.12", 24);
	REQUIRE(c && s);
	int l = listener(s, AF_INET, "198.18.0.12", 7030, 8);
	int fd = connect_to(c, AF_INET, "198.18.0.12", 7030);
	REQUIRE(fd >= 0);
	int a = ioth_accept(l, NULL, NULL);
	REQUIRE(a >= 0);
	int mss = 0;
	socklen_t sl = sizeof(mss);
	CHECK(ioth_getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &sl) == 0 && mss == 8948);
	bulk_both_ways(fd, a, 8u << 20);
	ioth_close(fd);
	ioth_close(a);
	ioth_close(l);
	CHECK(ioth_delstack(c) == 0);
	CHECK(ioth_delstack(s) == 0);
}

/* the stack option cc= (an unknown algorithm: EINVAL) chooses the
 * congestion control of new sockets, which TCP_CONGESTION reports and
 * changes; a transfer over lo with each */
static void test_cc_option(void) {
	errno = 0;
	CHECK(ioth_newstack("ustack,cc=vegas", NULL) == NULL && errno == EINVAL);
	struct ioth *st = ioth_newstack("ustack,cc=reno", NULL);
	REQUIRE(st != NULL);
	for (int i = 0; i < 2; i++) {
		int l = listener(st, AF_INET, "127.0.0.1", 7040 + i, 8);
		if (i == 1)
			CHECK(ioth_setsockopt(l, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5) == 0);
		int c = connect_to(st, AF_INET, "127.0.0.1", 7040 + i);
		REQUIRE(c >= 0);
		int a = ioth_accept(l, NULL, NULL);
		REQUIRE(a >= 0);
		char n1[16] = "", n2[16] = "";
		socklen_t l1 = sizeof(n1), l2 = sizeof(n2);
		CHECK(ioth_getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, n1, &l1) == 0 && strcmp(n1, "reno") == 0);
		CHECK(ioth_getsockopt(a, IPPROTO_TCP, TCP_CONGESTION, n2, &l2) == 0 &&
				strcmp(n2, i ? "cubic" : "reno") == 0);
		bulk_both_ways(c, a, 2u << 20);
		ioth_close(c);
		ioth_close(a);
		ioth_close(l);
	}
	CHECK(ioth_delstack(st) == 0);
}

static void test_loopback(int family, const char *addr, int port) {
	int l = listener(A, family, addr, port, 8);
	int c = connect_to(A, family, addr, port);
	REQUIRE(c >= 0);
	int s = ioth_accept(l, NULL, NULL);
	REQUIRE(s >= 0);
	int mss = 0;
	socklen_t sl = sizeof(mss);
	CHECK(ioth_getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &mss, &sl) == 0 && mss > 60000);
	bulk_both_ways(c, s, 8u << 20);
	ioth_close(c);
	ioth_close(s);
	ioth_close(l);
}

static void test_half_close(void) {
	int l = listener(B, AF_INET, "198.18.0.2", 7003, 8);
	int c = connect_to(A, AF_INET, "198.18.0.2", 7003);
	int s = ioth_accept(l, NULL, NULL);
	REQUIRE(c >= 0 && s >= 0);
	CHECK(ioth_send(c, "req", 3, 0) == 3);
	CHECK(ioth_shutdown(c, SHUT_WR) == 0);
	char buf[16];
	CHECK(ioth_recv(s, buf, sizeof(buf), MSG_WAITALL) == 3);
	CHECK(ioth_recv(s, buf, sizeof(buf), 0) == 0);    /* EOF */
	struct pollfd pfd = {.fd = s, .events = POLLIN | POLLRDHUP};
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN));
	/* the other direction still works */
	CHECK(ioth_send(s, "reply", 5, 0) == 5);
	CHECK(ioth_recv(c, buf, 5, MSG_WAITALL) == 5 && memcmp(buf, "reply", 5) == 0);
	/* writing after SHUT_WR: EPIPE (no SIGPIPE with MSG_NOSIGNAL) */
	CHECK(ioth_send(c, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
	CHECK(ioth_close(s) == 0);
	CHECK(ioth_recv(c, buf, sizeof(buf), 0) == 0);
	ioth_close(c);
	ioth_close(l);
}

static void test_rst_on_close(void) {
	int l = listener(B, AF_INET, "198.18.0.2", 7004, 8);
	int c = connect_to(A, AF_INET, "198.18.0.2", 7004);
	int s = ioth_accept(l, NULL, NULL);
	REQUIRE(c >= 0 && s >= 0);
	CHECK(ioth_send(s, "unread", 6, 0) == 6);
	struct pollfd pfd = {.fd = c, .events = POLLIN};
	CHECK(poll(&pfd, 1, 10000) == 1);
	ioth_close(c);   /* unread data: RST, not FIN (RFC 9293 3.10.4, Linux) */
	char buf[8];
	pfd.fd = s;
	/* POLLERR too where vpoll has it: the eventfd emulation has IN, OUT, HUP.
	 * A reset can be lost like any segment (a full switch queue): then
	 * the next segment from s meets the closed port and draws another */
	if (!poll_for(&pfd, POLLHUP)) {
		printf("no reset within 10 s: probing\n");
		CHECK(ioth_send(s, "p", 1, MSG_NOSIGNAL) == 1);
		CHECK(poll_for(&pfd, POLLHUP));
	}
	CHECK(ioth_recv(s, buf, sizeof(buf), 0) == -1 && errno == ECONNRESET);
	CHECK(ioth_recv(s, buf, sizeof(buf), 0) == 0);
	CHECK(ioth_send(s, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
	ioth_close(s);

	/* SO_LINGER with 0: RST at once */
	c = connect_to(A, AF_INET, "198.18.0.2", 7004);
	s = ioth_accept(l, NULL, NULL);
	REQUIRE(c >= 0 && s >= 0);
	struct linger lg = {1, 0};
	CHECK(ioth_setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	ioth_close(c);
	CHECK(ioth_recv(s, buf, sizeof(buf), 0) == -1 && errno == ECONNRESET);
	ioth_close(s);
	ioth_close(l);
}

static void test_refused_unreachable(void) {
	CHECK(connect_to(A, AF_INET, "198.18.0.2", 7999) == -1 && errno == ECONNREFUSED);
	CHECK(connect_to(A, AF_INET6, "fd00:18::2", 7999) == -1 && errno == ECONNREFUSED);
	/* nobody answers ARP: EHOSTUNREACH (Linux after 3 probes) */
	CHECK(connect_to(A, AF_INET, "198.18.0.77", 7000) == -1 && errno == EHOSTUNREACH);
	/* a route-less destination */
	CHECK(connect_to(A, AF_INET, "203.0.113.1", 7000) == -1 && errno == ENETUNREACH);
}

static void test_syn_timeout(void) {
	/* a listener with backlog 0 takes one connection, then drops SYNs
	 * while it is not accepted (Linux): the next connect times out */
	int l = listener(B, AF_INET, "198.18.0.2", 7005, 0);
	int c1 = connect_to(A, AF_INET, "198.18.0.2", 7005);
	CHECK(c1 >= 0);
	int c2 = ioth_msocket(A, AF_INET, SOCK_STREAM, 0);
	int one = 1;
	CHECK(ioth_setsockopt(c2, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one)) == 0);
	union tsa u;
	socklen_t ul = tsa_make(&u, AF_INET, "198.18.0.2", 7005);
	usleep(100000);
	CHECK(ioth_connect(c2, &u.sa, ul) == -1 && errno == ETIMEDOUT);
	ioth_close(c2);
	ioth_close(c1);
	ioth_close(l);
}

static void test_nonblocking(void) {
	int l = listener(B, AF_INET6, "::", 7006, 8);
	int fl = ioth_fcntl(l, F_GETFL, 0);
	CHECK(ioth_fcntl(l, F_SETFL, fl | O_NONBLOCK) == 0);
	CHECK(ioth_accept(l, NULL, NULL) == -1 && errno == EAGAIN);
	int c = ioth_msocket(A, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	union tsa u;
	socklen_t ul = tsa_make(&u, AF_INET, "198.18.0.2", 7006);
	CHECK(ioth_connect(c, &u.sa, ul) == -1 && errno == EINPROGRESS);
	/* again while in progress: EALREADY, or 0 when it completed meanwhile */
	int r2 = ioth_connect(c, &u.sa, ul);
	CHECK(r2 == 0 || (r2 == -1 && errno == EALREADY));
	struct pollfd pfd = {.fd = c, .events = POLLOUT};
	CHECK(poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLOUT));
	int err = -1;
	socklen_t el = sizeof(err);
	CHECK(ioth_getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0);
	pfd = (struct pollfd){.fd = l, .events = POLLIN};
	CHECK(poll(&pfd, 1, 10000) == 1);
	union tsa peer;
	socklen_t pl = sizeof(peer);
	int s = ioth_accept(l, &peer.sa, &pl);
	CHECK(s >= 0);
	/* dual stack: the IPv4 client as an IPv4-mapped address */
	char txt[64] = "";
	inet_ntop(AF_INET6, &peer.in6.sin6_addr, txt, sizeof(txt));
	CHECK(peer.sa.sa_family == AF_INET6 && strcmp(txt, "::ffff:198.18.0.1") == 0);
	char buf[8];
	CHECK(ioth_recv(c, buf, sizeof(buf), 0) == -1 && errno == EAGAIN);
	ioth_close(s);
	ioth_close(c);

	/* refused, non-blocking: POLLOUT|POLLERR then SO_ERROR */
	c = ioth_msocket(A, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ul = tsa_make(&u, AF_INET, "198.18.0.2", 7998);
	CHECK(ioth_connect(c, &u.sa, ul) == -1 && errno == EINPROGRESS);
	pfd = (struct pollfd){.fd = c, .events = POLLOUT};
	CHECK(poll_for(&pfd, POLLOUT | POLLHUP));
	CHECK(ioth_getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == ECONNREFUSED);
	ioth_close(c);
	ioth_close(l);

	/* IPV6_V6ONLY listener: IPv4 clients are refused */
	l = ioth_msocket(B, AF_INET6, SOCK_STREAM, 0);
	int one = 1;
	CHECK(ioth_setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0);
	ul = tsa_make(&u, AF_INET6, "::", 7007);
	CHECK(ioth_bind(l, &u.sa, ul) == 0 && ioth_listen(l, 4) == 0);
	CHECK(connect_to(A, AF_INET, "198.18.0.2", 7007) == -1 && errno == ECONNREFUSED);
	c = connect_to(A, AF_INET6, "fd00:18::2", 7007);
	CHECK(c >= 0);
	ioth_close(c);
	ioth_close(l);
}

static void test_bind_rules(void) {
	int l = listener(B, AF_INET, "0.0.0.0", 7010, 8);
	int x = ioth_msocket(B, AF_INET6, SOCK_STREAM, 0);
	union tsa u;
	socklen_t ul = tsa_make(&u, AF_INET6, "::", 7010);
	CHECK(ioth_bind(x, &u.sa, ul) == -1 && errno == EADDRINUSE);   /* dual stack overlaps */
	ioth_close(x);
	int c = connect_to(A, AF_INET, "198.18.0.2", 7010);
	int s = ioth_accept(l, NULL, NULL);
	REQUIRE(c >= 0 && s >= 0);
	/* the server closes first: its end goes to TIME_WAIT */
	ioth_close(s);
	char buf[4];
	CHECK(ioth_recv(c, buf, sizeof(buf), 0) == 0);
	ioth_close(c);
	ioth_close(l);
	usleep(100000);
	x = ioth_msocket(B, AF_INET, SOCK_STREAM, 0);
	ul = tsa_make(&u, AF_INET, "0.0.0.0", 7010);
	CHECK(ioth_bind(x, &u.sa, ul) == -1 && errno == EADDRINUSE);   /* TIME_WAIT holds it */
	int one = 1;
	CHECK(ioth_setsockopt(x, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(ioth_bind(x, &u.sa, ul) == -1 && errno == EADDRINUSE);   /* the TIME_WAIT end did not set it */
	ioth_close(x);
	/* both with SO_REUSEADDR: a restarted server binds over TIME_WAIT */
	l = ioth_msocket(B, AF_INET, SOCK_STREAM, 0);
	CHECK(ioth_setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	ul = tsa_make(&u, AF_INET, "0.0.0.0", 7011);
	CHECK(ioth_bind(l, &u.sa, ul) == 0 && ioth_listen(l, 8) == 0);
	c = connect_to(A, AF_INET, "198.18.0.2", 7011);
	s = ioth_accept(l, NULL, NULL);
	REQUIRE(c >= 0 && s >= 0);
	ioth_close(s);
	CHECK(ioth_recv(c, buf, sizeof(buf), 0) == 0);
	ioth_close(c);
	ioth_close(l);
	usleep(100000);
	l = ioth_msocket(B, AF_INET, SOCK_STREAM, 0);
	CHECK(ioth_setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(ioth_bind(l, &u.sa, ul) == 0 && ioth_listen(l, 8) == 0);
	int l2 = ioth_msocket(B, AF_INET, SOCK_STREAM, 0);
	CHECK(ioth_setsockopt(l2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(ioth_bind(l2, &u.sa, ul) == -1 && errno == EADDRINUSE);   /* not over a listener */
	ioth_close(l2);
	ioth_close(l);
	/* errno of calls in the wrong state */
	x = ioth_msocket(A, AF_INET, SOCK_STREAM, 0);
	CHECK(ioth_recv(x, buf, sizeof(buf), 0) == -1 && errno == ENOTCONN);
	union tsa pn;
	socklen_t pl = sizeof(pn);
	CHECK(ioth_getpeername(x, &pn.sa, &pl) == -1 && errno == ENOTCONN);
	CHECK(ioth_shutdown(x, SHUT_RDWR) == -1 && errno == ENOTCONN);
	ioth_close(x);
}

struct blocker {
	int fd;
	int how;   /* 0: recv, 1: accept */
	ssize_t r;
	int err;
};

static void *block_call(void *arg) {
	struct blocker *b = arg;
	char buf[8];
	b->r = b->how ? ioth_accept(b->fd, NULL, NULL) : ioth_recv(b->fd, buf, sizeof(buf), 0);
	b->err = errno;
	return NULL;
}

static void test_wakeups(void) {
	int l = listener(B, AF_INET, "198.18.0.2", 7012, 8);
	int c = connect_to(A, AF_INET, "198.18.0.2", 7012);
	int s = ioth_accept(l, NULL, NULL);
	REQUIRE(c >= 0 && s >= 0);
	/* shutdown from another thread: the blocked recv returns 0 */
	struct blocker b = {.fd = c};
	pthread_t t;
	pthread_create(&t, NULL, block_call, &b);
	usleep(100000);
	CHECK(ioth_shutdown(c, SHUT_RDWR) == 0);
	pthread_join(t, NULL);
	CHECK(b.r == 0);
	ioth_close(s);
	ioth_close(c);
	c = connect_to(A, AF_INET, "198.18.0.2", 7012);
	s = ioth_accept(l, NULL, NULL);
	REQUIRE(c >= 0 && s >= 0);
	/* close from another thread: EBADF */
	b = (struct blocker){.fd = s};
	pthread_create(&t, NULL, block_call, &b);
	usleep(100000);
	ioth_close(s);
	pthread_join(t, NULL);
	CHECK(b.r == -1 && b.err == EBADF);
	/* a blocked accept and shutdown of the listener: EINVAL */
	b = (struct blocker){.fd = l, .how = 1};
	pthread_create(&t, NULL, block_call, &b);
	usleep(100000);
	CHECK(ioth_shutdown(l, SHUT_RDWR) == 0);
	pthread_join(t, NULL);
	CHECK(b.r == -1 && b.err == EINVAL);
	ioth_close(c);
	ioth_close(l);
}

#define NCONN 200

static void test_many(void) {
	int l = listener(B, AF_INET, "198.18.0.2", 7013, NCONN);
	static int cs[NCONN], ss[NCONN];
	for (int i = 0; i < NCONN; i++) {
		cs[i] = ioth_msocket(A, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		union tsa u;
		socklen_t ul = tsa_make(&u, AF_INET, "198.18.0.2", 7013);
		CHECK(ioth_connect(cs[i], &u.sa, ul) == -1 && errno == EINPROGRESS);
	}
	int accepted = 0;
	for (int i = 0; i < NCONN; i++) {
		ss[i] = ioth_accept(l, NULL, NULL);
		if (ss[i] >= 0)
			accepted++;
	}
	CHECK(accepted == NCONN);
	for (int i = 0; i < NCONN; i++) {
		struct pollfd pfd = {.fd = cs[i], .events = POLLOUT};
		CHECK(poll(&pfd, 1, 10000) == 1);
		char m[16];
		int n = snprintf(m, sizeof(m), "conn %d", i);
		CHECK(ioth_send(cs[i], m, (size_t) n, 0) == n);
	}
	/* each server socket reads its own client's message; echo it back */
	int ok = 0;
	for (int i = 0; i < NCONN; i++) {
		char m[16] = "";
		ssize_t n = ioth_recv(ss[i], m, sizeof(m) - 1, 0);
		if (n > 5 && strncmp(m, "conn ", 5) == 0 && ioth_send(ss[i], m, (size_t) n, 0) == n)
			ok++;
	}
	CHECK(ok == NCONN);
	int back = 0;
	for (int i = 0; i < NCONN; i++) {
		char m[16] = "", want[16];
		int wl = snprintf(want, sizeof(want), "conn %d", i);
		struct pollfd pfd = {.fd = cs[i], .events = POLLIN};
		poll(&pfd, 1, 10000);
		if (ioth_recv(cs[i], m, sizeof(m), 0) == wl && memcmp(m, want, (size_t) wl) == 0)
			back++;
	}
	CHECK(back == NCONN);
	for (int i = 0; i < NCONN; i++) {
		ioth_close(cs[i]);
		ioth_close(ss[i]);
	}
	ioth_close(l);
}

int main(void) {
	signal(SIGPIPE, SIG_IGN);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	A = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.1", 24);
	B = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(A && B);
	uint8_t a6[16], b6[16];
	inet_pton(AF_INET6, "fd00:18::1", a6);
	inet_pton(AF_INET6, "fd00:18::2", b6);
	REQUIRE(ioth_ipaddr_add(A, AF_INET6, a6, 64, 2) == 0);
	REQUIRE(ioth_ipaddr_add(B, AF_INET6, b6, 64, 2) == 0);
	usleep(1200000);   /* DAD */
#define RUN(call) do { if (!getenv("TCPT") || strstr(#call, getenv("TCPT"))) { fprintf(stderr, "%s\n", #call); call; } } while (0)
	RUN(test_basic(AF_INET, "198.18.0.2", "198.18.0.1", 7000));
	RUN(test_basic(AF_INET6, "fd00:18::2", "fd00:18::1", 7020));
	RUN(test_half_close());
	RUN(test_rst_on_close());
	RUN(test_nonblocking());
	RUN(test_bind_rules());
	RUN(test_wakeups());
	RUN(test_bulk(AF_INET, "198.18.0.2", 4u << 20, 7001));
	RUN(test_bulk(AF_INET6, "fd00:18::2", 4u << 20, 7021));
	RUN(test_loopback(AF_INET, "127.0.0.1", 7002));
	RUN(test_loopback(AF_INET6, "::1", 7022));
	RUN(test_jumbo(vdeswitch_vnl(sw)));
	RUN(test_cc_option());
	RUN(test_many());
	RUN(test_refused_unreachable());
	RUN(test_syn_timeout());
	ioth_delstack(A);
	ioth_delstack(B);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_tcp");
}
