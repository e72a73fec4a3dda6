/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The readiness descriptor of a socket: the real fd a program polls,
 * selects or epolls, whose events ustack sets.
 *
 * Linux has no file whose poll events user space may set (the vpoll
 * eventfd extension is not in the kernel), so each socket is a connected
 * AF_UNIX stream pair: the program holds one end (fd), ustack the other
 * (peer), both with the smallest send buffer:
 *   POLLIN   a byte waits on fd (sent from peer; drained from fd to clear)
 *   POLLOUT  fd's send buffer has room (two unread bytes sent from fd fill
 *            it: their truesize is over a quarter of the minimum SO_SNDBUF;
 *            draining them at peer makes it writable again)
 *            a new edge while it is on: one more byte (epoll's EPOLLET
 *            reports every write to the pair)
 *   POLLRDHUP  peer shut down for writing (POLLIN comes with it: as a
 *            TCP socket's after the FIN, fd reads end of file); final.
 *   POLLHUP  peer shut down both ways (POLLIN and POLLRDHUP come with it);
 *            final: a shut down pair cannot be reopened.
 * POLLERR cannot be carried: callers signal errors with POLLIN.
 *
 * Every change of events is a raw send/recv syscall with MSG_DONTWAIT:
 * whatever a program does to fd's file flags (fcntl(F_SETFL) without
 * O_NONBLOCK) nothing here can block, and no interposed libc (iothrun's
 * preload, the sanitizers) sees these calls. Nothing is shared between
 * sockets: no table, no lock.
 * Two descriptors per socket (docs/ustack.md: the descriptor limit). */
#ifndef USTACK_SOCKET_READYFD_H
#define USTACK_SOCKET_READYFD_H
#include <stdint.h>

/* A new pair with POLLOUT set; cloexec applies to fd (peer always has
 * it). Returns fd and sets *peer, or -1 with errno. */
int readyfd_open(int *peer, int cloexec);
/* Turn events on and off (EPOLLIN, EPOLLOUT, EPOLLRDHUP and EPOLLHUP on;
 * others ignored). */
void readyfd_change(int fd, int peer, uint32_t on, uint32_t off);
/* POLLIN is on: a new edge for edge-triggered epoll (another byte
 * written; Linux wakes the waiters on every arrival of data) */
void readyfd_edge(int fd, int peer);
void readyfd_close(int fd, int peer);
/* fcntl(fd, F_DUPFD or F_DUPFD_CLOEXEC, min) and close(fd), raw: -errno */
int readyfd_dup(int fd, int cmd, int min);
void readyfd_close_one(int fd);
#endif
