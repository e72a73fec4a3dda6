/* SPDX-License-Identifier: LGPL-2.1-or-later
 * fakedns.c: see fakedns.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include "fakedns.h"

struct fakedns {
	int udp, tcp, other, conn;
	int udp6;                 /* [::1], same port; -1 without IPv6 */
	int peerfd;               /* the socket the current UDP query came in on */
	int port;
	int stop;
	pthread_t thread;
	pthread_mutex_t lock;
	fake_handler *handler;
	void *arg;
	struct sockaddr_storage peer;  /* the client of the current UDP query */
	socklen_t peerlen;
	struct fakedns_log log;
};

static void log_query(struct fakedns *f, int tcp, const uint8_t *q, size_t len,
		struct iothdns_header *h, uint16_t srcport) {
	pthread_mutex_lock(&f->lock);
	int i = f->log.n;
	if (i < FAKE_MAXLOG) {
		f->log.id[i] = h->id;
		f->log.srcport[i] = srcport;
		f->log.qtype[i] = h->qtype;
		snprintf(f->log.qname[i], IOTHDNS_MAXNAME, "%s", h->qname ? h->qname : "");
		/* an OPT record in the additional section */
		struct iothdns_header hh;
		char qn[IOTHDNS_MAXNAME], n[IOTHDNS_MAXNAME];
		struct iothdns_rr rr;
		int sec;
		struct iothdns_pkt *p = iothdns_get_header(&hh, (void *) q, len, qn);
		f->log.edns[i] = 0;
		while (p && (sec = iothdns_get_rr(p, &rr, n)) != 0)
			if (sec == IOTHDNS_SEC_ADDITIONAL && rr.type == IOTHDNS_TYPE_OPT)
				f->log.edns[i] = 1;
		iothdns_free(p);
	}
	f->log.n++;
	if (tcp)
		f->log.ntcp++;
	pthread_mutex_unlock(&f->lock);
}

static void dispatch(struct fakedns *f, int tcp, uint8_t *q, size_t len, uint16_t srcport) {
	struct iothdns_header h;
	char qname[IOTHDNS_MAXNAME];
	struct iothdns_pkt *p = iothdns_get_header(&h, q, len, qname);
	if (p == NULL)
		return;
	iothdns_free(p);
	log_query(f, tcp, q, len, &h, srcport);
	f->handler(f, tcp, q, len, &h);
}

