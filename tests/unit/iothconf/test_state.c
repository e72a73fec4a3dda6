/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothconf's state (state.c, lease.c) against a fake stack: the fake
 * ioth_msocket/send/recv below record every rtnetlink request the library
 * makes and answer as a Linux stack would (or with a chosen error). Checks
 * what reaches the stack when sources replace, share and lose items, the
 * resolv.conf text, expiry with its log line, and the delstack hook
 * waiting for the thread that works on the stack. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <cmocka.h>
#include <ioth.h>
#include <iothconf.h>
#include "iothconf_int.h"

/* ---- the fake stack ---- */
static char ops[64][80];
static int nops;
static int fail_errno;         /* answer every add with this error */
static uint8_t reply[sizeof(struct nlmsghdr) + sizeof(struct nlmsgerr)];
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

int ioth_msocket(struct ioth *s, int d, int t, int p) { return d == AF_NETLINK ? 1000 : (errno = EAFNOSUPPORT, -1); }
int ioth_bind(int fd, const struct sockaddr *a, socklen_t l) { return 0; }
int ioth_close(int fd) { return 0; }

static void record(const struct nlmsghdr *h) {
	char a[INET6_ADDRSTRLEN] = "?", line[80];
	int add = h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_NEWROUTE;
	if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR) {
		const struct ifaddrmsg *i = NLMSG_DATA(h);
		int len = IFA_PAYLOAD(h);
		for (const struct rtattr *r = IFA_RTA(i); RTA_OK(r, len); r = RTA_NEXT(r, len))
			if (r->rta_type == IFA_LOCAL || r->rta_type == IFA_ADDRESS)
				inet_ntop(i->ifa_family, RTA_DATA(r), a, sizeof(a));
		snprintf(line, sizeof(line), "%s addr %s/%d", add ? "add" : "del", a, i->ifa_prefixlen);
	} else if (h->nlmsg_type == RTM_NEWROUTE || h->nlmsg_type == RTM_DELROUTE) {
		const struct rtmsg *m = NLMSG_DATA(h);
		int len = RTM_PAYLOAD(h), oif = 0;
		for (const struct rtattr *r = RTM_RTA(m); RTA_OK(r, len); r = RTA_NEXT(r, len)) {
			if (r->rta_type == RTA_GATEWAY)
				inet_ntop(m->rtm_family, RTA_DATA(r), a, sizeof(a));
			if (r->rta_type == RTA_OIF)
				oif = *(int *) RTA_DATA(r);
		}
		snprintf(line, sizeof(line), "%s route via %s dev %d", add ? "add" : "del", a, oif);
	} else
		snprintf(line, sizeof(line), "nl %d", h->nlmsg_type);
	if (nops < 64)
		strcpy(ops[nops++], line);
	struct nlmsghdr *rh = (void *) reply;
	struct nlmsgerr *e = NLMSG_DATA(rh);
	rh->nlmsg_len = sizeof(reply);
	rh->nlmsg_type = NLMSG_ERROR;
	e->error = add ? -fail_errno : 0;
}

ssize_t ioth_send(int fd, const void *buf, size_t len, int flags) {
	pthread_mutex_lock(&fake_lock);
	record(buf);
	pthread_mutex_unlock(&fake_lock);
	return len;
}
ssize_t ioth_recv(int fd, void *buf, size_t len, int flags) {
	size_t n = len < sizeof(reply) ? len : sizeof(reply);
	memcpy(buf, reply, n);
	return n;
}

static ioth_delstack_hook_t *hook;
int ioth_add_delstack_hook(ioth_delstack_hook_t *h, void *arg) { hook = h; return 0; }
int ioth_del_delstack_hook(ioth_delstack_hook_t *h, void *arg) { hook = NULL; return 0; }

/* ---- helpers ---- */
static struct ioth *const STACK = (struct ioth *) 0x1234;

static void reset_ops(void) { nops = 0; fail_errno = 0; }

