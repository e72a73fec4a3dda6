/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libioth under many threads (run under ThreadSanitizer by make check):
 * threads create and delete their own stacks while they and others open,
 * use and close sockets on a shared stack; fd numbers are reused all the
 * time, and each call must still reach the right stack. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <ioth.h>
#include "plugin_rec.h"

#define THREADS 4
#define ROUNDS 300

static struct ioth *shared;
static int failed;

static int stack_id_of(int fd, char *buf, socklen_t size) {
	return ioth_getsockopt(fd, REC_LEVEL, REC_OPT_ID, buf, &size);
}

static void *worker(void *arg) {
	long me = (long) arg;
	char opts[32], want[8], got[32];
	snprintf(want, sizeof(want), "t%ld", me);
	snprintf(opts, sizeof(opts), "rec,id=%s", want);
	for (int r = 0; r < ROUNDS; r++) {
		struct ioth *mine = ioth_newstack(opts, NULL);
		if (mine == NULL)
			goto fail;
		int a = ioth_msocket(mine, AF_INET, SOCK_DGRAM, 0);
		int b = ioth_msocket(shared, AF_INET, SOCK_DGRAM, 0);
		if (a < 0 || b < 0)
			goto fail;
		if (stack_id_of(a, got, sizeof(got)) < 0 || strcmp(got, want) != 0)
			goto fail;
		if (stack_id_of(b, got, sizeof(got)) < 0 || strcmp(got, "shared") != 0)
			goto fail;
		char buf[16];
		if (ioth_write(a, "x", 1) != 1 || ioth_read(a, buf, sizeof(buf)) != 1)
			goto fail;
		if (ioth_close(a) < 0 || ioth_close(b) < 0 || ioth_delstack(mine) < 0)
			goto fail;
	}
	return NULL;
fail:
	fprintf(stderr, "thread %ld: %s\n", me, strerror(errno));
	__atomic_store_n(&failed, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(void) {
	shared = ioth_newstack("rec,id=shared", NULL);
	if (shared == NULL) {
		perror("rec plugin");
		return 1;
	}
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *) i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	if (ioth_delstack(shared) < 0) {
		perror("delstack shared (sockets left open?)");
		return 1;
	}
	printf("%d threads x %d rounds: %s\n", THREADS, ROUNDS, failed ? "FAILED" : "ok");
	return failed;
}
