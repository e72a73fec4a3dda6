/* SPDX-License-Identifier: LGPL-2.1-or-later
 * fd -> stack lookups per second: libioth's atomic array (src/libioth/fdmap.c)
 * against Debian's libfduserdata (what the original libioth uses), with 1
 * and 2 threads looking up 1,000 live fds. Prints ns per lookup and the
 * ratio, both measured in this run. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <fduserdata.h>
#include "internal.h"

#define NFD 1000
#define LOOKUPS 5000000

static FDUSERDATA *table;
static volatile uintptr_t sink;

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *run_fdmap(void *arg) {
	uintptr_t acc = 0;
	unsigned int x = (unsigned int) (uintptr_t) arg;
	for (int i = 0; i < LOOKUPS; i++) {
		x = x * 1103515245 + 12345;
		acc += (uintptr_t) ioth_fdmap_get((int) (x % NFD) + 3);
	}
	sink = acc;
	return NULL;
}

static void *run_fduserdata(void *arg) {
	uintptr_t acc = 0;
	unsigned int x = (unsigned int) (uintptr_t) arg;
	for (int i = 0; i < LOOKUPS; i++) {
		x = x * 1103515245 + 12345;
		struct ioth **p = fduserdata_get(table, (int) (x % NFD) + 3);
		if (p) {
			acc += (uintptr_t) *p;
			fduserdata_put(p);
		}
	}
	sink = acc;
	return NULL;
}

static double measure(void *(*fn)(void *), int threads) {
	pthread_t t[8];
	double t0 = now();
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, fn, (void *) (uintptr_t) (i + 1));
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return (now() - t0) * 1e9 / ((double) LOOKUPS * threads) * threads;
}

int main(void) {
	table = fduserdata_create(0);
	for (int fd = 3; fd < NFD + 3; fd++) {
		struct ioth *fake = (struct ioth *) (uintptr_t) (fd * 64);
		ioth_fdmap_set(fd, fake);
		struct ioth **p = fduserdata_new(table, fd, struct ioth *);
		*p = fake;
		fduserdata_put(p);
	}
	printf("fd map lookup, ns per lookup per thread (lower is better), %d live fds\n", NFD);
	printf("%-8s %14s %14s %8s\n", "threads", "atomic array", "fduserdata", "ratio");
	for (int th = 1; th <= 2; th++) {
		double a = measure(run_fdmap, th);
		double f = measure(run_fduserdata, th);
		printf("%-8d %14.1f %14.1f %7.1fx\n", th, a, f, f / a);
	}
	fduserdata_destroy(table);
	return 0;
}
