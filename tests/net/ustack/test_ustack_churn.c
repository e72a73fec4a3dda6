/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Stack churn on one switch (issue 18): short-lived client stacks, each
 * with several addresses, connect to a server stack from each address and
 * are deleted at once, so the server's closing connections retransmit
 * their FINs to addresses nobody answers any more (200 stacks with 16
 * addresses each: three times what the server's neighbour table holds).
 * Meanwhile a long-lived stack exchanges a datagram every 50 ms with the
 * server, which echoes it: the exchange must have no gap over 1 s, and
 * every new connect must succeed.
 * The run was 60 s; this one churns for about 15 s and runs 22 s
 * ($USTACK_CHURN_SECS to change it), so that make check stays short. */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>

#include "ustest.h"
#include "vdeswitch.h"

#define CLIENTS 200
#define ADDRS 16          /* per client: 3200 vanished addresses in all */
#define PORT 80
#define ECHO_PORT 7

static atomic_int stop, ready;
static struct ioth *server, *live;

static uint64_t now_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t) t.tv_sec * 1000 + (uint64_t) t.tv_nsec / 1000000;
}

/* the server: accepts, and closes each connection 300 ms later (its
 * client is gone by then); echoes datagrams */
static void *server_main(void *arg) {
	(void) arg;
	int l = ioth_msocket(server, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int u = ioth_msocket(server, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = sin4("0.0.0.0", PORT), e = sin4("0.0.0.0", ECHO_PORT);
	if (l < 0 || u < 0 || ioth_bind(l, (struct sockaddr *) &a, sizeof(a)) < 0 || ioth_listen(l, 64) < 0 ||
			ioth_bind(u, (struct sockaddr *) &e, sizeof(e)) < 0) {
		fprintf(stderr, "server sockets: %s\n", strerror(errno));
		atomic_store(&stop, 2);
		return NULL;
	}
	atomic_store(&ready, 1);
	enum { MAXC = 256 };
	int cfd[MAXC];
	uint64_t cat[MAXC];
	int nc = 0;
	while (!atomic_load(&stop)) {
		struct pollfd p[2] = {{.fd = l, .events = POLLIN}, {.fd = u, .events = POLLIN}};
		poll(p, 2, 20);
		int c;
		while (nc < MAXC && (c = ioth_accept(l, NULL, NULL)) >= 0) {
			cfd[nc] = c;
			cat[nc++] = now_ms();
		}
		uint64_t t = now_ms();
		int k = 0;
		for (int i = 0; i < nc; i++)
			if (t - cat[i] >= 300)
				ioth_close(cfd[i]);
			else {
				cfd[k] = cfd[i];
				cat[k++] = cat[i];
			}
		nc = k;
		char buf[64];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t r;
		while ((r = ioth_recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *) &from, &fl)) > 0) {
			ioth_sendto(u, buf, (size_t) r, 0, (struct sockaddr *) &from, fl);
			fl = sizeof(from);
		}
	}
	for (int i = 0; i < nc; i++)
		ioth_close(cfd[i]);
	ioth_close(l);
	ioth_close(u);
	return NULL;
}

static uint64_t max_gap_ms, echoes;

