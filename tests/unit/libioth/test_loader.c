/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The loader and the plugin ABI, through the test plugins rec, recn,
 * nonew and gpl (built into the test plugin directory). */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <ioth.h>
#include "plugin_rec.h"

static const char *rec_opt(int fd, int opt) {
	static __thread char buf[512];
	socklen_t len = sizeof(buf);
	if (ioth_getsockopt(fd, REC_LEVEL, opt, buf, &len) < 0)
		return "(getsockopt failed)";
	return buf;
}

static void test_missing_plugin(void **state) {
	errno = 0;
	assert_null(ioth_newstack("no_such_plugin", NULL));
	assert_int_equal(errno, ENOTSUP);
	assert_null(ioth_newstack("no_such_plugin,opt=1", "vde:///nowhere"));
	assert_int_equal(errno, ENOTSUP);
}

static void test_bad_name(void **state) {
	assert_null(ioth_newstack("../rec", NULL));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ioth_delstack(NULL), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_no_newstack(void **state) {
	assert_null(ioth_newstack("nonew", NULL));
	assert_int_equal(errno, ENOENT);
}

static void test_plugin_error_passed(void **state) {
	assert_null(ioth_newstack("rec,fail=98", NULL));
	assert_int_equal(errno, 98);
	assert_null(ioth_newstack("rec,id=x,fail=19", NULL));
	assert_int_equal(errno, 19);
}

static void test_options_and_vnls(void **state) {
	struct ioth *s = ioth_newstackl("rec,id=A,x=1", "vde:///a", "vxvde://234.0.0.1", NULL);
	assert_non_null(s);
	int fd = ioth_msocket(s, AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_string_equal(rec_opt(fd, REC_OPT_DESCR), "id=A,x=1|2|vde:///a|vxvde://234.0.0.1");
	assert_int_equal(ioth_close(fd), 0);
	assert_int_equal(ioth_delstack(s), 0);

	const char *v[] = {"tap://t0", NULL};
	s = ioth_newstackv("rec", v);
	assert_non_null(s);
	fd = ioth_msocket(s, AF_INET, SOCK_DGRAM, 0);
	assert_string_equal(rec_opt(fd, REC_OPT_DESCR), "|1|tap://t0");
	ioth_close(fd);
	ioth_delstack(s);

	s = ioth_newstack("rec", NULL); /* no interface at all */
	fd = ioth_msocket(s, AF_INET, SOCK_DGRAM, 0);
	assert_string_equal(rec_opt(fd, REC_OPT_DESCR), "|0");
	ioth_close(fd);
	ioth_delstack(s);
	s = ioth_newstackl("rec", NULL);
	fd = ioth_msocket(s, AF_INET, SOCK_DGRAM, 0);
	assert_string_equal(rec_opt(fd, REC_OPT_DESCR), "|0");
	ioth_close(fd);
	ioth_delstack(s);
}

static void test_getstackdata_per_stack(void **state) {
	struct ioth *a = ioth_newstack("rec,id=A", NULL);
	struct ioth *b = ioth_newstack("rec,id=B", NULL);
	assert_non_null(a);
	assert_non_null(b);
	int fa = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	int fb = ioth_msocket(b, AF_INET, SOCK_DGRAM, 0);
	assert_string_equal(rec_opt(fb, REC_OPT_ID), "B");
	assert_string_equal(rec_opt(fa, REC_OPT_ID), "A");
	assert_string_equal(rec_opt(fb, REC_OPT_ID), "B");
	assert_int_equal(ioth_connect(fa, NULL, 0), 0);
	assert_string_equal(rec_opt(fa, REC_OPT_LASTCALL), "connect@A");
	assert_int_equal(ioth_connect(fb, NULL, 0), 0);
	assert_string_equal(rec_opt(fb, REC_OPT_LASTCALL), "connect@B");
	ioth_close(fa);
	ioth_close(fb);
	ioth_delstack(a);
	ioth_delstack(b);
}

/* Which entry point each call reached, and that the data made it. */
static void test_fallbacks_and_pointers(void **state) {
	struct ioth *s = ioth_newstack("rec,id=F", NULL);
	int fd = ioth_msocket(s, AF_INET, SOCK_DGRAM, 0);
	char buf[64];

	assert_int_equal(ioth_bind(fd, NULL, 0), 0);
	assert_string_equal(rec_opt(fd, REC_OPT_LASTCALL), "bind(filled)@F");
	assert_int_equal(ioth_getsockname(fd, NULL, NULL), 0);
	assert_string_equal(rec_opt(fd, REC_OPT_LASTCALL), "getsockname(filled)@F");
	assert_int_equal(ioth_listen(fd, 1), -1); /* provided by no one */
	assert_int_equal(errno, ENOSYS);
	assert_int_equal(ioth_accept(fd, NULL, NULL), -1);
	assert_int_equal(errno, ENOSYS);

	assert_int_equal(ioth_write(fd, "w", 1), 1);
	assert_string_equal(rec_opt(fd, REC_OPT_LASTCALL), "sendmsg@F");
	assert_int_equal(ioth_read(fd, buf, sizeof(buf)), 1);
	assert_string_equal(rec_opt(fd, REC_OPT_LASTCALL), "recvmsg@F");
	assert_memory_equal(buf, "w", 1);

	assert_int_equal(ioth_send(fd, "sx", 2, 0), 2);
	assert_string_equal(rec_opt(fd, REC_OPT_LASTCALL), "sendmsg@F");
	assert_int_equal(ioth_recv(fd, buf, sizeof(buf), 0), 2);
	assert_string_equal(rec_opt(fd, REC_OPT_LASTCALL), "recvmsg@F");
	assert_memory_equal(buf, "sx", 2);

	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
	assert_int_equal(ioth_sendto(fd, "abc", 3, 0, (struct sockaddr *) &to, sizeof(to)), 3);
	struct sockaddr_in from;
	socklen_t fromlen = sizeof(from) + 8;
	assert_int_equal(ioth_recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *) &from, &fromlen), 3);
	assert_string_equal(rec_opt(fd, REC_OPT_LASTCALL), "recvmsg@F");
	assert_int_equal(fromlen, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(from.sin_port), 4242);
	assert_memory_equal(buf, "abc", 3);

	char p1[] = "12", p2[] = "345";
	struct iovec out[] = {{p1, 2}, {p2, 3}};
	assert_int_equal(ioth_writev(fd, out, 2), 5);
	assert_string_equal(rec_opt(fd, REC_OPT_LASTCALL), "sendmsg@F");
	char q1[3], q2[8];
	struct iovec in[] = {{q1, 3}, {q2, 8}};
	assert_int_equal(ioth_readv(fd, in, 2), 5);
	assert_string_equal(rec_opt(fd, REC_OPT_LASTCALL), "recvmsg@F");
	assert_memory_equal(q1, "123", 3);
	assert_memory_equal(q2, "45", 2);

	/* MSG_DONTWAIT reaches the plugin: nothing queued, so EAGAIN. */
	assert_int_equal(ioth_recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);

	assert_int_equal(ioth_close(fd), 0);
	assert_int_equal(ioth_delstack(s), 0);
}

