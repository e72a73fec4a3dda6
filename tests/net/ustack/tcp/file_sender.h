/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The sending half of a two-way transfer in the TCP test nodes: a thread
 * that writes a file to a connected socket, then shuts its write side.
 * The socket calls are the node's (tcp_peer through libioth, inject_node
 * through ustack's internal API), given as callbacks. */
#ifndef FILE_SENDER_H
#define FILE_SENDER_H
#include <fcntl.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

struct file_job {
	int fd;
	const char *in;
	/* the node's send (with MSG_NOSIGNAL) and shutdown(SHUT_WR) */
	ssize_t (*send)(int fd, const void *buf, size_t len);
	int (*shut_wr)(int fd);
	size_t chunk;                  /* bytes read from the file at a time (at most 65536) */
	unsigned pause_us;             /* a pause after each chunk (0: none) */
	unsigned long long *sent;      /* bytes sent, added atomically (NULL: not counted) */
	int rc;                        /* 0: all sent and the write side shut */
};

static inline void *file_sender(void *arg) {
	struct file_job *j = arg;
	j->rc = -1;
	int f = open(j->in, O_RDONLY);
	if (f < 0)
		return NULL;
	char buf[65536];
	size_t chunk = j->chunk && j->chunk < sizeof(buf) ? j->chunk : sizeof(buf);
	ssize_t n;
	while ((n = read(f, buf, chunk)) > 0) {
		ssize_t off = 0;
		while (off < n) {
			ssize_t w = j->send(j->fd, buf + off, (size_t) (n - off));
			if (w <= 0) {
				perror("send");
				close(f);
				return NULL;
			}
			off += w;
			if (j->sent)
				__atomic_add_fetch(j->sent, (unsigned long long) w, __ATOMIC_RELAXED);
		}
		if (j->pause_us)
			usleep(j->pause_us);
	}
	close(f);
	if (j->shut_wr(j->fd) == 0)
		j->rc = 0;
	return NULL;
}
#endif
