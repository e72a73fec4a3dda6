/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv4 routing: longest prefix, metrics, gateways on link, the implicit
 * local table, broadcast, errors with Linux's errno, link down. */
#include "ut_stack.h"

static uint32_t A(const char *s) {
	return inet_addr(s);
}

static void test_connected_and_lpm(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	struct ip4_route_res r;
	/* the address added a connected route */
	assert_int_equal(route4_lookup(s, A("198.18.0.9"), 0, &r), 0);
	assert_ptr_equal(r.ifp, ut_eth(s));
	assert_int_equal(r.nexthop, A("198.18.0.9"));
	assert_int_equal(r.src, A("198.18.0.1"));
	/* nothing else yet */
	assert_int_equal(route4_lookup(s, A("198.19.1.1"), 0, &r), -ENETUNREACH);
	/* default and a more specific route through two gateways */
	assert_int_equal(route4_add(s, 0, 0, A("198.18.0.254"), 0, 0, 4, 0, true), 0);
	assert_int_equal(route4_add(s, A("198.19.0.0"), 16, A("198.18.0.253"), 0, 0, 4, 0, true), 0);
	assert_int_equal(route4_lookup(s, A("198.19.1.1"), 0, &r), 0);
	assert_int_equal(r.nexthop, A("198.18.0.253"));
	assert_int_equal(route4_lookup(s, A("198.20.1.1"), 0, &r), 0);
	assert_int_equal(r.nexthop, A("198.18.0.254"));
	/* a host route beats both */
	assert_int_equal(route4_add(s, A("198.19.1.1"), 32, A("198.18.0.252"), 2, 0, 4, 0, true), 0);
	assert_int_equal(route4_lookup(s, A("198.19.1.1"), 0, &r), 0);
	assert_int_equal(r.nexthop, A("198.18.0.252"));
	assert_int_equal(route4_lookup(s, A("198.19.1.2"), 0, &r), 0);
	assert_int_equal(r.nexthop, A("198.18.0.253"));
	/* lower metric wins among equal prefixes */
	assert_int_equal(route4_add(s, A("198.19.0.0"), 16, A("198.18.0.251"), 0, 10, 4, 0, true), 0);
	assert_int_equal(route4_lookup(s, A("198.19.2.2"), 0, &r), 0);
	assert_int_equal(r.nexthop, A("198.18.0.253"));
	assert_int_equal(route4_del(s, A("198.19.0.0"), 16, A("198.18.0.253"), 0, true), 0);
	assert_int_equal(route4_lookup(s, A("198.19.2.2"), 0, &r), 0);
	assert_int_equal(r.nexthop, A("198.18.0.251"));
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_errors(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	/* Linux: invalid prefix for the length, gateway not on link, no device */
	assert_int_equal(route4_add(s, A("198.19.0.1"), 16, A("198.18.0.254"), 0, 0, 4, 0, true), -EINVAL);
	assert_int_equal(route4_add(s, A("198.19.0.0"), 33, A("198.18.0.254"), 0, 0, 4, 0, true), -EINVAL);
	assert_int_equal(route4_add(s, A("198.19.0.0"), 16, A("198.20.0.1"), 0, 0, 4, 0, true), -ENETUNREACH);
	assert_int_equal(route4_add(s, A("198.19.0.0"), 16, 0, 0, 0, 4, 0, true), -ENODEV);
	assert_int_equal(route4_add(s, A("198.19.0.0"), 16, 0, 99, 0, 4, 0, true), -ENODEV);
	assert_int_equal(route4_add(s, A("198.19.0.0"), 16, 0, 2, 0, 4, 0, true), 0);
	assert_int_equal(route4_add(s, A("198.19.0.0"), 16, 0, 2, 0, 4, 0, true), -EEXIST);
	assert_int_equal(route4_del(s, A("198.21.0.0"), 16, 0, 0, true), -ESRCH);
	assert_int_equal(route4_del(s, A("198.19.0.0"), 16, 0, 0, true), 0);
	assert_int_equal(route4_del(s, A("198.19.0.0"), 16, 0, 0, true), -ESRCH);
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_local_and_broadcast(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	struct ip4_route_res r;
	/* our own address and 127/8 go through lo (Linux's local table) */
	assert_int_equal(route4_lookup(s, A("198.18.0.1"), 0, &r), 0);
	assert_true(r.local);
	assert_ptr_equal(r.ifp, s->lo);
	assert_int_equal(r.src, A("198.18.0.1"));
	assert_int_equal(route4_lookup(s, A("127.3.2.1"), 0, &r), 0);
	assert_ptr_equal(r.ifp, s->lo);
	assert_int_equal(r.src, A("127.0.0.1"));
	/* subnet and limited broadcast */
	assert_int_equal(route4_lookup(s, A("198.18.0.255"), 0, &r), 0);
	assert_true(r.bcast);
	assert_int_equal(route4_lookup(s, A("255.255.255.255"), 0, &r), 0);
	assert_true(r.bcast);
	assert_ptr_equal(r.ifp, ut_eth(s));
	/* multicast without a route still finds the interface */
	assert_int_equal(route4_lookup(s, A("239.1.2.3"), 0, &r), 0);
	assert_true(r.mcast);
	assert_ptr_equal(r.ifp, ut_eth(s));
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_link_down(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	struct ip4_route_res r;
	assert_int_equal(route4_add(s, 0, 0, A("198.18.0.254"), 0, 0, 4, 0, true), 0);
	netif_set_up(ut_eth(s), false);
	/* Linux drops the routes of a device that goes down */
	assert_null(s->routes4);
	assert_int_equal(route4_lookup(s, A("198.18.0.9"), 0, &r), -ENETUNREACH);
	/* up again: the connected route is back, the static one is not */
	netif_set_up(ut_eth(s), true);
	assert_int_equal(route4_lookup(s, A("198.18.0.9"), 0, &r), 0);
	assert_int_equal(route4_lookup(s, A("198.19.0.9"), 0, &r), -ENETUNREACH);
	/* removing the address removes its connected route */
	assert_int_equal(ip4_addr_del(ut_eth(s), A("198.18.0.1"), 24), 0);
	assert_int_equal(route4_lookup(s, A("198.18.0.9"), 0, &r), -ENETUNREACH);
	assert_int_equal(ip4_addr_del(ut_eth(s), A("198.18.0.1"), 24), -EADDRNOTAVAIL);
	stack_unlock(s);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connected_and_lpm),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_local_and_broadcast),
		cmocka_unit_test(test_link_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
