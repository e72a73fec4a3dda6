/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A process-wide table indexed by file descriptor, read without a lock on
 * every data-path call: libioth's fd -> stack map (src/libioth/fdmap.c),
 * ustack's fd -> socket table (src/ustack/socket/sock.c) and iothrun's set
 * of ioth descriptors (tools/iothrun/preload.c) are each one of these.
 *
 * Two levels: an array of FDTAB_PAGES atomic page pointers, each page
 * FDTAB_PAGE_SIZE atomic slots of one uintptr_t (0 is "nothing"). A lookup
 * is two acquire loads. Pages are allocated on the first store into them
 * (a compare-and-swap: no lock, nothing a fork can leave held) and kept
 * until fdtab_free, so a reader never sees a page go away. A store is a
 * release: a reader that sees the value sees what was written before it.
 *
 * Header only, every function static inline: the lookups stay as cheap as
 * the tables they replace. Each user owns one static struct fdtab (zero
 * initialised) and frees it in a destructor. */
#ifndef IOTH_UTIL_FDTAB_H
#define IOTH_UTIL_FDTAB_H
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define FDTAB_PAGE_BITS 10
#define FDTAB_PAGE_SIZE (1u << FDTAB_PAGE_BITS)
#define FDTAB_PAGES (1u << 14)   /* 16M descriptors: beyond any RLIMIT_NOFILE in use */

struct fdtab_page {
	_Atomic(uintptr_t) slot[FDTAB_PAGE_SIZE];
};

struct fdtab {
	_Atomic(struct fdtab_page *) page[FDTAB_PAGES];
};

/* The page of fd, made if create; NULL if fd is beyond the table or (with
 * create) memory is short. */
static inline struct fdtab_page *fdtab_page(struct fdtab *t, unsigned int fd, int create) {
	unsigned int p = fd >> FDTAB_PAGE_BITS;
	if (p >= FDTAB_PAGES)
		return NULL;
	struct fdtab_page *page = atomic_load_explicit(&t->page[p], memory_order_acquire);
	if (page || !create)
		return page;
	struct fdtab_page *fresh = calloc(1, sizeof(*fresh));
	if (fresh == NULL)
		return NULL;
	if (atomic_compare_exchange_strong_explicit(&t->page[p], &page, fresh,
				memory_order_acq_rel, memory_order_acquire))
		return fresh;
	free(fresh); /* another thread made it first: use its page */
	return page;
}

/* The slot of fd, in a page made if create; NULL if fd < 0, beyond the
 * table or (with create) memory is short. */
static inline _Atomic(uintptr_t) *fdtab_slot(struct fdtab *t, int fd, int create) {
	if (fd < 0)
		return NULL;
	struct fdtab_page *page = fdtab_page(t, (unsigned int) fd, create);
	return page ? &page->slot[fd & (FDTAB_PAGE_SIZE - 1)] : NULL;
}

/* The value of fd, 0 if none (or fd < 0). */
static inline uintptr_t fdtab_get(struct fdtab *t, int fd) {
	_Atomic(uintptr_t) *slot = fdtab_slot(t, fd, 0);
	return slot ? atomic_load_explicit(slot, memory_order_acquire) : 0;
}

/* Store v for fd: 0, -EBADF (fd < 0), -EMFILE (fd beyond the table) or
 * -ENOMEM (no page). */
static inline int fdtab_set(struct fdtab *t, int fd, uintptr_t v) {
	if (fd < 0)
		return -EBADF;
	if (((unsigned int) fd >> FDTAB_PAGE_BITS) >= FDTAB_PAGES)
		return -EMFILE;
	_Atomic(uintptr_t) *slot = fdtab_slot(t, fd, 1);
	if (slot == NULL)
		return -ENOMEM;
	atomic_store_explicit(slot, v, memory_order_release);
	return 0;
}

/* Clear fd's slot and return what it held (0 if nothing): of two threads
 * taking the same fd, one gets the value. Makes no page. */
static inline uintptr_t fdtab_take(struct fdtab *t, int fd) {
	_Atomic(uintptr_t) *slot = fdtab_slot(t, fd, 0);
	return slot ? atomic_exchange_explicit(slot, 0, memory_order_acq_rel) : 0;
}

/* Call fn(fd, value, arg) for every fd in [lo, hi] (hi at most INT_MAX)
 * whose slot is not 0, in increasing order. A store made meanwhile may or
 * may not be seen. */
static inline void fdtab_foreach(struct fdtab *t, unsigned int lo, unsigned int hi,
		void (*fn)(int fd, uintptr_t v, void *arg), void *arg) {
	if (hi > (unsigned int) __INT_MAX__)
		hi = (unsigned int) __INT_MAX__;
	for (unsigned int p = lo >> FDTAB_PAGE_BITS; p < FDTAB_PAGES && p <= (hi >> FDTAB_PAGE_BITS); p++) {
		struct fdtab_page *page = atomic_load_explicit(&t->page[p], memory_order_acquire);
		if (page == NULL)
			continue;
		for (unsigned int i = 0; i < FDTAB_PAGE_SIZE; i++) {
			unsigned int fd = (p << FDTAB_PAGE_BITS) | i;
			if (fd < lo || fd > hi)
				continue;
			uintptr_t v = atomic_load_explicit(&page->slot[i], memory_order_acquire);
			if (v != 0)
				fn((int) fd, v, arg);
		}
	}
}

/* Free every page (the library's unload: no other thread uses t). */
static inline void fdtab_free(struct fdtab *t) {
	for (unsigned int p = 0; p < FDTAB_PAGES; p++)
		free(atomic_exchange_explicit(&t->page[p], NULL, memory_order_acq_rel));
}

#endif /* IOTH_UTIL_FDTAB_H */
