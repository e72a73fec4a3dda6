/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A sending thread for a VNL whose send may block.
 *
 * ustack sends with the stack lock held and must never sleep there: the
 * thread that would make room at the other end may be waiting for that
 * lock, or (on a byte stream) for us to read. Most VNLs send on their
 * data fd, which link/vde.c makes non-blocking. libvdeplug's cmd://
 * writes each frame to a pipe of its own, blocking, that we cannot
 * reach: when the command at the other end (vde_plug, ssh) blocks
 * writing to us because our receive pipe is full, and we block writing
 * to it with the lock held, neither side reads again (a 32 MiB TCP
 * transfer over cmd:// stalled so, one run in two). For such a VNL the
 * frame is copied into a queue and this thread sends it, without the
 * stack's lock: the stack goes on reading while the send waits. A full
 * queue is a drop, as a device queue's (TCP recovers it). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "txworker.h"

/* about Linux's txqueuelen for a device (1000), bounded in memory for
 * large frames */
#define TXW_SLOTS_MAX 512
#define TXW_BYTES_MAX (8u << 20)

struct txworker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	ssize_t (*send)(void *conn, const void *buf, size_t len);
	void *conn;
	size_t slot_size;
	unsigned slots, head, count;
	bool stop;
	size_t *len;
	unsigned char *buf;
};

static void *txw_main(void *arg) {
	struct txworker *w = arg;
	/* cancelled (txworker_stop) only while it sends: never with mu held */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->count == 0 && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		unsigned i = w->head;
		pthread_mutex_unlock(&w->mu);
		/* the slot is ours until head moves past it */
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		(void) w->send(w->conn, w->buf + (size_t) i * w->slot_size, w->len[i]);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		pthread_mutex_lock(&w->mu);
		w->head = (w->head + 1) % w->slots;
		w->count--;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct txworker *txworker_start(ssize_t (*send)(void *conn, const void *buf, size_t len),
		void *conn, size_t max_frame) {
	int e;
	struct txworker *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->send = send;
	w->conn = conn;
	w->slot_size = (max_frame + 63) & ~(size_t) 63;
	w->slots = TXW_SLOTS_MAX;
	if ((size_t) w->slots * w->slot_size > TXW_BYTES_MAX)
		w->slots = (unsigned) (TXW_BYTES_MAX / w->slot_size);
	if (w->slots < 16)
		w->slots = 16;
	w->len = calloc(w->slots, sizeof(*w->len));
	w->buf = malloc((size_t) w->slots * w->slot_size);
	if (w->len == NULL || w->buf == NULL)
		goto fail;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* no signal for this thread: the application's handlers run in its
	 * own threads, and a write to a pipe whose reader is gone (SIGPIPE,
	 * directed at the writing thread) stays pending here instead of
	 * killing the process: the send fails with EPIPE, the frame is lost,
	 * as on a link that went down */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&w->thread, NULL, txw_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		errno = e;
		goto fail;
	}
	return w;
fail:
	e = errno;
	free(w->len);
	free(w->buf);
	free(w);
	errno = e;
	return NULL;
}

int txworker_push(struct txworker *w, const void *buf, size_t len) {
	if (len > w->slot_size)
		return -ENOBUFS;
	pthread_mutex_lock(&w->mu);
	if (w->count == w->slots || w->stop) {
		pthread_mutex_unlock(&w->mu);
		return -ENOBUFS;
	}
	unsigned i = (w->head + w->count) % w->slots;
	memcpy(w->buf + (size_t) i * w->slot_size, buf, len);
	w->len[i] = len;
	if (w->count++ == 0)
		pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

void txworker_stop(struct txworker *w) {
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 1;
	if (pthread_timedjoin_np(w->thread, NULL, &t) != 0) {
		/* still in a send nobody reads */
		pthread_cancel(w->thread);
		pthread_join(w->thread, NULL);
	}
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->len);
	free(w->buf);
	free(w);
}