static int has_op(const char *op) {
	for (int i = 0; i < nops; i++)
		if (strcmp(ops[i], op) == 0)
			return i + 1;
	return 0;
}

static struct ic_item *item(int src, int kind, const char *a, int plen, time_t exp) {
	uint8_t buf[16];
	int fam = 0;
	if (kind != IC_K_DOMAIN)
		fam = inet_pton(AF_INET, a, buf) == 1 ? AF_INET : (inet_pton(AF_INET6, a, buf), AF_INET6);
	return ic_item_new(src, kind, fam, kind == IC_K_DOMAIN ? NULL : buf, plen,
			kind == IC_K_DOMAIN ? a : NULL, exp);
}

static struct ic_item *list(struct ic_item *first, ...) {
	va_list ap;
	va_start(ap, first);
	struct ic_item *tail = first, *n;
	while ((n = va_arg(ap, struct ic_item *)) != NULL) {
		tail->next = n;
		tail = n;
	}
	va_end(ap);
	return first;
}

static struct ic_iface *take(unsigned ifindex) {
	int err;
	struct ic_iface *ifc = ic_iface_acquire(STACK, ifindex, 1, &err);
	assert_non_null(ifc);
	return ifc;
}

/* ---- tests ---- */
static void test_apply_and_replace(void **state) {
	reset_ops();
	struct ic_iface *ifc = take(2);
	/* the route is listed first: the address must still go first */
	int rv = ic_source_set(ifc, IC_SRC_STATIC, list(
			item(IC_SRC_STATIC, IC_K_ROUTE, "198.18.0.254", 0, IC_NEVER),
			item(IC_SRC_STATIC, IC_K_ADDR, "198.18.0.1", 24, IC_NEVER),
			item(IC_SRC_STATIC, IC_K_ROUTE, "fd00::fe", 0, IC_NEVER),
			item(IC_SRC_STATIC, IC_K_ADDR, "fd00::1", 64, IC_NEVER), NULL));
	assert_int_equal(rv, 0);
	assert_int_equal(nops, 4);
	assert_true(has_op("add addr 198.18.0.1/24") < has_op("add route via 198.18.0.254 dev 0"));
	assert_true(has_op("add addr fd00::1/64") < has_op("add route via fd00::fe dev 2"));
	/* a new static set: what stays is not touched, what went is removed */
	reset_ops();
	ic_source_set(ifc, IC_SRC_STATIC, list(
			item(IC_SRC_STATIC, IC_K_ADDR, "198.18.0.1", 24, IC_NEVER),
			item(IC_SRC_STATIC, IC_K_ADDR, "198.18.0.2", 24, IC_NEVER), NULL));
	assert_int_equal(nops, 4);
	assert_true(has_op("add addr 198.18.0.2/24"));
	assert_true(has_op("del addr fd00::1/64"));
	assert_true(has_op("del route via 198.18.0.254 dev 0"));
	assert_true(has_op("del route via fd00::fe dev 2"));
	assert_false(has_op("add addr 198.18.0.1/24"));
	/* -ip= */
	reset_ops();
	struct ic_static st = {.kind = IC_K_ADDR, .family = AF_INET, .prefixlen = 24};
	inet_pton(AF_INET, "198.18.0.2", st.addr);
	ic_static_remove(ifc, &st);
	assert_int_equal(nops, 1);
	assert_true(has_op("del addr 198.18.0.2/24"));
	reset_ops();
	ic_source_set(ifc, IC_SRC_STATIC, NULL);
	assert_int_equal(nops, 1);
	assert_true(has_op("del addr 198.18.0.1/24"));
	ic_iface_release(ifc);
}

