/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libvdeplug's switch:// plugin makes the opener the switch itself: it
 * forwards frames between its ports while the opener keeps reading its own
 * connection. A thread does that reading (and drops what the switch sends
 * to the opener's own port). */
#include "vdeswitch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvdeplug.h>

struct vdeswitch {
	VDECONN *conn;
	pthread_t thread;
	int stoppipe[2];
	char path[PATH_MAX - 16];
	char vnl[PATH_MAX];
};

static void *vdeswitch_run(void *arg) {
	struct vdeswitch *sw = arg;
	struct pollfd pfd[2] = {
		{.fd = vde_datafd(sw->conn), .events = POLLIN},
		{.fd = sw->stoppipe[0], .events = POLLIN},
	};
	char buf[VDE_ETHBUFSIZE];
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents & POLLIN)
			(void) vde_recv(sw->conn, buf, sizeof(buf), 0);
	}
	return NULL;
}

struct vdeswitch *vdeswitch_start(const char *path) {
	static atomic_int seq;
	struct vdeswitch *sw = calloc(1, sizeof(*sw));
	if (sw == NULL)
		return NULL;
	if (pipe(sw->stoppipe) < 0)
		goto err_free;
	/* a name of our own: a directory left by a process of the same pid
	 * that was killed (EEXIST) makes us try the next one */
	for (int tries = 0; sw->conn == NULL; tries++) {
		if (path)
			snprintf(sw->path, sizeof(sw->path), "%s", path);
		else
			snprintf(sw->path, sizeof(sw->path), "/tmp/ioth-sw-%d-%d", (int) getpid(),
					atomic_fetch_add(&seq, 1));
		char url[PATH_MAX];
		snprintf(url, sizeof(url), "switch://%s", sw->path);
		errno = 0;
		sw->conn = vde_open(url, "ioth-switch", NULL);
		if (sw->conn == NULL && (path || errno != EEXIST || tries >= 100))
			goto err_pipe;
	}
	snprintf(sw->vnl, sizeof(sw->vnl), "vde://%s", sw->path);
	int err = pthread_create(&sw->thread, NULL, vdeswitch_run, sw);
	if (err) {
		errno = err;
		goto err_conn;
	}
	return sw;
err_conn:
	vde_close(sw->conn);
err_pipe:
	close(sw->stoppipe[0]);
	close(sw->stoppipe[1]);
err_free:
	free(sw);
	return NULL;
}

const char *vdeswitch_vnl(const struct vdeswitch *sw) {
	return sw->vnl;
}

void vdeswitch_stop(struct vdeswitch *sw) {
	if (sw == NULL)
		return;
	ssize_t n = write(sw->stoppipe[1], "", 1);
	(void) n;
	pthread_join(sw->thread, NULL);
	vde_close(sw->conn);
	close(sw->stoppipe[0]);
	close(sw->stoppipe[1]);
	free(sw);
}
