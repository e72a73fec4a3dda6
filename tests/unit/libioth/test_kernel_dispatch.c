/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Every call of the API dispatched to the `kernel` plugin over 127.0.0.1:
 * UDP and TCP, poll and epoll on the returned fds, options, ioctl, fcntl. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <ioth.h>

static struct ioth *stack;

static int setup(void **state) {
	stack = ioth_newstack("kernel", NULL);
	return stack ? 0 : -1;
}

static int teardown(void **state) {
	return ioth_delstack(stack);
}

static struct sockaddr_in loopback(int port) {
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static void test_udp(void **state) {
	int a = ioth_msocket(stack, AF_INET, SOCK_DGRAM, 0);
	int b = ioth_msocket(stack, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(a >= 0 && b >= 0);
	struct sockaddr_in sa = loopback(0), sb = loopback(0);
	socklen_t len = sizeof(sa);
	assert_int_equal(ioth_bind(a, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(ioth_bind(b, (struct sockaddr *) &sb, sizeof(sb)), 0);
	assert_int_equal(ioth_getsockname(a, (struct sockaddr *) &sa, &len), 0);
	len = sizeof(sb);
	assert_int_equal(ioth_getsockname(b, (struct sockaddr *) &sb, &len), 0);
	assert_true(ntohs(sa.sin_port) > 0);

	/* sendto / recvfrom */
	assert_int_equal(ioth_sendto(a, "ciao\n", 5, 0, (struct sockaddr *) &sb, sizeof(sb)), 5);
	char buf[64];
	struct sockaddr_in from;
	len = sizeof(from);
	assert_int_equal(ioth_recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *) &from, &len), 5);
	assert_memory_equal(buf, "ciao\n", 5);
	assert_int_equal(from.sin_port, sa.sin_port);

	/* connect, getpeername, send/recv with MSG_PEEK, FIONREAD */
	assert_int_equal(ioth_connect(a, (struct sockaddr *) &sb, sizeof(sb)), 0);
	struct sockaddr_in peer;
	len = sizeof(peer);
	assert_int_equal(ioth_getpeername(a, (struct sockaddr *) &peer, &len), 0);
	assert_int_equal(peer.sin_port, sb.sin_port);
	assert_int_equal(ioth_send(a, "peek", 4, 0), 4);
	struct pollfd pfd = {b, POLLIN, 0};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	int avail = 0;
	assert_int_equal(ioth_ioctl(b, FIONREAD, &avail), 0);
	assert_int_equal(avail, 4);
	assert_int_equal(ioth_recv(b, buf, sizeof(buf), MSG_PEEK), 4);
	assert_int_equal(ioth_recv(b, buf, sizeof(buf), 0), 4);

	/* write/read, writev/readv, sendmsg/recvmsg */
	assert_int_equal(ioth_write(a, "wr", 2), 2);
	assert_int_equal(ioth_read(b, buf, sizeof(buf)), 2);
	char p1[] = "ab", p2[] = "cde";
	struct iovec out[] = {{p1, 2}, {p2, 3}};
	assert_int_equal(ioth_writev(a, out, 2), 5);
	char q1[2], q2[10];
	struct iovec in[] = {{q1, 2}, {q2, 10}};
	assert_int_equal(ioth_readv(b, in, 2), 5);
	assert_memory_equal(q2, "cde", 3);
	struct msghdr msg = {.msg_iov = out, .msg_iovlen = 2};
	assert_int_equal(ioth_sendmsg(a, &msg, 0), 5);
	struct msghdr rmsg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = in,
		.msg_iovlen = 2};
	assert_int_equal(ioth_recvmsg(b, &rmsg, 0), 5);
	assert_int_equal(rmsg.msg_namelen, sizeof(struct sockaddr_in));

	/* fcntl O_NONBLOCK: nothing queued gives EAGAIN */
	int fl = ioth_fcntl(b, F_GETFL, 0);
	assert_true(fl >= 0);
	assert_int_equal(ioth_fcntl(b, F_SETFL, fl | O_NONBLOCK), 0);
	assert_true(ioth_fcntl(b, F_GETFL, 0) & O_NONBLOCK);
	assert_int_equal(ioth_recv(b, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(ioth_fcntl(b, F_GETFD, 0), FD_CLOEXEC);

	/* options */
	int rcvbuf = 65536, got = 0;
	len = sizeof(got);
	assert_int_equal(ioth_setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
	assert_int_equal(ioth_getsockopt(b, SOL_SOCKET, SO_RCVBUF, &got, &len), 0);
	assert_int_equal(got, 2 * rcvbuf); /* Linux doubles it */
	assert_int_equal(ioth_setsockopt(b, SOL_SOCKET, 9999, &rcvbuf, sizeof(rcvbuf)), -1);
	assert_int_equal(errno, ENOPROTOOPT);

	assert_int_equal(ioth_listen(a, 1), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(ioth_close(a), 0);
	assert_int_equal(ioth_close(b), 0);
}

static void test_tcp(void **state) {
	int l = ioth_msocket(stack, AF_INET, SOCK_STREAM, 0);
	int one = 1;
	assert_int_equal(ioth_setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	struct sockaddr_in sa = loopback(0);
	socklen_t len = sizeof(sa);
	assert_int_equal(ioth_bind(l, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(ioth_listen(l, 4), 0);
	assert_int_equal(ioth_getsockname(l, (struct sockaddr *) &sa, &len), 0);

	int c = ioth_msocket(stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = ioth_connect(c, (struct sockaddr *) &sa, sizeof(sa));
	assert_true(r == 0 || errno == EINPROGRESS);
	/* poll on the listening fd: a pending connection is POLLIN. */
	struct pollfd pfd = {l, POLLIN, 0};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	struct sockaddr_in peer;
	len = sizeof(peer);
	int s = ioth_accept(l, (struct sockaddr *) &peer, &len);
	assert_true(s >= 0);
	assert_int_equal(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	/* A non-blocking connect completes: POLLOUT, SO_ERROR 0. */
	pfd = (struct pollfd) {c, POLLOUT, 0};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	int err = -1;
	len = sizeof(err);
	assert_int_equal(ioth_getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	assert_int_equal(err, 0);
	assert_int_equal(ioth_setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);

	/* epoll on the accepted fd */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = s};
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), 0);
	assert_int_equal(ioth_send(c, "hello", 5, 0), 5);
	assert_int_equal(epoll_wait(ep, &ev, 1, 2000), 1);
	char buf[16];
	assert_int_equal(ioth_recv(s, buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "hello", 5);
	close(ep);

	/* Half close: the other side reads EOF, then still sends. */
	assert_int_equal(ioth_shutdown(c, SHUT_WR), 0);
	assert_int_equal(ioth_recv(s, buf, sizeof(buf), 0), 0);
	assert_int_equal(ioth_write(s, "bye", 3), 3);
	pfd = (struct pollfd) {c, POLLIN, 0};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(ioth_read(c, buf, sizeof(buf)), 3);
	assert_int_equal(ioth_close(s), 0);
	assert_int_equal(ioth_close(c), 0);
	assert_int_equal(ioth_close(l), 0);
}

static void test_errors_pass_through(void **state) {
	assert_int_equal(ioth_msocket(stack, 12345, SOCK_STREAM, 0), -1);
	assert_int_equal(errno, EAFNOSUPPORT);
	int fd = ioth_msocket(stack, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = loopback(1); /* nothing listens on port 1 */
	assert_int_equal(ioth_connect(fd, (struct sockaddr *) &sa, sizeof(sa)), -1);
	assert_int_equal(errno, ECONNREFUSED);
	char c;
	assert_int_equal(ioth_recv(fd, &c, 1, 0), -1);
	assert_int_equal(errno, ENOTCONN);
	ioth_close(fd);
	/* The kernel plugin ignores VNLs, as the original does. */
	struct ioth *k = ioth_newstack("kernel", "vde:///tmp/none");
	assert_non_null(k);
	assert_int_equal(ioth_delstack(k), 0);
}

static void test_getifaddrs_kernel(void **state) {
	struct ifaddrs *ifa;
	assert_int_equal(ioth_getifaddrs(stack, &ifa), 0);
	int lo4 = 0, lo_link = 0;
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
		if (strcmp(p->ifa_name, "lo") != 0 || p->ifa_addr == NULL)
			continue;
		if (p->ifa_addr->sa_family == AF_PACKET)
			lo_link = 1;
		if (p->ifa_addr->sa_family == AF_INET &&
				((struct sockaddr_in *) p->ifa_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
			lo4 = 1;
			assert_int_equal(((struct sockaddr_in *) p->ifa_netmask)->sin_addr.s_addr,
					htonl(0xff000000));
			/* lo is IFF_LOOPBACK: the union is ifa_dstaddr, the "peer", which
			 * glibc's getifaddrs (and the original libioth) report as 127.0.0.1 */
			assert_non_null(p->ifa_dstaddr);
			assert_int_equal(p->ifa_dstaddr->sa_family, AF_INET);
			assert_int_equal(((struct sockaddr_in *) p->ifa_dstaddr)->sin_addr.s_addr,
					htonl(INADDR_LOOPBACK));
		}
	}
	ioth_freeifaddrs(ifa);
	assert_true(lo4);
	assert_true(lo_link);
	assert_int_equal(ioth_if_nametoindex(stack, "lo"), 1);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_errors_pass_through),
		cmocka_unit_test(test_getifaddrs_kernel),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
