/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libvdeplug opens its plugins (vde://, switch://...) with RTLD_DEEPBIND,
 * which AddressSanitizer refuses (google/sanitizers#611): the test could
 * not open a switch at all. Linked only into sanitizer builds of the
 * tests, this dlopen drops that flag and hands over to the next dlopen
 * (the sanitizer's). The plugins resolve their few symbols the same way
 * without it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

void *dlopen(const char *file, int mode) {
	static void *(*next)(const char *, int);
	if (next == NULL)
		next = (void *(*)(const char *, int)) dlsym(RTLD_NEXT, "dlopen");
	return next(file, mode & ~RTLD_DEEPBIND);
}
