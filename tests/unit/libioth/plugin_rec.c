/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Test plugin "rec": records which entry point each call reached, to prove
 * the plugin ABI. It implements only the msg forms of the data calls (so
 * libioth's fallbacks are exercised), provides some calls by exported name
 * and fills others in newstack. Its sockets are real fds (one end of an
 * AF_UNIX datagram pair): what is sent comes back, so poll works on them.
 *
 * Introspection, through getsockopt at level REC_LEVEL:
 *   REC_OPT_DESCR    "options|nvnl|vnl0|vnl1..." of the stack
 *   REC_OPT_ID       the id= option of the stack getstackdata() returned
 *   REC_OPT_LASTCALL the entry point reached by the previous call
 *   REC_OPT_SERIAL   which stack of this plugin copy this is (1, 2, ...)
 * Options: id=NAME, fail=ERRNO (newstack fails with that errno). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <ioth.h>
#include "plugin_rec.h"

#define EXPORT __attribute__((visibility("default")))

struct rec_stack {
	char id[32];
	char descr[512];
	int serial;
};

/* One per loaded copy of the plugin: shared by all stacks when loaded once
 * (reentrant), private per stack under dlmopen. */
static atomic_int serial;
/* libioth's getstackdata, saved by every newstack (the same value each
 * time; atomic because stacks may be created by several threads at once). */
static _Atomic(typeof(getstackdata_prototype) *) getstackdata;
static __thread char lastcall[64];

struct pairs {
	int fd, peer;
};
static pthread_mutex_t pairs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pairs pairs[1024];

static void record(const char *call) {
	struct rec_stack *s = atomic_load_explicit(&getstackdata, memory_order_relaxed)();
	snprintf(lastcall, sizeof(lastcall), "%s@%s", call, s ? s->id : "?");
}

static int peer_of(int fd) {
	int peer = -1;
	pthread_mutex_lock(&pairs_lock);
	for (int i = 0; i < 1024; i++)
		if (pairs[i].fd == fd && pairs[i].peer > 0)
			peer = pairs[i].peer;
	pthread_mutex_unlock(&pairs_lock);
	return peer;
}

EXPORT int ioth_rec_socket(int domain, int type, int protocol) {
	record("socket");
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pthread_mutex_lock(&pairs_lock);
	for (int i = 0; i < 1024; i++)
		if (pairs[i].peer <= 0) {
			pairs[i] = (struct pairs) {sv[0], sv[1]};
			break;
		}
	pthread_mutex_unlock(&pairs_lock);
	return sv[0];
}

EXPORT int ioth_rec_close(int fd) {
	record("close");
	pthread_mutex_lock(&pairs_lock);
	for (int i = 0; i < 1024; i++)
		if (pairs[i].fd == fd && pairs[i].peer > 0) {
			close(pairs[i].peer);
			pairs[i].peer = 0;
		}
	pthread_mutex_unlock(&pairs_lock);
	return close(fd);
}

/* Sent data goes to the peer end, which the plugin bounces back. */
EXPORT ssize_t ioth_rec_sendmsg(int fd, const struct msghdr *msg, int flags) {
	record("sendmsg");
	struct msghdr m = *msg;
	m.msg_name = NULL;
	m.msg_namelen = 0;
	ssize_t n = sendmsg(fd, &m, flags);
	if (n < 0)
		return -1;
	char buf[65536];
	int peer = peer_of(fd);
	ssize_t got = recv(peer, buf, sizeof(buf), 0);
	if (got >= 0)
		send(peer, buf, (size_t) got, 0);
	return n;
}

EXPORT ssize_t ioth_rec_recvmsg(int fd, struct msghdr *msg, int flags) {
	record("recvmsg");
	socklen_t namelen = msg->msg_namelen;
	ssize_t n = recvmsg(fd, msg, flags);
	if (n >= 0 && msg->msg_name && namelen >= sizeof(struct sockaddr_in)) {
		/* A fixed "sender" so that recvfrom's fallback can be checked. */
		struct sockaddr_in *sin = msg->msg_name;
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(4242);
		inet_pton(AF_INET, "198.18.4.2", &sin->sin_addr);
		msg->msg_namelen = sizeof(*sin);
	} else if (n >= 0)
		msg->msg_namelen = 0;
	return n;
}

EXPORT int ioth_rec_connect(int fd, const struct sockaddr *addr, socklen_t len) {
	record("connect");
	return 0;
}

static int rec_bind_filled(int fd, const struct sockaddr *addr, socklen_t len) {
	record("bind(filled)");
	return 0;
}

/* Found by name, but newstack fills another pointer: the filled one wins. */
EXPORT int ioth_rec_getsockname(int fd, struct sockaddr *addr, socklen_t *len) {
	record("getsockname(byname)");
	return 0;
}
static int rec_getsockname_filled(int fd, struct sockaddr *addr, socklen_t *len) {
	record("getsockname(filled)");
	return 0;
}

static int put_string(void *optval, socklen_t *optlen, const char *s) {
	size_t len = strlen(s) + 1;
	if (*optlen < len)
		return errno = EINVAL, -1;
	memcpy(optval, s, len);
	*optlen = (socklen_t) len;
	return 0;
}

static int rec_getsockopt(int fd, int level, int name, void *optval, socklen_t *optlen) {
	char prev[64];
	snprintf(prev, sizeof(prev), "%s", lastcall);
	record("getsockopt");
	struct rec_stack *s = atomic_load_explicit(&getstackdata, memory_order_relaxed)();
	if (level != REC_LEVEL)
		return getsockopt(fd, level, name, optval, optlen);
	char num[16];
	switch (name) {
	case REC_OPT_DESCR:
		return put_string(optval, optlen, s->descr);
	case REC_OPT_ID:
		return put_string(optval, optlen, s->id);
	case REC_OPT_LASTCALL:
		return put_string(optval, optlen, prev);
	case REC_OPT_SERIAL:
		snprintf(num, sizeof(num), "%d", s->serial);
		return put_string(optval, optlen, num);
	}
	return errno = ENOPROTOOPT, -1;
}

EXPORT void *ioth_rec_newstack(const char *vnlv[], const char *options,
		struct ioth_functions *f) {
	const char *fail = strstr(options, "fail=");
	if (fail)
		return errno = atoi(fail + 5), NULL;
	struct rec_stack *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	const char *id = strstr(options, "id=");
	snprintf(s->id, sizeof(s->id), "%.*s", id ? (int) strcspn(id + 3, ",") : 1, id ? id + 3 : "-");
	int n = 0;
	while (vnlv[n])
		n++;
	int len = snprintf(s->descr, sizeof(s->descr), "%s|%d", options, n);
	for (int i = 0; i < n && len < (int) sizeof(s->descr); i++)
		len += snprintf(s->descr + len, sizeof(s->descr) - (size_t) len, "|%s", vnlv[i]);
	s->serial = atomic_fetch_add(&serial, 1) + 1;
	atomic_store_explicit(&getstackdata, f->getstackdata, memory_order_relaxed);
	f->bind = rec_bind_filled;
	f->getsockname = rec_getsockname_filled;
	f->getsockopt = rec_getsockopt;
	return s;
}

EXPORT int ioth_rec_delstack(void *stackdata) {
	free(stackdata);
	return 0;
}
