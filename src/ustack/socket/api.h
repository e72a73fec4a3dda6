/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The Berkeley calls on a stack: what plugin.c exports. Each returns the
 * result of the system call it stands for (-1 and errno on failure). */
#ifndef USTACK_SOCKET_API_H
#define USTACK_SOCKET_API_H
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "../core/stack.h"

int api_socket(struct ustack *s, int domain, int type, int protocol);
int api_close(struct ustack *s, int fd);
int api_bind(struct ustack *s, int fd, const struct sockaddr *a, socklen_t len);
int api_connect(struct ustack *s, int fd, const struct sockaddr *a, socklen_t len);
int api_listen(struct ustack *s, int fd, int backlog);
int api_accept(struct ustack *s, int fd, struct sockaddr *a, socklen_t *len);
int api_getname(struct ustack *s, int fd, struct sockaddr *a, socklen_t *len, int peer);
int api_setsockopt(struct ustack *s, int fd, int level, int name, const void *v, socklen_t len);
int api_getsockopt(struct ustack *s, int fd, int level, int name, void *v, socklen_t *len);
int api_shutdown(struct ustack *s, int fd, int how);
int api_ioctl(struct ustack *s, int fd, unsigned long cmd, void *arg);
int api_fcntl(struct ustack *s, int fd, int cmd, long arg);
ssize_t api_recvmsg(struct ustack *s, int fd, struct msghdr *msg, int flags);
ssize_t api_sendmsg(struct ustack *s, int fd, const struct msghdr *msg, int flags);
/* readv/read (iovcnt 1), writev/write and sendto/send: their own checks
 * (vector count, nothing to read, address length) before recvmsg/sendmsg */
ssize_t api_readv(struct ustack *s, int fd, const struct iovec *iov, int iovcnt);
ssize_t api_writev(struct ustack *s, int fd, const struct iovec *iov, int iovcnt);
ssize_t api_sendto(struct ustack *s, int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
		socklen_t tolen);
#endif
