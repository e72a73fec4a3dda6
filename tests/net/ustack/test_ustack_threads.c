/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Several threads on several sockets of several stacks at once: each pair
 * of threads exchanges numbered, acknowledged datagrams over its own
 * sockets, blocking and non-blocking, while other threads ping, list
 * interfaces through netlink, open and close sockets, and one stack is
 * created and deleted repeatedly. Run it
 * under -DSANITIZE=thread (label "threads"). */
#include <pthread.h>
#include <stdatomic.h>

#include "ustest.h"
#include "vdeswitch.h"

#define NSTACKS 3
#define PAIRS 4
#define MSGS 300

static struct ioth *st[NSTACKS];
static const char *addr[NSTACKS] = {"198.18.0.1", "198.18.0.2", "198.18.0.3"};
static struct vdeswitch *sw;

struct pair {
	int id;
	int from, to;       /* stack indexes */
	int ok, sent_ok;
};

/* The receiver echoes every datagram (an acknowledgement) and checks that
 * the numbers arrive in order, each at least once (the sender repeats
 * what was not acknowledged: a switch under load drops frames). */
static void *receiver(void *arg) {
	struct pair *p = arg;
	int fd = ioth_msocket(st[p->to], AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in b = sin4("0.0.0.0", 7000 + p->id);
	if (fd < 0 || ioth_bind(fd, (struct sockaddr *) &b, sizeof(b)) < 0)
		return NULL;
	struct timeval tv = {.tv_sec = 10};
	ioth_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	int next = 0, order_ok = 1;
	while (next < MSGS) {
		int v;
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = ioth_recvfrom(fd, &v, sizeof(v), 0, (struct sockaddr *) &from, &fl);
		if (n != sizeof(v))
			break;
		if (v == next)
			next++;
		else if (v > next)
			order_ok = 0;  /* a number skipped: never acknowledged before */
		ioth_sendto(fd, &v, sizeof(v), 0, (struct sockaddr *) &from, fl);
	}
	ioth_close(fd);
	p->ok = order_ok && next == MSGS;
	if (!p->ok)
		fprintf(stderr, "pair %d: %d of %d, order %d\n", p->id, next, MSGS, order_ok);
	return NULL;
}

static void *sender(void *arg) {
	struct pair *p = arg;
	int nonblock = p->id & 1;
	int fd = ioth_msocket(st[p->from], AF_INET, SOCK_DGRAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	struct sockaddr_in to = sin4(addr[p->to], 7000 + p->id);
	if (fd < 0 || ioth_connect(fd, (struct sockaddr *) &to, sizeof(to)) < 0)
		return NULL;
	struct timeval tv = {.tv_usec = 300000};
	ioth_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	usleep(200000);  /* receivers bound */
	int acked = 0;
	for (int i = 0; i < MSGS; i++) {
		int got = 0;
		for (int tries = 0; tries < 30 && !got; tries++) {
			if (ioth_send(fd, &i, sizeof(i), 0) < 0 && errno != ECONNREFUSED && errno != EAGAIN)
				break;
			int v;
			ssize_t n;
			if (nonblock) {
				struct pollfd pfd = {.fd = fd, .events = POLLIN};
				n = poll(&pfd, 1, 300) == 1 ? ioth_recv(fd, &v, sizeof(v), 0) : -1;
			} else
				n = ioth_recv(fd, &v, sizeof(v), 0);
			/* late acknowledgements of earlier numbers are skipped */
			while (n == sizeof(v) && v < i)
				n = ioth_recv(fd, &v, sizeof(v), MSG_DONTWAIT);
			got = n == sizeof(v) && v == i;
		}
		if (!got)
			break;
		acked++;
	}
	ioth_close(fd);
	p->sent_ok = acked == MSGS;
	return NULL;
}

static atomic_int stop;

static void *pinger(void *arg) {
	int n = 0;
	while (!stop) {
		ustest_ping(st[0], addr[1 + n % 2], 100 + n % 3000, 1000);
		n++;
	}
	return NULL;
}

static void *churner(void *arg) {
	while (!stop) {
		/* sockets come and go on a busy stack; a stack comes and goes */
		int fd = ioth_msocket(st[1], AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in b = sin4("0.0.0.0", 0);
		ioth_bind(fd, (struct sockaddr *) &b, sizeof(b));
		ioth_close(fd);
		struct ifaddrs *ifa;
		if (ioth_getifaddrs(st[2], &ifa) == 0)
			ioth_freeifaddrs(ifa);
		struct ioth *tmp = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.50", 24);
		if (tmp) {
			ustest_ping(tmp, addr[0], 56, 500);
			ioth_delstack(tmp);
		}
	}
	return NULL;
}

int main(void) {
	sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	for (int i = 0; i < NSTACKS; i++) {
		st[i] = ustest_stack(NULL, vdeswitch_vnl(sw), addr[i], 24);
		REQUIRE(st[i]);
	}
	struct pair pairs[PAIRS];
	pthread_t rt[PAIRS], stt[PAIRS], pt, ct;
	for (int i = 0; i < PAIRS; i++) {
		pairs[i] = (struct pair){.id = i, .from = i % NSTACKS, .to = (i + 1) % NSTACKS};
		pthread_create(&rt[i], NULL, receiver, &pairs[i]);
	}
	for (int i = 0; i < PAIRS; i++)
		pthread_create(&stt[i], NULL, sender, &pairs[i]);
	pthread_create(&pt, NULL, pinger, NULL);
	pthread_create(&ct, NULL, churner, NULL);
	for (int i = 0; i < PAIRS; i++) {
		pthread_join(stt[i], NULL);
		pthread_join(rt[i], NULL);
		CHECK(pairs[i].ok);
		CHECK(pairs[i].sent_ok);
	}
	stop = 1;
	pthread_join(pt, NULL);
	pthread_join(ct, NULL);
	for (int i = 0; i < NSTACKS; i++)
		CHECK(ioth_delstack(st[i]) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_threads");
}
