/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "sock.h"

static int ret(int r) {
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

int api_socket(struct ustack *s, int domain, int type, int protocol) {
	if (s == NULL)
		return errno = EINVAL, -1;
	return sock_create(s, domain, type, protocol);
}

int api_close(struct ustack *s, int fd) {
	return sock_close(s, fd);
}

int api_bind(struct ustack *s, int fd, const struct sockaddr *a, socklen_t len) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r = a == NULL ? -EFAULT : sk->ops->bind ? sk->ops->bind(sk, a, len) : -EOPNOTSUPP;
	sock_put(sk);
	return ret(r);
}

int api_connect(struct ustack *s, int fd, const struct sockaddr *a, socklen_t len) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r = a == NULL ? -EFAULT : sk->ops->connect ? sk->ops->connect(sk, a, len) : -EOPNOTSUPP;
	sock_update_events(sk);
	sock_put(sk);
	return ret(r);
}

int api_listen(struct ustack *s, int fd, int backlog) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	/* datagram sockets: Linux sock_no_listen */
	int r = sk->ops->listen ? sk->ops->listen(sk, backlog) : -EOPNOTSUPP;
	sock_put(sk);
	return ret(r);
}

int api_accept(struct ustack *s, int fd, struct sockaddr *a, socklen_t *len) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	struct usock *child = NULL;
	int r;
	if (a != NULL && (len == NULL || (int) *len < 0))
		r = a && len == NULL ? -EFAULT : -EINVAL;
	else
		r = sk->ops->accept ? sk->ops->accept(sk, &child) : -EOPNOTSUPP;
	if (r == 0) {
		r = child->fd;
		if (a)
			child->ops->getname(child, a, len, true);
	}
	sock_put(sk);
	return ret(r);
}

int api_getname(struct ustack *s, int fd, struct sockaddr *a, socklen_t *len, int peer) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r;
	if (a == NULL || len == NULL)
		r = -EFAULT;
	else if ((int) *len < 0)
		r = -EINVAL;
	else
		r = sk->ops->getname(sk, a, len, peer);
	sock_put(sk);
	return ret(r);
}

int api_setsockopt(struct ustack *s, int fd, int level, int name, const void *v, socklen_t len) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r = sk->ops->setsockopt ? sk->ops->setsockopt(sk, level, name, v, len)
			: sock_setsockopt_generic(sk, level, name, v, len);
	sock_update_events(sk);
	sock_wake(sk);  /* new timeouts apply to callers already waiting */
	sock_put(sk);
	return ret(r);
}

int api_getsockopt(struct ustack *s, int fd, int level, int name, void *v, socklen_t *len) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r;
	if (len == NULL || (v == NULL && *len > 0))
		r = -EFAULT;
	else
		r = sk->ops->getsockopt ? sk->ops->getsockopt(sk, level, name, v, len)
				: sock_getsockopt_generic(sk, level, name, v, len);
	sock_put(sk);
	return ret(r);
}

int api_shutdown(struct ustack *s, int fd, int how) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r = 0;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		r = -EINVAL;
	else if (sk->ops->shutdown)
		r = sk->ops->shutdown(sk, how);
	else {
		/* Linux inet_shutdown on a datagram socket: applied, and ENOTCONN
		 * when it was not connected; blocked readers wake up either way */
		if (how != SHUT_WR)
			sk->shut_rd = true;
		if (how != SHUT_RD)
			sk->shut_wr = true;
		if (!sk->connected)
			r = -ENOTCONN;
		sock_update_events(sk);
		sock_wake(sk);
	}
	sock_put(sk);
	return ret(r);
}

int api_ioctl(struct ustack *s, int fd, unsigned long cmd, void *arg) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r = -ENOTTY;
	if (sk->ops->ioctl && arg)
		r = sk->ops->ioctl(sk, cmd, arg);
	if (r == -ENOTTY)
		r = sock_ioctl(sk, cmd, arg);
	sock_put(sk);
	return ret(r);
}

int api_fcntl(struct ustack *s, int fd, int cmd, long arg) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	int r;
	switch (cmd) {
	case F_GETFL:
		r = O_RDWR | (sk->nonblock ? O_NONBLOCK : 0);
		break;
	case F_SETFL:
		sk->nonblock = !!(arg & O_NONBLOCK);
		/* the real fd follows, for programs that read it directly */
		r = fcntl(fd, F_SETFL, (int) arg);
		r = r < 0 ? -errno : 0;
		break;
	case F_GETFD:
	case F_SETFD:
		r = fcntl(fd, cmd, (int) arg);
		if (r < 0)
			r = -errno;
		break;
	default:
		r = -EINVAL;
		break;
	}
	sock_put(sk);
	return ret(r);
}

static int iov_total(const struct msghdr *msg, size_t *total) {
	size_t t = 0;
	if (msg == NULL)
		return -EFAULT;
	if (msg->msg_iovlen > 1024)   /* Linux UIO_MAXIOV */
		return -EMSGSIZE;
	if (msg->msg_iovlen && msg->msg_iov == NULL)
		return -EFAULT;
	for (size_t i = 0; i < (size_t) msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_len > SSIZE_MAX - t)
			return -EINVAL;
		if (msg->msg_iov[i].iov_len && msg->msg_iov[i].iov_base == NULL)
			return -EFAULT;
		t += msg->msg_iov[i].iov_len;
	}
	*total = t;
	return 0;
}

ssize_t api_recvmsg(struct ustack *s, int fd, struct msghdr *msg, int flags) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	size_t total;
	ssize_t r = iov_total(msg, &total);
	if (r == 0 && (flags & MSG_OOB))
		r = -EOPNOTSUPP;
	if (r == 0)
		r = (flags & MSG_ERRQUEUE) ? sock_recv_errqueue(sk, msg, flags)
				: sk->ops->recvmsg ? sk->ops->recvmsg(sk, msg, flags) : sock_dgram_recvmsg(sk, msg, flags);
	sock_put(sk);
	if (r < 0) {
		errno = (int) -r;
		return -1;
	}
	return r;
}

ssize_t api_sendmsg(struct ustack *s, int fd, const struct msghdr *msg, int flags) {
	struct usock *sk = sock_get(s, fd);
	if (sk == NULL)
		return -1;
	size_t total;
	bool stream = sk->type == SOCK_STREAM;
	ssize_t r = iov_total(msg, &total);
	if (r == 0 && (flags & MSG_OOB))
		r = -EOPNOTSUPP;
	else if (r == 0 && stream)
		r = sk->ops->sendmsg(sk, msg, total, flags);  /* errors and EPIPE its own */
	else if (r == 0 && sk->shut_wr)
		r = -EPIPE;
	else if (r == 0 && sk->err) {
		/* a pending asynchronous error (ICMP) is reported by the next call */
		r = -sk->err;
		sk->err = 0;
		sock_update_events(sk);
	}
	if (r == 0 && !stream)
		r = sk->ops->sendmsg(sk, msg, total, flags);
	sock_put(sk);
	/* Linux: EPIPE on a stream raises SIGPIPE in the caller's thread,
	 * unless MSG_NOSIGNAL; raised without the stack lock */
	if (r == -EPIPE && stream && !(flags & MSG_NOSIGNAL))
		raise(SIGPIPE);
	if (r < 0) {
		errno = (int) -r;
		return -1;
	}
	return r;
}