/* The fds are real: poll and epoll see what the stack queued. */
static void test_poll_epoll(void **state) {
	struct ioth *s = ioth_newstack("rec,id=P", NULL);
	int fd = ioth_msocket(s, AF_INET, SOCK_DGRAM, 0);
	struct pollfd pfd = {fd, POLLIN, 0};
	assert_int_equal(poll(&pfd, 1, 0), 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	assert_int_equal(epoll_wait(ep, &ev, 1, 0), 0);
	assert_int_equal(ioth_send(fd, "x", 1, 0), 1);
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_true(pfd.revents & POLLIN);
	assert_int_equal(epoll_wait(ep, &ev, 1, 1000), 1);
	assert_int_equal(ev.data.fd, fd);
	close(ep);
	ioth_close(fd);
	ioth_delstack(s);
}

static void test_ebadf(void **state) {
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	int bad[] = {-1, 9999, pipefd[0], 1 << 30};
	char buf[4];
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct msghdr msg = {0};
	struct iovec iov = {buf, sizeof(buf)};
	int v;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = bad[i];
#define EBADF_CALL(call)                                 \
	do {                                                 \
		errno = 0;                                       \
		assert_int_equal((long) (call), -1);             \
		assert_int_equal(errno, EBADF);                  \
	} while (0)
		EBADF_CALL(ioth_close(fd));
		EBADF_CALL(ioth_bind(fd, (struct sockaddr *) &sin, len));
		EBADF_CALL(ioth_connect(fd, (struct sockaddr *) &sin, len));
		EBADF_CALL(ioth_listen(fd, 1));
		EBADF_CALL(ioth_accept(fd, NULL, NULL));
		EBADF_CALL(ioth_getsockname(fd, (struct sockaddr *) &sin, &len));
		EBADF_CALL(ioth_getpeername(fd, (struct sockaddr *) &sin, &len));
		EBADF_CALL(ioth_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
		EBADF_CALL(ioth_getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
		EBADF_CALL(ioth_shutdown(fd, SHUT_RDWR));
		EBADF_CALL(ioth_ioctl(fd, FIONREAD, &v));
		EBADF_CALL(ioth_fcntl(fd, F_GETFL, 0));
		EBADF_CALL(ioth_read(fd, buf, 1));
		EBADF_CALL(ioth_readv(fd, &iov, 1));
		EBADF_CALL(ioth_recv(fd, buf, 1, 0));
		EBADF_CALL(ioth_recvfrom(fd, buf, 1, 0, NULL, NULL));
		EBADF_CALL(ioth_recvmsg(fd, &msg, 0));
		EBADF_CALL(ioth_write(fd, buf, 1));
		EBADF_CALL(ioth_writev(fd, &iov, 1));
		EBADF_CALL(ioth_send(fd, buf, 1, 0));
		EBADF_CALL(ioth_sendto(fd, buf, 1, 0, NULL, 0));
		EBADF_CALL(ioth_sendmsg(fd, &msg, 0));
	}
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_ebusy(void **state) {
	struct ioth *s = ioth_newstack("rec", NULL);
	int f1 = ioth_msocket(s, AF_INET, SOCK_DGRAM, 0);
	int f2 = ioth_msocket(s, AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(ioth_delstack(s), -1);
	assert_int_equal(errno, EBUSY);
	ioth_close(f1);
	assert_int_equal(ioth_delstack(s), -1);
	assert_int_equal(errno, EBUSY);
	ioth_close(f2);
	assert_int_equal(ioth_close(f2), -1); /* closed twice */
	assert_int_equal(errno, EBADF);
	assert_int_equal(ioth_delstack(s), 0);
}

static int hook_calls;
static struct ioth *hook_stack;
static void hook(struct ioth *st, void *arg) {
	hook_calls += *(int *) arg;
	hook_stack = st;
}

static void test_delstack_hooks(void **state) {
	int one = 1, ten = 10;
	assert_int_equal(ioth_add_delstack_hook(NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ioth_add_delstack_hook(hook, &one), 0);
	assert_int_equal(ioth_add_delstack_hook(hook, &one), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(ioth_add_delstack_hook(hook, &ten), 0);
	struct ioth *s = ioth_newstack("rec", NULL);
	int fd = ioth_msocket(s, AF_INET, SOCK_DGRAM, 0);
	hook_calls = 0;
	/* Hooks run before the open-socket check. */
	assert_int_equal(ioth_delstack(s), -1);
	assert_int_equal(hook_calls, 11);
	assert_ptr_equal(hook_stack, s);
	ioth_close(fd);
	assert_int_equal(ioth_del_delstack_hook(hook, &ten), 0);
	assert_int_equal(ioth_del_delstack_hook(hook, &ten), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ioth_delstack(s), 0);
	assert_int_equal(hook_calls, 12);
	assert_int_equal(ioth_del_delstack_hook(hook, &one), 0);
}

static void test_default_stack(void **state) {
	/* As the original: a descriptor of the kernel's stack, not NULL. */
	struct ioth *native = ioth_get_defstack();
	assert_non_null(native);
	struct ioth *s = ioth_newstack("rec,id=D", NULL);
	ioth_set_defstack(s);
	assert_ptr_equal(ioth_get_defstack(), s);
	int fd = ioth_socket(AF_INET, SOCK_DGRAM, 0);
	assert_string_equal(rec_opt(fd, REC_OPT_ID), "D");
	ioth_close(fd);
	fd = ioth_msocket(NULL, AF_INET, SOCK_DGRAM, 0);
	assert_string_equal(rec_opt(fd, REC_OPT_ID), "D");
	ioth_close(fd);
	ioth_set_defstack(NULL);
	/* Back to the host kernel: a real UDP socket. */
	fd = ioth_socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	int type = 0;
	socklen_t len = sizeof(type);
	assert_int_equal(ioth_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len), 0);
	assert_int_equal(type, SOCK_DGRAM);
	ioth_close(fd);
	assert_ptr_equal(ioth_get_defstack(), native);
	/* The saved kernel descriptor still means the kernel while another
	 * stack is the default. */
	ioth_set_defstack(s);
	fd = ioth_msocket(native, AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_string_equal(rec_opt(fd, REC_OPT_ID), "(getsockopt failed)"); /* not a rec socket */
	type = 0;
	len = sizeof(type);
	assert_int_equal(ioth_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len), 0);
	assert_int_equal(type, SOCK_DGRAM);
	ioth_close(fd);
	assert_int_equal(ioth_delstack(native), -1);
	assert_int_equal(errno, EINVAL);
	/* Deleting the default stack makes the kernel's the default again. */
	assert_int_equal(ioth_delstack(s), 0);
	assert_ptr_equal(ioth_get_defstack(), native);
}

static void test_native_by_empty_name(void **state) {
	struct ioth *n1 = ioth_newstack(NULL, NULL);
	struct ioth *n2 = ioth_newstack("", NULL);
	assert_non_null(n1);
	assert_non_null(n2);
	int fd = ioth_msocket(n2, AF_INET6, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	int dom = 0;
	socklen_t len = sizeof(dom);
	assert_int_equal(ioth_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len), 0);
	assert_int_equal(dom, AF_INET6);
	assert_int_equal(ioth_delstack(n2), -1);
	assert_int_equal(errno, EBUSY);
	ioth_close(fd);
	assert_int_equal(ioth_delstack(n1), 0);
	assert_int_equal(ioth_delstack(n2), 0);
}

static void test_license(void **state) {
	ioth_set_license(NULL);
	assert_null(ioth_newstack("gpl", NULL));
	assert_int_equal(errno, EPERM);
	ioth_set_license("SPDX-License-Identifier: MIT");
	assert_null(ioth_newstack("gpl", NULL));
	assert_int_equal(errno, EPERM);
	ioth_set_license("SPDX-License-Identifier: GPL-2.0-only");
	assert_null(ioth_newstack("gpl", NULL));
	assert_int_equal(errno, EPERM);
	ioth_set_license("SPDX-License-Identifier: GPL-3.0-or-later");
	struct ioth *s = ioth_newstack("gpl", NULL);
	assert_non_null(s);
	assert_int_equal(ioth_delstack(s), 0);
	/* An LGPL plugin loads with no declared license. */
	ioth_set_license(NULL);
	s = ioth_newstack("kernel", NULL);
	assert_non_null(s);
	ioth_delstack(s);
}

/* ioth_recn.so is not reentrant: each stack gets a private copy with its
 * own globals, so each is "stack number 1" of its copy. The reentrant
 * ioth_rec-r.so is one copy: its stacks are numbered in sequence. */
static void test_dlmopen_isolation(void **state) {
	struct ioth *a = ioth_newstack("recn,id=a", NULL);
	struct ioth *b = ioth_newstack("recn,id=b", NULL);
	assert_non_null(a);
	assert_non_null(b);
	int fa = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	int fb = ioth_msocket(b, AF_INET, SOCK_DGRAM, 0);
	assert_string_equal(rec_opt(fa, REC_OPT_SERIAL), "1");
	assert_string_equal(rec_opt(fb, REC_OPT_SERIAL), "1");
	assert_string_equal(rec_opt(fb, REC_OPT_ID), "b");
	/* Data still flows through the private copies. */
	char buf[8];
	assert_int_equal(ioth_write(fa, "iso", 3), 3);
	assert_int_equal(ioth_read(fa, buf, sizeof(buf)), 3);
	ioth_close(fa);
	ioth_close(fb);
	ioth_delstack(a);
	ioth_delstack(b);

	a = ioth_newstack("rec", NULL);
	b = ioth_newstack("rec", NULL);
	fa = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	fb = ioth_msocket(b, AF_INET, SOCK_DGRAM, 0);
	int sa = atoi(rec_opt(fa, REC_OPT_SERIAL));
	int sb = atoi(rec_opt(fb, REC_OPT_SERIAL));
	assert_int_equal(sb, sa + 1);
	ioth_close(fa);
	ioth_close(fb);
	ioth_delstack(a);
	ioth_delstack(b);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_plugin),
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_no_newstack),
		cmocka_unit_test(test_plugin_error_passed),
		cmocka_unit_test(test_options_and_vnls),
		cmocka_unit_test(test_getstackdata_per_stack),
		cmocka_unit_test(test_fallbacks_and_pointers),
		cmocka_unit_test(test_poll_epoll),
		cmocka_unit_test(test_ebadf),
		cmocka_unit_test(test_ebusy),
		cmocka_unit_test(test_delstack_hooks),
		cmocka_unit_test(test_default_stack),
		cmocka_unit_test(test_native_by_empty_name),
		cmocka_unit_test(test_license),
		cmocka_unit_test(test_dlmopen_isolation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
