/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The fd -> stack map, on every data-path call: a two-level array of atomic
 * pointers indexed by fd. Lookups are two acquire loads, no lock; pages of
 * entries are allocated on first use and never freed while the library is
 * loaded, so a reader never sees a page go away.
 *
 * Why not libfduserdata: it takes a mutex per get/put (bench/fdmap_bench.c
 * measures both; docs/performance.md has the figures).
 *
 * fd reuse: ioth_close clears the entry *before* the plugin closes the fd,
 * so when the kernel hands the same number to another socket, the new
 * owner's ioth_fdmap_set cannot be undone by the old close. */
#include <errno.h>
#include <stdlib.h>
#include "internal.h"

#define FDMAP_PAGE_BITS 10
#define FDMAP_PAGE_SIZE (1 << FDMAP_PAGE_BITS)
#define FDMAP_PAGES (1 << 14) /* 16M fds: far beyond any RLIMIT_NOFILE in use */

struct fdmap_page {
	_Atomic(struct ioth *) entry[FDMAP_PAGE_SIZE];
};

static _Atomic(struct fdmap_page *) fdmap[FDMAP_PAGES];

static struct fdmap_page *fdmap_page(int fd, int create) {
	unsigned int p = (unsigned int) fd >> FDMAP_PAGE_BITS;
	if (p >= FDMAP_PAGES)
		return NULL;
	struct fdmap_page *page = atomic_load_explicit(&fdmap[p], memory_order_acquire);
	if (page || !create)
		return page;
	struct fdmap_page *fresh = calloc(1, sizeof(*fresh));
	if (fresh == NULL)
		return NULL;
	if (atomic_compare_exchange_strong_explicit(&fdmap[p], &page, fresh,
				memory_order_acq_rel, memory_order_acquire))
		return fresh;
	free(fresh); /* another thread won the race: use its page */
	return page;
}

int ioth_fdmap_set(int fd, struct ioth *st) {
	if (fd < 0)
		return errno = EBADF, -1;
	struct fdmap_page *page = fdmap_page(fd, 1);
	if (page == NULL)
		return errno = ENOMEM, -1;
	atomic_store_explicit(&page->entry[fd & (FDMAP_PAGE_SIZE - 1)], st, memory_order_release);
	return 0;
}

struct ioth *ioth_fdmap_get(int fd) {
	if (fd < 0)
		return NULL;
	struct fdmap_page *page = fdmap_page(fd, 0);
	if (page == NULL)
		return NULL;
	return atomic_load_explicit(&page->entry[fd & (FDMAP_PAGE_SIZE - 1)], memory_order_acquire);
}

struct ioth *ioth_fdmap_take(int fd) {
	if (fd < 0)
		return NULL;
	struct fdmap_page *page = fdmap_page(fd, 0);
	if (page == NULL)
		return NULL;
	return atomic_exchange_explicit(&page->entry[fd & (FDMAP_PAGE_SIZE - 1)], NULL,
			memory_order_acq_rel);
}

__attribute__((destructor)) static void fdmap_fini(void) {
	for (int p = 0; p < FDMAP_PAGES; p++)
		free(atomic_exchange(&fdmap[p], NULL));
}
