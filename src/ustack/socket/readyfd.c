/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include "readyfd.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static void send_byte(int fd) {
	long r = syscall(SYS_sendto, fd, "", 1, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
	(void) r;
}

static bool send_byte_ok(int fd) {
	return syscall(SYS_sendto, fd, "", 1, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0) == 1;
}

static void drain(int fd) {
	char buf[64];
	long r;
	do
		r = syscall(SYS_recvfrom, fd, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
	while (r == (long) sizeof(buf));
}

int readyfd_open(int *peer, int cloexec) {
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | (cloexec ? SOCK_CLOEXEC : 0), 0, sv) < 0)
		return -1;
	if (!cloexec)
		fcntl(sv[1], F_SETFD, FD_CLOEXEC);
	/* the kernel raises it to its minimum (SOCK_MIN_SNDBUF) */
	int one = 1;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &one, sizeof(one));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &one, sizeof(one));
	*peer = sv[1];
	return sv[0];
}

void readyfd_change(int fd, int peer, uint32_t on, uint32_t off) {
	if (on & EPOLLIN)
		send_byte(peer);
	if (off & EPOLLIN)
		drain(fd);
	if (on & EPOLLOUT)
		drain(peer);
	if (off & EPOLLOUT) {
		send_byte(fd);
		send_byte(fd);
	}
	if (on & EPOLLHUP)
		shutdown(peer, SHUT_RDWR);
	else if (on & EPOLLRDHUP)
		shutdown(peer, SHUT_WR);
}

void readyfd_edge(int fd, int peer) {
	if (send_byte_ok(peer))
		return;
	/* the pair is full of unread bytes (its buffer is the smallest):
	 * empty it and write again, a new edge all the same */
	drain(fd);
	send_byte(peer);
}

void readyfd_close(int fd, int peer) {
	close(peer);
	close(fd);
}

/* Descriptors are made and closed through libc, so that the sanitizers'
 * tables of descriptors follow (a raw close hides a reuse of the number
 * from them); iothrun's preload passes the plugin's own calls to libc. */
int readyfd_dup(int fd, int cmd, int min) {
	int r = fcntl(fd, cmd, min);
	return r < 0 ? -errno : r;
}

void readyfd_close_one(int fd) {
	close(fd);
}