static void test_shared_and_errors(void **state) {
	reset_ops();
	struct ic_iface *ifc = take(3);
	ic_source_set(ifc, IC_SRC_STATIC, item(IC_SRC_STATIC, IC_K_ADDR, "198.18.1.1", 24, IC_NEVER));
	/* DHCP gives the same address: the stack says EEXIST, that is fine */
	fail_errno = EEXIST;
	assert_int_equal(ic_source_set(ifc, IC_SRC_DHCP4,
				item(IC_SRC_DHCP4, IC_K_ADDR, "198.18.1.1", 24, IC_NEVER)), 0);
	/* DHCP drops it: static still has it, so it stays on the stack */
	reset_ops();
	ic_source_set(ifc, IC_SRC_DHCP4, NULL);
	assert_int_equal(nops, 0);
	ic_source_set(ifc, IC_SRC_STATIC, NULL);
	assert_true(has_op("del addr 198.18.1.1/24"));
	/* the stack refuses: the error comes back, the item is tried again */
	reset_ops();
	fail_errno = EAFNOSUPPORT;
	assert_int_equal(ic_source_set(ifc, IC_SRC_STATIC,
				item(IC_SRC_STATIC, IC_K_ADDR, "fd00:1::1", 64, IC_NEVER)), -EAFNOSUPPORT);
	fail_errno = 0;
	reset_ops();
	assert_int_equal(ic_source_set(ifc, IC_SRC_STATIC,
				item(IC_SRC_STATIC, IC_K_ADDR, "fd00:1::1", 64, IC_NEVER)), 0);
	assert_true(has_op("add addr fd00:1::1/64"));
	ic_source_set(ifc, IC_SRC_STATIC, NULL);
	ic_iface_release(ifc);
}

static void test_resolvconf(void **state) {
	struct ic_iface *ifc = take(4);
	errno = 5;
	assert_null(ic_resolvconf_text(STACK, 4));
	assert_int_equal(errno, 0);
	ic_source_set(ifc, IC_SRC_DHCP4, list(
			item(IC_SRC_DHCP4, IC_K_DNS, "198.18.2.53", 0, IC_NEVER),
			item(IC_SRC_DHCP4, IC_K_DNS, "fd00:2::53", 0, IC_NEVER),
			item(IC_SRC_DHCP4, IC_K_DOMAIN, "d4.test shared.test", 0, IC_NEVER), NULL));
	ic_source_set(ifc, IC_SRC_RD, list(
			item(IC_SRC_RD, IC_K_DNS, "fd00:2::53", 0, IC_NEVER),
			item(IC_SRC_RD, IC_K_DOMAIN, "rd.test", 0, IC_NEVER), NULL));
	ic_source_set(ifc, IC_SRC_DHCP6, list(
			item(IC_SRC_DHCP6, IC_K_DNS, "fd00:2::6", 0, IC_NEVER),
			item(IC_SRC_DHCP6, IC_K_DOMAIN, "shared.test d6.test", 0, IC_NEVER), NULL));
	ic_source_set(ifc, IC_SRC_STATIC, list(
			item(IC_SRC_STATIC, IC_K_DNS, "198.18.2.1", 0, IC_NEVER),
			item(IC_SRC_STATIC, IC_K_DNS, "fd00:2::1", 0, IC_NEVER),
			item(IC_SRC_STATIC, IC_K_DOMAIN, "static.test", 0, IC_NEVER), NULL));
	char *t = ic_resolvconf_text(STACK, 4);
	assert_non_null(t);
	assert_string_equal(t,
			"search static.test shared.test d6.test rd.test d4.test\n"
			"nameserver fd00:2::1\n"
			"nameserver 198.18.2.1\n"
			"nameserver fd00:2::6\n"
			"nameserver fd00:2::53\n"
			"nameserver 198.18.2.53\n");
	free(t);
	assert_null(ic_resolvconf_text(STACK, 4));
	/* an address change is not a resolver change */
	ic_source_set(ifc, IC_SRC_STATIC, list(
			item(IC_SRC_STATIC, IC_K_DNS, "198.18.2.1", 0, IC_NEVER),
			item(IC_SRC_STATIC, IC_K_DNS, "fd00:2::1", 0, IC_NEVER),
			item(IC_SRC_STATIC, IC_K_DOMAIN, "static.test", 0, IC_NEVER),
			item(IC_SRC_STATIC, IC_K_ADDR, "198.18.2.2", 24, IC_NEVER), NULL));
	errno = 0;
	assert_null(ic_resolvconf_text(STACK, 4));
	ic_source_set(ifc, IC_SRC_RD, NULL);
	t = ic_resolvconf_text(STACK, 4);
	assert_non_null(t);
	assert_null(strstr(t, "rd.test"));
	assert_non_null(strstr(t, "nameserver fd00:2::53\n"));   /* still from DHCPv4 */
	free(t);
	for (int s = 0; s < IC_NSRC; s++)
		ic_source_set(ifc, s, NULL);
	ic_iface_release(ifc);
}

