/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP with threads (run under ThreadSanitizer by make check): client
 * threads on one stack open connections one after another to an echo
 * server on another stack, whose acceptor hands each connection to a
 * thread of its own; every echoed byte is checked. A last pair of threads
 * send and receive on one socket at the same time while a third reads
 * TCP_INFO and the queue sizes. */
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/ioctl.h>

#include "tcpt.h"
#include "vdeswitch.h"

#define NCLIENTS 4
#define NCONNS 4
#define LEN 150000

static struct ioth *A, *B;
static int echoed_ok, clients_ok;

static void *echo_conn(void *arg) {
	int fd = (int) (intptr_t) arg;
	char buf[8192];
	size_t total = 0;
	ssize_t n;
	int ok = 1;
	while ((n = ioth_recv(fd, buf, sizeof(buf), 0)) > 0) {
		total += (size_t) n;
		if (ioth_send(fd, buf, (size_t) n, MSG_NOSIGNAL) != n)
			ok = 0;
	}
	if (n == 0 && ok && total == LEN)
		__atomic_add_fetch(&echoed_ok, 1, __ATOMIC_RELAXED);
	ioth_close(fd);
	return NULL;
}

static void *acceptor(void *arg) {
	int l = (int) (intptr_t) arg;
	pthread_t t[NCLIENTS * NCONNS];
	int n = 0;
	for (; n < NCLIENTS * NCONNS; n++) {
		int fd = ioth_accept(l, NULL, NULL);
		if (fd < 0)
			break;
		pthread_create(&t[n], NULL, echo_conn, (void *) (intptr_t) fd);
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return NULL;
}

struct sender {
	int fd;
	unsigned seed;
	int rc;
};

static void *send_all(void *arg) {
	struct sender *s = arg;
	s->rc = write_pattern(s->fd, LEN, s->seed);
	ioth_shutdown(s->fd, SHUT_WR);
	return NULL;
}

static void *client(void *arg) {
	unsigned id = (unsigned) (intptr_t) arg;
	for (int i = 0; i < NCONNS; i++) {
		int fd = ioth_msocket(A, AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in d = sin4("198.18.0.2", 7100);
		if (fd < 0 || ioth_connect(fd, (struct sockaddr *) &d, sizeof(d)) < 0) {
			ioth_close(fd);
			continue;
		}
		/* send from a second thread while this one reads the echo */
		struct sender s = {fd, id * 16 + (unsigned) i, -1};
		pthread_t t;
		pthread_create(&t, NULL, send_all, &s);
		ssize_t got = read_pattern(fd, s.seed);
		pthread_join(t, NULL);
		if (got == LEN && s.rc == 0)
			__atomic_add_fetch(&clients_ok, 1, __ATOMIC_RELAXED);
		ioth_close(fd);
	}
	return NULL;
}

static volatile int stop_info;

static void *info_reader(void *arg) {
	int fd = (int) (intptr_t) arg;
	while (!__atomic_load_n(&stop_info, __ATOMIC_RELAXED)) {
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);
		int q;
		ioth_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
		ioth_ioctl(fd, SIOCOUTQ, &q);
		ioth_ioctl(fd, FIONREAD, &q);
		usleep(1000);
	}
	return NULL;
}

int main(void) {
	signal(SIGPIPE, SIG_IGN);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	A = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.1", 24);
	B = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(A && B);
	int l = ioth_msocket(B, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in b = sin4("0.0.0.0", 7100);
	REQUIRE(ioth_bind(l, (struct sockaddr *) &b, sizeof(b)) == 0 && ioth_listen(l, 64) == 0);
	pthread_t acc, cl[NCLIENTS];
	pthread_create(&acc, NULL, acceptor, (void *) (intptr_t) l);
	for (int i = 0; i < NCLIENTS; i++)
		pthread_create(&cl[i], NULL, client, (void *) (intptr_t) i);
	for (int i = 0; i < NCLIENTS; i++)
		pthread_join(cl[i], NULL);
	pthread_join(acc, NULL);
	CHECK(clients_ok == NCLIENTS * NCONNS);
	CHECK(echoed_ok == NCLIENTS * NCONNS);

	/* one more through lo of A, with an observer thread */
	int l2 = ioth_msocket(A, AF_INET, SOCK_STREAM, 0);
	b = sin4("127.0.0.1", 7101);
	REQUIRE(ioth_bind(l2, (struct sockaddr *) &b, sizeof(b)) == 0 && ioth_listen(l2, 4) == 0);
	int c = ioth_msocket(A, AF_INET, SOCK_STREAM, 0);
	REQUIRE(ioth_connect(c, (struct sockaddr *) &b, sizeof(b)) == 0);
	int s = ioth_accept(l2, NULL, NULL);
	REQUIRE(s >= 0);
	pthread_t e, info;
	pthread_create(&e, NULL, echo_conn, (void *) (intptr_t) s);
	pthread_create(&info, NULL, info_reader, (void *) (intptr_t) c);
	struct sender snd = {c, 99, -1};
	pthread_t t;
	pthread_create(&t, NULL, send_all, &snd);
	CHECK(read_pattern(c, 99) == LEN);
	pthread_join(t, NULL);
	CHECK(snd.rc == 0);
	__atomic_store_n(&stop_info, 1, __ATOMIC_RELAXED);
	pthread_join(info, NULL);
	pthread_join(e, NULL);
	ioth_close(c);
	ioth_close(l2);
	ioth_close(l);
	CHECK(ioth_delstack(A) == 0);
	CHECK(ioth_delstack(B) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_tcp_threads");
}
