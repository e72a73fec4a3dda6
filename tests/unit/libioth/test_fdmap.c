/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The fd -> stack map: set/get/take, bounds, and many threads reusing the
 * same fd numbers at once (run under ThreadSanitizer by make check). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "internal.h"

static struct ioth *fake(uintptr_t n) {
	return (struct ioth *) (n * 64);
}

static void test_basic(void **state) {
	assert_null(ioth_fdmap_get(3));
	assert_int_equal(ioth_fdmap_set(3, fake(1)), 0);
	assert_ptr_equal(ioth_fdmap_get(3), fake(1));
	assert_null(ioth_fdmap_get(4));
	assert_ptr_equal(ioth_fdmap_take(3), fake(1));
	assert_null(ioth_fdmap_get(3));
	assert_null(ioth_fdmap_take(3));
}

static void test_bounds(void **state) {
	assert_int_equal(ioth_fdmap_set(-1, fake(1)), -1);
	assert_int_equal(errno, EBADF);
	assert_null(ioth_fdmap_get(-5));
	assert_null(ioth_fdmap_get(1 << 30));
	assert_int_equal(ioth_fdmap_set(1 << 30, fake(1)), -1);
	/* Far fds live in their own pages. */
	assert_int_equal(ioth_fdmap_set(1000000, fake(7)), 0);
	assert_ptr_equal(ioth_fdmap_get(1000000), fake(7));
	assert_null(ioth_fdmap_get(1000001));
	assert_ptr_equal(ioth_fdmap_take(1000000), fake(7));
}

/* Each thread owns a slice of fd numbers and cycles them through
 * set/get/take like sockets being opened and closed; all threads read
 * every slice meanwhile. An entry may only ever hold its owner's value. */
#define THREADS 4
#define SLICE 300
#define ROUNDS 2000

static void *worker(void *arg) {
	uintptr_t me = (uintptr_t) arg;
	int base = (int) (me * SLICE);
	for (int r = 0; r < ROUNDS; r++) {
		int fd = base + (r * 7) % SLICE;
		if (ioth_fdmap_set(fd, fake(me + 1)) < 0)
			return (void *) 1;
		struct ioth *seen = ioth_fdmap_get(fd);
		if (seen != fake(me + 1))
			return (void *) 2;
		int other = (fd + SLICE * (r % THREADS)) % (SLICE * THREADS);
		struct ioth *o = ioth_fdmap_get(other);
		if (o != NULL && o != fake((uintptr_t) (other / SLICE) + 1))
			return (void *) 3;
		if (ioth_fdmap_take(fd) != fake(me + 1))
			return (void *) 4;
	}
	return NULL;
}

static void test_threads(void **state) {
	pthread_t t[THREADS];
	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *) i), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