static char logged[256];
static void on_log(struct ioth *s, int level, const char *msg, void *arg) {
	if (strstr(msg, "lifetime over"))
		snprintf(logged, sizeof(logged), "%s", msg);
}

static void test_expiry(void **state) {
	iothconf_set_log(on_log, NULL);
	reset_ops();
	struct ic_iface *ifc = take(5);
	time_t now = ic_now();
	ic_source_set(ifc, IC_SRC_RD, list(
			item(IC_SRC_RD, IC_K_ADDR, "fd00:5::1", 64, now + 1000),
			item(IC_SRC_RD, IC_K_ROUTE, "fe80::1", 0, now + 1),
			item(IC_SRC_RD, IC_K_DNS, "fd00:5::53", 0, now + 2000), NULL));
	char *t = ic_resolvconf_text(STACK, 5);
	free(t);
	reset_ops();
	ic_expire_items(ifc, now + 5);
	assert_int_equal(nops, 1);
	assert_true(has_op("del route via fe80::1 dev 5"));
	assert_non_null(strstr(logged, "rd lifetime over: route via fe80::1"));
	assert_null(ic_resolvconf_text(STACK, 5));   /* DNS unchanged */
	ic_expire_items(ifc, now + 1500);
	assert_true(has_op("del addr fd00:5::1/64"));
	ic_expire_items(ifc, now + 2500);
	t = ic_resolvconf_text(STACK, 5);
	assert_non_null(t);
	assert_string_equal(t, "");   /* the server went away: an empty configuration */
	free(t);
	assert_null(ifc->items);
	ic_iface_release(ifc);
	iothconf_set_log(NULL, NULL);
}

/* ---- delstack: the hook waits for the thread that owns the interface ---- */
static int worker_done, hook_returned_before_done;

static void *worker(void *arg) {
	struct ic_iface *ifc = arg;
	usleep(300000);   /* a renewal in progress */
	worker_done = 1;
	ic_iface_release(ifc);
	return NULL;
}

static void test_delstack_hook(void **state) {
	struct ic_iface *ifc = take(6);
	ic_source_set(ifc, IC_SRC_STATIC, item(IC_SRC_STATIC, IC_K_DNS, "198.18.6.53", 0, IC_NEVER));
	assert_non_null(hook);   /* registered by the first acquire */
	pthread_t t;
	pthread_create(&t, NULL, worker, ifc);
	hook(STACK, NULL);
	hook_returned_before_done = !worker_done;
	pthread_join(t, NULL);
	assert_false(hook_returned_before_done);
	/* the stack is forgotten: nothing to report, and a new acquire
	 * starts from scratch */
	errno = 0;
	assert_null(ic_resolvconf_text(STACK, 6));
	assert_int_equal(errno, 0);
	int err;
	assert_null(ic_iface_acquire(STACK, 6, 0, &err));
	assert_int_equal(err, -ENOENT);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_and_replace),
		cmocka_unit_test(test_shared_and_errors),
		cmocka_unit_test(test_resolvconf),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_delstack_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