static int read_n(int fd, uint8_t *buf, size_t n) {
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

static void *server(void *arg) {
	struct fakedns *f = arg;
	uint8_t buf[65536];
	while (!__atomic_load_n(&f->stop, __ATOMIC_SEQ_CST)) {
		struct pollfd pfd[] = {{f->udp, POLLIN, 0}, {f->tcp, POLLIN, 0}, {f->udp6, POLLIN, 0}};
		if (poll(pfd, f->udp6 >= 0 ? 3 : 2, 50) <= 0)
			continue;
		for (int u = 0; u < 3; u += 2) {
			if (u == 2 && f->udp6 < 0)
				break;
			if (!(pfd[u].revents & POLLIN))
				continue;
			f->peerlen = sizeof(f->peer);
			f->peerfd = pfd[u].fd;
			ssize_t n = recvfrom(f->peerfd, buf, sizeof(buf), 0, (struct sockaddr *) &f->peer, &f->peerlen);
			if (n > 0)
				dispatch(f, 0, buf, n, ntohs(((struct sockaddr_in *) &f->peer)->sin_port));
		}
		if (pfd[1].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			f->conn = accept(f->tcp, (struct sockaddr *) &from, &fl);
			if (f->conn < 0)
				continue;
			struct timeval tv = {2, 0};
			setsockopt(f->conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			uint8_t lb[2];
			/* one or more queries on the connection (RFC 7766 6.2.1) */
			while (read_n(f->conn, lb, 2) == 0) {
				size_t len = (lb[0] << 8) | lb[1];
				if (read_n(f->conn, buf, len) < 0)
					break;
				dispatch(f, 1, buf, len, ntohs(from.sin_port));
			}
			close(f->conn);
			f->conn = -1;
		}
	}
	return NULL;
}

struct fakedns *fakedns_start(fake_handler *handler, void *arg) {
	struct fakedns *f = calloc(1, sizeof(*f));
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);
	if (f == NULL)
		return NULL;
	f->handler = handler;
	f->arg = arg;
	f->conn = -1;
	pthread_mutex_init(&f->lock, NULL);
	/* a UDP port that is also free for TCP */
	for (int tries = 0; tries < 20; tries++) {
		f->udp = socket(AF_INET, SOCK_DGRAM, 0);
		sin.sin_port = 0;
		bind(f->udp, (struct sockaddr *) &sin, sizeof(sin));
		getsockname(f->udp, (struct sockaddr *) &sin, &sl);
		f->tcp = socket(AF_INET, SOCK_STREAM, 0);
		int one = 1;
		setsockopt(f->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(f->tcp, (struct sockaddr *) &sin, sizeof(sin)) == 0 && listen(f->tcp, 8) == 0)
			break;
		close(f->udp);
		close(f->tcp);
		f->udp = f->tcp = -1;
	}
	if (f->udp < 0) {
		free(f);
		return NULL;
	}
	f->port = ntohs(sin.sin_port);
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = sin.sin_port,
		.sin6_addr = IN6ADDR_LOOPBACK_INIT};
	f->udp6 = socket(AF_INET6, SOCK_DGRAM, 0);
	if (f->udp6 >= 0 && bind(f->udp6, (struct sockaddr *) &sin6, sizeof(sin6)) < 0) {
		close(f->udp6);
		f->udp6 = -1;
	}
	f->other = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_port = 0;
	bind(f->other, (struct sockaddr *) &sin, sizeof(sin));
	pthread_create(&f->thread, NULL, server, f);
	return f;
}

void fakedns_stop(struct fakedns *f) {
	__atomic_store_n(&f->stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(f->thread, NULL);
	close(f->udp);
	close(f->tcp);
	close(f->other);
	if (f->udp6 >= 0)
		close(f->udp6);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

int fakedns_has_ipv6(struct fakedns *f) {
	return f->udp6 >= 0;
}

int fakedns_port(struct fakedns *f) {
	return f->port;
}

void *fakedns_arg(struct fakedns *f) {
	return f->arg;
}

void fakedns_getlog(struct fakedns *f, struct fakedns_log *log) {
	pthread_mutex_lock(&f->lock);
	*log = f->log;
	pthread_mutex_unlock(&f->lock);
}

char *fakedns_config(struct fakedns *f, const char *extra) {
	char *s = NULL;
	if (asprintf(&s, "nameserver 127.0.0.1#%d\n%s\n", f->port, extra ? extra : "") < 0)
		return NULL;
	return s;
}

struct iothdns_pkt *fake_reply(struct iothdns_header *h, uint16_t flags) {
	struct iothdns_header r = *h;
	r.flags = IOTHDNS_RESPONSE | (h->flags & IOTHDNS_RD) | flags;
	return iothdns_put_header(&r);
}

void fake_send(struct fakedns *f, int tcp, const void *msg, size_t len) {
	if (tcp) {
		uint8_t lb[2] = {len >> 8, len};
		if (write(f->conn, lb, 2) != 2 || write(f->conn, msg, len) != (ssize_t) len)
			perror("fakedns tcp write");
	} else
		sendto(f->peerfd, msg, len, 0, (struct sockaddr *) &f->peer, f->peerlen);
}

void fake_send_pkt(struct fakedns *f, int tcp, struct iothdns_pkt *pkt) {
	fake_send(f, tcp, iothdns_buf(pkt), iothdns_buflen(pkt));
	iothdns_free(pkt);
}

void fake_send_other_port(struct fakedns *f, const void *msg, size_t len) {
	if (f->peer.ss_family == AF_INET)
		sendto(f->other, msg, len, 0, (struct sockaddr *) &f->peer, f->peerlen);
}