/* the long-lived peer: a datagram every 50 ms, the gaps between echoes */
static void *live_main(void *arg) {
	(void) arg;
	int u = ioth_msocket(live, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in to = sin4("198.18.0.1", ECHO_PORT);
	uint64_t last = now_ms(), next = last;
	while (!atomic_load(&stop)) {
		uint64_t t = now_ms();
		if (t >= next) {
			ioth_sendto(u, "ping", 4, 0, (struct sockaddr *) &to, sizeof(to));
			next = t + 50;
		}
		struct pollfd p = {.fd = u, .events = POLLIN};
		poll(&p, 1, 10);
		char buf[16];
		while (ioth_recv(u, buf, sizeof(buf), 0) == 4) {
			t = now_ms();
			if (t - last > max_gap_ms)
				max_gap_ms = t - last;
			last = t;
			echoes++;
		}
	}
	uint64_t t = now_ms();
	if (t - last > max_gap_ms)
		max_gap_ms = t - last;
	ioth_close(u);
	return NULL;
}

static void client_addr(int c, int k, char *buf, size_t len) {
	int host = c * ADDRS + k;
	snprintf(buf, len, "198.19.%d.%d", 1 + host / 250, 1 + host % 250);
}

/* one connect from addr, nonblocking, within 3 s: 0 when established */
static int connect_from(struct ioth *st, const char *addr) {
	int fd = ioth_msocket(st, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = sin4(addr, 0), to = sin4("198.18.0.1", PORT);
	int r = -1;
	if (ioth_bind(fd, (struct sockaddr *) &a, sizeof(a)) == 0 &&
			(ioth_connect(fd, (struct sockaddr *) &to, sizeof(to)) == 0 || errno == EINPROGRESS)) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int err = -1;
		socklen_t el = sizeof(err);
		if (poll(&p, 1, 3000) == 1 && ioth_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
			r = 0;
	}
	ioth_close(fd);
	return r;
}

int main(void) {
	int secs = getenv("USTACK_CHURN_SECS") ? atoi(getenv("USTACK_CHURN_SECS")) : 22;
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	server = ustest_stack("ustack,accept_ra=0", vdeswitch_vnl(sw), "198.18.0.1", 15);
	live = ustest_stack("ustack,accept_ra=0", vdeswitch_vnl(sw), "198.18.0.2", 15);
	REQUIRE(server && live);
	pthread_t ts, tl;
	REQUIRE(pthread_create(&ts, NULL, server_main, NULL) == 0);
	while (!atomic_load(&ready) && !atomic_load(&stop))
		usleep(1000);
	REQUIRE(pthread_create(&tl, NULL, live_main, NULL) == 0);
	uint64_t t0 = now_ms(), churn_ms = (uint64_t) secs * 1000 * 2 / 3;
	int ok = 0, failed = 0, clients = 0;
	for (int c = 0; c < CLIENTS && atomic_load(&stop) == 0; c++) {
		/* spread the clients over the churn time */
		uint64_t due = t0 + churn_ms * (uint64_t) c / CLIENTS;
		while (now_ms() < due)
			usleep(5000);
		char a[32];
		client_addr(c, 0, a, sizeof(a));
		struct ioth *st = ustest_stack("ustack,accept_ra=0", vdeswitch_vnl(sw), a, 15);
		REQUIRE(st != NULL);
		int idx = ioth_if_nametoindex(st, "vde0");
		for (int k = 1; k < ADDRS; k++) {
			client_addr(c, k, a, sizeof(a));
			uint32_t x = ip4(a);
			CHECK(ioth_ipaddr_add(st, AF_INET, &x, 15, (unsigned) idx) == 0);
		}
		for (int k = 0; k < ADDRS; k++) {
			client_addr(c, k, a, sizeof(a));
			if (connect_from(st, a) == 0)
				ok++;
			else {
				failed++;
				fprintf(stderr, "client %d: connect from %s failed at %.1f s\n", c, a,
						(double) (now_ms() - t0) / 1000);
			}
		}
		/* closed (above) and deleted at once: nobody answers the server */
		CHECK(ioth_delstack(st) == 0);
		clients++;
	}
	while (now_ms() < t0 + (uint64_t) secs * 1000)
		usleep(20000);
	atomic_store(&stop, 1);
	pthread_join(ts, NULL);
	pthread_join(tl, NULL);
	printf("%d clients, %d connects ok, %d failed; %llu echoes, longest gap %llu ms\n", clients, ok, failed,
			(unsigned long long) echoes, (unsigned long long) max_gap_ms);
	CHECK(clients == CLIENTS);
	CHECK(failed == 0);
	CHECK(ok == CLIENTS * ADDRS);
	CHECK(echoes > 0);
	CHECK(max_gap_ms <= 1000);
	CHECK(ioth_delstack(live) == 0);
	CHECK(ioth_delstack(server) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_churn");
}
