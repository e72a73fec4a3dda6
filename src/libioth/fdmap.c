/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The fd -> stack map, on every data-path call: a struct fdtab
 * (src/util/fdtab.h: a two-level array of atomic slots indexed by fd,
 * lookups are two acquire loads, no lock; pages are allocated on first use
 * and never freed while the library is loaded).
 *
 * Why not libfduserdata: it takes a mutex per get/put (bench/fdmap_bench.c
 * measures both; docs/performance.md has the figures).
 *
 * fd reuse: ioth_close clears the entry *before* the plugin closes the fd,
 * so when the kernel hands the same number to another socket, the new
 * owner's ioth_fdmap_set cannot be undone by the old close. */
#include <errno.h>
#include <stdint.h>
#include "internal.h"
#include "../util/fdtab.h"

static struct fdtab fdmap;

int ioth_fdmap_set(int fd, struct ioth *st) {
	int rv = fdtab_set(&fdmap, fd, (uintptr_t) st);
	if (rv < 0)
		return errno = (rv == -EBADF ? EBADF : ENOMEM), -1;
	return 0;
}

struct ioth *ioth_fdmap_get(int fd) {
	return (struct ioth *) fdtab_get(&fdmap, fd);
}

struct ioth *ioth_fdmap_take(int fd) {
	return (struct ioth *) fdtab_take(&fdmap, fd);
}

__attribute__((destructor)) static void fdmap_fini(void) {
	fdtab_free(&fdmap);
}
